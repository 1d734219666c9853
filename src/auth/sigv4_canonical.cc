#include "auth/sigv4_canonical.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/ascii.h"
#include "common/percent_decode.h"

namespace gamelake {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

// HMAC-SHA256(key, data), raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// All values of header `name` (lower-case), joined with ',', each trimmed and
// with inner runs of spaces collapsed. False if the request has none.
bool CanonicalHeaderValue(const SigV4Request& request, std::string_view name, std::string* out) {
  out->clear();
  bool found = false;
  for (const auto& [n, v] : request.headers) {
    if (!EqualsIgnoreCase(n, name)) continue;
    if (found) out->push_back(',');
    found = true;
    bool in_space = false;
    for (char c : SigV4Trim(v)) {
      if (c == ' ' || c == '\t') {
        in_space = true;
        continue;
      }
      if (in_space) out->push_back(' ');
      in_space = false;
      out->push_back(c);
    }
  }
  return found;
}

}  // namespace

std::string_view SigV4Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SigV4Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

bool SigV4ParseAmzDate(std::string_view s, int64_t* seconds) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  auto digits = [&](size_t pos, size_t n, int* v) {
    *v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      *v = *v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(0, 4, &y) || !digits(4, 2, &mo) || !digits(6, 2, &d) || !digits(9, 2, &h) ||
      !digits(11, 2, &mi) || !digits(13, 2, &sec)) {
    return false;
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  *seconds = days * 86400 + h * 3600 + mi * 60 + sec;
  return true;
}

std::string SigV4FormatAmzDate(int64_t seconds) {
  using namespace std::chrono;
  sys_seconds tp{std::chrono::seconds{seconds}};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<std::chrono::seconds> t{tp - day};
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     t.hours().count(), t.minutes().count(), t.seconds().count());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

std::string SigV4CanonicalUri(std::string_view path, SigV4UriRule rule) {
  std::string out;
  if (rule == SigV4UriRule::kS3) {
    if (path.empty()) return "/";
    AppendPercentEncoded(&out, PercentDecode(path), /*keep_slash=*/true);
    return out;
  }
  std::vector<std::string_view> segments;
  for (std::string_view segment : SigV4Split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string normalized;
  if (path.starts_with('/')) normalized.push_back('/');
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized.push_back('/');
    normalized.append(segments[i]);
  }
  if (!segments.empty() && path.ends_with('/')) normalized.push_back('/');
  if (normalized.empty()) normalized.push_back('/');
  AppendPercentEncoded(&out, normalized, /*keep_slash=*/true);
  return out;
}

std::string SigV4CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view param : SigV4Split(query, '&')) {
    if (param.empty()) continue;
    size_t eq = param.find('=');
    std::string_view name = param.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
    std::string en, ev;
    AppendPercentEncoded(&en, PercentDecode(name), false);
    AppendPercentEncoded(&ev, PercentDecode(value), false);
    if (en == "X-Amz-Signature") continue;
    params.emplace_back(std::move(en), std::move(ev));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [n, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += n;
    out.push_back('=');
    out += v;
  }
  return out;
}

Result<std::string> SigV4CanonicalRequest(const SigV4Request& request,
                                          std::string_view signed_headers,
                                          std::string_view payload_hash, SigV4UriRule rule) {
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);

  std::string out;
  out.reserve(256 + request.target.size());
  out.append(request.method);
  out.push_back('\n');
  out += SigV4CanonicalUri(path, rule);
  out.push_back('\n');
  out += SigV4CanonicalQuery(query);
  out.push_back('\n');
  std::string value;
  for (std::string_view name : SigV4Split(signed_headers, ';')) {
    if (name.empty()) {
      return Status::InvalidArgument(
          fmt::format("SignedHeaders '{}' has an empty header name", signed_headers));
    }
    if (!CanonicalHeaderValue(request, name, &value)) {
      return Status::InvalidArgument(fmt::format("signed header '{}' is not in the request", name));
    }
    for (char c : name) out.push_back(AsciiLower(c));
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  out.push_back('\n');
  out.append(signed_headers);
  out.push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string SigV4Scope(std::string_view date8, std::string_view region, std::string_view service) {
  return fmt::format("{}/{}/{}/{}", date8, region, service, kSigV4Terminator);
}

std::string SigV4StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}\n{}", kSigV4Algorithm, amz_date, scope,
                     Sha256Hex(canonical_request));
}

std::string SigV4SigningKey(std::string_view secret, std::string_view date8,
                            std::string_view region, std::string_view service) {
  std::string k = HmacSha256(fmt::format("AWS4{}", secret), date8);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, kSigV4Terminator);
}

std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign) {
  std::string mac = HmacSha256(signing_key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

}  // namespace gamelake
