#include "keel/status.hpp"

#include <gtest/gtest.h>

namespace keel {
namespace {

Result<int> half(int x) {
  if (x % 2) return Status(rc::kMismatch, "odd");
  return x / 2;
}

Status quarter(int x, int* out) {
  KEEL_ASSIGN_OR_RETURN(int h, half(x));
  KEEL_ASSIGN_OR_RETURN(*out, half(h));
  return Status::Ok();
}

TEST(Status, OkAndCodes) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), rc::kOk);
  Status busy(rc::kBusySnapshot, "stale");
  EXPECT_FALSE(busy.ok());
  EXPECT_EQ(busy.primary(), rc::kBusy);
  EXPECT_TRUE(busy.is(rc::kBusy));
  EXPECT_EQ(busy.message(), "stale");
  Status copy = busy;
  EXPECT_EQ(copy.code(), rc::kBusySnapshot);
  EXPECT_EQ(Status(rc::kCorrupt).message(), "database disk image is malformed");
}

TEST(Status, ResultPropagation) {
  int out = 0;
  EXPECT_TRUE(quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = quarter(6, &out);
  EXPECT_EQ(s.code(), rc::kMismatch);
  EXPECT_EQ(s.message(), "odd");
}

}  // namespace
}  // namespace keel
