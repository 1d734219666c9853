#include "streaming/application_definition.h"

#include <optional>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "streaming/sql_parser.h"

namespace gamelake {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int kDefinitionFormat = 1;
constexpr size_t kMaxStreamNameLength = 64;

bool SameType(const SqlType& a, const SqlType& b) {
  return a.kind == b.kind && a.length == b.length && a.precision == b.precision &&
         a.scale == b.scale;
}

}  // namespace

bool SameInputSchema(const InputSchema& a, const InputSchema& b) {
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const InputColumn& x = a.columns[i];
    const InputColumn& y = b.columns[i];
    if (x.name != y.name || x.mapping != y.mapping || !SameType(x.type, y.type)) return false;
  }
  return true;
}

namespace {

bool SameDestination(const DestinationSpec& a, const DestinationSpec& b) {
  return a.stream == b.stream && a.kind == b.kind && a.target == b.target &&
         a.metric_map == b.metric_map;
}

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}", field, what));
}

std::string Sub(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string At(std::string_view parent, size_t i) { return fmt::format("{}[{}]", parent, i); }

Result<object> AsObject(element e, std::string_view field) {
  object o;
  if (e.get(o) != simdjson::SUCCESS) return FieldError(field, "expected a JSON object");
  return o;
}

Result<array> AsArray(element e, std::string_view field) {
  array a;
  if (e.get(a) != simdjson::SUCCESS) return FieldError(field, "expected a JSON array");
  return a;
}

Result<std::string> AsString(element e, std::string_view field) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return FieldError(field, "expected a string");
  return std::string(s);
}

// The member `key` of `o`, or NotFound-free nullopt when absent (null counts as absent).
std::optional<element> Member(object o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<element> Required(object o, std::string_view key, std::string_view field) {
  std::optional<element> e = Member(o, key);
  if (!e) return FieldError(field, "is required");
  return *e;
}

Result<std::string> RequiredString(object o, std::string_view key, std::string_view parent) {
  std::string field = Sub(parent, key);
  GL_ASSIGN_OR_RETURN(element e, Required(o, key, field));
  return AsString(e, field);
}

Result<uint64_t> RequiredUInt(object o, std::string_view key, std::string_view parent) {
  std::string field = Sub(parent, key);
  GL_ASSIGN_OR_RETURN(element e, Required(o, key, field));
  uint64_t v = 0;
  if (e.get(v) != simdjson::SUCCESS) return FieldError(field, "expected a whole number");
  return v;
}

Result<int64_t> RequiredTime(object o, std::string_view key, std::string_view parent) {
  std::string field = Sub(parent, key);
  GL_ASSIGN_OR_RETURN(std::string text, RequiredString(o, key, parent));
  Result<int64_t> us = ParseTime(text);
  if (!us.ok()) return FieldError(field, us.status().message());
  return *us;
}

// KDA's JSON mapping of a top-level key: "$.key", "$['key']", "$[\"key\"]".
Result<std::string> KdaMappingKey(std::string_view mapping, std::string_view field) {
  if (mapping.starts_with("$.")) {
    std::string_view key = mapping.substr(2);
    if (!key.empty() && key.find_first_of(".[") == std::string_view::npos) return std::string(key);
  } else if (mapping.size() >= 6 && mapping.starts_with("$[") && mapping.ends_with("]")) {
    char q = mapping[2];
    std::string_view inner = mapping.substr(3, mapping.size() - 5);
    if ((q == '\'' || q == '"') && mapping[mapping.size() - 2] == q && !inner.empty()) {
      return std::string(inner);
    }
  }
  return FieldError(
      field, fmt::format("'{}': only a top-level key can be mapped ($.key or $['key'])", mapping));
}

Status ValidateSchema(const InputSchema& schema, std::string_view field) {
  if (schema.columns.empty()) return FieldError(field, "has no columns");
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const InputColumn& c = schema.columns[i];
    std::string where = At(Sub(field, "columns"), i);
    if (c.name.empty() || c.name.size() > 128) {
      return FieldError(Sub(where, "name"), "must be 1 to 128 characters");
    }
    if (c.mapping.empty()) return FieldError(Sub(where, "mapping"), "must not be empty");
    for (size_t j = 0; j < i; ++j) {
      if (schema.columns[j].name == c.name) {
        return FieldError(Sub(where, "name"), fmt::format("'{}' names two columns", c.name));
      }
    }
  }
  return Status::OK();
}

