// AlarmStore: CloudWatch metric alarms — definitions, state and history kept
// durably under <data>/metrics/alarms/ (alarm_format.md), and the evaluator
// thread that moves them between OK, ALARM and INSUFFICIENT_DATA.
//
// Evaluation: each alarm is evaluated once its newest period has closed plus
// evaluation_delay_s (late data's grace), i.e. within one period and the
// delay of data arriving, by GetMetricData on the metrics store (one metric's
// statistic, or the alarm's metric math) over its evaluation range, then
// EvaluateAlarm (alarm_evaluation.h). The store is only read, outside this
// class's lock, so evaluation never blocks puts beyond the store's own reads.
// All time comes from the Env; the evaluator's wait is on a condition
// variable, so Stop() returns promptly and a Put is evaluated at once.
//
// Actions: when the state changes and ActionsEnabled, a notification for
// each URL of the new state's actions goes to options.notify (the
// WebhookSender's Enqueue); RecordAction turns each delivery result into an
// Action history item. Notifications are handed over with no lock held: one
// that is refused is recorded at once, by RecordAction, which takes the locks.
//
// History: ConfigurationUpdate, StateUpdate and Action items per alarm,
// newest first, at most max_history_per_alarm per alarm and none older than
// history_retention_s; kept in the alarm's file, removed with the alarm.
//
// Limits: max_alarms alarms (LimitExceeded beyond).
//
// Thread-safety: every method may be called from any thread. One mutex
// guards the alarms; file writes are ordered by a second one taken first.
#ifndef GAMELAKE_METRICS_ALARM_STORE_H_
#define GAMELAKE_METRICS_ALARM_STORE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "metrics/alarm_evaluation.h"
#include "metrics/alarm_types.h"
#include "metrics/cloudwatch_service.h"
#include "metrics/metric_store.h"
#include "metrics/webhook_sender.h"

namespace gamelake {

inline constexpr int64_t kAlarmHistoryRetentionS = 30 * 86'400;
inline constexpr size_t kMaxAlarmHistoryPerAlarm = 100;

struct AlarmStoreOptions {
  std::string dir;  // <data>/metrics/alarms; created if missing.
  Env* env = Env::Default();
  MetricStore* metrics = nullptr;  // Read for evaluations; must outlive the store.
  size_t max_alarms = kDefaultMaxAlarms;
  int64_t evaluation_delay_s = 3;
  size_t max_history_per_alarm = kMaxAlarmHistoryPerAlarm;
  int64_t history_retention_s = kAlarmHistoryRetentionS;
  bool run_evaluator = true;  // False: only EvaluateDue() evaluates (tests).
  // Takes a notification to send; false when it cannot (queue full). Null:
  // actions are recorded as not sent.
  std::function<bool(WebhookNotification)> notify;
};

struct AlarmHistoryQuery {
  std::optional<std::string> alarm_name;
  std::optional<AlarmHistoryType> type;
  int64_t start_ms = 0;
  int64_t end_ms = std::numeric_limits<int64_t>::max();  // Exclusive.
};

// The JSON body POSTed to webhooks, shaped like CloudWatch's alarm
// notification (AlarmName, NewStateValue, NewStateReason, Trigger{...}).
std::string AlarmNotificationJson(const MetricAlarm& alarm, AlarmState old_state,
                                  int64_t change_ms);
std::string AlarmArn(std::string_view name);

class AlarmStore {
 public:
  // Loads every alarm file (a corrupt one fails the open, naming it) and
  // starts the evaluator unless options.run_evaluator is false.
  static Result<std::unique_ptr<AlarmStore>> Open(AlarmStoreOptions options);
  ~AlarmStore();
  AlarmStore(const AlarmStore&) = delete;
  AlarmStore& operator=(const AlarmStore&) = delete;

