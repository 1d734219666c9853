// FirehoseApi over a real write-ahead log: the AWS JSON 1.1 operations, their
// errors, RecordIds against the _record_ids stored, and per-record failures.
#include "server/firehose_api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <simdjson.h>

#include "common/metrics.h"
#include "ingest/event_deduper.h"
#include "ingest/ingest_handler.h"
#include "log/wal.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
  }
  if (in.size() - i == 1) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

struct Answer {
  unsigned status = 0;
  std::string body;
  std::string error_type;  // x-amzn-ErrorType
  std::string request_id;
  std::string content_type;
  simdjson::dom::parser parser;
  simdjson::dom::element json;

  std::string Type() {
    std::string_view t;
    return json["__type"].get(t) == simdjson::SUCCESS ? std::string(t) : "";
  }
  std::string Message() {
    std::string_view t;
    return json["message"].get(t) == simdjson::SUCCESS ? std::string(t) : "";
  }
};

class FirehoseApiTest : public ::testing::Test {
 protected:
  FirehoseApiTest() {
    dir_ = (std::filesystem::path(testing::TempDir()) /
            ("gl_firehose_" + std::to_string(::getpid()) + "_" +
             testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    WalOptions options;
    options.dir = dir_;
    options.durability = Durability::kNone;
    RecoveryReport report;
    auto wal = Wal::Open(options, &report);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    wal_ = std::move(wal).value();
    ingest_ = std::make_unique<IngestHandler>(wal_.get(), &metrics_);
    api_ =
        std::make_unique<FirehoseApi>([this](const HttpRequest& req) { return Authenticate(req); },
                                      ingest_.get(), limits_, [this] { return streams_; });
  }
  // Rebuilds the handler with idempotent retries by "event_id".
  void EnableDedupe() {
    api_.reset();
    ingest_.reset();
    deduper_ = std::make_unique<EventDeduper>(EventDeduperOptions{});
    IngestOptions options;
    options.deduper = deduper_.get();
    ingest_ = std::make_unique<IngestHandler>(wal_.get(), &metrics_, options);
    api_ =
        std::make_unique<FirehoseApi>([this](const HttpRequest& req) { return Authenticate(req); },
                                      ingest_.get(), limits_, [this] { return streams_; });
  }

  ~FirehoseApiTest() override {
    // Close the log first: it runs the handler's pending (dead-letter) callbacks.
    if (wal_) (void)wal_->Close();
    api_.reset();
    ingest_.reset();
    wal_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Test authentication: header X-Test-Auth says who or what fails.
  Result<AwsPrincipal> Authenticate(const HttpRequest& req) {
    auto it = req.find("X-Test-Auth");
    std::string mode = it == req.end() ? "" : std::string(it->value());
    if (mode == "bad-signature") {
      return Status::InvalidArgument(
          "InvalidSignatureException: The request signature we "
          "calculated does not match the signature you provided.");
    }
    if (mode == "none") {
      return Status::InvalidArgument(
          "MissingAuthenticationTokenException: Missing Authentication Token");
    }
    if (mode == "plain-error") return Status::NotFound("no such key");
    AwsPrincipal p;
    p.key_id = "GLKTEST";
    p.region = "eu-central-1";
    if (mode == "games-only") {
      p.can_write = [](std::string_view s) { return s.starts_with("game"); };
    }
    if (mode == "throttled") {
      p.admit = [this](uint64_t records, uint64_t bytes) -> int64_t {
        admitted_records_ += records;
        return 7;
      };
    }
    p.forget_request = [this] { ++forgotten_; };
    return p;
  }

  uint64_t admitted_records_ = 0;

  std::unique_ptr<Answer> Call(std::string_view op, std::string body, std::string auth = "",
                               http::verb method = http::verb::post) {
    HttpRequest req{method, "/", 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::content_type, "application/x-amz-json-1.1");
    if (!op.empty())
      req.set("X-Amz-Target", std::string(FirehoseApi::kTargetPrefix) + std::string(op));
    if (!auth.empty()) req.set("X-Test-Auth", auth);
    req.body() = std::move(body);
    std::promise<HttpResponse> promise;
    auto future = promise.get_future();
    std::atomic<int> calls{0};
    api_->Handle(std::move(req), [&](HttpResponse res) {
      ++calls;
      promise.set_value(std::move(res));
    });
    HttpResponse res = future.get();
    EXPECT_EQ(calls.load(), 1);
    auto a = std::make_unique<Answer>();
    a->status = res.result_int();
    a->body = res.body();
    a->error_type = std::string(res["x-amzn-ErrorType"]);
    a->request_id = std::string(res["x-amzn-RequestId"]);
    a->content_type = std::string(res[http::field::content_type]);
    EXPECT_EQ(a->parser.parse(a->body).get(a->json), simdjson::SUCCESS) << a->body;
    EXPECT_EQ(a->request_id.size(), 36u);
    EXPECT_EQ(a->content_type, "application/x-amz-json-1.1");
    if (a->status != 200) {
      // AWS JSON errors: the type in the body and in the header.
      EXPECT_EQ(a->Type(), a->error_type) << a->body;
      EXPECT_FALSE(a->Message().empty()) << a->body;
    }
    return a;
  }

  // The (seq, payload) of every record of `stream` in the log.
  std::vector<std::pair<uint64_t, std::string>> Stored(std::string_view stream) {
    std::vector<std::pair<uint64_t, std::string>> out;
    auto cursor = wal_->NewCursor(0);
    LogRecord rec;
    for (;;) {
      Result<bool> more = cursor->Next(&rec);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !more.value()) break;
      if (rec.stream == stream) out.emplace_back(rec.seq, std::string(rec.payload));
    }
    return out;
  }

  static std::string PutRecordBody(std::string_view stream, std::string_view data_b64) {
    return "{\"DeliveryStreamName\":\"" + std::string(stream) + "\",\"Record\":{\"Data\":\"" +
           std::string(data_b64) + "\"}}";
  }
  static std::string BatchBody(std::string_view stream, const std::vector<std::string>& b64) {
    std::string body = "{\"DeliveryStreamName\":\"" + std::string(stream) + "\",\"Records\":[";
    for (size_t i = 0; i < b64.size(); ++i) {
      if (i > 0) body += ",";
      body += "{\"Data\":\"" + b64[i] + "\"}";
    }
    return body + "]}";
  }

  std::string dir_;
  Metrics metrics_;
  ParserLimits limits_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<EventDeduper> deduper_;
  std::unique_ptr<IngestHandler> ingest_;
  std::unique_ptr<FirehoseApi> api_;
  std::vector<std::string> streams_;
  std::atomic<int> forgotten_{0};
};

std::string RecordIdOf(Answer& a) {
  std::string_view id;
  EXPECT_EQ(a.json["RecordId"].get(id), simdjson::SUCCESS) << a.body;
  return std::string(id);
}

TEST_F(FirehoseApiTest, PutRecordStoresOneObjectAndAnswersItsRecordId) {
  auto a = Call("PutRecord", PutRecordBody("events", Base64("{\"level\":3}\n")));
  ASSERT_EQ(a->status, 200u) << a->body;
  auto stored = Stored("events");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].second, "{\"level\":3}");
  EXPECT_EQ(RecordIdOf(*a), FirehoseRecordId(stored[0].first));
  EXPECT_EQ(RecordIdOf(*a).size(), 20u);
  bool encrypted = true;
  EXPECT_EQ(a->json["Encrypted"].get(encrypted), simdjson::SUCCESS);
  EXPECT_FALSE(encrypted);
}

