// S3Endpoint: the service address of an S3-compatible store and how a
// request for a bucket and key is addressed there.
//
// An endpoint is "https://host[:port]" (or "http://" for a local test store;
// a bare "host[:port]" means https), with no path, query or user info. AWS's
// own endpoint for a region is ForAwsRegion(): s3.<region>.amazonaws.com
// (.amazonaws.com.cn for the cn- regions).
//
// Addressing (Target()):
//   path style      https://endpoint/bucket/key       Host: endpoint
//   virtual-hosted  https://bucket.endpoint/key       Host: bucket.endpoint
// Virtual-hosted addressing is what AWS expects; path style is what most
// self-hosted stores (MinIO, Ceph, s3rver) want, and the only one that works
// with an IP address endpoint or, over TLS, with a bucket name holding '.'
// (a wildcard certificate does not cover it). Keys are percent-encoded once
// (every byte but A-Z a-z 0-9 - . _ ~ and '/'), as S3 signs them.
//
// Thread-safety: a value type.
#ifndef GAMELAKE_S3_S3_ENDPOINT_H_
#define GAMELAKE_S3_S3_ENDPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

class S3Endpoint {
 public:
  // Where one request goes.
  struct Target {
    std::string url;     // "https://bucket.s3.us-east-1.amazonaws.com/a%20b?uploads"
    std::string host;    // The Host header: "bucket.s3.us-east-1.amazonaws.com"
    std::string target;  // Path and query as sent (and signed): "/a%20b?uploads"
  };

  S3Endpoint() = default;

  // "https://host[:port]", "http://host[:port]" or "host[:port]" (https); a
  // trailing '/' is allowed. IPv6 hosts in brackets: "http://[::1]:9000".
  static Result<S3Endpoint> Parse(std::string_view url);
  // https://s3.<region>.amazonaws.com; InvalidArgument for a malformed region.
  static Result<S3Endpoint> ForAwsRegion(std::string_view region);

  bool tls() const { return tls_; }
  const std::string& host() const { return host_; }  // Without brackets or port.
  uint16_t port() const { return port_; }            // 0: the scheme's default.
  // "host[:port]" as the Host header carries it (the port only when not the
  // scheme's default; IPv6 hosts in brackets).
  std::string Authority() const;
  // "https://host[:port]".
  std::string ToString() const;
  // True when the host is an IP address (virtual-hosted addressing impossible).
  bool HostIsIpAddress() const;

  // The request for `key` in `bucket` (an empty key addresses the bucket),
  // with `query` ("" or an encoded query string without '?').
  Target ObjectTarget(std::string_view bucket, std::string_view key, std::string_view query,
                      bool path_style) const;

  // Percent-encodes an object key for a URL path, '/' kept.
  static std::string EncodeKey(std::string_view key);

  bool operator==(const S3Endpoint& other) const = default;

 private:
  bool tls_ = true;
  std::string host_;
  uint16_t port_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_ENDPOINT_H_
