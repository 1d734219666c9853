#include "server/cbor.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace gamelake {

double HalfToDouble(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  double v;
  if (exponent == 0) {
    v = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    v = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    v = mantissa == 0 ? HUGE_VAL : std::nan("");
  }
  return (bits & 0x8000) ? -v : v;
}

CborReader::CborReader(std::string_view data, size_t max_depth)
    : data_(data), max_depth_(max_depth) {}

bool CborReader::AtMapKey() const {
  if (frames_.empty() || !frames_.back().map) return false;
  const Frame& f = frames_.back();
  return f.indefinite ? f.left % 2 == 0 : f.left % 2 == 0 && f.left > 0;
}

Status CborReader::Error(size_t offset, std::string_view what) const {
  return Status::InvalidArgument(
      fmt::format("SerializationException: CBOR byte {}: {}", offset, what));
}

Result<uint64_t> CborReader::Argument(uint8_t info, size_t head) {
  if (info < 24) return uint64_t{info};
  if (info > 27) {
    return Error(head, fmt::format("additional information {} is not valid here", info));
  }
  size_t n = size_t{1} << (info - 24);
  if (data_.size() - pos_ < n) return Error(head, "truncated: the body ends inside an item's head");
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += n;
  return v;
}

Status CborReader::ReadString(uint8_t major, uint8_t info, size_t head, Item* item) {
  item->kind = major == 2 ? Kind::kBytes : Kind::kText;
  if (info != 31) {
    GL_ASSIGN_OR_RETURN(uint64_t length, Argument(info, head));
    if (length > data_.size() - pos_) {
      return Error(head, fmt::format("a string of {} bytes but only {} bytes follow", length,
                                     data_.size() - pos_));
    }
    item->text = data_.substr(pos_, length);
    pos_ += length;
    return Status::OK();
  }
  item->indefinite = true;
  joined_.clear();
  while (true) {
    if (pos_ >= data_.size()) return Error(pos_, "truncated: an indefinite string without a break");
    size_t chunk = pos_;
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    if (b == 0xff) break;
    if ((b >> 5) != major || (b & 31) == 31) {
      return Error(chunk, "a chunk of an indefinite string must be a definite string of its type");
    }
    GL_ASSIGN_OR_RETURN(uint64_t length, Argument(b & 31, chunk));
    if (length > data_.size() - pos_) {
      return Error(chunk, fmt::format("a string of {} bytes but only {} bytes follow", length,
                                      data_.size() - pos_));
    }
    joined_.append(data_.substr(pos_, length));
    pos_ += length;
  }
  item->text = joined_;
  return Status::OK();
}

Status CborReader::ReadSimple(uint8_t info, size_t head, Item* item) {
  if (info < 20) {
    item->kind = Kind::kSimple;
    item->value = info;
    return Status::OK();
  }
  switch (info) {
    case 20:
      item->kind = Kind::kFalse;
      return Status::OK();
    case 21:
      item->kind = Kind::kTrue;
      return Status::OK();
    case 22:
      item->kind = Kind::kNull;
      return Status::OK();
    case 23:
      item->kind = Kind::kUndefined;
      return Status::OK();
    default:
      break;
  }
  GL_ASSIGN_OR_RETURN(uint64_t bits, Argument(info, head));
  if (info == 24) {
    if (bits < 32) return Error(head, fmt::format("simple value {} in two bytes", bits));
    item->kind = Kind::kSimple;
    item->value = bits;
    return Status::OK();
  }
  item->kind = Kind::kFloat;
  if (info == 25) {
    item->number = HalfToDouble(static_cast<uint16_t>(bits));
  } else if (info == 26) {
    uint32_t b32 = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b32, sizeof f);
    item->number = f;
  } else {
    std::memcpy(&item->number, &bits, sizeof item->number);
  }
  return Status::OK();
}

