// FaultVfs: see fault_vfs.h for the contract and the durability rule.
//
// How durability is tracked. For each file (by path) the VFS keeps an undo
// log of the writes and truncates made since its last sync: each entry holds
// the bytes it overwrote and the size before it. Undoing the log backwards
// yields the durable image exactly; the log also holds the new bytes, which
// is what a torn cut re-applies. Directory state is a small machine per path:
//
//   exists  entry_durable  meaning at a power cut
//   yes     yes            keep, revert contents to the durable image
//   yes     no             created since the last directory sync: remove it
//                          (and bring back `ghost` if a durable file of that
//                          name had been deleted before)
//   no      no             deleted since the last directory sync: bring back
//                          `ghost` (its durable image) if it had one
//   no      yes            durably absent
#include "os/fault_vfs.h"

#include <algorithm>
#include <cstring>

namespace keel::os {

int default_fault_code(FaultOp op) {
  switch (op) {
    case FaultOp::kRead:
      return rc::kIoErrRead;
    case FaultOp::kWrite:
      return rc::kIoErrWrite;
    case FaultOp::kSync:
      return rc::kIoErrFsync;
    case FaultOp::kTruncate:
      return rc::kIoErrTruncate;
    case FaultOp::kOpen:
      return rc::kCantOpen;
  }
  return rc::kIoErr;
}

namespace {

constexpr uint64_t kSector = 512;

std::string dir_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

struct FaultVfs::FileState {
  struct Op {
    bool is_write = true;
    uint64_t offset = 0;    // write: where; truncate: the new size
    uint64_t old_size = 0;  // file size before the op
    std::string old_bytes;  // bytes the op destroyed (write: overwritten; truncate: cut off)
    std::string new_bytes;  // write only
  };
  bool exists = false;
  bool entry_durable = true;
  bool ghost_valid = false;
  std::string ghost;
  std::vector<Op> unsynced;

  // Applies the undo log, newest first, to an in-memory copy of the file.
  void undo_in_memory(std::string& bytes) const {
    for (auto it = unsynced.rbegin(); it != unsynced.rend(); ++it) {
      if (it->is_write) {
        if (bytes.size() < it->offset + it->old_bytes.size()) bytes.resize(it->offset + it->old_bytes.size());
        std::memcpy(bytes.data() + it->offset, it->old_bytes.data(), it->old_bytes.size());
        bytes.resize(it->old_size);
      } else {
        bytes.resize(it->old_size);
        if (!it->old_bytes.empty())
          std::memcpy(bytes.data() + it->offset, it->old_bytes.data(), it->old_bytes.size());
      }
    }
  }
};

// --- FaultFile ----------------------------------------------------------------

class FaultFile final : public VfsFile {
 public:
  FaultFile(FaultVfs* vfs, std::unique_ptr<VfsFile> base, std::shared_ptr<FaultVfs::FileState> state,
            std::string path, FileKind kind, uint64_t generation)
      : vfs_(vfs),
        base_(std::move(base)),
        state_(std::move(state)),
        path_(std::move(path)),
        kind_(kind),
        gen_(generation) {}

  Status read(void* buf, size_t n, uint64_t offset) override {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    if (dead()) return dead_status(rc::kIoErrRead);
    if (int code = vfs_->tick_locked(FaultOp::kRead, kind_)) {
      std::memset(buf, 0, n);
      return Status(code);
    }
    return base_->read(buf, n, offset);
  }

  Status write(const void* buf, size_t n, uint64_t offset) override {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    if (dead()) return dead_status(rc::kIoErrWrite);
    if (int code = vfs_->tick_locked(FaultOp::kWrite, kind_)) return Status(code);
    if (state_) {
      FaultVfs::FileState::Op op;
      op.is_write = true;
      op.offset = offset;
      KEEL_ASSIGN_OR_RETURN(op.old_size, base_->size());
      if (offset < op.old_size) {
        op.old_bytes.resize(std::min<uint64_t>(n, op.old_size - offset));
        KEEL_RETURN_IF_ERROR(base_->read(op.old_bytes.data(), op.old_bytes.size(), offset));
      }
      op.new_bytes.assign(static_cast<const char*>(buf), n);
      state_->unsynced.push_back(std::move(op));
    }
    return base_->write(buf, n, offset);
  }

