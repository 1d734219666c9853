#include "streaming/scalar_functions.h"

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/civil_time.h"
#include "streaming/datetime_format.h"
#include "streaming/expr_nodes.h"
#include "streaming/sql_regex.h"
#include "streaming/value_cast.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

using VT = ValueType;
using Args = std::vector<BoundExprPtr>;

bool IsTemporal(VT t) { return t == VT::kTimestamp || t == VT::kDate || t == VT::kTime; }

// ------------------------------------------------------- argument checking

Status ArgCount(std::string_view name, const Args& args, size_t min, size_t max, SqlPos pos) {
  if (args.size() >= min && args.size() <= max) return Status::OK();
  std::string want =
      min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
  return ErrorAt(pos, std::string(name) + " expects " + want + " argument" + (max == 1 ? "" : "s") +
                          ", got " + std::to_string(args.size()));
}

// Argument `k` (0-based) of `name` must satisfy `ok`; `what` says what it must be.
Status ArgType(std::string_view name, const Args& args, size_t k, bool ok, std::string_view what) {
  if (ok || args[k]->type() == VT::kNull) return Status::OK();
  return ErrorAt(args[k]->pos(), "argument " + std::to_string(k + 1) + " of " + std::string(name) +
                                     " must be " + std::string(what) + ", found " +
                                     ValueTypeName(args[k]->type()));
}
Status ArgString(std::string_view name, const Args& args, size_t k) {
  return ArgType(name, args, k, args[k]->type() == VT::kString, "a string");
}
Status ArgNumber(std::string_view name, const Args& args, size_t k) {
  return ArgType(name, args, k, IsNumeric(args[k]->type()), "a number");
}
Status ArgInteger(std::string_view name, const Args& args, size_t k) {
  return ArgType(name, args, k, args[k]->type() == VT::kInteger, "an integer");
}

Status Invalid(std::string_view message) { return Status::InvalidArgument(message); }

// ---------------------------------------------------------------- numeric

Result<BoundExprPtr> Abs(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("ABS", args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgNumber("ABS", args, 0));
  VT t = args[0]->type();
  return MakeFunction(t, pos, std::move(args), [t](const SqlValue* const* a, SqlValue* out) {
    if (t != VT::kInteger) {
      SetDouble(out, t, std::fabs(a[0]->d));
      return Status::OK();
    }
    if (a[0]->i == INT64_MIN) return Invalid("numeric overflow");
    SetInt(out, t, a[0]->i < 0 ? -a[0]->i : a[0]->i);
    return Status::OK();
  });
}

Result<BoundExprPtr> Rounding(Args args, SqlPos pos, bool ceil, std::string_view name) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgNumber(name, args, 0));
  VT t = args[0]->type();
  if (t == VT::kInteger) return std::move(args[0]);
  return MakeFunction(t, pos, std::move(args), [t, ceil](const SqlValue* const* a, SqlValue* out) {
    SetDouble(out, t, ceil ? std::ceil(a[0]->d) : std::floor(a[0]->d));
    return Status::OK();
  });
}

// EXP, LN, LOG10: a DOUBLE of one number.
Result<BoundExprPtr> RealFunction(Args args, SqlPos pos, std::string name) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgNumber(name, args, 0));
  return MakeFunction(VT::kDouble, pos, std::move(args),
                      [name](const SqlValue* const* a, SqlValue* out) {
                        double x = NumberAsDouble(*a[0]);
                        double r = 0;
                        if (name == "EXP") {
                          r = std::exp(x);
                        } else {
                          if (x <= 0) return Invalid(name + " of a number that is not positive");
                          r = name == "LN" ? std::log(x) : std::log10(x);
                        }
                        SetDouble(out, VT::kDouble, r);
                        return Status::OK();
                      });
}

Result<BoundExprPtr> Power(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("POWER", args, 2, 2, pos));
  GL_RETURN_IF_ERROR(ArgNumber("POWER", args, 0));
  GL_RETURN_IF_ERROR(ArgNumber("POWER", args, 1));
  return MakeFunction(VT::kDouble, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        double x = NumberAsDouble(*a[0]);
                        double y = NumberAsDouble(*a[1]);
                        if (x == 0 && y < 0) return Invalid("zero raised to a negative power");
                        if (x < 0 && y != std::floor(y)) {
                          return Invalid("a negative number raised to a fractional power");
                        }
                        SetDouble(out, VT::kDouble, std::pow(x, y));
                        return Status::OK();
                      });
}

