#include "server/firehose_api.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "auth/sigv4.h"  // AwsAuthErrorType/Message (inline; no link dependency).
#include "common/json_writer.h"
#include "server/server.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;
namespace dom = simdjson::dom;

constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr std::string_view kAccount = "000000000000";
constexpr std::string_view kDefaultRegion = "us-east-1";

// AWS error types used here (besides the authentication ones from SigV4).
constexpr std::string_view kSerialization = "SerializationException";
constexpr std::string_view kValidation = "ValidationException";
constexpr std::string_view kInvalidArgument = "InvalidArgumentException";
constexpr std::string_view kResourceNotFound = "ResourceNotFoundException";
constexpr std::string_view kAccessDenied = "AccessDeniedException";
constexpr std::string_view kUnknownOperation = "UnknownOperationException";
constexpr std::string_view kServiceUnavailable = "ServiceUnavailableException";
constexpr std::string_view kUnrecognizedClient = "UnrecognizedClientException";

// Firehose speaks AWS JSON 1.1.
HttpResponse AwsJson(unsigned status, std::string body, const std::string& request_id) {
  return AwsJsonResponse(status, std::move(body), kContentType, request_id);
}

HttpResponse AwsErrorResponse(unsigned status, std::string_view type, std::string_view message,
                              const std::string& request_id) {
  return AwsJsonError(status, type, message, kContentType, request_id);
}

// "1 validation error detected: Value null at 'x' failed to satisfy constraint: ..."
std::string ValidationMessage(std::string_view value, std::string_view member,
                              std::string_view constraint) {
  return fmt::format(
      "1 validation error detected: Value {} at '{}' failed to satisfy constraint: {}", value,
      member, constraint);
}

std::string_view TrimJsonSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Records split out of Data blobs, copied into one buffer (the parser's views
// die at its next Parse call).
struct RecordArena {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> spans;  // (offset, length) per record.

  void Add(std::string_view record) {
    spans.emplace_back(bytes.size(), record.size());
    bytes.append(record);
  }
  std::vector<std::string_view> Views() const {
    std::vector<std::string_view> out;
    out.reserve(spans.size());
    for (auto [off, len] : spans) out.emplace_back(bytes.data() + off, len);
    return out;
  }
};

// Why a Data blob was refused: a stable code (the parser's record codes,
// "malformed_body", "empty_record", "invalid_base64", "record_too_large") and
// a message.
struct BlobError {
  std::string code;
  std::string message;
};

// Splits one decoded Data blob into records: NDJSON (one object per line), or
// failing that one JSON object or an array of objects (pretty-printed JSON, as
// the Kinesis Data Generator's templates produce). All or nothing: on error
// nothing is added to the arena.
std::optional<BlobError> SplitBlob(RecordParser& parser, std::string_view blob,
                                   RecordArena* arena) {
  if (TrimJsonSpace(blob).empty()) return BlobError{"empty_record", "Data is empty"};
  ParsedBody parsed;
  Status s = parser.Parse(blob, BodyFormat::kNdjson, false, &parsed);
  if (s.ok() && parsed.errors.empty()) {
    for (std::string_view r : parsed.records) arena->Add(r);
    return std::nullopt;
  }
  BlobError ndjson_error =
      s.ok() ? BlobError{parsed.errors.front().code, parsed.errors.front().message}
             : BlobError{"malformed_body", s.message()};
  bool first_line_bad = s.ok() && parsed.errors.front().index == 0;

  ParsedBody whole;
  Status js = parser.Parse(blob, BodyFormat::kJson, false, &whole);
  if (js.ok() && whole.errors.empty()) {
    for (std::string_view r : whole.records) arena->Add(r);
    return std::nullopt;
  }
  // Report what most likely went wrong: a broken multi-line document reads
  // best as JSON; a bad line among good ones as NDJSON.
  if (first_line_bad) {
    return js.ok() ? BlobError{whole.errors.front().code, whole.errors.front().message}
                   : BlobError{"invalid_json", js.message()};
  }
  return ndjson_error;
}

constexpr std::string_view kDataShape =
    "Data must hold one JSON object, a JSON array of objects, or NDJSON (one object per line)";

std::string StreamArn(std::string_view region, std::string_view stream) {
  return fmt::format("arn:aws:firehose:{}:{}:deliverystream/{}",
                     region.empty() ? kDefaultRegion : region, kAccount, stream);
}

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<std::string> DecodeBase64Strict(std::string_view in) {
  if (in.size() % 4 != 0) {
    return Status::InvalidArgument(
        fmt::format("length {} is not a multiple of 4 (padding '=' is required)", in.size()));
  }
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      unsigned char c = static_cast<unsigned char>(in[i + j]);
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[j] = Base64Value(c)) < 0) {
        return Status::InvalidArgument(fmt::format("invalid base64 character {} at offset {}",
                                                   c >= 0x20 && c < 0x7f
                                                       ? fmt::format("'{}'", static_cast<char>(c))
                                                       : fmt::format("0x{:02x}", c),
                                                   i + j));
      }
    }
    uint32_t n =
        (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xFF));
    // The bits padding drops must be zero, or two encodings decode alike.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0)) {
      return Status::InvalidArgument(
          fmt::format("non-zero padding bits at offset {} (not canonical base64)", i));
    }
  }
  return out;
}

