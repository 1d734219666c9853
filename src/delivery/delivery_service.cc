// Design: a reader thread follows the log with a cursor and appends each
// record to its stream's staging NDJSON file; a converter thread turns cut
// files into Parquet (LakeWriter), then releases the records in the log. The
// two run concurrently, so reading keeps going while DuckDB writes a file.
#include "delivery/delivery_service.h"

#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "delivery/lake_writer.h"
#include "ingest/event_id_index.h"
#include "lake/lake_files.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

constexpr int64_t kIdleWaitUs = 100'000;          // Reader wakes up at least this often.
constexpr size_t kStagingWriteChunk = 256 << 10;  // Staging bytes buffered before a write(2).
constexpr int kFlushMaxFailures = 5;  // Flush gives up after this many failures in a row.
constexpr int64_t kMinBackoffUs = 50'000;
constexpr int64_t kMaxBackoffUs = 5'000'000;

bool IsDirectory(Env* env, const std::string& path) { return env->ListDir(path).ok(); }

// The wait after `failures` failed attempts in a row (>= 1).
int64_t BackoffUs(int failures) {
  return std::min(kMaxBackoffUs, kMinBackoffUs << std::min(failures - 1, 10));
}

// Removes everything inside dir (not dir itself).
Status RemoveContents(Env* env, const std::string& dir) {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    std::string path = JoinPath(dir, name);
    if (IsDirectory(env, path)) {
      GL_RETURN_IF_ERROR(RemoveContents(env, path));
      GL_RETURN_IF_ERROR(env->RemoveDir(path));
    } else {
      GL_RETURN_IF_ERROR(env->RemoveFile(path));
    }
  }
  return Status::OK();
}

// A staging file handed to the converter.
struct Batch {
  std::string stream;
  std::string staging_path;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t records = 0;
  int64_t hour = 0;              // Partition: hours since the epoch, UTC.
  int64_t oldest_ingest_us = 0;  // Ingest time of the first record.
  // Event ids of its records, for the index (null when there are none).
  std::shared_ptr<std::vector<IndexedId>> ids;
};

// The reader's open staging file of one stream.
struct OpenBuffer {
  Batch batch;
  std::unique_ptr<WritableFile> file;
  const BufferHints* hints = nullptr;  // Points into the service's options.
  std::string pending;                 // Bytes not yet appended to file.
  uint64_t bytes = 0;                  // Staging bytes, written or pending.
};

// Shared with the lag gauge callback, which may outlive the service.
struct LagSource {
  Mutex mu;                              // Taken after the service's mu_.
  Env* env GL_GUARDED_BY(mu) = nullptr;  // Null once the service is gone.
  int64_t oldest_us GL_GUARDED_BY(mu) = std::numeric_limits<int64_t>::max();
  double LagSeconds() GL_EXCLUDES(mu) {
    MutexLock l(&mu);
    if (env == nullptr || oldest_us == std::numeric_limits<int64_t>::max()) return 0;
    return std::max<int64_t>(0, env->NowMicros() - oldest_us) / 1e6;
  }
};

class DeliveryServiceImpl final : public DeliveryService {
 public:
  DeliveryServiceImpl(Wal* wal, DeliveryOptions options, std::unique_ptr<LakeWriter> writer,
                      std::map<std::string, uint64_t> watermarks)
      : wal_(wal),
        options_(std::move(options)),
        env_(options_.env),
        writer_(std::move(writer)),
        sink_(options_.sink != nullptr ? options_.sink : NewLocalLakeSink()),
        skip_up_to_(watermarks.begin(), watermarks.end()),
        watermarks_(std::move(watermarks)),
        lag_(std::make_shared<LagSource>()) {
    stream_columns_ = std::move(options_.stream_columns);  // Only ever read here.
    lag_->env = env_;
    if (options_.metrics != nullptr) {
      Metrics* m = options_.metrics;
      files_counter_ = m->AddCounter("gamelake_delivery_files_total", "Parquet files delivered.");
      rows_counter_ = m->AddCounter("gamelake_delivery_rows_total", "Records delivered.");
      bytes_counter_ = m->AddCounter("gamelake_delivery_bytes_total", "Parquet bytes delivered.");
      errors_counter_ =
          m->AddCounter("gamelake_delivery_errors_total", "Failed delivery attempts.");
      std::shared_ptr<LagSource> lag = lag_;
      m->AddCallbackGauge("gamelake_delivery_lag_seconds",
                          "Age of the oldest record read from the log and not yet delivered.",
                          [lag] { return lag->LagSeconds(); });
    }
  }

