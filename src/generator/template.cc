#include "generator/template.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/json_unescape.h"
#include "generator/time_format.h"
#include "generator/word_lists.h"
#include "ingest/json_syntax_check.h"

namespace gamelake {
namespace {

constexpr int64_t kUsPerDay = 86'400'000'000;
constexpr int64_t kUsPerYear = 365 * kUsPerDay;
constexpr std::string_view kAlnumChars = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kLowerChars = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kUpperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kHexChars = "0123456789abcdef";

// "template line L, column C: what" for a byte offset in the template text.
// Columns count characters (UTF-8 code points), from 1.
Status ErrorAt(std::string_view text, size_t offset, std::string_view what) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return Status::InvalidArgument(
      fmt::format("template line {}, column {}: {}", line, column, what));
}

// ---- Helper arguments: JSON values, plus JavaScript's 'strings' and bare keys. ----

struct Member;

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;  // A string's value; a number's source text.
  std::vector<Value> items;
  // An object's members, in order. (Not std::pair<std::string, Value>: clang 14
  // with libstdc++ 12 cannot instantiate that pair inside Value's definition.)
  std::vector<Member> members;
  size_t offset = 0;  // Where the value starts in the template.

  const Value* Find(std::string_view key) const;
};

struct Member {
  std::string key;
  Value value;
};

const Value* Value::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string_view KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "a boolean";
    case Value::Kind::kNumber:
      return "a number";
    case Value::Kind::kString:
      return "a string";
    case Value::Kind::kArray:
      return "an array";
    case Value::Kind::kObject:
      return "an object";
  }
  return "a value";
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out->append(fmt::format("\\u{:04x}", static_cast<unsigned char>(c)));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendJson(const Value& v, std::string* out) {
  switch (v.kind) {
    case Value::Kind::kNull:
      out->append("null");
      break;
    case Value::Kind::kBool:
      out->append(v.boolean ? "true" : "false");
      break;
    case Value::Kind::kNumber:
      out->append(v.text);
      break;
    case Value::Kind::kString:
      AppendJsonString(v.text, out);
      break;
    case Value::Kind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(v.items[i], out);
      }
      out->push_back(']');
      break;
    case Value::Kind::kObject:
      out->push_back('{');
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(v.members[i].key, out);
        out->push_back(':');
        AppendJson(v.members[i].value, out);
      }
      out->push_back('}');
      break;
  }
}

// How a value prints when a helper returns it, as JavaScript's String(v) would
// (arrays join with ","), except that objects print as JSON.
std::string Display(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString:
      return v.text;
    case Value::Kind::kArray: {
      std::string out;
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += Display(v.items[i]);
      }
      return out;
    }
    default: {
      std::string out;
      AppendJson(v, &out);
      return out;
    }
  }
}

class ValueParser {
 public:
  ValueParser(std::string_view text, size_t pos) : text_(text), pos_(pos) {}
  size_t pos() const { return pos_; }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Advance() { ++pos_; }

  Status Parse(Value* v, int depth = 0) {
    SkipSpace();
    if (depth > 32) return ErrorAt(text_, pos_, "arguments nested too deeply");
    v->offset = pos_;
    if (AtEnd())
      return ErrorAt(text_, pos_, "unterminated {{: the template ends inside an argument");
    char c = text_[pos_];
    if (c == '{') return ParseObject(v, depth);
    if (c == '[') return ParseArray(v, depth);
    if (c == '"' || c == '\'') {
      v->kind = Value::Kind::kString;
      return ParseString(&v->text);
    }
    if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return ParseNumber(v);
    std::string_view word = Identifier();
    if (word == "true" || word == "false") {
      v->kind = Value::Kind::kBool;
      v->boolean = word == "true";
      return Status::OK();
    }
    if (word == "null" || word == "undefined") {
      v->kind = Value::Kind::kNull;
      return Status::OK();
    }
    if (word.empty()) {
      return ErrorAt(text_, v->offset,
                     fmt::format("unexpected '{}' where an argument value was expected", c));
    }
    return ErrorAt(text_, v->offset,
                   fmt::format("unexpected \"{}\" in the arguments: expected a number, a "
                               "\"string\", an array or an object",
                               word));
  }

 private:
  std::string_view Identifier() {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '$')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  Status ParseString(std::string* out) {
    size_t start = pos_;
    char quote = text_[pos_++];
    // Find the closing quote first (a backslash hides the character after
    // it); a string does not span lines, as in JavaScript.
    size_t end = pos_;
    while (end < text_.size() && text_[end] != quote && text_[end] != '\n') {
      end += text_[end] == '\\' ? 2 : 1;
    }
    if (end >= text_.size() || text_[end] != quote) {
      return ErrorAt(text_, start, "unterminated string in the arguments");
    }
    size_t bad = JsonUnescape(text_.substr(pos_, end - pos_), out);
    if (bad != std::string_view::npos) return ErrorAt(text_, pos_ + bad, "bad \\u escape");
    pos_ = end + 1;
    return Status::OK();
  }

  Status ParseNumber(Value* v) {
    size_t start = pos_;
    if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E' ||
                                   ((text_[pos_] == '-' || text_[pos_] == '+') &&
                                    (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
      ++pos_;
    }
    std::string_view num = text_.substr(start, pos_ - start);
    std::string_view digits = num;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    double d = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() ||
        !std::isfinite(d)) {
      return ErrorAt(text_, start, fmt::format("bad number \"{}\"", num));
    }
    v->kind = Value::Kind::kNumber;
    v->number = d;
    v->text.assign(digits);
    return Status::OK();
  }

