// Fuzzes the CloudWatch AWS Query protocol decoder (server/aws_query_protocol.h):
// the form-encoded bodies (Action=PutMetricData&MetricData.member.1...) that
// the AWS CLI v1 and older SDKs POST. The input is the form body. A form that
// decodes becomes JSON 1.0, which must then be a JSON object the XML answer
// writer accepts (the writer is run on it as if it were an answer).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/xml_escape.h"
#include "fuzz/fuzz_request.h"
#include "server/aws_query_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view form = gamelake::AsView(data, size);
  gamelake::Result<gamelake::QueryCall> call = gamelake::QueryFormToJson(form);
  if (call.ok()) {
    gamelake::Result<std::string> xml =
        gamelake::QueryXmlAnswer(call.value().action, call.value().json, "fuzz-request");
    if (!xml.ok()) {
      std::fprintf(stderr, "QueryFormToJson made JSON the XML writer refuses: %s\n",
                   xml.status().ToString().c_str());
      std::abort();
    }
  } else {
    gamelake::CloudWatchError error = gamelake::ToCloudWatchError(call.status());
    (void)gamelake::QueryXmlError(error, "fuzz-request");
  }
  (void)gamelake::XmlEscapeReplacing(form);
  return 0;
}
