// Helpers for the write-path tests: a scratch directory, an Env whose clock
// the test sets, and a Wal whose appends the test completes by hand (to hold
// records "in flight"). Not thread-safe unless noted.
#ifndef GAMELAKE_TESTS_INGEST_INGEST_TEST_UTIL_H_
#define GAMELAKE_TESTS_INGEST_INGEST_TEST_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "common/env.h"
#include "log/wal.h"

namespace gamelake {

// A Wal that keeps appends pending until the test completes them, in order.
// Appends are thread-safe; NewCursor/Release are not supported.
class HeldWal final : public Wal {
 public:
  struct PendingAppend {
    std::string stream;
    std::vector<std::string> records;
    AppendCallback done;
  };

  void AppendAsync(std::string_view stream, std::span<const std::string_view> records,
                   AppendCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(
        PendingAppend{std::string(stream), {records.begin(), records.end()}, std::move(done)});
  }
  Result<uint64_t> Append(std::string_view, std::span<const std::string_view>) override {
    return Status::Unavailable("HeldWal: use AppendAsync");
  }
  std::unique_ptr<Cursor> NewCursor(uint64_t) override { return nullptr; }
  bool WaitForDurable(uint64_t, int64_t) override { return false; }
  Status Release(std::string_view, uint64_t) override { return Status::OK(); }
  uint64_t first_seq() const override { return 1; }
  uint64_t next_seq() const override { return next_seq_; }
  uint64_t durable_seq() const override { return next_seq_; }
  uint64_t pending_bytes() const override { return 0; }
  uint64_t segment_count() const override { return 0; }
  uint64_t fsyncs() const override { return 0; }
  Status Close() override { return Status::OK(); }

  size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }
  // Completes the oldest pending append of `stream` with `status`; returns its records.
  std::vector<std::string> Complete(std::string_view stream, const Status& status = Status::OK()) {
    PendingAppend a;
    uint64_t first = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->stream != stream) continue;
        a = std::move(*it);
        pending_.erase(it);
        break;
      }
      if (!a.done) {
        ADD_FAILURE() << "no pending append for " << stream;
        return {};
      }
      first = next_seq_;
      next_seq_ += a.records.size();
      if (status.ok()) {
        for (auto& r : a.records) stored_.push_back(a.stream + ":" + r);
      }
    }
    a.done(status, first);
    return a.records;
  }
  std::vector<std::string> stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_;
  }

 private:
  std::mutex mu_;
  std::vector<PendingAppend> pending_;
  std::vector<std::string> stored_;  // "stream:record" of completed appends.
  uint64_t next_seq_ = 100;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_INGEST_INGEST_TEST_UTIL_H_
