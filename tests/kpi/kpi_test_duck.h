// KpiTestDuck: the in-memory DuckDB the KPI tests run KPI SQL in, owning its
// database and connection (closed on destruction, whatever the test did).
//
// Thread-safety: as a gtest fixture member, used from the test's thread.
#ifndef GAMELAKE_TESTS_KPI_KPI_TEST_DUCK_H_
#define GAMELAKE_TESTS_KPI_KPI_TEST_DUCK_H_

#include <string>

#include <duckdb.h>
#include <gtest/gtest.h>

namespace gamelake {

class KpiTestDuck {
 public:
  KpiTestDuck() {
    ok_ =
        duckdb_open(nullptr, &db_) == DuckDBSuccess && duckdb_connect(db_, &conn_) == DuckDBSuccess;
  }
  ~KpiTestDuck() {
    duckdb_disconnect(&conn_);
    duckdb_close(&db_);
  }
  KpiTestDuck(const KpiTestDuck&) = delete;
  KpiTestDuck& operator=(const KpiTestDuck&) = delete;

  bool ok() const { return ok_; }
  duckdb_connection conn() const { return conn_; }

  // Runs a statement whose result is not needed; a failure is the test's,
  // with DuckDB's message.
  void Exec(const std::string& sql) {
    duckdb_result r;
    if (duckdb_query(conn_, sql.c_str(), &r) != DuckDBSuccess) {
      ADD_FAILURE() << duckdb_result_error(&r) << "\n" << sql;
    }
    duckdb_destroy_result(&r);
  }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection conn_ = nullptr;
  bool ok_ = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_KPI_KPI_TEST_DUCK_H_
