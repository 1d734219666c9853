#include "catalog/file_inspector.h"

#include <charconv>
#include <string_view>
#include <system_error>

#include "delivery/schema_inferrer.h"

namespace gamelake {
namespace {

// DuckDB's messages carry a caret diagram of the query after a blank line;
// the first line is the reason.
std::string Reason(const Status& s) {
  std::string msg = s.message();
  size_t nl = msg.find('\n');
  if (nl != std::string::npos) msg.resize(nl);
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\r')) msg.pop_back();
  return msg.empty() ? s.ToString() : msg;
}

std::string Source(const std::string& abs_path, FileFormat format, bool gzip) {
  std::string path = QuoteLiteral(abs_path);
  std::string compression = gzip ? "'gzip'" : "'uncompressed'";
  switch (format) {
    case FileFormat::kParquet:
      return "read_parquet(" + path + ", hive_partitioning=false)";
    case FileFormat::kNdjson:
      return "read_json(" + path + ", format='newline_delimited', compression=" + compression +
             ", sample_size=-1, map_inference_threshold=-1, hive_partitioning=false)";
    case FileFormat::kCsv:
      return "read_csv(" + path + ", compression=" + compression +
             ", sample_size=-1, hive_partitioning=false)";
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<FileInspector>> FileInspector::Open() {
  DuckDbOptions options;
  options.threads = 1;
  options.memory_limit = "256MB";
  GL_ASSIGN_OR_RETURN(std::unique_ptr<DuckDb> db, DuckDb::Open(options));
  return std::unique_ptr<FileInspector>(new FileInspector(std::move(db)));
}

Result<InspectedFile> FileInspector::Inspect(const std::string& abs_path, FileFormat format,
                                             bool gzip) {
  std::string source = Source(abs_path, format, gzip);
  std::lock_guard<std::mutex> lock(mu_);
  Result<QueryResult> schema = db_->Query("SELECT * FROM " + source + " LIMIT 0");
  if (!schema.ok()) return Status::Corruption(Reason(schema.status()));
  std::string count_sql =
      format == FileFormat::kParquet
          ? "SELECT coalesce(sum(num_rows), 0)::UBIGINT FROM parquet_file_metadata(" +
                QuoteLiteral(abs_path) + ")"
          : "SELECT count(*)::UBIGINT FROM " + source;
  Result<QueryResult> count = db_->Query(count_sql);
  if (!count.ok()) return Status::Corruption(Reason(count.status()));
  if (count->rows.size() != 1 || count->rows[0].empty() || !count->rows[0][0].has_value()) {
    return Status::Corruption("no row count");
  }
  InspectedFile out;
  const std::string& text = *count->rows[0][0];
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out.rows);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Corruption("bad row count \"" + text + "\"");
  }
  for (size_t i = 0; i < schema->column_names.size(); ++i) {
    ColumnInfo column;
    column.name = schema->column_names[i];
    column.type = format == FileFormat::kParquet
                      ? schema->column_sql_types[i]
                      : StorageType(schema->column_sql_types[i], /*wide_integers=*/false);
    out.columns.push_back(std::move(column));
  }
  return out;
}

}  // namespace gamelake
