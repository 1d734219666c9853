// Fuzzes the CloudWatch AWS JSON 1.0 request decoders (server/cloudwatch_json.h,
// server/cloudwatch_alarm_json.h, over server/cloudwatch_json_reader.h): the
// bodies of X-Amz-Target: GraniteServiceVersion20100801.* requests, also
// accepted by the native /v1/metrics and /v1/alarms endpoints. The input is a
// body; every operation's parser reads it.
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "server/cloudwatch_alarm_json.h"
#include "server/cloudwatch_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body = gamelake::AsView(data, size);
  constexpr int64_t kNowMs = 1764547200LL * 1000;
  (void)gamelake::ParsePutMetricDataJson(body, kNowMs);
  (void)gamelake::ParseGetMetricDataJson(body);
  (void)gamelake::ParseGetMetricStatisticsJson(body);
  (void)gamelake::ParseListMetricsJson(body);
  (void)gamelake::ParsePutMetricAlarmJson(body, std::nullopt);
  (void)gamelake::ParsePutMetricAlarmJson(body, std::string_view("fuzz-alarm"));
  return 0;
}
