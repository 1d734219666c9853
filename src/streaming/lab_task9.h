// The lab's Task 9 (shared/reference/serverless-analytics-lab.md): its Kinesis
// Data Analytics application code, verbatim — note "COL_TimePlayed", KDA's
// discovery's name for the key "Time Played" — and its Lambda function (each
// output row to six CloudWatch metrics) as a gamelake metrics destination.
// One owner for this text: `serve --demo` (server/demo_app.h) and the tests.
//
// Thread-safety: constants.
#ifndef GAMELAKE_STREAMING_LAB_TASK9_H_
#define GAMELAKE_STREAMING_LAB_TASK9_H_

#include <string_view>

namespace gamelake {

inline constexpr std::string_view kLabTask9Sql = R"(-- ** Continuous Filter **
CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;
)";

inline constexpr std::string_view kLabTask9Destination =
    "data_stream=metrics:serverless-analytics-demo,PlayerID=playerID,Wins=wins,Losses=losses,"
    "COL_TimePlayed=timePlayed,CaughtAt=caughtAt,CaughtBy=CaughtBy";

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_LAB_TASK9_H_
