// CborReader and CborWriter: round trips of every major type, RFC 8949's
// appendix A examples, the shortest float encodings, and hostile bodies
// (truncated, huge declared lengths, deep nesting, odd maps) refused with the
// byte offset.
#include "server/cbor.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  std::string out;
  for (char c : bytes) out += fmt::format("{:02x}", static_cast<uint8_t>(c));
  return out;
}

// The items of `bytes`, one word each ("map(2) text(a) uint(1) ... end").
Result<std::string> Walk(std::string_view bytes, size_t max_depth = CborReader::kDefaultMaxDepth) {
  CborReader reader(bytes, max_depth);
  std::string out;
  while (!reader.done()) {
    GL_ASSIGN_OR_RETURN(CborReader::Item item, reader.Next());
    std::string word;
    std::string count = item.indefinite ? "_" : std::to_string(item.value);
    switch (item.kind) {
      case CborReader::Kind::kUnsigned:
        word = fmt::format("uint({})", item.value);
        break;
      case CborReader::Kind::kNegative:
        word = fmt::format("neg({})", item.value);
        break;
      case CborReader::Kind::kBytes:
        word = fmt::format("bytes({}{})", item.indefinite ? "_" : "", ToHex(item.text));
        break;
      case CborReader::Kind::kText:
        word = fmt::format("text({}{})", item.indefinite ? "_" : "", item.text);
        break;
      case CborReader::Kind::kArray:
        word = "array(" + count + ")";
        break;
      case CborReader::Kind::kMap:
        word = "map(" + count + ")";
        break;
      case CborReader::Kind::kEnd:
        word = "end";
        break;
      case CborReader::Kind::kTag:
        word = fmt::format("tag({})", item.value);
        break;
      case CborReader::Kind::kFalse:
        word = "false";
        break;
      case CborReader::Kind::kTrue:
        word = "true";
        break;
      case CborReader::Kind::kNull:
        word = "null";
        break;
      case CborReader::Kind::kUndefined:
        word = "undefined";
        break;
      case CborReader::Kind::kSimple:
        word = fmt::format("simple({})", item.value);
        break;
      case CborReader::Kind::kFloat:
        word = fmt::format("float({})", item.number);
        break;
    }
    out += out.empty() ? word : " " + word;
  }
  return out;
}

TEST(CborTest, EveryMajorTypeRoundTrips) {
  CborWriter w;
  w.BeginMap(4).Text("ints").BeginArray(9);
  for (uint64_t v : {0ull, 23ull, 24ull, 255ull, 256ull, 65536ull, 1ull << 32}) w.UInt(v);
  w.UInt(std::numeric_limits<uint64_t>::max()).Int(std::numeric_limits<int64_t>::min());
  w.Text("strings").BeginArray(3).Bytes(std::string("\x00\xff", 2)).Text("héllo").Text("");
  w.Text("simple").BeginArray(6).Bool(true).Bool(false).Null().Undefined().Simple(16).Simple(100);
  w.Text("when").Tag(1).Double(1363896240.5);
  Result<std::string> walk = Walk(w.str());
  GL_ASSERT_OK(walk);
  EXPECT_EQ(*walk,
            "map(4) text(ints) array(9) uint(0) uint(23) uint(24) uint(255) uint(256) "
            "uint(65536) uint(4294967296) uint(18446744073709551615) "
            "neg(9223372036854775807) end text(strings) array(3) bytes(00ff) text(héllo) "
            "text() end text(simple) array(6) true false null undefined simple(16) "
            "simple(100) end text(when) tag(1) float(1363896240.5) end");
}

TEST(CborTest, ReadsTheRfcExamples) {
  struct Case {
    std::string hex, walk;
  };
  const Case cases[] = {
      {"00", "uint(0)"},
      {"1818", "uint(24)"},
      {"1bffffffffffffffff", "uint(18446744073709551615)"},
      {"3903e7", "neg(999)"},
      {"f93c00", "float(1)"},
      {"f97bff", "float(65504)"},
      {"f90001", "float(5.960464477539063e-08)"},
      {"f9fc00", "float(-inf)"},
      {"f97e00", "float(nan)"},
      {"fa47c35000", "float(100000)"},
      {"fb3ff199999999999a", "float(1.1)"},
      {"c11a514b67b0", "tag(1) uint(1363896240)"},
      {"c1fb41d452d9ec200000", "tag(1) float(1363896240.5)"},
      {"5f42010243030405ff", "bytes(_0102030405)"},
      {"7f657374726561646d696e67ff", "text(_streaming)"},
      {"9f018202039f0405ffff",
       "array(_) uint(1) array(2) uint(2) uint(3) end array(_) uint(4) "
       "uint(5) end end"},
      {"bf61610161629f0203ffff", "map(_) text(a) uint(1) text(b) array(_) uint(2) uint(3) end end"},
      {"a0", "map(0) end"},
      {"80", "array(0) end"},
      {"f8ff", "simple(255)"},
  };
  for (const Case& c : cases) {
    Result<std::string> walk = Walk(Hex(c.hex));
    GL_ASSERT_OK(walk) << c.hex;
    EXPECT_EQ(*walk, c.walk) << c.hex;
  }
}

