// The alarm file: one alarm's definition, state and history, as AlarmStore
// keeps it under <data>/metrics/alarms/<id>.alarm. Format: alarm_format.md.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_METRICS_ALARM_CODEC_H_
#define GAMELAKE_METRICS_ALARM_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metrics/alarm_types.h"

namespace gamelake {

std::string EncodeAlarmFile(const MetricAlarm& alarm, const std::vector<AlarmHistoryItem>& history);
// Corruption when the file is truncated, altered (CRC) or of another version.
Status DecodeAlarmFile(std::string_view file, MetricAlarm* alarm,
                       std::vector<AlarmHistoryItem>* history);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ALARM_CODEC_H_
