#include "common/xml_escape.h"

#include <string>

#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

TEST(XmlEscapeTest, EscapesMarkupAndWhitespaceAsReferences) {
  EXPECT_EQ(XmlEscape("a&b<c>d\"e'f").value(), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(XmlEscape("t\tn\nr\r").value(), "t&#9;n&#10;r&#13;");
  EXPECT_EQ(XmlEscapeReplacing("a&b<c>d\"e'f\tg\nh\ri"),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i");
}

TEST(XmlEscapeTest, KeepsOtherBytes) {
  EXPECT_EQ(XmlEscape("").value(), "");
  EXPECT_EQ(XmlEscape("ünïcode ~ \x7f").value(), "ünïcode ~ \x7f");
  EXPECT_EQ(XmlEscapeReplacing("ünïcode"), "ünïcode");
}

TEST(XmlEscapeTest, ControlCharactersXmlCannotCarry) {
  EXPECT_THAT(XmlEscape("a\x01"),
              StatusIs(Status::Code::kInvalidArgument, "byte 0x01 cannot be written in XML 1.0"));
  EXPECT_THAT(XmlEscape(std::string("a\0b", 3)), StatusIs(Status::Code::kInvalidArgument, "0x00"));
  EXPECT_THAT(XmlEscape("\x1f"), StatusIs(Status::Code::kInvalidArgument, "0x1f"));
  EXPECT_EQ(XmlEscapeReplacing("a\x01"
                               "b\x1f"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscapeReplacing(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace gamelake
