#include "catalog/lake_layout.h"

#include <sys/stat.h>

#include <cerrno>

#include "common/percent_decode.h"

namespace gamelake {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string FoldName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ParseDeliveredName(std::string_view table, std::string_view name, uint64_t* first,
                        uint64_t* last) {
  constexpr std::string_view kSuffix = ".parquet";
  constexpr size_t kDigits = 20;
  if (!EndsWith(name, kSuffix)) return false;
  std::string_view stem = name.substr(0, name.size() - kSuffix.size());
  if (stem.size() != table.size() + 2 * (kDigits + 1)) return false;
  if (stem.substr(0, table.size()) != table) return false;
  std::string_view rest = stem.substr(table.size());
  if (rest[0] != '-' || rest[kDigits + 1] != '-') return false;
  std::string_view a = rest.substr(1, kDigits);
  std::string_view b = rest.substr(kDigits + 2, kDigits);
  if (!AllDigits(a) || !AllDigits(b)) return false;
  // 20 digits can exceed UINT64_MAX; such a name is not one delivery writes.
  auto parse = [](std::string_view d, uint64_t* out) {
    uint64_t v = 0;
    for (char c : d) {
      uint64_t digit = static_cast<uint64_t>(c - '0');
      if (v > (UINT64_MAX - digit) / 10) return false;
      v = v * 10 + digit;
    }
    *out = v;
    return true;
  };
  uint64_t f = 0;
  uint64_t l = 0;
  if (!parse(a, &f) || !parse(b, &l)) return false;
  *first = f;
  *last = l;
  return true;
}

std::optional<LakeFileKind> ClassifyLakeFile(std::string_view table, std::string_view name) {
  if (name.empty() || name[0] == '.') return std::nullopt;
  if (name[0] == '_') {
    uint64_t first = 0;
    uint64_t last = 0;
    if (!ParseDeliveredName(table, name, &first, &last)) return std::nullopt;
  }
  LakeFileKind kind;
  std::string lower = FoldName(name);
  std::string_view base = lower;
  if (EndsWith(base, ".gz")) {
    kind.gzip = true;
    base.remove_suffix(3);
  }
  if (EndsWith(base, ".parquet") && !kind.gzip) {
    kind.format = FileFormat::kParquet;
  } else if (EndsWith(base, ".json") || EndsWith(base, ".jsonl") || EndsWith(base, ".ndjson")) {
    kind.format = FileFormat::kNdjson;
  } else if (EndsWith(base, ".csv")) {
    kind.format = FileFormat::kCsv;
  } else {
    return std::nullopt;
  }
  return kind;
}

bool IgnoredDirName(std::string_view name, bool below_table) {
  if (name.empty() || name[0] == '.') return true;
  return below_table && name[0] == '_';
}

std::vector<std::pair<std::string, std::string>> ParsePartitions(std::string_view dir) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= dir.size() && !dir.empty()) {
    size_t slash = dir.find('/', pos);
    std::string_view part =
        dir.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      out.emplace_back(PercentDecode(part.substr(0, eq)), PercentDecode(part.substr(eq + 1)));
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

Result<LakePath> SplitLakePath(std::string_view path) {
  if (path.empty() || path[0] == '/') {
    return Status::InvalidArgument("lake file path must be relative to the lake dir: \"" +
                                   std::string(path) + "\"");
  }
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (;;) {
    size_t slash = path.find('/', pos);
    std::string_view part =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("bad lake file path \"" + std::string(path) + "\"");
    }
    parts.push_back(part);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  if (parts.size() < 2) {
    return Status::InvalidArgument("lake file path \"" + std::string(path) +
                                   "\" is not inside a table folder");
  }
  LakePath out;
  out.table = std::string(parts.front());
  out.name = std::string(parts.back());
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (!out.dir.empty()) out.dir += '/';
    out.dir += parts[i];
  }
  return out;
}

Result<FileStat> StatPath(const std::string& path) {
  struct stat st {};
  FileStat out;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return out;
    return Status::FromErrno("stat " + path, errno);
  }
  out.exists = true;
  out.is_dir = S_ISDIR(st.st_mode);
  out.bytes = static_cast<uint64_t>(st.st_size);
  out.mtime_us = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
  return out;
}

}  // namespace gamelake
