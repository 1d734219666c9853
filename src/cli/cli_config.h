// LoadCliConfig: the server's settings for the commands that work on a data
// dir themselves (catalog crawl/ddl, the offline lake commands), as their
// --config, --set and --data-dir flags give them — the way `serve` reads
// them, so both see the same lake.
//
// Thread-safety: a function of its arguments and the config file.
#ifndef GAMELAKE_CLI_CLI_CONFIG_H_
#define GAMELAKE_CLI_CLI_CONFIG_H_

#include <string>
#include <vector>

#include "common/result.h"
#include "server/config.h"

namespace gamelake {

// Defaults, then `config_file` (TOML; none when empty), then each --set
// name=value in `settings` in order, then `data_dir` when not empty (it wins
// over both); validated. Errors are those of LoadConfigFile, ApplySetting and
// ValidateConfig.
Result<Config> LoadCliConfig(const std::string& config_file,
                             const std::vector<std::string>& settings, const std::string& data_dir);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_CLI_CONFIG_H_
