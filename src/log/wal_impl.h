// WalImpl: the Wal implementation (see wal.h for the contract, log_format.md
// for the files).
//
// Design: AppendAsync encodes entries straight into `pending_` under `mu_`,
// assigning seqs and ingest times there, so seq order is append order. One
// writer thread swaps `pending_` out, writes it with one Append and (kFsync) one
// Sync, then publishes the new durable end and runs the batch's callbacks. A
// failed write or sync fails the whole batch; the segment is then truncated to
// its last durable size (best effort) and abandoned, and the next batch starts a
// new segment, because after a failed fdatasync the kernel may report later
// syncs of the same file as successful without the data being on disk.
//
// Thread-safety: public methods are thread-safe. State is guarded by `mu_`
// unless noted (GL_GUARDED_BY); `active_file_` and `batch_` belong to the
// writer thread.
#ifndef GAMELAKE_LOG_WAL_IMPL_H_
#define GAMELAKE_LOG_WAL_IMPL_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "log/segment.h"
#include "log/wal.h"

namespace gamelake::wal_internal {

class WalImpl final : public Wal {
 public:
  // AppendAsync blocks (briefly, until the writer takes the batch) while this
  // many bytes are queued and not yet handed to the writer.
  static constexpr size_t kMaxQueuedBytes = 16u << 20;

  explicit WalImpl(const WalOptions& options);
  ~WalImpl() override;
  WalImpl(const WalImpl&) = delete;
  WalImpl& operator=(const WalImpl&) = delete;

  // Recovers the segments in the directory, creates the first new segment and
  // starts the writer thread. Called once, by Wal::Open. Not analysed (nor
  // Recover): they set the guarded state up without `mu_`, before any other
  // thread can see the log.
  Status Open(RecoveryReport* report) GL_NO_THREAD_SAFETY_ANALYSIS;

  void AppendAsync(std::string_view stream, std::span<const std::string_view> records,
                   AppendCallback done) override;
  Result<uint64_t> Append(std::string_view stream,
                          std::span<const std::string_view> records) override;
  std::unique_ptr<Cursor> NewCursor(uint64_t from_seq) override;
  bool WaitForDurable(uint64_t seq, int64_t timeout_us) override;
  Status Release(std::string_view stream, uint64_t up_to_seq) override;
  uint64_t first_seq() const override;
  uint64_t next_seq() const override;
  uint64_t durable_seq() const override;
  uint64_t pending_bytes() const override;
  uint64_t segment_count() const override;
  uint64_t fsyncs() const override { return fsyncs_.load(std::memory_order_relaxed); }
  Status Close() override GL_EXCLUDES(close_mu_, mu_);

  // For cursors. A readable view of one segment: bytes [0, readable) hold
  // durable entries; once `sealed`, nothing more will be added to it.
  struct SegmentView {
    std::shared_ptr<const Segment> segment;
    uint64_t readable = 0;
    bool sealed = false;
  };
  Env* env() const { return env_; }
  // The name of the segment where a scan for seqs >= from_seq starts.
  uint64_t StartSegmentName(uint64_t from_seq) const GL_EXCLUDES(mu_);
  // The first segment still in the log whose name_seq >= min_name.
  bool FindSegment(uint64_t min_name, SegmentView* view) const GL_EXCLUDES(mu_);
  // Updates view->readable and view->sealed for view->segment.
  void RefreshSegment(SegmentView* view) const GL_EXCLUDES(mu_);

 private:
  struct PendingCallback {
    AppendCallback done;
    uint64_t first_seq = 0;
  };
  // What AppendAsync queues for the writer; swapped out whole.
  struct Batch {
    std::string data;
    std::vector<PendingCallback> callbacks;
    std::vector<std::pair<std::string, uint64_t>> stream_max;  // Few streams: a flat list.
    uint64_t first_seq = 0;
    uint64_t end_seq = 0;  // One past the last seq.
  };

  Status Recover(RecoveryReport* report) GL_NO_THREAD_SAFETY_ANALYSIS;  // See Open().
  void WriterLoop() GL_EXCLUDES(mu_);
  // Writes batch_ to the active segment (rolling or reopening first if needed).
  Status WriteBatch() GL_EXCLUDES(mu_);
  Status StartSegment(uint64_t name_seq) GL_EXCLUDES(mu_);
  // Abandons the active segment after a failed write or sync.
  void AbandonActiveSegment() GL_EXCLUDES(mu_);
  uint64_t PendingBytesLocked() const GL_REQUIRES(mu_);
  // The active segment, for the writer thread, which reads it without `mu_`:
  // only the writer changes `active_` (under `mu_`), so its own reads cannot race.
  Segment* WriterActiveSegment() const GL_NO_THREAD_SAFETY_ANALYSIS { return active_.get(); }

  const WalOptions options_;
  Env* const env_;

  mutable Mutex mu_;
  CondVar writer_cv_;   // Work for the writer, or closing.
  CondVar space_cv_;    // The writer took the pending batch.
  CondVar durable_cv_;  // durable_seq_ advanced, or closed.

  std::map<uint64_t, std::shared_ptr<Segment>> segments_ GL_GUARDED_BY(mu_);  // By name_seq.
  // Written by the writer; null after a failure.
  std::shared_ptr<Segment> active_ GL_GUARDED_BY(mu_);
  uint64_t segment_bytes_total_ GL_GUARDED_BY(mu_) = 0;  // Sum of segments_' sizes.
  uint64_t next_seq_ GL_GUARDED_BY(mu_) = 1;
  uint64_t durable_seq_ GL_GUARDED_BY(mu_) = 1;
  int64_t last_time_us_ GL_GUARDED_BY(mu_) = 0;
  Batch pending_ GL_GUARDED_BY(mu_);
  uint64_t in_flight_bytes_ GL_GUARDED_BY(mu_) = 0;  // Size of the batch being written.
  std::map<std::string, uint64_t, std::less<>> released_ GL_GUARDED_BY(mu_);
  bool closing_ GL_GUARDED_BY(mu_) = false;  // Close() called: no new appends.
  bool closed_ GL_GUARDED_BY(mu_) = false;   // The writer has stopped.

  std::atomic<uint64_t> fsyncs_{0};

  // Writer thread only.
  std::unique_ptr<WritableFile> active_file_;
  Batch batch_;

  std::thread writer_;
  Mutex close_mu_ GL_ACQUIRED_BEFORE(mu_);  // Serializes Close().
  // Set by the writer as it exits; read under `mu_` once it has been joined.
  Status close_status_;
};

}  // namespace gamelake::wal_internal

#endif  // GAMELAKE_LOG_WAL_IMPL_H_
