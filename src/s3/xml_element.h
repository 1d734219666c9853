// XmlElement: the small XML tree S3's responses are read into, parsed with
// expat (a real XML parser: entities, CDATA, character references and
// encodings are handled by it). The request bodies S3 takes
// (CompleteMultipartUpload, Delete) are escaped with common/xml_escape.h.
//
// Element names are kept without a namespace prefix ("s3:Key" -> "Key");
// attributes are ignored (S3's responses carry data in elements only). A
// document type declaration is refused (no entity expansion from a server),
// and so are more than 64 levels of nesting and more than 1,000,000
// elements. Parse errors are Corruption: "malformed XML (line L, column C):
// <expat's reason>" — never a crash, whatever the bytes.
//
// Thread-safety: a value type; ParseXml may be called concurrently.
#ifndef GAMELAKE_S3_XML_ELEMENT_H_
#define GAMELAKE_S3_XML_ELEMENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

class XmlElement {
 public:
  // Parses a whole document and returns its root element.
  static Result<XmlElement> Parse(std::string_view document);

  const std::string& name() const { return name_; }
  // The character data directly inside this element (children's excluded).
  const std::string& text() const { return text_; }
  const std::vector<XmlElement>& children() const { return children_; }

  // The first child named `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
  // Every child named `name`, in document order.
  std::vector<const XmlElement*> Children(std::string_view name) const;
  // The text of the first child named `name`, or `fallback` without one.
  std::string ChildText(std::string_view name, std::string_view fallback = "") const;

 private:
  friend struct XmlBuilder;
  std::string name_;
  std::string text_;
  std::vector<XmlElement> children_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_XML_ELEMENT_H_
