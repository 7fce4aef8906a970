// pragma_NAME table-valued functions (see pragma_vtab.h).
//
// best_index follows SQLite's pragmaVtabBestIndex: only usable EQ
// constraints on the hidden columns become filter() arguments (arg first,
// then schema, each omitted from re-testing); a hidden column constrained
// only unusably makes the plan impossible (rc::kConstraint), so the planner
// puts the table after the terms its arguments read.
#include "engine/pragma_vtab.h"

#include <string>
#include <string_view>

#include "engine/connection.h"
#include "engine/statement.h"
#include "vm/value.h"

namespace keel::engine {

namespace {

// One pragma's shape: its result columns and which hidden columns it has.
struct PragmaShape {
  const char* name;
  const char* columns;  // comma-separated result column names
  bool arg;             // hidden column `arg`
  bool schema;          // hidden column `schema`
};

// SQLite 3.40's pragmas with result rows and their declared columns.
constexpr PragmaShape kPragmas[] = {
    {"analysis_limit", "analysis_limit", false, false},
    {"application_id", "application_id", false, false},
    {"auto_vacuum", "auto_vacuum", false, true},
    {"automatic_index", "automatic_index", false, false},
    {"busy_timeout", "timeout", false, false},
    {"cache_size", "cache_size", false, true},
    {"cache_spill", "cache_spill", false, true},
    {"cell_size_check", "cell_size_check", false, false},
    {"checkpoint_fullfsync", "checkpoint_fullfsync", false, false},
    {"collation_list", "seq,name", false, false},
    {"compile_options", "compile_options", false, false},
    {"count_changes", "count_changes", false, false},
    {"data_version", "data_version", false, false},
    {"database_list", "seq,name,file", false, false},
    {"default_cache_size", "cache_size", false, true},
    {"defer_foreign_keys", "defer_foreign_keys", false, false},
    {"empty_result_callbacks", "empty_result_callbacks", false, false},
    {"encoding", "encoding", false, false},
    {"foreign_key_check", "table,rowid,parent,fkid", true, true},
    {"foreign_key_list", "id,seq,table,from,to,on_update,on_delete,match", true, true},
    {"foreign_keys", "foreign_keys", false, false},
    {"freelist_count", "freelist_count", false, false},
    {"full_column_names", "full_column_names", false, false},
    {"fullfsync", "fullfsync", false, false},
    {"function_list", "name,builtin,type,enc,narg,flags", false, false},
    {"hard_heap_limit", "hard_heap_limit", false, false},
    {"ignore_check_constraints", "ignore_check_constraints", false, false},
    {"index_info", "seqno,cid,name", true, true},
    {"index_list", "seq,name,unique,origin,partial", true, true},
    {"index_xinfo", "seqno,cid,name,desc,coll,key", true, true},
    {"integrity_check", "integrity_check", true, true},
    {"journal_mode", "journal_mode", false, true},
    {"journal_size_limit", "journal_size_limit", false, true},
    {"legacy_alter_table", "legacy_alter_table", false, false},
    {"locking_mode", "locking_mode", false, true},
    {"max_page_count", "max_page_count", false, true},
    {"module_list", "name", false, false},
    {"optimize", "optimize", true, false},
    {"page_count", "page_count", false, true},
    {"page_size", "page_size", false, true},
    {"pragma_list", "name", false, false},
    {"query_only", "query_only", false, false},
    {"quick_check", "quick_check", true, true},
    {"read_uncommitted", "read_uncommitted", false, false},
    {"recursive_triggers", "recursive_triggers", false, false},
    {"reverse_unordered_selects", "reverse_unordered_selects", false, false},
    {"schema_version", "schema_version", false, false},
    {"secure_delete", "secure_delete", false, false},
    {"short_column_names", "short_column_names", false, false},
    {"soft_heap_limit", "soft_heap_limit", false, false},
    {"synchronous", "synchronous", false, true},
    {"table_info", "cid,name,type,notnull,dflt_value,pk", true, true},
    {"table_list", "schema,name,type,ncol,wr,strict", true, false},
    {"table_xinfo", "cid,name,type,notnull,dflt_value,pk,hidden", true, true},
    {"temp_store", "temp_store", false, false},
    {"threads", "threads", false, false},
    {"trusted_schema", "trusted_schema", false, false},
    {"user_version", "user_version", false, false},
    {"writable_schema", "writable_schema", false, false},
};

int count_columns(const char* list) {
  int n = 1;
  for (const char* p = list; *p; ++p) n += *p == ',';
  return n;
}

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string quote_identifier(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// sqlite3_value_text of an argument; false for NULL (the argument is absent).
bool argument_text(const ext::ValueView& v, std::string* out) {
  switch (v.type()) {
    case keel::Type::kNull:
      return false;
    case keel::Type::kInteger:
      *out = std::to_string(v.as_int64());
      return true;
    case keel::Type::kReal: {
      vm::Value x = vm::Value::real(v.as_double());
      x.stringify();
      *out = std::string(x.text());
      return true;
    }
    case keel::Type::kText:
      *out = std::string(v.text());
      return true;
    case keel::Type::kBlob: {
      auto b = v.blob();
      out->assign(reinterpret_cast<const char*>(b.data()), b.size());
      return true;
    }
  }
  return false;
}

class PragmaCursor final : public ext::VirtualCursor {
 public:
  PragmaCursor(Connection& conn, const PragmaShape& shape, int ncols)
      : conn_(conn), shape_(shape), ncols_(ncols) {}

  // idx_num bit 0: args has `arg`; bit 1: args has `schema` (after arg).
  Status filter(int idx_num, std::string_view, ext::Args args) override {
    rows_.clear();
    row_ = 0;
    have_arg_ = have_schema_ = false;
    size_t next = 0;
    if ((idx_num & 1) && next < args.size()) have_arg_ = argument_text(args[next++], &arg_);
    if ((idx_num & 2) && next < args.size()) have_schema_ = argument_text(args[next++], &schema_);
    std::string sql = "PRAGMA ";
    if (have_schema_) sql += quote_identifier(schema_) + ".";
    sql += shape_.name;
    if (have_arg_) sql += "(" + quote_literal(arg_) + ")";
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, conn_.prepare(sql));
    if (!stmt) return Status::Ok();
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(int rc, stmt->step());
      if (rc != rc::kRow) break;
      std::span<const vm::Value> row = stmt->row();
      std::vector<vm::Value> copy(static_cast<size_t>(ncols_));
      for (size_t i = 0; i < copy.size() && i < row.size(); i++) copy[i].copy_from(row[i]);
      rows_.push_back(std::move(copy));
    }
    return Status::Ok();
  }
  Status next() override {
    ++row_;
    return Status::Ok();
  }
  bool eof() const override { return row_ >= rows_.size(); }
  Status column(ext::Context& ctx, int col) override {
    if (col >= ncols_) {
      // Hidden columns: the arguments as given.
      bool is_arg = shape_.arg && col == ncols_;
      bool present = is_arg ? have_arg_ : have_schema_;
      if (present) {
        ctx.result_text(is_arg ? arg_ : schema_);
      } else {
        ctx.result_null();
      }
      return Status::Ok();
    }
    const vm::Value& v = rows_[row_][static_cast<size_t>(col)];
    switch (v.type()) {
      case vm::ValueType::kInteger:
        ctx.result_int64(v.int_value());
        break;
      case vm::ValueType::kReal:
        ctx.result_double(v.real_value());
        break;
      case vm::ValueType::kText:
        ctx.result_text(v.text());
        break;
      case vm::ValueType::kBlob:
        ctx.result_blob(v.blob());
        break;
      default:
        ctx.result_null();
        break;
    }
    return Status::Ok();
  }
  Result<int64_t> rowid() override { return static_cast<int64_t>(row_) + 1; }

