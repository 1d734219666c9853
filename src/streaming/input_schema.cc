// The input schema's plain functions (record_decoder.h): validation, its JSON
// form, and discovery from sample records.
#include <simdjson.h>

#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "streaming/record_decoder.h"
#include "streaming/schema_discovery.h"
#include "streaming/sql_parser.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

constexpr size_t kMaxColumnNameBytes = 256;  // KDA's RecordColumn Name limit.

// A mapping as stored: a top-level key, or KDA's JSONPath of one ("$.Wins",
// "$['Time Played']", "$[\"a.b\"]"). Deeper paths are refused.
Result<std::string> MappingKey(std::string_view mapping) {
  if (mapping.empty() || mapping[0] != '$') return std::string(mapping);
  std::string_view path = mapping.substr(1);
  if (path.size() > 1 && path[0] == '.') {
    std::string_view key = path.substr(1);
    if (key.find_first_of(".[") != std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "JSONPath \"{}\" is not a top-level key (only $.key or $['key'] are supported)",
          mapping));
    }
    return std::string(key);
  }
  if (path.size() >= 4 && path[0] == '[' && (path[1] == '\'' || path[1] == '"') &&
      path.back() == ']' && path[path.size() - 2] == path[1]) {
    std::string_view key = path.substr(2, path.size() - 4);
    if (!key.empty() && key.find(path[1]) == std::string_view::npos) return std::string(key);
  }
  return Status::InvalidArgument(fmt::format(
      "JSONPath \"{}\" is not a top-level key (only $.key or $['key'] are supported)", mapping));
}

// The stored form of a key: itself, unless it would read as a JSONPath.
std::string MappingText(const std::string& key) {
  if (key.empty() || key[0] != '$') return key;
  return key.find('\'') == std::string::npos ? "$['" + key + "']" : "$[\"" + key + "\"]";
}

// A member of `object` named `lower` or `upper` (our spelling or KDA's).
simdjson::simdjson_result<dom::element> Member(dom::object object, std::string_view lower,
                                               std::string_view upper) {
  auto v = object[lower];
  if (v.error() == simdjson::NO_SUCH_FIELD) return object[upper];
  return v;
}

Result<std::string> StringMember(dom::object object, std::string_view lower, std::string_view upper,
                                 bool required) {
  auto v = Member(object, lower, upper);
  if (v.error() == simdjson::NO_SUCH_FIELD) {
    if (required) return Status::InvalidArgument(fmt::format("{}: missing", lower));
    return std::string();
  }
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("{}: not a string", lower));
  }
  return std::string(s);
}

Result<InputColumn> ColumnFromJson(dom::element element) {
  dom::object object;
  if (element.get(object) != simdjson::SUCCESS) return Status::InvalidArgument("not an object");
  InputColumn column;
  GL_ASSIGN_OR_RETURN(column.name, StringMember(object, "name", "Name", true));
  GL_ASSIGN_OR_RETURN(std::string type, StringMember(object, "sqlType", "SqlType", true));
  Result<SqlType> parsed = ParseSqlType(type);
  if (!parsed.ok()) {
    return Status::InvalidArgument(
        fmt::format("sqlType: \"{}\" is not a column type ({})", type, parsed.status().message()));
  }
  column.type = parsed.value();
  GL_ASSIGN_OR_RETURN(std::string mapping, StringMember(object, "mapping", "Mapping", false));
  if (mapping.empty()) mapping = column.name;  // Without a mapping: the key named as the column.
  Result<std::string> key = MappingKey(mapping);
  if (!key.ok()) return Status::InvalidArgument("mapping: " + key.status().message());
  column.mapping = std::move(key).value();
  return column;
}

std::string ColumnLabel(size_t i, std::string_view name) {
  return name.empty() ? fmt::format("columns[{}]", i)
                      : fmt::format("columns[{}] (\"{}\")", i, name);
}

JsonSample SampleOf(dom::element v) {
  switch (v.type()) {
    case dom::element_type::NULL_VALUE:
      return std::monostate{};
    case dom::element_type::BOOL:
      return bool(v.get_bool().value_unsafe());
    case dom::element_type::INT64:
      return int64_t(v.get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return double(v.get_uint64().value_unsafe());  // Past BIGINT: only DOUBLE holds it.
    case dom::element_type::DOUBLE:
      return double(v.get_double().value_unsafe());
    case dom::element_type::STRING:
      return std::string(v.get_string().value_unsafe());
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      return simdjson::minify(v);  // Nested values are VARCHAR of their JSON text.
  }
  return std::monostate{};
}

}  // namespace

