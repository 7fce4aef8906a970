#include "vm/value.h"

#include <gtest/gtest.h>

namespace keel::vm {
namespace {

TEST(Value, Basics) {
  Value v = Value::integer(5);
  EXPECT_TRUE(v.is_int());
  v.set_text("hello");
  EXPECT_EQ(v.text(), "hello");
}

}  // namespace
}  // namespace keel::vm
