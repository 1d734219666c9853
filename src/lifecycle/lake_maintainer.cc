#include "lifecycle/lake_maintainer.h"

#include <future>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/civil_time.h"
#include "query/query_engine.h"

namespace gamelake {
namespace {

std::string NewErasureId(int64_t now_us) {
  CivilTime c = ToCivil(now_us);
  std::random_device rd;
  return fmt::format("er-{:04}{:02}{:02}-{:02}{:02}{:02}-{:06x}", c.year, c.month, c.day, c.hour,
                     c.minute, c.second, rd() & 0xffffff);
}

}  // namespace

void WriteCompactionJson(JsonWriter* w, const CompactionReport& r) {
  w->BeginObject().Key("dry_run").Bool(r.dry_run).Key("jobs").BeginArray();
  for (size_t i = 0; i < r.jobs.size(); ++i) {
    const CompactionJob& job = r.jobs[i];
    w->BeginObject().Key("table").String(job.table).Key("partition").String(job.target.Dir());
    w->Key("files").UInt(job.inputs.size()).Key("rows").UInt(job.input_rows());
    w->Key("bytes_in").UInt(job.input_bytes()).Key("inputs").BeginArray();
    for (const CatalogFile& f : job.inputs) w->String(f.path);
    w->EndArray();
    if (i < r.results.size()) {
      w->Key("output").String(r.results[i].output).Key("bytes_out").UInt(r.results[i].bytes_out);
      w->Key("ms").Double(static_cast<double>(r.results[i].micros) / 1000.0);
    }
    w->EndObject();
  }
  w->EndArray().Key("done").UInt(r.results.size()).EndObject();
}

void WriteRetentionJson(JsonWriter* w, const RetentionRules& rules, const RetentionReport& r) {
  w->BeginObject().Key("rules").BeginObject().Key("default_days").Int(rules.default_days);
  w->Key("streams").BeginObject();
  for (const auto& [table, days] : rules.tables) w->Key(table).Int(days);
  w->EndObject().EndObject().Key("dry_run").Bool(r.dry_run).Key("drops").BeginArray();
  for (const RetentionDrop& d : r.drops) {
    w->BeginObject().Key("table").String(d.table).Key("days").Int(d.days);
    w->Key("cutoff").String(FormatUtcMicros(d.cutoff_us)).Key("partitions").BeginArray();
    for (const std::string& p : d.partitions) w->String(p);
    w->EndArray().Key("files").UInt(d.files.size()).Key("rows").UInt(d.rows);
    w->Key("bytes").UInt(d.bytes).EndObject();
  }
  w->EndArray().EndObject();
}

Result<std::unique_ptr<LakeMaintainer>> LakeMaintainer::Start(const LakeMaintainerOptions& o) {
  if (o.catalog == nullptr || o.env == nullptr || o.lake_dir.empty() || o.erasure_dir.empty()) {
    return Status::InvalidArgument("lake maintainer: catalog, env, lake_dir, erasure_dir needed");
  }
  LakeRewriterOptions files;
  files.lake_dir = o.lake_dir;
  files.temp_dir = o.temp_dir;
  files.env = o.env;
  files.duckdb_memory_limit = o.duckdb_memory_limit;
  files.catalog = o.catalog;
  files.reclaimer = o.reclaimer;
  files.sink = o.sink;
  CompactorOptions c;
  static_cast<LakeRewriterOptions&>(c) = files;
  c.metrics = o.metrics;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<Compactor> compactor, Compactor::Open(c));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<Eraser> eraser, Eraser::Open(files));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<ErasureLog> log, ErasureLog::Open(o.env, o.erasure_dir));
  std::unique_ptr<LakeMaintainer> m(
      new LakeMaintainer(o, std::move(compactor), std::move(eraser), std::move(log)));
  m->thread_ = std::thread([raw = m.get()] { raw->Loop(); });
  return m;
}

