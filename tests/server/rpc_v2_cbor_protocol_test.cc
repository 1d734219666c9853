// RPC v2 CBOR's transcoding: CBOR requests to JSON 1.0 (timestamps, floats,
// indefinite lengths, malformed bodies) and JSON answers and errors to CBOR.
#include "server/rpc_v2_cbor_protocol.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "server/cbor.h"

namespace gamelake {
namespace {

TEST(RpcV2CborTest, RequestsBecomeJson) {
  CborWriter w;
  w.BeginMap(2).Text("Namespace").Text("game").Text("MetricData").BeginArray(2);
  w.BeginIndefinite(5)
      .Text("MetricName")
      .Text("wins")
      .Text("Timestamp")
      .Tag(1)
      .Double(1700000000.5);
  w.Text("Value").Float64(2).Text("Values").BeginIndefinite(4).Int(-3).UInt(7).Break().Break();
  w.BeginMap(5).Text("MetricName").BeginIndefinite(3).Text("lo").Text("sses").Break();
  w.Text("Value").Double(std::nan("")).Text("Counts").BeginArray(1).Double(HUGE_VAL);
  w.Text("StorageResolution").Tag(1).UInt(1);  // Tag 1 on a number is fine.
  w.Text("Blob").Bytes("hi?");
  Result<std::string> json = CborRequestToJson(w.str());
  GL_ASSERT_OK(json);
  EXPECT_EQ(*json,
            R"({"Namespace":"game","MetricData":[{"MetricName":"wins","Timestamp":1700000000.5,)"
            R"("Value":2,"Values":[-3,7]},{"MetricName":"losses","Value":"NaN",)"
            R"("Counts":["Infinity"],"StorageResolution":1,"Blob":"aGk/"}]})");
  EXPECT_EQ(CborRequestToJson("").value(), "{}");
  CborWriter flags;
  flags.BeginMap(3).Text("a").Bool(true).Text("b").Null().Text("c").Undefined();
  EXPECT_EQ(CborRequestToJson(flags.str()).value(), R"({"a":true,"b":null,"c":null})");
}

TEST(RpcV2CborTest, MalformedRequestsNameTheByte) {
  auto refused = [](const std::string& body, const std::string& message) {
    EXPECT_THAT(CborRequestToJson(body), StatusIs(Status::Code::kInvalidArgument,
                                                  "SerializationException: CBOR byte " + message));
  };
  refused(CborWriter().BeginArray(0).str(), "0: the body must be a map");
  refused(CborWriter().BeginMap(1).UInt(1).UInt(2).str(), "1: a map key must be text");
  refused(CborWriter().BeginMap(1).Text("T").Tag(1).Text("now").str(),
          "4: tag 1 (a timestamp) must hold epoch seconds");
  refused(CborWriter().BeginMap(1).Text("x").Simple(5).str(), "3: simple value 5");
  refused(CborWriter().BeginMap(2).Text("x").UInt(1).str(), "0: a map of 2 pairs");
  refused(CborWriter().BeginIndefinite(5).Text("x").str(), "3: truncated");
  std::string deep = CborWriter().BeginMap(1).Text("a").str();
  for (int i = 0; i < 5000; ++i) deep += CborWriter().BeginArray(1).str();
  refused(deep, "66: nested deeper than 64");
}

TEST(RpcV2CborTest, AnswersBecomeCborWithTaggedTimestamps) {
  Result<std::string> cbor =
      JsonAnswerToCbor(R"({"MetricDataResults":[{"Id":"a","Timestamps":[1700000000,1700000000.5],)"
                       R"("Values":[1.5,-2]}],"Messages":[],"Next":null,"Ok":true})");
  GL_ASSERT_OK(cbor);
  CborWriter want;
  want.BeginMap(4).Text("MetricDataResults").BeginArray(1).BeginMap(3).Text("Id").Text("a");
  want.Text("Timestamps").BeginArray(2).Tag(1).UInt(1700000000).Tag(1).Double(1700000000.5);
  want.Text("Values").BeginArray(2).Double(1.5).Int(-2);
  want.Text("Messages").BeginArray(0).Text("Next").Null().Text("Ok").Bool(true);
  EXPECT_EQ(*cbor, want.str());
  // And back: the same JSON, timestamps as epoch seconds.
  Result<std::string> json = CborRequestToJson(*cbor);
  GL_ASSERT_OK(json);
  EXPECT_EQ(*json, R"({"MetricDataResults":[{"Id":"a","Timestamps":[1700000000,1700000000.5],)"
                   R"("Values":[1.5,-2]}],"Messages":[],"Next":null,"Ok":true})");
  EXPECT_THAT(JsonAnswerToCbor("{"), StatusIs(Status::Code::kInternal, ""));
}

TEST(RpcV2CborTest, ErrorsCarryTheShapeId) {
  CborWriter want;
  want.BeginMap(2).Text("__type").Text("com.amazonaws.cloudwatch#InvalidParameterValueException");
  want.Text("message").Text("bad");
  EXPECT_EQ(CborErrorBody({"InvalidParameterValue", 400, "bad"}), want.str());
  Result<std::string> json = CborRequestToJson(CborErrorBody({"MissingParameter", 400, "m"}));
  GL_ASSERT_OK(json);
  EXPECT_EQ(*json, R"({"__type":"com.amazonaws.cloudwatch#MissingRequiredParameterException",)"
                   R"("message":"m"})");
  json = CborRequestToJson(CborErrorBody({"AccessDenied", 403, "no"}));
  EXPECT_EQ(*json, R"({"__type":"AccessDenied","message":"no"})");
}

}  // namespace
}  // namespace gamelake
