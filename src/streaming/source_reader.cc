#include "streaming/source_reader.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "delivery/schema_inferrer.h"  // kOverflowColumn.
#include "lake/lake_files.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

constexpr std::string_view kIngestTimeColumn = "_ingest_time";
constexpr std::string_view kRecordIdColumn = "_record_id";

template <typename T>
Result<T> ParseNumber(const std::optional<std::string>& text, std::string_view what) {
  T v{};
  if (!text.has_value()) return Status::Corruption(fmt::format("lake row has a NULL {}", what));
  auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (r.ec != std::errc() || r.ptr != text->data() + text->size()) {
    return Status::Corruption(fmt::format("lake row has {} \"{}\"", what, *text));
  }
  return v;
}

// Reads the log, and the lake where the log no longer holds what is asked.
class LogLakeReader final : public SourceReader {
 public:
  explicit LogLakeReader(SourceReaderOptions options)
      : options_(std::move(options)), pos_(options_.after_seq) {}

  Result<bool> Next(SourceRecord* out) override;
  uint64_t position() const override { return pos_; }
  SourceReaderStats stats() const override { return stats_; }

 private:
  struct LakeRow {
    uint64_t seq;
    int64_t ingest_time_us;
    std::string json;
  };

  // Starts reading the lake for seqs in (pos_, limit).
  Status StartLakePass(uint64_t limit);
  // The next batch of the pass into batch_; false when the pass is done.
  Result<bool> FillLakeBatch();
  Result<bool> QueryFile(const WrittenFile& file);
  Status OpenDuckDb();
  // The expression turning a row of the file at `path` into its record's JSON.
  Result<std::string> JsonExpression(const std::string& path);
  Result<bool> NextFromLog(SourceRecord* out);

  const SourceReaderOptions options_;
  uint64_t pos_;

  // The log.
  std::unique_ptr<Wal::Cursor> cursor_;
  uint64_t cursor_seq_ = 0;  // The last seq the cursor returned (any stream).
  // A record of the stream the cursor returned past a gap, emitted after the lake.
  bool has_pending_ = false;
  uint64_t pending_seq_ = 0;
  int64_t pending_ingest_time_us_ = 0;
  std::string pending_json_;

  // The lake pass.
  bool in_lake_ = false;
  uint64_t lake_limit_ = 0;  // This pass reads seqs below it.
  std::vector<WrittenFile> files_;
  size_t file_index_ = 0;
  std::string file_expr_;  // JsonExpression of files_[file_index_].
  bool file_expr_ready_ = false;
  FileReclaimer::Ticket ticket_;
  std::vector<LakeRow> batch_;
  size_t batch_pos_ = 0;
  std::unique_ptr<DuckDb> db_;

  SourceReaderStats stats_;
};

}  // namespace

Result<std::unique_ptr<SourceReader>> SourceReader::Create(SourceReaderOptions options) {
  if (options.wal == nullptr) return Status::InvalidArgument("source reader: no log");
  if (options.stream.empty()) return Status::InvalidArgument("source reader: no stream");
  if (options.lake_batch_rows == 0) options.lake_batch_rows = 1;
  return std::unique_ptr<SourceReader>(std::make_unique<LogLakeReader>(std::move(options)));
}

Status LogLakeReader::OpenDuckDb() {
  if (db_) return Status::OK();
  DuckDbOptions o;
  o.memory_limit = options_.duckdb_memory_limit;
  GL_ASSIGN_OR_RETURN(db_, DuckDb::Open(o));
  return Status::OK();
}

Status LogLakeReader::StartLakePass(uint64_t limit) {
  ++stats_.lake_passes;
  in_lake_ = true;
  lake_limit_ = limit;
  batch_.clear();
  batch_pos_ = 0;
  files_.clear();
  file_index_ = 0;
  file_expr_ready_ = false;
  // The ticket comes first: no file listed below is deleted until it is released.
  if (options_.reclaimer != nullptr) ticket_ = options_.reclaimer->Enter();
  const std::string table_dir = JoinPath(options_.lake_dir, options_.stream);
  if (!options_.env->FileExists(table_dir)) return Status::OK();  // Nothing delivered yet.
  GL_ASSIGN_OR_RETURN(std::vector<WrittenFile> written,
                      ListWrittenFiles(options_.env, options_.lake_dir, options_.stream));
  std::vector<LakeFileName> names;
  names.reserve(written.size());
  for (const WrittenFile& f : written) names.push_back(f.name);
  Visibility visibility = ResolveVisibility(names);
  for (size_t i : visibility.visible) {
    const WrittenFile& f = written[i];
    if (f.name.last_seq > pos_ && f.name.first_seq < limit) files_.push_back(f);
  }
  return Status::OK();
}

Result<std::string> LogLakeReader::JsonExpression(const std::string& path) {
  GL_ASSIGN_OR_RETURN(QueryResult columns,
                      db_->Describe("SELECT * FROM read_parquet(" + QuoteLiteral(path) +
                                    ", hive_partitioning = false)"));
  std::string fields;
  bool overflow = false;
  for (const std::string& name : columns.column_names) {
    if (name == kIngestTimeColumn || name == kRecordIdColumn) continue;
    if (name == kOverflowColumn) {
      overflow = true;
      continue;
    }
    if (!fields.empty()) fields += ", ";
    fields += QuoteLiteral(name) + ": " + QuoteIdentifier(name);
  }
  std::string json = fields.empty() ? "'{}'::JSON" : "to_json({" + fields + "})";
  if (overflow) {
    std::string o = QuoteIdentifier(kOverflowColumn);
    json =
        fmt::format("CASE WHEN {0} IS NULL THEN {1} ELSE json_merge_patch({1}, {0}) END", o, json);
  }
  return json;
}

