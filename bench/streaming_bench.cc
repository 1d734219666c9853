// Streaming SQL applications measured in-process (docs/benchmarks.md,
// "Streaming SQL applications"). Not a test.
//
//   build/bench/streaming_bench [--records 1000000] [--batch 10000] [--runs 3] [--dir /tmp/x]
//
// The lab's records (the generator's builtin:lab template) are appended to a
// real Wal once; then each workload reads them back through a log cursor, the
// record decoder (KDA's JSON mapping) and the compiled program, on one thread:
//   filter:   the lab's continuous filter, verbatim;
//   tumbling: COUNT/AVG per CaughtBy over a 1-minute tumbling window;
//   sliding:  AVG over the last minute per CaughtBy, a row out per row in.
// Baseline, same run, same records: DuckDB (1 thread) polling micro-batches of
// --batch records — each batch loaded from NDJSON (read_json) and the same
// query run over it (the sliding one over a table that keeps the last minute).
// Prints records/s (median of --runs) and the sliding window's state bytes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "duckdb.h"
#include "generator/record_source.h"
#include "log/wal.h"
#include "streaming/record_decoder.h"
#include "streaming/streaming_program.h"

namespace gamelake {
namespace {

struct Options {
  int64_t records = 1'000'000;
  int64_t batch = 10'000;
  int runs = 3;
  int64_t memory_minutes = 0;  // > 0: the sliding window's memory at 100k records/s.
  std::string dir = "/tmp/gamelake-streaming-bench";
};

struct Workload {
  const char* name;
  const char* kda_sql;
  const char* duckdb_sql;  // Over table "batch" (and "recent" for the sliding one).
};

// The lab's SQL, verbatim (issue 12).
constexpr char kLabFilter[] = R"(-- ** Continuous Filter **
CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;)";

constexpr char kTumbling[] = R"(
CREATE STREAM "per_enemy" ("CaughtBy" INTEGER, "n" BIGINT, "avg_losses" INTEGER);
CREATE PUMP "P" AS INSERT INTO "per_enemy"
SELECT STREAM "CaughtBy", COUNT(*), AVG("Losses") FROM "SOURCE_SQL_STREAM_001"
GROUP BY "CaughtBy", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);)";

constexpr char kSliding[] = R"(
CREATE STREAM "recent" ("PlayerID" INTEGER, "avg_losses" INTEGER);
CREATE PUMP "P" AS INSERT INTO "recent"
SELECT STREAM "PlayerID", AVG("Losses") OVER (PARTITION BY "CaughtBy" RANGE INTERVAL '1' MINUTE PRECEDING)
FROM "SOURCE_SQL_STREAM_001";)";

