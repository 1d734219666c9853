#include "log/wal_cursor.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "log/log_format.h"

namespace gamelake::wal_internal {

WalCursor::WalCursor(const WalImpl* wal, uint64_t from_seq)
    : wal_(wal), from_seq_(from_seq), next_name_(wal->StartSegmentName(from_seq)) {}

void WalCursor::CloseSegment() {
  next_name_ = view_.segment->name_seq + 1;
  view_ = WalImpl::SegmentView();
  file_.reset();
  offset_ = 0;
  skip_index_ = 0;
  in_bad_range_ = false;
  buffer_len_ = 0;
}

Result<const char*> WalCursor::Fill(uint64_t offset, size_t n) {
  if (offset >= buffer_offset_ && offset + n <= buffer_offset_ + buffer_len_) {
    return buffer_.data() + (offset - buffer_offset_);
  }
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadChunk), view_.readable - offset));
  if (buffer_.size() < want) buffer_.resize(want);
  buffer_len_ = 0;
  GL_ASSIGN_OR_RETURN(size_t got, file_->Read(offset, want, buffer_.data()));
  if (got < n) {
    return Status::Corruption(fmt::format("{}: file ends at {}, before its durable end {}",
                                          view_.segment->path, offset + got, view_.readable));
  }
  buffer_offset_ = offset;
  buffer_len_ = got;
  return buffer_.data();
}

Result<bool> WalCursor::Next(LogRecord* record) {
  for (;;) {
    if (view_.segment == nullptr) {
      if (!wal_->FindSegment(next_name_, &view_)) return false;
      auto file = wal_->env()->NewRandomAccessFile(view_.segment->path);
      if (!file.ok()) {
        // Released and deleted before we got to it: nothing left to read there.
        WalImpl::SegmentView again;
        if (!wal_->FindSegment(view_.segment->name_seq, &again) || again.segment != view_.segment) {
          CloseSegment();
          continue;
        }
        view_ = WalImpl::SegmentView();
        return file.status();
      }
      file_ = std::move(file).value();
    }

    if (offset_ >= view_.readable) {
      if (!view_.sealed) wal_->RefreshSegment(&view_);
      if (offset_ >= view_.readable) {
        if (!view_.sealed) return false;  // Caught up with the writer.
        CloseSegment();
        continue;
      }
    }

    const std::vector<SkipRange>& skips = view_.segment->skips;
    while (skip_index_ < skips.size() && skips[skip_index_].end <= offset_) ++skip_index_;
    if (skip_index_ < skips.size() && skips[skip_index_].begin <= offset_) {
      offset_ = skips[skip_index_].end;
      continue;
    }

    // Everything below `readable` was valid when written or recovered, so an
    // invalid entry here means the disk changed since: resync byte by byte.
    const uint64_t left = view_.readable - offset_;
    std::string_view why;
    if (left < kHeaderSize) {
      why = "truncated header";
    } else {
      GL_ASSIGN_OR_RETURN(const char* header, Fill(offset_, kHeaderSize));
      std::optional<uint32_t> length = PeekPayloadLength(header);
      if (!length.has_value()) {
        why = "bad magic or length";
      } else if (kHeaderSize + *length > left) {
        why = "entry extends past the durable end";
      } else {
        const size_t size = kHeaderSize + *length;
        GL_ASSIGN_OR_RETURN(const char* data, Fill(offset_, size));
        EntryView entry;
        ParseResult r = ParseEntry(data, size, &entry);
        if (r == ParseResult::kOk) {
          offset_ += entry.size;
          in_bad_range_ = false;
          if (entry.seq < from_seq_) continue;
          record->seq = entry.seq;
          record->ingest_time_us = entry.ingest_time_us;
          record->stream = entry.stream;
          record->payload = entry.record;
          return true;
        }
        why = ParseResultName(r);
      }
    }
    if (!in_bad_range_) {
      spdlog::error("wal cursor: {}: invalid entry at offset {} ({}), skipping to the next one",
                    view_.segment->path, offset_, why);
      in_bad_range_ = true;
    }
    offset_ += 1;
  }
}

}  // namespace gamelake::wal_internal
