// WebhookDestination: rows of an in-application stream are POSTed to an
// http:// URL in the JSON that KDA sent to a Lambda output ("Using a Lambda
// Function as Output", Event Input Data Model):
//
//   {"invocationId":"<uuid>",
//    "applicationArn":"arn:aws:kinesisanalytics:local:000000000000:application/<app>",
//    "records":[{"recordId":"<uuid>","lambdaDeliveryRecordMetadata":{"retryHint":0},
//                "data":"<base64 of the row's JSON>"}, ...]}
//
// and the answer follows KDA's Record Response Model:
//   {"records":[{"recordId":"<uuid>","result":"Ok" | "DeliveryFailed"}, ...]}.
// A record answered "DeliveryFailed", or missing from the answer, is sent again
// (same recordId, retryHint one higher) with exponential back-off; so is the
// whole request on a connection error, a timeout, a non-2xx status or an answer
// that is not that JSON. After max_attempts tries (default 5; KDA retried
// forever) the records still not Ok go to *failed. A request holds at most
// max_records rows and about max_request_bytes. At least once: a receiver that
// stored a record but lost its answer sees it again (with a higher retryHint).
//
// Thread-safety: as Destination.
#ifndef GAMELAKE_STREAMING_WEBHOOK_DESTINATION_H_
#define GAMELAKE_STREAMING_WEBHOOK_DESTINATION_H_

#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "metrics/http_client.h"
#include "streaming/destination.h"

namespace gamelake {

struct WebhookDestinationOptions {
  std::string url;  // http://host[:port]/path
  std::string app;  // For the applicationArn.
  Env* env = Env::Default();
  RetryPolicy retry{5, 1'000, 30'000};
  size_t max_records = 500;
  size_t max_request_bytes = 4u << 20;
  HttpClientOptions http{2'000, 10'000, 4u << 20};
};

class WebhookDestination final : public Destination {
 public:
  // InvalidArgument for a URL ParseHttpUrl refuses.
  static Result<std::unique_ptr<WebhookDestination>> Create(WebhookDestinationOptions options);

  Status Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                 std::vector<FailedRow>* failed) override;
  void Stop() override { stop_.Stop(); }

  // "arn:aws:kinesisanalytics:local:000000000000:application/<app>".
  static std::string ApplicationArn(const std::string& app);

 private:
  struct Record {
    uint64_t ordinal = 0;
    std::string id;    // recordId: a random UUID, kept across retries.
    std::string data;  // base64 of the row's JSON.
    int retry_hint = 0;
    std::string last_error;
  };

  WebhookDestination(WebhookDestinationOptions options, HttpUrl url);
  std::string NewUuid();
  // Sends `records` until all are Ok, stopped (Cancelled) or out of tries
  // (those go to *failed).
  Status Send(std::vector<Record> records, std::vector<FailedRow>* failed);
  // One POST of `records`; marks each Ok one by clearing it from `records`.
  void PostOnce(std::vector<Record>* records);

  const WebhookDestinationOptions options_;
  const HttpUrl url_;
  const std::string arn_;
  std::mt19937_64 rng_;
  StopSignal stop_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_WEBHOOK_DESTINATION_H_
