// JsonScanner: finds where a JSON value ends without fully validating it.
//
// Used to split a JSON array body into its elements: it follows strings
// (with escapes) and matches brackets, and reports the nesting depth of the
// value, but leaves tokens, commas and colons to the full validator that
// checks each element afterwards. A scan error (unterminated string,
// mismatched or unclosed bracket) means the body cannot be split.
//
// Thread-safety: holds a reusable bracket stack; use one per thread.
#ifndef GAMELAKE_INGEST_JSON_SCANNER_H_
#define GAMELAKE_INGEST_JSON_SCANNER_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace gamelake {

class JsonScanner {
 public:
  struct Value {
    size_t end = 0;    // One past the value's last byte.
    size_t depth = 0;  // Nesting depth: 0 for a scalar, 1 for {} or [1], ...
  };

  // Scans the value starting at text[pos] (not whitespace, pos < size).
  // Returns false on a scan error; error_offset()/error_reason() say why.
  bool ScanValue(std::string_view text, size_t pos, Value* value);

  // Where the value ends when the next byte could follow a scalar: JSON
  // whitespace, ',', ']', '}' or ':'.
  static bool IsDelimiter(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' ||
           c == ':';
  }
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  size_t error_offset() const { return error_offset_; }
  const char* error_reason() const { return error_reason_; }

 private:
  bool Fail(size_t offset, const char* reason) {
    error_offset_ = offset;
    error_reason_ = reason;
    return false;
  }
  // Returns one past the closing quote of the string opening at text[pos],
  // or 0 if it is unterminated.
  static size_t SkipString(std::string_view text, size_t pos);

  std::vector<char> stack_;
  size_t error_offset_ = 0;
  const char* error_reason_ = "";
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_JSON_SCANNER_H_