 private:
  Connection& conn_;
  const PragmaShape& shape_;
  int ncols_;
  std::vector<std::vector<vm::Value>> rows_;
  size_t row_ = 0;
  std::string arg_, schema_;
  bool have_arg_ = false, have_schema_ = false;
};

class PragmaTable final : public ext::VirtualTable {
 public:
  PragmaTable(Connection& conn, const PragmaShape& shape)
      : conn_(conn), shape_(shape), ncols_(count_columns(shape.columns)) {}

  std::string schema() const override {
    std::string s = "CREATE TABLE x(";
    std::string_view cols = shape_.columns;
    bool first = true;
    while (!cols.empty()) {
      size_t comma = cols.find(',');
      std::string_view c = cols.substr(0, comma);
      s += (first ? "" : ",") + quote_identifier(c);
      first = false;
      cols = comma == std::string_view::npos ? std::string_view() : cols.substr(comma + 1);
    }
    if (shape_.arg) s += ",arg HIDDEN";
    if (shape_.schema) s += ",schema HIDDEN";
    return s + ")";
  }

  Status best_index(ext::IndexInfo& info) override {
    // Hidden column k (0 = arg or schema, 1 = schema) → constraint index.
    int hidden_count = (shape_.arg ? 1 : 0) + (shape_.schema ? 1 : 0);
    int use[2] = {-1, -1};
    bool unusable[2] = {false, false};
    for (size_t i = 0; i < info.constraints.size(); i++) {
      const ext::IndexConstraint& c = info.constraints[i];
      int k = c.column - ncols_;
      if (k < 0 || k >= hidden_count) continue;
      if (!c.usable) {
        unusable[k] = true;
      } else if (c.op == ext::ConstraintOp::kEq) {
        use[k] = static_cast<int>(i);
      }
    }
    for (int k = 0; k < hidden_count; k++) {
      if (unusable[k] && use[k] < 0) return Status(rc::kConstraint, "");
    }
    int argv = 1;
    info.idx_num = 0;
    for (int k = 0; k < hidden_count; k++) {
      if (use[k] < 0) continue;
      info.usage[static_cast<size_t>(use[k])] = {argv++, true};
      bool is_arg = shape_.arg && k == 0;
      info.idx_num |= is_arg ? 1 : 2;
    }
    info.estimated_cost = argv > 1 ? 20.0 : 2147483647.0;
    info.estimated_rows = argv > 1 ? 20 : 2147483647;
    return Status::Ok();
  }

