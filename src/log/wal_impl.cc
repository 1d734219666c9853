#include "log/wal_impl.h"

#include <algorithm>
#include <chrono>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "log/log_format.h"
#include "log/wal_cursor.h"

namespace gamelake::wal_internal {

WalImpl::WalImpl(const WalOptions& options)
    : options_(options), env_(options.env != nullptr ? options.env : Env::Default()) {}

WalImpl::~WalImpl() {
  Status s = Close();
  if (!s.ok()) spdlog::error("wal {}: close: {}", options_.dir, s.ToString());
}

Status WalImpl::Open(RecoveryReport* report) {
  RecoveryReport local_report;
  if (report == nullptr) report = &local_report;
  *report = RecoveryReport();
  GL_RETURN_IF_ERROR(Recover(report));
  GL_RETURN_IF_ERROR(StartSegment(next_seq_));
  writer_ = std::thread([this] { WriterLoop(); });
  return Status::OK();
}

Status WalImpl::Recover(RecoveryReport* report) {
  if (options_.dir.empty()) return Status::InvalidArgument("wal: no directory given");
  GL_RETURN_IF_ERROR(env_->CreateDirs(options_.dir));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(options_.dir));
  std::vector<uint64_t> seqs;
  for (const std::string& name : names) {
    if (auto seq = ParseSegmentFileName(name)) seqs.push_back(*seq);
  }
  std::sort(seqs.begin(), seqs.end());

  uint64_t max_seq = 0;
  uint64_t newest_name = 0;
  for (size_t i = 0; i < seqs.size(); ++i) {
    auto segment = std::make_shared<Segment>();
    segment->name_seq = seqs[i];
    segment->path = SegmentFileName(options_.dir, seqs[i]);
    const bool is_last = i + 1 == seqs.size();
    GL_ASSIGN_OR_RETURN(std::string data, env_->ReadFile(segment->path));
    ScanResult scan = ScanSegment(data, is_last, segment.get());
    for (const std::string& problem : scan.problems) {
      spdlog::warn("wal recovery: {}", problem);
      report->problems.push_back(problem);
    }
    if (scan.torn_tail_bytes > 0) {
      GL_RETURN_IF_ERROR(env_->TruncateFile(segment->path, segment->size));
      report->torn_tail_bytes += scan.torn_tail_bytes;
    }
    report->segments += 1;
    report->records += segment->records;
    report->corrupt_entries += scan.corrupt_entries;
    report->corrupt_bytes += scan.corrupt_bytes;
    if (segment->records > 0) max_seq = std::max(max_seq, segment->last_seq);
    newest_name = std::max(newest_name, segment->name_seq);
    segment_bytes_total_ += segment->size;
    segments_.emplace(segment->name_seq, std::move(segment));
  }
  // Seqs are never reused, not even those of a segment that lost its entries.
  next_seq_ = std::max({uint64_t{1}, max_seq + 1, newest_name});
  durable_seq_ = next_seq_;
  pending_.first_seq = next_seq_;
  if (!seqs.empty()) {
    spdlog::info("wal {}: recovered {} records in {} segments, next seq {}", options_.dir,
                 report->records, report->segments, next_seq_);
  }
  return Status::OK();
}

Status WalImpl::StartSegment(uint64_t name_seq) {
  if (active_file_ != nullptr) {
    // Seal the current segment first. Every batch in it was synced already
    // (kFsync); for kNone make it durable now, off the append path, so that a
    // crash can tear only the newest segment.
    if (options_.durability == Durability::kNone) {
      Status sync = active_file_->Sync();
      if (!sync.ok()) spdlog::warn("wal: sync of sealed segment: {}", sync.ToString());
    }
    Status close = active_file_->Close();
    if (!close.ok()) spdlog::warn("wal: close of sealed segment: {}", close.ToString());
    active_file_.reset();
    MutexLock lock(&mu_);
    active_.reset();
  }
  auto segment = std::make_shared<Segment>();
  segment->name_seq = name_seq;
  segment->path = SegmentFileName(options_.dir, name_seq);
  GL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_->NewWritableFile(segment->path));
  Status s = env_->SyncDir(options_.dir);
  if (!s.ok()) {
    (void)file->Close();
    (void)env_->RemoveFile(segment->path);  // Best effort; an empty segment is harmless.
    return s;
  }
  active_file_ = std::move(file);
  MutexLock lock(&mu_);
  // Only an empty segment can have the same name: its seqs would follow.
  auto it = segments_.find(name_seq);
  if (it != segments_.end()) {
    segment_bytes_total_ -= it->second->size;
    segments_.erase(it);
  }
  segments_.emplace(name_seq, segment);
  active_ = std::move(segment);
  return Status::OK();
}

