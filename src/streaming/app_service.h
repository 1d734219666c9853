// AppService: a server's streaming SQL applications (KDA applications as a
// service) — create, list, describe, start, stop, update and delete them,
// discover a source's input schema, and subscribe to the rows of their
// in-application streams live.
//
// Each application is a directory <dir>/<name>/ holding definition.json (its
// ApplicationDefinition) and checkpoint (app_checkpoint.md). A RUNNING
// application has an AppRunner (its own thread). Open() restores every
// application; the RUNNING ones resume from their checkpoints.
//
// Create and update compile the code first (StreamingProgram::Compile) and
// refuse it with the compiler's "line:column: message", so an application
// that cannot run is never stored. They also refuse: a destination of a
// stream the code does not create, a stream destination that writes into
// the application's own source or closes a loop through other applications'
// stream destinations, and (create) more than max_apps applications.
//
// Update follows KDA: a running application restarts with the new
// definition. When the code, the input schema or the rowtime field change,
// the window state is discarded (it belongs to the old code) while the input
// position and the streams' ordinals are kept; an update of destinations
// only keeps the state too. The start position applies to the first start
// only.
//
// Errors: InvalidArgument (bad name, bad code with line:column, bad
// destination), NotFound (no such application or stream), AlreadyExists,
// ResourceExhausted (too many applications), Unavailable (shutting down).
//
// Thread-safety: every method is safe from any thread. Changes (create,
// update, start, stop, delete, shutdown) are serialized by ops_mu_, which is
// held across the slow parts (compiling, stopping a runner, fsync); reads
// (list, describe, subscribe) take only mu_, which is never held across
// anything slow. Lock order: ops_mu_ before mu_.
#ifndef GAMELAKE_STREAMING_APP_SERVICE_H_
#define GAMELAKE_STREAMING_APP_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "log/wal.h"
#include "streaming/app_runner.h"
#include "streaming/application_definition.h"
#include "streaming/destination.h"
#include "streaming/live_hub.h"
#include "streaming/record_decoder.h"

namespace gamelake {

// Builds the destination object of one spec of an application.
using DestinationFactory = std::function<Result<std::unique_ptr<Destination>>(
    const ApplicationDefinition& app, const DestinationSpec& spec)>;
// The most recent records (JSON objects) of a stream, newest last, at most n.
using RecordSampler =
    std::function<Result<std::vector<std::string>>(const std::string& stream, size_t n)>;

struct AppServiceOptions {
  std::string dir;  // <data>/apps; created if missing.
  Env* env = Env::Default();
  Wal* wal = nullptr;
  SourceOpener open_source;
  DestinationFactory make_destination;
  RecordSampler sample_records;
  size_t max_apps = 64;
  int64_t checkpoint_interval_ms = 1000;
  ProgramOptions program;
  Metrics* metrics = nullptr;  // Optional: per-app series (lag, state, counts).
};

// What create and update take. In an update an absent field keeps its value
// (the name picks the application).
struct AppSpec {
  std::string name;
  std::optional<std::string> source;
  std::optional<std::string> sql;
  std::optional<InputSchema> input_schema;  // Create: discovered from the source if absent.
  std::optional<StartPosition> start_position;
  std::optional<std::string> rowtime_field;
  std::optional<std::vector<DestinationSpec>> destinations;
  std::optional<std::vector<ReferenceData>> reference_data;
  bool start = true;  // Create: start at once (--no-start: false). Update: ignored.
};

struct AppStatus {
  // RUNNING, READY (stopped), or FAILED (it should run but stopped on an error).
  std::string state;
  std::string last_error;       // The error that stopped it, if any.
  AppRunStats run;              // Of the current run (or the last one since the server started).
  uint64_t lag_records = 0;     // Log records (any stream) the application has not passed yet.
  double lag_seconds = 0;       // Now - run.processed_us while running.
  size_t live_subscribers = 0;  // Readers of its streams' live rows.
};

struct AppDescription {
  ApplicationDefinition definition;
  AppStatus status;
  // The in-application streams (Describe only), the error stream last.
  std::vector<InAppStream> streams;
};

struct Discovery {
  InputSchema schema;
  std::vector<std::string> sample;  // The records it was discovered from, newest last.
};

// A live subscription and the hub to leave when the reader goes.
struct LiveHandle {
  std::shared_ptr<LiveHub> hub;
  std::shared_ptr<LiveSubscription> subscription;
};

class AppService {
 public:
  static constexpr size_t kDiscoverySample = 100;  // Records discovery reads by default.

