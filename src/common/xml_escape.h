// XmlEscape / XmlEscapeReplacing: text for XML 1.0 element content and
// attribute values, the one escaper the S3 client (request bodies: object
// keys, ETags) and the CloudWatch Query protocol (answers and errors) share.
//
// Both escape & < > " ' as &amp; &lt; &gt; &quot; &apos;, and tab, newline
// and carriage return as &#9; &#10; &#13; (so they survive a parser's
// attribute-value and line-end normalisation, in content as in attributes).
// Other bytes are kept as they are (UTF-8 stays UTF-8) — but for the control
// characters XML 1.0 cannot carry at all, escaped or not (0x00-0x1F other
// than tab, newline and carriage return), where the two differ:
//   XmlEscape refuses the text (an S3 key must reach the store unchanged or
//   not at all);
//   XmlEscapeReplacing writes U+FFFD instead (an answer must go out whatever
//   a user stored in a name or message).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_COMMON_XML_ESCAPE_H_
#define GAMELAKE_COMMON_XML_ESCAPE_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace gamelake {

// InvalidArgument ("byte 0x01 cannot be written in XML 1.0") when `text`
// holds a control character XML 1.0 cannot carry.
Result<std::string> XmlEscape(std::string_view text);

// Never fails: such control characters become U+FFFD.
std::string XmlEscapeReplacing(std::string_view text);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_XML_ESCAPE_H_
