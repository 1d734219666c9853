// Builds lakes for the lake benchmarks (bench/lake_bench.sh): the records of
// an NDJSON file spread evenly over `days` days that end `end_hours_ago`
// hours before now, written the way delivery writes them (one file per
// stream, partition and buffer interval, named <stream>-<first>-<last>.parquet
// under dt=/hr=), and optionally the same rows as one Parquet file per day
// (the baseline DuckDB reads).
//
//   lake_fixture --ndjson lab.ndjson --data DATA_DIR [--stream events]
//                [--days 30] [--files-per-day 1440] [--end-hours-ago 2]
//                [--baseline DIR]
//
// Everything is done by DuckDB (read_json, COPY ... PARTITION_BY) and
// rename(2); prints what it wrote.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "duckdb.h"
#include "lake/lake_layout.h"

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string ndjson, data, baseline, stream = "events";
  int days = 30;
  int files_per_day = 1440;
  int end_hours_ago = 2;
};

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--ndjson")
      o->ndjson = v;
    else if (k == "--data")
      o->data = v;
    else if (k == "--baseline")
      o->baseline = v;
    else if (k == "--stream")
      o->stream = v;
    else if (k == "--days")
      o->days = std::atoi(v.c_str());
    else if (k == "--files-per-day")
      o->files_per_day = std::atoi(v.c_str());
    else if (k == "--end-hours-ago")
      o->end_hours_ago = std::atoi(v.c_str());
    else
      return false;
  }
  return !o->ndjson.empty() && !o->data.empty() && o->days > 0 && o->files_per_day > 0;
}

bool Run(duckdb_connection con, const std::string& sql, std::string* first = nullptr) {
  duckdb_result r;
  if (duckdb_query(con, sql.c_str(), &r) != DuckDBSuccess) {
    std::fprintf(stderr, "DuckDB: %s\n  in %s\n", duckdb_result_error(&r), sql.c_str());
    duckdb_destroy_result(&r);
    return false;
  }
  if (first != nullptr && duckdb_row_count(&r) > 0) {
    char* v = duckdb_value_varchar(&r, 0, 0);
    *first = v != nullptr ? v : "";
    duckdb_free(v);
  }
  duckdb_destroy_result(&r);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s --ndjson FILE --data DIR [--stream S] [--days N] "
                 "[--files-per-day N] [--end-hours-ago N] [--baseline DIR]\n",
                 argv[0]);
    return 2;
  }
  duckdb_database db;
  duckdb_connection con;
  if (duckdb_open(nullptr, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
    return 1;
  }
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t hour = 3'600'000'000;
  const int64_t end_us = (now_us / hour - o.end_hours_ago) * hour;
  const int64_t span_us = int64_t{o.days} * 24 * hour;
  const int64_t start_us = end_us - span_us;
  const int64_t files = int64_t{o.days} * o.files_per_day;
  const int64_t file_us = span_us / files;
  std::string n_text;
  if (!Run(con, "SET preserve_insertion_order = true") || !Run(con, "SET threads = 1") ||
      !Run(con, "CREATE TABLE src AS SELECT *, row_number() OVER () - 1 AS __i FROM read_json('" +
                    o.ndjson + "', format = 'newline_delimited')") ||
      !Run(con, "SELECT count(*) FROM src", &n_text)) {
    return 1;
  }
  const int64_t n = std::atoll(n_text.c_str());
  // Record i: ingested at an even spacing over the span; file f holds the
  // records of its buffer interval.
  std::string rows = fmt::format(
      "SELECT make_timestamp({0} + __i * {1} // {2}) AS _ingest_time, (__i + 1)::BIGINT AS "
      "_record_id, * EXCLUDE (__i), ((__i * {1} // {2}) // {3}) AS __f FROM src",
      start_us, span_us, n, file_us);
  const std::string stage = o.data + "/.fixture-stage";
  fs::create_directories(o.data + "/lake");
  if (!Run(con, fmt::format("COPY ({}) TO '{}' (FORMAT parquet, PARTITION_BY (__f), COMPRESSION "
                            "zstd)",
                            rows, stage))) {
    return 1;
  }
  // Each file's first and last record: from the spacing.
  int64_t written = 0;
  for (int64_t f = 0; f < files; ++f) {
    std::string from = fmt::format("{}/__f={}/data_0.parquet", stage, f);
    if (!fs::exists(from)) continue;
    // Records of file f: i with (i * span // n) // file_us == f.
    int64_t first = (f * file_us * n + span_us - 1) / span_us;
    while (first > 0 && ((first - 1) * span_us / n) / file_us >= f) --first;
    while ((first * span_us / n) / file_us < f) ++first;
    int64_t last = first;
    while (last + 1 < n && ((last + 1) * span_us / n) / file_us == f) ++last;
    gamelake::LakePartition p = gamelake::LakePartition::OfTime(start_us + f * file_us);
    gamelake::LakeFileName name{static_cast<uint64_t>(first + 1), static_cast<uint64_t>(last + 1),
                                0};
    fs::path to = fs::path(o.data) / "lake" / gamelake::LakeFilePath(o.stream, p, name);
    fs::create_directories(to.parent_path());
    fs::rename(from, to);
    ++written;
  }
  for (const auto& e : fs::recursive_directory_iterator(stage)) {
    if (e.is_regular_file()) {
      std::fprintf(stderr, "DuckDB split a file: %s\n", e.path().c_str());
      return 1;
    }
  }
  fs::remove_all(stage);
  std::printf("lake: %lld records in %lld files over %d days ending %d h ago\n",
              static_cast<long long>(n), static_cast<long long>(written), o.days, o.end_hours_ago);
  if (!o.baseline.empty()) {
    fs::create_directories(o.baseline);
    if (!Run(con, fmt::format("COPY (SELECT * EXCLUDE (__f), strftime(_ingest_time, '%Y-%m-%d') "
                              "AS __day FROM ({}) ORDER BY _record_id) TO '{}/{}' (FORMAT parquet, "
                              "PARTITION_BY (__day), COMPRESSION zstd)",
                              rows, o.baseline, o.stream))) {
      return 1;
    }
    std::printf("baseline: one file per day in %s/%s\n", o.baseline.c_str(), o.stream.c_str());
  }
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
