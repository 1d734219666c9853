// Env: the seam between gamelake and the operating system's files and clock.
//
// Everything that touches the disk or reads the time goes through an Env, so
// tests can substitute one that injects faults (failed writes, lost unsynced
// data, a full disk) or a clock they control. Env::Default() is the real POSIX
// implementation. Paths are plain strings; errors name the path and the errno.
//
// Thread-safety: Env methods are safe to call concurrently. A WritableFile or
// RandomAccessFile object must be used by one thread at a time.
#ifndef GAMELAKE_COMMON_ENV_H_
#define GAMELAKE_COMMON_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// A file written sequentially. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, including what was appended but not yet synced.
  virtual uint64_t Size() const = 0;
};

// A file read at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns how many were read
  // (fewer than n only at the end of the file).
  virtual Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never null; never destroyed.
  static Env* Default();

  // Creates (or truncates) the file at path for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file and appends to its end.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  // Reads the whole file into memory.
  virtual Result<std::string> ReadFile(const std::string& path);
  // Writes data to path through a temporary file, syncs it, renames it into
  // place and syncs the directory: after OK, path holds data across a crash.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data);

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of dir, without "." and "..", sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates dir and any missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from` (rename(2)). Not durable until SyncDir.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes an existing file's contents durable (fsync), e.g. one a library
  // wrote by itself. The default opens the file with POSIX and fsyncs it.
  virtual Status SyncFile(const std::string& path);
  // Makes the directory's entries (creates, renames, removes) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Bytes free for an unprivileged writer on the file system holding path.
  virtual Result<uint64_t> FreeDiskBytes(const std::string& path) = 0;

  // Microseconds since the Unix epoch (wall clock, UTC).
  virtual int64_t NowMicros() = 0;
  // Microseconds from an arbitrary start; never goes backwards.
  virtual int64_t MonotonicMicros() = 0;
};

// An Env that forwards every call to another (as LevelDB's EnvWrapper): a
// test Env derives from it and overrides only what it changes, e.g. the clock
// or a failure to inject. ReadFile and WriteFileAtomic are not forwarded:
// they run Env's versions, built on this Env's own (overridable) calls.
// `target` must outlive the wrapper.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return target_->NewWritableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return target_->NewAppendableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  Result<uint64_t> GetFileSize(const std::string& path) override {
    return target_->GetFileSize(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return target_->ListDir(dir);
  }
  Status CreateDirs(const std::string& dir) override { return target_->CreateDirs(dir); }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Status RemoveDir(const std::string& dir) override { return target_->RemoveDir(dir); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return target_->TruncateFile(path, size);
  }
  Status SyncFile(const std::string& path) override { return target_->SyncFile(path); }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  Result<uint64_t> FreeDiskBytes(const std::string& path) override {
    return target_->FreeDiskBytes(path);
  }
  int64_t NowMicros() override { return target_->NowMicros(); }
  int64_t MonotonicMicros() override { return target_->MonotonicMicros(); }

 private:
  Env* target_;
};

// Joins two path parts with one '/'.
std::string JoinPath(std::string_view a, std::string_view b);
// The directory part of path ("a/b/c" -> "a/b"; "c" -> ".").
std::string DirName(std::string_view path);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_ENV_H_
