// JsonWriter: builds compact JSON text (responses, staging lines, metrics).
//
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
// written as U+FFFD so the output is always valid JSON. The writer inserts
// commas itself; the caller balances Begin/End calls.
//
// Thread-safety: one writer per thread.
#ifndef GAMELAKE_COMMON_JSON_WRITER_H_
#define GAMELAKE_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace gamelake {

// Appends s as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonEscape(std::string_view s);  // Without the quotes.

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& UInt(uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts already-valid JSON text as a value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_JSON_WRITER_H_
