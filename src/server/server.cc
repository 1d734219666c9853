#include "server/server.h"

#include "common/civil_time.h"
#include "server/health_monitor.h"
#include "server/tls_certificates.h"

#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/authenticator.h"
#include "auth/dev_keys.h"
#include "auth/key_store.h"
#include "auth/rate_limiter.h"
#include "auth/sigv4.h"
#include "catalog/catalog.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "common/metrics.h"
#include "delivery/delivery_service.h"
#include "ingest/event_deduper.h"
#include "ingest/event_id_index.h"
#include "ingest/ingest_handler.h"
#include "lake/file_reclaimer.h"
#include "lake/lake_files.h"
#include "lake/lake_sink.h"
#include "lifecycle/lake_maintainer.h"
#include "log/wal.h"
#include "metrics/alarm_store.h"
#include "metrics/cloudwatch_service.h"
#include "metrics/dashboard_store.h"
#include "metrics/metric_store.h"
#include "metrics/pipeline_recorder.h"
#include "metrics/webhook_sender.h"
#include "query/live_tail.h"
#include "query/query_engine.h"
#include "server/analyses_api.h"
#include "server/analysis_store.h"
#include "server/apps_api.h"
#include "server/cloudwatch_api.h"
#include "server/console_api.h"
#include "server/demo_app.h"
#include "server/demo_console.h"
#include "server/demo_feed.h"
#include "server/firehose_api.h"
#include "server/generator_api.h"
#include "server/http_server.h"
#include "server/kpi_api.h"
#include "server/lake_api.h"
#include "server/lake_sink_factory.h"
#include "server/metrics_api.h"
#include "server/metrics_live.h"
#include "server/query_api.h"
#include "server/router.h"
#include "server/shared_lake.h"
#include "streaming/app_service.h"
#include "streaming/destination.h"
#include "streaming/source_reader.h"

namespace gamelake {
namespace {

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(const Config& config) : config_(config) {
    // --demo's players are in their own stream: the KPIs read it unless told otherwise.
    if (config_.demo && config_.kpi_stream == Config().kpi_stream) {
      config_.kpi_stream = std::string(kDemoSessionsStream);
    }
  }
  ~ServerImpl() override { (void)Shutdown(); }

  // Start-up, in the order data flows: the lake cleaned, the log
  // recovered, event ids rebuilt, the catalog crawled, delivery, SQL, the
  // lake's maintenance, then the front door.
  Status Init() {
    GL_RETURN_IF_ERROR(InitDataDir());
    GL_RETURN_IF_ERROR(InitLog());
    GL_RETURN_IF_ERROR(InitDedupe());
    GL_RETURN_IF_ERROR(InitCatalog());
    GL_RETURN_IF_ERROR(InitDelivery());
    GL_RETURN_IF_ERROR(InitSql());
    GL_RETURN_IF_ERROR(InitLifecycle());
    GL_RETURN_IF_ERROR(InitMetrics());
    InitIngest();
    GL_RETURN_IF_ERROR(InitStreaming());
    StartPipelineRecorder();
    return InitFrontDoor();
  }

  // The write path every ingest API shares (and applications' stream destinations).
  void InitIngest() {
    IngestOptions ingest = ingest_options_;
    ingest.stream_stats = &stream_stats_;
    ingest_ = std::make_unique<IngestHandler>(wal_.get(), &metrics_, std::move(ingest));
  }

  // The server's own metrics into its metrics store each second (after the
  // applications exist: it samples them too).
  void StartPipelineRecorder() {
    if (!config_.metrics_pipeline) return;
    PipelineRecorderOptions p;
    p.stats = &stream_stats_;
    p.store = metric_store_.get();
    DeliveryService* delivery = delivery_.get();
    p.oldest_undelivered_us = [delivery] { return delivery->OldestUndeliveredMicros(); };
    if (AppService* apps = app_service_.get()) p.apps = [apps] { return AppSamples(*apps); };
    pipeline_recorder_ = std::make_unique<PipelineRecorder>(std::move(p));
    pipeline_recorder_->Start();
  }

  // The running applications, as the pipeline recorder samples them.
  static std::vector<AppSample> AppSamples(const AppService& apps) {
    std::vector<AppSample> out;
    for (const AppDescription& d : apps.List()) {
      if (d.status.state != "RUNNING") continue;
      out.push_back({d.definition.name, d.status.run.records_in, d.status.run.rows_out,
                     d.status.run.error_rows, d.status.lag_seconds * 1000, d.status.lag_records,
                     d.status.run.state_bytes});
    }
    return out;
  }

  // Streaming SQL applications under <data>/apps: restored, the RUNNING ones
  // resumed from their checkpoints.
  Status InitStreaming() {
    if (!config_.streaming_enabled) return Status::OK();
    AppServiceOptions a;
    a.dir = config_.apps_dir();
    a.wal = wal_.get();
    a.max_apps = config_.streaming_max_apps;
    a.checkpoint_interval_ms = static_cast<int64_t>(config_.streaming_checkpoint_interval_ms);
    a.program.max_state_bytes = config_.streaming_max_state_bytes;
    a.program.allowed_lateness_ms = static_cast<int64_t>(config_.streaming_allowed_lateness_ms);
    a.metrics = &metrics_;
    a.open_source = [this](const std::string& stream, uint64_t from_seq) {
      SourceReaderOptions o;
      o.wal = wal_.get();
      o.lake_dir = config_.lake_dir();
      o.reclaimer = reclaimer_.get();  // Compaction cannot delete a file being read.
      o.stream = stream;
      o.after_seq = from_seq == 0 ? 0 : from_seq - 1;
      return SourceReader::Create(std::move(o));
    };
    a.make_destination = [this](const ApplicationDefinition& app, const DestinationSpec& spec) {
      return NewDestination(app, spec);
    };
    a.sample_records = [this](const std::string& stream, size_t n) {
      return SampleRecords(stream, n);
    };
    auto service = AppService::Open(std::move(a));
    if (!service.ok()) return service.status().WithContext("opening the streaming applications");
    app_service_ = std::move(service).value();
    apps_api_ = std::make_unique<AppsApi>(app_service_.get());
    if (config_.demo) GL_RETURN_IF_ERROR(InstallDemoApp(app_service_.get()));
    return Status::OK();
  }

  // The destination of `spec` for `app`. A stream destination's event ids
  // start with "<app>@<created µs>/": a new application of the same name
  // counts its ordinals from 0 again, and must not be taken for retries of
  // the old one's rows by ingest's deduplication.
  Result<std::unique_ptr<Destination>> NewDestination(const ApplicationDefinition& app,
                                                      const DestinationSpec& spec) {
    DestinationContext c;
    c.app = spec.kind == "stream" ? fmt::format("{}@{}", app.name, app.created_us) : app.name;
    c.metric_store = metric_store_.get();
    c.ingest = ingest_.get();
    c.event_id_field = config_.event_id_field;
    return MakeDestination(spec, c);
  }