  Status truncate(uint64_t size) override {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    if (dead()) return dead_status(rc::kIoErrTruncate);
    if (int code = vfs_->tick_locked(FaultOp::kTruncate, kind_)) return Status(code);
    if (state_) {
      FaultVfs::FileState::Op op;
      op.is_write = false;
      op.offset = size;
      KEEL_ASSIGN_OR_RETURN(op.old_size, base_->size());
      if (size < op.old_size) {
        op.old_bytes.resize(op.old_size - size);
        KEEL_RETURN_IF_ERROR(base_->read(op.old_bytes.data(), op.old_bytes.size(), size));
      }
      state_->unsynced.push_back(std::move(op));
    }
    return base_->truncate(size);
  }

  Status sync(SyncFlags flags) override {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    if (dead()) return dead_status(rc::kIoErrFsync);
    if (int code = vfs_->tick_locked(FaultOp::kSync, kind_)) return Status(code);
    KEEL_RETURN_IF_ERROR(base_->sync(flags));
    if (state_) {
      // fsync covers the inode, whichever handle wrote.
      state_->unsynced.clear();
      if (state_->exists && !state_->entry_durable) vfs_->sync_directory_locked(dir_of(path_));
    }
    return Status::Ok();
  }

  Result<uint64_t> size() override {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    if (dead()) return dead_status(rc::kIoErrFstat);
    return base_->size();
  }

  Status lock(LockLevel level) override {
    if (is_dead()) return dead_status(rc::kIoErrLock);
    return base_->lock(level);
  }
  Status unlock(LockLevel level) override { return base_->unlock(level); }
  Result<bool> check_reserved_lock() override {
    if (is_dead()) return dead_status(rc::kIoErrCheckReservedLock);
    return base_->check_reserved_lock();
  }
  LockLevel lock_level() const override { return base_->lock_level(); }

  Status shm_map(int region, bool extend, volatile void** out) override {
    if (is_dead()) {
      *out = nullptr;
      return dead_status(rc::kIoErrShmMap);
    }
    return base_->shm_map(region, extend, out);
  }
  Status shm_lock(int offset, int n, int flags) override {
    if (is_dead() && !(flags & kShmUnlock)) return dead_status(rc::kIoErrShmLock);
    return base_->shm_lock(offset, n, flags);
  }
  void shm_barrier() override { base_->shm_barrier(); }
  Status shm_unmap(bool delete_file) override { return base_->shm_unmap(delete_file); }

  int sector_size() const override { return base_->sector_size(); }
  int device_characteristics() const override { return base_->device_characteristics(); }
  bool opened_read_only() const override { return base_->opened_read_only(); }

 private:
  bool dead() const { return gen_ != vfs_->generation_; }  // requires vfs_->mu_
  bool is_dead() const {
    std::lock_guard<std::mutex> guard(vfs_->mu_);
    return dead();
  }
  static Status dead_status(int code) { return Status(code, "file handle predates a simulated power cut"); }

