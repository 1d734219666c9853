#include "server/lake_sink_factory.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "s3/s3_client.h"
#include "s3/s3_credentials.h"
#include "s3/s3_lake_keeper.h"
#include "s3/s3_lake_sink.h"
#include "s3/s3_location.h"

namespace gamelake {

Result<std::unique_ptr<S3Client>> MakeLakeS3Client(const Config& config) {
  GL_ASSIGN_OR_RETURN(S3Location location, S3Location::Parse(config.lake_location));
  S3CredentialsOptions creds;
  creds.access_key_id = config.lake_s3_access_key_id;
  creds.secret_access_key = config.lake_s3_secret_access_key;
  creds.profile = config.lake_s3_profile;
  auto provider = std::make_shared<S3CredentialsProvider>(creds);
  Result<S3ResolvedCredentials> resolved = provider->Resolve();
  if (!resolved.ok()) {
    return resolved.status().WithContext("lake.location " + config.lake_location +
                                         ": no S3 credentials (lake.s3.access_key_id, "
                                         "AWS_ACCESS_KEY_ID, or the shared credentials file)");
  }
  S3ClientOptions o;
  o.bucket = location.bucket();
  o.endpoint = config.lake_s3_endpoint;
  o.region = config.lake_s3_region;
  o.path_style = config.lake_s3_path_style;
  o.credentials = provider;
  o.ca_file = config.lake_s3_ca_file;
  o.multipart_threshold_bytes = config.lake_s3_multipart_threshold_bytes;
  o.part_size_bytes = config.lake_s3_part_size_bytes;
  Result<std::unique_ptr<S3Client>> client = S3Client::Create(std::move(o));
  if (!client.ok()) return client.status().WithContext("lake.location " + config.lake_location);
  spdlog::info(
      "msg=\"the lake is on S3\" location=\"{}\" endpoint=\"{}\" node=\"{}\" "
      "credentials=\"{}\"",
      location.ToString(), (*client)->endpoint().ToString(), config.node_id, resolved->source);
  return client;
}

Result<std::shared_ptr<LakeSink>> MakeLakeSink(const Config& config) {
  if (!config.lake_on_s3()) return std::shared_ptr<LakeSink>(NewLocalLakeSink());
  GL_ASSIGN_OR_RETURN(S3Location location, S3Location::Parse(config.lake_location));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, MakeLakeS3Client(config));
  S3LakeSinkOptions sink;
  sink.location = location;
  sink.lake_dir = config.lake_dir();
  sink.node_id = config.node_id;
  return std::shared_ptr<LakeSink>(
      std::make_shared<S3LakeSink>(std::move(client), std::move(sink)));
}

namespace {

class S3LakeStoreUpkeep final : public LakeStoreUpkeep {
 public:
  explicit S3LakeStoreUpkeep(std::unique_ptr<S3LakeKeeper> keeper) : keeper_(std::move(keeper)) {}
  LakeSink* sink() override { return keeper_->sink(); }
  Result<size_t> Sweep(const std::function<int64_t(const std::string&)>& cutoff_us) override {
    GL_ASSIGN_OR_RETURN(S3LakeKeeperSweep sweep, keeper_->Sweep(cutoff_us));
    return sweep.waiting;
  }

 private:
  std::unique_ptr<S3LakeKeeper> keeper_;
};

}  // namespace

Result<std::unique_ptr<LakeStoreUpkeep>> MakeLakeStoreUpkeep(const Config& config) {
  if (!config.lake_on_s3()) return std::unique_ptr<LakeStoreUpkeep>();
  GL_ASSIGN_OR_RETURN(S3Location location, S3Location::Parse(config.lake_location));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, MakeLakeS3Client(config));
  S3LakeKeeperOptions o;
  o.sink.location = location;
  o.sink.lake_dir = config.lake_dir();
  o.sink.node_id = config.node_id;
  o.delete_grace_us = static_cast<int64_t>(config.lake_s3_delete_grace_s * 1e6);
  return std::unique_ptr<LakeStoreUpkeep>(
      std::make_unique<S3LakeStoreUpkeep>(std::make_unique<S3LakeKeeper>(std::move(client), o)));
}

}  // namespace gamelake
