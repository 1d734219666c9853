#include "server/cloudwatch_json_reader.h"

#include <cmath>

#include <fmt/format.h>

#include "common/civil_time.h"

namespace gamelake::cloudwatch_json {

Status Invalid(std::string_view code, std::string_view where, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}: {}", code, where, what));
}

Status WrongType(std::string_view where, std::string_view want) {
  return Invalid("SerializationException", where, fmt::format("expected {}", want));
}

std::string Member(std::string_view where, std::string_view key) {
  if (where == kNoPath) return std::string(kNoPath);
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

// "<where>.member.<i>" (1-based), or kNoPath in a fast pass.
std::string MemberAt(std::string_view where, size_t i) {
  if (where == kNoPath) return std::string(kNoPath);
  return fmt::format("{}.member.{}", where, i);
}

Status ParseBody(std::string_view text, Body* body) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) text = "{}";
  element e;
  if (body->parser.parse(text.data(), text.size()).get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("SerializationException: the body is not valid JSON");
  }
  if (e.get_object().get(body->root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("SerializationException: the body must be a JSON object");
  }
  return Status::OK();
}

// A number; AWS JSON sends NaN and the infinities as the strings "NaN",
// "Infinity" and "-Infinity" (read so that validation can refuse them by name).
bool NumberOf(element e, double* v) {
  if (e.get_double().get(*v) == simdjson::SUCCESS) return true;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  if (s == "NaN")
    *v = std::nan("");
  else if (s == "Infinity")
    *v = HUGE_VAL;
  else if (s == "-Infinity")
    *v = -HUGE_VAL;
  else
    return false;
  return true;
}

std::optional<element> Field(object o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<std::optional<std::string>> OptString(object o, std::string_view key,
                                             std::string_view where) {
  auto e = Field(o, key);
  if (!e) return std::optional<std::string>();
  std::string_view s;
  if (e->get_string().get(s) != simdjson::SUCCESS) return WrongType(Member(where, key), "a string");
  return std::optional<std::string>(std::string(s));
}

Result<std::string> ReqString(object o, std::string_view key, std::string_view where) {
  GL_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(o, key, where));
  if (!s) {
    return Invalid("MissingParameter", Member(where, key),
                   fmt::format("The parameter {} is required.", key));
  }
  return *s;
}

Result<std::optional<double>> OptNumber(object o, std::string_view key, std::string_view where) {
  auto e = Field(o, key);
  if (!e) return std::optional<double>();
  double v = 0;
  if (!NumberOf(*e, &v)) return WrongType(Member(where, key), "a number");
  return std::optional<double>(v);
}

Result<std::optional<bool>> OptBool(object o, std::string_view key, std::string_view where) {
  auto e = Field(o, key);
  if (!e) return std::optional<bool>();
  bool v = false;
  if (e->get_bool().get(v) != simdjson::SUCCESS) return WrongType(Member(where, key), "a boolean");
  return std::optional<bool>(v);
}

Result<std::optional<array>> OptArray(object o, std::string_view key, std::string_view where) {
  auto e = Field(o, key);
  if (!e) return std::optional<array>();
  array a;
  if (e->get_array().get(a) != simdjson::SUCCESS) return WrongType(Member(where, key), "an array");
  return std::optional<array>(a);
}

Result<object> AsObject(element e, std::string_view where) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return WrongType(where, "an object");
  return o;
}

// Epoch seconds (number) or ISO 8601 (string), in milliseconds.
Result<std::optional<int64_t>> OptTime(object o, std::string_view key, std::string_view where) {
  auto e = Field(o, key);
  if (!e) return std::optional<int64_t>();
  double seconds = 0;
  std::string_view text;
  if (e->get_double().get(seconds) == simdjson::SUCCESS) {
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e11) {
      return Invalid("InvalidParameterValue", Member(where, key), "timestamp out of range");
    }
    return std::optional<int64_t>(static_cast<int64_t>(std::llround(seconds * 1000)));
  }
  if (e->get_string().get(text) == simdjson::SUCCESS) {
    Result<int64_t> us = ParseTime(text);
    if (!us.ok())
      return Invalid("InvalidParameterValue", Member(where, key), us.status().message());
    return std::optional<int64_t>(*us / 1000);
  }
  return WrongType(Member(where, key), "epoch seconds or an ISO 8601 string");
}

Result<int64_t> ReqTime(object o, std::string_view key, std::string_view where) {
  GL_ASSIGN_OR_RETURN(std::optional<int64_t> t, OptTime(o, key, where));
  if (!t) {
    return Invalid("MissingParameter", Member(where, key),
                   fmt::format("The parameter {} is required.", key));
  }
  return *t;
}

Result<std::vector<double>> Numbers(array a, std::string_view where) {
  std::vector<double> out;
  size_t i = 0;
  for (element e : a) {
    double v = 0;
    if (!NumberOf(e, &v)) return WrongType(MemberAt(where, i + 1), "a number");
    out.push_back(v);
    ++i;
  }
  return out;
}

Result<std::vector<std::string>> Strings(object o, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  GL_ASSIGN_OR_RETURN(std::optional<array> a, OptArray(o, key, where));
  if (!a) return out;
  for (element e : *a) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(Member(where, key), "strings");
    out.emplace_back(s);
  }
  return out;
}

}  // namespace gamelake::cloudwatch_json
