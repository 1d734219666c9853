// SplitFuzzRequest: reads a fuzz input written like an HTTP/1.1 request head,
// so the seed corpora of the request fuzzers stay readable and hand-written:
//
//   POST /path?query HTTP/1.1      (the version is optional)
//   Name: value                    (any number of header lines)
//                                  (an empty line)
//   body bytes...
//
// Lines end with "\n" or "\r\n". Missing parts are empty. This is the fuzz
// targets' own framing, not an HTTP parser: the real one is Beast's.
//
// Thread-safety: a pure function.
#ifndef GAMELAKE_FUZZ_FUZZ_REQUEST_H_
#define GAMELAKE_FUZZ_FUZZ_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace gamelake {

struct FuzzRequest {
  std::string_view method;
  std::string_view target;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
};

inline std::string_view TakeFuzzLine(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string_view line = rest->substr(0, nl);
  *rest = nl == std::string_view::npos ? std::string_view() : rest->substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

inline FuzzRequest SplitFuzzRequest(std::string_view in) {
  FuzzRequest r;
  std::string_view first = TakeFuzzLine(&in);
  size_t sp = first.find(' ');
  r.method = first.substr(0, sp);
  if (sp != std::string_view::npos) {
    std::string_view target = first.substr(sp + 1);
    r.target = target.substr(0, target.find(' '));
  }
  while (!in.empty()) {
    std::string_view line = TakeFuzzLine(&in);
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(name, value);
  }
  r.body = in;
  return r;
}

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace gamelake

#endif  // GAMELAKE_FUZZ_FUZZ_REQUEST_H_
