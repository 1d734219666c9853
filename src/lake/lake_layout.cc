#include "lake/lake_layout.h"

#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/civil_time.h"
#include "common/env.h"
#include "common/percent_decode.h"

namespace gamelake {
namespace {

constexpr std::string_view kParquet = ".parquet";
constexpr size_t kSeqDigits = 20;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Digits to a number; false on overflow (20 digits can exceed UINT64_MAX).
bool ParseDigits(std::string_view digits, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  for (char c : digits) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

std::string Pad20(uint64_t v) { return fmt::format("{:020}", v); }

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kNdjson:
      return "ndjson";
    case FileFormat::kCsv:
      return "csv";
  }
  return "parquet";
}

LakePartition LakePartition::DayOf(int64_t hour) { return {FloorDiv(hour, 24) * 24, true}; }

LakePartition LakePartition::OfTime(int64_t time_us) {
  return Hour(FloorDiv(time_us, kMicrosPerHour));
}

int64_t LakePartition::day() const { return FloorDiv(hour, 24); }

std::string LakePartition::DayText() const {
  CivilTime c = ToCivil(day() * kMicrosPerDay);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string LakePartition::Dir() const {
  if (whole_day) return fmt::format("dt={}/hr={}", DayText(), kWholeDayHour);
  return fmt::format("dt={}/hr={:02}", DayText(), hour - day() * 24);
}

std::optional<LakePartition> ParsePartitionDir(std::string_view dir) {
  // "dt=YYYY-MM-DD/hr=HH" or "dt=YYYY-MM-DD/hr=all".
  if (dir.size() < 19 || dir.substr(0, 3) != "dt=" || dir.substr(13, 4) != "/hr=") {
    return std::nullopt;
  }
  std::string_view date = dir.substr(3, 10);
  std::string_view hr = dir.substr(17);
  if (date[4] != '-' || date[7] != '-') return std::nullopt;
  std::string_view ys = date.substr(0, 4), ms = date.substr(5, 2), ds = date.substr(8, 2);
  if (!AllDigits(ys) || !AllDigits(ms) || !AllDigits(ds)) return std::nullopt;
  uint64_t y = 0, m = 0, d = 0;
  ParseDigits(ys, 9999, &y);
  ParseDigits(ms, 99, &m);
  ParseDigits(ds, 99, &d);
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const int64_t day =
      DaysFromCivil(static_cast<int64_t>(y), static_cast<int>(m), static_cast<int>(d));
  CivilTime c = ToCivil(day * kMicrosPerDay);
  if (c.year != static_cast<int64_t>(y) || c.month != static_cast<int>(m) ||
      c.day != static_cast<int>(d)) {
    return std::nullopt;  // Feb 30.
  }
  if (hr == kWholeDayHour) return LakePartition{day * 24, true};
  uint64_t h = 0;
  if (hr.size() != 2 || !AllDigits(hr) || !ParseDigits(hr, 99, &h) || h > 23) return std::nullopt;
  return LakePartition::Hour(day * 24 + static_cast<int64_t>(h));
}

std::string LakeFileName::Format(std::string_view table) const {
  std::string out = fmt::format("{}-{}-{}", table, Pad20(first_seq), Pad20(last_seq));
  if (version > 0) out += fmt::format("-v{}", version);
  if (!node.empty()) {
    out += '.';
    out += node;
  }
  out += kParquet;
  return out;
}

std::optional<LakeFileName> ParseLakeFileName(std::string_view table, std::string_view name) {
  if (!name.ends_with(kParquet) || !name.starts_with(table)) return std::nullopt;
  std::string_view rest = name.substr(table.size(), name.size() - table.size() - kParquet.size());
  // Neither the table, the digits nor the version hold '.': what follows the
  // first '.' is the node segment.
  std::string_view node;
  if (size_t dot = rest.find('.'); dot != std::string_view::npos) {
    node = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
    if (!ValidateNodeId(node).ok()) return std::nullopt;
  }
  // "-<20 digits>-<20 digits>" then optionally "-v<N>".
  if (rest.size() < 2 * (kSeqDigits + 1) || rest[0] != '-' || rest[kSeqDigits + 1] != '-') {
    return std::nullopt;
  }
  std::string_view first = rest.substr(1, kSeqDigits);
  std::string_view last = rest.substr(kSeqDigits + 2, kSeqDigits);
  std::string_view suffix = rest.substr(2 * (kSeqDigits + 1));
  LakeFileName out;
  if (!AllDigits(first) || !AllDigits(last) || !ParseDigits(first, UINT64_MAX, &out.first_seq) ||
      !ParseDigits(last, UINT64_MAX, &out.last_seq) || out.first_seq > out.last_seq) {
    return std::nullopt;
  }
  if (!suffix.empty()) {
    std::string_view digits = suffix.substr(std::min<size_t>(2, suffix.size()));
    uint64_t version = 0;
    if (!suffix.starts_with("-v") || !AllDigits(digits) || digits[0] == '0' ||
        !ParseDigits(digits, UINT32_MAX, &version)) {
      return std::nullopt;
    }
    out.version = static_cast<uint32_t>(version);
  }
  out.node = std::string(node);
  return out;
}

Status ValidateNodeId(std::string_view node) {
  if (node.empty() || node.size() > kMaxNodeIdLength) {
    return Status::InvalidArgument(
        fmt::format("a node id has 1 to {} characters, not {}", kMaxNodeIdLength, node.size()));
  }
  for (char c : node) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument(
          fmt::format("a node id holds only a-z, 0-9 and '-' (found '{}')", std::string(1, c)));
    }
  }
  return Status::OK();
}

std::string LakeFilePath(std::string_view table, const LakePartition& partition,
                         const LakeFileName& name) {
  return fmt::format("{}/{}/{}", table, partition.Dir(), name.Format(table));
}

std::string TempPathFor(std::string_view final_path) {
  // Built step by step: GCC 12 at -O3 misreads "." + x + ".tmp" (-Wrestrict).
  size_t slash = final_path.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? final_path : final_path.substr(slash + 1);
  std::string name = ".";
  name += base;
  name += ".tmp";
  return JoinPath(DirName(final_path), name);
}

bool IsTempName(std::string_view file_name) {
  return file_name.size() > 5 && file_name[0] == '.' && file_name.ends_with(".tmp");
}

std::optional<LakeFileKind> ClassifyLakeFile(std::string_view table, std::string_view name) {
  if (name.empty() || name[0] == '.') return std::nullopt;
  if (name[0] == '_' && !ParseLakeFileName(table, name)) return std::nullopt;
  LakeFileKind kind;
  std::string lower = AsciiLowered(name);
  std::string_view base = lower;
  if (base.ends_with(".gz")) {
    kind.gzip = true;
    base.remove_suffix(3);
  }
  if (base.ends_with(kParquet) && !kind.gzip) {
    kind.format = FileFormat::kParquet;
  } else if (base.ends_with(".json") || base.ends_with(".jsonl") || base.ends_with(".ndjson")) {
    kind.format = FileFormat::kNdjson;
  } else if (base.ends_with(".csv")) {
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
