// S3Location: where a lake lives in object storage, "s3://bucket/prefix/".
//
// Parse() accepts "s3://bucket", "s3://bucket/" and "s3://bucket/some/prefix"
// and validates the bucket name by S3's rules for general purpose buckets
// (3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter
// or digit, no "..", not an IP address, none of S3's reserved prefixes and
// suffixes). The prefix is normalized: no leading '/', no empty segments, one
// trailing '/' (or empty for the bucket's root), and it may not hold control
// characters, "." or ".." segments, or the characters S3 advises against in
// keys (\ { } ^ % ` [ ] " < > # | ?), which query engines mishandle.
// ToString() gives the normalized form, and Parse(ToString()) returns an equal
// location.
//
// Thread-safety: a value type.
#ifndef GAMELAKE_S3_S3_LOCATION_H_
#define GAMELAKE_S3_S3_LOCATION_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

class S3Location {
 public:
  S3Location() = default;

  // "s3://bucket[/prefix]" -> location; InvalidArgument naming what is wrong.
  static Result<S3Location> Parse(std::string_view uri);
  // A location from its parts (the prefix is normalized as Parse does).
  static Result<S3Location> Make(std::string_view bucket, std::string_view prefix);

  // OK when `bucket` is a valid S3 bucket name; else why not.
  static Status ValidateBucketName(std::string_view bucket);
  // The normalized prefix ("a//b" -> "a/b/", "/" -> ""), or why it is refused.
  static Result<std::string> NormalizePrefix(std::string_view prefix);

  const std::string& bucket() const { return bucket_; }
  // "" or ends with '/'.
  const std::string& prefix() const { return prefix_; }

  // "s3://bucket" or "s3://bucket/prefix/".
  std::string ToString() const;
  // The object key of `relative` under the prefix: prefix + relative.
  std::string Key(std::string_view relative) const;

  bool operator==(const S3Location& other) const = default;

 private:
  std::string bucket_;
  std::string prefix_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_LOCATION_H_
