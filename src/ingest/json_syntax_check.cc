#include "ingest/json_syntax_check.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/ascii.h"

namespace gamelake {

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp > 0x10FFFF) {
      return i;
    }
    i += len;
  }
  return std::nullopt;
}

namespace {

class Checker {
 public:
  explicit Checker(std::string_view text) : t_(text), n_(text.size()) {}

  std::optional<JsonSyntaxError> Run() {
    if (auto bad = FindInvalidUtf8(t_)) {
      return JsonSyntaxError{*bad, true, "invalid UTF-8"};
    }
    bool need_value = true;  // A value must start at i_ (after whitespace).
    while (true) {
      SkipSpace();
      if (need_value) {
        if (!Value()) return error_;
        need_value = false;
        if (opened_) {
          // A non-empty container was opened: read its first member.
          opened_ = false;
          SkipSpace();
          if (stack_.back() == '{' && !Key()) return error_;
          need_value = true;
        }
        continue;
      }
      if (stack_.empty()) {
        if (i_ != n_) return Error(i_, "unexpected content after the JSON value");
        return std::nullopt;
      }
      const bool in_object = stack_.back() == '{';
      if (i_ == n_) {
        return Error(i_, in_object ? "unexpected end of input inside an object"
                                   : "unexpected end of input inside an array");
      }
      const char c = t_[i_];
      if (c == ',') {
        ++i_;
        SkipSpace();
        if (in_object && !Key()) return error_;
        need_value = true;
      } else if (c == (in_object ? '}' : ']')) {
        ++i_;
        stack_.pop_back();
      } else {
        return Error(i_, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

 private:
  std::optional<JsonSyntaxError> Error(size_t at, const char* reason) {
    error_ = JsonSyntaxError{at, false, reason};
    return error_;
  }
  bool Fail(size_t at, const char* reason) {
    Error(at, reason);
    return false;
  }

  void SkipSpace() {
    while (i_ < n_ && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }

  // An object key and its colon, then whitespace.
  bool Key() {
    if (i_ == n_) return Fail(i_, "unexpected end of input: expected an object key");
    if (t_[i_] != '"') return Fail(i_, "expected a string object key");
    if (!String()) return false;
    SkipSpace();
    if (i_ == n_ || t_[i_] != ':') return Fail(i_, "expected ':' after an object key");
    ++i_;
    SkipSpace();
    return true;
  }

  // One value. A non-empty container is only opened (pushed, opened_ set):
  // the loop in Run() reads its members, so deep nesting uses no stack.
  bool Value() {
    if (i_ == n_) return Fail(i_, "unexpected end of input: expected a value");
    const char c = t_[i_];
    switch (c) {
      case '{':
        ++i_;
        SkipSpace();
        if (i_ < n_ && t_[i_] == '}') {
          ++i_;
          return true;
        }
        stack_.push_back('{');
        opened_ = true;
        return true;
      case '[':
        ++i_;
        SkipSpace();
        if (i_ < n_ && t_[i_] == ']') {
          ++i_;
          return true;
        }
        stack_.push_back('[');
        opened_ = true;
        return true;
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number();
        return Fail(i_, "expected a value");
    }
  }

  bool Literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return Fail(i_, "invalid literal");
    i_ += word.size();
    return true;
  }

  // Reads "\uXXXX" at i_ (i_ at the backslash). Returns the code unit or -1.
  long Unicode() {
    if (i_ + 6 > n_ || t_[i_] != '\\' || t_[i_ + 1] != 'u') return -1;
    long v = 0;
    for (size_t k = 2; k < 6; ++k) {
      const int h = HexDigitValue(t_[i_ + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool String() {
    const size_t start = i_;
    ++i_;
    while (i_ < n_) {
      const unsigned char c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return Fail(i_, "unescaped control character in a string");
      if (c != '\\') {
        ++i_;
        continue;
      }
      if (i_ + 1 == n_) break;
      const char e = t_[i_ + 1];
      if (e == 'u') {
        const long unit = Unicode();
        if (unit < 0) return Fail(i_, "invalid \\u escape");
        if (unit >= 0xDC00 && unit <= 0xDFFF) return Fail(i_, "unpaired UTF-16 surrogate");
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          const size_t high_at = i_;
          i_ += 6;
          const long low = Unicode();
          if (low < 0xDC00 || low > 0xDFFF) return Fail(high_at, "unpaired UTF-16 surrogate");
        }
        i_ += 6;
        continue;
      }
      if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
          e != 't') {
        return Fail(i_, "invalid escape in a string");
      }
      i_ += 2;
    }
    return Fail(start, "unterminated string");
  }

  bool Digits() {
    const size_t from = i_;
    while (i_ < n_ && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    return i_ > from;
  }

  bool Number() {
    const size_t start = i_;
    const bool negative = t_[i_] == '-';
    if (negative) ++i_;
    if (i_ < n_ && t_[i_] == '0') {
      ++i_;
      if (i_ < n_ && t_[i_] >= '0' && t_[i_] <= '9') return Fail(start, "leading zero in a number");
    } else if (!Digits()) {
      return Fail(start, "invalid number");
    }
    bool integer = true;
    if (i_ < n_ && t_[i_] == '.') {
      ++i_;
      integer = false;
      if (!Digits()) return Fail(start, "invalid number: digits expected after '.'");
    }
    if (i_ < n_ && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      integer = false;
      if (i_ < n_ && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      if (!Digits()) return Fail(start, "invalid number: digits expected in the exponent");
    }
    const std::string token(t_.substr(start, i_ - start));
    if (integer) {
      errno = 0;
      if (negative) {
        (void)std::strtoll(token.c_str(), nullptr, 10);
      } else {
        (void)std::strtoull(token.c_str(), nullptr, 10);
      }
      if (errno == ERANGE) {
        return Fail(start, negative ? "integer below -2^63 (out of 64-bit range)"
                                    : "integer above 2^64-1 (out of 64-bit range)");
      }
    } else if (std::isinf(std::strtod(token.c_str(), nullptr))) {
      return Fail(start, "number out of double range");
    }
    return true;
  }

  std::string_view t_;
  size_t n_;
  size_t i_ = 0;
  bool opened_ = false;
  std::vector<char> stack_;
  JsonSyntaxError error_;
};

}  // namespace

std::optional<JsonSyntaxError> FindJsonSyntaxError(std::string_view text) {
  return Checker(text).Run();
}

}  // namespace gamelake