Result<InputColumn> ReadColumn(object o, bool kda, std::string_view field) {
  InputColumn c;
  GL_ASSIGN_OR_RETURN(c.name, RequiredString(o, kda ? "Name" : "name", field));
  std::string type_field = Sub(field, kda ? "SqlType" : "type");
  GL_ASSIGN_OR_RETURN(std::string type, RequiredString(o, kda ? "SqlType" : "type", field));
  Result<SqlType> t = ParseSqlTypeText(type);
  if (!t.ok()) return FieldError(type_field, t.status().message());
  c.type = *t;
  std::string_view mapping_key = kda ? "Mapping" : "mapping";
  if (std::optional<element> m = Member(o, mapping_key)) {
    std::string mapping_field = Sub(field, mapping_key);
    GL_ASSIGN_OR_RETURN(c.mapping, AsString(*m, mapping_field));
    if (kda) {
      GL_ASSIGN_OR_RETURN(c.mapping, KdaMappingKey(c.mapping, mapping_field));
    }
  } else {
    c.mapping = c.name;  // A column without a mapping reads the key of its name.
  }
  return c;
}

Result<std::vector<std::pair<std::string, std::string>>> ReadMetricMap(element e,
                                                                       std::string_view field) {
  GL_ASSIGN_OR_RETURN(object o, AsObject(e, field));
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [key, value] : o) {
    GL_ASSIGN_OR_RETURN(std::string metric, AsString(value, Sub(field, key)));
    out.emplace_back(std::string(key), std::move(metric));
  }
  return out;
}

Result<std::vector<DestinationSpec>> ReadDestinations(element e, std::string_view field) {
  GL_ASSIGN_OR_RETURN(array a, AsArray(e, field));
  std::vector<DestinationSpec> out;
  size_t i = 0;
  for (element d : a) {
    GL_ASSIGN_OR_RETURN(DestinationSpec spec, ReadDestination(d, At(field, i++)));
    out.push_back(std::move(spec));
  }
  return out;
}

Result<DesiredState> ReadDesiredState(object o) {
  GL_ASSIGN_OR_RETURN(std::string s, RequiredString(o, "desired_state", ""));
  if (s == "RUNNING") return DesiredState::kRunning;
  if (s == "READY") return DesiredState::kReady;
  return FieldError("desired_state", fmt::format("'{}': expected RUNNING or READY", s));
}

Status ReadDefinitionFields(object o, ApplicationDefinition* def) {
  GL_ASSIGN_OR_RETURN(uint64_t format, RequiredUInt(o, "format", ""));
  if (format != kDefinitionFormat) {
    return FieldError("format", fmt::format("{} is not a format this gamelake reads ({})", format,
                                            kDefinitionFormat));
  }
  GL_ASSIGN_OR_RETURN(def->name, RequiredString(o, "name", ""));
  if (Status s = ValidateAppName(def->name); !s.ok()) return FieldError("name", s.message());
  GL_ASSIGN_OR_RETURN(def->source, RequiredString(o, "source", ""));
  GL_RETURN_IF_ERROR(ValidateAppStreamName("source", def->source));
  GL_ASSIGN_OR_RETURN(def->sql, RequiredString(o, "sql", ""));
  GL_ASSIGN_OR_RETURN(element schema, Required(o, "input_schema", "input_schema"));
  GL_ASSIGN_OR_RETURN(def->input_schema, ReadInputSchema(schema, "input_schema"));
  GL_ASSIGN_OR_RETURN(std::string start, RequiredString(o, "start_position", ""));
  Result<StartPosition> p = ParseStartPosition(start);
  if (!p.ok()) return FieldError("start_position", p.status().message());
  def->start_position = *p;
  if (std::optional<element> rt = Member(o, "rowtime_field")) {
    GL_ASSIGN_OR_RETURN(def->rowtime_field, AsString(*rt, "rowtime_field"));
  }
  if (std::optional<element> d = Member(o, "destinations")) {
    GL_ASSIGN_OR_RETURN(def->destinations, ReadDestinations(*d, "destinations"));
  }
  GL_ASSIGN_OR_RETURN(def->desired_state, ReadDesiredState(o));
  GL_ASSIGN_OR_RETURN(def->version, RequiredUInt(o, "version", ""));
  GL_ASSIGN_OR_RETURN(def->code_version, RequiredUInt(o, "code_version", ""));
  if (def->version == 0 || def->code_version == 0 || def->code_version > def->version) {
    return FieldError("version", "versions start at 1 and code_version is at most version");
  }
  GL_ASSIGN_OR_RETURN(def->created_us, RequiredTime(o, "created_at", ""));
  GL_ASSIGN_OR_RETURN(def->updated_us, RequiredTime(o, "updated_at", ""));
  return Status::OK();
}

}  // namespace

