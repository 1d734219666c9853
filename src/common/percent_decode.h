// PercentDecode: %XX escapes in URL paths and query strings, the one decoder
// the front door (query parameters), SigV4 (canonical query strings) and the
// catalog (Hive partition values) share.
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

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_PERCENT_DECODE_H_
