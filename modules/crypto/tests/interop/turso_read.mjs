// Reads table t of an encrypted database with Turso and prints one JSON
// line: {"count": N, "rows": [[a, b], ...]} or {"error": "..."}.
//   node turso_read.mjs PATH CIPHER HEXKEY
import { connect } from '@tursodatabase/database';

const [, , path, cipher, hexkey] = process.argv;
try {
  const db = await connect(path, { experimental: ['encryption'], encryption: { cipher, hexkey } });
  const rows = await db.prepare('SELECT a, b FROM t ORDER BY a').raw().all();
  console.log(JSON.stringify({ count: rows.length, rows }));
  db.close();
} catch (e) {
  console.log(JSON.stringify({ error: String(e && e.message ? e.message : e) }));
}
