#include "cli/generate_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "cli/server_client.h"
#include "common/env.h"
#include "generator/generator.h"
#include "generator/record_source.h"
#include "generator/time_format.h"
#include "server/server.h"

namespace gamelake {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

int Fail(const Status& s) {
  std::fprintf(stderr, "gamelake generate: %s\n", s.message().c_str());
  return 1;
}

std::string Thousands(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

Result<double> ParseRate(const std::string& text) {
  if (text == "unlimited" || text == "max" || text == "0") return 0.0;
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !(v > 0) || v > 1e9) {
    return Status::InvalidArgument(fmt::format(
        "--rate \"{}\": expected records a second above 0 (up to 1e9), or \"unlimited\"", text));
  }
  return v;
}

Result<uint64_t> ParseSeed(const std::string& text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(
        fmt::format("--seed \"{}\": expected a whole number from 0 to 2^64-1", text));
  }
  return v;
}

Status BuildOptions(const GenerateCommand& c, GenerateOptions* o) {
  GL_ASSIGN_OR_RETURN(o->rate, ParseRate(c.rate));
  o->count = c.count;
  if (c.duration_s < 0) return Status::InvalidArgument("--duration must be >= 0 seconds");
  o->duration_s = c.duration_s;
  if (c.batch == 0 || c.batch > 100000) {
    return Status::InvalidArgument("--batch must be within 1..100000");
  }
  o->batch = c.batch;
  if (!c.seed.empty()) {
    GL_ASSIGN_OR_RETURN(uint64_t seed, ParseSeed(c.seed));
    o->seed = seed;
  }
  if (!c.start_time.empty()) {
    Result<int64_t> t = ParseTime(c.start_time);
    if (!t.ok()) return t.status().WithContext("--start-time");
    o->start_time_us = *t;
  }
  if (c.time_step_ms < 0) return Status::InvalidArgument("--time-step-ms must be >= 0");
  o->time_step_us = static_cast<int64_t>(c.time_step_ms * 1000);
  o->check_all = c.check;

  if (c.output.empty() == c.url.empty()) {
    return Status::InvalidArgument(
        c.output.empty()
            ? "say where records go: --url http://HOST:PORT (send to gamelake) or --output FILE|- "
              "(write NDJSON)"
            : "--url and --output exclude each other: send, or write NDJSON, not both");
  }
  o->output_path = c.output;
  if (!c.url.empty()) {
    GL_ASSIGN_OR_RETURN(o->sender.endpoint, ParseUrl(c.url));
    if (Status s = ValidateStreamName(c.stream); !s.ok()) return s.WithContext("--stream");
    o->sender.stream = c.stream;
    o->sender.key = c.key;
    o->sender.tls = CurrentClientTls();
    o->sender.api = c.api == "firehose" ? SendApi::kFirehose : SendApi::kNative;
    if (o->sender.api == SendApi::kFirehose && c.batch > 500) {
      return Status::InvalidArgument(
          "--batch must be at most 500 with --api firehose (PutRecordBatch's limit)");
    }
    o->sender.region = c.region;
    o->sender.connections = c.connections;
    if (c.retries < 0) return Status::InvalidArgument("--retries must be >= 0");
    o->sender.max_retries = c.retries;
  }
  return Status::OK();
}

}  // namespace

