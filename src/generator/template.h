// Template: the record template language of the Amazon Kinesis Data Generator
// (KDG), compiled once and rendered millions of times a second.
//
// A template is text with {{ helper }} or {{ helper(arguments) }} expressions,
// e.g. the lab's
//   {"PlayerID":{{random.number(10000)}},
//    "CaughtAt":{{random.weightedArrayElement({"weights":[0.2,0.8],"data":[1,2]})}}}
// Helpers are faker.js names (an optional "faker." prefix is accepted), their
// arguments JSON values (JavaScript's single-quoted strings and bare object
// keys are accepted too). docs/generator.md lists every helper.
//
// Compile() parses the text into literal segments and expression nodes with
// their arguments checked and pre-computed (ranges, cumulative weights, word
// lists, date formats); an error names the template line and column. Line
// breaks in the literal text, with the indentation around them, are dropped,
// so a pretty-printed template (as the lab's) yields one-line records, ready
// for NDJSON; leading and trailing blanks of the template are dropped too.
// Values are inserted as they are, like KDG: quote them in the template where
// the result must be a JSON string.
//
// Render() appends one record to a caller's buffer: no allocation once the
// buffer has grown, all randomness from the caller's Rng (same seed, same
// records), the time from the caller (see generator.h for the clock rule).
// RenderChecked() does the same and also checks that the record is a JSON
// object, naming the template position an error comes from.
//
// Thread-safety: a compiled Template is immutable; copies share it, and
// Render may be called concurrently with distinct Rngs and buffers.
#ifndef GAMELAKE_GENERATOR_TEMPLATE_H_
#define GAMELAKE_GENERATOR_TEMPLATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "generator/rng.h"

namespace gamelake {

class Template {
 public:
  // Errors are InvalidArgument "template line L, column C: <what>".
  static Result<Template> Compile(std::string_view text);

  // Appends one record (no trailing newline) to *out.
  void Render(Rng* rng, int64_t now_us, std::string* out) const;
  // Render, then check that what was appended is one JSON object (valid UTF-8).
  // On error, out holds the bad record and the Status says what is wrong and
  // which template line and column produced it.
  Status RenderChecked(Rng* rng, int64_t now_us, std::string* out) const;

  // True if some helper reads the time passed to Render (date.now, date.past...).
  bool uses_clock() const;

  // Every helper name the language knows (without the "faker." prefix).
  static std::vector<std::string_view> HelperNames();

 private:
  struct Impl;
  explicit Template(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_TEMPLATE_H_
