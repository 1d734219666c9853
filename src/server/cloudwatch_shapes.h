// CloudWatchShapes: what the protocols that do not carry a member's type need
// to know about CloudWatch's shapes, in one place. The Query protocol's form
// values are all strings (Value=3 must become the JSON number 3) and its XML
// answers spell timestamps as ISO 8601 and maps as entries; RPC v2 CBOR tags
// timestamps; both name errors by shape. Members are looked up by name, which
// CloudWatch's model uses consistently (a member called Period is a number
// wherever it appears), covering the metric, dashboard and alarm operations.
//
// Thread-safety: pure functions over constant tables.
#ifndef GAMELAKE_SERVER_CLOUDWATCH_SHAPES_H_
#define GAMELAKE_SERVER_CLOUDWATCH_SHAPES_H_

#include <string>
#include <string_view>

namespace gamelake {

// A number, or a list of numbers (Value, Values, Period, Threshold, ...), as a
// member of `parent` (the enclosing member; for a list's members, the list):
// a Dimension's or a Tag's Value is text.
bool IsCloudWatchNumberMember(std::string_view name, std::string_view parent);
// A boolean (ReturnData, ActionsEnabled, ...).
bool IsCloudWatchBooleanMember(std::string_view name);
// A timestamp, or a list of them (Timestamp, Timestamps, StartTime,
// StateUpdatedTimestamp, ...); JSON 1.0 answers write them as epoch seconds.
bool IsCloudWatchTimestampMember(std::string_view name);
// A list in a request, so that an empty form value (`Dimensions=`, how SDKs
// send an empty list) is an empty list.
bool IsCloudWatchListMember(std::string_view name);
// A map in an answer (Datapoint's ExtendedStatistics).
bool IsCloudWatchMapMember(std::string_view name);

// The error shape's id for a CloudWatch error code, as RPC v2 CBOR's __type:
// "InvalidParameterValue" -> "com.amazonaws.cloudwatch#InvalidParameterValueException".
// Codes outside CloudWatch's model (SerializationException, AccessDenied,
// Throttling...) are answered as they are.
std::string CloudWatchErrorShape(std::string_view code);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CLOUDWATCH_SHAPES_H_
