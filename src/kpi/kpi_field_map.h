// KpiFieldMap: where a stream keeps the fields of the event convention
// (docs/events.md). The KPIs are written against the convention's names —
// player_id, ts, event_type, level, revenue... — and a studio whose events
// name them differently maps them per stream in the config
// (`kpi.streams.<stream>.player_id = "PlayerID"`). Mapping session_id to ""
// says the stream has no sessions: the KPIs then derive them from an
// inactivity gap (kpi.session_gap_s).
//
// Column names come from the server's config, not from requests, but are
// still quoted (any text is a valid DuckDB identifier once quoted), so a
// name with spaces or quotes cannot change the SQL around it.
//
// Thread-safety: a value type; const methods are safe from any thread.
#ifndef GAMELAKE_KPI_KPI_FIELD_MAP_H_
#define GAMELAKE_KPI_KPI_FIELD_MAP_H_

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gamelake {

// The fields of the event convention, in the order docs/events.md lists them.
std::span<const std::string_view> KpiConventionFields();
// The event types of the convention (the values of event_type).
std::span<const std::string_view> KpiEventTypes();

// "name" with every " doubled: a DuckDB identifier standing for exactly name.
std::string QuoteSqlIdentifier(std::string_view name);
// 'text' with every ' doubled: a SQL string literal.
std::string QuoteSqlString(std::string_view text);

class KpiFieldMap {
 public:
  // Every field under its convention name; sessions from session_id.
  KpiFieldMap() = default;

  // Maps a convention field to the stream's column. InvalidArgument for a
  // field the convention does not have (listing those it has), a NUL in the
  // column, or an empty column for anything but session_id.
  Status Map(std::string_view field, std::string_view column);

  // The stream's column for a convention field, unquoted. A name outside
  // the convention (a segment field a request names) is its own column.
  std::string Column(std::string_view field) const;
  // Column(field), quoted for SQL.
  std::string Quoted(std::string_view field) const { return QuoteSqlIdentifier(Column(field)); }
  // True when the stream has no session ids (session_id mapped to "").
  bool derived_sessions() const { return derived_sessions_; }
  // The fields mapped away from their convention names.
  const std::map<std::string, std::string, std::less<>>& mapped() const { return columns_; }

 private:
  std::map<std::string, std::string, std::less<>> columns_;
  bool derived_sessions_ = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_KPI_KPI_FIELD_MAP_H_
