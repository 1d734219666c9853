// Chunk: the aggregates of one series in one tier over a fixed run of periods
// ("slots"), the unit the store keeps, seals, checkpoints and drops.
//
// Cells are open (a sorted vector of slot → Aggregate that takes puts in
// place) or sealed (encoded into one string, 2 to 4 bytes for a single small
// integer, see metric_store_format.md). A chunk seals its older cells while
// its newest still take puts (SealBefore: a day-long 5-minute chunk holds only
// its last few periods open), and all of them once its time is over (Seal).
// Every sealed cell precedes every open one; a put into a sealed cell (late
// data) opens the whole chunk again. Reads work in any state.
//
// Thread-safety: none; the store locks.
#ifndef GAMELAKE_METRICS_CHUNK_H_
#define GAMELAKE_METRICS_CHUNK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "metrics/aggregate.h"

namespace gamelake {

class Chunk {
 public:
  explicit Chunk(uint32_t slots) : slots_(slots) {}

  // The aggregate of `slot` (< slots), created empty if absent; opens a sealed chunk.
  Aggregate& Cell(uint32_t slot);
  // Calls fn(slot, aggregate) for each cell with first <= slot < last, in slot order.
  Status ForEach(uint32_t first, uint32_t last,
                 const std::function<void(uint32_t, const Aggregate&)>& fn) const;

  bool sealed() const { return open_.empty() && !encoded_.empty(); }
  bool empty() const { return open_.empty() && encoded_.empty(); }
  // Encodes the open cells and frees them. Idempotent.
  void Seal();
  // Encodes the open cells of slots below `slot` once there are at least
  // `min_cells` of them (so a chunk is not re-encoded for every cell).
  void SealBefore(uint32_t slot, size_t min_cells = 1);
  // The sealed form (seals a copy if open): what checkpoints store.
  std::string Encoded() const;
  // A chunk from its sealed form; Corruption if `encoded` is not one.
  static Result<Chunk> FromEncoded(uint32_t slots, std::string encoded);

  size_t cell_count() const;
  size_t MemoryBytes() const;

 private:
  Status Open();

  // The sealed cells and the first `open_cells` open ones, encoded.
  std::string EncodeWith(size_t open_cells) const;
  // Seals the first n (> 0) open cells.
  void SealFront(size_t n);

  uint32_t slots_;
  std::vector<std::pair<uint32_t, Aggregate>> open_;  // Sorted by slot, after the sealed ones.
  std::string encoded_;        // Sealed cells: varint count, then (slot delta, aggregate)*.
  uint32_t sealed_count_ = 0;  // Cells in encoded_...
  int64_t last_sealed_ = -1;   // ...and the last one's slot (-1: none).
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_CHUNK_H_
