#include "s3/s3_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "common/percent_decode.h"
#include "common/xml_escape.h"
#include "s3/s3_error.h"
#include "s3/s3_location.h"
#include "s3/xml_element.h"

namespace gamelake {

struct S3Client::Call {
  std::string_view operation;  // "PutObject": names the request in errors.
  std::string method;
  std::string key;    // Object key; "" addresses the bucket.
  std::string query;  // Encoded, without '?'.
  SigV4HeaderList headers;
  std::string body;       // In-memory body, or
  std::string body_path;  // a file range as the body.
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  std::string payload_hash;
  std::string download_path;  // GET to this file (truncated per attempt).
  bool error_in_200 = false;  // A 200 may carry an <Error> document.
};

namespace {

constexpr uint64_t kMaxSinglePutBytes = 5ull << 30;
constexpr int kMaxParts = 10000;
constexpr size_t kHashChunk = 1u << 20;

// The same Status code with `suffix` appended to the message.
Status WithSuffix(const Status& s, std::string_view suffix) {
  std::string m = s.message() + std::string(suffix);
  switch (s.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(m);
    case Status::Code::kCorruption:
      return Status::Corruption(m);
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(m);
    case Status::Code::kIOError:
      return Status::IOError(m);
    case Status::Code::kUnavailable:
      return Status::Unavailable(m);
    case Status::Code::kResourceExhausted:
      return Status::ResourceExhausted(m);
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(m);
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(m);
    case Status::Code::kDeadlineExceeded:
      return Status::DeadlineExceeded(m);
    case Status::Code::kCancelled:
      return Status::Cancelled(m);
    case Status::Code::kOk:
      return s;
    default:
      return Status::Internal(m);
  }
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

std::string Base64(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string Md5Base64(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return Base64(md, len);
}

struct Digests {
  std::string md5_base64;
  std::string sha256_hex;  // Empty unless asked for.
};

// MD5 (and SHA-256 when `sha256`) of `length` bytes of `file` from `offset`.
Result<Digests> HashRange(const RandomAccessFile& file, uint64_t offset, uint64_t length,
                          bool sha256, const std::string& path) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md5(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (md5 == nullptr || sha == nullptr || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("OpenSSL digest initialisation failed");
  }
  std::string buffer(kHashChunk, '\0');
  uint64_t done = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kHashChunk, length - done));
    GL_ASSIGN_OR_RETURN(size_t got, file.Read(offset + done, want, buffer.data()));
    if (got != want) {
      return Status::IOError(
          fmt::format("{}: shorter than expected (wanted {} bytes at {})", path, length, offset));
    }
    EVP_DigestUpdate(md5.get(), buffer.data(), got);
    if (sha256) EVP_DigestUpdate(sha.get(), buffer.data(), got);
    done += got;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Digests d;
  EVP_DigestFinal_ex(md5.get(), md, &len);
  d.md5_base64 = Base64(md, len);
  if (sha256) {
    EVP_DigestFinal_ex(sha.get(), md, &len);
    d.sha256_hex = Hex(md, len);
  }
  return d;
}

void AddParam(std::string* query, std::string_view name, std::string_view value,
              bool bare = false) {
  if (!query->empty()) query->push_back('&');
  AppendPercentEncoded(query, name);
  if (bare) return;
  query->push_back('=');
  AppendPercentEncoded(query, value);
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days(year_month_day(year(y), month(m), day(d))).time_since_epoch().count();
}

// "2009-10-12T17:50:30.000Z" -> unix micros; 0 when malformed.
int64_t ParseIsoTime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d",
                                   &y, &mo, &d, &h, &mi, &sec) != 6) {
    return 0;
  }
  int64_t micros = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) {
      micros += (s[i] - '0') * scale;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000000 + micros;
}

