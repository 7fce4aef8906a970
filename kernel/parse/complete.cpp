// is_complete(): sqlite3_complete() from SQLite's complete.c.
//
// A small automaton over a coarse tokenization decides whether the text ends
// a statement. The only subtlety is CREATE [TEMP] TRIGGER, whose body holds
// ';'-terminated statements and is only closed by "END;".
#include "parse/parser.h"
#include "parse/token.h"

namespace keel::parse {
namespace {

enum TokenClass : int { kSemi = 0, kWs, kOther, kExplain, kCreate, kTemp, kTrigger, kEnd };

// States: 0 INVALID, 1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE, 5 TRIGGER, 6 SEMI, 7 END.
constexpr unsigned char kTrans[8][8] = {
    /*           SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END */
    /* INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
    /* START   */ {1, 1, 2, 3, 4, 2, 2, 2},
    /* NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
    /* EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
    /* CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
    /* TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
    /* SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
    /* END     */ {1, 7, 5, 5, 5, 5, 5, 5},
};

bool ieq(const char* z, size_t n, const char* word) {
  for (size_t i = 0; i < n; ++i) {
    char c = z[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i] || word[i] == 0) return false;
  }
  return word[n] == 0;
}

}  // namespace

bool is_complete(std::string_view sql) {
  int state = 0;
  size_t i = 0, n = sql.size();
  auto at = [&](size_t k) -> char { return k < n ? sql[k] : '\0'; };
  while (i < n && sql[i] != 0) {
    int token;
    char c = sql[i];
    switch (c) {
      case ';':
        token = kSemi;
        break;
      case ' ':
      case '\r':
      case '\t':
      case '\n':
      case '\f':
        token = kWs;
        break;
      case '/':
        if (at(i + 1) != '*') {
          token = kOther;
          break;
        }
        i += 2;
        while (i < n && sql[i] != 0 && (sql[i] != '*' || at(i + 1) != '/')) ++i;
        if (i >= n || sql[i] == 0) return false;
        ++i;
        token = kWs;
        break;
      case '-':
        if (at(i + 1) != '-') {
          token = kOther;
          break;
        }
        while (i < n && sql[i] != 0 && sql[i] != '\n') ++i;
        if (i >= n || sql[i] == 0) return state == 1;
        token = kWs;
        break;
      case '[':
        ++i;
        while (i < n && sql[i] != 0 && sql[i] != ']') ++i;
        if (i >= n || sql[i] == 0) return false;
        token = kOther;
        break;
      case '`':
      case '"':
      case '\'': {
        ++i;
        while (i < n && sql[i] != 0 && sql[i] != c) ++i;
        if (i >= n || sql[i] == 0) return false;
        token = kOther;
        break;
      }
      default:
        if (is_id_char(static_cast<unsigned char>(c))) {
          size_t len = 1;
          while (is_id_char(static_cast<unsigned char>(at(i + len)))) ++len;
          const char* z = sql.data() + i;
          token = kOther;
          if (c == 'c' || c == 'C') {
            if (ieq(z, len, "create")) token = kCreate;
          } else if (c == 't' || c == 'T') {
            if (ieq(z, len, "trigger")) {
              token = kTrigger;
            } else if (ieq(z, len, "temp") || ieq(z, len, "temporary")) {
              token = kTemp;
            }
          } else if (c == 'e' || c == 'E') {
            if (ieq(z, len, "end")) {
              token = kEnd;
            } else if (ieq(z, len, "explain")) {
              token = kExplain;
            }
          }
          i += len - 1;
        } else {
          token = kOther;
        }
        break;
    }
    state = kTrans[state][token];
    ++i;
  }
  return state == 1;
}

}  // namespace keel::parse
