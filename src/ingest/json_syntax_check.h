// FindJsonSyntaxError: locates the first error in a JSON text, for messages.
//
// The fast path validates with simdjson, which says what is wrong but not
// where. When it rejects a record, this slow, simple checker walks the text
// again to name the byte offset and a precise reason. It applies the same
// rules as simdjson: strict RFC 8259 grammar, UTF-8, surrogate pairs in \u
// escapes, integers within [-2^63, 2^64), and finite doubles. Nesting depth is
// not checked (callers handle it); deep input costs heap, not stack.
//
// Thread-safety: a pure function.
#ifndef GAMELAKE_INGEST_JSON_SYNTAX_CHECK_H_
#define GAMELAKE_INGEST_JSON_SYNTAX_CHECK_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gamelake {

struct JsonSyntaxError {
  size_t offset = 0;  // Byte offset in the text.
  bool utf8 = false;  // The text is not valid UTF-8 (offset: first bad byte).
  std::string reason;
};

// Checks that `text` is exactly one JSON value with optional surrounding
// whitespace. Returns the first error, or nullopt if the text is valid.
std::optional<JsonSyntaxError> FindJsonSyntaxError(std::string_view text);

// Returns the offset of the first byte that makes `text` invalid UTF-8, or
// nullopt if it is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_JSON_SYNTAX_CHECK_H_