// "Wed, 12 Oct 2009 17:50:00 GMT" -> unix micros; 0 when malformed.
int64_t ParseHttpDate(std::string_view s) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char mon[4] = {0};
  int d, y, h, mi, sec;
  if (std::sscanf(std::string(s).c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &h, &mi,
                  &sec) != 6) {
    return 0;
  }
  size_t at = kMonths.find(std::string_view(mon, 3));
  if (at == std::string_view::npos || at % 3 != 0 || d < 1 || d > 31) return 0;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(at / 3 + 1), static_cast<unsigned>(d));
  return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000000;
}

Status Malformed(std::string_view operation, std::string_view why) {
  return Status::Corruption(fmt::format("malformed S3 response to {}: {}", operation, why));
}

Result<XmlElement> ParseResponse(std::string_view operation, std::string_view body,
                                 std::string_view root) {
  Result<XmlElement> xml = XmlElement::Parse(body);
  if (!xml.ok()) return Malformed(operation, xml.status().message());
  if (xml->name() != root) {
    return Malformed(operation,
                     fmt::format("the root element is <{}>, not <{}>", xml->name(), root));
  }
  return xml;
}

std::string MaybeDecode(std::string_view s, bool url_encoded) {
  return url_encoded ? PercentDecode(s, /*plus_is_space=*/true) : std::string(s);
}

}  // namespace

Result<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options) {
  GL_RETURN_IF_ERROR(S3Location::ValidateBucketName(options.bucket));
  if (options.region.empty()) return Status::InvalidArgument("S3: a region is required");
  if (options.env == nullptr) options.env = Env::Default();
  Result<S3Endpoint> endpoint = options.endpoint.empty() ? S3Endpoint::ForAwsRegion(options.region)
                                                         : S3Endpoint::Parse(options.endpoint);
  if (!endpoint.ok()) return endpoint.status();
  if (!options.path_style && endpoint->HostIsIpAddress()) {
    return Status::InvalidArgument(fmt::format(
        "S3 endpoint {} is an IP address: virtual-hosted addressing needs a host name; set "
        "path_style = true",
        endpoint->ToString()));
  }
  if (options.part_size_bytes == 0) return Status::InvalidArgument("S3: part_size_bytes is 0");
  if (options.credentials == nullptr) {
    S3CredentialsOptions c;
    c.env = options.env;
    options.credentials = std::make_shared<S3CredentialsProvider>(std::move(c));
  }
  return std::unique_ptr<S3Client>(new S3Client(std::move(options), std::move(endpoint).value()));
}

S3Client::S3Client(S3ClientOptions options, S3Endpoint endpoint)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      signer_(SigV4Signer::ForS3(options_.region)),
      retry_(options_.retry) {
  CurlHttpClientOptions http;
  http.ca_file = options_.ca_file;
  http.insecure = options_.insecure_skip_tls_verify;
  http.connect_timeout_ms = options_.connect_timeout_ms;
  http.low_speed_bytes_per_s = options_.low_speed_bytes_per_s;
  http.low_speed_time_s = options_.low_speed_time_s;
  http.request_timeout_ms = options_.request_timeout_ms;
  http.connect_to = options_.connect_to;
  http_ = std::make_unique<CurlHttpClient>(std::move(http));
  uint64_t seed = options_.jitter_seed;
  if (seed == 0)
    seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  MutexLock lock(&rng_mu_);
  rng_.seed(seed);
}

uint64_t S3Client::NextRandom() {
  MutexLock lock(&rng_mu_);
  return rng_();
}

void S3Client::Sleep(int64_t micros) const {
  if (options_.sleep) {
    options_.sleep(micros);
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }
}