  static Result<std::unique_ptr<AppService>> Open(AppServiceOptions options);
  ~AppService();  // Shutdown().

  Result<AppDescription> Create(const AppSpec& spec) GL_EXCLUDES(ops_mu_, mu_);
  Result<AppDescription> Update(const AppSpec& spec) GL_EXCLUDES(ops_mu_, mu_);
  Status Start(std::string_view name) GL_EXCLUDES(ops_mu_, mu_);
  Status Stop(std::string_view name) GL_EXCLUDES(ops_mu_, mu_);
  Status Delete(std::string_view name) GL_EXCLUDES(ops_mu_, mu_);
  std::vector<AppDescription> List() const GL_EXCLUDES(mu_);
  Result<AppDescription> Describe(std::string_view name) const GL_EXCLUDES(mu_);
  Result<Discovery> Discover(const std::string& source, size_t sample) const;
  // The rows `stream` (an in-application stream or error_stream) receives from now on.
  Result<LiveHandle> Subscribe(std::string_view name, std::string_view stream) GL_EXCLUDES(mu_);

  // Stops every runner (each writes its last checkpoint) and ends every live
  // subscription. Later changes fail with Unavailable. Idempotent.
  void Shutdown() GL_EXCLUDES(ops_mu_, mu_);

 private:
  // An application. Its fields cannot be GL_GUARDED_BY the service's mutexes
  // (a nested struct cannot name them), so the rule is written here and the
  // helpers that touch them state theirs: definition, runner, last_run and
  // last_error change with ops_mu_ and mu_ held, and are read with either;
  // hub and the gauges are set before the entry is shared.
  struct Entry {
    ApplicationDefinition definition;
    std::shared_ptr<LiveHub> hub = std::make_shared<LiveHub>();
    std::shared_ptr<AppRunner> runner;  // Null unless started.
    AppRunStats last_run;               // Stats when the last runner stopped.
    std::string last_error;
    Gauge* lag_records = nullptr;
    Gauge* lag_seconds = nullptr;
    Gauge* state_bytes = nullptr;
  };

  explicit AppService(AppServiceOptions options);
  Status Restore() GL_EXCLUDES(ops_mu_, mu_);
  Status RestoreOne(const std::string& name) GL_REQUIRES(ops_mu_) GL_EXCLUDES(mu_);
  std::string AppDir(std::string_view name) const;
  Status WriteDefinition(const ApplicationDefinition& def);
  // Compiles the definition's code and checks its destinations against it
  // and against every other application's (no loops).
  Result<std::vector<InAppStream>> Check(const ApplicationDefinition& def) const GL_EXCLUDES(mu_);
  Status CheckNoLoop(const ApplicationDefinition& def) const GL_EXCLUDES(mu_);
  // The program options of `def`: the service's, with its reference tables parsed.
  Result<ProgramOptions> ProgramOptionsFor(const ApplicationDefinition& def) const;
  // Builds destination i and has it check the columns of its stream.
  Status CheckDestination(const ApplicationDefinition& def, size_t i,
                          const StreamingProgram& program) const;
  Result<InputSchema> DiscoverSchema(const std::string& source) const;
  // Starts a runner for the entry; a failure is kept as the entry's last
  // error and returned.
  Status StartRunner(Entry* entry) GL_REQUIRES(ops_mu_) GL_EXCLUDES(mu_);
  // Stops the entry's runner, if any.
  void StopRunner(Entry* entry, int64_t grace_ms = AppRunner::kStopGraceMs) GL_REQUIRES(ops_mu_)
      GL_EXCLUDES(mu_);
  void RegisterGauges(Entry* entry);
  AppDescription DescribeLocked(const Entry& entry) const GL_REQUIRES(mu_);
  std::shared_ptr<Entry> Find(std::string_view name) const GL_EXCLUDES(mu_);
  Status CheckOpen() const GL_EXCLUDES(mu_);  // Unavailable once shut down.
  Status RemoveAppDir(const std::string& name);
  void Monitor() GL_EXCLUDES(mu_);

  const AppServiceOptions options_;
  Mutex ops_mu_ GL_ACQUIRED_BEFORE(mu_);  // Serializes changes; held across slow work.
  mutable Mutex mu_;
  CondVar monitor_cv_;
  // Entries are replaced, never changed, under mu_ — except as Entry says.
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> apps_ GL_GUARDED_BY(mu_);
  bool shut_down_ GL_GUARDED_BY(mu_) = false;
  std::thread monitor_;  // Updates the lag gauges every second.
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_APP_SERVICE_H_