  // The newest records of `stream` (at most n, newest last), for schema
  // discovery: the live tail's first (the records as sent), then the lake's
  // through the query engine when the tail holds fewer.
  Result<std::vector<std::string>> SampleRecords(const std::string& stream, size_t n) {
    std::vector<std::string> newest_first;
    uint64_t below_seq = UINT64_MAX;
    if (tail_) {
      tail_->CatchUp(200'000);
      std::shared_ptr<const TailPin> pin = tail_->Pin();
      if (auto it = pin->streams.find(stream); it != pin->streams.end()) {
        for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) {
          const TailChunk& chunk = **c;
          for (size_t i = chunk.seqs.size(); i-- > 0 && newest_first.size() < n;) {
            newest_first.emplace_back(
                chunk.text.substr(chunk.offsets[i], chunk.offsets[i + 1] - chunk.offsets[i]));
            below_seq = chunk.seqs[i];
          }
        }
      }
    }
    if (newest_first.size() < n && engine_) {
      GL_RETURN_IF_ERROR(SampleLake(stream, below_seq, n - newest_first.size(), &newest_first));
    }
    std::reverse(newest_first.begin(), newest_first.end());
    return newest_first;
  }

  // Appends up to n records of `stream` from the lake with seq < below_seq,
  // newest first, as JSON objects of their columns.
  Status SampleLake(const std::string& stream, uint64_t below_seq, size_t n,
                    std::vector<std::string>* out) {
    class Collect final : public ResultSink {
     public:
      explicit Collect(std::vector<std::string>* out) : out_(out) {}
      Status Begin(const std::vector<ResultColumn>&) override { return Status::OK(); }
      Status AddRow(std::span<const Cell> row) override {
        if (!row.empty() && !row[0].text.empty()) out_->emplace_back(row[0].text);
        return Status::OK();
      }
      Status Finish(const QueryStats&) override { return Status::OK(); }
      void Abort(const Status&) override {}

     private:
      std::vector<std::string>* out_;
    };
    QueryRequest q;
    q.user = "apps";
    q.sql = fmt::format(
        "SELECT CAST(to_json(t) AS VARCHAR) FROM (SELECT * EXCLUDE (_ingest_time, _record_id) "
        "FROM \"{}\" WHERE _record_id < {} ORDER BY _record_id DESC LIMIT {}) t",
        stream, below_seq == UINT64_MAX ? INT64_MAX : static_cast<int64_t>(below_seq), n);
    Collect sink(out);
    Result<QueryStats> r = engine_->Run(q, &sink);
    // A stream the lake does not hold (yet) has no records to sample.
    if (!r.ok() && r.status().code() != Status::Code::kInvalidArgument) return r.status();
    return Status::OK();
  }

  // Alarms under <data>/metrics/alarms, evaluated on their own thread, and the
  // webhook sender their actions go through.
  Status InitAlarms(const std::string& metrics_dir) {
    WebhookSenderOptions w;
    w.max_queue = config_.metrics_webhook_queue;
    w.attempts = static_cast<int>(config_.metrics_webhook_attempts);
    w.first_backoff_ms = static_cast<int64_t>(config_.metrics_webhook_first_backoff_s * 1000);
    w.http.io_timeout_ms = static_cast<int64_t>(config_.metrics_webhook_timeout_s * 1000);
    w.http.connect_timeout_ms = w.http.io_timeout_ms;
    // The sender outlives no alarm store: Stop() ends it first.
    webhooks_ = std::make_unique<WebhookSender>(
        w, [this](const WebhookNotification& n, const WebhookOutcome& o) {
          if (alarms_) alarms_->RecordAction(n, o);
        });
    AlarmStoreOptions a;
    a.dir = JoinPath(metrics_dir, "alarms");
    a.metrics = metric_store_.get();
    a.max_alarms = config_.metrics_max_alarms;
    a.evaluation_delay_s = static_cast<int64_t>(config_.metrics_alarm_evaluation_delay_s);
    a.notify = [sender = webhooks_.get()](WebhookNotification n) {
      return sender->Enqueue(std::move(n));
    };
    auto alarms = AlarmStore::Open(std::move(a));
    if (!alarms.ok()) return alarms.status().WithContext("opening the alarms");
    alarms_ = std::move(alarms).value();
    return Status::OK();
  }

  // The metrics store (CloudWatch's model) under <data>/metrics, and its APIs.
  Status InitMetrics() {
    if (!config_.metrics_enabled) return Status::OK();
    MetricStoreOptions m;
    m.dir = config_.metrics_dir();
    m.durability = config_.durable ? Durability::kFsync : Durability::kNone;
    m.max_series = config_.metrics_max_series;
    m.checkpoint_interval_s = static_cast<int64_t>(config_.metrics_checkpoint_interval_s);
    auto hours = [](double h) { return static_cast<int64_t>(h * 3600); };
    m.tiers = {{1, hours(config_.metrics_keep_1s_hours), 300},
               {60, hours(config_.metrics_keep_1m_days * 24), 60},
               {300, hours(config_.metrics_keep_5m_days * 24), 288},
               {3600, hours(config_.metrics_keep_1h_days * 24), 168}};
    auto store = MetricStore::Open(m);
    if (!store.ok()) return store.status().WithContext("opening the metrics store in " + m.dir);
    metric_store_ = std::move(store).value();
    auto dashboards = DashboardStore::Open(Env::Default(), JoinPath(m.dir, "dashboards"));
    if (!dashboards.ok()) return dashboards.status().WithContext("opening the dashboards");
    dashboards_ = std::move(dashboards).value();
    if (config_.demo && !dashboards_->Get(kLabDashboardName).ok()) {
      GL_RETURN_IF_ERROR(dashboards_->Put(kLabDashboardName, LabDashboardBody()));
      spdlog::info("msg=\"demo: installed the lab's dashboard\" dashboard={}", kLabDashboardName);
    }
    GL_RETURN_IF_ERROR(InitAlarms(m.dir));
    cloudwatch_service_ = std::make_unique<CloudWatchService>(
        metric_store_.get(), dashboards_.get(), Env::Default(), alarms_.get());
    metrics_api_ = std::make_unique<MetricsApi>(cloudwatch_service_.get(), Env::Default());
    metrics_live_ = std::make_unique<MetricsLive>(metric_store_.get(), Env::Default());
    MetricStore* ms = metric_store_.get();
    metrics_.AddCallbackGauge("gamelake_metric_series", "Series in the metrics store",
                              [ms] { return static_cast<double>(ms->series_count()); });
    metrics_.AddCallbackGauge("gamelake_metric_store_memory_bytes",
                              "Bytes the metrics store's series and chunks hold",
                              [ms] { return static_cast<double>(ms->stats().memory_bytes); });
    return Status::OK();
  }

