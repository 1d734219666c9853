#include "generator/record_source.h"

#include <cstdio>

#include <fmt/format.h>
#include <simdjson.h>

#include "generator/rng.h"
#include "generator/session_simulator.h"
#include "generator/template.h"
#include "ingest/json_syntax_check.h"

namespace gamelake {

const std::string_view kLabTemplate = R"({
"PlayerID":{{random.number(10000)}},
"Time Played":{{random.number(100000)}},
"Wins":{{random.number(5)}},
"Losses":{{random.number(50)}},
"CaughtAt":{{random.weightedArrayElement(
{
    "weights": [0.2,0.5,0.1,0.05,0.1,0.05],
    "data": [1,2,3,4,5,6]
  }
)}},
"CaughtBy":{{random.weightedArrayElement(
{
    "weights": [0.2,0.45,0.15,0.05,0.1,0.05],
    "data": [1,2,3,4,5,6]
  }
)}}
}
)";

namespace {

class TemplateSource final : public RecordSource {
 public:
  TemplateSource(Template t, uint64_t seed) : template_(std::move(t)), rng_(seed) {}
  void Next(int64_t now_us, std::string* out) override { template_.Render(&rng_, now_us, out); }
  Status NextChecked(int64_t now_us, std::string* out) override {
    return template_.RenderChecked(&rng_, now_us, out);
  }
  bool uses_clock() const override { return template_.uses_clock(); }

 private:
  Template template_;
  Rng rng_;
};

Result<std::string> ReadStdin() {
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) text.append(buf, n);
  if (std::ferror(stdin)) return Status::IOError("reading the template from stdin failed");
  return text;
}

}  // namespace

Result<std::unique_ptr<RecordSource>> NewTemplateSource(std::string_view text, uint64_t seed) {
  GL_ASSIGN_OR_RETURN(Template t, Template::Compile(text));
  return std::unique_ptr<RecordSource>(std::make_unique<TemplateSource>(std::move(t), seed));
}

Result<std::unique_ptr<RecordSource>> NewBuiltinSource(std::string_view name, uint64_t seed) {
  if (name == "builtin:lab") return NewTemplateSource(kLabTemplate, seed);
  if (name == "builtin:sessions") {
    return std::unique_ptr<RecordSource>(std::make_unique<SessionSimulator>(seed));
  }
  return Status::InvalidArgument(fmt::format(
      "unknown built-in template \"{}\" (there are builtin:lab and builtin:sessions)", name));
}

Result<std::unique_ptr<RecordSource>> OpenRecordSource(std::string_view spec, uint64_t seed,
                                                       Env* env) {
  if (spec.starts_with("builtin:")) return NewBuiltinSource(spec, seed);
  std::string text;
  if (spec == "-") {
    GL_ASSIGN_OR_RETURN(text, ReadStdin());
  } else {
    Result<std::string> file = env->ReadFile(std::string(spec));
    if (!file.ok()) return file.status().WithContext("reading the template");
    text = std::move(file).value();
  }
  Result<std::unique_ptr<RecordSource>> source = NewTemplateSource(text, seed);
  if (!source.ok() && spec != "-") {
    return Status::InvalidArgument(fmt::format("{}: {}", spec, source.status().message()));
  }
  return source;
}

Status CheckJsonObject(std::string_view record) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (!parser.parse(record.data(), record.size(), true).get(root)) {
    if (root.type() == simdjson::dom::element_type::OBJECT) return Status::OK();
    return Status::InvalidArgument("the record is not a JSON object");
  }
  std::optional<JsonSyntaxError> e = FindJsonSyntaxError(record);
  return Status::InvalidArgument(fmt::format("the record is not valid JSON at byte {}: {}",
                                             e ? e->offset : 0, e ? e->reason : "invalid"));
}

}  // namespace gamelake
