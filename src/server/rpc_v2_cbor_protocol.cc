#include "server/rpc_v2_cbor_protocol.h"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/json_writer.h"
#include "server/cbor.h"
#include "server/cloudwatch_shapes.h"

namespace gamelake {
namespace {

using Kind = CborReader::Kind;

Status Malformed(size_t offset, std::string_view what) {
  return Status::InvalidArgument(
      fmt::format("SerializationException: CBOR byte {}: {}", offset, what));
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kAlphabet[n & 63] : '=');
  }
  return out;
}

void WriteFloat(double v, JsonWriter& w) {
  if (std::isnan(v)) {
    w.String("NaN");
  } else if (std::isinf(v)) {
    w.String(v > 0 ? "Infinity" : "-Infinity");
  } else {
    w.Double(v);
  }
}

// Writes one scalar item (not a container, tag or end) as JSON.
Status WriteScalar(const CborReader::Item& item, JsonWriter& w) {
  switch (item.kind) {
    case Kind::kUnsigned:
      w.UInt(item.value);
      break;
    case Kind::kNegative:
      if (item.value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        w.Int(-1 - static_cast<int64_t>(item.value));
      } else {
        w.Double(-1.0 - static_cast<double>(item.value));
      }
      break;
    case Kind::kBytes:
      w.String(Base64(item.text));
      break;
    case Kind::kText:
      w.String(item.text);
      break;
    case Kind::kFalse:
    case Kind::kTrue:
      w.Bool(item.kind == Kind::kTrue);
      break;
    case Kind::kNull:
    case Kind::kUndefined:
      w.Null();
      break;
    case Kind::kFloat:
      WriteFloat(item.number, w);
      break;
    default:
      return Malformed(item.offset, fmt::format("simple value {} has no meaning here", item.value));
  }
  return Status::OK();
}

bool IsNumber(Kind k) { return k == Kind::kUnsigned || k == Kind::kNegative || k == Kind::kFloat; }

}  // namespace

Result<std::string> CborRequestToJson(std::string_view cbor) {
  if (cbor.empty()) return std::string("{}");
  CborReader reader(cbor);
  JsonWriter w;
  std::vector<bool> open_maps;  // Bounded by the reader's depth limit.
  bool timestamp_next = false;  // Tag 1 was read.
  while (!reader.done()) {
    bool at_key = reader.AtMapKey();
    GL_ASSIGN_OR_RETURN(CborReader::Item item, reader.Next());
    if (open_maps.empty() && item.kind != Kind::kMap) {
      return Malformed(item.offset, "the body must be a map");
    }
    if (timestamp_next && !IsNumber(item.kind)) {
      return Malformed(item.offset, "tag 1 (a timestamp) must hold epoch seconds, a number");
    }
    timestamp_next = false;
    if (item.kind == Kind::kEnd) {
      open_maps.back() ? w.EndObject() : w.EndArray();
      open_maps.pop_back();
    } else if (at_key) {
      if (item.kind != Kind::kText) return Malformed(item.offset, "a map key must be text");
      w.Key(item.text);
    } else if (item.kind == Kind::kMap || item.kind == Kind::kArray) {
      item.kind == Kind::kMap ? w.BeginObject() : w.BeginArray();
      open_maps.push_back(item.kind == Kind::kMap);
    } else if (item.kind == Kind::kTag) {
      timestamp_next = item.value == 1;  // Other tags: their content as it is.
    } else {
      GL_RETURN_IF_ERROR(WriteScalar(item, w));
    }
  }
  return w.Take();
}

namespace {

void WriteJson(std::string_view name, simdjson::dom::element e, CborWriter& w) {
  using simdjson::dom::element_type;
  bool timestamp = IsCloudWatchTimestampMember(name);
  switch (e.type()) {
    case element_type::ARRAY: {
      simdjson::dom::array a = e.get_array().value();
      w.BeginArray(a.size());
      for (simdjson::dom::element item : a) WriteJson(name, item, w);
      break;
    }
    case element_type::OBJECT: {
      simdjson::dom::object o = e.get_object().value();
      w.BeginMap(o.size());
      for (auto [key, value] : o) {
        w.Text(key);
        WriteJson(key, value, w);
      }
      break;
    }
    case element_type::STRING:
      w.Text(e.get_string().value());
      break;
    case element_type::INT64:
      if (timestamp) w.Tag(1);
      w.Int(e.get_int64().value());
      break;
    case element_type::UINT64:
      if (timestamp) w.Tag(1);
      w.UInt(e.get_uint64().value());
      break;
    case element_type::DOUBLE:
      if (timestamp) w.Tag(1);
      w.Double(e.get_double().value());
      break;
    case element_type::BOOL:
      w.Bool(e.get_bool().value());
      break;
    case element_type::NULL_VALUE:
      w.Null();
      break;
  }
}

}  // namespace

Result<std::string> JsonAnswerToCbor(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Status::Internal("the answer is not JSON");
  }
  CborWriter w;
  WriteJson("", root, w);
  return w.Take();
}

std::string CborErrorBody(const CloudWatchError& error) {
  CborWriter w;
  w.BeginMap(2).Text("__type").Text(CloudWatchErrorShape(error.code));
  w.Text("message").Text(error.message);
  return w.Take();
}

}  // namespace gamelake
