#include "ingest/record_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "ingest/gzip_decoder.h"
#include "ingest/json_scanner.h"
#include "ingest/json_syntax_check.h"

namespace gamelake {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kInitialParserCapacity = 64u << 10;
constexpr size_t kUnknownDepth = SIZE_MAX;

// Why a record was rejected, before it is worded for its place in the body.
struct Problem {
  const char* code = "";
  std::optional<size_t> offset;  // Byte offset in the decoded body, when known.
  std::string reason;
};

const char* TypeName(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

// True if `e`, a value at nesting `level` (the root object is level 1), holds
// a container deeper than `limit`. The parse already capped non-empty
// containers at `limit`, so this only finds empty ones at limit + 1 and
// recursion stays within limit + 1 frames.
bool DeeperThan(simdjson::dom::element e, size_t level, size_t limit) {
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (e.get(array) == simdjson::SUCCESS) {
    if (level > limit) return true;
    for (simdjson::dom::element child : array) {
      if (DeeperThan(child, level + 1, limit)) return true;
    }
  } else if (e.get(object) == simdjson::SUCCESS) {
    if (level > limit) return true;
    for (simdjson::dom::key_value_pair field : object) {
      if (DeeperThan(field.value, level + 1, limit)) return true;
    }
  }
  return false;
}

// Walks every object of `e`: counts keys into *keys and returns the first key
// that appears twice in one object, if any. Duplicate keys are refused: which
// value would win is engine-specific, and columnar engines (DuckDB among them)
// reject such records outright. Stops early once *keys passes max_keys.
// Recursion is bounded by the depth limit the parse already enforced.
std::optional<std::string_view> CheckKeys(simdjson::dom::element e, size_t max_keys, size_t* keys) {
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (e.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element child : array) {
      if (auto dup = CheckKeys(child, max_keys, keys)) return dup;
      if (*keys > max_keys) return std::nullopt;
    }
  } else if (e.get(object) == simdjson::SUCCESS) {
    thread_local std::vector<std::string_view> names;
    names.clear();
    for (simdjson::dom::key_value_pair field : object) names.push_back(field.key);
    *keys += names.size();
    if (*keys > max_keys) return std::nullopt;
    if (names.size() <= 16) {
      for (size_t i = 1; i < names.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (names[i] == names[j]) return names[i];
        }
      }
    } else {
      std::sort(names.begin(), names.end());
      auto it = std::adjacent_find(names.begin(), names.end());
      if (it != names.end()) return *it;
    }
    for (simdjson::dom::key_value_pair field : object) {
      if (auto dup = CheckKeys(field.value, max_keys, keys)) return dup;
      if (*keys > max_keys) return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

struct RecordParser::Impl {
  explicit Impl(ParserLimits l) : limits(l) {}

  Status Parse(std::string_view body, BodyFormat format, bool gzip, ParsedBody* out);
  Status LoadBody(std::string_view body, bool gzip);
  Status ParseNdjson(std::string_view text, size_t start, ParsedBody* out);
  Status ParseJson(std::string_view text, size_t start, ParsedBody* out);
  // Validates one record at `offset` in the body. known_depth: its nesting
  // depth when a scan already measured it. Returns the problem, if any.
  Status Check(std::string_view record, size_t offset, size_t known_depth,
               std::optional<Problem>* problem);
  // Checks the record and files it as valid or rejected. `where` names it in
  // messages ("line 3", "element 2").
  Status Add(std::string_view record, size_t offset, size_t known_depth, bool ndjson,
             size_t position, ParsedBody* out);
  Status CountRecord(ParsedBody* out) const;

  ParserLimits limits;
  simdjson::dom::parser json;
  bool json_ready = false;
  GzipDecoder gzip_decoder;
  JsonScanner scanner;
  // The decoded body followed by simdjson::SIMDJSON_PADDING bytes, so records
  // can be parsed in place; record views point here.
  std::string buffer;
};

Status RecordParser::Impl::LoadBody(std::string_view body, bool gzip) {
  size_t size = body.size();
  if (gzip) {
    GL_RETURN_IF_ERROR(gzip_decoder.Decode(body, limits.max_decoded_body_bytes, &buffer));
    size = buffer.size();
  } else {
    if (size > limits.max_decoded_body_bytes) {
      return Status::ResourceExhausted(
          fmt::format("decoded body exceeds {} bytes", limits.max_decoded_body_bytes));
    }
    buffer.resize(size);
    if (size > 0) std::memcpy(buffer.data(), body.data(), size);
  }
  buffer.resize(size + simdjson::SIMDJSON_PADDING);
  return Status::OK();
}

Status RecordParser::Impl::Parse(std::string_view body, BodyFormat format, bool gzip,
                                 ParsedBody* out) {
  out->records.clear();
  out->record_indexes.clear();
  out->errors.clear();
  out->total = 0;
  out->decoded_bytes = 0;
  if (!json_ready) {
    // Non-empty containers are capped at max_depth + 1 by simdjson (it does
    // not count empty ones); see DeeperThan for the exact check.
    const size_t capacity = std::min(kInitialParserCapacity, limits.max_record_bytes);
    if (json.allocate(std::max<size_t>(capacity, 32), limits.max_depth + 1) != simdjson::SUCCESS) {
      return Status::ResourceExhausted("cannot allocate the JSON parser");
    }
    json_ready = true;
  }
  GL_RETURN_IF_ERROR(LoadBody(body, gzip));
  const std::string_view text(buffer.data(), buffer.size() - simdjson::SIMDJSON_PADDING);
  out->decoded_bytes = text.size();
  const size_t start = text.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  Status status =
      format == BodyFormat::kNdjson ? ParseNdjson(text, start, out) : ParseJson(text, start, out);
  if (status.ok() && out->total == 0) return Status::InvalidArgument("empty body");
  return status;
}

Status RecordParser::Impl::CountRecord(ParsedBody* out) const {
  if (out->total >= limits.max_records) {
    return Status::ResourceExhausted(
        fmt::format("more than {} records in one request", limits.max_records));
  }
  ++out->total;
  return Status::OK();
}

Status RecordParser::Impl::Check(std::string_view record, size_t offset, size_t known_depth,
                                 std::optional<Problem>* problem) {
  if (record.size() > limits.max_record_bytes) {
    *problem = Problem{"record_too_large", std::nullopt,
                       fmt::format("record is {} bytes, over the limit of {}", record.size(),
                                   limits.max_record_bytes)};
    return Status::OK();
  }
  auto too_deep = [&] {
    *problem = Problem{"too_deep", std::nullopt,
                       fmt::format("nesting deeper than {} levels", limits.max_depth)};
  };
  if (known_depth != kUnknownDepth && known_depth > limits.max_depth) {
    too_deep();
    return Status::OK();
  }
  if (json.capacity() < record.size()) {
    // Grow geometrically so slowly growing records do not reallocate each time.
    const size_t want = std::min(std::max(record.size(), json.capacity() * 2),
                                 std::max(record.size(), limits.max_record_bytes));
    if (json.allocate(want, json.max_depth()) != simdjson::SUCCESS) {
      return Status::ResourceExhausted("cannot allocate the JSON parser");
    }
  }
  // The record sits inside `buffer`, which has padding after the body end.
  simdjson::dom::element root;
  const simdjson::error_code error = json.parse(record.data(), record.size(), false).get(root);
  if (error == simdjson::SUCCESS) {
    if (!root.is_object()) {
      *problem = Problem{"not_an_object", std::nullopt,
                         fmt::format("expected a JSON object, got {}", TypeName(root.type()))};
    } else if (known_depth == kUnknownDepth && record.size() >= 2 * (limits.max_depth + 1) &&
               DeeperThan(root, 1, limits.max_depth)) {
      too_deep();
    } else {
      size_t keys = 0;
      std::optional<std::string_view> dup = CheckKeys(root, limits.max_keys, &keys);
      if (keys > limits.max_keys) {
        *problem = Problem{"too_many_keys", std::nullopt,
                           fmt::format("more than {} keys in one record (objects at every "
                                       "level count); each key becomes a lake column",
                                       limits.max_keys)};
      } else if (dup) {
        *problem = Problem{"duplicate_key", std::nullopt,
                           fmt::format("key \"{}\" appears more than once in one object",
                                       std::string(dup->substr(0, 200)))};
      } else {
        problem->reset();
      }
    }
    return Status::OK();
  }
  switch (error) {
    case simdjson::DEPTH_ERROR:
      too_deep();
      return Status::OK();
    case simdjson::MEMALLOC:
    case simdjson::CAPACITY:
      return Status::ResourceExhausted(
          fmt::format("cannot parse a record: {}", simdjson::error_message(error)));
    default:
      break;
  }
  // Slow path: find where it went wrong.
  Problem p;
  p.code = error == simdjson::UTF8_ERROR ? "invalid_utf8" : "invalid_json";
  if (auto located = FindJsonSyntaxError(record)) {
    p.offset = offset + located->offset;
    p.reason = std::move(located->reason);
    if (located->utf8) p.code = "invalid_utf8";
  } else {
    p.reason = simdjson::error_message(error);
  }
  *problem = std::move(p);
  return Status::OK();
}

Status RecordParser::Impl::Add(std::string_view record, size_t offset, size_t known_depth,
                               bool ndjson, size_t position, ParsedBody* out) {
  const size_t index = out->total;
  GL_RETURN_IF_ERROR(CountRecord(out));
  std::optional<Problem> problem;
  GL_RETURN_IF_ERROR(Check(record, offset, known_depth, &problem));
  if (!problem) {
    out->records.push_back(record);
    out->record_indexes.push_back(index);
    return Status::OK();
  }
  const std::string where =
      ndjson ? fmt::format("line {}", position) : fmt::format("element {}", position);
  RecordError& e = out->errors.emplace_back();
  e.index = index;
  e.code = problem->code;
  e.raw = record;
  if (problem->offset) {
    e.message = fmt::format("{}, byte {}: {}{}", where, *problem->offset,
                            e.code == "invalid_json" ? "invalid JSON: " : "", problem->reason);
  } else {
    e.message = fmt::format("{}: {}", where, problem->reason);
  }
  return Status::OK();
}

Status RecordParser::Impl::ParseNdjson(std::string_view text, size_t start, ParsedBody* out) {
  const char* data = text.data();
  const size_t n = text.size();
  size_t line = 0;
  size_t pos = start;
  while (pos < n) {
    ++line;
    const void* nl = std::memchr(data + pos, '\n', n - pos);
    const size_t end = nl ? static_cast<const char*>(nl) - data : n;
    size_t b = pos;
    size_t e = end;
    while (b < e && JsonScanner::IsSpace(data[b])) ++b;
    while (e > b && JsonScanner::IsSpace(data[e - 1])) --e;
    if (b < e) {
      GL_RETURN_IF_ERROR(Add(text.substr(b, e - b), b, kUnknownDepth, true, line, out));
    }
    pos = end + 1;
  }
  return Status::OK();
}

Status RecordParser::Impl::ParseJson(std::string_view text, size_t start, ParsedBody* out) {
  const size_t n = text.size();
  auto skip_space = [&](size_t i) {
    while (i < n && JsonScanner::IsSpace(text[i])) ++i;
    return i;
  };
  auto malformed = [](size_t at, std::string_view reason) {
    return Status::InvalidArgument(fmt::format("malformed JSON at byte {}: {}", at, reason));
  };
  size_t pos = skip_space(start);
  if (pos == n) return Status::OK();  // Parse() reports the empty body.
  JsonScanner::Value value;

  if (text[pos] == '{') {
    if (!scanner.ScanValue(text, pos, &value)) {
      return malformed(scanner.error_offset(), scanner.error_reason());
    }
    const size_t after = skip_space(value.end);
    if (after != n) return malformed(after, "unexpected content after the JSON value");
    const std::string_view record = text.substr(pos, value.end - pos);
    GL_RETURN_IF_ERROR(CountRecord(out));
    std::optional<Problem> problem;
    GL_RETURN_IF_ERROR(Check(record, pos, value.depth, &problem));
    if (!problem) {
      out->records.push_back(record);
      out->record_indexes.push_back(0);
      return Status::OK();
    }
    const std::string_view code = problem->code;
    if (code == "invalid_json" || code == "invalid_utf8") {
      // The body is not JSON at all: nothing to keep.
      if (problem->offset) return malformed(*problem->offset, problem->reason);
      return Status::InvalidArgument(fmt::format("malformed JSON: {}", problem->reason));
    }
    out->errors.push_back(
        RecordError{0, std::string(code), "record 0: " + problem->reason, record});
    return Status::OK();
  }

  if (text[pos] != '[') {
    if (auto located = FindJsonSyntaxError(text.substr(pos))) {
      return malformed(pos + located->offset, located->reason);
    }
    return malformed(pos, "the body must be a JSON object or an array of objects");
  }

  // An array: split it into elements, then check each on its own.
  size_t i = skip_space(pos + 1);
  if (i < n && text[i] == ']') {
    i = skip_space(i + 1);
    if (i != n) return malformed(i, "unexpected content after the JSON value");
    return Status::OK();  // "[]": no records; Parse() reports the empty body.
  }
  size_t element = 0;
  while (true) {
    if (i == n) return malformed(i, "unexpected end of input inside an array");
    if (!scanner.ScanValue(text, i, &value)) {
      return malformed(scanner.error_offset(), scanner.error_reason());
    }
    GL_RETURN_IF_ERROR(Add(text.substr(i, value.end - i), i, value.depth, false, element, out));
    ++element;
    i = skip_space(value.end);
    if (i == n) return malformed(i, "unexpected end of input inside an array");
    if (text[i] == ',') {
      i = skip_space(i + 1);
      continue;
    }
    if (text[i] == ']') break;
    return malformed(i, "expected ',' or ']'");
  }
  i = skip_space(i + 1);
  if (i != n) return malformed(i, "unexpected content after the JSON value");
  return Status::OK();
}

RecordParser::RecordParser(ParserLimits limits) : impl_(std::make_unique<Impl>(limits)) {}

RecordParser::~RecordParser() = default;

Status RecordParser::Parse(std::string_view body, BodyFormat format, bool gzip, ParsedBody* out) {
  return impl_->Parse(body, format, gzip, out);
}

RecordParser& ThreadLocalRecordParser(const ParserLimits& limits) {
  struct Slot {
    const ParserLimits* owner;
    ParserLimits values;  // A destroyed owner's address may be reused with other limits.
    std::unique_ptr<RecordParser> parser;
  };
  auto same = [](const ParserLimits& a, const ParserLimits& b) {
    return a.max_decoded_body_bytes == b.max_decoded_body_bytes &&
           a.max_record_bytes == b.max_record_bytes && a.max_records == b.max_records &&
           a.max_depth == b.max_depth && a.max_keys == b.max_keys;
  };
  thread_local std::vector<Slot> slots;
  for (Slot& slot : slots) {
    if (slot.owner != &limits) continue;
    if (!same(slot.values, limits)) {
      slot.values = limits;
      slot.parser = std::make_unique<RecordParser>(limits);
    }
    return *slot.parser;
  }
  slots.push_back(Slot{&limits, limits, std::make_unique<RecordParser>(limits)});
  return *slots.back().parser;
}

}  // namespace gamelake
