// The C++ SDK's benchmark (not a test): Track's latency on the calling thread over 1M
// calls, allocation and RSS growth over those calls, and the throughput of one Client
// to a real gamelake server (events/s from the first Track until the queue drained).
//
//   sdk_cpp_bench [--calls 1000000] [--url http://127.0.0.1:P --key INGEST_KEY [--events 500000]]
//
// Thread-safety: a single-threaded driver around the SDK (its worker runs alongside).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "gamelake/client.h"

namespace {

std::atomic<uint64_t> g_allocs{0}, g_alloc_bytes{0}, g_frees{0};

}  // namespace

// Counting allocator for the whole process (the SDK's worker included).
void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  g_alloc_bytes.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  if (p) g_frees.fetch_add(1, std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace {

// Acknowledges every batch at once, in process: Track's cost without a network.
class AckAll : public gamelake::Transport {
 public:
  gamelake::HttpResponse Send(const gamelake::HttpRequest&) override {
    gamelake::HttpResponse r;
    r.status = 200;
    r.body = "{}";
    return r;
  }
};

long MaxRssKb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

std::string TempQueue(const char* name) {
  char tmpl[] = "/tmp/sdk_cpp_bench-XXXXXX";
  return std::string(mkdtemp(tmpl)) + "/" + name;
}

void BenchTrack(long calls) {
  gamelake::Config c;
  c.base_url = "http://127.0.0.1:9";
  c.api_key = "bench";
  c.queue_dir = TempQueue("track");
  c.transport = std::make_shared<AckAll>();
  gamelake::Client client(c);
  gamelake::Properties props;
  std::vector<int32_t> ns(static_cast<size_t>(calls));
  auto track = [&](long i) {
    props.Clear();
    props.SetInt("PlayerID", i % 10000).SetInt("Time Played", i % 100000).Set("CaughtBy", "Ghost");
    return client.Track("death", props);
  };
  for (long i = 0; i < 20000; ++i) track(i);  // warm-up: segments, buffers
  const uint64_t allocs0 = g_allocs.load(), frees0 = g_frees.load();
  const long rss0 = MaxRssKb();
  long failed = 0;
  for (long i = 0; i < calls; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string id = track(i);
    const auto t1 = std::chrono::steady_clock::now();
    failed += id.empty();
    ns[static_cast<size_t>(i)] =
        static_cast<int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  const uint64_t allocs = g_allocs.load() - allocs0, frees = g_frees.load() - frees0;
  const long rss1 = MaxRssKb();
  client.Shutdown(std::chrono::seconds(30));
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) { return ns[static_cast<size_t>(p * static_cast<double>(calls - 1))]; };
  printf(
      "track: %ld calls, median %d ns, p90 %d ns, p99 %d ns, p99.9 %d ns, max %d ns, refused %ld\n",
      calls, pct(0.5), pct(0.9), pct(0.99), pct(0.999), ns.back(), failed);
  printf(
      "track: allocations during the calls %llu, frees %llu (live growth %lld allocations; the id "
      "string is one "
      "per call), max RSS %ld -> %ld KiB\n",
      static_cast<unsigned long long>(allocs), static_cast<unsigned long long>(frees),
      static_cast<long long>(allocs) - static_cast<long long>(frees), rss0, rss1);
}

void BenchThroughput(const std::string& url, const std::string& key, long events) {
  gamelake::Config c;
  c.base_url = url;
  c.api_key = key;
  c.stream = "sdk_cpp_bench";
  c.queue_dir = TempQueue("throughput");
  c.max_queue_bytes = 1ull << 30;
  c.max_queue_events = 100000000;
  c.flush_interval_ms = 100;
  gamelake::Client client(c);
  gamelake::Properties props;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < events; ++i) {
    props.Clear();
    props.SetInt("PlayerID", i % 10000).SetInt("Time Played", i % 100000).Set("CaughtBy", "Ghost");
    client.Track("death", props);
  }
  const auto t1 = std::chrono::steady_clock::now();
  const bool drained = client.FlushAndWait(std::chrono::seconds(300));
  const auto t2 = std::chrono::steady_clock::now();
  const double track_s = std::chrono::duration<double>(t1 - t0).count();
  const double total_s = std::chrono::duration<double>(t2 - t0).count();
  printf(
      "throughput: %ld events tracked in %.2f s, drained=%d after %.2f s: %.0f events/s to the "
      "server\n",
      events, track_s, drained, total_s, static_cast<double>(events) / total_s);
  client.Shutdown(std::chrono::seconds(10));
}

}  // namespace

int main(int argc, char** argv) {
  long calls = 1000000, events = 500000;
  std::string url, key;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--calls")
      calls = std::atol(argv[i + 1]);
    else if (f == "--events")
      events = std::atol(argv[i + 1]);
    else if (f == "--url")
      url = argv[i + 1];
    else if (f == "--key")
      key = argv[i + 1];
  }
  BenchTrack(calls);
  if (!url.empty()) BenchThroughput(url, key, events);
  return 0;
}
