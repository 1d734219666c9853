// LakeFiles: what the files gamelake wrote into a lake dir mean together —
// which of them are visible (each record in exactly one), the delivery
// watermark of each stream, and the leftovers a crash may leave behind.
// docs/lake_format.md states the rules; lake_layout.h owns the names.
//
// Visibility. A written file's name claims a _record_id range of its table's
// stream. Of two files whose ranges overlap, a file whose range contains the
// other's wins (compaction: the merged file supersedes its inputs); of two
// with the same range, the higher version wins (erasure: the rewrite
// supersedes the original). Visible files therefore never share a record, and
// a writer commits by one rename: the moment its new file exists, the files
// it replaces are superseded, whatever happens next. A file that partly
// overlaps a visible file without being contained in it is a conflict:
// gamelake never writes one; it is reported and left out.
//
// Watermarks. A stream's watermark is the highest <last> of any file written
// for it, or the floor recorded in <lake>/.gamelake/watermarks when that is
// higher: retention records the floor before it deletes a stream's newest
// files, so records it dropped are never delivered again from the log.
//
// Thread-safety: pure functions over the file system; callers keep writers
// of one lake dir from racing (delivery, compaction and retention each own
// what they write).
#ifndef GAMELAKE_LAKE_LAKE_FILES_H_
#define GAMELAKE_LAKE_LAKE_FILES_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "lake/lake_layout.h"

namespace gamelake {

// A file gamelake wrote, found in the lake.
struct WrittenFile {
  std::string path;  // Lake-relative: "<table>/dt=.../hr=.../<name>".
  LakeFileName name;
};

struct Visibility {
  std::vector<size_t> visible;     // Indexes into the input, in _record_id order.
  std::vector<size_t> superseded;  // Replaced by a visible file; safe to delete.
  // (file, visible file it partly overlaps): left out, never deleted.
  std::vector<std::pair<size_t, size_t>> conflicts;
};

// Applies the visibility rule to the names of one table's written files.
Visibility ResolveVisibility(std::span<const LakeFileName> names);

// The table folders directly under lake_dir (hidden ones excluded), sorted.
Result<std::vector<std::string>> ListTables(Env* env, const std::string& lake_dir);

// Every file gamelake wrote under <lake_dir>/<table>, at any depth, in path
// order (temporary and hidden names excluded).
Result<std::vector<WrittenFile>> ListWrittenFiles(Env* env, const std::string& lake_dir,
                                                  const std::string& table);

// Per table, its watermark (see above); tables without written files and
// without a floor are absent.
Result<std::map<std::string, uint64_t>> ScanWatermarks(Env* env, const std::string& lake_dir);

// Raises the recorded floor of each given table to at least its seq; durable
// on OK. Floors never go down.
Status RaiseWatermarkFloors(Env* env, const std::string& lake_dir,
                            const std::map<std::string, uint64_t>& floors);

struct LeftoverReport {
  std::vector<std::string> temporary;   // Lake-relative paths removed.
  std::vector<std::string> superseded;  // Lake-relative paths removed.
  std::vector<std::string> conflicts;   // Lake-relative paths left in place.
};

// Removes what a crash may leave: temporary files of interrupted writes, and
// written files a visible file supersedes (a compaction or an erasure
// committed, but did not get to delete its inputs). Call only while no reader
// can be using the lake (at start, before SQL runs).
Result<LeftoverReport> RemoveLeftovers(Env* env, const std::string& lake_dir);

// Removes the folder <lake_dir>/<rel_dir> and then its parents, up to (not
// including) the table folder, for as long as they are empty.
Status RemoveEmptyDirs(Env* env, const std::string& lake_dir, const std::string& rel_dir);

}  // namespace gamelake

#endif  // GAMELAKE_LAKE_LAKE_FILES_H_
