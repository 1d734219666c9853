#include "delivery/schema_inferrer.h"

#include <simdjson.h>

#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/result.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

// Staging files are read in chunks of this size (grown for longer lines).
constexpr size_t kReadChunk = 1 << 20;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// DuckDB compares STRUCT field names ignoring ASCII case only ("É" and "é"
// are two fields).
std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

struct SchemaInferrer::Node {
  // kUnknown: no non-null value seen yet.
  enum class Kind : uint8_t {
    kUnknown,
    kBoolean,
    kBigint,
    kDouble,
    kVarchar,
    kObject,
    kArray,
    kJson
  };

  Kind kind = Kind::kUnknown;
  bool wide = false;              // kBigint: some value is above INT64_MAX.
  std::vector<std::string> keys;  // kObject: in order of first appearance.
  std::vector<Node> children;     // kObject: one per key; kArray: the element.
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index;  // key -> child.
  std::unordered_set<std::string> lower_keys;                                  // AsciiLower(keys).

  void MakeJson() {
    kind = Kind::kJson;
    wide = false;
    keys.clear();
    children.clear();
    index.clear();
    lower_keys.clear();
  }

  void MergeScalar(Kind k, bool is_wide) {
    if (kind == k) {
      wide = wide || is_wide;
    } else if (kind == Kind::kUnknown) {
      kind = k;
      wide = is_wide;
    } else if ((kind == Kind::kBigint && k == Kind::kDouble) ||
               (kind == Kind::kDouble && k == Kind::kBigint)) {
      kind = Kind::kDouble;
      wide = false;
    } else {
      MakeJson();
    }
  }

  DuckType Render(bool* any_wide) const {
    DuckType out;
    switch (kind) {
      case Kind::kUnknown:
      case Kind::kJson:
        out.name = "JSON";
        break;
      case Kind::kBoolean:
        out.name = "BOOLEAN";
        break;
      case Kind::kBigint:
        out.name = "BIGINT";
        *any_wide = *any_wide || wide;
        break;
      case Kind::kDouble:
        out.name = "DOUBLE";
        break;
      case Kind::kVarchar:
        out.name = "VARCHAR";
        break;
      case Kind::kObject:
        if (keys.empty()) {
          out.name = "JSON";  // DuckDB's type for objects that are always {}.
          break;
        }
        out.kind = DuckType::Kind::kStruct;
        out.field_names = keys;
        for (const Node& child : children) out.children.push_back(child.Render(any_wide));
        break;
      case Kind::kArray:
        out.kind = DuckType::Kind::kList;
        out.children.push_back(children.at(0).Render(any_wide));
        break;
    }
    return out;
  }
};

// Walks simdjson's DOM of records into a Node tree. (simdjson 3.0's DOM parser
// picks the best SIMD kernel at run time; its On-Demand API would use the
// portable fallback kernel in a build without -march flags.)
class SchemaInferrer::Parser {
 public:
  bool top_level_key_conflict = false;

  // Adds the object at json; len + SIMDJSON_PADDING bytes must be readable.
  Status AddRecord(const char* json, size_t len) {
    dom::element root;
    simdjson::error_code e = parser_.parse(json, len, /*realloc_if_needed=*/false).get(root);
    dom::object record;
    if (!e) e = root.get_object().get(record);
    if (!e) e = ObserveFields(record, root_node_, /*top_level=*/true);
    return ToStatus(e, "record");
  }

  // Adds the "r" object of a staging line; len + SIMDJSON_PADDING bytes must
  // be readable.
  Status AddStagingLine(const char* line, size_t len) {
    dom::element root;
    simdjson::error_code e = parser_.parse(line, len, /*realloc_if_needed=*/false).get(root);
    dom::object record;
    if (!e) e = root["r"].get_object().get(record);
    if (!e) e = ObserveFields(record, root_node_, /*top_level=*/true);
    return ToStatus(e, "staging line");
  }

  void set_root(Node* root) { root_node_ = root; }

 private:
  static Status ToStatus(simdjson::error_code e, std::string_view what) {
    if (!e) return Status::OK();
    return Status::InvalidArgument(std::string(what) + ": " + simdjson::error_message(e));
  }

