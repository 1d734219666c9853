#include "server/cloudwatch_shapes.h"

#include <algorithm>
#include <iterator>

namespace gamelake {
namespace {

template <size_t N>
bool In(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

constexpr std::string_view kNumbers[] = {
    // Metric data and statistics.
    "Value", "Values", "Counts", "StorageResolution", "Period", "SampleCount", "Sum", "Minimum",
    "Maximum", "Average", "MaxDatapoints", "Size",
    // Alarms.
    "Threshold", "EvaluationPeriods", "DatapointsToAlarm", "MaxRecords",
    "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"};

// Structures whose members are all text (Name/Value, Key/Value pairs).
constexpr std::string_view kTextStructures[] = {"Dimensions", "Tags"};

constexpr std::string_view kBooleans[] = {"ReturnData", "ActionsEnabled", "IncludeLinkedAccounts",
                                          "IncludeLinkedAccountsMetrics"};

constexpr std::string_view kTimestamps[] = {"Timestamp",
                                            "Timestamps",
                                            "StartTime",
                                            "EndTime",
                                            "StartDate",
                                            "EndDate",
                                            "LastModified",
                                            "StateUpdatedTimestamp",
                                            "AlarmConfigurationUpdatedTimestamp",
                                            "StateTransitionedTimestamp",
                                            "CreationDate",
                                            "LastUpdateDate"};

constexpr std::string_view kLists[] = {"MetricData",
                                       "Dimensions",
                                       "Values",
                                       "Counts",
                                       "Statistics",
                                       "ExtendedStatistics",
                                       "MetricDataQueries",
                                       "DashboardNames",
                                       "AlarmNames",
                                       "AlarmTypes",
                                       "AlarmActions",
                                       "OKActions",
                                       "InsufficientDataActions",
                                       "Metrics",
                                       "Tags",
                                       "TagKeys"};

constexpr std::string_view kMaps[] = {"ExtendedStatistics"};

struct ErrorShape {
  std::string_view code;
  std::string_view shape;
};
constexpr ErrorShape kErrorShapes[] = {
    {"InvalidParameterValue", "InvalidParameterValueException"},
    {"MissingParameter", "MissingRequiredParameterException"},
    {"InvalidParameterCombination", "InvalidParameterCombinationException"},
    {"LimitExceeded", "LimitExceededFault"},
    {"LimitExceededException", "LimitExceededException"},
    {"InvalidNextToken", "InvalidNextToken"},
    {"ValidationError", "ValidationException"},
    {"ResourceNotFound", "ResourceNotFound"},
    {"ResourceNotFoundException", "ResourceNotFoundException"},
    {"InvalidFormat", "InvalidFormatFault"},
    {"InvalidParameterInput", "DashboardInvalidInputError"},
    {"InternalServiceError", "InternalServiceFault"},
    {"ConcurrentModificationException", "ConcurrentModificationException"},
    {"ResourceConflict", "ResourceConflict"},
};

}  // namespace

bool IsCloudWatchNumberMember(std::string_view name, std::string_view parent) {
  return In(kNumbers, name) && !In(kTextStructures, parent);
}
bool IsCloudWatchBooleanMember(std::string_view name) { return In(kBooleans, name); }
bool IsCloudWatchTimestampMember(std::string_view name) { return In(kTimestamps, name); }
bool IsCloudWatchListMember(std::string_view name) { return In(kLists, name); }
bool IsCloudWatchMapMember(std::string_view name) { return In(kMaps, name); }

std::string CloudWatchErrorShape(std::string_view code) {
  for (const ErrorShape& e : kErrorShapes) {
    if (e.code == code) return "com.amazonaws.cloudwatch#" + std::string(e.shape);
  }
  return std::string(code);
}

}  // namespace gamelake