Result<CurlResponse> S3Client::Execute(const Call& call) {
  std::string context = call.key.empty()
                            ? fmt::format("S3 {} in bucket {}", call.operation, options_.bucket)
                            : fmt::format("S3 {} of '{}'", call.operation, call.key);
  std::unique_ptr<RandomAccessFile> body_file;
  if (!call.body_path.empty()) {
    GL_ASSIGN_OR_RETURN(body_file, options_.env->NewRandomAccessFile(call.body_path));
  }
  bool refreshed_credentials = false;
  Status last;
  int attempt = 0;
  while (attempt < retry_.max_attempts()) {
    ++attempt;
    if (attempt > 1 && !last.ok()) Sleep(retry_.BackoffMicros(attempt - 1, NextRandom()));
    Result<SigV4Credentials> credentials = options_.credentials->Get();
    if (!credentials.ok()) return credentials.status().WithContext(context);

    S3Endpoint::Target target =
        endpoint_.ObjectTarget(options_.bucket, call.key, call.query, options_.path_style);
    CurlRequest request;
    request.method = call.method;
    request.url = target.url;
    request.headers.emplace_back("host", target.host);
    for (const auto& h : call.headers) request.headers.push_back(h);
    int64_t now_s = options_.env->NowMicros() / 1000000;
    GL_RETURN_IF_ERROR(signer_
                           .Sign(call.method, target.target, call.payload_hash, *credentials, now_s,
                                 &request.headers)
                           .WithContext(context));
    request.body = call.body;
    if (body_file != nullptr) {
      request.body_file = body_file.get();
      request.body_offset = call.body_offset;
      request.body_length = call.body_length;
    }
    std::unique_ptr<WritableFile> download;
    if (!call.download_path.empty()) {
      GL_ASSIGN_OR_RETURN(download, options_.env->NewWritableFile(call.download_path));
      request.response_file = download.get();
    }

    Result<CurlResponse> response = http_->Send(request);
    if (download != nullptr) {
      Status closed = download->Close();
      if (response.ok() && !closed.ok()) response = closed;
    }
    if (!response.ok()) {
      last = response.status().WithContext(context);
      if (last.code() == Status::Code::kUnavailable) continue;
      return last;
    }
    int status = response->status;
    if (status >= 200 && status < 300) {
      if (!call.error_in_200) return response;
      Result<XmlElement> xml = XmlElement::Parse(response->body);
      if (!xml.ok() || xml->name() != "Error") return response;
      last = S3ErrorFromResponse(call.operation, call.key, status, response->body,
                                 response->Header("x-amz-request-id"));
    } else {
      last = S3ErrorFromResponse(call.operation, call.key, status, response->body,
                                 response->Header("x-amz-request-id"));
    }
    std::string_view code = S3ErrorCode(last);
    if (code == "ExpiredToken" && !refreshed_credentials) {
      refreshed_credentials = true;
      options_.credentials->Invalidate();
      last = Status::OK();  // Retry at once with fresh credentials.
      continue;
    }
    if (!S3IsRetryable(status, code)) {
      return attempt > 1 ? WithSuffix(last, fmt::format(" (after {} attempts)", attempt)) : last;
    }
  }
  return WithSuffix(last, fmt::format(" (after {} attempts)", attempt));
}

Result<S3PutResult> S3Client::PutObject(std::string_view key, const std::string& local_path,
                                        std::string_view content_type) {
  GL_ASSIGN_OR_RETURN(uint64_t size, options_.env->GetFileSize(local_path));
  if (size > kMaxSinglePutBytes) {
    return Status::InvalidArgument(fmt::format(
        "S3 PutObject of '{}': {} is {} bytes, more than a single PUT takes (5 GiB); use "
        "UploadFile",
        key, local_path, size));
  }
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                      options_.env->NewRandomAccessFile(local_path));
  GL_ASSIGN_OR_RETURN(Digests digests,
                      HashRange(*file, 0, size, options_.sign_payload, local_path));
  Call call;
  call.operation = "PutObject";
  call.method = "PUT";
  call.key.assign(key);
  call.headers = {{"content-md5", digests.md5_base64}, {"content-type", std::string(content_type)}};
  call.body_path = local_path;
  call.body_length = size;
  call.payload_hash =
      options_.sign_payload ? digests.sha256_hex : std::string(kSigV4UnsignedPayload);
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  S3PutResult result;
  result.etag = StripQuotes(response.Header("etag"));
  result.size = size;
  if (result.etag.empty()) return Malformed("PutObject", "no ETag header");
  return result;
}

