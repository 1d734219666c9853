#include "cli/metrics_command.h"

#include <charconv>
#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "cli/server_client.h"
#include "common/civil_time.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"

namespace gamelake {
namespace {

int Fail(std::string_view message) {
  std::fprintf(stderr, "gamelake metrics: %.*s\n", static_cast<int>(message.size()),
               message.data());
  return 1;
}

// "90s", "15m", "3h", "2d" -> seconds.
Result<int64_t> ParseSince(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (ec != std::errc() || n <= 0 || scale == 0) {
    return Status::InvalidArgument(
        fmt::format("--since '{}': expected a number and s, m, h or d (e.g. 15m)", text));
  }
  return n * scale;
}

// Epoch seconds of an ISO 8601 time or of a number of seconds.
Result<int64_t> ParseSeconds(std::string_view flag, const std::string& text) {
  Result<int64_t> us = ParseTime(text);
  if (!us.ok()) return Status::InvalidArgument(fmt::format("{}: {}", flag, us.status().message()));
  return *us / kMicrosPerSecond;
}

void WriteDimensions(JsonWriter& w, const std::vector<std::string>& dims, bool values_optional) {
  w.Key("Dimensions").BeginArray();
  for (const std::string& d : dims) {
    size_t eq = d.find('=');
    w.BeginObject().Key("Name").String(d.substr(0, eq));
    if (eq != std::string::npos || !values_optional) {
      w.Key("Value").String(eq == std::string::npos ? "" : d.substr(eq + 1));
    }
    w.EndObject();
  }
  w.EndArray();
}

Result<std::string> PutBody(const MetricsCommand& c) {
  JsonWriter w;
  w.BeginObject().Key("Namespace").String(c.ns).Key("MetricData").BeginArray().BeginObject();
  w.Key("MetricName").String(c.name).Key("Value").Double(c.value);
  w.Key("StorageResolution").Int(c.resolution);
  if (!c.unit.empty()) w.Key("Unit").String(c.unit);
  if (!c.timestamp.empty()) {
    GL_ASSIGN_OR_RETURN(int64_t t, ParseSeconds("--timestamp", c.timestamp));
    w.Key("Timestamp").Int(t);
  }
  WriteDimensions(w, c.dimensions, false);
  w.EndObject().EndArray().EndObject();
  return w.Take();
}

Result<std::string> GetBody(const MetricsCommand& c) {
  int64_t end = Env::Default()->NowMicros() / kMicrosPerSecond + 1;
  int64_t start = 0;
  if (!c.start.empty() || !c.end.empty()) {
    GL_ASSIGN_OR_RETURN(start, ParseSeconds("--start", c.start));
    GL_ASSIGN_OR_RETURN(end, ParseSeconds("--end", c.end));
  } else {
    GL_ASSIGN_OR_RETURN(int64_t since, ParseSince(c.since));
    start = end - since;
  }
  JsonWriter w;
  w.BeginObject().Key("Namespace").String(c.ns).Key("MetricName").String(c.name);
  WriteDimensions(w, c.dimensions, false);
  w.Key("StartTime").Int(start).Key("EndTime").Int(end).Key("Period").Int(c.period_s);
  std::vector<std::string> plain, extended;
  for (const std::string& s : c.stats.empty() ? std::vector<std::string>{"Sum"} : c.stats) {
    bool simple =
        s == "SampleCount" || s == "Sum" || s == "Average" || s == "Minimum" || s == "Maximum";
    (simple ? plain : extended).push_back(s);
  }
  w.Key("Statistics").BeginArray();
  for (const auto& s : plain) w.String(s);
  w.EndArray().Key("ExtendedStatistics").BeginArray();
  for (const auto& s : extended) w.String(s);
  w.EndArray();
  if (!c.unit.empty()) w.Key("Unit").String(c.unit);
  w.EndObject();
  return w.Take();
}

std::string ListTarget(const MetricsCommand& c) {
  std::string q;
  auto add = [&q](std::string_view k, std::string_view v) {
    q += fmt::format("{}{}=", q.empty() ? "?" : "&", k);
    AppendPercentEncoded(&q, v);
  };
  if (!c.ns.empty()) add("namespace", c.ns);
  if (!c.name.empty()) add("name", c.name);
  for (const std::string& d : c.dimensions) add("dimension", d);
  return "/v1/metrics" + q;
}

// One line per datapoint: time, then each statistic asked for.
int PrintDatapoints(const MetricsCommand& c, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  simdjson::dom::array points;
  if (parser.parse(body).get(o) != simdjson::SUCCESS ||
      o["Datapoints"].get_array().get(points) != simdjson::SUCCESS) {
    return Fail("the server's answer is not a GetMetricStatistics document");
  }
  std::vector<std::string> stats = c.stats.empty() ? std::vector<std::string>{"Sum"} : c.stats;
  std::printf("%-24s", "time");
  for (const auto& s : stats) std::printf(" %14s", s.c_str());
  std::printf("\n");
  for (simdjson::dom::element p : points) {
    double t = 0;
    if (p["Timestamp"].get_double().get(t) != simdjson::SUCCESS) continue;
    std::printf("%-24s", FormatUtcMicros(static_cast<int64_t>(t) * kMicrosPerSecond).c_str());
    for (const auto& s : stats) {
      double v = 0;
      bool found = p[s].get_double().get(v) == simdjson::SUCCESS ||
                   p["ExtendedStatistics"][s].get_double().get(v) == simdjson::SUCCESS;
      if (found) {
        std::printf(" %14.6g", v);
      } else {
        std::printf(" %14s", "-");
      }
    }
    std::printf("\n");
  }
  return 0;
}

// One line per metric: namespace, name, dimensions.
int PrintMetrics(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  simdjson::dom::array metrics;
  if (parser.parse(body).get(o) != simdjson::SUCCESS ||
      o["Metrics"].get_array().get(metrics) != simdjson::SUCCESS) {
    return Fail("the server's answer is not a ListMetrics document");
  }
  for (simdjson::dom::element m : metrics) {
    std::string_view ns, name;
    if (m["Namespace"].get_string().get(ns) != simdjson::SUCCESS ||
        m["MetricName"].get_string().get(name) != simdjson::SUCCESS) {
      continue;
    }
    std::string dims;
    simdjson::dom::array d;
    if (m["Dimensions"].get_array().get(d) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : d) {
        std::string_view k, v;
        if (e["Name"].get_string().get(k) != simdjson::SUCCESS ||
            e["Value"].get_string().get(v) != simdjson::SUCCESS) {
          continue;
        }
        dims += fmt::format("{}{}={}", dims.empty() ? "" : ",", k, v);
      }
    }
    std::printf("%.*s  %.*s  %s\n", static_cast<int>(ns.size()), ns.data(),
                static_cast<int>(name.size()), name.data(),
                dims.empty() ? "(no dimensions)" : dims.c_str());
  }
  if (metrics.size() == 0) std::printf("(no metrics)\n");
  return 0;
}

}  // namespace

