#include "server/demo_app.h"

#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "generator/record_source.h"
#include "streaming/destination.h"
#include "streaming/record_decoder.h"

namespace gamelake {

namespace {

// KDA discovers from a sample of the stream; 100 renderings of the template
// hold every key with values of every type it can give.
Result<InputSchema> LabInputSchema() {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> source, NewBuiltinSource("builtin:lab", 1));
  std::vector<std::string> sample(100);
  for (std::string& record : sample) source->Next(0, &record);
  return DiscoverInputSchema(sample);
}

}  // namespace

Status InstallDemoApp(AppService* apps) {
  if (apps->Describe(kDemoAppName).ok()) return Status::OK();
  AppSpec spec;
  spec.name = std::string(kDemoAppName);
  spec.source = "events";
  spec.sql = std::string(kLabTask9Sql);
  GL_ASSIGN_OR_RETURN(spec.input_schema, LabInputSchema());
  GL_ASSIGN_OR_RETURN(DestinationSpec destination, ParseDestinationSpec(kLabTask9Destination));
  spec.destinations = std::vector<DestinationSpec>{std::move(destination)};
  GL_RETURN_IF_ERROR(apps->Create(spec).status());
  spdlog::info("msg=\"demo: created the lab's Task 9 application\" app={}", kDemoAppName);
  return Status::OK();
}

}  // namespace gamelake
