// The binary form of operator state (StateWriter/StateReader in operator.h).
//
// Integers are LEB128 varints (counts and small numbers take a byte or two),
// doubles their 8 IEEE bytes little-endian, strings a varint length and the
// bytes. A value is a tag byte (its ValueType, 0x80 when NULL) and the payload
// its type needs; a row its ROWTIME, its value count and its values.
#include <bit>
#include <cstring>
#include <string>

#include "streaming/operator.h"

namespace gamelake {
namespace {

constexpr uint8_t kNullTag = 0x80;
constexpr uint8_t kLastType = static_cast<uint8_t>(ValueType::kIntervalYearMonth);

bool IsIntegral(ValueType t) {
  switch (t) {
    case ValueType::kDouble:
    case ValueType::kDecimal:
    case ValueType::kString:
    case ValueType::kBinary:
    case ValueType::kNull:
      return false;
    default:
      return true;
  }
}

}  // namespace

void StateWriter::PutU64(uint64_t v) {
  while (v >= 0x80) {
    data_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  data_.push_back(static_cast<char>(v));
}

void StateWriter::PutDouble(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) data_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void StateWriter::PutString(std::string_view s) {
  PutU64(s.size());
  data_.append(s);
}

void StateWriter::PutValue(const SqlValue& v) {
  uint8_t tag = static_cast<uint8_t>(v.type) | (v.is_null ? kNullTag : 0);
  data_.push_back(static_cast<char>(tag));
  if (v.is_null) return;
  if (v.type == ValueType::kDouble || v.type == ValueType::kDecimal) {
    PutDouble(v.d);
  } else if (v.type == ValueType::kString || v.type == ValueType::kBinary) {
    PutString(v.s);
  } else if (IsIntegral(v.type)) {
    PutI64(v.i);
  }
}

void StateWriter::PutRow(const StreamRow& row) {
  PutI64(row.rowtime_ms);
  PutU64(row.values.size());
  for (const SqlValue& v : row.values) PutValue(v);
}

Status StateReader::GetU64(uint64_t* v) {
  uint64_t result = 0;
  size_t start = pos_;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      return Status::Corruption("operator state ends inside a number at byte " +
                                std::to_string(start));
    }
    uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return Status::Corruption("operator state has an overlong number at byte " +
                            std::to_string(start));
}

Status StateReader::GetI64(int64_t* v) {
  uint64_t u = 0;
  GL_RETURN_IF_ERROR(GetU64(&u));
  *v = static_cast<int64_t>(u);
  return Status::OK();
}

Status StateReader::GetDouble(double* v) {
  if (data_.size() - pos_ < 8) {
    return Status::Corruption("operator state ends inside a double at byte " +
                              std::to_string(pos_));
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 8;
  *v = std::bit_cast<double>(bits);
  return Status::OK();
}

Status StateReader::GetString(std::string* s) {
  size_t start = pos_;
  uint64_t n = 0;
  GL_RETURN_IF_ERROR(GetU64(&n));
  if (n > data_.size() - pos_) {
    return Status::Corruption("operator state has a string longer than what is left at byte " +
                              std::to_string(start));
  }
  s->assign(data_.substr(pos_, n));
  pos_ += n;
  return Status::OK();
}

Status StateReader::GetValue(SqlValue* v) {
  if (pos_ >= data_.size()) {
    return Status::Corruption("operator state ends before a value at byte " + std::to_string(pos_));
  }
  uint8_t tag = static_cast<uint8_t>(data_[pos_]);
  uint8_t type = tag & ~kNullTag;
  if (type > kLastType) {
    return Status::Corruption("operator state has a bad value tag " + std::to_string(tag) +
                              " at byte " + std::to_string(pos_));
  }
  ++pos_;
  *v = SqlValue::Null(static_cast<ValueType>(type));
  if (tag & kNullTag) return Status::OK();
  v->is_null = false;
  if (v->type == ValueType::kDouble || v->type == ValueType::kDecimal) return GetDouble(&v->d);
  if (v->type == ValueType::kString || v->type == ValueType::kBinary) return GetString(&v->s);
  if (IsIntegral(v->type)) return GetI64(&v->i);
  return Status::OK();
}

Status StateReader::GetRow(StreamRow* row) {
  GL_RETURN_IF_ERROR(GetI64(&row->rowtime_ms));
  size_t start = pos_;
  uint64_t n = 0;
  GL_RETURN_IF_ERROR(GetU64(&n));
  // Every value takes at least its tag byte.
  if (n > data_.size() - pos_) {
    return Status::Corruption("operator state has a row of " + std::to_string(n) +
                              " values, more than what is left, at byte " + std::to_string(start));
  }
  row->values.resize(n);
  for (SqlValue& v : row->values) GL_RETURN_IF_ERROR(GetValue(&v));
  return Status::OK();
}

}  // namespace gamelake
