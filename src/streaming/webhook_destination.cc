#include "streaming/webhook_destination.h"

#include <simdjson.h>

#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "ingest/dead_letter.h"  // Base64Encode.

namespace gamelake {
namespace {

// Record ids answered Ok in a Lambda-output answer body; an error when the
// body is not {"records":[{"recordId":..,"result":..}, ...]}.
Result<std::vector<std::string>> OkRecordIds(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(body).get(root)) {
    return Status::InvalidArgument(
        fmt::format("answer is not JSON: {}", simdjson::error_message(e)));
  }
  simdjson::dom::array records;
  if (root["records"].get(records) != simdjson::SUCCESS) {
    return Status::InvalidArgument("answer has no \"records\" array");
  }
  std::vector<std::string> ok;
  for (simdjson::dom::element r : records) {
    std::string_view id, result;
    if (r["recordId"].get(id) != simdjson::SUCCESS) continue;  // Unmatched: counts as failed.
    if (r["result"].get(result) != simdjson::SUCCESS) continue;
    if (result == "Ok") ok.emplace_back(id);
  }
  return ok;
}

}  // namespace

Result<std::unique_ptr<WebhookDestination>> WebhookDestination::Create(
    WebhookDestinationOptions options) {
  Result<HttpUrl> url = ParseHttpUrl(options.url);
  if (!url.ok()) return url.status().WithContext("webhook destination");
  return std::unique_ptr<WebhookDestination>(
      new WebhookDestination(std::move(options), std::move(url).value()));
}

WebhookDestination::WebhookDestination(WebhookDestinationOptions options, HttpUrl url)
    : options_(std::move(options)),
      url_(std::move(url)),
      arn_(ApplicationArn(options_.app)),
      rng_(std::random_device{}()) {}

std::string WebhookDestination::ApplicationArn(const std::string& app) {
  return "arn:aws:kinesisanalytics:local:000000000000:application/" + app;
}

std::string WebhookDestination::NewUuid() {
  uint64_t hi = rng_(), lo = rng_();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // Version 4.
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant.
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

void WebhookDestination::PostOnce(std::vector<Record>* records) {
  JsonWriter w;
  w.BeginObject().Key("invocationId").String(NewUuid()).Key("applicationArn").String(arn_);
  w.Key("records").BeginArray();
  for (const Record& r : *records) {
    w.BeginObject().Key("recordId").String(r.id);
    w.Key("lambdaDeliveryRecordMetadata").BeginObject().Key("retryHint").Int(r.retry_hint);
    w.EndObject().Key("data").String(r.data).EndObject();
  }
  w.EndArray().EndObject();

  auto fail_all = [records](const std::string& why) {
    for (Record& r : *records) r.last_error = why;
  };
  Result<HttpClientResponse> answer = HttpPost(url_, "application/json", w.Take(), options_.http);
  if (!answer.ok()) return fail_all(answer.status().ToString());
  if (answer->status < 200 || answer->status > 299) {
    return fail_all(fmt::format("HTTP {}", answer->status));
  }
  Result<std::vector<std::string>> ok = OkRecordIds(answer->body);
  if (!ok.ok()) return fail_all(ok.status().message());
  std::unordered_map<std::string_view, bool> delivered;
  for (const std::string& id : *ok) delivered[id] = true;
  std::vector<Record> left;
  for (Record& r : *records) {
    if (delivered.count(r.id) > 0) continue;
    r.last_error = "not acknowledged Ok (DeliveryFailed, or missing from the answer)";
    left.push_back(std::move(r));
  }
  *records = std::move(left);
}

Status WebhookDestination::Send(std::vector<Record> records, std::vector<FailedRow>* failed) {
  for (int attempt = 1; !records.empty(); ++attempt) {
    if (stop_.stopped()) return Status::Cancelled("webhook destination stopped");
    PostOnce(&records);
    if (records.empty()) break;
    for (Record& r : records) ++r.retry_hint;
    if (options_.retry.max_attempts > 0 && attempt >= options_.retry.max_attempts) {
      for (const Record& r : records) {
        failed->push_back(FailedRow{r.ordinal, fmt::format("webhook {}: {} after {} attempts",
                                                           options_.url, r.last_error, attempt)});
      }
      break;
    }
    if (!stop_.WaitMs(options_.env, options_.retry.BackoffMs(attempt))) {
      return Status::Cancelled("webhook destination stopped");
    }
  }
  return Status::OK();
}

Status WebhookDestination::Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                                   std::vector<FailedRow>* failed) {
  std::vector<Record> batch;
  size_t batch_bytes = 0;
  std::string json;
  for (const OutputRow& row : rows) {
    json.clear();
    AppendRowJson(schema, row.row, &json);
    Record r;
    r.ordinal = row.ordinal;
    r.id = NewUuid();
    r.data = Base64Encode(json);
    batch_bytes += r.data.size() + r.id.size() + 96;  // The record's JSON around them.
    batch.push_back(std::move(r));
    if (batch.size() >= options_.max_records || batch_bytes >= options_.max_request_bytes) {
      GL_RETURN_IF_ERROR(Send(std::move(batch), failed));
      batch.clear();
      batch_bytes = 0;
    }
  }
  if (batch.empty()) return Status::OK();
  return Send(std::move(batch), failed);
}

}  // namespace gamelake
