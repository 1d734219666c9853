#include "streaming/app_runner.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gamelake {
namespace {

constexpr size_t kMaxBatchRecords = 4096;  // Source records read between deliveries.
constexpr size_t kMaxDeliverRows = 500;    // Rows handed to a destination at once.
constexpr int64_t kClockMarginMs = 50;     // See the header: wall-clock steps.
constexpr int64_t kIdleWaitUs = 100'000;   // Longest wait for new records when caught up.
constexpr int64_t kFirstBackoffMs = 100;
constexpr int64_t kMaxBackoffMs = 10'000;
constexpr size_t kMaxErrorDataBytes = 64 << 10;  // Of a record copied into DATA_ROW.
constexpr char kCheckpointFile[] = "checkpoint";

SqlType Varchar(int n) {
  SqlType t;
  t.kind = SqlType::Kind::kVarchar;
  t.length = n;
  return t;
}

SqlType Timestamp() {
  SqlType t;
  t.kind = SqlType::Kind::kTimestamp;
  return t;
}

}  // namespace

StreamSchema ErrorStreamSchema() {
  StreamSchema s;
  s.columns = {{"ERROR_TIME", Timestamp()},   {"ERROR_LEVEL", Varchar(10)},
               {"ERROR_NAME", Varchar(32)},   {"MESSAGE", Varchar(4096)},
               {"DATA_ROWTIME", Timestamp()}, {"DATA_ROW", Varchar(kMaxErrorDataBytes)},
               {"PUMP_NAME", Varchar(128)}};
  return s;
}

StreamRow ErrorStreamRow(const ErrorRow& e) {
  StreamRow r;
  r.rowtime_ms = e.error_time_ms;
  r.values = {
      SqlValue::Timestamp(e.error_time_ms),
      SqlValue::String(e.error_level),
      SqlValue::String(e.error_name),
      SqlValue::String(e.message),
      SqlValue::Timestamp(e.data_rowtime_ms),
      SqlValue::String(e.data_row),
      e.pump_name.empty() ? SqlValue::Null(ValueType::kString) : SqlValue::String(e.pump_name)};
  return r;
}

// The program's sink: numbers each row, shows it live, keeps it for delivery.
class AppRunner::Collector final : public StreamingProgram::Sink {
 public:
  explicit Collector(AppRunner* runner) : r_(runner) {}
  void OnRow(int stream, const StreamRow& row) override {
    const InAppStream& s = r_->program_->streams()[stream];
    uint64_t ordinal = r_->next_ordinal_[stream]++;
    r_->options_.live->Publish(s.name, ordinal, s.schema, row);
    ++r_->rows_out_;
    if (r_->has_destinations_[stream]) r_->pending_[stream].push_back({ordinal, row});
  }
  void OnError(const ErrorRow& error) override { r_->AddError(error); }

 private:
  AppRunner* r_;
};

AppRunner::AppRunner(AppRunnerOptions options)
    : options_(std::move(options)), error_schema_(ErrorStreamSchema()) {}

AppRunner::~AppRunner() { Stop(); }

Result<std::unique_ptr<AppRunner>> AppRunner::Start(AppRunnerOptions options) {
  std::unique_ptr<AppRunner> r(new AppRunner(std::move(options)));
  GL_RETURN_IF_ERROR(r->Init());
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  return r;
}

