// fsync_latency: what one group commit of the log costs on this disk — the
// floor under a durable single-record POST (docs/benchmarks.md, "Latency-bound
// POSTs"). Appends `bytes` to a file in `dir` and syncs it (Env's Sync, the
// log's fdatasync), `count` times, and prints the latency percentiles.
//
//   build/bench/fsync_latency [dir=/tmp] [count=2000] [bytes=200]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/env.h"

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "/tmp";
  int count = argc > 2 ? std::atoi(argv[2]) : 2000;
  size_t bytes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 200;
  gamelake::Env* env = gamelake::Env::Default();
  std::string path = dir + "/gamelake-fsync-latency.tmp";
  auto file = env->NewWritableFile(path);
  if (!file.ok() || count <= 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  std::string data(bytes, 'x');
  std::vector<int64_t> us;
  for (int i = 0; i < count; ++i) {
    int64_t start = env->MonotonicMicros();
    if (!(*file)->Append(data).ok() || !(*file)->Sync().ok()) {
      std::fprintf(stderr, "write or sync failed\n");
      return 1;
    }
    us.push_back(env->MonotonicMicros() - start);
  }
  (void)(*file)->Close();
  (void)env->RemoveFile(path);
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[static_cast<size_t>(q * (us.size() - 1))]; };
  std::printf(
      "append %zu B + sync, %d times in %s: p50 %lld us, p90 %lld us, p99 %lld us, max %lld us\n",
      bytes, count, dir.c_str(), static_cast<long long>(at(0.5)), static_cast<long long>(at(0.9)),
      static_cast<long long>(at(0.99)), static_cast<long long>(us.back()));
  return 0;
}
