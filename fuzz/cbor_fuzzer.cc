// Fuzzes the Smithy RPC v2 CBOR decoder of the CloudWatch API (server/cbor.h,
// server/rpc_v2_cbor_protocol.h): the bodies of
// POST /service/GraniteServiceVersion20100801/operation/*. The input is a
// body: it is walked item by item with CborReader, then transcoded to JSON;
// JSON that comes out must be JSON the way back (JsonAnswerToCbor) accepts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "server/cbor.h"
#include "server/rpc_v2_cbor_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body = gamelake::AsView(data, size);
  gamelake::CborReader reader(body, 16);
  while (!reader.done()) {
    gamelake::Result<gamelake::CborReader::Item> item = reader.Next();
    if (!item.ok()) break;
    (void)reader.AtMapKey();
  }

  gamelake::Result<std::string> json = gamelake::CborRequestToJson(body);
  if (json.ok()) {
    gamelake::Result<std::string> back = gamelake::JsonAnswerToCbor(json.value());
    if (!back.ok()) {
      std::fprintf(stderr, "CborRequestToJson made JSON JsonAnswerToCbor refuses: %s\n",
                   back.status().ToString().c_str());
      std::abort();
    }
  }
  return 0;
}
