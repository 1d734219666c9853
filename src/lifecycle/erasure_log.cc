#include "lifecycle/erasure_log.h"

#include <simdjson.h>

#include <spdlog/spdlog.h>

namespace gamelake {
namespace {

constexpr std::string_view kFile = "audit.ndjson";

std::string_view StringOr(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

int64_t IntOr(simdjson::dom::object o, std::string_view key) {
  int64_t v = 0;
  if (o[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

}  // namespace

std::string_view ErasureStateName(ErasureInfo::State state) {
  switch (state) {
    case ErasureInfo::State::kPending:
      return "pending";
    case ErasureInfo::State::kRunning:
      return "running";
    case ErasureInfo::State::kDone:
      return "done";
    case ErasureInfo::State::kFailed:
      return "failed";
  }
  return "pending";
}

void WriteErasureJson(JsonWriter* w, const ErasureInfo& e) {
  w->BeginObject().Key("id").String(e.id).Key("state").String(ErasureStateName(e.state));
  w->Key("requested_by").String(e.requested_by).Key("requested_us").Int(e.requested_us);
  w->Key("tables").BeginArray();
  for (const std::string& t : e.tables) w->String(t);
  w->EndArray().Key("where").String(e.where).Key("rows_matching").UInt(e.rows_matching);
  w->Key("attempts").Int(e.attempts);
  if (!e.error.empty()) w->Key("error").String(e.error);
  if (e.finished_us != 0) w->Key("finished_us").Int(e.finished_us);
  w->Key("results").BeginObject();
  for (const auto& [table, r] : e.results) {
    w->Key(table).BeginObject().Key("rows_removed").UInt(r.rows_removed);
    w->Key("files_rewritten").UInt(r.files_rewritten);
    w->Key("bytes_rewritten").UInt(r.bytes_rewritten).EndObject();
  }
  w->EndObject().EndObject();
}

Result<std::unique_ptr<ErasureLog>> ErasureLog::Open(Env* env, const std::string& dir) {
  GL_RETURN_IF_ERROR(env->CreateDirs(dir));
  std::unique_ptr<ErasureLog> log(new ErasureLog(env, JoinPath(dir, kFile)));
  GL_RETURN_IF_ERROR(log->Load());
  return log;
}

Status ErasureLog::Load() {
  MutexLock lock(&mu_);
  if (env_->FileExists(path_)) {
    GL_ASSIGN_OR_RETURN(std::string text, env_->ReadFile(path_));
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) {
        // A torn last append: never acknowledged, so never acted on.
        spdlog::warn("msg=\"ignoring a torn last line of the erasure audit log\" file=\"{}\"",
                     path_);
        GL_RETURN_IF_ERROR(env_->TruncateFile(path_, pos));
        break;
      }
      Apply(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    GL_ASSIGN_OR_RETURN(file_, env_->NewAppendableFile(path_));
  } else {
    GL_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(path_));
    GL_RETURN_IF_ERROR(file_->Sync());
    GL_RETURN_IF_ERROR(env_->SyncDir(DirName(path_)));
  }
  return Status::OK();
}

void ErasureLog::Apply(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(line).get(o) != simdjson::SUCCESS) {
    spdlog::warn("msg=\"unreadable line in the erasure audit log\" file=\"{}\"", path_);
    return;
  }
  std::string id(StringOr(o, "id"));
  std::string_view event = StringOr(o, "event");
  if (event == "requested") {
    ErasureInfo info;
    info.id = id;
    info.requested_by = StringOr(o, "requested_by");
    info.requested_us = IntOr(o, "time_us");
    info.where = StringOr(o, "where");
    info.rows_matching = static_cast<uint64_t>(IntOr(o, "rows_matching"));
    simdjson::dom::array tables;
    if (o["tables"].get_array().get(tables) == simdjson::SUCCESS) {
      for (simdjson::dom::element t : tables) {
        std::string_view name;
        if (t.get_string().get(name) == simdjson::SUCCESS) info.tables.emplace_back(name);
      }
    }
    requests_.push_back(std::move(info));
    return;
  }
  auto it = std::find_if(requests_.begin(), requests_.end(),
                         [&](const ErasureInfo& e) { return e.id == id; });
  if (it == requests_.end()) return;
  if (event == "started") {
    it->state = ErasureInfo::State::kRunning;
    ++it->attempts;
  } else if (event == "failed") {
    it->error = StringOr(o, "error");
    bool final = false;
    if (o["final"].get_bool().get(final) != simdjson::SUCCESS) final = false;
    it->state = final ? ErasureInfo::State::kFailed : ErasureInfo::State::kPending;
  } else if (event == "finished") {
    it->state = ErasureInfo::State::kDone;
    it->error.clear();
    it->finished_us = IntOr(o, "time_us");
    simdjson::dom::object tables;
    if (o["tables"].get_object().get(tables) == simdjson::SUCCESS) {
      for (auto [name, value] : tables) {
        ErasureTableResult& r = it->results[std::string(name)];
        simdjson::dom::object v;
        if (value.get_object().get(v) != simdjson::SUCCESS) continue;
        r.rows_removed = static_cast<uint64_t>(IntOr(v, "rows_removed"));
        r.files_rewritten = static_cast<uint64_t>(IntOr(v, "files_rewritten"));
        r.bytes_rewritten = static_cast<uint64_t>(IntOr(v, "bytes_rewritten"));
      }
    }
  }
}

Status ErasureLog::Append(const std::string& line) {
  MutexLock lock(&mu_);
  GL_RETURN_IF_ERROR(file_->Append(line + "\n"));
  GL_RETURN_IF_ERROR(file_->Sync());
  Apply(line);
  return Status::OK();
}

Status ErasureLog::Requested(const ErasureInfo& info) {
  JsonWriter w;
  w.BeginObject().Key("event").String("requested").Key("id").String(info.id);
  w.Key("time_us").Int(info.requested_us).Key("requested_by").String(info.requested_by);
  w.Key("tables").BeginArray();
  for (const std::string& t : info.tables) w.String(t);
  w.EndArray().Key("where").String(info.where).Key("rows_matching").UInt(info.rows_matching);
  w.EndObject();
  return Append(w.Take());
}

Status ErasureLog::Started(const std::string& id) {
  JsonWriter w;
  w.BeginObject().Key("event").String("started").Key("id").String(id);
  w.Key("time_us").Int(env_->NowMicros()).EndObject();
  return Append(w.Take());
}

Status ErasureLog::Failed(const std::string& id, const std::string& error, bool final) {
  JsonWriter w;
  w.BeginObject().Key("event").String("failed").Key("id").String(id);
  w.Key("time_us").Int(env_->NowMicros()).Key("error").String(error).Key("final").Bool(final);
  w.EndObject();
  return Append(w.Take());
}

Status ErasureLog::Finished(const std::string& id,
                            const std::map<std::string, ErasureTableResult>& results) {
  JsonWriter w;
  w.BeginObject().Key("event").String("finished").Key("id").String(id);
  w.Key("time_us").Int(env_->NowMicros()).Key("tables").BeginObject();
  for (const auto& [table, r] : results) {
    w.Key(table).BeginObject().Key("rows_removed").UInt(r.rows_removed);
    w.Key("files_rewritten").UInt(r.files_rewritten);
    w.Key("bytes_rewritten").UInt(r.bytes_rewritten).EndObject();
  }
  w.EndObject().EndObject();
  return Append(w.Take());
}

std::vector<ErasureInfo> ErasureLog::List() const {
  MutexLock lock(&mu_);
  return requests_;
}

Result<ErasureInfo> ErasureLog::Get(const std::string& id) const {
  MutexLock lock(&mu_);
  for (const ErasureInfo& e : requests_) {
    if (e.id == id) return e;
  }
  return Status::NotFound("no erasure request " + id);
}

std::vector<std::string> ErasureLog::Pending() const {
  MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const ErasureInfo& e : requests_) {
    if (e.state == ErasureInfo::State::kPending || e.state == ErasureInfo::State::kRunning) {
      out.push_back(e.id);
    }
  }
  return out;
}

}  // namespace gamelake