std::string FirehoseRecordId(uint64_t record_id) { return fmt::format("{:020d}", record_id); }

namespace {

// Sends the answer of one request; moved into the log's callback when the
// answer waits for durability.
struct Reply {
  Respond respond;
  std::string request_id;
  std::function<void()> forget_request;

  void Ok(std::string body) const { respond(AwsJson(200, std::move(body), request_id)); }
  void Error(unsigned status, std::string_view type, std::string_view message) const {
    respond(AwsErrorResponse(status, type, message, request_id));
  }
  // Over the key's rate limit: nothing stored; Firehose says "Slow down."
  void Throttled(int64_t retry_after_s) const {
    if (forget_request) forget_request();
    HttpResponse res = AwsErrorResponse(
        503, kServiceUnavailable,
        fmt::format("Slow down. The key is over its rate limit; nothing was stored, retry in {} s.",
                    retry_after_s),
        request_id);
    res.set(http::field::retry_after, std::to_string(retry_after_s));
    respond(std::move(res));
  }
  // The log refused the records: nothing stored, the client should retry.
  void NotStored(const Status& status) const {
    if (forget_request) forget_request();
    HttpResponse res = AwsErrorResponse(
        503, kServiceUnavailable,
        fmt::format("Records not stored: {}. Nothing was acknowledged; back off and retry.",
                    status.ToString()),
        request_id);
    res.set(http::field::retry_after, "1");
    respond(std::move(res));
  }
};

}  // namespace

// One request being handled (synchronously, on an HTTP thread).
struct FirehoseApi::Call {
  HttpRequest request;
  Reply reply;
  std::string op;
  AwsPrincipal principal;
  dom::object input;  // Points into the thread's simdjson parser: synchronous use only.

  void Ok(std::string body) { reply.Ok(std::move(body)); }
  void Error(unsigned status, std::string_view type, std::string_view message) {
    reply.Error(status, type, message);
  }
  const std::string& Region() const { return principal.region; }
  bool CanWrite(std::string_view stream) const {
    return !principal.can_write || principal.can_write(stream);
  }

  // Reads an optional string member. False (after answering) on a type error.
  bool OptionalString(std::string_view key, std::string_view* out, bool* present) {
    dom::element e;
    *present = false;
    if (input[key].get(e) != simdjson::SUCCESS || e.is_null()) return true;
    if (e.get_string().get(*out) != simdjson::SUCCESS) {
      Error(400, kSerialization, fmt::format("{} must be a string", key));
      return false;
    }
    *present = true;
    return true;
  }
  // Reads DeliveryStreamName, which must be present and a valid stream name.
  // False (after answering) otherwise.
  bool StreamName(std::string_view* stream, std::string_view not_found_type = {}) {
    bool present = false;
    if (!OptionalString("DeliveryStreamName", stream, &present)) return false;
    if (!present) {
      Error(400, kValidation,
            ValidationMessage("null", "deliveryStreamName", "Member must not be null"));
      return false;
    }
    if (Status s = ValidateStreamName(*stream); !s.ok()) {
      if (!not_found_type.empty()) {
        Error(400, not_found_type,
              fmt::format("Firehose {} under account {} not found.", *stream, kAccount));
      } else {
        Error(400, kValidation,
              ValidationMessage(fmt::format("'{}'", *stream), "deliveryStreamName", s.message()));
      }
      return false;
    }
    return true;
  }
  bool CheckWrite(std::string_view stream) {
    if (CanWrite(stream)) return true;
    Error(400, kAccessDenied,
          fmt::format("User: {} is not authorized to perform: firehose:{} on resource: {}",
                      principal.key_id, op, StreamArn(Region(), stream)));
    return false;
  }
};