  Status ParseArray(Value* v, int depth) {
    v->kind = Value::Kind::kArray;
    size_t open = pos_++;
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      return Status::OK();
    }
    for (;;) {
      Value item;
      GL_RETURN_IF_ERROR(Parse(&item, depth + 1));
      v->items.push_back(std::move(item));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return Status::OK();
      }
      if (AtEnd()) return ErrorAt(text_, open, "unterminated array in the arguments");
      return ErrorAt(text_, pos_,
                     fmt::format("expected ',' or ']' in an array, found '{}'", Peek()));
    }
  }

  Status ParseObject(Value* v, int depth) {
    v->kind = Value::Kind::kObject;
    size_t open = pos_++;
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      return Status::OK();
    }
    for (;;) {
      SkipSpace();
      std::string key;
      if (Peek() == '"' || Peek() == '\'') {
        GL_RETURN_IF_ERROR(ParseString(&key));
      } else {
        key = std::string(Identifier());
        if (key.empty()) {
          if (AtEnd()) return ErrorAt(text_, open, "unterminated object in the arguments");
          return ErrorAt(text_, pos_,
                         fmt::format("expected a key in an object, found '{}'", Peek()));
        }
      }
      SkipSpace();
      if (Peek() != ':') {
        return ErrorAt(text_, pos_, fmt::format("expected ':' after the key \"{}\"", key));
      }
      ++pos_;
      Value member;
      GL_RETURN_IF_ERROR(Parse(&member, depth + 1));
      v->members.push_back(Member{std::move(key), std::move(member)});
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return Status::OK();
      }
      if (AtEnd()) return ErrorAt(text_, open, "unterminated object in the arguments");
      return ErrorAt(text_, pos_,
                     fmt::format("expected ',' or '}}' in an object, found '{}'", Peek()));
    }
  }

  std::string_view text_;
  size_t pos_;
};

// ---- Compiled nodes. ----

enum class Op : uint8_t {
  kLiteral,
  kNumber,    // lo + k * step for k uniform in [0, steps], scaled by 10^decimals.
  kPick,      // One of items (or list).
  kWeighted,  // One of items by cumulative weight.
  kPickMany,  // A random subset (or all, shuffled) of items, joined with ",".
  kUuid,
  kBool,
  kWords,  // count_lo..count_hi words of list joined with " ".
  kChars,  // count chars of `text` (the charset), after the prefix in `text2`.
  kDate,   // A time in [base + lo, base + hi] us; base = now unless absolute.
  kFullName,
  kIp,
  kIpv6,
  kMac,
  kUserName,
  kEmail,
  kDomain,
  kUrl,
  kSentences,     // count_lo..count_hi sentences of lorem words.
  kSentence,      // One sentence of count_lo..count_hi words.
  kSymbols,       // helpers.replaceSymbols: # digit, ? letter, * either.
  kSymbolNumber,  // helpers.replaceSymbolWithNumber: `symbol` digit, ! digit 2-9.
  kStreet,
  kProductName,
};

struct Node {
  Op op = Op::kLiteral;
  size_t offset = 0;          // Template offset of the "{{" (or of the literal's first byte).
  std::string name;           // The helper, for messages.
  std::string text;           // Literal text, charset, symbol pattern.
  std::string text2;          // Prefix.
  std::vector<uint32_t> src;  // Literal: template offset of each byte of text.
  std::vector<std::string> items;
  words::List list;
  std::vector<double> cumulative;  // kWeighted: running sums, last = total.
  int64_t lo = 0, hi = 0, steps = 0, step = 1;
  int decimals = 0;
  bool fixed = false;  // Print all decimals (prices) rather than trimming zeros.
  int64_t count_lo = 1, count_hi = 1;
  bool absolute = false;  // kDate: lo/hi are absolute times, not offsets from now.
  char symbol = '#';
  TimeFormat format;
};

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  out->append(buf, end);
}

// Appends scaled / 10^decimals in decimal; trailing fraction zeros are dropped
// unless `fixed`.
void AppendScaled(int64_t scaled, int decimals, bool fixed, std::string* out) {
  if (decimals == 0) {
    AppendInt(scaled, out);
    return;
  }
  int64_t pow10 = 1;
  for (int i = 0; i < decimals; ++i) pow10 *= 10;
  uint64_t mag = scaled < 0 ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  if (scaled < 0) out->push_back('-');
  AppendInt(static_cast<int64_t>(mag / pow10), out);
  uint64_t frac = mag % pow10;
  char digits[20];
  for (int i = decimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int n = decimals;
  if (!fixed) {
    while (n > 0 && digits[n - 1] == '0') --n;
  }
  if (n == 0) return;
  out->push_back('.');
  out->append(digits, n);
}

void AppendLower(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == ' ') continue;
    out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
}

std::string_view PickFrom(words::List list, Rng* rng) { return list[rng->Below(list.size())]; }

void AppendUserName(Rng* rng, std::string* out) {
  // faker.js: First + (digits | "." or "_" + Last [+ digits]).
  out->append(PickFrom(words::FirstNames(), rng));
  switch (rng->Below(3)) {
    case 0:
      AppendInt(static_cast<int64_t>(rng->Below(100)), out);
      break;
    case 1:
      out->push_back(rng->Below(2) ? '.' : '_');
      out->append(PickFrom(words::LastNames(), rng));
      break;
    default:
      out->push_back(rng->Below(2) ? '.' : '_');
      out->append(PickFrom(words::LastNames(), rng));
      AppendInt(static_cast<int64_t>(rng->Below(100)), out);
  }
}

void AppendDomain(Rng* rng, std::string* out) {
  AppendLower(PickFrom(words::LastNames(), rng), out);
  out->push_back('.');
  out->append(PickFrom(words::DomainSuffixes(), rng));
}

void AppendSentence(Rng* rng, int64_t lo, int64_t hi, std::string* out) {
  int64_t n = rng->Between(lo, hi);
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(' ');
    std::string_view w = PickFrom(words::LoremWords(), rng);
    if (i == 0 && !w.empty()) {
      out->push_back(static_cast<char>(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 'a' + 'A' : w[0]));
      out->append(w.substr(1));
    } else {
      out->append(w);
    }
  }
  out->push_back('.');
}

