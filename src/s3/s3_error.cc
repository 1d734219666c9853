#include "s3/s3_error.h"

#include <array>
#include <string>

#include <fmt/format.h>

#include "s3/xml_element.h"

namespace gamelake {
namespace {

constexpr std::string_view kTag = "S3 error ";

std::string_view DefaultCode(int http_status) {
  switch (http_status) {
    case 301:
      return "PermanentRedirect";
    case 307:
      return "TemporaryRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 501:
      return "NotImplemented";
    case 503:
      return "ServiceUnavailable";
    default:
      return "HttpError";
  }
}

// Printable text for a message (bodies from a broken server may hold anything).
std::string Printable(std::string_view s, size_t max = 512) {
  std::string out;
  for (char c : s.substr(0, max)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace

bool S3IsRetryable(int http_status, std::string_view code) {
  static constexpr std::array<std::string_view, 10> kRetryableCodes = {
      "SlowDown",           "Throttling",       "ThrottlingException", "RequestLimitExceeded",
      "TooManyRequests",    "RequestThrottled", "RequestTimeout",      "InternalError",
      "ServiceUnavailable", "OperationAborted"};
  // 501: the store has no such operation (s3rver's ListMultipartUploads);
  // asking again changes nothing.
  if (http_status == 501 || code == "NotImplemented") return false;
  if (http_status >= 500 || http_status == 429) return true;
  for (std::string_view c : kRetryableCodes) {
    if (code == c) return true;
  }
  return false;
}

Status S3Error(std::string_view operation, std::string_view key, int http_status,
               std::string_view code, std::string_view message, std::string_view request_id) {
  if (code.empty()) code = DefaultCode(http_status);
  std::string text =
      fmt::format("{}{} (HTTP {}) on {}", kTag, Printable(code, 64), http_status, operation);
  if (!key.empty()) text += fmt::format(" of '{}'", key);
  text += ": ";
  text += message.empty() ? std::string("no message") : Printable(message);
  if (!request_id.empty()) text += fmt::format(" [request id {}]", Printable(request_id, 128));
  if (http_status == 404) return Status::NotFound(text);
  if (http_status == 403) return Status::PermissionDenied(text);
  if (code == "BadDigest" || code == "InvalidDigest") return Status::Corruption(text);
  if (S3IsRetryable(http_status, code)) return Status::Unavailable(text);
  return Status::InvalidArgument(text);
}

Status S3ErrorFromResponse(std::string_view operation, std::string_view key, int http_status,
                           std::string_view body, std::string_view request_id) {
  std::string code, message, id(request_id);
  if (!body.empty()) {
    Result<XmlElement> xml = XmlElement::Parse(body);
    if (xml.ok() && xml->name() == "Error") {
      code = xml->ChildText("Code");
      message = xml->ChildText("Message");
      if (id.empty()) id = xml->ChildText("RequestId");
    } else {
      message = fmt::format("(not an S3 error document) {}", Printable(body, 200));
    }
  }
  return S3Error(operation, key, http_status, code, message, id);
}

std::string_view S3ErrorCode(const Status& status) {
  std::string_view m = status.message();
  size_t at = m.find(kTag);
  if (at == std::string_view::npos) return {};
  m.remove_prefix(at + kTag.size());
  size_t space = m.find(" (HTTP ");
  if (space == std::string_view::npos) return {};
  return m.substr(0, space);
}

int S3HttpStatus(const Status& status) {
  std::string_view m = status.message();
  size_t at = m.find(kTag);
  if (at == std::string_view::npos) return 0;
  m.remove_prefix(at);
  size_t h = m.find(" (HTTP ");
  if (h == std::string_view::npos) return 0;
  int v = 0;
  for (size_t i = h + 7; i < m.size() && m[i] >= '0' && m[i] <= '9'; ++i) v = v * 10 + (m[i] - '0');
  return v;
}

}  // namespace gamelake