FirehoseApi::FirehoseApi(Authenticate authenticate, IngestHandler* ingest, ParserLimits limits,
                         ListStreams list_streams, Env* env)
    : authenticate_(std::move(authenticate)),
      ingest_(ingest),
      limits_(limits),
      list_streams_(std::move(list_streams)),
      env_(env ? env : Env::Default()),
      created_us_(env_->NowMicros()) {}

bool FirehoseApi::Matches(const HttpRequest& request) {
  if (request.method() != http::verb::post) return false;
  auto it = request.find("X-Amz-Target");
  if (it == request.end()) return false;
  return std::string_view(it->value().data(), it->value().size()).starts_with(kTargetPrefix);
}

void FirehoseApi::Handle(HttpRequest&& request, Respond respond) {
  auto call = std::make_unique<Call>();
  call->request = std::move(request);
  call->reply.respond = std::move(respond);
  call->reply.request_id = NewAwsRequestId();
  HttpRequest& req = call->request;

  if (req.method() != http::verb::post) {
    HttpResponse res =
        AwsErrorResponse(405, kUnknownOperation, "The Firehose API takes only POST requests.",
                         call->reply.request_id);
    res.set(http::field::allow, "POST");
    return call->reply.respond(std::move(res));
  }
  auto target_it = req.find("X-Amz-Target");
  std::string_view target;
  if (target_it != req.end()) target = {target_it->value().data(), target_it->value().size()};
  if (!target.starts_with(kTargetPrefix)) {
    return call->Error(
        400, kUnknownOperation,
        fmt::format("X-Amz-Target must be {}<Operation>; got '{}'.", kTargetPrefix, target));
  }
  call->op.assign(target.substr(kTargetPrefix.size()));

  Result<AwsPrincipal> principal = authenticate_(req);
  if (!principal.ok()) {
    const Status failure = principal.status();  // The views below point into it.
    std::string_view type = AwsAuthErrorType(failure);
    if (type.empty()) type = kUnrecognizedClient;
    return call->Error(AwsAuthErrorHttpStatus(type), type, AwsAuthErrorMessage(failure));
  }
  call->principal = std::move(principal).value();
  call->reply.forget_request = call->principal.forget_request;

  using Handler = void (FirehoseApi::*)(Call&);
  Handler handler = nullptr;
  if (call->op == "PutRecord") {
    handler = &FirehoseApi::PutRecord;
  } else if (call->op == "PutRecordBatch") {
    handler = &FirehoseApi::PutRecordBatch;
  } else if (call->op == "DescribeDeliveryStream") {
    handler = &FirehoseApi::DescribeDeliveryStream;
  } else if (call->op == "ListDeliveryStreams") {
    handler = &FirehoseApi::ListDeliveryStreams;
  } else {
    return call->Error(
        400, kUnknownOperation,
        fmt::format("Operation {} is not supported by gamelake (streams are created on first "
                    "use); supported: PutRecord, PutRecordBatch, DescribeDeliveryStream, "
                    "ListDeliveryStreams.",
                    call->op));
  }

  // AWS JSON: an empty body is an empty input structure.
  std::string& body = req.body();
  if (TrimJsonSpace(body).empty()) body = "{}";
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  thread_local dom::parser json;
  dom::element root;
  simdjson::error_code e = json.parse(body.data(), body.size(), false).get(root);
  if (e != simdjson::SUCCESS) {
    return call->Error(
        400, kSerialization,
        fmt::format("The request body is not valid JSON: {}.", simdjson::error_message(e)));
  }
  if (root.get_object().get(call->input) != simdjson::SUCCESS) {
    return call->Error(400, kSerialization, "The request body must be a JSON object.");
  }
  (this->*handler)(*call);
}

