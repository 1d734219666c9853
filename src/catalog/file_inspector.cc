#include "catalog/file_inspector.h"

#include <charconv>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "catalog/column_stats.h"
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
  if (format == FileFormat::kParquet) GL_RETURN_IF_ERROR(ReadStats(abs_path, &out));
  return out;
}

Status FileInspector::ReadStats(const std::string& abs_path, InspectedFile* out) {
  // Leaf (Parquet column) index -> top-level column, for scalar columns.
  std::vector<int> leaf_owner;
  for (size_t c = 0; c < out->columns.size(); ++c) {
    const SqlType& type = out->columns[c].type;
    size_t leaves = type.kind == SqlType::Kind::kScalar ? 1 : LeafColumns(type);
    for (size_t k = 0; k < leaves; ++k) {
      leaf_owner.push_back(StatKindFor(type) == StatValue::Kind::kNone ? -1 : static_cast<int>(c));
    }
  }
  Result<QueryResult> meta = db_->Query(
      "SELECT column_id, stats_min_value, stats_max_value, coalesce(max_is_exact, false), "
      "stats_null_count, row_group_num_rows FROM parquet_metadata(" +
      QuoteLiteral(abs_path) + ")");
  if (!meta.ok()) return Status::Corruption(Reason(meta.status()));
  struct Acc {
    bool any = false;   // A row group with values was seen.
    bool valid = true;  // Every row group with values had exact bounds.
    ColumnStats stats;
  };
  std::vector<Acc> acc(out->columns.size());
  for (const auto& row : meta->rows) {
    if (row.size() != 6 || !row[0]) continue;
    size_t leaf = static_cast<size_t>(std::strtoull(row[0]->c_str(), nullptr, 10));
    if (leaf >= leaf_owner.size() || leaf_owner[leaf] < 0) continue;
    Acc& a = acc[static_cast<size_t>(leaf_owner[leaf])];
    const SqlType& type = out->columns[static_cast<size_t>(leaf_owner[leaf])].type;
    if (!row[1] || !row[2]) {
      // No bounds: fine only if the row group holds nothing but NULLs.
      if (!(row[4] && row[5] && *row[4] == *row[5])) a.valid = false;
      continue;
    }
    StatValue lo = ParseFooterStat(type, *row[1]);
    // A text maximum the writer cut short is no upper bound.
    StatValue hi = (type.name != "VARCHAR" || (row[3] && *row[3] == "true"))
                       ? ParseFooterStat(type, *row[2])
                       : StatValue{};
    if (!lo.known() || !hi.known()) {
      a.valid = false;
      continue;
    }
    if (!a.any) {
      a.stats.min = std::move(lo);
      a.stats.max = std::move(hi);
      a.any = true;
      continue;
    }
    if (CompareStats(lo, a.stats.min).value_or(0) < 0) a.stats.min = std::move(lo);
    if (CompareStats(hi, a.stats.max).value_or(0) > 0) a.stats.max = std::move(hi);
  }
  out->stats.resize(out->columns.size());
  for (size_t c = 0; c < acc.size(); ++c) {
    if (acc[c].any && acc[c].valid) out->stats[c] = std::move(acc[c].stats);
  }
  return Status::OK();
}

}  // namespace gamelake
