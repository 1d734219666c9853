#include "ingest/event_deduper.h"

#include <simdjson.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/json_unescape.h"
#include "ingest/event_id_index.h"
#include "lake/lake_files.h"
#include "lake/lake_layout.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

constexpr size_t kInitialRing = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index of the closing quote of the string whose opening quote is at s[open].
size_t StringEnd(std::string_view s, size_t open) {
  size_t i = open + 1;
  for (;;) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (q == nullptr) return s.size();
    size_t at = static_cast<const char*>(q) - s.data();
    size_t backslashes = 0;
    while (at - backslashes > open + 1 && s[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at;
    i = at + 1;
  }
}

// Index just past the (valid) JSON value starting at s[i].
size_t SkipValue(std::string_view s, size_t i) {
  const size_t n = s.size();
  if (i >= n) return n;
  char c = s[i];
  if (c == '"') return StringEnd(s, i) + 1;
  if (c == '{' || c == '[') {
    int depth = 0;
    while (i < n) {
      c = s[i];
      if (c == '"') {
        i = StringEnd(s, i) + 1;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return n;
  }
  while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsSpace(s[i])) ++i;
  return i;
}

// The id in the value starting at r[i]: a non-empty string (unescaped) or an
// integer (its digits, "-0" as "0"); false for any other value.
bool ParseIdValue(std::string_view r, size_t i, std::string* scratch, EventId* id) {
  const size_t n = r.size();
  const char c = r[i];
  if (c == '"') {
    const size_t end = StringEnd(r, i);
    std::string_view body = r.substr(i + 1, end - i - 1);
    if (body.empty()) return false;
    if (body.find('\\') != std::string_view::npos) {
      JsonUnescape(body, scratch);
      body = *scratch;
    }
    id->type = EventId::Type::kString;
    id->value = body;
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    size_t end = i + 1;
    while (end < n && r[end] >= '0' && r[end] <= '9') ++end;
    if (end < n && (r[end] == '.' || r[end] == 'e' || r[end] == 'E')) return false;
    std::string_view digits = r.substr(i, end - i);
    if (digits == "-0") digits = "0";
    id->type = EventId::Type::kInteger;
    id->value = digits;
    return true;
  }
  return false;  // null, true, false, object, array.
}

uint64_t Fmix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Two independent 64-bit lanes over the bytes (non-cryptographic; seeded).
void Hash2(std::string_view bytes, uint64_t seed1, uint64_t seed2, uint64_t* a_out,
           uint64_t* b_out) {
  uint64_t a = seed1 ^ (bytes.size() * 0x9E3779B97F4A7C15ULL);
  uint64_t b = seed2 ^ (bytes.size() * 0xC2B2AE3D27D4EB4FULL);
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    a = std::rotl((a ^ w) * 0x87C37B91114253D5ULL, 31);
    b = std::rotl((b ^ w) * 0x4CF5AD432745937FULL, 27) + a;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  a = Fmix(a ^ (w * 0x87C37B91114253D5ULL) ^ n);
  b = Fmix(b ^ (w * 0x4CF5AD432745937FULL) ^ a);
  *a_out = a;
  *b_out = b;
}

template <typename T>
bool ParseNumber(const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

// True if [first, last] lies within the union of `ranges`.
bool IsCovered(std::vector<std::pair<uint64_t, uint64_t>> ranges, uint64_t first, uint64_t last) {
  std::sort(ranges.begin(), ranges.end());
  uint64_t next = first;  // Everything below it is covered.
  for (const auto& [a, b] : ranges) {
    if (a > next) break;
    if (b >= next) {
      if (b >= last) return true;
      next = b + 1;
    }
  }
  return false;
}

// Calls fn(table-relative dir, name) for each file below <lake>/<table>.
Status ForEachLakeFile(Env* env, const std::string& lake_dir, const std::string& table,
                       const std::function<void(const std::string&, const std::string&)>& fn,
                       const std::string& rel_dir = "") {
  std::string dir = JoinPath(JoinPath(lake_dir, table), rel_dir);
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok()) return Status::OK();  // A file, or gone meanwhile.
  for (const std::string& name : *names) {
    if (name.empty() || name.front() == '.') continue;
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    if (env->ListDir(JoinPath(dir, name)).ok()) {
      GL_RETURN_IF_ERROR(ForEachLakeFile(env, lake_dir, table, fn, rel));
    } else {
      fn(rel_dir, name);
    }
  }
  return Status::OK();
}

// A stored id as DuckDB renders it, given the column's type.
bool IdFromLake(const std::string& type, const std::string& text, std::string* scratch,
                simdjson::dom::parser* json, EventId* id) {
  if (type == "VARCHAR") {
    if (text.empty()) return false;
    id->type = EventId::Type::kString;
    id->value = text;
    return true;
  }
  if (type == "BIGINT" || type == "UBIGINT" || type == "INTEGER" || type == "HUGEINT") {
    id->type = EventId::Type::kInteger;
    id->value = text == "-0" ? std::string_view("0") : std::string_view(text);
    return true;
  }
  if (type != "JSON") return false;
  // Mixed types or wide integers: the value's JSON text.
  simdjson::dom::element e;
  if (json->parse(text).get(e) != simdjson::SUCCESS) return false;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    if (s.empty()) return false;
    scratch->assign(s);
    id->type = EventId::Type::kString;
    id->value = *scratch;
    return true;
  }
  int64_t i = 0;
  uint64_t u = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *scratch = std::to_string(i);
  } else if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *scratch = std::to_string(u);
  } else {
    return false;
  }
  id->type = EventId::Type::kInteger;
  id->value = *scratch;
  return true;
}

}  // namespace

