// Benchmarks the per-request cost of API key checks: KeyStore::Authenticate
// on a cached valid key (the steady state), the uncached salted SHA-256 path,
// the Bearer header path, and the rate limiter. Reports ns per check.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "auth/crypto_util.h"
#include "auth/key_store.h"
#include "auth/rate_limiter.h"

namespace gamelake {
namespace {

// One store with one ingest key, shared by all benchmarks and threads.
struct Fixture {
  Fixture() {
    std::string tmpl = "/tmp/gl_auth_bench_XXXXXX";
    dir = ::mkdtemp(tmpl.data()) ? tmpl : "/tmp/gl_auth_bench";
    auto opened = KeyStore::Open(Env::Default(), dir + "/keys");
    if (!opened.ok()) std::abort();
    store = std::move(opened).value();
    KeySpec spec;
    spec.name = "bench";
    spec.streams = {"events"};
    auto created = store->Create(spec);
    auto uncached = store->Create(spec);
    if (!created.ok() || !uncached.ok()) std::abort();
    key = created->full_key;
    // A key never authenticated with its right secret stays uncached, so a
    // wrong secret for it always runs the salted hash.
    wrong_secret = uncached->full_key;
    wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  std::unique_ptr<KeyStore> store;
  std::string key;
  std::string wrong_secret;
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_AuthenticateCached(benchmark::State& state) {
  Fixture& f = F();
  if (!f.store->Authenticate(f.key).ok()) state.SkipWithError("key does not authenticate");
  for (auto _ : state) {
    auto p = f.store->Authenticate(f.key);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticateCached)->Threads(1)->Threads(2);

void BM_AuthenticateUncachedSaltedHash(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto p = f.store->Authenticate(f.wrong_secret);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticateUncachedSaltedHash);

// The hash and compare alone, as run once per key after each (re)load.
void BM_SaltedSha256Verify(benchmark::State& state) {
  std::string salt(16, 's');
  std::string secret(40, 'x');
  std::string expected = Sha256(salt, secret);
  for (auto _ : state) {
    bool ok = ConstantTimeEquals(Sha256(salt, secret), expected);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SaltedSha256Verify);

void BM_AuthenticatorBearerCheck(benchmark::State& state) {
  Fixture& f = F();
  Authenticator auth(f.store.get(), true);
  std::string header = "Bearer " + f.key;
  Principal p;
  AuthError e;
  for (auto _ : state) {
    bool ok = auth.Check(header, "", Need::kIngest, "events", &p, &e);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticatorBearerCheck);

void BM_RateLimiterAdmit(benchmark::State& state) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 1'000'000'000;
  options.defaults.bytes_per_s = 1'000'000'000'000;
  RateLimiter limiter(options);
  int64_t now = 0;
  for (auto _ : state) {
    auto d = limiter.Admit("GLKBENCHBENCHBENCHBE", 1, 200, now += 1000);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterAdmit)->Threads(1)->Threads(2);

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
