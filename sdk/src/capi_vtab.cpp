// The sqlite3 virtual-table API (sqlite3_create_module & co.) on Keel's
// virtual-table extension point (keel/ext/virtual_table.hpp).
//
// A C module becomes a VirtualTableModule (CModule), each sqlite3_vtab a
// VirtualTable (CTable) and each sqlite3_vtab_cursor a VirtualCursor
// (CCursor); the adapters translate calls one to one:
//   * xCreate/xConnect run inside a DeclareFrame, so sqlite3_declare_vtab()
//     (valid only there, as in SQLite) records the schema the kernel asks
//     the table for;
//   * xBestIndex gets a sqlite3_index_info laid out as SQLite's, embedded
//     first in an IndexFrame so sqlite3_vtab_collation / _distinct /
//     _rhs_value can find the kernel's IndexInfo behind it;
//   * arguments (xFilter, xUpdate) become sqlite3_values that share the
//     registers' bytes; xColumn writes into a function context whose result
//     is handed to the kernel's Context;
//   * a non-zero return code becomes a Status with the table's zErrMsg (freed
//     here, as SQLite does) or the code's standard text.
// Module objects (pAux, xDestroy) live until the module is replaced or
// dropped and the last table made from it is gone.
#include <cstdarg>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "capi_internal.h"
#include "func/ext_args.h"
#include "keel/ext/virtual_table.hpp"

namespace keel::capi {
namespace {

// sqlite3_declare_vtab's target while a constructor runs on this thread.
struct DeclareFrame {
  sqlite3* db;
  std::string schema;
  bool declared = false;
  DeclareFrame* prev;
};
thread_local DeclareFrame* t_declare = nullptr;

// A C vtab's result: zErrMsg when set (then freed), else the code's text.
Status vtab_status(int code, sqlite3_vtab* vt) {
  if (code == SQLITE_OK) return Status::Ok();
  std::string msg;
  if (vt && vt->zErrMsg) {
    msg = vt->zErrMsg;
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = nullptr;
  } else {
    msg = errstr(code);
  }
  return Status(code, msg);
}

// Arguments as sqlite3_values sharing the bytes of the views.
class ValueFrame {
 public:
  explicit ValueFrame(ext::Args args) : vals_(args.size()), ptrs_(args.size()) {
    for (size_t i = 0; i < args.size(); i++) {
      vals_[i].v = func::borrow_ext_value(args[i]);
      ptrs_[i] = &vals_[i];
    }
  }
  int argc() const { return static_cast<int>(ptrs_.size()); }
  sqlite3_value** argv() { return ptrs_.empty() ? nullptr : ptrs_.data(); }

 private:
  std::vector<sqlite3_value> vals_;
  std::vector<sqlite3_value*> ptrs_;
};

struct IndexFrame {
  sqlite3_index_info info;  // first: the C API sees only this
  ext::IndexInfo* src;
  std::vector<sqlite3_value> rhs;  // sqlite3_vtab_rhs_value results
};

class CModule;

class CTable;

class CCursor final : public ext::VirtualCursor {
 public:
  CCursor(std::shared_ptr<CTable> table, sqlite3_vtab_cursor* cur) : table_(std::move(table)), cur_(cur) {}
  ~CCursor() override;
  Status filter(int idx_num, std::string_view idx_str, ext::Args args) override;
  Status next() override;
  bool eof() const override;
  Status column(ext::Context& ctx, int col) override;
  Result<int64_t> rowid() override;

 private:
  std::shared_ptr<CTable> table_;
  sqlite3_vtab_cursor* cur_;
  std::string idx_str_;
};

class CTable final : public ext::VirtualTable, public std::enable_shared_from_this<CTable> {
 public:
  CTable(std::shared_ptr<CModule> module, sqlite3_vtab* vt, std::string schema)
      : module_(std::move(module)), vt_(vt), schema_(std::move(schema)) {}
  ~CTable() override;
  std::string schema() const override { return schema_; }
  Status best_index(ext::IndexInfo& info) override;
  Result<std::unique_ptr<ext::VirtualCursor>> open() override;
  Status update(ext::Args args, int64_t* rowid) override;
  bool writable() const override;
  Status begin() override;
  Status sync() override;
  Status commit() override;
  Status rollback() override;
  Status destroy() override;

