#include "server/cloudwatch_alarm_json.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "server/cloudwatch_json.h"
#include "server/cloudwatch_json_reader.h"

namespace gamelake {
namespace {

using namespace cloudwatch_json;  // NOLINT(build/namespaces): the shared body reader.

constexpr size_t kMaxNamesPerCall = 100;

Status Invalid(std::string_view code, std::string_view message) {
  return Status::InvalidArgument(fmt::format("{}: {}", code, message));
}

Status Missing(std::string_view key) {
  return Invalid("MissingParameter", fmt::format("The parameter {} is required.", key));
}

// A whole number in [lo, hi].
Result<std::optional<int64_t>> OptInt(object o, std::string_view key, int64_t lo, int64_t hi) {
  GL_ASSIGN_OR_RETURN(std::optional<double> v, OptNumber(o, key, ""));
  if (!v) return std::optional<int64_t>();
  if (*v != std::floor(*v) || *v < static_cast<double>(lo) || *v > static_cast<double>(hi)) {
    return Invalid("InvalidParameterValue",
                   fmt::format("{} must be a whole number from {} to {}", key, lo, hi));
  }
  return std::optional<int64_t>(static_cast<int64_t>(*v));
}

// The names of a DeleteAlarms / Enable / DisableAlarmActions body.
Result<std::vector<std::string>> AlarmNames(std::string_view text) {
  Body b;
  GL_RETURN_IF_ERROR(ParseBody(text, &b));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(b.root, "AlarmNames", ""));
  if (names.empty()) return Missing("AlarmNames");
  if (names.size() > kMaxNamesPerCall) {
    return Invalid("InvalidParameterValue",
                   fmt::format("AlarmNames: at most {} names", kMaxNamesPerCall));
  }
  return names;
}

Status RefuseUnsupported(object root) {
  if (Field(root, "ThresholdMetricId")) {
    return Invalid("InvalidParameterValue",
                   "ThresholdMetricId (anomaly detection bands) is not supported; give Threshold");
  }
  return Status::OK();
}

Status ParseMetricPart(object root, MetricAlarmDefinition* d) {
  GL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(root, "MetricName", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> ns, OptString(root, "Namespace", ""));
  if (name || ns) {
    if (!name) return Missing("MetricName");
    if (!ns) return Missing("Namespace");
    GL_ASSIGN_OR_RETURN(MetricId id, ParseMetricIdJson(root, ""));
    d->metric = std::move(id);
  }
  GL_ASSIGN_OR_RETURN(std::optional<std::string> stat, OptString(root, "Statistic", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> ext, OptString(root, "ExtendedStatistic", ""));
  d->statistic = stat.value_or("");
  d->extended_statistic = ext.value_or("");
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> period, OptInt(root, "Period", 1, 86'400));
  d->period_s = period.value_or(0);
  GL_ASSIGN_OR_RETURN(d->unit, OptString(root, "Unit", ""));
  if (auto metrics = Field(root, "Metrics")) {
    array a;
    if (metrics->get_array().get(a) != simdjson::SUCCESS) return WrongType("Metrics", "an array");
    size_t i = 0;
    for (element e : a) {
      GL_ASSIGN_OR_RETURN(MetricDataQuery q,
                          ParseMetricDataQueryJson(e, fmt::format("Metrics.member.{}", ++i)));
      d->metrics.push_back(std::move(q));
    }
    if (d->metrics.empty()) return Invalid("InvalidParameterValue", "Metrics must not be empty");
  }
  return Status::OK();
}

Status ParseEvaluationPart(object root, MetricAlarmDefinition* d) {
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> n, OptInt(root, "EvaluationPeriods", 1, 86'400));
  if (!n) return Missing("EvaluationPeriods");
  d->evaluation_periods = static_cast<int>(*n);
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> m, OptInt(root, "DatapointsToAlarm", 1, 86'400));
  d->datapoints_to_alarm = static_cast<int>(m.value_or(0));
  GL_ASSIGN_OR_RETURN(std::optional<double> threshold, OptNumber(root, "Threshold", ""));
  if (!threshold) return Missing("Threshold");
  d->threshold = *threshold;
  GL_ASSIGN_OR_RETURN(std::optional<std::string> op, OptString(root, "ComparisonOperator", ""));
  if (!op) return Missing("ComparisonOperator");
  GL_ASSIGN_OR_RETURN(d->comparison, ParseComparisonOperator(*op));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> treat, OptString(root, "TreatMissingData", ""));
  if (treat) {
    GL_ASSIGN_OR_RETURN(d->treat_missing_data, ParseTreatMissingData(*treat));
  }
  return Status::OK();
}

void WriteStrings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

void WriteQuery(JsonWriter& w, const MetricDataQuery& q) {
  w.BeginObject().Key("Id").String(q.id);
  if (q.metric_stat) {
    w.Key("MetricStat").BeginObject().Key("Metric");
    WriteMetricIdJson(w, q.metric_stat->metric);
    w.Key("Period").Int(q.metric_stat->period_s).Key("Stat").String(q.metric_stat->stat);
    if (q.metric_stat->unit) w.Key("Unit").String(*q.metric_stat->unit);
    w.EndObject();
  }
  if (q.expression) w.Key("Expression").String(*q.expression);
  if (q.label) w.Key("Label").String(*q.label);
  if (q.period_s) w.Key("Period").Int(*q.period_s);
  w.Key("ReturnData").Bool(q.return_data).EndObject();
}

void WriteMetricAlarm(JsonWriter& w, const MetricAlarm& a) {
  const MetricAlarmDefinition& d = a.definition;
  w.BeginObject().Key("AlarmName").String(d.name).Key("AlarmArn").String(AlarmArn(d.name));
  w.Key("AlarmDescription").String(d.description);
  w.Key("AlarmConfigurationUpdatedTimestamp").Double(Seconds(a.configuration_updated_ms));
  w.Key("ActionsEnabled").Bool(d.actions_enabled);
  WriteStrings(w, "OKActions", d.ok_actions);
  WriteStrings(w, "AlarmActions", d.alarm_actions);
  WriteStrings(w, "InsufficientDataActions", d.insufficient_data_actions);
  w.Key("StateValue").String(AlarmStateName(a.state)).Key("StateReason").String(a.state_reason);
  if (!a.state_reason_data.empty()) w.Key("StateReasonData").String(a.state_reason_data);
  w.Key("StateUpdatedTimestamp").Double(Seconds(a.state_updated_ms));
  w.Key("StateTransitionedTimestamp").Double(Seconds(a.state_transitioned_ms));
  if (d.metric) {
    w.Key("MetricName").String(d.metric->name).Key("Namespace").String(d.metric->ns);
    if (!d.statistic.empty()) w.Key("Statistic").String(d.statistic);
    if (!d.extended_statistic.empty()) w.Key("ExtendedStatistic").String(d.extended_statistic);
    w.Key("Dimensions").BeginArray();
    for (const Dimension& dim : d.metric->dimensions) {
      w.BeginObject().Key("Name").String(dim.name).Key("Value").String(dim.value).EndObject();
    }
    w.EndArray().Key("Period").Int(d.period_s);
    if (d.unit) w.Key("Unit").String(*d.unit);
  } else {
    w.Key("Metrics").BeginArray();
    for (const MetricDataQuery& q : d.metrics) WriteQuery(w, q);
    w.EndArray();
  }
  w.Key("EvaluationPeriods").Int(d.evaluation_periods);
  w.Key("DatapointsToAlarm").Int(AlarmDatapointsToAlarm(d));
  w.Key("Threshold").Double(d.threshold);
  w.Key("ComparisonOperator").String(ComparisonOperatorName(d.comparison));
  w.Key("TreatMissingData").String(TreatMissingDataName(d.treat_missing_data));
  w.EndObject();
}

void WriteHistoryItem(JsonWriter& w, const AlarmHistoryItem& h) {
  w.BeginObject().Key("AlarmName").String(h.alarm_name).Key("AlarmType").String("MetricAlarm");
  w.Key("Timestamp").Double(Seconds(h.timestamp_ms));
  w.Key("HistoryItemType").String(AlarmHistoryTypeName(h.type));
  w.Key("HistorySummary").String(h.summary).Key("HistoryData").String(h.data).EndObject();
}

bool HasActionWithPrefix(const MetricAlarmDefinition& d, std::string_view prefix) {
  for (const auto* list : {&d.ok_actions, &d.alarm_actions, &d.insufficient_data_actions}) {
    for (const std::string& a : *list) {
      if (a.starts_with(prefix)) return true;
    }
  }
  return false;
}

Status CheckAlarmTypes(object root, bool* metric_alarms) {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> types, Strings(root, "AlarmTypes", ""));
  *metric_alarms = types.empty();
  for (const std::string& t : types) {
    if (t == "MetricAlarm") {
      *metric_alarms = true;
    } else if (t != "CompositeAlarm") {
      return Invalid("InvalidParameterValue",
                     fmt::format("AlarmTypes '{}' must be MetricAlarm or CompositeAlarm", t));
    }
  }
  return Status::OK();
}

}  // namespace

Result<MetricAlarmDefinition> ParsePutMetricAlarmJson(std::string_view text,
                                                      std::optional<std::string_view> path_name) {
  Body b;
  GL_RETURN_IF_ERROR(ParseBody(text, &b));
  GL_RETURN_IF_ERROR(RefuseUnsupported(b.root));
  MetricAlarmDefinition d;
  GL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(b.root, "AlarmName", ""));
  if (path_name && name && *name != *path_name) {
    return Invalid(
        "InvalidParameterValue",
        fmt::format("AlarmName '{}' is not the name in the URL ('{}')", *name, *path_name));
  }
  if (path_name) name = std::string(*path_name);
  if (!name) return Missing("AlarmName");
  d.name = std::move(*name);
  GL_ASSIGN_OR_RETURN(std::optional<std::string> description,
                      OptString(b.root, "AlarmDescription", ""));
  d.description = description.value_or("");
  if (auto e = Field(b.root, "ActionsEnabled")) {
    if (e->get_bool().get(d.actions_enabled) != simdjson::SUCCESS) {
      return WrongType("ActionsEnabled", "a boolean");
    }
  }
  GL_ASSIGN_OR_RETURN(d.ok_actions, Strings(b.root, "OKActions", ""));
  GL_ASSIGN_OR_RETURN(d.alarm_actions, Strings(b.root, "AlarmActions", ""));
  GL_ASSIGN_OR_RETURN(d.insufficient_data_actions, Strings(b.root, "InsufficientDataActions", ""));
  GL_RETURN_IF_ERROR(ParseMetricPart(b.root, &d));
  GL_RETURN_IF_ERROR(ParseEvaluationPart(b.root, &d));
  return d;
}

std::string RenderMetricAlarmJson(const MetricAlarm& alarm) {
  JsonWriter w;
  WriteMetricAlarm(w, alarm);
  return w.Take();
}

Result<std::string> PutMetricAlarmJson(AlarmStore* alarms, std::string_view body) {
  GL_ASSIGN_OR_RETURN(MetricAlarmDefinition d, ParsePutMetricAlarmJson(body, std::nullopt));
  GL_RETURN_IF_ERROR(alarms->Put(std::move(d)));
  return std::string("{}");
}

Result<std::string> DescribeAlarmsJson(AlarmStore* alarms, std::string_view text) {
  Body b;
  GL_RETURN_IF_ERROR(ParseBody(text, &b));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(b.root, "AlarmNames", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> prefix, OptString(b.root, "AlarmNamePrefix", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> state_text, OptString(b.root, "StateValue", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> action_prefix,
                      OptString(b.root, "ActionPrefix", ""));
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> max, OptInt(b.root, "MaxRecords", 1, 100));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> token, OptString(b.root, "NextToken", ""));
  GL_ASSIGN_OR_RETURN(size_t offset, ParseNextToken(token));
  bool metric_alarms = true;
  GL_RETURN_IF_ERROR(CheckAlarmTypes(b.root, &metric_alarms));
  if (!names.empty() && prefix) {
    return Invalid("InvalidParameterCombination", "give AlarmNames or AlarmNamePrefix, not both");
  }
  std::optional<AlarmState> state;
  if (state_text) {
    GL_ASSIGN_OR_RETURN(state, ParseAlarmState(*state_text, "StateValue"));
  }
  std::vector<const MetricAlarm*> matched;
  std::vector<MetricAlarm> all = metric_alarms ? alarms->List() : std::vector<MetricAlarm>();
  for (const MetricAlarm& a : all) {
    const std::string& name = a.definition.name;
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (prefix && !name.starts_with(*prefix)) continue;
    if (state && a.state != *state) continue;
    if (action_prefix && !HasActionWithPrefix(a.definition, *action_prefix)) continue;
    matched.push_back(&a);
  }
  size_t end = std::min(matched.size(), offset + static_cast<size_t>(max.value_or(50)));
  JsonWriter w;
  w.BeginObject().Key("MetricAlarms").BeginArray();
  for (size_t i = offset; i < end; ++i) WriteMetricAlarm(w, *matched[i]);
  w.EndArray().Key("CompositeAlarms").BeginArray().EndArray();
  if (end < matched.size()) w.Key("NextToken").String(MakeNextToken(end));
  w.EndObject();
  return w.Take();
}

Result<std::string> DeleteAlarmsJson(AlarmStore* alarms, std::string_view body) {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, AlarmNames(body));
  GL_RETURN_IF_ERROR(alarms->Delete(names));
  return std::string("{}");
}

