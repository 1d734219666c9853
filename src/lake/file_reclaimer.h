// FileReclaimer: deletes lake files that a switch replaced (compaction's
// inputs, the originals of an erasure rewrite, partitions past retention) once
// no reader that could still open them is left — the way LevelDB keeps a
// version's files alive while an iterator holds that version.
//
// A reader (a query) takes a Ticket before it looks at the catalog and holds
// it until it has read its last file. A writer first makes sure no new reader
// can find the old files (the new file is visible and the catalog switched),
// then Retire()s them: they are deleted as soon as every reader that entered
// before the Retire has left. Files retired but not yet deleted when the
// process dies are superseded (or past retention) on disk, and start-up
// removes them (RemoveLeftovers) before any reader runs.
//
// Thread-safety: all methods are safe to call from any thread. Deletion runs
// on the thread that retires or that releases the last blocking ticket.
#ifndef GAMELAKE_LAKE_FILE_RECLAIMER_H_
#define GAMELAKE_LAKE_FILE_RECLAIMER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"

namespace gamelake {

class FileReclaimer {
 public:
  // Held by a reader; leaving (destruction) may delete files.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept : owner_(other.owner_), generation_(other.generation_) {
      other.owner_ = nullptr;
    }
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }
    void Release();

   private:
    friend class FileReclaimer;
    Ticket(FileReclaimer* owner, uint64_t generation) : owner_(owner), generation_(generation) {}
    FileReclaimer* owner_ = nullptr;
    uint64_t generation_ = 0;
  };

  // lake_dir: paths given to Retire are relative to it. env must outlive this.
  FileReclaimer(Env* env, std::string lake_dir);
  ~FileReclaimer();  // Deletes whatever is still retired (no reader may be left).

  Ticket Enter() GL_EXCLUDES(mu_);
  // Deletes `paths` (lake-relative) once no earlier reader is left, then
  // syncs their folders and removes folders left empty below the table.
  void Retire(std::vector<std::string> paths) GL_EXCLUDES(mu_, delete_mu_);

  size_t readers() const GL_EXCLUDES(mu_);
  size_t pending_files() const GL_EXCLUDES(mu_);  // Retired, not yet deleted.

 private:
  struct Retired {
    uint64_t generation;
    std::vector<std::string> paths;
  };
  void Leave(uint64_t generation) GL_EXCLUDES(mu_, delete_mu_);
  // Deletes every batch no reader blocks.
  void Reclaim() GL_EXCLUDES(mu_, delete_mu_);
  void Delete(const std::vector<std::string>& paths);

  Env* const env_;
  const std::string lake_dir_;
  mutable Mutex mu_;
  uint64_t generation_ GL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, size_t> readers_ GL_GUARDED_BY(mu_);  // Generation -> count.
  std::deque<Retired> retired_ GL_GUARDED_BY(mu_);         // Oldest first.
  Mutex delete_mu_ GL_ACQUIRED_BEFORE(mu_);                // One deleter at a time.
};

}  // namespace gamelake

#endif  // GAMELAKE_LAKE_FILE_RECLAIMER_H_
