#include "streaming/schema_discovery.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>
#include <string>

#include "streaming/sql_reserved_words.h"

namespace gamelake {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool NeedsPrefix(std::string_view key) {
  return key.empty() || key.size() > kMaxKdaColumnName || IsDigit(key[0]) ||
         !std::all_of(key.begin(), key.end(), IsNameChar) || IsSqlReservedWord(key);
}

// `n` ASCII digits at s[at...].
bool Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  return std::all_of(s.begin() + at, s.begin() + at + n, IsDigit);
}

bool IsIsoDate(std::string_view s) {
  return s.size() >= 10 && Digits(s, 0, 4) && s[4] == '-' && Digits(s, 5, 2) && s[7] == '-' &&
         Digits(s, 8, 2);
}

// Z, +hh:mm, -hh:mm, +hhmm or nothing, from `at` to the end.
bool IsZoneSuffix(std::string_view s, size_t at) {
  std::string_view z = s.substr(at);
  if (z.empty() || z == "Z") return true;
  if (z[0] != '+' && z[0] != '-') return false;
  if (z.size() == 6) return Digits(z, 1, 2) && z[3] == ':' && Digits(z, 4, 2);
  return z.size() == 5 && Digits(z, 1, 4);
}

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

size_t TextLength(const JsonSample& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return Utf8Length(*s);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 4 : 5;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i).size();
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    return static_cast<size_t>(std::snprintf(buf, sizeof(buf), "%.17g", *d));
  }
  return 0;
}

SqlType Simple(SqlType::Kind kind) {
  SqlType t;
  t.kind = kind;
  return t;
}

// What the samples hold, nulls left out.
struct Census {
  size_t values = 0, bools = 0, ints = 0, doubles = 0, timestamps = 0, dates = 0;
  bool wide_int = false;
  size_t longest = 0;
};

Census Count(const std::vector<JsonSample>& samples) {
  Census c;
  for (const JsonSample& v : samples) {
    if (std::holds_alternative<std::monostate>(v)) continue;
    ++c.values;
    c.longest = std::max(c.longest, TextLength(v));
    if (std::holds_alternative<bool>(v)) ++c.bools;
    if (std::holds_alternative<double>(v)) ++c.doubles;
    if (const auto* i = std::get_if<int64_t>(&v)) {
      ++c.ints;
      c.wide_int |=
          *i < std::numeric_limits<int32_t>::min() || *i > std::numeric_limits<int32_t>::max();
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
      if (IsIsoTimestamp(*s)) ++c.timestamps;
      if (s->size() == 10 && IsIsoDate(*s)) ++c.dates;
    }
  }
  return c;
}

}  // namespace

std::string KdaColumnName(std::string_view key) {
  if (!NeedsPrefix(key)) return std::string(key);
  std::string name = "COL_";
  for (char c : key) {
    if (name.size() == kMaxKdaColumnName) break;
    if (IsNameChar(c)) name.push_back(c);
  }
  return name;
}

std::vector<std::string> KdaColumnNames(const std::vector<std::string>& keys) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const std::string& key : keys) {
    std::string base = KdaColumnName(key);
    std::string name = base;
    for (int n = 2; taken.count(name) > 0; ++n) {
      std::string suffix = "_" + std::to_string(n);
      name = base.substr(0, std::min(base.size(), kMaxKdaColumnName - suffix.size())) + suffix;
    }
    taken.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

bool IsIsoTimestamp(std::string_view s) {
  if (!IsIsoDate(s) || s.size() < 19) return false;
  if (s[10] != 'T' && s[10] != ' ') return false;
  if (!Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return false;
  }
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    ++at;
    size_t digits = 0;
    while (at < s.size() && IsDigit(s[at])) ++at, ++digits;
    if (digits == 0) return false;
  }
  return IsZoneSuffix(s, at);
}

SqlType InferSqlType(const std::vector<JsonSample>& samples) {
  Census c = Count(samples);
  if (c.values > 0 && c.bools == c.values) return Simple(SqlType::Kind::kBoolean);
  if (c.values > 0 && c.ints == c.values) {
    return Simple(c.wide_int ? SqlType::Kind::kBigint : SqlType::Kind::kInteger);
  }
  if (c.values > 0 && c.ints + c.doubles == c.values) return Simple(SqlType::Kind::kDouble);
  if (c.values > 0 && c.timestamps == c.values) return Simple(SqlType::Kind::kTimestamp);
  if (c.values > 0 && c.dates == c.values) return Simple(SqlType::Kind::kDate);
  SqlType t = Simple(SqlType::Kind::kVarchar);
  t.length = static_cast<int>(std::clamp<size_t>(c.longest, 1, 1'000'000));
  return t;
}

}  // namespace gamelake
