// ApplicationDefinition: what a streaming SQL application is — the KDA
// application a user created: its name, the gamelake stream it reads (its
// SOURCE_SQL_STREAM_001), its code, its input schema, where it starts, where
// ROWTIME comes from, the destinations of its in-application streams, and
// whether it should run. The AppService keeps one per application in
// <data>/apps/<name>/definition.json (the JSON of ApplicationDefinitionToJson,
// written atomically).
//
// The JSON codec refuses what does not fit with an error naming the field
// ("input_schema.columns[2].type: ..."), so a hand-edited file or an HTTP body
// cannot make a definition the runner would trip over.
//
// Thread-safety: plain values and pure functions.
#ifndef GAMELAKE_STREAMING_APPLICATION_DEFINITION_H_
#define GAMELAKE_STREAMING_APPLICATION_DEFINITION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/result.h"
#include "common/status.h"
#include "streaming/destination.h"
#include "streaming/record_decoder.h"
#include "streaming/reference_table.h"

namespace gamelake {

// Where an application's first start begins reading its source (later starts
// resume from its checkpoint). KDA's "now" is the default.
enum class StartPosition {
  kNow,       // The log's next record: nothing already stored is replayed.
  kEarliest,  // The oldest retained record of the source: the lake, then the log.
};

enum class DesiredState {
  kRunning,  // Runs, and runs again when the server restarts.
  kReady,    // Defined but stopped (KDA's READY).
};

// A reference data table of the application (reference_table.h): its name in
// SQL and its CSV text, kept in the definition.
struct ReferenceData {
  std::string name;  // As SQL names it (quoted: case-sensitive), 1 to 256 bytes.
  std::string csv;
  bool operator==(const ReferenceData& o) const = default;
};

struct ApplicationDefinition {
  std::string name;    // ValidateAppName.
  std::string source;  // The gamelake stream read as SOURCE_SQL_STREAM_001.
  std::string sql;     // The application code, as given.
  InputSchema input_schema;
  StartPosition start_position = StartPosition::kNow;
  std::string rowtime_field;  // "": ROWTIME is the ingest time.
  std::vector<DestinationSpec> destinations;
  std::vector<ReferenceData> reference_data;  // At most kMaxReferenceTables.
  DesiredState desired_state = DesiredState::kRunning;
  uint64_t version = 1;  // +1 on every update.
  // +1 when an update changes the code, the input schema or the rowtime
  // field: the checkpointed window state belongs to one code version and is
  // discarded when it changes (the input position and ordinals are kept).
  uint64_t code_version = 1;
  int64_t created_us = 0;  // Wall clock, microseconds since the epoch.
  int64_t updated_us = 0;

  bool operator==(const ApplicationDefinition& o) const;
};

// KDA's application names: 1 to 128 of [A-Za-z0-9_.-]; "." and ".." are
// refused too (the name is a directory).
inline constexpr size_t kMaxAppNameLength = 128;
[[nodiscard]] Status ValidateAppName(std::string_view name);

const char* StartPositionName(StartPosition p);  // "now", "earliest"
Result<StartPosition> ParseStartPosition(std::string_view text);
const char* DesiredStateName(DesiredState s);  // "RUNNING", "READY"

// Same columns, types and mappings, in the same order.
bool SameInputSchema(const InputSchema& a, const InputSchema& b);

// The definition as one JSON object (docs/streaming.md, "Applications"): the
// input schema in InputSchemaToJson's form, destinations in
// FormatDestinationSpec's ("data_stream=metrics:NS,PlayerID=playerID").
// With reference_csv false, each reference table is {"name", "bytes"}
// instead of {"name", "csv"} (what the HTTP API shows; not readable back).
std::string ApplicationDefinitionToJson(const ApplicationDefinition& def,
                                        bool reference_csv = true);
// Reads what ApplicationDefinitionToJson writes; errors name the field.
Result<ApplicationDefinition> ParseApplicationDefinition(std::string_view json);

// The readers behind ParseApplicationDefinition, for other documents that
// embed a schema or destinations (the HTTP API's bodies). `field` names `e`
// in errors ("input_schema", "destinations").
Result<InputSchema> ReadInputSchema(simdjson::dom::element e, std::string_view field);
Result<std::vector<DestinationSpec>> ReadDestinations(simdjson::dom::element e,
                                                      std::string_view field);
// [{"name": "...", "csv": "..."}, ...]: names unique; the CSV is parsed when
// the application is checked (ParseReferenceCsv), not here.
Result<std::vector<ReferenceData>> ReadReferenceData(simdjson::dom::element e,
                                                     std::string_view field);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_APPLICATION_DEFINITION_H_