Result<BoundExprPtr> Mod(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("MOD", args, 2, 2, pos));
  GL_RETURN_IF_ERROR(ArgInteger("MOD", args, 0));
  GL_RETURN_IF_ERROR(ArgInteger("MOD", args, 1));
  return MakeFunction(VT::kInteger, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        if (a[1]->i == 0) return Invalid("division by zero");
                        SetInt(out, VT::kInteger, a[1]->i == -1 ? 0 : a[0]->i % a[1]->i);
                        return Status::OK();
                      });
}

// ----------------------------------------------------------------- strings

Result<BoundExprPtr> CharLength(Args args, SqlPos pos, std::string_view name) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgString(name, args, 0));
  return MakeFunction(VT::kInteger, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        SetInt(out, VT::kInteger, static_cast<int64_t>(Utf8Length(a[0]->s)));
                        return Status::OK();
                      });
}

enum class CaseMap { kLower, kUpper, kInitCap };

Result<BoundExprPtr> MapCase(Args args, SqlPos pos, std::string_view name, CaseMap how) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgString(name, args, 0));
  return MakeFunction(
      VT::kString, pos, std::move(args), [how](const SqlValue* const* a, SqlValue* out) {
        std::string s = a[0]->s;
        bool word_start = true;
        for (char& c : s) {
          bool upper = how == CaseMap::kUpper || (how == CaseMap::kInitCap && word_start);
          if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
          if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
          word_start = c == ' ';
        }
        SetString(out, std::move(s));
        return Status::OK();
      });
}

// Byte offset of code point `index` (0-based) in s, or s.size() past the end.
size_t ByteOffset(std::string_view s, int64_t index) {
  size_t pos = 0;
  for (int64_t k = 0; k < index && pos < s.size(); ++k) DecodeUtf8(s, &pos);
  return pos;
}

// OVERLAY(s PLACING r FROM start [FOR length]) as OVERLAY(s, r, start[, length]).
Result<BoundExprPtr> Overlay(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("OVERLAY", args, 3, 4, pos));
  GL_RETURN_IF_ERROR(ArgString("OVERLAY", args, 0));
  GL_RETURN_IF_ERROR(ArgString("OVERLAY", args, 1));
  GL_RETURN_IF_ERROR(ArgInteger("OVERLAY", args, 2));
  if (args.size() == 4) GL_RETURN_IF_ERROR(ArgInteger("OVERLAY", args, 3));
  bool has_length = args.size() == 4;
  return MakeFunction(VT::kString, pos, std::move(args),
                      [has_length](const SqlValue* const* a, SqlValue* out) {
                        const std::string& s = a[0]->s;
                        const std::string& r = a[1]->s;
                        int64_t start = a[2]->i;
                        int64_t len = has_length ? a[3]->i : static_cast<int64_t>(Utf8Length(r));
                        if (len < 0) return Invalid("negative OVERLAY length");
                        // s[1 .. start-1] + r + s[start+len ..], positions below 1 empty.
                        int64_t keep = std::max<int64_t>(0, start - 1);
                        int64_t resume = start > INT64_MAX - len ? INT64_MAX : start + len;
                        resume = std::max<int64_t>(0, resume - 1);
                        std::string result(s.substr(0, ByteOffset(s, keep)));
                        result.append(r);
                        result.append(s.substr(ByteOffset(s, resume)));
                        SetString(out, std::move(result));
                        return Status::OK();
                      });
}

// Expands a Java replacement string ($n groups, \x literal) for one match.
Status AppendReplacement(std::string_view repl, std::string_view text,
                         const std::vector<std::pair<int, int>>& groups, std::string* out) {
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c == '\\') {
      if (++i >= repl.size()) return Invalid("replacement ends with a backslash");
      out->push_back(repl[i]);
    } else if (c == '$') {
      size_t j = i + 1;
      int g = 0;
      if (j >= repl.size() || repl[j] < '0' || repl[j] > '9') {
        return Invalid("'$' in a replacement must name a group ($1), or be written \\$");
      }
      while (j < repl.size() && repl[j] >= '0' && repl[j] <= '9' &&
             g * 10 + (repl[j] - '0') < static_cast<int>(groups.size())) {
        g = g * 10 + (repl[j] - '0');
        ++j;
      }
      if (j == i + 1) return Invalid("no group " + std::string(1, repl[j]) + " in the pattern");
      if (groups[g].first >= 0) {
        out->append(text.substr(groups[g].first, groups[g].second - groups[g].first));
      }
      i = j - 1;
    } else {
      out->push_back(c);
    }
  }
  return Status::OK();
}

// A regular expression argument: compiled once when constant, else per
// distinct value.
struct RegexCache {
  std::string pattern;
  std::optional<SqlRegex> regex;
  Status Prepare(const std::string& p) {
    if (regex && p == pattern) return Status::OK();
    regex.reset();
    Result<SqlRegex> r = SqlRegex::CompileJava(p);
    if (!r.ok()) return r.status();
    regex = std::move(r).value();
    pattern = p;
    return Status::OK();
  }
};