void WalImpl::AbandonActiveSegment() {
  if (active_file_ != nullptr) {
    // Cut off what the failed batch may have left, so that a restart finds
    // neither half an entry nor records whose append was reported failed.
    (void)active_file_->Close();
    active_file_.reset();
    Segment* active = WriterActiveSegment();
    Status s = env_->TruncateFile(active->path, active->size);
    if (!s.ok())
      spdlog::warn("wal: truncating {} after a failed write: {}", active->path, s.ToString());
  }
  MutexLock lock(&mu_);
  active_.reset();
}

uint64_t WalImpl::PendingBytesLocked() const {
  return segment_bytes_total_ + pending_.data.size() + in_flight_bytes_;
}

void WalImpl::AppendAsync(std::string_view stream, std::span<const std::string_view> records,
                          AppendCallback done) {
  if (stream.size() > kMaxStreamSize) {
    done(Status::InvalidArgument(
             fmt::format("wal: stream name longer than {} bytes", kMaxStreamSize)),
         0);
    return;
  }
  const size_t max_record = kMaxPayloadSize - kFixedPayloadSize - stream.size();
  size_t total = 0;
  for (std::string_view record : records) {
    if (record.size() > max_record) {
      done(Status::InvalidArgument(fmt::format("wal: record of {} bytes exceeds the limit of {}",
                                               record.size(), max_record)),
           0);
      return;
    }
    total += EntrySize(stream.size(), record.size());
  }

  MutexLock lock(&mu_);
  // Bound the memory held by queued batches: wait for the writer to take the
  // pending one (a single oversized call still goes through on its own).
  while (!closing_ && !pending_.data.empty() && pending_.data.size() + total > kMaxQueuedBytes) {
    space_cv_.Wait(&mu_);
  }
  if (closing_) {
    lock.Unlock();
    done(Status::Unavailable("wal: log is closed"), 0);
    return;
  }
  if (options_.max_pending_bytes != 0 && PendingBytesLocked() > options_.max_pending_bytes) {
    const uint64_t pending = PendingBytesLocked();
    lock.Unlock();
    done(Status::ResourceExhausted(
             fmt::format("wal: {} bytes not yet released exceed the limit of {}", pending,
                         options_.max_pending_bytes)),
         0);
    return;
  }

  const uint64_t first_seq = next_seq_;
  const int64_t now = std::max(last_time_us_, env_->NowMicros());
  last_time_us_ = now;
  size_t offset = pending_.data.size();
  pending_.data.resize(offset + total);
  char* out = pending_.data.data() + offset;
  for (std::string_view record : records) {
    EncodeEntry(out, next_seq_++, now, stream, record);
    out += EntrySize(stream.size(), record.size());
  }
  if (!records.empty()) {
    auto it = std::find_if(pending_.stream_max.begin(), pending_.stream_max.end(),
                           [&](const auto& p) { return p.first == stream; });
    if (it == pending_.stream_max.end()) {
      pending_.stream_max.emplace_back(std::string(stream), next_seq_ - 1);
    } else {
      it->second = next_seq_ - 1;
    }
  }
  pending_.callbacks.push_back(PendingCallback{std::move(done), first_seq});
  writer_cv_.Signal();
}

