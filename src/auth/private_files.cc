#include "auth/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace gamelake {
namespace {

// Creates path as an empty 0600 file, replacing a leftover of another mode.
Status CreateEmptyPrivateFile(Env* env, const std::string& path) {
  if (env->FileExists(path)) GL_RETURN_IF_ERROR(env->RemoveFile(path));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + path, errno);
  ::close(fd);
  return Status::OK();
}

}  // namespace

Status EnsurePrivateDir(Env* env, const std::string& dir) {
  GL_RETURN_IF_ERROR(env->CreateDirs(DirName(dir)));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkdir " + dir, errno);
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::FromErrno("stat " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + " exists but is not a directory");
  if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    return Status::FromErrno("chmod 0700 " + dir, errno);
  }
  return Status::OK();
}

Status WritePrivateFileAtomic(Env* env, const std::string& path, std::string_view data) {
  // Env::WriteFileAtomic writes through path + ".tmp"; make that 0600 first.
  GL_RETURN_IF_ERROR(CreateEmptyPrivateFile(env, path + ".tmp"));
  return env->WriteFileAtomic(path, data);
}

Result<bool> CreatePrivateFileIfMissing(Env* env, const std::string& path, std::string_view data) {
  if (env->FileExists(path)) return false;
  // A name of our own, so concurrent creators do not share a temporary file.
  std::string tmp = path + ".new." + std::to_string(::getpid());
  GL_RETURN_IF_ERROR(CreateEmptyPrivateFile(env, tmp));
  {
    GL_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp));
    GL_RETURN_IF_ERROR(file->Append(data));
    GL_RETURN_IF_ERROR(file->Sync());
    GL_RETURN_IF_ERROR(file->Close());
  }
  bool created = true;
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    if (e != EEXIST) {
      (void)env->RemoveFile(tmp);
      return Status::FromErrno("link " + tmp + " to " + path, e);
    }
    created = false;
  }
  GL_RETURN_IF_ERROR(env->RemoveFile(tmp));
  GL_RETURN_IF_ERROR(env->SyncDir(DirName(path)));
  return created;
}

Result<uint32_t> FileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::FromErrno("stat " + path, errno);
  }
  return static_cast<uint32_t>(st.st_mode & 07777);
}

Result<FileStamp> StatFile(const std::string& path) {
  struct stat st;
  FileStamp stamp;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return stamp;
    return Status::FromErrno("stat " + path, errno);
  }
  stamp.exists = true;
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.size = static_cast<uint64_t>(st.st_size);
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return stamp;
}

}  // namespace gamelake
