// Runs a CDC statement script in Turso (npm @tursodatabase/database) and
// prints the CDC rows, one per line, as the Keel side prints them:
//   change_id|change_txn_id|change_type|table_name|id|hex(before)|hex(after)|hex(updates)
// Usage: node run_turso.mjs <script.sql> <node_modules dir holding the package>
// (one statement per line; lines starting with "--" and blank lines skipped;
// a line starting with "!" is a statement that must fail)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const pkg = join(process.argv[3], "@tursodatabase", "database", "dist", "promise.js");
const { connect } = await import(pathToFileURL(pkg).href);

const script = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l.length > 0 && !l.startsWith("--"));
const db = await connect(":memory:");
for (const line of script) {
  const mustFail = line.startsWith("!");
  const sql = mustFail ? line.slice(1) : line;
  let failed = false;
  try {
    await db.exec(sql);
  } catch (e) {
    if (!mustFail) throw e;
    failed = true;
  }
  if (mustFail && !failed) throw new Error("statement did not fail: " + sql);
}
const rows = await db
  .prepare(
    "SELECT change_id, change_txn_id, change_type, table_name, id, hex(before), hex(after), hex(updates) " +
      "FROM turso_cdc ORDER BY change_id",
  )
  .raw()
  .all();
for (const r of rows) console.log(r.map((v) => (v === null ? "NULL" : String(v))).join("|"));
