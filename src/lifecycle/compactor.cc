#include "lifecycle/compactor.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ascii.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

// Columns every written file has besides the record's: _ingest_time,
// _record_id, and room for _overflow.
constexpr size_t kSystemColumns = 3;

std::optional<LakePartition> PartitionOf(const CatalogFile& f) {
  Result<LakePath> split = SplitLakePath(f.path);
  if (!split.ok()) return std::nullopt;
  return ParsePartitionDir(split->dir);
}

// `columns` with `more` added: new names at the end, shared ones widened
// as the catalog widens a column across files.
std::vector<ColumnInfo> Widened(std::vector<ColumnInfo> columns,
                                const std::vector<ColumnInfo>& more) {
  for (const ColumnInfo& c : more) {
    auto it = std::find_if(columns.begin(), columns.end(),
                           [&](const ColumnInfo& o) { return EqualsIgnoreCase(o.name, c.name); });
    if (it == columns.end()) {
      columns.push_back(c);
    } else {
      it->type = WidenType(it->type, c.type);
    }
  }
  return columns;
}

// The union of the files' columns, in order of first appearance.
std::vector<ColumnInfo> UnionColumns(const std::vector<CatalogFile>& files) {
  std::vector<ColumnInfo> out;
  for (const CatalogFile& f : files) out = Widened(std::move(out), f.columns);
  return out;
}

size_t LeafCount(const std::vector<ColumnInfo>& columns) {
  size_t n = 0;
  for (const ColumnInfo& c : columns) n += LeafColumns(c.type);
  return n;
}

// Builds the jobs of one table's files, in _record_id order.
class JobBuilder {
 public:
  JobBuilder(const CompactionOptions& o, int64_t now_us, std::vector<CompactionJob>* out)
      : options_(o), now_us_(now_us), out_(out) {}

  void Table(const CatalogTable& table) {
    std::vector<const CatalogFile*> files;
    for (const auto& [path, f] : table.files) {
      if (f.written() && !f.remote) files.push_back(&f);  // Never another node's file.
    }
    std::sort(files.begin(), files.end(), [](const CatalogFile* a, const CatalogFile* b) {
      return a->first_seq < b->first_seq;
    });
    for (const CatalogFile* f : files) {
      std::optional<LakePartition> p = PartitionOf(*f);
      bool small = f->bytes < options_.target_file_bytes / 4 * 3;
      if (!p || !small) {
        Flush();  // A barrier: runs never reach across it.
        continue;
      }
      LakePartition group = GroupOf(*p);
      std::vector<ColumnInfo> columns = Widened(columns_, f->columns);
      bool fits = bytes_ + f->bytes <= options_.target_file_bytes &&
                  LeafCount(columns) <= options_.max_columns + kSystemColumns;
      // A run is one node's: the merged file carries its inputs' node id
      // (files named before node.id was set carry none and stay apart).
      if (run_.empty() || !(group == group_) || !fits || f->node != run_.front().node) {
        Flush();
        group_ = group;
        columns = f->columns;
      }
      run_.push_back(*f);
      columns_ = std::move(columns);
      bytes_ += f->bytes;
      table_ = table.name;
    }
    Flush();
  }

 private:
  LakePartition GroupOf(const LakePartition& p) const {
    if (!options_.daily) return p;
    LakePartition day = LakePartition::DayOf(p.hour);
    return now_us_ >= day.end_us() + options_.daily_after_us ? day : p;
  }

  void Flush() {
    bool closed = now_us_ >= group_.end_us() + options_.settle_us;
    bool crowded = options_.open_hour_min_files > 0 && run_.size() >= options_.open_hour_min_files;
    if (run_.size() >= 2 && (closed || crowded)) {
      out_->push_back(CompactionJob{table_, group_, std::move(run_)});
    }
    run_.clear();
    columns_.clear();
    bytes_ = 0;
  }

  const CompactionOptions& options_;
  const int64_t now_us_;
  std::vector<CompactionJob>* out_;
  std::string table_;
  LakePartition group_;
  std::vector<CatalogFile> run_;
  std::vector<ColumnInfo> columns_;  // The union of run_'s columns.
  uint64_t bytes_ = 0;
};

std::string FileList(const std::string& lake_dir, const std::vector<const CatalogFile*>& files) {
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    list += (i ? ", " : "") + QuoteLiteral(JoinPath(lake_dir, files[i]->path));
  }
  return list + "]";
}

}  // namespace

uint64_t CompactionJob::input_bytes() const {
  uint64_t n = 0;
  for (const CatalogFile& f : inputs) n += f.bytes;
  return n;
}

uint64_t CompactionJob::input_rows() const {
  uint64_t n = 0;
  for (const CatalogFile& f : inputs) n += f.rows;
  return n;
}

std::vector<CompactionJob> PlanCompaction(const CatalogSnapshot& snapshot,
                                          const CompactionOptions& options, int64_t now_us,
                                          const std::string& table) {
  std::vector<CompactionJob> jobs;
  JobBuilder builder(options, now_us, &jobs);
  for (const auto& [name, t] : snapshot.tables) {
    if (!table.empty() && name != table) continue;
    builder.Table(*t);
  }
  return jobs;
}

Result<std::unique_ptr<Compactor>> Compactor::Open(const CompactorOptions& options) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LakeRewriter> files, LakeRewriter::Open(options));
  return std::unique_ptr<Compactor>(new Compactor(options, std::move(files)));
}