void RenderNode(const Node& n, Rng* rng, int64_t now_us, std::string* out) {
  switch (n.op) {
    case Op::kLiteral:
      out->append(n.text);
      break;
    case Op::kNumber: {
      int64_t k =
          n.steps == 0 ? 0 : static_cast<int64_t>(rng->Below(static_cast<uint64_t>(n.steps) + 1));
      AppendScaled(n.lo + k * n.step, n.decimals, n.fixed, out);
      break;
    }
    case Op::kPick:
      if (!n.list.empty()) {
        out->append(PickFrom(n.list, rng));
      } else {
        out->append(n.items[rng->Below(n.items.size())]);
      }
      break;
    case Op::kWeighted: {
      double r = rng->NextDouble() * n.cumulative.back();
      // The first entry whose running sum exceeds r; zero weights are never chosen.
      size_t i =
          std::upper_bound(n.cumulative.begin(), n.cumulative.end(), r) - n.cumulative.begin();
      out->append(n.items[std::min(i, n.items.size() - 1)]);
      break;
    }
    case Op::kPickMany: {
      // A partial Fisher-Yates shuffle over indexes.
      size_t size = n.items.size();
      size_t k = static_cast<size_t>(rng->Between(n.count_lo, n.count_hi));
      uint32_t small[64];
      std::vector<uint32_t> large;
      uint32_t* idx = small;
      if (size > 64) {
        large.resize(size);
        idx = large.data();
      }
      for (size_t i = 0; i < size; ++i) idx[i] = static_cast<uint32_t>(i);
      for (size_t i = 0; i < k; ++i) {
        size_t j = i + rng->Below(size - i);
        std::swap(idx[i], idx[j]);
        if (i > 0) out->push_back(',');
        out->append(n.items[idx[i]]);
      }
      break;
    }
    case Op::kUuid: {
      uint64_t hi = rng->Next(), lo = rng->Next();
      hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // Version 4.
      lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // Variant 10.
      char buf[36];
      int p = 0;
      for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) buf[p++] = '-';
        uint64_t word = i < 16 ? hi : lo;
        buf[p++] = kHexChars[(word >> (60 - 4 * (i % 16))) & 0xF];
      }
      out->append(buf, 36);
      break;
    }
    case Op::kBool:
      out->append(rng->Below(2) ? "true" : "false");
      break;
    case Op::kWords: {
      int64_t count = rng->Between(n.count_lo, n.count_hi);
      for (int64_t i = 0; i < count; ++i) {
        if (i > 0) out->push_back(' ');
        out->append(PickFrom(n.list, rng));
      }
      break;
    }
    case Op::kChars: {
      out->append(n.text2);
      int64_t count = rng->Between(n.count_lo, n.count_hi);
      for (int64_t i = 0; i < count; ++i) out->push_back(n.text[rng->Below(n.text.size())]);
      break;
    }
    case Op::kDate: {
      int64_t t = rng->Between(n.lo, n.hi);
      n.format.Append(n.absolute ? t : now_us + t, out);
      break;
    }
    case Op::kFullName:
      out->append(PickFrom(words::FirstNames(), rng));
      out->push_back(' ');
      out->append(PickFrom(words::LastNames(), rng));
      break;
    case Op::kIp: {
      uint64_t r = rng->Next();
      for (int i = 0; i < 4; ++i) {
        if (i > 0) out->push_back('.');
        AppendInt(static_cast<int64_t>((r >> (8 * i)) & 0xFF), out);
      }
      break;
    }
    case Op::kIpv6: {
      uint64_t r[2] = {rng->Next(), rng->Next()};
      for (int i = 0; i < 8; ++i) {
        if (i > 0) out->push_back(':');
        uint64_t group = (r[i / 4] >> (16 * (i % 4))) & 0xFFFF;
        for (int s = 12; s >= 0; s -= 4) out->push_back(kHexChars[(group >> s) & 0xF]);
      }
      break;
    }
    case Op::kMac: {
      uint64_t r = rng->Next();
      for (int i = 0; i < 6; ++i) {
        if (i > 0) out->push_back(':');
        out->push_back(kHexChars[(r >> (8 * i + 4)) & 0xF]);
        out->push_back(kHexChars[(r >> (8 * i)) & 0xF]);
      }
      break;
    }
    case Op::kUserName:
      AppendUserName(rng, out);
      break;
    case Op::kEmail:
      AppendUserName(rng, out);
      out->push_back('@');
      out->append(PickFrom(words::EmailProviders(), rng));
      break;
    case Op::kDomain:
      AppendDomain(rng, out);
      break;
    case Op::kUrl:
      out->append("https://");
      AppendDomain(rng, out);
      break;
    case Op::kSentences: {
      int64_t count = rng->Between(n.count_lo, n.count_hi);
      for (int64_t i = 0; i < count; ++i) {
        if (i > 0) out->push_back(' ');
        AppendSentence(rng, 3, 10, out);
      }
      break;
    }
    case Op::kSentence:
      AppendSentence(rng, n.count_lo, n.count_hi, out);
      break;
    case Op::kSymbols:
      for (char c : n.text) {
        if (c == '#') {
          out->push_back(static_cast<char>('0' + rng->Below(10)));
        } else if (c == '?') {
          out->push_back(kUpperChars[rng->Below(26)]);
        } else if (c == '*') {
          out->push_back(rng->Below(2) ? static_cast<char>('0' + rng->Below(10))
                                       : kUpperChars[rng->Below(26)]);
        } else {
          out->push_back(c);
        }
      }
      break;
    case Op::kSymbolNumber:
      for (char c : n.text) {
        if (c == n.symbol) {
          out->push_back(static_cast<char>('0' + rng->Below(10)));
        } else if (c == '!') {
          out->push_back(static_cast<char>('2' + rng->Below(8)));
        } else {
          out->push_back(c);
        }
      }
      break;
    case Op::kStreet:
      AppendInt(rng->Between(1, 9999), out);
      out->push_back(' ');
      out->append(PickFrom(words::LastNames(), rng));
      out->push_back(' ');
      out->append(PickFrom(words::StreetSuffixes(), rng));
      break;
    case Op::kProductName:
      out->append(PickFrom(words::ProductAdjectives(), rng));
      out->push_back(' ');
      out->append(PickFrom(words::ProductMaterials(), rng));
      out->push_back(' ');
      out->append(PickFrom(words::Products(), rng));
      break;
  }
}

// ---- Helpers: argument checking and node set-up. ----

struct Call {
  std::string_view text;  // The whole template, for error positions.
  std::string name;
  size_t offset = 0;       // The helper name's position.
  size_t args_offset = 0;  // After "(", or after the name when there are none.
  std::vector<Value> args;