Result<std::shared_ptr<RegexCache>> PrepareRegex(const BoundExpr& arg) {
  auto cache = std::make_shared<RegexCache>();
  const SqlValue* v = ConstantOf(arg);
  if (v != nullptr && !v->is_null) {
    Status s = cache->Prepare(v->s);
    if (!s.ok()) return ErrorAt(arg.pos(), s.message());
  }
  return cache;
}

Result<BoundExprPtr> RegexReplace(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("REGEX_REPLACE", args, 5, 5, pos));
  for (size_t k = 0; k < 3; ++k) GL_RETURN_IF_ERROR(ArgString("REGEX_REPLACE", args, k));
  GL_RETURN_IF_ERROR(ArgInteger("REGEX_REPLACE", args, 3));
  GL_RETURN_IF_ERROR(ArgInteger("REGEX_REPLACE", args, 4));
  GL_ASSIGN_OR_RETURN(auto cache, PrepareRegex(*args[1]));
  return MakeFunction(VT::kString, pos, std::move(args),
                      [cache](const SqlValue* const* a, SqlValue* out) {
                        const std::string& text = a[0]->s;
                        int64_t start = a[3]->i;
                        int64_t occurrence = a[4]->i;
                        if (start < 1)
                          return Invalid("REGEX_REPLACE start position must be at least 1");
                        if (occurrence < 0)
                          return Invalid("REGEX_REPLACE occurrence must not be negative");
                        GL_RETURN_IF_ERROR(cache->Prepare(a[1]->s));
                        size_t from = ByteOffset(text, start - 1);
                        std::string result = text.substr(0, from);
                        std::vector<std::pair<int, int>> groups;
                        int64_t seen = 0;
                        size_t copied = from;
                        size_t at = from;
                        while (at <= text.size() && cache->regex->Search(text, at, &groups)) {
                          ++seen;
                          size_t b = static_cast<size_t>(groups[0].first);
                          size_t e = static_cast<size_t>(groups[0].second);
                          if (occurrence == 0 || seen == occurrence) {
                            result.append(text, copied, b - copied);
                            GL_RETURN_IF_ERROR(AppendReplacement(a[2]->s, text, groups, &result));
                            copied = e;
                            if (occurrence != 0) break;
                          }
                          if (e == b) {
                            if (e >= text.size()) break;
                            size_t next = e;
                            DecodeUtf8(text, &next);
                            at = next;
                          } else {
                            at = e;
                          }
                        }
                        result.append(text, copied, std::string::npos);
                        SetString(out, std::move(result));
                        return Status::OK();
                      });
}

// ---------------------------------------------------------------- datetime

// The ROWTIME of the row being evaluated (input 0, or input 1 when a join's
// left side is missing): KDA's clock functions, without reading a clock.
class RowtimeExpr final : public BoundExpr {
 public:
  RowtimeExpr(VT type, SqlPos pos) : type_(type), pos_(pos) {}
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    const StreamRow* row = in.rows[0] != nullptr ? in.rows[0] : in.rows[1];
    if (row == nullptr) {
      SetNull(out, type_);
      return Status::OK();
    }
    int64_t ms = row->rowtime_ms;
    int64_t days = FloorDiv(ms, kMsPerDay);
    SetInt(out, type_,
           type_ == VT::kTimestamp ? ms : (type_ == VT::kDate ? days : ms - days * kMsPerDay));
    return Status::OK();
  }

 private:
  VT type_;
  SqlPos pos_;
};

// A datetime format argument: compiled once when constant (a bad one is a
// bind-time error), else per distinct value.
struct FormatCache {
  std::string pattern;
  std::optional<DateTimeFormat> format;
  Status Prepare(const std::string& p) {
    if (format && p == pattern) return Status::OK();
    format.reset();
    GL_ASSIGN_OR_RETURN(DateTimeFormat f, DateTimeFormat::Compile(p));
    format = std::move(f);
    pattern = p;
    return Status::OK();
  }
};

Result<std::shared_ptr<FormatCache>> PrepareFormat(const BoundExpr& arg) {
  auto cache = std::make_shared<FormatCache>();
  const SqlValue* v = ConstantOf(arg);
  if (v != nullptr && !v->is_null) {
    Status s = cache->Prepare(v->s);
    if (!s.ok()) return ErrorAt(arg.pos(), s.message());
  }
  return cache;
}

