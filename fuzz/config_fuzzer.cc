// Fuzzes the server's configuration (server/config.h): the TOML file given
// with --config (parsed by toml++, then applied and validated by us) and the
// --set name=value overrides. The input is read as a whole TOML file; each of
// its lines is also applied as a --set override, and the first as a listen
// address; the resulting settings are validated.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = gamelake::AsView(data, size);
  gamelake::Config config;
  if (gamelake::LoadConfigText(text, "fuzz.toml", &config).ok()) {
    (void)gamelake::ValidateConfig(config);
  }

  gamelake::Config overridden;
  std::string_view rest = text;
  bool first = true;
  while (!rest.empty()) {
    std::string line(gamelake::TakeFuzzLine(&rest));
    if (first) (void)gamelake::ParseListen(line, &overridden);
    first = false;
    (void)gamelake::ApplySetting(line, &overridden);
  }
  (void)gamelake::ValidateConfig(overridden);
  return 0;
}
