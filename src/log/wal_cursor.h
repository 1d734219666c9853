// WalCursor: reads durable records of a WalImpl in seq order, segment by
// segment, through buffered RandomAccessFile reads.
//
// It reads a segment only up to its durable end, skips the byte ranges that
// recovery found corrupt (and, should the disk have gone bad since, resyncs
// past any other invalid bytes, logging them), and moves on to the next
// segment once the current one is sealed. A segment deleted before the cursor
// opened it is skipped. A cursor must not outlive its Wal.
//
// Thread-safety: one thread at a time (like any Wal::Cursor).
#ifndef GAMELAKE_LOG_WAL_CURSOR_H_
#define GAMELAKE_LOG_WAL_CURSOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "log/wal.h"
#include "log/wal_impl.h"

namespace gamelake::wal_internal {

class WalCursor final : public Wal::Cursor {
 public:
  static constexpr size_t kReadChunk = 1u << 20;

  WalCursor(const WalImpl* wal, uint64_t from_seq);
  Result<bool> Next(LogRecord* record) override;

 private:
  // Makes the buffer hold bytes [offset, offset + n) of the segment, which must
  // lie below view_.readable. Returns a pointer to byte `offset`.
  Result<const char*> Fill(uint64_t offset, size_t n);
  void CloseSegment();

  const WalImpl* const wal_;
  const uint64_t from_seq_;
  uint64_t next_name_;  // Lower bound for the name of the next segment to open.

  WalImpl::SegmentView view_;  // view_.segment is null between segments.
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t offset_ = 0;  // Next entry to read.
  size_t skip_index_ = 0;
  bool in_bad_range_ = false;

  std::string buffer_;
  uint64_t buffer_offset_ = 0;  // File offset of buffer_[0].
  size_t buffer_len_ = 0;       // Valid bytes in buffer_.
};

}  // namespace gamelake::wal_internal

#endif  // GAMELAKE_LOG_WAL_CURSOR_H_
