// A test fixture owning a scratch directory with one database path in it:
// its URI with parameters, and the raw bytes of the file or a companion
// ("-journal", "-wal").
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace keel::crypto::testing {

class ScratchDatabase : public ::testing::Test {
 protected:
  explicit ScratchDatabase(const char* file) : file_(file) {}

  void SetUp() override {
    char tmpl[] = "/tmp/keel_crypto_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/" + file_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string uri(const std::string& params) const { return "file:" + path_ + "?" + params; }
  std::string bytes(const std::string& suffix = "") const {
    std::ifstream f(path_ + suffix, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  std::string file_, dir_, path_;
};

}  // namespace keel::crypto::testing
