// Baseline for the SQL benchmarks (bench/sql_bench.sh): DuckDB reading the lake's
// Parquet files directly, through its C API, with no server, HTTP, live tail or
// safety checks in between. Single-threaded program; DuckDB uses --threads.
//
//   sql_duckdb_baseline --lake <data>/lake --queries FILE [--threads 2]
//                       [--memory-limit 2GB] [--runs 3]
//       FILE has one query per line, "name<TAB>sql"; `events` in the SQL is a view
//       over read_parquet('<lake>/events/**/*.parquet'), or over --glob PATTERN
//       (then --lake is ignored). Each query runs once to
//       warm up, then --runs times; prints "name<TAB>median_ms<TAB>runs<TAB>first row".
//   sql_duckdb_baseline --lake <data>/lake --export-csv OUT
//       writes the lab columns of every row to OUT (CSV, no header), for SQLite.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "duckdb.h"

namespace {

struct Options {
  std::string lake;
  std::string queries;
  std::string export_csv;
  std::string glob;  // Default: <lake>/events/**/*.parquet.
  std::string memory_limit = "2GB";
  int threads = 2;
  int runs = 3;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--lake") {
      o->lake = v;
    } else if (k == "--queries") {
      o->queries = v;
    } else if (k == "--glob") {
      o->glob = v;
    } else if (k == "--export-csv") {
      o->export_csv = v;
    } else if (k == "--memory-limit") {
      o->memory_limit = v;
    } else if (k == "--threads") {
      o->threads = std::atoi(v.c_str());
    } else if (k == "--runs") {
      o->runs = std::atoi(v.c_str());
    } else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      return false;
    }
  }
  return !o->lake.empty() && (!o->queries.empty() || !o->export_csv.empty()) && o->runs > 0;
}

// Owns a connection; Run() returns false and prints DuckDB's error on failure.
class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    if (con_ != nullptr) duckdb_disconnect(&con_);
    if (db_ != nullptr) duckdb_close(&db_);
  }

  bool Open() {
    return duckdb_open(nullptr, &db_) == DuckDBSuccess &&
           duckdb_connect(db_, &con_) == DuckDBSuccess;
  }

  // Runs `sql`; if `first_row` is set, stores the first row's values, '|'-joined.
  bool Run(const std::string& sql, std::string* first_row = nullptr) {
    duckdb_result result;
    if (duckdb_query(con_, sql.c_str(), &result) != DuckDBSuccess) {
      std::fprintf(stderr, "query failed: %s\n  %s\n", duckdb_result_error(&result), sql.c_str());
      duckdb_destroy_result(&result);
      return false;
    }
    if (first_row != nullptr) {
      first_row->clear();
      idx_t cols = duckdb_column_count(&result);
      if (duckdb_row_count(&result) > 0) {
        for (idx_t c = 0; c < cols; ++c) {
          char* v = duckdb_value_varchar(&result, c, 0);
          if (c > 0) first_row->push_back('|');
          first_row->append(v != nullptr ? v : "NULL");
          duckdb_free(v);
        }
      }
    }
    duckdb_destroy_result(&result);
    return true;
  }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
};

double MedianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s --lake DIR (--queries FILE [--threads N] [--memory-limit M] "
                 "[--runs N] | --export-csv OUT)\n",
                 argv[0]);
    return 2;
  }
  Db db;
  if (!db.Open()) {
    std::fprintf(stderr, "cannot open DuckDB\n");
    return 1;
  }
  if (!db.Run("SET threads = " + std::to_string(o.threads)) ||
      !db.Run("SET memory_limit = '" + o.memory_limit + "'") ||
      !db.Run("CREATE VIEW events AS SELECT * FROM read_parquet('" +
              (o.glob.empty() ? o.lake + "/events/**/*.parquet" : o.glob) +
              "', union_by_name = true, hive_partitioning = false)")) {
    return 1;
  }

  if (!o.export_csv.empty()) {
    return db.Run(
               "COPY (SELECT PlayerID, \"Time Played\", Wins, Losses, CaughtAt, CaughtBy "
               "FROM events) TO '" +
               o.export_csv + "' (HEADER false)")
               ? 0
               : 1;
  }

  std::ifstream in(o.queries);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    std::string name = line.substr(0, tab), sql = line.substr(tab + 1);
    std::string row;
    if (!db.Run(sql, &row)) return 1;  // warm-up
    std::vector<double> ms;
    for (int r = 0; r < o.runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (!db.Run(sql)) return 1;
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::string all;
    for (double m : ms) all += (all.empty() ? "" : ",") + std::to_string(m).substr(0, 8);
    std::printf("%s\t%.1f\t%s\t%s\n", name.c_str(), MedianMs(ms), all.c_str(), row.c_str());
    std::fflush(stdout);
  }
  return 0;
}
