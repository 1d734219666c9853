// The CloudWatch alarm operations' JSON form (AWS JSON 1.0 shapes, member
// names as in the CloudWatch API reference), shared by the CloudWatch API's
// operation table and the native /v1/alarms routes:
//
//   PutMetricAlarm        -> {}
//   DescribeAlarms        AlarmNames | AlarmNamePrefix, StateValue, ActionPrefix,
//                         MaxRecords (1-100, 50), NextToken -> MetricAlarms
//   DeleteAlarms          AlarmNames (all or nothing) -> {}
//   DescribeAlarmHistory  AlarmName, HistoryItemType, StartDate, EndDate,
//                         ScanBy, MaxRecords (1-100, 100), NextToken
//                         -> AlarmHistoryItems, newest first
//   SetAlarmState         AlarmName, StateValue, StateReason, StateReasonData -> {}
//   EnableAlarmActions / DisableAlarmActions   AlarmNames -> {}
//
// Timestamps are written as epoch seconds. Errors are "<CloudWatch code>:
// message" (see cloudwatch_json.h). Composite alarms, anomaly detection
// (ThresholdMetricId) and Tags are not served: they are refused by name.
//
// Thread-safety: pure functions over a thread-safe AlarmStore.
#ifndef GAMELAKE_SERVER_CLOUDWATCH_ALARM_JSON_H_
#define GAMELAKE_SERVER_CLOUDWATCH_ALARM_JSON_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "metrics/alarm_store.h"

namespace gamelake {

// A PutMetricAlarm body. `path_name`: the native API's name from the URL;
// then AlarmName may be left out, and must match if given.
Result<MetricAlarmDefinition> ParsePutMetricAlarmJson(std::string_view body,
                                                      std::optional<std::string_view> path_name);

Result<std::string> PutMetricAlarmJson(AlarmStore* alarms, std::string_view body);
Result<std::string> DescribeAlarmsJson(AlarmStore* alarms, std::string_view body);
Result<std::string> DeleteAlarmsJson(AlarmStore* alarms, std::string_view body);
Result<std::string> DescribeAlarmHistoryJson(AlarmStore* alarms, std::string_view body);
Result<std::string> SetAlarmStateJson(AlarmStore* alarms, std::string_view body);
Result<std::string> EnableAlarmActionsJson(AlarmStore* alarms, std::string_view body);
Result<std::string> DisableAlarmActionsJson(AlarmStore* alarms, std::string_view body);

// One alarm as DescribeAlarms lists it (a MetricAlarms member).
std::string RenderMetricAlarmJson(const MetricAlarm& alarm);
// The native GET /v1/alarms/{name}: {"MetricAlarm": ..., "AlarmHistoryItems": [recent]}.
Result<std::string> AlarmDetailJson(AlarmStore* alarms, std::string_view name);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CLOUDWATCH_ALARM_JSON_H_