bool ApplicationDefinition::operator==(const ApplicationDefinition& o) const {
  if (destinations.size() != o.destinations.size()) return false;
  for (size_t i = 0; i < destinations.size(); ++i) {
    if (!SameDestination(destinations[i], o.destinations[i])) return false;
  }
  return name == o.name && source == o.source && sql == o.sql &&
         SameInputSchema(input_schema, o.input_schema) && start_position == o.start_position &&
         rowtime_field == o.rowtime_field && desired_state == o.desired_state &&
         version == o.version && code_version == o.code_version && created_us == o.created_us &&
         updated_us == o.updated_us;
}

Status ValidateAppName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAppNameLength) {
    return Status::InvalidArgument(fmt::format(
        "application name must be 1 to {} characters (got {})", kMaxAppNameLength, name.size()));
  }
  if (name == "." || name == "..") {
    return Status::InvalidArgument(fmt::format("'{}' cannot name an application", name));
  }
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-';
    if (!ok) {
      return Status::InvalidArgument(
          "application name may contain only letters, digits, '_', '.' and '-'");
    }
  }
  return Status::OK();
}

Status ValidateAppStreamName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > kMaxStreamNameLength) {
    return FieldError(what, fmt::format("a stream name is 1 to {} characters (got {})",
                                        kMaxStreamNameLength, name.size()));
  }
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-';
    if (!ok) {
      return FieldError(what, fmt::format("'{}': a stream name holds only letters, digits, '_' "
                                          "and '-'",
                                          name));
    }
  }
  return Status::OK();
}

Status ValidateDestinationSpec(const DestinationSpec& spec) {
  if (spec.stream.empty()) return Status::InvalidArgument("the in-application stream is missing");
  if (spec.kind != "metrics" && spec.kind != "stream" && spec.kind != "webhook") {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a destination kind (metrics, stream or webhook)", spec.kind));
  }
  if (spec.target.empty()) {
    return Status::InvalidArgument(fmt::format("a {} destination needs a target", spec.kind));
  }
  if (spec.kind == "stream") GL_RETURN_IF_ERROR(ValidateAppStreamName("target", spec.target));
  if (spec.kind != "metrics" && !spec.metric_map.empty()) {
    return Status::InvalidArgument("only a metrics destination maps columns to metrics");
  }
  for (const auto& [column, metric] : spec.metric_map) {
    if (column.empty() || metric.empty()) {
      return Status::InvalidArgument("a metric map pairs a column with a metric name");
    }
  }
  return Status::OK();
}

const char* StartPositionName(StartPosition p) {
  return p == StartPosition::kEarliest ? "earliest" : "now";
}

Result<StartPosition> ParseStartPosition(std::string_view text) {
  if (text == "now") return StartPosition::kNow;
  if (text == "earliest") return StartPosition::kEarliest;
  return Status::InvalidArgument(fmt::format("'{}': expected now or earliest", text));
}

const char* DesiredStateName(DesiredState s) {
  return s == DesiredState::kReady ? "READY" : "RUNNING";
}

void WriteInputSchemaJson(const InputSchema& schema, JsonWriter* w) {
  w->BeginObject().Key("columns").BeginArray();
  for (const InputColumn& c : schema.columns) {
    w->BeginObject().Key("name").String(c.name).Key("type").String(c.type.ToString());
    w->Key("mapping").String(c.mapping).EndObject();
  }
  w->EndArray().EndObject();
}

void WriteDestinationJson(const DestinationSpec& spec, JsonWriter* w) {
  w->BeginObject().Key("stream").String(spec.stream).Key("kind").String(spec.kind);
  w->Key("target").String(spec.target);
  if (!spec.metric_map.empty()) {
    w->Key("metrics").BeginObject();
    for (const auto& [column, metric] : spec.metric_map) w->Key(column).String(metric);
    w->EndObject();
  }
  w->EndObject();
}

