// LakeMaintainer: the lake's life over months — erasures, retention and
// compaction — on one background thread at a lower CPU priority than ingest
// and delivery, one job at a time (so an erasure and a compaction never
// rewrite the same file).
//
// Each pass (every `interval_us`, or at once when asked): pending erasures
// first, oldest first (they were promised); retention, every
// `retention_interval_us`; then the compaction jobs PlanCompaction finds,
// one by one, checking between jobs for erasures and for Stop, and sleeping
// after each so that merged bytes stay under `max_bytes_per_s` on average.
//
// Explicit calls (the HTTP API, the command line) run on the same thread:
// the caller waits for its turn. With `background` false nothing runs by
// itself (a data dir maintained offline).
//
// Erasure requests are validated before they are accepted (the condition
// is one row-local expression and binds to each table's columns), recorded
// in the audit log (erasure_log.h), then run: the log is delivered first
// (records acknowledged before the request are then in files), then the
// matching rows are removed (eraser.h). A request that fails is retried
// every pass until it finishes; one whose condition no longer binds fails
// for good. Requests survive restarts.
//
// On an S3 lake (docs/lake_format.md, "Lifecycle on the S3 lake") new files
// are published through `sink` before the catalog switches (lake_rewriter.h)
// and `sweep_store` brings this node's objects in line with its local lake
// afterwards: replaced objects deleted after a grace period, expired ones at
// once. It runs on the first pass, after every pass that rewrote or dropped
// files, while replaced objects wait for their grace period, and with each
// retention pass.
//
// Thread-safety: all public methods are safe to call from any thread. The
// hooks run on the maintainer's thread.
#ifndef GAMELAKE_LIFECYCLE_LAKE_MAINTAINER_H_
#define GAMELAKE_LIFECYCLE_LAKE_MAINTAINER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/result.h"
#include "lake/file_reclaimer.h"
#include "lifecycle/compactor.h"
#include "lifecycle/eraser.h"
#include "lifecycle/erasure_log.h"
#include "lifecycle/retention.h"

namespace gamelake {

struct LakeMaintainerOptions {
  std::string lake_dir;
  std::string temp_dir;     // DuckDB's spill space.
  std::string erasure_dir;  // Holds the audit log.
  Env* env = Env::Default();
  Catalog* catalog = nullptr;
  FileReclaimer* reclaimer = nullptr;  // Null: replaced files are deleted at once.
  Metrics* metrics = nullptr;
  bool background = true;
  int64_t interval_us = 60'000'000;
  bool compaction_enabled = true;
  // Non-empty: the lake may not be rewritten here (an S3 lake, whose objects
  // these jobs do not maintain yet). Compaction, retention and erasure
  // requests fail with PermissionDenied and this reason, and nothing runs
  // in the background; dry runs still answer.
  std::string rewrites_refused;
  // Non-empty: erasure requests fail with PermissionDenied and this reason
  // (an S3 lake, where an erasure would reach only this node's files).
  std::string erasure_refused;
  // An S3 lake: new files are published through it (not owned); null: local.
  LakeSink* sink = nullptr;
  // An S3 lake: one sweep of this node's objects (s3/s3_lake_keeper.h) with
  // each table's retention cutoff (INT64_MIN: none); returns how many
  // replaced objects still wait for their grace period. Null: local lake.
  std::function<Result<size_t>(const std::function<int64_t(const std::string&)>& cutoff_us)>
      sweep_store;
  CompactionOptions compaction;
  uint64_t max_bytes_per_s = 0;  // 0: no limit.
  RetentionRules retention;
  int64_t retention_interval_us = 600'000'000;
  int nice = 10;
  std::string duckdb_memory_limit = "512MB";