Status AppRunner::Init() {
  const ApplicationDefinition& def = options_.definition;
  GL_ASSIGN_OR_RETURN(program_, StreamingProgram::Compile(
                                    def.sql, def.input_schema.ToStreamSchema(), options_.program));
  GL_ASSIGN_OR_RETURN(decoder_, RecordDecoder::Create(def.input_schema, def.rowtime_field));
  collector_ = std::make_unique<Collector>(this);
  const size_t streams = program_->streams().size() + 1;  // The error stream last.
  next_ordinal_.assign(streams, 0);
  pending_.assign(streams, {});
  has_destinations_.assign(streams, false);
  if (options_.destinations.size() != def.destinations.size()) {
    return Status::Internal("one destination object per destination spec is needed");
  }
  for (const DestinationSpec& spec : def.destinations) {
    int index = spec.stream == kErrorStreamName ? static_cast<int>(streams - 1)
                                                : program_->FindStream(spec.stream);
    if (index < 0) {
      return Status::InvalidArgument(
          fmt::format("destination of '{}': the code creates no such stream", spec.stream));
    }
    destination_streams_.push_back(static_cast<size_t>(index));
    has_destinations_[index] = true;
  }
  if (options_.metrics != nullptr) {
    Metrics::Labels labels = {{"app", def.name}};
    records_counter_ = options_.metrics->AddCounter(
        "gamelake_app_records_in_total", "Source records a streaming application consumed", labels);
    rows_counter_ = options_.metrics->AddCounter(
        "gamelake_app_rows_out_total", "Rows a streaming application's streams received", labels);
    errors_counter_ = options_.metrics->AddCounter(
        "gamelake_app_error_rows_total", "Rows of a streaming application's error stream", labels);
  }
  GL_RETURN_IF_ERROR(LoadCheckpoint());
  PublishStats();
  stat_processed_us_.store(checkpoint_.written_us, std::memory_order_relaxed);
  GL_ASSIGN_OR_RETURN(source_, options_.open_source(def.source, next_seq_));
  return Status::OK();
}

Status AppRunner::LoadCheckpoint() {
  const ApplicationDefinition& def = options_.definition;
  Env* env = options_.env;
  const std::string path = JoinPath(options_.dir, kCheckpointFile);
  if (!env->FileExists(path)) {
    // A first start: take the start position, and keep it at once.
    next_seq_ = def.start_position == StartPosition::kNow ? options_.wal->next_seq() : 0;
    return WriteCheckpoint();
  }
  GL_ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(path));
  Result<AppCheckpoint> cp = DecodeAppCheckpoint(bytes);
  if (!cp.ok()) return cp.status().WithContext(path);
  checkpoint_ = std::move(cp).value();
  next_seq_ = checkpoint_.next_seq;
  records_in_ = checkpoint_.records_in;
  rows_out_ = checkpoint_.rows_out;
  error_rows_ = checkpoint_.error_rows;
  counted_records_ = records_in_;
  counted_rows_ = rows_out_;
  counted_errors_ = error_rows_;
  for (const auto& [name, ordinal] : checkpoint_.next_ordinals) {
    int index = name == kErrorStreamName ? static_cast<int>(next_ordinal_.size() - 1)
                                         : program_->FindStream(name);
    if (index >= 0) {
      next_ordinal_[index] = ordinal;
    } else {
      other_ordinals_.emplace_back(name, ordinal);  // Kept should the stream come back.
    }
  }
  if (checkpoint_.code_version == def.code_version && !checkpoint_.program_state.empty()) {
    Status s = program_->LoadState(checkpoint_.program_state);
    if (!s.ok()) return s.WithContext("loading the application's state from " + path);
  } else if (checkpoint_.code_version != def.code_version) {
    spdlog::info(
        "msg=\"app code changed: window state starts empty\" app={} from_code_version={} "
        "code_version={} next_seq={}",
        def.name, checkpoint_.code_version, def.code_version, next_seq_);
  }
  stat_checkpoint_us_.store(checkpoint_.written_us, std::memory_order_relaxed);
  return Status::OK();
}

void AppRunner::RequestStop() {
  MutexLock l(&mu_);  // Under mu_: WaitStop cannot miss it.
  stop_.store(true, std::memory_order_release);
  stop_cv_.SignalAll();
}

