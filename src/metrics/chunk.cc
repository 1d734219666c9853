#include "metrics/chunk.h"

#include <algorithm>
#include <iterator>

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
  cells.reserve(sealed_count_ + open_.size());
  GL_RETURN_IF_ERROR(DecodeCells(encoded_, slots_, [&](uint32_t slot, Aggregate&& a) {
    cells.emplace_back(slot, std::move(a));
  }));
  std::move(open_.begin(), open_.end(), std::back_inserter(cells));
  open_ = std::move(cells);
  encoded_.clear();
  encoded_.shrink_to_fit();
  sealed_count_ = 0;
  last_sealed_ = -1;
  return Status::OK();
}

Aggregate& Chunk::Cell(uint32_t slot) {
  // A chunk is only sealed from its own encoding, which decodes (a failure
  // would be memory corruption: the cells are then dropped, not invented).
  if (static_cast<int64_t>(slot) <= last_sealed_ && !Open().ok()) {
    encoded_.clear();
    sealed_count_ = 0;
    last_sealed_ = -1;
  }
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
  if (!encoded_.empty() && static_cast<int64_t>(first) <= last_sealed_) {
    GL_RETURN_IF_ERROR(DecodeCells(encoded_, slots_, [&](uint32_t slot, Aggregate&& a) {
      if (slot >= first && slot < last) fn(slot, a);
    }));
  }
  auto it = std::lower_bound(open_.begin(), open_.end(), first,
                             [](const auto& cell, uint32_t s) { return cell.first < s; });
  for (; it != open_.end() && it->first < last; ++it) fn(it->first, it->second);
  return Status::OK();
}

std::string Chunk::EncodeWith(size_t open_cells) const {
  std::string out;
  PutVarint(&out, sealed_count_ + open_cells);
  std::string_view sealed = encoded_;
  if (!sealed.empty()) {
    (void)GetVarint(&sealed);  // The old count, replaced above.
    out.append(sealed);
  }
  int64_t prev = last_sealed_;
  for (size_t i = 0; i < open_cells; ++i) {
    const auto& [slot, a] = open_[i];
    a.EncodeTo(&out, static_cast<uint64_t>(slot - prev - 1));
    prev = slot;
  }
  return out;
}

std::string Chunk::Encoded() const {
  if (open_.empty()) return encoded_.empty() ? std::string(1, '\0') : encoded_;
  return EncodeWith(open_.size());
}

void Chunk::SealFront(size_t n) {
  encoded_ = EncodeWith(n);
  sealed_count_ += static_cast<uint32_t>(n);
  last_sealed_ = open_[n - 1].first;
  open_.erase(open_.begin(), open_.begin() + static_cast<ptrdiff_t>(n));
  if (open_.empty()) open_.shrink_to_fit();
}

void Chunk::Seal() {
  if (!open_.empty()) SealFront(open_.size());
}

void Chunk::SealBefore(uint32_t slot, size_t min_cells) {
  auto end = std::lower_bound(open_.begin(), open_.end(), slot,
                              [](const auto& cell, uint32_t s) { return cell.first < s; });
  if (end == open_.end()) return Seal();
  const auto n = static_cast<size_t>(end - open_.begin());
  if (n >= std::max<size_t>(min_cells, 1)) SealFront(n);
}

Result<Chunk> Chunk::FromEncoded(uint32_t slots, std::string encoded) {
  Chunk c(slots);
  GL_RETURN_IF_ERROR(DecodeCells(encoded, slots, [&c](uint32_t slot, Aggregate&&) {
    c.sealed_count_++;
    c.last_sealed_ = slot;
  }));
  if (c.sealed_count_ > 0) c.encoded_ = std::move(encoded);  // No cells: empty.
  return c;
}

size_t Chunk::cell_count() const { return sealed_count_ + open_.size(); }

size_t Chunk::MemoryBytes() const {
  size_t bytes = sizeof(*this) + encoded_.capacity();
  for (const auto& [slot, a] : open_) bytes += sizeof(slot) + a.MemoryBytes();
  return bytes + (open_.capacity() - open_.size()) * sizeof(open_[0]);
}

}  // namespace gamelake