TEST_F(FirehoseApiTest, PutRecordDataMayHoldNdjsonOrPrettyPrintedJson) {
  auto a =
      Call("PutRecord", PutRecordBody("events", Base64("{\"a\":1}\r\n\n{\"a\":2}\n{\"a\":3}")));
  ASSERT_EQ(a->status, 200u) << a->body;
  auto stored = Stored("events");
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[2].second, "{\"a\":3}");
  EXPECT_EQ(RecordIdOf(*a), FirehoseRecordId(stored[0].first));  // The first record's.

  // The Kinesis Data Generator's templates are multi-line JSON documents.
  auto b =
      Call("PutRecord",
           PutRecordBody("events", Base64("{\n  \"sensor\": 7,\n  \"tags\": [\n 1,\n 2]\n}\n")));
  ASSERT_EQ(b->status, 200u) << b->body;
  stored = Stored("events");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[3].second, "{\n  \"sensor\": 7,\n  \"tags\": [\n 1,\n 2]\n}");
}

TEST_F(FirehoseApiTest, PutRecordRejectsBadDataWhole) {
  struct Case {
    std::string b64;
    std::string type;
    std::string message_part;
  };
  const Case cases[] = {
      {"e30", "SerializationException", "not valid base64"},  // No padding.
      {"e3 0", "SerializationException", "invalid base64 character"},
      {Base64("not json"), "InvalidArgumentException", "JSON"},
      {Base64("[1,2]"), "InvalidArgumentException", "object"},
      {Base64("{\"a\":1}\n{\"b\":"), "InvalidArgumentException", "line 2"},  // One bad line.
      {Base64("  \n "), "InvalidArgumentException", "empty"},
      {"", "InvalidArgumentException", "empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.b64);
    auto a = Call("PutRecord", PutRecordBody("events", c.b64));
    EXPECT_EQ(a->status, 400u);
    EXPECT_EQ(a->Type(), c.type) << a->body;
    EXPECT_NE(a->Message().find(c.message_part), std::string::npos) << a->body;
  }
  // Dead letters are fire-and-forget; a later answered append orders after them.
  ASSERT_EQ(Call("PutRecord", PutRecordBody("other", Base64("{}")))->status, 200u);
  EXPECT_TRUE(Stored("events").empty());    // Nothing of a refused Data is kept...
  EXPECT_EQ(Stored("_errors").size(), 7u);  // ...it is dead-lettered instead.

  std::string big = "{\"x\":\"" + std::string(FirehoseApi::kMaxRecordDataBytes, 'x') + "\"}";
  auto a = Call("PutRecord", PutRecordBody("events", Base64(big)));
  EXPECT_EQ(a->status, 400u);
  EXPECT_EQ(a->Type(), "ValidationException");
  EXPECT_NE(a->Message().find("less than or equal to 1024000"), std::string::npos);
}

TEST_F(FirehoseApiTest, PutRecordBatchFailsBadRecordsAloneInOrder) {
  std::vector<std::string> data = {
      Base64("{\"i\":0}"),
      "!!!!",                            // Not base64.
      Base64("\"just a string\""),       // Not an object.
      Base64("{\"i\":3}\n{\"i\":4}\n"),  // Two records in one Data.
      Base64("{\"i\":5}"),
  };
  auto a = Call("PutRecordBatch", BatchBody("games", data));
  ASSERT_EQ(a->status, 200u) << a->body;
  int64_t failed = -1;
  ASSERT_EQ(a->json["FailedPutCount"].get(failed), simdjson::SUCCESS);
  EXPECT_EQ(failed, 2);
  simdjson::dom::array responses;
  ASSERT_EQ(a->json["RequestResponses"].get(responses), simdjson::SUCCESS);
  ASSERT_EQ(responses.size(), 5u);

  auto stored = Stored("games");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].second, "{\"i\":0}");
  EXPECT_EQ(stored[1].second, "{\"i\":3}");
  EXPECT_EQ(stored[2].second, "{\"i\":4}");
  EXPECT_EQ(stored[3].second, "{\"i\":5}");

  std::vector<std::string> ids, codes, messages;
  for (simdjson::dom::element r : responses) {
    std::string_view id, code, message;
    ids.emplace_back(r["RecordId"].get(id) == simdjson::SUCCESS ? id : "");
    codes.emplace_back(r["ErrorCode"].get(code) == simdjson::SUCCESS ? code : "");
    messages.emplace_back(r["ErrorMessage"].get(message) == simdjson::SUCCESS ? message : "");
  }
  EXPECT_EQ(ids[0], FirehoseRecordId(stored[0].first));
  EXPECT_EQ(ids[1], "");
  EXPECT_EQ(codes[1], "InvalidArgumentException");
  EXPECT_NE(messages[1].find("base64"), std::string::npos);
  EXPECT_EQ(ids[2], "");
  EXPECT_EQ(codes[2], "InvalidArgumentException");
  EXPECT_NE(messages[2].find("object"), std::string::npos) << messages[2];
  EXPECT_EQ(ids[3], FirehoseRecordId(stored[1].first));  // The first of its two records.
  EXPECT_EQ(ids[4], FirehoseRecordId(stored[3].first));
  EXPECT_EQ(codes[4], "");
}

