#include "query/tail_cache.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sql/duck_handles.h"

namespace gamelake {
namespace {

// The JSON bytes of the records of `chunks` with after < seq <= last.
uint64_t RecordBytes(const std::vector<std::shared_ptr<const TailChunk>>& chunks, uint64_t after,
                     uint64_t last) {
  uint64_t bytes = 0;
  for (const auto& c : chunks) {
    if (c->seqs.empty() || c->seqs.back() <= after || c->seqs.front() > last) continue;
    size_t from = std::upper_bound(c->seqs.begin(), c->seqs.end(), after) - c->seqs.begin();
    size_t to = std::upper_bound(c->seqs.begin(), c->seqs.end(), last) - c->seqs.begin();
    bytes += c->offsets[to] - c->offsets[from];
  }
  return bytes;
}

// Why a fill sorts: an INSERT keeps its source's order, and a table function
// cannot tell DuckDB how its rows are ordered, so DuckDB would parse and
// insert on one thread. After a sort (parallel) it inserts in parallel, in
// batches; the rows also end up in seq order, so each row group's min/max of
// the seq lets a query's seq range skip the others.
constexpr const char* kInSeqOrder = " ORDER BY \"__gl_seq\"";

std::string TableName(const std::string& table) { return "memory.gl_tail." + table; }

}  // namespace

TailCache::TailCache(TailPins* pins) : pins_(pins) {}

std::shared_ptr<TailCache::Stream> TailCache::StreamOf(const std::string& name) {
  MutexLock lock(&mu_);
  std::shared_ptr<Stream>& s = streams_[name];
  if (!s) s = std::make_shared<Stream>();
  return s;
}

void TailCache::Retire(Stream* s) {
  if (!s->table.empty()) {
    MutexLock lock(&mu_);
    retired_.push_back(std::move(s->table));
  }
  s->table.clear();
  s->filled_to = 0;
  s->first_seq = 0;
}

Result<std::optional<std::string>> TailCache::Branch(
    duckdb_connection conn, idx_t conn_id, const TailPins::Entry& entry, const TableShape& shape,
    const std::vector<std::shared_ptr<const TailChunk>>& chunks, uint64_t* record_bytes) {
  if (chunks.empty() || chunks.back()->seqs.empty()) return std::optional<std::string>();
  uint64_t floor = TailFloor(shape);
  uint64_t last = chunks.back()->seqs.back();
  std::shared_ptr<Stream> stream = StreamOf(shape.name);
  Stream* s = stream.get();
  MutexLock lock(&s->mu);
  std::string key = TailSelect(shape, 0, true);
  if (s->key != key) {
    Retire(s);
    s->key = std::move(key);
    s->failed = false;
  }
  // Delivered rows are not kept (they may since have been erased): a table
  // holding any is retired and the stream's tail typed again. Right after a
  // delivery the tail holds little (delivery takes everything up to its cut).
  if (!s->table.empty() && floor >= s->first_seq) Retire(s);
  if (s->failed) return std::optional<std::string>();
  if (s->table.empty() || last > s->filled_to) {
    Status filled = Fill(conn, conn_id, entry, shape, last, s);
    if (filled.code() == Status::Code::kCancelled) return filled;
    if (!filled.ok()) {
      spdlog::warn(
          "msg=\"cannot keep the live tail of a stream typed; its queries parse the records\" "
          "stream=\"{}\" error=\"{}\"",
          shape.name, filled.message());
      Retire(s);
      s->failed = true;
      return std::optional<std::string>();
    }
  }
  *record_bytes += RecordBytes(chunks, floor, last);
  return std::optional<std::string>(
      fmt::format("SELECT * EXCLUDE ({0}) FROM {1} WHERE {0} > {2} AND {0} <= {3}", kTailSeqColumn,
                  TableName(s->table), floor, last));
}

Status TailCache::Fill(duckdb_connection conn, idx_t conn_id, const TailPins::Entry& entry,
                       const TableShape& shape, uint64_t last_seq, Stream* s) {
  uint64_t floor = TailFloor(shape);
  // The fill reads the query's pin, without counting its bytes as the query's.
  pins_->Set(conn_id, TailPins::Entry{entry.pin, nullptr});
  struct Restore {
    TailPins* pins;
    idx_t id;
    const TailPins::Entry& entry;
    ~Restore() { pins->Set(id, entry); }
  } restore{pins_, conn_id, entry};
  if (s->table.empty()) {
    std::string table;
    {
      MutexLock lock(&mu_);
      table = fmt::format("t{}", next_table_++);
    }
    GL_RETURN_IF_ERROR(ExecOn(conn, fmt::format("CREATE TABLE {} AS {}{}", TableName(table),
                                                TailSelect(shape, floor, true), kInSeqOrder)));
    s->table = std::move(table);
    s->first_seq = floor + 1;
  } else {
    GL_RETURN_IF_ERROR(ExecOn(
        conn, fmt::format("INSERT INTO {} {}{}", TableName(s->table),
                          TailSelect(shape, std::max(s->filled_to, floor), true), kInSeqOrder)));
  }
  s->filled_to = last_seq;
  return Status::OK();
}

bool TailCache::Forget(const std::string& stream, uint64_t delivered_seq) {
  std::shared_ptr<Stream> stream_ref;
  {
    MutexLock lock(&mu_);
    auto it = streams_.find(stream);
    if (it == streams_.end()) return true;
    stream_ref = it->second;
  }
  Stream* s = stream_ref.get();
  // A stream being filled is left to its filler, which retires it itself.
  if (!s->mu.TryLock()) return false;
  if (!s->table.empty() && delivered_seq >= s->first_seq) Retire(s);
  s->mu.Unlock();
  return true;
}

void TailCache::DropRetired(duckdb_connection conn) {
  std::vector<std::string> tables;
  {
    MutexLock lock(&mu_);
    if (retired_.empty()) return;
  }
  // Held exclusively until the tables are dropped.
  if (!use_mu_.TryLock()) return;
  {
    MutexLock lock(&mu_);
    tables.swap(retired_);
  }
  for (const std::string& t : tables) {
    Status s = ExecOn(conn, "DROP TABLE IF EXISTS " + TableName(t));
    if (!s.ok()) {
      spdlog::warn(
          "msg=\"cannot drop a retired table of the typed tail\" table=\"{}\" error=\"{}\"", t,
          s.message());
    }
  }
  use_mu_.Unlock();
}

}  // namespace gamelake
