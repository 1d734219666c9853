#include "s3/s3_endpoint.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/percent_decode.h"

namespace gamelake {
namespace {

bool ValidHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

Result<S3Endpoint> S3Endpoint::Parse(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("invalid S3 endpoint '{}': {}", url, why));
  };
  S3Endpoint e;
  std::string_view rest = url;
  std::string lower = AsciiLowered(url);
  if (lower.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (lower.starts_with("http://")) {
    e.tls_ = false;
    rest.remove_prefix(7);
  } else if (lower.find("://") != std::string::npos) {
    return bad("the scheme must be https:// or http://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) return bad("no host");
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad("only a scheme, a host and a port are allowed (no path, query or user)");
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in an IPv6 host");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 host");
      port = after.substr(1);
    }
    in6_addr addr6;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr6) != 1) {
      return bad("not an IPv6 address in brackets");
    }
  } else {
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
    if (host.empty()) return bad("no host");
    for (char c : host) {
      if (!ValidHostChar(c)) return bad(fmt::format("'{}' is not allowed in a host name", c));
    }
  }
  if (!port.empty() || rest.back() == ':') {
    if (port.empty() || port.size() > 5) return bad("the port must be 1 to 65535");
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return bad("the port must be a number");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return bad("the port must be 1 to 65535");
    if (value != (e.tls_ ? 443u : 80u)) e.port_ = static_cast<uint16_t>(value);
  }
  e.host_ = AsciiLowered(host);
  return e;
}

Result<S3Endpoint> S3Endpoint::ForAwsRegion(std::string_view region) {
  if (region.empty()) return Status::InvalidArgument("an AWS region is needed for the endpoint");
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument(
          fmt::format("invalid AWS region '{}': only lower-case letters, digits and '-'", region));
    }
  }
  S3Endpoint e;
  e.host_ = fmt::format("s3.{}.amazonaws.com{}", region, region.starts_with("cn-") ? ".cn" : "");
  return e;
}

bool S3Endpoint::HostIsIpAddress() const {
  in_addr a4;
  in6_addr a6;
  return inet_pton(AF_INET, host_.c_str(), &a4) == 1 ||
         inet_pton(AF_INET6, host_.c_str(), &a6) == 1;
}

std::string S3Endpoint::Authority() const {
  bool v6 = host_.find(':') != std::string::npos;
  std::string out = v6 ? fmt::format("[{}]", host_) : host_;
  if (port_ != 0) out += fmt::format(":{}", port_);
  return out;
}

std::string S3Endpoint::ToString() const {
  return fmt::format("{}://{}", tls_ ? "https" : "http", Authority());
}

std::string S3Endpoint::EncodeKey(std::string_view key) {
  std::string out;
  AppendPercentEncoded(&out, key, /*keep_slash=*/true);
  return out;
}

S3Endpoint::Target S3Endpoint::ObjectTarget(std::string_view bucket, std::string_view key,
                                            std::string_view query, bool path_style) const {
  Target t;
  std::string authority = Authority();
  if (path_style) {
    t.host = authority;
    t.target = fmt::format("/{}", bucket);
    if (!key.empty()) t.target += "/" + EncodeKey(key);
  } else {
    t.host = fmt::format("{}.{}", bucket, authority);
    t.target = "/" + EncodeKey(key);
  }
  if (!query.empty()) t.target += fmt::format("?{}", query);
  t.url = fmt::format("{}://{}{}", tls_ ? "https" : "http", t.host, t.target);
  return t;
}

}  // namespace gamelake