  const sqlite3_module* m() const;
  sqlite3_vtab* vt() const { return vt_; }
  sqlite3* db() const;

 private:
  std::shared_ptr<CModule> module_;
  sqlite3_vtab* vt_;
  std::string schema_;
  bool destroyed_ = false;
};

// The kernel holds tables by unique_ptr at creation and then shares them;
// cursors need a shared owner of their table, so the kernel-facing object is
// a thin holder around a shared CTable.
class CTableHolder final : public ext::VirtualTable {
 public:
  explicit CTableHolder(std::shared_ptr<CTable> t) : t_(std::move(t)) {}
  std::string schema() const override { return t_->schema(); }
  Status best_index(ext::IndexInfo& info) override { return t_->best_index(info); }
  Result<std::unique_ptr<ext::VirtualCursor>> open() override { return t_->open(); }
  Status update(ext::Args args, int64_t* rowid) override { return t_->update(args, rowid); }
  bool writable() const override { return t_->writable(); }
  Status begin() override { return t_->begin(); }
  Status sync() override { return t_->sync(); }
  Status commit() override { return t_->commit(); }
  Status rollback() override { return t_->rollback(); }
  Status destroy() override { return t_->destroy(); }

 private:
  std::shared_ptr<CTable> t_;
};

class CModule final : public ext::VirtualTableModule, public std::enable_shared_from_this<CModule> {
 public:
  CModule(sqlite3* db, std::string name, const sqlite3_module* m, void* aux, void (*destroy)(void*))
      : db_(db), name_(std::move(name)), m_(m), aux_(aux), destroy_(destroy) {}
  ~CModule() override {
    if (destroy_) destroy_(aux_);
  }
  std::string_view name() const override { return name_; }
  // SQLite: eponymous when xCreate is null (then eponymous only) or xCreate == xConnect.
  bool eponymous() const override { return m_->xCreate == nullptr || m_->xCreate == m_->xConnect; }
  bool eponymous_only() const override { return m_->xCreate == nullptr; }
  Result<std::unique_ptr<ext::VirtualTable>> create(const ext::VirtualTableArgs& args) override {
    return construct(args, m_->xCreate);
  }
  Result<std::unique_ptr<ext::VirtualTable>> connect(const ext::VirtualTableArgs& args) override {
    return construct(args, m_->xConnect);
  }

  sqlite3* db() const { return db_; }
  const sqlite3_module* m() const { return m_; }

 private:
  using Ctor = int (*)(sqlite3*, void*, int, const char* const*, sqlite3_vtab**, char**);
  Result<std::unique_ptr<ext::VirtualTable>> construct(const ext::VirtualTableArgs& args, Ctor ctor) {
    if (ctor == nullptr) return Status(rc::kError, "no such module: " + name_);
    std::vector<std::string> texts{std::string(args.module), std::string(args.database),
                                   std::string(args.table)};
    for (std::string_view a : args.args) texts.emplace_back(a);
    std::vector<const char*> argv;
    for (const std::string& t : texts) argv.push_back(t.c_str());
    DeclareFrame frame{db_, {}, false, t_declare};
    t_declare = &frame;
    sqlite3_vtab* vt = nullptr;
    char* err = nullptr;
    int code = ctor(db_, aux_, static_cast<int>(argv.size()), argv.data(), &vt, &err);
    t_declare = frame.prev;
    if (code != SQLITE_OK) {
      std::string msg = err ? std::string(err) : std::string(errstr(code));
      if (err) sqlite3_free(err);
      if (vt && m_->xDisconnect) m_->xDisconnect(vt);
      return Status(code, msg);
    }
    if (err) sqlite3_free(err);
    if (vt == nullptr) return Status(rc::kError, "vtable constructor failed: " + std::string(args.table));
    if (!frame.declared) {
      if (m_->xDisconnect) m_->xDisconnect(vt);
      return Status(rc::kError, "vtable constructor did not declare schema: " + std::string(args.table));
    }
    vt->pModule = m_;
    vt->nRef = 0;
    auto table = std::make_shared<CTable>(shared_from_this(), vt, std::move(frame.schema));
    return std::unique_ptr<ext::VirtualTable>(new CTableHolder(std::move(table)));
  }

