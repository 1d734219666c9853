#include "query/live_tail.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "delivery/schema_inferrer.h"

namespace gamelake {

namespace {
constexpr int64_t kPollUs = 20'000;

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

struct LiveTail::Stream {
  std::vector<std::shared_ptr<const TailChunk>> sealed;
  std::shared_ptr<TailChunk> open;
  SchemaInferrer inferrer;
  std::string type_text;      // RecordType().ToString() last published.
  uint64_t inferred_seq = 0;  // Every record up to this seq was inferred (or trimmed).
  bool inferred_since_check = false;
  bool broken = false;  // The inferrer rejected a record: stop inferring.
};

LiveTail::LiveTail(Wal* wal, const std::map<std::string, uint64_t>& start_seqs,
                   LiveTailOptions options)
    : wal_(wal), options_(std::move(options)) {
  for (const auto& [stream, seq] : start_seqs) floors_[stream] = seq;
  cursor_ = wal_->NewCursor(wal_->first_seq());
  thread_ = std::thread([this] { Run(); });
}

LiveTail::~LiveTail() { Stop(); }

void LiveTail::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  caught_up_cv_.SignalAll();
}

void LiveTail::Run() {
  uint64_t window_start_us = SteadyUs();
  uint64_t inferred_in_window = 0;
  while (!stop_.load()) {
    uint64_t durable = wal_->durable_seq();
    bool schema_changed = false;
    bool any = false;
    {
      MutexLock lock(&mu_);
      for (int i = 0; i < 4096; ++i) {
        LogRecord record;
        Result<bool> next = cursor_->Next(&record);
        if (!next.ok()) {
          spdlog::error("msg=\"live tail cannot read the log\" error=\"{}\"",
                        next.status().ToString());
          break;
        }
        if (!*next) {
          copied_seq_ = std::max(copied_seq_, durable);
          break;
        }
        any = true;
        auto floor = floors_.find(record.stream);
        if (floor != floors_.end() && record.seq <= floor->second) {
          copied_seq_ = std::max(copied_seq_, record.seq + 1);
          continue;
        }
        Stream* s;
        auto it = streams_.find(record.stream);
        if (it == streams_.end()) {
          it = streams_.emplace(std::string(record.stream), std::make_unique<Stream>()).first;
          schema_changed = true;
        }
        s = it->second.get();
        if (!s->open) s->open = std::make_shared<TailChunk>();
        TailChunk& c = *s->open;
        if (c.offsets.empty()) c.offsets.push_back(0);
        c.seqs.push_back(record.seq);
        c.ingest_us.push_back(record.ingest_time_us);
        c.text.append(record.payload);
        c.offsets.push_back(static_cast<uint32_t>(c.text.size()));
        bytes_ += record.payload.size() + 24;
        if (c.seqs.size() >= kTailChunkRecords) Seal(s);
        copied_seq_ = std::max(copied_seq_, record.seq + 1);
      }
      // Learn the records' types in seq order, within the budget: under heavy
      // load inference falls behind and catches up later (records delivered
      // meanwhile need none: their files have the columns).
      uint64_t now = SteadyUs();
      if (now - window_start_us > 1'000'000) {
        window_start_us = now;
        inferred_in_window = 0;
      }
      for (auto& [name, s] : streams_) {
        if (inferred_in_window < options_.inference_budget) {
          inferred_in_window += Infer(s.get(), options_.inference_budget - inferred_in_window);
        }
      }
      for (auto& [name, s] : streams_) {
        if (!s->inferred_since_check) continue;
        s->inferred_since_check = false;
        std::string text = s->inferrer.RecordType().ToString();
        if (text != s->type_text) {
          s->type_text = std::move(text);
          ++schema_version_;
          schema_changed = true;
        }
      }
      EnforceLimit();
    }
    caught_up_cv_.SignalAll();
    if (schema_changed && options_.on_schema_change) options_.on_schema_change();
    if (!any) wal_->WaitForDurable(durable, kPollUs);
  }
}

uint64_t LiveTail::Infer(Stream* s, uint64_t budget) {
  if (s->broken) return 0;
  uint64_t done = 0;
  auto infer_chunk = [&](const TailChunk& c) {
    if (c.seqs.empty() || c.seqs.back() <= s->inferred_seq) return;
    size_t i = std::upper_bound(c.seqs.begin(), c.seqs.end(), s->inferred_seq) - c.seqs.begin();
    for (; i < c.seqs.size() && done < budget && !s->broken; ++i, ++done) {
      std::string_view record(c.text.data() + c.offsets[i], c.offsets[i + 1] - c.offsets[i]);
      if (!s->inferrer.AddRecord(record).ok()) {
        s->broken = true;
      } else {
        s->inferred_since_check = true;
      }
      s->inferred_seq = c.seqs[i];
    }
  };
  for (const auto& c : s->sealed) {
    if (done >= budget) break;
    infer_chunk(*c);
  }
  if (s->open && done < budget) infer_chunk(*s->open);
  return done;
}

void LiveTail::Seal(Stream* s) {
  if (!s->open || s->open->seqs.empty()) return;
  s->sealed.push_back(std::move(s->open));
  s->open.reset();
}

void LiveTail::EnforceLimit() {
  while (bytes_ > options_.max_bytes) {
    // Drop the oldest sealed chunk of the stream holding the oldest record.
    Stream* oldest = nullptr;
    uint64_t oldest_seq = UINT64_MAX;
    for (auto& [name, s] : streams_) {
      if (s->sealed.empty()) Seal(s.get());
      if (!s->sealed.empty() && s->sealed.front()->seqs.front() < oldest_seq) {
        oldest_seq = s->sealed.front()->seqs.front();
        oldest = s.get();
      }
    }
    if (oldest == nullptr) return;
    const TailChunk& c = *oldest->sealed.front();
    bytes_ -= std::min(bytes_, c.bytes());
    if (dropped_.fetch_add(c.seqs.size()) == 0) {
      spdlog::warn(
          "msg=\"live tail is over sql.tail_max_bytes: the oldest undelivered records are "
          "visible to SQL only once delivered\"");
    }
    oldest->sealed.erase(oldest->sealed.begin());
  }
}

void LiveTail::Trim(std::string_view stream, uint64_t up_to) {
  MutexLock lock(&mu_);
  auto floor = floors_.find(stream);
  if (floor == floors_.end()) {
    floors_.emplace(std::string(stream), up_to);
  } else {
    floor->second = std::max(floor->second, up_to);
  }
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  Stream& s = *it->second;
  while (!s.sealed.empty() && s.sealed.front()->seqs.back() <= up_to) {
    bytes_ -= std::min(bytes_, s.sealed.front()->bytes());
    s.sealed.erase(s.sealed.begin());
  }
  s.inferred_seq = std::max(s.inferred_seq, up_to);
  // A chunk straddling up_to stays; readers filter by seq.
  if (s.sealed.empty() && s.open && !s.open->seqs.empty() && s.open->seqs.back() <= up_to) {
    bytes_ -= std::min(bytes_, s.open->bytes());
    s.open.reset();
  }
}

std::shared_ptr<const TailPin> LiveTail::Pin() {
  auto pin = std::make_shared<TailPin>();
  MutexLock lock(&mu_);
  for (auto& [name, s] : streams_) {
    Seal(s.get());
    pin->streams.emplace(name, s->sealed);
  }
  return pin;
}

bool LiveTail::CatchUp(int64_t timeout_us) {
  uint64_t target = wal_->durable_seq();
  MutexLock lock(&mu_);
  return caught_up_cv_.WaitFor(&mu_, std::chrono::microseconds(timeout_us), [&]() GL_REQUIRES(mu_) {
    return copied_seq_ >= target || stop_.load();
  });
}

std::map<std::string, DuckType> LiveTail::Schemas(uint64_t* version) const {
  std::map<std::string, DuckType> out;
  MutexLock lock(&mu_);
  for (const auto& [name, s] : streams_) {
    if (s->inferrer.records() > 0 && !s->broken) out.emplace(name, s->inferrer.RecordType());
  }
  if (version != nullptr) *version = schema_version_;
  return out;
}

std::map<std::string, uint64_t> LiveTail::MaxSeqs() const {
  MutexLock lock(&mu_);
  std::map<std::string, uint64_t> out;
  for (const auto& [name, s] : streams_) {
    if (s->open && !s->open->seqs.empty()) {
      out[name] = s->open->seqs.back();
    } else if (!s->sealed.empty()) {
      out[name] = s->sealed.back()->seqs.back();
    }
  }
  return out;
}

uint64_t LiveTail::records() const {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  for (const auto& [name, s] : streams_) {
    for (const auto& c : s->sealed) n += c->seqs.size();
    if (s->open) n += s->open->seqs.size();
  }
  return n;
}

uint64_t LiveTail::bytes() const {
  MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace gamelake
