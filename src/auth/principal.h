// Principal: who a request acts as once its API key is verified, and what that
// key may do.
//
// A key has one scope. An ingest key may send records to its streams (all
// streams when its list is empty) and put metrics; a metrics:read key may read
// metrics, dashboards and alarms and nothing else (for the people who watch
// dashboards); an admin key may do everything, including ingest into any
// stream. The rate limits travel with the principal so the
// rate limiter needs no second lookup.
//
// Thread-safety: plain values.
#ifndef GAMELAKE_AUTH_PRINCIPAL_H_
#define GAMELAKE_AUTH_PRINCIPAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

enum class Scope { kIngest, kAdmin, kMetricsRead };

// "ingest" / "admin" / "metrics:read".
std::string_view ScopeName(Scope scope);
// Parses "ingest" / "admin" / "metrics:read"; anything else is InvalidArgument.
Result<Scope> ParseScope(std::string_view text);

struct Principal {
  std::string
      key_id;  // "GLK..." (public, like an AWS access key id); "anonymous" when auth is off.
  std::string name;
  Scope scope = Scope::kIngest;
  std::vector<std::string> streams;  // Empty: every stream.
  uint64_t rate_records_per_s = 0;   // 0: the server's default limit.
  uint64_t rate_bytes_per_s = 0;     // 0: the server's default limit.

  // Admin keys may ingest anywhere; ingest keys into their own streams.
  bool CanIngest(std::string_view stream) const;
  bool IsAdmin() const { return scope == Scope::kAdmin; }
  // Ingest and admin keys may put metrics (which belong to no stream).
  bool CanPutMetrics() const { return scope != Scope::kMetricsRead; }
  // Admin and metrics:read keys may read metrics, dashboards and alarms.
  bool CanReadMetrics() const { return scope != Scope::kIngest; }
};

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_PRINCIPAL_H_
