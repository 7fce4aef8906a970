// Test helpers for the b-tree layer: a minimal SQLite record encoder and
// decoder, a record comparator (BINARY collation, ascending), and a scratch
// database opener.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "storage/btree/btree.h"
#include "storage/pager/pager.h"

// ASSERT that an expression returning keel::Status is OK.
#define ASSERT_OK(expr)                                        \
  do {                                                         \
    ::keel::Status st_ = (expr);                               \
    ASSERT_TRUE(st_.ok()) << #expr << ": " << st_.to_string(); \
  } while (0)

namespace keel::storage::testing {

// Deterministic pseudo-random payload of `size` bytes for `key`.
std::vector<uint8_t> payload_for(int64_t key, uint32_t size);
// The current entry's whole payload.
std::vector<uint8_t> read_all(BtCursor& c);
// integrity_check over roots reports nothing.
void expect_integrity_ok(Btree& bt, std::vector<PageNo> roots);
// Full scans forwards and backwards, and count(), equal the model.
void expect_table_matches(Btree& bt, PageNo root, const std::map<int64_t, std::vector<uint8_t>>& model);

struct Blob {
  std::vector<uint8_t> bytes;
  bool operator==(const Blob&) const = default;
};
// NULL, integer, real, text, blob.
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;
using Row = std::vector<Value>;

std::vector<uint8_t> encode_record(const Row& row);
// Returns false on a malformed record.
bool decode_record(const uint8_t* p, size_t n, Row* row);
std::string row_to_string(const Row& row);

// SQLite's ordering of values (NULL < numbers < text < blob; BINARY text).
int compare_values(const Value& a, const Value& b);

// Orders records field by field; a record that is a prefix of another
// compares equal to it (as SQLite's default_rc = 0).
class RecordOrder final : public KeyOrder {
 public:
  int compare_keys(const uint8_t* a, size_t na, const uint8_t* b, size_t nb) const override;
};

// Probe over a decoded record. default_rc is returned when the stored key
// matches every probe field (-1: land after equal prefixes... as SQLite's
// UnpackedRecord.default_rc).
class RecordProbe final : public KeyComparator {
 public:
  explicit RecordProbe(Row probe, int default_rc = 0) : probe_(std::move(probe)), rc_(default_rc) {}
  int compare(const uint8_t* key, size_t size) const override;

 private:
  Row probe_;
  int rc_;
};

// A database file under a fresh temporary directory.
struct TestDb {
  std::string dir;
  std::string path;
  std::unique_ptr<Pager> pager;
  std::unique_ptr<Btree> btree;

  // Creates (or reopens, keep_file) the file with the given page size.
  static std::unique_ptr<TestDb> create(const std::string& name, uint32_t page_size = 4096);
  Status reopen();
  void close();
  ~TestDb();
};

std::string temp_dir();
// Runs a shell command, returns its stdout.
std::string run(const std::string& cmd);
// Roots of every tree named in sqlite_schema, plus 1.
std::vector<PageNo> schema_roots(Btree& bt);

}  // namespace keel::storage::testing