StreamSchema InputSchema::ToStreamSchema() const {
  StreamSchema schema;
  schema.columns.reserve(columns.size());
  for (const InputColumn& c : columns) schema.columns.push_back(StreamColumn{c.name, c.type});
  return schema;
}

Status ValidateInputSchema(const InputSchema& schema) {
  if (schema.columns.empty()) return Status::InvalidArgument("the input schema has no columns");
  if (schema.columns.size() > kMaxInputColumns) {
    return Status::InvalidArgument(fmt::format("the input schema has {} columns; the limit is {}",
                                               schema.columns.size(), kMaxInputColumns));
  }
  std::set<std::string_view> names;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const InputColumn& c = schema.columns[i];
    if (c.name.empty()) return Status::InvalidArgument(ColumnLabel(i, "") + ": name: empty");
    if (c.name.size() > kMaxColumnNameBytes) {
      return Status::InvalidArgument(
          fmt::format("{}: name: longer than {} bytes", ColumnLabel(i, ""), kMaxColumnNameBytes));
    }
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument(ColumnLabel(i, c.name) + ": name: a second column so named");
    }
    if (c.mapping.empty()) {
      return Status::InvalidArgument(ColumnLabel(i, c.name) + ": mapping: empty");
    }
  }
  return Status::OK();
}

std::string InputSchemaToJson(const InputSchema& schema) {
  JsonWriter w;
  w.BeginObject().Key("columns").BeginArray();
  for (const InputColumn& c : schema.columns) {
    w.BeginObject()
        .Key("name")
        .String(c.name)
        .Key("sqlType")
        .String(c.type.ToString())
        .Key("mapping")
        .String(MappingText(c.mapping))
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

Result<InputSchema> InputSchemaFromJson(std::string_view json) {
  dom::parser parser;
  dom::element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root)) {
    return Status::InvalidArgument(
        fmt::format("input schema: not valid JSON: {}", simdjson::error_message(e)));
  }
  dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("input schema: not a JSON object");
  }
  dom::array columns;
  auto member = Member(object, "columns", "RecordColumns");
  if (member.error() == simdjson::NO_SUCH_FIELD) {
    return Status::InvalidArgument("input schema: \"columns\" missing");
  }
  if (member.get(columns) != simdjson::SUCCESS) {
    return Status::InvalidArgument("input schema: \"columns\" is not an array");
  }
  InputSchema schema;
  size_t i = 0;
  for (dom::element element : columns) {
    Result<InputColumn> column = ColumnFromJson(element);
    if (!column.ok()) {
      std::string_view name;
      if (element.is_object() &&
          Member(element.get_object().value_unsafe(), "name", "Name").get(name) !=
              simdjson::SUCCESS) {
        name = {};
      }
      return Status::InvalidArgument(ColumnLabel(i, name) + ": " + column.status().message());
    }
    schema.columns.push_back(std::move(column).value());
    ++i;
  }
  GL_RETURN_IF_ERROR(ValidateInputSchema(schema));
  return schema;
}

Result<InputSchema> DiscoverInputSchema(const std::vector<std::string>& records) {
  dom::parser parser;
  std::vector<std::string> keys;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::vector<JsonSample>> samples;
  size_t usable = 0;
  for (const std::string& record : records) {
    dom::element root;
    dom::object object;
    if (parser.parse(record).get(root) != simdjson::SUCCESS) continue;
    if (root.get(object) != simdjson::SUCCESS) continue;
    ++usable;
    for (dom::key_value_pair field : object) {
      std::string key(field.key);
      auto [it, added] = index.emplace(key, keys.size());
      if (added) {
        keys.push_back(key);
        samples.emplace_back();
      }
      samples[it->second].push_back(SampleOf(field.value));
    }
  }
  if (usable == 0) {
    return Status::NotFound("no sample record is a JSON object: nothing to discover a schema from");
  }
  if (keys.empty()) return Status::NotFound("the sample records have no keys");
  if (keys.size() > kMaxInputColumns) keys.resize(kMaxInputColumns);
  std::vector<std::string> names = KdaColumnNames(keys);
  InputSchema schema;
  for (size_t i = 0; i < keys.size(); ++i) {
    schema.columns.push_back(InputColumn{names[i], InferSqlType(samples[i]), keys[i]});
  }
  return schema;
}

}  // namespace gamelake
