// Test support: libsqlite3 as the oracle, and generators of random values
// that stress SQLite's conversion rules (numeric-looking text, edge integers,
// awkward doubles).
#pragma once

#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "vm/value.h"

namespace keel::vm::testing {

// Soak knobs: KEEL_TEST_SCALE multiplies the number of generated cases,
// KEEL_TEST_SEED shifts every generator's seed (both default to the fixed,
// quick configuration run by ctest).
inline int scaled(int n) {
  const char* s = std::getenv("KEEL_TEST_SCALE");
  int k = s ? std::atoi(s) : 1;
  return n * (k > 0 ? k : 1);
}
inline uint64_t seed_offset() {
  const char* s = std::getenv("KEEL_TEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 0;
}

class Oracle {
 public:
  Oracle() { sqlite3_open(":memory:", &db_); }
  ~Oracle() {
    for (auto& [sql, st] : stmts_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  sqlite3* db() { return db_; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql + ": " + msg);
    }
  }

  // A cached, reset statement.
  sqlite3_stmt* stmt(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    stmts_[sql] = st;
    return st;
  }

  static void bind(sqlite3_stmt* st, int idx, const Value& v) {
    switch (v.type()) {
      case ValueType::kNull:
        sqlite3_bind_null(st, idx);
        break;
      case ValueType::kInteger:
        sqlite3_bind_int64(st, idx, v.int_value());
        break;
      case ValueType::kReal:
        sqlite3_bind_double(st, idx, v.real_value());
        break;
      case ValueType::kText:
        sqlite3_bind_text(st, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        break;
      case ValueType::kBlob:
        if (v.is_zeroblob()) {
          sqlite3_bind_zeroblob(st, idx, static_cast<int>(v.size()));
        } else {
          sqlite3_bind_blob(st, idx, v.size() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
        }
        break;
    }
  }

  static Value column(sqlite3_stmt* st, int i) {
    switch (sqlite3_column_type(st, i)) {
      case SQLITE_INTEGER:
        return Value::integer(sqlite3_column_int64(st, i));
      case SQLITE_FLOAT: {
        Value v;
        v.set_real(sqlite3_column_double(st, i));
        return v;
      }
      case SQLITE_TEXT: {
        const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        return Value::text(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st, i))));
      }
      case SQLITE_BLOB: {
        const uint8_t* p = static_cast<const uint8_t*>(sqlite3_column_blob(st, i));
        size_t n = static_cast<size_t>(sqlite3_column_bytes(st, i));
        return Value::blob(std::span<const uint8_t>(p, n));
      }
      default:
        return Value();
    }
  }

  // Runs a one-row query with the given parameters and returns its columns.
  std::vector<Value> query(const std::string& sql, const std::vector<Value>& params) {
    sqlite3_stmt* st = stmt(sql);
    for (size_t i = 0; i < params.size(); i++) bind(st, static_cast<int>(i + 1), params[i]);
    std::vector<Value> out;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); i++) out.push_back(column(st, i));
    } else if (rc != SQLITE_DONE) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    sqlite3_reset(st);
    return out;
  }

  Value query1(const std::string& sql, const std::vector<Value>& params) {
    auto r = query(sql, params);
    return r.empty() ? Value() : r[0];
  }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> stmts_;
};

// Same type and the same value (doubles bit for bit, text/blob bytes).
inline bool same_value(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::kNull:
      return true;
    case ValueType::kInteger:
      return a.int_value() == b.int_value();
    case ValueType::kReal: {
      double x = a.real_value(), y = b.real_value();
      return std::memcmp(&x, &y, sizeof(x)) == 0;
    }
    default:
      if (a.size() != b.size()) return false;
      if (a.is_zeroblob() || b.is_zeroblob()) {
        Value x = a, y = b;
        x.expand_zeroblob();
        y.expand_zeroblob();
        return x.text() == y.text();
      }
      return a.text() == b.text();
  }
}

