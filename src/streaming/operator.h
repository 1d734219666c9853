// StreamOperator: one step of a pump's query — filter and project, a tumbling
// GROUP BY, a sliding or stagger window, a join — pushed rows one at a time
// in ROWTIME order, emitting rows downstream at once or when time passes.
//
// Time: AdvanceTime(t) promises that no later row has a ROWTIME below t (the
// source's watermark); windows that end at or before t emit then, so a
// tumbling window closes on the clock even when no further row arrives.
// Rows that fail to evaluate go to the error stream (RowEmitter::Error) with
// the reason; they never stop the operator. A Status from Push/AdvanceTime is
// a hard failure (state over its bound): the application stops with it.
//
// State: SaveState/LoadState write and read everything the operator keeps
// between rows (open windows, buffered rows), so an application resumes after
// a restart exactly where its checkpoint left it.
//
// Thread-safety: an operator belongs to one application; one thread at a time.
#ifndef GAMELAKE_STREAMING_OPERATOR_H_
#define GAMELAKE_STREAMING_OPERATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "streaming/sql_ast.h"
#include "streaming/sql_value.h"

namespace gamelake {

class RowEmitter {
 public:
  virtual ~RowEmitter() = default;
  virtual void Emit(StreamRow row) = 0;
  // `row` failed at `pos` (in the application code) because of `message`.
  virtual void Error(const StreamRow& row, SqlPos pos, std::string_view message) = 0;
};

// The binary form of operator state (the application's checkpoint).
class StateWriter {
 public:
  void PutU64(uint64_t v);
  void PutI64(int64_t v) { PutU64(static_cast<uint64_t>(v)); }
  void PutDouble(double v);
  void PutString(std::string_view s);
  void PutValue(const SqlValue& v);
  void PutRow(const StreamRow& row);
  const std::string& data() const { return data_; }
  std::string Release() { return std::move(data_); }

 private:
  std::string data_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view data) : data_(data) {}
  // Each returns Corruption (with the byte offset) past the end or on a bad tag.
  Status GetU64(uint64_t* v);
  Status GetI64(int64_t* v);
  Status GetDouble(double* v);
  Status GetString(std::string* s);
  Status GetValue(SqlValue* v);
  Status GetRow(StreamRow* row);
  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class StreamOperator {
 public:
  virtual ~StreamOperator() = default;
  // `input` is 0, or 1 for a join's right side.
  virtual Status Push(int input, const StreamRow& row, RowEmitter* out) = 0;
  virtual Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) = 0;
  virtual void SaveState(StateWriter* w) const = 0;
  virtual Status LoadState(StateReader* r) = 0;
  // Approximate bytes of state held now (windows, buffered rows).
  virtual size_t StateBytes() const = 0;
};
using StreamOperatorPtr = std::unique_ptr<StreamOperator>;

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_OPERATOR_H_
