// The template language: every helper's range and format, weights honoured
// within statistical tolerance, errors with line and column, and the lab's
// template producing exactly the lab's fields.
#include "generator/template.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "generator/record_source.h"
#include "generator/time_format.h"
#include "generator/word_lists.h"

namespace gamelake {
namespace {

constexpr int64_t kNow = 1735732800'000'000;  // 2025-01-01T12:00:00Z.

Template Compile(const std::string& text) {
  Result<Template> t = Template::Compile(text);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : Template::Compile("{}").value();
}

// Renders `expr` alone n times (seeded); returns each output.
std::vector<std::string> Draw(const std::string& expr, int n = 2000, uint64_t seed = 7) {
  Template t = Compile("{{" + expr + "}}");
  Rng rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    t.Render(&rng, kNow, &s);
    out.push_back(s);
  }
  return out;
}

std::string CompileError(const std::string& text) {
  Result<Template> t = Template::Compile(text);
  return t.ok() ? "(compiled)" : t.status().message();
}

bool Matches(const std::string& s, const std::string& re) {
  static std::map<std::string, std::regex> compiled;  // std::regex is slow to build.
  auto it = compiled.try_emplace(re, re).first;
  return std::regex_match(s, it->second);
}

TEST(TemplateTest, LiteralsAndCompaction) {
  Template t = Compile("\n  {\n  \"a\": 1,   \n\t\"b c\" : \"x y\"\n}\n\n");
  Rng rng(1);
  std::string out;
  t.Render(&rng, kNow, &out);
  EXPECT_EQ(out, "{\"a\": 1,\"b c\" : \"x y\"}");
  // `}}` outside an expression is plain text.
  t = Compile("{\"a\":{\"b\":{{random.number(0)}}}}");
  out.clear();
  t.Render(&rng, kNow, &out);
  EXPECT_EQ(out, "{\"a\":{\"b\":0}}");
}

TEST(TemplateTest, RandomNumberMaxIsInclusive) {
  std::set<int> seen;
  for (const std::string& s : Draw("random.number(5)")) {
    int v = std::stoi(s);
    ASSERT_GE(v, 0);
    ASSERT_LE(v, 5);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 6u);
  for (const std::string& s : Draw("random.number")) {
    ASSERT_TRUE(Matches(s, "[0-9]+")) << s;
    ASSERT_LE(std::stoi(s), 99999);
  }
  for (const std::string& s : Draw("faker.datatype.number()")) ASSERT_LE(std::stoi(s), 99999);
}

TEST(TemplateTest, RandomNumberMinMaxPrecision) {
  std::set<int> seen;
  for (const std::string& s : Draw(R"(random.number({"min":-3,"max":3}))")) {
    int v = std::stoi(s);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  std::set<std::string> decimals;
  for (const std::string& s : Draw(R"(random.number({"min":1,"max":2,"precision":0.25}))")) {
    ASSERT_TRUE(s == "1" || s == "1.25" || s == "1.5" || s == "1.75" || s == "2") << s;
    decimals.insert(s);
  }
  EXPECT_EQ(decimals.size(), 5u);
  for (const std::string& s : Draw(R"(random.number({min: 0.1, max: 0.3, precision: 0.1}))")) {
    ASSERT_TRUE(s == "0.1" || s == "0.2" || s == "0.3") << s;  // No 0.30000000000000004.
  }
  for (const std::string& s : Draw(R"(random.float({"min":10,"max":20}))")) {
    double v = std::stod(s);
    ASSERT_GE(v, 10);
    ASSERT_LE(v, 20);
    ASSERT_TRUE(Matches(s, "[0-9]+(\\.[0-9]{1,2})?")) << s;
  }
}

TEST(TemplateTest, RandomNumberIsUniform) {
  std::map<std::string, int> counts;
  const int n = 100000;
  for (const std::string& s : Draw("random.number(9)", n)) ++counts[s];
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [v, c] : counts) EXPECT_NEAR(c / double(n), 0.1, 0.006) << v;
}

TEST(TemplateTest, WeightedArrayElementHonoursWeights) {
  // The lab's CaughtAt weights.
  const std::vector<double> weights = {0.2, 0.5, 0.1, 0.05, 0.1, 0.05};
  const int n = 200000;
  std::map<std::string, int> counts;
  for (const std::string& s : Draw(R"(random.weightedArrayElement({
      "weights": [0.2,0.5,0.1,0.05,0.1,0.05], "data": [1,2,3,4,5,6]}))",
                                   n)) {
    ++counts[s];
  }
  ASSERT_EQ(counts.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    double p = weights[i];
    double sd = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(counts[std::to_string(i + 1)] / double(n), p, 5 * sd) << "data " << i + 1;
  }
  // Weights need not add to 1; zero weights are never chosen; strings keep their text.
  counts.clear();
  for (const std::string& s :
       Draw(R"(random.weightedArrayElement({"weights":[3,0,1],"data":["a","never","c d"]}))", n)) {
    ++counts[s];
  }
  EXPECT_EQ(counts.count("never"), 0u);
  EXPECT_NEAR(counts["a"] / double(n), 0.75, 0.01);
  EXPECT_NEAR(counts["c d"] / double(n), 0.25, 0.01);
}

