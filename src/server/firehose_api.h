// FirehoseApi: an Amazon Data Firehose-compatible front door, so AWS tooling
// (AWS SDKs and CLI, Kinesis Data Generator, Fluent Bit, Vector) sends to
// gamelake unchanged. See docs/firehose.md.
//
// Protocol: AWS JSON 1.1. `POST /` with `X-Amz-Target: Firehose_20150804.<Op>`
// and `Content-Type: application/x-amz-json-1.1`, signed with SigV4. Ops:
// PutRecord, PutRecordBatch, DescribeDeliveryStream, ListDeliveryStreams. A
// delivery stream is a gamelake stream (created on first use). A record's Data
// (base64) holds one JSON object, or several as NDJSON lines; each Data blob
// is stored whole or not at all. RecordId is the _record_id of the blob's
// first record, zero-padded to 20 decimal digits.
//
// Every answer carries x-amzn-RequestId; errors are AWS JSON errors: body
// {"__type": <type>, "message": <text>} and header x-amzn-ErrorType: <type>,
// which the AWS SDKs map to their exception classes.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads; the callbacks
// given to the constructor are called concurrently too.
#ifndef GAMELAKE_SERVER_FIREHOSE_API_H_
#define GAMELAKE_SERVER_FIREHOSE_API_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "ingest/ingest_handler.h"
#include "ingest/record_parser.h"
#include "server/aws_protocol.h"
#include "server/http_server.h"

namespace gamelake {

class FirehoseApi {
 public:
  static constexpr std::string_view kTargetPrefix = "Firehose_20150804.";
  static constexpr size_t kMaxBatchRecords = 500;         // Firehose's limit.
  static constexpr size_t kMaxBatchDataBytes = 4u << 20;  // 4 MiB of decoded Data.
  static constexpr size_t kMaxRecordDataBytes = 1024000;  // 1,000 KiB per record.

  // Authenticates a request. On failure returns a Status whose message is
  // "<AwsErrorType>: <message>" (as SigV4Verifier::Verify produces); that
  // type becomes __type, with HTTP 403 for MissingAuthenticationTokenException,
  // 500 for InternalFailure, 400 otherwise. A message without a type prefix
  // is answered as UnrecognizedClientException.
  using Authenticate = AwsAuthenticate;
  // The streams that exist now (any order), for ListDeliveryStreams.
  using ListStreams = std::function<std::vector<std::string>()>;

  // ingest and env must outlive the FirehoseApi. `limits` bound each Data blob
  // (max_record_bytes, max_depth) and the records of one request (max_records).
  FirehoseApi(Authenticate authenticate, IngestHandler* ingest, ParserLimits limits,
              ListStreams list_streams, Env* env = Env::Default());

  // True if `request` is for this API: POST with an X-Amz-Target that starts
  // with "Firehose_20150804.". (The native API never sends X-Amz-Target.)
  static bool Matches(const HttpRequest& request);

  // Answers one Firehose request; respond is called exactly once, possibly
  // later from the log's writer thread (after the records are durable).
  void Handle(HttpRequest&& request, Respond respond);
  // DescribeDeliveryStream of a stream not (yet) listed answers ACTIVE
  // instead of ResourceNotFoundException (firehose.unknown_streams_active).
  void set_unknown_streams_active(bool active) { unknown_streams_active_ = active; }

 private:
  struct Call;
  void PutRecord(Call& call);
  void PutRecordBatch(Call& call);
  void DescribeDeliveryStream(Call& call);
  void ListDeliveryStreams(Call& call);

  Authenticate authenticate_;
  IngestHandler* ingest_;
  ParserLimits limits_;
  ListStreams list_streams_;
  bool unknown_streams_active_ = false;
  Env* env_;
  int64_t created_us_;  // Reported as every stream's CreateTimestamp.
};

// Strict RFC 4648 base64 (standard alphabet, '=' padding required, no
// whitespace, zero unused bits). Exposed for tests.
Result<std::string> DecodeBase64Strict(std::string_view in);
// RecordId of a record: its _record_id as 20 zero-padded decimal digits.
std::string FirehoseRecordId(uint64_t record_id);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_FIREHOSE_API_H_
