// .parameter: named values bound to the parameters (?NNN, :name, @name,
// $name) of every statement the shell runs. sqlite3 keeps them in a table
// temp.sqlite_parameters; Keel reserves sqlite_* names, so the shell keeps
// them itself, with the same commands and the same listing:
//   .parameter init | list | set NAME VALUE | unset NAME | clear
// VALUE is an SQL literal (or expression); anything that does not parse as
// one is taken as text. Unset parameters are bound to NULL once any
// parameter has been defined.
#include <cstring>

#include "shell/shell.h"

namespace keel::shell {

void Shell::clear_parameters() {
  for (auto& [name, value] : params_) sqlite3_value_free(value);
  params_.clear();
  params_active_ = false;
}

void Shell::bind_parameters(sqlite3_stmt* stmt) {
  int n = sqlite3_bind_parameter_count(stmt);
  if (n == 0 || !params_active_) return;
  for (int i = 1; i <= n; i++) {
    const char* name = sqlite3_bind_parameter_name(stmt, i);
    std::string key = name ? name : "?" + std::to_string(i);
    auto it = params_.find(key);
    if (it != params_.end()) {
      sqlite3_bind_value(stmt, i, it->second);
    } else {
      sqlite3_bind_null(stmt, i);
    }
  }
}

int Shell::cmd_parameter(const std::vector<std::string>& args) {
  const size_t n = args.size();
  const std::string sub = n >= 2 ? args[1] : "";
  if (n == 2 && sub == "clear") {
    clear_parameters();
    return 0;
  }
  if (n == 2 && sub == "init") {
    params_active_ = true;
    return 0;
  }
  if (n == 2 && sub == "list") {
    size_t width = 0;
    for (const auto& [name, value] : params_) width = std::max(width, name.size());
    if (width > 40) width = 40;
    sqlite3_stmt* quote = nullptr;
    if (!params_.empty() && sqlite3_prepare_v2(db_, "SELECT quote(?1)", -1, &quote, nullptr) == SQLITE_OK) {
      for (const auto& [name, value] : params_) {
        sqlite3_bind_value(quote, 1, value);
        if (sqlite3_step(quote) == SQLITE_ROW) {
          std::fprintf(out_file_, "%-*s %s\n", static_cast<int>(width), name.c_str(),
                       reinterpret_cast<const char*>(sqlite3_column_text(quote, 0)));
        }
        sqlite3_reset(quote);
      }
    }
    sqlite3_finalize(quote);
    return 0;
  }
  if (n == 4 && sub == "set") {
    params_active_ = true;
    // The value as an SQL expression, else as a text string.
    sqlite3_stmt* eval = nullptr;
    std::string sql = "SELECT " + args[3];
    sqlite3_value* value = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &eval, &tail) == SQLITE_OK && eval != nullptr &&
        (tail == nullptr || *tail == 0) && sqlite3_step(eval) == SQLITE_ROW) {
      value = sqlite3_value_dup(sqlite3_column_value(eval, 0));
    }
    sqlite3_finalize(eval);
    if (value == nullptr) {
      if (sqlite3_prepare_v2(db_, "SELECT ?1", -1, &eval, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(eval, 1, args[3].c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(eval) == SQLITE_ROW) value = sqlite3_value_dup(sqlite3_column_value(eval, 0));
      }
      sqlite3_finalize(eval);
    }
    if (value == nullptr) {
      std::fprintf(out_file_, "Error: %s\n", sqlite3_errmsg(db_));
      return 1;
    }
    auto it = params_.find(args[2]);
    if (it != params_.end()) {
      sqlite3_value_free(it->second);
      it->second = value;
    } else {
      params_.emplace(args[2], value);
    }
    return 0;
  }
  if (n == 3 && sub == "unset") {
    auto it = params_.find(args[2]);
    if (it != params_.end()) {
      sqlite3_value_free(it->second);
      params_.erase(it);
    }
    return 0;
  }
  cmd_help({"help", "parameter"});
  return 0;
}

}  // namespace keel::shell