// CHAR_TO_TIMESTAMP / CHAR_TO_DATE / CHAR_TO_TIME(format, text).
Result<BoundExprPtr> CharTo(Args args, SqlPos pos, const std::string& name, VT type) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 2, 2, pos));
  GL_RETURN_IF_ERROR(ArgString(name, args, 0));
  GL_RETURN_IF_ERROR(ArgString(name, args, 1));
  GL_ASSIGN_OR_RETURN(auto cache, PrepareFormat(*args[0]));
  return MakeFunction(type, pos, std::move(args),
                      [cache, type](const SqlValue* const* a, SqlValue* out) {
                        GL_RETURN_IF_ERROR(cache->Prepare(a[0]->s));
                        GL_ASSIGN_OR_RETURN(int64_t ms, cache->format->Parse(a[1]->s));
                        int64_t days = FloorDiv(ms, kMsPerDay);
                        SetInt(out, type,
                               type == VT::kTimestamp ? ms
                               : type == VT::kDate    ? days
                                                      : ms - days * kMsPerDay);
                        return Status::OK();
                      });
}

// TIMESTAMP_TO_CHAR / DATE_TO_CHAR / TIME_TO_CHAR(format, value).
Result<BoundExprPtr> ToChar(Args args, SqlPos pos, const std::string& name, VT type) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 2, 2, pos));
  GL_RETURN_IF_ERROR(ArgString(name, args, 0));
  GL_RETURN_IF_ERROR(
      ArgType(name, args, 1, args[1]->type() == type, std::string("a ") + ValueTypeName(type)));
  GL_ASSIGN_OR_RETURN(auto cache, PrepareFormat(*args[0]));
  // KDA: TIMESTAMP_TO_CHAR of a NULL timestamp is the string "null".
  bool null_text = type == VT::kTimestamp;
  return MakeFunction(
      VT::kString, pos, std::move(args),
      [cache, type, null_text](const SqlValue* const* a, SqlValue* out) {
        if (a[0]->is_null) {
          SetNull(out, VT::kString);
          return Status::OK();
        }
        if (a[1]->is_null) {
          if (null_text) {
            SetString(out, "null");
          } else {
            SetNull(out, VT::kString);
          }
          return Status::OK();
        }
        GL_RETURN_IF_ERROR(cache->Prepare(a[0]->s));
        int64_t ms = type == VT::kDate ? a[1]->i * kMsPerDay : a[1]->i;
        std::string s;
        cache->format->Format(ms, &s);
        SetString(out, std::move(s));
        return Status::OK();
      },
      /*strict=*/false);
}

Result<BoundExprPtr> ToTimestamp(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("TO_TIMESTAMP", args, 1, 1, pos));
  GL_RETURN_IF_ERROR(ArgNumber("TO_TIMESTAMP", args, 0));
  return MakeFunction(VT::kTimestamp, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        double d = a[0]->type == VT::kInteger ? 0 : std::round(a[0]->d);
                        if (a[0]->type != VT::kInteger && !(d > -1e16 && d < 1e16)) {
                          return Invalid("timestamp out of range");
                        }
                        int64_t ms = a[0]->type == VT::kInteger ? a[0]->i : static_cast<int64_t>(d);
                        if (ms < kMinTimestampMs || ms > kMaxTimestampMs) {
                          return Invalid("timestamp out of range");
                        }
                        SetInt(out, VT::kTimestamp, ms);
                        return Status::OK();
                      });
}

Result<BoundExprPtr> UnixTimestamp(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("UNIX_TIMESTAMP", args, 1, 1, pos));
  GL_RETURN_IF_ERROR(
      ArgType("UNIX_TIMESTAMP", args, 0, args[0]->type() == VT::kTimestamp, "a TIMESTAMP"));
  return MakeFunction(VT::kInteger, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        SetInt(out, VT::kInteger, a[0]->i);
                        return Status::OK();
                      });
}

// TSDIFF(ts1, ts2): ts1 - ts2 in milliseconds.
Result<BoundExprPtr> TsDiff(Args args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("TSDIFF", args, 2, 2, pos));
  for (size_t k = 0; k < 2; ++k) {
    GL_RETURN_IF_ERROR(
        ArgType("TSDIFF", args, k, args[k]->type() == VT::kTimestamp, "a TIMESTAMP"));
  }
  return MakeFunction(VT::kInteger, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        SetInt(out, VT::kInteger, a[0]->i - a[1]->i);
                        return Status::OK();
                      });
}

// ------------------------------------------------------------ the registry

using Binder = std::function<Result<BoundExprPtr>(Args, SqlPos)>;

