// gamelake::Properties and gamelake::PropertyArray: builders that write an event's
// properties straight into JSON text (no DOM), so Track only copies bytes.
// Thread-safety: a builder is a plain value; use one per thread (or guard it).
//
// Values: strings (UTF-8; an invalid byte sequence is written as U+FFFD and
// had_invalid_utf8() turns true), 64-bit integers (written as integers, never as
// floats), doubles (shortest round-trip form, always with a '.' or exponent so they
// stay floats; NaN and +/-infinity are not JSON and are written as null), booleans,
// null, nested objects and arrays. Keys are escaped like strings. A key given twice
// is written twice, and the server refuses such a record (duplicate_key): don't.
#ifndef GAMELAKE_PROPERTIES_H_
#define GAMELAKE_PROPERTIES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace gamelake {

class PropertyArray;

class Properties {
 public:
  Properties() = default;

  Properties& Set(std::string_view key, std::string_view value);
  Properties& Set(std::string_view key, const char* value);
  Properties& Set(std::string_view key, const std::string& value) {
    return Set(key, std::string_view(value));
  }
  Properties& Set(std::string_view key, double value);
  Properties& Set(std::string_view key, bool value);
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Properties& Set(std::string_view key, T value) {
    if constexpr (std::is_signed_v<T>) {
      return SetInt(key, static_cast<int64_t>(value));
    } else {
      return SetUint(key, static_cast<uint64_t>(value));
    }
  }
  Properties& Set(std::string_view key, const Properties& object);
  Properties& Set(std::string_view key, const PropertyArray& array);
  Properties& SetNull(std::string_view key);
  Properties& SetInt(std::string_view key, int64_t value);
  Properties& SetUint(std::string_view key, uint64_t value);

  // Empties the builder but keeps its memory, so a reused builder does not allocate.
  void Clear();
  bool empty() const { return body_.empty(); }
  bool had_invalid_utf8() const { return invalid_utf8_; }
  // The members without the braces: "a":1,"b":"x".
  std::string_view body() const { return body_; }
  // Bits of the SDK's own fields the caller set at the top level (see docs/sdk.md).
  uint32_t overrides() const { return overrides_; }
  // True when a property named event_id or event_type was given and left out.
  bool ignored_reserved() const { return ignored_reserved_; }

 private:
  // Writes `"key":` (after a comma when needed); false when the key is left out.
  bool Key(std::string_view key);

  std::string body_;
  uint32_t overrides_ = 0;
  bool invalid_utf8_ = false;
  bool ignored_reserved_ = false;
};

class PropertyArray {
 public:
  PropertyArray& Add(std::string_view value);
  PropertyArray& Add(const char* value);
  PropertyArray& Add(const std::string& value) { return Add(std::string_view(value)); }
  PropertyArray& Add(double value);
  PropertyArray& Add(bool value);
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  PropertyArray& Add(T value) {
    if constexpr (std::is_signed_v<T>) {
      return AddInt(static_cast<int64_t>(value));
    } else {
      return AddUint(static_cast<uint64_t>(value));
    }
  }
  PropertyArray& Add(const Properties& object);
  PropertyArray& Add(const PropertyArray& array);
  PropertyArray& AddNull();
  PropertyArray& AddInt(int64_t value);
  PropertyArray& AddUint(uint64_t value);

  void Clear();
  bool had_invalid_utf8() const { return invalid_utf8_; }
  std::string_view body() const { return body_; }

 private:
  void Comma();

  std::string body_;
  bool invalid_utf8_ = false;
};

// Which SDK field a top-level property replaces (bits of Properties::overrides()).
enum OverrideBit : uint32_t {
  kOverrideTs = 1u << 0,
  kOverrideSessionId = 1u << 1,
  kOverridePlayerId = 1u << 2,
  kOverridePlatform = 1u << 3,
  kOverrideAppVersion = 1u << 4,
  kOverrideSdkVersion = 1u << 5,
};

namespace json {
// Appends `s` as a JSON string (quotes included). Invalid UTF-8 becomes U+FFFD;
// returns false when that happened.
bool AppendString(std::string& out, std::string_view s);
// Appends a double as JSON (null for NaN/inf; a float stays a float: 3 -> 3.0).
void AppendDouble(std::string& out, double v);
void AppendInt(std::string& out, int64_t v);
void AppendUint(std::string& out, uint64_t v);
}  // namespace json

}  // namespace gamelake

#endif  // GAMELAKE_PROPERTIES_H_
