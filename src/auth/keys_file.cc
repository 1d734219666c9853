#include "auth/keys_file.h"

#include <simdjson.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "auth/api_key.h"
#include "auth/crypto_util.h"
#include "common/json_writer.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

constexpr int64_t kFileVersion = 1;
constexpr size_t kSha256Bytes = 32;

bool IsTimestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SSZ
  if (s.size() != 20) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (i) {
      case 4:
      case 7:
        if (c != '-') return false;
        break;
      case 10:
        if (c != 'T') return false;
        break;
      case 13:
      case 16:
        if (c != ':') return false;
        break;
      case 19:
        if (c != 'Z') return false;
        break;
      default:
        if (c < '0' || c > '9') return false;
    }
  }
  return true;
}

// Parses one element of "keys"; errors are plain text, the caller adds where.
class KeyParser {
 public:
  explicit KeyParser(dom::object object) : object_(object) {}

  Status String(const char* field, std::string* out) {
    std::string_view v;
    if (object_[field].get_string().get(v) != simdjson::SUCCESS) return Missing(field, "a string");
    *out = std::string(v);
    return Status::OK();
  }

  Status UInt(const char* field, uint64_t* out) {
    if (object_[field].get_uint64().get(*out) != simdjson::SUCCESS) {
      return Missing(field, "a non-negative integer");
    }
    return Status::OK();
  }

  Status Hex(const char* field, size_t want_bytes, std::string* out) {
    std::string text;
    GL_RETURN_IF_ERROR(String(field, &text));
    Result<std::string> bytes = HexDecode(text);
    if (!bytes.ok()) return Invalid(field, bytes.status().message());
    if (want_bytes != 0 && bytes->size() != want_bytes) {
      return Invalid(field, "must hold " + std::to_string(want_bytes) + " bytes, not " +
                                std::to_string(bytes->size()));
    }
    *out = std::move(bytes).value();
    return Status::OK();
  }

  Status Streams(std::vector<std::string>* out) {
    dom::array array;
    if (object_["streams"].get_array().get(array) != simdjson::SUCCESS) {
      return Missing("streams", "an array of stream names");
    }
    for (dom::element e : array) {
      std::string_view v;
      if (e.get_string().get(v) != simdjson::SUCCESS) {
        return Invalid("streams", "holds a value that is not a string");
      }
      out->emplace_back(v);
    }
    Status s = ValidateStreamList(*out);
    if (!s.ok()) return Invalid("streams", s.message());
    return Status::OK();
  }

  Status RevokedAt(std::string* out) {
    dom::element e;
    if (object_["revoked_at"].get(e) != simdjson::SUCCESS) {
      return Missing("revoked_at", "null or a timestamp");
    }
    if (e.is_null()) return Status::OK();
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS || !IsTimestamp(v)) {
      return Invalid("revoked_at", "must be null or a timestamp like 2025-01-02T03:04:05Z");
    }
    *out = std::string(v);
    return Status::OK();
  }

  static Status Invalid(std::string_view field, std::string_view why) {
    return Status::Corruption("field \"" + std::string(field) + "\" " + std::string(why));
  }

 private:
  static Status Missing(std::string_view field, std::string_view want) {
    return Status::Corruption("field \"" + std::string(field) + "\" is missing or not " +
                              std::string(want));
  }
  dom::object object_;
};

Status ParseKey(dom::element element, StoredKey* key) {
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return Status::Corruption("is not a JSON object");
  }
  KeyParser p(object);
  KeyInfo& info = key->info;
  GL_RETURN_IF_ERROR(p.String("id", &info.id));
  if (!IsValidKeyId(info.id)) {
    return KeyParser::Invalid("id", "is not a key id (GLK + 17 of A-Z2-7)");
  }
  GL_RETURN_IF_ERROR(p.String("name", &info.name));
  if (Status s = ValidateKeyName(info.name); !s.ok())
    return KeyParser::Invalid("name", s.message());
  std::string scope;
  GL_RETURN_IF_ERROR(p.String("scope", &scope));
  Result<Scope> parsed_scope = ParseScope(scope);
  if (!parsed_scope.ok()) return KeyParser::Invalid("scope", parsed_scope.status().message());
  info.scope = *parsed_scope;
  GL_RETURN_IF_ERROR(p.Streams(&info.streams));
  if (info.scope != Scope::kIngest && !info.streams.empty()) {
    return KeyParser::Invalid("streams", "must be empty for an admin or metrics:read key");
  }
  GL_RETURN_IF_ERROR(p.UInt("rate_records_per_s", &info.rate_records_per_s));
  GL_RETURN_IF_ERROR(p.UInt("rate_bytes_per_s", &info.rate_bytes_per_s));
  GL_RETURN_IF_ERROR(p.String("created_at", &info.created_at));
  if (!IsTimestamp(info.created_at)) {
    return KeyParser::Invalid("created_at", "must be a timestamp like 2025-01-02T03:04:05Z");
  }
  GL_RETURN_IF_ERROR(p.RevokedAt(&info.revoked_at));
  GL_RETURN_IF_ERROR(p.Hex("salt", kSaltBytes, &key->salt));
  GL_RETURN_IF_ERROR(p.Hex("secret_sha256", kSha256Bytes, &key->secret_sha256));
  GL_RETURN_IF_ERROR(p.Hex("secret_enc", 0, &key->secret_enc));
  if (key->secret_enc.size() != kGcmNonceBytes + kSecretLength + kGcmTagBytes) {
    return KeyParser::Invalid("secret_enc", "has the wrong length");
  }
  return Status::OK();
}

}  // namespace

