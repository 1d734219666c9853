// TlsCertificates: the server's certificate and key, reloaded without a
// restart (a Let's Encrypt renewal replaces the files every ~60 days).
//
// Every new TLS connection takes Current(); connections already open keep the
// context they started with, so a reload drops nothing. Reload() reads the
// files again and switches only if they form a valid chain and key: a bad or
// half-written renewal keeps the previous certificate serving and is logged
// and counted (gamelake_tls_reload_failures_total). Reloads happen on SIGHUP
// (Server::ReloadTls) and, when watch_interval_s > 0, whenever the files'
// bytes change, checked by a background thread.
//
// Thread-safety: all methods are thread-safe.
#ifndef GAMELAKE_SERVER_TLS_CERTIFICATES_H_
#define GAMELAKE_SERVER_TLS_CERTIFICATES_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/metrics.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "net/tls_context.h"

namespace gamelake {

class TlsCertificates {
 public:
  // Loads the files; an error names the file and what is wrong with it.
  static Result<std::unique_ptr<TlsCertificates>> Load(const TlsServerFiles& files,
                                                       double watch_interval_s, Metrics* metrics);
  ~TlsCertificates();

  std::shared_ptr<TlsContext> Current() const GL_EXCLUDES(mu_);
  // Reads the files again; on success new connections use them.
  Status Reload() GL_EXCLUDES(mu_);
  // When the serving leaf certificate expires.
  std::chrono::system_clock::time_point not_after() const GL_EXCLUDES(mu_);
  // Why the last reload failed, "" if it did not.
  std::string last_error() const GL_EXCLUDES(mu_);

 private:
  TlsCertificates(const TlsServerFiles& files, TlsServerContext loaded, Metrics* metrics);
  void Watch(double interval_s) GL_EXCLUDES(mu_);

  const TlsServerFiles files_;
  Counter* reloads_ = nullptr;
  Counter* reload_failures_ = nullptr;

  mutable Mutex mu_;
  TlsServerContext current_ GL_GUARDED_BY(mu_);
  std::string last_error_ GL_GUARDED_BY(mu_);
  bool stop_ GL_GUARDED_BY(mu_) = false;
  CondVar stop_cv_;
  std::thread watcher_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_TLS_CERTIFICATES_H_
