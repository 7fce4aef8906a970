// libFuzzer entry point over the storage fuzz harness: the input is a
// database file, optionally followed by a WAL (see split_fuzz_input). Build
// with clang and -DKEEL_FUZZ_LIBFUZZER=ON (plus -DKEEL_SANITIZE=ON for ASan
// and UBSan), then seed it with files from storage_fuzz_test's corpus, e.g.
//   fuzz_btree_file -max_len=300000 -timeout=30 corpus/
// A call that returns a result code bad input may not produce aborts, so
// libFuzzer records the input as a crash.
#include <cstdio>
#include <cstdlib>

#include "fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  keel::fuzz::HarnessOptions options;
  options.max_steps = 5000;
  keel::fuzz::FuzzReport r = keel::fuzz::run_case(keel::fuzz::split_fuzz_input(data, size), options);
  if (!r.violations.empty()) {
    for (const auto& v : r.violations) std::fprintf(stderr, "violation: %s\n", v.c_str());
    std::abort();
  }
  return 0;
}