  Status Error(size_t at, std::string_view what) const {
    return ErrorAt(text, at, fmt::format("{}: {}", name, what));
  }
  Status MaxArgs(size_t n) const {
    if (args.size() <= n) return Status::OK();
    return Error(args[n].offset, n == 0 ? std::string("takes no arguments")
                                        : fmt::format("takes at most {} argument{} (got {})", n,
                                                      n == 1 ? "" : "s", args.size()));
  }
  const Value* Arg(size_t i) const {
    return i < args.size() && args[i].kind != Value::Kind::kNull ? &args[i] : nullptr;
  }
  // Argument i as a number (def if absent).
  Result<double> Number(size_t i, double def, std::string_view what) const {
    const Value* v = Arg(i);
    if (v == nullptr) return def;
    if (v->kind != Value::Kind::kNumber) {
      return Error(v->offset, fmt::format("{} must be a number, not {}", what, KindName(v->kind)));
    }
    return v->number;
  }
  // Argument i as a whole number in [lo, hi] (def if absent).
  Result<int64_t> Integer(size_t i, int64_t def, int64_t lo, int64_t hi,
                          std::string_view what) const {
    const Value* v = Arg(i);
    if (v == nullptr) return def;
    return IntegerOf(*v, lo, hi, what);
  }
  Result<int64_t> IntegerOf(const Value& v, int64_t lo, int64_t hi, std::string_view what) const {
    if (v.kind != Value::Kind::kNumber || v.number != std::floor(v.number) || v.number < lo ||
        v.number > hi) {
      return Error(v.offset, fmt::format("{} must be a whole number from {} to {} (got {})", what,
                                         lo, hi, Display(v)));
    }
    return static_cast<int64_t>(v.number);
  }
  Result<std::string> String(size_t i, std::string_view what, bool required) const {
    const Value* v = Arg(i);
    if (v == nullptr) {
      if (required) {
        return Error(args_offset, fmt::format("needs {} argument, e.g. {}(\"...\")", what, name));
      }
      return std::string();
    }
    if (v->kind != Value::Kind::kString) {
      return Error(v->offset, fmt::format("{} must be a string, not {}", what, KindName(v->kind)));
    }
    return v->text;
  }
  Result<const Value*> Array(size_t i) const {
    const Value* v = Arg(i);
    if (v == nullptr) {
      return Error(args_offset,
                   fmt::format("needs an array argument, e.g. {}([\"a\",\"b\"])", name));
    }
    if (v->kind != Value::Kind::kArray) {
      return Error(v->offset,
                   fmt::format("the argument must be an array, not {}", KindName(v->kind)));
    }
    if (v->items.empty()) return Error(v->offset, "the array is empty");
    return v;
  }
};

// Decimal places of a step such as 0.01 (2); error past 9.
Result<int> DecimalsOf(const Call& c, size_t at, double step) {
  for (int d = 0; d <= 9; ++d) {
    double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
  }
  return c.Error(at, fmt::format("precision {} has more than 9 decimal places", step));
}

// A uniform number in [min, max] on multiples of `step` above min.
Status SetUpNumber(const Call& c, size_t at, double min, double max, double step, bool fixed,
                   int min_decimals, Node* n) {
  if (!(step > 0)) return c.Error(at, fmt::format("precision must be above 0 (got {})", step));
  if (max < min) {
    return c.Error(at, fmt::format("max ({}) is less than min ({})", max, min));
  }
  GL_ASSIGN_OR_RETURN(int decimals, DecimalsOf(c, at, step));
  decimals = std::max(decimals, min_decimals);
  double pow10 = std::pow(10.0, decimals);
  if (std::fabs(min) * pow10 > 9e15 || std::fabs(max) * pow10 > 9e15) {
    return c.Error(at, "min and max must be within +-9e15 (at this precision)");
  }
  n->op = Op::kNumber;
  n->decimals = decimals;
  n->fixed = fixed;
  n->lo = static_cast<int64_t>(std::llround(min * pow10));
  n->step = std::max<int64_t>(1, static_cast<int64_t>(std::llround(step * pow10)));
  int64_t hi = static_cast<int64_t>(std::llround(max * pow10));
  n->steps = (hi - n->lo) / n->step;
  return Status::OK();
}

// random.number / datatype.number / random.float: (max) or ({min, max, precision}).
Status NumberHelper(const Call& c, Node* n, double default_precision) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  double min = 0, max = 99999, precision = default_precision;
  const Value* v = c.Arg(0);
  size_t at = v ? v->offset : c.args_offset;
  if (v != nullptr && v->kind == Value::Kind::kNumber) {
    max = v->number;
  } else if (v != nullptr && v->kind == Value::Kind::kObject) {
    for (const auto& [key, member] : v->members) {
      if (key != "min" && key != "max" && key != "precision") {
        return c.Error(member.offset,
                       fmt::format("unknown option \"{}\" (expected min, max, precision)", key));
      }
      if (member.kind != Value::Kind::kNumber) {
        return c.Error(member.offset,
                       fmt::format("{} must be a number, not {}", key, KindName(member.kind)));
      }
    }
    if (const Value* m = v->Find("min")) min = m->number;
    if (const Value* m = v->Find("max")) max = m->number;
    if (const Value* m = v->Find("precision")) precision = m->number;
  } else if (v != nullptr) {
    return c.Error(v->offset, fmt::format("the argument must be a number (max) or an object "
                                          "{{\"min\",\"max\",\"precision\"}}, not {}",
                                          KindName(v->kind)));
  }
  return SetUpNumber(c, at, min, max, precision, false, 0, n);
}

Status Items(const Call& c, const Value& array, Node* n) {
  n->items.clear();
  for (const Value& item : array.items) n->items.push_back(Display(item));
  return Status::OK();
}

Status PickArray(const Call& c, Node* n) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  GL_ASSIGN_OR_RETURN(const Value* array, c.Array(0));
  n->op = Op::kPick;
  return Items(c, *array, n);
}

Status PickList(const Call& c, Node* n, words::List list) {
  GL_RETURN_IF_ERROR(c.MaxArgs(0));
  n->op = Op::kPick;
  n->list = list;
  return Status::OK();
}

Status WordsHelper(const Call& c, Node* n, words::List list, int64_t lo, int64_t hi) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  GL_ASSIGN_OR_RETURN(int64_t count, c.Integer(0, -1, 0, 10000, "the word count"));
  n->op = Op::kWords;
  n->list = list;
  n->count_lo = count < 0 ? lo : count;
  n->count_hi = count < 0 ? hi : count;
  return Status::OK();
}

