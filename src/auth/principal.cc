#include "auth/principal.h"

#include <algorithm>

namespace gamelake {

std::string_view ScopeName(Scope scope) { return scope == Scope::kAdmin ? "admin" : "ingest"; }

Result<Scope> ParseScope(std::string_view text) {
  if (text == "ingest") return Scope::kIngest;
  if (text == "admin") return Scope::kAdmin;
  return Status::InvalidArgument("scope must be \"ingest\" or \"admin\", not \"" +
                                 std::string(text.substr(0, 32)) + "\"");
}

bool Principal::CanIngest(std::string_view stream) const {
  if (IsAdmin() || streams.empty()) return true;
  return std::find(streams.begin(), streams.end(), stream) != streams.end();
}

}  // namespace gamelake
