// The fuzzer's seed corpus: valid database files written by the sqlite3 CLI
// at test time, covering the layouts the storage layer must read — page sizes
// 512/1024/4096/65536, many-row tables, rows over 100 KB (overflow chains),
// several indexes, WITHOUT ROWID tables, auto_vacuum FULL and INCREMENTAL
// (pointer-map pages), freelists of several trunk pages after deletes and
// drops, and WAL-mode files whose -wal holds uncheckpointed commits (copied
// while the writing CLI still has the database open, so it is not
// checkpointed away on close), and a file with a hot rollback journal (copied
// mid-transaction after a small cache spilled changes into the database).
//
// The scripts use no randomness, so the corpus is the same on every run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace keel::fuzz {

struct Seed {
  std::string name;
  std::vector<uint8_t> db;
  std::vector<uint8_t> wal;      // empty unless a WAL-mode seed
  std::vector<uint8_t> journal;  // empty unless a hot-journal seed
};

// Builds every seed under a fresh temporary directory (removed afterwards).
// On failure returns an empty vector and sets *error.
std::vector<Seed> build_seed_corpus(std::string* error);

// The corpus, built once per process; empty (with *error set) on failure.
const std::vector<Seed>& seed_corpus(std::string* error);

// The seed with this name, or nullptr.
const Seed* find_seed(const std::string& name);

}  // namespace keel::fuzz
