#include "common/xml_escape.h"

#include <fmt/format.h>

#include "common/status.h"

namespace gamelake {
namespace {

// Appends `text` escaped to *out. A control character XML 1.0 cannot carry
// becomes U+FFFD with `replace`; without, it is refused (and *out is partial).
Status AppendXmlEscaped(std::string_view text, bool replace, std::string* out) {
  out->reserve(out->size() + text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&apos;";
        break;
      case '\t':
        *out += "&#9;";
        break;
      case '\n':
        *out += "&#10;";
        break;
      case '\r':
        *out += "&#13;";
        break;
      default: {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x20) {
          out->push_back(c);
        } else if (replace) {
          *out += "\xEF\xBF\xBD";  // U+FFFD.
        } else {
          return Status::InvalidArgument(
              fmt::format("byte 0x{:02x} cannot be written in XML 1.0", static_cast<unsigned>(u)));
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::string> XmlEscape(std::string_view text) {
  std::string out;
  GL_RETURN_IF_ERROR(AppendXmlEscaped(text, /*replace=*/false, &out));
  return out;
}

std::string XmlEscapeReplacing(std::string_view text) {
  std::string out;
  (void)AppendXmlEscaped(text, /*replace=*/true, &out);
  return out;
}

}  // namespace gamelake
