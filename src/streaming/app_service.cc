#include "streaming/app_service.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/stream_name.h"

namespace gamelake {
namespace {

constexpr char kDefinitionFile[] = "definition.json";
// Deleted applications' directories are renamed to "~deleted~<name>~<us>"
// first ('~' is not allowed in a name), so a crash mid-delete never leaves a
// half-deleted application that would be restored.
constexpr std::string_view kTrashPrefix = "~deleted~";
constexpr int64_t kMonitorIntervalMs = 1000;

// The parts of a definition its window state depends on.
bool SameCode(const ApplicationDefinition& a, const ApplicationDefinition& b) {
  return a.sql == b.sql && a.rowtime_field == b.rowtime_field &&
         SameInputSchema(a.input_schema, b.input_schema);
}

// The error stream as the last of an application's streams.
InAppStream ErrorStream() { return InAppStream{kErrorStreamName, ErrorStreamSchema()}; }

}  // namespace

AppService::AppService(AppServiceOptions options) : options_(std::move(options)) {}

AppService::~AppService() { Shutdown(); }

Result<std::unique_ptr<AppService>> AppService::Open(AppServiceOptions options) {
  if (options.wal == nullptr || !options.open_source || !options.make_destination ||
      !options.sample_records) {
    return Status::InvalidArgument("AppService needs a log, a source, destinations and a sampler");
  }
  std::unique_ptr<AppService> s(new AppService(std::move(options)));
  GL_RETURN_IF_ERROR(s->options_.env->CreateDirs(s->options_.dir));
  GL_RETURN_IF_ERROR(s->Restore());
  s->monitor_ = std::thread([p = s.get()] { p->Monitor(); });
  return s;
}

std::string AppService::AppDir(std::string_view name) const { return JoinPath(options_.dir, name); }

Status AppService::Restore() {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, options_.env->ListDir(options_.dir));
  MutexLock ops(&ops_mu_);
  for (const std::string& name : names) {
    if (name.starts_with(kTrashPrefix)) {
      Status s = RemoveAppDir(name);
      if (!s.ok()) spdlog::warn("msg=\"cannot remove a deleted app\" error=\"{}\"", s.ToString());
      continue;
    }
    if (!ValidateAppName(name).ok()) continue;
    Status s = RestoreOne(name);
    if (!s.ok()) {
      // One damaged application must not keep the server down: it is left
      // out (its name stays taken until its directory is repaired or removed).
      spdlog::error("msg=\"streaming application not restored\" app={} error=\"{}\"", name,
                    s.ToString());
    }
  }
  return Status::OK();
}

Status AppService::RestoreOne(const std::string& name) {
  const std::string path = JoinPath(AppDir(name), kDefinitionFile);
  GL_ASSIGN_OR_RETURN(std::string text, options_.env->ReadFile(path));
  Result<ApplicationDefinition> def = ParseApplicationDefinition(text);
  if (!def.ok()) return def.status().WithContext(path);
  if (def->name != name) {
    return Status::Corruption(fmt::format("{} names the application '{}'", path, def->name));
  }
  auto entry = std::make_shared<Entry>();
  entry->definition = std::move(def).value();
  RegisterGauges(entry.get());
  {
    MutexLock l(&mu_);
    apps_[name] = entry;
  }
  if (entry->definition.desired_state == DesiredState::kRunning) {
    Status s = StartRunner(entry.get());  // A failure shows as FAILED with its error.
    spdlog::info("msg=\"streaming application restored\" app={} state={} error=\"{}\"", name,
                 s.ok() ? "RUNNING" : "FAILED", s.ok() ? "" : s.ToString());
  }
  return Status::OK();
}

void AppService::RegisterGauges(Entry* entry) {
  if (options_.metrics == nullptr) return;
  Metrics::Labels labels = {{"app", entry->definition.name}};
  entry->lag_records = options_.metrics->AddGauge(
      "gamelake_app_lag_records",
      "Log records a streaming application has not yet read and delivered", labels);
  entry->lag_seconds = options_.metrics->AddGauge(
      "gamelake_app_lag_seconds",
      "Age of the newest record a streaming application has processed and delivered", labels);
  entry->state_bytes = options_.metrics->AddGauge(
      "gamelake_app_state_bytes", "Bytes of a streaming application's window state", labels);
}