  // Creates or replaces (state kept) an alarm; ValidateAlarmDefinition's
  // errors, LimitExceeded past max_alarms, IOError.
  Status Put(MetricAlarmDefinition definition) GL_EXCLUDES(write_mu_, mu_);
  // NotFound "ResourceNotFound: ..." when there is none.
  Result<MetricAlarm> Get(std::string_view name) const GL_EXCLUDES(mu_);
  // Every alarm, sorted by name.
  std::vector<MetricAlarm> List() const GL_EXCLUDES(mu_);
  // All or nothing: ResourceNotFound naming the first missing one.
  Status Delete(const std::vector<std::string>& names) GL_EXCLUDES(write_mu_, mu_);
  // SetAlarmState: a transition (history, actions) if the state differs;
  // the next evaluation sets the state the data says.
  Status SetState(std::string_view name, AlarmState state, std::string reason,
                  std::string reason_data) GL_EXCLUDES(write_mu_, mu_);
  // Unknown names are skipped, as CloudWatch does.
  Status SetActionsEnabled(const std::vector<std::string>& names, bool enabled)
      GL_EXCLUDES(write_mu_, mu_);
  // Matching items, newest first.
  std::vector<AlarmHistoryItem> History(const AlarmHistoryQuery& query) const GL_EXCLUDES(mu_);

  // Evaluates every alarm whose newest period (plus the delay) has closed
  // since its last evaluation. The evaluator thread calls it; tests too.
  void EvaluateDue() GL_EXCLUDES(write_mu_, mu_);
  // A webhook delivery's result, as an Action history item. Takes write_mu_:
  // never call it with write_mu_ held (notify may refuse synchronously).
  void RecordAction(const WebhookNotification& notification, const WebhookOutcome& outcome)
      GL_EXCLUDES(write_mu_, mu_);
  // Ends the evaluator. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  struct Entry {
    MetricAlarm alarm;
    std::vector<AlarmHistoryItem> history;  // Newest first.
    uint64_t file_id = 0;
    int64_t evaluated_end_ms = 0;  // End of the last evaluated period.
  };
  struct Due {
    MetricAlarmDefinition definition;
    AlarmState state;
    int64_t end_ms;
    int64_t configured_ms;  // The definition's version.
  };

  explicit AlarmStore(AlarmStoreOptions options);
  Status Load() GL_EXCLUDES(mu_);
  std::string PathOf(uint64_t file_id) const;
  // Writes an entry's file.
  Status Persist(const std::string& name) GL_REQUIRES(write_mu_) GL_EXCLUDES(mu_);
  // e is in alarms_: the analysis cannot see that its fields belong to mu_
  // (a nested struct cannot name the store's mutex), so these helpers state it.
  void AddHistory(Entry* e, AlarmHistoryType type, std::string summary, std::string data,
                  int64_t now_ms) GL_REQUIRES(mu_);
  // Sets the state; on a change, records it and collects its notifications.
  void Transition(Entry* e, AlarmState to, std::string reason, std::string reason_data,
                  int64_t now_ms, std::vector<WebhookNotification>* out) GL_REQUIRES(mu_);
  // Hands the notifications to options_.notify; one it refuses is recorded as
  // a failed action (RecordAction), hence without write_mu_.
  void Send(std::vector<WebhookNotification> notifications) GL_EXCLUDES(write_mu_, mu_);
  // Reads the metrics store, never under mu_ (see the file comment).
  std::optional<AlarmEvaluation> Evaluate(const Due& due, int64_t now_ms) const GL_EXCLUDES(mu_);
  void EvaluatorLoop() GL_EXCLUDES(write_mu_, mu_);
  int64_t NextDueMs() const GL_REQUIRES(mu_);

  const AlarmStoreOptions options_;
  CloudWatchService queries_;               // GetMetricData on options_.metrics (math included).
  Mutex write_mu_ GL_ACQUIRED_BEFORE(mu_);  // Orders mutations and their file writes.
  mutable Mutex mu_;
  std::map<std::string, Entry, std::less<>> alarms_ GL_GUARDED_BY(mu_);
  uint64_t next_file_id_ GL_GUARDED_BY(mu_) = 1;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  CondVar cv_;
  std::thread evaluator_;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ALARM_STORE_H_