// ---------------------------------------------------------------- extractor

EventIdExtractor::EventIdExtractor(std::string field) : field_(std::move(field)) {
  if (!field_.empty()) needle_ = "\"" + field_ + "\"";
}

bool EventIdExtractor::Extract(std::string_view r, std::string* scratch, EventId* id) const {
  if (field_.empty() || r.size() < field_.size() + 5) return false;
  // Fast path: most records without an id never get past this. A key spelled
  // with escapes ("event\u005fid") cannot be found literally, but then the
  // record holds a backslash.
  if (::memmem(r.data(), r.size(), needle_.data(), needle_.size()) == nullptr &&
      std::memchr(r.data(), '\\', r.size()) == nullptr) {
    return false;
  }
  const size_t n = r.size();
  size_t i = 0;
  while (i < n && IsSpace(r[i])) ++i;
  if (i >= n || r[i] != '{') return false;
  ++i;
  std::string key_scratch;
  for (;;) {
    while (i < n && IsSpace(r[i])) ++i;
    if (i >= n || r[i] != '"') return false;  // '}' (end) or malformed.
    const size_t key_end = StringEnd(r, i);
    std::string_view key = r.substr(i + 1, key_end - i - 1);
    if (key.find('\\') != std::string_view::npos) {
      JsonUnescape(key, &key_scratch);
      key = key_scratch;
    }
    i = key_end + 1;
    while (i < n && IsSpace(r[i])) ++i;
    if (i >= n || r[i] != ':') return false;
    ++i;
    while (i < n && IsSpace(r[i])) ++i;
    if (i >= n) return false;
    if (key == field_) return ParseIdValue(r, i, scratch, id);
    i = SkipValue(r, i);
    while (i < n && IsSpace(r[i])) ++i;
    if (i >= n || r[i] != ',') return false;
    ++i;
  }
}

// ---------------------------------------------------------------- deduper

EventDeduper::EventDeduper(EventDeduperOptions options)
    : options_(std::move(options)), seed1_(RandomSeed()), seed2_(RandomSeed()) {
  if (options_.metrics != nullptr) {
    duplicates_ = options_.metrics->AddCounter(
        "gamelake_dedupe_duplicates_total",
        "Records acknowledged without being stored again: their event id was already stored "
        "(or being stored)");
    evictions_metric_ = options_.metrics->AddCounter(
        "gamelake_dedupe_evictions_total",
        "Event ids forgotten before their window ended because the table was full");
    entries_gauge_ = options_.metrics->AddGauge("gamelake_dedupe_entries",
                                                "Event ids remembered for deduplication");
  }
}

EventDeduper::~EventDeduper() = default;

EventKey EventDeduper::Key(std::string_view stream, const EventId& id) const {
  // Length-prefixed stream, a type byte, then the id: unambiguous.
  thread_local std::string buf;
  buf.clear();
  const uint32_t len = static_cast<uint32_t>(stream.size());
  buf.append(reinterpret_cast<const char*>(&len), sizeof(len));
  buf.append(stream);
  buf.push_back(id.type == EventId::Type::kString ? 's' : 'i');
  buf.append(id.value);
  uint64_t a = 0;
  uint64_t b = 0;
  Hash2(buf, seed1_, seed2_, &a, &b);
  return EventKey{a, static_cast<uint32_t>(b)};
}

