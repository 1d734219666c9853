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
// Rules, for both formats:
//  - A UTF-8 BOM and JSON whitespace around the body and around each record are
//    skipped; a record's text excludes them. A record with a key twice in one
//    object fails alone ("duplicate_key").
//  - Depth counts objects and arrays, empty or not: {} is 1, {"a":[]} is 2.
//  - Numbers must fit simdjson: integers in [-2^63, 2^64-1] and finite
//    doubles. 1e400 or 123456789012345678901234567890 make the record
//    "invalid_json" ("number out of double range", "integer above 2^64-1");
//    tiny values such as 1e-400 round to 0 and are accepted.
//  - Error messages name the byte offset in the decoded body where known.
// kJson: an array is split into elements first; an element that can be split
// out but is itself bad (not an object, invalid JSON, too large, too deep)
// fails alone as index <element>. A single-object body is record 0: if it is
// not valid JSON (or not UTF-8) Parse() fails with InvalidArgument; if it is
// only too large or too deep it is reported as a record error. An empty body
// or "[]" is InvalidArgument "empty body".
// kNdjson: records are the non-blank lines ('\r\n' accepted); a record's
// index is its position among non-blank lines; messages name the line number
// (from 1). A body with no records is InvalidArgument "empty body".
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
  size_t max_keys = 1000;                    // Keys in one record, all levels.
};

struct RecordError {
  size_t index = 0;     // Position of the record in the body, from 0.
  std::string code;     // Stable, machine-readable: "invalid_json", "not_an_object",
                        // "invalid_utf8", "record_too_large", "too_deep",
                        // "too_many_keys", "duplicate_key".
  std::string message;  // Human-readable, says what and where.
  // The record's bytes as found in the decoded body (the NDJSON line or the
  // array element, without surrounding whitespace), for dead-lettering. Points
  // into the parser's buffer: valid until the next Parse() call.
  std::string_view raw;
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

// The calling thread's parser for `limits`, kept between calls so its buffers
// are reused (one per thread and limits object). `limits` must outlive every
// call made with it; the parser's results live until its next Parse().
RecordParser& ThreadLocalRecordParser(const ParserLimits& limits);

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_RECORD_PARSER_H_