  Result<std::unique_ptr<ext::VirtualCursor>> open() override {
    return std::unique_ptr<ext::VirtualCursor>(new PragmaCursor(conn_, shape_, ncols_));
  }

 private:
  Connection& conn_;
  const PragmaShape& shape_;
  int ncols_;
};

class PragmaModule final : public ext::VirtualTableModule {
 public:
  PragmaModule(Connection& conn, const PragmaShape& shape)
      : conn_(conn), shape_(shape), name_(std::string("pragma_") + shape.name) {}
  std::string_view name() const override { return name_; }
  bool eponymous() const override { return true; }
  bool eponymous_only() const override { return true; }
  Result<std::unique_ptr<ext::VirtualTable>> connect(const ext::VirtualTableArgs&) override {
    return std::unique_ptr<ext::VirtualTable>(new PragmaTable(conn_, shape_));
  }

 private:
  Connection& conn_;
  const PragmaShape& shape_;
  std::string name_;
};

}  // namespace

std::vector<std::shared_ptr<ext::VirtualTableModule>> make_pragma_modules(Connection& conn) {
  std::vector<std::shared_ptr<ext::VirtualTableModule>> out;
  for (const PragmaShape& p : kPragmas) out.push_back(std::make_shared<PragmaModule>(conn, p));
  return out;
}

}  // namespace keel::engine
