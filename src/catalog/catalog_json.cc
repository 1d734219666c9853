#include "catalog/catalog_json.h"

#include <simdjson.h>

#include <memory>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

// 2 added versions, column statistics and delivered_floor; 1 is still read.
constexpr int64_t kFormat = 2;
constexpr int64_t kOldestFormat = 1;
constexpr int kMaxTypeDepth = 200;

std::string_view KindName(DuckType::Kind kind) {
  switch (kind) {
    case DuckType::Kind::kScalar:
      return "scalar";
    case DuckType::Kind::kStruct:
      return "struct";
    case DuckType::Kind::kList:
      return "list";
    case DuckType::Kind::kArray:
      return "array";
    case DuckType::Kind::kMap:
      return "map";
    case DuckType::Kind::kUnion:
      return "union";
  }
  return "scalar";
}

bool ParseKind(std::string_view name, DuckType::Kind* kind) {
  static constexpr std::pair<std::string_view, DuckType::Kind> kKinds[] = {
      {"scalar", DuckType::Kind::kScalar}, {"struct", DuckType::Kind::kStruct},
      {"list", DuckType::Kind::kList},     {"array", DuckType::Kind::kArray},
      {"map", DuckType::Kind::kMap},       {"union", DuckType::Kind::kUnion},
  };
  for (const auto& [n, k] : kKinds) {
    if (n == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string_view FormatKey(FileFormat format) { return FileFormatName(format); }

void WriteType(JsonWriter* w, const DuckType& t) {
  w->BeginObject().Key("kind").String(KindName(t.kind));
  if (t.kind == DuckType::Kind::kScalar) {
    w->Key("name").String(t.name);
  } else {
    if (!t.field_names.empty()) {
      w->Key("field_names").BeginArray();
      for (const std::string& f : t.field_names) w->String(f);
      w->EndArray();
    }
    w->Key("children").BeginArray();
    for (const DuckType& c : t.children) WriteType(w, c);
    w->EndArray();
    if (t.kind == DuckType::Kind::kArray) w->Key("array_size").UInt(t.array_size);
  }
  w->EndObject();
}

void WriteColumns(JsonWriter* w, const std::vector<ColumnInfo>& columns) {
  w->BeginArray();
  for (const ColumnInfo& c : columns) {
    w->BeginObject().Key("name").String(c.name).Key("type");
    WriteType(w, c.type);
    w->EndObject();
  }
  w->EndArray();
}

// A file's statistics: one entry per column, null when unknown, else
// [kind, min, max] with kind "i" (integer), "d" (double) or "t" (text) and
// null for an unknown bound.
void WriteBound(JsonWriter* w, const StatValue& v) {
  switch (v.kind) {
    case StatValue::Kind::kNone:
      w->Null();
      break;
    case StatValue::Kind::kInt:
      w->Int(v.i);
      break;
    case StatValue::Kind::kDouble:
      w->Double(v.d);
      break;
    case StatValue::Kind::kText:
      w->String(v.s);
      break;
  }
}

void WriteStats(JsonWriter* w, const std::vector<ColumnStats>& stats) {
  w->BeginArray();
  for (const ColumnStats& c : stats) {
    StatValue::Kind kind = c.min.known() ? c.min.kind : c.max.kind;
    if (kind == StatValue::Kind::kNone) {
      w->Null();
      continue;
    }
    w->BeginArray().String(kind == StatValue::Kind::kInt      ? "i"
                           : kind == StatValue::Kind::kDouble ? "d"
                                                              : "t");
    WriteBound(w, c.min);
    WriteBound(w, c.max);
    w->EndArray();
  }
  w->EndArray();
}

void WriteTable(JsonWriter* w, const CatalogTable& t) {
  w->BeginObject()
      .Key("name")
      .String(t.name)
      .Key("schema_version")
      .Int(t.schema_version)
      .Key("created_us")
      .Int(t.created_us)
      .Key("updated_us")
      .Int(t.updated_us)
      .Key("delivered_floor")
      .UInt(t.delivered_floor);
  w->Key("columns");
  WriteColumns(w, t.columns);
  w->Key("partition_keys").BeginArray();
  for (const std::string& k : t.partition_keys) w->String(k);
  w->EndArray();
  w->Key("history").BeginArray();
  for (const SchemaChange& h : t.history) {
    w->BeginObject()
        .Key("version")
        .Int(h.version)
        .Key("time_us")
        .Int(h.time_us)
        .Key("change")
        .String(h.change)
        .Key("file")
        .String(h.file)
        .EndObject();
  }
  w->EndArray();
  // Distinct file schemas: delivered files of one stream mostly share one.
  std::vector<const std::vector<ColumnInfo>*> schemas;
  std::vector<size_t> file_schema;
  for (const auto& [path, f] : t.files) {
    size_t index = schemas.size();
    for (size_t i = schemas.size(); i-- > 0;) {
      if (*schemas[i] == f.columns) {
        index = i;
        break;
      }
    }
    if (index == schemas.size()) schemas.push_back(&f.columns);
    file_schema.push_back(index);
  }
  w->Key("schemas").BeginArray();
  for (const auto* s : schemas) WriteColumns(w, *s);
  w->EndArray();
  w->Key("files").BeginArray();
  size_t i = 0;
  std::string prefix = t.name + "/";
  for (const auto& [path, f] : t.files) {
    std::string_view rel = path;
    if (rel.substr(0, prefix.size()) == prefix) rel.remove_prefix(prefix.size());
    w->BeginArray()
        .String(rel)
        .String(FormatKey(f.format))
        .Bool(f.gzip)
        .UInt(f.bytes)
        .Int(f.mtime_us)
        .UInt(f.rows)
        .UInt(file_schema[i++])
        .UInt(f.first_seq)
        .UInt(f.last_seq)
        .UInt(f.version);
    WriteStats(w, f.stats);
    if (f.remote) w->Bool(true).String(f.etag);  // Another node's file: remote, ETag.
    w->EndArray();
  }
  w->EndArray();
  w->EndObject();
}

// ---- Decoding -------------------------------------------------------------

Status Bad(std::string_view what) {
  return Status::Corruption("catalog.json: " + std::string(what));
}

Status GetString(dom::object o, std::string_view key, std::string* out) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) {
    return Bad("missing string \"" + std::string(key) + "\"");
  }
  *out = std::string(v);
  return Status::OK();
}

template <typename T>
Status GetInt(dom::object o, std::string_view key, T* out) {
  int64_t v = 0;
  if (o[key].get_int64().get(v) != simdjson::SUCCESS) {
    return Bad("missing integer \"" + std::string(key) + "\"");
  }
  *out = static_cast<T>(v);
  return Status::OK();
}

Status GetArray(dom::object o, std::string_view key, dom::array* out) {
  if (o[key].get_array().get(*out) != simdjson::SUCCESS) {
    return Bad("missing array \"" + std::string(key) + "\"");
  }
  return Status::OK();
}

Status ReadType(dom::element e, int depth, DuckType* out) {
  if (depth > kMaxTypeDepth) return Bad("type nested too deeply");
  dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Bad("type is not an object");
  std::string kind;
  GL_RETURN_IF_ERROR(GetString(o, "kind", &kind));
  if (!ParseKind(kind, &out->kind)) return Bad("unknown type kind \"" + kind + "\"");
  if (out->kind == DuckType::Kind::kScalar) return GetString(o, "name", &out->name);
  dom::array fields;
  if (o["field_names"].get_array().get(fields) == simdjson::SUCCESS) {
    for (dom::element f : fields) {
      std::string_view name;
      if (f.get_string().get(name) != simdjson::SUCCESS) return Bad("bad field name");
      out->field_names.emplace_back(name);
    }
  }
  dom::array children;
  GL_RETURN_IF_ERROR(GetArray(o, "children", &children));
  for (dom::element c : children) {
    DuckType child;
    GL_RETURN_IF_ERROR(ReadType(c, depth + 1, &child));
    out->children.push_back(std::move(child));
  }
  size_t want = out->kind == DuckType::Kind::kMap     ? 2
                : out->kind == DuckType::Kind::kList  ? 1
                : out->kind == DuckType::Kind::kArray ? 1
                                                      : out->field_names.size();
  if (out->children.size() != want) return Bad("type has the wrong number of children");
  if (out->kind == DuckType::Kind::kArray)
    GL_RETURN_IF_ERROR(GetInt(o, "array_size", &out->array_size));
  return Status::OK();
}

Status ReadColumns(dom::array a, std::vector<ColumnInfo>* out) {
  for (dom::element e : a) {
    dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) return Bad("column is not an object");
    ColumnInfo c;
    GL_RETURN_IF_ERROR(GetString(o, "name", &c.name));
    dom::element type;
    if (o["type"].get(type) != simdjson::SUCCESS) return Bad("column without a type");
    GL_RETURN_IF_ERROR(ReadType(type, 0, &c.type));
    out->push_back(std::move(c));
  }
  return Status::OK();
}

