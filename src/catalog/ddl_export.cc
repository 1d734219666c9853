// ExportDdl: declares the snapshot's tables in Athena, Trino or Spark (see
// catalog.h and docs/catalog.md, "Scale-out path"). For Athena with an s3://
// location, tables in gamelake's dt=/hr= layout get partition projection
// instead of MSCK REPAIR TABLE: dt a date projection from the table's
// earliest day to NOW, hr an enum of 00..23 and "all", and
// storage.location.template (docs/deploy.md).
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/ascii.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

std::string Backticks(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string DoubleQuotes(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// After the statement that registers partitions: how new ones get seen.
constexpr char kRepairAgain[] =
    "-- New files in known partitions are read at once; a new hour (or day) is read once the "
    "statement above ran again (run it hourly, e.g. from cron).\n";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Hive types (Athena, Spark) when !trino; Trino's otherwise.
std::string TypeName(const DuckType& t, bool trino) {
  switch (t.kind) {
    case DuckType::Kind::kStruct: {
      std::string out = trino ? "ROW(" : "struct<";
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i > 0) out += trino ? ", " : ",";
        out += trino ? DoubleQuotes(t.field_names[i]) + " " : Backticks(t.field_names[i]) + ":";
        out += TypeName(t.children[i], trino);
      }
      return out + (trino ? ")" : ">");
    }
    case DuckType::Kind::kList:
    case DuckType::Kind::kArray:
      return trino ? "ARRAY(" + TypeName(t.children[0], trino) + ")"
                   : "array<" + TypeName(t.children[0], trino) + ">";
    case DuckType::Kind::kMap:
      return trino ? "MAP(" + TypeName(t.children[0], trino) + ", " +
                         TypeName(t.children[1], trino) + ")"
                   : "map<" + TypeName(t.children[0], trino) + "," +
                         TypeName(t.children[1], trino) + ">";
    case DuckType::Kind::kUnion:
      return trino ? "varchar" : "string";
    case DuckType::Kind::kScalar:
      break;
  }
  const std::string& n = t.name;
  if (n == "BIGINT") return "bigint";
  if (n == "INTEGER") return trino ? "integer" : "int";
  if (n == "SMALLINT") return "smallint";
  if (n == "TINYINT") return "tinyint";
  if (n == "DOUBLE") return "double";
  if (n == "FLOAT") return trino ? "real" : "float";
  if (n == "BOOLEAN") return "boolean";
  if (n == "DATE") return "date";
  if (StartsWith(n, "TIMESTAMP")) return "timestamp";
  if (StartsWith(n, "DECIMAL(")) return "decimal" + n.substr(7);
  if (n == "BLOB") return trino ? "varbinary" : "binary";
  return trino ? "varchar" : "string";  // VARCHAR, JSON and anything else.
}

// The table's columns as its Parquet files have them: text files' columns are
// left out (the engine reads only the Parquet files), types widened over the
// Parquet files only. Names keep the table's first spelling.
// *hidden counts Parquet files named "_..." (the _errors table's), which
// Hive-style engines skip as hidden.
std::vector<ColumnInfo> ParquetColumns(const CatalogTable& table, size_t* text_files,
                                       size_t* hidden) {
  std::vector<ColumnInfo> out;
  std::vector<bool> present(table.columns.size(), false);
  out.resize(table.columns.size());
  *text_files = 0;
  *hidden = 0;
  for (const auto& [path, f] : table.files) {
    if (f.format != FileFormat::kParquet) {
      ++*text_files;
      continue;
    }
    if (path.size() > path.rfind('/') + 1 && path[path.rfind('/') + 1] == '_') ++*hidden;
    for (const ColumnInfo& c : f.columns) {
      std::string folded = AsciiLowered(c.name);
      for (size_t i = 0; i < table.columns.size(); ++i) {
        if (AsciiLowered(table.columns[i].name) != folded) continue;
        if (!present[i]) {
          out[i] = ColumnInfo{table.columns[i].name, c.type};
          present[i] = true;
        } else {
          out[i].type = WidenType(out[i].type, c.type);
        }
        break;
      }
    }
  }
  std::vector<ColumnInfo> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    if (present[i]) kept.push_back(std::move(out[i]));
  }
  return kept;
}

// True when `partitions` are gamelake's own layout, dt=YYYY-MM-DD/hr=HH|all.
bool GamelakeLayout(const std::vector<std::string>& partitions) {
  return partitions.size() == 2 && partitions[0] == "dt" && partitions[1] == "hr";
}

