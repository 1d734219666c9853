// CBOR (RFC 8949), the encoding of the Smithy RPC v2 CBOR protocol: a pull
// reader that walks one data item of an untrusted body, and a writer.
//
// The reader accepts every major type (0-7), definite and indefinite lengths,
// half, single and double floats and tags. It is built for hostile input:
// nesting is bounded (max_depth), every declared length is checked against the
// bytes left before anything is allocated, and it never recurses, so a body can
// cost at most its own size in memory. A malformed body is an InvalidArgument
// "SerializationException: CBOR byte <offset>: ..." naming where it went wrong.
//
// Thread-safety: one reader or writer per thread.
#ifndef GAMELAKE_SERVER_CBOR_H_
#define GAMELAKE_SERVER_CBOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

class CborReader {
 public:
  enum class Kind {
    kUnsigned,  // value
    kNegative,  // -1 - value
    kBytes,     // text (the bytes, chunks of an indefinite string joined)
    kText,      // text
    kArray,     // value: the count, unless indefinite
    kMap,       // value: the number of pairs, unless indefinite
    kEnd,       // closes the innermost array or map, definite or indefinite
    kTag,       // value: the tag number; the next item is its content
    kFalse,
    kTrue,
    kNull,
    kUndefined,
    kSimple,  // value: another simple value (0..19, 32..255)
    kFloat,   // number (half, single or double on the wire)
  };
  struct Item {
    Kind kind = Kind::kNull;
    uint64_t value = 0;
    bool indefinite = false;
    double number = 0;
    std::string_view text;  // Valid until the next call to Next().
    size_t offset = 0;      // Of the item's first byte.
  };

  static constexpr size_t kDefaultMaxDepth = 64;

  explicit CborReader(std::string_view data, size_t max_depth = kDefaultMaxDepth);

  // The next item, in document order. The call that completes the top-level
  // item fails instead if bytes follow it; calls after done() fail.
  Result<Item> Next();
  // True once the one top-level item has been read completely.
  bool done() const { return done_; }
  // Arrays and maps open around the last item returned.
  size_t depth() const { return frames_.size(); }
  // Is the next item read a map key? (Its enclosing container is a map and an
  // even number of items has been read in it.)
  bool AtMapKey() const;

 private:
  struct Frame {
    bool map = false;
    bool indefinite = false;
    uint64_t left = 0;  // Items left (definite); items read (indefinite).
  };
  Status Error(size_t offset, std::string_view what) const;
  Status ReadItem(Item* item);
  Result<uint64_t> Argument(uint8_t info, size_t head);
  Status ReadString(uint8_t major, uint8_t info, size_t head, Item* item);
  Status ReadSimple(uint8_t info, size_t head, Item* item);
  Status Open(bool map, uint8_t info, size_t head, Item* item);
  Status Break(size_t head, Item* item);
  // Counts a finished item in its container; closes finished definite ones
  // lazily (the next call returns their kEnd).
  void Complete();

  std::string_view data_;
  size_t pos_ = 0;
  size_t max_depth_;
  std::vector<Frame> frames_;
  bool done_ = false;
  bool pending_tag_ = false;  // A tag was read; its content comes next.
  std::string joined_;        // An indefinite string's chunks.
};

class CborWriter {
 public:
  CborWriter& UInt(uint64_t v);
  CborWriter& Int(int64_t v);
  CborWriter& Negative(uint64_t n);  // The integer -1 - n.
  CborWriter& Bytes(std::string_view v);
  CborWriter& Text(std::string_view v);
  CborWriter& BeginArray(uint64_t count);
  CborWriter& BeginMap(uint64_t pairs);
  // Indefinite lengths: major 2 (bytes), 3 (text), 4 (array) or 5 (map); the
  // chunks or items follow, then Break().
  CborWriter& BeginIndefinite(uint8_t major);
  CborWriter& Break();
  CborWriter& Tag(uint64_t tag);
  CborWriter& Bool(bool v);
  CborWriter& Null();
  CborWriter& Undefined();
  CborWriter& Simple(uint8_t v);
  // The shortest float (half, single, double) that holds v exactly.
  CborWriter& Double(double v);
  CborWriter& Float64(double v);
  CborWriter& Float32(float v);
  CborWriter& Float16(uint16_t bits);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Head(uint8_t major, uint64_t argument);
  std::string out_;
};

// Half-precision bits to a double (RFC 8949 appendix D).
double HalfToDouble(uint16_t bits);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CBOR_H_
