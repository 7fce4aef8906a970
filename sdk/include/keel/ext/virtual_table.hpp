// Virtual tables and table-valued functions: the extension point behind
// `CREATE VIRTUAL TABLE x USING module(args)` and `FROM json_each(x)`.
//
// The shape is SQLite's sqlite3_module as three abstract classes:
//
//   VirtualTableModule  one per module name, registered with a connection;
//                       makes VirtualTable objects (xCreate / xConnect).
//   VirtualTable        one per table (or per eponymous module): declares its
//                       columns, plans (xBestIndex), opens cursors, and, when
//                       writable, applies changes (xUpdate).
//   VirtualCursor       one scan (xFilter / xNext / xEof / xColumn / xRowid).
//
// Schema. schema() returns a CREATE TABLE statement naming the columns (the
// table name in it is ignored), e.g.
//   "CREATE TABLE x(key, value, json HIDDEN, root HIDDEN)".
// HIDDEN columns are left out of `*`. For a table-valued function the
// arguments fill the hidden columns in order: `FROM json_each(j, '$.a')`
// becomes the constraints json = j AND root = '$.a', which best_index sees
// as ordinary EQ constraints on those columns.
//
// Eponymous modules (eponymous() == true) are usable as `FROM name(args)` or
// `FROM name` without any CREATE VIRTUAL TABLE; the kernel calls connect()
// once with the module name as table name and keeps the table. For CREATE
// VIRTUAL TABLE the kernel calls create() once and stores the statement in
// sqlite_schema exactly as SQLite does (rootpage 0); later connections call
// connect(). DROP TABLE calls destroy() on the table, then releases it.
//
// Planning. best_index() receives the usable and unusable constraints of the
// WHERE clause (and of the function arguments) on this table and the ORDER
// BY, and answers which constraint values it wants as filter() arguments
// (argv_index 1..n, contiguous), which it fully checks itself (omit: the
// kernel then skips re-testing them), an idx_num / idx_str handed back to
// filter(), whether the rows come in ORDER BY order, and cost estimates.
// Returning rc::kConstraint means "this combination of usable constraints
// cannot be served" (SQLite's convention); any other error fails the
// statement. best_index() may be called several times for one statement.
//
// Values cross the boundary as keel::ext::ValueView / Args (arguments) and
// keel::ext::Context (column results), shared with SQL functions
// (keel/ext/function.hpp). Views are valid only during the call.
//
// Errors: every fallible call returns Status with an SQLite result code and
// message; nothing may throw across this interface.
//
// Ownership and threads: the connection owns the tables it created or
// connected (shared_ptr, released on DROP, schema reset or close); a table
// owns nothing of the kernel. A module object may be registered with several
// connections and must then be thread-safe; tables and cursors are used by
// one connection's thread at a time. A cursor never outlives its table.
//
// This interface only grows: new optional members get defaults, new
// capabilities arrive as VirtualTable2 & co.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/ext/function.hpp"
#include "keel/status.hpp"

namespace keel::ext {

// Constraint operators, with SQLite's SQLITE_INDEX_CONSTRAINT_* values.
enum class ConstraintOp : uint8_t {
  kEq = 2,
  kGt = 4,
  kLe = 8,
  kLt = 16,
  kGe = 32,
  kMatch = 64,
  kLike = 65,
  kGlob = 66,
  kRegexp = 67,
  kNe = 68,
  kIsNot = 69,
  kIsNotNull = 70,
  kIsNull = 71,
  kIs = 72,
};

// One WHERE term `column op value` on this table.
struct IndexConstraint {
  int column = 0;  // declared column index; -1 = rowid
  ConstraintOp op = ConstraintOp::kEq;
  bool usable = false;  // the value is known when filter() runs
};

struct IndexOrderBy {
  int column = 0;
  bool desc = false;
};

// best_index's answer for one constraint.
struct IndexConstraintUsage {
  int argv_index = 0;  // 0: not passed; k >= 1: args[k-1] of filter()
  bool omit = false;   // the table guarantees the constraint; do not re-test
};

// xBestIndex's sqlite3_index_info, in C++ clothes.
class IndexInfo {
 public:
  // --- inputs
  std::vector<IndexConstraint> constraints;
  std::vector<IndexOrderBy> order_by;
  uint64_t columns_used = ~uint64_t{0};  // bit i: column i is read (bit 63: any column >= 63); Keel: all bits
  // ORDER BY terms are offered when the query reads this table alone and
  // orders by its columns only. order_by_consumed is advisory: Keel still
  // sorts, so a wrong claim cannot reorder results.
  // --- outputs (usage has one entry per constraint, zero-initialized)
  std::vector<IndexConstraintUsage> usage;
  int idx_num = 0;
  std::string idx_str;
  bool order_by_consumed = false;
  double estimated_cost = 5e98;
  int64_t estimated_rows = 25;
  bool unique_scan = false;  // SQLITE_INDEX_SCAN_UNIQUE: at most one row

