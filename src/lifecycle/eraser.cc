#include "lifecycle/eraser.h"

#include <simdjson.h>

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "lake/lake_layout.h"
#include "query/query_planner.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kPlaceholder = "__gl_erase_table";

// The condition as it sits in every statement: on lines of its own, so a
// trailing -- comment ends with its line.
std::string Wrapped(const std::string& where) { return "(\n" + where + "\n)"; }

bool HasSubquery(dom::element e) {
  if (e.is_array()) {
    for (dom::element c : dom::array(e)) {
      if (HasSubquery(c)) return true;
    }
    return false;
  }
  if (!e.is_object()) return false;
  std::string_view cls;
  if (e["class"].get_string().get(cls) == simdjson::SUCCESS &&
      (cls == "SUBQUERY" || cls == "PARAMETER" || cls == "WINDOW")) {
    return true;
  }
  for (auto [key, value] : dom::object(e)) {
    if (HasSubquery(value)) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Eraser>> Eraser::Open(const EraserOptions& options) {
  // One DuckDB thread: a text file's row numbers agree in every scan.
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LakeRewriter> files, LakeRewriter::Open(options));
  return std::unique_ptr<Eraser>(new Eraser(std::move(files)));
}

Status Eraser::CheckCondition(const std::string& where) {
  if (where.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("the condition is empty: say which rows, e.g. PlayerID = 42");
  }
  MutexLock lock(&mu_);
  std::string statement = fmt::format("SELECT 1 FROM {} WHERE {}", kPlaceholder, Wrapped(where));
  GL_ASSIGN_OR_RETURN(QueryResult r, files_->db()->Query("SELECT json_serialize_sql(" +
                                                         QuoteLiteral(statement) + ")"));
  if (r.rows.size() != 1 || !r.rows[0][0]) return Status::Internal("cannot parse the condition");
  dom::parser parser;
  dom::element root;
  if (parser.parse(*r.rows[0][0]).get(root) != simdjson::SUCCESS) {
    return Status::Internal("cannot read the condition's syntax tree");
  }
  bool error = false;
  if (root["error"].get_bool().get(error) == simdjson::SUCCESS && error) {
    std::string_view message;
    if (root["error_message"].get_string().get(message) != simdjson::SUCCESS) message = "?";
    return Status::InvalidArgument(
        fmt::format("the condition does not parse: {} (the condition is on line 2 of \"{}\")",
                    message, statement));
  }
  dom::array statements;
  dom::element node;
  auto bad = [](std::string_view why) {
    return Status::InvalidArgument(fmt::format(
        "the condition must be one expression over the table's columns (like PlayerID = 42): {}",
        why));
  };
  if (root["statements"].get_array().get(statements) != simdjson::SUCCESS ||
      statements.size() != 1 || statements.at(0)["node"].get(node) != simdjson::SUCCESS) {
    return bad("it holds more than one statement");
  }
  std::string_view type, table;
  dom::array list, groups, modifiers, ctes;
  dom::element where_clause, having, qualify;
  if (node["type"].get_string().get(type) != simdjson::SUCCESS || type != "SELECT_NODE" ||
      node["from_table"]["table_name"].get_string().get(table) != simdjson::SUCCESS ||
      table != kPlaceholder || node["select_list"].get_array().get(list) != simdjson::SUCCESS ||
      list.size() != 1 || node["group_expressions"].get_array().get(groups) != simdjson::SUCCESS ||
      groups.size() != 0 || node["modifiers"].get_array().get(modifiers) != simdjson::SUCCESS ||
      modifiers.size() != 0 || node["cte_map"]["map"].get_array().get(ctes) != simdjson::SUCCESS ||
      ctes.size() != 0 || node["having"].get(having) != simdjson::SUCCESS || !having.is_null() ||
      node["qualify"].get(qualify) != simdjson::SUCCESS || !qualify.is_null() ||
      node["where_clause"].get(where_clause) != simdjson::SUCCESS || where_clause.is_null()) {
    return bad("it reaches outside its parentheses");
  }
  if (HasSubquery(where_clause)) {
    return bad("subqueries, window functions and ? parameters are not allowed");
  }
  return Status::OK();
}

Result<std::map<std::string, ErasureTableResult>> Eraser::Erase(
    const std::vector<std::string>& tables, const std::string& where) {
  MutexLock lock(&mu_);
  std::shared_ptr<const CatalogSnapshot> snapshot = files_->options().catalog->Snapshot();
  std::map<std::string, TableShape> shapes = PlanShapes(*snapshot, nullptr);
  std::map<std::string, ErasureTableResult> out;
  for (const std::string& table : tables) {
    const CatalogTable* t = snapshot->FindTable(table);
    if (t == nullptr) {
      out[table] = ErasureTableResult{};  // Nothing delivered: nothing to erase.
      continue;
    }
    GL_ASSIGN_OR_RETURN(out[t->name], EraseTable(*snapshot, shapes.at(t->name), where));
  }
  return out;
}

Result<ErasureTableResult> Eraser::EraseTable(const CatalogSnapshot& snapshot,
                                              const TableShape& shape, const std::string& where) {
  const CatalogTable& table = *shape.table;
  std::map<std::string, TableShape> one = {{shape.name, shape}};
  ScanPlan plan = QueryPlanner::Plan(
      files_->db()->connection(),
      fmt::format("SELECT * FROM {} WHERE {}", QuoteIdentifier(shape.name), Wrapped(where)),
      PlannerContextOf(one, {}));
  std::vector<const CatalogFile*> candidates;
  auto scan = plan.tables.find(shape.name);
  if (scan == plan.tables.end() || scan->second.all_files) {
    for (const auto& [path, f] : table.files) candidates.push_back(&f);
  } else {
    candidates = scan->second.files;
  }
  ErasureTableResult result;
  FileSwitch change;
  change.table = shape.name;
  std::vector<std::string> retired;
  for (const CatalogFile* f : candidates) {
    if (f->remote) continue;    // Another node's file: that node's to rewrite.
    std::string out = f->path;  // Hand-dropped: replaced in place.
    if (f->written()) {
      LakeFileName next = f->name();
      ++next.version;
      out = JoinPath(DirName(f->path), next.Format(shape.name));
    }
    uint64_t bytes = 0;
    GL_ASSIGN_OR_RETURN(
        uint64_t removed,
        RewriteFile(shape, *f, where, JoinPath(files_->options().lake_dir, out), &bytes));
    if (removed == 0) continue;
    result.rows_removed += removed;
    result.files_rewritten++;
    result.bytes_rewritten += bytes;
    change.removed.push_back(f->path);
    change.added.push_back(out);
    if (f->written()) retired.push_back(f->path);
  }
  if (change.added.empty()) return result;
  GL_RETURN_IF_ERROR(files_->Commit(change, retired));
  return result;
}

Result<uint64_t> Eraser::RewriteFile(const TableShape& shape, const CatalogFile& file,
                                     const std::string& where, const std::string& out_path,
                                     uint64_t* bytes) {
  const std::string path = JoinPath(files_->options().lake_dir, file.path);
  std::string source;  // The file's own rows, each with a stable number __gl_row.
  std::string format;
  if (file.format == FileFormat::kParquet) {
    source = fmt::format(
        "(SELECT * RENAME (file_row_number AS __gl_row) FROM read_parquet([{}], "
        "hive_partitioning = false, file_row_number = true))",
        QuoteLiteral(path));
    format = "FORMAT parquet, COMPRESSION zstd";
  } else {
    // One thread scans a text file in order: the numbers agree in both scans.
    source = fmt::format("(SELECT *, row_number() OVER () AS __gl_row FROM {})",
                         FileReader(file, files_->options().lake_dir));
    format = file.format == FileFormat::kCsv ? "FORMAT csv, HEADER true" : "FORMAT json";
    if (file.gzip) format += ", COMPRESSION gzip";
  }
  // The rows a query would see matching, by number.
  std::string matched =
      fmt::format("SELECT __gl_row FROM (SELECT {}, __gl_row FROM {} AS __gl_src) WHERE {}",
                  FileProjection(shape, file), source, Wrapped(where));
  GL_ASSIGN_OR_RETURN(uint64_t removed, files_->Count("SELECT count(*) FROM (" + matched + ")"));
  if (removed == 0) return uint64_t{0};
  if (removed > file.rows) {
    return Status::Internal(
        fmt::format("{} rows of {} match, but it holds {}", removed, file.path, file.rows));
  }
  Result<uint64_t> size = files_->WriteFile(
      fmt::format("SELECT * EXCLUDE (__gl_row) FROM {} AS __gl_src WHERE __gl_row NOT IN ({})",
                  source, matched),
      format, out_path, file.rows - removed);
  if (!size.ok()) return size.status().WithContext("erasing rows of " + file.path);
  *bytes = *size;
  return removed;
}

}  // namespace gamelake