std::string ApplicationDefinitionToJson(const ApplicationDefinition& def) {
  JsonWriter w;
  w.BeginObject().Key("format").Int(kDefinitionFormat).Key("name").String(def.name);
  w.Key("source").String(def.source).Key("sql").String(def.sql).Key("input_schema");
  WriteInputSchemaJson(def.input_schema, &w);
  w.Key("start_position").String(StartPositionName(def.start_position));
  w.Key("rowtime_field").String(def.rowtime_field).Key("destinations").BeginArray();
  for (const DestinationSpec& d : def.destinations) WriteDestinationJson(d, &w);
  w.EndArray().Key("desired_state").String(DesiredStateName(def.desired_state));
  w.Key("version").UInt(def.version).Key("code_version").UInt(def.code_version);
  w.Key("created_at").String(FormatUtcMicros(def.created_us));
  w.Key("updated_at").String(FormatUtcMicros(def.updated_us));
  w.EndObject();
  return w.Take();
}

Result<ApplicationDefinition> ParseApplicationDefinition(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("application definition: not JSON ({})", simdjson::error_message(err)));
  }
  GL_ASSIGN_OR_RETURN(object o, AsObject(root, "application definition"));
  ApplicationDefinition def;
  GL_RETURN_IF_ERROR(ReadDefinitionFields(o, &def));
  return def;
}

Result<InputSchema> ReadInputSchema(element e, std::string_view field) {
  GL_ASSIGN_OR_RETURN(object o, AsObject(e, field));
  bool kda = false;
  std::string where(field);
  if (std::optional<element> inner = Member(o, "InputSchema")) {
    where = Sub(field, "InputSchema");
    GL_ASSIGN_OR_RETURN(o, AsObject(*inner, where));
  }
  std::optional<element> columns = Member(o, "columns");
  if (!columns) {
    columns = Member(o, "RecordColumns");
    kda = columns.has_value();
  }
  std::string columns_field = Sub(where, kda ? "RecordColumns" : "columns");
  if (!columns) return FieldError(columns_field, "is required");
  GL_ASSIGN_OR_RETURN(array a, AsArray(*columns, columns_field));
  InputSchema schema;
  size_t i = 0;
  for (element c : a) {
    std::string column_field = At(columns_field, i++);
    GL_ASSIGN_OR_RETURN(object co, AsObject(c, column_field));
    GL_ASSIGN_OR_RETURN(InputColumn col, ReadColumn(co, kda, column_field));
    schema.columns.push_back(std::move(col));
  }
  GL_RETURN_IF_ERROR(ValidateSchema(schema, where));
  return schema;
}

Result<InputSchema> ParseInputSchemaJson(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("input schema: not JSON ({})", simdjson::error_message(err)));
  }
  return ReadInputSchema(root, "input_schema");
}

Result<DestinationSpec> ReadDestination(element e, std::string_view field) {
  GL_ASSIGN_OR_RETURN(object o, AsObject(e, field));
  DestinationSpec spec;
  GL_ASSIGN_OR_RETURN(spec.stream, RequiredString(o, "stream", field));
  GL_ASSIGN_OR_RETURN(spec.kind, RequiredString(o, "kind", field));
  GL_ASSIGN_OR_RETURN(spec.target, RequiredString(o, "target", field));
  if (std::optional<element> m = Member(o, "metrics")) {
    GL_ASSIGN_OR_RETURN(spec.metric_map, ReadMetricMap(*m, Sub(field, "metrics")));
  }
  if (Status s = ValidateDestinationSpec(spec); !s.ok()) return FieldError(field, s.message());
  return spec;
}

Result<SqlType> ParseSqlTypeText(std::string_view text) {
  auto refuse = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an SQL type (e.g. INTEGER, VARCHAR(16), DECIMAL(10,2))", text));
  };
  if (text.empty() || text.size() > 64 || text.find_first_of(";\"'-/") != std::string_view::npos) {
    return refuse();
  }
  // The parser's own type grammar, so a schema reads exactly as the code would.
  Result<SqlProgram> program = ParseProgram(fmt::format("CREATE STREAM \"t\" (\"c\" {});", text));
  if (!program.ok() || program->statements.size() != 1 ||
      program->statements[0].kind != SqlStatement::Kind::kCreateStream ||
      program->statements[0].create_stream.columns.size() != 1 ||
      program->statements[0].create_stream.columns[0].not_null) {
    return refuse();
  }
  SqlType type = program->statements[0].create_stream.columns[0].type;
  type.pos = SqlPos{};
  return type;
}

}  // namespace gamelake
