// S3ClientOptions: everything an S3Client needs to reach one bucket. The
// lake's config (lake.location, lake.s3.*) maps onto it one field each.
//
// Thread-safety: a value type.
#ifndef GAMELAKE_S3_S3_CLIENT_OPTIONS_H_
#define GAMELAKE_S3_S3_CLIENT_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/env.h"
#include "s3/s3_credentials.h"
#include "s3/s3_retry_policy.h"

namespace gamelake {

struct S3ClientOptions {
  // The bucket every call addresses (S3Location::bucket()). Required; must be
  // a valid bucket name.
  std::string bucket;

  // The store's endpoint, "https://host[:port]" (http:// for a local test
  // store). Empty: AWS's endpoint for `region`, s3.<region>.amazonaws.com.
  std::string endpoint;

  // The region requests are signed for (the credential scope). AWS: the
  // bucket's region. Most other stores accept "us-east-1"; R2 wants "auto".
  std::string region = "us-east-1";

  // true: https://endpoint/bucket/key (MinIO, Ceph, s3rver, IP endpoints,
  // bucket names with '.' over TLS). false: https://bucket.endpoint/key, the
  // virtual-hosted style AWS prefers.
  bool path_style = false;

  // Where credentials come from; null: a provider with default options (the
  // environment, then ~/.aws/credentials). Shared so several clients (and
  // the lake) can share one cache.
  std::shared_ptr<S3CredentialsProvider> credentials;

  // TLS: a PEM CA bundle to verify the endpoint with ("": the system's), and
  // a switch that turns verification off — for tests against a self-signed
  // endpoint only, never in production.
  std::string ca_file;
  bool insecure_skip_tls_verify = false;

  // Timeouts: connect (TCP + TLS), and stall detection — a transfer slower
  // than low_speed_bytes_per_s for low_speed_time_s fails and is retried.
  // request_timeout_ms bounds a whole request (0: unbounded, as large uploads
  // need).
  int64_t connect_timeout_ms = 10000;
  int64_t low_speed_bytes_per_s = 1024;
  int64_t low_speed_time_s = 30;
  int64_t request_timeout_ms = 0;

  // Retries of 5xx, 503 SlowDown, throttling, RequestTimeout and connection
  // errors (never of other 4xx): attempts and back-off (s3/s3_retry_policy.h).
  S3RetryOptions retry;

  // true: x-amz-content-sha256 carries the body's SHA-256 (the body is signed;
  // the file is read once more for it). false: "UNSIGNED-PAYLOAD" (TLS and
  // Content-MD5 still protect the bytes), cheaper for large uploads.
  bool sign_payload = true;

  // UploadFile: files larger than this go up in parts of part_size_bytes
  // (S3: parts of 5 MiB to 5 GiB, at most 10,000; the part size grows when a
  // file would need more).
  uint64_t multipart_threshold_bytes = 64ull << 20;
  uint64_t part_size_bytes = 16ull << 20;

  // Files (uploads read, downloads written, fsync, rename) and the clock
  // requests are signed with.
  Env* env = Env::Default();

  // Waits between retries (microseconds); empty: std::this_thread::sleep_for.
  // Tests record the waits instead of sleeping.
  std::function<void(int64_t micros)> sleep;

  // Seed of the back-off jitter; 0: random.
  uint64_t jitter_seed = 0;

  // "HOST:PORT" every connection goes to instead of the endpoint's address
  // (curl's CONNECT_TO): a store reached through a tunnel, or tests sending
  // virtual-hosted requests to a local server. "": none.
  std::string connect_to;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_CLIENT_OPTIONS_H_
