// Files only their owner may read: the key store's directory (0700), keys.json,
// master.key and dev-keys.txt (0600), plus the file stamp used to notice that
// another process rewrote keys.json.
//
// Env has no notion of file modes or modification times, so these helpers use
// POSIX directly for exactly that (mkdir/chmod/open with a mode, stat) and go
// through Env for the writing, syncing and renaming. A private file is never
// readable by others, not even for a moment: its temporary file is created
// 0600 before Env::WriteFileAtomic truncates, fills and renames it (an existing
// file keeps its mode when opened with O_TRUNC).
//
// Thread-safety: functions are safe to call concurrently on different paths.
#ifndef GAMELAKE_AUTH_PRIVATE_FILES_H_
#define GAMELAKE_AUTH_PRIVATE_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// Creates dir (and missing parents, with Env's default mode) and makes dir
// itself mode 0700. InvalidArgument when dir exists but is not a directory.
[[nodiscard]] Status EnsurePrivateDir(Env* env, const std::string& dir);

// Writes data to path atomically (Env::WriteFileAtomic) as a 0600 file.
[[nodiscard]] Status WritePrivateFileAtomic(Env* env, const std::string& path,
                                            std::string_view data);

// Creates path as a 0600 file holding data, only if it does not exist yet
// (link(2) of a 0600 temporary: never replaces). Returns false, not an error,
// when path already existed; then path is left as it was.
[[nodiscard]] Result<bool> CreatePrivateFileIfMissing(Env* env, const std::string& path,
                                                      std::string_view data);

// The permission bits of path (e.g. 0600). NotFound when path does not exist.
Result<uint32_t> FileMode(const std::string& path);

// Identity and version of a file: a rewrite through rename changes the inode;
// an edit in place changes the size or the modification time.
struct FileStamp {
  bool exists = false;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
Result<FileStamp> StatFile(const std::string& path);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_PRIVATE_FILES_H_
