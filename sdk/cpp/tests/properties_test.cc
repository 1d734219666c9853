// Tests of the Properties JSON writer: escaping, UTF-8, numbers, nesting, reserved keys.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gamelake/properties.h"

namespace gamelake {
namespace {

TEST(PropertiesTest, EscapesQuotesBackslashesAndControls) {
  Properties p;
  p.Set("a\"b", "x\\y\n\t\x01z");
  EXPECT_EQ(p.body(), R"("a\"b":"x\\y\n\t\u0001z")");
  EXPECT_FALSE(p.had_invalid_utf8());
}

TEST(PropertiesTest, KeepsValidUtf8AndReplacesInvalid) {
  Properties p;
  p.Set("name", "caf\xC3\xA9 \xF0\x9F\x8E\xAE");
  EXPECT_EQ(p.body(), "\"name\":\"caf\xC3\xA9 \xF0\x9F\x8E\xAE\"");
  EXPECT_FALSE(p.had_invalid_utf8());
  Properties bad;
  bad.Set("k", std::string_view("a\xFF"
                                "b\xC3",
                                4));  // a stray byte, a cut sequence
  bad.Set("s", "\xED\xA0\x80");       // a UTF-16 surrogate
  EXPECT_EQ(bad.body(),
            "\"k\":\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\",\"s\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(bad.had_invalid_utf8());
}

TEST(PropertiesTest, IntegersStayIntegersAndFloatsStayFloats) {
  Properties p;
  p.Set("i", std::numeric_limits<int64_t>::min())
      .Set("u", std::numeric_limits<uint64_t>::max())
      .Set("small", 7)
      .Set("d", 3.0)
      .Set("f", 0.1)
      .Set("nan", std::nan(""))
      .Set("inf", std::numeric_limits<double>::infinity())
      .Set("t", true)
      .SetNull("n");
  EXPECT_EQ(
      p.body(),
      R"("i":-9223372036854775808,"u":18446744073709551615,"small":7,"d":3.0,"f":0.1,"nan":null,"inf":null,"t":true,"n":null)");
}

TEST(PropertiesTest, NestsObjectsAndArrays) {
  Properties pos;
  pos.Set("x", 1).Set("y", 2.5);
  PropertyArray items;
  items.Add("sword").Add(3).Add(pos).AddNull().Add(PropertyArray().Add(false));
  Properties p;
  p.Set("pos", pos).Set("items", items).Set("empty", Properties());
  EXPECT_EQ(p.body(),
            R"("pos":{"x":1,"y":2.5},"items":["sword",3,{"x":1,"y":2.5},null,[false]],"empty":{})");
}

TEST(PropertiesTest, ReservedKeysAreSkippedOrMarkedAsOverrides) {
  Properties p;
  p.Set("event_id", "mine")
      .Set("ts", "2020-01-01T00:00:00.000Z")
      .Set("player_id", "p1")
      .Set("event_type", "x");
  EXPECT_TRUE(p.ignored_reserved());
  EXPECT_EQ(p.overrides(), kOverrideTs | kOverridePlayerId);
  EXPECT_EQ(p.body(), R"("ts":"2020-01-01T00:00:00.000Z","player_id":"p1")");
  p.Clear();
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.overrides(), 0u);
  EXPECT_FALSE(p.ignored_reserved());
}

TEST(PropertiesTest, ConstCharIsAStringNotABool) {
  Properties p;
  const char* v = "yes";
  p.Set("a", v).Set("b", std::string("s"));
  EXPECT_EQ(p.body(), R"("a":"yes","b":"s")");
}

}  // namespace
}  // namespace gamelake