Status ReadBound(dom::element e, std::string_view kind, StatValue* out) {
  if (e.is_null()) return Status::OK();
  if (kind == "i" && e.get_int64().get(out->i) == simdjson::SUCCESS) {
    out->kind = StatValue::Kind::kInt;
  } else if (kind == "d" && e.get_double().get(out->d) == simdjson::SUCCESS) {
    out->kind = StatValue::Kind::kDouble;
  } else if (std::string_view text; kind == "t" && e.get_string().get(text) == simdjson::SUCCESS) {
    *out = StatValue::Text(std::string(text));
  } else {
    return Bad("bad column statistics");
  }
  return Status::OK();
}

Status ReadStats(dom::element e, size_t columns, std::vector<ColumnStats>* out) {
  dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return Bad("bad column statistics");
  if (a.size() == 0) return Status::OK();
  if (a.size() != columns) return Bad("column statistics do not match the file's columns");
  for (dom::element c : a) {
    ColumnStats& stats = out->emplace_back();
    if (c.is_null()) continue;
    dom::array entry;
    std::string_view kind;
    if (c.get_array().get(entry) != simdjson::SUCCESS || entry.size() != 3 ||
        entry.at(0).get_string().get(kind) != simdjson::SUCCESS) {
      return Bad("bad column statistics");
    }
    GL_RETURN_IF_ERROR(ReadBound(entry.at(1), kind, &stats.min));
    GL_RETURN_IF_ERROR(ReadBound(entry.at(2), kind, &stats.max));
  }
  return Status::OK();
}