int64_t EventDeduper::NowS() const { return options_.env->NowMicros() / 1'000'000; }

bool EventDeduper::Live(const Entry& e, int64_t now_s) const {
  return static_cast<int64_t>(e.time_s) + options_.window_s >= now_s;
}

size_t EventDeduper::FindSlot(const EventKey& key) const {
  if (index_.empty()) return SIZE_MAX;
  const size_t mask = index_.size() - 1;
  const uint64_t tag = key.h1 & 0xFFFFFFFFu;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const uint64_t s = index_[i];
    if (s == 0) return SIZE_MAX;
    if ((s >> 32) == tag) {
      const Entry& e = ring_[(s & 0xFFFFFFFFu) - 1];
      if (e.h1 == key.h1 && e.h2 == key.h2) return i;
    }
  }
}

void EventDeduper::RebuildIndex(size_t index_capacity) {
  index_.assign(index_capacity, 0);
  const size_t mask = index_capacity - 1;
  for (size_t k = 0; k < size_; ++k) {
    const size_t pos = (head_ + k) % ring_.size();
    if (ring_[pos].time_s == 0) continue;  // Dead.
    const uint64_t tag = ring_[pos].h1 & 0xFFFFFFFFu;
    size_t i = tag & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = (tag << 32) | (pos + 1);
  }
}

void EventDeduper::Grow() {
  const size_t cap = std::min<size_t>(std::max(kInitialRing, ring_.size() * 2),
                                      static_cast<size_t>(options_.max_entries));
  std::vector<Entry> ring(cap);
  for (size_t k = 0; k < size_; ++k) ring[k] = ring_[(head_ + k) % ring_.size()];
  ring_.swap(ring);
  head_ = 0;
  // Load factor at most 2/3 once the ring is full.
  RebuildIndex(std::bit_ceil(cap + cap / 2 + 1));
}

void EventDeduper::RemoveSlot(size_t slot) {
  const size_t mask = index_.size() - 1;
  size_t hole = slot;
  for (size_t j = (hole + 1) & mask; index_[j] != 0; j = (j + 1) & mask) {
    const size_t home = (index_[j] >> 32) & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      index_[hole] = index_[j];
      hole = j;
    }
  }
  index_[hole] = 0;
  --indexed_;
}

void EventDeduper::PopFront() {
  const Entry& e = ring_[head_];
  if (e.time_s != 0) {
    const size_t slot = FindSlot(EventKey{e.h1, e.h2});
    if (slot != SIZE_MAX && ((index_[slot] & 0xFFFFFFFFu) - 1) == head_) RemoveSlot(slot);
  }
  head_ = (head_ + 1) % ring_.size();
  --size_;
}

void EventDeduper::ExpireLocked(int64_t now_s) {
  while (size_ > 0 && (ring_[head_].time_s == 0 || !Live(ring_[head_], now_s))) PopFront();
}

void EventDeduper::Insert(const EventKey& key, uint64_t seq, int64_t time_s) {
  const uint32_t t = static_cast<uint32_t>(std::clamp<int64_t>(time_s, 1, UINT32_MAX));
  const size_t found = FindSlot(key);
  if (found != SIZE_MAX) {
    // Known but out of the window (out-of-order time): refresh it in place.
    Entry& e = At(found);
    if ((e.seq & kPending) == 0 && !Live(e, time_s)) {
      e.seq = seq;
      e.time_s = t;
    }
    return;
  }
  if (options_.max_entries == 0) return;
  while (size_ >= options_.max_entries) {
    const bool live = ring_[head_].time_s != 0;
    PopFront();
    if (live) {
      // An entry still in flight can be evicted too (only when the whole table
      // is younger than a group commit); its retries are then stored again.
      ++evictions_;
      if (evictions_metric_ != nullptr) evictions_metric_->Add();
    }
  }
  if (size_ == ring_.size()) Grow();
  const size_t pos = (head_ + size_) % ring_.size();
  ring_[pos] = Entry{key.h1, seq, key.h2, t};
  ++size_;
  const size_t mask = index_.size() - 1;
  const uint64_t tag = key.h1 & 0xFFFFFFFFu;
  size_t i = tag & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = (tag << 32) | (pos + 1);
  ++indexed_;
}

