// The on-disk queue (queue.h, sdk/queue_format.md).
// Thread-safety: not thread-safe; the Client serializes calls.
#include "queue.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace gamelake::internal {
namespace {

constexpr uint8_t kMagic[4] = {'G', 'L', 'Q', '1'};
constexpr uint8_t kCursorMagic[4] = {'G', 'L', 'C', '1'};

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t Crc(const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(crc32(0L, p, static_cast<uInt>(n)));
}

// A valid record at pos: magic, length in range, inside the file, CRC matches.
bool ValidAt(const uint8_t* data, size_t pos, size_t limit, bool verify_crc = true) {
  if (pos + kHeaderBytes > limit || std::memcmp(data + pos, kMagic, 4) != 0) return false;
  const uint32_t n = GetU32(data + pos + 4);
  if (n < 1 || n > kMaxPayload || pos + kHeaderBytes + n > limit) return false;
  return !verify_crc || Crc(data + pos + 12, n + 1) == GetU32(data + pos + 8);
}

bool ParseSegmentName(const char* name, uint64_t* number) {
  // seg-<16 digits>.glq
  if (std::strlen(name) != 24 || std::strncmp(name, "seg-", 4) != 0 ||
      std::strcmp(name + 20, ".glq") != 0) {
    return false;
  }
  uint64_t n = 0;
  for (int i = 4; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *number = n;
  return true;
}

bool ReadSmallFile(const std::string& path, std::string* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64];
  const ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  if (n < 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

Segment::~Segment() {
  if (data != nullptr) munmap(data, capacity);
  if (fd >= 0) close(fd);
}

size_t CleanEnd(const uint8_t* data, size_t size) {
  while (size > 0 && data[size - 1] == 0) --size;
  return size;
}

ScanItem ScanAt(const uint8_t* data, size_t pos, size_t limit, size_t clean_end, bool verify_crc) {
  ScanItem item;
  item.offset = pos;
  if (pos >= clean_end) return item;  // kEnd
  if (ValidAt(data, pos, limit, verify_crc)) {
    item.kind = ScanItem::kRecord;
    item.payload_size = GetU32(data + pos + 4);
    item.size = kHeaderBytes + item.payload_size;
    item.critical = (data[pos + 12] & 1) != 0;
    item.payload = data + pos + kHeaderBytes;
    return item;
  }
  // Damage: it runs to the next valid record, or to the clean end.
  size_t next = pos + 1;
  while (next < clean_end) {
    const void* hit = memchr(data + next, 'G', clean_end - next);
    if (hit == nullptr) {
      next = clean_end;
      break;
    }
    next = static_cast<size_t>(static_cast<const uint8_t*>(hit) - data);
    if (ValidAt(data, next, limit)) break;
    ++next;
  }
  item.kind = ScanItem::kDamage;
  item.size = std::min(next, clean_end) - pos;
  return item;
}

void EncodeRecord(const char* payload, uint32_t n, bool critical, uint8_t* out) {
  std::memcpy(out, kMagic, 4);
  PutU32(out + 4, n);
  out[12] = critical ? 1 : 0;
  std::memcpy(out + kHeaderBytes, payload, n);
  PutU32(out + 8, Crc(out + 12, n + 1));
}

bool operator<(const Cursor& a, const Cursor& b) {
  return a.segment != b.segment ? a.segment < b.segment : a.offset < b.offset;
}

std::string EncodeCursor(const Cursor& c) {
  uint8_t buf[24];
  std::memcpy(buf, kCursorMagic, 4);
  PutU64(buf + 4, c.segment);
  PutU64(buf + 12, c.offset);
  PutU32(buf + 20, Crc(buf, 20));
  return std::string(reinterpret_cast<const char*>(buf), sizeof(buf));
}

bool DecodeCursor(std::string_view bytes, Cursor* c) {
  if (bytes.size() != 24) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (std::memcmp(p, kCursorMagic, 4) != 0 || Crc(p, 20) != GetU32(p + 20)) return false;
  c->segment = GetU64(p + 4);
  c->offset = GetU64(p + 12);
  return true;
}

Queue::~Queue() { Close(); }

std::string Queue::SegmentPath(uint64_t number) const {
  char name[32];
  snprintf(name, sizeof(name), "seg-%016llu.glq", static_cast<unsigned long long>(number));
  return dir_ + "/" + name;
}

bool Queue::Open(const std::string& dir, const QueueLimits& limits, std::string* error,
                 std::vector<CorruptRange>* corrupt) {
  Close();
  dir_ = dir;
  limits_ = limits;
  if (limits_.segment_bytes == 0) {
    limits_.segment_bytes =
        std::max<uint64_t>(4096, std::min<uint64_t>(1u << 20, limits_.max_queue_bytes / 8));
  }
  // mkdir -p
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  }
  lock_fd_ = open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    *error = "cannot open " + dir + "/lock: " + std::strerror(errno);
    return false;
  }
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    *error = "queue folder " + dir + " is in use by another SDK instance (lock held)";
    close(lock_fd_);
    lock_fd_ = -1;
    return false;
  }
  unlink((dir + "/cursor.tmp").c_str());
  std::string bytes;
  if (!ReadSmallFile(dir + "/cursor", &bytes) || !DecodeCursor(bytes, &cursor_)) cursor_ = Cursor{};