Status ReadFile(dom::element e, const std::string& table,
                const std::vector<std::vector<ColumnInfo>>& schemas, CatalogFile* f) {
  dom::array a;
  // Format 1: 9 members; format 2 adds the version and the statistics, and
  // for another node's file, remote (true) and its ETag.
  if (e.get_array().get(a) != simdjson::SUCCESS ||
      (a.size() != 9 && a.size() != 11 && a.size() != 13)) {
    return Bad("bad file entry");
  }
  std::string_view rel;
  std::string_view format;
  bool gzip = false;
  int64_t bytes = 0;
  int64_t mtime = 0;
  int64_t rows = 0;
  int64_t schema = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  if (a.at(0).get_string().get(rel) != simdjson::SUCCESS ||
      a.at(1).get_string().get(format) != simdjson::SUCCESS ||
      a.at(2).get_bool().get(gzip) != simdjson::SUCCESS ||
      a.at(3).get_int64().get(bytes) != simdjson::SUCCESS ||
      a.at(4).get_int64().get(mtime) != simdjson::SUCCESS ||
      a.at(5).get_int64().get(rows) != simdjson::SUCCESS ||
      a.at(6).get_int64().get(schema) != simdjson::SUCCESS ||
      a.at(7).get_uint64().get(first) != simdjson::SUCCESS ||
      a.at(8).get_uint64().get(last) != simdjson::SUCCESS) {
    return Bad("bad file entry");
  }
  if (schema < 0 || static_cast<size_t>(schema) >= schemas.size()) {
    return Bad("file refers to a missing schema");
  }
  if (format == "parquet") {
    f->format = FileFormat::kParquet;
  } else if (format == "ndjson") {
    f->format = FileFormat::kNdjson;
  } else if (format == "csv") {
    f->format = FileFormat::kCsv;
  } else {
    return Bad("unknown file format \"" + std::string(format) + "\"");
  }
  f->path = table + "/" + std::string(rel);
  Result<LakePath> split = SplitLakePath(f->path);
  if (!split.ok()) return Bad(split.status().message());
  f->gzip = gzip;
  f->bytes = static_cast<uint64_t>(bytes);
  f->mtime_us = mtime;
  f->rows = static_cast<uint64_t>(rows);
  f->columns = schemas[static_cast<size_t>(schema)];
  f->partitions = ParsePartitions(split->dir);
  f->first_seq = first;
  f->last_seq = last;
  if (a.size() >= 11) {
    uint64_t version = 0;
    if (a.at(9).get_uint64().get(version) != simdjson::SUCCESS || version > UINT32_MAX) {
      return Bad("bad file version");
    }
    f->version = static_cast<uint32_t>(version);
    GL_RETURN_IF_ERROR(ReadStats(a.at(10), f->columns.size(), &f->stats));
  }
  if (a.size() == 13) {
    std::string_view etag;
    if (a.at(11).get_bool().get(f->remote) != simdjson::SUCCESS || !f->remote ||
        a.at(12).get_string().get(etag) != simdjson::SUCCESS) {
      return Bad("bad remote file entry");
    }
    f->etag = std::string(etag);
  }
  if (f->last_seq > 0) {
    // The node comes from the name, as does (format 1) the version.
    if (std::optional<LakeFileName> name = ParseLakeFileName(split->table, split->name)) {
      f->node = name->node;
      if (a.size() == 9) f->version = name->version;
    }
  }
  return Status::OK();
}