  sqlite3* db_;
  std::string name_;
  const sqlite3_module* m_;
  void* aux_;
  void (*destroy_)(void*);
};

const sqlite3_module* CTable::m() const { return module_->m(); }
sqlite3* CTable::db() const { return module_->db(); }

CTable::~CTable() {
  if (!destroyed_ && m()->xDisconnect) m()->xDisconnect(vt_);
}

Status CTable::destroy() {
  int (*fn)(sqlite3_vtab*) = m()->xDestroy ? m()->xDestroy : m()->xDisconnect;
  destroyed_ = true;
  if (fn == nullptr) return Status::Ok();
  sqlite3_vtab* vt = vt_;
  int code = fn(vt);
  if (code != SQLITE_OK) {
    // As SQLite: a failing xDestroy leaves the table connected.
    destroyed_ = false;
    return vtab_status(code, vt);
  }
  return Status::Ok();
}

Status CTable::best_index(ext::IndexInfo& info) {
  IndexFrame frame{};
  frame.src = &info;
  std::vector<sqlite3_index_info::sqlite3_index_constraint> cons(info.constraints.size());
  std::vector<sqlite3_index_info::sqlite3_index_orderby> order(info.order_by.size());
  std::vector<sqlite3_index_info::sqlite3_index_constraint_usage> usage(info.constraints.size());
  for (size_t i = 0; i < cons.size(); i++) {
    cons[i].iColumn = info.constraints[i].column;
    cons[i].op = static_cast<unsigned char>(info.constraints[i].op);
    cons[i].usable = info.constraints[i].usable ? 1 : 0;
    cons[i].iTermOffset = static_cast<int>(i);
  }
  for (size_t i = 0; i < order.size(); i++) {
    order[i].iColumn = info.order_by[i].column;
    order[i].desc = info.order_by[i].desc ? 1 : 0;
  }
  sqlite3_index_info& ii = frame.info;
  ii.nConstraint = static_cast<int>(cons.size());
  ii.aConstraint = cons.data();
  ii.nOrderBy = static_cast<int>(order.size());
  ii.aOrderBy = order.data();
  ii.aConstraintUsage = usage.data();
  ii.estimatedCost = info.estimated_cost;
  ii.estimatedRows = info.estimated_rows;
  ii.colUsed = info.columns_used;
  int code = m()->xBestIndex ? m()->xBestIndex(vt_, &ii) : SQLITE_OK;
  std::string idx_str = ii.idxStr ? std::string(ii.idxStr) : std::string();
  if (ii.needToFreeIdxStr && ii.idxStr) sqlite3_free(ii.idxStr);
  if (code != SQLITE_OK) return vtab_status(code, vt_);
  for (size_t i = 0; i < usage.size(); i++) {
    info.usage[i].argv_index = usage[i].argvIndex;
    info.usage[i].omit = usage[i].omit != 0;
  }
  info.idx_num = ii.idxNum;
  info.idx_str = std::move(idx_str);
  info.order_by_consumed = ii.orderByConsumed != 0;
  info.estimated_cost = ii.estimatedCost;
  info.estimated_rows = ii.estimatedRows;
  info.unique_scan = (ii.idxFlags & SQLITE_INDEX_SCAN_UNIQUE) != 0;
  return Status::Ok();
}

Result<std::unique_ptr<ext::VirtualCursor>> CTable::open() {
  sqlite3_vtab_cursor* cur = nullptr;
  int code = m()->xOpen(vt_, &cur);
  if (code != SQLITE_OK) return vtab_status(code, vt_);
  if (cur == nullptr) return Status(rc::kError, "xOpen returned no cursor");
  cur->pVtab = vt_;
  vt_->nRef++;
  return std::unique_ptr<ext::VirtualCursor>(new CCursor(shared_from_this(), cur));
}

bool CTable::writable() const { return m()->xUpdate != nullptr; }

Status CTable::update(ext::Args args, int64_t* rowid) {
  if (m()->xUpdate == nullptr) return Status(rc::kError, "table " + std::string("may not be modified"));
  ValueFrame frame(args);
  sqlite3_int64 r = *rowid;
  int code = m()->xUpdate(vt_, frame.argc(), frame.argv(), &r);
  *rowid = r;
  return vtab_status(code, vt_);
}

Status CTable::begin() { return m()->xBegin ? vtab_status(m()->xBegin(vt_), vt_) : Status::Ok(); }
Status CTable::sync() { return m()->xSync ? vtab_status(m()->xSync(vt_), vt_) : Status::Ok(); }
Status CTable::commit() { return m()->xCommit ? vtab_status(m()->xCommit(vt_), vt_) : Status::Ok(); }
Status CTable::rollback() { return m()->xRollback ? vtab_status(m()->xRollback(vt_), vt_) : Status::Ok(); }

CCursor::~CCursor() {
  table_->vt()->nRef--;
  table_->m()->xClose(cur_);
}

Status CCursor::filter(int idx_num, std::string_view idx_str, ext::Args args) {
  ValueFrame frame(args);
  idx_str_.assign(idx_str);
  return vtab_status(table_->m()->xFilter(cur_, idx_num, idx_str_.empty() ? nullptr : idx_str_.c_str(),
                                          frame.argc(), frame.argv()),
                     table_->vt());
}

Status CCursor::next() { return vtab_status(table_->m()->xNext(cur_), table_->vt()); }

bool CCursor::eof() const { return table_->m()->xEof(cur_) != 0; }

Status CCursor::column(ext::Context& ctx, int col) {
  sqlite3* db = table_->db();
  func::FunctionContext fc(nullptr, &db->conn->function_services());
  vm::Value out;
  fc.set_result_slot(&out);
  sqlite3_context c{&fc, db, nullptr};
  int code = table_->m()->xColumn(cur_, &c, col);
  // As OP_VColumn: an error set on the context wins over the return code.
  if (fc.has_error()) {
    Status s = vtab_status(code, table_->vt());  // frees zErrMsg
    (void)s;
    return Status(fc.error_code(), fc.error_message());
  }
  if (code != SQLITE_OK) return vtab_status(code, table_->vt());
  switch (out.type()) {
    case vm::ValueType::kInteger:
      ctx.result_int64(out.int_value());
      break;
    case vm::ValueType::kReal:
      ctx.result_double(out.real_value());
      break;
    case vm::ValueType::kText:
      ctx.result_text(out.text());
      break;
    case vm::ValueType::kBlob:
      if (out.is_zeroblob()) out.expand_zeroblob();
      ctx.result_blob(out.blob());
      break;
    default:
      ctx.result_null();
      break;
  }
  if (out.subtype()) ctx.result_subtype(out.subtype());
  return Status::Ok();
}

Result<int64_t> CCursor::rowid() {
  sqlite3_int64 r = 0;
  int code = table_->m()->xRowid(cur_, &r);
  if (code != SQLITE_OK) return vtab_status(code, table_->vt());
  return static_cast<int64_t>(r);
}

IndexFrame* frame_of(sqlite3_index_info* info) { return reinterpret_cast<IndexFrame*>(info); }

}  // namespace
}  // namespace keel::capi

