#include "server/aws_query_protocol.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "common/xml_escape.h"
#include "server/cloudwatch_shapes.h"

namespace gamelake {
namespace {

constexpr size_t kMaxKeySegments = 32;  // Deeper than any CloudWatch shape.

Status FormError(std::string_view code, std::string_view message) {
  return Status::InvalidArgument(fmt::format("{}: {}", code, message));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded: '+' is a space, '%' needs two hex digits.
Result<std::string> FormDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] != '%') {
      out.push_back(s[i]);
    } else if (i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      return FormError(
          "MalformedQueryString",
          fmt::format("{}: '%' at character {} is not followed by two hex digits", what, i + 1));
    }
  }
  return out;
}

// One member of the form, as a tree: a value, a structure or a list.
struct FormNode {
  std::optional<std::string> value;
  std::map<std::string, FormNode> fields;
  std::map<uint64_t, FormNode> items;  // member.N
};

std::vector<std::string_view> SplitKey(std::string_view key) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    out.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

Result<uint64_t> MemberIndex(std::string_view path, std::string_view text, size_t pairs) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return FormError(
        "InvalidParameterValue",
        fmt::format("{}.member.{}: a list member's index must be a number", path, text));
  }
  if (n == 0) {
    return FormError("InvalidParameterValue",
                     fmt::format("{}.member.0: list members are numbered from 1", path));
  }
  if (n > pairs) {  // More than the form has members: a gap somewhere.
    return FormError("InvalidParameterValue",
                     fmt::format("{}.member.{}: the list has {} members at most", path, n, pairs));
  }
  return n;
}

// Puts `value` at `key` (e.g. MetricData.member.1.Dimensions.member.2.Name).
Status Insert(FormNode* root, std::string_view key, std::string value, size_t pairs) {
  std::vector<std::string_view> segments = SplitKey(key);
  if (segments.size() > kMaxKeySegments) {
    return FormError("InvalidParameterValue", fmt::format("{}: nested too deeply", key));
  }
  FormNode* node = root;
  std::string path;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view s = segments[i];
    if (s.empty()) {
      return FormError("MalformedQueryString", fmt::format("'{}': an empty member name", key));
    }
    if (s == "member" && !path.empty()) {
      if (i + 1 == segments.size()) {
        return FormError("InvalidParameterValue",
                         fmt::format("{}: a list member without an index", key));
      }
      GL_ASSIGN_OR_RETURN(uint64_t n, MemberIndex(path, segments[++i], pairs));
      node = &node->items[n];
      path += fmt::format(".member.{}", n);
    } else {
      node = &node->fields[std::string(s)];
      path += path.empty() ? std::string(s) : "." + std::string(s);
    }
  }
  if (node->value) return FormError("InvalidParameterValue", fmt::format("{}: given twice", key));
  node->value = std::move(value);
  return Status::OK();
}

Status WriteScalar(std::string_view name, std::string_view parent, std::string_view path,
                   const std::string& value, JsonWriter& w) {
  if (IsCloudWatchNumberMember(name, parent)) {
    if (value == "NaN" || value == "Infinity" || value == "-Infinity") {
      w.String(value);  // How AWS JSON spells them; validation refuses them by name.
      return Status::OK();
    }
    double v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
        !std::isfinite(v)) {
      return FormError("InvalidParameterValue",
                       fmt::format("{}: '{}' is not a number", path, value));
    }
    w.Double(v);
  } else if (IsCloudWatchBooleanMember(name)) {
    if (value != "true" && value != "false") {
      return FormError("InvalidParameterValue",
                       fmt::format("{}: '{}' is not true or false", path, value));
    }
    w.Bool(value == "true");
  } else {
    w.String(value);
  }
  return Status::OK();
}

// Writes `node`, the member `name` of `parent` at `path`, as JSON.
Status WriteNode(const FormNode& node, std::string_view name, std::string_view parent,
                 const std::string& path, JsonWriter& w) {
  if (node.value && (!node.fields.empty() || !node.items.empty())) {
    return FormError("InvalidParameterValue",
                     fmt::format("{}: given both as a value and as a list or structure", path));
  }
  if (!node.fields.empty() && !node.items.empty()) {
    return FormError("InvalidParameterValue",
                     fmt::format("{}: given both as a list and as a structure", path));
  }
  if (!node.items.empty()) {
    w.BeginArray();
    uint64_t expected = 1;
    for (const auto& [n, item] : node.items) {
      if (n != expected) {
        return FormError(
            "InvalidParameterValue",
            fmt::format("{}.member.{} is missing (member.{} is given)", path, expected, n));
      }
      ++expected;
      GL_RETURN_IF_ERROR(WriteNode(item, name, parent, fmt::format("{}.member.{}", path, n), w));
    }
    w.EndArray();
  } else if (!node.fields.empty()) {
    w.BeginObject();
    for (const auto& [key, field] : node.fields) {
      w.Key(key);
      GL_RETURN_IF_ERROR(WriteNode(field, key, name, path.empty() ? key : path + "." + key, w));
    }
    w.EndObject();
  } else if (node.value->empty() && IsCloudWatchListMember(name)) {
    w.BeginArray().EndArray();  // `Dimensions=`: an empty list.
  } else {
    GL_RETURN_IF_ERROR(WriteScalar(name, parent, path, *node.value, w));
  }
  return Status::OK();
}

}  // namespace

