// Benchmarks RecordParser::Parse on a body of 500 lab-like game events, as
// NDJSON and as a JSON array, plain and gzip. Reports records/s.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <string>

#include <simdjson.h>

#include "ingest/record_parser.h"

namespace gamelake {
namespace {

constexpr int kRecords = 500;

std::string Record(int i) {
  static const char* const kGhosts[] = {"Blinky", "Pinky", "Inky", "Clyde", "Ghost"};
  static const char* const kRooms[] = {"Dining Room", "Kitchen", "Library", "Hall", "Cellar"};
  return "{\"PlayerID\":\"player-" + std::to_string(100000 + i * 7919 % 90000) +
         "\",\"Time Played\":" + std::to_string(600 + i * 37 % 5000) +
         ",\"Wins\":" + std::to_string(i % 5) + ",\"Losses\":" + std::to_string(i % 3) +
         ",\"CaughtBy\":\"" + kGhosts[i % 5] + "\",\"CaughtAt\":\"" + kRooms[i % 5] + "\"}";
}

std::string Body(BodyFormat format) {
  std::string body = format == BodyFormat::kJson ? "[" : "";
  for (int i = 0; i < kRecords; ++i) {
    if (format == BodyFormat::kJson && i > 0) body += ",";
    body += Record(i);
    if (format == BodyFormat::kNdjson) body += "\n";
  }
  if (format == BodyFormat::kJson) body += "]";
  return body;
}

std::string Gzip(const std::string& text) {
  uLongf size = compressBound(text.size()) + 64;
  std::string out(size, '\0');
  z_stream s{};
  deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

void BM_Parse(benchmark::State& state, BodyFormat format, bool gzip) {
  const std::string plain = Body(format);
  const std::string body = gzip ? Gzip(plain) : plain;
  RecordParser parser;
  ParsedBody out;
  for (auto _ : state) {
    Status s = parser.Parse(body, format, gzip, &out);
    if (!s.ok() || out.records.size() != kRecords) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(out.records.data());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(plain.size()));
}

// Baseline: simdjson alone parsing the same NDJSON body (parse_many), with no
// per-record checks or bookkeeping — the floor RecordParser is measured against.
void BM_SimdjsonParseManyBaseline(benchmark::State& state) {
  const std::string body = Body(BodyFormat::kNdjson);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  for (auto _ : state) {
    size_t n = 0;
    simdjson::dom::document_stream docs;
    if (parser.parse_many(padded).get(docs)) {
      state.SkipWithError("parse_many failed");
      break;
    }
    for (auto doc : docs) {
      simdjson::dom::object obj;
      if (doc.get_object().get(obj)) break;
      ++n;
    }
    if (n != kRecords) {
      state.SkipWithError("baseline parse failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_SimdjsonParseManyBaseline);

BENCHMARK_CAPTURE(BM_Parse, ndjson, BodyFormat::kNdjson, false);
BENCHMARK_CAPTURE(BM_Parse, json_array, BodyFormat::kJson, false);
BENCHMARK_CAPTURE(BM_Parse, ndjson_gzip, BodyFormat::kNdjson, true);
BENCHMARK_CAPTURE(BM_Parse, json_array_gzip, BodyFormat::kJson, true);

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