inline std::string show(const Value& v) {
  std::string s = std::string(type_name(v.type())) + ":" + v.debug_string();
  if (v.is_real()) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), " (%.17g)", v.real_value());
    s += buf;
  }
  return s;
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed + seed_offset() * 1000003) {}
  std::mt19937_64& rng() { return rng_; }

  uint64_t u64() { return rng_(); }
  int range(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int pct) { return range(0, 99) < pct; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(range(0, static_cast<int>(v.size()) - 1))];
  }

  int64_t integer() {
    static const std::vector<int64_t> kEdges = {0,
                                                1,
                                                -1,
                                                2,
                                                127,
                                                128,
                                                -128,
                                                -129,
                                                255,
                                                256,
                                                32767,
                                                32768,
                                                -32768,
                                                -32769,
                                                8388607,
                                                8388608,
                                                -8388608,
                                                -8388609,
                                                2147483647,
                                                2147483648LL,
                                                -2147483648LL,
                                                -2147483649LL,
                                                140737488355327LL,
                                                140737488355328LL,
                                                -140737488355328LL,
                                                -140737488355329LL,
                                                2251799813685247LL,
                                                2251799813685248LL,
                                                -2251799813685248LL,
                                                9007199254740992LL,
                                                9007199254740993LL,
                                                -9007199254740993LL,
                                                INT64_MAX,
                                                INT64_MAX - 1,
                                                INT64_MIN,
                                                INT64_MIN + 1,
                                                1000000000000000000LL,
                                                4611686018427387904LL,
                                                -4611686018427387904LL,
                                                3037000499LL,
                                                3037000500LL};
    switch (range(0, 4)) {
      case 0:
        return pick(kEdges);
      case 1:
        return range(-300, 300);
      case 2:
        return static_cast<int64_t>(u64());
      case 3:
        return static_cast<int64_t>(u64()) >> range(0, 63);
      default:
        return static_cast<int64_t>(static_cast<uint64_t>(pick(kEdges)) +
                                    static_cast<uint64_t>(range(-3, 3)));
    }
  }

  double real() {
    switch (range(0, 9)) {
      case 0: {  // random bit pattern (no NaN)
        while (true) {
          uint64_t b = u64();
          double d;
          std::memcpy(&d, &b, 8);
          if (!std::isnan(d)) return d;
        }
      }
      case 1:
        return static_cast<double>(integer());
      case 2:
        return static_cast<double>(range(-100000, 100000)) / std::pow(10.0, range(0, 8));
      case 3: {
        static const std::vector<double> kEdges = {0.0,
                                                   -0.0,
                                                   0.1,
                                                   0.5,
                                                   1.0,
                                                   -1.0,
                                                   1e15,
                                                   1e16,
                                                   1e17,
                                                   1e20,
                                                   1e21,
                                                   1e-4,
                                                   1e-5,
                                                   9.2233720368547758e18,
                                                   -9.2233720368547758e18,
                                                   9.223372036854775e18,
                                                   1.7976931348623157e308,
                                                   2.2250738585072014e-308,
                                                   4.9e-324,
                                                   HUGE_VAL,
                                                   -HUGE_VAL,
                                                   123456789012345678.0,
                                                   0.3,
                                                   2.675,
                                                   1.005,
                                                   99999999999999.99,
                                                   999999999999999.9,
                                                   0.1 + 0.2,
                                                   1.0 / 3,
                                                   2.0 / 3,
                                                   4503599627370496.5,
                                                   9007199254740993.0};
        return pick(kEdges);
      }
      case 4:
        return std::ldexp(static_cast<double>(u64() >> 11), range(-1074, 971) - 53);
      case 5:
        return (range(0, 1) ? 1 : -1) * std::pow(10.0, range(-320, 308)) * (1 + range(0, 9) / 10.0);
      case 6:
        return static_cast<double>(range(-1000, 1000)) + 0.5;
      case 7:
        return std::nextafter(static_cast<double>(integer()), range(0, 1) ? HUGE_VAL : -HUGE_VAL);
      default: {
        std::uniform_real_distribution<double> d(-1e6, 1e6);
        return d(rng_);
      }
    }
  }

  std::string digits(int n) {
    std::string s;
    for (int i = 0; i < n; i++) s += static_cast<char>('0' + range(0, 9));
    return s;
  }

  std::string spaces() {
    static const std::vector<std::string> kSp = {"", "", "", " ", "  ", "\t", "\n", " \r\n", "\v", "\f"};
    return pick(kSp);
  }

  // Text designed to sit on the edges of "is this a number".
  std::string numeric_text() {
    std::string s = spaces();
    int r = range(0, 9);
    if (r == 0) s += "-";
    if (r == 1) s += "+";
    if (r == 2) s += "--";
    if (range(0, 5) == 0) s += std::string(static_cast<size_t>(range(1, 4)), '0');
    int nd = range(0, 4) == 0 ? range(15, 40) : range(0, 6);
    s += digits(nd);
    if (chance(40)) {
      s += ".";
      s += digits(range(0, 4) == 0 ? range(10, 30) : range(0, 5));
    }
    if (chance(25)) {
      s += range(0, 1) ? "e" : "E";
      int sg = range(0, 3);
      if (sg == 1) s += "-";
      if (sg == 2) s += "+";
      int ed = range(0, 5);
      if (ed == 4) {
        s += digits(range(3, 6));
      } else {
        s += digits(ed);
      }
    }
    if (chance(20)) {
      static const std::vector<std::string> kTail = {"abc",
                                                     "x",
                                                     ".",
                                                     "e",
                                                     "1",
                                                     " 1",
                                                     "-",
                                                     "0x",
                                                     "\x01",
                                                     ",5",
                                                     std::string("\0", 1),
                                                     std::string("\0"
                                                                 "5",
                                                                 2)};
      s += pick(kTail);
    }
    s += spaces();
    if (chance(5)) {
      static const std::vector<std::string> kSpecial = {"0x10",
                                                        "0X1F",
                                                        "  0x",
                                                        "inf",
                                                        "-inf",
                                                        "Infinity",
                                                        "NaN",
                                                        "1e308",
                                                        "1e309",
                                                        "-1e309",
                                                        "1e-400",
                                                        "9223372036854775807",
                                                        "9223372036854775808",
                                                        "-9223372036854775808",
                                                        "-9223372036854775809",
                                                        "18446744073709551616",
                                                        "1.",
                                                        ".5",
                                                        ".",
                                                        "-.5e1",
                                                        "e5",
                                                        "",
                                                        " ",
                                                        "0.0",
                                                        "-0",
                                                        "-0.0",
                                                        "00000000000000000000001",
                                                        "1e5",
                                                        "12abc",
                                                        "  12  ",
                                                        "3.0",
                                                        "1e-5",
                                                        "2.5e+3x",
                                                        "4.9e-324",
                                                        "2.2250738585072014e-308",
                                                        "1.7976931348623157e308",
                                                        "123456789012345678901234567890"};
      return pick(kSpecial);
    }
    return s;
  }

  std::string random_text(int max_len) {
    std::string s;
    int n = range(0, max_len);
    static const char kChars[] = "aAbBzZ019 _-.'\"%\\éü";
    for (int i = 0; i < n; i++) {
      if (chance(5)) {
        s += static_cast<char>(range(0, 255));
      } else {
        s += kChars[range(0, static_cast<int>(sizeof(kChars)) - 2)];
      }
    }
    return s;
  }

  Value value() {
    switch (range(0, 11)) {
      case 0:
        return Value();
      case 1:
      case 2:
        return Value::integer(integer());
      case 3:
      case 4:
        return Value::real(real());
      case 5:
      case 6:
      case 7:
        return Value::text(numeric_text());
      case 8:
        return Value::text(random_text(12));
      case 9: {
        std::string s = chance(50) ? numeric_text() : random_text(10);
        return Value::blob(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
      }
      case 10:
        return Value::zeroblob(range(0, 4));
      default: {
        NumberText t;
        Value n = chance(50) ? Value::integer(integer()) : Value::real(real());
        return Value::text(std::string(spaces()) + std::string(n.as_text(t)) + spaces());
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace keel::vm::testing