Status CharsHelper(const Call& c, Node* n, std::string_view charset, std::string_view prefix) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  n->op = Op::kChars;
  n->text = charset;
  n->text2 = prefix;
  const Value* v = c.Arg(0);
  int64_t count = 1;
  if (v != nullptr && v->kind == Value::Kind::kObject) {  // random.alpha({count, upcase}).
    if (const Value* m = v->Find("count")) {
      GL_ASSIGN_OR_RETURN(count, c.IntegerOf(*m, 0, 100000, "count"));
    }
    if (const Value* m = v->Find("upcase"); m && m->kind == Value::Kind::kBool && m->boolean) {
      n->text = kUpperChars;
    }
  } else {
    GL_ASSIGN_OR_RETURN(count, c.Integer(0, 1, 0, 100000, "the length"));
  }
  n->count_lo = n->count_hi = count;
  return Status::OK();
}

// date.past/future/recent/soon([amount][, format]); also date.now/utc([format]).
Status DateHelper(const Call& c, Node* n, int64_t unit_us, int direction, bool millis) {
  GL_RETURN_IF_ERROR(c.MaxArgs(direction == 0 ? 1 : 2));
  n->op = Op::kDate;
  size_t format_arg = 0;
  if (direction != 0) {
    const Value* v = c.Arg(0);
    double amount = 1;
    if (v != nullptr && v->kind == Value::Kind::kNumber) {
      GL_ASSIGN_OR_RETURN(amount, c.Number(0, 1, "the amount"));
      if (!(amount > 0) || amount > 10000) {
        return c.Error(
            v->offset,
            fmt::format("the amount must be above 0 and at most 10000 (got {})", Display(*v)));
      }
      format_arg = 1;
    }
    int64_t span = static_cast<int64_t>(amount * static_cast<double>(unit_us));
    n->lo = direction < 0 ? -span : 1;
    n->hi = direction < 0 ? -1 : span;
  }
  GL_ASSIGN_OR_RETURN(std::string format, c.String(format_arg, "the format", false));
  if (c.args.size() > format_arg + 1) return c.MaxArgs(format_arg + 1);
  n->format = format.empty() ? TimeFormat::Iso(millis) : TimeFormat::Compile(format);
  return Status::OK();
}

Status DateBetween(const Call& c, Node* n) {
  GL_RETURN_IF_ERROR(c.MaxArgs(3));
  int64_t bounds[2];
  for (size_t i = 0; i < 2; ++i) {
    GL_ASSIGN_OR_RETURN(std::string s, c.String(i, i == 0 ? "a start time" : "an end time", true));
    Result<int64_t> t = ParseTime(s);
    if (!t.ok()) return c.Error(c.args[i].offset, t.status().message());
    bounds[i] = *t;
  }
  if (bounds[1] < bounds[0]) return c.Error(c.args[1].offset, "the end is before the start");
  GL_ASSIGN_OR_RETURN(std::string format, c.String(2, "the format", false));
  n->op = Op::kDate;
  n->absolute = true;
  n->lo = bounds[0];
  n->hi = bounds[1];
  n->format = format.empty() ? TimeFormat::Iso(true) : TimeFormat::Compile(format);
  return Status::OK();
}

Status Weighted(const Call& c, Node* n) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  const Value* v = c.Arg(0);
  if (v == nullptr || v->kind != Value::Kind::kObject) {
    return c.Error(v ? v->offset : c.args_offset,
                   "needs an object {\"weights\": [numbers], \"data\": [values]}");
  }
  const Value* weights = v->Find("weights");
  const Value* data = v->Find("data");
  if (weights == nullptr || weights->kind != Value::Kind::kArray) {
    return c.Error(weights ? weights->offset : v->offset,
                   "\"weights\" must be an array of numbers");
  }
  if (data == nullptr || data->kind != Value::Kind::kArray) {
    return c.Error(data ? data->offset : v->offset, "\"data\" must be an array");
  }
  if (weights->items.size() != data->items.size()) {
    return c.Error(weights->offset,
                   fmt::format("\"weights\" and \"data\" must have the same length ({} and {})",
                               weights->items.size(), data->items.size()));
  }
  if (data->items.empty()) return c.Error(data->offset, "\"data\" is empty");
  double total = 0;
  for (const Value& w : weights->items) {
    if (w.kind != Value::Kind::kNumber || w.number < 0) {
      return c.Error(w.offset,
                     fmt::format("each weight must be a number >= 0 (got {})", Display(w)));
    }
    total += w.number;
    n->cumulative.push_back(total);
  }
  if (!(total > 0)) return c.Error(weights->offset, "the weights add up to 0");
  n->op = Op::kWeighted;
  return Items(c, *data, n);
}

Status ArrayElements(const Call& c, Node* n, bool all) {
  GL_RETURN_IF_ERROR(c.MaxArgs(all ? 1 : 2));
  GL_ASSIGN_OR_RETURN(const Value* array, c.Array(0));
  GL_RETURN_IF_ERROR(Items(c, *array, n));
  int64_t size = static_cast<int64_t>(n->items.size());
  GL_ASSIGN_OR_RETURN(int64_t count, c.Integer(1, -1, 0, size, "the count"));
  n->op = Op::kPickMany;
  n->count_lo = all ? size : (count < 0 ? 1 : count);
  n->count_hi = all ? size : (count < 0 ? size : count);
  return Status::OK();
}

Status Price(const Call& c, Node* n) {
  GL_RETURN_IF_ERROR(c.MaxArgs(4));
  GL_ASSIGN_OR_RETURN(double min, c.Number(0, 1, "min"));
  GL_ASSIGN_OR_RETURN(double max, c.Number(1, 1000, "max"));
  GL_ASSIGN_OR_RETURN(int64_t dec, c.Integer(2, 2, 0, 6, "the decimal places"));
  GL_ASSIGN_OR_RETURN(std::string symbol, c.String(3, "the symbol", false));
  GL_RETURN_IF_ERROR(SetUpNumber(c, c.args_offset, min, max, std::pow(10.0, -dec), true,
                                 static_cast<int>(dec), n));
  n->text = symbol;  // Compile() puts it before the number as a literal.
  return Status::OK();
}

