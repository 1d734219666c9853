#include "metrics/alarm_store.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "metrics/alarm_codec.h"

namespace gamelake {
namespace {

constexpr std::string_view kSuffix = ".alarm";

Status NotFound(std::string_view name) {
  return Status::NotFound(
      fmt::format("ResourceNotFound: Alarm {} does not exist", name.substr(0, 300)));
}

std::string Iso(int64_t ms) { return FormatUtcMicros(ms * 1000); }

void WriteDimensions(JsonWriter& w, const MetricId& id, bool lower_case) {
  w.Key(lower_case ? "Dimensions" : "Dimensions").BeginArray();
  for (const Dimension& d : id.dimensions) {
    w.BeginObject().Key(lower_case ? "name" : "Name").String(d.name);
    w.Key(lower_case ? "value" : "Value").String(d.value).EndObject();
  }
  w.EndArray();
}

void WriteTriggerMetrics(JsonWriter& w, const MetricAlarmDefinition& d) {
  w.Key("Metrics").BeginArray();
  for (const MetricDataQuery& q : d.metrics) {
    w.BeginObject().Key("Id").String(q.id).Key("ReturnData").Bool(q.return_data);
    if (q.label) w.Key("Label").String(*q.label);
    if (q.expression) w.Key("Expression").String(*q.expression);
    if (q.metric_stat) {
      const MetricStatQuery& s = *q.metric_stat;
      w.Key("MetricStat").BeginObject().Key("Metric").BeginObject();
      w.Key("Namespace").String(s.metric.ns).Key("MetricName").String(s.metric.name);
      WriteDimensions(w, s.metric, false);
      w.EndObject().Key("Period").Int(s.period_s).Key("Stat").String(s.stat);
      if (s.unit) w.Key("Unit").String(*s.unit);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string StateUpdateData(AlarmState from, const std::string& from_reason, const MetricAlarm& a) {
  JsonWriter w;
  w.BeginObject().Key("version").String("1.0");
  w.Key("oldState").BeginObject().Key("stateValue").String(AlarmStateName(from));
  w.Key("stateReason").String(from_reason).EndObject();
  w.Key("newState").BeginObject().Key("stateValue").String(AlarmStateName(a.state));
  w.Key("stateReason").String(a.state_reason);
  if (!a.state_reason_data.empty()) w.Key("stateReasonData").Raw(a.state_reason_data);
  w.EndObject().EndObject();
  return w.Take();
}

const std::vector<std::string>& ActionsFor(const MetricAlarmDefinition& d, AlarmState s) {
  switch (s) {
    case AlarmState::kOk:
      return d.ok_actions;
    case AlarmState::kAlarm:
      return d.alarm_actions;
    case AlarmState::kInsufficientData:
      break;
  }
  return d.insufficient_data_actions;
}

}  // namespace

std::string AlarmArn(std::string_view name) {
  return fmt::format("arn:aws:cloudwatch::000000000000:alarm:{}", name);
}

std::string AlarmNotificationJson(const MetricAlarm& a, AlarmState old_state, int64_t change_ms) {
  const MetricAlarmDefinition& d = a.definition;
  JsonWriter w;
  w.BeginObject().Key("AlarmName").String(d.name).Key("AlarmDescription").String(d.description);
  w.Key("AWSAccountId").String("000000000000").Key("AlarmArn").String(AlarmArn(d.name));
  w.Key("AlarmConfigurationUpdatedTimestamp").String(Iso(a.configuration_updated_ms));
  w.Key("NewStateValue").String(AlarmStateName(a.state));
  w.Key("NewStateReason").String(a.state_reason);
  w.Key("StateChangeTime").String(Iso(change_ms)).Key("Region").String("gamelake");
  w.Key("OldStateValue").String(AlarmStateName(old_state));
  w.Key("Trigger").BeginObject();
  if (d.metric) {
    w.Key("MetricName").String(d.metric->name).Key("Namespace").String(d.metric->ns);
    if (d.statistic.empty()) {
      w.Key("StatisticType").String("ExtendedStatistic");
      w.Key("ExtendedStatistic").String(d.extended_statistic);
    } else {
      w.Key("StatisticType").String("Statistic").Key("Statistic").String(Upper(d.statistic));
    }
    w.Key("Unit");
    if (d.unit) {
      w.String(*d.unit);
    } else {
      w.Null();
    }
    WriteDimensions(w, *d.metric, true);
  } else {
    WriteTriggerMetrics(w, d);
  }
  w.Key("Period").Int(AlarmPeriodSeconds(d)).Key("EvaluationPeriods").Int(d.evaluation_periods);
  w.Key("DatapointsToAlarm").Int(AlarmDatapointsToAlarm(d));
  w.Key("ComparisonOperator").String(ComparisonOperatorName(d.comparison));
  w.Key("Threshold").Double(d.threshold);
  w.Key("TreatMissingData").String(TreatMissingDataName(d.treat_missing_data));
  w.EndObject().EndObject();
  return w.Take();
}

AlarmStore::AlarmStore(AlarmStoreOptions options)
    : options_(std::move(options)), queries_(options_.metrics, nullptr, options_.env) {}

AlarmStore::~AlarmStore() { Stop(); }

Result<std::unique_ptr<AlarmStore>> AlarmStore::Open(AlarmStoreOptions options) {
  if (options.metrics == nullptr) return Status::InvalidArgument("alarms need a metrics store");
  GL_RETURN_IF_ERROR(options.env->CreateDirs(options.dir));
  std::unique_ptr<AlarmStore> store(new AlarmStore(std::move(options)));
  GL_RETURN_IF_ERROR(store->Load());
  if (store->options_.run_evaluator) {
    store->evaluator_ = std::thread([s = store.get()] { s->EvaluatorLoop(); });
  }
  return store;
}

void AlarmStore::Stop() {
  {
    MutexLock l(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  if (evaluator_.joinable()) evaluator_.join();
}

std::string AlarmStore::PathOf(uint64_t file_id) const {
  return JoinPath(options_.dir, fmt::format("{}{}", file_id, kSuffix));
}

Status AlarmStore::Load() {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, options_.env->ListDir(options_.dir));
  MutexLock l(&mu_);
  for (const std::string& file : names) {
    if (!file.ends_with(kSuffix)) continue;  // A write in progress when the server stopped.
    uint64_t id = 0;
    std::string_view digits(file.data(), file.size() - kSuffix.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) continue;
    std::string path = PathOf(id);
    GL_ASSIGN_OR_RETURN(std::string bytes, options_.env->ReadFile(path));
    Entry e;
    e.file_id = id;
    Status s = DecodeAlarmFile(bytes, &e.alarm, &e.history);
    if (!s.ok()) return s.WithContext(path);
    next_file_id_ = std::max(next_file_id_, id + 1);
    std::string name = e.alarm.definition.name;
    alarms_[name] = std::move(e);
  }
  return Status::OK();
}

Status AlarmStore::Persist(const std::string& name) {
  std::string bytes;
  uint64_t id = 0;
  {
    MutexLock l(&mu_);
    auto it = alarms_.find(name);
    if (it == alarms_.end()) return Status::OK();  // Deleted meanwhile.
    bytes = EncodeAlarmFile(it->second.alarm, it->second.history);
    id = it->second.file_id;
  }
  return options_.env->WriteFileAtomic(PathOf(id), bytes);
}

void AlarmStore::AddHistory(Entry* e, AlarmHistoryType type, std::string summary, std::string data,
                            int64_t now_ms) {
  AlarmHistoryItem item{e->alarm.definition.name, now_ms, type, std::move(summary),
                        std::move(data)};
  e->history.insert(e->history.begin(), std::move(item));
  int64_t oldest = now_ms - options_.history_retention_s * 1000;
  std::erase_if(e->history, [&](const AlarmHistoryItem& h) { return h.timestamp_ms < oldest; });
  if (e->history.size() > options_.max_history_per_alarm) {
    e->history.resize(options_.max_history_per_alarm);
  }
}

void AlarmStore::Transition(Entry* e, AlarmState to, std::string reason, std::string reason_data,
                            int64_t now_ms, std::vector<WebhookNotification>* out) {
  MetricAlarm& a = e->alarm;
  AlarmState from = a.state;
  std::string from_reason = std::move(a.state_reason);
  a.state = to;
  a.state_reason = std::move(reason);
  a.state_reason_data = std::move(reason_data);
  a.state_updated_ms = now_ms;
  if (from == to) return;
  a.state_transitioned_ms = now_ms;
  AddHistory(e, AlarmHistoryType::kStateUpdate,
             fmt::format("Alarm updated from {} to {}", AlarmStateName(from), AlarmStateName(to)),
             StateUpdateData(from, from_reason, a), now_ms);
  if (!a.definition.actions_enabled) return;
  for (const std::string& url : ActionsFor(a.definition, to)) {
    out->push_back(WebhookNotification{a.definition.name, url,
                                       AlarmNotificationJson(a, from, now_ms),
                                       std::string(AlarmStateName(to)), now_ms});
  }
}

void AlarmStore::Send(std::vector<WebhookNotification> notifications) {
  for (WebhookNotification& n : notifications) {
    WebhookNotification copy = n;
    bool queued = options_.notify && options_.notify(std::move(n));
    if (!queued) {
      RecordAction(copy, WebhookOutcome{false, 0, 0,
                                        options_.notify ? "the webhook queue is full"
                                                        : "webhooks are not enabled"});
    }
  }
}

Status AlarmStore::Put(MetricAlarmDefinition d) {
  GL_RETURN_IF_ERROR(ValidateAlarmDefinition(&d));
  int64_t now_ms = options_.env->NowMicros() / 1000;
  std::string name = d.name;
  MutexLock w(&write_mu_);
  {
    MutexLock l(&mu_);
    auto it = alarms_.find(name);
    bool created = it == alarms_.end();
    if (created && alarms_.size() >= options_.max_alarms) {
      return Status::InvalidArgument(
          fmt::format("LimitExceeded: there are {} alarms; at most {} (metrics.max_alarms)",
                      alarms_.size(), options_.max_alarms));
    }
    if (created) {
      it = alarms_.emplace(name, Entry{}).first;
      it->second.file_id = next_file_id_++;
      it->second.alarm.state_updated_ms = now_ms;
      it->second.alarm.state_transitioned_ms = now_ms;
    }
    Entry& e = it->second;
    e.alarm.definition = std::move(d);
    e.alarm.configuration_updated_ms = now_ms;
    e.evaluated_end_ms = 0;  // Evaluate the new definition at once.
    JsonWriter data;
    data.BeginObject().Key("version").String("1.0").Key("type").String(created ? "Create"
                                                                               : "Update");
    data.EndObject();
    AddHistory(&e, AlarmHistoryType::kConfigurationUpdate,
               fmt::format("Alarm \"{}\" {}", name, created ? "created" : "updated"), data.Take(),
               now_ms);
    cv_.SignalAll();
  }
  Status s = Persist(name);
  if (!s.ok())
    spdlog::error("msg=\"writing an alarm\" alarm=\"{}\" error=\"{}\"", name, s.ToString());
  return s;
}

Result<MetricAlarm> AlarmStore::Get(std::string_view name) const {
  MutexLock l(&mu_);
  auto it = alarms_.find(name);
  if (it == alarms_.end()) return NotFound(name);
  return it->second.alarm;
}

std::vector<MetricAlarm> AlarmStore::List() const {
  MutexLock l(&mu_);
  std::vector<MetricAlarm> out;
  out.reserve(alarms_.size());
  for (const auto& [name, e] : alarms_) out.push_back(e.alarm);
  return out;
}

Status AlarmStore::Delete(const std::vector<std::string>& names) {
  MutexLock w(&write_mu_);
  std::vector<uint64_t> ids;
  {
    MutexLock l(&mu_);
    for (const std::string& name : names) {
      if (!alarms_.contains(name)) return NotFound(name);
    }
    for (const std::string& name : names) {
      auto it = alarms_.find(name);
      if (it == alarms_.end()) continue;  // Named twice.
      ids.push_back(it->second.file_id);
      alarms_.erase(it);
    }
  }
  for (uint64_t id : ids) GL_RETURN_IF_ERROR(options_.env->RemoveFile(PathOf(id)));
  return options_.env->SyncDir(options_.dir);
}

Status AlarmStore::SetState(std::string_view name, AlarmState state, std::string reason,
                            std::string reason_data) {
  int64_t now_ms = options_.env->NowMicros() / 1000;
  std::vector<WebhookNotification> out;
  {
    MutexLock w(&write_mu_);
    {
      MutexLock l(&mu_);
      auto it = alarms_.find(name);
      if (it == alarms_.end()) return NotFound(name);
      Transition(&it->second, state, std::move(reason), std::move(reason_data), now_ms, &out);
    }
    GL_RETURN_IF_ERROR(Persist(std::string(name)));
  }
  Send(std::move(out));  // Without write_mu_: a refused one is recorded (RecordAction takes it).
  return Status::OK();
}

Status AlarmStore::SetActionsEnabled(const std::vector<std::string>& names, bool enabled) {
  MutexLock w(&write_mu_);
  std::vector<std::string> changed;
  {
    MutexLock l(&mu_);
    for (const std::string& name : names) {
      auto it = alarms_.find(name);
      if (it == alarms_.end() || it->second.alarm.definition.actions_enabled == enabled) continue;
      it->second.alarm.definition.actions_enabled = enabled;
      changed.push_back(name);
    }
  }
  for (const std::string& name : changed) GL_RETURN_IF_ERROR(Persist(name));
  return Status::OK();
}

std::vector<AlarmHistoryItem> AlarmStore::History(const AlarmHistoryQuery& q) const {
  std::vector<AlarmHistoryItem> out;
  MutexLock l(&mu_);
  for (const auto& [name, e] : alarms_) {
    if (q.alarm_name && name != *q.alarm_name) continue;
    for (const AlarmHistoryItem& h : e.history) {
      if (q.type && h.type != *q.type) continue;
      if (h.timestamp_ms < q.start_ms || h.timestamp_ms >= q.end_ms) continue;
      out.push_back(h);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const AlarmHistoryItem& a, const AlarmHistoryItem& b) {
                     return a.timestamp_ms > b.timestamp_ms;
                   });
  return out;
}

void AlarmStore::RecordAction(const WebhookNotification& n, const WebhookOutcome& o) {
  int64_t now_ms = options_.env->NowMicros() / 1000;
  MutexLock w(&write_mu_);
  {
    MutexLock l(&mu_);
    auto it = alarms_.find(n.alarm_name);
    if (it == alarms_.end()) return;  // Deleted since.
    JsonWriter data;
    data.BeginObject().Key("actionState").String(o.delivered ? "Succeeded" : "Failed");
    data.Key("stateUpdateTimestamp").Int(n.state_change_ms);
    data.Key("newState").String(n.new_state).Key("notificationResource").String(n.url);
    data.Key("attempts").Int(o.attempts).Key("httpStatus").Int(o.http_status);
    if (!o.delivered) data.Key("error").String(o.error);
    data.EndObject();
    std::string summary = o.delivered
                              ? fmt::format("Successfully executed action {}", n.url)
                              : fmt::format(
                                    "Failed to execute action {}. Received error: \"{}\" after {} "
                                    "attempt(s)",
                                    n.url, o.error, o.attempts);
    AddHistory(&it->second, AlarmHistoryType::kAction, std::move(summary), data.Take(), now_ms);
  }
  Status s = Persist(n.alarm_name);
  if (!s.ok()) spdlog::error("msg=\"writing an alarm\" error=\"{}\"", s.ToString());
}

std::optional<AlarmEvaluation> AlarmStore::Evaluate(const Due& due, int64_t now_ms) const {
  const MetricAlarmDefinition& d = due.definition;
  int64_t period_ms = AlarmPeriodSeconds(d) * 1000;
  GetMetricDataRequest r;
  r.start_ms = due.end_ms - AlarmEvaluationRangePeriods(d) * period_ms;
  r.end_ms = due.end_ms;
  r.descending = false;
  if (d.metric) {
    MetricDataQuery q;
    q.id = "alarm";
    q.metric_stat = MetricStatQuery{
        *d.metric, d.period_s, d.statistic.empty() ? d.extended_statistic : d.statistic, d.unit};
    r.queries.push_back(std::move(q));
  } else {
    r.queries = d.metrics;
  }
  auto answer = queries_.GetMetricData(r);
  if (!answer.ok() || answer->results.empty()) {
    spdlog::warn("msg=\"alarm evaluation failed\" alarm=\"{}\" error=\"{}\"", d.name,
                 answer.ok() ? "no result" : answer.status().ToString());
    return std::nullopt;
  }
  const MetricDataResult& result = answer->results[0];
  std::vector<AlarmDatapoint> points;
  for (size_t i = 0; i < result.values.size(); ++i) {
    points.push_back({result.timestamps_ms[i], result.values[i]});
  }
  return EvaluateAlarm(d, due.state, std::move(points), due.end_ms, now_ms);
}

void AlarmStore::EvaluateDue() {
  int64_t now_ms = options_.env->NowMicros() / 1000;
  int64_t ready_ms = now_ms - options_.evaluation_delay_s * 1000;
  std::vector<Due> due;
  {
    MutexLock l(&mu_);
    for (const auto& [name, e] : alarms_) {
      int64_t period_ms = AlarmPeriodSeconds(e.alarm.definition) * 1000;
      int64_t end_ms = FloorDiv(ready_ms, period_ms) * period_ms;
      if (end_ms > e.evaluated_end_ms) {
        due.push_back(
            {e.alarm.definition, e.alarm.state, end_ms, e.alarm.configuration_updated_ms});
      }
    }
  }
  for (const Due& d : due) {
    std::optional<AlarmEvaluation> ev = Evaluate(d, now_ms);
    std::vector<WebhookNotification> out;
    {
      MutexLock w(&write_mu_);
      bool changed = false;
      {
        MutexLock l(&mu_);
        auto it = alarms_.find(d.definition.name);
        if (it == alarms_.end() || it->second.alarm.configuration_updated_ms != d.configured_ms ||
            it->second.evaluated_end_ms >= d.end_ms) {
          continue;  // Deleted, redefined or evaluated meanwhile.
        }
        it->second.evaluated_end_ms = d.end_ms;
        if (ev && ev->state && *ev->state != it->second.alarm.state) {
          Transition(&it->second, *ev->state, std::move(ev->reason), std::move(ev->reason_data),
                     now_ms, &out);
          changed = true;
        }
      }
      if (!changed) continue;
      Status s = Persist(d.definition.name);
      if (!s.ok()) spdlog::error("msg=\"writing an alarm\" error=\"{}\"", s.ToString());
    }
    Send(std::move(out));  // Without write_mu_: a refused one is recorded (RecordAction takes it).
  }
}

int64_t AlarmStore::NextDueMs() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [name, e] : alarms_) {
    int64_t period_ms = AlarmPeriodSeconds(e.alarm.definition) * 1000;
    next = std::min(next, e.evaluated_end_ms + period_ms + options_.evaluation_delay_s * 1000);
  }
  return next;
}

void AlarmStore::EvaluatorLoop() {
  MutexLock l(&mu_);
  while (!stop_) {
    l.Unlock();
    EvaluateDue();
    l.Lock();
    if (stop_) break;
    int64_t now_ms = options_.env->NowMicros() / 1000;
    // At most a second: a wall clock that jumps is noticed within one.
    int64_t wait_ms = std::clamp<int64_t>(NextDueMs() - now_ms, 10, 1000);
    cv_.WaitFor(&mu_, std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace gamelake
