#include "streaming/record_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "common/civil_time.h"

namespace gamelake {
namespace {

namespace od = simdjson::ondemand;
using Kind = SqlType::Kind;

// One top-level value of a record, as read: views into the record's parser
// buffers, valid until the next record.
struct JsonScalar {
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };
  Type type = Type::kNull;
  bool b = false;
  std::string_view text;  // Number token, unescaped string, or the nested value's JSON.
};

// What converting into one column needs, resolved once from its declared type.
struct ColumnPlan {
  const InputColumn* column = nullptr;
  Kind kind = Kind::kInteger;
  ValueType value_type = ValueType::kInteger;
  int64_t min = 0;  // Integer kinds: the declared type's range.
  int64_t max = 0;
};

// A top-level key some column (or the rowtime) reads.
struct KeyEntry {
  std::string key;
  std::vector<int> columns;
  bool rowtime = false;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// `n` ASCII digits at s[at...] as a number, or -1.
int DigitsAt(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "HH:MM[:SS[.fff...]]" at s[at...] to ms since midnight; *end is set past it.
std::optional<int64_t> TimeOfDayAt(std::string_view s, size_t at, size_t* end) {
  int h = DigitsAt(s, at, 2);
  int m = at + 2 < s.size() && s[at + 2] == ':' ? DigitsAt(s, at + 3, 2) : -1;
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  int64_t ms = (h * 60 + m) * 60'000LL;
  size_t i = at + 5;
  if (i < s.size() && s[i] == ':') {
    int sec = DigitsAt(s, i + 1, 2);
    if (sec < 0 || sec > 59) return std::nullopt;
    ms += sec * 1000LL;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      size_t f = ++i;
      int scale = 100;
      while (i < s.size() && IsDigit(s[i])) {
        ms += (s[i] - '0') * scale;  // Digits past milliseconds are cut (KDA's precision).
        scale /= 10;
        ++i;
      }
      if (i == f) return std::nullopt;
    }
  }
  *end = i;
  return ms;
}

// A zone suffix at s[at...] to the end: "", "Z", "+HH", "+HHMM", "+HH:MM".
std::optional<int64_t> ZoneOffsetMs(std::string_view s, size_t at) {
  std::string_view z = s.substr(at);
  if (z.empty() || z == "Z" || z == "z") return 0;
  if (z[0] != '+' && z[0] != '-') return std::nullopt;
  int h = DigitsAt(z, 1, 2), m = 0;
  if (z.size() == 6 && z[3] == ':') {
    m = DigitsAt(z, 4, 2);
  } else if (z.size() == 5) {
    m = DigitsAt(z, 3, 2);
  } else if (z.size() != 3) {
    return std::nullopt;
  }
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  int64_t ms = (h * 60 + m) * 60'000LL;
  return z[0] == '-' ? -ms : ms;
}

// ISO-8601 "YYYY-MM-DD", or that plus "THH:MM[:SS[.fff]]" (a space for the T
// is fine) and an optional zone, to ms since the epoch (UTC).
std::optional<int64_t> ParseIsoTimestampMs(std::string_view s) {
  int year = DigitsAt(s, 0, 4);
  int month = s.size() > 4 && s[4] == '-' ? DigitsAt(s, 5, 2) : -1;
  int day = s.size() > 7 && s[7] == '-' ? DigitsAt(s, 8, 2) : -1;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  int64_t ms = DaysFromCivil(year, month, day) * 86'400'000;
  if (s.size() == 10) return ms;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  size_t end = 0;
  std::optional<int64_t> tod = TimeOfDayAt(s, 11, &end);
  if (!tod) return std::nullopt;
  std::optional<int64_t> offset = ZoneOffsetMs(s, end);
  if (!offset) return std::nullopt;
  return ms + *tod - *offset;
}

std::optional<int64_t> ParseTimeOfDayMs(std::string_view s) {
  size_t end = 0;
  std::optional<int64_t> ms = TimeOfDayAt(s, 0, &end);
  if (!ms || end != s.size()) return std::nullopt;
  return ms;
}

// The shape of a number's text: [+-]digits[.digits][(e|E)[+-]digits], at least
// one mantissa digit (SQL's literal forms "5." and ".5" included).
struct NumberShape {
  bool valid = false;
  bool integral = false;  // No point and no exponent.
  std::string_view int_digits;
  std::string_view frac_digits;
  int64_t exponent = 0;
};

NumberShape ShapeOf(std::string_view s) {
  NumberShape n;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  n.int_digits = s.substr(start, i - start);
  bool point = false;
  if (i < s.size() && s[i] == '.') {
    point = true;
    size_t f = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    n.frac_digits = s.substr(f, i - f);
  }
  if (n.int_digits.empty() && n.frac_digits.empty()) return n;
  bool exp = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    exp = true;
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    size_t e = i;
    while (i < s.size() && IsDigit(s[i])) {
      if (n.exponent < 100'000) n.exponent = n.exponent * 10 + (s[i] - '0');
      ++i;
    }
    if (i == e) return n;
    if (negative) n.exponent = -n.exponent;
  }
  n.valid = i == s.size();
  n.integral = !point && !exp;
  return n;
}

// from_chars does not take a leading '+'.
std::string_view StripPlus(std::string_view s) {
  return !s.empty() && s[0] == '+' ? s.substr(1) : s;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The first `chars` characters of s (whole UTF-8 sequences).
std::string_view Utf8Prefix(std::string_view s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Describe(const JsonScalar& v) {
  switch (v.type) {
    case JsonScalar::Type::kNull:
      return "null";
    case JsonScalar::Type::kBool:
      return v.b ? "true" : "false";
    case JsonScalar::Type::kNumber:
      return std::string(v.text);
    case JsonScalar::Type::kString: {
      std::string_view shown = Utf8Prefix(v.text, 64);
      return fmt::format("\"{}{}\"", shown, shown.size() < v.text.size() ? "..." : "");
    }
    case JsonScalar::Type::kObject:
      return "an object";
    case JsonScalar::Type::kArray:
      return "an array";
  }
  return "?";
}

Status ReadScalar(od::value value, JsonScalar* out) {
  od::json_type type;
  if (auto e = value.type().get(type)) return Status::InvalidArgument(simdjson::error_message(e));
  switch (type) {
    case od::json_type::null:
      out->type = JsonScalar::Type::kNull;
      return Status::OK();
    case od::json_type::boolean: {
      out->type = JsonScalar::Type::kBool;
      if (auto e = value.get_bool().get(out->b)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      return Status::OK();
    }
    case od::json_type::number:
      out->type = JsonScalar::Type::kNumber;
      out->text = TrimSpace(value.raw_json_token());
      return Status::OK();
    case od::json_type::string:
      out->type = JsonScalar::Type::kString;
      if (auto e = value.get_string().get(out->text)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      return Status::OK();
    case od::json_type::object: {
      out->type = JsonScalar::Type::kObject;
      od::object o;
      if (auto e = value.get_object().get(o)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      if (auto e = o.raw_json().get(out->text)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      return Status::OK();
    }
    case od::json_type::array: {
      out->type = JsonScalar::Type::kArray;
      od::array a;
      if (auto e = value.get_array().get(a)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      if (auto e = a.raw_json().get(out->text)) {
        return Status::InvalidArgument(simdjson::error_message(e));
      }
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown JSON value type");
}

ColumnPlan PlanFor(const InputColumn& column) {
  ColumnPlan p;
  p.column = &column;
  p.kind = column.type.kind;
  p.value_type = ValueTypeOf(column.type);
  switch (p.kind) {
    case Kind::kTinyint:
      p.min = std::numeric_limits<int8_t>::min();
      p.max = std::numeric_limits<int8_t>::max();
      break;
    case Kind::kSmallint:
      p.min = std::numeric_limits<int16_t>::min();
      p.max = std::numeric_limits<int16_t>::max();
      break;
    case Kind::kInteger:
      p.min = std::numeric_limits<int32_t>::min();
      p.max = std::numeric_limits<int32_t>::max();
      break;
    default:
      p.min = std::numeric_limits<int64_t>::min();
      p.max = std::numeric_limits<int64_t>::max();
      break;
  }
  return p;
}

// Converts one JSON value into a column by KDA's rules (the developer guide's
// "Mapping JSON Data Types to SQL Data Types"; see docs/streaming.md).
class Converter {
 public:
  Converter(const ColumnPlan& plan, const JsonScalar& v, SqlValue* out)
      : p_(plan), v_(v), out_(out) {}

  Status Run() {
    if (v_.type == JsonScalar::Type::kNull) return Status::OK();  // Typed NULL, preset.
    switch (p_.kind) {
      case Kind::kTinyint:
      case Kind::kSmallint:
      case Kind::kInteger:
      case Kind::kBigint:
        return Integer();
      case Kind::kDouble:
      case Kind::kFloat:
      case Kind::kReal:
        return Approximate();
      case Kind::kDecimal:
      case Kind::kNumeric:
        return Decimal();
      case Kind::kVarchar:
      case Kind::kChar:
        return Character();
      case Kind::kVarbinary:
      case Kind::kBinary:
        return Binary();
      case Kind::kBoolean:
        return Boolean();
      case Kind::kTimestamp:
        return Timestamp();
      case Kind::kDate:
        return Date();
      case Kind::kTime:
        return Time();
    }
    return Fail("unsupported column type");
  }

 private:
  Status Fail(std::string_view why) const {
    return Status::InvalidArgument(fmt::format("column \"{}\" (key \"{}\"): {} cannot be {}: {}",
                                               p_.column->name, p_.column->mapping, Describe(v_),
                                               p_.column->type.ToString(), why));
  }

  void SetInteger(int64_t x) {
    out_->is_null = false;
    out_->i = x;
  }
  void SetDouble(double x) {
    out_->is_null = false;
    out_->d = x;
  }

  // The number text a value offers a numeric column: a number's token, or a
  // string holding a number (KDA "attempts to convert" strings).
  Result<std::string_view> NumberText() const {
    if (v_.type == JsonScalar::Type::kNumber) return v_.text;
    if (v_.type == JsonScalar::Type::kString) return TrimSpace(v_.text);
    return Fail(v_.type == JsonScalar::Type::kBool ? "not a number" : "not a scalar");
  }

  Status Integer() {
    if (v_.type == JsonScalar::Type::kBool) {
      SetInteger(v_.b ? 1 : 0);
      return Status::OK();
    }
    GL_ASSIGN_OR_RETURN(std::string_view text, NumberText());
    // The common case first: a plain JSON integer.
    int64_t x = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), x);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
      if (x < p_.min || x > p_.max) return Fail("out of range");
      SetInteger(x);
      return Status::OK();
    }
    NumberShape shape = ShapeOf(text);
    if (!shape.valid) return Fail("not a number");
    if (!shape.integral) return Fail("not an integer");  // KDA: 123.4 (and 5.0) into INT fails.
    std::string_view digits = StripPlus(text);
    r = std::from_chars(digits.data(), digits.data() + digits.size(), x);
    if (r.ec == std::errc::result_out_of_range) return Fail("out of range");
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return Fail("not a number");
    if (x < p_.min || x > p_.max) return Fail("out of range");
    SetInteger(x);
    return Status::OK();
  }

  Result<double> ParseDouble(std::string_view text) const {
    if (!ShapeOf(text).valid) return Fail("not a number");
    std::string_view digits = StripPlus(text);
    if (!digits.empty() && digits[0] == '.') {
      // from_chars needs a digit before the point.
      std::string padded = "0" + std::string(digits);
      return ParseDouble(padded);
    }
    if (digits.size() > 1 && digits[0] == '-' && digits[1] == '.') {
      std::string padded = "-0" + std::string(digits.substr(1));
      return ParseDouble(padded);
    }
    double d = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (r.ec == std::errc::result_out_of_range && std::fabs(d) > 1) return Fail("out of range");
    if (r.ptr != digits.data() + digits.size()) return Fail("not a number");
    return d;
  }

  Status Approximate() {
    if (v_.type == JsonScalar::Type::kBool) {
      SetDouble(v_.b ? 1 : 0);
      return Status::OK();
    }
    GL_ASSIGN_OR_RETURN(std::string_view text, NumberText());
    GL_ASSIGN_OR_RETURN(double d, ParseDouble(text));
    if (p_.kind == Kind::kReal) {
      if (std::fabs(d) > FLT_MAX) return Fail("out of range");
      d = static_cast<double>(static_cast<float>(d));
    }
    SetDouble(d);
    return Status::OK();
  }

  Status Decimal() {
    if (v_.type == JsonScalar::Type::kBool) {
      SetDouble(v_.b ? 1 : 0);
      return Status::OK();
    }
    GL_ASSIGN_OR_RETURN(std::string_view text, NumberText());
    NumberShape shape = ShapeOf(text);
    if (!shape.valid) return Fail("not a number");
    const SqlType& t = p_.column->type;
    const int precision = t.precision >= 0 ? t.precision : 19;  // KDA: up to 19 digits.
    const int scale = t.precision >= 0 ? std::max(t.scale, 0) : -1;
    // Significant digits left and right of the point, exponent applied.
    std::string_view int_digits = shape.int_digits;
    while (!int_digits.empty() && int_digits[0] == '0') int_digits.remove_prefix(1);
    std::string_view frac = shape.frac_digits;
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
    int64_t left = static_cast<int64_t>(int_digits.size()) + shape.exponent;
    if (int_digits.empty() && shape.exponent > 0) {
      size_t lead = frac.find_first_not_of('0');
      left = lead == std::string_view::npos ? 0 : shape.exponent - static_cast<int64_t>(lead);
    }
    int64_t right = static_cast<int64_t>(frac.size()) - shape.exponent;
    if (scale >= 0 && right > scale) return Fail("more digits after the point than its scale");
    if (left > precision - std::max(scale, 0)) return Fail("out of range");
    GL_ASSIGN_OR_RETURN(double d, ParseDouble(text));
    SetDouble(d);
    return Status::OK();
  }

  Status Character() {
    std::string_view text;
    switch (v_.type) {
      case JsonScalar::Type::kBool:
        text = v_.b ? "true" : "false";
        break;
      default:  // Numbers as written, strings, nested values as their JSON text.
        text = v_.text;
        break;
    }
    const int length = p_.column->type.length;
    if (length >= 0) text = Utf8Prefix(text, static_cast<size_t>(length));  // KDA truncates.
    out_->is_null = false;
    out_->s.assign(text);
    if (p_.kind == Kind::kChar && length >= 0) {
      size_t have = Utf8Length(text);
      if (have < static_cast<size_t>(length)) out_->s.append(length - have, ' ');
    }
    return Status::OK();
  }

  Status Binary() {
    const int length = p_.column->type.length;
    if (v_.type == JsonScalar::Type::kBool) {
      // KDA: true sets the lowest bit; VARBINARY gets one byte.
      size_t n = p_.kind == Kind::kBinary && length > 0 ? static_cast<size_t>(length) : 1;
      out_->is_null = false;
      out_->s.assign(n, '\0');
      if (v_.b) out_->s.back() = '\x01';
      return Status::OK();
    }
    if (v_.type != JsonScalar::Type::kString) return Fail("not a binary literal");
    std::string_view t = TrimSpace(v_.text);
    if (t.size() < 3 || (t[0] != 'X' && t[0] != 'x') || t[1] != '\'' || t.back() != '\'' ||
        (t.size() - 3) % 2 != 0) {
      return Fail("not a binary literal X'...' with an even number of hex digits");
    }
    std::string bytes;
    for (size_t i = 2; i + 1 < t.size(); i += 2) {
      int hi = HexValue(t[i]), lo = HexValue(t[i + 1]);
      if (hi < 0 || lo < 0) return Fail("not a binary literal X'...'");
      bytes.push_back(static_cast<char>(hi << 4 | lo));
    }
    if (length >= 0 && bytes.size() > static_cast<size_t>(length)) bytes.resize(length);
    if (p_.kind == Kind::kBinary && length >= 0) bytes.resize(length, '\0');
    out_->is_null = false;
    out_->s = std::move(bytes);
    return Status::OK();
  }

  Status Boolean() {
    switch (v_.type) {
      case JsonScalar::Type::kBool:
        SetInteger(v_.b ? 1 : 0);
        return Status::OK();
      case JsonScalar::Type::kNumber: {
        GL_ASSIGN_OR_RETURN(double d, ParseDouble(v_.text));
        SetInteger(d != 0 ? 1 : 0);  // KDA: 0 is false, every other number true.
        return Status::OK();
      }
      case JsonScalar::Type::kString: {
        std::string_view t = v_.text;
        bool yes = t.size() == 4 && (t[0] | 0x20) == 't' && (t[1] | 0x20) == 'r' &&
                   (t[2] | 0x20) == 'u' && (t[3] | 0x20) == 'e';
        SetInteger(yes ? 1 : 0);  // KDA: "true" in any case, anything else false.
        return Status::OK();
      }
      default:
        return Fail("not a scalar");
    }
  }

  Status Timestamp() {
    if (v_.type == JsonScalar::Type::kNumber) {
      // Beyond KDA (which refuses numbers here): integer epoch milliseconds.
      int64_t ms = 0;
      auto r = std::from_chars(v_.text.data(), v_.text.data() + v_.text.size(), ms);
      if (r.ec != std::errc() || r.ptr != v_.text.data() + v_.text.size()) {
        return Fail("not an integer number of milliseconds since the epoch");
      }
      SetInteger(ms);
      return Status::OK();
    }
    if (v_.type != JsonScalar::Type::kString) return Fail("not a timestamp");
    std::optional<int64_t> ms = ParseIsoTimestampMs(TrimSpace(v_.text));
    if (!ms) return Fail("not a timestamp (YYYY-MM-DD[ HH:MM:SS[.fff]][zone])");
    SetInteger(*ms);
    return Status::OK();
  }

  Status Date() {
    if (v_.type != JsonScalar::Type::kString) return Fail("not a date");
    std::optional<int64_t> ms = ParseIsoTimestampMs(TrimSpace(v_.text));
    if (!ms) return Fail("not a date (YYYY-MM-DD)");
    SetInteger(FloorDiv(*ms, 86'400'000));
    return Status::OK();
  }

  Status Time() {
    if (v_.type != JsonScalar::Type::kString) return Fail("not a time");
    std::optional<int64_t> ms = ParseTimeOfDayMs(TrimSpace(v_.text));
    if (!ms) return Fail("not a time (HH:MM:SS[.fff])");
    SetInteger(*ms);
    return Status::OK();
  }

  const ColumnPlan& p_;
  const JsonScalar& v_;
  SqlValue* out_;
};

class JsonRecordDecoder final : public RecordDecoder {
 public:
  JsonRecordDecoder(const InputSchema& schema, std::string rowtime_field)
      : columns_(schema.columns), rowtime_field_(std::move(rowtime_field)) {
    plans_.reserve(columns_.size());
    for (const InputColumn& c : columns_) plans_.push_back(PlanFor(c));
    for (size_t i = 0; i < columns_.size(); ++i) EntryFor(columns_[i].mapping).columns.push_back(i);
    if (!rowtime_field_.empty()) EntryFor(rowtime_field_).rowtime = true;
  }

  Status Decode(std::string_view json, int64_t ingest_time_us, StreamRow* row) override {
    ResetRow(row);
    bool have_rowtime = false;
    int64_t rowtime_ms = 0;
    GL_RETURN_IF_ERROR(Iterate(json, row, &have_rowtime, &rowtime_ms));
    if (rowtime_field_.empty()) {
      row->rowtime_ms = FloorDiv(ingest_time_us, 1000);
    } else if (!have_rowtime) {
      return Status::InvalidArgument(
          fmt::format("record has no \"{}\" field for ROWTIME", rowtime_field_));
    } else {
      row->rowtime_ms = rowtime_ms;
    }
    return Status::OK();
  }

 private:
  KeyEntry& EntryFor(const std::string& key) {
    for (KeyEntry& e : keys_) {
      if (e.key == key) return e;
    }
    keys_.push_back(KeyEntry{key, {}, false});
    return keys_.back();
  }

  void ResetRow(StreamRow* row) const {
    row->values.resize(plans_.size());
    for (size_t i = 0; i < plans_.size(); ++i) {
      SqlValue& v = row->values[i];
      v.type = plans_[i].value_type;
      v.is_null = true;
      v.i = 0;
      v.d = 0;
      v.s.clear();
    }
  }

  // The key entry for `key`, or -1. Records usually list their keys in the
  // schema's order, so the entry after the last match is tried first.
  int FindKey(std::string_view key) {
    const int n = static_cast<int>(keys_.size());
    if (n == 0) return -1;
    if (hint_ < n && keys_[hint_].key == key) return hint_++;
    for (int i = 0; i < n; ++i) {
      if (keys_[i].key == key) {
        hint_ = i + 1;
        return i;
      }
    }
    return -1;
  }

  static Status BadJson(simdjson::error_code e) {
    if (e == simdjson::INCORRECT_TYPE)
      return Status::InvalidArgument("record is not a JSON object");
    return Status::InvalidArgument(
        fmt::format("record is not valid JSON: {}", simdjson::error_message(e)));
  }

  Status Iterate(std::string_view json, StreamRow* row, bool* have_rowtime, int64_t* rowtime_ms) {
    const size_t need = json.size() + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < need) padded_.resize(std::max(need, 2 * padded_.size()));
    std::memcpy(padded_.data(), json.data(), json.size());
    od::document doc;
    if (auto e = parser_.iterate(padded_.data(), json.size(), padded_.size()).get(doc)) {
      return BadJson(e);
    }
    od::object object;
    if (auto e = doc.get_object().get(object)) return BadJson(e);
    hint_ = 0;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return BadJson(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return BadJson(e);
      const int k = FindKey(key);
      if (k < 0) continue;  // Unread values are skipped by the iteration.
      JsonScalar scalar;
      Status s = ReadScalar(field.value(), &scalar);
      if (!s.ok()) return Status::InvalidArgument("record is not valid JSON: " + s.message());
      const KeyEntry& entry = keys_[k];
      for (int c : entry.columns) {
        GL_RETURN_IF_ERROR(Converter(plans_[c], scalar, &row->values[c]).Run());
      }
      if (entry.rowtime) {
        GL_RETURN_IF_ERROR(Rowtime(scalar, rowtime_ms));
        *have_rowtime = true;
      }
    }
    return Status::OK();
  }

  Status Rowtime(const JsonScalar& v, int64_t* ms) const {
    if (v.type == JsonScalar::Type::kNumber) {
      auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), *ms);
      if (r.ec == std::errc() && r.ptr == v.text.data() + v.text.size()) return Status::OK();
    } else if (v.type == JsonScalar::Type::kString) {
      if (std::optional<int64_t> t = ParseIsoTimestampMs(TrimSpace(v.text))) {
        *ms = *t;
        return Status::OK();
      }
    }
    return Status::InvalidArgument(fmt::format(
        "ROWTIME field \"{}\": {} is neither an ISO-8601 timestamp nor integer epoch milliseconds",
        rowtime_field_, Describe(v)));
  }

  const std::vector<InputColumn> columns_;
  const std::string rowtime_field_;
  std::vector<ColumnPlan> plans_;  // Point into columns_.
  std::vector<KeyEntry> keys_;
  int hint_ = 0;
  od::parser parser_;
  std::string padded_;
};

}  // namespace

Result<std::unique_ptr<RecordDecoder>> RecordDecoder::Create(const InputSchema& schema,
                                                             std::string rowtime_field) {
  GL_RETURN_IF_ERROR(ValidateInputSchema(schema));
  return std::unique_ptr<RecordDecoder>(
      std::make_unique<JsonRecordDecoder>(schema, std::move(rowtime_field)));
}

}  // namespace gamelake