TEST(TemplateTest, ArrayElementHelpers) {
  std::map<std::string, int> counts;
  for (const std::string& s : Draw(R"(random.arrayElement(["x", 'y', 3, true]))", 40000))
    ++counts[s];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [v, c] : counts) EXPECT_NEAR(c / 40000.0, 0.25, 0.015) << v;
  for (const std::string& s : Draw(R"(helpers.randomize(["p","q"]))")) {
    ASSERT_TRUE(s == "p" || s == "q");
  }
  std::set<size_t> sizes;
  for (const std::string& s : Draw(R"(random.arrayElements(["a","b","c","d"]))")) {
    ASSERT_TRUE(Matches(s, "[abcd](,[abcd]){0,3}")) << s;
    std::set<char> letters(s.begin(), s.end());
    letters.erase(',');
    ASSERT_EQ(letters.size(), (s.size() + 1) / 2) << "repeated element: " << s;
    sizes.insert(letters.size());
  }
  EXPECT_EQ(sizes, (std::set<size_t>{1, 2, 3, 4}));
  for (const std::string& s : Draw(R"(random.arrayElements(["a","b","c","d"], 2))")) {
    ASSERT_TRUE(Matches(s, "[abcd],[abcd]") && s[0] != s[2]) << s;
  }
  for (const std::string& s : Draw(R"(helpers.shuffle(["a","b","c"]))")) {
    std::string sorted = s;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, ",,abc") << s;
  }
}

