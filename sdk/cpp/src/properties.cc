// The JSON writers behind Properties/PropertyArray (see gamelake/properties.h).
// Thread-safety: none needed; pure functions and plain values.
#include "gamelake/properties.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace gamelake {
namespace json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool AppendString(std::string& out, std::string_view s) {
  bool valid = true;
  out.push_back('"');
  size_t run = 0;  // start of the bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t len = Utf8Length(s, i);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(esc, sizeof(esc));
        } else {
          out.append("\xEF\xBF\xBD");  // U+FFFD for an invalid byte
          valid = false;
        }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return valid;
}

void AppendDouble(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  const std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  out.append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace json

namespace {

// The SDK's own field a top-level key replaces (0: none).
uint32_t OverrideOf(std::string_view key) {
  if (key == "ts") return kOverrideTs;
  if (key == "session_id") return kOverrideSessionId;
  if (key == "player_id") return kOverridePlayerId;
  if (key == "platform") return kOverridePlatform;
  if (key == "app_version") return kOverrideAppVersion;
  if (key == "sdk_version") return kOverrideSdkVersion;
  return 0;
}

}  // namespace

bool Properties::Key(std::string_view key) {
  if (key == "event_id" || key == "event_type") {
    ignored_reserved_ = true;
    return false;
  }
  overrides_ |= OverrideOf(key);
  if (!body_.empty()) body_.push_back(',');
  if (!json::AppendString(body_, key)) invalid_utf8_ = true;
  body_.push_back(':');
  return true;
}

Properties& Properties::Set(std::string_view key, std::string_view value) {
  if (Key(key) && !json::AppendString(body_, value)) invalid_utf8_ = true;
  return *this;
}

Properties& Properties::Set(std::string_view key, const char* value) {
  if (value == nullptr) return SetNull(key);
  return Set(key, std::string_view(value));
}

Properties& Properties::Set(std::string_view key, double value) {
  if (Key(key)) json::AppendDouble(body_, value);
  return *this;
}

Properties& Properties::Set(std::string_view key, bool value) {
  if (Key(key)) body_.append(value ? "true" : "false");
  return *this;
}

Properties& Properties::SetInt(std::string_view key, int64_t value) {
  if (Key(key)) json::AppendInt(body_, value);
  return *this;
}

Properties& Properties::SetUint(std::string_view key, uint64_t value) {
  if (Key(key)) json::AppendUint(body_, value);
  return *this;
}

Properties& Properties::SetNull(std::string_view key) {
  if (Key(key)) body_.append("null");
  return *this;
}

Properties& Properties::Set(std::string_view key, const Properties& object) {
  if (Key(key)) {
    body_.push_back('{');
    body_.append(object.body_);
    body_.push_back('}');
    invalid_utf8_ = invalid_utf8_ || object.invalid_utf8_;
  }
  return *this;
}

Properties& Properties::Set(std::string_view key, const PropertyArray& array) {
  if (Key(key)) {
    body_.push_back('[');
    body_.append(array.body());
    body_.push_back(']');
    invalid_utf8_ = invalid_utf8_ || array.had_invalid_utf8();
  }
  return *this;
}

void Properties::Clear() {
  body_.clear();
  overrides_ = 0;
  invalid_utf8_ = false;
  ignored_reserved_ = false;
}

void PropertyArray::Comma() {
  if (!body_.empty()) body_.push_back(',');
}

PropertyArray& PropertyArray::Add(std::string_view value) {
  Comma();
  if (!json::AppendString(body_, value)) invalid_utf8_ = true;
  return *this;
}

PropertyArray& PropertyArray::Add(const char* value) {
  if (value == nullptr) return AddNull();
  return Add(std::string_view(value));
}

PropertyArray& PropertyArray::Add(double value) {
  Comma();
  json::AppendDouble(body_, value);
  return *this;
}

PropertyArray& PropertyArray::Add(bool value) {
  Comma();
  body_.append(value ? "true" : "false");
  return *this;
}

PropertyArray& PropertyArray::AddInt(int64_t value) {
  Comma();
  json::AppendInt(body_, value);
  return *this;
}

PropertyArray& PropertyArray::AddUint(uint64_t value) {
  Comma();
  json::AppendUint(body_, value);
  return *this;
}

PropertyArray& PropertyArray::AddNull() {
  Comma();
  body_.append("null");
  return *this;
}

PropertyArray& PropertyArray::Add(const Properties& object) {
  Comma();
  body_.push_back('{');
  body_.append(object.body());
  body_.push_back('}');
  invalid_utf8_ = invalid_utf8_ || object.had_invalid_utf8();
  return *this;
}

PropertyArray& PropertyArray::Add(const PropertyArray& array) {
  Comma();
  body_.push_back('[');
  body_.append(array.body_);
  body_.push_back(']');
  invalid_utf8_ = invalid_utf8_ || array.invalid_utf8_;
  return *this;
}

void PropertyArray::Clear() {
  body_.clear();
  invalid_utf8_ = false;
}

}  // namespace gamelake
