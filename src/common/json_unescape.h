// JsonUnescape: the one decoder of backslash escapes in JSON (and JavaScript)
// string bodies, shared by the front door's deduper (which reads keys out of
// raw records) and the generator's template arguments.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_COMMON_JSON_UNESCAPE_H_
#define GAMELAKE_COMMON_JSON_UNESCAPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gamelake {

// Appends `code_point` encoded as UTF-8.
void AppendUtf8(uint32_t code_point, std::string* out);

// Decodes the body of a string (without its quotes) into *out: \b \f \n \r \t,
// \uXXXX (a surrogate pair becomes one code point), and \<c> as <c> for any
// other c (\" \\ \/ in JSON; \' too in JavaScript). Returns std::string_view::npos
// when every escape was good, else the offset in `body` of the first \u that
// is not followed by four hex digits (*out then holds what came before it).
size_t JsonUnescape(std::string_view body, std::string* out);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_JSON_UNESCAPE_H_