Status Coordinate(const Call& c, Node* n, double limit) {
  GL_RETURN_IF_ERROR(c.MaxArgs(0));
  return SetUpNumber(c, c.args_offset, -limit, limit, 0.0001, true, 4, n);
}

Status Symbols(const Call& c, Node* n, Op op) {
  GL_RETURN_IF_ERROR(c.MaxArgs(op == Op::kSymbolNumber ? 2 : 1));
  GL_ASSIGN_OR_RETURN(std::string pattern, c.String(0, "a pattern", true));
  n->op = op;
  n->text = pattern;
  if (op == Op::kSymbolNumber) {
    GL_ASSIGN_OR_RETURN(std::string symbol, c.String(1, "the symbol", false));
    if (symbol.size() > 1) return c.Error(c.args[1].offset, "the symbol must be one character");
    if (!symbol.empty()) n->symbol = symbol[0];
  }
  return Status::OK();
}

Status Fixed(const Call& c, Node* n, Op op) {
  GL_RETURN_IF_ERROR(c.MaxArgs(0));
  n->op = op;
  return Status::OK();
}

Status Slugify(const Call& c, Node* n) {
  GL_RETURN_IF_ERROR(c.MaxArgs(1));
  GL_ASSIGN_OR_RETURN(std::string s, c.String(0, "a string", true));
  n->op = Op::kLiteral;
  for (char ch : s) {
    if (ch == ' ') {
      n->text.push_back('-');
    } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ||
               ch == '_' || ch == '~') {
      n->text.push_back(ch);
    }
  }
  return Status::OK();
}

using HelperFn = Status (*)(const Call&, Node*);

struct Helper {
  std::string_view name;
  HelperFn fn;
};