Result<std::string> S3Client::CreateMultipartUpload(std::string_view key,
                                                    std::string_view content_type) {
  Call call;
  call.operation = "CreateMultipartUpload";
  call.method = "POST";
  call.key.assign(key);
  AddParam(&call.query, "uploads", "", /*bare=*/true);
  call.headers = {{"content-type", std::string(content_type)}};
  call.payload_hash = Sha256Hex("");
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  GL_ASSIGN_OR_RETURN(XmlElement xml, ParseResponse(call.operation, response.body,
                                                    "InitiateMultipartUploadResult"));
  std::string upload_id = xml.ChildText("UploadId");
  if (upload_id.empty()) return Malformed(call.operation, "no UploadId");
  return upload_id;
}

Result<S3CompletedPart> S3Client::UploadPart(std::string_view key, std::string_view upload_id,
                                             int part_number, const std::string& local_path,
                                             uint64_t offset, uint64_t length) {
  if (part_number < 1 || part_number > kMaxParts) {
    return Status::InvalidArgument(fmt::format(
        "S3 UploadPart of '{}': part number {} is not in 1..{}", key, part_number, kMaxParts));
  }
  if (upload_id.empty()) return Status::InvalidArgument("S3 UploadPart: empty upload id");
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                      options_.env->NewRandomAccessFile(local_path));
  GL_ASSIGN_OR_RETURN(Digests digests,
                      HashRange(*file, offset, length, options_.sign_payload, local_path));
  Call call;
  call.operation = "UploadPart";
  call.method = "PUT";
  call.key.assign(key);
  AddParam(&call.query, "partNumber", std::to_string(part_number));
  AddParam(&call.query, "uploadId", upload_id);
  call.headers = {{"content-md5", digests.md5_base64}};
  call.body_path = local_path;
  call.body_offset = offset;
  call.body_length = length;
  call.payload_hash =
      options_.sign_payload ? digests.sha256_hex : std::string(kSigV4UnsignedPayload);
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  S3CompletedPart part;
  part.part_number = part_number;
  part.etag = StripQuotes(response.Header("etag"));
  if (part.etag.empty()) return Malformed(call.operation, "no ETag header");
  return part;
}

Result<S3PutResult> S3Client::CompleteMultipartUpload(std::string_view key,
                                                      std::string_view upload_id,
                                                      const std::vector<S3CompletedPart>& parts) {
  if (parts.empty()) {
    return Status::InvalidArgument(
        fmt::format("S3 CompleteMultipartUpload of '{}': no parts", key));
  }
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int previous = 0;
  for (const S3CompletedPart& p : parts) {
    if (p.part_number <= previous || p.part_number > kMaxParts) {
      return Status::InvalidArgument(fmt::format(
          "S3 CompleteMultipartUpload of '{}': part numbers must ascend within 1..{} ({} after {})",
          key, kMaxParts, p.part_number, previous));
    }
    previous = p.part_number;
    GL_ASSIGN_OR_RETURN(std::string etag, XmlEscape(p.etag));
    body += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>\"{}\"</ETag></Part>",
                        p.part_number, etag);
  }
  body += "</CompleteMultipartUpload>";
  Call call;
  call.operation = "CompleteMultipartUpload";
  call.method = "POST";
  call.key.assign(key);
  AddParam(&call.query, "uploadId", upload_id);
  call.headers = {{"content-type", "application/xml"}, {"content-md5", Md5Base64(body)}};
  call.payload_hash = Sha256Hex(body);
  call.body = std::move(body);
  call.error_in_200 = true;
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  GL_ASSIGN_OR_RETURN(XmlElement xml, ParseResponse(call.operation, response.body,
                                                    "CompleteMultipartUploadResult"));
  S3PutResult result;
  result.etag = StripQuotes(xml.ChildText("ETag"));
  if (result.etag.empty()) return Malformed(call.operation, "no ETag");
  return result;
}