using namespace keel;

extern "C" {

SQLITE_API int sqlite3_create_module_v2(sqlite3* db, const char* zName, const sqlite3_module* p,
                                        void* pClientData, void (*xDestroy)(void*)) {
  if (db == nullptr || !db->conn || zName == nullptr) {
    if (xDestroy) xDestroy(pClientData);
    return SQLITE_MISUSE;
  }
  if (p == nullptr) {
    // A null module removes the name (SQLite's sqlite3VtabCreateModule).
    db->conn->vtab_registry().remove_module(zName);
    if (xDestroy) xDestroy(pClientData);
    return capi::set_error(db, SQLITE_OK);
  }
  db->conn->vtab_registry().add_module(std::make_shared<capi::CModule>(db, zName, p, pClientData, xDestroy));
  return capi::set_error(db, SQLITE_OK);
}

SQLITE_API int sqlite3_create_module(sqlite3* db, const char* zName, const sqlite3_module* p,
                                     void* pClientData) {
  return sqlite3_create_module_v2(db, zName, p, pClientData, nullptr);
}

SQLITE_API int sqlite3_drop_modules(sqlite3* db, const char** azKeep) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  engine::VtabRegistry& reg = db->conn->vtab_registry();
  for (const std::string& name : reg.module_names()) {
    bool keep = false;
    for (const char** k = azKeep; k && *k && !keep; k++) keep = sqlite3_stricmp(*k, name.c_str()) == 0;
    if (!keep) reg.remove_module(name);
  }
  return SQLITE_OK;
}

