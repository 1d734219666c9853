// Reading CloudWatch's AWS JSON 1.0 request bodies: typed accessors over a
// simdjson document whose errors name the member, in CloudWatch's form —
// "SerializationException: <where>: expected a number", "MissingParameter:
// <where>: The parameter X is required.", "InvalidParameterValue: ..." (see
// ToCloudWatchError). `where` is the path of the object read from
// ("MetricData.member.3"; "" for the top level). Shared by the metric,
// dashboard (cloudwatch_json) and alarm (cloudwatch_alarm_json) operations.
//
// Thread-safety: pure functions; a Body is used by one thread.
#ifndef GAMELAKE_SERVER_CLOUDWATCH_JSON_READER_H_
#define GAMELAKE_SERVER_CLOUDWATCH_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/result.h"

namespace gamelake::cloudwatch_json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The `where` of a first, fast pass over a datum: paths are not built (a
// datum's path costs more to format than to parse); on an error the caller
// parses the datum again with its real path, for the message.
inline constexpr std::string_view kNoPath = "\x01";

Status Invalid(std::string_view code, std::string_view where, std::string_view what);
Status WrongType(std::string_view where, std::string_view want);
// "<where>.<key>" ("<key>" at the top level).
std::string Member(std::string_view where, std::string_view key);
// "<where>.member.<i>" (1-based), or kNoPath in a fast pass.
std::string MemberAt(std::string_view where, size_t i);

// A parsed body; the parser owns the document `root` points into.
struct Body {
  simdjson::dom::parser parser;
  object root;
};
// A blank body reads as {}; anything but a JSON object is a SerializationException.
Status ParseBody(std::string_view text, Body* body);

// A number; AWS JSON sends NaN and the infinities as the strings "NaN",
// "Infinity" and "-Infinity" (read so that validation can refuse them by name).
bool NumberOf(element e, double* v);
// The member, or nullopt when it is absent or null.
std::optional<element> Field(object o, std::string_view key);

Result<std::optional<std::string>> OptString(object o, std::string_view key,
                                             std::string_view where);
Result<std::string> ReqString(object o, std::string_view key, std::string_view where);
Result<std::optional<double>> OptNumber(object o, std::string_view key, std::string_view where);
Result<std::optional<bool>> OptBool(object o, std::string_view key, std::string_view where);
Result<std::optional<array>> OptArray(object o, std::string_view key, std::string_view where);
Result<object> AsObject(element e, std::string_view where);
// Epoch seconds (a number, fractions allowed) or ISO 8601 (a string), in ms.
Result<std::optional<int64_t>> OptTime(object o, std::string_view key, std::string_view where);
Result<int64_t> ReqTime(object o, std::string_view key, std::string_view where);
// An array of numbers (see NumberOf).
Result<std::vector<double>> Numbers(array a, std::string_view where);
// An array of strings; absent: empty.
Result<std::vector<std::string>> Strings(object o, std::string_view key, std::string_view where);

}  // namespace gamelake::cloudwatch_json

#endif  // GAMELAKE_SERVER_CLOUDWATCH_JSON_READER_H_