const std::map<std::string, Binder, std::less<>>& Registry() {
  static const auto* registry = new std::map<std::string, Binder, std::less<>>{
      {"ABS", Abs},
      {"CEIL", [](Args a, SqlPos p) { return Rounding(std::move(a), p, true, "CEIL"); }},
      {"CEILING", [](Args a, SqlPos p) { return Rounding(std::move(a), p, true, "CEILING"); }},
      {"FLOOR", [](Args a, SqlPos p) { return Rounding(std::move(a), p, false, "FLOOR"); }},
      {"EXP", [](Args a, SqlPos p) { return RealFunction(std::move(a), p, "EXP"); }},
      {"LN", [](Args a, SqlPos p) { return RealFunction(std::move(a), p, "LN"); }},
      {"LOG10", [](Args a, SqlPos p) { return RealFunction(std::move(a), p, "LOG10"); }},
      {"POWER", Power},
      {"MOD", Mod},
      {"CHAR_LENGTH", [](Args a, SqlPos p) { return CharLength(std::move(a), p, "CHAR_LENGTH"); }},
      {"CHARACTER_LENGTH",
       [](Args a, SqlPos p) { return CharLength(std::move(a), p, "CHARACTER_LENGTH"); }},
      {"LOWER",
       [](Args a, SqlPos p) { return MapCase(std::move(a), p, "LOWER", CaseMap::kLower); }},
      {"UPPER",
       [](Args a, SqlPos p) { return MapCase(std::move(a), p, "UPPER", CaseMap::kUpper); }},
      {"INITCAP",
       [](Args a, SqlPos p) { return MapCase(std::move(a), p, "INITCAP", CaseMap::kInitCap); }},
      {"OVERLAY", Overlay},
      {"REGEX_REPLACE", RegexReplace},
      {"COALESCE", [](Args a, SqlPos p) { return BindCoalesce(std::move(a), p); }},
      {"NULLIF",
       [](Args a, SqlPos p) -> Result<BoundExprPtr> {
         GL_RETURN_IF_ERROR(ArgCount("NULLIF", a, 2, 2, p));
         return BindNullIf(std::move(a[0]), std::move(a[1]), p);
       }},
      {"CHAR_TO_TIMESTAMP",
       [](Args a, SqlPos p) {
         return CharTo(std::move(a), p, "CHAR_TO_TIMESTAMP", VT::kTimestamp);
       }},
      {"CHAR_TO_DATE",
       [](Args a, SqlPos p) { return CharTo(std::move(a), p, "CHAR_TO_DATE", VT::kDate); }},
      {"CHAR_TO_TIME",
       [](Args a, SqlPos p) { return CharTo(std::move(a), p, "CHAR_TO_TIME", VT::kTime); }},
      {"TIMESTAMP_TO_CHAR",
       [](Args a, SqlPos p) {
         return ToChar(std::move(a), p, "TIMESTAMP_TO_CHAR", VT::kTimestamp);
       }},
      {"DATE_TO_CHAR",
       [](Args a, SqlPos p) { return ToChar(std::move(a), p, "DATE_TO_CHAR", VT::kDate); }},
      {"TIME_TO_CHAR",
       [](Args a, SqlPos p) { return ToChar(std::move(a), p, "TIME_TO_CHAR", VT::kTime); }},
      {"TO_TIMESTAMP", ToTimestamp},
      {"UNIX_TIMESTAMP", UnixTimestamp},
      {"TSDIFF", TsDiff},
      {"MONOTONIC",
       [](Args a, SqlPos p) -> Result<BoundExprPtr> {
         GL_RETURN_IF_ERROR(ArgCount("MONOTONIC", a, 1, 1, p));
         return std::move(a[0]);
       }},
  };
  return *registry;
}

Result<BoundExprPtr> ClockFunction(std::string_view name, const Args& args, SqlPos pos, VT type) {
  GL_RETURN_IF_ERROR(ArgCount(name, args, 0, 0, pos));
  return BoundExprPtr(std::make_unique<RowtimeExpr>(type, pos));
}

}  // namespace

bool IsRefusedFunction(std::string_view name) {
  static constexpr std::string_view kRefused[] = {"RANDOM_CUT_FOREST",
                                                  "RANDOM_CUT_FOREST_WITH_EXPLANATION",
                                                  "HOTSPOTS",
                                                  "FAST_REGEX_LOG_PARSER",
                                                  "FIXED_COLUMN_LOG_PARSE",
                                                  "REGEX_LOG_PARSE",
                                                  "SYS_LOG_PARSE",
                                                  "VARIABLE_COLUMN_LOG_PARSE",
                                                  "W3C_LOG_PARSE"};
  for (std::string_view r : kRefused) {
    if (r == name) return true;
  }
  return false;
}

