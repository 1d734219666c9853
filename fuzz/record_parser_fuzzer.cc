// Fuzzes the ingest body parser (ingest/record_parser.h) with its gzip decoder,
// JSON array scanner and JSON syntax checker: every request body of
// POST /v1/streams/{stream}/records, /v1/events and Firehose's Data goes there.
//
// The first byte picks the format and the encoding (see kModes); the rest is
// the body. In the "zip" modes the body is gzip-compressed here first, so the
// fuzzer reaches the parser through a valid gzip stream; in the "raw gzip"
// modes the bytes are handed over as a gzip body as they are. Limits are small
// so that the limits' paths are reached. Checks, besides no crash, leak or UB:
// the counts add up, and every record the parser accepts is valid JSON by the
// slow checker too (the two must agree on the grammar).
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "ingest/json_scanner.h"
#include "ingest/json_syntax_check.h"
#include "ingest/record_parser.h"

namespace {

using gamelake::BodyFormat;

struct Mode {
  char letter;
  BodyFormat format;
  bool zip_here;  // Compress the body, then parse it as gzip.
  bool gzip;      // Parse as Content-Encoding: gzip.
};
constexpr Mode kModes[] = {
    {'j', BodyFormat::kJson, false, false}, {'n', BodyFormat::kNdjson, false, false},
    {'J', BodyFormat::kJson, true, true},   {'N', BodyFormat::kNdjson, true, true},
    {'g', BodyFormat::kJson, false, true},  {'h', BodyFormat::kNdjson, false, true},
};

const Mode& PickMode(unsigned char c) {
  for (const Mode& m : kModes) {
    if (m.letter == static_cast<char>(c)) return m;
  }
  return kModes[c % (sizeof(kModes) / sizeof(kModes[0]))];
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  // 31: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "record_parser_fuzzer: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Mode& mode = PickMode(data[0]);
  std::string_view body = gamelake::AsView(data + 1, size - 1);

  static gamelake::ParserLimits limits = [] {
    gamelake::ParserLimits l;
    l.max_decoded_body_bytes = 256u << 10;
    l.max_record_bytes = 16u << 10;
    l.max_records = 200;
    l.max_depth = 24;
    l.max_keys = 100;
    return l;
  }();
  static gamelake::RecordParser parser(limits);

  std::string zipped;
  if (mode.zip_here) {
    zipped = Gzip(body);
    body = zipped;
  }
  gamelake::ParsedBody parsed;
  gamelake::Status s = parser.Parse(body, mode.format, mode.gzip, &parsed);
  if (s.ok()) {
    Check(parsed.records.size() == parsed.record_indexes.size(), "records vs indexes");
    Check(parsed.records.size() + parsed.errors.size() == parsed.total, "counts do not add up");
    Check(parsed.total <= limits.max_records, "more records than max_records");
    for (std::string_view record : parsed.records) {
      Check(record.size() <= limits.max_record_bytes, "an accepted record is over the limit");
      Check(!gamelake::FindJsonSyntaxError(record).has_value(),
            "an accepted record is invalid JSON for FindJsonSyntaxError");
    }
  }

  // The building blocks on the raw bytes too.
  std::string_view text = gamelake::AsView(data + 1, size - 1);
  (void)gamelake::FindJsonSyntaxError(text);
  (void)gamelake::FindInvalidUtf8(text);
  size_t pos = 0;
  while (pos < text.size() && gamelake::JsonScanner::IsSpace(text[pos])) ++pos;
  if (pos < text.size()) {
    gamelake::JsonScanner scanner;
    gamelake::JsonScanner::Value value;
    if (scanner.ScanValue(text, pos, &value)) {
      Check(value.end > pos && value.end <= text.size(), "scanned value out of bounds");
    }
  }
  return 0;
}
