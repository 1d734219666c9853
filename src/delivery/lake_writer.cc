#include "delivery/lake_writer.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "delivery/schema_inferrer.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

// Assigns output column names: exact key names, except that a name which is
// empty or equal (ignoring case, as DuckDB and Parquet readers compare them)
// to one already taken becomes the first free <name>_<k>.
class ColumnNamer {
 public:
  ColumnNamer() {
    taken_.insert("_ingest_time");
    taken_.insert("_record_id");
  }
  std::string Assign(const std::string& key) {
    std::string name = key;
    for (int k = 1; name.empty() || taken_.count(AsciiLowered(name)) > 0; ++k) {
      name = key + "_" + std::to_string(k);
    }
    taken_.insert(AsciiLowered(name));
    return name;
  }

 private:
  std::set<std::string> taken_;
};

bool HasEmptyFieldName(const DuckType& type) {
  for (const std::string& name : type.field_names) {
    if (name.empty()) return true;
  }
  for (const DuckType& child : type.children) {
    if (HasEmptyFieldName(child)) return true;
  }
  return false;
}

const std::set<std::string> kNoColumns;

std::string ReadJson(const std::string& staging_path, const std::string& options) {
  return "read_json(" + QuoteLiteral(staging_path) + ", format='newline_delimited'" + options + ")";
}

// columns= spec with r of the given type; no inference happens then.
std::string ColumnsOption(const std::string& r_type) {
  return ", columns={'_ingest_time': 'BIGINT', '_record_id': 'BIGINT', 'r': " +
         QuoteLiteral(r_type) + "}";
}

// JSON Pointer (RFC 6901) for one top-level key: any key, whatever it holds.
std::string JsonPointer(std::string_view key) {
  std::string out = "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<LakeWriter>> LakeWriter::Open(const LakeWriterOptions& options) {
  DuckDbOptions db_options;
  db_options.threads = options.duckdb_threads;
  db_options.memory_limit = options.duckdb_memory_limit;
  db_options.temp_directory = options.duckdb_temp_directory;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<DuckDb> db, DuckDb::Open(db_options));
  return std::unique_ptr<LakeWriter>(
      new LakeWriter(options.env, options.infer_schema, options.column_limits, std::move(db)));
}