  // The data dir, its lock, and what a crash may have left in the lake:
  // half-written files, and files a compaction or erasure replaced but did
  // not get to delete. Nothing reads the lake yet.
  Status InitDataDir() {
    Env* env = Env::Default();
    GL_RETURN_IF_ERROR(env->CreateDirs(config_.data_dir));
    GL_RETURN_IF_ERROR(env->CreateDirs(config_.lake_dir()));
    // One server per data dir: `gamelake crawl` and a second server check this.
    auto lock = FileLock::TryAcquire(JoinPath(config_.data_dir, "LOCK"));
    if (!lock.ok()) {
      return Status::Unavailable(
          fmt::format("another gamelake server is using the data dir {} ({})", config_.data_dir,
                      lock.status().message()));
    }
    data_dir_lock_.emplace(std::move(lock).value());
    auto leftovers = RemoveLeftovers(env, config_.lake_dir());
    if (!leftovers.ok()) return leftovers.status().WithContext("cleaning the lake");
    for (const std::string& path : leftovers->temporary) {
      spdlog::info("msg=\"removed a half-written lake file\" file=\"{}\"", path);
    }
    for (const std::string& path : leftovers->superseded) {
      spdlog::info("msg=\"removed a replaced lake file\" file=\"{}\"", path);
    }
    for (const std::string& path : leftovers->conflicts) {
      spdlog::error("msg=\"a lake file overlaps the record ids of another; left out\" file=\"{}\"",
                    path);
    }
    return Status::OK();
  }

  Status InitLog() {
    WalOptions wal_options;
    wal_options.dir = config_.log_dir();
    wal_options.durability = config_.durable ? Durability::kFsync : Durability::kNone;
    wal_options.segment_bytes = config_.segment_bytes;
    wal_options.commit_window_us = static_cast<int64_t>(config_.commit_window_us);
    wal_options.max_pending_bytes = config_.max_log_bytes;
    RecoveryReport report;
    auto wal = Wal::Open(wal_options, &report);
    if (!wal.ok()) return wal.status().WithContext("opening the log in " + wal_options.dir);
    wal_ = std::move(wal).value();
    spdlog::info(
        "msg=\"log recovered\" dir=\"{}\" segments={} records={} corrupt_entries={} "
        "corrupt_bytes={} torn_tail_bytes={}",
        wal_options.dir, report.segments, report.records, report.corrupt_entries,
        report.corrupt_bytes, report.torn_tail_bytes);
    metrics_
        .AddCounter("gamelake_log_corrupt_entries_total",
                    "Log entries skipped at recovery because their checksum failed")
        ->Add(report.corrupt_entries);
    metrics_
        .AddCounter("gamelake_log_torn_tail_bytes_total",
                    "Bytes cut from a torn log tail at recovery")
        ->Add(report.torn_tail_bytes);
    Wal* w = wal_.get();
    metrics_.AddCallbackGauge("gamelake_log_pending_bytes",
                              "Log bytes not yet delivered to the lake",
                              [w] { return static_cast<double>(w->pending_bytes()); });
    metrics_.AddCallbackGauge("gamelake_log_segments", "Log segment files",
                              [w] { return static_cast<double>(w->segment_count()); });
    metrics_.AddCallbackGauge("gamelake_log_fsyncs", "Group commits (fdatasync calls) so far",
                              [w] { return static_cast<double>(w->fsyncs()); });
    return Status::OK();
  }

  // Event ids for idempotent retries: rebuilt from the log, the event id
  // index and the lake before delivery starts moving records between them.
  Status InitDedupe() {
    ingest_options_.event_id_field = config_.event_id_field;
    ingest_options_.dead_letter_max_bytes = config_.dead_letter_max_bytes;
    if (config_.event_id_field.empty() || config_.dedupe_max_entries == 0) return Status::OK();
    EventDeduperOptions o;
    o.window_s = static_cast<int64_t>(config_.dedupe_window_s);
    o.max_entries = config_.dedupe_max_entries;
    o.metrics = &metrics_;
    deduper_ = std::make_unique<EventDeduper>(o);
    Status st =
        deduper_->Rebuild(wal_.get(), config_.lake_dir(), config_.id_index_dir(),
                          EventIdExtractor(config_.event_id_field), config_.duckdb_memory_limit);
    if (!st.ok()) return st.WithContext("rebuilding the event ids for deduplication");
    ingest_options_.deduper = deduper_.get();
    return Status::OK();
  }

  // The catalog: brought up to date with the lake before delivery adds to it.
  Status InitCatalog() {
    CatalogOptions catalog_options;
    catalog_options.dir = JoinPath(config_.data_dir, "catalog");
    catalog_options.lake_dir = config_.lake_dir();
    auto catalog = Catalog::Open(catalog_options);
    if (!catalog.ok()) return catalog.status().WithContext("opening the catalog");
    catalog_ = std::move(catalog).value();
    auto crawl = catalog_->Crawl(false);
    if (!crawl.ok()) return crawl.status().WithContext("reading the lake into the catalog");
    spdlog::info("msg=\"catalog ready\" tables={} files={} inspected={} bad_files={}",
                 crawl->tables.size(), crawl->files_seen, crawl->files_inspected,
                 crawl->bad_files.size());
    reclaimer_ = std::make_unique<FileReclaimer>(Env::Default(), config_.lake_dir());
    Catalog* cat = catalog_.get();
    metrics_.AddCallbackGauge("gamelake_lake_files", "Visible files in the lake's tables", [cat] {
      uint64_t n = 0;
      const auto snapshot = cat->Snapshot();  // A range-for over a temporary would free it.
      for (const auto& [name, t] : snapshot->tables) n += t->files.size();
      return static_cast<double>(n);
    });
    FileReclaimer* reclaimer = reclaimer_.get();
    metrics_.AddCallbackGauge(
        "gamelake_lake_replaced_files_pending",
        "Files compaction or erasure replaced, kept until the queries reading them end",
        [reclaimer] { return static_cast<double>(reclaimer->pending_files()); });
    return Status::OK();
  }