void FirehoseApi::PutRecord(Call& call) {
  std::string_view stream;
  if (!call.StreamName(&stream) || !call.CheckWrite(stream)) return;
  dom::element record;
  if (call.input["Record"].get(record) != simdjson::SUCCESS || record.is_null()) {
    return call.Error(400, kValidation,
                      ValidationMessage("null", "record", "Member must not be null"));
  }
  dom::object record_object;
  if (record.get_object().get(record_object) != simdjson::SUCCESS) {
    return call.Error(400, kSerialization, "Record must be an object with a Data member.");
  }
  dom::element data_element;
  if (record_object["Data"].get(data_element) != simdjson::SUCCESS || data_element.is_null()) {
    return call.Error(400, kValidation,
                      ValidationMessage("null", "record.data", "Member must not be null"));
  }
  std::string_view data_b64;
  if (data_element.get_string().get(data_b64) != simdjson::SUCCESS) {
    return call.Error(400, kSerialization, "Record.Data must be a base64 string.");
  }
  const std::string& key_id = call.principal.key_id;
  Result<std::string> data = DecodeBase64Strict(data_b64);
  if (!data.ok()) {
    std::string message =
        fmt::format("Record.Data is not valid base64: {}.", data.status().message());
    ingest_->DeadLetterBody(stream, key_id, "invalid_base64", message, data_b64);
    return call.Error(400, kSerialization, message);
  }
  if (data->size() > kMaxRecordDataBytes) {
    std::string message = ValidationMessage(
        fmt::format("of {} bytes", data->size()), "record.data",
        fmt::format("Member must have length less than or equal to {}", kMaxRecordDataBytes));
    ingest_->DeadLetterBody(stream, key_id, "record_too_large", message, data.value());
    return call.Error(400, kValidation, message);
  }
  RecordArena arena;
  if (std::optional<BlobError> bad =
          SplitBlob(ThreadLocalRecordParser(limits_), data.value(), &arena)) {
    std::string message = fmt::format("Record.{}: {}", kDataShape, bad->message);
    ingest_->DeadLetterBody(stream, key_id, bad->code, message, data.value());
    return call.Error(400, kInvalidArgument, message);
  }
  ParsedBody parsed;
  parsed.records = arena.Views();
  parsed.total = parsed.records.size();
  for (size_t i = 0; i < parsed.records.size(); ++i) parsed.record_indexes.push_back(i);
  parsed.decoded_bytes = data->size();
  if (call.principal.admit) {
    if (int64_t wait = call.principal.admit(parsed.total, parsed.decoded_bytes); wait > 0) {
      ingest_->CountThrottled(stream, parsed.total);
      return call.reply.Throttled(wait);
    }
  }
  ingest_->Submit(stream, key_id, std::move(parsed),
                  [reply = std::move(call.reply)](IngestOutcome out) {
                    // The Firehose record is stored whole or it is an error to retry
                    // (a retry of records already stored is deduplicated by event id).
                    if (!out.status.ok()) return reply.NotStored(out.status);
                    if (!out.errors.empty()) {
                      return reply.NotStored(Status::Unavailable(out.errors.front().message));
                    }
                    JsonWriter w;
                    w.BeginObject().Key("RecordId").String(FirehoseRecordId(out.first_seq));
                    w.Key("Encrypted").Bool(false).EndObject();
                    reply.Ok(w.Take());
                  });
}

