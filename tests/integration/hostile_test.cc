// Hostile and broken requests, table-driven: each gets its documented status
// and a JSON error, the server stays healthy, and the valid records sent
// alongside are kept. Requests are raw bytes on a socket, so malformed HTTP
// can be sent as well.
#include <zlib.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server_process.h"

namespace gamelake::testing {
namespace {

struct Reply {
  int status = 0;
  std::string headers;
  std::string body;
};

Reply ParseReply(const std::string& raw) {
  Reply r;
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return r;
  r.status = std::stoi(raw.substr(9, 3));
  size_t end = raw.find("\r\n\r\n");
  r.headers = raw.substr(0, end);
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

std::string Request(const std::string& method, const std::string& target, const std::string& body,
                    const std::vector<std::string>& headers = {}, bool content_length = true) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  if (content_length) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

std::string PostJson(const std::string& body, const std::string& type = "application/json") {
  return Request("POST", "/v1/streams/hostile/records", body, {"Content-Type: " + type});
}

std::string PostNdjson(const std::string& body, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> h = {"Content-Type: application/x-ndjson"};
  h.insert(h.end(), extra.begin(), extra.end());
  return Request("POST", "/v1/streams/hostile/records", body, h);
}

// A gzip stream of `n` zero bytes, built in pieces (never n bytes in memory).
std::string GzipZeros(size_t n) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string zeros(1 << 20, '\0'), out;
  char chunk[1 << 16];
  for (size_t done = 0; done <= n; done += zeros.size()) {
    bool last = done + zeros.size() > n;
    zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
    zs.avail_in = last ? static_cast<uInt>(n - done) : static_cast<uInt>(zeros.size());
    do {
      zs.next_out = reinterpret_cast<Bytef*>(chunk);
      zs.avail_out = sizeof(chunk);
      deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(chunk, sizeof(chunk) - zs.avail_out);
    } while (zs.avail_out == 0);
    if (last) break;
  }
  deflateEnd(&zs);
  return out;
}

std::string Good(int n) { return "{\"hostile_ok\":" + std::to_string(n) + "}"; }

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

struct Case {
  std::string name;
  std::string raw;        // The bytes sent.
  int status;             // Expected status.
  std::string code;       // Expected error code in the body ("" = don't check).
  int good_records = 0;   // Valid records in the request that must be kept.
  bool json_body = true;  // The answer must be JSON.
};

std::vector<Case> Cases() {
  std::vector<Case> c;
  int g = 0;  // Numbers the good records; each is stored once.
  auto good = [&] { return Good(++g); };

  // Broken JSON.
  c.push_back({"truncated object", PostJson("{\"a\":"), 400, "malformed_body"});
  c.push_back({"truncated array", PostJson("[{\"a\":1},{\"b\""), 400, "malformed_body"});
  c.push_back({"trailing garbage", PostJson("{\"a\":1} xyz"), 400, "malformed_body"});
  c.push_back({"empty body", PostJson(""), 400, "malformed_body"});
  c.push_back({"whitespace body", PostJson("  \n\t "), 400, "malformed_body"});
  c.push_back({"top-level string", PostJson("\"hello\""), 400, ""});
  c.push_back({"top-level number", PostJson("42"), 400, ""});
  c.push_back({"top-level null", PostJson("null"), 400, ""});
  c.push_back({"array of non-objects", PostJson("[1,\"a\",null,[]]"), 400, ""});
  c.push_back({"100k-deep array", PostJson(Nested(100000)), 400, ""});
  c.push_back({"deep record beside a good one",
               PostNdjson("{\"d\":" + Nested(200) + "}\n" + good() + "\n"), 200, "", 1});
  c.push_back({"invalid UTF-8 object", PostJson("{\"a\":\"\xff\xfe\"}"), 400, ""});
  c.push_back({"invalid UTF-8 line beside a good one",
               PostNdjson("{\"a\":\"\xc3\x28\"}\n" + good() + "\n"), 200, "", 1});
  c.push_back({"overlong UTF-8", PostNdjson("{\"a\":\"\xc0\xaf\"}\n" + good()), 200, "", 1});
  c.push_back({"lone surrogate escape", PostNdjson("{\"a\":\"\\ud800\"}\n" + good()), 200, "", 1});
  c.push_back({"NUL inside a string", PostNdjson(std::string("{\"a\":\"x\0y\"}\n", 12) + good()),
               200, "", 1});
  c.push_back(
      {"NUL between tokens", PostNdjson(std::string("{\"a\":\0 1}\n", 10) + good()), 200, "", 1});
  c.push_back({"huge float", PostNdjson("{\"a\":1e400}\n" + good()), 200, "", 1});
  c.push_back({"huge integer", PostNdjson("{\"a\":123456789012345678901234567890}\n" + good()), 200,
               "", 1});
  c.push_back({"duplicate keys fail alone", PostNdjson("{\"dup\":1,\"dup\":2}\n" + good() + "\n"),
               200, "", 1});
  c.push_back({"CRLF lines", PostNdjson(good() + "\r\n" + good() + "\r\n"), 200, "", 2});
  c.push_back({"all lines invalid", PostNdjson("{x}\n{y}\n[1]\n"), 400, ""});
  c.push_back({"record over 1000 KiB beside a good one",
               PostNdjson("{\"big\":\"" + std::string(1100 * 1024, 'x') + "\"}\n" + good()), 200,
               "", 1});
  c.push_back({"10,000 keys in one record beside a good one",
               [&] {
                 std::string r = "{";
                 for (int i = 0; i < 10000; ++i) {
                   r += std::string(i ? "," : "") + "\"k" + std::to_string(i) +
                        "\":" + std::to_string(i);
                 }
                 return PostNdjson(r + "}\n" + good() + "\n");
               }(),
               200, "", 1});

  // Limits.
  {
    std::string lines;
    for (int i = 0; i < 501; ++i) lines += "{\"a\":1}\n";
    c.push_back({"501 records", PostNdjson(lines), 413, "body_too_large"});
    std::string arr = "[";
    for (int i = 0; i < 501; ++i) arr += std::string(i ? "," : "") + "{\"a\":1}";
    c.push_back({"501-element array", PostJson(arr + "]"), 413, "body_too_large"});
  }
  c.push_back({"7 MiB body", PostJson(std::string(7 << 20, ' ')), 413, "body_too_large"});
  c.push_back({"100 MB declared",
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
               "application/json\r\nContent-Length: 100000000\r\n\r\n{\"a\":",
               413, "body_too_large"});
  c.push_back({"gzip bomb (1 GiB of zeros)",
               PostNdjson(GzipZeros(1ull << 30), {"Content-Encoding: gzip"}), 413,
               "body_too_large"});
  c.push_back({"corrupt gzip",
               PostNdjson("\x1f\x8b\x08\x00garbage-not-deflate", {"Content-Encoding: gzip"}), 400,
               "malformed_body"});
  c.push_back({"plain body declared gzip", PostNdjson(good(), {"Content-Encoding: gzip"}), 400,
               "malformed_body"});
  c.push_back({"valid gzip",
               PostNdjson(Gzip(good() + "\n" + good() + "\n"), {"Content-Encoding: gzip"}), 200, "",
               2});
  c.push_back({"brotli encoding", PostNdjson(good(), {"Content-Encoding: br"}), 415,
               "unsupported_encoding"});
  c.push_back({"text/plain", PostJson(good(), "text/plain"), 415, "unsupported_media_type"});
  c.push_back(
      {"application/xml", PostJson("<a/>", "application/xml"), 415, "unsupported_media_type"});
  c.push_back({"form data", PostJson("a=1", "application/x-www-form-urlencoded"), 415,
               "unsupported_media_type"});
  c.push_back({"multipart", PostJson("--x\r\n", "multipart/form-data; boundary=x"), 415,
               "unsupported_media_type"});
  {
    std::vector<std::string> flood;
    for (int i = 0; i < 200; ++i) flood.push_back("X-Flood-" + std::to_string(i) + ": y");
    c.push_back(
        {"200 headers", Request("POST", "/v1/events", good(), flood), 431, "too_many_headers"});
    c.push_back({"20 KB header",
                 Request("POST", "/v1/events", good(), {"X-Big: " + std::string(20000, 'a')}), 431,
                 "headers_too_large"});
  }

  // Routes, methods, names.
  c.push_back({"unknown route", Request("GET", "/admin/secret", ""), 404, "not_found"});
  c.push_back({"PUT records", Request("PUT", "/v1/streams/hostile/records", good()), 405,
               "method_not_allowed"});
  c.push_back({"DELETE records", Request("DELETE", "/v1/events", ""), 405, "method_not_allowed"});
  c.push_back({"POST health", Request("POST", "/v1/health", ""), 405, "method_not_allowed"});
  c.push_back({"stream name too long",
               Request("POST", "/v1/streams/" + std::string(65, 'a') + "/records", good(),
                       {"Content-Type: application/json"}),
               400, "invalid_stream_name"});
  c.push_back(
      {"dot-dot stream",
       Request("POST", "/v1/streams/../records", good(), {"Content-Type: application/json"}), 400,
       "invalid_stream_name"});
  c.push_back(
      {"encoded slash stream",
       Request("POST", "/v1/streams/a%2Fb/records", good(), {"Content-Type: application/json"}),
       400, "invalid_stream_name"});
  c.push_back(
      {"reserved stream",
       Request("POST", "/v1/streams/_errors/records", good(), {"Content-Type: application/json"}),
       400, "invalid_stream_name"});
  c.push_back(
      {"unicode stream",
       Request("POST", "/v1/streams/\xc3\xa9v/records", good(), {"Content-Type: application/json"}),
       400, "invalid_stream_name"});
  c.push_back({"query string is ignored",
               Request("POST", "/v1/streams/hostile/records?x=1&y", good(),
                       {"Content-Type: application/json"}),
               200, "", 1});

  // Malformed HTTP.
  c.push_back({"not HTTP", "GARBAGE GARBAGE\r\n\r\n", 400, "bad_http"});
  c.push_back({"bad Content-Length",
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: "
               "abc\r\n\r\n",
               400, "bad_http"});
  c.push_back({"negative Content-Length",
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400,
               "bad_http"});
  c.push_back({"bad chunk size",
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
               "application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
               400, "bad_http"});
  {
    std::string body = good();
    char size[16];
    std::snprintf(size, sizeof(size), "%zx", body.size());
    c.push_back({"valid chunked body",
                 "POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                 "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n",
                 200, "", 0});  // Goes to the stream events, not counted below.
  }
  c.push_back({"CORS preflight from a stranger",
               Request("OPTIONS", "/v1/streams/hostile/records", "",
                       {"Origin: https://evil.example", "Access-Control-Request-Method: POST"}),
               403, "cors_origin_not_allowed"});
  return c;
}

TEST(HostileTest, EveryBadRequestGetsItsStatusAndTheServerKeepsServing) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::vector<Case> cases = Cases();
  ASSERT_GE(cases.size(), 50u);
  int expected_good = 0;
  for (const Case& c : cases) {
    HttpClient client(server.port());
    Reply r = ParseReply(client.RawExchange(c.raw, 20000));
    EXPECT_EQ(r.status, c.status) << c.name << "\n" << r.headers << "\n" << r.body;
    if (c.json_body && r.status >= 400) {
      EXPECT_NE(r.headers.find("Content-Type: application/json"), std::string::npos)
          << c.name << "\n"
          << r.headers;
      EXPECT_EQ(r.body.substr(0, 1), "{") << c.name << ": " << r.body;
    }
    if (!c.code.empty()) {
      EXPECT_NE(r.body.find("\"" + c.code + "\""), std::string::npos) << c.name << ": " << r.body;
    }
    if (c.status == 200 && c.good_records > 0) {
      EXPECT_NE(r.body.find("\"accepted\":" + std::to_string(c.good_records)), std::string::npos)
          << c.name << ": " << r.body;
    }
    expected_good += c.good_records;
    EXPECT_EQ(HttpClient(server.port()).Get("/v1/health").status, 200) << "after " << c.name;
  }
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto rows = DuckQuery("SELECT count(*), count(DISTINCT hostile_ok) FROM read_parquet('" +
                        LakeGlob(dir.path() + "/data", "hostile") +
                        "', union_by_name=true) WHERE hostile_ok IS NOT NULL");
  EXPECT_EQ(rows[0][0], std::to_string(expected_good));
  EXPECT_EQ(rows[0][1], std::to_string(expected_good));
}

TEST(HostileTest, SlowClientsAreCutOff) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data",
                       {"--set", "server.idle_timeout_s=1", "--set", "server.request_timeout_s=1"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  // Headers sent, half the body, then silence: told 408 and cut off once
  // request_timeout_s passes.
  HttpClient slow(server.port());
  std::string partial =
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"a\":";
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(slow.RawExchange(partial, 10000).rfind("HTTP/1.1 408 ", 0), 0u);
  // Half a request line, then silence (slowloris): the same.
  HttpClient loris(server.port());
  EXPECT_EQ(loris.RawExchange("POST /v1/ev", 10000).rfind("HTTP/1.1 408 ", 0), 0u);
  // Both were closed by the server, not by the client's 10 s patience.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(19));
  EXPECT_EQ(HttpClient(server.port()).Get("/v1/health").status, 200);
}

}  // namespace
}  // namespace gamelake::testing
