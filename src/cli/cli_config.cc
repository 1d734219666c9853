#include "cli/cli_config.h"

namespace gamelake {

Result<Config> LoadCliConfig(const std::string& config_file,
                             const std::vector<std::string>& settings,
                             const std::string& data_dir) {
  Config config;
  if (!config_file.empty()) GL_RETURN_IF_ERROR(LoadConfigFile(config_file, &config));
  for (const std::string& kv : settings) GL_RETURN_IF_ERROR(ApplySetting(kv, &config));
  if (!data_dir.empty()) config.data_dir = data_dir;
  GL_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

}  // namespace gamelake
