#include "auth/principal.h"

#include <algorithm>

namespace gamelake {

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kAdmin:
      return "admin";
    case Scope::kMetricsRead:
      return "metrics:read";
    case Scope::kIngest:
      break;
  }
  return "ingest";
}

Result<Scope> ParseScope(std::string_view text) {
  if (text == "ingest") return Scope::kIngest;
  if (text == "admin") return Scope::kAdmin;
  if (text == "metrics:read") return Scope::kMetricsRead;
  return Status::InvalidArgument("scope must be \"ingest\", \"admin\" or \"metrics:read\", not \"" +
                                 std::string(text.substr(0, 32)) + "\"");
}

bool Principal::CanIngest(std::string_view stream) const {
  if (scope == Scope::kMetricsRead) return false;
  if (IsAdmin() || streams.empty()) return true;
  return std::find(streams.begin(), streams.end(), stream) != streams.end();
}

}  // namespace gamelake