Result<bool> LogLakeReader::QueryFile(const WrittenFile& file) {
  const std::string path = JoinPath(options_.lake_dir, file.path);
  if (!file_expr_ready_) {
    GL_ASSIGN_OR_RETURN(file_expr_, JsonExpression(path));
    file_expr_ready_ = true;
  }
  std::string sql = fmt::format(
      "SELECT {rid}, epoch_us({it}), CAST({json} AS VARCHAR) FROM read_parquet({path}, "
      "hive_partitioning = false) "
      "WHERE {rid} > {from} AND {rid} < {limit} ORDER BY {rid} LIMIT {rows}",
      fmt::arg("rid", QuoteIdentifier(kRecordIdColumn)),
      fmt::arg("it", QuoteIdentifier(kIngestTimeColumn)), fmt::arg("json", file_expr_),
      fmt::arg("path", QuoteLiteral(path)), fmt::arg("from", pos_), fmt::arg("limit", lake_limit_),
      fmt::arg("rows", options_.lake_batch_rows));
  GL_ASSIGN_OR_RETURN(QueryResult result, db_->Query(sql));
  batch_.clear();
  batch_pos_ = 0;
  for (auto& row : result.rows) {
    LakeRow r;
    GL_ASSIGN_OR_RETURN(r.seq, ParseNumber<uint64_t>(row[0], kRecordIdColumn));
    GL_ASSIGN_OR_RETURN(r.ingest_time_us, ParseNumber<int64_t>(row[1], kIngestTimeColumn));
    r.json = row[2].has_value() ? std::move(*row[2]) : "{}";
    batch_.push_back(std::move(r));
  }
  return !batch_.empty();
}

Result<bool> LogLakeReader::FillLakeBatch() {
  while (file_index_ < files_.size()) {
    const WrittenFile& file = files_[file_index_];
    if (file.name.last_seq > pos_) {
      GL_RETURN_IF_ERROR(OpenDuckDb());
      Result<bool> got = QueryFile(file);
      if (!got.ok()) {
        // Compaction may have replaced the file since it was listed (when no
        // reclaimer guards it): list again from where we are.
        if (!options_.env->FileExists(JoinPath(options_.lake_dir, file.path))) {
          GL_RETURN_IF_ERROR(StartLakePass(lake_limit_));
          --stats_.lake_passes;
          continue;
        }
        return got.status().WithContext("reading " + file.path + " of the lake");
      }
      if (*got) return true;
    }
    ++file_index_;
    file_expr_ready_ = false;
  }
  ticket_.Release();
  files_.clear();
  return false;
}

Result<bool> LogLakeReader::NextFromLog(SourceRecord* out) {
  if (!cursor_) {
    const uint64_t first = options_.wal->first_seq();
    if (pos_ + 1 < first && !options_.lake_dir.empty() && lake_limit_ < first) {
      // The log no longer holds the start: the lake first, up to where the log begins.
      GL_RETURN_IF_ERROR(StartLakePass(first));
      return false;  // The caller loops back into the lake.
    }
    const uint64_t from = std::max(pos_ + 1, lake_limit_);
    cursor_ = options_.wal->NewCursor(from);
    cursor_seq_ = from - 1;
  }
  LogRecord rec;
  for (;;) {
    GL_ASSIGN_OR_RETURN(bool got, cursor_->Next(&rec));
    if (!got) return false;
    if (rec.seq > cursor_seq_ + 1 && !options_.lake_dir.empty() &&
        options_.wal->first_seq() > cursor_seq_ + 1) {
      // The cursor skipped segments deleted under it: their records are in
      // the lake. Read them, then this record.
      if (rec.stream == options_.stream) {
        has_pending_ = true;
        pending_seq_ = rec.seq;
        pending_ingest_time_us_ = rec.ingest_time_us;
        pending_json_.assign(rec.payload);
      }
      cursor_seq_ = rec.seq;
      GL_RETURN_IF_ERROR(StartLakePass(rec.seq));
      return false;
    }
    cursor_seq_ = rec.seq;
    if (rec.stream != options_.stream) continue;
    ++stats_.log_records;
    pos_ = rec.seq;
    *out = SourceRecord{rec.seq, rec.ingest_time_us, rec.payload};
    return true;
  }
}

Result<bool> LogLakeReader::Next(SourceRecord* out) {
  for (;;) {
    if (in_lake_) {
      if (batch_pos_ < batch_.size()) {
        const LakeRow& r = batch_[batch_pos_++];
        ++stats_.lake_records;
        pos_ = r.seq;
        *out = SourceRecord{r.seq, r.ingest_time_us, r.json};
        return true;
      }
      GL_ASSIGN_OR_RETURN(bool more, FillLakeBatch());
      if (more) continue;
      in_lake_ = false;
      if (has_pending_) {
        has_pending_ = false;
        ++stats_.log_records;
        pos_ = pending_seq_;
        *out = SourceRecord{pending_seq_, pending_ingest_time_us_, pending_json_};
        return true;
      }
    }
    GL_ASSIGN_OR_RETURN(bool got, NextFromLog(out));
    if (got) return true;
    if (!in_lake_) return false;  // Caught up with the log.
  }
}

}  // namespace gamelake
