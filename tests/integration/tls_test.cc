// HTTPS: the real server on 127.0.0.1 with certificates this test makes with
// openssl (a CA, server certificates signed by it, a client certificate),
// reached by the real AWS SDK, the CLI, the generator and an in-process client.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "../common/eventually.h"
#include "../common/run_command.h"
#include "common/env.h"
#include "net/client_stream.h"
#include "net/tls_context.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

namespace http = boost::beast::http;

// Makes a CA, then certificates it signs, in dir.
class Certs {
 public:
  explicit Certs(std::string dir) : dir_(std::move(dir)) {
    Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
        Path("ca.key") + " -out " + Path("ca.pem") + " -days 30 -subj /CN=gamelake-test-ca");
  }
  // NAME.pem and NAME.key, valid for `days` (0: expired within a second).
  void Leaf(const std::string& name, const std::string& san, int days = 30,
            const std::string& usage = "serverAuth") {
    std::string ext = Path(name + ".ext");
    (void)Env::Default()->WriteFileAtomic(
        ext, "subjectAltName=" + san + "\nextendedKeyUsage=" + usage + "\n");
    Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
        Path(name + ".key") + " -out " + Path(name + ".csr") + " -subj /CN=" + name);
    Run("openssl x509 -req -in " + Path(name + ".csr") + " -CA " + Path("ca.pem") + " -CAkey " +
        Path("ca.key") + " -CAcreateserial -out " + Path(name + ".pem") + " -days " +
        std::to_string(days) + " -extfile " + ext);
  }
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }

 private:
  static void Run(const std::string& command) {
    CommandResult r = RunCommand(command + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
  }
  std::string dir_;
};

// One request over a TLS connection made by gamelake's own client code.
struct TlsAnswer {
  int status = 0;
  std::string error;
  std::string peer_subject;
};

class TlsConnection {
 public:
  TlsConnection(uint16_t port, const TlsClientOptions& options) {
    auto ctx = MakeClientTlsContext(options);
    if (!ctx.ok()) {
      error_ = ctx.status().ToString();
      return;
    }
    auto s = ClientStream::Connect(ioc_, "localhost", port, *ctx, std::chrono::seconds(5));
    if (!s.ok()) {
      error_ = s.status().ToString();
      return;
    }
    stream_ = std::move(s).value();
  }
  TlsAnswer Get(const std::string& target) {
    TlsAnswer a;
    if (!stream_) {
      a.error = error_;
      return a;
    }
    stream_->Visit([&](auto& s) {
      if constexpr (std::is_same_v<std::decay_t<decltype(s)>, ClientStream::Tls>) {
        X509* peer = SSL_get_peer_certificate(s.native_handle());
        if (peer != nullptr) {
          char buf[256];
          X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof(buf));
          a.peer_subject = buf;
          X509_free(peer);
        }
      }
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, "localhost");
      boost::beast::error_code ec;
      http::write(s, req, ec);
      boost::beast::flat_buffer buffer;
      http::response<http::string_body> res;
      if (!ec) http::read(s, buffer, res, ec);
      if (ec) {
        a.error = ec.message();
      } else {
        a.status = static_cast<int>(res.result_int());
      }
    });
    return a;
  }

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<ClientStream> stream_;
  std::string error_;
};

TlsClientOptions Trust(const std::string& ca_file) {
  TlsClientOptions o;
  o.ca_file = ca_file;
  return o;
}
TlsClientOptions Insecure() {
  TlsClientOptions o;
  o.insecure = true;
  return o;
}

std::vector<std::string> TlsArgs(const Certs& certs, const std::string& leaf) {
  return {"--set", "server.tls_cert_file=" + certs.Path(leaf + ".pem"),
          "--set", "server.tls_key_file=" + certs.Path(leaf + ".key"),
          "--set", "delivery.buffer_interval_s=1"};
}

std::string Https(uint16_t port) { return "https://localhost:" + std::to_string(port); }

uint64_t LakeCount(const std::string& data_dir, const std::string& stream) {
  auto rows = DuckQuery("SELECT count(DISTINCT _record_id) FROM read_parquet('" +
                        LakeGlob(data_dir, stream) + "', union_by_name=true)");
  return std::stoull(rows[0][0]);
}

