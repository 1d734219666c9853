#include "lake/file_reclaimer.h"

#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "lake/lake_files.h"

namespace gamelake {

FileReclaimer::Ticket& FileReclaimer::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    generation_ = other.generation_;
    other.owner_ = nullptr;
  }
  return *this;
}

void FileReclaimer::Ticket::Release() {
  if (owner_ == nullptr) return;
  FileReclaimer* owner = owner_;
  owner_ = nullptr;
  owner->Leave(generation_);
}

FileReclaimer::FileReclaimer(Env* env, std::string lake_dir)
    : env_(env), lake_dir_(std::move(lake_dir)) {}

FileReclaimer::~FileReclaimer() {
  std::deque<Retired> rest;
  {
    MutexLock lock(&mu_);
    rest.swap(retired_);
  }
  for (const Retired& r : rest) Delete(r.paths);
}

FileReclaimer::Ticket FileReclaimer::Enter() {
  MutexLock lock(&mu_);
  readers_[generation_]++;
  return Ticket(this, generation_);
}

void FileReclaimer::Leave(uint64_t generation) {
  {
    MutexLock lock(&mu_);
    auto it = readers_.find(generation);
    if (it != readers_.end() && --it->second == 0) readers_.erase(it);
  }
  Reclaim();
}

void FileReclaimer::Retire(std::vector<std::string> paths) {
  if (paths.empty()) return;
  {
    MutexLock lock(&mu_);
    retired_.push_back(Retired{generation_, std::move(paths)});
    ++generation_;  // Readers entering from now on never see these files.
  }
  Reclaim();
}

size_t FileReclaimer::readers() const {
  MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [g, count] : readers_) n += count;
  return n;
}

size_t FileReclaimer::pending_files() const {
  MutexLock lock(&mu_);
  size_t n = 0;
  for (const Retired& r : retired_) n += r.paths.size();
  return n;
}

void FileReclaimer::Reclaim() {
  MutexLock deleting(&delete_mu_);
  for (;;) {
    Retired batch;
    {
      MutexLock lock(&mu_);
      if (retired_.empty()) return;
      // A reader that entered at generation g <= batch.generation entered
      // before the batch was retired and may still open its files.
      if (!readers_.empty() && readers_.begin()->first <= retired_.front().generation) return;
      batch = std::move(retired_.front());
      retired_.pop_front();
    }
    Delete(batch.paths);
  }
}

void FileReclaimer::Delete(const std::vector<std::string>& paths) {
  std::set<std::string> dirs;
  for (const std::string& path : paths) {
    Status s = env_->RemoveFile(JoinPath(lake_dir_, path));
    if (!s.ok() && env_->FileExists(JoinPath(lake_dir_, path))) {
      // Left in place: start-up removes it if it is superseded.
      spdlog::warn("msg=\"cannot delete a replaced lake file\" file=\"{}\" error=\"{}\"", path,
                   s.ToString());
      continue;
    }
    dirs.insert(DirName(path));
  }
  for (const std::string& dir : dirs) {
    (void)env_->SyncDir(JoinPath(lake_dir_, dir));
    Status s = RemoveEmptyDirs(env_, lake_dir_, dir);
    if (!s.ok())
      spdlog::warn("msg=\"cannot remove an empty lake folder\" error=\"{}\"", s.ToString());
  }
}

}  // namespace gamelake
