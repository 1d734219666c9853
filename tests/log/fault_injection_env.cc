#include "fault_injection_env.h"

#include <cerrno>
#include <cmath>
#include <vector>

namespace gamelake {

class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override { return env_->OnAppend(base_.get(), data); }
  Status Sync() override { return env_->OnSync(path_, base_.get()); }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* const env_;
  const std::string path_;
  std::unique_ptr<WritableFile> base_;
};

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  const bool existed = base_->FileExists(path);
  GL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->NewWritableFile(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    FileState& state = files_[path];
    state.synced_size = 0;
    state.dir_synced = existed;
  }
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, path, std::move(file)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  const bool existed = base_->FileExists(path);
  GL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->NewAppendableFile(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = files_.try_emplace(path);
    if (inserted) {
      it->second.synced_size = file->Size();
      it->second.dir_synced = existed;
    }
  }
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, path, std::move(file)));
}

Status FaultInjectionEnv::OnAppend(WritableFile* base_file, std::string_view data) {
  if (append_error_) {
    failed_appends_.fetch_add(1);
    if (append_partial_ && data.size() > 1) {
      GL_RETURN_IF_ERROR(base_file->Append(data.substr(0, data.size() / 2)));
    }
    return Status::FromErrno("fault injection: append", ENOSPC);
  }
  return base_file->Append(data);
}

Status FaultInjectionEnv::OnSync(const std::string& path, WritableFile* base_file) {
  if (sync_error_) {
    failed_syncs_.fetch_add(1);
    return Status::FromErrno("fault injection: fdatasync", EIO);
  }
  if (!active_) return Status::OK();  // The machine is down: nothing becomes durable.
  GL_RETURN_IF_ERROR(base_file->Sync());
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].synced_size = base_file->Size();
  return Status::OK();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  if (!active_) return Status::OK();
  GL_RETURN_IF_ERROR(base_->RemoveFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  if (!active_) return Status::OK();
  GL_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    FileState state = it->second;
    state.dir_synced = false;
    files_.erase(it);
    files_[to] = state;
  }
  return Status::OK();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  if (!active_) return Status::OK();
  GL_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end() && it->second.synced_size > size) it->second.synced_size = size;
  return Status::OK();
}

Status FaultInjectionEnv::SyncFile(const std::string& path) {
  if (sync_error_) {
    failed_syncs_.fetch_add(1);
    return Status::FromErrno("fault injection: fsync", EIO);
  }
  if (!active_) return Status::OK();
  GL_RETURN_IF_ERROR(base_->SyncFile(path));
  GL_ASSIGN_OR_RETURN(uint64_t size, base_->GetFileSize(path));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) it->second.synced_size = size;
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (!active_) return Status::OK();
  GL_RETURN_IF_ERROR(base_->SyncDir(dir));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, state] : files_) {
    if (DirName(path) == dir) state.dir_synced = true;
  }
  return Status::OK();
}

Status FaultInjectionEnv::DropUnsyncedData(double keep_fraction) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    if (!it->second.dir_synced) {
      if (base_->FileExists(path)) GL_RETURN_IF_ERROR(base_->RemoveFile(path));
      it = files_.erase(it);
      continue;
    }
    GL_ASSIGN_OR_RETURN(uint64_t size, base_->GetFileSize(path));
    const uint64_t synced = it->second.synced_size;
    if (size > synced) {
      const auto kept =
          static_cast<uint64_t>(std::floor(static_cast<double>(size - synced) * keep_fraction));
      GL_RETURN_IF_ERROR(base_->TruncateFile(path, synced + kept));
      it->second.synced_size = synced + kept;
    }
    ++it;
  }
  return Status::OK();
}

}  // namespace gamelake