  Status InitDelivery() {
    DeliveryOptions d;
    d.lake_dir = config_.lake_dir();
    d.stream_stats = &stream_stats_;
    Catalog* cat = catalog_.get();
    d.on_file_delivered = [cat](const std::string& path) {
      Status s = cat->AddFile(path);
      if (!s.ok()) {
        spdlog::error("msg=\"catalog cannot add a delivered file\" file=\"{}\" error=\"{}\"", path,
                      s.ToString());
      }
    };
    d.staging_dir = config_.staging_dir();
    d.default_hints.size_bytes = config_.buffer_size_bytes;
    d.default_hints.interval_us = static_cast<int64_t>(config_.buffer_interval_s * 1e6);
    for (const auto& [name, st] : config_.streams) {
      BufferHints h = d.default_hints;
      if (st.buffer_size_bytes > 0) h.size_bytes = st.buffer_size_bytes;
      if (st.buffer_interval_s >= 0) {
        h.interval_us = static_cast<int64_t>(st.buffer_interval_s * 1e6);
      }
      d.stream_hints[name] = h;
    }
    const auto snapshot = catalog_->Snapshot();
    for (const auto& [name, table] : snapshot->tables) {
      for (const auto& column : table->columns) d.stream_columns[name].insert(column.name);
    }
    if (deduper_) {
      d.event_id_field = config_.event_id_field;
      d.id_index_dir = config_.id_index_dir();
    }
    d.duckdb_threads = config_.duckdb_threads;
    d.duckdb_memory_limit = config_.duckdb_memory_limit;
    d.metrics = &metrics_;
    d.node_id = config_.node_id;
    GL_ASSIGN_OR_RETURN(d.sink, MakeLakeSink(config_));
    auto delivery = DeliveryService::Start(wal_.get(), d);
    if (!delivery.ok()) return delivery.status().WithContext("starting delivery");
    delivery_ = std::move(delivery).value();
    return Status::OK();
  }

  // Compaction, retention and erasure, on the maintainer's thread.
  Status InitLifecycle() {
    LakeMaintainerOptions m;
    m.lake_dir = config_.lake_dir();
    m.temp_dir = JoinPath(config_.data_dir, "tmp/lifecycle");
    m.erasure_dir = config_.erasure_dir();
    m.catalog = catalog_.get();
    m.reclaimer = reclaimer_.get();
    m.metrics = &metrics_;
    m.interval_us = static_cast<int64_t>(config_.compaction_interval_s * 1e6);
    m.compaction_enabled = config_.compaction_enabled;
    m.erasure_refused = LakeErasureRefused(config_);
    GL_ASSIGN_OR_RETURN(store_upkeep_, MakeLakeStoreUpkeep(config_));
    if (LakeStoreUpkeep* upkeep = store_upkeep_.get()) {
      m.sink = upkeep->sink();
      m.sweep_store = [upkeep](const std::function<int64_t(const std::string&)>& cutoff_us) {
        return upkeep->Sweep(cutoff_us);
      };
    }
    m.compaction.target_file_bytes = config_.compaction_target_file_bytes;
    m.compaction.settle_us = static_cast<int64_t>(config_.compaction_settle_s * 1e6);
    m.compaction.open_hour_min_files = config_.compaction_open_hour_min_files;
    m.compaction.daily = config_.compaction_daily;
    m.compaction.daily_after_us = static_cast<int64_t>(config_.compaction_daily_after_s * 1e6);
    m.max_bytes_per_s = config_.compaction_max_bytes_per_s;
    m.duckdb_memory_limit = config_.compaction_memory_limit;
    m.nice = config_.compaction_nice;
    m.retention.default_days = static_cast<int64_t>(config_.retention_days);
    for (const auto& [stream, days] : config_.retention_stream_days) {
      m.retention.tables[stream] = static_cast<int64_t>(days);
    }
    m.retention_interval_us = static_cast<int64_t>(config_.retention_interval_s * 1e6);
    DeliveryService* delivery = delivery_.get();
    m.flush_delivery = [delivery] { return delivery->Flush(); };
    QueryEngine* engine = engine_.get();
    m.count_matching = [engine](const std::string& table, const std::string& where) {
      return CountRowsMatching(engine, table, where);
    };
    EventDeduper* deduper = deduper_.get();
    std::string index_dir = config_.id_index_dir();
    int64_t window_us = static_cast<int64_t>(config_.dedupe_window_s) * 1'000'000;
    m.on_retention = [deduper, index_dir, window_us](const std::map<std::string, int64_t>& cut) {
      if (deduper == nullptr) return;
      for (const auto& [stream, cutoff] : cut) deduper->SetHorizon(stream, cutoff);
      Result<size_t> pruned = EventIdIndex::Prune(Env::Default(), index_dir,
                                                  Env::Default()->NowMicros() - window_us, cut);
      if (!pruned.ok()) {
        spdlog::warn("msg=\"cannot prune the event id index\" error=\"{}\"",
                     pruned.status().ToString());
      }
    };
    auto maintainer = LakeMaintainer::Start(m);
    if (!maintainer.ok()) return maintainer.status().WithContext("starting the lake maintainer");
    maintainer_ = std::move(maintainer).value();
    lake_api_ = std::make_unique<LakeApi>(maintainer_.get());
    return Status::OK();
  }

  // The web console's files and, under --demo, the lab's view (and analysis).
  Status InitConsole() {
    if (!config_.console_enabled) return Status::OK();
    Env* env = Env::Default();
    ConsoleApi::Options c;
    c.dir = config_.console_dir;
    c.demo = config_.demo;
    c.loopback = IsLoopbackHost(config_.listen_host);
    if (config_.demo && c.loopback) {
      auto key = ReadDevAdminKey(env, config_.data_dir);
      if (key.ok()) c.demo_key = std::move(key).value();
    }
    auto console = ConsoleApi::Open(env, std::move(c));
    if (!console.ok()) return console.status().WithContext("loading the console (console.dir)");
    console_ = std::move(console).value();
    if (!console_->installed()) {
      spdlog::warn("msg=\"the web console is not installed\" console_dir=\"{}\"",
                   config_.console_dir);
    }
    if (config_.demo && catalog_) {
      GL_RETURN_IF_ERROR(InstallLabView(catalog_.get(), env->NowMicros()));
    }
    if (config_.demo && analyses_) {
      GL_RETURN_IF_ERROR(InstallLabAnalysis(*console_, analyses_.get()));
    }
    return Status::OK();
  }

