#include "streaming/value_cast.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "common/civil_time.h"
#include "streaming/datetime_format.h"
#include "streaming/sql_regex.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

using K = SqlType::Kind;

bool IsIntegerKind(K k) {
  return k == K::kInteger || k == K::kBigint || k == K::kSmallint || k == K::kTinyint;
}
bool IsStringKind(K k) { return k == K::kVarchar || k == K::kChar; }

std::string Quoted(const SqlValue& v) {
  std::string text;
  AppendValueText(v, &text);
  if (v.type == ValueType::kString) return "'" + text + "'";
  return text;
}

Status CannotConvert(const SqlValue& v, const SqlType& t, std::string_view why = {}) {
  std::string msg = "cannot convert " + Quoted(v) + " to " + t.ToString();
  if (!why.empty()) msg += ": " + std::string(why);
  return Status::InvalidArgument(msg);
}

void IntegerRange(K k, int64_t* lo, int64_t* hi) {
  switch (k) {
    case K::kTinyint:
      *lo = -128;
      *hi = 127;
      return;
    case K::kSmallint:
      *lo = -32768;
      *hi = 32767;
      return;
    case K::kInteger:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      return;
    default:
      *lo = INT64_MIN;
      *hi = INT64_MAX;
      return;
  }
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A signed numeric literal: [+-] digits [. digits] [E [+-] digits] (or .digits).
bool IsNumericLiteral(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

// A string holding a number, as the numeric value it spells (an integer when it
// is one that fits, else a double).
Status ParseNumber(const SqlValue& in, const SqlType& target, SqlValue* num) {
  std::string_view s = TrimSpaces(in.s);
  if (!IsNumericLiteral(s)) return CannotConvert(in, target);
  std::string_view digits = s.front() == '+' ? s.substr(1) : s;
  int64_t i = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (r.ec == std::errc() && r.ptr == digits.data() + digits.size()) {
    *num = SqlValue::Integer(i);
    return Status::OK();
  }
  *num = SqlValue::Double(std::strtod(std::string(s).c_str(), nullptr));
  return Status::OK();
}

Status ToInteger(const SqlValue& in, const SqlType& target, SqlValue* out) {
  int64_t lo = 0;
  int64_t hi = 0;
  IntegerRange(target.kind, &lo, &hi);
  int64_t v = 0;
  if (in.type == ValueType::kInteger || in.type == ValueType::kIntervalDayTime ||
      in.type == ValueType::kIntervalYearMonth) {
    v = in.i;
  } else {
    double r = std::round(in.d);  // Half away from zero.
    if (!std::isfinite(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0) {
      return CannotConvert(in, target, "out of range");
    }
    v = static_cast<int64_t>(r);
  }
  if (v < lo || v > hi) return CannotConvert(in, target, "out of range");
  *out = SqlValue::Integer(v);
  return Status::OK();
}

double AsDouble(const SqlValue& v) {
  return v.type == ValueType::kInteger || v.type == ValueType::kIntervalDayTime ||
                 v.type == ValueType::kIntervalYearMonth
             ? static_cast<double>(v.i)
             : v.d;
}

Status ToDecimal(const SqlValue& in, const SqlType& target, SqlValue* out) {
  int precision = target.precision > 0 ? target.precision : 18;
  int scale = target.scale >= 0 ? target.scale : 0;
  double x = AsDouble(in);
  if (!std::isfinite(x)) return CannotConvert(in, target, "out of range");
  double factor = std::pow(10.0, scale);
  double rounded = std::round(x * factor) / factor;
  if (std::fabs(rounded) >= std::pow(10.0, precision - scale)) {
    return CannotConvert(in, target, "out of range");
  }
  *out = SqlValue::Decimal(rounded);
  return Status::OK();
}

Status ToNumber(const SqlValue& in, const SqlType& target, SqlValue* out) {
  if (in.type == ValueType::kString) {
    SqlValue num;
    GL_RETURN_IF_ERROR(ParseNumber(in, target, &num));
    Status s = ToNumber(num, target, out);
    if (!s.ok()) return CannotConvert(in, target, "out of range");
    return s;
  }
  if (IsIntegerKind(target.kind)) return ToInteger(in, target, out);
  if (target.kind == K::kDecimal || target.kind == K::kNumeric) {
    return ToDecimal(in, target, out);
  }
  *out = SqlValue::Double(AsDouble(in));
  return Status::OK();
}

Status ToString(const SqlValue& in, const SqlType& target, SqlValue* out) {
  std::string text;
  if (in.type == ValueType::kString) {
    text = in.s;
  } else {
    AppendValueText(in, &text);
  }
  if (target.length >= 0) {
    size_t len = Utf8Length(text);
    if (len > static_cast<size_t>(target.length)) {
      if (in.type != ValueType::kString) return CannotConvert(in, target, "too long");
      size_t pos = 0;
      for (int k = 0; k < target.length; ++k) DecodeUtf8(text, &pos);
      text.resize(pos);
      len = static_cast<size_t>(target.length);
    }
    if (target.kind == K::kChar) text.append(static_cast<size_t>(target.length) - len, ' ');
  }
  *out = SqlValue::String(std::move(text));
  return Status::OK();
}

Status ToBoolean(const SqlValue& in, const SqlType& target, SqlValue* out) {
  if (in.type == ValueType::kBoolean) {
    *out = in;
    return Status::OK();
  }
  std::string_view s = TrimSpaces(in.s);
  std::string upper;
  for (char c : s) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper == "TRUE") {
    *out = SqlValue::Boolean(true);
  } else if (upper == "FALSE") {
    *out = SqlValue::Boolean(false);
  } else if (upper == "UNKNOWN") {
    *out = SqlValue::Null(ValueType::kBoolean);
  } else {
    return CannotConvert(in, target);
  }
  return Status::OK();
}

Status ToTemporal(const SqlValue& in, const SqlType& target, SqlValue* out) {
  ValueType to = ValueTypeOf(target);
  int64_t ms = 0;  // The source as a timestamp, or its own count for like types.
  switch (in.type) {
    case ValueType::kString: {
      Result<int64_t> r = to == ValueType::kTimestamp ? ParseTimestampText(in.s)
                          : to == ValueType::kDate    ? ParseDateText(in.s)
                                                      : ParseTimeText(in.s);
      if (!r.ok()) return CannotConvert(in, target);
      *out = SqlValue::Make(to, *r);
      return Status::OK();
    }
    case ValueType::kTimestamp:
      ms = in.i;
      break;
    case ValueType::kDate:
      ms = in.i * kMsPerDay;
      break;
    case ValueType::kTime:
      ms = in.i;
      break;
    default:
      return CannotConvert(in, target);
  }
  if (to == in.type) {
    *out = SqlValue::Make(to, in.i);
  } else if (to == ValueType::kTimestamp) {
    *out = SqlValue::Timestamp(ms);
  } else if (to == ValueType::kDate) {
    *out = SqlValue::Make(to, FloorDiv(ms, kMsPerDay));
  } else {
    *out = SqlValue::Make(to, ms - FloorDiv(ms, kMsPerDay) * kMsPerDay);
  }
  return Status::OK();
}

Status ToBinary(const SqlValue& in, const SqlType& target, SqlValue* out) {
  std::string bytes = in.s;
  if (target.length >= 0) {
    if (bytes.size() > static_cast<size_t>(target.length)) {
      return CannotConvert(in, target, "too long");
    }
    if (target.kind == K::kBinary) bytes.resize(static_cast<size_t>(target.length), '\0');
  }
  *out = SqlValue::Make(ValueType::kBinary, 0);
  out->s = std::move(bytes);
  return Status::OK();
}

void AppendShortest(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
}

}  // namespace

bool CastAllowed(ValueType from, const SqlType& to) {
  K k = to.kind;
  bool numeric = IsIntegerKind(k) || k == K::kDouble || k == K::kReal || k == K::kFloat ||
                 k == K::kDecimal || k == K::kNumeric;
  bool string = IsStringKind(k);
  switch (from) {
    case ValueType::kNull:
      return true;
    case ValueType::kInteger:
    case ValueType::kDouble:
    case ValueType::kDecimal:
      return numeric || string;
    case ValueType::kString:
      return k != K::kBinary && k != K::kVarbinary;
    case ValueType::kDate:
      return k == K::kDate || k == K::kTimestamp || string;
    case ValueType::kTime:
      return k == K::kTime || k == K::kTimestamp || string;
    case ValueType::kTimestamp:
      return k == K::kTime || k == K::kDate || k == K::kTimestamp || string;
    case ValueType::kIntervalDayTime:
    case ValueType::kIntervalYearMonth:
      return IsIntegerKind(k) || k == K::kDecimal || k == K::kNumeric || string;
    case ValueType::kBoolean:
      return k == K::kBoolean || string;
    case ValueType::kBinary:
      return k == K::kBinary || k == K::kVarbinary;
  }
  return false;
}

bool AssignableTo(ValueType from, const SqlType& to) {
  ValueType t = ValueTypeOf(to);
  if (from == ValueType::kNull || from == t) return true;
  return IsNumeric(from) && IsNumeric(t);
}

Status CastValue(const SqlValue& in, const SqlType& target, SqlValue* out) {
  ValueType to = ValueTypeOf(target);
  if (in.is_null) {
    *out = SqlValue::Null(to);
    return Status::OK();
  }
  if (!CastAllowed(in.type, target)) {
    return Status::InvalidArgument(std::string("cannot convert ") + ValueTypeName(in.type) +
                                   " to " + target.ToString());
  }
  switch (to) {
    case ValueType::kInteger:
    case ValueType::kDouble:
    case ValueType::kDecimal:
      return ToNumber(in, target, out);
    case ValueType::kString:
      return ToString(in, target, out);
    case ValueType::kBoolean:
      return ToBoolean(in, target, out);
    case ValueType::kTimestamp:
    case ValueType::kDate:
    case ValueType::kTime:
      return ToTemporal(in, target, out);
    case ValueType::kBinary:
      return ToBinary(in, target, out);
    default:
      return CannotConvert(in, target);
  }
}

void AppendValueText(const SqlValue& v, std::string* out) {
  if (v.is_null) {
    out->append("NULL");
    return;
  }
  switch (v.type) {
    case ValueType::kNull:
      out->append("NULL");
      return;
    case ValueType::kBoolean:
      out->append(v.i != 0 ? "TRUE" : "FALSE");
      return;
    case ValueType::kInteger:
      out->append(std::to_string(v.i));
      return;
    case ValueType::kDouble:
    case ValueType::kDecimal:
      AppendShortest(v.d, out);
      return;
    case ValueType::kString:
      out->append(v.s);
      return;
    case ValueType::kBinary: {
      static constexpr char kHex[] = "0123456789ABCDEF";
      for (unsigned char c : v.s) {
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
      }
      return;
    }
    case ValueType::kTimestamp:
      out->append(FormatTimestampMs(v.i));
      return;
    case ValueType::kDate:
      out->append(FormatDateDays(v.i));
      return;
    case ValueType::kTime:
      out->append(FormatTimeOfDayMs(v.i));
      return;
    case ValueType::kIntervalDayTime:
      out->append(FormatDayTimeInterval(v.i));
      return;
    case ValueType::kIntervalYearMonth:
      out->append(FormatYearMonthInterval(v.i));
      return;
  }
}

ValueType WiderNumeric(ValueType a, ValueType b) {
  if (a == ValueType::kDouble || b == ValueType::kDouble) return ValueType::kDouble;
  if (a == ValueType::kDecimal || b == ValueType::kDecimal) return ValueType::kDecimal;
  return ValueType::kInteger;
}

void PromoteNumeric(SqlValue* v, ValueType to) {
  if (v->type == to || !IsNumeric(v->type) || !IsNumeric(to)) return;
  if (v->type == ValueType::kInteger) v->d = static_cast<double>(v->i);
  v->type = to;
  if (to == ValueType::kInteger) v->i = static_cast<int64_t>(v->d);
}

}  // namespace gamelake
