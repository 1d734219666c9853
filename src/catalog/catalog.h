// Catalog: what the lake holds, the way Glue's Data Catalog describes S3 —
// databases, tables, their columns, partitions, files and schema history, and
// the saved views — persisted as one JSON document, <catalog dir>/catalog.json,
// replaced atomically on every change.
//
// Tables. Every folder directly under the lake dir is a table of the database
// "lake", named after the folder: each stream, plus _errors. A table's files
// are the Parquet files gamelake delivers and any file a user drops in by
// hand: Parquet (.parquet), NDJSON (.json, .jsonl, .ndjson) and CSV (.csv),
// the text ones optionally gzip'd (+ .gz). Hidden files and names starting
// with '.' or '_' (temporaries, _SUCCESS markers) are ignored. Every path
// component of the form key=value below the table folder is a Hive partition
// (dt=2026-11-26/hr=10); the partition keys of a table are those of its files,
// in path order.
//
// Schema. A table's columns are the union of its files' columns, matched by
// name ignoring case (the first spelling seen wins), in order of first
// appearance. A column whose type differs between files takes WidenType() of
// the two. Each added column and each widening is appended to the table's
// schema history with the file that caused it; nothing is ever removed from a
// schema, so a table never breaks when its files change shape.
//
// Remote files. When several nodes share a lake on S3 (lake.location,
// node.id), the files other nodes wrote are not in this node's lake folder:
// the remote lake lister (s3/remote_lake_lister.h) finds them in the bucket,
// has them inspected from a downloaded copy, and ApplyRemote() adds them
// with remote = true, their ETag and their node. The catalog keeps their
// metadata while the copy is evicted from the cache, Crawl() of the local
// folder leaves them alone, and only ApplyRemote() removes them. Their
// record ids are another node's sequence: delivered_seq() ignores them, and
// the visibility rule (lake/lake_files.h) compares only files of one node.
//
// Bad files. A file that cannot be read (a corrupt or truncated Parquet file,
// a text file DuckDB cannot parse) is not part of its table: it is listed in
// bad_files with the reason, logged, and retried when it changes.
//
// Thread-safety: all methods are safe to call from any thread. Snapshot()
// returns an immutable copy that stays valid while held.
#ifndef GAMELAKE_CATALOG_CATALOG_H_
#define GAMELAKE_CATALOG_CATALOG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"
#include "lake/lake_layout.h"
#include "lake/remote_file_store.h"
#include "sql/duck_db.h"

namespace gamelake {

inline constexpr std::string_view kLakeDatabase = "lake";

struct ColumnInfo {
  std::string name;
  DuckType type;
  friend bool operator==(const ColumnInfo&, const ColumnInfo&) = default;
};

// A bound of one column's values in one file, comparable without DuckDB:
// integers, and TIMESTAMP/DATE as microseconds since the epoch (kInt);
// floating point (kDouble); text in byte order (kText). kNone: unknown.
struct StatValue {
  enum class Kind : uint8_t { kNone, kInt, kDouble, kText };
  Kind kind = Kind::kNone;
  int64_t i = 0;
  double d = 0;
  std::string s;

  bool known() const { return kind != Kind::kNone; }
  static StatValue Int(int64_t v) { return {Kind::kInt, v, 0, {}}; }
  static StatValue Double(double v) { return {Kind::kDouble, 0, v, {}}; }
  static StatValue Text(std::string v) { return {Kind::kText, 0, 0, std::move(v)}; }
  friend bool operator==(const StatValue&, const StatValue&) = default;
};

// The smallest and largest non-NULL value of a column in a file, as its
// Parquet footer states them (each bound unknown when the footer does not
// say it exactly; both unknown when the column holds only NULLs).
struct ColumnStats {
  StatValue min;
  StatValue max;
  friend bool operator==(const ColumnStats&, const ColumnStats&) = default;
};

struct CatalogFile {
  std::string path;  // Relative to the lake dir: "events/dt=2026-11-26/hr=10/x.parquet".
  FileFormat format = FileFormat::kParquet;
  bool gzip = false;
  uint64_t bytes = 0;
  int64_t mtime_us = 0;
  uint64_t rows = 0;
  std::vector<ColumnInfo> columns;  // The file's own columns (partition keys excluded).
  // One per column, in the same order (Parquet files; empty for others).
  std::vector<ColumnStats> stats;
  std::vector<std::pair<std::string, std::string>> partitions;  // {"dt","2026-11-26"}, ...
  // Files gamelake wrote (named as lake/lake_layout.h says): the _record_id
  // range and version of their name; all 0 for other files.
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint32_t version = 0;
  std::string node;  // The writing node's id, from the name; "" for none.
  // Another node's file of a shared lake (see the file comment): path is its
  // lake-relative key, bytes its listed size, mtime_us its LastModified.
  bool remote = false;
  std::string etag;  // Remote files: the object's ETag (without quotes).

