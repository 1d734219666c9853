#include "ingest/gzip_decoder.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include <fmt/format.h>

namespace gamelake {

namespace {
constexpr size_t kMinOutput = 16u << 10;
// zlib counts in uInt; feed it at most this much at a time.
constexpr size_t kMaxChunk = UINT_MAX;
}  // namespace

GzipDecoder::GzipDecoder() : stream_(std::make_unique<z_stream_s>()) {}

GzipDecoder::~GzipDecoder() {
  if (initialized_) inflateEnd(stream_.get());
}

Status GzipDecoder::Decode(std::string_view in, size_t max_out, std::string* out) {
  z_stream* s = stream_.get();
  if (!initialized_) {
    *s = z_stream{};
    // 16 + MAX_WBITS: expect a gzip header and trailer (not zlib or raw deflate).
    if (inflateInit2(s, 16 + MAX_WBITS) != Z_OK) return Status::Internal("inflateInit2 failed");
    initialized_ = true;
  } else if (inflateReset(s) != Z_OK) {
    return Status::Internal("inflateReset failed");
  }

  // One byte beyond the cap lets us tell "exactly max_out" from "more".
  const size_t cap = max_out == SIZE_MAX ? max_out : max_out + 1;
  out->resize(std::min(cap, std::max(kMinOutput, in.size() * 4)));
  size_t produced = 0;
  const auto* next_in = reinterpret_cast<const Bytef*>(in.data());
  size_t left_in = in.size();
  auto offset = [&] { return in.size() - left_in; };

  while (true) {
    if (produced == out->size()) {
      if (out->size() >= cap) break;  // Cap reached with more output pending.
      out->resize(std::min(cap, out->size() * 2));
    }
    s->next_in = const_cast<Bytef*>(next_in);
    s->avail_in = static_cast<uInt>(std::min(left_in, kMaxChunk));
    const uInt in_given = s->avail_in;
    s->next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    s->avail_out = static_cast<uInt>(std::min(out->size() - produced, kMaxChunk));
    const uInt out_given = s->avail_out;

    const int rc = inflate(s, Z_NO_FLUSH);
    next_in += in_given - s->avail_in;
    left_in -= in_given - s->avail_in;
    produced += out_given - s->avail_out;
    if (produced > max_out) break;

    if (rc == Z_STREAM_END) {
      if (left_in == 0) {
        out->resize(produced);
        return Status::OK();
      }
      // Another gzip member follows.
      if (inflateReset(s) != Z_OK) return Status::Internal("inflateReset failed");
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (s->avail_out == 0) continue;  // Needs more room: grow and retry.
      // No progress with room to write: the input ended mid-stream.
      return Status::InvalidArgument(
          fmt::format("truncated gzip stream at compressed byte {}", offset()));
    }
    return Status::InvalidArgument(fmt::format("corrupt gzip stream at compressed byte {}: {}",
                                               offset(), s->msg ? s->msg : "data error"));
  }
  return Status::ResourceExhausted(fmt::format("decoded body exceeds {} bytes", max_out));
}

}  // namespace gamelake