TEST(TemplateTest, UuidBooleanWordsAndCharacters) {
  std::set<std::string> uuids;
  for (const std::string& s : Draw("random.uuid")) {
    ASSERT_TRUE(Matches(s, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
        << s;
    uuids.insert(s);
  }
  EXPECT_EQ(uuids.size(), 2000u);
  int trues = 0;
  for (const std::string& s : Draw("random.boolean", 10000)) {
    ASSERT_TRUE(s == "true" || s == "false");
    trues += s == "true";
  }
  EXPECT_NEAR(trues / 10000.0, 0.5, 0.03);
  std::set<std::string_view> known(words::RandomWords().begin(), words::RandomWords().end());
  for (const std::string& s : Draw("random.word")) ASSERT_TRUE(known.count(s)) << s;
  for (const std::string& s : Draw("random.words(4)"))
    ASSERT_TRUE(Matches(s, "\\S+( \\S+){3}")) << s;
  for (const std::string& s : Draw("random.words"))
    ASSERT_TRUE(Matches(s, "\\S+( \\S+){0,2}")) << s;
  for (const std::string& s : Draw("random.alphaNumeric(12)"))
    ASSERT_TRUE(Matches(s, "[0-9a-z]{12}"));
  for (const std::string& s : Draw("random.alphaNumeric")) ASSERT_TRUE(Matches(s, "[0-9a-z]"));
  for (const std::string& s : Draw("random.alpha({\"count\":5,\"upcase\":true})")) {
    ASSERT_TRUE(Matches(s, "[A-Z]{5}")) << s;
  }
  for (const std::string& s : Draw("random.hexaDecimal(4)"))
    ASSERT_TRUE(Matches(s, "0x[0-9a-f]{4}"));
}

TEST(TemplateTest, DateHelpersAndFormats) {
  EXPECT_EQ(Draw("date.now", 1)[0], "2025-01-01T12:00:00Z");
  EXPECT_EQ(Draw("date.now(\"YYYY-MM-DD HH:mm:ss\")", 1)[0], "2025-01-01 12:00:00");
  EXPECT_EQ(Draw("date.utc('X')", 1)[0], "1735732800");
  EXPECT_EQ(Draw("date.now(\"x\")", 1)[0], "1735732800000");
  EXPECT_EQ(Draw("date.now(\"dddd, MMMM Do YYYY, h:mm:ss a [UTC]Z\")", 1)[0],
            "Wednesday, January 1st 2025, 12:00:00 pm UTC+00:00");
  for (const std::string& s : Draw("date.past")) {
    Result<int64_t> t = ParseTime(s);
    ASSERT_TRUE(t.ok()) << s;
    ASSERT_LT(*t, kNow);
    ASSERT_GE(*t, kNow - 365LL * 86400 * 1000000 - 1000);
    ASSERT_TRUE(Matches(s, "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")) << s;
  }
  for (const std::string& s : Draw("date.recent(2, \"YYYY-MM-DD\")")) {
    ASSERT_TRUE(s == "2024-12-30" || s == "2024-12-31" || s == "2025-01-01") << s;
  }
  for (const std::string& s : Draw("date.future(1)")) ASSERT_GT(ParseTime(s).value(), kNow);
  for (const std::string& s : Draw("date.soon"))
    ASSERT_LE(ParseTime(s).value(), kNow + 86400000000LL);
  for (const std::string& s :
       Draw("date.between(\"2024-03-01\", \"2024-03-02T00:00:00Z\", \"YYYY-MM-DD\")")) {
    ASSERT_TRUE(s == "2024-03-01" || s == "2024-03-02") << s;
  }
  for (const std::string& s : Draw("date.weekday")) ASSERT_TRUE(Matches(s, "[A-Z][a-z]+day")) << s;
  for (const std::string& s : Draw("date.month")) ASSERT_TRUE(Matches(s, "[A-Z][a-z]+")) << s;
  EXPECT_TRUE(Compile("{{date.now}}").uses_clock());
  EXPECT_FALSE(Compile("{{date.between('2024-01-01','2024-01-02')}}").uses_clock());
  EXPECT_FALSE(Compile("{{random.number}}").uses_clock());
}

TEST(TemplateTest, PeopleInternetAndPlaces) {
  std::set<std::string_view> first(words::FirstNames().begin(), words::FirstNames().end());
  std::set<std::string_view> last(words::LastNames().begin(), words::LastNames().end());
  for (const std::string& s : Draw("name.firstName")) ASSERT_TRUE(first.count(s)) << s;
  for (const std::string& s : Draw("faker.name.lastName()")) ASSERT_TRUE(last.count(s)) << s;
  for (const std::string& s : Draw("name.findName"))
    ASSERT_TRUE(Matches(s, "[A-Z][a-z]+ [A-Z][a-z]+"));
  for (const std::string& s : Draw("internet.ip")) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(s, m, std::regex("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)"))) << s;
    for (int i = 1; i <= 4; ++i) ASSERT_LE(std::stoi(m[i]), 255);
  }
  for (const std::string& s : Draw("internet.ipv6")) {
    ASSERT_TRUE(Matches(s, "[0-9a-f]{4}(:[0-9a-f]{4}){7}")) << s;
  }
  for (const std::string& s : Draw("internet.mac"))
    ASSERT_TRUE(Matches(s, "[0-9a-f]{2}(:[0-9a-f]{2}){5}"));
  for (const std::string& s : Draw("internet.userName")) {
    ASSERT_TRUE(Matches(s, "[A-Za-z]+([0-9]{1,2}|[._][A-Za-z]+[0-9]{0,2})")) << s;
  }
  for (const std::string& s : Draw("internet.email")) {
    ASSERT_TRUE(Matches(s, "[A-Za-z0-9._]+@(gmail|yahoo|hotmail)\\.com")) << s;
  }
  for (const std::string& s : Draw("internet.domainName"))
    ASSERT_TRUE(Matches(s, "[a-z]+\\.[a-z]+"));
  for (const std::string& s : Draw("internet.url"))
    ASSERT_TRUE(Matches(s, "https://[a-z]+\\.[a-z]+"));
  std::set<std::string_view> countries(words::Countries().begin(), words::Countries().end());
  for (const std::string& s : Draw("address.country")) ASSERT_TRUE(countries.count(s)) << s;
  std::set<std::string_view> cities(words::Cities().begin(), words::Cities().end());
  for (const std::string& s : Draw("address.city")) ASSERT_TRUE(cities.count(s)) << s;
  for (const std::string& s : Draw("address.countryCode")) ASSERT_TRUE(Matches(s, "[A-Z]{2}"));
  for (const std::string& s : Draw("address.zipCode")) ASSERT_TRUE(Matches(s, "[0-9]{5}"));
  for (const std::string& s : Draw("address.streetAddress")) {
    ASSERT_TRUE(Matches(s, "[0-9]{1,4} [A-Z][a-z]+ [A-Z][a-z]+")) << s;
  }
  for (const std::string& s : Draw("address.latitude")) {
    ASSERT_TRUE(Matches(s, "-?[0-9]{1,2}\\.[0-9]{4}")) << s;
    ASSERT_LE(std::fabs(std::stod(s)), 90);
  }
  for (const std::string& s : Draw("address.longitude")) ASSERT_LE(std::fabs(std::stod(s)), 180);
  for (const std::string& s : Draw("phone.phoneNumber")) {
    ASSERT_TRUE(Matches(s, "[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}")) << s;
  }
}