  std::vector<uint64_t> numbers;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      uint64_t n;
      if (ParseSegmentName(e->d_name, &n)) numbers.push_back(n);
    }
    closedir(d);
  }
  std::sort(numbers.begin(), numbers.end());
  next_number_ = std::max<uint64_t>(1, cursor_.segment + 1);
  for (const uint64_t number : numbers) {
    next_number_ = std::max(next_number_, number + 1);
    const std::string path = SegmentPath(number);
    if (number < cursor_.segment) {
      unlink(path.c_str());
      continue;
    }
    auto seg = std::make_shared<Segment>();
    seg->number = number;
    seg->path = path;
    seg->fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    struct stat st;
    if (seg->fd < 0 || fstat(seg->fd, &st) != 0) continue;
    seg->capacity = static_cast<size_t>(st.st_size);
    if (seg->capacity > 0) {
      void* m = mmap(nullptr, seg->capacity, PROT_READ, MAP_SHARED, seg->fd, 0);
      if (m == MAP_FAILED) continue;
      seg->data = static_cast<uint8_t*>(m);
    }
    seg->end = seg->data ? CleanEnd(seg->data, seg->capacity) : 0;
    seg->head = number == cursor_.segment ? std::min<size_t>(cursor_.offset, seg->end) : 0;
    for (size_t pos = seg->head;;) {
      const ScanItem item = ScanAt(seg->data, pos, seg->capacity, seg->end);
      if (item.kind == ScanItem::kEnd) break;
      if (item.kind == ScanItem::kDamage) {
        if (corrupt) corrupt->push_back({number, item.offset, item.size});
      } else {
        seg->live_events++;
        seg->live_bytes += item.size;
        if (item.critical) {
          seg->live_critical_events++;
          seg->live_critical_bytes += item.size;
        }
      }
      pos += item.size;
    }
    if (seg->live_events == 0) {
      unlink(path.c_str());
      continue;
    }
    live_events_ += seg->live_events;
    live_bytes_ += seg->live_bytes;
    live_critical_events_ += seg->live_critical_events;
    live_critical_bytes_ += seg->live_critical_bytes;
    segments_.push_back(std::move(seg));
  }
  return true;
}

