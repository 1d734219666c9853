#include "server/analysis_store.h"

#include <algorithm>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/json_unescape.h"
#include "common/json_writer.h"
#include "generator/record_source.h"

namespace gamelake {
namespace {

constexpr std::string_view kSuffix = ".json";

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The helpers below walk JSON text that simdjson has already accepted, so
// they need not check syntax; each returns the offset just past what it skips.
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\') ++i;
  }
  return i + 1;
}

size_t SkipValue(std::string_view s, size_t i) {
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
         s[i] != '\n' && s[i] != '\r') {
    ++i;
  }
  return i;
}

// `object` (valid JSON, an object) with its top-level "id" and "updated_at"
// replaced by the given values, first; the other members are kept as written.
std::string Rewrite(std::string_view object, std::string_view id, std::string_view updated_at) {
  JsonWriter head;
  head.BeginObject().Key("id").String(id).Key("updated_at").String(updated_at).EndObject();
  std::string out = head.Take();
  out.pop_back();  // The '}': members follow.
  size_t i = SkipSpace(object, SkipSpace(object, 0) + 1);
  std::string key;
  while (i < object.size() && object[i] == '"') {
    size_t key_end = SkipString(object, i);
    key.clear();
    JsonUnescape(object.substr(i + 1, key_end - i - 2), &key);
    size_t value = SkipSpace(object, SkipSpace(object, key_end) + 1);
    size_t end = SkipValue(object, value);
    if (key != "id" && key != "updated_at") {
      out += ',';
      out.append(object.substr(i, end - i));
    }
    i = SkipSpace(object, end);
    if (i < object.size() && object[i] == ',') i = SkipSpace(object, i + 1);
  }
  out += '}';
  return out;
}

// The document's "name", checked.
Result<std::string> NameOf(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the analysis must be a JSON object");
  }
  simdjson::dom::element e;
  if (root["name"].get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the analysis needs a \"name\": a non-empty string");
  }
  std::string_view name;
  if (e.get(name) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"name\" must be a string");
  }
  if (name.empty()) return Status::InvalidArgument("\"name\" must not be empty");
  if (name.size() > kMaxAnalysisNameBytes) {
    return Status::InvalidArgument(
        fmt::format("\"name\" is {} bytes; at most {}", name.size(), kMaxAnalysisNameBytes));
  }
  return std::string(name);
}

Status CheckDocument(std::string_view json) {
  if (json.size() > kMaxAnalysisBytes) {
    return Status::ResourceExhausted(
        fmt::format("the analysis is {} bytes; at most {}", json.size(), kMaxAnalysisBytes));
  }
  Status s = CheckJsonObject(json);
  if (!s.ok()) {
    // CheckJsonObject speaks of "the record"; here it is the analysis.
    std::string message(s.message());
    if (message.starts_with("the record")) message.replace(0, 10, "the analysis");
    return Status::InvalidArgument(message);
  }
  return Status::OK();
}

}  // namespace

Status ValidateAnalysisId(std::string_view id) {
  if (id.empty()) return Status::InvalidArgument("the analysis id is empty");
  if (id.size() > 128) {
    return Status::InvalidArgument(
        fmt::format("the analysis id is {} characters; at most 128", id.size()));
  }
  if (!IsIdChar(id[0]) || id[0] == '_' || id[0] == '-') {
    return Status::InvalidArgument(
        fmt::format("the analysis id '{}' must start with a letter or a digit", id.substr(0, 128)));
  }
  auto bad = std::find_if_not(id.begin(), id.end(), IsIdChar);
  if (bad != id.end()) {
    return Status::InvalidArgument(
        fmt::format("the analysis id '{}' has '{}' at {}: use letters, digits, '_' and '-'",
                    id.substr(0, 128), *bad, bad - id.begin()));
  }
  return Status::OK();
}

Result<std::unique_ptr<AnalysisStore>> AnalysisStore::Open(Env* env, std::string dir) {
  GL_RETURN_IF_ERROR(env->CreateDirs(dir));
  return std::unique_ptr<AnalysisStore>(new AnalysisStore(env, std::move(dir)));
}

std::string AnalysisStore::PathOf(std::string_view id) const {
  return fmt::format("{}/{}{}", dir_, id, kSuffix);
}

Status AnalysisStore::Put(std::string_view id, std::string_view json, AnalysisInfo* info) {
  GL_RETURN_IF_ERROR(ValidateAnalysisId(id));
  GL_RETURN_IF_ERROR(CheckDocument(json));
  GL_ASSIGN_OR_RETURN(std::string name, NameOf(json));
  std::string updated_at = FormatUtcMicros(env_->NowMicros());
  std::string stored = Rewrite(json, id, updated_at);
  MutexLock l(&mu_);
  bool created = !env_->FileExists(PathOf(id));
  GL_RETURN_IF_ERROR(env_->WriteFileAtomic(PathOf(id), stored));
  if (info != nullptr) {
    *info = AnalysisInfo{std::string(id), std::move(name), std::move(updated_at), stored.size(),
                         created};
  }
  return Status::OK();
}

Result<std::string> AnalysisStore::Get(std::string_view id) const {
  GL_RETURN_IF_ERROR(ValidateAnalysisId(id));
  std::string path = PathOf(id);
  if (!env_->FileExists(path)) {
    return Status::NotFound(fmt::format("there is no analysis '{}'", id));
  }
  return env_->ReadFile(path);
}

Result<std::vector<AnalysisInfo>> AnalysisStore::List() const {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> files, env_->ListDir(dir_));
  std::vector<AnalysisInfo> out;
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    if (!file.ends_with(kSuffix)) continue;  // Temporary files of a Put in progress.
    std::string id = file.substr(0, file.size() - kSuffix.size());
    if (!ValidateAnalysisId(id).ok()) continue;
    Result<std::string> doc = Get(id);
    if (!doc.ok()) continue;  // Deleted meanwhile.
    simdjson::dom::object root;
    if (parser.parse(*doc).get(root) != simdjson::SUCCESS) {
      return Status::Corruption(fmt::format("{}: not a JSON object", PathOf(id)));
    }
    AnalysisInfo info;
    info.id = id;
    info.bytes = doc->size();
    std::string_view text;
    if (root["name"].get(text) == simdjson::SUCCESS) info.name = std::string(text);
    if (root["updated_at"].get(text) == simdjson::SUCCESS) info.updated_at = std::string(text);
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const AnalysisInfo& a, const AnalysisInfo& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  return out;
}

Status AnalysisStore::Delete(std::string_view id) {
  GL_RETURN_IF_ERROR(ValidateAnalysisId(id));
  MutexLock l(&mu_);
  if (!env_->FileExists(PathOf(id))) {
    return Status::NotFound(fmt::format("there is no analysis '{}'", id));
  }
  GL_RETURN_IF_ERROR(env_->RemoveFile(PathOf(id)));
  return env_->SyncDir(dir_);
}

}  // namespace gamelake