  // The front door: keys, the write path, the Firehose API, routes, HTTP.
  Status InitFrontDoor() {
    Env* env = Env::Default();
    GL_RETURN_IF_ERROR(InitAuth());
    InitFirehose();
    GL_RETURN_IF_ERROR(InitConsoleApis());
    Router::Deps deps;
    deps.wal = wal_.get();
    deps.delivery = delivery_.get();
    deps.metrics = &metrics_;
    deps.ingest = ingest_.get();
    deps.auth = auth_.get();
    deps.limiter = limiter_.get();
    deps.keys = keys_.get();
    deps.firehose = firehose_.get();
    deps.query = query_api_.get();
    deps.kpis = kpi_api_.get();
    deps.lake = lake_api_.get();
    deps.metrics_api = metrics_api_.get();
    deps.metrics_live = metrics_live_.get();
    deps.apps = apps_api_.get();
    deps.analyses = analyses_api_.get();
    deps.generator = generator_api_.get();
    GL_RETURN_IF_ERROR(InitConsole());
    deps.console = console_.get();
    InitHealth();
    deps.health = health_.get();
    if (cloudwatch_service_) {
      cloudwatch_ = std::make_unique<CloudWatchApi>(AwsAuthentication(), cloudwatch_service_.get(),
                                                    Env::Default());
      deps.cloudwatch = cloudwatch_.get();
    }
    router_ = std::make_unique<Router>(config_, deps);
    HttpServerOptions h;
    h.host = config_.listen_host;
    h.port = config_.listen_port;
    h.threads =
        config_.threads > 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    h.max_body_bytes = config_.max_body_bytes;
    h.max_header_bytes = config_.max_header_bytes;
    h.idle_timeout_s = config_.idle_timeout_s;
    h.request_timeout_s = config_.request_timeout_s;
    h.max_connections = config_.max_connections;
    h.max_header_count = config_.max_header_count;
    GL_RETURN_IF_ERROR(InitTls(&h));
    h.on_refused = RefusalRecorder();
    Router* router = router_.get();
    auto http = HttpServer::Start(
        h,
        [router](HttpRequest&& req, Respond respond) {
          router->Handle(std::move(req), std::move(respond));
        },
        &metrics_);
    if (!http.ok()) return http.status();
    http_ = std::move(http).value();
    if (config_.demo) GL_RETURN_IF_ERROR(StartDemo());
    // Where `gamelake query` on this data dir finds the server: the plain
    // listener if there is one (no certificate to trust on the same host).
    std::string local_url = http_->plain_port() != 0
                                ? fmt::format("http://{}:{}", HostForUrl(config_.plain_listen_host),
                                              http_->plain_port())
                                : url();
    Status url_written =
        env->WriteFileAtomic(JoinPath(config_.data_dir, "server.url"), local_url + "\n");
    if (!url_written.ok())
      spdlog::warn("msg=\"cannot write server.url\" error=\"{}\"", url_written.ToString());
    spdlog::info("msg=\"listening\" url=\"{}\" data_dir=\"{}\" durability={}", url(),
                 config_.data_dir, config_.durable ? "fsync" : "none");
    if (http_->plain_port() != 0) {
      spdlog::info("msg=\"listening (plain HTTP beside TLS)\" url=\"{}\"", local_url);
    }
    return Status::OK();
  }

  // HTTPS when server.tls_cert_file is set: the certificates, reloaded on
  // SIGHUP and when the files change, and the plain listener beside it.
  // --demo: the lab's events into "events", and a month of simulated players
  // (then the same players, live) into kDemoSessionsStream for the KPIs. The
  // month is rendered once per data dir: kDemoHistoryMarker says it was.
  Status StartDemo() {
    demo_ = std::make_unique<DemoFeed>(wal_.get(), config_.demo_rate, stream_stats_.For("events"));
    spdlog::info(
        "msg=\"demo: generating the lab's template (builtin:lab) into the stream events\" "
        "rate={}",
        config_.demo_rate);
    if (config_.demo_sessions_rate == 0) return Status::OK();  // No simulated players at all.
    Env* env = Env::Default();
    auto players = std::make_unique<SessionSimulator>(std::random_device{}());
    StreamCounters* counters = stream_stats_.For(kDemoSessionsStream);
    const std::string marker = JoinPath(config_.data_dir, kDemoHistoryMarker);
    if (!env->FileExists(marker)) {
      DemoHistory history;
      history.end_us = env->NowMicros();
      GL_ASSIGN_OR_RETURN(uint64_t n, AppendDemoHistory(wal_.get(), kDemoSessionsStream,
                                                        players.get(), history, counters));
      GL_RETURN_IF_ERROR(env->WriteFileAtomic(marker, std::to_string(n) + "\n"));
      spdlog::info(
          "msg=\"demo: a month of simulated players (builtin:sessions) in the stream {}\" "
          "records={}",
          kDemoSessionsStream, n);
    }
    demo_players_ =
        std::make_unique<DemoFeed>(wal_.get(), config_.demo_sessions_rate, std::move(players),
                                   std::string(kDemoSessionsStream), counters);
    return Status::OK();
  }

  Status InitTls(HttpServerOptions* h) {
    if (config_.tls_cert_file.empty()) return Status::OK();
    TlsServerFiles files;
    files.cert_file = config_.tls_cert_file;
    files.key_file = config_.tls_key_file;
    files.client_ca_file = config_.tls_client_ca_file;
    GL_ASSIGN_OR_RETURN(files.client_certs, ParseClientCertMode(config_.tls_client_auth));
    auto certs = TlsCertificates::Load(files, config_.tls_reload_check_s, &metrics_);
    if (!certs.ok()) return certs.status().WithContext("starting HTTPS");
    tls_ = std::move(certs).value();
    TlsCertificates* tls = tls_.get();
    h->tls = [tls] { return tls->Current(); };
    h->plain_host = config_.plain_listen_host;
    h->plain_port = config_.plain_listen_port;
    return Status::OK();
  }

  // Requests refused before they were read (413, 431) are counted and kept
  // as a dead letter in _errors: their head, secrets redacted, no body.
  std::function<void(const HttpRefusal&)> RefusalRecorder() {
    IngestHandler* ingest = ingest_.get();
    Metrics* metrics = &metrics_;
    return [ingest, metrics](const HttpRefusal& r) {
      metrics
          ->AddCounter("gamelake_http_refused_total",
                       "Requests refused before their body or headers were read",
                       {{"code", r.code}})
          ->Add();
      ingest->DeadLetterBody(Router::StreamOfTarget(std::string_view(r.head->target().data(),
                                                                     r.head->target().size())),
                             "", r.code, r.message, RedactedHead(*r.head));
    };
  }

  static std::string HostForUrl(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
  }

  uint16_t port() const override { return http_ ? http_->port() : 0; }
  uint16_t plain_port() const override { return http_ ? http_->plain_port() : 0; }
  std::string url() const override {
    return fmt::format("{}://{}:{}", tls_ ? "https" : "http", HostForUrl(config_.listen_host),
                       port());
  }
  Status ReloadTls() override { return tls_ ? tls_->Reload() : Status::OK(); }

