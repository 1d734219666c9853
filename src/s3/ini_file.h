// IniFile: the INI dialect of the AWS shared credentials and config files.
//
//   # comment            ; comment too
//   [default]
//   aws_access_key_id = AKIA...
//   aws_secret_access_key = ...
//   s3 =
//     max_concurrent_requests = 4     <- nested settings: kept as the parent's
//                                        lines, not interpreted
//
// Section names and keys are trimmed; values are trimmed and kept as they are
// (no quotes or inline comments are removed, as the AWS CLI does). A key
// repeated in a section keeps its last value; a section repeated is merged.
// Errors name the file, line and column: "<file>:<line>:<col>: <what>".
//
// Thread-safety: a value type.
#ifndef GAMELAKE_S3_INI_FILE_H_
#define GAMELAKE_S3_INI_FILE_H_

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

class IniFile {
 public:
  struct Value {
    std::string text;
    int line = 0;  // 1-based line of the key.
  };
  struct Section {
    int line = 0;  // 1-based line of its first header.
    std::map<std::string, Value> values;
  };

  // Parses `text`; `file_name` only names the file in error messages.
  // InvalidArgument for a malformed line.
  static Result<IniFile> Parse(std::string_view text, std::string_view file_name);

  // The section named `name`, or nullptr.
  const Section* Find(std::string_view name) const;
  const std::map<std::string, Section, std::less<>>& sections() const { return sections_; }

 private:
  std::map<std::string, Section, std::less<>> sections_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_INI_FILE_H_
