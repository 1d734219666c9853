// SchemaInferrer: infers the DuckDB type of the records of a staging file with
// simdjson, so LakeWriter can hand read_json an explicit columns= schema and
// DuckDB reads the file once (its own whole-file inference reads it twice and
// costs about as much as the conversion itself).
//
// The rules mirror what DuckDB 1.4.4's read_json infers with sample_size=-1 and
// map_inference_threshold=-1, after LakeWriter's StorageType() rewrite:
//  - The record type is a STRUCT of the union of the records' keys, in order of
//    first appearance; nested objects merge the same way.
//  - Integers that fit BIGINT are BIGINT; a number with a fraction or exponent
//    is DOUBLE, and so are integers and floats mixed. An integer above
//    INT64_MAX that fits UINT64 keeps its column BIGINT (as DuckDB does) but
//    sets wide_integers(): DuckDB cannot store it, so the lake stores the
//    file's BIGINTs as JSON text. Numbers simdjson cannot represent (integers
//    beyond UINT64 or below INT64_MIN, floats beyond DOUBLE) are errors; the
//    ingest parser rejects such records, so staging files do not hold them.
//  - Strings are VARCHAR (never DATE/TIME/UUID), booleans BOOLEAN.
//  - null tells nothing: a value seen only as null is JSON. An object that is
//    empty wherever it appears is JSON. An array is a LIST of its merged
//    elements; one whose elements are unknown (only [] or nulls) is JSON[].
//  - Any other mix of kinds (string and number, object and array, ...) is JSON.
//  - Keys of one nested object level that are empty or equal ignoring ASCII
//    case (DuckDB rejects such STRUCTs) make that level JSON. At the top level
//    they set top_level_key_conflict(): only per-key JSON text can hold them.
// Key spelling is kept exactly (unescaped: spaces, quotes, unicode).
//
// Thread-safety: none; use one SchemaInferrer from one thread at a time.
#ifndef GAMELAKE_DELIVERY_SCHEMA_INFERRER_H_
#define GAMELAKE_DELIVERY_SCHEMA_INFERRER_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "sql/duck_db.h"

namespace gamelake {

class SchemaInferrer {
 public:
  SchemaInferrer();
  ~SchemaInferrer();
  SchemaInferrer(const SchemaInferrer&) = delete;
  SchemaInferrer& operator=(const SchemaInferrer&) = delete;

  // Adds one record: a JSON object. InvalidArgument if simdjson rejects it or
  // it is not an object (the inferrer's state is then unspecified).
  Status AddRecord(std::string_view record_json);
  // Adds every line of a staging file ({"_ingest_time":..,"_record_id":..,
  // "r":<record>} per line; blank lines are skipped), reading it through env.
  // Stops early once top_level_key_conflict() is set. InvalidArgument for a
  // line that is not such an object, or has a top-level key holding NUL
  // (DuckDB cuts such names); the Env's error if reading fails.
  Status AddStagingFile(Env* env, const std::string& path);

  uint64_t records() const { return records_; }
  // True once two top-level keys are equal ignoring ASCII case, or one is
  // empty: no STRUCT type can hold these records.
  bool top_level_key_conflict() const;
  // STRUCT of the records' keys; JSON when no record had a key.
  DuckType RecordType() const;
  // True if a BIGINT of RecordType() holds an integer above INT64_MAX.
  bool wide_integers() const;

 private:
  struct Node;
  class Parser;

  std::unique_ptr<Node> root_;
  std::unique_ptr<Parser> parser_;
  uint64_t records_ = 0;
};

// The type the lake stores for a read_json-inferred type: DATE, TIME,
// TIMESTAMP* and UUID (DuckDB's guesses from strings) become VARCHAR, and with
// wide_integers every BIGINT becomes JSON text, which holds any integer exactly.
DuckType StorageType(const DuckType& inferred, bool wide_integers);

// Limits on how wide records make a table. Records whose keys are data (ids
// used as keys, a map of player -> score) or a hostile client could otherwise
// make files of thousands of columns, each costing the writer and every query
// (10,000 keys over 200 records took 44 s to write).
struct ColumnLimits {
  size_t max_columns = 1000;       // Leaf columns of a file's record type.
  size_t max_struct_fields = 256;  // Fields of one nested object; more: JSON.
};

// The name of the column that holds, as one JSON object per record, the
// top-level keys that did not fit ColumnLimits::max_columns.
inline constexpr const char* kOverflowColumn = "_overflow";

// `record` (a STRUCT) within `limits`: nested STRUCTs of more than
// max_struct_fields fields become JSON; then top-level fields are kept while
// their leaf columns fit max_columns — first those named in `known` (the
// table's columns so far, so a table keeps its columns), then the others in
// order — and the rest are named in *overflow, in order. The kept fields keep
// their order in `record`.
DuckType BoundedRecordType(const DuckType& record, const ColumnLimits& limits,
                           const std::set<std::string>& known, std::vector<std::string>* overflow);

// The SQL of the overflow column: `record` (an SQL expression of type JSON,
// the whole record) without the top-level keys in `column_keys`, or NULL when
// no key is left.
std::string OverflowColumnSql(std::string_view record, const std::vector<std::string>& column_keys);

}  // namespace gamelake

#endif  // GAMELAKE_DELIVERY_SCHEMA_INFERRER_H_