  // /v1/health and /v1/ready: what each check looks at and what it means
  // (docs/operations.md, "Health").
  void InitHealth() {
    health_ = std::make_unique<HealthMonitor>(Env::Default(), &metrics_);
    DeliveryService* delivery = delivery_.get();
    health_->AddCheck("delivery", [delivery]() -> std::optional<HealthFinding> {
      DeliveryStats d = delivery->stats();
      if (d.consecutive_failures == 0) return std::nullopt;
      return HealthFinding{HealthState::kDegraded,
                           fmt::format("lake delivery has failed {} times in a row and is "
                                       "retrying; records stay in the log until it succeeds: {}",
                                       d.consecutive_failures, d.last_error)};
    });
    health_->AddCheck(
        "disk",
        [dir = config_.data_dir,
         guard = config_.min_free_disk_bytes]() -> std::optional<HealthFinding> {
          Result<uint64_t> free_bytes = Env::Default()->FreeDiskBytes(dir);
          if (!free_bytes.ok()) {
            return HealthFinding{
                HealthState::kDegraded,
                "cannot read the data disk's free space: " + free_bytes.status().ToString()};
          }
          // Degraded within min(guard, 1 GiB) above the guard: writes stop soon.
          const uint64_t warn = guard + std::min<uint64_t>(guard, 1ull << 30);
          if (guard == 0 || *free_bytes >= warn) return std::nullopt;
          if (*free_bytes < guard) {
            return HealthFinding{
                HealthState::kFailing,
                fmt::format("the data disk has {} bytes free, under "
                            "log.min_free_disk_bytes ({}): writes are refused with "
                            "503 until space is freed",
                            *free_bytes, guard)};
          }
          return HealthFinding{HealthState::kDegraded,
                               fmt::format("the data disk has {} bytes free, close to "
                                           "log.min_free_disk_bytes ({}); writes stop at the guard",
                                           *free_bytes, guard)};
        });
    if (LiveTail* tail = tail_.get()) {
      health_->AddCheck(
          "sql_tail",
          [tail, max = config_.sql_tail_max_bytes, seen = uint64_t{0},
           grew_us = int64_t{0}]() mutable -> std::optional<HealthFinding> {
            // Full: near its bound, or it dropped records in the last 10 s.
            int64_t now = Env::Default()->MonotonicMicros();
            uint64_t dropped = tail->dropped_records();
            if (dropped != seen) {
              seen = dropped;
              grew_us = now;
            }
            bool recent = grew_us != 0 && now - grew_us < 10'000'000;
            if (!recent && tail->bytes() < max / 10 * 9) return std::nullopt;
            return HealthFinding{
                HealthState::kDegraded,
                fmt::format("the live tail is full (sql.tail_max_bytes = {}): SQL does not see the "
                            "oldest undelivered records ({} dropped from it so far) until they are "
                            "delivered; nothing is lost",
                            max, dropped)};
          });
    }
    if (SharedLake* lake = shared_lake_.get()) {
      health_->AddCheck("shared_lake", [lake]() -> std::optional<HealthFinding> {
        SharedLakeStatus s = lake->status();
        if (s.consecutive_failures < 3) return std::nullopt;
        return HealthFinding{HealthState::kDegraded,
                             fmt::format("listing the shared lake has failed {} times in a row: "
                                         "SQL does not see other nodes' newest files until it "
                                         "succeeds: {}",
                                         s.consecutive_failures, s.last_error)};
      });
    }
    if (AppService* apps = app_service_.get()) {
      health_->AddCheck("streaming_apps", [apps]() -> std::optional<HealthFinding> {
        std::string failed;
        for (const AppDescription& a : apps->List()) {
          if (a.status.state != "FAILED") continue;
          failed += fmt::format("{}{} ({})", failed.empty() ? "" : "; ", a.definition.name,
                                a.status.last_error);
        }
        if (failed.empty()) return std::nullopt;
        return HealthFinding{HealthState::kDegraded,
                             "streaming applications stopped on an error: " + failed};
      });
    }
    {
      // tls_ is set after this (with the listener) and before serving.
      health_->AddCheck("tls", [this]() -> std::optional<HealthFinding> {
        TlsCertificates* tls = tls_.get();
        if (tls == nullptr) return std::nullopt;
        const int64_t not_after_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                         tls->not_after().time_since_epoch())
                                         .count();
        const int64_t left_us = not_after_us - Env::Default()->NowMicros();
        const std::string expiry = FormatUtcMicros(not_after_us);
        if (left_us <= 0) {
          return HealthFinding{HealthState::kFailing,
                               "the TLS certificate expired at " + expiry +
                                   ": clients refuse to connect; install a new one (reloaded "
                                   "on SIGHUP or within server.tls_reload_check_s)"};
        }
        if (std::string error = tls->last_error(); !error.empty()) {
          return HealthFinding{HealthState::kDegraded,
                               "the new TLS certificate was refused, the previous one keeps "
                               "serving: " +
                                   error};
        }
        if (left_us < 7ll * 86400 * 1'000'000) {
          return HealthFinding{HealthState::kDegraded,
                               "the TLS certificate expires at " + expiry + "; renew it"};
        }
        return std::nullopt;
      });
    }
  }

  // What the web console saves and runs: analyses under <data>/console/analyses
  // (analysis_store.md) and generator jobs into the log.
  Status InitConsoleApis() {
    auto store =
        AnalysisStore::Open(Env::Default(), JoinPath(config_.data_dir, "console/analyses"));
    if (!store.ok()) return store.status().WithContext("opening the console's analyses");
    analyses_ = std::move(store).value();
    analyses_api_ = std::make_unique<AnalysesApi>(analyses_.get());
    generator_api_ = std::make_unique<GeneratorApi>(
        wal_.get(), [this](std::string_view stream) { return stream_stats_.For(stream); });
    return Status::OK();
  }

  // SQL: the live tail of the log, the query engine over catalog and tail,
  // and its HTTP endpoints. Views follow the catalog and the tail's schemas.
  Status InitSql() {
    std::map<std::string, uint64_t> delivered;
    const auto snapshot = catalog_->Snapshot();
    for (const auto& [name, table] : snapshot->tables) {
      delivered[name] = table->delivered_seq();
    }
    LiveTailOptions tail_options;
    tail_options.max_bytes = config_.sql_tail_max_bytes;
    tail_options.on_schema_change = [this] {
      if (QueryEngine* e = engine_ptr_.load()) e->RefreshSoon();
    };
    // sql.tail_max_bytes = 0: no live tail; SQL reads the delivered files only.
    if (config_.sql_tail_max_bytes > 0) {
      tail_ = std::make_unique<LiveTail>(wal_.get(), delivered, tail_options);
    }
    QueryEngineOptions q;
    q.temp_dir = JoinPath(config_.data_dir, "tmp/sql");
    q.threads = config_.sql_threads;
    q.memory_limit = config_.sql_memory_limit;
    q.timeout_s = config_.sql_query_timeout_s;
    q.max_concurrent = config_.sql_max_concurrent_queries;
    q.parquet_metadata_cache = config_.sql_parquet_metadata_cache;
    q.history_path = JoinPath(config_.data_dir, "catalog/query_history.ndjson");
    q.reclaimer = reclaimer_.get();
    GL_RETURN_IF_ERROR(InitSharedLake());
    if (SharedLake* lake = shared_lake_.get()) {
      q.remote_files = lake->files();
      q.resync_remote_files = [lake] { return lake->Resync(); };
    }
    auto engine = QueryEngine::Open(catalog_.get(), tail_.get(), q);
    if (!engine.ok()) return engine.status().WithContext("starting the SQL engine");
    engine_ = std::move(engine).value();
    engine_ptr_.store(engine_.get());
    QueryEngine* e = engine_.get();
    catalog_->SetListener([e](uint64_t) { e->RefreshSoon(); });
    query_api_ =
        std::make_unique<QueryApi>(engine_.get(), catalog_.get(),
                                   config_.sql_max_concurrent_queries, 64, stream_stats_.queries());
    GL_ASSIGN_OR_RETURN(KpiSettings kpi_settings, KpiSettingsOf(config_));
    kpi_catalog_ = std::make_unique<KpiCatalog>(std::move(kpi_settings));
    kpi_api_ = std::make_unique<KpiApi>(engine_.get(), kpi_catalog_.get(),
                                        config_.sql_max_concurrent_queries, 64);
    // Other nodes' files reach the catalog (and, through its listener, SQL).
    if (shared_lake_) shared_lake_->Start();
    LiveTail* tail = tail_.get();
    if (tail == nullptr) return Status::OK();
    metrics_.AddCallbackGauge("gamelake_sql_tail_records",
                              "Acknowledged records not yet delivered, held for SQL",
                              [tail] { return static_cast<double>(tail->records()); });
    metrics_.AddCallbackGauge(
        "gamelake_sql_tail_dropped_records",
        "Records dropped from the SQL tail because it reached sql.tail_max_bytes",
        [tail] { return static_cast<double>(tail->dropped_records()); });
    return Status::OK();
  }

