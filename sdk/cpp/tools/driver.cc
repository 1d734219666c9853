// gamelake_sdk_driver: the conformance driver for sdk/testing (protocol in
// sdk/testing/README.md). Tracks --count events, optionally drains, prints one JSON
// line of what the SDK reported. Thread-safety: the counters are atomics because the
// SDK's callbacks run on its worker thread.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gamelake/client.h"

namespace {

struct Args {
  gamelake::Config config;
  long long count = -1;
  std::string prefix;
  long long critical_every = 0;
  std::string tracked;
  bool no_drain = false;
  long long drain_timeout_ms = 60000;
  long long pad = 0;
  bool lab_shape = false;  // --shape lab: the lab's DataPoint
};

bool ParseNumber(const char* s, long long* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtoll(s, &end, 10);
  return errno == 0 && end != s && *end == '\0' && *out >= 0;
}

// Returns false (after printing why) on a bad argument.
bool Parse(int argc, char** argv, Args* a) {
  gamelake::Config& c = a->config;
  c.flush_interval_ms = 100;
  c.retry_base_ms = 20;
  c.retry_max_ms = 500;
  c.request_timeout_ms = 5000;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-drain") {
      a->no_drain = true;
      continue;
    }
    if (flag == "--insecure") {
      c.insecure_skip_tls_verify = true;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "driver: %s needs a value\n", flag.c_str());
      return false;
    }
    const char* v = argv[++i];
    long long n = 0;
    const bool num = ParseNumber(v, &n);
    if (flag == "--url")
      c.base_url = v;
    else if (flag == "--key")
      c.api_key = v;
    else if (flag == "--stream")
      c.stream = v;
    else if (flag == "--queue-dir")
      c.queue_dir = v;
    else if (flag == "--prefix")
      a->prefix = v;
    else if (flag == "--tracked")
      a->tracked = v;
    else if (flag == "--ca-file")
      c.ca_file = v;
    else if (flag == "--shape" && std::string(v) == "lab")
      a->lab_shape = true;
    else if (flag == "--shape" && std::string(v) == "test")
      a->lab_shape = false;
    else if (!num) {
      fprintf(stderr, "driver: unknown flag or bad number: %s %s\n", flag.c_str(), v);
      return false;
    } else if (flag == "--count")
      a->count = n;
    else if (flag == "--critical-every")
      a->critical_every = n;
    else if (flag == "--max-queue-bytes")
      c.max_queue_bytes = static_cast<uint64_t>(n);
    else if (flag == "--max-queue-events")
      c.max_queue_events = static_cast<uint64_t>(n);
    else if (flag == "--max-critical-bytes")
      c.max_critical_bytes = static_cast<uint64_t>(n);
    else if (flag == "--flush-interval-ms")
      c.flush_interval_ms = static_cast<uint32_t>(n);
    else if (flag == "--retry-base-ms")
      c.retry_base_ms = static_cast<uint32_t>(n);
    else if (flag == "--retry-max-ms")
      c.retry_max_ms = static_cast<uint32_t>(n);
    else if (flag == "--request-timeout-ms")
      c.request_timeout_ms = static_cast<uint32_t>(n);
    else if (flag == "--drain-timeout-ms")
      a->drain_timeout_ms = n;
    else if (flag == "--pad")
      a->pad = n;
    else {
      fprintf(stderr, "driver: unknown flag %s\n", flag.c_str());
      return false;
    }
  }
  if (c.base_url.empty() || c.api_key.empty() || c.stream.empty() || c.queue_dir.empty() ||
      a->count < 0) {
    fprintf(stderr, "driver: --url --key --stream --queue-dir --count are required\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) return 2;
  std::atomic<uint64_t> queue_full{0}, invalid{0}, corrupt_bytes{0}, corrupt_reports{0}, errors{0};
  args.config.debug = std::getenv("GAMELAKE_SDK_DEBUG") != nullptr;
  args.config.on_dropped = [&](gamelake::DropReason r, uint64_t count, std::string_view detail) {
    switch (r) {
      case gamelake::DropReason::kQueueFull:
        queue_full += count;
        break;
      case gamelake::DropReason::kInvalid:
        invalid += count;
        break;
      case gamelake::DropReason::kCorrupt:
        corrupt_bytes += count;
        corrupt_reports += 1;
        break;
      case gamelake::DropReason::kTooLarge:
        break;
    }
    fprintf(stderr, "driver: dropped %s %llu: %.*s\n",
            std::string(gamelake::DropReasonName(r)).c_str(),
            static_cast<unsigned long long>(count), static_cast<int>(detail.size()), detail.data());
  };
  args.config.on_error = [&](std::string_view m) {
    errors += 1;
    fprintf(stderr, "driver: error: %.*s\n", static_cast<int>(m.size()), m.data());
  };
  gamelake::Client client(args.config);
  if (!client.ok()) {
    fprintf(stderr, "driver: %s\n", client.error().c_str());
    return 1;
  }
  const int tracked_fd =
      args.tracked.empty()
          ? -1
          : open(args.tracked.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const std::string pad(static_cast<size_t>(args.pad), 'x');
  gamelake::Properties props;
  long long tracked = 0;
  for (long long i = 0; i < args.count; ++i) {
    props.Clear();
    const char* name = "test_event";
    if (args.lab_shape) {
      name = i % 10 == 0 ? "escape" : "death";
      props.SetInt("PlayerID", i % 10000)
          .SetInt("Time Played", (i * 7919) % 100000)
          .SetInt("Wins", i % 5)
          .SetInt("Losses", i % 50)
          .SetInt("CaughtAt", 1 + i % 6)
          .SetInt("CaughtBy", 1 + (i * 7) % 6);
    } else {
      props.SetInt("seq", i).Set("prefix", args.prefix);
      if (args.pad > 0) props.Set("pad", pad);
    }
    const bool critical = args.critical_every > 0 && i % args.critical_every == 0;
    const std::string id = client.Track(name, props, critical);
    if (id.empty()) continue;
    ++tracked;
    if (tracked_fd >= 0) {
      const std::string line = id + (critical ? " c\n" : " o\n");
      if (write(tracked_fd, line.data(), line.size()) < 0) perror("driver: tracked");
    }
  }
  if (tracked_fd >= 0) close(tracked_fd);
  bool drained = true;
  if (args.no_drain) {
    client.Shutdown(std::chrono::milliseconds(0));
  } else {
    drained = client.Shutdown(std::chrono::milliseconds(args.drain_timeout_ms));
  }
  printf(
      "{\"tracked\":%lld,\"pending\":%llu,\"queue_full\":%llu,\"invalid\":%llu,\"corrupt_bytes\":%"
      "llu,"
      "\"corrupt_reports\":%llu,\"errors\":%llu}\n",
      tracked, static_cast<unsigned long long>(client.PendingEvents()),
      static_cast<unsigned long long>(queue_full.load()),
      static_cast<unsigned long long>(invalid.load()),
      static_cast<unsigned long long>(corrupt_bytes.load()),
      static_cast<unsigned long long>(corrupt_reports.load()),
      static_cast<unsigned long long>(errors.load()));
  fflush(stdout);
  return drained || args.no_drain ? 0 : 3;
}
