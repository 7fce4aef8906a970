// A fixture that runs a test against both the unix and the memory VFS.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "os/os_test_util.h"
#include "os/vfs.h"

namespace keel::os::testing {

enum class VfsKind { kUnix, kMemory };

inline std::string vfs_kind_name(const ::testing::TestParamInfo<VfsKind>& info) {
  return info.param == VfsKind::kUnix ? "unix" : "memory";
}

class VfsTest : public ::testing::TestWithParam<VfsKind> {
 protected:
  Vfs& vfs() { return GetParam() == VfsKind::kUnix ? default_vfs() : memory_vfs(); }

  // A path unique to this test, in the temp dir (unix) or the memory namespace.
  std::string path(const std::string& name) {
    if (GetParam() == VfsKind::kUnix) return dir_.file(name);
    static std::atomic<int> counter{0};
    return "mem-" + std::to_string(counter++) + "-" + name;
  }

  std::unique_ptr<VfsFile> open_rw(const std::string& p, FileKind kind = FileKind::kMainDb) {
    OpenFlags flags;
    flags.create = true;
    flags.kind = kind;
    auto r = vfs().open(p, flags);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  TempDir dir_;
};

}  // namespace keel::os::testing
