// Value storage semantics: ownership, borrowing, buffer reuse, copies and
// moves, zero-blobs.
#include "vm/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

namespace keel::vm {
namespace {

TEST(Value, TypesAndAccessors) {
  Value v;
  EXPECT_TRUE(v.is_null());
  v.set_int(-5);
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(v.int_value(), -5);
  v.set_real(2.5);
  EXPECT_TRUE(v.is_real());
  EXPECT_EQ(v.real_value(), 2.5);
  v.set_real(std::nan(""));
  EXPECT_TRUE(v.is_null());
  v.set_text("hello");
  EXPECT_TRUE(v.is_text());
  EXPECT_EQ(v.text(), "hello");
  EXPECT_EQ(v.data()[5], '\0');  // owned text is NUL-terminated
  EXPECT_FALSE(v.is_borrowed());
  EXPECT_EQ(type_name(v.type()), "text");
  EXPECT_EQ(static_cast<int>(ValueType::kNull), 5);  // SQLITE_NULL
}

TEST(Value, BorrowedStaysBorrowedUntilMadeOwned) {
  std::string page = "abcdefghijklmnopqrstuvwxyz0123456789";
  Value v = Value::text_ref(std::string_view(page).substr(3, 4));
  EXPECT_TRUE(v.is_borrowed());
  EXPECT_EQ(v.data(), page.data() + 3);
  Value copy = v;  // copies of borrowed values borrow too
  EXPECT_TRUE(copy.is_borrowed());
  copy.make_owned();
  EXPECT_FALSE(copy.is_borrowed());
  page[3] = 'X';
  EXPECT_EQ(copy.text(), "defg");
  EXPECT_EQ(v.text(), "Xefg");
  Value deep;
  deep.copy_from(v);
  EXPECT_FALSE(deep.is_borrowed());
  EXPECT_EQ(deep.text(), "Xefg");
}

TEST(Value, HeapBufferIsReusedAcrossAssignments) {
  Value reg;
  std::string big(1000, 'x');
  reg.set_text(big);
  const char* buf = reg.data();
  size_t cap = reg.heap_capacity();
  EXPECT_GE(cap, 1001u);
  for (int row = 0; row < 100; row++) {
    reg.set_int(row);
    std::string s(static_cast<size_t>(500 + row), static_cast<char>('a' + row % 26));
    reg.set_text(s);
    EXPECT_EQ(reg.data(), buf);  // same buffer, no allocation
    EXPECT_EQ(reg.heap_capacity(), cap);
    EXPECT_EQ(reg.text(), s);
  }
  reg.set_text("short");  // fits inline; heap buffer kept for later rows
  EXPECT_NE(reg.data(), buf);
  EXPECT_EQ(reg.heap_capacity(), cap);
  reg.set_text(big);
  EXPECT_EQ(reg.data(), buf);
}

TEST(Value, MovesAndCopiesOfInlineAndHeapText) {
  Value a = Value::text("inline");
  Value b = std::move(a);
  EXPECT_EQ(b.text(), "inline");
  EXPECT_TRUE(a.is_null());
  std::string big(100, 'q');
  Value c = Value::text(big);
  const char* p = c.data();
  Value d = std::move(c);
  EXPECT_EQ(d.data(), p);  // heap buffer stolen
  Value e = d;
  EXPECT_NE(e.data(), p);
  EXPECT_EQ(e.text(), big);
  e = b;
  EXPECT_EQ(e.text(), "inline");
  e = e;
  EXPECT_EQ(e.text(), "inline");
}

TEST(Value, SelfAliasingAssignment) {
  Value v = Value::text("hello world, this is longer than inline");
  v.set_text(v.text().substr(6, 5));
  EXPECT_EQ(v.text(), "world");
  Value w = Value::text("abcdef");
  w.set_text(w.text().substr(2));
  EXPECT_EQ(w.text(), "cdef");
  w.copy_from(w);
  EXPECT_EQ(w.text(), "cdef");
}

TEST(Value, ZeroBlob) {
  Value z = Value::zeroblob(4);
  EXPECT_TRUE(z.is_blob());
  EXPECT_TRUE(z.is_zeroblob());
  EXPECT_EQ(z.size(), 4u);
  EXPECT_TRUE(z.blob().empty());
  EXPECT_EQ(z.debug_string(), "x'00000000'");
  z.expand_zeroblob();
  EXPECT_FALSE(z.is_zeroblob());
  ASSERT_EQ(z.blob().size(), 4u);
  EXPECT_EQ(z.blob()[3], 0);
  Value neg = Value::zeroblob(-3);
  EXPECT_EQ(neg.size(), 0u);
}

TEST(Value, PrepareAndTruncate) {
  Value v;
  char* p = v.prepare_text(5);
  std::memcpy(p, "abcde", 5);
  EXPECT_EQ(v.text(), "abcde");
  v.truncate(2);
  EXPECT_EQ(v.text(), "ab");
  EXPECT_EQ(v.data()[2], '\0');
  uint8_t* b = v.prepare_blob(3);
  b[0] = 1;
  b[1] = 2;
  b[2] = 3;
  EXPECT_TRUE(v.is_blob());
  EXPECT_EQ(v.debug_string(), "x'010203'");
  v.retype_bytes(ValueType::kText);
  EXPECT_TRUE(v.is_text());
}

TEST(Value, Subtype) {
  Value v = Value::text("{}");
  v.set_subtype(74);
  EXPECT_EQ(v.subtype(), 74);
  Value c = v;
  EXPECT_EQ(c.subtype(), 74);
  v.set_text("x");
  EXPECT_EQ(v.subtype(), 0);
}

TEST(Value, ConversionsLeaveValueAlone) {
  Value v = Value::text("  12abc");
  EXPECT_EQ(v.as_int64(), 12);
  EXPECT_EQ(v.as_double(), 12.0);
  EXPECT_TRUE(v.is_text());
  Value r = Value::real(1e100);
  EXPECT_EQ(r.as_int64(), INT64_MAX);
  NumberText t;
  EXPECT_EQ(r.as_text(t), "1.0e+100");
  r.stringify();
  EXPECT_TRUE(r.is_text());
  EXPECT_EQ(r.text(), "1.0e+100");
  EXPECT_EQ(Value::integer(-3).debug_string(), "-3");
  EXPECT_EQ(Value::text("it's").debug_string(), "'it''s'");
}

}  // namespace
}  // namespace keel::vm
