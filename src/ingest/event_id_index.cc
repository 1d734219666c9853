// Format: event_id_index.md.
#include "ingest/event_id_index.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/crc32c.h"

namespace gamelake {
namespace {

constexpr std::string_view kMagic = "GLIDS1\n";
constexpr size_t kHeaderBytes = 7 + 8 + 8 + 8 + 4;
constexpr std::string_view kSuffix = ".ids";

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Reads little-endian and varint fields, failing (ok() false) past the end.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  uint64_t Fixed(int bytes) {
    if (!ok_ || pos_ + static_cast<size_t>(bytes) > data_.size()) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      v |= static_cast<uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += static_cast<size_t>(bytes);
    return v;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      if (pos_ >= data_.size()) return Fail();
      unsigned char b = static_cast<unsigned char>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  std::string_view Bytes(uint64_t n) {
    if (!ok_ || n > data_.size() - pos_) {
      Fail();
      return {};
    }
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    return 0;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string FileName(uint64_t first, uint64_t last) {
  return fmt::format("{:020}-{:020}{}", first, last, kSuffix);
}

bool ParseFileName(std::string_view name, uint64_t* first, uint64_t* last) {
  if (name.size() != 41 + kSuffix.size() || !name.ends_with(kSuffix) || name[20] != '-') {
    return false;
  }
  auto digits = [](std::string_view d, uint64_t* out) {
    uint64_t v = 0;
    for (char c : d) {
      if (c < '0' || c > '9' || v > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10) {
        return false;
      }
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    *out = v;
    return true;
  };
  return digits(name.substr(0, 20), first) && digits(name.substr(21, 20), last);
}

}  // namespace

Status EventIdIndex::Write(Env* env, const std::string& dir, const std::string& stream,
                           uint64_t first_seq, uint64_t last_seq,
                           const std::vector<IndexedId>& ids) {
  std::string out(kMagic);
  int64_t newest = INT64_MIN;
  for (const IndexedId& id : ids) newest = std::max(newest, id.time_us);
  PutFixed64(&out, first_seq);
  PutFixed64(&out, last_seq);
  PutFixed64(&out, static_cast<uint64_t>(newest));
  PutFixed32(&out, static_cast<uint32_t>(ids.size()));
  uint64_t seq = first_seq;
  int64_t time = 0;
  for (const IndexedId& id : ids) {
    PutVarint(&out, id.seq - seq);
    PutVarint(&out, ZigZag(id.time_us - time));
    out.push_back(id.type == EventId::Type::kString ? 's' : 'i');
    PutVarint(&out, id.value.size());
    out += id.value;
    seq = id.seq;
    time = id.time_us;
  }
  PutFixed32(&out, crc32c::Value(out));
  const std::string stream_dir = JoinPath(dir, stream);
  GL_RETURN_IF_ERROR(env->CreateDirs(stream_dir));
  return env->WriteFileAtomic(JoinPath(stream_dir, FileName(first_seq, last_seq)), out);
}

Result<std::vector<IndexedId>> EventIdIndex::Read(Env* env, const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
  auto bad = [&](std::string_view why) {
    return Status::Corruption(fmt::format("event id index {}: {}", path, why));
  };
  if (data.size() < kHeaderBytes + 4 || std::string_view(data).substr(0, kMagic.size()) != kMagic) {
    return bad("not an index file");
  }
  std::string_view body(data.data(), data.size() - 4);
  Reader crc_reader(std::string_view(data).substr(data.size() - 4));
  if (crc32c::Value(body) != static_cast<uint32_t>(crc_reader.Fixed(4))) return bad("checksum");
  Reader r(body.substr(kMagic.size()));
  uint64_t first = r.Fixed(8), last = r.Fixed(8);
  r.Fixed(8);  // Newest time.
  uint64_t count = r.Fixed(4);
  std::vector<IndexedId> ids;
  uint64_t seq = first;
  int64_t time = 0;
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    IndexedId id;
    uint64_t delta = r.Varint();
    if (i > 0 && delta == 0) return bad("record ids do not increase");
    id.seq = seq + delta;
    id.time_us = time + UnZigZag(r.Varint());
    std::string_view type = r.Bytes(1);
    id.value = std::string(r.Bytes(r.Varint()));
    if (!r.ok()) break;
    if (type != "s" && type != "i") return bad("unknown id type");
    if (id.seq < first || id.seq > last) return bad("a record id outside the file's range");
    id.type = type == "s" ? EventId::Type::kString : EventId::Type::kInteger;
    seq = id.seq;
    time = id.time_us;
    ids.push_back(std::move(id));
  }
  if (!r.ok() || r.pos() != body.size() - kMagic.size()) return bad("truncated or overlong");
  return ids;
}

Result<int64_t> EventIdIndex::NewestTime(Env* env, const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  char header[kHeaderBytes];
  GL_ASSIGN_OR_RETURN(size_t n, file->Read(0, kHeaderBytes, header));
  if (n != kHeaderBytes || std::string_view(header, kMagic.size()) != kMagic) {
    return Status::Corruption(fmt::format("event id index {}: not an index file", path));
  }
  Reader r(std::string_view(header + kMagic.size() + 16, 8));
  return static_cast<int64_t>(r.Fixed(8));
}

Result<std::vector<IndexFile>> EventIdIndex::List(Env* env, const std::string& dir) {
  std::vector<IndexFile> out;
  if (!env->FileExists(dir)) return out;
  GL_ASSIGN_OR_RETURN(std::vector<std::string> streams, env->ListDir(dir));
  for (const std::string& stream : streams) {
    Result<std::vector<std::string>> names = env->ListDir(JoinPath(dir, stream));
    if (!names.ok()) continue;  // Not a folder.
    for (const std::string& name : *names) {
      IndexFile f;
      if (!ParseFileName(name, &f.first_seq, &f.last_seq)) continue;
      f.stream = stream;
      f.path = JoinPath(JoinPath(dir, stream), name);
      out.push_back(std::move(f));
    }
  }
  return out;
}

Result<size_t> EventIdIndex::Prune(Env* env, const std::string& dir, int64_t default_cutoff_us,
                                   const std::map<std::string, int64_t>& cutoffs) {
  GL_ASSIGN_OR_RETURN(std::vector<IndexFile> files, List(env, dir));
  size_t removed = 0;
  for (const IndexFile& f : files) {
    auto it = cutoffs.find(f.stream);
    int64_t cutoff =
        it == cutoffs.end() ? default_cutoff_us : std::max(it->second, default_cutoff_us);
    Result<int64_t> newest = NewestTime(env, f.path);
    if (newest.ok() && *newest >= cutoff) continue;
    GL_RETURN_IF_ERROR(env->RemoveFile(f.path));
    ++removed;
  }
  return removed;
}

}  // namespace gamelake
