// Chunk: the aggregates of one series in one tier over a fixed run of periods
// ("slots"), the unit the store keeps, seals, checkpoints and drops.
//
// A chunk is open (a sorted vector of slot → Aggregate that takes puts in
// place) or sealed (the same cells encoded into one string, 2 to 4 bytes for a
// single small integer, see metric_store_format.md). Sealing is how memory
// stays small for old data; a put into a sealed chunk (late data) opens it
// again. Reads work in either state.
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
  // The sealed form (seals a copy if open): what checkpoints store.
  std::string Encoded() const;
  // A chunk from its sealed form; Corruption if `encoded` is not one.
  static Result<Chunk> FromEncoded(uint32_t slots, std::string encoded);

  size_t cell_count() const;
  size_t MemoryBytes() const;

 private:
  Status Open();

  uint32_t slots_;
  std::vector<std::pair<uint32_t, Aggregate>> open_;  // Sorted by slot.
  std::string encoded_;  // Sealed cells: varint count, then (slot delta, aggregate)*.
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_CHUNK_H_