Result<BoundExprPtr> BindFunctionCall(const SqlExpr& call, std::vector<BoundExprPtr> args) {
  const std::string& name = call.text;
  SqlPos pos = call.pos;
  if (call.quoted) return ErrorAt(pos, "unknown function \"" + name + "\"");
  if (IsRefusedFunction(name)) {
    return ErrorAt(pos, name + " is not supported by gamelake (see docs/streaming.md)");
  }
  if (name == "CURRENT_ROW_TIMESTAMP" || name == "CURRENT_TIMESTAMP" || name == "LOCALTIMESTAMP") {
    return ClockFunction(name, args, pos, VT::kTimestamp);
  }
  if (name == "CURRENT_DATE") return ClockFunction(name, args, pos, VT::kDate);
  if (name == "CURRENT_TIME" || name == "LOCALTIME") {
    return ClockFunction(name, args, pos, VT::kTime);
  }
  auto it = Registry().find(name);
  if (it == Registry().end()) return ErrorAt(pos, "unknown function " + name);
  if (call.distinct) return ErrorAt(pos, "DISTINCT is only allowed in an aggregate function");
  if (call.over) return ErrorAt(pos, name + " is not an aggregate or window function");
  return it->second(std::move(args), pos);
}

// ------------------------------------------------------------ special forms

Result<BoundExprPtr> BindExtract(SqlTimeUnit unit, BoundExprPtr e, SqlPos pos) {
  VT t = e->type();
  bool date_unit =
      unit == SqlTimeUnit::kYear || unit == SqlTimeUnit::kMonth || unit == SqlTimeUnit::kDay;
  bool ok =
      t == VT::kTimestamp || t == VT::kNull || (t == VT::kDate && date_unit) ||
      (t == VT::kTime && !date_unit) ||
      (t == VT::kIntervalDayTime && unit != SqlTimeUnit::kYear && unit != SqlTimeUnit::kMonth) ||
      (t == VT::kIntervalYearMonth && (unit == SqlTimeUnit::kYear || unit == SqlTimeUnit::kMonth));
  if (!ok) {
    return ErrorAt(
        pos, std::string("cannot EXTRACT ") + SqlTimeUnitName(unit) + " from " + ValueTypeName(t));
  }
  // SECOND is DECIMAL with the milliseconds; the other fields are BIGINT.
  VT type = unit == SqlTimeUnit::kSecond ? VT::kDecimal : VT::kInteger;
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(
      type, pos, std::move(args), [unit, type](const SqlValue* const* a, SqlValue* out) {
        const SqlValue& v = *a[0];
        if (v.type == VT::kIntervalYearMonth) {
          SetInt(out, type, unit == SqlTimeUnit::kYear ? v.i / 12 : v.i % 12);
          return Status::OK();
        }
        int64_t ms = v.type == VT::kDate ? v.i * kMsPerDay : v.i;
        int64_t year = 0;
        int month = 0;
        int day = 0;
        if (v.type != VT::kIntervalDayTime && v.type != VT::kTime) {
          TimestampDate(ms, &year, &month, &day);
        }
        // Within the day (timestamps) or the interval's own fields.
        int64_t in_day =
            v.type == VT::kIntervalDayTime ? ms : ms - FloorDiv(ms, kMsPerDay) * kMsPerDay;
        switch (unit) {
          case SqlTimeUnit::kYear:
            SetInt(out, type, year);
            break;
          case SqlTimeUnit::kMonth:
            SetInt(out, type, month);
            break;
          case SqlTimeUnit::kDay:
            SetInt(out, type, v.type == VT::kIntervalDayTime ? ms / kMsPerDay : day);
            break;
          case SqlTimeUnit::kHour:
            SetInt(out, type, in_day / kMsPerHour % 24);
            break;
          case SqlTimeUnit::kMinute:
            SetInt(out, type, in_day / kMsPerMinute % 60);
            break;
          case SqlTimeUnit::kSecond:
            SetDouble(out, type, static_cast<double>(in_day % kMsPerMinute) / 1000.0);
            break;
          case SqlTimeUnit::kMillisecond:
            SetInt(out, type, in_day % kMsPerSecond);
            break;
        }
        return Status::OK();
      });
}

namespace {

int64_t UnitMs(SqlTimeUnit unit) {
  switch (unit) {
    case SqlTimeUnit::kDay:
      return kMsPerDay;
    case SqlTimeUnit::kHour:
      return kMsPerHour;
    case SqlTimeUnit::kMinute:
      return kMsPerMinute;
    case SqlTimeUnit::kSecond:
      return kMsPerSecond;
    default:
      return 1;
  }
}

// A timestamp rounded down (or up) to the unit.
int64_t TruncateTimestamp(int64_t ms, SqlTimeUnit unit, bool ceil) {
  if (unit == SqlTimeUnit::kYear || unit == SqlTimeUnit::kMonth) {
    int64_t year = 0;
    int month = 0;
    int day = 0;
    TimestampDate(ms, &year, &month, &day);
    int64_t floor = DaysFromCivil(year, unit == SqlTimeUnit::kYear ? 1 : month, 1) * kMsPerDay;
    if (!ceil || floor == ms) return floor;
    return AddMonthsToTimestamp(floor, unit == SqlTimeUnit::kYear ? 12 : 1);
  }
  int64_t u = UnitMs(unit);
  int64_t floor = FloorDiv(ms, u) * u;
  return ceil && floor != ms ? floor + u : floor;
}

}  // namespace