Status ReadTable(dom::element e, CatalogTable* t) {
  dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Bad("table is not an object");
  GL_RETURN_IF_ERROR(GetString(o, "name", &t->name));
  if (t->name.empty() || t->name.find('/') != std::string::npos) return Bad("bad table name");
  GL_RETURN_IF_ERROR(GetInt(o, "schema_version", &t->schema_version));
  GL_RETURN_IF_ERROR(GetInt(o, "created_us", &t->created_us));
  GL_RETURN_IF_ERROR(GetInt(o, "updated_us", &t->updated_us));
  uint64_t floor = 0;
  if (o["delivered_floor"].get_uint64().get(floor) == simdjson::SUCCESS) t->delivered_floor = floor;
  dom::array a;
  GL_RETURN_IF_ERROR(GetArray(o, "columns", &a));
  GL_RETURN_IF_ERROR(ReadColumns(a, &t->columns));
  GL_RETURN_IF_ERROR(GetArray(o, "partition_keys", &a));
  for (dom::element k : a) {
    std::string_view key;
    if (k.get_string().get(key) != simdjson::SUCCESS) return Bad("bad partition key");
    t->partition_keys.emplace_back(key);
  }
  GL_RETURN_IF_ERROR(GetArray(o, "history", &a));
  for (dom::element h : a) {
    dom::object ho;
    if (h.get_object().get(ho) != simdjson::SUCCESS) return Bad("bad history entry");
    SchemaChange c;
    GL_RETURN_IF_ERROR(GetInt(ho, "version", &c.version));
    GL_RETURN_IF_ERROR(GetInt(ho, "time_us", &c.time_us));
    GL_RETURN_IF_ERROR(GetString(ho, "change", &c.change));
    GL_RETURN_IF_ERROR(GetString(ho, "file", &c.file));
    t->history.push_back(std::move(c));
  }
  std::vector<std::vector<ColumnInfo>> schemas;
  GL_RETURN_IF_ERROR(GetArray(o, "schemas", &a));
  for (dom::element s : a) {
    dom::array cols;
    if (s.get_array().get(cols) != simdjson::SUCCESS) return Bad("bad schema");
    GL_RETURN_IF_ERROR(ReadColumns(cols, &schemas.emplace_back()));
  }
  GL_RETURN_IF_ERROR(GetArray(o, "files", &a));
  for (dom::element fe : a) {
    CatalogFile f;
    GL_RETURN_IF_ERROR(ReadFile(fe, t->name, schemas, &f));
    std::string path = f.path;
    t->files.emplace(std::move(path), std::move(f));
  }
  return Status::OK();
}

}  // namespace

