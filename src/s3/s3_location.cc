#include "s3/s3_location.h"

#include <array>

#include <fmt/format.h>

namespace gamelake {
namespace {

constexpr std::string_view kScheme = "s3://";
// Longest prefix accepted: S3 keys are at most 1024 bytes, and the lake's
// file names come after the prefix.
constexpr size_t kMaxPrefixBytes = 768;

bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(std::string_view s) {
  int parts = 0;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

Status S3Location::ValidateBucketName(std::string_view bucket) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("invalid S3 bucket name '{}': {}", bucket, why));
  };
  if (bucket.size() < 3 || bucket.size() > 63) return bad("it must be 3 to 63 characters long");
  for (char c : bucket) {
    if (!IsLowerOrDigit(c) && c != '.' && c != '-') {
      return bad("only lower-case letters, digits, '.' and '-' are allowed");
    }
  }
  if (!IsLowerOrDigit(bucket.front()) || !IsLowerOrDigit(bucket.back())) {
    return bad("it must begin and end with a letter or digit");
  }
  if (bucket.find("..") != std::string_view::npos) return bad("it may not contain '..'");
  if (LooksLikeIpv4(bucket)) return bad("it may not be formatted as an IP address");
  static constexpr std::array<std::string_view, 3> kPrefixes = {"xn--", "sthree-", "amzn-s3-demo-"};
  for (std::string_view p : kPrefixes) {
    if (bucket.starts_with(p)) return bad(fmt::format("the prefix '{}' is reserved", p));
  }
  static constexpr std::array<std::string_view, 5> kSuffixes = {"-s3alias", "--ol-s3", ".mrap",
                                                                "--x-s3", "--table-s3"};
  for (std::string_view s : kSuffixes) {
    if (bucket.ends_with(s)) return bad(fmt::format("the suffix '{}' is reserved", s));
  }
  return Status::OK();
}

Result<std::string> S3Location::NormalizePrefix(std::string_view prefix) {
  static constexpr std::string_view kAvoid = "\\{}^%`[]\"<>#|?";
  std::string out;
  size_t start = 0;
  while (start <= prefix.size()) {
    size_t slash = prefix.find('/', start);
    std::string_view segment =
        prefix.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment == "." || segment == "..") {
      return Status::InvalidArgument(
          fmt::format("invalid S3 prefix '{}': '.' and '..' segments are not allowed", prefix));
    }
    for (char c : segment) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        return Status::InvalidArgument(
            fmt::format("invalid S3 prefix '{}': control characters are not allowed", prefix));
      }
      if (kAvoid.find(c) != std::string_view::npos) {
        return Status::InvalidArgument(
            fmt::format("invalid S3 prefix '{}': '{}' is one of the characters to avoid in S3 keys",
                        prefix, c));
      }
    }
    if (!segment.empty()) {
      out.append(segment);
      out.push_back('/');
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.size() > kMaxPrefixBytes) {
    return Status::InvalidArgument(fmt::format(
        "invalid S3 prefix: {} bytes, at most {} are allowed", out.size(), kMaxPrefixBytes));
  }
  return out;
}

Result<S3Location> S3Location::Make(std::string_view bucket, std::string_view prefix) {
  GL_RETURN_IF_ERROR(ValidateBucketName(bucket));
  GL_ASSIGN_OR_RETURN(std::string normalized, NormalizePrefix(prefix));
  S3Location location;
  location.bucket_.assign(bucket);
  location.prefix_ = std::move(normalized);
  return location;
}

Result<S3Location> S3Location::Parse(std::string_view uri) {
  if (!uri.starts_with(kScheme)) {
    return Status::InvalidArgument(
        fmt::format("invalid S3 location '{}': it must start with 's3://'", uri));
  }
  std::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty()) {
    return Status::InvalidArgument(fmt::format("invalid S3 location '{}': no bucket", uri));
  }
  Result<S3Location> location = Make(bucket, prefix);
  if (!location.ok()) {
    return location.status().WithContext(fmt::format("S3 location '{}'", uri));
  }
  return location;
}

std::string S3Location::ToString() const {
  if (prefix_.empty()) return fmt::format("{}{}", kScheme, bucket_);
  return fmt::format("{}{}/{}", kScheme, bucket_, prefix_);
}

std::string S3Location::Key(std::string_view relative) const {
  std::string key = prefix_;
  key.append(relative);
  return key;
}

}  // namespace gamelake
