// Tokenizer tests: token kinds and lengths as SQLite's sqlite3GetToken, the
// keyword table against sqlite3_keyword_name(), and fallback identifiers.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "parse/token.h"

namespace keel::parse {
namespace {

std::vector<std::pair<Tk, std::string>> lex(std::string_view sql) {
  std::vector<std::pair<Tk, std::string>> out;
  uint32_t pos = 0;
  for (;;) {
    Token t = next_token(sql, pos);
    if (t.kind == Tk::kEof) break;
    if (t.kind != Tk::kSpace) out.emplace_back(t.kind, std::string(sql.substr(t.offset, t.length)));
    pos += t.length;
  }
  return out;
}

TEST(Tokenizer, Kinds) {
  auto t = lex(
      "SELECT a1, \"b c\", [d], `e`, 'f''g', x'0A', 12, 1.5, .5e3, 1e-2, 0x1f, ?, ?12, :n, @n, $a::b(c), #x");
  std::vector<Tk> kinds;
  for (auto& p : t) kinds.push_back(p.first);
  EXPECT_EQ(kinds,
            (std::vector<Tk>{Tk::kSelect, Tk::kId,       Tk::kComma, Tk::kId,       Tk::kComma, Tk::kId,
                             Tk::kComma,  Tk::kId,       Tk::kComma, Tk::kString,   Tk::kComma, Tk::kBlob,
                             Tk::kComma,  Tk::kInteger,  Tk::kComma, Tk::kFloat,    Tk::kComma, Tk::kFloat,
                             Tk::kComma,  Tk::kFloat,    Tk::kComma, Tk::kInteger,  Tk::kComma, Tk::kVariable,
                             Tk::kComma,  Tk::kVariable, Tk::kComma, Tk::kVariable, Tk::kComma, Tk::kVariable,
                             Tk::kComma,  Tk::kVariable, Tk::kComma, Tk::kVariable}));
  EXPECT_EQ(t[31].second, "$a::b(c)");
}

TEST(Tokenizer, Operators) {
  auto t = lex("a->b->>c||d==e<>f!=g<<h>>i<=j>=k<l>m=n|o&p~q%r/s*t+u-v");
  std::vector<Tk> ops;
  for (size_t i = 1; i < t.size(); i += 2) ops.push_back(t[i].first);
  EXPECT_EQ(ops, (std::vector<Tk>{Tk::kPtr,    Tk::kPtr,    Tk::kConcat, Tk::kEq,     Tk::kNe,  Tk::kNe,
                                  Tk::kLShift, Tk::kRShift, Tk::kLe,     Tk::kGe,     Tk::kLt,  Tk::kGt,
                                  Tk::kEq,     Tk::kBitOr,  Tk::kBitAnd, Tk::kBitNot, Tk::kRem, Tk::kSlash,
                                  Tk::kStar,   Tk::kPlus,   Tk::kMinus}));
  EXPECT_EQ(t[3].second, "->>");
}

TEST(Tokenizer, IllegalTokens) {
  struct {
    const char* sql;
    const char* token;
  } cases[] = {{"'abc", "'abc"},     {"\"abc", "\"abc"}, {"[abc", "[abc"}, {"x'4g'", "x'4g'"},
               {"x'abc'", "x'abc'"}, {"1e", "1e"},       {"0x", "0x"},     {"12a", "12a"},
               {"!", "!"},           {"$", "$"},         {":", ":"},       {"$a(b", "$a(b"},
               {"\\", "\\"}};
  for (auto& c : cases) {
    Token t = next_token(c.sql, 0);
    EXPECT_EQ(t.kind, Tk::kIllegal) << c.sql;
    EXPECT_EQ(std::string(c.sql).substr(0, t.length), c.token) << c.sql;
  }
}

TEST(Tokenizer, CommentsAndSpace) {
  auto t = lex("-- x\nSELECT/* y */1/**/ /* unterminated");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].second, "1");
  EXPECT_EQ(next_token("/*", 0).kind, Tk::kSlash);
  // \v continues a run of white space but cannot start one (as in SQLite).
  EXPECT_EQ(next_token(" \v1", 0).length, 2u);
  EXPECT_EQ(next_token("\v1", 0).kind, Tk::kIllegal);
  EXPECT_EQ(next_token("\xEF\xBB\xBFSELECT", 0).kind, Tk::kSpace);
  // An embedded NUL ends the input, as for SQLite.
  std::string with_nul("SELECT\0 1", 9);
  EXPECT_EQ(next_token(with_nul, 6).kind, Tk::kEof);
}

TEST(Keywords, MatchSqliteTable) {
  ASSERT_EQ(keyword_count(), sqlite3_keyword_count());
  for (int i = 0; i < sqlite3_keyword_count(); ++i) {
    const char* name;
    int n;
    sqlite3_keyword_name(i, &name, &n);
    std::string word(name, n);
    EXPECT_NE(keyword_kind(word), Tk::kId) << word;
    std::string lower = word;
    for (char& c : lower) c = static_cast<char>(tolower(c));
    EXPECT_EQ(keyword_kind(lower), keyword_kind(word));
  }
  EXPECT_EQ(keyword_kind("selects"), Tk::kId);
  EXPECT_EQ(keyword_kind("TEMPORARY"), Tk::kTemp);
  EXPECT_EQ(keyword_kind("regexp"), Tk::kLikeKw);
  EXPECT_TRUE(can_fallback_to_id(Tk::kKey));
  EXPECT_TRUE(can_fallback_to_id(Tk::kReplace));
  EXPECT_FALSE(can_fallback_to_id(Tk::kReturning));
  EXPECT_FALSE(can_fallback_to_id(Tk::kSelect));
}

}  // namespace
}  // namespace keel::parse