TEST_F(FirehoseApiTest, PutRecordBatchLimits) {
  auto empty = Call("PutRecordBatch", BatchBody("games", {}));
  EXPECT_EQ(empty->status, 400u);
  EXPECT_EQ(empty->Type(), "ValidationException");

  std::vector<std::string> many(501, Base64("{}"));
  auto too_many = Call("PutRecordBatch", BatchBody("games", many));
  EXPECT_EQ(too_many->status, 400u);
  EXPECT_EQ(too_many->Type(), "ValidationException");
  EXPECT_NE(too_many->Message().find("500"), std::string::npos);

  many.resize(500);
  auto max = Call("PutRecordBatch", BatchBody("games", many));
  EXPECT_EQ(max->status, 200u) << max->body.substr(0, 300);
  EXPECT_EQ(Stored("games").size(), 500u);

  // One record over 1,000 KiB fails alone.
  std::string big = "{\"x\":\"" + std::string(FirehoseApi::kMaxRecordDataBytes, 'x') + "\"}";
  auto one_big = Call("PutRecordBatch", BatchBody("games", {Base64(big), Base64("{}")}));
  ASSERT_EQ(one_big->status, 200u);
  int64_t failed = -1;
  ASSERT_EQ(one_big->json["FailedPutCount"].get(failed), simdjson::SUCCESS);
  EXPECT_EQ(failed, 1);

  // More than 4 MiB of Data in one request fails the request.
  std::string chunk = "{\"x\":\"" + std::string(1000000, 'y') + "\"}";
  std::vector<std::string> heavy(5, Base64(chunk));
  auto too_heavy = Call("PutRecordBatch", BatchBody("games", heavy));
  EXPECT_EQ(too_heavy->status, 400u);
  EXPECT_EQ(too_heavy->Type(), "InvalidArgumentException");
  EXPECT_NE(too_heavy->Message().find("4 MiB"), std::string::npos);
  EXPECT_EQ(Stored("games").size(), 501u);
}