  bool written() const { return last_seq > 0; }
  LakeFileName name() const { return LakeFileName{first_seq, last_seq, version, node}; }
  // The stats of the column named `column` (ignoring case), or null.
  const ColumnStats* StatsOf(std::string_view column) const;
  friend bool operator==(const CatalogFile&, const CatalogFile&) = default;
};

struct SchemaChange {
  int version = 0;  // The table's schema version after the change (1 = first).
  int64_t time_us = 0;
  std::string change;  // "added column \"Wins\" BIGINT", "widened \"x\" BIGINT -> DOUBLE"
  std::string file;    // The file (lake-relative) that brought it.
};

struct CatalogTable {
  std::string name;
  std::vector<ColumnInfo> columns;           // Unified; partition keys excluded.
  std::vector<std::string> partition_keys;   // In path order: "dt", "hr".
  std::map<std::string, CatalogFile> files;  // By path.
  std::vector<SchemaChange> history;
  int schema_version = 0;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  // Records of the stream up to here were delivered, even where their files
  // are gone (retention records it when it drops a stream's newest files).
  uint64_t delivered_floor = 0;

  uint64_t rows() const;
  uint64_t bytes() const;
  // The highest last_seq among this node's written files (remote files are
  // other nodes' and never count), or delivered_floor if higher: every
  // record of this node's stream with seq <= delivered_seq() was delivered,
  // and the lake holds it unless retention or an erasure removed it.
  uint64_t delivered_seq() const;
};

struct CatalogView {
  std::string name;  // As created.
  std::string sql;   // The SELECT, as the user wrote it.
  std::string created_by;
  int64_t created_us = 0;
};

struct BadFile {
  std::string path;  // Lake-relative.
  std::string reason;
  int64_t seen_us = 0;
};

struct CatalogSnapshot {
  uint64_t version = 0;                                               // Grows with every change.
  std::map<std::string, std::shared_ptr<const CatalogTable>> tables;  // By name.
  std::map<std::string, CatalogView> views;  // By name folded to lower case.
  std::map<std::string, BadFile> bad_files;  // By path.

  // Case-insensitive lookups; nullptr if absent.
  const CatalogTable* FindTable(std::string_view name) const;
  const CatalogView* FindView(std::string_view name) const;
};

struct CrawlReport {
  uint64_t files_seen = 0;
  uint64_t files_inspected = 0;   // New or changed (all of them for a full crawl).
  uint64_t files_removed = 0;     // In the catalog but gone from the lake.
  uint64_t files_superseded = 0;  // Written files another file replaces (left out).
  std::vector<BadFile> bad_files;
  std::vector<std::string> tables;
};

// One atomic change of a table's files: compaction (inputs out, merged file
// in), an erasure rewrite (original out, rewrite in), retention (old
// partitions out, the stream's delivered_floor raised).
struct FileSwitch {
  std::string table;
  std::vector<std::string> removed;  // Lake-relative paths.
  std::vector<std::string> added;    // Lake-relative paths; must exist and be readable.
  uint64_t delivered_floor = 0;      // Raise the table's delivered_floor to at least this.
};

// Other nodes' files as a listing of the shared lake found them changed:
// each added file with the path of a complete local copy to inspect (the
// catalog reads it only during ApplyRemote), and the remote files gone.
struct RemoteFileAddition {
  RemoteObject object;     // Lake-relative path, size, ETag.
  std::string local_path;  // The downloaded copy.
  int64_t mtime_us = 0;    // The object's LastModified.
};
struct RemoteFileChange {
  std::vector<RemoteFileAddition> added;
  std::vector<std::string> removed;  // Lake-relative paths of remote files.
};
struct RemoteApplyReport {
  uint64_t added = 0;
  uint64_t removed = 0;
  std::vector<BadFile> unreadable;  // Added files that could not be inspected (left out).
  uint64_t version = 0;             // The catalog version holding the change (0: none).
};

struct CatalogOptions {
  std::string dir;       // Holds catalog.json; created if missing. Usually <data>/catalog.
  std::string lake_dir;  // Usually <data>/lake.
  Env* env = Env::Default();
};

class Catalog {
 public:
  // Loads catalog.json if it exists. A catalog.json that cannot be parsed is
  // renamed to catalog.json.corrupt-<time> (and logged) and the catalog
  // starts empty: Crawl() rebuilds it from the lake.
  static Result<std::unique_ptr<Catalog>> Open(const CatalogOptions& options);
  ~Catalog();