void AppRunner::Stop(int64_t grace_ms) {
  if (!thread_.joinable()) return;  // Never started, or stopped already.
  RequestStop();
  {
    // The runner delivers what it read and checkpoints; a destination that
    // cannot take the rows now is not waited for long.
    MutexLock l(&mu_);
    if (!stop_cv_.WaitFor(&mu_, std::chrono::milliseconds(grace_ms),
                          [&]() GL_REQUIRES(mu_) { return done_; })) {
      abort_.store(true, std::memory_order_release);
    }
  }
  if (abort_.load(std::memory_order_acquire)) {
    for (auto& d : options_.destinations) d->Stop();
  }
  thread_.join();
}

AppRunStats AppRunner::stats() const {
  AppRunStats s;
  s.records_in = stat_records_in_.load(std::memory_order_relaxed);
  s.rows_out = stat_rows_out_.load(std::memory_order_relaxed);
  s.error_rows = stat_error_rows_.load(std::memory_order_relaxed);
  s.next_seq = stat_next_seq_.load(std::memory_order_relaxed);
  s.state_bytes = stat_state_bytes_.load(std::memory_order_relaxed);
  s.processed_us = stat_processed_us_.load(std::memory_order_relaxed);
  s.last_checkpoint_us = stat_checkpoint_us_.load(std::memory_order_relaxed);
  return s;
}

Status AppRunner::error() const {
  MutexLock l(&mu_);
  return error_;
}

void AppRunner::Run() {
  Status s;
  bool idle = false;
  while (!stopping()) {
    s = Step(&idle);
    if (!s.ok()) break;
    if (idle) options_.wal->WaitForDurable(options_.wal->durable_seq(), kIdleWaitUs);
  }
  if (s.ok() && delivered_all_) s = WriteCheckpoint();
  if (!s.ok()) {
    spdlog::error("msg=\"streaming application stopped on an error\" app={} error=\"{}\"",
                  options_.definition.name, s.ToString());
  }
  MutexLock l(&mu_);
  if (!s.ok()) {
    error_ = s;
    failed_.store(true, std::memory_order_release);
  }
  done_ = true;
  stop_cv_.SignalAll();
}

Status AppRunner::Step(bool* idle) {
  const bool clock = options_.definition.rowtime_field.empty();
  if (clock && !mark_.set) {
    // The clock first, then next_seq: every record from `seq` on reads the clock later.
    mark_.t_us = options_.env->NowMicros();
    mark_.seq = options_.wal->next_seq();
    mark_.set = true;
  }
  const uint64_t durable = options_.wal->durable_seq();
  bool caught_up = false;
  SourceRecord record;
  for (size_t n = 0; n < kMaxBatchRecords && !stopping(); ++n) {
    GL_ASSIGN_OR_RETURN(bool got, source_->Next(&record));
    if (!got) {
      caught_up = true;
      break;
    }
    GL_RETURN_IF_ERROR(Consume(record));
  }
  if (caught_up) {
    // Every record below `durable` was read (those of other streams skipped).
    next_seq_ = std::max(next_seq_, durable);
    if (clock) GL_RETURN_IF_ERROR(AdvanceClock(durable));
  }
  delivered_all_ = DeliverAll();
  *idle = caught_up;
  GL_RETURN_IF_ERROR(destination_error_);    // A destination that can never take the rows.
  if (!delivered_all_) return Status::OK();  // Stopped mid-delivery: no checkpoint past it.
  stat_processed_us_.store(caught_up ? options_.env->NowMicros() : last_input_us_,
                           std::memory_order_relaxed);
  PublishStats();
  int64_t mono = options_.env->MonotonicMicros();
  bool progressed = next_seq_ != checkpoint_.next_seq || rows_out_ != checkpoint_.rows_out ||
                    error_rows_ != checkpoint_.error_rows;
  if (progressed && mono - last_checkpoint_mono_us_ >= options_.checkpoint_interval_ms * 1000) {
    GL_RETURN_IF_ERROR(WriteCheckpoint());
  }
  return Status::OK();
}

