// S3CredentialsProvider: the AWS credentials the S3 client signs with, found
// where the AWS SDKs and CLI look for them, first match wins:
//
//   1. a static pair from gamelake's config (S3CredentialsOptions's
//      access_key_id / secret_access_key / session_token);
//   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for
//      temporary credentials, AWS_SESSION_TOKEN;
//   3. the shared credentials file (credentials_file, else
//      $AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; INI, see
//      s3/ini_file.h), profile `profile`, else $AWS_PROFILE, else "default":
//      its aws_access_key_id, aws_secret_access_key and aws_session_token.
//
// Half a pair anywhere (an id without a secret or the reverse) is an error,
// not a reason to look further, so a typo is not silently replaced by other
// credentials. A malformed credentials file is an error naming the file and
// line:column; a missing profile names the file and the profiles it has.
//
// Not done yet (future work): the EC2 instance metadata service (IMDSv2),
// the ECS/EKS container credentials endpoints, web identity (IRSA),
// credential_process, SSO, and profiles in ~/.aws/config (including
// role_arn/source_profile). On an EC2 or ECS host, put credentials in the
// environment or the credentials file.
//
// Get() caches the resolved credentials for refresh_interval_s (Env clock),
// then resolves again, so rotated files and environment are picked up;
// Invalidate() forces that on the next Get() (after the store answered
// ExpiredToken, say).
//
// Thread-safety: all methods may be called concurrently.
#ifndef GAMELAKE_S3_S3_CREDENTIALS_H_
#define GAMELAKE_S3_S3_CREDENTIALS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "auth/sigv4_signer.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct S3CredentialsOptions {
  // A static pair from the config; both or neither. The token is optional.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // Profile of the shared credentials file; empty: $AWS_PROFILE, else "default".
  std::string profile;
  // The shared credentials file; empty: $AWS_SHARED_CREDENTIALS_FILE, else
  // $HOME/.aws/credentials.
  std::string credentials_file;
  // Reads an environment variable (std::getenv when empty); tests set one.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // Reads the credentials file, and its clock times the cache.
  Env* env = Env::Default();
  // How long Get() reuses what it resolved.
  int64_t refresh_interval_s = 300;
};

// Credentials and where they came from ("config", "environment",
// "/root/.aws/credentials [default]") — never the secret itself.
struct S3ResolvedCredentials {
  SigV4Credentials credentials;
  std::string source;
};

class S3CredentialsProvider {
 public:
  explicit S3CredentialsProvider(S3CredentialsOptions options);
  S3CredentialsProvider(const S3CredentialsProvider&) = delete;
  S3CredentialsProvider& operator=(const S3CredentialsProvider&) = delete;

  // Walks the chain now (no cache). NotFound when no source has credentials
  // (saying where it looked); InvalidArgument for half a pair or a malformed
  // file; IOError when the file cannot be read.
  Result<S3ResolvedCredentials> Resolve() const;

  // The cached credentials, resolved again when older than
  // refresh_interval_s or invalidated.
  Result<SigV4Credentials> Get() GL_EXCLUDES(mu_);
  void Invalidate() GL_EXCLUDES(mu_);

 private:
  std::optional<std::string> GetEnv(const std::string& name) const;

  S3CredentialsOptions options_;
  Mutex mu_;
  std::optional<SigV4Credentials> cached_ GL_GUARDED_BY(mu_);
  int64_t cached_at_us_ GL_GUARDED_BY(mu_) = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_CREDENTIALS_H_