  // --- services during best_index
  // The collation of constraint i's comparison ("BINARY", "NOCASE", ...).
  std::string_view collation(size_t i) const {
    return i < collations_.size() && !collations_[i].empty() ? std::string_view(collations_[i]) : "BINARY";
  }
  // The right-hand value of constraint i when it is a constant known at
  // planning time (sqlite3_vtab_rhs_value; Keel: literals); false otherwise.
  bool rhs_value(size_t i, ValueView* out) const {
    if (i >= rhs_.size() || rhs_[i] == nullptr) return false;
    *out = ValueView(rhs_[i]);
    return true;
  }
  // sqlite3_vtab_distinct: 0 rows in ORDER BY order, 1 GROUP BY (any order
  // within groups), 2 DISTINCT, 3 DISTINCT and ORDER BY. Keel reports 0 (the
  // strictest reading).
  int distinct() const { return distinct_; }

  // Set by the kernel (rhs_: what a ValueView of each constant points at).
  std::vector<std::string> collations_;
  std::vector<void*> rhs_;
  int distinct_ = 0;
};

class VirtualCursor {
 public:
  virtual ~VirtualCursor() = default;
  // Starts (or restarts) a scan: idx_num / idx_str as best_index chose them,
  // args = the constraint values it asked for, in argv_index order.
  virtual Status filter(int idx_num, std::string_view idx_str, Args args) = 0;
  virtual Status next() = 0;
  virtual bool eof() const = 0;
  // Sets column `col` of the current row through ctx.result_*() (nothing
  // set = NULL). A hidden argument column may report the argument back.
  virtual Status column(Context& ctx, int col) = 0;
  virtual Result<int64_t> rowid() = 0;
};

// CREATE VIRTUAL TABLE's arguments (SQLite's argv[0..argc)).
struct VirtualTableArgs {
  std::string_view module;             // argv[0]
  std::string_view database;           // argv[1]: "main", "temp", ...
  std::string_view table;              // argv[2]
  std::vector<std::string_view> args;  // argv[3..]: each argument's text as written
  // (Appended.) The connection the table belongs to (SQLite hands xConnect
  // its sqlite3*), for a table that reads the database, e.g. a table-valued
  // function over an index's hidden tables. Usable on the connection's
  // thread for the table's lifetime (a table never outlives its connection);
  // SQL run through it from filter()/next() is a nested statement.
  Session session{nullptr};
};

class VirtualTable {
 public:
  virtual ~VirtualTable() = default;  // xDisconnect
  // The CREATE TABLE statement declaring the columns (see the header note).
  virtual std::string schema() const = 0;
  virtual Status best_index(IndexInfo& info) = 0;
  virtual Result<std::unique_ptr<VirtualCursor>> open() = 0;

  // Writable tables (xUpdate), as SQLite's argv convention:
  //   DELETE: args = [old rowid]
  //   INSERT: args = [NULL, new rowid or NULL, columns...]; set *rowid to the
  //           rowid assigned when args[1] is NULL
  //   UPDATE: args = [old rowid, new rowid, columns...]
  // The default refuses: "table NAME may not be modified".
  virtual Status update(Args args, int64_t* rowid) {
    (void)args;
    (void)rowid;
    return Status(rc::kError, "table may not be modified");
  }
  virtual bool writable() const { return false; }

  // Transaction callbacks (xBegin / xSync / xCommit / xRollback), as SQLite
  // calls them: begin() once per transaction, before the first statement
  // that writes this table; at COMMIT (or the end of an autocommit
  // statement) sync() on every such table, then the database commit, then
  // commit(); a failing sync() rolls the transaction back. ROLLBACK, or a
  // failed autocommit statement, calls rollback(). A table made by CREATE
  // VIRTUAL TABLE joins the creating transaction without begin(). Savepoint
  // callbacks are not offered. Defaults do nothing.
  virtual Status begin() { return Status::Ok(); }
  virtual Status sync() { return Status::Ok(); }
  virtual Status commit() { return Status::Ok(); }
  virtual Status rollback() { return Status::Ok(); }

  // xDestroy: DROP TABLE. The default does what xDisconnect does (nothing
  // beyond the destructor).
  virtual Status destroy() { return Status::Ok(); }
};

class VirtualTableModule {
 public:
  virtual ~VirtualTableModule() = default;
  // The name after USING, and the name of the table-valued function when
  // eponymous. Compared case-insensitively.
  virtual std::string_view name() const = 0;
  // True: usable as `FROM name(args)` without CREATE VIRTUAL TABLE.
  virtual bool eponymous() const { return false; }
  // True: only eponymous (CREATE VIRTUAL TABLE ... USING name is refused
  // with "no such module: name", as SQLite's xCreate == 0 modules).
  virtual bool eponymous_only() const { return false; }
  // xCreate: a new table (CREATE VIRTUAL TABLE). Defaults to connect().
  virtual Result<std::unique_ptr<VirtualTable>> create(const VirtualTableArgs& args) { return connect(args); }
  // xConnect: an existing table (or the eponymous table).
  virtual Result<std::unique_ptr<VirtualTable>> connect(const VirtualTableArgs& args) = 0;
};

}  // namespace keel::ext