  // A lake shared with other nodes (shared_lake.h): the cache of their files
  // and the lister, whose thread starts once SQL follows the catalog.
  Status InitSharedLake() {
    auto shared = MakeSharedLake(config_, catalog_.get());
    if (!shared.ok()) return shared.status().WithContext("opening the shared lake");
    shared_lake_ = std::move(shared).value();
    if (!shared_lake_) return Status::OK();
    SharedLake* lake = shared_lake_.get();
    auto gauge = [&](const char* name, const char* help, auto field) {
      metrics_.AddCallbackGauge(
          name, help, [lake, field] { return static_cast<double>(lake->status().*field); });
    };
    gauge("gamelake_shared_lake_listings", "Listings of the shared lake that succeeded",
          &SharedLakeStatus::listings);
    gauge("gamelake_shared_lake_listing_failures",
          "Listings of the shared lake that failed (or could not fetch a new file)",
          &SharedLakeStatus::listing_failures);
    gauge("gamelake_shared_lake_remote_files_added", "Other nodes' files added to the catalog",
          &SharedLakeStatus::files_added);
    gauge("gamelake_shared_lake_cache_bytes", "Bytes of other nodes' files in the local cache",
          &SharedLakeStatus::cache_bytes);
    gauge("gamelake_shared_lake_cache_downloads", "Other nodes' files downloaded into the cache",
          &SharedLakeStatus::cache_downloads);
    gauge("gamelake_shared_lake_cache_evictions", "Copies evicted from the cache (LRU)",
          &SharedLakeStatus::cache_evictions);
    return Status::OK();
  }

  // API keys: the key store in <data>/keys, dev keys on first start (and
  // printed again with --demo), the authenticator and the rate limiter.
  Status InitAuth() {
    RateLimiter::Options limits;
    limits.defaults.records_per_s = config_.rate_records_per_s;
    limits.defaults.bytes_per_s = config_.rate_bytes_per_s;
    limiter_ = std::make_unique<RateLimiter>(limits);
    if (!config_.auth_enabled) {
      spdlog::warn(
          "msg=\"AUTH IS DISABLED (auth.enabled = false): every request is accepted as admin, "
          "with no API key. Use this only for local development.\"");
      auth_ = std::make_unique<Authenticator>(nullptr, false);
      return Status::OK();
    }
    auto keys = KeyStore::Open(Env::Default(), JoinPath(config_.data_dir, "keys"));
    if (!keys.ok()) return keys.status().WithContext("opening the API key store");
    keys_ = std::move(keys).value();
    GL_RETURN_IF_ERROR(EnsureDevKeys(keys_.get(), config_.data_dir, config_.demo));
    auth_ = std::make_unique<Authenticator>(keys_.get(), true);
    return Status::OK();
  }

