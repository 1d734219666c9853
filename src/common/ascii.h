// Ascii: case folding of ASCII letters and hex digits only, as HTTP header names, API key
// schemes, SigV4 and DuckDB's identifiers compare them (locale-independent;
// bytes >= 0x80 compare as they are).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_COMMON_ASCII_H_
#define GAMELAKE_COMMON_ASCII_H_

#include <string>
#include <string_view>

namespace gamelake {

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline char AsciiUpper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string AsciiUppered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

// The value of a hex digit (either case), or -1 if c is not one.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_ASCII_H_
