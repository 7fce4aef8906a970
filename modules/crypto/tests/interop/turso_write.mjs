// Writes an encrypted database with Turso (npm @tursodatabase/database):
//   node turso_write.mjs PATH CIPHER HEXKEY ROWS
// Table t(a INTEGER PRIMARY KEY, b TEXT), b = 'turso-row-<a>-' + 'x' * (a % 50).
import { connect } from '@tursodatabase/database';

const [, , path, cipher, hexkey, rows] = process.argv;
const db = await connect(path, { experimental: ['encryption'], encryption: { cipher, hexkey } });
await db.exec('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)');
const ins = db.prepare('INSERT INTO t(a, b) VALUES (?, ?)');
for (let i = 1; i <= Number(rows); i++) await ins.run(i, 'turso-row-' + i + '-' + 'x'.repeat(i % 50));
db.close();
