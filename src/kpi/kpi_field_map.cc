#include "kpi/kpi_field_map.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gamelake {
namespace {

constexpr std::array<std::string_view, 17> kFields = {
    "event_id", "ts",       "player_id", "session_id",  "event_type",   "level",
    "enemy",    "x",        "y",         "amount",      "currency",     "revenue",
    "item_id",  "platform", "country",   "app_version", "error_message"};

constexpr std::array<std::string_view, 9> kEventTypes = {
    "session_start", "session_end", "level_start", "level_complete", "death",
    "purchase",      "progression", "resource",    "error"};

std::string Quote(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(quote);
  for (char c : text) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::span<const std::string_view> KpiConventionFields() { return kFields; }
std::span<const std::string_view> KpiEventTypes() { return kEventTypes; }

std::string QuoteSqlIdentifier(std::string_view name) { return Quote(name, '"'); }
std::string QuoteSqlString(std::string_view text) { return Quote(text, '\''); }

Status KpiFieldMap::Map(std::string_view field, std::string_view column) {
  if (std::find(kFields.begin(), kFields.end(), field) == kFields.end()) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a field of the event convention; the fields are {}", field,
                    fmt::join(kFields, ", ")));
  }
  if (column.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("the column for {} holds a NUL byte", field));
  }
  if (column.empty()) {
    if (field != "session_id") {
      return Status::InvalidArgument(fmt::format(
          "the column for {} is empty; only session_id may be \"\" (no sessions)", field));
    }
    derived_sessions_ = true;
    columns_.erase(std::string(field));
    return Status::OK();
  }
  if (field == "session_id") derived_sessions_ = false;
  columns_[std::string(field)] = std::string(column);
  return Status::OK();
}

std::string KpiFieldMap::Column(std::string_view field) const {
  auto it = columns_.find(field);
  return it == columns_.end() ? std::string(field) : it->second;
}

}  // namespace gamelake
