// PercentDecode / AppendPercentEncoded: %XX escapes in URL paths and query
// strings, the one decoder and encoder the front door (query parameters),
// SigV4 (canonical requests), the catalog (Hive partition values) and the
// command line (query strings it sends) share.
//
// Thread-safety: a pure function.
#ifndef GAMELAKE_COMMON_PERCENT_DECODE_H_
#define GAMELAKE_COMMON_PERCENT_DECODE_H_

#include <string>
#include <string_view>

namespace gamelake {

// Decodes %XX; a '%' not followed by two hex digits stays as it is. With
// plus_is_space, '+' becomes ' ' (HTML form encoding of query strings).
std::string PercentDecode(std::string_view s, bool plus_is_space = false);

// Appends s with every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - _ .
// ~) as %XX (upper-case hex), and '/' kept with keep_slash — SigV4's URI
// encoding, which is also a safe query-string encoding.
void AppendPercentEncoded(std::string* out, std::string_view s, bool keep_slash = false);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_PERCENT_DECODE_H_