TEST(CborTest, WritesTheShortestExactFloat) {
  struct Case {
    double v;
    std::string hex;
  };
  const Case cases[] = {
      {0.0, "f90000"},
      {-0.0, "f98000"},
      {1.0, "f93c00"},
      {1.5, "f93e00"},
      {65504.0, "f97bff"},
      {5.960464477539063e-8, "f90001"},
      {-HUGE_VAL, "f9fc00"},
      {std::nan(""), "f97e00"},
      {100000.0, "fa47c35000"},
      {3.4028234663852886e+38, "fa7f7fffff"},
      {1.1, "fb3ff199999999999a"},
      {1e300, "fb7e37e43c8800759c"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ToHex(CborWriter().Double(c.v).str()), c.hex) << c.v;
    Result<std::string> walk = Walk(CborWriter().Double(c.v).str());
    GL_ASSERT_OK(walk);
    if (!std::isnan(c.v)) {
      EXPECT_EQ(*walk, fmt::format("float({})", c.v));
    }
  }
  EXPECT_EQ(ToHex(CborWriter().Float64(1.0).str()), "fb3ff0000000000000");
  EXPECT_EQ(ToHex(CborWriter().Float32(1.0f).str()), "fa3f800000");
}

TEST(CborTest, IndefiniteLengthsRoundTrip) {
  CborWriter w;
  w.BeginIndefinite(5).Text("s").BeginIndefinite(3).Text("ab").Text("").Text("c").Break();
  w.Text("b").BeginIndefinite(2).Bytes("\x01").Break();
  w.Text("a").BeginIndefinite(4).UInt(1).BeginIndefinite(5).Break().Break().Break();
  Result<std::string> walk = Walk(w.str());
  GL_ASSERT_OK(walk);
  EXPECT_EQ(*walk,
            "map(_) text(s) text(_abc) text(b) bytes(_01) text(a) array(_) uint(1) map(_) "
            "end end end");
}

void ExpectMalformed(const std::string& bytes, const std::string& message) {
  EXPECT_THAT(Walk(bytes),
              StatusIs(Status::Code::kInvalidArgument, "SerializationException: " + message))
      << ToHex(bytes);
}

TEST(CborTest, HostileBodiesAreRefusedWithTheirOffset) {
  ExpectMalformed("", "CBOR byte 0: the body is empty");
  ExpectMalformed(Hex("1901"), "CBOR byte 0: truncated");
  ExpectMalformed(Hex("9f01"), "CBOR byte 2: truncated");
  ExpectMalformed(Hex("8201"), "CBOR byte 0: an array of 2 items but only 1 bytes follow");
  ExpectMalformed(Hex("5bffffffffffffffff"), "CBOR byte 0: a string of 18446744073709551615 bytes");
  ExpectMalformed(Hex("9b00000000ffffffff00"),
                  "CBOR byte 0: an array of 4294967295 items but only 1");
  ExpectMalformed(Hex("a26161"), "CBOR byte 0: a map of 2 pairs but only 2 bytes follow");
  ExpectMalformed(Hex("bf6161ff"), "CBOR byte 3: a map key without a value");
  ExpectMalformed(Hex("8201ff"), "CBOR byte 2: a break outside");
  ExpectMalformed(Hex("0102"), "CBOR byte 1: 1 bytes after the data item");
  ExpectMalformed(Hex("1c"), "CBOR byte 0: additional information 28");
  ExpectMalformed(Hex("3f"), "CBOR byte 0: additional information 31");
  ExpectMalformed(Hex("5f6161ff"), "CBOR byte 1: a chunk of an indefinite string");
  ExpectMalformed(Hex("5f4161"), "CBOR byte 3: truncated: an indefinite string without a break");
  ExpectMalformed(Hex("9fc1ff"), "CBOR byte 2: a tag without content");
  ExpectMalformed(Hex("f810"), "CBOR byte 0: simple value 16 in two bytes");
  ExpectMalformed(Hex("c1c1c1"), "CBOR byte 3: truncated");
  // Deep nesting: refused at the 65th array, without recursion.
  std::string deep(100000, '\x81');
  deep.push_back('\x00');
  ExpectMalformed(deep, "CBOR byte 64: nested deeper than 64");
  std::string deep_maps;
  for (int i = 0; i < 100000; ++i) deep_maps += Hex("bf6161");
  ExpectMalformed(deep_maps, "CBOR byte 192: nested deeper than 64");
  // At the limit it reads.
  std::string ok(64, '\x81');
  ok.push_back('\x00');
  GL_EXPECT_OK(Walk(ok));
}

TEST(CborTest, RandomBytesNeverCrashOrLoop) {
  std::mt19937 rng(8949);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(std::uniform_int_distribution<int>(0, 40)(rng), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (Walk(bytes).ok()) ++ok;
  }
  EXPECT_GT(ok, 0);
}

TEST(CborTest, HalfFloatsDecode) {
  EXPECT_EQ(HalfToDouble(0x3c00), 1.0);
  EXPECT_EQ(HalfToDouble(0xc400), -4.0);
  EXPECT_EQ(HalfToDouble(0x0400), std::ldexp(1.0, -14));
  EXPECT_TRUE(std::isinf(HalfToDouble(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToDouble(0x7e00)));
}

}  // namespace
}  // namespace gamelake