void EventDeduper::PublishGauges() {
  if (entries_gauge_ != nullptr) entries_gauge_->Set(static_cast<double>(indexed_));
}

void EventDeduper::SetHorizon(std::string_view stream, int64_t cutoff_us) {
  MutexLock lock(&mu_);
  auto it = horizons_.find(stream);
  int64_t cutoff_s = cutoff_us / 1'000'000;
  if (it == horizons_.end()) {
    horizons_.emplace(std::string(stream), cutoff_s);
  } else {
    it->second = std::max(it->second, cutoff_s);
  }
}

void EventDeduper::Begin(std::string_view stream, std::span<const std::optional<EventKey>> keys,
                         std::shared_ptr<const WaitFn> on_original, Claim* claim) {
  claim->verdicts.assign(keys.size(), Verdict::kNoId);
  claim->seqs.assign(keys.size(), 0);
  claim->new_keys.clear();
  claim->new_count = 0;
  claim->wait_count = 0;
  uint64_t repeats = 0;
  const int64_t now_s = NowS();
  {
    MutexLock lock(&mu_);
    claim->ticket = next_ticket_++;
    const uint64_t mine = kPending | claim->ticket;
    ExpireLocked(now_s);
    int64_t horizon_s = 0;
    if (auto h = horizons_.find(stream); h != horizons_.end()) horizon_s = h->second;
    for (size_t r = 0; r < keys.size(); ++r) {
      if (!keys[r]) continue;
      const EventKey& key = *keys[r];
      const size_t slot = FindSlot(key);
      if (slot != SIZE_MAX) {
        Entry& e = At(slot);
        if (e.seq == mine) {
          claim->verdicts[r] = Verdict::kSameBatch;
          ++repeats;
          continue;
        }
        if ((e.seq & kPending) != 0) {
          claim->verdicts[r] = Verdict::kInFlight;
          waiters_[key].emplace_back(on_original, r);
          ++claim->wait_count;
          ++repeats;
          continue;
        }
        if (Live(e, now_s) && static_cast<int64_t>(e.time_s) >= horizon_s) {
          claim->verdicts[r] = Verdict::kDuplicate;
          claim->seqs[r] = e.seq;
          ++repeats;
          continue;
        }
        // Remembered but out of the window (out-of-order time) or past the
        // stream's retention: claim it in place.
        e.seq = mine;
        e.time_s = static_cast<uint32_t>(std::clamp<int64_t>(now_s, 1, UINT32_MAX));
      } else {
        Insert(key, mine, now_s);
      }
      claim->verdicts[r] = Verdict::kNew;
      claim->new_keys.push_back(key);
      ++claim->new_count;
    }
    PublishGauges();
  }
  if (duplicates_ != nullptr && repeats > 0) duplicates_->Add(repeats);
}

void EventDeduper::Complete(const Claim& claim, const Status& status,
                            std::span<const uint64_t> new_seqs) {
  std::vector<Waiter> waiters;
  std::vector<uint64_t> waiter_seqs;
  const int64_t now_s = NowS();
  {
    MutexLock lock(&mu_);
    const uint64_t mine = kPending | claim.ticket;
    for (size_t k = 0; k < claim.new_keys.size(); ++k) {
      const EventKey& key = claim.new_keys[k];
      const uint64_t seq = k < new_seqs.size() ? new_seqs[k] : 0;
      const size_t slot = FindSlot(key);
      if (slot != SIZE_MAX && At(slot).seq == mine) {
        Entry& e = At(slot);
        if (status.ok()) {
          e.seq = seq;
          e.time_s = static_cast<uint32_t>(std::clamp<int64_t>(now_s, 1, UINT32_MAX));
        } else {
          e.time_s = 0;  // Dead: forgotten, so a later retry is stored.
          RemoveSlot(slot);
        }
      } else if (slot == SIZE_MAX && status.ok()) {
        Insert(key, seq, now_s);  // Evicted while in flight.
      }
      if (!waiters_.empty()) {
        auto it = waiters_.find(key);
        if (it != waiters_.end()) {
          for (Waiter& w : it->second) {
            waiters.push_back(std::move(w));
            waiter_seqs.push_back(seq);
          }
          waiters_.erase(it);
        }
      }
    }
    PublishGauges();
  }
  for (size_t w = 0; w < waiters.size(); ++w) {
    (*waiters[w].first)(waiters[w].second, status, status.ok() ? waiter_seqs[w] : 0);
  }
}