TEST(TemplateTest, LoremAndCommerce) {
  std::set<std::string_view> lorem(words::LoremWords().begin(), words::LoremWords().end());
  for (const std::string& s : Draw("lorem.word")) ASSERT_TRUE(lorem.count(s)) << s;
  for (const std::string& s : Draw("lorem.words"))
    ASSERT_TRUE(Matches(s, "[a-z]+ [a-z]+ [a-z]+")) << s;
  for (const std::string& s : Draw("lorem.words(1)")) ASSERT_TRUE(lorem.count(s)) << s;
  for (const std::string& s : Draw("lorem.sentence")) {
    ASSERT_TRUE(Matches(s, "[A-Z][a-z]*( [a-z]+){2,9}\\.")) << s;
  }
  for (const std::string& s : Draw("lorem.sentence(5)")) {
    ASSERT_TRUE(Matches(s, "[A-Z][a-z]*( [a-z]+){4}\\.")) << s;
  }
  for (const std::string& s : Draw("lorem.paragraph(1)")) {
    ASSERT_TRUE(Matches(s, "[A-Z][^.]*\\.( [A-Z][^.]*\\.){0,3}")) << s;
  }
  for (const std::string& s : Draw("commerce.price")) {
    ASSERT_TRUE(Matches(s, "[0-9]+\\.[0-9]{2}")) << s;
    double v = std::stod(s);
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 1000);
  }
  for (const std::string& s : Draw("commerce.price(5, 10, 0, \"$\")")) {
    ASSERT_TRUE(Matches(s, "\\$([5-9]|10)")) << s;
  }
  for (const std::string& s : Draw("commerce.productName")) {
    ASSERT_TRUE(Matches(s, "[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+")) << s;
  }
  for (const std::string& s : Draw("commerce.department")) ASSERT_FALSE(s.empty());
  for (const std::string& s : Draw("commerce.color")) ASSERT_FALSE(s.empty());
}

