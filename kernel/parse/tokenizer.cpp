// The tokenizer: a transcription of SQLite 3.40's sqlite3GetToken (tokenize.c).
// Token boundaries and kinds must match SQLite exactly: error messages quote
// token text, and result-column names are cut at token boundaries.
#include "parse/token.h"

namespace keel::parse {
namespace {

inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_xdigit(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
// Characters a keyword is made of.
inline bool is_keyword_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Byte access that reads NUL past the end, as SQLite reads its terminator.
struct Text {
  const unsigned char* z;
  uint32_t n;
  unsigned char operator[](uint32_t i) const { return i < n ? z[i] : 0; }
};

// Returns the length of the token at t[0] and sets *kind.
uint32_t get_token(const Text& t, Tk* kind) {
  unsigned char c0 = t[0];
  uint32_t i;
  switch (c0) {
    case ' ':
    case '\t':
    case '\n':
    case '\f':
    case '\r':
      // The run continues over sqlite3Isspace() bytes, which include \v.
      for (i = 1; is_space(t[i]) || t[i] == '\v'; ++i) {
      }
      *kind = Tk::kSpace;
      return i;
    case '-':
      if (t[1] == '-') {
        for (i = 2; t[i] != 0 && t[i] != '\n'; ++i) {
        }
        *kind = Tk::kSpace;
        return i;
      }
      if (t[1] == '>') {
        *kind = Tk::kPtr;
        return 2 + (t[2] == '>');
      }
      *kind = Tk::kMinus;
      return 1;
    case '(':
      *kind = Tk::kLp;
      return 1;
    case ')':
      *kind = Tk::kRp;
      return 1;
    case ';':
      *kind = Tk::kSemi;
      return 1;
    case '+':
      *kind = Tk::kPlus;
      return 1;
    case '*':
      *kind = Tk::kStar;
      return 1;
    case '/': {
      if (t[1] != '*' || t[2] == 0) {
        *kind = Tk::kSlash;
        return 1;
      }
      unsigned char c = t[2];
      for (i = 3; (c != '*' || t[i] != '/') && (c = t[i]) != 0; ++i) {
      }
      if (c) ++i;
      *kind = Tk::kSpace;
      return i;
    }
    case '%':
      *kind = Tk::kRem;
      return 1;
    case '=':
      *kind = Tk::kEq;
      return 1 + (t[1] == '=');
    case '<':
      if (t[1] == '=') {
        *kind = Tk::kLe;
        return 2;
      } else if (t[1] == '>') {
        *kind = Tk::kNe;
        return 2;
      } else if (t[1] == '<') {
        *kind = Tk::kLShift;
        return 2;
      }
      *kind = Tk::kLt;
      return 1;
    case '>':
      if (t[1] == '=') {
        *kind = Tk::kGe;
        return 2;
      } else if (t[1] == '>') {
        *kind = Tk::kRShift;
        return 2;
      }
      *kind = Tk::kGt;
      return 1;
    case '!':
      if (t[1] != '=') {
        *kind = Tk::kIllegal;
        return 1;
      }
      *kind = Tk::kNe;
      return 2;
    case '|':
      if (t[1] != '|') {
        *kind = Tk::kBitOr;
        return 1;
      }
      *kind = Tk::kConcat;
      return 2;
    case ',':
      *kind = Tk::kComma;
      return 1;
    case '&':
      *kind = Tk::kBitAnd;
      return 1;
    case '~':
      *kind = Tk::kBitNot;
      return 1;
    case '`':
    case '\'':
    case '"': {
      unsigned char delim = c0, c = 0;
      for (i = 1; (c = t[i]) != 0; ++i) {
        if (c == delim) {
          if (t[i + 1] == delim) {
            ++i;
          } else {
            break;
          }
        }
      }
      if (c == '\'') {
        *kind = Tk::kString;
        return i + 1;
      } else if (c != 0) {
        *kind = Tk::kId;
        return i + 1;
      }
      *kind = Tk::kIllegal;
      return i;
    }
    case '.':
      if (!is_digit(t[1])) {
        *kind = Tk::kDot;
        return 1;
      }
      [[fallthrough]];
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      *kind = Tk::kInteger;
      if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && is_xdigit(t[2])) {
        for (i = 3; is_xdigit(t[i]); ++i) {
        }
        return i;
      }
      for (i = 0; is_digit(t[i]); ++i) {
      }
      if (t[i] == '.') {
        ++i;
        while (is_digit(t[i])) ++i;
        *kind = Tk::kFloat;
      }
      if ((t[i] == 'e' || t[i] == 'E') &&
          (is_digit(t[i + 1]) || ((t[i + 1] == '+' || t[i + 1] == '-') && is_digit(t[i + 2])))) {
        i += 2;
        while (is_digit(t[i])) ++i;
        *kind = Tk::kFloat;
      }
      while (is_id_char(t[i])) {
        *kind = Tk::kIllegal;
        ++i;
      }
      return i;
    }
    case '[': {
      unsigned char c = c0;
      for (i = 1; c != ']' && (c = t[i]) != 0; ++i) {
      }
      *kind = c == ']' ? Tk::kId : Tk::kIllegal;
      return i;
    }
    case '?':
      *kind = Tk::kVariable;
      for (i = 1; is_digit(t[i]); ++i) {
      }
      return i;
    case '$':
    case '@':
    case ':':
    case '#': {
      int n = 0;
      unsigned char c;
      *kind = Tk::kVariable;
      for (i = 1; (c = t[i]) != 0; ++i) {
        if (is_id_char(c)) {
          ++n;
        } else if (c == '(' && n > 0) {
          do {
            ++i;
          } while ((c = t[i]) != 0 && !is_space(c) && c != ')');
          if (c == ')') {
            ++i;
          } else {
            *kind = Tk::kIllegal;
          }
          break;
        } else if (c == ':' && t[i + 1] == ':') {
          ++i;
        } else {
          break;
        }
      }
      if (n == 0) *kind = Tk::kIllegal;
      return i;
    }
    case 'x':
    case 'X':
      if (t[1] == '\'') {
        *kind = Tk::kBlob;
        for (i = 2; is_xdigit(t[i]); ++i) {
        }
        if (t[i] != '\'' || i % 2) {
          *kind = Tk::kIllegal;
          while (t[i] && t[i] != '\'') ++i;
        }
        if (t[i]) ++i;
        return i;
      }
      i = 1;
      break;
    case 0xef:
      if (t[1] == 0xbb && t[2] == 0xbf) {
        *kind = Tk::kSpace;
        return 3;
      }
      i = 1;
      break;
    case 0:
      *kind = Tk::kEof;
      return 0;
    default:
      if (is_keyword_char(c0)) {
        for (i = 1; is_keyword_char(t[i]); ++i) {
        }
        if (is_id_char(t[i])) {
          ++i;
          break;
        }
        *kind = keyword_kind(std::string_view(reinterpret_cast<const char*>(t.z), i));
        return i;
      }
      if (!is_id_char(c0)) {
        *kind = Tk::kIllegal;
        return 1;
      }
      i = 1;
      break;
  }
  while (is_id_char(t[i])) ++i;
  *kind = Tk::kId;
  return i;
}

}  // namespace

Token next_token(std::string_view sql, uint32_t pos) {
  Token tok;
  tok.offset = pos;
  if (pos >= sql.size()) {
    tok.kind = Tk::kEof;
    return tok;
  }
  Text t{reinterpret_cast<const unsigned char*>(sql.data()) + pos, static_cast<uint32_t>(sql.size() - pos)};
  tok.length = get_token(t, &tok.kind);
  return tok;
}

}  // namespace keel::parse