TEST(TlsTest, TheAwsSdkTheCliAndTheGeneratorTalkHttps) {
  if (RunCommand("command -v node").output.empty()) GTEST_SKIP() << "node is not installed";
  TempDir tmp;
  Certs certs(tmp.path());
  certs.Leaf("server", "DNS:localhost,IP:127.0.0.1");
  auto args = TlsArgs(certs, "server");
  ServerProcess server(tmp.path() + "/data", args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::string url = Https(server.port());

  // The AWS SDK for JavaScript, trusting the test CA as any Node program would.
  std::string script = std::string(GAMELAKE_SOURCE_DIR) + "/tests/firehose_sdk/firehose_sdk.js";
  std::string sent = RunCommand("NODE_EXTRA_CA_CERTS=" + certs.Path("ca.pem") + " node " + script +
                                " send " + url + " AKIDTEST secretsecret sdk 1200 2>&1")
                         .output;
  EXPECT_NE(sent.find("\"failed\":0"), std::string::npos) << sent;
  // Without the CA it refuses the server.
  CommandResult untrusted =
      RunCommand("node " + script + " send " + url + " AKIDTEST secretsecret sdk 1 2>&1");
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
  EXPECT_EQ(untrusted.output.find("\"failed\":0"), std::string::npos) << untrusted.output;

  // The generator and the CLI, with --ca-file.
  CommandResult gen = RunGamelake("generate --url " + url + " --ca-file " + certs.Path("ca.pem") +
                                  " --stream gen --count 3000 --quiet");
  EXPECT_EQ(gen.exit_code, 0) << gen.output;
  std::string count_sql = "\"SELECT count(*) FROM gen\"";
  EXPECT_TRUE(Eventually([&] {
    CommandResult q =
        RunGamelake("query --url " + url + " --ca-file " + certs.Path("ca.pem") + " " + count_sql);
    return q.exit_code == 0 && q.output.find("3000") != std::string::npos;
  }));
  CommandResult no_ca = RunGamelake("query --url " + url + " " + count_sql);
  EXPECT_NE(no_ca.exit_code, 0);
  EXPECT_NE(no_ca.output.find("--ca-file"), std::string::npos) << no_ca.output;
  CommandResult insecure = RunGamelake("query --insecure --url " + url + " " + count_sql);
  EXPECT_EQ(insecure.exit_code, 0) << insecure.output;

  // Plain HTTP to the TLS port gets no answer, and is counted.
  HttpClient plain(server.port());
  EXPECT_EQ(plain.Get("/v1/health").status, 0);
  TlsConnection tls(server.port(), Trust(certs.Path("ca.pem")));
  EXPECT_EQ(tls.Get("/v1/health").status, 200);

  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(LakeCount(server.data_dir(), "sdk"), 1201u);  // PutRecordBatch 1,200 + PutRecord.
  EXPECT_EQ(LakeCount(server.data_dir(), "gen"), 3000u);
}

TEST(TlsTest, OldProtocolsWrongNamesAndExpiredCertificatesAreRefused) {
  TempDir tmp;
  Certs certs(tmp.path());
  certs.Leaf("elsewhere", "DNS:elsewhere.example");
  certs.Leaf("expired", "DNS:localhost,IP:127.0.0.1", 0);
  {
    auto args = TlsArgs(certs, "elsewhere");
    args.insert(args.end(), {"--set", "server.plain_listen=127.0.0.1:0"});
    ServerProcess server(tmp.path() + "/d1", args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    std::string where = "127.0.0.1:" + std::to_string(server.port());
    // TLS 1.1 is refused; ALPN picks http/1.1 out of what a browser offers.
    CommandResult old =
        RunCommand("openssl s_client -connect " + where + " -tls1_1 </dev/null 2>&1");
    EXPECT_NE(old.output.find("alert protocol version"), std::string::npos) << old.output;
    CommandResult alpn =
        RunCommand("openssl s_client -connect " + where + " -alpn h2,http/1.1 </dev/null 2>&1");
    EXPECT_NE(alpn.output.find("ALPN protocol: http/1.1"), std::string::npos) << alpn.output;
    // A certificate for another name is refused by gamelake's clients.
    CommandResult wrong = RunGamelake("query --url " + Https(server.port()) + " --ca-file " +
                                      certs.Path("ca.pem") + " \"SELECT 1\"");
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_NE(wrong.output.find("not trusted for this name"), std::string::npos) << wrong.output;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // Let "expired" expire.
  {
    auto args = TlsArgs(certs, "expired");
    ServerProcess server(tmp.path() + "/d2", args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    TlsConnection tls(server.port(), Trust(certs.Path("ca.pem")));
    TlsAnswer a = tls.Get("/v1/health");
    EXPECT_EQ(a.status, 0);
    EXPECT_NE(a.error.find("expired"), std::string::npos) << a.error;
    // The server says so itself: failing, 503, not ready.
    TlsConnection insecure(server.port(), Insecure());
    EXPECT_EQ(insecure.Get("/v1/health").status, 503);
    EXPECT_EQ(insecure.Get("/v1/ready").status, 503);
  }
}

TEST(TlsTest, ACertificateReloadDropsNoRequest) {
  TempDir tmp;
  Certs certs(tmp.path());
  certs.Leaf("first", "DNS:localhost,IP:127.0.0.1");
  certs.Leaf("second", "DNS:localhost,IP:127.0.0.1");
  certs.Leaf("third", "DNS:localhost,IP:127.0.0.1");
  Env* env = Env::Default();
  auto install = [&](const std::string& leaf) {
    ASSERT_TRUE(env->WriteFileAtomic(certs.Path("live.key"),
                                     env->ReadFile(certs.Path(leaf + ".key")).value())
                    .ok());
    ASSERT_TRUE(env->WriteFileAtomic(certs.Path("live.pem"),
                                     env->ReadFile(certs.Path(leaf + ".pem")).value())
                    .ok());
  };
  install("first");
  auto args = TlsArgs(certs, "live");
  args.insert(args.end(), {"--set", "server.tls_reload_check_s=0.2"});
  ServerProcess server(tmp.path() + "/data", args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  TlsClientOptions trust = Trust(certs.Path("ca.pem"));
  TlsConnection before(server.port(), trust);
  EXPECT_NE(before.Get("/v1/health").peer_subject.find("CN=first"), std::string::npos);

  // Ingest over HTTPS throughout: two reloads (SIGHUP, then a file change).
  std::thread load([&] {
    CommandResult gen = RunGamelake(
        "generate --url " + Https(server.port()) + " --ca-file " + certs.Path("ca.pem") +
        " --stream reload --count 20000 --rate 5000 --batch 50 --quiet");
    EXPECT_EQ(gen.exit_code, 0) << gen.output;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  install("second");
  ::kill(server.pid(), SIGHUP);
  EXPECT_TRUE(Eventually([&] {
    return TlsConnection(server.port(), trust).Get("/").peer_subject.find("CN=second") !=
           std::string::npos;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  install("third");  // No signal: the watcher sees the files change.
  EXPECT_TRUE(Eventually([&] {
    return TlsConnection(server.port(), trust).Get("/").peer_subject.find("CN=third") !=
           std::string::npos;
  }));
  load.join();
  // The connection opened before the reloads still works.
  EXPECT_EQ(before.Get("/v1/health").status, 200);
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(LakeCount(server.data_dir(), "reload"), 20000u);
}

TEST(TlsTest, ClientCertificatesCanBeRequired) {
  TempDir tmp;
  Certs certs(tmp.path());
  certs.Leaf("server", "DNS:localhost,IP:127.0.0.1");
  certs.Leaf("client", "DNS:ingest-service", 30, "clientAuth");
  auto args = TlsArgs(certs, "server");
  args.insert(args.end(), {"--set", "server.tls_client_ca_file=" + certs.Path("ca.pem"), "--set",
                           "server.tls_client_auth=require"});
  ServerProcess server(tmp.path() + "/data", args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  TlsClientOptions anonymous = Trust(certs.Path("ca.pem"));
  EXPECT_EQ(TlsConnection(server.port(), anonymous).Get("/v1/health").status, 0);
  TlsClientOptions with_cert = Trust(certs.Path("ca.pem"));
  with_cert.cert_file = certs.Path("client.pem");
  with_cert.key_file = certs.Path("client.key");
  EXPECT_EQ(TlsConnection(server.port(), with_cert).Get("/v1/health").status, 200);
}

TEST(TlsTest, BadTlsSettingsAreRefusedAtStart) {
  TempDir tmp;
  Certs certs(tmp.path());
  certs.Leaf("a", "DNS:localhost");
  certs.Leaf("b", "DNS:localhost");
  struct Case {
    std::vector<std::string> sets;
    std::string says;
  } cases[] = {
      {{"server.tls_cert_file=" + certs.Path("a.pem")}, "set both or neither"},
      {{"server.tls_cert_file=" + certs.Path("a.pem"),
        "server.tls_key_file=" + certs.Path("b.key")},
       "is not the key of the certificate"},
      {{"server.tls_cert_file=" + certs.Path("a.key"),
        "server.tls_key_file=" + certs.Path("a.key")},
       "not a PEM certificate chain"},
      {{"server.tls_cert_file=/nonexistent.pem", "server.tls_key_file=" + certs.Path("a.key")},
       "no such file"},
      {{"server.plain_listen=127.0.0.1:0"}, "plain listener beside a TLS one"},
      {{"server.tls_cert_file=" + certs.Path("a.pem"), "server.tls_key_file=" + certs.Path("a.key"),
        "server.tls_client_auth=require"},
       "needs server.tls_client_ca_file"},
  };
  for (const Case& c : cases) {
    std::string cmd = "serve --data-dir " + tmp.path() + "/d --listen 127.0.0.1:0";
    for (const std::string& s : c.sets) cmd += " --set " + s;
    CommandResult r = RunGamelake(cmd);
    EXPECT_NE(r.exit_code, 0) << cmd;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << cmd << "\n" << r.output;
  }
}

}  // namespace
}  // namespace gamelake::testing