Status AppService::WriteDefinition(const ApplicationDefinition& def) {
  const std::string dir = AppDir(def.name);
  GL_RETURN_IF_ERROR(options_.env->CreateDirs(dir));
  GL_RETURN_IF_ERROR(options_.env->WriteFileAtomic(JoinPath(dir, kDefinitionFile),
                                                   ApplicationDefinitionToJson(def)));
  return options_.env->SyncDir(options_.dir);  // The application's directory entry too.
}

Result<std::vector<InAppStream>> AppService::Check(const ApplicationDefinition& def) const {
  GL_ASSIGN_OR_RETURN(ProgramOptions options, ProgramOptionsFor(def));
  GL_ASSIGN_OR_RETURN(
      auto program, StreamingProgram::Compile(def.sql, def.input_schema.ToStreamSchema(), options));
  std::vector<InAppStream> streams = program->streams();
  for (size_t i = 0; i < def.destinations.size(); ++i) {
    const DestinationSpec& d = def.destinations[i];
    if (d.stream != kErrorStreamName && program->FindStream(d.stream) < 0) {
      std::string names;
      for (const InAppStream& s : streams) names += (names.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument(
          fmt::format("destinations[{}]: the code creates no stream \"{}\" (it creates: {}; and "
                      "error_stream)",
                      i, d.stream, names.empty() ? "none" : names));
    }
    if (d.kind == "stream" && d.target == def.source) {
      return Status::InvalidArgument(fmt::format(
          "destinations[{}]: stream:{} is the application's own source (a loop)", i, d.target));
    }
    GL_RETURN_IF_ERROR(CheckDestination(def, i, *program));
  }
  GL_RETURN_IF_ERROR(CheckNoLoop(def));
  streams.push_back(ErrorStream());
  return streams;
}

Status AppService::CheckDestination(const ApplicationDefinition& def, size_t i,
                                    const StreamingProgram& program) const {
  const DestinationSpec& d = def.destinations[i];
  auto context = [&](Status s) {
    return s.WithContext(fmt::format("destinations[{}] ({})", i, FormatDestinationSpec(d)));
  };
  Result<std::unique_ptr<Destination>> destination = options_.make_destination(def, d);
  if (!destination.ok()) return context(destination.status());
  // An empty batch sends nothing; it checks the stream's columns (destination.h).
  const StreamSchema schema = d.stream == kErrorStreamName
                                  ? ErrorStreamSchema()
                                  : program.streams()[program.FindStream(d.stream)].schema;
  std::vector<FailedRow> failed;
  Status s = (*destination)->Deliver(schema, {}, &failed);
  return s.code() == Status::Code::kInvalidArgument ? context(s) : Status::OK();
}

Result<ProgramOptions> AppService::ProgramOptionsFor(const ApplicationDefinition& def) const {
  ProgramOptions options = options_.program;
  for (size_t i = 0; i < def.reference_data.size(); ++i) {
    const ReferenceData& r = def.reference_data[i];
    Result<ReferenceTable> table = ParseReferenceCsv(r.name, r.csv);
    if (!table.ok()) {
      return Status::InvalidArgument(
          fmt::format("reference_data[{}] (\"{}\"): {}", i, r.name, table.status().message()));
    }
    options.reference_tables.push_back(std::make_shared<ReferenceTable>(std::move(table).value()));
  }
  return options;
}

Status AppService::CheckNoLoop(const ApplicationDefinition& def) const {
  // Streams feed streams through applications: source -> each stream destination.
  std::map<std::string, std::set<std::string>> edges;
  auto add = [&edges](const ApplicationDefinition& d) {
    for (const DestinationSpec& spec : d.destinations) {
      if (spec.kind == "stream") edges[d.source].insert(spec.target);
    }
  };
  {
    MutexLock l(&mu_);
    for (const auto& [name, entry] : apps_) {
      if (name != def.name) add(entry->definition);
    }
  }
  add(def);
  // A depth-first walk from the application's source; reaching it again is a loop.
  std::vector<std::pair<std::string, std::string>> stack;  // (stream, path so far)
  std::set<std::string> seen;
  stack.emplace_back(def.source, def.source);
  while (!stack.empty()) {
    auto [stream, path] = stack.back();
    stack.pop_back();
    for (const std::string& next : edges[stream]) {
      std::string next_path = path + " -> " + next;
      if (next == def.source) {
        return Status::InvalidArgument(fmt::format(
            "the stream destinations of the applications would form a loop: {}", next_path));
      }
      if (seen.insert(next).second) stack.emplace_back(next, next_path);
    }
  }
  return Status::OK();
}

Result<InputSchema> AppService::DiscoverSchema(const std::string& source) const {
  GL_ASSIGN_OR_RETURN(Discovery d, Discover(source, kDiscoverySample));
  return d.schema;
}

Result<Discovery> AppService::Discover(const std::string& source, size_t sample) const {
  if (Status s = ValidateStreamName(source); !s.ok()) return s.WithContext("source");
  sample = std::clamp<size_t>(sample, 1, 10'000);
  GL_ASSIGN_OR_RETURN(std::vector<std::string> records, options_.sample_records(source, sample));
  Result<InputSchema> schema = DiscoverInputSchema(records);
  if (!schema.ok()) {
    return Status::InvalidArgument(fmt::format(
        "cannot discover the input schema of stream '{}' from {} recent records ({}); send "
        "records to it first, or give the schema",
        source, records.size(), schema.status().message()));
  }
  Discovery d;
  d.schema = std::move(schema).value();
  d.sample = std::move(records);
  return d;
}

Result<AppDescription> AppService::Create(const AppSpec& spec) {
  GL_RETURN_IF_ERROR(ValidateAppName(spec.name));
  if (!spec.source) return Status::InvalidArgument("source: is required");
  if (!spec.sql) return Status::InvalidArgument("sql: is required");
  if (Status s = ValidateStreamName(*spec.source); !s.ok()) return s.WithContext("source");
  MutexLock ops(&ops_mu_);
  GL_RETURN_IF_ERROR(CheckOpen());
  {
    MutexLock l(&mu_);
    if (apps_.contains(spec.name) || options_.env->FileExists(AppDir(spec.name))) {
      return Status::AlreadyExists(fmt::format("an application named '{}' exists", spec.name));
    }
    if (apps_.size() >= options_.max_apps) {
      return Status::ResourceExhausted(fmt::format(
          "too many apps: {} exist, streaming.max_apps is {}", apps_.size(), options_.max_apps));
    }
  }
  ApplicationDefinition def;
  def.name = spec.name;
  def.source = *spec.source;
  def.sql = *spec.sql;
  if (spec.input_schema) {
    def.input_schema = *spec.input_schema;
  } else {
    GL_ASSIGN_OR_RETURN(def.input_schema, DiscoverSchema(def.source));
  }
  def.start_position = spec.start_position.value_or(StartPosition::kNow);
  def.rowtime_field = spec.rowtime_field.value_or("");
  def.destinations = spec.destinations.value_or(std::vector<DestinationSpec>{});
  def.reference_data = spec.reference_data.value_or(std::vector<ReferenceData>{});
  def.desired_state = spec.start ? DesiredState::kRunning : DesiredState::kReady;
  def.created_us = def.updated_us = options_.env->NowMicros();
  GL_RETURN_IF_ERROR(Check(def).status());
  GL_RETURN_IF_ERROR(WriteDefinition(def));
  auto entry = std::make_shared<Entry>();
  entry->definition = def;
  RegisterGauges(entry.get());
  {
    MutexLock l(&mu_);
    apps_[def.name] = entry;
  }
  spdlog::info("msg=\"streaming application created\" app={} source={} version={}", def.name,
               def.source, def.version);
  if (spec.start) (void)StartRunner(entry.get());  // A failure shows as FAILED.
  return Describe(def.name);
}

Result<AppDescription> AppService::Update(const AppSpec& spec) {
  MutexLock ops(&ops_mu_);
  GL_RETURN_IF_ERROR(CheckOpen());
  std::shared_ptr<Entry> entry = Find(spec.name);
  if (entry == nullptr) {
    return Status::NotFound(fmt::format("no application named '{}'", spec.name));
  }
  const ApplicationDefinition& old = entry->definition;
  ApplicationDefinition def = old;
  if (spec.source) {
    if (Status s = ValidateStreamName(*spec.source); !s.ok()) return s.WithContext("source");
    def.source = *spec.source;
  }
  if (spec.sql) def.sql = *spec.sql;
  if (spec.input_schema) def.input_schema = *spec.input_schema;
  if (spec.start_position) def.start_position = *spec.start_position;
  if (spec.rowtime_field) def.rowtime_field = *spec.rowtime_field;
  if (spec.destinations) def.destinations = *spec.destinations;
  if (spec.reference_data) def.reference_data = *spec.reference_data;
  def.version = old.version + 1;
  if (!SameCode(def, old)) def.code_version = def.version;
  def.updated_us = options_.env->NowMicros();
  GL_RETURN_IF_ERROR(Check(def).status());
  const bool was_running = entry->runner != nullptr;
  StopRunner(entry.get());  // Its last checkpoint is the new code's starting point.
  if (Status s = WriteDefinition(def); !s.ok()) {
    if (was_running) (void)StartRunner(entry.get());  // The old definition runs on.
    return s;
  }
  {
    MutexLock l(&mu_);
    entry->definition = def;
  }
  spdlog::info("msg=\"streaming application updated\" app={} version={} code_version={}", def.name,
               def.version, def.code_version);
  if (was_running || def.desired_state == DesiredState::kRunning) (void)StartRunner(entry.get());
  return Describe(def.name);
}

Status AppService::Start(std::string_view name) {
  MutexLock ops(&ops_mu_);
  GL_RETURN_IF_ERROR(CheckOpen());
  std::shared_ptr<Entry> entry = Find(name);
  if (entry == nullptr) return Status::NotFound(fmt::format("no application named '{}'", name));
  if (entry->runner != nullptr && !entry->runner->failed()) return Status::OK();  // Running.
  StopRunner(entry.get());  // A failed runner's thread is joined first.
  if (entry->definition.desired_state != DesiredState::kRunning) {
    ApplicationDefinition def = entry->definition;
    def.desired_state = DesiredState::kRunning;
    GL_RETURN_IF_ERROR(WriteDefinition(def));
    MutexLock l(&mu_);
    entry->definition = def;
  }
  return StartRunner(entry.get());
}

Status AppService::Stop(std::string_view name) {
  MutexLock ops(&ops_mu_);
  std::shared_ptr<Entry> entry = Find(name);
  if (entry == nullptr) return Status::NotFound(fmt::format("no application named '{}'", name));
  StopRunner(entry.get());
  if (entry->definition.desired_state != DesiredState::kReady) {
    ApplicationDefinition def = entry->definition;
    def.desired_state = DesiredState::kReady;
    GL_RETURN_IF_ERROR(WriteDefinition(def));
    MutexLock l(&mu_);
    entry->definition = def;
  }
  return Status::OK();
}

Status AppService::Delete(std::string_view name) {
  MutexLock ops(&ops_mu_);
  GL_RETURN_IF_ERROR(CheckOpen());
  std::shared_ptr<Entry> entry = Find(name);
  if (entry == nullptr) return Status::NotFound(fmt::format("no application named '{}'", name));
  StopRunner(entry.get());
  entry->hub->CloseAll();
  const std::string trash = fmt::format("{}{}~{}", kTrashPrefix, name, options_.env->NowMicros());
  GL_RETURN_IF_ERROR(options_.env->RenameFile(AppDir(name), AppDir(trash)));
  GL_RETURN_IF_ERROR(options_.env->SyncDir(options_.dir));
  {
    MutexLock l(&mu_);
    apps_.erase(apps_.find(name));
  }
  if (entry->lag_records != nullptr) {
    // The series stay registered (Metrics cannot drop one); they read 0.
    entry->lag_records->Set(0);
    entry->lag_seconds->Set(0);
    entry->state_bytes->Set(0);
  }
  Status s = RemoveAppDir(trash);
  if (!s.ok()) spdlog::warn("msg=\"cannot remove a deleted app\" error=\"{}\"", s.ToString());
  spdlog::info("msg=\"streaming application deleted\" app={}", name);
  return Status::OK();
}

Status AppService::RemoveAppDir(const std::string& name) {
  const std::string dir = AppDir(name);
  GL_ASSIGN_OR_RETURN(std::vector<std::string> files, options_.env->ListDir(dir));
  for (const std::string& f : files) GL_RETURN_IF_ERROR(options_.env->RemoveFile(JoinPath(dir, f)));
  GL_RETURN_IF_ERROR(options_.env->RemoveDir(dir));
  return options_.env->SyncDir(options_.dir);
}

Status AppService::StartRunner(Entry* entry) {
  const ApplicationDefinition& def = entry->definition;
  AppRunnerOptions r;
  r.definition = def;
  r.dir = AppDir(def.name);
  r.env = options_.env;
  r.wal = options_.wal;
  r.open_source = options_.open_source;
  Result<ProgramOptions> program = ProgramOptionsFor(def);
  if (!program.ok()) {
    MutexLock l(&mu_);
    entry->last_error = program.status().ToString();
    return program.status();
  }
  r.program = std::move(program).value();
  r.checkpoint_interval_ms = options_.checkpoint_interval_ms;
  r.live = entry->hub;
  r.metrics = options_.metrics;
  Status status;
  for (const DestinationSpec& spec : def.destinations) {
    Result<std::unique_ptr<Destination>> d = options_.make_destination(def, spec);
    if (!d.ok()) {
      status = d.status().WithContext(
          fmt::format("destination {}={}:{}", spec.stream, spec.kind, spec.target));
      break;
    }
    r.destinations.push_back(std::move(d).value());
  }
  std::shared_ptr<AppRunner> runner;
  if (status.ok()) {
    Result<std::unique_ptr<AppRunner>> started = AppRunner::Start(std::move(r));
    if (started.ok()) {
      runner = std::move(started).value();
    } else {
      status = started.status();
    }
  }
  MutexLock l(&mu_);
  entry->runner = std::move(runner);
  entry->last_error = status.ok() ? "" : status.ToString();
  return status;
}

void AppService::StopRunner(Entry* entry, int64_t grace_ms) {
  std::shared_ptr<AppRunner> runner;
  {
    MutexLock l(&mu_);
    runner = entry->runner;
  }
  if (runner == nullptr) return;
  runner->Stop(grace_ms);  // Slow (a last checkpoint), without mu_.
  Status error = runner->error();
  MutexLock l(&mu_);
  entry->last_run = runner->stats();
  entry->last_error = error.ok() ? "" : error.ToString();
  entry->runner.reset();
}

Status AppService::CheckOpen() const {
  MutexLock l(&mu_);
  if (shut_down_) return Status::Unavailable("the server is stopping");
  return Status::OK();
}

std::shared_ptr<AppService::Entry> AppService::Find(std::string_view name) const {
  MutexLock l(&mu_);
  auto it = apps_.find(name);
  return it == apps_.end() ? nullptr : it->second;
}

AppDescription AppService::DescribeLocked(const Entry& e) const {
  AppDescription d;
  d.definition = e.definition;
  AppStatus& s = d.status;
  s.last_error = e.last_error;
  s.live_subscribers = e.hub->subscribers();
  if (e.runner != nullptr) {
    s.run = e.runner->stats();
    if (e.runner->failed()) {
      s.state = "FAILED";
      s.last_error = e.runner->error().ToString();
    } else {
      s.state = "RUNNING";
      uint64_t durable = options_.wal->durable_seq();
      s.lag_records = durable > s.run.next_seq ? durable - s.run.next_seq : 0;
      int64_t now = options_.env->NowMicros();
      s.lag_seconds = std::max<int64_t>(0, now - s.run.processed_us) / 1e6;
    }
  } else {
    s.run = e.last_run;
    s.state = e.definition.desired_state == DesiredState::kRunning ? "FAILED" : "READY";
  }
  return d;
}

std::vector<AppDescription> AppService::List() const {
  MutexLock l(&mu_);
  std::vector<AppDescription> out;
  for (const auto& [name, entry] : apps_) out.push_back(DescribeLocked(*entry));
  return out;
}

Result<AppDescription> AppService::Describe(std::string_view name) const {
  std::shared_ptr<AppRunner> runner;
  AppDescription d;
  {
    MutexLock l(&mu_);
    auto it = apps_.find(name);
    if (it == apps_.end()) {
      return Status::NotFound(fmt::format("no application named '{}'", name));
    }
    d = DescribeLocked(*it->second);
    runner = it->second->runner;
  }
  if (runner != nullptr) {
    d.streams = runner->streams();
    d.streams.push_back(ErrorStream());
  } else {
    Result<std::vector<InAppStream>> streams = Check(d.definition);
    if (streams.ok()) d.streams = std::move(streams).value();
  }
  return d;
}

Result<LiveHandle> AppService::Subscribe(std::string_view name, std::string_view stream) {
  GL_ASSIGN_OR_RETURN(AppDescription d, Describe(name));
  bool known = std::any_of(d.streams.begin(), d.streams.end(),
                           [&](const InAppStream& s) { return s.name == stream; });
  if (!known) {
    std::string names;
    for (const InAppStream& s : d.streams) names += (names.empty() ? "" : ", ") + s.name;
    return Status::NotFound(
        fmt::format("application '{}' has no stream \"{}\" (it has: {})", name, stream, names));
  }
  std::shared_ptr<Entry> entry = Find(name);
  if (entry == nullptr) return Status::NotFound(fmt::format("no application named '{}'", name));
  LiveHandle h;
  h.hub = entry->hub;
  h.subscription = h.hub->Subscribe(std::string(stream));
  return h;
}

void AppService::Monitor() {
  MutexLock l(&mu_);
  while (!shut_down_) {
    monitor_cv_.WaitFor(&mu_, std::chrono::milliseconds(kMonitorIntervalMs));
    if (shut_down_) break;
    for (const auto& [name, entry] : apps_) {
      if (entry->lag_records == nullptr) continue;
      AppDescription d = DescribeLocked(*entry);
      entry->lag_records->Set(static_cast<double>(d.status.lag_records));
      entry->lag_seconds->Set(d.status.lag_seconds);
      entry->state_bytes->Set(static_cast<double>(d.status.run.state_bytes));
    }
  }
}

void AppService::Shutdown() {
  MutexLock ops(&ops_mu_);
  std::vector<std::shared_ptr<Entry>> entries;
  {
    MutexLock l(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (const auto& [name, entry] : apps_) entries.push_back(entry);
  }
  monitor_cv_.SignalAll();
  if (monitor_.joinable()) monitor_.join();
  // Every runner winds down at once; their grace periods overlap.
  const int64_t start = options_.env->MonotonicMicros();
  for (auto& e : entries) {
    e->hub->CloseAll();
    if (std::shared_ptr<AppRunner> r = e->runner) r->RequestStop();
  }
  for (auto& e : entries) {
    int64_t spent_ms = (options_.env->MonotonicMicros() - start) / 1000;
    StopRunner(e.get(), std::max<int64_t>(0, AppRunner::kStopGraceMs - spent_ms));
  }
}

}  // namespace gamelake