TEST_F(FirehoseApiTest, RequestShapeErrors) {
  struct Case {
    std::string op;
    std::string body;
    std::string type;
    std::string message_part;
  };
  const Case cases[] = {
      {"PutRecord", "{not json", "SerializationException", "not valid JSON"},
      {"PutRecord", "[1]", "SerializationException", "JSON object"},
      {"PutRecord", "{}", "ValidationException", "'deliveryStreamName'"},
      {"PutRecord", "{\"DeliveryStreamName\":5}", "SerializationException", "string"},
      {"PutRecord", "{\"DeliveryStreamName\":\"s\"}", "ValidationException", "'record'"},
      {"PutRecord", "{\"DeliveryStreamName\":\"s\",\"Record\":{}}", "ValidationException",
       "'record.data'"},
      {"PutRecord", "{\"DeliveryStreamName\":\"s\",\"Record\":{\"Data\":1}}",
       "SerializationException", "base64 string"},
      {"PutRecord", PutRecordBody("bad.name", "e30="), "ValidationException", "letters, digits"},
      {"PutRecord", PutRecordBody("_errors", "e30="), "ValidationException", "reserved"},
      {"PutRecordBatch", "{\"DeliveryStreamName\":\"s\"}", "ValidationException", "'records'"},
      {"PutRecordBatch", "{\"DeliveryStreamName\":\"s\",\"Records\":{}}", "SerializationException",
       "array"},
      {"PutRecordBatch", "{\"DeliveryStreamName\":\"s\",\"Records\":[{}]}", "ValidationException",
       "'records.1.member.data'"},
      {"CreateDeliveryStream", "{}", "UnknownOperationException", "not supported"},
      {"", "{}", "UnknownOperationException", "X-Amz-Target"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op + " " + c.body);
    auto a = Call(c.op, c.body);
    EXPECT_EQ(a->status, 400u);
    EXPECT_EQ(a->Type(), c.type) << a->body;
    EXPECT_NE(a->Message().find(c.message_part), std::string::npos) << a->body;
  }
  auto get = Call("PutRecord", "", "", http::verb::get);
  EXPECT_EQ(get->status, 405u);
}