Result<uint64_t> LakeWriter::WriteParquet(Mode mode, const std::string& staging_path,
                                          const std::string& tmp_path,
                                          std::set<std::string>* columns) {
  std::string select = "make_timestamp(_ingest_time) AS _ingest_time, _record_id";
  std::string source;
  ColumnNamer namer;
  // The record type's user columns, and r's type for columns=.
  auto select_struct = [&](const DuckType& storage) {
    for (const std::string& key : storage.field_names) {
      select += ", r." + QuoteIdentifier(key) + " AS " + QuoteIdentifier(namer.Assign(key));
    }
    source = ReadJson(staging_path, ColumnsOption(storage.ToString()));
  };
  if (mode == Mode::kInferred) {
    SchemaInferrer inferrer;
    Status s = inferrer.AddStagingFile(env_, staging_path);
    // Not InvalidArgument: DuckDB's own inference may still read the file.
    if (!s.ok()) return Status::Internal("schema inference: " + s.ToString());
    if (inferrer.top_level_key_conflict()) {
      return Status::InvalidArgument("a key is empty or equals another ignoring case");
    }
    if (inferrer.records() == 0) return Status::Internal("schema inference: no records");
    DuckType r_type = inferrer.RecordType();
    if (r_type.kind == DuckType::Kind::kStruct) {
      std::vector<std::string> overflow;
      DuckType storage = BoundedRecordType(StorageType(r_type, inferrer.wide_integers()), limits_,
                                           columns != nullptr ? *columns : kNoColumns, &overflow);
      if (overflow.empty()) {
        select_struct(storage);
      } else {
        // r is read once as JSON: from_json() types the kept keys as read_json
        // would, and the rest is the overflow.
        for (const std::string& key : storage.field_names) {
          select +=
              ", \"__s\"." + QuoteIdentifier(key) + " AS " + QuoteIdentifier(namer.Assign(key));
        }
        select += ", " + OverflowColumnSql("r", storage.field_names) + " AS " +
                  QuoteIdentifier(namer.Assign(kOverflowColumn));
        source = "(SELECT _ingest_time, _record_id, r, from_json(r, " +
                 QuoteLiteral(JsonStructure(storage)) + ") AS \"__s\" FROM " +
                 ReadJson(staging_path, ColumnsOption("JSON")) + ")";
      }
      if (columns != nullptr)
        columns->insert(storage.field_names.begin(), storage.field_names.end());
    } else {
      source = ReadJson(staging_path, ColumnsOption("JSON"));  // All records are {}.
    }
  } else if (mode == Mode::kJsonText) {
    GL_ASSIGN_OR_RETURN(QueryResult keys,
                        db_->Query("SELECT k FROM (SELECT unnest(json_keys(r)) AS k, "
                                   "generate_subscripts(json_keys(r), 1) AS pos, _record_id FROM " +
                                   ReadJson(staging_path, ColumnsOption("JSON")) +
                                   ") GROUP BY k ORDER BY min([_record_id, pos])"));
    // One JSON column per key, within the column limits as in kInferred.
    DuckType all;
    all.kind = DuckType::Kind::kStruct;
    for (const auto& row : keys.rows) {
      if (!row.at(0).has_value()) continue;
      all.field_names.push_back(*row[0]);
      all.children.push_back(DuckType::Scalar("JSON"));
    }
    std::vector<std::string> overflow;
    DuckType kept =
        BoundedRecordType(all, limits_, columns != nullptr ? *columns : kNoColumns, &overflow);
    for (const std::string& key : kept.field_names) {
      select += ", json_extract(r, " + QuoteLiteral(JsonPointer(key)) + ") AS " +
                QuoteIdentifier(namer.Assign(key));
    }
    if (!overflow.empty()) {
      select += ", " + OverflowColumnSql("r", kept.field_names) + " AS " +
                QuoteIdentifier(namer.Assign(kOverflowColumn));
    }
    if (columns != nullptr) columns->insert(kept.field_names.begin(), kept.field_names.end());
    source = ReadJson(staging_path, ColumnsOption("JSON"));
  } else {
    // Whole-file inference happens while binding; LIMIT 0 reads nothing more.
    Result<QueryResult> probe = db_->Query(
        "SELECT r FROM " + ReadJson(staging_path, ", sample_size=-1, map_inference_threshold=-1") +
        " LIMIT 0");
    if (!probe.ok()) return Status::InvalidArgument(probe.status().message());
    const DuckType& r_type = probe->column_sql_types.at(0);
    if (HasEmptyFieldName(r_type)) {
      // DuckDB cannot spell such a STRUCT type in columns=.
      return Status::InvalidArgument("a key is the empty string");
    }
    if (r_type.kind != DuckType::Kind::kStruct) {
      // All records are {} (or r is not an object): no user columns.
      if (!(r_type.kind == DuckType::Kind::kScalar && r_type.name == "JSON")) {
        return Status::InvalidArgument("staging records are not objects: r is " +
                                       r_type.ToString());
      }
      source = ReadJson(staging_path, ColumnsOption("JSON"));
    } else {
      select_struct(StorageType(r_type, mode == Mode::kTypedWideIntegers));
    }
  }
  GL_ASSIGN_OR_RETURN(QueryResult copied,
                      db_->Query("COPY (SELECT " + select + " FROM " + source + ") TO " +
                                 QuoteLiteral(tmp_path) + " (FORMAT parquet, COMPRESSION zstd)"));
  uint64_t rows = 0;
  if (copied.rows.size() != 1 || copied.rows[0].empty() || !copied.rows[0][0].has_value()) {
    return Status::Internal("COPY returned no row count");
  }
  const std::string& count = *copied.rows[0][0];
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), rows);
  if (ec != std::errc() || end != count.data() + count.size()) {
    return Status::Internal("COPY returned a bad row count: " + count);
  }
  return rows;
}

Result<LakeFileInfo> LakeWriter::Convert(const std::string& staging_path,
                                         const std::string& final_path,
                                         std::set<std::string>* columns) {
  const std::string dir = DirName(final_path);
  const std::string tmp_path = TempPathFor(final_path);
  GL_RETURN_IF_ERROR(env_->CreateDirs(dir));

  Result<uint64_t> rows = Status::Internal("not attempted");
  for (Mode mode : {Mode::kInferred, Mode::kTyped, Mode::kTypedWideIntegers, Mode::kJsonText}) {
    if (mode == Mode::kInferred && !infer_schema_) continue;
    // InvalidArgument from an earlier typed mode: no usable schema, so neither
    // probing nor widening integers would help.
    if ((mode == Mode::kTyped || mode == Mode::kTypedWideIntegers) &&
        rows.status().code() == Status::Code::kInvalidArgument) {
      continue;
    }
    rows = WriteParquet(mode, staging_path, tmp_path, columns);
    if (rows.ok()) break;
    spdlog::warn("lake writer: {} -> {} (mode {}): {}", staging_path, final_path,
                 static_cast<int>(mode), rows.status().ToString());
  }
  auto fail = [&](const Status& s) {
    if (env_->FileExists(tmp_path)) (void)env_->RemoveFile(tmp_path);
    return s;
  };
  if (!rows.ok()) return fail(rows.status().WithContext("convert " + staging_path));

  LakeFileInfo info;
  info.rows = rows.value();
  Result<uint64_t> bytes = env_->GetFileSize(tmp_path);
  if (!bytes.ok()) return fail(bytes.status());
  info.bytes = bytes.value();
  // DuckDB does not fsync what it writes.
  Status s = env_->SyncFile(tmp_path);
  if (!s.ok()) return fail(s);
  s = env_->RenameFile(tmp_path, final_path);
  if (!s.ok()) return fail(s);
  // If this fails the file is in place but maybe not durable; the caller
  // retries, which rewrites the same name.
  GL_RETURN_IF_ERROR(env_->SyncDir(dir));
  return info;
}

}  // namespace gamelake
