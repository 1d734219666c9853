#include "server/tls_certificates.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gamelake {

Result<std::unique_ptr<TlsCertificates>> TlsCertificates::Load(const TlsServerFiles& files,
                                                               double watch_interval_s,
                                                               Metrics* metrics) {
  GL_ASSIGN_OR_RETURN(TlsServerContext loaded, MakeServerTlsContext(files));
  std::unique_ptr<TlsCertificates> certs(new TlsCertificates(files, std::move(loaded), metrics));
  if (watch_interval_s > 0) {
    certs->watcher_ =
        std::thread([c = certs.get(), watch_interval_s] { c->Watch(watch_interval_s); });
  }
  return certs;
}

TlsCertificates::TlsCertificates(const TlsServerFiles& files, TlsServerContext loaded,
                                 Metrics* metrics)
    : files_(files), current_(std::move(loaded)) {
  if (metrics == nullptr) return;
  reloads_ = metrics->AddCounter("gamelake_tls_reloads_total",
                                 "Certificate reloads that took effect (SIGHUP or changed files)");
  reload_failures_ = metrics->AddCounter(
      "gamelake_tls_reload_failures_total",
      "Certificate reloads refused (bad or mismatched files); the previous ones keep serving");
  metrics->AddCallbackGauge(
      "gamelake_tls_certificate_expiry_timestamp_seconds",
      "When the serving certificate expires (notAfter), in seconds since the epoch", [this] {
        return static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>(not_after().time_since_epoch())
                .count());
      });
}

TlsCertificates::~TlsCertificates() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  stop_cv_.SignalAll();
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<TlsContext> TlsCertificates::Current() const {
  MutexLock lock(&mu_);
  return current_.context;
}

std::chrono::system_clock::time_point TlsCertificates::not_after() const {
  MutexLock lock(&mu_);
  return current_.not_after;
}

std::string TlsCertificates::last_error() const {
  MutexLock lock(&mu_);
  return last_error_;
}

Status TlsCertificates::Reload() {
  Result<TlsServerContext> loaded = MakeServerTlsContext(files_);
  MutexLock lock(&mu_);
  if (!loaded.ok()) {
    last_error_ = loaded.status().message();
    if (reload_failures_) reload_failures_->Add();
    spdlog::error(
        "msg=\"certificate reload refused; the previous certificate keeps serving\" "
        "error=\"{}\"",
        last_error_);
    return loaded.status();
  }
  current_ = std::move(loaded).value();
  last_error_.clear();
  if (reloads_) reloads_->Add();
  spdlog::info("msg=\"certificate reloaded\" subject=\"{}\"", current_.subject);
  return Status::OK();
}

void TlsCertificates::Watch(double interval_s) {
  auto interval = std::chrono::duration<double>(interval_s);
  MutexLock lock(&mu_);
  std::string seen = current_.fingerprint;
  while (!stop_cv_.WaitFor(&mu_, interval, [&]() GL_REQUIRES(mu_) { return stop_; })) {
    lock.Unlock();
    std::string now = TlsFilesFingerprint(files_);
    // A change is reloaded once; a failed reload waits for the next change
    // (a renewal writes the certificate and the key one after the other).
    if (now != seen) {
      seen = now;
      (void)Reload();
    }
    lock.Lock();
  }
}

}  // namespace gamelake