void EventDeduper::Add(const EventKey& key, uint64_t seq, int64_t time_us) {
  const int64_t time_s = time_us / 1'000'000;
  const int64_t now_s = NowS();
  MutexLock lock(&mu_);
  if (time_s + options_.window_s < now_s) return;
  Insert(key, seq, time_s);
  PublishGauges();
}

size_t EventDeduper::size() const {
  MutexLock lock(&mu_);
  return indexed_;
}

uint64_t EventDeduper::evictions() const {
  MutexLock lock(&mu_);
  return evictions_;
}

bool EventDeduper::Contains(const EventKey& key) const {
  MutexLock lock(&mu_);
  const size_t slot = FindSlot(key);
  return slot != SIZE_MAX && (At(slot).seq & kPending) == 0 && Live(At(slot), NowS());
}

// ---------------------------------------------------------------- rebuild

Status EventDeduper::Rebuild(Wal* wal, const std::string& lake_dir, const std::string& index_dir,
                             const EventIdExtractor& extractor,
                             const std::string& duckdb_memory_limit) {
  if (!extractor.enabled() || options_.max_entries == 0) return Status::OK();
  std::vector<Loaded> loaded;
  if (wal != nullptr) GL_RETURN_IF_ERROR(LoadFromLog(wal, extractor, &loaded));
  const size_t from_log = loaded.size();
  Covered covered;
  if (!index_dir.empty()) GL_RETURN_IF_ERROR(LoadFromIndex(index_dir, &loaded, &covered));
  const size_t from_index = loaded.size() - from_log;
  GL_RETURN_IF_ERROR(LoadFromLake(lake_dir, extractor, duckdb_memory_limit, covered, &loaded));
  // Oldest first, so the ring stays in time order and eviction drops the oldest.
  std::stable_sort(loaded.begin(), loaded.end(),
                   [](const Loaded& a, const Loaded& b) { return a.time_us < b.time_us; });
  if (loaded.size() > options_.max_entries) {
    loaded.erase(loaded.begin(), loaded.end() - static_cast<ptrdiff_t>(options_.max_entries));
  }
  for (const Loaded& l : loaded) Add(l.key, l.seq, l.time_us);
  spdlog::info(
      "msg=\"dedupe: event ids rebuilt\" from_log={} from_index={} from_lake={} entries={}",
      from_log, from_index, loaded.size() - std::min(from_log + from_index, loaded.size()), size());
  return Status::OK();
}

Status EventDeduper::LoadFromIndex(const std::string& index_dir, std::vector<Loaded>* out,
                                   Covered* covered) {
  Env* env = options_.env;
  const int64_t cutoff_us = (NowS() - options_.window_s) * 1'000'000;
  GL_ASSIGN_OR_RETURN(std::vector<IndexFile> files, EventIdIndex::List(env, index_dir));
  for (const IndexFile& f : files) {
    Result<int64_t> newest = EventIdIndex::NewestTime(env, f.path);
    if (newest.ok() && *newest < cutoff_us) {
      // Nothing in it is still in the window; its range counts as covered.
      (*covered)[f.stream].emplace_back(f.first_seq, f.last_seq);
      (void)env->RemoveFile(f.path);
      continue;
    }
    Result<std::vector<IndexedId>> ids = EventIdIndex::Read(env, f.path);
    if (!ids.ok()) {
      // Its range is read from the lake instead.
      spdlog::error("msg=\"dedupe: unreadable event id index; using the lake\" error=\"{}\"",
                    ids.status().ToString());
      (void)env->RemoveFile(f.path);
      continue;
    }
    (*covered)[f.stream].emplace_back(f.first_seq, f.last_seq);
    for (const IndexedId& id : *ids) {
      out->push_back(Loaded{Key(f.stream, EventId{id.type, id.value}), id.seq, id.time_us});
    }
  }
  return Status::OK();
}