LakeMaintainer::LakeMaintainer(const LakeMaintainerOptions& options,
                               std::unique_ptr<Compactor> compactor, std::unique_ptr<Eraser> eraser,
                               std::unique_ptr<ErasureLog> log)
    : options_(options),
      compactor_(std::move(compactor)),
      eraser_(std::move(eraser)),
      log_(std::move(log)) {
  erasures_waiting_ = !log_->Pending().empty();
  if (Metrics* m = options_.metrics) {
    pending_jobs_ = m->AddGauge("gamelake_compaction_pending_jobs",
                                "Merges the last compaction pass found to do");
    retention_files_ =
        m->AddCounter("gamelake_retention_files_dropped_total", "Files dropped by retention");
    retention_bytes_ =
        m->AddCounter("gamelake_retention_bytes_dropped_total", "Bytes dropped by retention");
    erased_rows_ = m->AddCounter("gamelake_erasure_rows_removed_total", "Rows erased on request");
    erasure_failures_ =
        m->AddCounter("gamelake_erasure_failed_attempts_total", "Erasure attempts that failed");
  }
}

LakeMaintainer::~LakeMaintainer() { Stop(); }

void LakeMaintainer::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

bool LakeMaintainer::StopRequested() {
  MutexLock lock(&mu_);
  return stop_;
}

void LakeMaintainer::Pause(int64_t us) {
  MutexLock lock(&mu_);
  cv_.WaitFor(&mu_, std::chrono::microseconds(us),
              [&]() GL_REQUIRES(mu_) { return stop_ || !tasks_.empty() || erasures_waiting_; });
}

void LakeMaintainer::RunOnThread(std::function<void()> task) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  {
    MutexLock lock(&mu_);
    if (stop_) return;
    tasks_.push_back([&] {
      task();
      done.set_value();
    });
  }
  cv_.SignalAll();
  finished.wait();
}

