#include "capture.h"

#include <algorithm>
#include <array>
#include <ctime>

#include "cdc_tables.h"

namespace keel::cdc {

namespace {

constexpr int kCommit = 2;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

void Capture::release() {
  statements_.clear();
  forget_schema();
}

void Capture::end_transaction() {
  txn_open_ = false;
  logs_.clear();
  discard_pending();
}

void Capture::rollback_to_savepoint(int) {
  // Every queued row came after the savepoint (before_savepoint wrote the
  // older ones); rows written since were undone with it.
  discard_pending();
  for (TxnLog& log : logs_) log.verify = true;
  forget_next_ids();
}

Status Capture::on_statement_end(ext::Session&, bool ok) {
  if (ok) {
    statement_rows_ = pending_.size();
    statement_bytes_ = arena_.size();
    return Status::Ok();
  }
  // A failed statement: drop the rows it queued. Rows written before it
  // began were written outside it and stand.
  pending_.resize(statement_rows_);
  arena_.resize(statement_bytes_);
  for (TxnLog& log : logs_) log.verify = true;
  forget_next_ids();
  return Status::Ok();
}

Status Capture::before_statement(ext::Session& session, const ext::StatementInfo& statement) {
  if (pending_.empty()) return Status::Ok();
  constexpr size_t kBatchRows = 256, kBatchBytes = size_t{1} << 20;
  // A statement that reads or writes the CDC table or sqlite_sequence sees
  // every row, and may move the next change_id.
  bool touches = statement.touches("main", "sqlite_sequence");
  for (size_t i = 0; i < logs_.size() && !touches; i++) touches = statement.touches("main", logs_[i].table);
  if (!touches && pending_.size() < kBatchRows && arena_.size() < kBatchBytes) return Status::Ok();
  Status s = flush(session);
  if (touches) forget_next_ids();
  return s;
}

Status Capture::before_savepoint(ext::Session& session, int) { return flush(session); }

bool Capture::excluded(std::string_view table) const {
  // The CDC table in use is known once the transaction's first change read
  // the configuration (before that, observes() cannot tell).
  return same_name(table, kVersionTable) || same_name(table, kSettingsTable) ||
         (txn_open_ && effective_.on() && same_name(table, effective_.table));
}

bool Capture::schema_of_excluded(const ext::RowChange& change) {
  // sqlite_schema(type, name, tbl_name, rootpage, sql): DDL of the CDC
  // tables themselves is theirs, not the application's. A record of any
  // other shape is not a schema row: the kernel reports the sqlite_sequence
  // clean-up of DROP TABLE under the schema table's name.
  std::span<const uint8_t> rec = change.after.empty() ? change.before : change.after;
  if (!parse_record(rec, before_fields_).ok() || before_fields_.size() != 5) return true;
  const Field& tbl = before_fields_[2];
  if (tbl.type < 13 || tbl.type % 2 == 0) return false;
  return excluded(std::string_view(reinterpret_cast<const char*>(tbl.body.data()), tbl.body.size()));
}

bool Capture::observes(std::string_view, std::string_view table) const {
  // Once the transaction's mode is known to be off, nothing is wanted.
  if (txn_open_ && !effective_.on()) return false;
  return !excluded(table);
}

Result<Statement*> Capture::cached(ext::Session& session, const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return &it->second;
  auto st = session.prepare(sql);
  if (!st.ok()) return st.take_status();
  auto [pos, inserted] = statements_.emplace(sql, std::move(st).value());
  (void)inserted;
  return &pos->second;
}

Status Capture::run(ext::Session& session, const std::string& sql, std::span<const Value> params,
                    std::optional<Value>* first_value) {
  for (int attempt = 0;; attempt++) {
    auto st = cached(session, sql);
    if (!st.ok()) return st.take_status();
    Statement& s = **st;
    Status status;
    for (size_t i = 0; i < params.size() && status.ok(); i++)
      status = s.bind(static_cast<int>(i + 1), params[i]);
    if (status.ok()) {
      auto row = s.step();
      if (!row.ok()) {
        status = row.take_status();
      } else if (first_value) {
        *first_value = *row ? std::optional<Value>(s.column_value(0)) : std::nullopt;
      }
    }
    s.reset().ignore();
    if (status.ok()) return status;
    // A statement compiled before a schema change: compile it again once.
    statements_.erase(sql);
    if (attempt > 0 || rc::primary(status.code()) != rc::kSchema) return status;
  }
}

Status Capture::set_connection_config(ext::Session& session, std::optional<CaptureConfig> config) {
  if (config && config->on()) {
    auto version = ensure_cdc_table(session, config->table);
    if (!version.ok()) return version.take_status();
    conn_version_ = *version;
  } else {
    conn_version_.clear();
  }
  conn_config_ = std::move(config);
  txn_open_ = false;  // the next change reads the configuration again
  return Status::Ok();
}

Result<std::pair<CaptureConfig, std::string>> Capture::effective(ext::Session& session) {
  if (conn_config_) return std::make_pair(*conn_config_, conn_config_->on() ? conn_version_ : std::string());
  auto setting = read_database_setting(session);
  if (!setting.ok()) return setting.take_status();
  if (!*setting || !(*setting)->on()) return std::make_pair(CaptureConfig{}, std::string());
  auto version = read_cdc_version(session, (*setting)->table);
  if (!version.ok()) return version.take_status();
  return std::make_pair(**setting, version->value_or(std::string(kCurrentVersion)));
}

Status Capture::begin(ext::Session& session) {
  if (txn_open_) return Status::Ok();
  std::optional<Value> sv;
  KEEL_RETURN_IF_ERROR(run(session, "PRAGMA schema_version", {}, &sv));
  int64_t v = sv ? sv->as_int64() : -1;
  if (v != schema_version_) {
    forget_schema();
    schema_version_ = v;
    settings_checked_ = false;
  }
  if (conn_config_) {
    effective_ = *conn_config_;
    version_ = conn_version_;
  } else {
    // The database-wide setting. Whether its table exists can only change
    // with the schema; its row is read every transaction (cheap: one
    // prepared statement) so that connections follow a change at once.
    if (!settings_checked_) {
      std::optional<Value> found;
      KEEL_RETURN_IF_ERROR(
          run(session, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'keel_cdc_settings'", {},
              &found));
      settings_exist_ = found.has_value();
      settings_checked_ = true;
      db_table_.clear();
    }
    effective_ = CaptureConfig{};
    if (settings_exist_) {
      std::optional<Value> value;
      KEEL_RETURN_IF_ERROR(
          run(session, "SELECT mode || ',' || table_name FROM keel_cdc_settings WHERE id = 1", {}, &value));
      if (value) {
        auto config = parse_capture_value(value->as_text());
        if (!config.ok()) {
          return Status(rc::kCorrupt, "keel_cdc_settings holds an invalid setting: " +
                                          std::string(config.status().message()));
        }
        effective_ = *config;
      }
    }
    version_.clear();
    if (effective_.on()) {
      if (db_table_ != effective_.table) {
        // Once per table and schema: another connection may have dropped
        // the CDC table since the setting was made.
        auto version = ensure_cdc_table(session, effective_.table);
        if (!version.ok()) return version.take_status();
        db_table_ = effective_.table;
        db_version_ = *version;
      }
      version_ = db_version_;
    }
  }
  txn_open_ = true;
  return Status::Ok();
}

bool Capture::may_fail(std::string_view database, std::string_view table) const {
  if (!txn_open_) return true;
  if (!effective_.on() || excluded(table)) return false;
  if (is_schema_table(table)) return true;
  if (effective_.mode == Mode::kId) return false;
  if (is_last_shape(database, table)) return !last_shape_->defaults_loaded;
  auto it = shapes_.find(lower(database) + "." + lower(table));
  return it == shapes_.end() || !it->second.defaults_loaded;
}

Result<TableShape*> Capture::shape(ext::Session& session, std::string_view database, std::string_view table) {
  // Most changes in a row are of one table: compare with the last one
  // before building a key.
  if (is_last_shape(database, table)) return last_shape_;
  std::string key = lower(database) + "." + lower(table);
  auto it = shapes_.find(key);
  if (it == shapes_.end()) {
    auto loaded = load_table_shape(session, database, table);
    if (!loaded.ok()) return loaded.take_status();
    it = shapes_.emplace(key, std::move(loaded).value()).first;
    // Defaults now rather than at the first row that lacks a column, so
    // that later changes run no SQL (may_fail). A default that fails to
    // evaluate is left for the row that needs it to report.
    load_defaults(session, it->second).ignore();
  }
  last_shape_ = &it->second;
  last_shape_key_.assign(database);
  last_shape_key_ += '.';
  last_shape_key_ += table;
  return last_shape_;
}

Status Capture::image(ext::Session& session, TableShape& shape, std::span<const uint8_t> record,
                      int64_t rowid, std::vector<Field>& fields, std::vector<uint8_t>& out) {
  KEEL_RETURN_IF_ERROR(parse_record(record, fields));
  size_t n = shape.names.size();
  if (fields.size() > n) fields.resize(n);
  std::array<uint8_t, 8> storage;
  std::vector<std::array<uint8_t, 8>> pad_storage;
  if (fields.size() < n) {
    KEEL_RETURN_IF_ERROR(load_defaults(session, shape));
    pad_storage.resize(n - fields.size());
    for (size_t i = fields.size(), k = 0; i < n; i++, k++) {
      fields.push_back(value_field(shape.defaults[i], pad_storage[k]));
    }
  }
  if (shape.ipk >= 0 && static_cast<size_t>(shape.ipk) < fields.size() && fields[shape.ipk].type == 0) {
    fields[shape.ipk] = integer_field(rowid, storage);
  }
  // The fields point into `record`, `shape` or the local storage: re-point
  // them at `out`, which outlives this call.
  out.resize(put_record(fields, out, 0, fields.data()));  // shrinking: the fields stay valid
  return Status::Ok();
}

size_t Capture::log_index(const std::string& table, const std::string& version) {
  for (size_t i = 0; i < logs_.size(); i++) {
    if (logs_[i].table == table) return i;
  }
  logs_.push_back(TxnLog{table, version, 0, false});
  return logs_.size() - 1;
}

Status Capture::check_log(ext::Session& session, TxnLog& log) {
  if (!log.verify || log.txn_id == 0) {
    log.verify = false;
    return Status::Ok();
  }
  log.verify = false;
  std::optional<Value> found;
  Value params[] = {Value(log.txn_id)};
  KEEL_RETURN_IF_ERROR(run(session,
                           "SELECT 1 FROM " + quote_identifier(log.table) + " WHERE change_id >= ?1 LIMIT 1",
                           params, &found));
  if (!found) log.txn_id = 0;  // every row of the transaction was undone
  return Status::Ok();
}

void Capture::queue(const Row& row) {
  size_t log = log_index(effective_.table, version_);
  auto keep = [&](const std::vector<uint8_t>* b, Slice& slice) {
    if (!b) return;
    slice.offset = arena_.size();
    slice.size = b->size();
    slice.present = true;
    arena_.insert(arena_.end(), b->begin(), b->end());
  };
  Pending p;
  p.log = log;
  p.type = row.type;
  p.table = Slice{arena_.size(), row.table.size(), true};
  arena_.insert(arena_.end(), row.table.begin(), row.table.end());
  p.id = row.id;
  p.time = static_cast<int64_t>(std::time(nullptr));
  keep(row.before, p.before);
  keep(row.after, p.after);
  keep(row.updates, p.updates);
  pending_.push_back(std::move(p));
}

void Capture::discard_pending() {
  pending_.clear();
  arena_.clear();
  statement_rows_ = 0;
  statement_bytes_ = 0;
}

// Writes every queued row, in order, a run of rows per CDC table.
Status Capture::flush(ext::Session& session) {
  Status s;
  for (size_t i = 0; i < pending_.size() && s.ok();) {
    size_t j = i;
    while (j < pending_.size() && pending_[j].log == pending_[i].log) j++;
    s = write_rows(session, logs_[pending_[i].log], i, j);
    i = j;
  }
  discard_pending();
  return s;
}

Status Capture::write_rows(ext::Session& session, TxnLog& log, size_t from, size_t to) {
  Status s = write_rows_to(session, log, from, to);
  if (s.ok() || std::string_view(s.message()).substr(0, 14) != "no such table:") return s;
  // The CDC table was dropped while capture is on: create it again.
  auto version = ensure_cdc_table(session, log.table);
  if (!version.ok()) return version.take_status();
  log.version = *version;
  log.txn_id = 0;
  log.next_id = 0;
  appendable_.clear();
  if (conn_config_ && same_name(conn_config_->table, log.table)) conn_version_ = *version;
  if (same_name(effective_.table, log.table)) version_ = *version;
  return write_rows_to(session, log, from, to);
}

Status Capture::read_next_id(ext::Session& session, TxnLog& log) {
  // What AUTOINCREMENT hands out next: past both the recorded sequence and
  // the largest change_id (ORDER BY ... LIMIT 1 reads the last row where
  // max() would scan the table).
  std::optional<Value> next;
  Value name[] = {Value(log.table)};
  KEEL_RETURN_IF_ERROR(run(session,
                           "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0), "
                           "coalesce((SELECT change_id FROM " +
                               quote_identifier(log.table) + " ORDER BY change_id DESC LIMIT 1), 0)) + 1",
                           name, &next));
  log.next_id = next ? next->as_int64() : 1;
  if (log.txn_id == 0) {
    // The transaction's first row: its change_id is the transaction id.
    log.txn_id = log.next_id;
    log.first_pending = true;
  }
  return Status::Ok();
}

Result<bool> Capture::appendable(ext::Session& session, const std::string& table) {
  std::string key = lower(table);
  auto it = appendable_.find(key);
  if (it != appendable_.end()) return it->second;
  // Exactly the table ensure_cdc_table creates (so the row encoded below is
  // the one its INSERT stores), and no temp object of that name that SQL
  // would reach instead (a temp table, or a temp trigger on it).
  std::optional<Value> sql;
  Value name[] = {Value(table)};
  KEEL_RETURN_IF_ERROR(run(session,
                           "SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 "
                           "COLLATE NOCASE",
                           name, &sql));
  bool ok = false;
  if (sql && sql->type() == Type::kText) {
    std::string_view text = sql->text();
    std::string_view columns = kCdcTableColumns;
    ok = text.substr(0, 13) == "CREATE TABLE " && text.size() > columns.size() &&
         text.substr(text.size() - columns.size()) == columns;
  }
  if (ok) {
    std::optional<Value> temp;
    KEEL_RETURN_IF_ERROR(run(session,
                             "SELECT 1 FROM temp.sqlite_schema WHERE name = ?1 COLLATE NOCASE OR "
                             "tbl_name = ?1 COLLATE NOCASE",
                             name, &temp));
    ok = !temp.has_value();
  }
  appendable_.emplace(key, ok);
  return ok;
}

Status Capture::write_rows_to(ext::Session& session, TxnLog& log, size_t from, size_t to) {
  KEEL_RETURN_IF_ERROR(check_log(session, log));
  if (log.version != "v1") {
    auto appended = append_rows(session, log, from, to);
    if (!appended.ok()) return appended.take_status();
    if (*appended) return Status::Ok();
  }
  log.next_id = 0;  // AUTOINCREMENT picks the ids below
  return insert_rows(session, log, from, to, false);
}

Result<bool> Capture::append_rows(ext::Session& session, TxnLog& log, size_t from, size_t to) {
  auto ok = appendable(session, log.table);
  if (!ok.ok()) return ok.take_status();
  if (!*ok) return false;
  if (log.next_id == 0) KEEL_RETURN_IF_ERROR(read_next_id(session, log));
  if (to - from > 1) {
    // Every row but the last, encoded as the INSERT would store it:
    // (change_id, change_time, change_txn_id, change_type, table_name, id,
    // before, after, updates), change_id (the rowid) NULL in its slot.
    size_t end = 0;  // records_ is reused, not cleared: its bytes up to `end`
    record_rows_.clear();
    record_starts_.clear();
    std::array<std::array<uint8_t, 8>, 4> ints;
    auto blob = [&](const Slice& slice) {
      if (!slice.present) return Field{0, {}};
      return Field{12 + 2 * static_cast<uint64_t>(slice.size),
                   std::span<const uint8_t>(arena_.data() + slice.offset, slice.size)};
    };
    int64_t id = log.next_id;
    for (size_t i = from; i + 1 < to; i++) {
      const Pending& p = pending_[i];
      cdc_fields_.assign(9, Field{});
      cdc_fields_[1] = integer_field(p.time, ints[0]);
      cdc_fields_[2] = integer_field(log.txn_id, ints[1]);
      cdc_fields_[3] = integer_field(p.type, ints[2]);
      if (p.type != kCommit) {
        cdc_fields_[4] = Field{13 + 2 * static_cast<uint64_t>(p.table.size),
                               std::span<const uint8_t>(arena_.data() + p.table.offset, p.table.size)};
        cdc_fields_[5] = integer_field(p.id, ints[3]);
      }
      cdc_fields_[6] = blob(p.before);
      cdc_fields_[7] = blob(p.after);
      cdc_fields_[8] = blob(p.updates);
      record_starts_.push_back(end);
      end = put_record(cdc_fields_, records_, end);
      record_rows_.push_back(ext::RecordRow{id++, {}});
    }
    // The spans, now that records_ stops growing.
    record_starts_.push_back(end);
    for (size_t k = 0; k < record_rows_.size(); k++) {
      record_rows_[k].record = std::span<const uint8_t>(records_.data() + record_starts_[k],
                                                        record_starts_[k + 1] - record_starts_[k]);
    }
    auto written = session.append_records(log.table, record_rows_);
    if (!written.ok()) return written.take_status();
    if (!*written) {
      // The kernel refuses the table (an index or trigger was added, say):
      // INSERTs from now on, for this schema.
      appendable_[lower(log.table)] = false;
      return false;
    }
    log.next_id = id;
    log.first_pending = false;
  }
  // The last row through the INSERT: AUTOINCREMENT records its change_id
  // in sqlite_sequence as a row-by-row INSERT would have left it.
  KEEL_RETURN_IF_ERROR(insert_rows(session, log, to - 1, to, true));
  return true;
}

// Writes pending_[from, to) into the log's table with multi-row INSERTs of
// up to kChunk rows (a nested statement per chunk, not per row).
Status Capture::insert_rows(ext::Session& session, TxnLog& log, size_t from, size_t to, bool explicit_ids) {
  constexpr size_t kChunk = 16;
  bool v1 = log.version == "v1";  // Turso's first layout: no txn id, no COMMIT rows
  std::string target = quote_identifier(log.table);
  if (!v1 && log.txn_id == 0) {
    KEEL_RETURN_IF_ERROR(read_next_id(session, log));
    if (!explicit_ids) log.next_id = 0;
  }
  std::vector<Value> params;
  auto push_blob = [&](const Slice& slice) {
    if (!slice.present) {
      params.emplace_back();
    } else {
      params.push_back(Value::blob(std::span<const uint8_t>(arena_.data() + slice.offset, slice.size)));
    }
  };
  const size_t width = v1 ? 7 : 9;
  size_t i = from;
  while (i < to) {
    size_t n = std::min(kChunk, to - i);
    if (n < kChunk) n = n >= 4 ? 4 : 1;  // few statement shapes: 16, 4 and 1 rows
    params.clear();
    size_t rows = 0;
    for (; rows < n && i < to; i++) {
      const Pending& p = pending_[i];
      if (v1 && p.type == kCommit) continue;
      if (!v1) {
        // The first row of the transaction carries the id explicitly; the
        // others take the next AUTOINCREMENT values after it (or, with
        // explicit_ids, the ones handed out here).
        if (explicit_ids) {
          params.emplace_back(log.next_id++);
        } else if (log.first_pending) {
          params.emplace_back(log.txn_id);
        } else {
          params.emplace_back();
        }
        log.first_pending = false;
      }
      params.emplace_back(p.time);
      if (!v1) params.emplace_back(log.txn_id);
      params.emplace_back(static_cast<int64_t>(p.type));
      if (p.type == kCommit) {
        params.emplace_back();
        params.emplace_back();
      } else {
        params.emplace_back(
            std::string(reinterpret_cast<const char*>(arena_.data() + p.table.offset), p.table.size));
        params.emplace_back(p.id);
      }
      push_blob(p.before);
      push_blob(p.after);
      push_blob(p.updates);
      rows++;
    }
    if (rows == 0) continue;
    std::string sql = "INSERT INTO " + target +
                      (v1 ? " (change_time, change_type, table_name, id, before, after, updates) VALUES "
                          : " (change_id, change_time, change_txn_id, change_type, table_name, id, before, "
                            "after, updates) VALUES ");
    for (size_t r = 0; r < rows; r++) {
      sql += r ? ",(" : "(";
      for (size_t c = 0; c < width; c++) {
        if (c) sql += ',';
        sql += '?' + std::to_string(r * width + c + 1);
      }
      sql += ')';
    }
    KEEL_RETURN_IF_ERROR(run(session, sql, params));
  }
  return Status::Ok();
}

Status Capture::on_change(ext::Session& session, const ext::RowChange& change) {
  KEEL_RETURN_IF_ERROR(begin(session));
  if (!effective_.on() || excluded(change.table)) return Status::Ok();
  bool schema = is_schema_table(change.table);
  if (schema && schema_of_excluded(change)) {
    // DDL of a CDC table (an index, ALTER TABLE) may change how it is written.
    appendable_.clear();
    return Status::Ok();
  }
  const CaptureConfig& c = effective_;
  TableShape* tshape = nullptr;
  if (c.mode != Mode::kId) {
    auto s = shape(session, change.database, change.table);
    if (!s.ok()) return s.take_status();
    tshape = *s;
  }
  bool want_before = c.has_before() && !change.before.empty();
  bool want_after = c.has_after() && !change.after.empty();
  int64_t before_rowid = change.kind == ext::ChangeKind::kUpdate ? change.old_rowid : change.rowid;
  if (want_before)
    KEEL_RETURN_IF_ERROR(image(session, *tshape, change.before, before_rowid, before_fields_, before_));
  if (want_after)
    KEEL_RETURN_IF_ERROR(image(session, *tshape, change.after, change.rowid, after_fields_, after_));

  switch (change.kind) {
    case ext::ChangeKind::kInsert:
      queue(Row{1, change.table, change.rowid, nullptr, want_after ? &after_ : nullptr});
      break;
    case ext::ChangeKind::kDelete:
      queue(Row{-1, change.table, change.rowid, want_before ? &before_ : nullptr});
      break;
    case ext::ChangeKind::kUpdate:
      if (change.old_rowid != change.rowid) {
        // A new rowid: Turso records the move as a delete and an insert.
        queue(Row{-1, change.table, change.old_rowid, want_before ? &before_ : nullptr});
        queue(Row{1, change.table, change.rowid, nullptr, want_after ? &after_ : nullptr});
        break;
      }
      const std::vector<uint8_t>* updates = nullptr;
      if (c.has_updates() && want_before && want_after) {
        size_t n = after_fields_.size();
        update_fields_.assign(2 * n, Field{});
        for (size_t i = 0; i < n; i++) {
          bool changed = i >= before_fields_.size() || !same_field(before_fields_[i], after_fields_[i]);
          update_fields_[i] = Field{changed ? 9u : 8u, {}};
          if (changed) update_fields_[n + i] = after_fields_[i];
        }
        write_record(update_fields_, updates_);
        updates = &updates_;
      }
      queue(Row{0, change.table, change.rowid, want_before ? &before_ : nullptr,
                want_after ? &after_ : nullptr, updates});
      break;
  }
  // DDL: shapes read before it are stale.
  if (schema) forget_schema();
  return Status::Ok();
}

Status Capture::before_commit(ext::Session& session) {
  KEEL_RETURN_IF_ERROR(flush(session));
  for (size_t i = 0; i < logs_.size(); i++) {
    TxnLog& log = logs_[i];
    KEEL_RETURN_IF_ERROR(check_log(session, log));
    if (log.txn_id == 0 || log.version == "v1") continue;
    Pending commit;
    commit.log = i;
    commit.type = kCommit;
    commit.time = static_cast<int64_t>(std::time(nullptr));
    pending_.push_back(std::move(commit));
    Status s = write_rows(session, log, 0, pending_.size());
    discard_pending();
    KEEL_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

}  // namespace keel::cdc
