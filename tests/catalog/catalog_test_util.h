// Helpers shared by the catalog tests: a temporary data dir with a lake that
// tests fill with Parquet files (written by DuckDB) and hand-written files.
#ifndef GAMELAKE_TESTS_CATALOG_CATALOG_TEST_UTIL_H_
#define GAMELAKE_TESTS_CATALOG_CATALOG_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/env.h"
#include "sql/duck_db.h"

namespace gamelake {

class TestLake {
 public:
  TestLake() {
    std::string tmpl = testing::TempDir() + "/gl_catalog_XXXXXX";
    data_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    EXPECT_FALSE(data_.empty());
    lake_ = data_ + "/lake";
    std::filesystem::create_directories(lake_);
    auto db = DuckDb::Open(DuckDbOptions{});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (db.ok()) db_ = std::move(db).value();
  }
  ~TestLake() {
    std::error_code ec;
    if (!data_.empty()) std::filesystem::remove_all(data_, ec);
  }

  const std::string& data() const { return data_; }
  const std::string& lake() const { return lake_; }
  std::string Abs(const std::string& rel) const { return lake_ + "/" + rel; }

  CatalogOptions Options() const {
    CatalogOptions o;
    o.dir = data_ + "/catalog";
    o.lake_dir = lake_;
    return o;
  }

  // Writes the rows of `select` to lake-relative `rel` with DuckDB's COPY.
  void Copy(const std::string& rel, const std::string& select,
            const std::string& options = "FORMAT parquet, COMPRESSION zstd") {
    std::filesystem::create_directories(std::filesystem::path(Abs(rel)).parent_path());
    Status s =
        db_->Execute("COPY (" + select + ") TO " + QuoteLiteral(Abs(rel)) + " (" + options + ")");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Write(const std::string& rel, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(Abs(rel)).parent_path());
    std::ofstream out(Abs(rel), std::ios::binary | std::ios::trunc);
    out << content;
  }

  void Remove(const std::string& rel) { std::filesystem::remove_all(Abs(rel)); }

  // Another node's file of a shared lake: the rows of `select` written as a
  // downloaded copy (outside the lake folder, under <data>/cache), described
  // as the listing would; `rel` is its lake-relative path.
  RemoteFileAddition RemoteCopy(const std::string& rel, const std::string& select,
                                const std::string& etag = "0123456789abcdef0123456789abcdef") {
    Copy("../cache/" + rel, select);
    RemoteFileAddition a;
    a.object.path = rel;
    a.local_path = data_ + "/cache/" + rel;
    a.object.bytes = std::filesystem::file_size(a.local_path);
    a.object.etag = etag;
    a.mtime_us = 1'700'000'000'000'000;
    return a;
  }

  void Truncate(const std::string& rel, uint64_t size) {
    std::filesystem::resize_file(Abs(rel), size);
  }

  std::unique_ptr<Catalog> Open() {
    auto c = Catalog::Open(Options());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

 private:
  std::string data_;
  std::string lake_;
  std::unique_ptr<DuckDb> db_;
};

// "BIGINT" -> DuckType; nested types built by hand in the tests.
inline DuckType T(const std::string& name) {
  DuckType t;
  t.name = name;
  return t;
}

// How a failing check shows a statistic.
inline void PrintTo(const StatValue& v, std::ostream* os) {
  switch (v.kind) {
    case StatValue::Kind::kNone:
      *os << "unknown";
      break;
    case StatValue::Kind::kInt:
      *os << "int " << v.i;
      break;
    case StatValue::Kind::kDouble:
      *os << "double " << v.d;
      break;
    case StatValue::Kind::kText:
      *os << "text \"" << v.s << "\"";
      break;
  }
}

inline std::string ColumnsText(const std::vector<ColumnInfo>& columns) {
  std::string out;
  for (const ColumnInfo& c : columns) {
    if (!out.empty()) out += ", ";
    out += c.name + " " + c.type.ToString();
  }
  return out;
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_CATALOG_CATALOG_TEST_UTIL_H_
