// MetricsLive: GET /v1/metrics/live — a metric's statistics pushed as
// Server-Sent Events, one event per period as soon as the period closes (the
// lab's "Live data: On"). Admin keys (the Router authorizes).
//
//   GET /v1/metrics/live?namespace=NS&name=M[&dimension=K=V]...[&stat=Sum]...
//                       [&period=1][&unit=U][&delay_ms=100]
//
//   event: datapoint
//   data: {"Timestamp":1795995300,"Values":{"Sum":12,"p90":5},"SampleCount":4}
//
// A period [t, t + period) is sent at t + period + delay_ms (default 100 ms,
// the allowance for puts of that period still in flight), with "Values" null
// for a statistic that has no data; later puts into a period already sent
// are not sent again (read them with /v1/metrics/statistics). A comment line
// (": keep-alive") goes out every 10 s so proxies keep the stream open.
// At most 256 subscribers (429 beyond); errors before the stream starts are
// the native API's JSON errors.
//
// One thread ticks every 20 ms, computes the closed periods of every
// subscriber (MetricStore::GetStatistics) and writes them; a subscriber
// whose connection failed is dropped.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_METRICS_LIVE_H_
#define GAMELAKE_SERVER_METRICS_LIVE_H_

#include <memory>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "metrics/metric_store.h"
#include "server/http_server.h"

namespace gamelake {

class MetricsLive {
 public:
  static constexpr size_t kMaxSubscribers = 256;

  // store and env must outlive this object.
  MetricsLive(MetricStore* store, Env* env);
  ~MetricsLive();  // Stop().

  static bool Matches(std::string_view path) { return path == "/v1/metrics/live"; }
  void Handle(HttpRequest&& request, Respond respond) GL_EXCLUDES(mu_);
  // Ends every stream (each gets its last chunk) and stops the thread. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  struct Subscriber;
  void Run() GL_EXCLUDES(mu_);
  // Sends what closed by now_ms; false when the subscriber is gone.
  bool Tick(Subscriber& s, int64_t now_ms);

  MetricStore* store_;
  Env* env_;
  Mutex mu_;
  CondVar cv_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_ GL_GUARDED_BY(mu_);
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_METRICS_LIVE_H_
