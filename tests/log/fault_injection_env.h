// FaultInjectionEnv: an Env for tests that wraps a real one (Env::Default()) and
// can make writes and syncs fail, fake the clock, and simulate a machine crash.
//
// It tracks, per file written through it, how many bytes were synced and
// whether its directory entry was synced. After SetFilesystemActive(false) the
// "machine is down": appends still reach the page cache but syncs, directory
// syncs, truncations and removals are silently dropped (they report OK, as the
// dead process would never learn otherwise). DropUnsyncedData() then does what
// the crash would: cut every file back to its synced size (keeping a fraction
// of the unsynced bytes, as a partial write-back would) and delete files whose
// creation was never made durable.
//
// Thread-safety: all methods are thread-safe.
#ifndef GAMELAKE_TESTS_LOG_FAULT_INJECTION_ENV_H_
#define GAMELAKE_TESTS_LOG_FAULT_INJECTION_ENV_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/env.h"

namespace gamelake {

class FaultInjectionEnv final : public EnvWrapper {
 public:
  explicit FaultInjectionEnv(Env* base = Env::Default()) : EnvWrapper(base), base_(base) {}

  // Appends fail with ENOSPC; with `partial`, after writing half of the data.
  void SetAppendError(bool fail, bool partial = true) {
    append_partial_ = partial;
    append_error_ = fail;
  }
  // Syncs fail with EIO (and do not make anything durable).
  void SetSyncError(bool fail) { sync_error_ = fail; }
  void SetFilesystemActive(bool active) { active_ = active; }
  // NowMicros returns `now_us` while it is >= 0; -1 restores the real clock.
  void SetNowMicros(int64_t now_us) { fake_now_us_ = now_us; }

  // Simulates the crash; see the class comment. keep_fraction in [0, 1] of each
  // file's unsynced bytes survive.
  Status DropUnsyncedData(double keep_fraction = 0.0);

  uint64_t failed_appends() const { return failed_appends_; }
  uint64_t failed_syncs() const { return failed_syncs_; }

  // Env (the rest is forwarded to base).
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  int64_t NowMicros() override {
    int64_t fake = fake_now_us_;
    return fake >= 0 ? fake : base_->NowMicros();
  }

 private:
  class File;
  friend class File;

  struct FileState {
    uint64_t synced_size = 0;
    bool dir_synced = false;  // The file's directory entry is durable.
  };

  Status OnAppend(WritableFile* base_file, std::string_view data);
  Status OnSync(const std::string& path, WritableFile* base_file);

  Env* const base_;
  std::atomic<bool> append_error_{false};
  std::atomic<bool> append_partial_{true};
  std::atomic<bool> sync_error_{false};
  std::atomic<bool> active_{true};
  std::atomic<int64_t> fake_now_us_{-1};
  std::atomic<uint64_t> failed_appends_{0};
  std::atomic<uint64_t> failed_syncs_{0};

  std::mutex mu_;
  std::map<std::string, FileState> files_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_LOG_FAULT_INJECTION_ENV_H_