  ~DeliveryServiceImpl() override {
    (void)Stop();
    MutexLock l(&lag_->mu);
    lag_->env = nullptr;
  }

  void StartThreads(uint64_t from_seq) {
    reader_ = std::thread([this, from_seq] {
      if (RecoverSink()) ReaderLoop(from_seq);
    });
    converter_ = std::thread([this] { ConverterLoop(); });
  }

  Status Flush() override GL_EXCLUDES(mu_) {
    uint64_t target = wal_->durable_seq();
    MutexLock l(&mu_);
    if (stop_) return Status::Unavailable("delivery service is stopped");
    flush_target_ = std::max(flush_target_, target);
    cv_.SignalAll();
    cv_.Wait(&mu_, [&]() GL_REQUIRES(mu_) {
      return stop_ || consecutive_failures_ >= kFlushMaxFailures || DeliveredLocked(target);
    });
    if (DeliveredLocked(target)) return Status::OK();
    if (stop_) return Status::Unavailable("delivery service stopped during Flush");
    return last_error_.WithContext("flush: delivery keeps failing");
  }

  Status Stop() override GL_EXCLUDES(stop_mu_, mu_) {
    MutexLock stop_lock(&stop_mu_);
    {
      MutexLock l(&mu_);
      if (stop_) return Status::OK();
    }
    Status s = Flush();
    {
      MutexLock l(&mu_);
      stop_ = true;
      cv_.SignalAll();
    }
    if (reader_.joinable()) reader_.join();
    if (converter_.joinable()) converter_.join();
    return s;
  }