  simdjson::error_code ObserveFields(dom::object object, Node* node, bool top_level) {
    size_t next = 0;  // Records mostly repeat the key order: try the next key first.
    for (dom::key_value_pair field : object) {
      const std::string_view key = field.key;
      size_t i;
      if (next < node->keys.size() && node->keys[next] == key) {
        i = next;
      } else if (auto it = node->index.find(key); it != node->index.end()) {
        i = it->second;
      } else {
        if (key.find('\0') != std::string_view::npos) {
          // DuckDB cuts names at NUL, and SQL cannot spell them: leave the
          // top level to DuckDB's own inference.
          if (top_level) return simdjson::STRING_ERROR;
          node->MakeJson();
          return simdjson::SUCCESS;
        }
        if (key.empty() || !node->lower_keys.insert(AsciiLower(key)).second) {
          if (top_level) {
            top_level_key_conflict = true;
          } else {
            node->MakeJson();
          }
          return simdjson::SUCCESS;
        }
        i = node->keys.size();
        node->keys.emplace_back(key);
        node->children.emplace_back();
        node->index.emplace(node->keys.back(), i);
      }
      next = i + 1;
      Observe(field.value, &node->children[i]);
      if (node->kind == Node::Kind::kJson) return simdjson::SUCCESS;
    }
    return simdjson::SUCCESS;
  }

  void Observe(dom::element value, Node* node) {
    using Kind = Node::Kind;
    if (node->kind == Kind::kJson) return;  // Nothing can change it.
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        return;
      case dom::element_type::BOOL:
        node->MergeScalar(Kind::kBoolean, false);
        return;
      case dom::element_type::STRING:
        node->MergeScalar(Kind::kVarchar, false);
        return;
      case dom::element_type::INT64:
        node->MergeScalar(Kind::kBigint, false);
        return;
      case dom::element_type::UINT64:  // Only integers above INT64_MAX.
        node->MergeScalar(Kind::kBigint, true);
        return;
      case dom::element_type::DOUBLE:
        node->MergeScalar(Kind::kDouble, false);
        return;
      case dom::element_type::OBJECT:
        if (node->kind == Kind::kUnknown) node->kind = Kind::kObject;
        if (node->kind != Kind::kObject) {
          node->MakeJson();
          return;
        }
        (void)ObserveFields(dom::object(value), node, /*top_level=*/false);
        return;
      case dom::element_type::ARRAY:
        if (node->kind == Kind::kUnknown) {
          node->kind = Kind::kArray;
          node->children.emplace_back();
        }
        if (node->kind != Kind::kArray) {
          node->MakeJson();
          return;
        }
        for (dom::element element : dom::array(value)) Observe(element, &node->children[0]);
        return;
    }
  }

  dom::parser parser_;
  Node* root_node_ = nullptr;
};

SchemaInferrer::SchemaInferrer()
    : root_(std::make_unique<Node>()), parser_(std::make_unique<Parser>()) {
  root_->kind = Node::Kind::kObject;
  parser_->set_root(root_.get());
}

SchemaInferrer::~SchemaInferrer() = default;

Status SchemaInferrer::AddRecord(std::string_view record_json) {
  simdjson::padded_string padded(record_json);
  GL_RETURN_IF_ERROR(parser_->AddRecord(padded.data(), padded.size()));
  ++records_;
  return Status::OK();
}

