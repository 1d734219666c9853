// RecordParser: turns an HTTP request body into validated JSON records.
//
// A body is one JSON object, a JSON array of objects, or NDJSON (one object
// per line; blank lines ignored), optionally gzip-encoded. Each record is
// checked on its own: valid JSON, valid UTF-8, an object, within the size and
// nesting limits. A bad record fails alone, with its index and a reason; the
// others are kept. A body that cannot be split into records at all (broken
// JSON array, a bad gzip stream, over the size limits) is an error naming the
// byte offset.
//
// Thread-safety: a RecordParser holds reusable buffers; use one per thread.
#ifndef GAMELAKE_INGEST_RECORD_PARSER_H_
#define GAMELAKE_INGEST_RECORD_PARSER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gamelake {

enum class BodyFormat {
  kJson,    // application/json: one object or an array of objects.
  kNdjson,  // application/x-ndjson (also application/jsonl, application/json-seq-less).
};

struct ParserLimits {
  size_t max_decoded_body_bytes = 8u << 20;  // After gzip decoding (bomb guard).
  size_t max_record_bytes = 1000u << 10;     // Firehose's 1,000 KiB per record.
  size_t max_records = 10000;                // Per request.
  size_t max_depth = 64;                     // JSON nesting depth.
};

struct RecordError {
  size_t index = 0;      // Position of the record in the body, from 0.
  std::string code;      // Stable, machine-readable: "invalid_json", "not_an_object",
                         // "invalid_utf8", "record_too_large", "too_deep".
  std::string message;   // Human-readable, says what and where.
};

struct ParsedBody {
  // Valid records, each a JSON object's text, in body order. They point into
  // the parser's buffers or the body: valid until the next Parse() call.
  std::vector<std::string_view> records;
  std::vector<size_t> record_indexes;  // Body index of each valid record.
  std::vector<RecordError> errors;     // One per rejected record, in body order.
  size_t total = 0;                    // Records found in the body (valid + rejected).
  size_t decoded_bytes = 0;            // Body size after gzip decoding.
};

class RecordParser {
 public:
  explicit RecordParser(ParserLimits limits = {});
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Parses body. gzip: the body is Content-Encoding: gzip. On error returns
  // InvalidArgument ("malformed JSON at byte 17: ...") or ResourceExhausted
  // (a limit: "decoded body exceeds 8388608 bytes"); `out` is then unspecified.
  [[nodiscard]] Status Parse(std::string_view body, BodyFormat format, bool gzip, ParsedBody* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_RECORD_PARSER_H_