Status CborReader::Open(bool map, uint8_t info, size_t head, Item* item) {
  if (frames_.size() >= max_depth_) {
    return Error(head, fmt::format("nested deeper than {} arrays and maps", max_depth_));
  }
  item->kind = map ? Kind::kMap : Kind::kArray;
  if (info == 31) {
    item->indefinite = true;
    frames_.push_back({map, true, 0});
    pending_tag_ = false;
    return Status::OK();
  }
  GL_ASSIGN_OR_RETURN(uint64_t count, Argument(info, head));
  size_t left = data_.size() - pos_;
  if (map ? count > left / 2 : count > left) {
    return Error(
        head, fmt::format("{} of {} {} but only {} bytes follow", map ? "a map" : "an array", count,
                          map ? "pairs" : "items", left));
  }
  item->value = count;
  frames_.push_back({map, false, map ? count * 2 : count});
  pending_tag_ = false;
  return Status::OK();
}

Status CborReader::Break(size_t head, Item* item) {
  if (pending_tag_) return Error(head, "a tag without content");
  if (frames_.empty() || !frames_.back().indefinite) {
    return Error(head, "a break outside an indefinite-length array or map");
  }
  if (frames_.back().map && frames_.back().left % 2 == 1) {
    return Error(head, "a map key without a value");
  }
  frames_.pop_back();
  item->kind = Kind::kEnd;
  Complete();
  return Status::OK();
}

void CborReader::Complete() {
  pending_tag_ = false;
  if (frames_.empty()) {
    done_ = true;
    return;
  }
  Frame& f = frames_.back();
  if (f.indefinite) {
    ++f.left;
  } else {
    --f.left;
  }
}

Status CborReader::ReadItem(Item* item) {
  if (pos_ >= data_.size()) {
    return Error(pos_, data_.empty() ? "the body is empty" : "truncated: the body ends early");
  }
  size_t head = pos_;
  uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  uint8_t major = b >> 5, info = b & 31;
  if (major == 4 || major == 5) return Open(major == 5, info, head, item);
  if (major == 7 && info == 31) return Break(head, item);
  if (major == 2 || major == 3) {
    GL_RETURN_IF_ERROR(ReadString(major, info, head, item));
  } else if (major == 7) {
    GL_RETURN_IF_ERROR(ReadSimple(info, head, item));
  } else {
    GL_ASSIGN_OR_RETURN(item->value, Argument(info, head));
    if (major == 6) {
      item->kind = Kind::kTag;
      pending_tag_ = true;
      return Status::OK();
    }
    item->kind = major == 0 ? Kind::kUnsigned : Kind::kNegative;
  }
  Complete();
  return Status::OK();
}

Result<CborReader::Item> CborReader::Next() {
  if (done_) return Error(pos_, "read past the end of the data item");
  Item item;
  item.offset = pos_;
  if (!frames_.empty() && !frames_.back().indefinite && frames_.back().left == 0) {
    frames_.pop_back();  // A definite array or map whose items are all read.
    item.kind = Kind::kEnd;
    Complete();
  } else {
    GL_RETURN_IF_ERROR(ReadItem(&item));
  }
  if (done_ && pos_ != data_.size()) {
    return Error(pos_, fmt::format("{} bytes after the data item", data_.size() - pos_));
  }
  return item;
}

// CborWriter.

void CborWriter::Head(uint8_t major, uint64_t argument) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  int bytes = 0;
  if (argument < 24) {
    out_.push_back(static_cast<char>(m | argument));
    return;
  } else if (argument <= 0xff) {
    out_.push_back(static_cast<char>(m | 24));
    bytes = 1;
  } else if (argument <= 0xffff) {
    out_.push_back(static_cast<char>(m | 25));
    bytes = 2;
  } else if (argument <= 0xffffffffull) {
    out_.push_back(static_cast<char>(m | 26));
    bytes = 4;
  } else {
    out_.push_back(static_cast<char>(m | 27));
    bytes = 8;
  }
  for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>(argument >> (8 * i)));
}

