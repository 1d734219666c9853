#include "query/query_history.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "common/json_writer.h"

namespace gamelake {

QueryHistory::QueryHistory(Env* env, std::string path, size_t capacity, uint64_t max_file_bytes)
    : env_(env), path_(std::move(path)), capacity_(capacity), max_file_bytes_(max_file_bytes) {
  if (!path_.empty()) Load();
}

QueryHistory::~QueryHistory() {
  if (file_) (void)file_->Close();
}

std::string QueryHistory::ToJson(const QueryHistoryEntry& e) {
  JsonWriter w;
  w.BeginObject();
  w.Key("query_id").UInt(e.query_id);
  w.Key("sql").String(e.sql);
  w.Key("user").String(e.user);
  w.Key("started_us").Int(e.started_us);
  w.Key("duration_ms").Double(e.duration_ms);
  w.Key("rows").UInt(e.rows);
  w.Key("bytes_scanned").UInt(e.bytes_scanned);
  w.Key("state").String(e.state);
  w.Key("error").String(e.error);
  w.EndObject();
  return w.Take();
}

void QueryHistory::Load() {
  auto parse_file = [&](const std::string& path) GL_NO_THREAD_SAFETY_ANALYSIS {
    if (!env_->FileExists(path)) return;
    Result<std::string> text = env_->ReadFile(path);
    if (!text.ok()) {
      spdlog::warn("msg=\"cannot read the query history\" file=\"{}\" error=\"{}\"", path,
                   text.status().ToString());
      return;
    }
    simdjson::dom::parser parser;
    size_t pos = 0;
    while (pos < text->size()) {
      size_t nl = text->find('\n', pos);
      if (nl == std::string::npos) break;  // A torn last line is skipped.
      std::string_view line(text->data() + pos, nl - pos);
      pos = nl + 1;
      simdjson::dom::element doc;
      if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) continue;
      QueryHistoryEntry e;
      std::string_view s;
      int64_t i = 0;
      uint64_t u = 0;
      double d = 0;
      if (doc["query_id"].get(u) == simdjson::SUCCESS) e.query_id = u;
      if (doc["sql"].get(s) == simdjson::SUCCESS) e.sql = s;
      if (doc["user"].get(s) == simdjson::SUCCESS) e.user = s;
      if (doc["started_us"].get(i) == simdjson::SUCCESS) e.started_us = i;
      if (doc["duration_ms"].get(d) == simdjson::SUCCESS) e.duration_ms = d;
      if (doc["rows"].get(u) == simdjson::SUCCESS) e.rows = u;
      if (doc["bytes_scanned"].get(u) == simdjson::SUCCESS) e.bytes_scanned = u;
      if (doc["state"].get(s) == simdjson::SUCCESS) e.state = s;
      if (doc["error"].get(s) == simdjson::SUCCESS) e.error = s;
      max_id_ = std::max(max_id_, e.query_id);
      entries_.push_back(std::move(e));
      if (entries_.size() > capacity_) entries_.pop_front();
    }
  };
  parse_file(path_ + ".1");
  parse_file(path_);
}

void QueryHistory::Add(const QueryHistoryEntry& entry) {
  MutexLock lock(&mu_);
  max_id_ = std::max(max_id_, entry.query_id);
  entries_.push_back(entry);
  if (entries_.size() > capacity_) entries_.pop_front();
  if (path_.empty()) return;
  if (!file_) {
    Result<std::unique_ptr<WritableFile>> f =
        env_->FileExists(path_) ? env_->NewAppendableFile(path_) : env_->NewWritableFile(path_);
    if (!f.ok()) {
      spdlog::warn("msg=\"cannot write the query history\" file=\"{}\" error=\"{}\"", path_,
                   f.status().ToString());
      return;
    }
    file_ = std::move(f).value();
  }
  Status s = file_->Append(ToJson(entry) + "\n");
  if (s.ok() && file_->Size() > max_file_bytes_) {
    s = file_->Close();
    file_.reset();
    if (s.ok()) s = env_->RenameFile(path_, path_ + ".1");
  }
  if (!s.ok()) {
    spdlog::warn("msg=\"cannot write the query history\" file=\"{}\" error=\"{}\"", path_,
                 s.ToString());
    file_.reset();
  }
}

std::vector<QueryHistoryEntry> QueryHistory::List(size_t limit) const {
  MutexLock lock(&mu_);
  std::vector<QueryHistoryEntry> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) {
    out.push_back(*it);
  }
  return out;
}

uint64_t QueryHistory::max_query_id() const {
  MutexLock lock(&mu_);
  return max_id_;
}

}  // namespace gamelake