const Workload kWorkloads[] = {
    {"filter (the lab's SQL)", kLabFilter,
     R"(SELECT "PlayerID", "Wins", "Losses", "Time Played", "CaughtAt", "CaughtBy" FROM batch WHERE "Losses" > 10)"},
    {"tumbling 1 min", kTumbling,
     R"(SELECT "CaughtBy", count(*), avg("Losses") FROM batch GROUP BY "CaughtBy", time_bucket(INTERVAL 1 MINUTE, ts))"},
    {"sliding 1 min", kSliding,
     R"(SELECT "PlayerID", avg("Losses") OVER (PARTITION BY "CaughtBy" ORDER BY ts RANGE BETWEEN INTERVAL 1 MINUTE PRECEDING AND CURRENT ROW) FROM recent QUALIFY seq > (SELECT min(seq) FROM batch) - 1)"},
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

InputSchema LabInput(const std::vector<std::string>& sample) {
  auto schema = DiscoverInputSchema(sample);
  if (!schema.ok()) {
    std::fprintf(stderr, "discover: %s\n", schema.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(schema).value();
}

class CountingSink final : public StreamingProgram::Sink {
 public:
  void OnRow(int, const StreamRow&) override { ++rows; }
  void OnError(const ErrorRow&) override { ++errors; }
  uint64_t rows = 0, errors = 0;
};

// One pass of the engine over the whole log; returns records/s.
double RunEngine(Wal* wal, const InputSchema& input, const Workload& w, size_t* state_bytes,
                 uint64_t* out_rows) {
  auto program = StreamingProgram::Compile(w.kda_sql, input.ToStreamSchema(), {});
  auto decoder = RecordDecoder::Create(input, "");
  if (!program.ok() || !decoder.ok()) {
    std::fprintf(stderr, "compile: %s %s\n", program.status().ToString().c_str(),
                 decoder.status().ToString().c_str());
    std::exit(1);
  }
  CountingSink sink;
  StreamRow row;
  uint64_t n = 0;
  auto cursor = wal->NewCursor(0);
  auto start = std::chrono::steady_clock::now();
  LogRecord r;
  while (true) {
    auto more = cursor->Next(&r);
    if (!more.ok() || !*more) break;
    if (!(*decoder)->Decode(r.payload, r.ingest_time_us, &row).ok()) continue;
    if (!(*program)->Push(row, &sink).ok()) std::exit(1);
    ++n;
  }
  double elapsed = Seconds(start);
  *state_bytes = (*program)->StateBytes();
  *out_rows = sink.rows;
  return n / elapsed;
}

class Db {
 public:
  Db() {
    if (duckdb_open(nullptr, &db_) != DuckDBSuccess ||
        duckdb_connect(db_, &con_) != DuckDBSuccess) {
      std::fprintf(stderr, "cannot open DuckDB\n");
      std::exit(1);
    }
  }
  ~Db() {
    duckdb_disconnect(&con_);
    duckdb_close(&db_);
  }
  void Run(const std::string& sql) {
    duckdb_result result;
    if (duckdb_query(con_, sql.c_str(), &result) != DuckDBSuccess) {
      std::fprintf(stderr, "duckdb: %s\n  %s\n", duckdb_result_error(&result), sql.c_str());
      std::exit(1);
    }
    duckdb_destroy_result(&result);
  }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
};

// The baseline: micro-batches polled into DuckDB; returns records/s.
double RunDuckDb(const std::vector<std::string>& records, const std::vector<int64_t>& ingest_us,
                 const Options& o, const Workload& w) {
  Db db;
  db.Run("SET threads = 1");
  const std::string file = o.dir + "/batch.ndjson";
  const bool sliding = std::string(w.name).starts_with("sliding");
  auto start = std::chrono::steady_clock::now();
  for (size_t first = 0; first < records.size(); first += o.batch) {
    size_t last = std::min(records.size(), first + static_cast<size_t>(o.batch));
    {
      std::ofstream out(file, std::ios::trunc);
      for (size_t i = first; i < last; ++i) {
        // What a poller reads back: the record with its sequence and ingest time.
        out << "{\"seq\":" << i << ",\"ts\":" << ingest_us[i] << ',' << records[i].substr(1)
            << '\n';
      }
    }
    db.Run(
        "CREATE OR REPLACE TABLE batch AS SELECT * REPLACE (make_timestamp(ts) AS ts) FROM "
        "read_json('" +
        file + "', format = 'newline_delimited')");
    if (sliding) {
      db.Run(first == 0 ? "CREATE OR REPLACE TABLE recent AS SELECT * FROM batch"
                        : "INSERT INTO recent SELECT * FROM batch");
    }
    db.Run(w.duckdb_sql);
    if (sliding) {
      db.Run("DELETE FROM recent WHERE ts < (SELECT max(ts) FROM recent) - INTERVAL 1 MINUTE");
    }
  }
  return records.size() / Seconds(start);
}

constexpr char kSlidingHour[] = R"(
CREATE STREAM "recent" ("PlayerID" INTEGER, "avg_losses" INTEGER, "max_losses" INTEGER);
CREATE PUMP "P" AS INSERT INTO "recent"
SELECT STREAM "PlayerID", AVG("Losses") OVER w, MAX("Losses") OVER w
FROM "SOURCE_SQL_STREAM_001"
WINDOW w AS (PARTITION BY "CaughtBy" RANGE INTERVAL '1' HOUR PRECEDING);)";

uint64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

// The stress case of issue 12: a sliding window over the last hour of 100k
// records/s, fed `minutes` of rows (ROWTIME 10 us apart) decoded from the lab's
// records; prints the window state's bytes and the process RSS.
void RunMemory(const std::vector<std::string>& records, const InputSchema& input, int64_t minutes) {
  ProgramOptions options;
  options.max_state_bytes = 16ull << 30;  // Measured here, not bounded.
  auto program = StreamingProgram::Compile(kSlidingHour, input.ToStreamSchema(), options);
  auto decoder = RecordDecoder::Create(input, "");
  if (!program.ok() || !decoder.ok()) std::exit(1);
  std::vector<StreamRow> rows(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    if (!(*decoder)->Decode(records[i], 0, &rows[i]).ok()) std::exit(1);
  }
  CountingSink sink;
  uint64_t rss_before = RssBytes();
  int64_t n = minutes * 60 * 100'000;
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    StreamRow& row = rows[i % rows.size()];
    row.rowtime_ms = i / 100;  // 100 records a millisecond.
    if (!(*program)->Push(row, &sink).ok()) std::exit(1);
  }
  double elapsed = Seconds(start);
  size_t state = (*program)->StateBytes();
  std::printf(
      "sliding 1 h window (AVG, MAX per CaughtBy) at 100k records/s: %lld records over %lld "
      "min in %.1f s (%.0f rec/s); state %zu bytes = %.2f B/record; RSS grew %.0f MiB\n",
      static_cast<long long>(n), static_cast<long long>(minutes), elapsed, n / elapsed, state,
      static_cast<double>(state) / n, (static_cast<double>(RssBytes()) - rss_before) / (1 << 20));
}

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--records") {
      o->records = std::atoll(argv[i + 1]);
    } else if (flag == "--batch") {
      o->batch = std::atoll(argv[i + 1]);
    } else if (flag == "--runs") {
      o->runs = std::atoi(argv[i + 1]);
    } else if (flag == "--memory-minutes") {
      o->memory_minutes = std::atoll(argv[i + 1]);
    } else if (flag == "--dir") {
      o->dir = argv[i + 1];
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && o->records > 0 && o->batch > 0 && o->runs > 0;
}

}  // namespace
}  // namespace gamelake