void AddGenerateCommand(CLI::App* app, GenerateCommand* c) {
  c->app = app->add_subcommand(
      "generate",
      "Generate game events from a Kinesis Data Generator template; send them or write NDJSON");
  CLI::App* g = c->app;
  auto* tmpl = g->add_option("--template,-t", c->template_spec,
                             "Template file, - for stdin, or builtin:lab / builtin:sessions "
                             "(default builtin:lab)");
  g->add_option("--template-text", c->template_text, "The template itself, inline")->excludes(tmpl);
  g->add_option("--rate,-r", c->rate, "Records a second, or unlimited (default)");
  g->add_option("--count,-n", c->count, "Stop after N records (default: no limit)");
  g->add_option("--duration,-d", c->duration_s, "Stop after S seconds (default: no limit)");
  g->add_option("--batch,-b", c->batch, "Records a request (default 500)");
  g->add_option("--url,-u", c->url, "Send to this gamelake server, e.g. http://127.0.0.1:8080");
  g->add_option("--key,-k", c->key, "API key <id>.<secret> (or env GAMELAKE_KEY)")
      ->envname("GAMELAKE_KEY");
  g->add_option("--stream,-s", c->stream, "Stream to send to (default events)");
  g->add_option("--output,-o", c->output,
                "Write NDJSON to FILE, or - for stdout, instead of sending");
  g->add_option("--seed", c->seed,
                "Same seed, same records, byte for byte (also makes the clock virtual)");
  g->add_option("--start-time", c->start_time,
                "Virtual clock start, e.g. 2025-01-31T00:00:00Z (default 2025-01-01 with --seed)");
  g->add_option("--time-step-ms", c->time_step_ms,
                "Virtual clock advance a record (default 1000/rate, or 1 when unlimited)");
  g->add_option("--api", c->api, "native (default) or firehose (PutRecordBatch, SigV4)")
      ->check(CLI::IsMember({"native", "firehose"}));
  g->add_option("--region", c->region, "Region for --api firehose signing (default us-east-1)");
  g->add_option("--connections,-c", c->connections, "Parallel keep-alive connections (default 4)");
  g->add_option("--retries", c->retries, "Retries of a failed request (default 5)");
  g->add_flag("--check", c->check,
              "Check that every record is a JSON object (default: the first 1000)");
  g->add_flag("--quiet,-q", c->quiet, "No progress line and no summary");
}

int RunGenerateCommand(const GenerateCommand& c) {
  GenerateOptions o;
  if (Status s = BuildOptions(c, &o); !s.ok()) return Fail(s);
  uint64_t seed = o.seed.value_or(
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  Result<std::unique_ptr<RecordSource>> source =
      !c.template_text.empty()
          ? NewTemplateSource(c.template_text, seed)
          : OpenRecordSource(c.template_spec.empty() ? "builtin:lab" : c.template_spec, seed,
                             Env::Default());
  if (!source.ok()) return Fail(source.status());

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESETHAND;  // A second Ctrl-C ends the process at once.
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  o.stop = &g_stop;
  if (!c.quiet && ::isatty(STDERR_FILENO)) o.progress = stderr;

  GenerateReport r;
  Status s = Generate(o, source->get(), &r);
  if (!s.ok()) return Fail(s);
  double rate = r.seconds > 0 ? static_cast<double>(r.generated) / r.seconds : 0;
  const char* interrupted = r.interrupted ? " (interrupted)" : "";
  if (!o.output_path.empty()) {
    if (!c.quiet) {
      std::fprintf(stderr, "gamelake generate: wrote %s records to %s in %.2f s (%s records/s)%s\n",
                   Thousands(r.written).c_str(),
                   o.output_path == "-" ? "stdout" : o.output_path.c_str(), r.seconds,
                   Thousands(static_cast<uint64_t>(rate)).c_str(), interrupted);
    }
    return 0;
  }
  const SenderStats& st = r.sent;
  if (!c.quiet) {
    std::fprintf(stderr,
                 "gamelake generate: sent %s records to %s stream %s in %.2f s (%s records/s)%s: "
                 "%s accepted, %s rejected, %s not sent; %s requests, %s retries\n",
                 Thousands(r.generated).c_str(), c.url.c_str(), c.stream.c_str(), r.seconds,
                 Thousands(static_cast<uint64_t>(rate)).c_str(), interrupted,
                 Thousands(st.accepted).c_str(), Thousands(st.rejected).c_str(),
                 Thousands(st.unsent).c_str(), Thousands(st.requests).c_str(),
                 Thousands(st.retries).c_str());
  }
  if (st.rejected + st.unsent > 0) {
    std::fprintf(stderr, "gamelake generate: %s records were not stored; first error: %s\n",
                 Thousands(st.rejected + st.unsent).c_str(), st.first_error.c_str());
    return 3;
  }
  return 0;
}

}  // namespace gamelake
