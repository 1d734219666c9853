#include "metrics/cloudwatch_service.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <set>

#include "metrics/metric_math.h"

#include <fmt/format.h>

namespace gamelake {
namespace {

Status Error(std::string_view code, std::string_view message) {
  return Status::InvalidArgument(fmt::format("{}: {}", code, message));
}

bool ValidQueryId(std::string_view id) {
  if (id.empty() || id.size() > 255 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status CheckQueries(const GetMetricDataRequest& r) {
  if (r.queries.empty()) return Error("MissingParameter", "MetricDataQueries is required");
  if (r.queries.size() > kMaxMetricDataQueries) {
    return Error("InvalidParameterValue", fmt::format("{} MetricDataQueries; at most {}",
                                                      r.queries.size(), kMaxMetricDataQueries));
  }
  if (r.max_datapoints == 0 || r.max_datapoints > kMaxDatapointsPerGetMetricData) {
    return Error("InvalidParameterValue",
                 fmt::format("MaxDatapoints must be 1 to {}", kMaxDatapointsPerGetMetricData));
  }
  std::set<std::string_view> ids;
  for (size_t i = 0; i < r.queries.size(); ++i) {
    const MetricDataQuery& q = r.queries[i];
    std::string where = fmt::format("MetricDataQueries.member.{}", i + 1);
    if (!ValidQueryId(q.id)) {
      return Error("ValidationError",
                   fmt::format("{}: Id '{}' must start with a lowercase letter and hold only "
                               "letters, digits and '_'",
                               where, q.id));
    }
    if (!ids.insert(q.id).second) {
      return Error("ValidationError", fmt::format("{}: Id '{}' is used twice", where, q.id));
    }
    if (q.metric_stat.has_value() == q.expression.has_value()) {
      return Error("InvalidParameterCombination",
                   fmt::format("{}: give exactly one of MetricStat and Expression", where));
    }
    if (q.expression && q.expression->size() > 2048) {
      return Error("ValidationError",
                   fmt::format("{}: Expression is over 2,048 characters", where));
    }
  }
  return Status::OK();
}

// Reading order of one result: the results' datapoints one after another.
size_t Total(const std::vector<MetricDataResult>& results) {
  size_t n = 0;
  for (const auto& r : results) n += r.values.size();
  return n;
}

// Keeps the datapoints [offset, offset + max) of all results, in order.
void Page(std::vector<MetricDataResult>& results, size_t offset, size_t max,
          std::optional<std::string>* next_token) {
  size_t total = Total(results);
  size_t end = std::min(total, offset + max);
  size_t at = 0;
  for (MetricDataResult& r : results) {
    size_t n = r.values.size();
    size_t lo = std::clamp(offset, at, at + n) - at;
    size_t hi = std::clamp(end, at, at + n) - at;
    if (hi < n) r.status_code = "PartialData";
    r.values = std::vector<double>(r.values.begin() + lo, r.values.begin() + hi);
    r.timestamps_ms =
        std::vector<int64_t>(r.timestamps_ms.begin() + lo, r.timestamps_ms.begin() + hi);
    at += n;
  }
  if (end < total) *next_token = MakeNextToken(end);
}

}  // namespace

std::string MakeNextToken(size_t offset) { return fmt::format("gl1-{}", offset); }

Result<size_t> ParseNextToken(const std::optional<std::string>& token) {
  if (!token) return size_t{0};
  std::string_view t = *token;
  size_t offset = 0;
  if (t.starts_with("gl1-")) {
    t.remove_prefix(4);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), offset);
    if (ec == std::errc() && end == t.data() + t.size()) return offset;
  }
  return Status::InvalidArgument("InvalidNextToken: The service couldn't process your NextToken.");
}

CloudWatchError ToCloudWatchError(const Status& status) {
  static constexpr std::string_view kCodes[] = {"InvalidParameterValue",
                                                "MissingParameter",
                                                "InvalidParameterCombination",
                                                "LimitExceeded",
                                                "InvalidNextToken",
                                                "ValidationError",
                                                "ResourceNotFound",
                                                "InvalidFormat",
                                                "InvalidParameterInput",
                                                "SerializationException",
                                                "AccessDenied",
                                                "InvalidAction",
                                                "Throttling"};
  const std::string& m = status.message();
  size_t colon = m.find(": ");
  std::string_view code = colon == std::string::npos ? "" : std::string_view(m).substr(0, colon);
  for (std::string_view known : kCodes) {
    if (code == known) {
      int http = known == "ResourceNotFound" ? 404 : known == "AccessDenied" ? 403 : 400;
      return {std::string(code), http, m.substr(colon + 2)};
    }
  }
  return {"InternalServiceError", 500, m};
}

Status CloudWatchService::PutMetricData(PutMetricDataRequest r) {
  if (r.ns.empty()) return Error("MissingParameter", "The parameter Namespace is required.");
  if (r.data.empty()) return Error("MissingParameter", "The parameter MetricData is required.");
  if (r.data.size() > kMaxDatumsPerPut) {
    return Error("InvalidParameterValue",
                 fmt::format("The collection MetricData must not have a size greater than {} "
                             "(got {}).",
                             kMaxDatumsPerPut, r.data.size()));
  }
  for (MetricDatum& d : r.data) d.id.ns = r.ns;
  Status s = store_->Put(std::move(r.data));
  if (s.code() == Status::Code::kResourceExhausted) {
    return Status::InvalidArgument(s.message());  // "LimitExceeded: ..."
  }
  return s;
}

Result<MetricDataResult> CloudWatchService::RunQuery(const MetricDataQuery& q,
                                                     const GetMetricDataRequest& r) const {
  const MetricStatQuery& ms = *q.metric_stat;
  StatisticsRequest sr;
  sr.id = ms.metric;
  sr.unit = ms.unit;
  sr.start_ms = r.start_ms;
  sr.end_ms = r.end_ms;
  sr.period_s = ms.period_s;
  auto stat = ParseStatistic(ms.stat);
  if (!stat.ok()) return Error("InvalidParameterValue", stat.status().message());
  sr.statistics = {*stat};
  sr.max_buckets = kMaxDatapointsPerGetMetricData;
  GL_ASSIGN_OR_RETURN(std::vector<StatisticsPoint> points, store_->GetStatistics(sr));
  MetricDataResult out;
  out.id = q.id;
  out.label = q.label ? *q.label : ms.metric.name;
  for (const StatisticsPoint& p : points) {
    if (!p.values[0]) continue;  // Unavailable (a percentile of statistic sets).
    out.timestamps_ms.push_back(p.timestamp_ms);
    out.values.push_back(*p.values[0]);
  }
  return out;
}

namespace {

// Expressions in an order where each comes after the expressions it reads;
// ValidationError for an unknown id or a cycle.
Result<std::vector<const MetricDataQuery*>> ExpressionOrder(const GetMetricDataRequest& r) {
  std::map<std::string, const MetricDataQuery*> by_id;
  for (const MetricDataQuery& q : r.queries) by_id[q.id] = &q;
  std::map<std::string, std::vector<std::string>> deps;
  for (const MetricDataQuery& q : r.queries) {
    if (!q.expression) continue;
    bool metrics = false;
    GL_ASSIGN_OR_RETURN(std::vector<std::string> refs,
                        ExpressionReferences(*q.expression, &metrics));
    for (const std::string& ref : refs) {
      if (!by_id.count(ref)) {
        return Error("ValidationError",
                     fmt::format("{}: {}: unknown id '{}'", q.id, *q.expression, ref));
      }
      if (by_id[ref]->expression) deps[q.id].push_back(ref);
    }
    deps[q.id];
  }
  std::vector<const MetricDataQuery*> order;
  std::map<std::string, int> state;  // 1: visiting, 2: done.
  std::function<Status(const std::string&)> visit = [&](const std::string& id) -> Status {
    if (state[id] == 2) return Status::OK();
    if (state[id] == 1)
      return Error("ValidationError", fmt::format("circular reference at '{}'", id));
    state[id] = 1;
    for (const std::string& d : deps[id]) GL_RETURN_IF_ERROR(visit(d));
    state[id] = 2;
    order.push_back(by_id[id]);
    return Status::OK();
  };
  for (const auto& [id, unused] : deps) GL_RETURN_IF_ERROR(visit(id));
  return order;
}

}  // namespace

Result<GetMetricDataResponse> CloudWatchService::GetMetricData(
    const GetMetricDataRequest& r) const {
  GL_RETURN_IF_ERROR(CheckQueries(r));
  GL_ASSIGN_OR_RETURN(size_t offset, ParseNextToken(r.next_token));
  GL_ASSIGN_OR_RETURN(std::vector<const MetricDataQuery*> expressions, ExpressionOrder(r));
  MathContext math;
  math.period_s = 0;
  std::map<std::string, MetricDataResult> results;
  for (const MetricDataQuery& q : r.queries) {
    if (!q.metric_stat) continue;
    auto result = RunQuery(q, r);
    if (!result.ok()) {
      CloudWatchError e = ToCloudWatchError(result.status());
      std::string code = e.code == "InternalServiceError" ? "InvalidParameterValue" : e.code;
      return Status::InvalidArgument(fmt::format("{}: query '{}': {}", code, q.id, e.message));
    }
    if (math.period_s == 0) math.period_s = q.metric_stat->period_s;
    math.metric_ids.push_back(q.id);
    math.series[q.id] = MathSeries{q.id, result->label, result->timestamps_ms, result->values};
    results[q.id] = std::move(result).value();
  }
  int64_t now_s = env_->NowMicros() / 1'000'000;
  for (const MetricDataQuery* q : expressions) {
    math.period_s = q->period_s.value_or(math.period_s > 0 ? math.period_s : 60);
    math.start_ms = RoundStartSeconds(r.start_ms / 1000, math.period_s, now_s) * 1000;
    math.end_ms = r.end_ms;
    GL_ASSIGN_OR_RETURN(MathSeries s, EvaluateExpression(*q->expression, math));
    s.id = q->id;
    s.label = q->label.value_or(q->id);
    math.series[q->id] = s;
    results[q->id] = MetricDataResult{q->id, s.label, s.timestamps_ms, s.values, "Complete"};
  }
  GetMetricDataResponse out;
  for (const MetricDataQuery& q : r.queries) {
    if (!q.return_data) continue;
    MetricDataResult& result = results[q.id];
    if (r.descending) {
      std::reverse(result.timestamps_ms.begin(), result.timestamps_ms.end());
      std::reverse(result.values.begin(), result.values.end());
    }
    out.results.push_back(std::move(result));
  }
  Page(out.results, offset, r.max_datapoints, &out.next_token);
  return out;
}

Result<GetMetricStatisticsResponse> CloudWatchService::GetMetricStatistics(
    const GetMetricStatisticsRequest& r) const {
  if (r.statistics.empty() && r.extended_statistics.empty()) {
    return Error("MissingParameter",
                 "Must specify either Statistics or ExtendedStatistics, but not both.");
  }
  if (r.statistics.size() > 5 || r.extended_statistics.size() > 10) {
    return Error("InvalidParameterValue",
                 "at most 5 Statistics and 10 ExtendedStatistics per request");
  }
  StatisticsRequest sr;
  sr.id = r.metric;
  sr.unit = r.unit;
  sr.start_ms = r.start_ms;
  sr.end_ms = r.end_ms;
  sr.period_s = r.period_s;
  sr.max_buckets = kMaxDatapointsPerGetMetricStatistics;
  for (const std::string& s : r.statistics) {
    auto st = ParseStatistic(s);
    if (!st.ok() || st->kind == Statistic::Kind::kPercentile ||
        st->kind == Statistic::Kind::kTrimmedMean) {
      return Error("InvalidParameterValue",
                   fmt::format("Statistics '{}' must be one of SampleCount, Average, Sum, "
                               "Minimum, Maximum (percentiles go in ExtendedStatistics)",
                               s));
    }
    sr.statistics.push_back(*st);
  }
  for (const std::string& s : r.extended_statistics) {
    auto st = ParseStatistic(s);
    if (!st.ok() ||
        (st->kind != Statistic::Kind::kPercentile && st->kind != Statistic::Kind::kTrimmedMean)) {
      return Error("InvalidParameterValue",
                   fmt::format("ExtendedStatistics '{}' must be a percentile (p0.0 to p100) "
                               "or a trimmed mean (tmNN)",
                               s));
    }
    sr.statistics.push_back(*st);
  }
  GL_ASSIGN_OR_RETURN(std::vector<StatisticsPoint> points, store_->GetStatistics(sr));
  GetMetricStatisticsResponse out;
  out.label = r.metric.name;
  size_t n = r.statistics.size();
  for (StatisticsPoint& p : points) {
    StatisticsDatapoint d;
    d.timestamp_ms = p.timestamp_ms;
    d.unit = p.unit;
    d.statistics.assign(p.values.begin(), p.values.begin() + static_cast<ptrdiff_t>(n));
    d.extended.assign(p.values.begin() + static_cast<ptrdiff_t>(n), p.values.end());
    out.datapoints.push_back(std::move(d));
  }
  return out;
}

Result<ListMetricsResponse> CloudWatchService::ListMetrics(const ListMetricsRequest& r) const {
  GL_ASSIGN_OR_RETURN(size_t offset, ParseNextToken(r.next_token));
  if (r.dimensions.size() > kMaxDimensions) {
    return Error("InvalidParameterValue", "at most 30 dimension filters");
  }
  ListMetricsFilter f;
  f.ns = r.ns;
  f.name = r.name;
  f.dimensions = r.dimensions;
  int64_t now_ms = env_->NowMicros() / 1000;
  f.active_since_ms = now_ms - (r.recently_active ? 3 * 3600 * 1000 : kMaxAgeMs);
  std::vector<MetricId> all = store_->ListMetrics(f);
  ListMetricsResponse out;
  if (offset > all.size()) return out;
  size_t end = std::min(all.size(), offset + kListMetricsPageSize);
  out.metrics.assign(all.begin() + static_cast<ptrdiff_t>(offset),
                     all.begin() + static_cast<ptrdiff_t>(end));
  if (end < all.size()) out.next_token = MakeNextToken(end);
  return out;
}

}  // namespace gamelake