TEST_F(FirehoseApiTest, AuthenticationErrorsKeepTheirAwsType) {
  auto bad = Call("PutRecord", PutRecordBody("events", "e30="), "bad-signature");
  EXPECT_EQ(bad->status, 400u);
  EXPECT_EQ(bad->Type(), "InvalidSignatureException");
  EXPECT_EQ(bad->error_type, "InvalidSignatureException");
  EXPECT_NE(bad->Message().find("does not match"), std::string::npos);

  auto none = Call("ListDeliveryStreams", "{}", "none");
  EXPECT_EQ(none->status, 403u);
  EXPECT_EQ(none->Type(), "MissingAuthenticationTokenException");

  auto plain = Call("PutRecord", PutRecordBody("events", "e30="), "plain-error");
  EXPECT_EQ(plain->status, 400u);
  EXPECT_EQ(plain->Type(), "UnrecognizedClientException");
  EXPECT_TRUE(Stored("events").empty());
}

TEST_F(FirehoseApiTest, RateLimitedKeysAreThrottledAndNothingIsStored) {
  auto one =
      Call("PutRecord", PutRecordBody("events", Base64("{\"a\":1}\n{\"a\":2}")), "throttled");
  EXPECT_EQ(one->status, 503u);
  EXPECT_NE(one->body.find("ServiceUnavailableException"), std::string::npos) << one->body;
  auto batch = Call("PutRecordBatch",
                    BatchBody("games", {Base64("{}"), Base64("{}"), Base64("{}")}), "throttled");
  EXPECT_EQ(batch->status, 503u);
  EXPECT_NE(batch->body.find("Slow down"), std::string::npos) << batch->body;
  EXPECT_EQ(admitted_records_, 5u);  // Asked for 2, then 3 records.
  EXPECT_EQ(forgotten_, 2);          // An identical retry may pass the replay guard.
  EXPECT_EQ(wal_->next_seq(), 1u);   // Nothing stored.
}

TEST_F(FirehoseApiTest, StreamPermissions) {
  auto denied = Call("PutRecordBatch", BatchBody("events", {Base64("{}")}), "games-only");
  EXPECT_EQ(denied->status, 400u);
  EXPECT_EQ(denied->Type(), "AccessDeniedException");
  EXPECT_NE(denied->Message().find("GLKTEST"), std::string::npos);
  EXPECT_TRUE(Stored("events").empty());

  auto allowed = Call("PutRecordBatch", BatchBody("games", {Base64("{}")}), "games-only");
  EXPECT_EQ(allowed->status, 200u);

  auto hidden = Call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"events\"}", "games-only");
  EXPECT_EQ(hidden->status, 400u);
  EXPECT_EQ(hidden->Type(), "ResourceNotFoundException");

  streams_ = {"events", "games", "games2", "_errors"};
  auto list = Call("ListDeliveryStreams", "{}", "games-only");
  ASSERT_EQ(list->status, 200u);
  EXPECT_EQ(simdjson::minify(list->json["DeliveryStreamNames"]), "[\"games\",\"games2\"]");
}