Result<uint64_t> WalImpl::Append(std::string_view stream,
                                 std::span<const std::string_view> records) {
  auto promise = std::make_shared<std::promise<Result<uint64_t>>>();
  std::future<Result<uint64_t>> future = promise->get_future();
  AppendAsync(stream, records, [promise](Status status, uint64_t first_seq) {
    if (status.ok()) {
      promise->set_value(Result<uint64_t>(first_seq));
    } else {
      promise->set_value(Result<uint64_t>(std::move(status)));
    }
  });
  return future.get();
}

void WalImpl::WriterLoop() {
  MutexLock lock(&mu_);
  for (;;) {
    writer_cv_.Wait(&mu_,
                    [this]() GL_REQUIRES(mu_) { return !pending_.callbacks.empty() || closing_; });
    if (pending_.callbacks.empty()) break;  // Closing and drained.
    if (options_.commit_window_us > 0) {
      writer_cv_.WaitFor(&mu_, std::chrono::microseconds(options_.commit_window_us),
                         [this]() GL_REQUIRES(mu_) {
                           return pending_.data.size() >= kCommitWindowFullBytes || closing_;
                         });
    }

    std::swap(batch_, pending_);
    batch_.end_seq = next_seq_;
    pending_.first_seq = next_seq_;
    in_flight_bytes_ = batch_.data.size();
    space_cv_.SignalAll();
    lock.Unlock();

    Status status = WriteBatch();

    lock.Lock();
    if (status.ok() && !batch_.data.empty()) {
      Segment* segment = active_.get();
      if (segment->records == 0) segment->first_seq = batch_.first_seq;
      segment->last_seq = batch_.end_seq - 1;
      segment->records += batch_.end_seq - batch_.first_seq;
      for (const auto& [stream, max_seq] : batch_.stream_max) {
        auto it = segment->stream_max.find(stream);
        if (it == segment->stream_max.end()) {
          segment->stream_max.emplace(stream, max_seq);
        } else {
          it->second = std::max(it->second, max_seq);
        }
      }
      segment->size += batch_.data.size();
      segment_bytes_total_ += batch_.data.size();
      durable_seq_ = batch_.end_seq;
    }
    in_flight_bytes_ = 0;
    durable_cv_.SignalAll();
    lock.Unlock();

    for (PendingCallback& cb : batch_.callbacks) cb.done(status, cb.first_seq);
    batch_.data.clear();
    batch_.callbacks.clear();
    batch_.stream_max.clear();
    // Keep the buffer's capacity for the next batch, unless a burst made it huge.
    if (batch_.data.capacity() > 2 * kMaxQueuedBytes) batch_.data = std::string();
    lock.Lock();
  }
  lock.Unlock();

  if (active_file_ != nullptr) {
    Status s = active_file_->Sync();
    if (s.ok()) s = active_file_->Close();
    if (!s.ok()) {
      spdlog::error("wal {}: closing the active segment: {}", options_.dir, s.ToString());
      close_status_ = s;
    }
    active_file_.reset();
  }
}

Status WalImpl::WriteBatch() {
  if (batch_.data.empty()) return Status::OK();
  if (active_file_ == nullptr ||
      (WriterActiveSegment()->size > 0 && WriterActiveSegment()->size >= options_.segment_bytes)) {
    Status s = StartSegment(batch_.first_seq);
    if (!s.ok()) {
      spdlog::error("wal {}: cannot start segment {}: {}", options_.dir, batch_.first_seq,
                    s.ToString());
      return s;
    }
  }
  Status s = active_file_->Append(batch_.data);
  if (s.ok() && options_.durability == Durability::kFsync) {
    s = active_file_->Sync();
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!s.ok()) {
    spdlog::error("wal {}: writing seqs {}..{} to {} failed, records not acknowledged: {}",
                  options_.dir, batch_.first_seq, batch_.end_seq - 1, WriterActiveSegment()->path,
                  s.ToString());
    AbandonActiveSegment();
  }
  return s;
}