  // SigV4 with gamelake keys (access key id = key id, secret = the key's
  // secret), for the Firehose and CloudWatch APIs; one replay guard for both.
  AwsAuthenticate AwsAuthentication() {
    if (!keys_) {
      return [](const HttpRequest&) -> Result<AwsPrincipal> {
        AwsPrincipal fp;
        fp.key_id = std::string(Authenticator::kAnonymous);
        fp.admin = true;  // Auth is off: everything is allowed.
        fp.put_metrics = fp.read_metrics = true;
        return fp;
      };
    }
    KeyStore* keys = keys_.get();
    if (!sigv4_) {
      sigv4_ = std::make_unique<SigV4Verifier>(
          [keys](std::string_view id) { return keys->SigningSecret(id); });
    }
    SigV4Verifier* verifier = sigv4_.get();
    RateLimiter* limiter = limiter_.get();
    return [keys, verifier, limiter](const HttpRequest& req) -> Result<AwsPrincipal> {
      SigV4Request r;
      r.method = std::string_view(req.method_string().data(), req.method_string().size());
      r.target = std::string_view(req.target().data(), req.target().size());
      for (const auto& f : req) {
        r.headers.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                               std::string_view(f.value().data(), f.value().size()));
      }
      r.body = req.body();
      GL_ASSIGN_OR_RETURN(SigV4Identity id, verifier->Verify(r));
      Result<Principal> p = keys->Lookup(id.access_key_id);
      if (!p.ok()) {
        return Status::NotFound(
            "UnrecognizedClientException: The security token included in the request is "
            "invalid.");
      }
      AwsPrincipal fp;
      fp.key_id = id.access_key_id;
      fp.admin = p->IsAdmin();
      fp.put_metrics = p->CanPutMetrics();
      fp.read_metrics = p->CanReadMetrics();
      fp.region = id.region;
      fp.can_write = [principal = *p](std::string_view stream) {
        return principal.CanIngest(stream);
      };
      fp.forget_request = [verifier, sig = id.signature] { verifier->Forget(sig); };
      fp.admit = [limiter, principal = *p](uint64_t records, uint64_t bytes) -> int64_t {
        RateLimiter::Decision d =
            limiter->Admit(principal, records, bytes, Env::Default()->NowMicros());
        return d.ok ? 0 : std::max<int64_t>(1, d.retry_after_seconds);
      };
      return fp;
    };
  }

  // The Firehose API, writing through the shared IngestHandler.
  void InitFirehose() {
    FirehoseApi::Authenticate authenticate = AwsAuthentication();
    ParserLimits limits;
    limits.max_decoded_body_bytes = config_.max_decoded_body_bytes;
    limits.max_record_bytes = config_.max_record_bytes;
    limits.max_records = config_.max_records_per_request;
    limits.max_depth = config_.max_json_depth;
    limits.max_keys = config_.max_record_keys;
    std::string lake = config_.lake_dir();
    // The streams that exist: in the lake, stored in the log since start, or
    // declared in the config (delivery.streams.<name>.*).
    std::vector<std::string> declared;
    for (const auto& [name, settings] : config_.streams) declared.push_back(name);
    StreamStats* stats = &stream_stats_;
    firehose_ = std::make_unique<FirehoseApi>(
        authenticate, ingest_.get(), limits, [lake, declared, stats]() {
          std::vector<std::string> out = declared;
          auto names = Env::Default()->ListDir(lake);
          if (names.ok()) {
            for (std::string& n : *names) {
              if (ValidateStreamName(n).ok()) out.push_back(std::move(n));
            }
          }
          stats->ForEach([&](const std::string& name, const StreamCounters& c) {
            if (c.incoming_records.value() > 0) out.push_back(name);
          });
          return out;
        });
    firehose_->set_unknown_streams_active(config_.firehose_unknown_streams_active);
  }

  Status Shutdown() override {
    if (shut_down_) return Status::OK();
    shut_down_ = true;
    if (health_) health_->SetDraining();  // /v1/ready answers 503 from now on.
    Status result;
    // Running queries are cancelled first, so their answers go out promptly.
    if (query_api_) query_api_->Stop();
    if (kpi_api_) kpi_api_->Stop();
    if (metrics_live_) metrics_live_->Stop();  // Live streams end, so HTTP can drain.
    if (apps_api_) apps_api_->Stop();
    if (http_) {
      spdlog::info("msg=\"shutting down: answering requests in flight\"");
      http_->Shutdown(10);
    }
    // Applications stop (each checkpoints) while what their destinations
    // write into (the metrics store, the log) is still open.
    if (app_service_) app_service_->Shutdown();
    if (lake_api_) lake_api_->Stop();
    if (analyses_api_) analyses_api_->Stop();
    if (metrics_api_) metrics_api_->Stop();
    if (cloudwatch_) cloudwatch_->Stop();
    if (pipeline_recorder_) pipeline_recorder_->Stop();
    if (alarms_) alarms_->Stop();      // No more evaluations (they read the store)...
    if (webhooks_) webhooks_->Stop();  // ...nor deliveries; then the store closes.
    if (metric_store_) {
      Status s = metric_store_->Close();
      if (!s.ok()) spdlog::error("msg=\"closing the metrics store\" error=\"{}\"", s.ToString());
    }
    if (maintainer_) maintainer_->Stop();
    if (demo_) demo_->Stop();
    if (demo_players_) demo_players_->Stop();
    if (generator_api_) generator_api_->Stop();  // Its jobs write into the log.
    if (delivery_) {
      spdlog::info("msg=\"shutting down: delivering buffered records\"");
      Status s = delivery_->Stop();
      if (!s.ok()) {
        spdlog::error("msg=\"delivery did not finish\" error=\"{}\"", s.ToString());
        result = s;
      }
    }
    if (data_dir_lock_) (void)Env::Default()->RemoveFile(JoinPath(config_.data_dir, "server.url"));
    if (catalog_) catalog_->SetListener(nullptr);
    engine_ptr_.store(nullptr);
    if (shared_lake_) shared_lake_->Stop();  // No more catalog changes from the lister.
    if (tail_) tail_->Stop();
    engine_.reset();
    if (wal_) {
      Status s = wal_->Close();
      if (!s.ok() && result.ok()) result = s;
    }
    spdlog::info("msg=\"stopped\"");
    return result;
  }

 private:
  Config config_;
  Metrics metrics_;
  StreamStats stream_stats_;  // The pipeline's per-stream counts (and the query engine's).
  std::optional<FileLock> data_dir_lock_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<Catalog> catalog_;
  // Null unless the lake is shared (shared_lake.h); outlives the engine.
  std::unique_ptr<SharedLake> shared_lake_;
  std::unique_ptr<LiveTail> tail_;
  std::unique_ptr<QueryEngine> engine_;
  std::atomic<QueryEngine*> engine_ptr_{nullptr};  // For the tail's listener thread.
  std::unique_ptr<QueryApi> query_api_;
  std::unique_ptr<KpiCatalog> kpi_catalog_;
  std::unique_ptr<KpiApi> kpi_api_;
  std::unique_ptr<EventDeduper> deduper_;  // Null when deduplication is off.
  IngestOptions ingest_options_;
  std::unique_ptr<FileReclaimer> reclaimer_;       // Files replaced, kept while queries read them.
  std::unique_ptr<LakeStoreUpkeep> store_upkeep_;  // An S3 lake's; outlives the maintainer.
  std::unique_ptr<LakeMaintainer> maintainer_;
  std::unique_ptr<LakeApi> lake_api_;
  std::unique_ptr<MetricStore> metric_store_;  // Null when metrics.enabled is false.
  std::unique_ptr<DashboardStore> dashboards_;
  std::unique_ptr<WebhookSender> webhooks_;  // Before alarms_: destroyed after it.
  std::unique_ptr<AlarmStore> alarms_;
  std::unique_ptr<CloudWatchService> cloudwatch_service_;
  std::unique_ptr<MetricsApi> metrics_api_;
  std::unique_ptr<MetricsLive> metrics_live_;
  std::unique_ptr<PipelineRecorder> pipeline_recorder_;  // Null unless metrics.pipeline.
  std::unique_ptr<CloudWatchApi> cloudwatch_;
  // Streaming applications; null when streaming.enabled is false. Stopped
  // in Shutdown before the metrics store and the log close.
  std::unique_ptr<AppService> app_service_;
  std::unique_ptr<AppsApi> apps_api_;
  std::unique_ptr<DeliveryService> delivery_;
  std::unique_ptr<KeyStore> keys_;  // Null when auth is disabled.
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<SigV4Verifier> sigv4_;
  // Owned here, shared by the native and the Firehose API; must outlive the
  // log's callbacks, so the log is closed (in Shutdown) before it goes.
  std::unique_ptr<IngestHandler> ingest_;
  std::unique_ptr<FirehoseApi> firehose_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HealthMonitor> health_;
  std::unique_ptr<TlsCertificates> tls_;  // Outlives http_, whose connections use it.
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<DemoFeed> demo_;
  std::unique_ptr<DemoFeed> demo_players_;  // builtin:sessions into kDemoSessionsStream.
  std::unique_ptr<ConsoleApi> console_;
  // The console's APIs (analyses_api.h, generator_api.h); generator jobs are
  // stopped in Shutdown, before the log closes.
  std::unique_ptr<AnalysisStore> analyses_;
  std::unique_ptr<AnalysesApi> analyses_api_;
  std::unique_ptr<GeneratorApi> generator_api_;
  bool shut_down_ = false;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const Config& config) {
  GL_RETURN_IF_ERROR(ValidateConfig(config));
  auto server = std::make_unique<ServerImpl>(config);
  GL_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace gamelake