CborWriter& CborWriter::UInt(uint64_t v) {
  Head(0, v);
  return *this;
}
CborWriter& CborWriter::Int(int64_t v) {
  if (v >= 0) return UInt(static_cast<uint64_t>(v));
  return Negative(static_cast<uint64_t>(-(v + 1)));
}
CborWriter& CborWriter::Negative(uint64_t n) {
  Head(1, n);
  return *this;
}
CborWriter& CborWriter::Bytes(std::string_view v) {
  Head(2, v.size());
  out_.append(v);
  return *this;
}
CborWriter& CborWriter::Text(std::string_view v) {
  Head(3, v.size());
  out_.append(v);
  return *this;
}
CborWriter& CborWriter::BeginArray(uint64_t count) {
  Head(4, count);
  return *this;
}
CborWriter& CborWriter::BeginMap(uint64_t pairs) {
  Head(5, pairs);
  return *this;
}
CborWriter& CborWriter::BeginIndefinite(uint8_t major) {
  out_.push_back(static_cast<char>((major << 5) | 31));
  return *this;
}
CborWriter& CborWriter::Break() {
  out_.push_back(static_cast<char>(0xff));
  return *this;
}
CborWriter& CborWriter::Tag(uint64_t tag) {
  Head(6, tag);
  return *this;
}
CborWriter& CborWriter::Bool(bool v) {
  out_.push_back(static_cast<char>(v ? 0xf5 : 0xf4));
  return *this;
}
CborWriter& CborWriter::Null() {
  out_.push_back(static_cast<char>(0xf6));
  return *this;
}
CborWriter& CborWriter::Undefined() {
  out_.push_back(static_cast<char>(0xf7));
  return *this;
}
CborWriter& CborWriter::Simple(uint8_t v) {
  if (v < 24) {
    out_.push_back(static_cast<char>(0xe0 | v));
  } else {
    out_.push_back(static_cast<char>(0xf8));
    out_.push_back(static_cast<char>(v));
  }
  return *this;
}

namespace {

// The half-precision bits of v if it has them exactly.
bool ExactHalf(double v, uint16_t* half) {
  uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  double a = std::fabs(v);
  if (a == 0) {
    *half = sign;
    return true;
  }
  if (std::isinf(a)) {
    *half = sign | 0x7c00;
    return true;
  }
  if (a < std::ldexp(1.0, -14)) {  // Subnormal: a multiple of 2^-24.
    double scaled = std::ldexp(a, 24);
    if (scaled != std::floor(scaled)) return false;
    *half = static_cast<uint16_t>(sign | static_cast<uint16_t>(scaled));
    return true;
  }
  if (a > 65504) return false;
  int e = 0;
  double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1).
  double fraction = (2 * m - 1) * 1024;
  if (fraction != std::floor(fraction)) return false;
  *half = static_cast<uint16_t>(sign | ((e - 1 + 15) << 10) | static_cast<uint16_t>(fraction));
  return true;
}

}  // namespace

CborWriter& CborWriter::Double(double v) {
  if (std::isnan(v)) return Float16(0x7e00);
  uint16_t half = 0;
  if (ExactHalf(v, &half)) return Float16(half);
  if (std::fabs(v) <= 3.4028234663852886e38) {
    float f = static_cast<float>(v);
    if (static_cast<double>(f) == v) return Float32(f);
  }
  return Float64(v);
}
CborWriter& CborWriter::Float64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  out_.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  return *this;
}
CborWriter& CborWriter::Float32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  out_.push_back(static_cast<char>(0xfa));
  for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  return *this;
}
CborWriter& CborWriter::Float16(uint16_t bits) {
  out_.push_back(static_cast<char>(0xf9));
  out_.push_back(static_cast<char>(bits >> 8));
  out_.push_back(static_cast<char>(bits));
  return *this;
}

}  // namespace gamelake
