#include "common/json_unescape.h"

#include "common/ascii.h"

namespace gamelake {

namespace {

// The four hex digits at s[i..i+4), or -1 if they are not there.
int64_t Hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int64_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexDigitValue(s[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t JsonUnescape(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 >= in.size()) {
      out->push_back(c);
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        int64_t cp = Hex4(in, i + 1);
        if (cp < 0) return i - 1;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < in.size() && in[i + 1] == '\\' &&
            in[i + 2] == 'u') {
          int64_t lo = Hex4(in, i + 3);
          if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        AppendUtf8(static_cast<uint32_t>(cp), out);
        break;
      }
      default:  // '"', '\\', '/', '\'' and anything else: the character itself
        out->push_back(e);
        break;
    }
  }
  return std::string_view::npos;
}

}  // namespace gamelake