Status S3Client::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  Call call;
  call.operation = "AbortMultipartUpload";
  call.method = "DELETE";
  call.key.assign(key);
  AddParam(&call.query, "uploadId", upload_id);
  call.payload_hash = Sha256Hex("");
  return Execute(call).status();
}

Result<std::vector<S3MultipartUpload>> S3Client::ListMultipartUploads(std::string_view prefix) {
  std::vector<S3MultipartUpload> uploads;
  std::string key_marker, upload_id_marker;
  for (int page = 0;; ++page) {
    Call call;
    call.operation = "ListMultipartUploads";
    call.method = "GET";
    call.query.clear();
    AddParam(&call.query, "encoding-type", "url");
    if (!key_marker.empty()) AddParam(&call.query, "key-marker", key_marker);
    if (!prefix.empty()) AddParam(&call.query, "prefix", prefix);
    if (!upload_id_marker.empty()) AddParam(&call.query, "upload-id-marker", upload_id_marker);
    AddParam(&call.query, "uploads", "", /*bare=*/true);
    call.payload_hash = Sha256Hex("");
    GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
    GL_ASSIGN_OR_RETURN(XmlElement xml,
                        ParseResponse(call.operation, response.body, "ListMultipartUploadsResult"));
    bool url = xml.ChildText("EncodingType") == "url";
    for (const XmlElement* u : xml.Children("Upload")) {
      S3MultipartUpload upload;
      upload.key = MaybeDecode(u->ChildText("Key"), url);
      upload.upload_id = u->ChildText("UploadId");
      upload.initiated_us = ParseIsoTime(u->ChildText("Initiated"));
      if (upload.key.empty() || upload.upload_id.empty()) {
        return Malformed(call.operation, "an <Upload> without Key or UploadId");
      }
      uploads.push_back(std::move(upload));
    }
    if (xml.ChildText("IsTruncated") != "true") break;
    std::string next_key = MaybeDecode(xml.ChildText("NextKeyMarker"), url);
    std::string next_id = xml.ChildText("NextUploadIdMarker");
    if ((next_key.empty() && next_id.empty()) ||
        (next_key == key_marker && next_id == upload_id_marker)) {
      return Malformed(call.operation, "truncated, but the markers do not advance");
    }
    key_marker = std::move(next_key);
    upload_id_marker = std::move(next_id);
  }
  return uploads;
}

Result<S3ListPage> S3Client::ListObjectsV2(const S3ListRequest& request) {
  if (request.max_keys < 0 || request.max_keys > 1000) {
    return Status::InvalidArgument("S3 ListObjectsV2: max_keys must be 0..1000");
  }
  Call call;
  call.operation = "ListObjectsV2";
  call.method = "GET";
  if (!request.continuation_token.empty()) {
    AddParam(&call.query, "continuation-token", request.continuation_token);
  }
  if (!request.delimiter.empty()) AddParam(&call.query, "delimiter", request.delimiter);
  AddParam(&call.query, "encoding-type", "url");
  AddParam(&call.query, "list-type", "2");
  if (request.max_keys > 0) AddParam(&call.query, "max-keys", std::to_string(request.max_keys));
  if (!request.prefix.empty()) AddParam(&call.query, "prefix", request.prefix);
  if (!request.start_after.empty()) AddParam(&call.query, "start-after", request.start_after);
  call.payload_hash = Sha256Hex("");
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  GL_ASSIGN_OR_RETURN(XmlElement xml,
                      ParseResponse(call.operation, response.body, "ListBucketResult"));
  bool url = xml.ChildText("EncodingType") == "url";
  S3ListPage page;
  for (const XmlElement* c : xml.Children("Contents")) {
    S3ObjectInfo info;
    info.key = MaybeDecode(c->ChildText("Key"), url);
    if (info.key.empty()) return Malformed(call.operation, "a <Contents> without a Key");
    if (!ParseUint(c->ChildText("Size"), &info.size)) {
      return Malformed(call.operation, fmt::format("the Size of '{}' is not a number: '{}'",
                                                   info.key, c->ChildText("Size").substr(0, 32)));
    }
    info.etag = StripQuotes(c->ChildText("ETag"));
    info.last_modified_us = ParseIsoTime(c->ChildText("LastModified"));
    page.objects.push_back(std::move(info));
  }
  for (const XmlElement* p : xml.Children("CommonPrefixes")) {
    page.common_prefixes.push_back(MaybeDecode(p->ChildText("Prefix"), url));
  }
  std::string truncated = xml.ChildText("IsTruncated", "false");
  if (truncated != "true" && truncated != "false") {
    return Malformed(call.operation, fmt::format("IsTruncated is '{}'", truncated.substr(0, 32)));
  }
  page.truncated = truncated == "true";
  if (page.truncated) {
    page.next_continuation_token = xml.ChildText("NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return Malformed(call.operation, "truncated, but no NextContinuationToken");
    }
  }
  return page;
}

