// FileLock: an exclusive advisory lock (flock(2)) on a file, held for the
// object's lifetime. The key store takes it around every read-modify-write of
// keys.json so that `gamelake keys create` and a running server (or two CLI
// runs) never lose each other's changes.
//
// Thread-safety: flock locks belong to the open file description, so two
// FileLocks on the same path exclude each other even within one process.
#ifndef GAMELAKE_COMMON_FILE_LOCK_H_
#define GAMELAKE_COMMON_FILE_LOCK_H_

#include <string>

#include "common/result.h"

namespace gamelake {

class FileLock {
 public:
  // Creates path (0600) if needed and blocks until the lock is held.
  static Result<FileLock> Acquire(const std::string& path);
  // Creates path (0600) if needed and takes the lock if it is free; fails with
  // Unavailable if another holder has it (e.g. a server owns the data dir).
  static Result<FileLock> TryAcquire(const std::string& path);
  ~FileLock();
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_FILE_LOCK_H_
