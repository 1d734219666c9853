#include "lifecycle/lake_rewriter.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "lake/lake_layout.h"
#include "sql/duck_db.h"

namespace gamelake {

Result<std::unique_ptr<LakeRewriter>> LakeRewriter::Open(const LakeRewriterOptions& options) {
  if (options.catalog == nullptr || options.lake_dir.empty() || options.env == nullptr) {
    return Status::InvalidArgument("lake rewriter: catalog, lake_dir and env are required");
  }
  DuckDbOptions db;
  db.env = options.env;
  db.threads = 1;
  db.memory_limit = options.duckdb_memory_limit;
  db.temp_directory = options.temp_dir;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<DuckDb> duck, DuckDb::Open(db));
  return std::unique_ptr<LakeRewriter>(new LakeRewriter(options, std::move(duck)));
}

Result<uint64_t> LakeRewriter::Count(const std::string& sql) {
  GL_ASSIGN_OR_RETURN(QueryResult r, db_->Query(sql));
  uint64_t n = 0;
  const std::string text =
      r.rows.size() == 1 && r.rows[0].size() == 1 && r.rows[0][0] ? *r.rows[0][0] : "";
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Internal("expected a row count, got \"" + text + "\"");
  }
  return n;
}

Result<uint64_t> LakeRewriter::WriteFile(const std::string& select, const std::string& copy_options,
                                         const std::string& path, uint64_t rows) {
  Env* env = options_.env;
  const std::string tmp = TempPathFor(path);
  auto fail = [&](const Status& s) {
    if (env->FileExists(tmp)) (void)env->RemoveFile(tmp);
    return s;
  };
  GL_RETURN_IF_ERROR(env->CreateDirs(DirName(path)));
  Result<uint64_t> written =
      Count(fmt::format("COPY ({}) TO {} ({})", select, QuoteLiteral(tmp), copy_options));
  if (!written.ok()) return fail(written.status());
  if (*written != rows) {
    return fail(
        Status::Internal(fmt::format("wrote {} rows where {} were expected", *written, rows)));
  }
  Result<uint64_t> size = env->GetFileSize(tmp);
  if (!size.ok()) return fail(size.status());
  Status s = env->SyncFile(tmp);
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (!s.ok()) return fail(s);
  // Committed: from here on the file is visible (and what it supersedes is not).
  GL_RETURN_IF_ERROR(env->SyncDir(DirName(path)));
  GL_RETURN_IF_ERROR(Publish(path));
  return *size;
}

Status LakeRewriter::Publish(const std::string& path) {
  if (options_.sink == nullptr) return Status::OK();
  const std::string& lake = options_.lake_dir;
  std::string rel = path.substr(std::min(path.size(), lake.size() + 1));
  Status published = options_.sink->Publish(rel);
  if (published.ok()) return Status::OK();
  // Undone: the files it would replace are visible again. A crash before
  // this leaves the file committed locally; start-up publishes it then.
  Status removed = options_.env->RemoveFile(path);
  if (removed.ok()) (void)options_.env->SyncDir(DirName(path));
  return published.WithContext("publishing " + rel + " to " + options_.sink->Describe());
}

Status LakeRewriter::Commit(const FileSwitch& change, const std::vector<std::string>& retired) {
  GL_RETURN_IF_ERROR(options_.catalog->Switch(change).status());
  if (options_.reclaimer != nullptr) {
    options_.reclaimer->Retire(retired);
  } else {
    FileReclaimer now(options_.env, options_.lake_dir);
    now.Retire(retired);
  }
  return Status::OK();
}

}  // namespace gamelake
