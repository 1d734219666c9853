#include "common/stream_name.h"

#include <fmt/format.h>

namespace gamelake {

Status ValidateStreamName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument(
        fmt::format("stream name must be 1 to 64 characters (got {})", name.size()));
  }
  if (name.front() == '_') {
    return Status::InvalidArgument("stream names starting with '_' are reserved for gamelake");
  }
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-';
    if (!ok) {
      return Status::InvalidArgument("stream name may contain only letters, digits, '_' and '-'");
    }
  }
  return Status::OK();
}

}  // namespace gamelake
