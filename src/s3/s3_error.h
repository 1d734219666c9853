// How a failed S3 request becomes a Status, and how to read it back.
//
// Every error the S3 client returns for an answer of the store reads
//   "S3 error <Code> (HTTP <status>) on <Operation> of '<key>': <Message>
//    [request id <id>][, after <n> attempts]"
// where Code and Message come from the XML error body S3 sends (HTTP status
// text for a HEAD, which has no body). S3ErrorCode() and S3HttpStatus() give
// the code and status back, also from a Status with context prepended. The
// Status code follows the HTTP status:
//   404                                     NotFound
//   403                                     PermissionDenied
//   400 BadDigest, InvalidDigest            Corruption (the bytes did not arrive intact)
//   other 4xx                               InvalidArgument
//   5xx, 429, SlowDown and other throttling Unavailable (retried first)
// Transport failures (no connection, timeouts, reset) are Unavailable with no
// S3 code; a response that is not what S3 sends is Corruption ("malformed
// S3 response ...").
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_S3_S3_ERROR_H_
#define GAMELAKE_S3_S3_ERROR_H_

#include <string_view>

#include "common/status.h"

namespace gamelake {

// The Status of an S3 error answer; `body` is the response body (may be
// empty or not XML: the code then comes from the HTTP status).
Status S3ErrorFromResponse(std::string_view operation, std::string_view key, int http_status,
                           std::string_view body, std::string_view request_id);
// The same from parts already known.
Status S3Error(std::string_view operation, std::string_view key, int http_status,
               std::string_view code, std::string_view message, std::string_view request_id);

// The S3 error code of a Status made above ("NoSuchKey"), or "" if none.
// The view points into `status`: keep it alive.
std::string_view S3ErrorCode(const Status& status);
// The HTTP status of a Status made above, or 0 if none.
int S3HttpStatus(const Status& status);

// True for answers worth retrying: 5xx (but 501 NotImplemented), 429, and the throttling and
// timeout codes (SlowDown, Throttling, RequestTimeout, ...) whatever their status.
bool S3IsRetryable(int http_status, std::string_view code);

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_ERROR_H_
