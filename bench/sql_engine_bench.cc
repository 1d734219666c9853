// The query engine's own cost over DuckDB: the lab's queries over the same
// Parquet files, through QueryEngine (views, sandbox, result sink) and through
// DuckDB directly (a view over read_parquet, as bench/sql_duckdb_baseline has
// it), in one process. Not part of the tests.
//
//   build-sqlbench/bench/sql_engine_bench [--benchmark_repetitions=5]
//       builds a 10M-row lake of lab records under $TMPDIR first (about 10 s);
//   GAMELAKE_BENCH_DATA=<data dir> build-sqlbench/bench/sql_engine_bench
//       uses the lake of an existing data dir instead (e.g. one sql_bench.sh
//       or `gamelake serve` filled; the server must be stopped). Its catalog
//       is rebuilt in a temp dir; the data dir is not written.
#include <stdlib.h>

#include <filesystem>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "query/query_engine.h"
#include "sql/duck_db.h"
#include "sql/duck_handles.h"

namespace gamelake {
namespace {

class Lake {
 public:
  Lake() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/gl_sqlbench_XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
    const char* data = std::getenv("GAMELAKE_BENCH_DATA");
    lake_ = data != nullptr ? std::string(data) + "/lake" : dir_ + "/lake";
    if (data == nullptr) Generate();
    CatalogOptions o;
    o.dir = dir_ + "/catalog";
    o.lake_dir = lake_;
    catalog_ = std::move(Catalog::Open(o)).value();
    (void)catalog_->Crawl(false);
    QueryEngineOptions q;
    q.nice = 0;
    engine_ = std::move(QueryEngine::Open(catalog_.get(), nullptr, q)).value();
    DuckDbOptions d;
    d.threads = q.threads;
    d.memory_limit = q.memory_limit;
    direct_ = std::move(DuckDb::Open(d)).value();
    Status s = direct_->Execute(
        fmt::format("CREATE VIEW events AS SELECT * FROM read_parquet('{}/events/**/*.parquet', "
                    "union_by_name = true)",
                    lake_));
    if (!s.ok()) std::abort();
  }
  ~Lake() { std::filesystem::remove_all(dir_); }
  QueryEngine* engine() { return engine_.get(); }
  DuckDb* direct() { return direct_.get(); }

 private:
  // 10 M lab-like records in 4 files: the KDG template's value ranges, values
  // from a hash of the row number (not correlated, as the generator's are not).
  void Generate() {
    std::string part = lake_ + "/events/dt=2026-11-26/hr=16";
    std::filesystem::create_directories(part);
    auto db = DuckDb::Open(DuckDbOptions{});
    for (int i = 0; i < 4; ++i) {
      std::string file =
          fmt::format("{}/events-{:020}-{:020}.parquet", part, i * 2500000 + 1, (i + 1) * 2500000);
      Status s = (*db)->Execute(fmt::format(
          "COPY (SELECT TIMESTAMP '2026-11-26 16:00:00' + to_microseconds(i * 300) AS "
          "_ingest_time, i + 1 AS _record_id, (hash(i) % 10001)::BIGINT AS PlayerID, "
          "(hash(i, 1) % 100001)::BIGINT AS \"Time Played\", (hash(i, 2) % 11)::BIGINT AS Wins, "
          "(hash(i, 3) % 11)::BIGINT AS Losses, (hash(i, 4) % 6 + 1)::BIGINT AS CaughtAt, "
          "(hash(i, 5) % 6 + 1)::BIGINT AS CaughtBy "
          "FROM range({}, {}) t(i)) TO '{}' (FORMAT parquet, COMPRESSION zstd)",
          i * 2500000, (i + 1) * 2500000, file));
      if (!s.ok()) std::abort();
    }
  }

  std::string dir_;
  std::string lake_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<DuckDb> direct_;
};

Lake& TheLake() {
  static Lake lake;
  return lake;
}

// bench/sql_queries.tsv, the lab's questions.
constexpr const char* kQueries[] = {
    "SELECT count(*) FROM events WHERE \"Time Played\" > 3600",
    "SELECT CaughtBy, count(*) AS n FROM events GROUP BY CaughtBy ORDER BY n DESC",
    "SELECT CaughtAt, CaughtBy, count(*) AS n FROM events GROUP BY CaughtAt, CaughtBy ORDER BY "
    "CaughtAt, CaughtBy",
    "SELECT PlayerID, sum(Losses) AS losses FROM events GROUP BY PlayerID ORDER BY losses DESC, "
    "PlayerID LIMIT 10",
    "SELECT avg(CAST(Wins AS DOUBLE) / NULLIF(Losses, 0)) FROM events",
};
constexpr const char* kNames[] = {"a_count", "b_caughtby", "c_at_by", "d_losses", "e_ratio"};

class Discard : public ResultSink {
 public:
  Status Begin(const std::vector<ResultColumn>&) override { return Status::OK(); }
  Status AddRow(std::span<const Cell>) override { return Status::OK(); }
  Status Finish(const QueryStats&) override { return Status::OK(); }
  void Abort(const Status&) override {}
};

void BM_Engine(benchmark::State& state) {
  Lake& lake = TheLake();
  QueryRequest r;
  r.sql = kQueries[state.range(0)];
  state.SetLabel(kNames[state.range(0)]);
  for (auto _ : state) {
    Discard sink;
    if (!lake.engine()->Run(r, &sink).ok()) state.SkipWithError("query failed");
  }
}
BENCHMARK(BM_Engine)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DuckDbDirect(benchmark::State& state) {
  Lake& lake = TheLake();
  state.SetLabel(kNames[state.range(0)]);
  for (auto _ : state) {
    if (!lake.direct()->Query(kQueries[state.range(0)]).ok()) {
      state.SkipWithError("query failed");
    }
  }
}
BENCHMARK(BM_DuckDbDirect)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();

// What the engine no longer pays for a repeated query (its connection keeps
// the prepared statement): DuckDB preparing each lab query over the direct view.
void BM_DuckDbPrepare(benchmark::State& state) {
  Lake& lake = TheLake();
  state.SetLabel(kNames[state.range(0)]);
  for (auto _ : state) {
    DuckPrepared prepared;
    if (duckdb_prepare(lake.direct()->connection(), kQueries[state.range(0)], prepared.out()) !=
        DuckDBSuccess) {
      state.SkipWithError("prepare failed");
    }
  }
}
BENCHMARK(BM_DuckDbPrepare)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