Result<std::vector<S3ObjectInfo>> S3Client::ListAllObjects(std::string_view prefix,
                                                           std::string_view start_after) {
  std::vector<S3ObjectInfo> all;
  S3ListRequest request;
  request.prefix.assign(prefix);
  request.start_after.assign(start_after);
  for (;;) {
    GL_ASSIGN_OR_RETURN(S3ListPage page, ListObjectsV2(request));
    for (S3ObjectInfo& o : page.objects) all.push_back(std::move(o));
    if (!page.truncated) break;
    if (page.next_continuation_token == request.continuation_token) {
      return Malformed("ListObjectsV2", "the continuation token did not change");
    }
    request.continuation_token = std::move(page.next_continuation_token);
  }
  return all;
}

Result<S3ObjectInfo> S3Client::HeadObject(std::string_view key) {
  Call call;
  call.operation = "HeadObject";
  call.method = "HEAD";
  call.key.assign(key);
  call.payload_hash = Sha256Hex("");
  GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
  S3ObjectInfo info;
  info.key.assign(key);
  if (!ParseUint(response.Header("content-length"), &info.size)) {
    return Malformed(call.operation, "no valid Content-Length");
  }
  info.etag = StripQuotes(response.Header("etag"));
  info.last_modified_us = ParseHttpDate(response.Header("last-modified"));
  return info;
}

Result<S3ObjectInfo> S3Client::GetObject(std::string_view key, const std::string& local_path) {
  std::string temp = fmt::format("{}.s3tmp-{:016x}", local_path, NextRandom());
  Call call;
  call.operation = "GetObject";
  call.method = "GET";
  call.key.assign(key);
  call.payload_hash = Sha256Hex("");
  call.download_path = temp;
  auto fail = [&](const Status& s) {
    (void)options_.env->RemoveFile(temp);
    return s;
  };
  Result<CurlResponse> response = Execute(call);
  if (!response.ok()) return fail(response.status());
  S3ObjectInfo info;
  info.key.assign(key);
  std::string length = response->Header("content-length");
  if (!length.empty() && !ParseUint(length, &info.size)) {
    return fail(Malformed(call.operation, "Content-Length is not a number"));
  }
  if (length.empty()) info.size = response->body_bytes;
  Result<uint64_t> written = options_.env->GetFileSize(temp);
  if (!written.ok()) return fail(written.status());
  if (*written != info.size || response->body_bytes != info.size) {
    return fail(Status::Corruption(fmt::format(
        "S3 GetObject of '{}': got {} bytes, Content-Length says {}", key, *written, info.size)));
  }
  info.etag = StripQuotes(response->Header("etag"));
  info.last_modified_us = ParseHttpDate(response->Header("last-modified"));
  Status s = options_.env->SyncFile(temp);
  if (s.ok()) s = options_.env->RenameFile(temp, local_path);
  if (!s.ok()) return fail(s);
  GL_RETURN_IF_ERROR(options_.env->SyncDir(DirName(local_path)));
  return info;
}