Principal KeyInfo::ToPrincipal() const {
  return Principal{id, name, scope, streams, rate_records_per_s, rate_bytes_per_s};
}

Result<std::vector<StoredKey>> ParseKeysFile(std::string_view text, const std::string& path) {
  auto fail = [&path](std::string_view what) {
    return Status::Corruption(path + ": " + std::string(what));
  };
  if (text.empty()) return fail("file is empty (expected {\"version\":1,\"keys\":[...]})");
  dom::parser parser;
  simdjson::padded_string padded(text);
  dom::element root;
  if (auto e = parser.parse(padded).get(root); e != simdjson::SUCCESS) {
    return fail(std::string("not valid JSON: ") + simdjson::error_message(e));
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return fail("top level is not an object");
  int64_t version = 0;
  if (object["version"].get_int64().get(version) != simdjson::SUCCESS) {
    return fail("field \"version\" is missing or not an integer");
  }
  if (version != kFileVersion) {
    return fail("version " + std::to_string(version) + " is not supported (this gamelake reads " +
                std::to_string(kFileVersion) + ")");
  }
  dom::array array;
  if (object["keys"].get_array().get(array) != simdjson::SUCCESS) {
    return fail("field \"keys\" is missing or not an array");
  }
  std::vector<StoredKey> keys;
  std::set<std::string> ids;
  size_t index = 0;
  for (dom::element element : array) {
    StoredKey key;
    if (Status s = ParseKey(element, &key); !s.ok()) {
      std::string where = "key #" + std::to_string(index);
      if (!key.info.id.empty() && IsValidKeyId(key.info.id)) where += " (" + key.info.id + ")";
      return fail(where + ": " + s.message());
    }
    if (!ids.insert(key.info.id).second) {
      return fail("key #" + std::to_string(index) + ": duplicate id " + key.info.id);
    }
    keys.push_back(std::move(key));
    ++index;
  }
  return keys;
}

std::string SerializeKeysFile(const std::vector<StoredKey>& keys) {
  std::string out = "{\"version\":" + std::to_string(kFileVersion) + ",\"keys\":[\n";
  for (size_t i = 0; i < keys.size(); ++i) {
    const StoredKey& k = keys[i];
    JsonWriter w;
    w.BeginObject();
    w.Key("id").String(k.info.id);
    w.Key("name").String(k.info.name);
    w.Key("scope").String(ScopeName(k.info.scope));
    w.Key("streams").BeginArray();
    for (const std::string& s : k.info.streams) w.String(s);
    w.EndArray();
    w.Key("rate_records_per_s").UInt(k.info.rate_records_per_s);
    w.Key("rate_bytes_per_s").UInt(k.info.rate_bytes_per_s);
    w.Key("created_at").String(k.info.created_at);
    w.Key("revoked_at");
    if (k.info.revoked()) {
      w.String(k.info.revoked_at);
    } else {
      w.Null();
    }
    w.Key("salt").String(HexEncode(k.salt));
    w.Key("secret_sha256").String(HexEncode(k.secret_sha256));
    w.Key("secret_enc").String(HexEncode(k.secret_enc));
    w.EndObject();
    out += w.str();
    out += i + 1 < keys.size() ? ",\n" : "\n";
  }
  out += "]}\n";
  return out;
}

Status ValidateKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("key name must be 1-64 bytes long");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("key name must not hold control characters");
    }
  }
  return Status::OK();
}

Status ValidateStreamList(const std::vector<std::string>& streams) {
  if (streams.size() > 256) return Status::InvalidArgument("at most 256 streams per key");
  std::set<std::string_view> seen;
  for (const std::string& s : streams) {
    // Mirrors ValidateStreamName in src/server (auth must not depend on the server).
    bool ok =
        !s.empty() && s.size() <= 64 && s[0] != '_' && std::all_of(s.begin(), s.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        });
    if (!ok) {
      return Status::InvalidArgument("stream name \"" + JsonEscape(s.substr(0, 64)) +
                                     "\" is not 1-64 of [A-Za-z0-9_-] (not starting with '_')");
    }
    if (!seen.insert(s).second) {
      return Status::InvalidArgument("stream \"" + s + "\" is listed twice");
    }
  }
  return Status::OK();
}

std::string FormatTimestamp(int64_t unix_micros) {
  std::time_t seconds = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace gamelake