Status AppRunner::Consume(const SourceRecord& record) {
  ++records_in_;
  next_seq_ = record.seq + 1;
  last_input_us_ = record.ingest_time_us;
  Status s = decoder_->Decode(record.json, record.ingest_time_us, &row_);
  if (s.ok()) return program_->Push(row_, collector_.get());
  ErrorRow e;
  e.error_time_ms = record.ingest_time_us / 1000;
  e.error_level = "ERROR";
  e.error_name = "INPUT_CONVERSION_ERROR";
  e.message = s.message();
  e.data_rowtime_ms = e.error_time_ms;
  e.data_row = std::string(record.json.substr(0, kMaxErrorDataBytes));
  AddError(std::move(e));
  return Status::OK();
}

Status AppRunner::AdvanceClock(uint64_t durable) {
  if (!mark_.set || durable < mark_.seq) return Status::OK();  // Older records in flight.
  int64_t to_ms = mark_.t_us / 1000 - kClockMarginMs;
  mark_.set = false;
  if (to_ms <= advanced_ms_) return Status::OK();
  advanced_ms_ = to_ms;
  return program_->AdvanceTime(to_ms, collector_.get());
}

void AppRunner::AddError(ErrorRow error) {
  const size_t index = next_ordinal_.size() - 1;
  StreamRow row = ErrorStreamRow(error);
  uint64_t ordinal = next_ordinal_[index]++;
  options_.live->Publish(kErrorStreamName, ordinal, error_schema_, row);
  ++error_rows_;
  if (has_destinations_[index]) pending_[index].push_back({ordinal, std::move(row)});
}

bool AppRunner::DeliverAll() {
  const size_t error_index = pending_.size() - 1;
  std::vector<FailedRow> failed;
  // The in-application streams first: their failures add to the error stream.
  for (size_t pass = 0; pass < 2; ++pass) {
    for (size_t d = 0; d < destination_streams_.size(); ++d) {
      size_t index = destination_streams_[d];
      if ((index == error_index) != (pass == 1) || pending_[index].empty()) continue;
      failed.clear();
      if (!DeliverTo(d, index, &failed)) return false;
      for (const FailedRow& f : failed) ReportFailed(d, index, f);
    }
    if (pass == 0) {
      for (size_t i = 0; i < error_index; ++i) pending_[i].clear();
    }
  }
  pending_[error_index].clear();
  return true;
}

void AppRunner::ReportFailed(size_t d, size_t index, const FailedRow& f) {
  const DestinationSpec& spec = options_.definition.destinations[d];
  const bool error_stream = index == pending_.size() - 1;
  if (error_stream) {
    spdlog::warn(
        "msg=\"an error_stream row was not delivered\" app={} destination=\"{}:{}\" "
        "ordinal={} reason=\"{}\"",
        options_.definition.name, spec.kind, spec.target, f.ordinal, f.reason);
    return;
  }
  const std::vector<OutputRow>& rows = pending_[index];
  auto it = std::lower_bound(rows.begin(), rows.end(), f.ordinal,
                             [](const OutputRow& r, uint64_t o) { return r.ordinal < o; });
  ErrorRow e;
  e.error_time_ms = options_.env->NowMicros() / 1000;
  e.error_level = "ERROR";
  e.error_name = "DESTINATION_ERROR";
  e.message = fmt::format("{}:{} did not take row {} of \"{}\": {}", spec.kind, spec.target,
                          f.ordinal, spec.stream, f.reason);
  if (it != rows.end() && it->ordinal == f.ordinal) {
    e.data_rowtime_ms = it->row.rowtime_ms;
    AppendRowJson(program_->streams()[index].schema, it->row, &e.data_row);
  }
  AddError(std::move(e));
}