Status S3Client::DeleteObject(std::string_view key) {
  Call call;
  call.operation = "DeleteObject";
  call.method = "DELETE";
  call.key.assign(key);
  call.payload_hash = Sha256Hex("");
  Result<CurlResponse> response = Execute(call);
  if (!response.ok() && response.status().code() == Status::Code::kNotFound &&
      S3ErrorCode(response.status()) == "NoSuchKey") {
    return Status::OK();
  }
  return response.status();
}

Status S3Client::DeleteObjects(const std::vector<std::string>& keys) {
  constexpr size_t kBatch = 1000;
  std::vector<std::string> failures;
  size_t failed = 0;
  for (size_t start = 0; start < keys.size(); start += kBatch) {
    size_t end = std::min(keys.size(), start + kBatch);
    std::string body =
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
    for (size_t i = start; i < end; ++i) {
      Result<std::string> escaped = XmlEscape(keys[i]);
      if (!escaped.ok()) {
        return escaped.status().WithContext(fmt::format("S3 DeleteObjects: key '{}'", keys[i]));
      }
      body += fmt::format("<Object><Key>{}</Key></Object>", *escaped);
    }
    body += "</Delete>";
    Call call;
    call.operation = "DeleteObjects";
    call.method = "POST";
    AddParam(&call.query, "delete", "", /*bare=*/true);
    call.headers = {{"content-md5", Md5Base64(body)}, {"content-type", "application/xml"}};
    call.payload_hash = Sha256Hex(body);
    call.body = std::move(body);
    call.error_in_200 = true;
    GL_ASSIGN_OR_RETURN(CurlResponse response, Execute(call));
    GL_ASSIGN_OR_RETURN(XmlElement xml,
                        ParseResponse(call.operation, response.body, "DeleteResult"));
    for (const XmlElement* e : xml.Children("Error")) {
      ++failed;
      if (failures.size() < 5) {
        failures.push_back(fmt::format("'{}': {} {}", e->ChildText("Key"), e->ChildText("Code"),
                                       e->ChildText("Message")));
      }
    }
  }
  if (failed == 0) return Status::OK();
  std::string list;
  for (const std::string& f : failures) list += (list.empty() ? "" : "; ") + f;
  return Status::Unavailable(fmt::format("S3 DeleteObjects: {} of {} keys were not deleted: {}{}",
                                         failed, keys.size(), list, failed > 5 ? "; ..." : ""));
}

Result<S3PutResult> S3Client::UploadFile(std::string_view key, const std::string& local_path,
                                         std::string_view content_type) {
  GL_ASSIGN_OR_RETURN(uint64_t size, options_.env->GetFileSize(local_path));
  if (size <= options_.multipart_threshold_bytes) return PutObject(key, local_path, content_type);
  uint64_t part_size = std::max(options_.part_size_bytes, (size + kMaxParts - 1) / kMaxParts);
  GL_ASSIGN_OR_RETURN(std::string upload_id, CreateMultipartUpload(key, content_type));
  std::vector<S3CompletedPart> parts;
  Status failure;
  for (uint64_t offset = 0; offset < size; offset += part_size) {
    Result<S3CompletedPart> part =
        UploadPart(key, upload_id, static_cast<int>(parts.size() + 1), local_path, offset,
                   std::min(part_size, size - offset));
    if (!part.ok()) {
      failure = part.status();
      break;
    }
    parts.push_back(std::move(part).value());
  }
  if (failure.ok()) {
    Result<S3PutResult> done = CompleteMultipartUpload(key, upload_id, parts);
    if (done.ok()) {
      done->size = size;
      return done;
    }
    failure = done.status();
  }
  Status aborted = AbortMultipartUpload(key, upload_id);
  if (!aborted.ok()) {
    return WithSuffix(
        failure, fmt::format("; aborting upload {} failed too: {}", upload_id, aborted.message()));
  }
  return failure;
}

}  // namespace gamelake
