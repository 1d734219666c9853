// S3Client: the object-store operations the lake needs, against one bucket
// of AWS S3 or an S3-compatible store (MinIO, Ceph, R2, GCS interop, s3rver),
// signed with SigV4 (auth/sigv4_signer.h) and sent over libcurl with TLS.
//
// Contract:
//   - Keys are full object keys in the bucket (S3Location::Key() joins a
//     lake's prefix); any UTF-8 is fine, they are percent-encoded once.
//   - Uploads read local files through the Env and send Content-MD5 (a
//     part's own for UploadPart), so the store refuses bytes that changed on
//     the way (BadDigest -> Corruption). A successful PutObject or
//     CompleteMultipartUpload means the store holds the whole object.
//   - GetObject writes to "<path>.s3tmp-<random>", checks the byte count
//     against Content-Length, fsyncs, renames it to `path` and fsyncs the
//     directory: `path` is either absent/old or the complete object.
//   - Requests that fail with 5xx, 429, SlowDown or other throttling,
//     RequestTimeout, or a connection error are retried (bounded attempts,
//     exponential back-off with jitter; S3ClientOptions::retry); other 4xx
//     are not. A 403 ExpiredToken re-reads the credentials once.
//   - Errors are Status values (never exceptions), carrying the S3 error
//     Code and Message, the HTTP status, the operation and the key; read
//     them back with S3ErrorCode / S3HttpStatus (s3/s3_error.h). A response
//     that is not what S3 sends (bad XML, missing fields) is Corruption.
//   - CompleteMultipartUpload may answer 200 with an error document: that is
//     an error (retried when it says InternalError). If a retried Complete
//     gets NoSuchUpload, an earlier attempt may have completed the upload:
//     HeadObject tells.
//   - Not idempotent by itself: a retried PutObject overwrites with the same
//     bytes — harmless for the lake's deterministic keys.
//
// Thread-safety: all methods may be called concurrently (each request has
// its own connection from a small pool).
#ifndef GAMELAKE_S3_S3_CLIENT_H_
#define GAMELAKE_S3_S3_CLIENT_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4_signer.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "s3/curl_http_client.h"
#include "s3/s3_client_options.h"
#include "s3/s3_endpoint.h"
#include "s3/s3_retry_policy.h"

namespace gamelake {

// An object as listed or looked up.
struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;              // Without quotes; "<md5 hex>" or "<hex>-<parts>" for multipart.
  int64_t last_modified_us = 0;  // Unix microseconds; 0 when the store gave none.
};

// One ListObjectsV2 call.
struct S3ListRequest {
  std::string prefix;              // Only keys starting with it.
  std::string start_after;         // Only keys after it (first page).
  std::string continuation_token;  // From the previous page's next_continuation_token.
  std::string delimiter;           // "/" groups keys into common_prefixes; "": none.
  int max_keys = 0;                // 1..1000; 0: the store's default (1000).
};

struct S3ListPage {
  std::vector<S3ObjectInfo> objects;  // In key order.
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;  // Set when truncated.
};

struct S3PutResult {
  std::string etag;  // Without quotes.
  uint64_t size = 0;
};

struct S3CompletedPart {
  int part_number = 0;
  std::string etag;  // Without quotes.
};

struct S3MultipartUpload {
  std::string key;
  std::string upload_id;
  int64_t initiated_us = 0;
};

class S3Client {
 public:
  // Validates the options (bucket name, endpoint, addressing).
  static Result<std::unique_ptr<S3Client>> Create(S3ClientOptions options);
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Uploads the whole file at `local_path` as `key` in one request (files up
  // to 5 GiB), with Content-MD5.
  Result<S3PutResult> PutObject(std::string_view key, const std::string& local_path,
                                std::string_view content_type = "application/octet-stream");

  // PutObject, or a multipart upload when the file is larger than
  // multipart_threshold_bytes (aborted if any step fails).
  Result<S3PutResult> UploadFile(std::string_view key, const std::string& local_path,
                                 std::string_view content_type = "application/octet-stream");

  // Multipart upload: Create, UploadPart (1..10000, each but the last >= 5 MiB
  // on AWS), then Complete with the parts in ascending order — or Abort.
  Result<std::string> CreateMultipartUpload(
      std::string_view key, std::string_view content_type = "application/octet-stream");
  Result<S3CompletedPart> UploadPart(std::string_view key, std::string_view upload_id,
                                     int part_number, const std::string& local_path,
                                     uint64_t offset, uint64_t length);
  Result<S3PutResult> CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                              const std::vector<S3CompletedPart>& parts);
  // NotFound (NoSuchUpload) when the upload is gone (completed or aborted).
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id);
  // Every upload in progress under `prefix` (all pages).
  Result<std::vector<S3MultipartUpload>> ListMultipartUploads(std::string_view prefix);

  // One page of keys; follow next_continuation_token for more.
  Result<S3ListPage> ListObjectsV2(const S3ListRequest& request);
  // Every key under `prefix` after `start_after`, following pages.
  Result<std::vector<S3ObjectInfo>> ListAllObjects(std::string_view prefix,
                                                   std::string_view start_after = "");

  // Size and ETag of `key`; NotFound when absent.
  Result<S3ObjectInfo> HeadObject(std::string_view key);
  // Downloads `key` to `local_path` (see the file comment).
  Result<S3ObjectInfo> GetObject(std::string_view key, const std::string& local_path);

  // Deletes `key` (OK when already absent, as S3 answers).
  Status DeleteObject(std::string_view key);
  // Deletes `keys` in batches of 1000; an error names the keys not deleted.
  Status DeleteObjects(const std::vector<std::string>& keys);

  const S3ClientOptions& options() const { return options_; }
  const S3Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Call;

  S3Client(S3ClientOptions options, S3Endpoint endpoint);

  // Sends `call` with signing and retries; returns the 2xx response, or the
  // error. Body files and response files are (re)opened per attempt.
  Result<CurlResponse> Execute(const Call& call);
  uint64_t NextRandom() GL_EXCLUDES(rng_mu_);
  void Sleep(int64_t micros) const;

  S3ClientOptions options_;
  S3Endpoint endpoint_;
  SigV4Signer signer_;
  S3RetryPolicy retry_;
  std::unique_ptr<CurlHttpClient> http_;
  Mutex rng_mu_;
  std::mt19937_64 rng_ GL_GUARDED_BY(rng_mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_CLIENT_H_
