// What SigV4 costs per Firehose request: SigV4Verifier::Verify on a signed
// PutRecord (one small record) and on a PutRecordBatch of 500 records; the
// baseline is the SHA-256 of the same body alone, which Verify must compute.
#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <ctime>
#include <string>

#include "auth/sigv4.h"

namespace gamelake {
namespace {

constexpr std::string_view kKeyId = "GLKBENCHBENCHBENCHBE";
constexpr std::string_view kSecret = "benchsecretbenchsecretbenchsecretbenchse";

std::string AmzDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Body(int records) {
  // Base64 of a ~100-byte lab record, repeated: the shape of a PutRecordBatch.
  const std::string data =
      "eyJQbGF5ZXJJRCI6NDI0MiwiVGltZSBQbGF5ZWQiOjUzMjEsIldpbnMiOjIsIkxvc3NlcyI6MTcsIkNhdWdodEF0"
      "IjoyLCJDYXVnaHRCeSI6Mn0K";
  if (records == 1)
    return "{\"DeliveryStreamName\":\"events\",\"Record\":{\"Data\":\"" + data + "\"}}";
  std::string out = "{\"DeliveryStreamName\":\"events\",\"Records\":[";
  for (int i = 0; i < records; ++i)
    out += std::string(i ? "," : "") + "{\"Data\":\"" + data + "\"}";
  return out + "]}";
}

void BM_SigV4Verify(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  const std::string date = AmzDate();
  SigV4Request r;
  r.method = "POST";
  r.target = "/";
  r.body = body;
  r.headers = {{"host", "127.0.0.1:8080"},
               {"x-amz-date", date},
               {"content-type", "application/x-amz-json-1.1"},
               {"x-amz-target", "Firehose_20150804.PutRecordBatch"}};
  Result<std::string> auth = SigV4Sign(r, kKeyId, kSecret, date, "us-east-1", "firehose",
                                       "content-type;host;x-amz-date;x-amz-target");
  if (!auth.ok()) {
    state.SkipWithError(auth.status().ToString().c_str());
    return;
  }
  r.headers.emplace_back("authorization", *auth);
  SigV4Verifier verifier(
      [](std::string_view) -> Result<std::string> { return std::string(kSecret); });
  for (auto _ : state) {
    Result<SigV4Identity> id = verifier.Verify(r);
    if (!id.ok()) {
      state.SkipWithError(id.status().ToString().c_str());
      break;
    }
    verifier.Forget(id->signature);  // The same request again is not a replay here.
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_SigV4Verify)->ArgName("records")->Arg(1)->Arg(500);

void BM_Sha256BodyBaseline(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  for (auto _ : state) {
    SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Sha256BodyBaseline)->ArgName("records")->Arg(1)->Arg(500);

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