bool AppRunner::DeliverTo(size_t d, size_t index, std::vector<FailedRow>* failed) {
  const std::vector<OutputRow>& all = pending_[index];
  const StreamSchema& schema =
      index == pending_.size() - 1 ? error_schema_ : program_->streams()[index].schema;
  Destination* destination = options_.destinations[d].get();
  std::vector<OutputRow> batch;
  for (size_t start = 0; start < all.size(); start += kMaxDeliverRows) {
    size_t end = std::min(all.size(), start + kMaxDeliverRows);
    batch.assign(all.begin() + static_cast<ptrdiff_t>(start),
                 all.begin() + static_cast<ptrdiff_t>(end));
    int64_t backoff_ms = kFirstBackoffMs;
    for (;;) {
      size_t before = failed->size();
      Status s = destination->Deliver(schema, batch, failed);
      // Cut short by Stop(): what it did or gave up is not trusted (rows given
      // up because of the stop must not count as delivered); they are sent
      // again after the restart (at least once).
      if (abort_.load(std::memory_order_acquire)) return false;
      if (s.ok()) break;
      failed->resize(before);
      const DestinationSpec& spec = options_.definition.destinations[d];
      if (s.code() == Status::Code::kInvalidArgument) {
        // A configuration error: retrying cannot help, and skipping would lose rows.
        destination_error_ =
            s.WithContext(fmt::format("destination {}={}:{}", spec.stream, spec.kind, spec.target));
        return false;
      }
      if (stopping()) return false;  // No retries while stopping.
      spdlog::warn(
          "msg=\"app destination failed; retrying\" app={} destination=\"{}:{}\" "
          "retry_in_ms={} error=\"{}\"",
          options_.definition.name, spec.kind, spec.target, backoff_ms, s.ToString());
      if (WaitStop(backoff_ms)) return false;
      backoff_ms = std::min(kMaxBackoffMs, backoff_ms * 2);
    }
  }
  return true;
}

bool AppRunner::WaitStop(int64_t ms) {
  MutexLock l(&mu_);
  return stop_cv_.WaitFor(&mu_, std::chrono::milliseconds(ms), [this] { return stopping(); });
}

void AppRunner::PublishStats() {
  stat_records_in_.store(records_in_, std::memory_order_relaxed);
  stat_error_rows_.store(error_rows_, std::memory_order_relaxed);
  stat_next_seq_.store(next_seq_, std::memory_order_relaxed);
  stat_state_bytes_.store(program_->StateBytes(), std::memory_order_relaxed);
  stat_rows_out_.store(rows_out_, std::memory_order_relaxed);
  if (records_counter_ != nullptr) {
    // The counters count this process's work; the checkpoint carries the totals.
    records_counter_->Add(records_in_ - counted_records_);
    rows_counter_->Add(rows_out_ - counted_rows_);
    errors_counter_->Add(error_rows_ - counted_errors_);
  }
  counted_records_ = records_in_;
  counted_rows_ = rows_out_;
  counted_errors_ = error_rows_;
}

Status AppRunner::WriteCheckpoint() {
  AppCheckpoint c;
  c.code_version = options_.definition.code_version;
  c.next_seq = next_seq_;
  c.records_in = records_in_;
  c.rows_out = rows_out_;
  c.error_rows = error_rows_;
  c.written_us = options_.env->NowMicros();
  const std::vector<InAppStream>& streams = program_->streams();
  for (size_t i = 0; i < streams.size(); ++i)
    c.next_ordinals.emplace_back(streams[i].name, next_ordinal_[i]);
  c.next_ordinals.emplace_back(kErrorStreamName, next_ordinal_.back());
  for (const auto& other : other_ordinals_) c.next_ordinals.push_back(other);
  c.program_state = program_->SaveState();
  const std::string path = JoinPath(options_.dir, kCheckpointFile);
  Status s = options_.env->WriteFileAtomic(path, EncodeAppCheckpoint(c));
  if (!s.ok()) return s.WithContext("writing the checkpoint of app " + options_.definition.name);
  checkpoint_ = std::move(c);
  checkpoint_.program_state.clear();  // Not needed again; may be large.
  last_checkpoint_mono_us_ = options_.env->MonotonicMicros();
  stat_checkpoint_us_.store(checkpoint_.written_us, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace gamelake