void LakeMaintainer::Loop() {
  LowerThreadPriority(options_.nice);
  bool retention_due = true;
  while (true) {
    std::deque<std::function<void()>> tasks;
    {
      MutexLock lock(&mu_);
      if (stop_) break;
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
    if (!tasks.empty()) continue;  // More may have come.
    if (options_.background) Pass(&retention_due);
    // A failed erasure is retried after a whole interval, not at once.
    Pause(options_.interval_us);
    int64_t now = options_.env->NowMicros();
    if (now - last_retention_us_ >= options_.retention_interval_us) retention_due = true;
  }
  // Callers still waiting get their turn answered as stopped.
  std::deque<std::function<void()>> rest;
  {
    MutexLock lock(&mu_);
    rest.swap(tasks_);
  }
  for (auto& task : rest) task();
}

void LakeMaintainer::Pass(bool* retention_due) {
  if (!options_.rewrites_refused.empty()) return;  // Nothing may rewrite this lake.
  RunErasures();
  if (*retention_due) {
    *retention_due = false;
    last_retention_us_ = options_.env->NowMicros();
    Result<RetentionReport> r = DoRetention(/*dry_run=*/false);
    if (!r.ok()) spdlog::error("msg=\"retention failed\" error=\"{}\"", r.status().ToString());
  }
  if (options_.compaction_enabled) {
    Result<CompactionReport> r = DoCompaction("", /*dry_run=*/false, /*background=*/true);
    if (!r.ok()) spdlog::error("msg=\"compaction failed\" error=\"{}\"", r.status().ToString());
  }
  SweepStore();
}

int64_t LakeMaintainer::RetentionCutoff(const std::string& table, int64_t now_us) const {
  int64_t days = options_.retention.DaysFor(table);
  return days > 0 ? now_us - days * kSecondsPerDay * kMicrosPerSecond : INT64_MIN;
}

void LakeMaintainer::SweepStore() {
  if (!options_.sweep_store || !sweep_due_) return;
  const int64_t now = options_.env->NowMicros();
  Result<size_t> waiting = options_.sweep_store(
      [this, now](const std::string& table) { return RetentionCutoff(table, now); });
  if (!waiting.ok()) {
    spdlog::error("msg=\"sweeping the lake store failed; retried next pass\" error=\"{}\"",
                  waiting.status().ToString());
    return;
  }
  sweep_due_ = *waiting > 0;
}

// ---- Compaction.

Result<CompactionReport> LakeMaintainer::Compact(const std::string& table, bool dry_run) {
  if (!dry_run && !options_.rewrites_refused.empty()) {
    return Status::PermissionDenied("compaction: " + options_.rewrites_refused);
  }
  Result<CompactionReport> out = Status::Unavailable("the lake maintainer is stopping");
  RunOnThread([&] {
    out = DoCompaction(table, dry_run, /*background=*/false);
    if (!dry_run) SweepStore();
  });
  return out;
}

Result<CompactionReport> LakeMaintainer::DoCompaction(const std::string& table, bool dry_run,
                                                      bool background) {
  CompactionReport report;
  report.dry_run = dry_run;
  report.jobs = PlanCompaction(*options_.catalog->Snapshot(), options_.compaction,
                               options_.env->NowMicros(), table);
  if (pending_jobs_ != nullptr) pending_jobs_->Set(static_cast<double>(report.jobs.size()));
  if (dry_run) return report;
  for (size_t i = 0; i < report.jobs.size(); ++i) {
    if (background) {
      // Stop, explicit calls and erasures go first.
      MutexLock lock(&mu_);
      if (stop_ || !tasks_.empty() || erasures_waiting_) break;
    }
    GL_ASSIGN_OR_RETURN(CompactionResult r, compactor_->Run(report.jobs[i]));
    spdlog::info(
        "msg=\"compacted\" table=\"{}\" files={} rows={} bytes_in={} bytes_out={} ms={} "
        "output=\"{}\"",
        report.jobs[i].table, report.jobs[i].inputs.size(), r.rows, r.bytes_in, r.bytes_out,
        r.micros / 1000, r.output);
    report.results.push_back(r);
    sweep_due_ = true;
    if (pending_jobs_ != nullptr) {
      pending_jobs_->Set(static_cast<double>(report.jobs.size() - i - 1));
    }
    if (background && options_.max_bytes_per_s > 0) {
      int64_t budget_us = static_cast<int64_t>(static_cast<double>(r.bytes_out) * 1e6 /
                                               static_cast<double>(options_.max_bytes_per_s));
      if (budget_us > r.micros) Pause(budget_us - r.micros);
    }
  }
  return report;
}

// ---- Retention.

Result<RetentionReport> LakeMaintainer::ApplyRetention(bool dry_run) {
  if (!dry_run && !options_.rewrites_refused.empty()) {
    return Status::PermissionDenied("retention: " + options_.rewrites_refused);
  }
  Result<RetentionReport> out = Status::Unavailable("the lake maintainer is stopping");
  RunOnThread([&] {
    out = DoRetention(dry_run);
    if (!dry_run) SweepStore();
  });
  return out;
}

Result<RetentionReport> LakeMaintainer::DoRetention(bool dry_run) {
  RetentionReport report;
  report.dry_run = dry_run;
  const int64_t now = options_.env->NowMicros();
  report.drops = PlanRetention(*options_.catalog->Snapshot(), options_.retention, now);
  if (dry_run) return report;
  sweep_due_ = true;  // Also expired objects whose local files are long gone.
  for (const RetentionDrop& drop : report.drops) {
    GL_RETURN_IF_ERROR(gamelake::ApplyRetention(drop, options_.env, options_.lake_dir,
                                                options_.catalog, options_.reclaimer)
                           .WithContext("retention of " + drop.table));
    spdlog::info(
        "msg=\"retention dropped old partitions\" table=\"{}\" days={} partitions={} "
        "files={} rows={} bytes={}",
        drop.table, drop.days, drop.partitions.size(), drop.files.size(), drop.rows, drop.bytes);
    if (retention_files_ != nullptr) {
      retention_files_->Add(drop.files.size());
      retention_bytes_->Add(drop.bytes);
    }
  }
  if (options_.on_retention) {
    std::map<std::string, int64_t> cutoffs;
    // Held in a local: in a range-for, the temporary shared_ptr would be freed
    // before the loop runs (C++20 extends only the range's own lifetime).
    const auto snapshot = options_.catalog->Snapshot();
    for (const auto& [name, table] : snapshot->tables) {
      int64_t cutoff = RetentionCutoff(name, now);
      if (cutoff != INT64_MIN) cutoffs[name] = cutoff;
    }
    options_.on_retention(cutoffs);
  }
  return report;
}

// ---- Erasure.

Result<ErasureInfo> LakeMaintainer::SubmitErasure(const std::vector<std::string>& tables,
                                                  const std::string& where,
                                                  const std::string& requested_by) {
  if (tables.empty()) return Status::InvalidArgument("say which stream to erase from");
  if (!options_.rewrites_refused.empty()) {
    return Status::PermissionDenied("erasure: " + options_.rewrites_refused);
  }
  if (!options_.erasure_refused.empty()) {
    return Status::PermissionDenied("erasure: " + options_.erasure_refused);
  }
  GL_RETURN_IF_ERROR(eraser_->CheckCondition(where));
  ErasureInfo info;
  for (const std::string& table : tables) {
    if (!options_.count_matching) break;
    Result<uint64_t> n = options_.count_matching(table, where);
    if (!n.ok()) {
      return Status::InvalidArgument(fmt::format("stream {}: {}", table, n.status().message()));
    }
    info.rows_matching += *n;
  }
  info.id = NewErasureId(options_.env->NowMicros());
  info.requested_by = requested_by;
  info.requested_us = options_.env->NowMicros();
  info.tables = tables;
  info.where = where;
  GL_RETURN_IF_ERROR(log_->Requested(info).WithContext("recording the erasure request"));
  {
    MutexLock lock(&mu_);
    erasures_waiting_ = true;
  }
  cv_.SignalAll();
  if (!options_.background) RunOnThread([this] { RunErasures(); });
  return log_->Get(info.id);
}

std::vector<ErasureInfo> LakeMaintainer::Erasures() const { return log_->List(); }

Result<ErasureInfo> LakeMaintainer::Erasure(const std::string& id) const { return log_->Get(id); }

Result<ErasureInfo> LakeMaintainer::WaitForErasure(const std::string& id, int64_t timeout_us) {
  const int64_t deadline = options_.env->MonotonicMicros() + timeout_us;
  while (true) {
    GL_ASSIGN_OR_RETURN(ErasureInfo info, log_->Get(id));
    if (info.state == ErasureInfo::State::kDone || info.state == ErasureInfo::State::kFailed) {
      return info;
    }
    int64_t left = deadline - options_.env->MonotonicMicros();
    if (left <= 0) return info;
    MutexLock lock(&mu_);
    cv_.WaitFor(&mu_, std::chrono::microseconds(std::min<int64_t>(left, 100'000)));
  }
}

void LakeMaintainer::RunErasures() {
  {
    MutexLock lock(&mu_);
    erasures_waiting_ = false;
  }
  for (const std::string& id : log_->Pending()) {
    if (StopRequested()) return;
    RunErasure(id);
  }
  cv_.SignalAll();  // Wake WaitForErasure.
}

void LakeMaintainer::RunErasure(const std::string& id) {
  Result<ErasureInfo> info = log_->Get(id);
  if (!info.ok()) return;
  Status s = log_->Started(id);
  if (s.ok() && options_.flush_delivery)
    s = options_.flush_delivery().WithContext("delivering the log");
  Result<std::map<std::string, ErasureTableResult>> results = Status::Internal("not run");
  if (s.ok()) {
    results = eraser_->Erase(info->tables, info->where);
    s = results.status();
  }
  if (s.ok()) {
    uint64_t rows = 0;
    for (const auto& [table, r] : *results) rows += r.rows_removed;
    if (erased_rows_ != nullptr) erased_rows_->Add(rows);
    spdlog::info("msg=\"erasure finished\" id={} rows_removed={}", id, rows);
    s = log_->Finished(id, *results);
    if (s.ok()) return;
  }
  // Conditions are checked when accepted and schemas only grow: a condition
  // that stops binding will not bind later either.
  bool final = s.code() == Status::Code::kInvalidArgument;
  spdlog::error("msg=\"erasure attempt failed\" id={} final={} error=\"{}\"", id, final,
                s.ToString());
  if (erasure_failures_ != nullptr) erasure_failures_->Add();
  Status logged = log_->Failed(id, s.ToString(), final);
  if (!logged.ok()) {
    spdlog::error("msg=\"cannot record an erasure failure\" error=\"{}\"", logged.ToString());
  }
  // Still pending unless final: the next pass tries again.
}

}  // namespace gamelake
