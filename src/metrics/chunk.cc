#include "metrics/chunk.h"

#include <algorithm>

#include <fmt/format.h>

namespace gamelake {
namespace {

// Decodes sealed cells, checking order and bounds; fn(slot, aggregate).
Status DecodeCells(std::string_view in, uint32_t slots,
                   const std::function<void(uint32_t, Aggregate&&)>& fn) {
  GL_ASSIGN_OR_RETURN(uint64_t count, GetVarint(&in));
  if (count > slots) return Status::Corruption(fmt::format("chunk claims {} cells", count));
  int64_t slot = -1;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta = 0;
    GL_ASSIGN_OR_RETURN(Aggregate a, Aggregate::DecodeFrom(&in, &delta));
    slot += static_cast<int64_t>(delta) + 1;
    if (slot >= static_cast<int64_t>(slots)) {
      return Status::Corruption(fmt::format("chunk cell {} is past slot {}", slot, slots));
    }
    fn(static_cast<uint32_t>(slot), std::move(a));
  }
  if (!in.empty()) return Status::Corruption("bytes after a chunk's last cell");
  return Status::OK();
}

}  // namespace

Status Chunk::Open() {
  if (encoded_.empty()) return Status::OK();
  std::vector<std::pair<uint32_t, Aggregate>> cells;
  GL_RETURN_IF_ERROR(DecodeCells(encoded_, slots_, [&](uint32_t slot, Aggregate&& a) {
    cells.emplace_back(slot, std::move(a));
  }));
  open_ = std::move(cells);
  encoded_.clear();
  encoded_.shrink_to_fit();
  return Status::OK();
}

Aggregate& Chunk::Cell(uint32_t slot) {
  // A chunk is only sealed from its own encoding, which decodes (a failure
  // would be memory corruption: the cells are then dropped, not invented).
  if (!encoded_.empty() && !Open().ok()) encoded_.clear();
  if (open_.empty() || open_.back().first < slot) {
    open_.emplace_back(slot, Aggregate());
    return open_.back().second;
  }
  auto it = std::lower_bound(open_.begin(), open_.end(), slot,
                             [](const auto& cell, uint32_t s) { return cell.first < s; });
  if (it == open_.end() || it->first != slot) it = open_.emplace(it, slot, Aggregate());
  return it->second;
}

Status Chunk::ForEach(uint32_t first, uint32_t last,
                      const std::function<void(uint32_t, const Aggregate&)>& fn) const {
  if (!encoded_.empty()) {
    return DecodeCells(encoded_, slots_, [&](uint32_t slot, Aggregate&& a) {
      if (slot >= first && slot < last) fn(slot, a);
    });
  }
  auto it = std::lower_bound(open_.begin(), open_.end(), first,
                             [](const auto& cell, uint32_t s) { return cell.first < s; });
  for (; it != open_.end() && it->first < last; ++it) fn(it->first, it->second);
  return Status::OK();
}

std::string Chunk::Encoded() const {
  if (!encoded_.empty()) return encoded_;
  std::string out;
  PutVarint(&out, open_.size());
  int64_t prev = -1;
  for (const auto& [slot, a] : open_) {
    a.EncodeTo(&out, static_cast<uint64_t>(slot - prev - 1));
    prev = slot;
  }
  return out;
}

void Chunk::Seal() {
  if (open_.empty()) return;
  encoded_ = Encoded();
  open_.clear();
  open_.shrink_to_fit();
}

Result<Chunk> Chunk::FromEncoded(uint32_t slots, std::string encoded) {
  GL_RETURN_IF_ERROR(DecodeCells(encoded, slots, [](uint32_t, Aggregate&&) {}));
  Chunk c(slots);
  c.encoded_ = std::move(encoded);
  if (c.encoded_.size() == 1) c.encoded_.clear();  // No cells: empty.
  return c;
}

size_t Chunk::cell_count() const {
  if (encoded_.empty()) return open_.size();
  std::string_view in = encoded_;
  Result<uint64_t> n = GetVarint(&in);
  return n.ok() ? *n : 0;
}

size_t Chunk::MemoryBytes() const {
  size_t bytes = sizeof(*this) + encoded_.capacity();
  for (const auto& [slot, a] : open_) bytes += sizeof(slot) + a.MemoryBytes();
  return bytes + (open_.capacity() - open_.size()) * sizeof(open_[0]);
}

}  // namespace gamelake