// The helper table; docs/generator.md documents each.
const std::vector<Helper>& Helpers() {
  static const std::vector<Helper> helpers = {
      {"random.number", [](const Call& c, Node* n) { return NumberHelper(c, n, 1); }},
      {"datatype.number", [](const Call& c, Node* n) { return NumberHelper(c, n, 1); }},
      {"random.float", [](const Call& c, Node* n) { return NumberHelper(c, n, 0.01); }},
      {"datatype.float", [](const Call& c, Node* n) { return NumberHelper(c, n, 0.01); }},
      {"random.arrayElement", PickArray},
      {"helpers.randomize", PickArray},
      {"helpers.arrayElement", PickArray},
      {"random.arrayElements", [](const Call& c, Node* n) { return ArrayElements(c, n, false); }},
      {"helpers.arrayElements", [](const Call& c, Node* n) { return ArrayElements(c, n, false); }},
      {"helpers.shuffle", [](const Call& c, Node* n) { return ArrayElements(c, n, true); }},
      {"random.weightedArrayElement", Weighted},
      {"random.uuid", [](const Call& c, Node* n) { return Fixed(c, n, Op::kUuid); }},
      {"datatype.uuid", [](const Call& c, Node* n) { return Fixed(c, n, Op::kUuid); }},
      {"random.boolean", [](const Call& c, Node* n) { return Fixed(c, n, Op::kBool); }},
      {"datatype.boolean", [](const Call& c, Node* n) { return Fixed(c, n, Op::kBool); }},
      {"random.word", [](const Call& c, Node* n) { return PickList(c, n, words::RandomWords()); }},
      {"random.words",
       [](const Call& c, Node* n) { return WordsHelper(c, n, words::RandomWords(), 1, 3); }},
      {"random.alphaNumeric",
       [](const Call& c, Node* n) { return CharsHelper(c, n, kAlnumChars, ""); }},
      {"random.alpha", [](const Call& c, Node* n) { return CharsHelper(c, n, kLowerChars, ""); }},
      {"random.hexaDecimal",
       [](const Call& c, Node* n) { return CharsHelper(c, n, kHexChars, "0x"); }},
      {"datatype.hexaDecimal",
       [](const Call& c, Node* n) { return CharsHelper(c, n, kHexChars, "0x"); }},
      {"date.now", [](const Call& c, Node* n) { return DateHelper(c, n, 0, 0, false); }},
      {"date.utc", [](const Call& c, Node* n) { return DateHelper(c, n, 0, 0, false); }},
      {"date.past", [](const Call& c, Node* n) { return DateHelper(c, n, kUsPerYear, -1, true); }},
      {"date.future",
       [](const Call& c, Node* n) { return DateHelper(c, n, kUsPerYear, 1, true); }},
      {"date.recent", [](const Call& c, Node* n) { return DateHelper(c, n, kUsPerDay, -1, true); }},
      {"date.soon", [](const Call& c, Node* n) { return DateHelper(c, n, kUsPerDay, 1, true); }},
      {"date.between", DateBetween},
      {"date.weekday", [](const Call& c, Node* n) { return PickList(c, n, words::Weekdays()); }},
      {"date.month", [](const Call& c, Node* n) { return PickList(c, n, words::Months()); }},
      {"name.firstName",
       [](const Call& c, Node* n) { return PickList(c, n, words::FirstNames()); }},
      {"name.lastName", [](const Call& c, Node* n) { return PickList(c, n, words::LastNames()); }},
      {"name.findName", [](const Call& c, Node* n) { return Fixed(c, n, Op::kFullName); }},
      {"name.fullName", [](const Call& c, Node* n) { return Fixed(c, n, Op::kFullName); }},
      {"internet.ip", [](const Call& c, Node* n) { return Fixed(c, n, Op::kIp); }},
      {"internet.ipv4", [](const Call& c, Node* n) { return Fixed(c, n, Op::kIp); }},
      {"internet.ipv6", [](const Call& c, Node* n) { return Fixed(c, n, Op::kIpv6); }},
      {"internet.mac", [](const Call& c, Node* n) { return Fixed(c, n, Op::kMac); }},
      {"internet.userName", [](const Call& c, Node* n) { return Fixed(c, n, Op::kUserName); }},
      {"internet.email", [](const Call& c, Node* n) { return Fixed(c, n, Op::kEmail); }},
      {"internet.domainName", [](const Call& c, Node* n) { return Fixed(c, n, Op::kDomain); }},
      {"internet.url", [](const Call& c, Node* n) { return Fixed(c, n, Op::kUrl); }},
      {"lorem.word", [](const Call& c, Node* n) { return PickList(c, n, words::LoremWords()); }},
      {"lorem.words",
       [](const Call& c, Node* n) { return WordsHelper(c, n, words::LoremWords(), 3, 3); }},
      {"lorem.sentence",
       [](const Call& c, Node* n) {
         GL_RETURN_IF_ERROR(c.MaxArgs(1));
         GL_ASSIGN_OR_RETURN(int64_t count, c.Integer(0, -1, 1, 1000, "the word count"));
         n->op = Op::kSentence;
         n->count_lo = count < 0 ? 3 : count;
         n->count_hi = count < 0 ? 10 : count;
         return Status::OK();
       }},
      {"lorem.sentences",
       [](const Call& c, Node* n) {
         GL_RETURN_IF_ERROR(c.MaxArgs(1));
         GL_ASSIGN_OR_RETURN(int64_t count, c.Integer(0, -1, 1, 1000, "the sentence count"));
         n->op = Op::kSentences;
         n->count_lo = count < 0 ? 2 : count;
         n->count_hi = count < 0 ? 6 : count;
         return Status::OK();
       }},
      {"lorem.paragraph",
       [](const Call& c, Node* n) {
         GL_RETURN_IF_ERROR(c.MaxArgs(1));
         GL_ASSIGN_OR_RETURN(int64_t count, c.Integer(0, 3, 1, 1000, "the sentence count"));
         n->op = Op::kSentences;
         n->count_lo = count;
         n->count_hi = count + 3;
         return Status::OK();
       }},
      {"address.country",
       [](const Call& c, Node* n) { return PickList(c, n, words::Countries()); }},
      {"address.countryCode",
       [](const Call& c, Node* n) { return PickList(c, n, words::CountryCodes()); }},
      {"address.city", [](const Call& c, Node* n) { return PickList(c, n, words::Cities()); }},
      {"address.state", [](const Call& c, Node* n) { return PickList(c, n, words::States()); }},
      {"address.zipCode",
       [](const Call& c, Node* n) {
         GL_RETURN_IF_ERROR(c.MaxArgs(0));
         n->op = Op::kSymbolNumber;
         n->text = "#####";
         return Status::OK();
       }},
      {"address.streetAddress", [](const Call& c, Node* n) { return Fixed(c, n, Op::kStreet); }},
      {"address.latitude", [](const Call& c, Node* n) { return Coordinate(c, n, 90); }},
      {"address.longitude", [](const Call& c, Node* n) { return Coordinate(c, n, 180); }},
      {"commerce.price", Price},
      {"finance.amount", Price},
      {"commerce.productName",
       [](const Call& c, Node* n) { return Fixed(c, n, Op::kProductName); }},
      {"commerce.product", [](const Call& c, Node* n) { return PickList(c, n, words::Products()); }},
      {"commerce.department",
       [](const Call& c, Node* n) { return PickList(c, n, words::Departments()); }},
      {"commerce.color", [](const Call& c, Node* n) { return PickList(c, n, words::Colors()); }},
      {"commerce.productAdjective",
       [](const Call& c, Node* n) { return PickList(c, n, words::ProductAdjectives()); }},
      {"commerce.productMaterial",
       [](const Call& c, Node* n) { return PickList(c, n, words::ProductMaterials()); }},
      {"phone.phoneNumber",
       [](const Call& c, Node* n) {
         GL_RETURN_IF_ERROR(c.MaxArgs(0));
         n->op = Op::kSymbolNumber;
         n->text = "!##-!##-####";
         return Status::OK();
       }},
      {"helpers.replaceSymbols",
       [](const Call& c, Node* n) { return Symbols(c, n, Op::kSymbols); }},
      {"helpers.replaceSymbolWithNumber",
       [](const Call& c, Node* n) { return Symbols(c, n, Op::kSymbolNumber); }},
      {"helpers.slugify", Slugify},
  };
  return helpers;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view name) {
  std::string_view best;
  size_t best_distance = 4;
  for (const Helper& h : Helpers()) {
    size_t d = EditDistance(name, h.name);
    if (d < best_distance) {
      best_distance = d;
      best = h.name;
    }
  }
  return best.empty() ? " (docs/generator.md lists the helpers)"
                      : fmt::format(" (did you mean \"{}\"?)", best);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

struct Template::Impl {
  std::vector<Node> nodes;
  bool uses_clock = false;
  std::string text;  // The source, for error positions in RenderChecked.
};

namespace {

// Appends template text [begin, end) to a literal node, dropping each line
// break with the blanks around it.
void AppendLiteral(std::string_view text, size_t begin, size_t end, std::vector<Node>* nodes) {
  if (nodes->empty() || nodes->back().op != Op::kLiteral || nodes->back().name != "") {
    Node n;
    n.op = Op::kLiteral;
    n.offset = begin;
    nodes->push_back(std::move(n));
  }
  Node& n = nodes->back();
  size_t i = begin;
  while (i < end) {
    char c = text[i];
    if (c == '\n' || c == '\r') {
      while (!n.text.empty() && (n.text.back() == ' ' || n.text.back() == '\t')) {
        n.text.pop_back();
        n.src.pop_back();
      }
      while (i < end && IsSpace(text[i])) ++i;
      continue;
    }
    n.text.push_back(c);
    n.src.push_back(static_cast<uint32_t>(i));
    ++i;
  }
}

}  // namespace

Result<Template> Template::Compile(std::string_view text) {
  auto impl = std::make_shared<Impl>();
  impl->text.assign(text);
  std::vector<Node>& nodes = impl->nodes;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      AppendLiteral(text, pos, text.size(), &nodes);
      break;
    }
    AppendLiteral(text, pos, open, &nodes);
    ValueParser p(text, open + 2);
    p.SkipSpace();
    Call call;
    call.text = text;
    call.offset = p.pos();
    size_t name_start = p.pos();
    while (!p.AtEnd() && (std::isalnum(static_cast<unsigned char>(p.Peek())) || p.Peek() == '.' ||
                          p.Peek() == '_' || p.Peek() == '$')) {
      p.Advance();
    }
    std::string_view name = text.substr(name_start, p.pos() - name_start);
    if (name.empty()) {
      if (p.AtEnd()) {
        return ErrorAt(text, open, "unterminated {{: no closing }}");
      }
      if (text.substr(p.pos(), 2) == "}}")
        return ErrorAt(text, open, "empty {{ }}: expected a helper name");
      return ErrorAt(text, p.pos(),
                     fmt::format("expected a helper name after {{{{, found '{}'", p.Peek()));
    }
    if (name.starts_with("faker.")) name.remove_prefix(6);
    call.name.assign(name);
    p.SkipSpace();
    call.args_offset = p.pos();
    if (p.Peek() == '(') {
      size_t paren = p.pos();
      p.Advance();
      call.args_offset = p.pos();
      p.SkipSpace();
      if (p.Peek() == ')') {
        p.Advance();
      } else {
        for (;;) {
          Value v;
          GL_RETURN_IF_ERROR(p.Parse(&v));
          call.args.push_back(std::move(v));
          p.SkipSpace();
          if (p.Peek() == ',') {
            p.Advance();
            continue;
          }
          if (p.Peek() == ')') {
            p.Advance();
            break;
          }
          if (p.AtEnd()) return ErrorAt(text, paren, "unterminated (: no closing )");
          return ErrorAt(
              text, p.pos(),
              fmt::format("expected ',' or ')' after an argument, found '{}'", p.Peek()));
        }
      }
      p.SkipSpace();
    }
    if (text.substr(p.pos(), 2) != "}}") {
      if (text.find("}}", p.pos()) == std::string_view::npos) {
        return ErrorAt(text, open, "unterminated {{: no closing }}");
      }
      return ErrorAt(text, p.pos(),
                     fmt::format("expected }}}} after {}, found '{}'", call.name, p.Peek()));
    }
    pos = p.pos() + 2;

    const Helper* helper = nullptr;
    for (const Helper& h : Helpers()) {
      if (h.name == call.name) helper = &h;
    }
    if (helper == nullptr) {
      return ErrorAt(text, call.offset,
                     fmt::format("unknown helper \"{}\"{}", call.name, Suggestion(call.name)));
    }
    Node node;
    node.offset = open;
    GL_RETURN_IF_ERROR(helper->fn(call, &node));
    node.name = call.name;
    if (node.op == Op::kDate && !node.absolute) impl->uses_clock = true;
    if (node.op == Op::kNumber && !node.text.empty()) {
      // commerce.price with a symbol: the symbol is a literal before the number.
      Node symbol;
      symbol.op = Op::kLiteral;
      symbol.name = node.name;
      symbol.offset = open;
      symbol.text = node.text;
      symbol.src.assign(symbol.text.size(), static_cast<uint32_t>(open));
      node.text.clear();
      nodes.push_back(std::move(symbol));
    }
    if (node.op == Op::kLiteral) node.src.assign(node.text.size(), static_cast<uint32_t>(open));
    nodes.push_back(std::move(node));
  }
  // Blanks at the very start and end of the template are not part of the record.
  if (!nodes.empty() && nodes.front().op == Op::kLiteral && nodes.front().name.empty()) {
    Node& n = nodes.front();
    size_t k = 0;
    while (k < n.text.size() && IsSpace(n.text[k])) ++k;
    n.text.erase(0, k);
    n.src.erase(n.src.begin(), n.src.begin() + k);
  }
  if (!nodes.empty() && nodes.back().op == Op::kLiteral && nodes.back().name.empty()) {
    Node& n = nodes.back();
    while (!n.text.empty() && IsSpace(n.text.back())) {
      n.text.pop_back();
      n.src.pop_back();
    }
  }
  std::erase_if(nodes, [](const Node& n) { return n.op == Op::kLiteral && n.text.empty(); });
  if (nodes.empty()) return ErrorAt(text, 0, "the template is empty");
  return Template(std::move(impl));
}