TEST_F(FirehoseApiTest, DescribeAnExistingStreamAsActiveAndAnUnknownOneAsNotFound) {
  // As Firehose: a stream that was never created (here: never written) is not found.
  auto unknown = Call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"never-used\"}");
  EXPECT_EQ(unknown->status, 400u);
  EXPECT_EQ(unknown->Type(), "ResourceNotFoundException");
  EXPECT_NE(unknown->Message().find("never-used"), std::string::npos);
  streams_ = {"never-used"};
  auto a = Call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"never-used\"}");
  ASSERT_EQ(a->status, 200u) << a->body;
  simdjson::dom::element d = a->json["DeliveryStreamDescription"];
  std::string_view s;
  EXPECT_EQ(d["DeliveryStreamName"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "never-used");
  EXPECT_EQ(d["DeliveryStreamARN"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "arn:aws:firehose:eu-central-1:000000000000:deliverystream/never-used");
  EXPECT_EQ(d["DeliveryStreamStatus"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "ACTIVE");
  EXPECT_EQ(d["DeliveryStreamType"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "DirectPut");
  double created = 0;
  EXPECT_EQ(d["CreateTimestamp"].get(created), simdjson::SUCCESS);
  EXPECT_GT(created, 1.6e9);
  EXPECT_EQ(simdjson::minify(d["Destinations"]), "[]");

  // firehose.unknown_streams_active: any valid name is ACTIVE (made on first use).
  api_->set_unknown_streams_active(true);
  EXPECT_EQ(Call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"later\"}")->status, 200u);
  auto bad = Call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"no/such\"}");
  EXPECT_EQ(bad->status, 400u);
  EXPECT_EQ(bad->Type(), "ResourceNotFoundException");
  auto missing = Call("DescribeDeliveryStream", "{}");
  EXPECT_EQ(missing->Type(), "ValidationException");
}

TEST_F(FirehoseApiTest, ListDeliveryStreamsPagesInNameOrder) {
  streams_ = {"c", "a", "_errors", "b", "a"};
  auto all = Call("ListDeliveryStreams", "");  // An empty body is an empty input.
  ASSERT_EQ(all->status, 200u) << all->body;
  EXPECT_EQ(simdjson::minify(all->json["DeliveryStreamNames"]), "[\"a\",\"b\",\"c\"]");
  bool more = true;
  EXPECT_EQ(all->json["HasMoreDeliveryStreams"].get(more), simdjson::SUCCESS);
  EXPECT_FALSE(more);

  auto page =
      Call("ListDeliveryStreams", "{\"Limit\":1,\"ExclusiveStartDeliveryStreamName\":\"a\"}");
  ASSERT_EQ(page->status, 200u);
  EXPECT_EQ(simdjson::minify(page->json["DeliveryStreamNames"]), "[\"b\"]");
  EXPECT_EQ(page->json["HasMoreDeliveryStreams"].get(more), simdjson::SUCCESS);
  EXPECT_TRUE(more);

  auto other_type =
      Call("ListDeliveryStreams", "{\"DeliveryStreamType\":\"KinesisStreamAsSource\"}");
  EXPECT_EQ(simdjson::minify(other_type->json["DeliveryStreamNames"]), "[]");
  auto bad_limit = Call("ListDeliveryStreams", "{\"Limit\":0}");
  EXPECT_EQ(bad_limit->Type(), "ValidationException");
}

TEST_F(FirehoseApiTest, LogRefusalIsServiceUnavailableAndForgetsTheRequest) {
  ASSERT_TRUE(wal_->Close().ok());
  auto a = Call("PutRecordBatch", BatchBody("games", {Base64("{}")}));
  EXPECT_EQ(a->status, 503u);
  EXPECT_EQ(a->Type(), "ServiceUnavailableException");
  EXPECT_EQ(forgotten_.load(), 1);
  auto b = Call("PutRecord", PutRecordBody("games", Base64("{}")));
  EXPECT_EQ(b->status, 503u);
  EXPECT_EQ(b->Type(), "ServiceUnavailableException");
  EXPECT_EQ(forgotten_.load(), 2);
}

std::vector<std::string> RecordIds(Answer& a) {
  std::vector<std::string> ids;
  simdjson::dom::array responses;
  EXPECT_EQ(a.json["RequestResponses"].get(responses), simdjson::SUCCESS) << a.body;
  for (simdjson::dom::element r : responses) {
    std::string_view id;
    ids.emplace_back(r["RecordId"].get(id) == simdjson::SUCCESS ? id : "");
  }
  return ids;
}

TEST_F(FirehoseApiTest, RetriedEventsAreAcknowledgedNotStoredTwice) {
  EnableDedupe();
  auto first =
      Call("PutRecordBatch",
           BatchBody("games", {Base64("{\"event_id\":\"a\"}"), Base64("{\"event_id\":\"b\"}")}));
  ASSERT_EQ(first->status, 200u) << first->body;
  auto stored = Stored("games");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(RecordIds(*first), (std::vector<std::string>{FirehoseRecordId(stored[0].first),
                                                         FirehoseRecordId(stored[1].first)}));

  // A retry of "a" with a new event: "a" is not stored again. Which _record_id
  // each entry got is no longer known, so RecordIds carry the entry's index.
  auto retry =
      Call("PutRecordBatch",
           BatchBody("games", {Base64("{\"event_id\":\"a\"}"), Base64("{\"event_id\":\"c\"}")}));
  ASSERT_EQ(retry->status, 200u) << retry->body;
  int64_t failed = -1;
  ASSERT_EQ(retry->json["FailedPutCount"].get(failed), simdjson::SUCCESS);
  EXPECT_EQ(failed, 0);
  stored = Stored("games");
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[2].second, "{\"event_id\":\"c\"}");
  std::vector<std::string> ids = RecordIds(*retry);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], FirehoseRecordId(stored[2].first) + "-000");
  EXPECT_EQ(ids[1], FirehoseRecordId(stored[2].first) + "-001");

  // PutRecord of a retried event answers the original's RecordId.
  auto again = Call("PutRecord", PutRecordBody("games", Base64("{\"event_id\":\"b\"}")));
  ASSERT_EQ(again->status, 200u) << again->body;
  EXPECT_EQ(RecordIdOf(*again), FirehoseRecordId(stored[1].first));
  EXPECT_EQ(Stored("games").size(), 3u);
}

