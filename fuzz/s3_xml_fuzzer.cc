// Fuzzes what gamelake reads from an S3-compatible store's answers
// (s3/xml_element.h, s3/s3_error.h): a store is another program, possibly
// broken or hostile, so its bytes are outside input. The input is a response
// body: parsed with XmlElement::Parse (expat, doctype refused, depth and size
// bounded) and read as an error answer by S3ErrorFromResponse. Checked besides
// crashes: a parsed tree keeps the documented nesting bound, and parsing is
// deterministic (the same bytes give the same tree or the same error).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "s3/s3_error.h"
#include "s3/xml_element.h"

namespace {

// The tree as text, for comparing two parses; aborts past the nesting bound.
void Describe(const gamelake::XmlElement& e, int depth, std::string* out) {
  if (depth > 64) {
    std::fprintf(stderr, "XmlElement::Parse kept %d levels of nesting (bound: 64)\n", depth);
    std::abort();
  }
  out->append("<").append(e.name()).append(">").append(e.text());
  for (const gamelake::XmlElement& c : e.children()) Describe(c, depth + 1, out);
  out->append("</>");
}

std::string ParseOnce(std::string_view body) {
  gamelake::Result<gamelake::XmlElement> xml = gamelake::XmlElement::Parse(body);
  if (!xml.ok()) return "error: " + xml.status().ToString();
  std::string text;
  Describe(xml.value(), 1, &text);
  // The lookups the client makes on a listing and on an error.
  (void)xml.value().ChildText("Key");
  (void)xml.value().Children("Contents");
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body = gamelake::AsView(data, size);
  std::string first = ParseOnce(body);
  if (ParseOnce(body) != first) {
    std::fprintf(stderr, "XmlElement::Parse gave two answers for the same bytes\n");
    std::abort();
  }
  gamelake::Status error =
      gamelake::S3ErrorFromResponse("GetObject", "t/x.parquet", 503, body, "req-1");
  if (error.ok()) {
    std::fprintf(stderr, "S3ErrorFromResponse returned OK for an error answer\n");
    std::abort();
  }
  (void)gamelake::S3ErrorCode(error);
  return 0;
}