std::unique_ptr<Wal::Cursor> WalImpl::NewCursor(uint64_t from_seq) {
  return std::make_unique<WalCursor>(this, from_seq);
}

bool WalImpl::WaitForDurable(uint64_t seq, int64_t timeout_us) {
  // Clamp, so that now + timeout cannot overflow the clock.
  constexpr int64_t kMaxTimeoutUs = int64_t{365} * 24 * 3600 * 1000000;
  timeout_us = std::clamp<int64_t>(timeout_us, 0, kMaxTimeoutUs);
  MutexLock lock(&mu_);
  durable_cv_.WaitFor(&mu_, std::chrono::microseconds(timeout_us),
                      [&]() GL_REQUIRES(mu_) { return durable_seq_ > seq || closed_; });
  return durable_seq_ > seq;
}

Status WalImpl::Release(std::string_view stream, uint64_t up_to_seq) {
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    MutexLock lock(&mu_);
    auto it = released_.find(stream);
    if (it == released_.end()) {
      released_.emplace(std::string(stream), up_to_seq);
    } else {
      it->second = std::max(it->second, up_to_seq);
    }
    for (auto seg = segments_.begin(); seg != segments_.end();) {
      bool all_released = seg->second != active_;
      for (const auto& [name, max_seq] : seg->second->stream_max) {
        if (!all_released) break;
        auto r = released_.find(name);
        all_released = r != released_.end() && r->second >= max_seq;
      }
      if (all_released) {
        segment_bytes_total_ -= seg->second->size;
        doomed.push_back(std::move(seg->second));
        seg = segments_.erase(seg);
      } else {
        ++seg;
      }
    }
  }
  if (doomed.empty()) return Status::OK();
  Status result;
  for (const auto& segment : doomed) {
    Status s = env_->RemoveFile(segment->path);
    if (!s.ok() && result.ok()) result = s;
  }
  Status s = env_->SyncDir(options_.dir);
  if (!s.ok() && result.ok()) result = s;
  return result;
}

uint64_t WalImpl::first_seq() const {
  MutexLock lock(&mu_);
  for (const auto& [name, segment] : segments_) {
    if (segment->records > 0) return segment->first_seq;
  }
  return durable_seq_;
}

uint64_t WalImpl::next_seq() const {
  MutexLock lock(&mu_);
  return next_seq_;
}

uint64_t WalImpl::durable_seq() const {
  MutexLock lock(&mu_);
  return durable_seq_;
}

uint64_t WalImpl::pending_bytes() const {
  MutexLock lock(&mu_);
  return PendingBytesLocked();
}

uint64_t WalImpl::segment_count() const {
  MutexLock lock(&mu_);
  return segments_.size();
}

Status WalImpl::Close() {
  MutexLock close_lock(&close_mu_);
  {
    MutexLock lock(&mu_);
    if (closed_) return close_status_;
    closing_ = true;
    writer_cv_.Signal();
    space_cv_.SignalAll();
  }
  if (writer_.joinable()) writer_.join();
  MutexLock lock(&mu_);
  closed_ = true;
  active_.reset();
  durable_cv_.SignalAll();
  return close_status_;
}

uint64_t WalImpl::StartSegmentName(uint64_t from_seq) const {
  MutexLock lock(&mu_);
  auto it = segments_.upper_bound(from_seq);
  if (it == segments_.begin()) return 0;
  return std::prev(it)->first;
}

bool WalImpl::FindSegment(uint64_t min_name, SegmentView* view) const {
  MutexLock lock(&mu_);
  auto it = segments_.lower_bound(min_name);
  if (it == segments_.end()) return false;
  view->segment = it->second;
  view->readable = it->second->size;
  view->sealed = it->second != active_;
  return true;
}

void WalImpl::RefreshSegment(SegmentView* view) const {
  MutexLock lock(&mu_);
  view->readable = view->segment->size;
  view->sealed = view->segment != active_;
}

}  // namespace gamelake::wal_internal
