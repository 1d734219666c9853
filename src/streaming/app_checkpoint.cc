#include "streaming/app_checkpoint.h"

#include <cstring>

#include <fmt/format.h>

#include "common/crc32c.h"

namespace gamelake {
namespace {

constexpr std::string_view kMagic = "GLAPPCKP";
constexpr uint32_t kFormat = 1;
constexpr size_t kMaxStreams = 1 << 16;
constexpr size_t kMaxNameBytes = 1 << 10;

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Reads the little-endian fields of a checkpoint; errors say what and where.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  Result<uint64_t> Fixed(size_t width, std::string_view what) {
    if (bytes_.size() - pos_ < width) return Truncated(what);
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += width;
    return v;
  }
  Result<std::string_view> Bytes(size_t n, std::string_view what) {
    if (bytes_.size() - pos_ < n) return Truncated(what);
    std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  Status Error(std::string_view what) const {
    return Status::Corruption(fmt::format("app checkpoint: {} at byte {}", what, pos_));
  }

 private:
  Status Truncated(std::string_view what) const {
    return Error(fmt::format("truncated in {}", what));
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

Status ReadOrdinals(Reader& r, AppCheckpoint* c) {
  GL_ASSIGN_OR_RETURN(uint64_t count, r.Fixed(4, "the stream count"));
  if (count > kMaxStreams) return r.Error(fmt::format("{} streams is too many", count));
  for (uint64_t i = 0; i < count; ++i) {
    GL_ASSIGN_OR_RETURN(uint64_t len, r.Fixed(2, "a stream name's length"));
    if (len == 0 || len > kMaxNameBytes) return r.Error("a stream name of a bad length");
    GL_ASSIGN_OR_RETURN(std::string_view name, r.Bytes(len, "a stream name"));
    GL_ASSIGN_OR_RETURN(uint64_t ordinal, r.Fixed(8, "a stream's next ordinal"));
    c->next_ordinals.emplace_back(std::string(name), ordinal);
  }
  return Status::OK();
}

}  // namespace

std::string EncodeAppCheckpoint(const AppCheckpoint& c) {
  std::string out(kMagic);
  PutFixed32(&out, kFormat);
  PutFixed64(&out, c.code_version);
  PutFixed64(&out, c.next_seq);
  PutFixed64(&out, c.records_in);
  PutFixed64(&out, c.rows_out);
  PutFixed64(&out, c.error_rows);
  PutFixed64(&out, static_cast<uint64_t>(c.written_us));
  PutFixed32(&out, static_cast<uint32_t>(c.next_ordinals.size()));
  for (const auto& [name, ordinal] : c.next_ordinals) {
    out.push_back(static_cast<char>(name.size() & 0xff));
    out.push_back(static_cast<char>(name.size() >> 8));
    out.append(name);
    PutFixed64(&out, ordinal);
  }
  PutFixed64(&out, c.program_state.size());
  out.append(c.program_state);
  PutFixed32(&out, crc32c::Value(out));
  return out;
}

Result<AppCheckpoint> DecodeAppCheckpoint(std::string_view bytes) {
  Reader r(bytes);
  GL_ASSIGN_OR_RETURN(std::string_view magic, r.Bytes(kMagic.size(), "the magic"));
  if (magic != kMagic) return Status::Corruption("app checkpoint: not a checkpoint (bad magic)");
  // The checksum first: any flipped byte is refused as such, whatever it hit.
  if (bytes.size() < kMagic.size() + 4 + 4) return r.Error("truncated before the checksum");
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  Reader crc_reader(bytes.substr(bytes.size() - 4));
  GL_ASSIGN_OR_RETURN(uint64_t crc, crc_reader.Fixed(4, "the checksum"));
  if (crc != crc32c::Value(body)) {
    return Status::Corruption("app checkpoint: checksum mismatch (the file is damaged)");
  }
  Reader b(body);
  GL_RETURN_IF_ERROR(b.Bytes(kMagic.size(), "the magic").status());
  GL_ASSIGN_OR_RETURN(uint64_t format, b.Fixed(4, "the format"));
  if (format != kFormat) return b.Error(fmt::format("format {} is not {}", format, kFormat));
  AppCheckpoint c;
  GL_ASSIGN_OR_RETURN(c.code_version, b.Fixed(8, "the code version"));
  GL_ASSIGN_OR_RETURN(c.next_seq, b.Fixed(8, "the next seq"));
  GL_ASSIGN_OR_RETURN(c.records_in, b.Fixed(8, "records in"));
  GL_ASSIGN_OR_RETURN(c.rows_out, b.Fixed(8, "rows out"));
  GL_ASSIGN_OR_RETURN(c.error_rows, b.Fixed(8, "error rows"));
  GL_ASSIGN_OR_RETURN(uint64_t written, b.Fixed(8, "the time written"));
  c.written_us = static_cast<int64_t>(written);
  GL_RETURN_IF_ERROR(ReadOrdinals(b, &c));
  GL_ASSIGN_OR_RETURN(uint64_t state_len, b.Fixed(8, "the state's length"));
  if (state_len != b.remaining()) {
    return b.Error(fmt::format("a state of {} bytes where {} remain", state_len, b.remaining()));
  }
  GL_ASSIGN_OR_RETURN(std::string_view state, b.Bytes(state_len, "the state"));
  c.program_state = std::string(state);
  return c;
}

}  // namespace gamelake
