#include "s3/ini_file.h"

#include <fmt/format.h>

namespace gamelake {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<IniFile> IniFile::Parse(std::string_view text, std::string_view file_name) {
  IniFile ini;
  Section* section = nullptr;
  bool nested_allowed = false;  // The previous key had an empty value.
  int line_no = 0;
  size_t pos = 0;
  auto error = [&](size_t column, std::string_view what) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", file_name, line_no, column + 1, what));
  };
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    size_t first = 0;
    while (first < line.size() && IsSpace(line[first])) ++first;
    if (first == line.size() || line[first] == '#' || line[first] == ';') continue;
    for (size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
        return error(i, "control character in the file");
      }
    }
    if (first > 0 && nested_allowed) continue;  // A nested setting ("s3 =" block).
    if (line[first] == '[') {
      size_t close = line.find(']', first);
      if (close == std::string_view::npos) return error(line.size(), "expected ']'");
      std::string_view rest = TrimSpaces(line.substr(close + 1));
      if (!rest.empty() && rest.front() != '#' && rest.front() != ';') {
        return error(line.find(rest, close + 1), "unexpected text after the section header");
      }
      std::string_view name = TrimSpaces(line.substr(first + 1, close - first - 1));
      if (name.empty()) return error(first + 1, "empty section name");
      auto [it, inserted] = ini.sections_.try_emplace(std::string(name));
      if (inserted) it->second.line = line_no;
      section = &it->second;
      nested_allowed = false;
      continue;
    }
    size_t eq = line.find('=', first);
    if (eq == std::string_view::npos) {
      return error(first, "expected 'key = value' or '[section]'");
    }
    std::string_view key = TrimSpaces(line.substr(first, eq - first));
    if (key.empty()) return error(eq, "empty key before '='");
    if (section == nullptr) {
      return error(first, fmt::format("'{}' is outside any [section]", key));
    }
    std::string_view value = TrimSpaces(line.substr(eq + 1));
    section->values[std::string(key)] = Value{std::string(value), line_no};
    nested_allowed = value.empty();
  }
  return ini;
}

const IniFile::Section* IniFile::Find(std::string_view name) const {
  auto it = sections_.find(name);
  return it == sections_.end() ? nullptr : &it->second;
}

}  // namespace gamelake