void Queue::Close() {
  for (auto& seg : segments_) {
    if (seg->dirty && seg->fd >= 0) fdatasync(seg->fd);
    seg->dirty = false;
  }
  segments_.clear();  // the live counts stay: what is left for the next start
  if (lock_fd_ >= 0) {
    close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
}

bool Queue::Rotate(size_t need) {
  if (!segments_.empty()) segments_.back()->writable = false;
  auto seg = std::make_shared<Segment>();
  seg->number = next_number_++;
  seg->path = SegmentPath(seg->number);
  seg->capacity = std::max<size_t>(limits_.segment_bytes, need);
  seg->fd = open(seg->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (seg->fd < 0) return false;
  // Real blocks, so a write through the mapping cannot SIGBUS on a full disk.
  int rc = posix_fallocate(seg->fd, 0, static_cast<off_t>(seg->capacity));
  if (rc == EOPNOTSUPP || rc == EINVAL) rc = ftruncate(seg->fd, static_cast<off_t>(seg->capacity));
  void* m = rc == 0 ? mmap(nullptr, seg->capacity, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_POPULATE, seg->fd, 0)
                    : MAP_FAILED;
  if (m == MAP_FAILED) {
    unlink(seg->path.c_str());
    return false;
  }
  seg->data = static_cast<uint8_t*>(m);
  seg->writable = true;
  seg->trusted = true;
  segments_.push_back(std::move(seg));
  return true;
}

void Queue::Forget(Segment* seg) {
  live_events_ -= seg->live_events;
  live_bytes_ -= seg->live_bytes;
  live_critical_events_ -= seg->live_critical_events;
  live_critical_bytes_ -= seg->live_critical_bytes;
  seg->live_events = seg->live_bytes = seg->live_critical_events = seg->live_critical_bytes = 0;
  seg->removed = true;
}

bool Queue::AppendRecord(const uint8_t* record, size_t size, bool critical, bool copy) {
  Segment* seg =
      segments_.empty() || !segments_.back()->writable ? nullptr : segments_.back().get();
  if (seg == nullptr || seg->end + size > seg->capacity) {
    if (!Rotate(size)) return false;
    seg = segments_.back().get();
  }
  if (copy) std::memcpy(seg->data + seg->end, record, size);
  seg->end += size;
  seg->dirty = true;
  seg->live_events++;
  seg->live_bytes += size;
  live_events_++;
  live_bytes_ += size;
  if (critical) {
    seg->live_critical_events++;
    seg->live_critical_bytes += size;
    live_critical_events_++;
    live_critical_bytes_ += size;
  }
  return true;
}

void Queue::Evict(size_t i, bool keep_critical, Dropped* dropped) {
  std::shared_ptr<Segment> seg = segments_[i];
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(i));
  const size_t head = seg->head;
  Forget(seg.get());
  if (cursor_.segment == seg->number) {
    cursor_ = Cursor{i < segments_.size() ? segments_[i]->number : next_number_, 0};
  }
  for (size_t pos = head;;) {
    const ScanItem item = ScanAt(seg->data, pos, seg->capacity, seg->end);
    if (item.kind == ScanItem::kEnd) break;
    if (item.kind == ScanItem::kRecord) {
      if (item.critical && keep_critical) {
        if (!AppendRecord(seg->data + pos, item.size, true, true)) dropped->critical_events++;
      } else if (item.critical) {
        dropped->critical_events++;
      } else {
        dropped->events++;
      }
    }
    pos += item.size;
  }
  unlink(seg->path.c_str());
}

bool Queue::MakeRoom(size_t record_bytes, bool critical, Dropped* dropped) {
  // Each pass drops one segment or rotates once, so this ends.
  for (size_t guard = segments_.size() * 2 + 4; guard > 0; --guard) {
    bool over;
    if (critical) {
      over = live_critical_bytes_ + record_bytes > limits_.max_critical_bytes;
    } else {
      over = live_bytes_ - live_critical_bytes_ + record_bytes > limits_.max_queue_bytes ||
             live_events_ - live_critical_events_ + 1 > limits_.max_queue_events;
    }
    if (!over) return true;
    auto holds = [critical](const Segment& s) {
      return critical ? s.live_critical_events > 0 : s.live_events > s.live_critical_events;
    };
    size_t victim = segments_.size();
    for (size_t i = 0; i < segments_.size(); ++i) {
      if (holds(*segments_[i])) {
        victim = i;
        break;
      }
    }
    if (victim == segments_.size()) return true;  // nothing of that kind to drop
    if (segments_[victim]->writable) {
      // The oldest such records are in the segment being written: close it first.
      if (!Rotate(record_bytes)) return false;
      continue;
    }
    Evict(victim, /*keep_critical=*/!critical, dropped);
  }
  return true;
}

bool Queue::Append(std::string_view payload, bool critical, Dropped* dropped) {
  if (lock_fd_ < 0 || payload.empty() || payload.size() > kMaxPayload) return false;
  const size_t size = kHeaderBytes + payload.size();
  if (!MakeRoom(size, critical, dropped)) return false;
  Segment* seg =
      segments_.empty() || !segments_.back()->writable ? nullptr : segments_.back().get();
  if (seg == nullptr || seg->end + size > seg->capacity) {
    if (!Rotate(size)) return false;
    seg = segments_.back().get();
  }
  EncodeRecord(payload.data(), static_cast<uint32_t>(payload.size()), critical,
               seg->data + seg->end);
  return AppendRecord(nullptr, size, critical, false);
}

void Queue::PendingSegments(std::vector<SegmentView>* out) const {
  out->clear();
  for (const auto& seg : segments_) {
    if (seg->live_events > 0) out->push_back(SegmentView{seg, seg->head, seg->end});
  }
}

bool Queue::Ack(const RecordRef* refs, size_t count) {
  bool moved = false;
  for (size_t i = 0; i < count; ++i) {
    Segment* seg = refs[i].segment.get();
    if (seg->removed || refs[i].offset < seg->head) continue;
    seg->head = refs[i].offset + refs[i].size;
    seg->live_events--;
    seg->live_bytes -= refs[i].size;
    live_events_--;
    live_bytes_ -= refs[i].size;
    if (refs[i].critical) {
      seg->live_critical_events--;
      seg->live_critical_bytes -= refs[i].size;
      live_critical_events_--;
      live_critical_bytes_ -= refs[i].size;
    }
    const Cursor c{seg->number, seg->head};
    if (cursor_ < c) {
      cursor_ = c;
      moved = true;
    }
  }
  return moved;
}

void Queue::TakeFinished(std::vector<std::shared_ptr<Segment>>* out) {
  while (!segments_.empty() && !segments_.front()->writable &&
         segments_.front()->live_events == 0) {
    segments_.front()->removed = true;
    out->push_back(std::move(segments_.front()));
    segments_.erase(segments_.begin());
  }
}

void Queue::TakeDirty(std::vector<std::shared_ptr<Segment>>* out) {
  for (const auto& seg : segments_) {
    if (seg->dirty) {
      seg->dirty = false;
      out->push_back(seg);
    }
  }
}

void Queue::Clear() {
  for (auto& seg : segments_) {
    Forget(seg.get());
    unlink(seg->path.c_str());
  }
  segments_.clear();
  unlink((dir_ + "/cursor").c_str());
  cursor_ = Cursor{next_number_, 0};
}

}  // namespace gamelake::internal