void Template::Render(Rng* rng, int64_t now_us, std::string* out) const {
  for (const Node& n : impl_->nodes) RenderNode(n, rng, now_us, out);
}

Status Template::RenderChecked(Rng* rng, int64_t now_us, std::string* out) const {
  size_t start = out->size();
  thread_local std::vector<size_t> ends;
  ends.clear();
  for (const Node& n : impl_->nodes) {
    RenderNode(n, rng, now_us, out);
    ends.push_back(out->size() - start);
  }
  std::string_view record(out->data() + start, out->size() - start);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(record.data(), record.size(), true).get(root);
  if (!error) {
    if (root.type() == simdjson::dom::element_type::OBJECT) return Status::OK();
    return ErrorAt(impl_->text, impl_->nodes.front().offset,
                   fmt::format("the record is not a JSON object (gamelake stores objects): {}",
                               record.substr(0, 80)));
  }
  std::optional<JsonSyntaxError> where = FindJsonSyntaxError(record);
  size_t offset = where ? where->offset : 0;
  std::string reason = where ? where->reason : simdjson::error_message(error);
  // The node that wrote the byte at `offset` (the last node if past the end).
  size_t i = std::lower_bound(ends.begin(), ends.end(), offset + 1) - ends.begin();
  i = std::min(i, impl_->nodes.size() - 1);
  const Node& n = impl_->nodes[i];
  size_t node_start = i == 0 ? 0 : ends[i - 1];
  std::string context(record.substr(offset >= 20 ? offset - 20 : 0, 40));
  if (n.op == Op::kLiteral && n.name.empty() && offset - node_start < n.src.size()) {
    return ErrorAt(impl_->text, n.src[offset - node_start],
                   fmt::format("the record is not valid JSON: {} (near \"{}\")", reason, context));
  }
  return ErrorAt(impl_->text, n.offset,
                 fmt::format("the record is not valid JSON: {} in what {} wrote (near \"{}\"); "
                             "quote the {{{{ }}}} in the template if it is text",
                             reason, n.name.empty() ? "this part" : n.name, context));
}

bool Template::uses_clock() const { return impl_->uses_clock; }

std::vector<std::string_view> Template::HelperNames() {
  std::vector<std::string_view> names;
  for (const Helper& h : Helpers()) names.push_back(h.name);
  return names;
}

}  // namespace gamelake