  DeliveryStats stats() const override GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    DeliveryStats s = stats_;
    s.buffered_records = open_records_ + queued_records_;
    s.consecutive_failures = consecutive_failures_;
    if (consecutive_failures_ > 0) s.last_error = last_error_.ToString();
    int64_t oldest = OldestLocked();
    s.lag_us = oldest == std::numeric_limits<int64_t>::max()
                   ? 0
                   : std::max<int64_t>(0, env_->NowMicros() - oldest);
    return s;
  }

  std::map<std::string, int64_t> OldestUndeliveredMicros() const override GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    std::map<std::string, int64_t> out(open_oldest_by_stream_.begin(),
                                       open_oldest_by_stream_.end());
    for (const Batch& b : queue_) {
      auto [it, fresh] = out.emplace(b.stream, b.oldest_ingest_us);
      if (!fresh) it->second = std::min(it->second, b.oldest_ingest_us);
    }
    return out;
  }

  std::map<std::string, uint64_t> watermarks() const override GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return watermarks_;
  }

 private:
  const BufferHints& HintsFor(const std::string& stream) const {
    auto it = options_.stream_hints.find(stream);
    return it != options_.stream_hints.end() ? it->second : options_.default_hints;
  }

  // Every record with seq < target has been read, and the files holding them delivered.
  bool DeliveredLocked(uint64_t target) const GL_REQUIRES(mu_) {
    return cut_up_to_ >= target && (in_flight_.empty() || in_flight_.begin()->first >= target);
  }

  int64_t OldestLocked() const GL_REQUIRES(mu_) {
    int64_t oldest = open_oldest_us_;
    for (const auto& [first, ingest_us] : in_flight_) oldest = std::min(oldest, ingest_us);
    return oldest;
  }

  void PublishLagLocked() GL_REQUIRES(mu_) {
    MutexLock l(&lag_->mu);
    lag_->oldest_us = OldestLocked();
  }

  StreamCounters* CountersFor(const std::string& stream) const {
    return options_.stream_stats != nullptr ? options_.stream_stats->For(stream) : nullptr;
  }

  void CountError(const Status& s) GL_EXCLUDES(mu_) {
    if (errors_counter_ != nullptr) errors_counter_->Add();
    MutexLock l(&mu_);
    stats_.delivery_errors++;
    last_error_ = s;
  }

  // Records a failed attempt (the failures in a row so far) for stats().
  void NoteFailure(const Status& s, int failures) GL_EXCLUDES(mu_) {
    CountError(s);
    MutexLock l(&mu_);
    consecutive_failures_ = failures;
    cv_.SignalAll();
  }

  bool Stopping() GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return stop_;
  }

  // Waits up to us microseconds, or until Stop.
  void SleepUnlessStopped(int64_t us) GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    cv_.WaitFor(&mu_, std::chrono::microseconds(us), [&]() GL_REQUIRES(mu_) { return stop_; });
  }

  // ---- Reader thread ----

  // The sink's recovery, before anything is read or released: retried with
  // back-off until it succeeds (true) or Stop (false).
  bool RecoverSink() GL_EXCLUDES(mu_) {
    int failures = 0;
    while (!Stopping()) {
      Status s = TryRecoverSink();
      if (s.ok()) {
        MutexLock l(&mu_);
        consecutive_failures_ = 0;
        return true;
      }
      failures++;
      spdlog::error("delivery: recovering the lake at {} (attempt {}): {}", sink_->Describe(),
                    failures, s.ToString());
      NoteFailure(s.WithContext("recovering the lake at " + sink_->Describe()), failures);
      SleepUnlessStopped(BackoffUs(failures));
    }
    return false;
  }

  // Publishes the local files the sink lacks, then raises the watermarks to
  // what the sink holds and releases them from the log.
  Status TryRecoverSink() GL_EXCLUDES(mu_) {
    GL_ASSIGN_OR_RETURN(LakeSinkRecovery recovery, sink_->Recover());
    for (const std::string& path : recovery.missing) {
      GL_RETURN_IF_ERROR(sink_->Publish(path).WithContext("publishing " + path));
      spdlog::info("msg=\"published a lake file the store lacked\" file=\"{}\" to=\"{}\"", path,
                   sink_->Describe());
    }
    std::map<std::string, uint64_t> watermarks;
    {
      MutexLock l(&mu_);
      for (const auto& [stream, last] : recovery.watermarks) {
        uint64_t& wm = watermarks_[stream];
        wm = std::max(wm, last);
      }
      watermarks = watermarks_;
    }
    for (const auto& [stream, wm] : watermarks) {
      uint64_t& skip = skip_up_to_[stream];
      skip = std::max(skip, wm);
      GL_RETURN_IF_ERROR(wal_->Release(stream, wm).WithContext("release " + stream));
    }
    return Status::OK();
  }

  Status WritePending(OpenBuffer* buf) {
    if (buf->pending.empty()) return Status::OK();
    GL_RETURN_IF_ERROR(buf->file->Append(buf->pending));
    buf->pending.clear();
    return Status::OK();
  }

  Status AddRecord(const LogRecord& rec) {
    std::string_view stream = rec.stream;
    auto skip = skip_up_to_.find(stream);
    if (skip != skip_up_to_.end() && rec.seq <= skip->second) return Status::OK();
    int64_t hour = LakePartition::OfTime(rec.ingest_time_us).hour;
    auto it = buffers_.find(stream);
    if (it != buffers_.end() && it->second.batch.hour != hour) {
      GL_RETURN_IF_ERROR(Cut(it));
      it = buffers_.end();
    }
    if (it == buffers_.end()) {
      OpenBuffer buf;
      buf.batch.stream = std::string(stream);
      buf.hints = &HintsFor(buf.batch.stream);
      buf.batch.first_seq = rec.seq;
      buf.batch.hour = hour;
      buf.batch.oldest_ingest_us = rec.ingest_time_us;
      std::string dir = JoinPath(options_.staging_dir, buf.batch.stream);
      GL_RETURN_IF_ERROR(env_->CreateDirs(dir));
      buf.batch.staging_path = JoinPath(dir, std::to_string(rec.seq) + ".ndjson");
      GL_ASSIGN_OR_RETURN(buf.file, env_->NewWritableFile(buf.batch.staging_path));
      it = buffers_.emplace(buf.batch.stream, std::move(buf)).first;
    }
    OpenBuffer& buf = it->second;
    std::string& out = buf.pending;
    size_t before = out.size();
    out += "{\"_ingest_time\":";
    out += std::to_string(rec.ingest_time_us);
    out += ",\"_record_id\":";
    out += std::to_string(rec.seq);
    out += ",\"r\":";
    size_t payload_at = out.size();
    out.append(rec.payload);
    // NDJSON needs one line per record. In valid JSON a raw CR/LF can only be
    // whitespace between tokens, so a space replaces it without changing the value.
    // (Two memchr scans: find_first_of would call memchr once per byte.)
    const std::string_view p = rec.payload;
    if (std::memchr(p.data(), '\n', p.size()) != nullptr ||
        std::memchr(p.data(), '\r', p.size()) != nullptr) {
      for (size_t i = payload_at; i < out.size(); ++i) {
        if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
      }
    }
    out += "}\n";
    buf.bytes += out.size() - before;
    EventId id;
    if (extractor_.enabled() && stream[0] != '_' && extractor_.Extract(p, &id_scratch_, &id)) {
      if (!buf.batch.ids) buf.batch.ids = std::make_shared<std::vector<IndexedId>>();
      buf.batch.ids->push_back(
          IndexedId{rec.seq, rec.ingest_time_us, id.type, std::string(id.value)});
    }
    buf.batch.last_seq = rec.seq;
    buf.batch.records++;
    if (out.size() >= kStagingWriteChunk) GL_RETURN_IF_ERROR(WritePending(&buf));
    if (buf.bytes >= buf.hints->size_bytes) GL_RETURN_IF_ERROR(Cut(it));
    return Status::OK();
  }

  // Closes a buffer's staging file and queues it for conversion.
  Status Cut(std::map<std::string, OpenBuffer, std::less<>>::iterator it) GL_EXCLUDES(mu_) {
    OpenBuffer& buf = it->second;
    GL_RETURN_IF_ERROR(WritePending(&buf));
    GL_RETURN_IF_ERROR(buf.file->Close());
    Batch batch = std::move(buf.batch);
    skip_up_to_[batch.stream] = batch.last_seq;
    buffers_.erase(it);
    MutexLock l(&mu_);
    in_flight_.emplace(batch.first_seq, batch.oldest_ingest_us);
    queued_records_ += batch.records;
    queue_.push_back(std::move(batch));
    cv_.SignalAll();
    return Status::OK();
  }

  // Drops every open buffer after a staging error; the caller rereads the log
  // from the returned seq (the earliest record that was only in those buffers).
  uint64_t DropOpenBuffers(uint64_t next_seq) {
    uint64_t from = next_seq;
    for (auto& [stream, buf] : buffers_) {
      from = std::min(from, buf.batch.first_seq);
      (void)buf.file->Close();
      (void)env_->RemoveFile(buf.batch.staging_path);
    }
    buffers_.clear();
    return from;
  }

  void ReaderLoop(uint64_t from_seq) GL_EXCLUDES(mu_) {
    std::unique_ptr<Wal::Cursor> cursor = wal_->NewCursor(from_seq);
    uint64_t next_seq = from_seq;  // Every record below this has been handled.
    int64_t backoff_us = kMinBackoffUs;
    while (!Stopping()) {
      Status status;
      bool caught_up = false;
      uint64_t durable = wal_->durable_seq();
      LogRecord rec;
      for (int i = 0; i < 4096 && status.ok(); ++i) {
        Result<bool> more = cursor->Next(&rec);
        if (!more.ok()) {
          status = more.status().WithContext("read log");
          break;
        }
        if (!*more) {
          caught_up = true;
          break;
        }
        status = AddRecord(rec);
        if (status.ok()) next_seq = std::max(next_seq, rec.seq + 1);
      }
      // The cursor returns every durable record: when it has none left, all
      // seqs below `durable` were read (a gap is a skipped corrupt entry).
      if (status.ok() && caught_up) next_seq = std::max(next_seq, durable);

      uint64_t flush_target = 0;
      if (status.ok()) {
        {
          MutexLock l(&mu_);
          flush_target = flush_target_;
        }
        int64_t now = env_->NowMicros();
        for (auto it = buffers_.begin(); it != buffers_.end() && status.ok();) {
          auto cur = it++;
          bool old = now - cur->second.batch.oldest_ingest_us >= HintsFor(cur->first).interval_us;
          bool flushing = cur->second.batch.first_seq < flush_target;
          if (old || flushing) status = Cut(cur);
        }
      }
      if (!status.ok()) {
        spdlog::error("delivery: {}; rereading the log in {} ms", status.ToString(),
                      backoff_us / 1000);
        CountError(status);
        next_seq = DropOpenBuffers(next_seq);
        // Records handed to the converter stay skipped (skip_up_to_).
        cursor = wal_->NewCursor(next_seq);
        SleepUnlessStopped(backoff_us);
        backoff_us = std::min(backoff_us * 2, kMaxBackoffUs);
        continue;
      }
      backoff_us = kMinBackoffUs;
      {
        MutexLock l(&mu_);
        uint64_t open_records = 0;
        int64_t oldest = std::numeric_limits<int64_t>::max();
        // Rewritten in place (names and capacity reused): this runs per batch read.
        open_oldest_by_stream_.resize(buffers_.size());
        size_t i = 0;
        for (const auto& [stream, buf] : buffers_) {
          open_records += buf.batch.records;
          oldest = std::min(oldest, buf.batch.oldest_ingest_us);
          open_oldest_by_stream_[i].first.assign(stream);
          open_oldest_by_stream_[i++].second = buf.batch.oldest_ingest_us;
        }
        open_records_ = open_records;
        open_oldest_us_ = oldest;
        // Everything below both next_seq and the open buffers is queued,
        // delivered or skipped (buffers reaching below a flush target were cut).
        uint64_t cut_up_to = next_seq;
        for (const auto& [stream, buf] : buffers_) {
          cut_up_to = std::min(cut_up_to, buf.batch.first_seq);
        }
        cut_up_to_ = std::max(cut_up_to_, cut_up_to);
        PublishLagLocked();
        cv_.SignalAll();
      }
      if (caught_up) wal_->WaitForDurable(next_seq, kIdleWaitUs);
    }
    DropOpenBuffers(next_seq);
  }

  // ---- Converter thread ----

  // The batch's event ids into the index, before its file enters the lake.
  Result<LakeFileInfo> WriteIds(const Batch& batch) {
    if (batch.ids && !batch.ids->empty()) {
      GL_RETURN_IF_ERROR(EventIdIndex::Write(env_, options_.id_index_dir, batch.stream,
                                             batch.first_seq, batch.last_seq, *batch.ids)
                             .WithContext("writing the event id index"));
    }
    return LakeFileInfo{};
  }

  // Publishes a converted file to the sink, retrying with back-off until it
  // is confirmed (true) or Stop (false: its records stay in the log, and the
  // next start publishes the file before releasing them).
  bool PublishWithRetry(const Batch& batch, const std::string& lake_path, int* failures)
      GL_EXCLUDES(mu_) {
    while (true) {
      Status s = sink_->Publish(lake_path);
      if (s.ok()) return true;
      ++*failures;
      spdlog::error("delivery: publishing {} to {} (attempt {}): {}", lake_path, sink_->Describe(),
                    *failures, s.ToString());
      NoteFailure(s.WithContext("publishing " + lake_path + " to " + sink_->Describe()), *failures);
      if (StreamCounters* c = CountersFor(batch.stream)) c->delivery_attempts.Add();
      SleepUnlessStopped(BackoffUs(*failures));
      if (Stopping()) return false;
    }
  }

  void ConverterLoop() GL_EXCLUDES(mu_) {
    int failures = 0;
    while (true) {
      Batch batch;
      {
        MutexLock l(&mu_);
        cv_.Wait(&mu_, [&]() GL_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
        if (stop_) return;
        batch = queue_.front();  // Stays queued until delivered.
      }
      const std::string lake_path = LakeFilePath(
          batch.stream, LakePartition::Hour(batch.hour),
          LakeFileName{batch.first_seq, batch.last_seq, /*version=*/0, options_.node_id});
      const std::string final_path = JoinPath(options_.lake_dir, lake_path);
      Result<LakeFileInfo> info = WriteIds(batch);
      if (info.ok()) {
        info = writer_->Convert(batch.staging_path, final_path, &stream_columns_[batch.stream]);
      }
      if (!info.ok()) {
        failures++;
        spdlog::error("delivery: {} records {}-{} of {} (attempt {}): {}", batch.records,
                      batch.first_seq, batch.last_seq, batch.stream, failures,
                      info.status().ToString());
        NoteFailure(info.status(), failures);
        if (StreamCounters* c = CountersFor(batch.stream)) c->delivery_attempts.Add();
        SleepUnlessStopped(BackoffUs(failures));
        continue;
      }
      // Durable locally; released only once the sink holds it too.
      if (!PublishWithRetry(batch, lake_path, &failures)) return;
      failures = 0;
      if (options_.on_file_delivered) options_.on_file_delivered(lake_path);
      // The file is durable in the lake and its sink: its name is now the
      // checkpoint. A failed release is retried by the next Start.
      Status s = wal_->Release(batch.stream, batch.last_seq);
      if (!s.ok()) spdlog::warn("delivery: release {}: {}", batch.stream, s.ToString());
      s = env_->RemoveFile(batch.staging_path);
      if (!s.ok()) spdlog::warn("delivery: {}", s.ToString());
      if (StreamCounters* c = CountersFor(batch.stream)) {
        c->delivery_attempts.Add();
        c->delivery_successes.Add();
        c->delivered_records.Add(info->rows);
        c->delivered_bytes.Add(info->bytes);
      }
      if (files_counter_ != nullptr) {
        files_counter_->Add();
        rows_counter_->Add(info->rows);
        bytes_counter_->Add(info->bytes);
      }
      MutexLock l(&mu_);
      consecutive_failures_ = 0;
      stats_.files_delivered++;
      stats_.rows_delivered += info->rows;
      stats_.bytes_delivered += info->bytes;
      uint64_t& wm = watermarks_[batch.stream];
      wm = std::max(wm, batch.last_seq);
      queued_records_ -= batch.records;
      in_flight_.erase(batch.first_seq);
      queue_.pop_front();
      PublishLagLocked();
      cv_.SignalAll();
    }
  }

  Wal* const wal_;
  const DeliveryOptions options_;
  Env* const env_;
  std::unique_ptr<LakeWriter> writer_;  // Converter thread only.
  const std::shared_ptr<LakeSink> sink_;
  // Per stream, its table's columns (DeliveryOptions::stream_columns, then
  // the keys each file made columns; converter thread only): they stay
  // columns when a later file has more keys than the column limit allows.
  std::map<std::string, std::set<std::string>> stream_columns_;

  // Reader thread only.
  const EventIdExtractor extractor_{options_.id_index_dir.empty() ? "" : options_.event_id_field};
  std::string id_scratch_;
  std::map<std::string, OpenBuffer, std::less<>> buffers_;
  std::map<std::string, uint64_t, std::less<>> skip_up_to_;  // Per stream: delivered or queued.

  Mutex stop_mu_ GL_ACQUIRED_BEFORE(mu_);  // Serializes Stop().
  mutable Mutex mu_;                       // Taken before lag_->mu.
  CondVar cv_;                             // Any change of the state below.
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::map<std::string, uint64_t> watermarks_ GL_GUARDED_BY(mu_);
  std::deque<Batch> queue_ GL_GUARDED_BY(mu_);  // Cut files, oldest first.
  // first_seq -> oldest ingest time, of queue_.
  std::map<uint64_t, int64_t> in_flight_ GL_GUARDED_BY(mu_);
  uint64_t queued_records_ GL_GUARDED_BY(mu_) = 0;
  uint64_t open_records_ GL_GUARDED_BY(mu_) = 0;
  int64_t open_oldest_us_ GL_GUARDED_BY(mu_) = std::numeric_limits<int64_t>::max();
  // Of buffers_, per stream in name order: the oldest ingest time.
  std::vector<std::pair<std::string, int64_t>> open_oldest_by_stream_ GL_GUARDED_BY(mu_);
  // Buffers with records below this are to be cut.
  uint64_t flush_target_ GL_GUARDED_BY(mu_) = 0;
  // Every record below this is queued, delivered or skipped.
  uint64_t cut_up_to_ GL_GUARDED_BY(mu_) = 0;
  int consecutive_failures_ GL_GUARDED_BY(mu_) = 0;
  Status last_error_ GL_GUARDED_BY(mu_);
  DeliveryStats stats_ GL_GUARDED_BY(mu_);

  std::shared_ptr<LagSource> lag_;
  Counter* files_counter_ = nullptr;
  Counter* rows_counter_ = nullptr;
  Counter* bytes_counter_ = nullptr;
  Counter* errors_counter_ = nullptr;

  std::thread reader_;
  std::thread converter_;
};

}  // namespace

