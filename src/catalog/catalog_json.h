// CatalogJson: the catalog.json document — a CatalogSnapshot plus the size
// and mtime of each bad file (so a crawl retries it only once it changes).
//
// Layout (format 2): {"format":2,"version":N,"tables":[...],"views":[...],
// "bad_files":[...]}. A DuckType is a tree {"kind","name","field_names",
// "children","array_size"} so it round-trips exactly. Files are many, so each
// table keeps a list of distinct file schemas and a file is a compact array
// [table-relative path, format, gzip, bytes, mtime_us, rows, schema index,
// first_seq, last_seq, version, stats], and for another node's file of a
// shared lake two more members, [..., stats, true (remote), etag]; stats
// has one entry per column of the file's schema: null, or [kind
// "i"|"d"|"t", min, max] (a bound null when unknown). Partitions and the
// writing node are re-derived from the path on load. Format 1 (no
// version, stats or delivered_floor) is still read.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_CATALOG_CATALOG_JSON_H_
#define GAMELAKE_CATALOG_CATALOG_JSON_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/json_writer.h"
#include "common/status.h"

namespace gamelake {

struct BadFileStat {
  uint64_t bytes = 0;
  int64_t mtime_us = 0;
};

struct CatalogDocument {
  CatalogSnapshot snapshot;
  std::map<std::string, BadFileStat> bad_stats;  // By lake-relative path.
};

std::string EncodeCatalog(const CatalogSnapshot& snapshot,
                          const std::map<std::string, BadFileStat>& bad_stats);
// A view as both catalog.json and GET /v1/catalog/views show it:
// {"name","sql","created_by","created_us"}.
void WriteViewJson(JsonWriter* w, const CatalogView& view);

// Corruption if json is not a catalog document this version can read.
Status DecodeCatalog(std::string_view json, CatalogDocument* out);

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_CATALOG_JSON_H_