// The earliest dt=YYYY-MM-DD of the table's Parquet files, or "" with none.
std::string EarliestDay(const CatalogTable& table) {
  std::string earliest;
  for (const auto& [path, f] : table.files) {
    if (f.format != FileFormat::kParquet) continue;
    for (const auto& [key, value] : f.partitions) {
      if (key != "dt" || value.size() != 10 || value[4] != '-' || value[7] != '-') continue;
      if (earliest.empty() || value < earliest) earliest = value;
    }
  }
  return earliest;
}

// Athena's partition projection of gamelake's layout: dt a date from the
// earliest day to NOW (UTC), hr one of 00..23 or "all" (compacted days), and
// where each partition's objects are. No crawler or MSCK REPAIR needed.
std::string AthenaProjection(std::string_view first_day, std::string_view table_location) {
  std::string hours;
  for (int h = 0; h < 24; ++h) {
    hours += (h < 10 ? "0" : "") + std::to_string(h) + ",";
  }
  hours += "all";
  std::string out = "TBLPROPERTIES (\n";
  auto prop = [&](std::string_view key, std::string_view value, bool last = false) {
    out += "  " + Literal(key) + " = " + Literal(value) + (last ? "\n" : ",\n");
  };
  prop("projection.enabled", "true");
  prop("projection.dt.type", "date");
  prop("projection.dt.format", "yyyy-MM-dd");
  prop("projection.dt.range", std::string(first_day) + ",NOW");
  prop("projection.dt.interval", "1");
  prop("projection.dt.interval.unit", "DAYS");
  prop("projection.hr.type", "enum");
  prop("projection.hr.values", hours);
  prop("storage.location.template", std::string(table_location) + "dt=${dt}/hr=${hr}/",
       /*last=*/true);
  return out + ")";
}

void AppendTable(const CatalogTable& table, DdlDialect dialect, std::string_view location,
                 std::string_view database, std::string* out) {
  size_t text_files = 0;
  size_t hidden = 0;
  std::vector<ColumnInfo> columns = ParquetColumns(table, &text_files, &hidden);
  if (columns.empty()) {
    *out += "-- Table " + table.name + " has no readable Parquet files yet; skipped.\n\n";
    return;
  }
  if (text_files > 0) {
    *out += "-- Warning: " + std::to_string(text_files) + " NDJSON/CSV file(s) in " + table.name +
            "/ are not readable by this Parquet table; convert them to Parquet or move them "
            "out.\n";
  }
  if (hidden > 0) {
    *out += "-- Warning: " + std::to_string(hidden) + " file(s) in " + table.name +
            "/ have names starting with '_', which these engines skip as hidden: the table "
            "reads them only once renamed.\n";
  }
  // A partition key may not also be a data column.
  std::vector<std::string> partitions;
  for (const std::string& key : table.partition_keys) {
    bool clash = false;
    for (const ColumnInfo& c : columns) clash = clash || AsciiLowered(c.name) == AsciiLowered(key);
    if (!clash) partitions.push_back(key);
  }
  bool trino = dialect == DdlDialect::kTrino;
  std::string table_location = std::string(location) + "/" + table.name + "/";
  std::string name = trino ? "hive." + DoubleQuotes(database) + "." + DoubleQuotes(table.name)
                           : Backticks(database) + "." + Backticks(table.name);
  std::string cols;
  auto add_column = [&](std::string_view col, const std::string& type) {
    cols += cols.empty() ? "  " : ",\n  ";
    cols += (trino ? DoubleQuotes(col) : Backticks(col)) + " " + type;
  };
  for (const ColumnInfo& c : columns) add_column(c.name, TypeName(c.type, trino));
  switch (dialect) {
    case DdlDialect::kAthena: {
      *out += "CREATE EXTERNAL TABLE IF NOT EXISTS " + name + " (\n" + cols + "\n)\n";
      if (!partitions.empty()) {
        *out += "PARTITIONED BY (";
        for (size_t i = 0; i < partitions.size(); ++i) {
          *out += (i > 0 ? ", " : "") + Backticks(partitions[i]) + " string";
        }
        *out += ")\n";
      }
      *out += "STORED AS PARQUET\nLOCATION " + Literal(table_location);
      std::string first_day = EarliestDay(table);
      if (StartsWith(table_location, "s3://") && GamelakeLayout(partitions) && !first_day.empty()) {
        *out += "\n" + AthenaProjection(first_day, table_location) + ";\n";
        *out +=
            "-- Partition projection: new hours are visible as soon as their objects are "
            "uploaded; no crawler or MSCK REPAIR TABLE. Days before " +
            first_day +
            " are not projected: edit projection.dt.range if the bucket holds "
            "older ones (other nodes' files).\n";
        break;
      }
      *out += ";\n";
      if (!partitions.empty()) {
        *out += "MSCK REPAIR TABLE " + name + ";\n";
        *out += kRepairAgain;
      }
      break;
    }
    case DdlDialect::kSpark: {
      for (const std::string& p : partitions) add_column(p, "string");
      *out += "CREATE TABLE IF NOT EXISTS " + name + " (\n" + cols + "\n)\nUSING PARQUET\n";
      if (!partitions.empty()) {
        *out += "PARTITIONED BY (";
        for (size_t i = 0; i < partitions.size(); ++i) {
          *out += (i > 0 ? ", " : "") + Backticks(partitions[i]);
        }
        *out += ")\n";
      }
      *out += "LOCATION " + Literal(table_location) + ";\n";
      if (!partitions.empty()) {
        *out += "MSCK REPAIR TABLE " + name + ";\n";
        *out += kRepairAgain;
      }
      break;
    }
    case DdlDialect::kTrino: {
      for (const std::string& p : partitions) add_column(p, "varchar");
      *out += "CREATE TABLE IF NOT EXISTS " + name + " (\n" + cols + "\n)\nWITH (\n" +
              "  format = 'PARQUET',\n  external_location = " + Literal(table_location);
      if (!partitions.empty()) {
        *out += ",\n  partitioned_by = ARRAY[";
        for (size_t i = 0; i < partitions.size(); ++i) {
          *out += (i > 0 ? ", " : "") + Literal(AsciiLowered(partitions[i]));
        }
        *out += "]";
      }
      *out += "\n);\n";
      if (!partitions.empty()) {
        *out += "CALL hive.system.sync_partition_metadata(schema_name => " + Literal(database) +
                ", table_name => " + Literal(AsciiLowered(table.name)) + ", mode => 'FULL');\n";
        *out += kRepairAgain;
      }
      break;
    }
  }
  *out += "\n";
}

}  // namespace