  FaultVfs* vfs_;
  std::unique_ptr<VfsFile> base_;
  std::shared_ptr<FaultVfs::FileState> state_;  // null: not tracked
  std::string path_;
  FileKind kind_;
  uint64_t gen_;
};

// --- FaultVfs -------------------------------------------------------------------

FaultVfs::FaultVfs(Vfs& base, uint64_t seed) : base_(base) { set_seed(seed); }

FaultVfs::~FaultVfs() = default;

void FaultVfs::fail_nth(FaultOp op, uint64_t n, bool persistent, int code) {
  FaultSpec spec;
  spec.op = op;
  spec.n = n;
  spec.persistent = persistent;
  spec.code = code;
  inject(spec);
}

void FaultVfs::inject(const FaultSpec& spec) {
  assert(spec.n >= 1);
  std::lock_guard<std::mutex> guard(mu_);
  Fault& f = faults_[static_cast<size_t>(spec.op)];
  f.armed = true;
  f.spec = spec;
  f.spec.n = std::max<uint64_t>(spec.n, 1);
  if (f.spec.code == 0) f.spec.code = default_fault_code(spec.op);
  f.seen = 0;
  f.firing = false;
}

void FaultVfs::clear_faults() {
  std::lock_guard<std::mutex> guard(mu_);
  faults_ = {};
}

uint64_t FaultVfs::count(FaultOp op) const {
  std::lock_guard<std::mutex> guard(mu_);
  return counts_[static_cast<size_t>(op)];
}

uint64_t FaultVfs::injected(FaultOp op) const {
  std::lock_guard<std::mutex> guard(mu_);
  return injected_[static_cast<size_t>(op)];
}

int FaultVfs::tick_locked(FaultOp op, FileKind kind) {
  auto i = static_cast<size_t>(op);
  ++counts_[i];
  Fault& f = faults_[i];
  if (!f.armed || (f.spec.only_kind && *f.spec.only_kind != kind)) return 0;
  if (f.firing || ++f.seen == f.spec.n) {
    if (f.spec.persistent) {
      f.firing = true;
    } else {
      f.armed = false;
    }
    injected_[i]++;
    return f.spec.code;
  }
  return 0;
}

void FaultVfs::set_seed(uint64_t seed) {
  std::lock_guard<std::mutex> guard(mu_);
  rng_state_ = seed;
}

uint64_t FaultVfs::next_random_locked() {
  // splitmix64: tiny, and the same sequence on every platform.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::shared_ptr<FaultVfs::FileState> FaultVfs::state_locked(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  auto state = std::make_shared<FileState>();
  files_.emplace(path, state);
  return state;
}

void FaultVfs::sync_directory_locked(const std::string& dir) {
  for (auto& [path, state] : files_) {
    if (dir_of(path) != dir) continue;
    state->entry_durable = true;
    state->ghost_valid = false;
    state->ghost.clear();
  }
}

Result<std::unique_ptr<VfsFile>> FaultVfs::open(std::string_view path, const OpenFlags& flags) {
  std::lock_guard<std::mutex> guard(mu_);
  if (int code = tick_locked(FaultOp::kOpen, flags.kind)) return Status(code);
  bool tracked = !path.empty() && !flags.delete_on_close;
  if (!tracked) {
    KEEL_ASSIGN_OR_RETURN(auto file, base_.open(path, flags));
    return std::unique_ptr<VfsFile>(
        new FaultFile(this, std::move(file), nullptr, std::string(path), flags.kind, generation_));
  }
  KEEL_ASSIGN_OR_RETURN(std::string full, base_.full_pathname(path));
  // Open without create first to learn whether this call creates the file.
  OpenFlags no_create = flags;
  no_create.create = false;
  no_create.exclusive = false;
  auto existing = base_.open(path, no_create);
  std::unique_ptr<VfsFile> file;
  bool created = false;
  if (existing.ok()) {
    if (flags.create && flags.exclusive) return Status(rc::kCantOpen);
    file = std::move(existing).value();
  } else {
    if (!flags.create) return existing.take_status();
    KEEL_ASSIGN_OR_RETURN(file, base_.open(path, flags));
    created = true;
  }
  auto state = state_locked(full);
  if (created) {
    state->exists = true;
    state->unsynced.clear();
    if (state->entry_durable) {
      // The name was durably absent: its creation is pending a directory sync.
      state->entry_durable = false;
      state->ghost_valid = false;
      state->ghost.clear();
    }
    // Otherwise the name was deleted since the last directory sync; keep the
    // ghost so that a power cut brings the old file back.
  } else if (!state->exists) {
    // A file this VFS has not seen yet (or recreated behind its back): it is
    // durable as found.
    state->exists = true;
    state->entry_durable = true;
    state->ghost_valid = false;
    state->ghost.clear();
    state->unsynced.clear();
  }
  return std::unique_ptr<VfsFile>(
      new FaultFile(this, std::move(file), state, std::move(full), flags.kind, generation_));
}

Status FaultVfs::remove(std::string_view path, bool sync_dir) {
  std::lock_guard<std::mutex> guard(mu_);
  KEEL_ASSIGN_OR_RETURN(std::string full, base_.full_pathname(path));
  auto it = files_.find(full);
  // An untracked file is a durable one, as found.
  bool durable_file = it == files_.end() || (it->second->exists && it->second->entry_durable);
  std::string image;
  bool have_image = false;
  if (durable_file) {
    // Deleting a durable file: keep its durable image until the directory is
    // synced, for a power cut to bring back.
    OpenFlags ro;
    ro.read_only = true;
    auto file = base_.open(path, ro);
    if (file.ok()) {
      KEEL_ASSIGN_OR_RETURN(uint64_t size, (*file)->size());
      image.resize(size);
      KEEL_RETURN_IF_ERROR((*file)->read(image.data(), image.size(), 0));
      if (it != files_.end()) it->second->undo_in_memory(image);
      have_image = true;
    }
  }
  KEEL_RETURN_IF_ERROR(base_.remove(path, sync_dir));
  // Handles still open on the removed file keep its old FileState, now
  // detached: whatever they write can no longer reach this name.
  auto fresh = std::make_shared<FileState>();
  if (it != files_.end()) {
    it->second->exists = false;
    it->second->entry_durable = true;
    it->second->unsynced.clear();
    if (!durable_file) {
      // Created since the last directory sync: any older ghost (a durable
      // file of this name deleted before) still applies.
      fresh->ghost = std::move(it->second->ghost);
      fresh->ghost_valid = it->second->ghost_valid;
    }
  }
  if (durable_file) {
    fresh->ghost = std::move(image);
    fresh->ghost_valid = have_image;
  }
  fresh->exists = false;
  fresh->entry_durable = false;
  files_[full] = fresh;
  if (sync_dir) sync_directory_locked(dir_of(full));
  return Status::Ok();
}

uint64_t FaultVfs::unsynced_bytes() const {
  std::lock_guard<std::mutex> guard(mu_);
  uint64_t total = 0;
  for (const auto& [path, state] : files_) {
    for (const auto& op : state->unsynced) total += op.new_bytes.size();
  }
  return total;
}

Status FaultVfs::power_cut(bool tear) {
  std::lock_guard<std::mutex> guard(mu_);
  generation_++;
  Status first_error;
  auto note = [&first_error](Status st) {
    if (!st.ok() && first_error.ok()) first_error = std::move(st);
  };
  OpenFlags rw;
  OpenFlags create;
  create.create = true;
  auto write_image = [&](const std::string& path, const std::string& bytes) {
    auto file = base_.open(path, create);
    if (!file.ok()) return note(file.take_status());
    note((*file)->truncate(0));
    if (!bytes.empty()) note((*file)->write(bytes.data(), bytes.size(), 0));
    note((*file)->sync(SyncFlags::kFull));
  };

  for (auto& [path, state] : files_) {
    if (state->exists && state->entry_durable) {
      auto opened = base_.open(path, rw);
      if (!opened.ok()) {
        note(opened.take_status());
      } else {
        VfsFile& f = **opened;
        // Revert: undo the log, newest first.
        for (auto it = state->unsynced.rbegin(); it != state->unsynced.rend(); ++it) {
          if (it->is_write) {
            if (!it->old_bytes.empty()) note(f.write(it->old_bytes.data(), it->old_bytes.size(), it->offset));
            note(f.truncate(it->old_size));
          } else {
            note(f.truncate(it->old_size));
            if (!it->old_bytes.empty()) note(f.write(it->old_bytes.data(), it->old_bytes.size(), it->offset));
          }
        }
        // Tear: some of the lost sectors made it to the platter after all.
        if (tear) {
          for (const auto& op : state->unsynced) {
            if (!op.is_write) {
              if (next_random_locked() & 1) note(f.truncate(op.offset));
              continue;
            }
            uint64_t end = op.offset + op.new_bytes.size();
            for (uint64_t pos = op.offset; pos < end;) {
              uint64_t piece_end = std::min(end, (pos / kSector + 1) * kSector);
              if (next_random_locked() & 1) {
                note(f.write(op.new_bytes.data() + (pos - op.offset), piece_end - pos, pos));
              }
              pos = piece_end;
            }
          }
        }
        note(f.sync(SyncFlags::kFull));
      }
    } else if (state->exists) {
      // Created after the last directory sync: the entry never hit the disk.
      note(base_.remove(path, false));
      if (state->ghost_valid) write_image(path, state->ghost);
    } else if (!state->entry_durable && state->ghost_valid) {
      write_image(path, state->ghost);  // a deletion that was never durable
    }
    state->exists = state->entry_durable ? state->exists : state->ghost_valid;
    state->entry_durable = true;
    state->ghost_valid = false;
    state->ghost.clear();
    state->unsynced.clear();
  }
  return first_error;
}

}  // namespace keel::os
