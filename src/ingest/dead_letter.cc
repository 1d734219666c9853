#include "ingest/dead_letter.h"

#include <time.h>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/json_writer.h"

namespace gamelake {

std::string Base64Encode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string DeadLetterRecord(const DeadLetter& d, size_t max_raw_bytes) {
  const bool truncated = d.raw.size() > max_raw_bytes;
  const std::string_view raw = truncated ? d.raw.substr(0, max_raw_bytes) : d.raw;
  JsonWriter w;
  w.BeginObject().Key("stream").String(d.stream).Key("key_id").String(d.key_id);
  w.Key("code").String(d.code).Key("message").String(d.message).Key("index");
  if (d.index) {
    w.UInt(*d.index);
  } else {
    w.Null();
  }
  w.Key("received_at").String(FormatUtcMicros(d.received_at_us));
  // String() writes invalid UTF-8 as U+FFFD; raw_base64 keeps the exact bytes.
  w.Key("raw").String(raw).Key("raw_truncated").Bool(truncated);
  w.Key("raw_base64").String(Base64Encode(raw)).EndObject();
  return w.Take();
}

}  // namespace gamelake
