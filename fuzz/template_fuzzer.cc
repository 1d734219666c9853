// Fuzzes the generator's template language (generator/template.h): templates
// come from the console, the CLI and POST /v1/generator/*. The input is the
// template text; a template that compiles is rendered a few times with a
// fixed seed and clock through RenderChecked (which may report a record that
// is not a JSON object: templates insert values as they are, like KDG).
#include <cstdint>
#include <string>

#include "fuzz/fuzz_request.h"
#include "generator/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gamelake::Result<gamelake::Template> compiled =
      gamelake::Template::Compile(gamelake::AsView(data, size));
  if (!compiled.ok()) return 0;
  const gamelake::Template& t = compiled.value();
  (void)t.uses_clock();
  gamelake::Rng rng(size);
  std::string out;
  constexpr int64_t kNow = 1764547200LL * 1000000;  // 2025-12-01 00:00:00 UTC.
  for (int i = 0; i < 3; ++i) {
    out.clear();
    (void)t.RenderChecked(&rng, kNow + i, &out);
  }
  out.clear();
  t.Render(&rng, kNow, &out);
  return 0;
}
