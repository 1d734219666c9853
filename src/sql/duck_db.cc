#include "sql/duck_db.h"

#include <string>
#include <utility>

#include "common/json_writer.h"
#include "sql/duck_handles.h"

namespace gamelake {
namespace {

// Owns a duckdb_result so every path (errors included) destroys it.
class ResultHolder {
 public:
  ResultHolder() = default;
  ~ResultHolder() { duckdb_destroy_result(&result_); }
  ResultHolder(const ResultHolder&) = delete;
  ResultHolder& operator=(const ResultHolder&) = delete;
  duckdb_result* get() { return &result_; }

 private:
  duckdb_result result_{};
};

// Owns a duckdb_logical_type.
class TypeHolder {
 public:
  explicit TypeHolder(duckdb_logical_type type) : type_(type) {}
  ~TypeHolder() {
    if (type_ != nullptr) duckdb_destroy_logical_type(&type_);
  }
  TypeHolder(const TypeHolder&) = delete;
  TypeHolder& operator=(const TypeHolder&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

// A C string for DuckDB: rejects embedded NULs, which would silently cut the SQL.
Result<std::string> ToCString(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  return std::string(sql);
}

std::string ResultError(duckdb_result* result) {
  const char* err = duckdb_result_error(result);
  return err != nullptr ? std::string(err) : std::string("unknown DuckDB error");
}

}  // namespace

std::string_view DuckTypeName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_BIGNUM:
      return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    case DUCKDB_TYPE_TIME_NS:
      return "TIME_NS";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    default:
      return "UNKNOWN";
  }
}

namespace {

void ReadRows(duckdb_result* result, QueryResult* out) {
  idx_t cols = duckdb_column_count(result);
  idx_t rows = duckdb_row_count(result);
  out->rows.reserve(rows);
  for (idx_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(cols);
    for (idx_t c = 0; c < cols; ++c) {
      if (duckdb_value_is_null(result, c, r)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(TakeDuckString(duckdb_value_varchar(result, c, r)));
      }
    }
    out->rows.push_back(std::move(row));
  }
}

}  // namespace

int QueryResult::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

DuckType ToSqlType(duckdb_logical_type type) {
  DuckType out;
  std::string alias = TakeDuckString(duckdb_logical_type_get_alias(type));
  if (!alias.empty()) {
    out.name = alias;  // JSON is an alias of VARCHAR.
    return out;
  }
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      out.name = "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
                 std::to_string(duckdb_decimal_scale(type)) + ")";
      return out;
    case DUCKDB_TYPE_LIST: {
      out.kind = DuckType::Kind::kList;
      TypeHolder child(duckdb_list_type_child_type(type));
      out.children.push_back(ToSqlType(child.get()));
      return out;
    }
    case DUCKDB_TYPE_ARRAY: {
      out.kind = DuckType::Kind::kArray;
      TypeHolder child(duckdb_array_type_child_type(type));
      out.children.push_back(ToSqlType(child.get()));
      out.array_size = duckdb_array_type_array_size(type);
      return out;
    }
    case DUCKDB_TYPE_MAP: {
      out.kind = DuckType::Kind::kMap;
      TypeHolder key(duckdb_map_type_key_type(type));
      TypeHolder value(duckdb_map_type_value_type(type));
      out.children.push_back(ToSqlType(key.get()));
      out.children.push_back(ToSqlType(value.get()));
      return out;
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      bool is_struct = id == DUCKDB_TYPE_STRUCT;
      out.kind = is_struct ? DuckType::Kind::kStruct : DuckType::Kind::kUnion;
      idx_t n =
          is_struct ? duckdb_struct_type_child_count(type) : duckdb_union_type_member_count(type);
      for (idx_t i = 0; i < n; ++i) {
        out.field_names.push_back(TakeDuckString(is_struct
                                                     ? duckdb_struct_type_child_name(type, i)
                                                     : duckdb_union_type_member_name(type, i)));
        TypeHolder child(is_struct ? duckdb_struct_type_child_type(type, i)
                                   : duckdb_union_type_member_type(type, i));
        out.children.push_back(ToSqlType(child.get()));
      }
      return out;
    }
    default:
      out.name = std::string(DuckTypeName(id));
      return out;
  }
}

std::string DuckType::ToString() const {
  switch (kind) {
    case Kind::kScalar:
      return name;
    case Kind::kList:
      return children.at(0).ToString() + "[]";
    case Kind::kArray:
      return children.at(0).ToString() + "[" + std::to_string(array_size) + "]";
    case Kind::kMap:
      return "MAP(" + children.at(0).ToString() + ", " + children.at(1).ToString() + ")";
    case Kind::kStruct:
    case Kind::kUnion: {
      std::string out = kind == Kind::kStruct ? "STRUCT(" : "UNION(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteIdentifier(field_names[i]) + " " + children[i].ToString();
      }
      return out + ")";
    }
  }
  return name;
}