void FirehoseApi::PutRecordBatch(Call& call) {
  std::string_view stream;
  if (!call.StreamName(&stream) || !call.CheckWrite(stream)) return;
  dom::element records_element;
  if (call.input["Records"].get(records_element) != simdjson::SUCCESS ||
      records_element.is_null()) {
    return call.Error(400, kValidation,
                      ValidationMessage("null", "records", "Member must not be null"));
  }
  dom::array records;
  if (records_element.get_array().get(records) != simdjson::SUCCESS) {
    return call.Error(400, kSerialization, "Records must be an array of {\"Data\": base64}.");
  }
  const size_t n = records.size();
  if (n == 0 || n > kMaxBatchRecords) {
    return call.Error(
        400, kValidation,
        ValidationMessage(fmt::format("of {} records", n), "records",
                          n == 0 ? "Member must have length greater than or equal to 1"
                                 : "Member must have length less than or equal to 500"));
  }

  // Decode every Data first: the 4 MiB bound is on the whole request.
  std::vector<std::string> data(n);
  std::vector<std::string_view> raw(n);  // What a failed entry dead-letters.
  std::vector<std::optional<BlobError>> bad(n);
  size_t total_bytes = 0;
  size_t i = 0;
  for (dom::element item : records) {
    dom::object obj;
    dom::element data_element;
    if (item.get_object().get(obj) != simdjson::SUCCESS) {
      return call.Error(400, kSerialization,
                        fmt::format("Records[{}] must be an object with a Data member.", i));
    }
    if (obj["Data"].get(data_element) != simdjson::SUCCESS || data_element.is_null()) {
      return call.Error(400, kValidation,
                        ValidationMessage("null", fmt::format("records.{}.member.data", i + 1),
                                          "Member must not be null"));
    }
    std::string_view b64;
    if (data_element.get_string().get(b64) != simdjson::SUCCESS) {
      return call.Error(400, kSerialization,
                        fmt::format("Records[{}].Data must be a base64 string.", i));
    }
    Result<std::string> decoded = DecodeBase64Strict(b64);
    if (!decoded.ok()) {
      bad[i] = BlobError{"invalid_base64",
                         fmt::format("Data is not valid base64: {}.", decoded.status().message())};
      raw[i] = b64;  // Lives in the JSON parser until this function returns.
    } else {
      data[i] = std::move(decoded).value();
      total_bytes += data[i].size();
    }
    ++i;
  }
  if (total_bytes > kMaxBatchDataBytes) {
    return call.Error(400, kInvalidArgument,
                      fmt::format("The records' Data add up to {} bytes; a PutRecordBatch "
                                  "request may carry at most {} bytes (4 MiB).",
                                  total_bytes, kMaxBatchDataBytes));
  }

  // Split each entry into records. Body indexes (for the handler's errors and
  // dead letters) run over the entries' records in order; a failed entry takes
  // one index.
  RecordParser& parser = ThreadLocalRecordParser(limits_);
  RecordArena arena;
  ParsedBody parsed;
  std::vector<size_t> entry_of_index;      // Body index -> entry.
  std::vector<size_t> first_record(n, 0);  // Entry -> its first record in the arena.
  for (size_t k = 0; k < n; ++k) {
    if (!bad[k] && data[k].size() > kMaxRecordDataBytes) {
      bad[k] = BlobError{"record_too_large",
                         fmt::format("Data is {} bytes; a record may hold at most {} bytes.",
                                     data[k].size(), kMaxRecordDataBytes)};
    }
    if (!bad[k]) {
      first_record[k] = arena.spans.size();
      bad[k] = SplitBlob(parser, data[k], &arena);
      if (bad[k]) bad[k]->message = fmt::format("{}: {}", kDataShape, bad[k]->message);
    }
    if (bad[k]) {
      if (raw[k].empty()) raw[k] = data[k];
      parsed.errors.push_back(
          RecordError{entry_of_index.size(), bad[k]->code, bad[k]->message, raw[k]});
      entry_of_index.push_back(k);
    } else {
      for (size_t r = first_record[k]; r < arena.spans.size(); ++r) {
        parsed.record_indexes.push_back(entry_of_index.size());
        entry_of_index.push_back(k);
      }
    }
    if (arena.spans.size() > limits_.max_records) {
      return call.Error(400, kInvalidArgument,
                        fmt::format("The request holds more than {} records (counting each "
                                    "NDJSON line); send fewer per request.",
                                    limits_.max_records));
    }
  }
  parsed.records = arena.Views();
  parsed.total = entry_of_index.size();
  parsed.decoded_bytes = total_bytes;

  // What the answer needs once the records are durable (no views into `data`).
  struct EntryResult {
    std::string error_code;  // Empty: stored.
    std::string error_message;
    size_t first_record = 0;
  };
  std::vector<EntryResult> results(n);
  for (size_t k = 0; k < n; ++k) {
    results[k].first_record = first_record[k];
    if (bad[k]) {
      results[k].error_code = kInvalidArgument;
      results[k].error_message = std::move(bad[k]->message);
    }
  }
  if (call.principal.admit) {
    uint64_t bytes = 0;
    for (std::string_view r : parsed.records) bytes += r.size();
    if (int64_t wait = call.principal.admit(parsed.total, bytes); wait > 0) {
      ingest_->CountThrottled(stream, parsed.total);
      return call.reply.Throttled(wait);
    }
  }
  ingest_->Submit(
      stream, call.principal.key_id, std::move(parsed),
      [reply = std::move(call.reply), results = std::move(results),
       entry_of_index = std::move(entry_of_index)](IngestOutcome out) mutable {
        if (!out.status.ok()) return reply.NotStored(out.status);
        // Records the log could not store (retries whose original failed) fail
        // their entry; the client retries it.
        bool exact_ids = out.duplicates == 0;
        for (const RecordError& e : out.errors) {
          if (e.code != "log_unavailable" || e.index >= entry_of_index.size()) continue;
          EntryResult& r = results[entry_of_index[e.index]];
          r.error_code = kServiceUnavailable;
          r.error_message = e.message;
          exact_ids = false;
        }
        size_t failed = 0;
        JsonWriter w;
        w.BeginObject().Key("Encrypted").Bool(false).Key("RequestResponses").BeginArray();
        for (size_t k = 0; k < results.size(); ++k) {
          const EntryResult& r = results[k];
          w.BeginObject();
          if (r.error_code.empty()) {
            // Without retries in the request, its records hold consecutive
            // _record_ids from first_seq; with some, only first_seq is known.
            w.Key("RecordId")
                .String(exact_ids ? FirehoseRecordId(out.first_seq + r.first_record)
                                  : fmt::format("{}-{:03d}", FirehoseRecordId(out.first_seq), k));
          } else {
            ++failed;
            w.Key("ErrorCode").String(r.error_code).Key("ErrorMessage").String(r.error_message);
          }
          w.EndObject();
        }
        w.EndArray().Key("FailedPutCount").UInt(failed).EndObject();
        reply.Ok(w.Take());
      });
}

