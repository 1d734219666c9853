#include "streaming/application_definition.h"

#include <optional>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/stream_name.h"

namespace gamelake {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int kDefinitionFormat = 1;

bool SameType(const SqlType& a, const SqlType& b) {
  return a.kind == b.kind && a.length == b.length && a.precision == b.precision &&
         a.scale == b.scale;
}

bool SameDestination(const DestinationSpec& a, const DestinationSpec& b) {
  return a.stream == b.stream && a.kind == b.kind && a.target == b.target &&
         a.metric_map == b.metric_map;
}

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}", field, what));
}

Result<std::string> AsString(element e, std::string_view field) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return FieldError(field, "expected a string");
  return std::string(s);
}

// The member `key` of `o`; nullopt when absent or null.
std::optional<element> Member(object o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<element> Required(object o, std::string_view key) {
  std::optional<element> e = Member(o, key);
  if (!e) return FieldError(key, "is required");
  return *e;
}

Result<std::string> RequiredString(object o, std::string_view key) {
  GL_ASSIGN_OR_RETURN(element e, Required(o, key));
  return AsString(e, key);
}

Result<uint64_t> RequiredUInt(object o, std::string_view key) {
  GL_ASSIGN_OR_RETURN(element e, Required(o, key));
  uint64_t v = 0;
  if (e.get(v) != simdjson::SUCCESS) return FieldError(key, "expected a whole number");
  return v;
}

Result<int64_t> RequiredTime(object o, std::string_view key) {
  GL_ASSIGN_OR_RETURN(std::string text, RequiredString(o, key));
  Result<int64_t> us = ParseTime(text);
  if (!us.ok()) return FieldError(key, us.status().message());
  return *us;
}

Result<DesiredState> ReadDesiredState(object o) {
  GL_ASSIGN_OR_RETURN(std::string s, RequiredString(o, "desired_state"));
  if (s == "RUNNING") return DesiredState::kRunning;
  if (s == "READY") return DesiredState::kReady;
  return FieldError("desired_state", fmt::format("'{}': expected RUNNING or READY", s));
}

Status ReadDefinitionFields(object o, ApplicationDefinition* def) {
  GL_ASSIGN_OR_RETURN(uint64_t format, RequiredUInt(o, "format"));
  if (format != kDefinitionFormat) {
    return FieldError("format", fmt::format("{} is not a format this gamelake reads ({})", format,
                                            kDefinitionFormat));
  }
  GL_ASSIGN_OR_RETURN(def->name, RequiredString(o, "name"));
  if (Status s = ValidateAppName(def->name); !s.ok()) return FieldError("name", s.message());
  GL_ASSIGN_OR_RETURN(def->source, RequiredString(o, "source"));
  if (Status s = ValidateStreamName(def->source); !s.ok()) return FieldError("source", s.message());
  GL_ASSIGN_OR_RETURN(def->sql, RequiredString(o, "sql"));
  GL_ASSIGN_OR_RETURN(element schema, Required(o, "input_schema"));
  GL_ASSIGN_OR_RETURN(def->input_schema, ReadInputSchema(schema, "input_schema"));
  GL_ASSIGN_OR_RETURN(std::string start, RequiredString(o, "start_position"));
  Result<StartPosition> p = ParseStartPosition(start);
  if (!p.ok()) return FieldError("start_position", p.status().message());
  def->start_position = *p;
  if (std::optional<element> rt = Member(o, "rowtime_field")) {
    GL_ASSIGN_OR_RETURN(def->rowtime_field, AsString(*rt, "rowtime_field"));
  }
  if (std::optional<element> d = Member(o, "destinations")) {
    GL_ASSIGN_OR_RETURN(def->destinations, ReadDestinations(*d, "destinations"));
  }
  if (std::optional<element> r = Member(o, "reference_data")) {
    GL_ASSIGN_OR_RETURN(def->reference_data, ReadReferenceData(*r, "reference_data"));
  }
  GL_ASSIGN_OR_RETURN(def->desired_state, ReadDesiredState(o));
  GL_ASSIGN_OR_RETURN(def->version, RequiredUInt(o, "version"));
  GL_ASSIGN_OR_RETURN(def->code_version, RequiredUInt(o, "code_version"));
  if (def->version == 0 || def->code_version == 0 || def->code_version > def->version) {
    return FieldError("version", "versions start at 1 and code_version is at most version");
  }
  GL_ASSIGN_OR_RETURN(def->created_us, RequiredTime(o, "created_at"));
  GL_ASSIGN_OR_RETURN(def->updated_us, RequiredTime(o, "updated_at"));
  return Status::OK();
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

bool ApplicationDefinition::operator==(const ApplicationDefinition& o) const {
  if (destinations.size() != o.destinations.size()) return false;
  for (size_t i = 0; i < destinations.size(); ++i) {
    if (!SameDestination(destinations[i], o.destinations[i])) return false;
  }
  return name == o.name && source == o.source && sql == o.sql &&
         reference_data == o.reference_data && SameInputSchema(input_schema, o.input_schema) &&
         start_position == o.start_position && rowtime_field == o.rowtime_field &&
         desired_state == o.desired_state && version == o.version &&
         code_version == o.code_version && created_us == o.created_us && updated_us == o.updated_us;
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

std::string ApplicationDefinitionToJson(const ApplicationDefinition& def, bool reference_csv) {
  JsonWriter w;
  w.BeginObject().Key("format").Int(kDefinitionFormat).Key("name").String(def.name);
  w.Key("source").String(def.source).Key("sql").String(def.sql);
  w.Key("input_schema").Raw(InputSchemaToJson(def.input_schema));
  w.Key("start_position").String(StartPositionName(def.start_position));
  w.Key("rowtime_field").String(def.rowtime_field).Key("destinations").BeginArray();
  for (const DestinationSpec& d : def.destinations) w.String(FormatDestinationSpec(d));
  w.EndArray().Key("reference_data").BeginArray();
  for (const ReferenceData& r : def.reference_data) {
    w.BeginObject().Key("name").String(r.name);
    if (reference_csv) {
      w.Key("csv").String(r.csv);
    } else {
      w.Key("bytes").UInt(r.csv.size());
    }
    w.EndObject();
  }
  w.EndArray().Key("desired_state").String(DesiredStateName(def.desired_state));
  w.Key("version").UInt(def.version).Key("code_version").UInt(def.code_version);
  w.Key("created_at").String(FormatUtcMicros(def.created_us));
  w.Key("updated_at").String(FormatUtcMicros(def.updated_us));
  w.EndObject();
  return w.Take();
}

Result<std::vector<ReferenceData>> ReadReferenceData(element e, std::string_view field) {
  simdjson::dom::array array;
  if (e.get(array) != simdjson::SUCCESS) {
    return FieldError(field, "expected an array of {\"name\", \"csv\"}");
  }
  std::vector<ReferenceData> out;
  for (element item : array) {
    std::string at = fmt::format("{}[{}]", field, out.size());
    object o;
    if (item.get(o) != simdjson::SUCCESS) return FieldError(at, "expected {\"name\", \"csv\"}");
    // Errors name the item: "reference_data[1].csv: is required".
    auto item_error = [&](const Status& s) {
      return Status::InvalidArgument(fmt::format("{}.{}", at, s.message()));
    };
    ReferenceData r;
    Result<std::string> name = RequiredString(o, "name");
    if (!name.ok()) return item_error(name.status());
    r.name = std::move(name).value();
    if (r.name.empty() || r.name.size() > 256) {
      return FieldError(at + ".name", "1 to 256 bytes");
    }
    for (const ReferenceData& earlier : out) {
      if (earlier.name == r.name) {
        return FieldError(at + ".name", fmt::format("\"{}\" appears twice", r.name));
      }
    }
    Result<std::string> csv = RequiredString(o, "csv");
    if (!csv.ok()) return item_error(csv.status());
    r.csv = std::move(csv).value();
    out.push_back(std::move(r));
    if (out.size() > kMaxReferenceTables) {
      return FieldError(field, fmt::format("at most {} tables", kMaxReferenceTables));
    }
  }
  return out;
}

Result<ApplicationDefinition> ParseApplicationDefinition(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("application definition: not JSON ({})", simdjson::error_message(err)));
  }
  object o;
  if (root.get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument("application definition: expected a JSON object");
  }
  ApplicationDefinition def;
  GL_RETURN_IF_ERROR(ReadDefinitionFields(o, &def));
  return def;
}

Result<InputSchema> ReadInputSchema(element e, std::string_view field) {
  // InputSchemaFromJson reads the schema's own document (its errors name the column).
  Result<InputSchema> schema = InputSchemaFromJson(simdjson::minify(e));
  if (!schema.ok()) return FieldError(field, schema.status().message());
  return schema;
}

Result<std::vector<DestinationSpec>> ReadDestinations(element e, std::string_view field) {
  array a;
  if (e.get(a) != simdjson::SUCCESS) {
    return FieldError(field, "expected an array of \"IN_APP_STREAM=KIND:TARGET\" strings");
  }
  std::vector<DestinationSpec> out;
  size_t i = 0;
  for (element d : a) {
    std::string where = fmt::format("{}[{}]", field, i++);
    GL_ASSIGN_OR_RETURN(std::string text, AsString(d, where));
    Result<DestinationSpec> spec = ParseDestinationSpec(text);
    if (!spec.ok()) return FieldError(where, spec.status().message());
    out.push_back(std::move(spec).value());
  }
  return out;
}

}  // namespace gamelake
