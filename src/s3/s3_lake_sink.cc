#include "s3/s3_lake_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "lake/lake_files.h"
#include "s3/s3_error.h"

namespace gamelake {
namespace {

constexpr std::string_view kParquetContentType = "application/vnd.apache.parquet";

// True when the store answered that it has no such operation.
bool IsNotImplemented(const Status& s) {
  return S3ErrorCode(s) == "NotImplemented" || S3HttpStatus(s) == 501;
}

}  // namespace

S3LakeSink::S3LakeSink(std::unique_ptr<S3Client> client, S3LakeSinkOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

std::optional<S3LakeSink::OwnFile> S3LakeSink::ParseOwnKey(std::string_view key) const {
  const std::string& prefix = options_.location.prefix();
  if (!key.starts_with(prefix)) return std::nullopt;
  std::string_view rel = key.substr(prefix.size());
  Result<LakePath> split = SplitLakePath(rel);
  if (!split.ok() || split->table.empty() || split->table[0] == '.') return std::nullopt;
  std::optional<LakeFileName> name = ParseLakeFileName(split->table, split->name);
  if (!name || name->node != options_.node_id) return std::nullopt;
  return OwnFile{std::string(rel), split->table, std::move(*name)};
}

Result<std::map<std::string, uint64_t>> S3LakeSink::ListOwnObjects(LakeSinkRecovery* recovery) {
  GL_ASSIGN_OR_RETURN(std::vector<S3ObjectInfo> objects,
                      client_->ListAllObjects(options_.location.prefix()));
  std::map<std::string, uint64_t> own;
  for (const S3ObjectInfo& object : objects) {
    std::optional<OwnFile> file = ParseOwnKey(object.key);
    if (!file) continue;
    uint64_t& wm = recovery->watermarks[file->table];
    wm = std::max(wm, file->name.last_seq);
    own.emplace(std::move(file->path), object.size);
  }
  return own;
}

Status S3LakeSink::AbortOwnUploads() {
  Result<std::vector<S3MultipartUpload>> uploads =
      client_->ListMultipartUploads(options_.location.prefix());
  if (!uploads.ok() && IsNotImplemented(uploads.status())) {
    spdlog::warn(
        "msg=\"the store cannot list multipart uploads; none aborted\" lake=\"{}\" "
        "error=\"{}\"",
        Describe(), uploads.status().ToString());
    return Status::OK();
  }
  GL_RETURN_IF_ERROR(uploads.status().WithContext("listing multipart uploads"));
  for (const S3MultipartUpload& upload : *uploads) {
    if (!ParseOwnKey(upload.key)) continue;
    Status s = client_->AbortMultipartUpload(upload.key, upload.upload_id);
    if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
    spdlog::info("msg=\"aborted an interrupted multipart upload\" key=\"{}\"", upload.key);
  }
  return Status::OK();
}

Status S3LakeSink::FindMissing(const std::map<std::string, uint64_t>& remote,
                               LakeSinkRecovery* recovery) {
  Env* env = options_.env;
  GL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(env, options_.lake_dir));
  for (const std::string& table : tables) {
    GL_ASSIGN_OR_RETURN(std::vector<WrittenFile> files,
                        ListWrittenFiles(env, options_.lake_dir, table));
    for (const WrittenFile& file : files) {
      if (file.name.node != options_.node_id) continue;
      GL_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(JoinPath(options_.lake_dir, file.path)));
      auto it = remote.find(file.path);
      if (it == remote.end() || it->second != size) recovery->missing.push_back(file.path);
    }
  }
  std::sort(recovery->missing.begin(), recovery->missing.end());
  return Status::OK();
}

Result<LakeSinkRecovery> S3LakeSink::Recover() {
  LakeSinkRecovery recovery;
  GL_ASSIGN_OR_RETURN(auto remote, ListOwnObjects(&recovery));
  GL_RETURN_IF_ERROR(AbortOwnUploads());
  GL_RETURN_IF_ERROR(FindMissing(remote, &recovery));
  spdlog::info("msg=\"lake store listed\" lake=\"{}\" node=\"{}\" own_objects={} to_upload={}",
               Describe(), options_.node_id, remote.size(), recovery.missing.size());
  return recovery;
}

Status S3LakeSink::Publish(const std::string& lake_path) {
  const std::string key = options_.location.Key(lake_path);
  const std::string file = JoinPath(options_.lake_dir, lake_path);
  GL_ASSIGN_OR_RETURN(S3PutResult put, client_->UploadFile(key, file, kParquetContentType));
  GL_ASSIGN_OR_RETURN(uint64_t size, options_.env->GetFileSize(file));
  if (put.size != size) {
    return Status::Corruption("uploaded " + std::to_string(put.size) + " bytes of " + key +
                              ", the file has " + std::to_string(size));
  }
  return Status::OK();
}

}  // namespace gamelake
