#include "ingest/json_scanner.h"

#include <algorithm>

namespace gamelake {

size_t JsonScanner::SkipString(std::string_view text, size_t pos) {
  // Strings in events are short (keys, names): a plain loop beats memchr's
  // call overhead here.
  const char* data = text.data();
  const size_t n = text.size();
  size_t i = pos + 1;
  while (i < n) {
    const char c = data[i];
    if (c == '"') return i + 1;
    i += c == '\\' ? 2 : 1;  // Skip the escaped byte (it may be a quote).
  }
  return 0;
}

bool JsonScanner::ScanValue(std::string_view text, size_t pos, Value* value) {
  const size_t n = text.size();
  const char first = text[pos];
  if (first == '"') {
    const size_t end = SkipString(text, pos);
    if (end == 0) return Fail(n, "unterminated string");
    *value = {end, 0};
    return true;
  }
  if (first != '{' && first != '[') {
    size_t i = pos;
    while (i < n && !IsDelimiter(text[i]) && text[i] != '{' && text[i] != '[' && text[i] != '"') {
      ++i;
    }
    if (i == pos) return Fail(pos, "expected a value");
    *value = {i, 0};
    return true;
  }

  stack_.clear();
  stack_.push_back(first);
  size_t depth = 1;
  size_t i = pos + 1;
  while (i < n) {
    const char c = text[i];
    switch (c) {
      case '"': {
        const size_t end = SkipString(text, i);
        if (end == 0) return Fail(n, "unterminated string");
        i = end;
        continue;
      }
      case '{':
      case '[':
        stack_.push_back(c);
        depth = std::max(depth, stack_.size());
        break;
      case '}':
      case ']': {
        const char open = c == '}' ? '{' : '[';
        if (stack_.back() != open) {
          return Fail(i, c == '}' ? "'}' closes an array" : "']' closes an object");
        }
        stack_.pop_back();
        if (stack_.empty()) {
          *value = {i + 1, depth};
          return true;
        }
        break;
      }
      default:
        break;
    }
    ++i;
  }
  return Fail(n, stack_.back() == '{' ? "unexpected end of input inside an object"
                                      : "unexpected end of input inside an array");
}

}  // namespace gamelake
