#include "auth/crypto_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <limits>
#include <memory>

namespace gamelake {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      RAND_bytes(Bytes(out), static_cast<int>(n)) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  return out;
}

std::string Sha256(std::string_view a, std::string_view b) {
  // The one-shot SHA256() is not deprecated in OpenSSL 3 and avoids an EVP
  // context allocation per call; salts and secrets are short, so join them.
  std::string joined;
  joined.reserve(a.size() + b.size());
  joined.append(a).append(b);
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(Bytes(joined), joined.size(), Bytes(digest));
  WipeString(&joined);
  return digest;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> SealAesGcm(std::string_view key, std::string_view plaintext,
                               std::string_view aad) {
  if (key.size() != kAesKeyBytes) return Status::InvalidArgument("AES-256 key must be 32 bytes");
  if (plaintext.size() > (1u << 20) || aad.size() > (1u << 20)) {
    return Status::InvalidArgument("AES-GCM input too large");
  }
  GL_ASSIGN_OR_RETURN(std::string nonce, RandomBytes(kGcmNonceBytes));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out = nonce;
  out.resize(kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
  int len = 0;
  unsigned char* ct = Bytes(out) + kGcmNonceBytes;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, ct + plaintext.size()) !=
          1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> OpenAesGcm(std::string_view key, std::string_view sealed,
                               std::string_view aad) {
  if (key.size() != kAesKeyBytes) return Status::InvalidArgument("AES-256 key must be 32 bytes");
  if (sealed.size() < kGcmNonceBytes + kGcmTagBytes || sealed.size() > (1u << 20) ||
      aad.size() > (1u << 20)) {
    return Status::Corruption("sealed secret has the wrong length");
  }
  std::string_view nonce = sealed.substr(0, kGcmNonceBytes);
  std::string_view ct =
      sealed.substr(kGcmNonceBytes, sealed.size() - kGcmNonceBytes - kGcmTagBytes);
  std::string tag(sealed.substr(sealed.size() - kGcmTagBytes));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(ct.size(), '\0');
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(ct), static_cast<int>(ct.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, Bytes(tag)) != 1) {
    WipeString(&out);
    return Status::Internal("AES-256-GCM decryption could not start");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &len) != 1) {
    WipeString(&out);
    return Status::Corruption("AES-256-GCM tag mismatch (wrong master key or tampered data)");
  }
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("hex text has an odd length");
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = value(hex[2 * i]);
    int lo = value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("hex text holds a non-hex character");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string Base32Chars(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) out += kAlphabet[c & 31];
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 |
                 static_cast<unsigned char>(bytes[i + 1]) << 8 |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    if (rest == 2) out += kAlphabet[v >> 6 & 63];
  }
  return out;
}

void WipeString(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

}  // namespace gamelake