Result<std::string> DescribeAlarmHistoryJson(AlarmStore* alarms, std::string_view text) {
  Body b;
  GL_RETURN_IF_ERROR(ParseBody(text, &b));
  AlarmHistoryQuery q;
  GL_ASSIGN_OR_RETURN(q.alarm_name, OptString(b.root, "AlarmName", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(b.root, "HistoryItemType", ""));
  if (type) {
    GL_ASSIGN_OR_RETURN(q.type, ParseAlarmHistoryType(*type));
  }
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> start, OptTime(b.root, "StartDate", ""));
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> end_date, OptTime(b.root, "EndDate", ""));
  if (start) q.start_ms = *start;
  if (end_date) q.end_ms = *end_date;
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> max, OptInt(b.root, "MaxRecords", 1, 100));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> token, OptString(b.root, "NextToken", ""));
  GL_ASSIGN_OR_RETURN(size_t offset, ParseNextToken(token));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> scan, OptString(b.root, "ScanBy", ""));
  if (scan && *scan != "TimestampDescending" && *scan != "TimestampAscending") {
    return Invalid("InvalidParameterValue",
                   "ScanBy must be TimestampDescending or TimestampAscending");
  }
  bool metric_alarms = true;
  GL_RETURN_IF_ERROR(CheckAlarmTypes(b.root, &metric_alarms));
  std::vector<AlarmHistoryItem> items =
      metric_alarms ? alarms->History(q) : std::vector<AlarmHistoryItem>();
  if (scan && *scan == "TimestampAscending") std::reverse(items.begin(), items.end());
  size_t end = std::min(items.size(), offset + static_cast<size_t>(max.value_or(100)));
  JsonWriter w;
  w.BeginObject().Key("AlarmHistoryItems").BeginArray();
  for (size_t i = offset; i < end; ++i) WriteHistoryItem(w, items[i]);
  w.EndArray();
  if (end < items.size()) w.Key("NextToken").String(MakeNextToken(end));
  w.EndObject();
  return w.Take();
}

