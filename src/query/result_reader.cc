#include "query/result_reader.h"

#include "sql/duck_db.h"

#include <fmt/format.h>

#include <string>

namespace gamelake {

namespace {

// Native columns are read straight from DuckDB's vectors; the others are
// turned into text by DuckDB itself (a wrapping SELECT), as `carry` says.
ResultReader::Carry CarryFor(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return ResultReader::Carry::kBool;
    case DUCKDB_TYPE_TINYINT:
      return ResultReader::Carry::kInt8;
    case DUCKDB_TYPE_SMALLINT:
      return ResultReader::Carry::kInt16;
    case DUCKDB_TYPE_INTEGER:
      return ResultReader::Carry::kInt32;
    case DUCKDB_TYPE_BIGINT:
      return ResultReader::Carry::kInt64;
    case DUCKDB_TYPE_UTINYINT:
      return ResultReader::Carry::kUInt8;
    case DUCKDB_TYPE_USMALLINT:
      return ResultReader::Carry::kUInt16;
    case DUCKDB_TYPE_UINTEGER:
      return ResultReader::Carry::kUInt32;
    case DUCKDB_TYPE_UBIGINT:
      return ResultReader::Carry::kUInt64;
    case DUCKDB_TYPE_FLOAT:
      return ResultReader::Carry::kFloat;
    case DUCKDB_TYPE_DOUBLE:
      return ResultReader::Carry::kDouble;
    case DUCKDB_TYPE_VARCHAR:
      return ResultReader::Carry::kVarchar;
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return ResultReader::Carry::kNumberText;
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_UNION:
      return ResultReader::Carry::kJsonText;
    default:
      return ResultReader::Carry::kText;
  }
}

}  // namespace

Result<std::unique_ptr<ResultReader>> ResultReader::Prepare(duckdb_connection conn,
                                                            duckdb_prepared_statement prepared,
                                                            std::string_view sql, bool select) {
  std::unique_ptr<ResultReader> r(new ResultReader());
  idx_t columns = duckdb_prepared_statement_column_count(prepared);
  r->columns_.resize(columns);
  r->carry_.resize(columns);
  bool wrap = false;
  for (idx_t i = 0; i < columns; ++i) {
    r->columns_[i].name = TakeDuckString(duckdb_prepared_statement_column_name(prepared, i));
    duckdb_type t = duckdb_prepared_statement_column_type(prepared, i);
    r->columns_[i].type = std::string(DuckTypeName(t));
    r->carry_[i] = CarryFor(t);
    if (r->carry_[i] >= ResultReader::Carry::kNumberText) wrap = true;
  }
  r->run_ = prepared;
  if (!wrap || !select) return r;
  std::string outer = "SELECT ";
  std::string aliases;
  for (idx_t i = 0; i < columns; ++i) {
    std::string c = fmt::format("c{}", i);
    aliases += (i ? ", " : "") + c;
    outer += i ? ", " : "";
    if (r->carry_[i] == ResultReader::Carry::kJsonText) {
      outer += fmt::format("CAST(to_json({}) AS VARCHAR)", c);
    } else if (r->carry_[i] >= ResultReader::Carry::kNumberText) {
      outer += fmt::format("CAST({} AS VARCHAR)", c);
    } else {
      outer += c;
    }
  }
  outer += fmt::format(" FROM ({}\n) AS _gl_q({})", sql, aliases);
  if (duckdb_prepare(conn, outer.c_str(), r->wrapped_.out()) != DuckDBSuccess) {
    return FromPrepareError(duckdb_prepare_error(r->wrapped_.get()));
  }
  r->run_ = r->wrapped_.get();
  return r;
}

Status ResultReader::Read(duckdb_result* result, ResultSink* sink, uint64_t* rows) {
  GL_RETURN_IF_ERROR(sink->Begin(columns_));
  const idx_t columns = columns_.size();
  std::vector<bool> is_json(columns, false);
  for (idx_t i = 0; i < columns; ++i) {
    if (carry_[i] != ResultReader::Carry::kVarchar) continue;
    duckdb_logical_type lt = duckdb_column_logical_type(result, i);
    char* alias = duckdb_logical_type_get_alias(lt);
    is_json[i] = alias != nullptr && std::string_view(alias) == "JSON";
    duckdb_free(alias);
    duckdb_destroy_logical_type(&lt);
  }
  std::vector<Cell> row(columns);
  while (true) {
    DuckChunk chunk(duckdb_fetch_chunk(*result));
    if (chunk.get() == nullptr) break;
    idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    std::vector<void*> data(columns);
    std::vector<uint64_t*> validity(columns);
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk.get(), c);
      data[c] = duckdb_vector_get_data(v);
      validity[c] = duckdb_vector_get_validity(v);
    }
    for (idx_t r = 0; r < n; ++r) {
      for (idx_t c = 0; c < columns; ++c) {
        Cell& cell = row[c];
        if (validity[c] && !duckdb_validity_row_is_valid(validity[c], r)) {
          cell.kind = Cell::Kind::kNull;
          continue;
        }
        switch (carry_[c]) {
          case ResultReader::Carry::kBool:
            cell.kind = Cell::Kind::kBool;
            cell.b = static_cast<bool*>(data[c])[r];
            break;
          case ResultReader::Carry::kInt8:
            cell.kind = Cell::Kind::kInt;
            cell.i = static_cast<int8_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kInt16:
            cell.kind = Cell::Kind::kInt;
            cell.i = static_cast<int16_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kInt32:
            cell.kind = Cell::Kind::kInt;
            cell.i = static_cast<int32_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kInt64:
            cell.kind = Cell::Kind::kInt;
            cell.i = static_cast<int64_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kUInt8:
            cell.kind = Cell::Kind::kUInt;
            cell.u = static_cast<uint8_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kUInt16:
            cell.kind = Cell::Kind::kUInt;
            cell.u = static_cast<uint16_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kUInt32:
            cell.kind = Cell::Kind::kUInt;
            cell.u = static_cast<uint32_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kUInt64:
            cell.kind = Cell::Kind::kUInt;
            cell.u = static_cast<uint64_t*>(data[c])[r];
            break;
          case ResultReader::Carry::kFloat:
            cell.kind = Cell::Kind::kDouble;
            cell.d = static_cast<float*>(data[c])[r];
            break;
          case ResultReader::Carry::kDouble:
            cell.kind = Cell::Kind::kDouble;
            cell.d = static_cast<double*>(data[c])[r];
            break;
          default: {
            auto* s = &static_cast<duckdb_string_t*>(data[c])[r];
            cell.text = std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
            cell.kind = carry_[c] == ResultReader::Carry::kNumberText ? Cell::Kind::kNumberText
                        : carry_[c] == ResultReader::Carry::kJsonText || is_json[c]
                            ? Cell::Kind::kJson
                            : Cell::Kind::kString;
          }
        }
      }
      GL_RETURN_IF_ERROR(sink->AddRow(row));
      ++*rows;
    }
  }
  return Status::OK();
}

}  // namespace gamelake