  // Brings the catalog in line with the lake: inspects files that are new or
  // whose size or mtime changed (every file when `full`), forgets files and
  // tables that are gone, records unreadable files as bad. Saves if anything
  // changed.
  Result<CrawlReport> Crawl(bool full);
  // Adds (or re-inspects) one file, given lake-relative; delivery calls this
  // after a file is durable. A file that cannot be read becomes a bad file
  // and the error is returned.
  Status AddFile(const std::string& path);
  // Applies `change` as one new version of the catalog: a snapshot holds
  // either the files before or the files after, never a mix. The added
  // files are inspected first; if one cannot be read nothing changes.
  // Returns the catalog version that holds the change.
  Result<uint64_t> Switch(const FileSwitch& change);

  // Adds and removes remote files (see the file comment). An added file
  // that cannot be inspected is left out and reported; one whose path is a
  // local file is ignored; `removed` never removes a local file.
  Result<RemoteApplyReport> ApplyRemote(const RemoteFileChange& change);

  // Views. Names are matched ignoring case; a view may not be named like a
  // table. CreateView fails with AlreadyExists unless or_replace; DropView
  // with NotFound unless if_exists. The SQL is stored as given: validating it
  // is the caller's job.
  Status CreateView(const CatalogView& view, bool or_replace);
  Status DropView(std::string_view name, bool if_exists);

  std::shared_ptr<const CatalogSnapshot> Snapshot() const;
  // Called after every change, with the new version, outside the lock.
  void SetListener(std::function<void(uint64_t version)> listener);

  const std::string& lake_dir() const;

 private:
  class Impl;
  explicit Catalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The common type of two column types, for a table whose files disagree:
// equal types stay; integer types widen to the wider (signed and unsigned 64-bit
// mixed: HUGEINT); integers, decimals and floats mixed give DOUBLE; DATE and
// TIMESTAMP* give TIMESTAMP; STRUCTs merge field by field (names ignoring
// case), LISTs widen their elements; NULL (the type of an all-NULL column)
// gives the other; any other mix gives VARCHAR.
DuckType WidenType(const DuckType& a, const DuckType& b);

// Statements that declare every table of the snapshot in another engine, so
// the same lake can be queried there: one CREATE EXTERNAL TABLE (Athena, Spark)
// or CREATE TABLE ... WITH (external_location) (Trino's Hive connector) per
// table, Parquet files only, partitioned by the table's partition keys,
// followed by what loads the partitions (MSCK REPAIR TABLE / CALL
// system.sync_partition_metadata). `location` is the URI of the lake dir in
// that engine (e.g. "s3://bucket/gamelake/lake"); `database` the schema name.
enum class DdlDialect { kAthena, kTrino, kSpark };
Result<DdlDialect> ParseDdlDialect(std::string_view name);
std::string ExportDdl(const CatalogSnapshot& snapshot, DdlDialect dialect,
                      std::string_view location, std::string_view database);

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_CATALOG_H_
