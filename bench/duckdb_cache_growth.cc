// What DuckDB's per-file caches cost a long-running SQL engine over a lake
// that keeps getting new files (docs/benchmarks.md, "Soak (1 hour)"): the
// pattern of gamelake's SQL engine, without gamelake. Each iteration writes a
// new small Parquet file (delivery), deletes the one 100 iterations older
// (compaction's retired inputs), replaces a view over the newest 100 and runs
// two queries over it; every tenth of the run it prints the process's RSS.
// Single-threaded program; DuckDB uses 2 threads.
//
//   duckdb_cache_growth --iterations 3000 --dir /tmp/cache-growth
//       [--metadata-cache true|false] [--file-cache true|false]
//       [--memory-limit 2GB]
//   --metadata-cache: parquet_metadata_cache (footers, by path, never evicted
//   in DuckDB 1.4); --file-cache: enable_external_file_cache (file bytes read,
//   evicted only by the memory limit). The dir is emptied first.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "duckdb.h"

namespace {

struct Options {
  int iterations = 3000;
  std::string dir = "/tmp/cache-growth";
  std::string metadata_cache = "false";
  std::string file_cache = "false";
  std::string memory_limit = "2GB";
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--iterations") {
      o->iterations = std::atoi(v.c_str());
    } else if (k == "--dir") {
      o->dir = v;
    } else if (k == "--metadata-cache") {
      o->metadata_cache = v;
    } else if (k == "--file-cache") {
      o->file_cache = v;
    } else if (k == "--memory-limit") {
      o->memory_limit = v;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      return false;
    }
  }
  return o->iterations >= 10 && !o->dir.empty();
}

long RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) / 1024;
  }
  return -1;
}

// Runs `sql`; exits the program with DuckDB's message if it fails.
void Run(duckdb_connection conn, const std::string& sql) {
  duckdb_result result;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    std::fprintf(stderr, "%.200s: %s\n", sql.c_str(), duckdb_result_error(&result));
    std::exit(1);
  }
  duckdb_destroy_result(&result);
}

std::string FileName(const Options& o, int i) {
  char name[32];
  std::snprintf(name, sizeof(name), "/f%08d.parquet", i);
  return o.dir + name;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, &o)) return 2;
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  duckdb_database db;
  duckdb_connection query, writer;
  if (duckdb_open(nullptr, &db) != DuckDBSuccess || duckdb_connect(db, &query) != DuckDBSuccess ||
      duckdb_connect(db, &writer) != DuckDBSuccess) {
    return 1;
  }
  Run(query, "SET threads = 2");
  Run(query, "SET memory_limit = '" + o.memory_limit + "'");
  Run(query, "SET parquet_metadata_cache = " + o.metadata_cache);
  Run(query, "SET enable_external_file_cache = " + o.file_cache);
  constexpr int kKept = 100;
  for (int i = 0; i <= o.iterations; ++i) {
    Run(writer,
        "COPY (SELECT range AS id, 'player' || (range % 97) AS player_id, 'level_' || (range % 7) "
        "AS event_type, now() AS t FROM range(2000)) TO '" +
            FileName(o, i) + "' (FORMAT parquet, COMPRESSION zstd)");
    if (i >= kKept) std::filesystem::remove(FileName(o, i - kKept));
    std::string files;
    for (int k = std::max(0, i - kKept + 1); k <= i; ++k) {
      files += (files.empty() ? "'" : ", '") + FileName(o, k) + "'";
    }
    Run(query, "CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM read_parquet([" + files + "])");
    Run(query, "SELECT event_type, count(*), count(DISTINCT player_id) FROM events GROUP BY ALL");
    Run(query, "SELECT count(*) FROM events WHERE id > 1000");
    if (i % (o.iterations / 10) == 0) {
      std::printf("iteration %d: RSS %ld MiB\n", i, RssMiB());
      std::fflush(stdout);
    }
  }
  duckdb_disconnect(&writer);
  duckdb_disconnect(&query);
  duckdb_close(&db);
  std::filesystem::remove_all(o.dir);
  return 0;
}