void WriteViewJson(JsonWriter* w, const CatalogView& v) {
  w->BeginObject()
      .Key("name")
      .String(v.name)
      .Key("sql")
      .String(v.sql)
      .Key("created_by")
      .String(v.created_by)
      .Key("created_us")
      .Int(v.created_us)
      .EndObject();
}

std::string EncodeCatalog(const CatalogSnapshot& snapshot,
                          const std::map<std::string, BadFileStat>& bad_stats) {
  JsonWriter w;
  w.BeginObject().Key("format").Int(kFormat).Key("version").UInt(snapshot.version);
  w.Key("tables").BeginArray();
  for (const auto& [name, table] : snapshot.tables) WriteTable(&w, *table);
  w.EndArray();
  w.Key("views").BeginArray();
  for (const auto& [key, v] : snapshot.views) {
    WriteViewJson(&w, v);
  }
  w.EndArray();
  w.Key("bad_files").BeginArray();
  for (const auto& [path, b] : snapshot.bad_files) {
    auto it = bad_stats.find(path);
    BadFileStat stat = it == bad_stats.end() ? BadFileStat{} : it->second;
    w.BeginObject()
        .Key("path")
        .String(b.path)
        .Key("reason")
        .String(b.reason)
        .Key("seen_us")
        .Int(b.seen_us)
        .Key("bytes")
        .UInt(stat.bytes)
        .Key("mtime_us")
        .Int(stat.mtime_us)
        .EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string out = w.Take();
  out += '\n';
  return out;
}

Status DecodeCatalog(std::string_view json, CatalogDocument* out) {
  dom::parser parser;
  dom::element root;
  simdjson::padded_string padded(json);
  if (auto e = parser.parse(padded).get(root); e != simdjson::SUCCESS) {
    return Bad(simdjson::error_message(e));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) return Bad("not a JSON object");
  int64_t format = 0;
  GL_RETURN_IF_ERROR(GetInt(o, "format", &format));
  if (format < kOldestFormat || format > kFormat) {
    return Bad("unknown format " + std::to_string(format));
  }
  CatalogDocument doc;
  GL_RETURN_IF_ERROR(GetInt(o, "version", &doc.snapshot.version));
  dom::array a;
  GL_RETURN_IF_ERROR(GetArray(o, "tables", &a));
  for (dom::element e : a) {
    auto t = std::make_shared<CatalogTable>();
    GL_RETURN_IF_ERROR(ReadTable(e, t.get()));
    std::string name = t->name;
    doc.snapshot.tables[name] = std::move(t);
  }
  GL_RETURN_IF_ERROR(GetArray(o, "views", &a));
  for (dom::element e : a) {
    dom::object vo;
    if (e.get_object().get(vo) != simdjson::SUCCESS) return Bad("view is not an object");
    CatalogView v;
    GL_RETURN_IF_ERROR(GetString(vo, "name", &v.name));
    GL_RETURN_IF_ERROR(GetString(vo, "sql", &v.sql));
    GL_RETURN_IF_ERROR(GetString(vo, "created_by", &v.created_by));
    GL_RETURN_IF_ERROR(GetInt(vo, "created_us", &v.created_us));
    std::string key = AsciiLowered(v.name);
    doc.snapshot.views[key] = std::move(v);
  }
  GL_RETURN_IF_ERROR(GetArray(o, "bad_files", &a));
  for (dom::element e : a) {
    dom::object bo;
    if (e.get_object().get(bo) != simdjson::SUCCESS) return Bad("bad file is not an object");
    BadFile b;
    BadFileStat stat;
    GL_RETURN_IF_ERROR(GetString(bo, "path", &b.path));
    GL_RETURN_IF_ERROR(GetString(bo, "reason", &b.reason));
    GL_RETURN_IF_ERROR(GetInt(bo, "seen_us", &b.seen_us));
    GL_RETURN_IF_ERROR(GetInt(bo, "bytes", &stat.bytes));
    GL_RETURN_IF_ERROR(GetInt(bo, "mtime_us", &stat.mtime_us));
    doc.bad_stats[b.path] = stat;
    std::string path = b.path;
    doc.snapshot.bad_files[path] = std::move(b);
  }
  *out = std::move(doc);
  return Status::OK();
}

}  // namespace gamelake