TEST(TemplateTest, FakerHelpers) {
  for (const std::string& s : Draw("helpers.replaceSymbols(\"##-?"
                                   "?-**\")")) {
    ASSERT_TRUE(Matches(s, "[0-9]{2}-[A-Z]{2}-[0-9A-Z]{2}")) << s;
  }
  for (const std::string& s : Draw("helpers.replaceSymbolWithNumber(\"id-%%%-!\", \"%\")")) {
    ASSERT_TRUE(Matches(s, "id-[0-9]{3}-[2-9]")) << s;
  }
  EXPECT_EQ(Draw("helpers.slugify(\"Haunted Mansion!\")", 1)[0], "Haunted-Mansion");
}

TEST(TemplateTest, EveryHelperCompilesWithoutArgumentsOrSaysWhatItNeeds) {
  for (std::string_view name : Template::HelperNames()) {
    Result<Template> t = Template::Compile("{{" + std::string(name) + "}}");
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("needs"), std::string::npos) << t.status().message();
    }
  }
}

TEST(TemplateTest, ErrorsSayLineColumnAndWhat) {
  EXPECT_EQ(CompileError("{\n  \"a\": {{random.numbr(5)}}\n}"),
            "template line 2, column 10: unknown helper \"random.numbr\" (did you mean "
            "\"random.number\"?)");
  EXPECT_EQ(CompileError("{\"a\": {{random.number(5)}"),
            "template line 1, column 7: unterminated {{: no closing }}");
  EXPECT_EQ(CompileError("{\"a\": {{random.number(5}}"),
            "template line 1, column 24: expected ',' or ')' after an argument, found '}'");
  EXPECT_EQ(CompileError("{{random.number(5) x}}"),
            "template line 1, column 20: expected }} after random.number, found 'x'");
  EXPECT_EQ(CompileError("{{random.number(\"ten\")}}"),
            "template line 1, column 17: random.number: the argument must be a number (max) or "
            "an object {\"min\",\"max\",\"precision\"}, not a string");
  EXPECT_EQ(CompileError("x\n{{random.number({\"min\":5,\"max\":1})}}"),
            "template line 2, column 17: random.number: max (1) is less than min (5)");
  EXPECT_EQ(CompileError("{{random.weightedArrayElement({\"weights\":[1,2],\"data\":[1]})}}"),
            "template line 1, column 42: random.weightedArrayElement: \"weights\" and \"data\" "
            "must have the same length (2 and 1)");
  EXPECT_EQ(CompileError("{{random.arrayElement}}"),
            "template line 1, column 22: random.arrayElement: needs an array argument, e.g. "
            "random.arrayElement([\"a\",\"b\"])");
  EXPECT_EQ(CompileError("{{random.uuid(3)}}"),
            "template line 1, column 15: random.uuid: takes no arguments");
  EXPECT_EQ(CompileError("{{ }}"),
            "template line 1, column 1: empty {{ }}: expected a helper name");
  EXPECT_EQ(CompileError("{{random.arrayElement([1,2)}}"),
            "template line 1, column 27: expected ',' or ']' in an array, found ')'");
  EXPECT_EQ(CompileError("  \n"), "template line 1, column 1: the template is empty");
  EXPECT_EQ(CompileError(R"({{random.arrayElement(["a\u12"])}})"),
            "template line 1, column 26: bad \\u escape");
  EXPECT_EQ(CompileError(R"({{random.arrayElement(["a])}})"),
            "template line 1, column 24: unterminated string in the arguments");
  EXPECT_EQ(CompileError(R"({{random.arrayElement(["a\"])}})"),
            "template line 1, column 24: unterminated string in the arguments");
  EXPECT_EQ(CompileError(R"({{random.arrayElement(['it\'s', "\ud83d\ude00"])}})"), "(compiled)");
}

