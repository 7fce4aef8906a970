// The layouts sqlite3 uses for EXPLAIN and EXPLAIN QUERY PLAN whatever the
// current mode (".explain auto"):
//   EXPLAIN              fixed-width columns, loop bodies indented by two
//                        spaces per level (found from Next/Prev/Goto jumps)
//   EXPLAIN QUERY PLAN   "QUERY PLAN" and a tree drawn with |-- and `--
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "shell/output_mode.h"

namespace keel::shell {
namespace {

bool in_list(const char* op, std::initializer_list<const char*> names) {
  if (op == nullptr) return false;
  for (const char* n : names) {
    if (std::strcmp(op, n) == 0) return true;
  }
  return false;
}

// Indentation of each program row: the rows a backward jump loops over.
std::vector<int> explain_indents(sqlite3_stmt* stmt) {
  std::vector<int> indent;
  std::vector<bool> yield;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    int iop = static_cast<int>(indent.size());
    int addr = sqlite3_column_int(stmt, 0);
    const char* op = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    int p2 = sqlite3_column_int(stmt, 3);
    int p2op = p2 + (iop - addr);
    yield.push_back(in_list(op, {"Yield", "SeekLT", "SeekGT", "RowSetRead", "Rewind"}));
    indent.push_back(0);
    if (in_list(op, {"Next", "Prev", "VPrev", "VNext", "SorterNext"}) && p2op > 0) {
      for (int i = p2op; i < iop; i++) indent[i] += 2;
    }
    if (in_list(op, {"Goto"}) && p2op >= 0 && p2op < static_cast<int>(indent.size()) &&
        (yield[p2op] || sqlite3_column_int(stmt, 2))) {
      for (int i = p2op; i < iop; i++) indent[i] += 2;
    }
  }
  sqlite3_reset(stmt);
  return indent;
}

struct PlanRow {
  int id;
  int parent;
  std::string text;
};

void render_level(const std::vector<PlanRow>& rows, int parent, std::string& prefix, std::string& out) {
  std::vector<const PlanRow*> kids;
  for (const auto& r : rows) {
    if (r.parent == parent) kids.push_back(&r);
  }
  for (size_t k = 0; k < kids.size(); k++) {
    bool more = k + 1 < kids.size();
    out += prefix + (more ? "|--" : "`--") + kids[k]->text + "\n";
    if (prefix.size() < 93) {
      size_t n = prefix.size();
      prefix += more ? "|  " : "   ";
      render_level(rows, kids[k]->id, prefix, out);
      prefix.resize(n);
    }
  }
}

}  // namespace

int print_explain(sqlite3_stmt* stmt, const OutputSettings& s, FILE* out) {
  static const int kWidths[] = {4, 13, 4, 4, 4, 13, 2, 13};
  int ncol = sqlite3_column_count(stmt);
  if (ncol != 8) return print_rows(stmt, s.mode, s, out, nullptr);
  std::vector<int> indent = explain_indents(stmt);
  int rc;
  size_t row = 0;
  std::string line;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    line.clear();
    if (row == 0) {
      for (int i = 0; i < ncol; i++) {
        append_padded(line, sqlite3_column_name(stmt, i), kWidths[i]);
        line += i == ncol - 1 ? "\n" : "  ";
      }
      for (int i = 0; i < ncol; i++) {
        line.append(kWidths[i], '-');
        line += i == ncol - 1 ? "\n" : "  ";
      }
    }
    for (int i = 0; i < ncol; i++) {
      const char* sep = "  ";
      int w = i == ncol - 1 ? 0 : kWidths[i];
      const char* v = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      if (v && utf8_chars(v) > w) {
        w = utf8_chars(v);
        sep = " ";
      }
      if (i == 1 && row < indent.size()) line.append(indent[row], ' ');
      append_padded(line, v ? v : s.null_value.c_str(), w);
      line += i == ncol - 1 ? "\n" : sep;
    }
    std::fwrite(line.data(), 1, line.size(), out);
    row++;
  }
  return rc;
}

int print_query_plan(sqlite3_stmt* stmt, FILE* out) {
  std::vector<PlanRow> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char* d = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    rows.push_back({sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1), d ? d : ""});
  }
  if (rows.empty()) return rc;
  std::string text;
  if (rows[0].text[0] == '-') {
    // A leading "--" row is a scan-status heading; printed alone.
    if (rows.size() == 1) return rc;
    text += rows[0].text.substr(3) + "\n";
    rows.erase(rows.begin());
  } else {
    text += "QUERY PLAN\n";
  }
  std::string prefix;
  render_level(rows, 0, prefix, text);
  std::fwrite(text.data(), 1, text.size(), out);
  return rc;
}

}  // namespace keel::shell