  // Delivers every record acknowledged so far into the lake (erasure).
  std::function<Status()> flush_delivery;
  // Counts the rows of `table` matching `where` the way SQL sees them (the
  // sandboxed query engine): binds the condition to the table's columns.
  std::function<Result<uint64_t>(const std::string& table, const std::string& where)>
      count_matching;
  // After each retention pass: per table with a rule, the time before which
  // its records are gone (the event id index forgets them too).
  std::function<void(const std::map<std::string, int64_t>& cutoffs_us)> on_retention;
};

struct CompactionReport {
  bool dry_run = false;
  std::vector<CompactionJob> jobs;
  std::vector<CompactionResult> results;  // One per job run (not in a dry run).
};

struct RetentionReport {
  bool dry_run = false;
  std::vector<RetentionDrop> drops;
};

// The reports as the HTTP API and the command line show them:
// {"dry_run","jobs":[{"table","partition","files","rows","bytes_in","inputs",
//  "output","bytes_out","ms"}],"done"} and {"rules":{"default_days","streams"},
// "dry_run","drops":[{"table","days","cutoff","partitions","files","rows","bytes"}]}.
void WriteCompactionJson(JsonWriter* w, const CompactionReport& report);
void WriteRetentionJson(JsonWriter* w, const RetentionRules& rules, const RetentionReport& report);

class LakeMaintainer {
 public:
  static Result<std::unique_ptr<LakeMaintainer>> Start(const LakeMaintainerOptions& options);
  ~LakeMaintainer();
  // Finishes the job under way and stops. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

  // Plans (dry_run) or runs the compaction of one table ("" for all) now.
  Result<CompactionReport> Compact(const std::string& table, bool dry_run) GL_EXCLUDES(mu_);
  // What retention drops now (dry_run), or drops it.
  Result<RetentionReport> ApplyRetention(bool dry_run) GL_EXCLUDES(mu_);
  const RetentionRules& retention_rules() const { return options_.retention; }

  // Validates and records an erasure request; it runs in the background.
  // InvalidArgument (with DuckDB's message and position) if the condition
  // does not parse or bind, or a table does not exist.
  Result<ErasureInfo> SubmitErasure(const std::vector<std::string>& tables,
                                    const std::string& where, const std::string& requested_by)
      GL_EXCLUDES(mu_);
  std::vector<ErasureInfo> Erasures() const;
  Result<ErasureInfo> Erasure(const std::string& id) const;
  // Waits until the request is done or failed for good, or timeout_us.
  Result<ErasureInfo> WaitForErasure(const std::string& id, int64_t timeout_us) GL_EXCLUDES(mu_);

 private:
  LakeMaintainer(const LakeMaintainerOptions& options, std::unique_ptr<Compactor> compactor,
                 std::unique_ptr<Eraser> eraser, std::unique_ptr<ErasureLog> log);
  void Loop() GL_EXCLUDES(mu_);
  // Runs `task` on the maintainer thread and waits for it.
  void RunOnThread(std::function<void()> task) GL_EXCLUDES(mu_);
  bool StopRequested() GL_EXCLUDES(mu_);
  // Waits up to us, returning early for Stop or a queued task.
  void Pause(int64_t us) GL_EXCLUDES(mu_);
  void Pass(bool* retention_due) GL_EXCLUDES(mu_);
  void RunErasures() GL_EXCLUDES(mu_);
  void RunErasure(const std::string& id) GL_EXCLUDES(mu_);
  Result<RetentionReport> DoRetention(bool dry_run) GL_EXCLUDES(mu_);
  Result<CompactionReport> DoCompaction(const std::string& table, bool dry_run, bool background)
      GL_EXCLUDES(mu_);
  // Runs sweep_store (if any) when due; logs a failure and keeps it due.
  void SweepStore();
  // Per table, the time before which retention drops partitions.
  int64_t RetentionCutoff(const std::string& table, int64_t now_us) const;

  const LakeMaintainerOptions options_;
  std::unique_ptr<Compactor> compactor_;
  std::unique_ptr<Eraser> eraser_;
  std::unique_ptr<ErasureLog> log_;
  Gauge* pending_jobs_ = nullptr;
  Counter* retention_files_ = nullptr;
  Counter* retention_bytes_ = nullptr;
  Counter* erased_rows_ = nullptr;
  Counter* erasure_failures_ = nullptr;

  Mutex mu_;
  CondVar cv_;  // Tasks, stop, erasure progress.
  std::deque<std::function<void()>> tasks_ GL_GUARDED_BY(mu_);
  bool stop_ GL_GUARDED_BY(mu_) = false;
  bool erasures_waiting_ GL_GUARDED_BY(mu_) = false;
  int64_t last_retention_us_ = 0;  // Maintainer thread only.
  bool sweep_due_ = true;          // Maintainer thread only.
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_LAKE_MAINTAINER_H_
