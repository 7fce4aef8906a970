// Evaluates each line of an expressions file as `SELECT <expr>` in Turso
// (npm @tursodatabase/database) and prints one result per line, in the form
// the Keel side of vector_turso_test prints:
//   blob:<HEX> | text:<text> | number:<value> | null | error:<message>
// Usage: node run_turso.mjs <expressions.txt> <node_modules dir holding the package>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const pkg = join(process.argv[3], "@tursodatabase", "database", "dist", "promise.js");
const { connect } = await import(pathToFileURL(pkg).href);
const exprs = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l.length > 0 && !l.startsWith("--"));
const db = await connect(":memory:");
for (const e of exprs) {
  let out;
  try {
    const v = (await db.prepare("SELECT " + e).raw().all())[0][0];
    if (v === null) out = "null";
    else if (typeof v === "string") out = "text:" + v;
    else if (typeof v === "number" || typeof v === "bigint") out = "number:" + String(v);
    else out = "blob:" + Buffer.from(v).toString("hex").toUpperCase();
  } catch (err) {
    out = "error:" + String(err.message).replace(/^step failed: /, "");
  }
  console.log(out);
}
