// LakeLayout: the one owner of how the lake is laid out on disk — its table
// folders, the Hive partition folders gamelake writes, the names of the files
// it writes, and which names readers ignore. docs/lake_format.md describes the
// layout and the exactly-once rules built on it; this is the code that writes
// and parses it. Nothing else in gamelake formats or parses these names.
//
//   <lake>/<table>/dt=YYYY-MM-DD/hr=HH/<table>-<first>-<last>[-v<N>][.<node>].parquet
//   <lake>/<table>/dt=YYYY-MM-DD/hr=all/<table>-<first>-<last>[-v<N>][.<node>].parquet
//
// A partition is one UTC hour (hr=00..23) or, for files compaction merged
// across a day, the whole UTC day (hr=all). <first> and <last> are the
// 20-digit zero-padded _record_ids of the first and last record of the table's
// stream the file covers; N >= 1 is a rewrite of the same range (erasure).
// <node> is the id of the node that wrote it (config node.id, 1-32 of
// [a-z0-9-]) when several nodes share one lake: their record ids are
// independent, so each node's files (ranges, watermarks) stand apart. No
// other part of a name may hold '.', so the segment parses unambiguously,
// and names without it (one node, or before node ids) parse as before.
// Writers create a file under TempName() in its final folder and rename it.
//
// Thread-safety: pure functions (StatPath reads the file system).
#ifndef GAMELAKE_LAKE_LAKE_LAYOUT_H_
#define GAMELAKE_LAKE_LAKE_LAYOUT_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

inline constexpr int64_t kMicrosPerHour = 3'600'000'000;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// The formats of files a table may hold.
enum class FileFormat { kParquet, kNdjson, kCsv };
std::string_view FileFormatName(FileFormat format);  // "parquet", "ndjson", "csv"

// The partition of a file gamelake writes: one UTC hour, or a whole UTC day.
struct LakePartition {
  int64_t hour = 0;  // Hours since the epoch of its (first) hour.
  bool whole_day = false;

  static LakePartition Hour(int64_t hour) { return {hour, false}; }
  // The day holding `hour`.
  static LakePartition DayOf(int64_t hour);
  // The hour partition of a time (microseconds since the epoch, UTC).
  static LakePartition OfTime(int64_t time_us);

  int64_t start_us() const { return hour * kMicrosPerHour; }
  int64_t end_us() const { return start_us() + (whole_day ? kMicrosPerDay : kMicrosPerHour); }
  int64_t day() const;          // Days since the epoch.
  std::string DayText() const;  // "2026-11-26"
  // "dt=2026-11-26/hr=10", or "dt=2026-11-26/hr=all" for a whole day.
  std::string Dir() const;

  friend bool operator==(const LakePartition&, const LakePartition&) = default;
  friend auto operator<=>(const LakePartition&, const LakePartition&) = default;
};

// The hr= value of a whole-day partition.
inline constexpr std::string_view kWholeDayHour = "all";

// The inverse of LakePartition::Dir(), strictly: nullopt for anything else
// (other Hive keys, other spellings, dates that do not exist).
std::optional<LakePartition> ParsePartitionDir(std::string_view dir);

// The name of a file gamelake wrote: the _record_id range it covers (of its
// table's stream) and its version. A file covers every record of the stream
// in [first_seq, last_seq] that the lake holds.
struct LakeFileName {
  LakeFileName() = default;
  LakeFileName(uint64_t first, uint64_t last, uint32_t version_number = 0, std::string node_id = "")
      : first_seq(first), last_seq(last), version(version_number), node(std::move(node_id)) {}

  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint32_t version = 0;  // 0: as delivered or compacted; N: the N-th rewrite.
  std::string node;      // The writing node's id; "" for none (see the file comment).

  // "<table>-<first:20>-<last:20>.parquet", "...-v<N>.parquet", and with a
  // node "...[-v<N>].<node>.parquet".
  std::string Format(std::string_view table) const;
  bool Contains(const LakeFileName& other) const {
    return first_seq <= other.first_seq && other.last_seq <= last_seq;
  }
  bool Overlaps(const LakeFileName& other) const {
    return first_seq <= other.last_seq && other.first_seq <= last_seq;
  }
  friend bool operator==(const LakeFileName&, const LakeFileName&) = default;
};

// Parses a name LakeFileName::Format(table) wrote; nullopt for any other name.
std::optional<LakeFileName> ParseLakeFileName(std::string_view table, std::string_view name);

// A node id: 1-32 characters of [a-z0-9-] (config node.id; "" means none and
// is checked by the caller). InvalidArgument saying why not.
inline constexpr size_t kMaxNodeIdLength = 32;
Status ValidateNodeId(std::string_view node);

// The lake-relative path of a file gamelake writes.
std::string LakeFilePath(std::string_view table, const LakePartition& partition,
                         const LakeFileName& name);

// The temporary name a writer creates `final_path` under (same folder,
// ".<name>.tmp"), and the test for such names (leftovers of a crash).
std::string TempPathFor(std::string_view final_path);
bool IsTempName(std::string_view file_name);

// The folder (directly under the lake dir) gamelake keeps the lake's own
// state in, e.g. delivery watermarks. Hidden: no table, ignored by engines.
inline constexpr std::string_view kLakeStateDir = ".gamelake";

// ---- Reading names, for the catalog (which also reads files users drop in).

struct LakeFileKind {
  FileFormat format = FileFormat::kParquet;
  bool gzip = false;
};

// The kind of the file `name` in the folder of `table`, or nullopt if readers
// ignore it: hidden and temporary names ('.'), markers ('_', except the
// table's own written files, which for _errors start with '_'), and unknown
// extensions.
std::optional<LakeFileKind> ClassifyLakeFile(std::string_view table, std::string_view name);

// True for folder names readers do not descend into: '.'-prefixed, and below
// a table folder also '_'-prefixed (other engines' _temporary dirs).
bool IgnoredDirName(std::string_view name, bool below_table);

// The key=value components of a table-relative directory path
// ("dt=2026-11-26/hr=10"), values percent-decoded as Hive escapes them.
std::vector<std::pair<std::string, std::string>> ParsePartitions(std::string_view dir);

// Splits a lake-relative file path into table, table-relative directory and
// file name; InvalidArgument for absolute paths, "." or ".." components, empty
// components, or a path without a table folder.
struct LakePath {
  std::string table;
  std::string dir;  // Table-relative; empty for files directly in the table folder.
  std::string name;
};
Result<LakePath> SplitLakePath(std::string_view path);

struct FileStat {
  bool exists = false;
  bool is_dir = false;
  uint64_t bytes = 0;
  int64_t mtime_us = 0;
};
// stat(2) of path (following symlinks). Env has no mtime call, so the
// catalog stats files itself; a missing path is exists=false, not an error.
Result<FileStat> StatPath(const std::string& path);

}  // namespace gamelake

#endif  // GAMELAKE_LAKE_LAKE_LAYOUT_H_
