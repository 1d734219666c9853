// DemoApp: for `gamelake serve --demo`, the lab's Task 9 — its Kinesis Data
// Analytics application, verbatim — installed as the streaming application
// "serverless-analytics-stream" over the stream "events", with the lab's
// Lambda function replaced by a metrics destination that publishes the six
// metrics the lab's dashboard ("serverless-analytics") plots.
//
// Its input schema is what KDA's discovery gives for the lab's generator
// template (builtin:lab), discovered from records rendered in-process, so the
// application can start before the first demo record is stored.
//
// Thread-safety: call from the server's start-up thread.
#ifndef GAMELAKE_SERVER_DEMO_APP_H_
#define GAMELAKE_SERVER_DEMO_APP_H_

#include <string_view>

#include "common/status.h"
#include "streaming/app_service.h"
#include "streaming/lab_task9.h"

namespace gamelake {

inline constexpr std::string_view kDemoAppName = "serverless-analytics-stream";

// Creates and starts the demo application unless one of that name exists, so
// a user's changes to it are kept (a deleted one comes back at the next
// `serve --demo`). Errors come from AppService::Create.
Status InstallDemoApp(AppService* apps);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_DEMO_APP_H_