Result<std::unique_ptr<DuckDb>> DuckDb::Open(const DuckDbOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  std::string threads = std::to_string(options.threads > 0 ? options.threads : 1);
  struct Setting {
    const char* name;
    std::string value;
  };
  std::vector<Setting> settings = {
      {"threads", threads},
      {"memory_limit", options.memory_limit},
      // Never reach out to the network for extensions at run time.
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "true"},
      // Its cache of file bytes read would keep the bytes of every file read
      // once (compaction's inputs, soon deleted) until the memory limit; the
      // OS page cache serves rereads.
      {"enable_external_file_cache", "false"},
  };
  if (!options.temp_directory.empty()) {
    Status made = options.env->CreateDirs(options.temp_directory);
    if (!made.ok()) {
      duckdb_destroy_config(&config);
      return made.WithContext("creating DuckDB's spill folder");
    }
    settings.push_back({"temp_directory", options.temp_directory});
  }
  for (const Setting& s : settings) {
    if (duckdb_set_config(config, s.name, s.value.c_str()) != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Status::InvalidArgument(std::string("DuckDB rejected setting ") + s.name + "=" +
                                     s.value);
    }
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  duckdb_state state = duckdb_open_ext(path, &db, config, &error);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string msg = error != nullptr ? std::string(error) : "unknown error";
    if (error != nullptr) duckdb_free(error);
    return Status::IOError("open DuckDB " + (options.path.empty() ? ":memory:" : options.path) +
                           ": " + msg);
  }
  duckdb_connection conn = nullptr;
  if (duckdb_connect(db, &conn) != DuckDBSuccess) {
    duckdb_close(&db);
    return Status::Internal("duckdb_connect failed");
  }
  return std::unique_ptr<DuckDb>(new DuckDb(db, conn));
}

DuckDb::~DuckDb() {
  duckdb_disconnect(&conn_);
  duckdb_close(&db_);
}

Status DuckDb::Execute(std::string_view sql) {
  GL_ASSIGN_OR_RETURN(std::string text, ToCString(sql));
  ResultHolder result;
  if (duckdb_query(conn_, text.c_str(), result.get()) != DuckDBSuccess) {
    return Status::Internal("DuckDB: " + ResultError(result.get()));
  }
  return Status::OK();
}

Result<QueryResult> DuckDb::Query(std::string_view sql) {
  GL_ASSIGN_OR_RETURN(std::string text, ToCString(sql));
  ResultHolder result;
  if (duckdb_query(conn_, text.c_str(), result.get()) != DuckDBSuccess) {
    return Status::Internal("DuckDB: " + ResultError(result.get()));
  }
  QueryResult out;
  idx_t cols = duckdb_column_count(result.get());
  for (idx_t c = 0; c < cols; ++c) {
    const char* name = duckdb_column_name(result.get(), c);
    out.column_names.emplace_back(name != nullptr ? name : "");
    TypeHolder type(duckdb_column_logical_type(result.get(), c));
    DuckType sql_type;
    if (type.get() != nullptr) {
      sql_type = ToSqlType(type.get());
    } else {
      sql_type.name = "UNKNOWN";
    }
    out.column_types.push_back(sql_type.ToString());
    out.column_sql_types.push_back(std::move(sql_type));
  }
  // The C API renders only scalar values as text. A SELECT with nested columns
  // (structs, lists, maps) runs again with every column cast to VARCHAR by
  // DuckDB itself; a SELECT has no side effects, so running it twice is safe.
  bool nested = false;
  for (idx_t c = 0; c < cols; ++c) {
    duckdb_type id = duckdb_column_type(result.get(), c);
    nested = nested || id == DUCKDB_TYPE_STRUCT || id == DUCKDB_TYPE_LIST ||
             id == DUCKDB_TYPE_MAP || id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_UNION;
  }
  if (nested && duckdb_result_statement_type(*result.get()) == DUCKDB_STATEMENT_TYPE_SELECT) {
    std::string inner = text;
    while (!inner.empty() && (inner.back() == ';' || inner.back() == ' ' || inner.back() == '\n')) {
      inner.pop_back();
    }
    ResultHolder text_result;
    std::string cast_sql = "SELECT COLUMNS(*)::VARCHAR FROM (" + inner + "\n) AS gl_q";
    if (duckdb_query(conn_, cast_sql.c_str(), text_result.get()) != DuckDBSuccess) {
      return Status::Internal("DuckDB: " + ResultError(text_result.get()));
    }
    ReadRows(text_result.get(), &out);
    return out;
  }
  ReadRows(result.get(), &out);
  return out;
}

Result<QueryResult> DuckDb::Describe(std::string_view sql) {
  GL_ASSIGN_OR_RETURN(std::string text, ToCString(sql));
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(conn_, text.c_str(), &prepared) != DuckDBSuccess) {
    const char* error = duckdb_prepare_error(prepared);
    Status s = Status::Internal(std::string("DuckDB: ") + (error ? error : "cannot prepare"));
    duckdb_destroy_prepare(&prepared);
    return s;
  }
  QueryResult out;
  idx_t cols = duckdb_prepared_statement_column_count(prepared);
  for (idx_t c = 0; c < cols; ++c) {
    // The name is the caller's to free (unlike a result's column names).
    out.column_names.push_back(TakeDuckString(duckdb_prepared_statement_column_name(prepared, c)));
    TypeHolder type(duckdb_prepared_statement_column_logical_type(prepared, c));
    DuckType sql_type = type.get() != nullptr ? ToSqlType(type.get()) : DuckType::Scalar("UNKNOWN");
    out.column_types.push_back(sql_type.ToString());
    out.column_sql_types.push_back(std::move(sql_type));
  }
  duckdb_destroy_prepare(&prepared);
  return out;
}

std::string JsonStructure(const DuckType& type) {
  switch (type.kind) {
    case DuckType::Kind::kStruct: {
      std::string out = "{";
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i) out += ",";
        AppendJsonString(&out, type.field_names[i]);
        out += ":" + JsonStructure(type.children[i]);
      }
      return out + "}";
    }
    case DuckType::Kind::kList:
      return "[" + JsonStructure(type.children.at(0)) + "]";
    default: {
      std::string out;
      AppendJsonString(&out, type.ToString());
      return out;
    }
  }
}

size_t LeafColumns(const DuckType& type) {
  if (type.kind != DuckType::Kind::kStruct) return 1;
  size_t n = 0;
  for (const DuckType& child : type.children) n += LeafColumns(child);
  return n;
}

}  // namespace gamelake
