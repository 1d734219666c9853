#include "metrics/encoding.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace gamelake {
namespace {

constexpr double kMaxExactInteger = 0x1p52;

}  // namespace

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

Result<uint64_t> GetVarint(std::string_view* in) {
  uint64_t v = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (in->empty()) return Status::Corruption("truncated varint");
    auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (shift == 63 && byte > 1) return Status::Corruption("varint overflows 64 bits");
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return Status::Corruption("varint longer than 10 bytes");
}

void PutNumber(std::string* out, double v) {
  if (std::fabs(v) < kMaxExactInteger && v == std::trunc(v)) {
    PutVarint(out, ZigZag(static_cast<int64_t>(v)) << 1);
    return;
  }
  PutVarint(out, 1);
  char raw[8];
  std::memcpy(raw, &v, 8);
  out->append(raw, 8);
}

Result<double> GetNumber(std::string_view* in) {
  GL_ASSIGN_OR_RETURN(uint64_t u, GetVarint(in));
  if ((u & 1) == 0) {
    return static_cast<double>(UnZigZag(u >> 1));
  }
  if (u != 1) return Status::Corruption(fmt::format("bad number tag {}", u));
  if (in->size() < 8) return Status::Corruption("truncated number");
  double v;
  std::memcpy(&v, in->data(), 8);
  in->remove_prefix(8);
  if (!std::isfinite(v)) return Status::Corruption("number is not finite");
  return v;
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

Status ByteReader::Fail(std::string_view what) const {
  return Status::Corruption(fmt::format("{} at byte {}", what, offset()));
}

Result<uint64_t> ByteReader::Varint(std::string_view what) {
  Result<uint64_t> v = GetVarint(&in_);
  if (!v.ok()) return Fail(fmt::format("bad {} ({})", what, v.status().message()));
  return v;
}

Result<double> ByteReader::Number(std::string_view what) {
  Result<double> v = GetNumber(&in_);
  if (!v.ok()) return Fail(fmt::format("bad {} ({})", what, v.status().message()));
  return v;
}

Result<std::string> ByteReader::String(std::string_view what) {
  GL_ASSIGN_OR_RETURN(uint64_t n, Varint(what));
  if (n > kMaxStringBytes || n > in_.size()) return Fail(fmt::format("truncated {}", what));
  std::string s(in_.substr(0, n));
  in_.remove_prefix(n);
  return s;
}

Result<double> ByteReader::Double(std::string_view what) {
  if (in_.size() < 8) return Fail(fmt::format("truncated {}", what));
  double v;
  std::memcpy(&v, in_.data(), 8);
  in_.remove_prefix(8);
  if (!std::isfinite(v)) return Fail(fmt::format("{} is not finite", what));
  return v;
}

Result<uint8_t> ByteReader::Byte(std::string_view what) {
  if (in_.empty()) return Fail(fmt::format("truncated {}", what));
  auto b = static_cast<uint8_t>(in_.front());
  in_.remove_prefix(1);
  return b;
}

Result<uint8_t> ByteReader::Tag(std::string_view what, uint8_t max) {
  GL_ASSIGN_OR_RETURN(uint8_t b, Byte(what));
  if (b > max) return Fail(fmt::format("{} {} above {}", what, b, max));
  return b;
}

Result<uint64_t> ByteReader::Count(std::string_view what, size_t min_bytes) {
  GL_ASSIGN_OR_RETURN(uint64_t n, Varint(what));
  if (n > in_.size() / min_bytes) return Fail(fmt::format("{} {} exceeds the data", what, n));
  return n;
}

}  // namespace gamelake
