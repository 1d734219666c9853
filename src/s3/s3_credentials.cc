#include "s3/s3_credentials.h"

#include <cstdlib>

#include <fmt/format.h>

#include "s3/ini_file.h"

namespace gamelake {

S3CredentialsProvider::S3CredentialsProvider(S3CredentialsOptions options)
    : options_(std::move(options)) {
  if (options_.env == nullptr) options_.env = Env::Default();
}

std::optional<std::string> S3CredentialsProvider::GetEnv(const std::string& name) const {
  if (options_.getenv) return options_.getenv(name);
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<S3ResolvedCredentials> S3CredentialsProvider::Resolve() const {
  S3ResolvedCredentials out;
  // 1. The config's static pair.
  if (!options_.access_key_id.empty() || !options_.secret_access_key.empty()) {
    if (options_.access_key_id.empty() || options_.secret_access_key.empty()) {
      return Status::InvalidArgument(
          "S3 credentials in the config: access_key_id and secret_access_key must be set "
          "together");
    }
    out.credentials = {options_.access_key_id, options_.secret_access_key, options_.session_token};
    out.source = "config";
    return out;
  }
  // 2. The environment.
  std::optional<std::string> id = GetEnv("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = GetEnv("AWS_SECRET_ACCESS_KEY");
  bool has_id = id.has_value() && !id->empty();
  bool has_secret = secret.has_value() && !secret->empty();
  if (has_id || has_secret) {
    if (!has_id || !has_secret) {
      return Status::InvalidArgument(
          fmt::format("S3 credentials in the environment: {} is set but {} is not",
                      has_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                      has_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"));
    }
    out.credentials = {*id, *secret, GetEnv("AWS_SESSION_TOKEN").value_or("")};
    out.source = "environment";
    return out;
  }
  // 3. The shared credentials file.
  std::string file = options_.credentials_file;
  bool file_chosen = !file.empty();
  if (file.empty()) {
    std::optional<std::string> env_file = GetEnv("AWS_SHARED_CREDENTIALS_FILE");
    if (env_file.has_value() && !env_file->empty()) {
      file = *env_file;
      file_chosen = true;
    }
  }
  if (file.empty()) {
    std::optional<std::string> home = GetEnv("HOME");
    if (home.has_value() && !home->empty()) file = JoinPath(*home, ".aws/credentials");
  }
  std::string profile = options_.profile;
  bool profile_chosen = !profile.empty();
  if (profile.empty()) {
    std::optional<std::string> env_profile = GetEnv("AWS_PROFILE");
    if (env_profile.has_value() && !env_profile->empty()) {
      profile = *env_profile;
      profile_chosen = true;
    } else {
      profile = "default";
    }
  }
  constexpr std::string_view kNotYet =
      "(the EC2/ECS instance metadata endpoints are not supported yet)";
  if (file.empty() || !options_.env->FileExists(file)) {
    if (file_chosen) {
      return Status::NotFound(
          fmt::format("S3 credentials: the shared credentials file {} does not exist", file));
    }
    return Status::NotFound(fmt::format(
        "no S3 credentials found: set lake.s3.access_key_id and lake.s3.secret_access_key, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile [{}] in {} {}",
        profile, file.empty() ? std::string("~/.aws/credentials") : file, kNotYet));
  }
  GL_ASSIGN_OR_RETURN(std::string text, options_.env->ReadFile(file));
  GL_ASSIGN_OR_RETURN(IniFile ini, IniFile::Parse(text, file));
  const IniFile::Section* section = ini.Find(profile);
  if (section == nullptr) {
    std::string names;
    for (const auto& [name, s] : ini.sections()) {
      if (!names.empty()) names += ", ";
      names += name;
    }
    return Status::NotFound(fmt::format(
        "S3 credentials: profile [{}]{} is not in {} (it has: {}) {}", profile,
        profile_chosen ? "" : " (the default; set AWS_PROFILE or lake.s3.profile for another)",
        file, names.empty() ? "no profiles" : names, kNotYet));
  }
  auto value = [&](const char* key) -> const IniFile::Value* {
    auto it = section->values.find(key);
    return it == section->values.end() || it->second.text.empty() ? nullptr : &it->second;
  };
  const IniFile::Value* file_id = value("aws_access_key_id");
  const IniFile::Value* file_secret = value("aws_secret_access_key");
  if (file_id == nullptr || file_secret == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "{}:{}: profile [{}] needs both aws_access_key_id and aws_secret_access_key (it lacks "
        "{}); role and SSO profiles are not supported yet",
        file, section->line, profile,
        file_id == nullptr ? "aws_access_key_id" : "aws_secret_access_key"));
  }
  const IniFile::Value* token = value("aws_session_token");
  out.credentials = {file_id->text, file_secret->text, token == nullptr ? "" : token->text};
  out.source = fmt::format("{} [{}]", file, profile);
  return out;
}

Result<SigV4Credentials> S3CredentialsProvider::Get() {
  int64_t now = options_.env->MonotonicMicros();
  {
    MutexLock lock(&mu_);
    if (cached_.has_value() && now - cached_at_us_ < options_.refresh_interval_s * 1000000) {
      return *cached_;
    }
  }
  GL_ASSIGN_OR_RETURN(S3ResolvedCredentials resolved, Resolve());
  MutexLock lock(&mu_);
  cached_ = resolved.credentials;
  cached_at_us_ = now;
  return resolved.credentials;
}

void S3CredentialsProvider::Invalidate() {
  MutexLock lock(&mu_);
  cached_.reset();
}

}  // namespace gamelake