TEST(TemplateTest, RenderCheckedNamesThePositionOfInvalidJson) {
  Template t = Compile("{\n\"name\": {{name.firstName}}\n}");
  Rng rng(3);
  std::string out;
  Status s = t.RenderChecked(&rng, kNow, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("template line 2, column 9: the record is not valid JSON"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("name.firstName"), std::string::npos) << s.message();

  t = Compile("{\"a\":1,,\"b\":2}");
  out.clear();
  s = t.RenderChecked(&rng, kNow, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("template line 1, column 8:"), std::string::npos) << s.message();

  t = Compile("[{{random.number}}]");
  out.clear();
  s = t.RenderChecked(&rng, kNow, &out);
  EXPECT_NE(s.message().find("not a JSON object"), std::string::npos) << s.message();

  t = Compile("{\"name\": \"{{name.firstName}}\"}");
  out.clear();
  EXPECT_TRUE(t.RenderChecked(&rng, kNow, &out).ok()) << out;
}

TEST(TemplateTest, LabTemplateGivesExactlyTheLabFields) {
  Result<std::unique_ptr<RecordSource>> source = NewBuiltinSource("builtin:lab", 42);
  ASSERT_TRUE(source.ok());
  simdjson::dom::parser parser;
  std::map<std::string, std::map<int64_t, int>> values;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    std::string record;
    ASSERT_TRUE((*source)->NextChecked(kNow, &record).ok()) << record;
    ASSERT_EQ(record.find('\n'), std::string::npos);
    simdjson::dom::object obj;
    ASSERT_FALSE(parser.parse(record).get(obj)) << record;
    std::vector<std::string> keys;
    for (auto [key, value] : obj) {
      keys.emplace_back(key);
      int64_t v;
      ASSERT_FALSE(value.get_int64().get(v)) << record;
      ++values[std::string(key)][v];
    }
    ASSERT_EQ(keys, (std::vector<std::string>{"PlayerID", "Time Played", "Wins", "Losses",
                                              "CaughtAt", "CaughtBy"}))
        << record;
  }
  auto range = [&](const std::string& f) {
    return std::make_pair(values[f].begin()->first, values[f].rbegin()->first);
  };
  EXPECT_EQ(range("PlayerID"), (std::pair<int64_t, int64_t>(0, 10000)));
  EXPECT_GE(range("Time Played").first, 0);
  EXPECT_LE(range("Time Played").second, 100000);
  EXPECT_EQ(range("Wins"), (std::pair<int64_t, int64_t>(0, 5)));
  EXPECT_EQ(range("Losses"), (std::pair<int64_t, int64_t>(0, 50)));
  const double caught_by[] = {0.2, 0.45, 0.15, 0.05, 0.1, 0.05};
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(values["CaughtBy"][i + 1] / double(n), caught_by[i], 0.012) << i + 1;
  }
  EXPECT_NEAR(values["CaughtAt"][2] / double(n), 0.5, 0.012);
}

TEST(TemplateTest, SameSeedSameBytes) {
  Template t = Compile(
      "{\"id\":\"{{random.uuid}}\",\"n\":{{random.number(1000)}},\"w\":\"{{lorem.sentence}}\","
      "\"t\":\"{{date.past}}\",\"e\":\"{{internet.email}}\"}");
  auto run = [&](uint64_t seed) {
    Rng rng(seed);
    std::string out;
    for (int i = 0; i < 1000; ++i) {
      t.Render(&rng, kNow + i, &out);
      out.push_back('\n');
    }
    return out;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace gamelake
