#include "auth/dev_keys.h"

#include <string_view>
#include <vector>

#include "auth/crypto_util.h"
#include "auth/private_files.h"

namespace gamelake {
namespace {

constexpr const char* kHowToSend =
    "Send a key as \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\"; "
    "manage keys with `gamelake keys create|list|revoke`.";

// The "<name> <scope> <key>" lines of dev-keys.txt.
std::string KeyLines(std::string_view text) {
  std::string lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line[0] != '#') lines += "  " + std::string(line) + "\n";
    pos = end + 1;
  }
  return lines;
}

}  // namespace

Result<std::string> ReadDevAdminKey(Env* env, const std::string& data_dir) {
  const std::string path = JoinPath(data_dir, kDevKeysFile);
  if (!env->FileExists(path)) return Status::NotFound(path + " does not exist");
  GL_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  std::string key;
  size_t pos = 0;
  while (pos < text.size() && key.empty()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    // Fields are separated by runs of spaces.
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ') ++i;
      if (i > start) fields.push_back(line.substr(start, i - start));
    }
    if (fields.size() == 3 && fields[0] == kDevAdminName) key = std::string(fields[2]);
  }
  WipeString(&text);
  if (key.empty()) return Status::NotFound(std::string("no ") + kDevAdminName + " key in " + path);
  return key;
}

Status EnsureDevKeys(KeyStore* store, const std::string& data_dir, bool always_print,
                     std::FILE* out) {
  Env* env = store->env();
  const std::string path = JoinPath(data_dir, kDevKeysFile);
  GL_ASSIGN_OR_RETURN(std::vector<KeyInfo> keys, store->List());
  const bool have_file = env->FileExists(path);

  if (keys.empty() || (always_print && !have_file)) {
    KeySpec admin;
    admin.name = kDevAdminName;
    admin.scope = Scope::kAdmin;
    KeySpec ingest;
    ingest.name = kDevIngestName;
    ingest.scope = Scope::kIngest;
    GL_ASSIGN_OR_RETURN(CreatedKey admin_key, store->Create(admin));
    GL_ASSIGN_OR_RETURN(CreatedKey ingest_key, store->Create(ingest));
    std::string lines = std::string(kDevAdminName) + "  admin   " + admin_key.full_key + "\n" +
                        kDevIngestName + " ingest  " + ingest_key.full_key + "\n";
    std::string text =
        "# gamelake development API keys, created " + admin_key.info.created_at + ".\n# " +
        kHowToSend + "\n# Revoke them (gamelake keys revoke <id>) before exposing this server.\n" +
        lines;
    GL_RETURN_IF_ERROR(env->CreateDirs(data_dir));
    Status written = WritePrivateFileAtomic(env, path, text);
    WipeString(&text);
    if (!written.ok()) {
      WipeString(&lines);
      return written;
    }
    std::fprintf(out,
                 "gamelake: created development API keys (also saved in %s, mode 0600):\n%s%s\n",
                 path.c_str(), KeyLines(lines).c_str(), kHowToSend);
    WipeString(&lines);
    std::fflush(out);
    return Status::OK();
  }
  if (!have_file) return Status::OK();
  if (always_print) {
    GL_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
    std::fprintf(out, "gamelake: development API keys (from %s):\n%s%s\n", path.c_str(),
                 KeyLines(text).c_str(), kHowToSend);
    WipeString(&text);
  } else {
    std::fprintf(out, "gamelake: development API keys are in %s\n", path.c_str());
  }
  std::fflush(out);
  return Status::OK();
}

}  // namespace gamelake