Result<QueryCall> QueryFormToJson(std::string_view form) {
  QueryCall call;
  std::optional<std::string> action, version;
  FormNode root;
  size_t pairs = std::count(form.begin(), form.end(), '&') + 1;
  size_t start = 0;
  while (start <= form.size()) {
    size_t amp = form.find('&', start);
    std::string_view pair =
        form.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? form.size() + 1 : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    GL_ASSIGN_OR_RETURN(std::string key, FormDecode(pair.substr(0, eq), "a parameter name"));
    std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    GL_ASSIGN_OR_RETURN(std::string value, FormDecode(raw, key));
    if (key == "Action") {
      action = std::move(value);
    } else if (key == "Version") {
      version = std::move(value);
    } else {
      GL_RETURN_IF_ERROR(Insert(&root, key, std::move(value), pairs));
    }
  }
  if (!action || action->empty()) {
    return FormError("MissingAction", "the request must contain the parameter Action");
  }
  if (!version) return FormError("MissingParameter", "the parameter Version is required");
  if (*version != kCloudWatchApiVersion) {
    return FormError("InvalidParameterValue", fmt::format("Version '{}' is not served (use {})",
                                                          *version, kCloudWatchApiVersion));
  }
  call.action = std::move(*action);
  JsonWriter w;
  if (root.fields.empty()) {
    w.BeginObject().EndObject();
  } else {
    GL_RETURN_IF_ERROR(WriteNode(root, "", "", "", w));
  }
  call.json = w.Take();
  return call;
}

// JSON -> XML.

std::string IsoTimestamp(double epoch_seconds) {
  int64_t micros = std::llround(epoch_seconds * 1e6);
  std::string s = FormatUtcMicros(micros);  // ...SS.ffffffZ
  size_t dot = s.rfind('.');
  size_t end = s.size() - 1;  // The 'Z'.
  while (end > dot + 1 && s[end - 1] == '0') --end;
  if (end == dot + 1) end = dot;  // Whole seconds: no fraction.
  return s.substr(0, end) + "Z";
}

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendValue(std::string_view name, element e, std::string* out);

void AppendScalar(std::string_view name, element e, std::string* out) {
  switch (e.type()) {
    case element_type::STRING:
      *out += XmlEscapeReplacing(e.get_string().value());
      break;
    case element_type::BOOL:
      *out += e.get_bool().value() ? "true" : "false";
      break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if (IsCloudWatchTimestampMember(name)) {
        *out += IsoTimestamp(e.get_double().value());
      } else if (e.type() == element_type::INT64) {
        *out += fmt::format("{}", e.get_int64().value());
      } else if (e.type() == element_type::UINT64) {
        *out += fmt::format("{}", e.get_uint64().value());
      } else {
        *out += fmt::format("{}", e.get_double().value());
      }
      break;
    default:
      break;
  }
}

// <name>value</name>; null members are left out.
void AppendMember(std::string_view name, element e, std::string* out) {
  if (e.is_null()) return;
  *out += fmt::format("<{}>", name);
  AppendValue(name, e, out);
  *out += fmt::format("</{}>", name);
}

// The content of the member `name`: members of a list, entries of a map,
// members of a structure, or text.
void AppendValue(std::string_view name, element e, std::string* out) {
  simdjson::dom::array list;
  simdjson::dom::object object;
  if (e.get_array().get(list) == simdjson::SUCCESS) {
    for (element item : list) {
      *out += "<member>";
      AppendValue(name, item, out);
      *out += "</member>";
    }
  } else if (e.get_object().get(object) != simdjson::SUCCESS) {
    AppendScalar(name, e, out);
  } else if (IsCloudWatchMapMember(name)) {
    for (auto [key, value] : object) {
      *out += "<entry><key>" + XmlEscapeReplacing(key) + "</key><value>";
      AppendValue(name, value, out);
      *out += "</value></entry>";
    }
  } else {
    for (auto [key, value] : object) AppendMember(key, value, out);
  }
}

}  // namespace

Result<std::string> QueryXmlAnswer(std::string_view action, std::string_view json,
                                   std::string_view request_id) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Status::Internal(fmt::format("the {} answer is not a JSON object", action));
  }
  std::string out = fmt::format("<{}Response xmlns=\"{}\">", action, kCloudWatchXmlNamespace);
  if (root.size() > 0) {
    out += fmt::format("<{}Result>", action);
    for (auto [key, value] : root) AppendMember(key, value, &out);
    out += fmt::format("</{}Result>", action);
  }
  out += fmt::format("<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
                     XmlEscapeReplacing(request_id), action);
  return out;
}

std::string QueryXmlError(const CloudWatchError& error, std::string_view request_id) {
  return fmt::format(
      "<ErrorResponse xmlns=\"{}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message>"
      "</Error><RequestId>{}</RequestId></ErrorResponse>",
      kCloudWatchXmlNamespace, error.http_status >= 500 ? "Receiver" : "Sender",
      XmlEscapeReplacing(error.code), XmlEscapeReplacing(error.message),
      XmlEscapeReplacing(request_id));
}

}  // namespace gamelake