Compactor::Compactor(const CompactorOptions& options, std::unique_ptr<LakeRewriter> files)
    : options_(options), files_(std::move(files)) {
  if (Metrics* m = options_.metrics) {
    jobs_ = m->AddCounter("gamelake_compaction_jobs_total", "Merged files written by compaction");
    files_in_ = m->AddCounter("gamelake_compaction_files_in_total", "Files merged away");
    bytes_in_ = m->AddCounter("gamelake_compaction_bytes_in_total", "Bytes of the files merged");
    bytes_out_ = m->AddCounter("gamelake_compaction_bytes_out_total", "Bytes of merged files");
    rows_ = m->AddCounter("gamelake_compaction_rows_total", "Records rewritten by compaction");
    errors_ = m->AddCounter("gamelake_compaction_errors_total", "Compaction jobs that failed");
  }
}

std::string Compactor::InputSelect(const CompactionJob& job, const std::string& lake_dir) {
  std::vector<ColumnInfo> columns = UnionColumns(job.inputs);
  // One branch per run of consecutive inputs that share a schema; UNION ALL
  // keeps their order on DuckDB's single thread.
  std::vector<std::string> branches;
  for (size_t i = 0; i < job.inputs.size();) {
    size_t j = i;
    std::vector<const CatalogFile*> group;
    while (j < job.inputs.size() && job.inputs[j].columns == job.inputs[i].columns) {
      group.push_back(&job.inputs[j++]);
    }
    std::string select;
    for (const ColumnInfo& c : columns) {
      const ColumnInfo* own = nullptr;
      for (const ColumnInfo& fc : job.inputs[i].columns) {
        if (EqualsIgnoreCase(fc.name, c.name)) own = &fc;
      }
      select += select.empty() ? "" : ", ";
      if (own == nullptr) {
        select += fmt::format("CAST(NULL AS {})", c.type.ToString());
      } else if (own->type == c.type) {
        select += QuoteIdentifier(own->name);
      } else {
        select += fmt::format("CAST({} AS {})", QuoteIdentifier(own->name), c.type.ToString());
      }
      select += " AS " + QuoteIdentifier(c.name);
    }
    branches.push_back(fmt::format("SELECT {} FROM read_parquet({}, hive_partitioning = false)",
                                   select, FileList(lake_dir, group)));
    i = j;
  }
  std::string sql;
  for (size_t k = 0; k < branches.size(); ++k) {
    sql += k ? "\nUNION ALL\n" : "";
    sql += branches.size() > 1 ? "(" + branches[k] + ")" : branches[k];
  }
  return sql;
}

Result<CompactionResult> Compactor::Run(const CompactionJob& job) {
  MutexLock lock(&mu_);
  Env* env = options_.env;
  const int64_t start = env->MonotonicMicros();
  if (job.inputs.size() < 2)
    return Status::InvalidArgument("a compaction merges two files or more");
  // The inputs' node (one node's run): the merged file supersedes them on
  // every node that lists it, by the visibility rule of one node's files.
  LakeFileName name{job.inputs.front().first_seq, job.inputs.back().last_seq, 0,
                    job.inputs.front().node};
  // A rewrite of the same range (never expected) gets the next version.
  // Held for the loop: a temporary would free the snapshot at the end of the
  // condition once the catalog has moved on, and the loop would read freed
  // tables (ThreadSanitizer caught it against the query engine's refresh).
  const std::shared_ptr<const CatalogSnapshot> snapshot = options_.catalog->Snapshot();
  if (const CatalogTable* t = snapshot->FindTable(job.table)) {
    for (const auto& [path, f] : t->files) {
      if (f.node == name.node && f.first_seq == name.first_seq && f.last_seq == name.last_seq) {
        name.version = std::max(name.version, f.version + 1);
      }
    }
  }
  CompactionResult out;
  out.output = LakeFilePath(job.table, job.target, name);
  const std::string final_path = JoinPath(options_.lake_dir, out.output);
  auto fail = [&](const Status& s) {
    if (errors_ != nullptr) errors_->Add();
    return s.WithContext(
        fmt::format("compacting {} files of {} into {}", job.inputs.size(), job.table, out.output));
  };
  const uint64_t rows = job.input_rows();
  Result<uint64_t> bytes = files_->WriteFile(InputSelect(job, options_.lake_dir),
                                             "FORMAT parquet, COMPRESSION zstd", final_path, rows);
  if (!bytes.ok()) return fail(bytes.status());
  // Committed: from here on the inputs are superseded on disk. Should the
  // switch fail, queries keep reading the inputs (the same records) and
  // start-up finishes the job.
  FileSwitch change;
  change.table = job.table;
  change.added = {out.output};
  for (const CatalogFile& f : job.inputs) change.removed.push_back(f.path);
  Status committed = files_->Commit(change, change.removed);
  if (!committed.ok()) return fail(committed);
  out.rows = rows;
  out.bytes_in = job.input_bytes();
  out.bytes_out = *bytes;
  out.micros = env->MonotonicMicros() - start;
  if (jobs_ != nullptr) {
    jobs_->Add();
    files_in_->Add(job.inputs.size());
    bytes_in_->Add(out.bytes_in);
    bytes_out_->Add(out.bytes_out);
    rows_->Add(rows);
  }
  return out;
}

}  // namespace gamelake