Result<DdlDialect> ParseDdlDialect(std::string_view name) {
  std::string folded = AsciiLowered(name);
  if (folded == "athena") return DdlDialect::kAthena;
  if (folded == "trino") return DdlDialect::kTrino;
  if (folded == "spark") return DdlDialect::kSpark;
  return Status::InvalidArgument("unknown DDL dialect \"" + std::string(name) +
                                 "\" (athena, trino or spark)");
}

std::string ExportDdl(const CatalogSnapshot& snapshot, DdlDialect dialect,
                      std::string_view location, std::string_view database) {
  std::string loc(location);
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  std::string out;
  const char* names[] = {"Athena", "Trino (Hive connector, catalog \"hive\")", "Spark 3"};
  out += "-- gamelake lake tables for " + std::string(names[static_cast<int>(dialect)]) +
         ", catalog version " + std::to_string(snapshot.version) + ".\n";
  out += "-- Location: " + loc + "\n";
  switch (dialect) {
    case DdlDialect::kAthena:
      out +=
          "-- Athena runs one statement at a time and folds names to lower case; it reads "
          "timestamps (UTC, microseconds in the files) to the millisecond.\n\n";
      out += "CREATE DATABASE IF NOT EXISTS " + Backticks(database) + ";\n\n";
      break;
    case DdlDialect::kSpark:
      out +=
          "-- Timestamps are UTC (Parquet TIMESTAMP, microseconds): SET "
          "spark.sql.session.timeZone = UTC to read them as written.\n\n";
      out += "CREATE DATABASE IF NOT EXISTS " + Backticks(database) + ";\n\n";
      break;
    case DdlDialect::kTrino:
      out +=
          "-- Trino's Hive connector folds names to lower case. Timestamps are microseconds "
          "in the files; the connector reads milliseconds unless the catalog sets "
          "hive.timestamp-precision=MICROSECONDS.\n\n";
      out += "CREATE SCHEMA IF NOT EXISTS hive." + DoubleQuotes(database) + ";\n\n";
      break;
  }
  for (const auto& [name, table] : snapshot.tables) {
    AppendTable(*table, dialect, loc, database, &out);
  }
  return out;
}

}  // namespace gamelake
