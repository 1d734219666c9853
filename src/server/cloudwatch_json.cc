#include "server/cloudwatch_json.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "server/cloudwatch_json_reader.h"

namespace gamelake {
namespace {

using namespace cloudwatch_json;  // NOLINT(build/namespaces): the reader is this file's vocabulary.

// Dimensions [{Name, Value}]; `value_optional` for ListMetrics' filters.
Result<std::vector<std::pair<std::string, std::optional<std::string>>>> Dimensions(
    object o, std::string_view where, bool value_optional) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  GL_ASSIGN_OR_RETURN(std::optional<array> a, OptArray(o, "Dimensions", where));
  if (!a) return out;
  size_t i = 0;
  for (element e : *a) {
    std::string at = MemberAt(Member(where, "Dimensions"), ++i);
    GL_ASSIGN_OR_RETURN(object d, AsObject(e, at));
    GL_ASSIGN_OR_RETURN(std::string name, ReqString(d, "Name", at));
    GL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(d, "Value", at));
    if (!value && !value_optional) {
      return Invalid("MissingParameter", Member(at, "Value"), "The parameter Value is required.");
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Result<MetricId> Metric(object o, std::string_view where) {
  MetricId id;
  GL_ASSIGN_OR_RETURN(id.ns, ReqString(o, "Namespace", where));
  GL_ASSIGN_OR_RETURN(id.name, ReqString(o, "MetricName", where));
  GL_ASSIGN_OR_RETURN(auto dims, Dimensions(o, where, false));
  for (auto& [name, value] : dims) id.dimensions.push_back({std::move(name), std::move(*value)});
  return id;
}

Status StatisticValues(object o, std::string_view where, MetricDatum* d) {
  auto e = Field(o, "StatisticValues");
  if (!e) return Status::OK();
  std::string at = Member(where, "StatisticValues");
  GL_ASSIGN_OR_RETURN(object s, AsObject(*e, at));
  StatisticSet set;
  double* fields[] = {&set.sample_count, &set.sum, &set.minimum, &set.maximum};
  std::string_view names[] = {"SampleCount", "Sum", "Minimum", "Maximum"};
  for (int i = 0; i < 4; ++i) {
    GL_ASSIGN_OR_RETURN(std::optional<double> v, OptNumber(s, names[i], at));
    if (!v) {
      return Invalid("MissingParameter", Member(at, names[i]),
                     fmt::format("The parameter {} is required.", names[i]));
    }
    *fields[i] = *v;
  }
  d->statistics = set;
  return Status::OK();
}

Result<MetricDatum> Datum(element e, std::string_view where, int64_t now_ms) {
  GL_ASSIGN_OR_RETURN(object o, AsObject(e, where));
  MetricDatum d;
  GL_ASSIGN_OR_RETURN(d.id.name, ReqString(o, "MetricName", where));
  GL_ASSIGN_OR_RETURN(auto dims, Dimensions(o, where, false));
  for (auto& [name, value] : dims) d.id.dimensions.push_back({std::move(name), std::move(*value)});
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> ts, OptTime(o, "Timestamp", where));
  d.timestamp_ms = ts ? *ts : now_ms;
  GL_ASSIGN_OR_RETURN(d.value, OptNumber(o, "Value", where));
  GL_ASSIGN_OR_RETURN(std::optional<array> values, OptArray(o, "Values", where));
  if (values) {
    GL_ASSIGN_OR_RETURN(d.values, Numbers(*values, Member(where, "Values")));
  }
  GL_ASSIGN_OR_RETURN(std::optional<array> counts, OptArray(o, "Counts", where));
  if (counts) {
    GL_ASSIGN_OR_RETURN(d.counts, Numbers(*counts, Member(where, "Counts")));
  }
  GL_RETURN_IF_ERROR(StatisticValues(o, where, &d));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> unit, OptString(o, "Unit", where));
  if (unit) d.unit = *unit;
  GL_ASSIGN_OR_RETURN(std::optional<double> res, OptNumber(o, "StorageResolution", where));
  if (res) {
    if (*res != 1 && *res != 60) {
      return Invalid("InvalidParameterValue", Member(where, "StorageResolution"),
                     "StorageResolution must be 1 or 60");
    }
    d.storage_resolution_s = static_cast<int>(*res);
  }
  return d;
}

Result<int64_t> Period(object o, std::string_view where, bool required) {
  GL_ASSIGN_OR_RETURN(std::optional<double> p, OptNumber(o, "Period", where));
  if (!p) {
    if (!required) return int64_t{0};
    return Invalid("MissingParameter", Member(where, "Period"),
                   "The parameter Period is required.");
  }
  if (*p < 1 || *p != std::floor(*p) || *p > 86400.0 * 455) {
    return Invalid("InvalidParameterValue", Member(where, "Period"),
                   "Period must be a positive whole number of seconds");
  }
  return static_cast<int64_t>(*p);
}

Result<MetricDataQuery> Query(element e, std::string_view where) {
  GL_ASSIGN_OR_RETURN(object o, AsObject(e, where));
  MetricDataQuery q;
  GL_ASSIGN_OR_RETURN(q.id, ReqString(o, "Id", where));
  GL_ASSIGN_OR_RETURN(q.expression, OptString(o, "Expression", where));
  GL_ASSIGN_OR_RETURN(q.label, OptString(o, "Label", where));
  GL_ASSIGN_OR_RETURN(std::optional<bool> ret, OptBool(o, "ReturnData", where));
  q.return_data = ret.value_or(true);
  GL_ASSIGN_OR_RETURN(int64_t period, Period(o, where, false));
  if (period > 0) q.period_s = period;
  if (auto ms = Field(o, "MetricStat")) {
    std::string at = Member(where, "MetricStat");
    GL_ASSIGN_OR_RETURN(object m, AsObject(*ms, at));
    auto metric = Field(m, "Metric");
    if (!metric)
      return Invalid("MissingParameter", Member(at, "Metric"), "The parameter Metric is required.");
    GL_ASSIGN_OR_RETURN(object mo, AsObject(*metric, Member(at, "Metric")));
    MetricStatQuery s;
    GL_ASSIGN_OR_RETURN(s.metric, Metric(mo, Member(at, "Metric")));
    GL_ASSIGN_OR_RETURN(s.period_s, Period(m, at, true));
    GL_ASSIGN_OR_RETURN(s.stat, ReqString(m, "Stat", at));
    GL_ASSIGN_OR_RETURN(s.unit, OptString(m, "Unit", at));
    q.metric_stat = std::move(s);
  }
  return q;
}

void WriteMetric(JsonWriter& w, const MetricId& id) {
  w.BeginObject().Key("Namespace").String(id.ns).Key("MetricName").String(id.name);
  w.Key("Dimensions").BeginArray();
  for (const Dimension& d : id.dimensions) {
    w.BeginObject().Key("Name").String(d.name).Key("Value").String(d.value).EndObject();
  }
  w.EndArray().EndObject();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

Result<PutMetricDataRequest> ParsePutMetricDataJson(std::string_view text, int64_t now_ms) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  PutMetricDataRequest r;
  GL_ASSIGN_OR_RETURN(r.ns, ReqString(body.root, "Namespace", ""));
  GL_ASSIGN_OR_RETURN(std::optional<array> data, OptArray(body.root, "MetricData", ""));
  if (!data)
    return Invalid("MissingParameter", "MetricData", "The parameter MetricData is required.");
  r.data.reserve(std::min<size_t>(data->size(), kMaxDatumsPerPut));
  size_t i = 0;
  for (element e : *data) {
    if (++i > kMaxDatumsPerPut) {
      return Invalid("InvalidParameterValue", "MetricData",
                     fmt::format("The collection MetricData must not have a size greater than {}.",
                                 kMaxDatumsPerPut));
    }
    Result<MetricDatum> d = Datum(e, kNoPath, now_ms);
    if (!d.ok()) d = Datum(e, MemberAt("MetricData", i), now_ms);  // Again, for the message.
    if (!d.ok()) return d.status();
    r.data.push_back(std::move(d).value());
  }
  return r;
}

Result<GetMetricDataRequest> ParseGetMetricDataJson(std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GetMetricDataRequest r;
  GL_ASSIGN_OR_RETURN(std::optional<array> queries, OptArray(body.root, "MetricDataQueries", ""));
  if (!queries) {
    return Invalid("MissingParameter", "MetricDataQueries",
                   "The parameter MetricDataQueries is required.");
  }
  size_t i = 0;
  // All are read (the 1 MB request bounds them); the service says how many is too many.
  for (element e : *queries) {
    GL_ASSIGN_OR_RETURN(MetricDataQuery q,
                        Query(e, fmt::format("MetricDataQueries.member.{}", ++i)));
    r.queries.push_back(std::move(q));
  }
  GL_ASSIGN_OR_RETURN(r.start_ms, ReqTime(body.root, "StartTime", ""));
  GL_ASSIGN_OR_RETURN(r.end_ms, ReqTime(body.root, "EndTime", ""));
  GL_ASSIGN_OR_RETURN(r.next_token, OptString(body.root, "NextToken", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> scan, OptString(body.root, "ScanBy", ""));
  if (scan && *scan != "TimestampDescending" && *scan != "TimestampAscending") {
    return Invalid("InvalidParameterValue", "ScanBy",
                   "ScanBy must be TimestampDescending or TimestampAscending");
  }
  r.descending = !scan || *scan == "TimestampDescending";
  GL_ASSIGN_OR_RETURN(std::optional<double> max, OptNumber(body.root, "MaxDatapoints", ""));
  if (max) {
    if (*max < 1 || *max != std::floor(*max) || *max > 1e9) {
      return Invalid("InvalidParameterValue", "MaxDatapoints", "MaxDatapoints must be positive");
    }
    r.max_datapoints = static_cast<size_t>(*max);
  }
  return r;
}

Result<GetMetricStatisticsRequest> ParseGetMetricStatisticsJson(std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GetMetricStatisticsRequest r;
  GL_ASSIGN_OR_RETURN(r.metric, Metric(body.root, ""));
  GL_ASSIGN_OR_RETURN(r.start_ms, ReqTime(body.root, "StartTime", ""));
  GL_ASSIGN_OR_RETURN(r.end_ms, ReqTime(body.root, "EndTime", ""));
  GL_ASSIGN_OR_RETURN(r.period_s, Period(body.root, "", true));
  GL_ASSIGN_OR_RETURN(r.statistics, Strings(body.root, "Statistics", ""));
  GL_ASSIGN_OR_RETURN(r.extended_statistics, Strings(body.root, "ExtendedStatistics", ""));
  GL_ASSIGN_OR_RETURN(r.unit, OptString(body.root, "Unit", ""));
  return r;
}

Result<ListMetricsRequest> ParseListMetricsJson(std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  ListMetricsRequest r;
  GL_ASSIGN_OR_RETURN(r.ns, OptString(body.root, "Namespace", ""));
  GL_ASSIGN_OR_RETURN(r.name, OptString(body.root, "MetricName", ""));
  GL_ASSIGN_OR_RETURN(r.dimensions, Dimensions(body.root, "", true));
  GL_ASSIGN_OR_RETURN(r.next_token, OptString(body.root, "NextToken", ""));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> active,
                      OptString(body.root, "RecentlyActive", ""));
  if (active && *active != "PT3H") {
    return Invalid("InvalidParameterValue", "RecentlyActive", "RecentlyActive must be PT3H");
  }
  r.recently_active = active.has_value();
  return r;
}

std::string RenderGetMetricDataJson(const GetMetricDataResponse& response) {
  JsonWriter w;
  w.BeginObject().Key("MetricDataResults").BeginArray();
  for (const MetricDataResult& r : response.results) {
    w.BeginObject().Key("Id").String(r.id).Key("Label").String(r.label);
    w.Key("Timestamps").BeginArray();
    for (int64_t t : r.timestamps_ms) w.Double(Seconds(t));
    w.EndArray().Key("Values").BeginArray();
    for (double v : r.values) w.Double(v);
    w.EndArray().Key("StatusCode").String(r.status_code).EndObject();
  }
  w.EndArray().Key("Messages").BeginArray().EndArray();
  if (response.next_token) w.Key("NextToken").String(*response.next_token);
  w.EndObject();
  return w.Take();
}

std::string RenderGetMetricStatisticsJson(const GetMetricStatisticsRequest& request,
                                          const GetMetricStatisticsResponse& response) {
  JsonWriter w;
  w.BeginObject().Key("Label").String(response.label).Key("Datapoints").BeginArray();
  for (const StatisticsDatapoint& d : response.datapoints) {
    w.BeginObject().Key("Timestamp").Double(Seconds(d.timestamp_ms));
    for (size_t i = 0; i < d.statistics.size(); ++i) {
      if (d.statistics[i]) w.Key(request.statistics[i]).Double(*d.statistics[i]);
    }
    w.Key("Unit").String(d.unit);
    if (!d.extended.empty()) {
      w.Key("ExtendedStatistics").BeginObject();
      for (size_t i = 0; i < d.extended.size(); ++i) {
        if (d.extended[i]) w.Key(request.extended_statistics[i]).Double(*d.extended[i]);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string RenderListMetricsJson(const ListMetricsResponse& response) {
  JsonWriter w;
  w.BeginObject().Key("Metrics").BeginArray();
  for (const MetricId& id : response.metrics) WriteMetric(w, id);
  w.EndArray();
  if (response.next_token) w.Key("NextToken").String(*response.next_token);
  w.EndObject();
  return w.Take();
}

namespace {

std::string DashboardArn(std::string_view name) {
  return fmt::format("arn:aws:cloudwatch::000000000000:dashboard/{}", name);
}

}  // namespace

std::string RenderDashboardJson(const Dashboard& d) {
  JsonWriter w;
  w.BeginObject().Key("DashboardArn").String(DashboardArn(d.name));
  w.Key("DashboardBody").String(d.body).Key("DashboardName").String(d.name).EndObject();
  return w.Take();
}

Result<std::string> PutDashboardJson(DashboardStore* store, std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GL_ASSIGN_OR_RETURN(std::string name, ReqString(body.root, "DashboardName", ""));
  GL_ASSIGN_OR_RETURN(std::string dashboard, ReqString(body.root, "DashboardBody", ""));
  GL_RETURN_IF_ERROR(store->Put(name, dashboard));
  return std::string(R"({"DashboardValidationMessages":[]})");
}

Result<std::string> GetDashboardJson(DashboardStore* store, std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GL_ASSIGN_OR_RETURN(std::string name, ReqString(body.root, "DashboardName", ""));
  GL_ASSIGN_OR_RETURN(Dashboard d, store->Get(name));
  return RenderDashboardJson(d);
}

Result<std::string> ListDashboardsJson(DashboardStore* store, std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GL_ASSIGN_OR_RETURN(std::optional<std::string> prefix,
                      OptString(body.root, "DashboardNamePrefix", ""));
  GL_ASSIGN_OR_RETURN(std::vector<Dashboard> all, store->List(prefix.value_or("")));
  JsonWriter w;
  w.BeginObject().Key("DashboardEntries").BeginArray();
  for (const Dashboard& d : all) {
    w.BeginObject()
        .Key("DashboardName")
        .String(d.name)
        .Key("DashboardArn")
        .String(DashboardArn(d.name));
    w.Key("LastModified")
        .Double(Seconds(d.modified_ms))
        .Key("Size")
        .UInt(d.body.size())
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

Result<std::string> DeleteDashboardsJson(DashboardStore* store, std::string_view text) {
  Body body;
  GL_RETURN_IF_ERROR(ParseBody(text, &body));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(body.root, "DashboardNames", ""));
  if (names.empty()) {
    return Invalid("MissingParameter", "DashboardNames",
                   "The parameter DashboardNames is required.");
  }
  GL_RETURN_IF_ERROR(store->Delete(names));
  return std::string("{}");
}

Result<MetricDataQuery> ParseMetricDataQueryJson(element e, std::string_view where) {
  return Query(e, where);
}

Result<MetricId> ParseMetricIdJson(object o, std::string_view where) { return Metric(o, where); }

void WriteMetricIdJson(JsonWriter& w, const MetricId& id) { WriteMetric(w, id); }

}  // namespace gamelake