SQLITE_API int sqlite3_declare_vtab(sqlite3* db, const char* zSQL) {
  capi::DeclareFrame* f = capi::t_declare;
  if (db == nullptr || zSQL == nullptr || f == nullptr || f->db != db || f->declared) {
    return capi::set_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
  }
  auto cols = plan::declared_columns(zSQL);
  if (!cols.ok()) return capi::set_error(db, SQLITE_ERROR, cols.status().message());
  f->schema = zSQL;
  f->declared = true;
  return capi::set_error(db, SQLITE_OK);
}

SQLITE_API int sqlite3_vtab_config(sqlite3* db, int op, ...) {
  capi::DeclareFrame* f = capi::t_declare;
  if (db == nullptr || f == nullptr || f->db != db) return SQLITE_MISUSE;
  switch (op) {
    case SQLITE_VTAB_CONSTRAINT_SUPPORT: {
      va_list ap;
      va_start(ap, op);
      (void)va_arg(ap, int);
      va_end(ap);
      return SQLITE_OK;
    }
    case SQLITE_VTAB_INNOCUOUS:
    case SQLITE_VTAB_DIRECTONLY:
      return SQLITE_OK;
    default:
      return SQLITE_MISUSE;
  }
}

// Keel does not pass a statement's ON CONFLICT mode to xUpdate: the default,
// ABORT, is reported.
SQLITE_API int sqlite3_vtab_on_conflict(sqlite3* db) {
  (void)db;
  return SQLITE_ABORT;
}

SQLITE_API int sqlite3_vtab_nochange(sqlite3_context* c) {
  (void)c;
  return 0;
}

SQLITE_API const char* sqlite3_vtab_collation(sqlite3_index_info* info, int i) {
  capi::IndexFrame* f = capi::frame_of(info);
  if (i < 0 || i >= info->nConstraint) return "BINARY";
  return f->src->collation(static_cast<size_t>(i)).data();
}

SQLITE_API int sqlite3_vtab_distinct(sqlite3_index_info* info) {
  return capi::frame_of(info)->src->distinct();
}

// IN constraints are never offered to xBestIndex: no constraint can be
// handled as a whole IN list.
SQLITE_API int sqlite3_vtab_in(sqlite3_index_info* info, int iCons, int bHandle) {
  (void)info;
  (void)iCons;
  (void)bHandle;
  return 0;
}

SQLITE_API int sqlite3_vtab_in_first(sqlite3_value* pVal, sqlite3_value** ppOut) {
  (void)pVal;
  if (ppOut) *ppOut = nullptr;
  return SQLITE_MISUSE;
}

SQLITE_API int sqlite3_vtab_in_next(sqlite3_value* pVal, sqlite3_value** ppOut) {
  (void)pVal;
  if (ppOut) *ppOut = nullptr;
  return SQLITE_MISUSE;
}

SQLITE_API int sqlite3_vtab_rhs_value(sqlite3_index_info* info, int i, sqlite3_value** ppVal) {
  capi::IndexFrame* f = capi::frame_of(info);
  if (ppVal) *ppVal = nullptr;
  if (i < 0 || i >= info->nConstraint) return SQLITE_MISUSE;
  ext::ValueView v(nullptr);
  if (!f->src->rhs_value(static_cast<size_t>(i), &v)) return SQLITE_NOTFOUND;
  if (f->rhs.size() < static_cast<size_t>(info->nConstraint)) f->rhs.resize(info->nConstraint);
  sqlite3_value& out = f->rhs[i];
  switch (v.type()) {
    case Type::kInteger:
      out.v.set_int(v.as_int64());
      break;
    case Type::kReal:
      out.v.set_real(v.as_double());
      break;
    case Type::kText:
      out.v.set_text(v.text());
      break;
    case Type::kBlob:
      out.v.set_blob(v.blob());
      break;
    default:
      out.v.set_null();
      break;
  }
  *ppVal = &out;
  return SQLITE_OK;
}

}  // extern "C"
