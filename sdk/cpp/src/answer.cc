// A minimal JSON reader for the ingest answer, Retry-After and back-off (answer.h).
// Thread-safety: pure functions.
#include "answer.h"

#include <cstring>
#include <ctime>

namespace gamelake::internal {
namespace {

// A recursive-descent reader over the answer; it keeps only what IngestAnswer needs.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool ReadAnswer(IngestAnswer* out) {
    return ReadObject([&](const std::string& key) {
      if (key == "errors" && Peek() == '[') {
        out->has_errors = true;
        return ReadErrors(&out->errors);
      }
      if (key == "error" && Peek() == '"') return ReadString(&out->error);
      if (key == "message" && Peek() == '"') return ReadString(&out->message);
      return SkipValue(0);
    });
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  void Ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
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

  bool ReadHex4(uint32_t* v) {
    if (pos_ + 4 > s_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      *v <<= 4;
      if (c >= '0' && c <= '9')
        *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        *v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  bool ReadString(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case 'n':
          out->push_back('\n');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t lo;
            if (!ReadHex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          out->push_back(e);
      }
    }
    return false;
  }

  bool ReadUint(uint64_t* v) {
    const size_t start = pos_;
    *v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
      *v = *v * 10 + static_cast<uint64_t>(s_[pos_++] - '0');
    return pos_ > start;
  }

  // An object: `field(key)` reads (or skips) each member's value, positioned on it.
  template <typename Field>
  bool ReadObject(Field&& field) {
    Ws();
    if (!Eat('{')) return false;
    Ws();
    if (Eat('}')) return true;
    while (true) {
      std::string key;
      Ws();
      if (!ReadString(&key)) return false;
      Ws();
      if (!Eat(':')) return false;
      Ws();
      if (!field(key)) return false;
      Ws();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool ReadErrors(std::vector<RecordError>* errors) {
    Eat('[');
    Ws();
    if (Eat(']')) return true;
    while (true) {
      RecordError err;
      const bool ok = ReadObject([&](const std::string& key) {
        if (key == "index" && Peek() >= '0' && Peek() <= '9') return ReadUint(&err.index);
        if (key == "code" && Peek() == '"') return ReadString(&err.code);
        if (key == "message" && Peek() == '"') return ReadString(&err.message);
        return SkipValue(0);
      });
      if (!ok) return false;
      errors->push_back(std::move(err));
      Ws();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool SkipValue(int depth) {
    if (depth > 64) return false;
    Ws();
    const char c = Peek();
    if (c == '"') {
      std::string ignored;
      return ReadString(&ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      Ws();
      if (Eat(close)) return true;
      while (true) {
        if (c == '{') {
          std::string ignored;
          Ws();
          if (!ReadString(&ignored)) return false;
          Ws();
          if (!Eat(':')) return false;
        }
        if (!SkipValue(depth + 1)) return false;
        Ws();
        if (Eat(close)) return true;
        if (!Eat(',')) return false;
      }
    }
    const size_t start = pos_;
    while (pos_ < s_.size() && std::strchr("+-.0123456789eEtruefalsn", s_[pos_]) != nullptr) ++pos_;
    return pos_ > start;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

int MonthIndex(std::string_view m) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i;
  }
  return -1;
}

// Parses an HTTP date into Unix seconds; false if it is none of the three forms.
bool ParseHttpDate(std::string_view v, int64_t* unix_s) {
  const std::string s(v);
  char month[4] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  char wkday[16] = {};
  bool ok = sscanf(s.c_str(), "%15[A-Za-z], %d %3s %d %d:%d:%d GMT", wkday, &day, month, &year, &hh,
                   &mm, &ss) == 7;
  if (!ok) {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    ok = sscanf(s.c_str(), "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT", wkday, &day, month, &year, &hh,
                &mm, &ss) == 7;
    if (ok && year < 100) year += year < 70 ? 2000 : 1900;
  }
  if (!ok) {  // asctime: Sun Nov  6 08:49:37 1994
    ok =
        sscanf(s.c_str(), "%15s %3s %d %d:%d:%d %d", wkday, month, &day, &hh, &mm, &ss, &year) == 7;
  }
  const int mon = ok ? MonthIndex(month) : -1;
  if (mon < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
  struct tm tm_utc = {};
  tm_utc.tm_year = year - 1900;
  tm_utc.tm_mon = mon;
  tm_utc.tm_mday = day;
  tm_utc.tm_hour = hh;
  tm_utc.tm_min = mm;
  tm_utc.tm_sec = ss;
  *unix_s = static_cast<int64_t>(timegm(&tm_utc));
  return true;
}

}  // namespace

IngestAnswer ParseIngestAnswer(std::string_view body) {
  IngestAnswer answer;
  Reader reader(body);
  answer.parsed = reader.ReadAnswer(&answer);
  return answer;
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_unix_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (const char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (value.size() > 9) return int64_t{999999999} * 1000;  // absurd, but a number
    int64_t s = 0;
    for (const char c : value) s = s * 10 + (c - '0');
    return s * 1000;
  }
  int64_t unix_s = 0;
  if (!ParseHttpDate(value, &unix_s)) return std::nullopt;
  const int64_t wait = unix_s * 1000 - now_unix_ms;
  return wait > 0 ? wait : 0;
}

int64_t BackoffCeilingMs(int attempt, int64_t base_ms, int64_t max_ms) {
  if (base_ms <= 0) return 0;
  int64_t ceiling = base_ms;
  for (int i = 0; i < attempt && ceiling < max_ms; ++i) ceiling *= 2;
  return ceiling < max_ms ? ceiling : max_ms;
}

}  // namespace gamelake::internal
