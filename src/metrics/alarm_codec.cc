#include "metrics/alarm_codec.h"

#include <cstring>

#include <fmt/format.h>

#include "common/crc32c.h"
#include "metrics/encoding.h"
#include "metrics/metric_codec.h"

namespace gamelake {
namespace {

constexpr std::string_view kMagic = "GLALRM1\n";

void PutStrings(std::string* out, const std::vector<std::string>& v) {
  PutVarint(out, v.size());
  for (const std::string& s : v) PutString(out, s);
}

void PutOptString(std::string* out, const std::optional<std::string>& s) {
  out->push_back(s ? 1 : 0);
  if (s) PutString(out, *s);
}

void PutQuery(std::string* out, const MetricDataQuery& q) {
  PutString(out, q.id);
  PutOptString(out, q.label);
  out->push_back(q.return_data ? 1 : 0);
  PutVarint(out, q.period_s.value_or(0));
  out->push_back(q.metric_stat ? 0 : 1);
  if (q.metric_stat) {
    PutMetricId(out, q.metric_stat->metric);
    PutVarint(out, q.metric_stat->period_s);
    PutString(out, q.metric_stat->stat);
    PutOptString(out, q.metric_stat->unit);
  } else {
    PutString(out, *q.expression);
  }
}

void PutDefinition(std::string* out, const MetricAlarmDefinition& d) {
  PutString(out, d.name);
  PutString(out, d.description);
  out->push_back(d.actions_enabled ? 1 : 0);
  PutStrings(out, d.ok_actions);
  PutStrings(out, d.alarm_actions);
  PutStrings(out, d.insufficient_data_actions);
  out->push_back(d.metric ? 0 : 1);
  if (d.metric) {
    PutMetricId(out, *d.metric);
    PutString(out, d.statistic);
    PutString(out, d.extended_statistic);
    PutVarint(out, d.period_s);
    PutOptString(out, d.unit);
  } else {
    PutVarint(out, d.metrics.size());
    for (const MetricDataQuery& q : d.metrics) PutQuery(out, q);
  }
  PutVarint(out, d.evaluation_periods);
  PutVarint(out, d.datapoints_to_alarm);
  PutNumber(out, d.threshold);
  out->push_back(static_cast<char>(d.comparison));
  out->push_back(static_cast<char>(d.treat_missing_data));
}

Result<std::optional<std::string>> GetOptString(ByteReader& r, std::string_view what) {
  GL_ASSIGN_OR_RETURN(uint8_t has, r.Tag(what, 1));
  if (!has) return std::optional<std::string>();
  GL_ASSIGN_OR_RETURN(std::string s, r.String(what));
  return std::optional<std::string>(std::move(s));
}

Result<std::vector<std::string>> GetStrings(ByteReader& r, std::string_view what) {
  GL_ASSIGN_OR_RETURN(uint64_t n, r.Count(what, 1));
  std::vector<std::string> out;
  for (uint64_t i = 0; i < n; ++i) {
    GL_ASSIGN_OR_RETURN(std::string s, r.String(what));
    out.push_back(std::move(s));
  }
  return out;
}

Result<MetricDataQuery> GetQuery(ByteReader& r) {
  MetricDataQuery q;
  GL_ASSIGN_OR_RETURN(q.id, r.String("query id"));
  GL_ASSIGN_OR_RETURN(q.label, GetOptString(r, "query label"));
  GL_ASSIGN_OR_RETURN(uint8_t ret, r.Tag("query ReturnData", 1));
  q.return_data = ret == 1;
  GL_ASSIGN_OR_RETURN(uint64_t period, r.Varint("query period"));
  if (period > 0) q.period_s = static_cast<int64_t>(period);
  GL_ASSIGN_OR_RETURN(uint8_t kind, r.Tag("query kind", 1));
  if (kind == 0) {
    MetricStatQuery s;
    GL_ASSIGN_OR_RETURN(s.metric, GetMetricId(r));
    GL_ASSIGN_OR_RETURN(uint64_t p, r.Varint("metric stat period"));
    s.period_s = static_cast<int64_t>(p);
    GL_ASSIGN_OR_RETURN(s.stat, r.String("metric stat"));
    GL_ASSIGN_OR_RETURN(s.unit, GetOptString(r, "metric stat unit"));
    q.metric_stat = std::move(s);
  } else {
    GL_ASSIGN_OR_RETURN(std::string e, r.String("query expression"));
    q.expression = std::move(e);
  }
  return q;
}

Status GetDefinition(ByteReader& r, MetricAlarmDefinition* d) {
  GL_ASSIGN_OR_RETURN(d->name, r.String("alarm name"));
  GL_ASSIGN_OR_RETURN(d->description, r.String("alarm description"));
  GL_ASSIGN_OR_RETURN(uint8_t enabled, r.Tag("ActionsEnabled", 1));
  d->actions_enabled = enabled == 1;
  GL_ASSIGN_OR_RETURN(d->ok_actions, GetStrings(r, "OKActions"));
  GL_ASSIGN_OR_RETURN(d->alarm_actions, GetStrings(r, "AlarmActions"));
  GL_ASSIGN_OR_RETURN(d->insufficient_data_actions, GetStrings(r, "InsufficientDataActions"));
  GL_ASSIGN_OR_RETURN(uint8_t kind, r.Tag("alarm kind", 1));
  if (kind == 0) {
    GL_ASSIGN_OR_RETURN(MetricId id, GetMetricId(r));
    d->metric = std::move(id);
    GL_ASSIGN_OR_RETURN(d->statistic, r.String("Statistic"));
    GL_ASSIGN_OR_RETURN(d->extended_statistic, r.String("ExtendedStatistic"));
    GL_ASSIGN_OR_RETURN(uint64_t p, r.Varint("Period"));
    d->period_s = static_cast<int64_t>(p);
    GL_ASSIGN_OR_RETURN(d->unit, GetOptString(r, "Unit"));
  } else {
    GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("query count", 4));
    for (uint64_t i = 0; i < n; ++i) {
      GL_ASSIGN_OR_RETURN(MetricDataQuery q, GetQuery(r));
      d->metrics.push_back(std::move(q));
    }
  }
  GL_ASSIGN_OR_RETURN(uint64_t n, r.Varint("EvaluationPeriods"));
  GL_ASSIGN_OR_RETURN(uint64_t m, r.Varint("DatapointsToAlarm"));
  d->evaluation_periods = static_cast<int>(n);
  d->datapoints_to_alarm = static_cast<int>(m);
  GL_ASSIGN_OR_RETURN(d->threshold, r.Number("Threshold"));
  GL_ASSIGN_OR_RETURN(uint8_t op, r.Tag("ComparisonOperator", 3));
  d->comparison = static_cast<ComparisonOperator>(op);
  GL_ASSIGN_OR_RETURN(uint8_t treat, r.Tag("TreatMissingData", 3));
  d->treat_missing_data = static_cast<TreatMissingData>(treat);
  return Status::OK();
}

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string EncodeAlarmFile(const MetricAlarm& a, const std::vector<AlarmHistoryItem>& history) {
  std::string body;
  PutDefinition(&body, a.definition);
  body.push_back(static_cast<char>(a.state));
  PutString(&body, a.state_reason);
  PutString(&body, a.state_reason_data);
  PutVarint(&body, static_cast<uint64_t>(a.state_updated_ms));
  PutVarint(&body, static_cast<uint64_t>(a.state_transitioned_ms));
  PutVarint(&body, static_cast<uint64_t>(a.configuration_updated_ms));
  PutVarint(&body, history.size());
  for (const AlarmHistoryItem& h : history) {
    PutVarint(&body, static_cast<uint64_t>(h.timestamp_ms));
    body.push_back(static_cast<char>(h.type));
    PutString(&body, h.summary);
    PutString(&body, h.data);
  }
  std::string out(kMagic);
  out += body;
  PutFixed32(&out, crc32c::Value(body));
  return out;
}

Status DecodeAlarmFile(std::string_view file, MetricAlarm* a,
                       std::vector<AlarmHistoryItem>* history) {
  if (!file.starts_with(kMagic) || file.size() < kMagic.size() + 4) {
    return Status::Corruption("alarm file: not a version 1 alarm file");
  }
  std::string_view body = file.substr(kMagic.size(), file.size() - kMagic.size() - 4);
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) {
    crc |= static_cast<uint32_t>(static_cast<uint8_t>(file[file.size() - 4 + i])) << (8 * i);
  }
  if (crc != crc32c::Value(body)) return Status::Corruption("alarm file: CRC mismatch");
  ByteReader r(body, kMagic.size());
  GL_RETURN_IF_ERROR(GetDefinition(r, &a->definition));
  GL_ASSIGN_OR_RETURN(uint8_t state, r.Tag("state", 2));
  a->state = static_cast<AlarmState>(state);
  GL_ASSIGN_OR_RETURN(a->state_reason, r.String("StateReason"));
  GL_ASSIGN_OR_RETURN(a->state_reason_data, r.String("StateReasonData"));
  GL_ASSIGN_OR_RETURN(uint64_t updated, r.Varint("StateUpdatedTimestamp"));
  GL_ASSIGN_OR_RETURN(uint64_t transitioned, r.Varint("StateTransitionedTimestamp"));
  GL_ASSIGN_OR_RETURN(uint64_t configured, r.Varint("configuration time"));
  a->state_updated_ms = static_cast<int64_t>(updated);
  a->state_transitioned_ms = static_cast<int64_t>(transitioned);
  a->configuration_updated_ms = static_cast<int64_t>(configured);
  GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("history count", 4));
  history->clear();
  for (uint64_t i = 0; i < n; ++i) {
    AlarmHistoryItem h;
    h.alarm_name = a->definition.name;
    GL_ASSIGN_OR_RETURN(uint64_t ts, r.Varint("history time"));
    h.timestamp_ms = static_cast<int64_t>(ts);
    GL_ASSIGN_OR_RETURN(uint8_t type, r.Tag("history type", 2));
    h.type = static_cast<AlarmHistoryType>(type);
    GL_ASSIGN_OR_RETURN(h.summary, r.String("history summary"));
    GL_ASSIGN_OR_RETURN(h.data, r.String("history data"));
    history->push_back(std::move(h));
  }
  if (!r.done()) return r.Fail("bytes after the history");
  return Status::OK();
}

}  // namespace gamelake