Status EventDeduper::LoadFromLog(Wal* wal, const EventIdExtractor& extractor,
                                 std::vector<Loaded>* out) {
  std::unique_ptr<Wal::Cursor> cursor = wal->NewCursor(wal->first_seq());
  std::string scratch;
  LogRecord rec;
  for (;;) {
    Result<bool> more = cursor->Next(&rec);
    if (!more.ok()) return more.status().WithContext("reading the log for event ids");
    if (!more.value()) break;
    if (rec.stream.empty() || rec.stream.front() == '_') continue;
    EventId id;
    if (!extractor.Extract(rec.payload, &scratch, &id)) continue;
    out->push_back(Loaded{Key(rec.stream, id), rec.seq, rec.ingest_time_us});
  }
  return Status::OK();
}

Status EventDeduper::LoadFromLake(const std::string& lake_dir, const EventIdExtractor& extractor,
                                  const std::string& duckdb_memory_limit, const Covered& covered,
                                  std::vector<Loaded>* out) {
  Env* env = options_.env;
  if (!env->FileExists(lake_dir)) return Status::OK();
  const int64_t cutoff_us = (NowS() - options_.window_s) * 1'000'000;
  // Files of the hours (and days) overlapping the window, newest first, that
  // no index file covers: those delivered before the index existed.
  struct Source {
    int64_t end_us;
    std::string stream;
    std::string path;
  };
  std::vector<Source> sources;
  GL_ASSIGN_OR_RETURN(std::vector<std::string> streams, ListTables(env, lake_dir));
  for (const std::string& stream : streams) {
    if (stream.front() == '_') continue;
    GL_RETURN_IF_ERROR(ForEachLakeFile(
        env, lake_dir, stream, [&](const std::string& rel_dir, const std::string& name) {
          std::optional<LakePartition> p = ParsePartitionDir(rel_dir);
          if (!p || p->end_us() <= cutoff_us || !name.ends_with(".parquet")) return;
          if (std::optional<LakeFileName> n = ParseLakeFileName(stream, name)) {
            auto it = covered.find(stream);
            if (it != covered.end() && IsCovered(it->second, n->first_seq, n->last_seq)) return;
          }
          sources.push_back(Source{p->end_us(), stream,
                                   JoinPath(JoinPath(JoinPath(lake_dir, stream), rel_dir), name)});
        }));
  }
  if (sources.empty()) return Status::OK();
  std::stable_sort(sources.begin(), sources.end(),
                   [](const Source& a, const Source& b) { return a.end_us > b.end_us; });
  DuckDbOptions db_options;
  db_options.memory_limit = duckdb_memory_limit;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<DuckDb> db, DuckDb::Open(db_options));
  const size_t limit = out->size() + options_.max_entries;
  for (const Source& source : sources) {
    if (out->size() >= limit) break;
    GL_RETURN_IF_ERROR(LoadLakeFile(db.get(), source.stream, source.path, extractor, out));
  }
  return Status::OK();
}

Status EventDeduper::LoadLakeFile(DuckDb* db, const std::string& stream, const std::string& path,
                                  const EventIdExtractor& extractor, std::vector<Loaded>* out) {
  const std::string source = "read_parquet(" + QuoteLiteral(path) + ", hive_partitioning = false)";
  auto columns =
      db->Query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + source + ")");
  if (!columns.ok()) return columns.status().WithContext("reading event ids from " + path);
  std::string type;
  for (const auto& row : columns.value().rows) {
    if (row.size() == 2 && row[0] && *row[0] == extractor.field() && row[1]) type = *row[1];
  }
  if (type.empty()) return Status::OK();  // No record in this file had an id.
  auto rows = db->Query("SELECT " + QuoteIdentifier(extractor.field()) +
                        ", epoch_us(_ingest_time), _record_id FROM " + source + " WHERE " +
                        QuoteIdentifier(extractor.field()) + " IS NOT NULL");
  if (!rows.ok()) return rows.status().WithContext("reading event ids from " + path);
  simdjson::dom::parser json;
  std::string scratch;
  for (const auto& row : rows.value().rows) {
    if (row.size() != 3 || !row[0] || !row[1] || !row[2]) continue;
    EventId id;
    if (!IdFromLake(type, *row[0], &scratch, &json, &id)) continue;
    uint64_t seq = 0;
    int64_t time_us = 0;
    if (!ParseNumber(*row[2], &seq) || !ParseNumber(*row[1], &time_us)) continue;
    out->push_back(Loaded{Key(stream, id), seq, time_us});
  }
  return Status::OK();
}

}  // namespace gamelake
