// GzipDecoder: inflates a gzip-encoded request body under a size cap.
//
// The cap is the gzip-bomb guard: decoding stops as soon as the output passes
// it, so a small body that expands to gigabytes costs at most cap+1 bytes of
// memory. Concatenated gzip members (RFC 1952 allows them) are decoded one
// after the other into one output.
//
// Thread-safety: a GzipDecoder keeps a reusable zlib stream; use one per thread.
#ifndef GAMELAKE_INGEST_GZIP_DECODER_H_
#define GAMELAKE_INGEST_GZIP_DECODER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct z_stream_s;

namespace gamelake {

class GzipDecoder {
 public:
  GzipDecoder();
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  // Replaces *out with the decoded bytes of `in`. Errors:
  //   ResourceExhausted "decoded body exceeds <max_out> bytes" (bomb guard);
  //   InvalidArgument naming the compressed byte offset for a corrupt or
  //   truncated stream. *out is unspecified after an error.
  [[nodiscard]] Status Decode(std::string_view in, size_t max_out, std::string* out);

 private:
  std::unique_ptr<z_stream_s> stream_;
  bool initialized_ = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_GZIP_DECODER_H_
