// The query engine's own cost over DuckDB: the lab's GROUP BY over the same
// Parquet files, through QueryEngine (views, sandbox, result sink) and through
// DuckDB directly, in one process. Not part of the tests.
//
//   build-sqlbench/bench/sql_engine_bench [--benchmark_repetitions=5]
// Builds a 10M-row lake under $TMPDIR first (about 10 s).
#include <stdlib.h>

#include <filesystem>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "query/query_engine.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

class Lake {
 public:
  Lake() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/gl_sqlbench_XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
    std::string part = dir_ + "/lake/events/dt=2026-11-26/hr=16";
    std::filesystem::create_directories(part);
    auto db = DuckDb::Open(DuckDbOptions{});
    for (int i = 0; i < 4; ++i) {
      std::string file =
          fmt::format("{}/events-{:020}-{:020}.parquet", part, i * 2500000 + 1, (i + 1) * 2500000);
      Status s = (*db)->Execute(fmt::format(
          "COPY (SELECT TIMESTAMP '2026-11-26 16:00:00' + to_microseconds(i * 300) AS "
          "_ingest_time, i + 1 AS _record_id, (i % 10000)::BIGINT AS PlayerID, "
          "((i * 13) % 6 + 1)::BIGINT AS CaughtAt, ((i * 7) % 6 + 1)::BIGINT AS CaughtBy "
          "FROM range({}, {}) t(i)) TO '{}' (FORMAT parquet, COMPRESSION zstd)",
          i * 2500000, (i + 1) * 2500000, file));
      if (!s.ok()) std::abort();
    }
    CatalogOptions o;
    o.dir = dir_ + "/catalog";
    o.lake_dir = dir_ + "/lake";
    catalog_ = std::move(Catalog::Open(o)).value();
    (void)catalog_->Crawl(false);
    QueryEngineOptions q;
    q.nice = 0;
    engine_ = std::move(QueryEngine::Open(catalog_.get(), nullptr, q)).value();
    DuckDbOptions d;
    d.threads = q.threads;
    d.memory_limit = q.memory_limit;
    direct_ = std::move(DuckDb::Open(d)).value();
  }
  ~Lake() { std::filesystem::remove_all(dir_); }
  std::string glob() const { return dir_ + "/lake/events/**/*.parquet"; }
  QueryEngine* engine() { return engine_.get(); }
  DuckDb* direct() { return direct_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<DuckDb> direct_;
};

Lake& TheLake() {
  static Lake lake;
  return lake;
}

constexpr const char* kGroupBy =
    "SELECT CaughtAt, CaughtBy, count(*) AS n FROM {} GROUP BY CaughtAt, CaughtBy ORDER BY 1, 2";

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
  r.sql = fmt::format(kGroupBy, "events");
  for (auto _ : state) {
    Discard sink;
    if (!lake.engine()->Run(r, &sink).ok()) state.SkipWithError("query failed");
  }
}
BENCHMARK(BM_Engine)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DuckDbDirect(benchmark::State& state) {
  Lake& lake = TheLake();
  std::string sql = fmt::format(kGroupBy, "read_parquet('" + lake.glob() + "')");
  for (auto _ : state) {
    if (!lake.direct()->Query(sql).ok()) state.SkipWithError("query failed");
  }
}
BENCHMARK(BM_DuckDbDirect)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