Result<BoundExprPtr> BindFloorTo(BoundExprPtr e, SqlTimeUnit unit, bool ceil, SqlPos pos) {
  VT t = e->type();
  bool date_unit =
      unit == SqlTimeUnit::kYear || unit == SqlTimeUnit::kMonth || unit == SqlTimeUnit::kDay;
  if (!(t == VT::kTimestamp || t == VT::kNull || (t == VT::kDate && date_unit) ||
        (t == VT::kTime && !date_unit))) {
    return ErrorAt(pos, std::string(ceil ? "CEIL" : "FLOOR") + " cannot round " + ValueTypeName(t) +
                            " to " + SqlTimeUnitName(unit));
  }
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(t, pos, std::move(args),
                      [t, unit, ceil](const SqlValue* const* a, SqlValue* out) {
                        int64_t ms = t == VT::kDate ? a[0]->i * kMsPerDay : a[0]->i;
                        int64_t r = TruncateTimestamp(ms, unit, ceil);
                        if (t == VT::kTime) r = r % kMsPerDay;
                        if (r > kMaxTimestampMs) return Invalid("timestamp out of range");
                        SetInt(out, t, t == VT::kDate ? FloorDiv(r, kMsPerDay) : r);
                        return Status::OK();
                      });
}

Result<BoundExprPtr> BindStep(BoundExprPtr e, BoundExprPtr width, SqlPos pos) {
  VT t = e->type();
  VT w = width->type();
  bool temporal = (IsTemporal(t) || t == VT::kNull) &&
                  (w == VT::kIntervalDayTime || (w == VT::kIntervalYearMonth && t != VT::kTime));
  bool integral = (t == VT::kInteger || t == VT::kNull) && w == VT::kInteger;
  if (!temporal && !integral) {
    return ErrorAt(pos, std::string("STEP needs a datetime BY an INTERVAL or an integer BY an "
                                    "integer, found ") +
                            ValueTypeName(t) + " BY " + ValueTypeName(w));
  }
  VT type = t == VT::kNull ? (integral ? VT::kInteger : VT::kTimestamp) : t;
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  args.push_back(std::move(width));
  return MakeFunction(type, pos, std::move(args),
                      [type, w](const SqlValue* const* a, SqlValue* out) {
                        int64_t n = a[1]->i;
                        if (n <= 0) return Invalid("STEP width must be positive");
                        if (type == VT::kInteger) {
                          SetInt(out, type, FloorDiv(a[0]->i, n) * n);
                          return Status::OK();
                        }
                        int64_t ms = type == VT::kDate ? a[0]->i * kMsPerDay : a[0]->i;
                        int64_t r = 0;
                        if (w == VT::kIntervalYearMonth) {
                          // Whole multiples of n months since 1970-01.
                          int64_t year = 0;
                          int month = 0;
                          int day = 0;
                          TimestampDate(ms, &year, &month, &day);
                          int64_t months = (year - 1970) * 12 + (month - 1);
                          int64_t m = FloorDiv(months, n) * n;
                          r = DaysFromCivil(1970 + FloorDiv(m, 12),
                                            static_cast<int>(m - FloorDiv(m, 12) * 12) + 1, 1) *
                              kMsPerDay;
                        } else {
                          r = FloorDiv(ms, n) * n;
                        }
                        SetInt(out, type, type == VT::kDate ? FloorDiv(r, kMsPerDay) : r);
                        return Status::OK();
                      });
}

Result<BoundExprPtr> BindPosition(BoundExprPtr needle, BoundExprPtr haystack, SqlPos pos) {
  Args args;
  args.push_back(std::move(needle));
  args.push_back(std::move(haystack));
  GL_RETURN_IF_ERROR(ArgString("POSITION", args, 0));
  GL_RETURN_IF_ERROR(ArgString("POSITION", args, 1));
  return MakeFunction(
      VT::kInteger, pos, std::move(args), [](const SqlValue* const* a, SqlValue* out) {
        size_t at = a[1]->s.find(a[0]->s);
        int64_t r =
            at == std::string::npos
                ? 0
                : static_cast<int64_t>(Utf8Length(std::string_view(a[1]->s).substr(0, at))) + 1;
        SetInt(out, VT::kInteger, r);
        return Status::OK();
      });
}