TEST(FirehoseBase64Test, StrictDecoding) {
  auto ok = [](std::string_view in) {
    Result<std::string> r = DecodeBase64Strict(in);
    EXPECT_TRUE(r.ok()) << in << ": " << r.status().ToString();
    return r.ok() ? r.value() : "";
  };
  EXPECT_EQ(ok(""), "");
  EXPECT_EQ(ok("Zg=="), "f");
  EXPECT_EQ(ok("Zm8="), "fo");
  EXPECT_EQ(ok("Zm9v"), "foo");
  EXPECT_EQ(ok("+/+/"), "\xfb\xff\xbf");
  for (std::string_view bad : {"Zg", "Zg=", "Zg===", "Z===", "Zm9v\n", " Zm9v", "Zm=v",
                               "Zh==", "Zm9=", "Zm-v", "Zm_v", "====", "Zg==Zg=="}) {
    EXPECT_FALSE(DecodeBase64Strict(bad).ok()) << bad;
  }
}

TEST(FirehoseMatchTest, OnlyPostWithFirehoseTarget) {
  HttpRequest req{http::verb::post, "/", 11};
  EXPECT_FALSE(FirehoseApi::Matches(req));
  req.set("X-Amz-Target", "Firehose_20150804.PutRecord");
  EXPECT_TRUE(FirehoseApi::Matches(req));
  req.set("X-Amz-Target", "Kinesis_20131202.PutRecord");
  EXPECT_FALSE(FirehoseApi::Matches(req));
  req.set("X-Amz-Target", "Firehose_20150804.PutRecord");
  req.method(http::verb::get);
  EXPECT_FALSE(FirehoseApi::Matches(req));
  EXPECT_EQ(FirehoseRecordId(1042), "00000000000000001042");
}

}  // namespace
}  // namespace gamelake
