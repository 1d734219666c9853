// ExportDdl: declares the snapshot's tables in Athena, Trino or Spark (see
// catalog.h and docs/catalog.md, "Scale-out path").
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
      *out += "STORED AS PARQUET\nLOCATION " + Literal(table_location) + ";\n";
      if (!partitions.empty()) *out += "MSCK REPAIR TABLE " + name + ";\n";
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
      if (!partitions.empty()) *out += "MSCK REPAIR TABLE " + name + ";\n";
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
      out += "-- Athena runs one statement at a time and folds names to lower case.\n\n";
      out += "CREATE DATABASE IF NOT EXISTS " + Backticks(database) + ";\n\n";
      break;
    case DdlDialect::kSpark:
      out += "\nCREATE DATABASE IF NOT EXISTS " + Backticks(database) + ";\n\n";
      break;
    case DdlDialect::kTrino:
      out += "-- Trino's Hive connector folds names to lower case.\n\n";
      out += "CREATE SCHEMA IF NOT EXISTS hive." + DoubleQuotes(database) + ";\n\n";
      break;
  }
  for (const auto& [name, table] : snapshot.tables) {
    AppendTable(*table, dialect, loc, database, &out);
  }
  return out;
}

}  // namespace gamelake
