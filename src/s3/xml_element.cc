#include "s3/xml_element.h"

#include <expat.h>

#include <memory>

#include <fmt/format.h>

namespace gamelake {

// Builds the tree from expat's callbacks.
struct XmlBuilder {
  static constexpr size_t kMaxDepth = 64;
  static constexpr size_t kMaxElements = 1000000;

  XML_Parser parser = nullptr;
  XmlElement root;
  bool have_root = false;
  std::vector<XmlElement*> stack;
  size_t elements = 0;
  std::string error;  // Set by a callback that stopped the parser.

  void Stop(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }

  static void OnStart(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
    auto* b = static_cast<XmlBuilder*>(data);
    if (!b->error.empty()) return;
    if (b->stack.size() >= kMaxDepth) return b->Stop("elements nested too deeply");
    if (++b->elements > kMaxElements) return b->Stop("too many elements");
    std::string_view n = name;
    size_t colon = n.rfind(':');
    if (colon != std::string_view::npos) n.remove_prefix(colon + 1);
    XmlElement* e;
    if (b->stack.empty()) {
      b->have_root = true;
      e = &b->root;
    } else {
      b->stack.back()->children_.emplace_back();
      e = &b->stack.back()->children_.back();
    }
    e->name_.assign(n);
    b->stack.push_back(e);
  }

  static void OnEnd(void* data, const XML_Char* /*name*/) {
    auto* b = static_cast<XmlBuilder*>(data);
    if (!b->stack.empty()) b->stack.pop_back();
  }

  static void OnText(void* data, const XML_Char* s, int len) {
    auto* b = static_cast<XmlBuilder*>(data);
    if (!b->stack.empty() && len > 0) b->stack.back()->text_.append(s, static_cast<size_t>(len));
  }

  static void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<XmlBuilder*>(data)->Stop("a document type declaration is not accepted");
  }
};

Result<XmlElement> XmlElement::Parse(std::string_view document) {
  if (document.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::Corruption("malformed XML: the document is too large");
  }
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr),
                                                                      &XML_ParserFree);
  if (parser == nullptr) return Status::Internal("could not create an XML parser");
  XmlBuilder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &XmlBuilder::OnStart, &XmlBuilder::OnEnd);
  XML_SetCharacterDataHandler(parser.get(), &XmlBuilder::OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), &XmlBuilder::OnDoctype);
  XML_Status status =
      XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE);
  if (status != XML_STATUS_OK || !builder.error.empty()) {
    std::string why = builder.error.empty()
                          ? std::string(XML_ErrorString(XML_GetErrorCode(parser.get())))
                          : builder.error;
    return Status::Corruption(fmt::format("malformed XML (line {}, column {}): {}",
                                          XML_GetCurrentLineNumber(parser.get()),
                                          XML_GetCurrentColumnNumber(parser.get()) + 1, why));
  }
  if (!builder.have_root) return Status::Corruption("malformed XML: no root element");
  return std::move(builder.root);
}

const XmlElement* XmlElement::Child(std::string_view name) const {
  for (const XmlElement& c : children_) {
    if (c.name_ == name) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children_) {
    if (c.name_ == name) out.push_back(&c);
  }
  return out;
}

std::string XmlElement::ChildText(std::string_view name, std::string_view fallback) const {
  const XmlElement* c = Child(name);
  return c == nullptr ? std::string(fallback) : c->text_;
}

}  // namespace gamelake
