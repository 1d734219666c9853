// Status: the outcome of an operation that can fail, returned as a value.
//
// Every operation that can fail across a module boundary returns a Status (or a
// Result<T>, see result.h). A Status is either OK or carries a code and a message
// that says what went wrong and where. Exceptions never cross module boundaries.
//
// Thread-safety: a Status is a value; distinct objects may be used concurrently.
#ifndef GAMELAKE_COMMON_STATUS_H_
#define GAMELAKE_COMMON_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace gamelake {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kIOError,
    kUnavailable,        // Try again later (overload, shutting down).
    kResourceExhausted,  // A configured bound was hit (disk, memory, log size).
    kInternal,
    kAlreadyExists,
    kPermissionDenied,  // Not allowed, whoever asks (e.g. a statement SQL may not run).
    kDeadlineExceeded,  // A configured time limit passed.
    kCancelled,         // Stopped on request, or because the reader went away.
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status ResourceExhausted(std::string_view msg) {
    return Status(Code::kResourceExhausted, msg);
  }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }
  static Status PermissionDenied(std::string_view msg) {
    return Status(Code::kPermissionDenied, msg);
  }
  static Status DeadlineExceeded(std::string_view msg) {
    return Status(Code::kDeadlineExceeded, msg);
  }
  static Status Cancelled(std::string_view msg) { return Status(Code::kCancelled, msg); }
  // An IOError whose message ends with strerror(errno_value).
  static Status FromErrno(std::string_view context, int errno_value);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "IOError: open /x: No such file or directory"; "OK" when ok().
  std::string ToString() const;
  // Returns this status with `context` prepended to its message ("context: message").
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}
  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

}  // namespace gamelake

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define GL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::gamelake::Status gl_status_ = (expr);  \
    if (!gl_status_.ok()) return gl_status_; \
  } while (0)

#endif  // GAMELAKE_COMMON_STATUS_H_