void FirehoseApi::DescribeDeliveryStream(Call& call) {
  std::string_view stream;
  if (!call.StreamName(&stream, kResourceNotFound)) return;
  bool exists = unknown_streams_active_;
  if (!exists) {
    for (const std::string& name : list_streams_()) exists = exists || name == stream;
  }
  if (!call.CanWrite(stream) || !exists) {
    // As Firehose answers for a stream never created. gamelake creates a
    // stream with its first record (firehose.unknown_streams_active: ACTIVE).
    return call.Error(400, kResourceNotFound,
                      fmt::format("Firehose {} under account {} not found.", stream, kAccount));
  }
  JsonWriter w;
  w.BeginObject().Key("DeliveryStreamDescription").BeginObject();
  w.Key("DeliveryStreamName").String(stream);
  w.Key("DeliveryStreamARN").String(StreamArn(call.Region(), stream));
  w.Key("DeliveryStreamStatus").String("ACTIVE");
  w.Key("DeliveryStreamEncryptionConfiguration").BeginObject().Key("Status").String("DISABLED");
  w.EndObject();
  w.Key("DeliveryStreamType").String("DirectPut");
  w.Key("VersionId").String("1");
  w.Key("CreateTimestamp").Double(static_cast<double>(created_us_ / 1000) / 1e3);
  w.Key("Destinations").BeginArray().EndArray();
  w.Key("HasMoreDestinations").Bool(false);
  w.EndObject().EndObject();
  call.Ok(w.Take());
}

void FirehoseApi::ListDeliveryStreams(Call& call) {
  uint64_t limit = 10000;
  dom::element e;
  if (call.input["Limit"].get(e) == simdjson::SUCCESS && !e.is_null()) {
    int64_t v = 0;
    if (e.get_int64().get(v) != simdjson::SUCCESS) {
      return call.Error(400, kSerialization, "Limit must be an integer.");
    }
    if (v < 1 || v > 10000) {
      return call.Error(400, kValidation,
                        ValidationMessage(fmt::format("'{}'", v), "limit",
                                          "Member must have value between 1 and 10000"));
    }
    limit = static_cast<uint64_t>(v);
  }
  std::string_view type, start;
  bool has_type = false, has_start = false;
  if (!call.OptionalString("DeliveryStreamType", &type, &has_type)) return;
  if (!call.OptionalString("ExclusiveStartDeliveryStreamName", &start, &has_start)) return;

  std::vector<std::string> names;
  if (!has_type || type == "DirectPut") {
    for (std::string& name : list_streams_()) {
      if (!ValidateStreamName(name).ok() || !call.CanWrite(name)) continue;
      if (has_start && name <= start) continue;
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  bool more = names.size() > limit;
  if (more) names.resize(limit);

  JsonWriter w;
  w.BeginObject().Key("DeliveryStreamNames").BeginArray();
  for (const std::string& name : names) w.String(name);
  w.EndArray().Key("HasMoreDeliveryStreams").Bool(more).EndObject();
  call.Ok(w.Take());
}

}  // namespace gamelake