Status SchemaInferrer::AddStagingFile(Env* env, const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  // buffer holds [begin, end) of unparsed bytes, then SIMDJSON_PADDING spare
  // bytes, so lines are parsed in place.
  size_t capacity = kReadChunk;
  std::vector<char> buffer(capacity + simdjson::SIMDJSON_PADDING);
  size_t begin = 0;
  size_t end = 0;
  uint64_t offset = 0;
  bool eof = false;
  auto add_line = [&](size_t from, size_t to) -> Status {
    const char* line = buffer.data() + from;
    size_t len = to - from;
    bool blank = true;
    for (size_t i = 0; i < len && blank; ++i) {
      blank = line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
    }
    if (blank) return Status::OK();
    GL_RETURN_IF_ERROR(parser_->AddStagingLine(line, len));
    ++records_;
    return Status::OK();
  };
  while (true) {
    while (begin < end) {
      const void* nl = std::memchr(buffer.data() + begin, '\n', end - begin);
      if (nl == nullptr) break;
      size_t line_end = static_cast<const char*>(nl) - buffer.data();
      GL_RETURN_IF_ERROR(add_line(begin, line_end));
      begin = line_end + 1;
      if (parser_->top_level_key_conflict) return Status::OK();
    }
    if (eof) {
      if (begin < end) GL_RETURN_IF_ERROR(add_line(begin, end));
      return Status::OK();
    }
    std::memmove(buffer.data(), buffer.data() + begin, end - begin);
    end -= begin;
    begin = 0;
    if (end == capacity) {  // A line longer than the buffer.
      capacity *= 2;
      buffer.resize(capacity + simdjson::SIMDJSON_PADDING);
    }
    size_t want = capacity - end;
    GL_ASSIGN_OR_RETURN(size_t got, file->Read(offset, want, buffer.data() + end));
    offset += got;
    end += got;
    eof = got < want;
  }
}

bool SchemaInferrer::top_level_key_conflict() const { return parser_->top_level_key_conflict; }

DuckType SchemaInferrer::RecordType() const {
  bool any_wide = false;
  return root_->Render(&any_wide);
}

bool SchemaInferrer::wide_integers() const {
  bool any_wide = false;
  root_->Render(&any_wide);
  return any_wide;
}

DuckType StorageType(const DuckType& inferred, bool wide_integers) {
  DuckType out = inferred;
  if (out.kind == DuckType::Kind::kScalar) {
    const std::string& n = out.name;
    if (n == "DATE" || n == "TIME" || n == "TIMESTAMP" || n == "UUID" || n == "TIME_NS" ||
        n == "TIMESTAMP_NS" || n == "TIMESTAMP_MS" || n == "TIMESTAMP_S" ||
        n == "TIMESTAMP WITH TIME ZONE" || n == "TIME WITH TIME ZONE") {
      out.name = "VARCHAR";
    } else if (wide_integers && n == "BIGINT") {
      out.name = "JSON";
    }
    return out;
  }
  for (DuckType& child : out.children) child = StorageType(child, wide_integers);
  return out;
}

namespace {

DuckType NarrowStructs(const DuckType& type, size_t max_fields) {
  if (type.kind == DuckType::Kind::kStruct && type.children.size() > max_fields) {
    return DuckType::Scalar("JSON");
  }
  DuckType out = type;
  for (DuckType& child : out.children) child = NarrowStructs(child, max_fields);
  return out;
}

}  // namespace

DuckType BoundedRecordType(const DuckType& record, const ColumnLimits& limits,
                           const std::set<std::string>& known, std::vector<std::string>* overflow) {
  overflow->clear();
  if (record.kind != DuckType::Kind::kStruct) return record;
  DuckType out = record;
  for (DuckType& child : out.children) child = NarrowStructs(child, limits.max_struct_fields);
  std::vector<bool> keep(out.children.size(), false);
  size_t used = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < out.children.size(); ++i) {
      if (keep[i] || (pass == 0) != (known.count(out.field_names[i]) > 0)) continue;
      size_t leaves = LeafColumns(out.children[i]);
      if (used + leaves > limits.max_columns) continue;
      keep[i] = true;
      used += leaves;
    }
  }
  DuckType kept = out;
  kept.children.clear();
  kept.field_names.clear();
  for (size_t i = 0; i < out.children.size(); ++i) {
    if (keep[i]) {
      kept.children.push_back(out.children[i]);
      kept.field_names.push_back(out.field_names[i]);
    } else {
      overflow->push_back(out.field_names[i]);
    }
  }
  return kept;
}

std::string OverflowColumnSql(std::string_view record,
                              const std::vector<std::string>& column_keys) {
  // An RFC 7396 merge patch that sets a key to null deletes it.
  std::string patch = "{";
  for (const std::string& key : column_keys) {
    if (patch.size() > 1) patch += ",";
    AppendJsonString(&patch, key);
    patch += ":null";
  }
  patch += "}";
  return "CAST(NULLIF(CAST(json_merge_patch(" + std::string(record) + ", " + QuoteLiteral(patch) +
         ") AS VARCHAR), '{}') AS JSON)";
}

}  // namespace gamelake
