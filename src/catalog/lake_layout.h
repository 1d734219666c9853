// LakeLayout: how the catalog reads names in the lake dir — which files are
// table files and in what format, the Hive partitions of a path, the seq range
// of a file gamelake delivered — and the file facts (size, mtime) a crawl
// compares to decide what changed.
//
// Thread-safety: pure functions (StatPath reads the file system).
#ifndef GAMELAKE_CATALOG_LAKE_LAYOUT_H_
#define GAMELAKE_CATALOG_LAKE_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"

namespace gamelake {

struct LakeFileKind {
  FileFormat format = FileFormat::kParquet;
  bool gzip = false;
};

// The kind of the file `name` in the folder of `table`, or nullopt if the
// catalog ignores it: hidden and temporary names ('.'), markers ('_', except
// the table's own delivered files, which for _errors start with '_'), and
// unknown extensions.
std::optional<LakeFileKind> ClassifyLakeFile(std::string_view table, std::string_view name);

// True for folder names the catalog does not descend into: '.'-prefixed, and
// below a table folder also '_'-prefixed (other engines' _temporary dirs).
bool IgnoredDirName(std::string_view name, bool below_table);

// Parses "<table>-<20 digits>-<20 digits>.parquet".
bool ParseDeliveredName(std::string_view table, std::string_view name, uint64_t* first,
                        uint64_t* last);

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

// ASCII lower-case, for case-insensitive names.
std::string FoldName(std::string_view name);

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_LAKE_LAYOUT_H_