Result<BoundExprPtr> BindSubstring(std::vector<BoundExprPtr> args, SqlPos pos) {
  GL_RETURN_IF_ERROR(ArgCount("SUBSTRING", args, 2, 3, pos));
  VT t = args[0]->type();
  GL_RETURN_IF_ERROR(
      ArgType("SUBSTRING", args, 0, t == VT::kString || t == VT::kBinary, "a string or binary"));
  if (args[1]->type() == VT::kString) {
    // SUBSTRING(s FROM regex): the first match, NULL when there is none.
    GL_RETURN_IF_ERROR(ArgCount("SUBSTRING with a regular expression", args, 2, 2, pos));
    GL_RETURN_IF_ERROR(ArgString("SUBSTRING", args, 0));
    GL_ASSIGN_OR_RETURN(auto cache, PrepareRegex(*args[1]));
    return MakeFunction(VT::kString, pos, std::move(args),
                        [cache](const SqlValue* const* a, SqlValue* out) {
                          GL_RETURN_IF_ERROR(cache->Prepare(a[1]->s));
                          std::vector<std::pair<int, int>> g;
                          if (!cache->regex->Search(a[0]->s, 0, &g)) {
                            SetNull(out, VT::kString);
                            return Status::OK();
                          }
                          SetString(out, a[0]->s.substr(g[0].first, g[0].second - g[0].first));
                          return Status::OK();
                        });
  }
  GL_RETURN_IF_ERROR(ArgInteger("SUBSTRING", args, 1));
  if (args.size() == 3) GL_RETURN_IF_ERROR(ArgInteger("SUBSTRING", args, 2));
  bool has_length = args.size() == 3;
  VT type = t == VT::kNull ? VT::kString : t;
  return MakeFunction(type, pos, std::move(args),
                      [has_length, type](const SqlValue* const* a, SqlValue* out) {
                        const std::string& s = a[0]->s;
                        int64_t start = a[1]->i;
                        int64_t len = has_length ? a[2]->i : INT64_MAX;
                        if (len < 0) return Invalid("negative SUBSTRING length");
                        // A start below 1 counts as 1, shortening the length by what it skipped.
                        if (start < 1) {
                          int64_t skipped = 1 - start;
                          len = len == INT64_MAX ? len : (len > skipped ? len - skipped : 0);
                          start = 1;
                        }
                        std::string r;
                        if (type == VT::kBinary) {
                          size_t b = static_cast<size_t>(std::min<int64_t>(start - 1, s.size()));
                          r = s.substr(b, static_cast<size_t>(std::min<int64_t>(len, s.size())));
                          out->type = VT::kBinary;
                          out->is_null = false;
                          out->s = std::move(r);
                          return Status::OK();
                        }
                        size_t b = ByteOffset(s, start - 1);
                        size_t e = b;
                        for (int64_t k = 0; k < len && e < s.size(); ++k) DecodeUtf8(s, &e);
                        SetString(out, s.substr(b, e - b));
                        return Status::OK();
                      });
}

Result<BoundExprPtr> BindTrim(SqlTrimSpec spec, BoundExprPtr s, BoundExprPtr chars, SqlPos pos) {
  Args args;
  args.push_back(std::move(s));
  if (!chars) chars = std::make_unique<LiteralExpr>(SqlValue::String(" "), pos);
  args.push_back(std::move(chars));
  GL_RETURN_IF_ERROR(ArgString("TRIM", args, 0));
  GL_RETURN_IF_ERROR(ArgString("TRIM", args, 1));
  if (const SqlValue* c = ConstantOf(*args[1]);
      c != nullptr && !c->is_null && Utf8Length(c->s) != 1) {
    return ErrorAt(args[1]->pos(), "TRIM character must be one character");
  }
  return MakeFunction(VT::kString, pos, std::move(args),
                      [spec](const SqlValue* const* a, SqlValue* out) {
                        const std::string& c = a[1]->s;
                        if (Utf8Length(c) != 1) {
                          return Invalid("TRIM character must be one character");
                        }
                        std::string_view v = a[0]->s;
                        if (spec != SqlTrimSpec::kTrailing) {
                          while (v.substr(0, c.size()) == c) v.remove_prefix(c.size());
                        }
                        if (spec != SqlTrimSpec::kLeading) {
                          while (v.size() >= c.size() && v.substr(v.size() - c.size()) == c) {
                            v.remove_suffix(c.size());
                          }
                        }
                        SetString(out, std::string(v));
                        return Status::OK();
                      });
}

}  // namespace gamelake
