// The Smithy RPC v2 CBOR protocol's framing of the CloudWatch API (what the Go
// v2 SDK and the JS v3 SDK's AwsSmithyRpcV2CborProtocol send):
// `POST /service/GraniteServiceVersion20100801/operation/<Op>` with
// `smithy-protocol: rpc-v2-cbor` and a CBOR map (cbor.h) with the member names
// of AWS JSON 1.0; timestamps are tag 1 around epoch seconds.
//
// The framing is transcoded to and from the JSON 1.0 bodies CloudWatchApi
// executes:
//   CborRequestToJson   the CBOR body -> JSON text (tag 1 -> epoch seconds, byte
//                       strings -> base64, NaN/Infinity -> AWS JSON's strings). A
//                       malformed body is a SerializationException naming the byte.
//   JsonAnswerToCbor    the JSON answer -> CBOR; timestamp members (by name,
//                       cloudwatch_shapes.h) become tag 1.
//   CborErrorBody       {"__type": <error shape id>, "message": ...}.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_SERVER_RPC_V2_CBOR_PROTOCOL_H_
#define GAMELAKE_SERVER_RPC_V2_CBOR_PROTOCOL_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "metrics/cloudwatch_service.h"

namespace gamelake {

// An empty body is an empty map ({}).
Result<std::string> CborRequestToJson(std::string_view cbor);
// Fails only if `json` is not JSON (an internal error).
Result<std::string> JsonAnswerToCbor(std::string_view json);
std::string CborErrorBody(const CloudWatchError& error);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_RPC_V2_CBOR_PROTOCOL_H_