Result<std::string> SetAlarmStateJson(AlarmStore* alarms, std::string_view text) {
  Body b;
  GL_RETURN_IF_ERROR(ParseBody(text, &b));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(b.root, "AlarmName", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(b.root, "StateValue", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> reason, OptString(b.root, "StateReason", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> data, OptString(b.root, "StateReasonData", ""));
  if (!name) return Missing("AlarmName");
  if (!value) return Missing("StateValue");
  if (!reason) return Missing("StateReason");
  if (reason->size() > 1023) {
    return Invalid("InvalidParameterValue", "StateReason is over 1,023 characters");
  }
  GL_ASSIGN_OR_RETURN(AlarmState state, ParseAlarmState(*value, "StateValue"));
  if (data) {
    simdjson::dom::parser parser;
    element e;
    if (parser.parse(data->data(), data->size()).get(e) != simdjson::SUCCESS) {
      return Invalid("InvalidFormat", "StateReasonData is not valid JSON");
    }
  }
  GL_RETURN_IF_ERROR(alarms->SetState(*name, state, *reason, data.value_or("")));
  return std::string("{}");
}

Result<std::string> EnableAlarmActionsJson(AlarmStore* alarms, std::string_view body) {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, AlarmNames(body));
  GL_RETURN_IF_ERROR(alarms->SetActionsEnabled(names, true));
  return std::string("{}");
}

Result<std::string> DisableAlarmActionsJson(AlarmStore* alarms, std::string_view body) {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, AlarmNames(body));
  GL_RETURN_IF_ERROR(alarms->SetActionsEnabled(names, false));
  return std::string("{}");
}

Result<std::string> AlarmDetailJson(AlarmStore* alarms, std::string_view name) {
  GL_ASSIGN_OR_RETURN(MetricAlarm alarm, alarms->Get(name));
  AlarmHistoryQuery q;
  q.alarm_name = std::string(name);
  std::vector<AlarmHistoryItem> items = alarms->History(q);
  if (items.size() > 20) items.resize(20);
  JsonWriter w;
  w.BeginObject().Key("MetricAlarm");
  WriteMetricAlarm(w, alarm);
  w.Key("AlarmHistoryItems").BeginArray();
  for (const AlarmHistoryItem& h : items) WriteHistoryItem(w, h);
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace gamelake
