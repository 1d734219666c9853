#include "auth/authenticator.h"

#include "auth/api_key.h"
#include "common/ascii.h"
#include "common/json_writer.h"

namespace gamelake {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The key in "Bearer <key>"; the scheme is case-insensitive (RFC 7235).
Result<std::string_view> BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  size_t space = authorization.find_first_of(" \t");
  std::string_view scheme = authorization.substr(0, space);
  if (!EqualsIgnoreCase(scheme, "Bearer")) {
    // Show the scheme (never a credential) unless it is long or odd.
    std::string shown = scheme.size() <= 32 ? JsonEscape(scheme) : "(long)";
    return Status::InvalidArgument("Authorization scheme \"" + shown +
                                   "\" is not supported; send \"Authorization: Bearer <key>\" "
                                   "or \"X-Api-Key: <key>\"");
  }
  if (space == std::string_view::npos) {
    return Status::InvalidArgument("Authorization: Bearer has no key");
  }
  return Trim(authorization.substr(space));
}

}  // namespace

Principal Authenticator::AnonymousAdmin() {
  Principal p;
  p.key_id = std::string(kAnonymous);
  p.name = std::string(kAnonymous);
  p.scope = Scope::kAdmin;
  return p;
}

Result<Principal> Authenticator::FromHeaders(std::string_view authorization,
                                             std::string_view x_api_key) const {
  if (!enabled_) return AnonymousAdmin();
  std::string_view key;
  if (!Trim(authorization).empty()) {
    GL_ASSIGN_OR_RETURN(key, BearerToken(authorization));
  }
  std::string_view header_key = Trim(x_api_key);
  if (!header_key.empty()) {
    if (!key.empty() && key != header_key) {
      return Status::InvalidArgument(
          "Authorization and X-Api-Key hold different keys; send one of them");
    }
    key = header_key;
  }
  if (key.empty()) {
    return Status::InvalidArgument(
        "missing API key: send \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\"");
  }
  if (key.size() > 4 * kFullKeyLength) {
    return Status::InvalidArgument("malformed API key (too long)");
  }
  return store_->Authenticate(key);
}

Status Authenticator::Authorize(const Principal& principal, Need need, std::string_view stream) {
  switch (need) {
    case Need::kPutMetrics:
      if (principal.CanPutMetrics()) return Status::OK();
      return Status::InvalidArgument("key " + principal.key_id +
                                     " has scope metrics:read; putting metrics needs an ingest "
                                     "or admin key");
    case Need::kReadMetrics:
      if (principal.CanReadMetrics()) return Status::OK();
      return Status::InvalidArgument("key " + principal.key_id +
                                     " has scope ingest; reading metrics needs an admin or "
                                     "metrics:read key");
    case Need::kAdmin:
      if (principal.IsAdmin()) return Status::OK();
      return Status::InvalidArgument("key " + principal.key_id + " has scope " +
                                     std::string(ScopeName(principal.scope)) +
                                     "; this needs an admin key");
    case Need::kIngest:
      if (principal.CanIngest(stream)) return Status::OK();
      return Status::InvalidArgument("key " + principal.key_id + " may not ingest into stream \"" +
                                     JsonEscape(stream.substr(0, 64)) + "\"");
  }
  return Status::Internal("unknown Need");
}

bool Authenticator::Check(std::string_view authorization, std::string_view x_api_key, Need need,
                          std::string_view stream, Principal* principal, AuthError* error) const {
  Result<Principal> who = FromHeaders(authorization, x_api_key);
  if (!who.ok()) {
    *error = AuthError{401, "unauthenticated", who.status().message()};
    return false;
  }
  if (Status s = Authorize(*who, need, stream); !s.ok()) {
    *error = AuthError{403, "forbidden", s.message()};
    return false;
  }
  *principal = std::move(who).value();
  return true;
}

}  // namespace gamelake
