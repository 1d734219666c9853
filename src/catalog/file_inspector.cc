#include "catalog/file_inspector.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>
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

// The Parquet leaf columns a column of `type` is stored in.
size_t ParquetLeaves(const DuckType& type) {
  switch (type.kind) {
    case DuckType::Kind::kScalar:
      return 1;
    case DuckType::Kind::kList:
    case DuckType::Kind::kArray:
    case DuckType::Kind::kStruct:
    case DuckType::Kind::kMap:
    case DuckType::Kind::kUnion: {
      size_t n = type.kind == DuckType::Kind::kUnion ? 1 : 0;  // A union's tag.
      for (const DuckType& child : type.children) n += ParquetLeaves(child);
      return n;
    }
  }
  return 1;
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
  MutexLock lock(&mu_);
  Result<QueryResult> schema = db_->Describe("SELECT * FROM " + source);
  if (!schema.ok()) return Status::Corruption(Reason(schema.status()));
  InspectedFile out;
  if (format != FileFormat::kParquet) {
    // A Parquet file's rows come with its statistics, from the footer.
    Result<QueryResult> count = db_->Query("SELECT count(*)::UBIGINT FROM " + source);
    if (!count.ok()) return Status::Corruption(Reason(count.status()));
    if (count->rows.size() != 1 || count->rows[0].empty() || !count->rows[0][0].has_value()) {
      return Status::Corruption("no row count");
    }
    const std::string& text = *count->rows[0][0];
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out.rows);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status::Corruption("bad row count \"" + text + "\"");
    }
  }
  for (size_t i = 0; i < schema->column_names.size(); ++i) {
    ColumnInfo column;
    column.name = schema->column_names[i];
    column.type = format == FileFormat::kParquet
                      ? schema->column_sql_types[i]
                      : StorageType(schema->column_sql_types[i], /*wide_integers=*/false);
    out.columns.push_back(std::move(column));
  }
  if (format == FileFormat::kParquet) GL_RETURN_IF_ERROR(ReadFooter(abs_path, &out));
  return out;
}

namespace {

// The footer query's columns, for one or many files.
constexpr const char* kFooterColumns =
    "SELECT column_id, stats_min_value, stats_max_value, coalesce(max_is_exact, false), "
    "stats_null_count, row_group_num_rows, row_group_id, path_in_schema, file_name FROM "
    "parquet_metadata(";

// One bound of one column over the row groups: known only if every row
// group with values states it exactly.
struct Bound {
  bool any = false;
  bool valid = true;
  StatValue value;
  void Add(StatValue v, int keep_if) {  // keep_if: -1 keeps the smallest, 1 the largest.
    if (!v.known()) {
      valid = false;
    } else if (!any || CompareStats(v, value).value_or(0) * keep_if > 0) {
      value = std::move(v);
      any = true;
    }
  }
  StatValue Get() const { return any && valid ? value : StatValue{}; }
};

using FooterRow = std::vector<std::optional<std::string>>;

// Fills out->rows and out->stats from the footer rows of one Parquet file
// whose out->columns are known.
void ApplyFooter(const std::vector<const FooterRow*>& rows, InspectedFile* out) {
  // Leaf (Parquet column) index -> top-level column, for scalar columns.
  std::vector<int> leaf_owner;
  for (size_t c = 0; c < out->columns.size(); ++c) {
    const DuckType& type = out->columns[c].type;
    size_t leaves = ParquetLeaves(type);
    for (size_t k = 0; k < leaves; ++k) {
      leaf_owner.push_back(StatKindFor(type) == StatValue::Kind::kNone ? -1 : static_cast<int>(c));
    }
  }
  std::vector<std::pair<Bound, Bound>> acc(out->columns.size());
  std::map<std::string, uint64_t> group_rows;  // Row group id -> rows.
  for (const FooterRow* r : rows) {
    const FooterRow& row = *r;
    if (row.size() < 8 || !row[0]) continue;
    if (row[5] && row[6]) group_rows[*row[6]] = std::strtoull(row[5]->c_str(), nullptr, 10);
    size_t leaf = static_cast<size_t>(std::strtoull(row[0]->c_str(), nullptr, 10));
    if (leaf >= leaf_owner.size() || leaf_owner[leaf] < 0) continue;
    const size_t column = static_cast<size_t>(leaf_owner[leaf]);
    // A scalar column's one leaf bears its name: stats never go to the wrong column.
    if (!row[7] || *row[7] != out->columns[column].name) continue;
    const DuckType& type = out->columns[column].type;
    auto& [lo, hi] = acc[column];
    if (!row[1] || !row[2]) {
      // No bounds: fine only if the row group holds nothing but NULLs.
      if (!(row[4] && row[5] && *row[4] == *row[5])) lo.valid = hi.valid = false;
      continue;
    }
    lo.Add(ParseFooterStat(type, *row[1]), -1);
    // A text maximum the writer cut short is no upper bound (a cut minimum
    // is still a lower one).
    bool exact = type.name != "VARCHAR" || (row[3] && *row[3] == "true");
    hi.Add(exact ? ParseFooterStat(type, *row[2]) : StatValue{}, 1);
  }
  out->rows = 0;
  for (const auto& [group, n] : group_rows) out->rows += n;
  out->stats.resize(out->columns.size());
  for (size_t c = 0; c < acc.size(); ++c) out->stats[c] = {acc[c].first.Get(), acc[c].second.Get()};
}

}  // namespace

Status FileInspector::ReadFooter(const std::string& abs_path, InspectedFile* out) {
  Result<QueryResult> meta = db_->Query(kFooterColumns + QuoteLiteral(abs_path) + ")");
  if (!meta.ok()) return Status::Corruption(Reason(meta.status()));
  std::vector<const FooterRow*> rows;
  for (const FooterRow& row : meta->rows) rows.push_back(&row);
  ApplyFooter(rows, out);
  return Status::OK();
}

std::vector<Result<InspectedFile>> FileInspector::InspectParquet(
    const std::vector<std::string>& abs_paths) {
  MutexLock lock(&mu_);
  std::vector<Result<InspectedFile>> out;
  std::string list;
  for (const std::string& path : abs_paths) {
    Result<QueryResult> schema =
        db_->Describe("SELECT * FROM " + Source(path, FileFormat::kParquet, false));
    if (!schema.ok()) {
      out.push_back(Status::Corruption(Reason(schema.status())));
      continue;
    }
    InspectedFile f;
    for (size_t i = 0; i < schema->column_names.size(); ++i) {
      f.columns.push_back(ColumnInfo{schema->column_names[i], schema->column_sql_types[i]});
    }
    out.push_back(std::move(f));
    list += (list.empty() ? "" : ", ") + QuoteLiteral(path);
  }
  if (list.empty()) return out;
  // One footer query for the whole batch; if one footer spoils it, each
  // file is read alone so only that one is reported.
  Result<QueryResult> meta = db_->Query(std::string(kFooterColumns) + "[" + list + "])");
  std::map<std::string, std::vector<const FooterRow*>> by_file;
  if (meta.ok()) {
    for (const FooterRow& row : meta->rows) {
      if (row.size() == 9 && row[8]) by_file[*row[8]].push_back(&row);
    }
  }
  for (size_t i = 0; i < abs_paths.size(); ++i) {
    if (!out[i].ok()) continue;
    if (meta.ok()) {
      ApplyFooter(by_file[abs_paths[i]], &out[i].value());
    } else if (Status s = ReadFooter(abs_paths[i], &out[i].value()); !s.ok()) {
      out[i] = s;
    }
  }
  return out;
}

}  // namespace gamelake