Result<std::unique_ptr<DeliveryService>> DeliveryService::Start(Wal* wal,
                                                                const DeliveryOptions& options) {
  if (wal == nullptr || options.env == nullptr || options.lake_dir.empty() ||
      options.staging_dir.empty()) {
    return Status::InvalidArgument("delivery: wal, env, lake_dir and staging_dir are required");
  }
  Env* env = options.env;
  GL_RETURN_IF_ERROR(env->CreateDirs(options.lake_dir));
  GL_RETURN_IF_ERROR(env->CreateDirs(options.staging_dir));
  // The local files' watermarks: their records are skipped from the start
  // (the files are durable here); they are released once the sink recovered.
  GL_ASSIGN_OR_RETURN(auto watermarks, ScanWatermarks(env, options.lake_dir));
  // Staging files are rebuilt from the log.
  GL_RETURN_IF_ERROR(RemoveContents(env, options.staging_dir));

  LakeWriterOptions writer_options;
  writer_options.env = env;
  writer_options.duckdb_threads = options.duckdb_threads;
  writer_options.duckdb_memory_limit = options.duckdb_memory_limit;
  writer_options.duckdb_temp_directory = JoinPath(options.staging_dir, ".duckdb_tmp");
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LakeWriter> writer, LakeWriter::Open(writer_options));

  auto service =
      std::make_unique<DeliveryServiceImpl>(wal, options, std::move(writer), std::move(watermarks));
  service->StartThreads(wal->first_seq());
  return std::unique_ptr<DeliveryService>(std::move(service));
}

}  // namespace gamelake