int main(int argc, char** argv) {
  using namespace gamelake;
  Options o;
  if (!ParseOptions(argc, argv, &o)) {
    std::fprintf(
        stderr, "usage: %s [--records N] [--batch N] [--runs N] [--dir DIR] [--memory-minutes M]\n",
        argv[0]);
    return 2;
  }
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  auto source = OpenRecordSource("builtin:lab", 42, Env::Default());
  if (!source.ok()) return 1;
  std::vector<std::string> records(o.records);
  for (std::string& r : records) (*source)->Next(Env::Default()->NowMicros(), &r);
  WalOptions wo;
  wo.dir = o.dir + "/log";
  wo.durability = Durability::kNone;
  RecoveryReport report;
  auto wal = Wal::Open(wo, &report);
  if (!wal.ok()) return 1;
  for (size_t i = 0; i < records.size(); i += 1000) {
    std::vector<std::string_view> chunk(records.begin() + i,
                                        records.begin() + std::min(records.size(), i + 1000));
    if (!(*wal)->Append("events", chunk).ok()) return 1;
  }
  std::vector<int64_t> ingest_us;
  {
    auto cursor = (*wal)->NewCursor(0);
    LogRecord r;
    while (true) {
      auto more = cursor->Next(&r);
      if (!more.ok() || !*more) break;
      ingest_us.push_back(r.ingest_time_us);
    }
  }
  std::vector<std::string> sample(records.begin(),
                                  records.begin() + std::min<size_t>(100, records.size()));
  InputSchema input = LabInput(sample);
  if (o.memory_minutes > 0) {
    RunMemory(records, input, o.memory_minutes);
    return 0;
  }
  std::printf("%lld lab records (%zu bytes each, about), 1 thread each; medians of %d runs\n",
              static_cast<long long>(o.records), records[0].size(), o.runs);
  std::printf("%-24s %16s %16s %8s\n", "workload", "engine rec/s", "DuckDB rec/s", "ratio");
  for (const Workload& w : kWorkloads) {
    std::vector<double> engine, duck;
    size_t state = 0;
    uint64_t rows = 0;
    for (int run = 0; run < o.runs; ++run) {
      engine.push_back(RunEngine(wal->get(), input, w, &state, &rows));
      duck.push_back(RunDuckDb(records, ingest_us, o, w));
    }
    double e = Median(engine), d = Median(duck);
    std::printf("%-24s %16.0f %16.0f %7.1fx   (%llu rows out, %zu bytes of state at the end)\n",
                w.name, e, d, e / d, static_cast<unsigned long long>(rows), state);
  }
  return 0;
}