void AddMetricsCommand(CLI::App* app, MetricsCommand* c) {
  c->metrics = app->add_subcommand("metrics", "The metrics store: put, list and read metrics");
  c->metrics->require_subcommand(1);
  for (CLI::App* sub : {c->put = c->metrics->add_subcommand("put", "Put one datapoint"),
                       c->list = c->metrics->add_subcommand("list", "List metrics"),
                       c->get = c->metrics->add_subcommand("get", "Statistics per period")}) {
    sub->add_option("--namespace", c->ns, "Namespace, e.g. serverless-analytics-demo");
    sub->add_option("--name", c->name, "Metric name");
    sub->add_option("--dimension", c->dimensions, "Name=Value (repeatable)");
    sub->add_option("--url", c->url, "A running server, e.g. http://127.0.0.1:8080");
    sub->add_option("--key", c->key, "API key (default: $GAMELAKE_KEY or dev-admin)");
    sub->add_option("--data-dir", c->data_dir, "Data directory (default ./gamelake-data)");
  }
  c->put->add_option("--value", c->value, "The value")->required();
  c->put->add_option("--unit", c->unit, "A CloudWatch unit (default None)");
  c->put->add_option("--resolution", c->resolution, "Storage resolution: 1 or 60 (default)");
  c->put->add_option("--timestamp", c->timestamp, "ISO 8601 or epoch seconds (default now)");
  c->get->add_option("--stat", c->stats,
                     "Sum (default), Average, SampleCount, Minimum, "
                     "Maximum, pNN, tmNN (repeatable)");
  c->get->add_option("--period", c->period_s, "Seconds per datapoint (default 60)");
  c->get->add_option("--since", c->since, "How far back: 90s, 15m, 3h, 2d (default 1h)");
  c->get->add_option("--start", c->start, "Start (ISO 8601 or epoch seconds)");
  c->get->add_option("--end", c->end, "End, exclusive (ISO 8601 or epoch seconds)");
  c->get->add_option("--unit", c->unit, "Only data put with this unit");
  for (CLI::App* sub : {c->put, c->list, c->get}) {
    sub->add_option("--format", c->format, "text (default) or json (the server's answer)");
  }
}

bool MetricsCommandParsed(const MetricsCommand& c) {
  return c.metrics != nullptr && c.metrics->parsed();
}

int RunMetricsCommand(const MetricsCommand& c) {
  Result<ServerTarget> server = RunningServer(c.url, c.data_dir, c.key);
  if (!server.ok()) return Fail(server.status().message());
  const std::string& key = server->key;
  bool list = c.list->parsed();
  if (!list && (c.ns.empty() || c.name.empty())) return Fail("--namespace and --name are needed");
  Result<std::string> body = c.put->parsed() ? PutBody(c)
                             : list          ? Result<std::string>(std::string())
                                             : GetBody(c);
  if (!body.ok()) return Fail(body.status().message());
  std::string path = c.put->parsed() ? "/v1/metrics"
                     : list          ? ListTarget(c)
                                     : "/v1/metrics/statistics";
  Result<ServerReply> reply = CallServer(server->url, key, list ? "GET" : "POST", path, *body);
  if (!reply.ok()) return Fail(reply.status().message());
  if (reply->status != 200) return Fail(reply->ErrorMessage());
  if (c.format == "json") {
    std::printf("%s", reply->body.c_str());  // The body ends with a newline.
    return 0;
  }
  if (c.get->parsed()) return PrintDatapoints(c, reply->body);
  if (list) return PrintMetrics(reply->body);
  std::printf("stored 1 datapoint of %s/%s\n", c.ns.c_str(), c.name.c_str());
  return 0;
}

}  // namespace gamelake
