#include "auth/api_key.h"

#include <set>

#include <gtest/gtest.h>

#include "auth/crypto_util.h"

namespace gamelake {
namespace {

TEST(ApiKeyTest, GeneratedIdsAndSecretsHaveTheirShape) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto id = GenerateKeyId();
    auto secret = GenerateSecret();
    ASSERT_TRUE(id.ok() && secret.ok());
    EXPECT_EQ(id->size(), 20u);
    EXPECT_EQ(id->substr(0, 3), "GLK");
    EXPECT_TRUE(IsValidKeyId(*id)) << *id;
    EXPECT_EQ(secret->size(), 40u);
    EXPECT_TRUE(IsValidSecret(*secret)) << *secret;
    EXPECT_TRUE(seen.insert(*id).second);
    EXPECT_TRUE(seen.insert(*secret).second);
    const std::string full = *id + "." + *secret;
    auto parts = ParseApiKey(full);  // Views into full.
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(parts->id, *id);
    EXPECT_EQ(parts->secret, *secret);
  }
}

TEST(ApiKeyTest, ParseRejectsBadShapes) {
  std::string id = "GLKABCDEFGHIJKLMNOPQ";
  std::string secret(40, 'a');
  EXPECT_TRUE(ParseApiKey(id + "." + secret).ok());
  EXPECT_FALSE(ParseApiKey(id + secret).ok());
  EXPECT_FALSE(ParseApiKey("GLKABCDEFGHIJKLMNOP1." + secret).ok());  // '1' is not base32.
  EXPECT_FALSE(ParseApiKey("GLKABCDEFGHIJKLMNOPQR." + secret).ok());
  EXPECT_FALSE(ParseApiKey(id + "." + secret.substr(1) + "+").ok());
  EXPECT_FALSE(ParseApiKey(id + "." + secret.substr(1) + "=").ok());
  EXPECT_FALSE(ParseApiKey("").ok());
  auto r = ParseApiKey(id + "." + std::string(39, 'a') + "!");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(id), std::string::npos);      // A well-formed id is named.
  EXPECT_EQ(r.status().message().find("aaaa"), std::string::npos);  // The secret is not.
}

TEST(CryptoUtilTest, AesGcmRoundTripAndTamperDetection) {
  auto key = RandomBytes(kAesKeyBytes);
  ASSERT_TRUE(key.ok());
  auto sealed = SealAesGcm(*key, "the secret", "GLKID");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), kGcmNonceBytes + 10 + kGcmTagBytes);
  EXPECT_EQ(sealed->find("the secret"), std::string::npos);
  auto opened = OpenAesGcm(*key, *sealed, "GLKID");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "the secret");
  // Another nonce each time.
  auto again = SealAesGcm(*key, "the secret", "GLKID");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *sealed);

  EXPECT_EQ(OpenAesGcm(*key, *sealed, "GLKOTHER").status().code(), Status::Code::kCorruption);
  std::string tampered = *sealed;
  tampered[kGcmNonceBytes] ^= 1;
  EXPECT_EQ(OpenAesGcm(*key, tampered, "GLKID").status().code(), Status::Code::kCorruption);
  std::string other_key(kAesKeyBytes, 'k');
  EXPECT_EQ(OpenAesGcm(other_key, *sealed, "GLKID").status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(OpenAesGcm(*key, "short", "GLKID").ok());
  EXPECT_FALSE(SealAesGcm("short key", "x", "").ok());
}

TEST(CryptoUtilTest, EncodingsAndHashes) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  auto decoded = HexDecode("00ff10");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("0").ok());
  EXPECT_FALSE(HexDecode("0g").ok());
  EXPECT_FALSE(HexDecode("FF").ok());  // Lower case only, as written.
  // RFC 4648 test vectors (base64url without padding).
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  // SHA-256("abc").
  EXPECT_EQ(HexEncode(Sha256("ab", "c")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace gamelake
