// Fuzzes SigV4 verification (auth/sigv4.h): the Authorization header's
// parsing, X-Amz-Date, the canonical URI, query string and headers, on the
// requests the Firehose and CloudWatch APIs receive from anyone.
//
// The input is a request written as in fuzz_request.h. The clock is fixed at
// 20150830T123600Z (the AWS documentation's example date) so dated seeds get
// past the skew check; the key AKIDEXAMPLE has a secret, UNKNOWN is unknown,
// and FAILING makes the lookup fail. Then, if the request has lower-case
// token header names including host and x-amz-date at the clock's time, it is
// signed with SigV4Sign and verified again, which must succeed: signer and
// verifier must agree on every canonical form the fuzzer comes up with.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.h"
#include "common/env.h"
#include "fuzz/fuzz_request.h"

namespace {

constexpr std::string_view kDate = "20150830T123600Z";
constexpr int64_t kNowMicros = 1440938160LL * 1000000;  // 2015-08-30 12:36:00 UTC.
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class FixedClockEnv : public gamelake::EnvWrapper {
 public:
  FixedClockEnv() : EnvWrapper(gamelake::Env::Default()) {}
  int64_t NowMicros() override { return kNowMicros; }
};

gamelake::Result<std::string> LookUp(std::string_view id) {
  if (id == "UNKNOWN") return gamelake::Status::NotFound("no such key");
  if (id == "FAILING") return gamelake::Status::Internal("key store unavailable");
  return std::string(kSecret);
}

bool IsTokenName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FixedClockEnv env;
  gamelake::FuzzRequest in = gamelake::SplitFuzzRequest(gamelake::AsView(data, size));
  gamelake::SigV4Request request;
  request.method = in.method;
  request.target = in.target;
  request.headers = in.headers;
  request.body = in.body;

  gamelake::SigV4Options options;
  options.env = &env;
  options.max_replay_entries = 4;
  gamelake::SigV4Verifier verifier(LookUp, options);
  gamelake::Result<gamelake::SigV4Identity> verified = verifier.Verify(request);
  if (!verified.ok()) {
    gamelake::Status status = verified.status();
    (void)gamelake::AwsAuthErrorHttpStatus(gamelake::AwsAuthErrorType(status));
    (void)gamelake::AwsAuthErrorMessage(status);
  }
  (void)gamelake::SigV4CanonicalUri(in.target.substr(0, in.target.find('?')));
  if (size_t q = in.target.find('?'); q != std::string_view::npos) {
    (void)gamelake::SigV4CanonicalQuery(in.target.substr(q + 1));
  }

  // Round trip: sign what the fuzzer made, then verify it.
  std::vector<std::string> names;
  bool has_host = false, has_date = false;
  gamelake::SigV4Request unsigned_request = request;
  unsigned_request.headers.clear();
  for (const auto& [name, value] : request.headers) {
    if (name == "authorization") continue;
    if (!IsTokenName(name) || name == "x-amz-content-sha256") return 0;
    if (name == "host") has_host = true;
    if (name == "x-amz-date") {
      if (has_date || TrimSpaces(value) != kDate) return 0;
      has_date = true;
    }
    names.emplace_back(name);
    unsigned_request.headers.emplace_back(name, value);
  }
  if (!has_host || !has_date) return 0;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const std::string& name : names) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }
  gamelake::Result<std::string> authorization = gamelake::SigV4Sign(
      unsigned_request, "AKIDEXAMPLE", kSecret, kDate, "us-east-1", "firehose", signed_headers);
  if (!authorization.ok()) {
    std::fprintf(stderr, "SigV4Sign failed: %s\n", authorization.status().ToString().c_str());
    std::abort();
  }
  gamelake::SigV4Request signed_request = unsigned_request;
  signed_request.headers.emplace_back("Authorization", authorization.value());
  gamelake::SigV4Verifier fresh(LookUp, options);
  gamelake::Result<gamelake::SigV4Identity> again = fresh.Verify(signed_request);
  if (!again.ok()) {
    std::fprintf(stderr, "a request SigV4Sign signed does not verify: %s\n",
                 again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
