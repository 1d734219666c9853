// The planner walks DuckDB's JSON syntax tree (json_serialize_sql) with
// simdjson. Shapes it relies on: statements[0].node is a query node
// (SELECT_NODE, SET_OPERATION_NODE, RECURSIVE_CTE_NODE, CTE_NODE); table
// references carry "type" (BASE_TABLE, JOIN, SUBQUERY, TABLE_FUNCTION,
// SHOW_REF, ...); expressions carry "class" and "type". Anything else is
// walked generically, so a node kind it does not know only costs pruning.
#include "query/query_planner.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "catalog/column_stats.h"
#include "common/ascii.h"
#include "common/mutex.h"
#include "lake/lake_layout.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

constexpr int kMaxViewDepth = 16;

// The syntax trees (json_serialize_sql) of the statements parsed last, by
// text. A tree is a function of the text alone (DuckDB's parser; nothing of
// the catalog), so nothing ever invalidates an entry: dashboards send the same
// few statements again and again, and each then skips a query to the parser.
// Bounded; when full, it starts over. Thread-safe.
class SyntaxCache {
 public:
  static SyntaxCache& Get() {
    static SyntaxCache* cache = new SyntaxCache();
    return *cache;
  }

  std::shared_ptr<const std::string> Find(std::string_view sql) GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = trees_.find(std::string(sql));
    return it != trees_.end() ? it->second : nullptr;
  }

  void Add(std::string_view sql, std::shared_ptr<const std::string> tree) GL_EXCLUDES(mu_) {
    size_t bytes = sql.size() + tree->size();
    if (bytes > kMaxBytes / 16) return;  // One statement may not crowd out the rest.
    MutexLock lock(&mu_);
    if (trees_.size() >= kMaxEntries || bytes_ + bytes > kMaxBytes) {
      trees_.clear();
      bytes_ = 0;
    }
    if (trees_.emplace(std::string(sql), std::move(tree)).second) bytes_ += bytes;
  }

 private:
  static constexpr size_t kMaxEntries = 1024;
  static constexpr size_t kMaxBytes = 16 << 20;
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> trees_ GL_GUARDED_BY(mu_);
  size_t bytes_ GL_GUARDED_BY(mu_) = 0;
};

// The syntax tree of sql as JSON (json_serialize_sql), or null if DuckDB
// could not be asked. A statement it cannot serialize is a tree saying so.
std::shared_ptr<const std::string> SyntaxTree(duckdb_connection conn, std::string_view sql) {
  if (auto tree = SyntaxCache::Get().Find(sql)) return tree;
  std::shared_ptr<const std::string> tree;
  duckdb_result r{};
  std::string q = "SELECT json_serialize_sql(" + QuoteLiteral(sql) + ")";
  if (duckdb_query(conn, q.c_str(), &r) == DuckDBSuccess && duckdb_row_count(&r) == 1) {
    char* v = duckdb_value_varchar(&r, 0, 0);
    if (v != nullptr) tree = std::make_shared<const std::string>(v);
    duckdb_free(v);
  }
  duckdb_destroy_result(&r);
  if (tree) SyntaxCache::Get().Add(sql, tree);
  return tree;
}

enum class Op { kEq, kLt, kLe, kGt, kGe };

// A condition on the rows of one table reference.
struct Cond {
  enum class Kind { kCmp, kIn, kAnd, kOr };
  Kind kind = Kind::kCmp;
  std::string column;          // kCmp, kIn: lower-cased.
  Op op = Op::kEq;             // kCmp.
  std::vector<size_t> values;  // kCmp: one, kIn: all; indexes of constants.
  std::vector<Cond> children;  // kAnd, kOr.
};

// A reference to a lake table and the conditions (ANDed) its rows must meet.
struct Ref {
  std::string table;
  bool shape_only = false;
  std::vector<Cond> conds;
};

// A constant expression of a condition, and what DuckDB made of it.
struct Constant {
  std::string json;  // The expression node.
  std::string type;  // typeof()
  std::optional<std::string> text;
  std::optional<int64_t> epoch_us;
};

// A name a SELECT's FROM clause binds: a lake table reference (ref >= 0)
// or something whose columns are unknown.
struct Binding {
  std::string name;  // Lower-cased alias or table name.
  int ref = -1;
  bool pushdown = false;          // WHERE conditions may drop its rows early.
  std::set<std::string> columns;  // Lower-cased; meaningful when ref >= 0.
};

std::string_view StringOf(dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

bool IsNull(dom::element e, std::string_view key) {
  dom::element v;
  return e[key].get(v) != simdjson::SUCCESS || v.is_null();
}

bool IsClockFunction(std::string_view name) {
  static const std::set<std::string_view> kClock = {"now",
                                                    "current_timestamp",
                                                    "get_current_timestamp",
                                                    "transaction_timestamp",
                                                    "current_date",
                                                    "today",
                                                    "current_time",
                                                    "get_current_time",
                                                    "localtime",
                                                    "current_localtimestamp",
                                                    "current_localtime",
                                                    "localtimestamp"};
  return kClock.count(name) > 0;
}

bool IsUnstableFunction(std::string_view name) {
  static const std::set<std::string_view> kUnstable = {
      "random",  "uuid",    "gen_random_uuid", "uuidv4", "uuidv7",
      "nextval", "currval", "setseed",         "getenv", "current_setting"};
  return kUnstable.count(name) > 0;
}

// Whether e is an expression without column, subquery or parameter
// references; *clock says whether it reads the clock.
bool IsConstant(dom::element e, bool* clock) {
  if (e.is_array()) {
    for (dom::element c : dom::array(e)) {
      if (!IsConstant(c, clock)) return false;
    }
    return true;
  }
  if (!e.is_object()) return true;
  std::string_view cls = StringOf(e, "class");
  if (cls == "COLUMN_REF" || cls == "SUBQUERY" || cls == "PARAMETER" || cls == "STAR" ||
      cls == "WINDOW" || cls == "LAMBDA" || cls == "LAMBDA_REF" || cls == "POSITIONAL_REFERENCE" ||
      cls == "DEFAULT") {
    return false;
  }
  if (cls == "FUNCTION") {
    std::string name = AsciiLowered(StringOf(e, "function_name"));
    if (IsUnstableFunction(name)) return false;
    if (IsClockFunction(name)) *clock = true;
    if (!IsNull(e, "filter")) return false;
  }
  for (auto [key, value] : dom::object(e)) {
    if (!IsConstant(value, clock)) return false;
  }
  return true;
}

// True if e (a constant) never decreases as the clock moves on: a clock
// function, plus or minus clock-free constants, CAST or date_trunc of one.
bool Increasing(dom::element e) {
  std::string_view cls = StringOf(e, "class");
  if (cls == "CAST") {
    dom::element child;
    std::string_view to;
    if (e["child"].get(child) != simdjson::SUCCESS ||
        e["cast_type"]["id"].get_string().get(to) != simdjson::SUCCESS) {
      return false;
    }
    return (to == "TIMESTAMP" || to == "DATE" || to == "TIMESTAMP WITH TIME ZONE") &&
           Increasing(child);
  }
  if (cls != "FUNCTION") return false;
  std::string name = AsciiLowered(StringOf(e, "function_name"));
  dom::array children;
  if (e["children"].get_array().get(children) != simdjson::SUCCESS) return false;
  if (IsClockFunction(name)) return children.size() == 0;
  auto clock_free = [](dom::element x) {
    bool clock = false;
    return IsConstant(x, &clock) && !clock;
  };
  if (children.size() != 2) return false;
  dom::element a = children.at(0).value_unsafe();
  dom::element b = children.at(1).value_unsafe();
  if (name == "+") return (Increasing(a) && clock_free(b)) || (clock_free(a) && Increasing(b));
  if (name == "-") return Increasing(a) && clock_free(b);
  if (name == "date_trunc") return clock_free(a) && Increasing(b);
  return false;
}

std::optional<Op> ComparisonOp(std::string_view type) {
  if (type == "COMPARE_EQUAL") return Op::kEq;
  if (type == "COMPARE_LESSTHAN") return Op::kLt;
  if (type == "COMPARE_LESSTHANOREQUALTO") return Op::kLe;
  if (type == "COMPARE_GREATERTHAN") return Op::kGt;
  if (type == "COMPARE_GREATERTHANOREQUALTO") return Op::kGe;
  return std::nullopt;
}

Op Flip(Op op) {
  switch (op) {
    case Op::kLt:
      return Op::kGt;
    case Op::kLe:
      return Op::kGe;
    case Op::kGt:
      return Op::kLt;
    case Op::kGe:
      return Op::kLe;
    case Op::kEq:
      return Op::kEq;
  }
  return op;
}

// Identifiers and words of a statement, lower-cased (for planning by name).
std::set<std::string> Words(std::string_view sql) {
  std::set<std::string> out;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '"') {
      std::string word;
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '"') {
          if (i + 1 < sql.size() && sql[i + 1] == '"') {
            word += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        word += sql[i];
      }
      out.insert(AsciiLowered(word));
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t start = i;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                                sql[i] == '-' || static_cast<unsigned char>(sql[i]) >= 0x80)) {
        ++i;
      }
      out.insert(AsciiLowered(sql.substr(start, i - start)));
    } else {
      ++i;
    }
  }
  return out;
}

// Walks one statement's tree and collects lake table references with the
// conditions their rows must meet.
class Walker {
 public:
  Walker(duckdb_connection conn, const PlannerContext& ctx) : conn_(conn), ctx_(ctx) {}

  // False if sql cannot be serialized (not a SELECT-like statement).
  bool Walk(std::string_view sql, int depth);

  std::vector<Ref>& refs() { return refs_; }
  std::vector<Constant>& constants() { return constants_; }

 private:
  void Node(dom::element node);
  void Select(dom::element node);
  void Generic(dom::element e);
  void From(dom::element ref, bool pushdown, std::vector<Binding>* bindings);
  void BaseTable(dom::element ref, bool pushdown, std::vector<Binding>* bindings);
  void Where(dom::element where, const std::vector<Binding>& bindings);
  std::optional<std::pair<int, Cond>> Analyze(dom::element e, const std::vector<Binding>& b);
  std::optional<std::pair<int, std::string>> Resolve(dom::element column_ref,
                                                     const std::vector<Binding>& b);
  std::optional<size_t> AddConstant(dom::element e, bool lower_bound);
  const std::string* LakeTable(std::string_view name) const;

  duckdb_connection conn_;
  const PlannerContext& ctx_;
  std::deque<dom::parser> parsers_;  // One per nested Walk; documents must not move.
  std::vector<Ref> refs_;
  std::vector<Constant> constants_;
  std::set<std::string> ctes_;
  std::set<std::string> expanding_;  // Saved views being expanded (cycle guard).
  int depth_ = 0;
  bool shape_only_ = false;  // Inside DESCRIBE.
};

const std::string* Walker::LakeTable(std::string_view name) const {
  for (const auto& [table, info] : ctx_.tables) {
    if (EqualsIgnoreCase(table, name)) return &table;
  }
  return nullptr;
}

bool Walker::Walk(std::string_view sql, int depth) {
  depth_ = depth;
  std::shared_ptr<const std::string> json = SyntaxTree(conn_, sql);
  if (json == nullptr) return false;
  parsers_.emplace_back();
  dom::element root;
  if (parsers_.back().parse(*json).get(root) != simdjson::SUCCESS) return false;
  bool error = true;
  dom::array statements;
  if (root["error"].get_bool().get(error) != simdjson::SUCCESS || error ||
      root["statements"].get_array().get(statements) != simdjson::SUCCESS ||
      statements.size() != 1) {
    return false;
  }
  dom::element node;
  if (statements.at(0)["node"].get(node) != simdjson::SUCCESS) return false;
  Node(node);
  return true;
}

void Walker::Node(dom::element node) {
  std::string_view type = StringOf(node, "type");
  dom::array ctes;
  if (node["cte_map"]["map"].get_array().get(ctes) == simdjson::SUCCESS) {
    for (dom::element cte : ctes) ctes_.insert(AsciiLowered(StringOf(cte, "key")));
    for (dom::element cte : ctes) {
      dom::element q;
      if (cte["value"]["query"]["node"].get(q) == simdjson::SUCCESS) Node(q);
    }
  }
  if (type == "SELECT_NODE") return Select(node);
  for (auto [key, value] : dom::object(node)) {
    if (key == "cte_map") continue;
    Generic(value);
  }
}

// Anything not understood: look inside for query nodes and table references.
void Walker::Generic(dom::element e) {
  if (e.is_array()) {
    for (dom::element c : dom::array(e)) Generic(c);
    return;
  }
  if (!e.is_object()) return;
  std::string_view type = StringOf(e, "type");
  if (type == "SELECT_NODE" || type == "SET_OPERATION_NODE" || type == "RECURSIVE_CTE_NODE" ||
      type == "CTE_NODE") {
    return Node(e);
  }
  if (IsNull(e, "class") && (type == "BASE_TABLE" || type == "JOIN" || type == "SUBQUERY" ||
                             type == "TABLE_FUNCTION" || type == "SHOW_REF" || type == "PIVOT")) {
    std::vector<Binding> ignored;
    return From(e, /*pushdown=*/false, &ignored);
  }
  for (auto [key, value] : dom::object(e)) Generic(value);
}

void Walker::Select(dom::element node) {
  std::vector<Binding> bindings;
  dom::element from;
  if (node["from_table"].get(from) == simdjson::SUCCESS) From(from, /*pushdown=*/true, &bindings);
  dom::element where;
  if (node["where_clause"].get(where) == simdjson::SUCCESS && !where.is_null()) {
    Where(where, bindings);
  }
  for (auto [key, value] : dom::object(node)) {
    if (key == "from_table" || key == "cte_map") continue;
    Generic(value);  // Subqueries in the select list, WHERE, HAVING...
  }
}

void Walker::From(dom::element ref, bool pushdown, std::vector<Binding>* bindings) {
  std::string_view type = StringOf(ref, "type");
  if (type == "BASE_TABLE") return BaseTable(ref, pushdown, bindings);
  if (type == "JOIN") {
    std::string_view join = StringOf(ref, "join_type");
    std::string_view kind = StringOf(ref, "ref_type");
    bool ok = (join == "INNER" || join == "LEFT" || join == "RIGHT" || join == "OUTER") &&
              (kind == "REGULAR" || kind == "NATURAL" || kind == "CROSS");
    dom::element side;
    if (ref["left"].get(side) == simdjson::SUCCESS) From(side, pushdown && ok, bindings);
    if (ref["right"].get(side) == simdjson::SUCCESS) From(side, pushdown && ok, bindings);
    dom::element condition;
    if (ref["condition"].get(condition) == simdjson::SUCCESS) Generic(condition);
    return;
  }
  if (type == "SHOW_REF") {
    bool was = shape_only_;
    if (StringOf(ref, "show_type") == "DESCRIBE") shape_only_ = true;
    dom::element query;
    if (ref["query"].get(query) == simdjson::SUCCESS && !query.is_null()) Node(query);
    shape_only_ = was;
    std::string_view name = StringOf(ref, "table_name");
    if (!name.empty()) {
      // DESCRIBE name / SHOW name: a table by name, shape only.
      std::string unquoted(name);
      if (unquoted.size() >= 2 && unquoted.front() == '"')
        unquoted = unquoted.substr(1, unquoted.size() - 2);
      if (const std::string* table = LakeTable(unquoted)) refs_.push_back(Ref{*table, true, {}});
    }
    bindings->push_back(Binding{AsciiLowered(StringOf(ref, "alias")), -1, false, {}});
    return;
  }
  // SUBQUERY, TABLE_FUNCTION, PIVOT, EXPRESSION_LIST...: columns unknown here.
  bindings->push_back(Binding{AsciiLowered(StringOf(ref, "alias")), -1, false, {}});
  for (auto [key, value] : dom::object(ref)) Generic(value);
}

void Walker::BaseTable(dom::element ref, bool pushdown, std::vector<Binding>* bindings) {
  std::string_view catalog = StringOf(ref, "catalog_name");
  std::string_view schema = StringOf(ref, "schema_name");
  std::string name(StringOf(ref, "table_name"));
  std::string alias(StringOf(ref, "alias"));
  Binding binding{AsciiLowered(alias.empty() ? name : alias), -1, false, {}};
  bool ours = (catalog.empty() || EqualsIgnoreCase(catalog, "memory")) &&
              (schema.empty() || EqualsIgnoreCase(schema, "lake"));
  bool cte = schema.empty() && ctes_.count(AsciiLowered(name)) > 0;
  const std::string* table = ours ? LakeTable(name) : nullptr;
  if (table != nullptr) {
    dom::array renamed;
    bool renames = ref["column_name_alias"].get_array().get(renamed) == simdjson::SUCCESS &&
                   renamed.size() > 0;
    refs_.push_back(Ref{*table, shape_only_, {}});
    // A CTE of that name may shadow the table: then the reference reads
    // all of it (harmless) and its conditions are not the table's.
    if (!cte && !renames) {
      binding.ref = static_cast<int>(refs_.size() - 1);
      binding.pushdown = pushdown;
      const PlannerTable& info = ctx_.tables.at(*table);
      for (const ColumnInfo& c : info.columns) binding.columns.insert(AsciiLowered(c.name));
      for (const std::string& k : info.partition_keys) binding.columns.insert(AsciiLowered(k));
    }
  } else if (ours && !cte) {
    auto view = ctx_.views.find(AsciiLowered(name));
    if (view != ctx_.views.end() && depth_ < kMaxViewDepth &&
        expanding_.insert(view->first).second) {
      // A saved view reads lake tables with its own conditions.
      std::set<std::string> outer_ctes;
      outer_ctes.swap(ctes_);
      int depth = depth_;
      if (!Walk(view->second.sql, depth + 1)) {
        // Cannot analyze the view: every table it names, whole.
        std::set<std::string> words = Words(view->second.sql);
        for (const auto& [t, info] : ctx_.tables) {
          if (words.count(AsciiLowered(t)) > 0) refs_.push_back(Ref{t, shape_only_, {}});
        }
      }
      depth_ = depth;
      ctes_.swap(outer_ctes);
      expanding_.erase(view->first);
    }
  }
  bindings->push_back(std::move(binding));
}

void Walker::Where(dom::element where, const std::vector<Binding>& bindings) {
  std::vector<dom::element> conjuncts = {where};
  for (size_t i = 0; i < conjuncts.size();) {
    dom::element c = conjuncts[i];
    dom::array children;
    if (StringOf(c, "type") == "CONJUNCTION_AND" &&
        c["children"].get_array().get(children) == simdjson::SUCCESS) {
      conjuncts.erase(conjuncts.begin() + static_cast<std::ptrdiff_t>(i));
      for (dom::element child : children) conjuncts.push_back(child);
      continue;
    }
    ++i;
  }
  for (dom::element c : conjuncts) {
    std::optional<std::pair<int, Cond>> cond = Analyze(c, bindings);
    if (!cond) continue;
    const Binding& b = bindings[static_cast<size_t>(cond->first)];
    if (b.ref >= 0 && b.pushdown) refs_[static_cast<size_t>(b.ref)].conds.push_back(cond->second);
  }
}

std::optional<std::pair<int, std::string>> Walker::Resolve(dom::element column_ref,
                                                           const std::vector<Binding>& b) {
  dom::array names;
  if (column_ref["column_names"].get_array().get(names) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> parts;
  for (dom::element n : names) {
    std::string_view s;
    if (n.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    parts.push_back(AsciiLowered(s));
  }
  if (parts.size() == 1) {
    int found = -1;
    for (size_t i = 0; i < b.size(); ++i) {
      if (b[i].ref < 0) return std::nullopt;  // Its columns are unknown: ambiguous.
      if (b[i].columns.count(parts[0]) == 0) continue;
      if (found >= 0) return std::nullopt;  // Two candidates.
      found = static_cast<int>(i);
    }
    if (found < 0) return std::nullopt;
    return std::make_pair(found, parts[0]);
  }
  if (parts.size() == 2) {
    for (size_t i = 0; i < b.size(); ++i) {
      if (b[i].name != parts[0]) continue;
      if (b[i].ref < 0 || b[i].columns.count(parts[1]) == 0) return std::nullopt;
      return std::make_pair(static_cast<int>(i), parts[1]);
    }
  }
  return std::nullopt;  // A struct field, or deeper qualification.
}

std::optional<size_t> Walker::AddConstant(dom::element e, bool lower_bound) {
  bool clock = false;
  if (!IsConstant(e, &clock)) return std::nullopt;
  if (clock && !(lower_bound && Increasing(e))) return std::nullopt;
  constants_.push_back(Constant{simdjson::minify(e), "", std::nullopt, std::nullopt});
  return constants_.size() - 1;
}

std::optional<std::pair<int, Cond>> Walker::Analyze(dom::element e,
                                                    const std::vector<Binding>& bindings) {
  std::string_view cls = StringOf(e, "class");
  std::string_view type = StringOf(e, "type");
  if (cls == "COMPARISON") {
    std::optional<Op> op = ComparisonOp(type);
    dom::element left, right;
    if (!op || e["left"].get(left) != simdjson::SUCCESS ||
        e["right"].get(right) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (StringOf(left, "class") != "COLUMN_REF") {
      std::swap(left, right);
      *op = Flip(*op);
    }
    if (StringOf(left, "class") != "COLUMN_REF") return std::nullopt;
    auto column = Resolve(left, bindings);
    if (!column) return std::nullopt;
    auto value = AddConstant(right, *op == Op::kGt || *op == Op::kGe);
    if (!value) return std::nullopt;
    Cond c;
    c.column = column->second;
    c.op = *op;
    c.values = {*value};
    return std::make_pair(column->first, std::move(c));
  }
  if (type == "COMPARE_BETWEEN") {
    dom::element input, lower, upper;
    if (e["input"].get(input) != simdjson::SUCCESS || e["lower"].get(lower) != simdjson::SUCCESS ||
        e["upper"].get(upper) != simdjson::SUCCESS || StringOf(input, "class") != "COLUMN_REF") {
      return std::nullopt;
    }
    auto column = Resolve(input, bindings);
    if (!column) return std::nullopt;
    Cond both;
    both.kind = Cond::Kind::kAnd;
    // Either half alone is a weaker, still correct, condition.
    if (auto lo = AddConstant(lower, /*lower_bound=*/true)) {
      both.children.push_back(Cond{Cond::Kind::kCmp, column->second, Op::kGe, {*lo}, {}});
    }
    if (auto hi = AddConstant(upper, /*lower_bound=*/false)) {
      both.children.push_back(Cond{Cond::Kind::kCmp, column->second, Op::kLe, {*hi}, {}});
    }
    if (both.children.empty()) return std::nullopt;
    return std::make_pair(column->first, std::move(both));
  }
  if (type == "COMPARE_IN") {
    dom::array children;
    if (e["children"].get_array().get(children) != simdjson::SUCCESS || children.size() < 2) {
      return std::nullopt;
    }
    dom::element input = children.at(0).value_unsafe();
    if (StringOf(input, "class") != "COLUMN_REF") return std::nullopt;
    auto column = Resolve(input, bindings);
    if (!column) return std::nullopt;
    Cond in;
    in.kind = Cond::Kind::kIn;
    in.column = column->second;
    bool first = true;
    for (dom::element v : children) {
      if (first) {
        first = false;
        continue;
      }
      auto value = AddConstant(v, /*lower_bound=*/false);
      if (!value) return std::nullopt;
      in.values.push_back(*value);
    }
    return std::make_pair(column->first, std::move(in));
  }
  if (type == "CONJUNCTION_AND" || type == "CONJUNCTION_OR") {
    bool is_or = type == "CONJUNCTION_OR";
    dom::array children;
    if (e["children"].get_array().get(children) != simdjson::SUCCESS) return std::nullopt;
    Cond out;
    out.kind = is_or ? Cond::Kind::kOr : Cond::Kind::kAnd;
    int binding = -1;
    for (dom::element child : children) {
      auto c = Analyze(child, bindings);
      // In an AND a condition may be left out (weaker); in an OR it may not.
      if (!c || (binding >= 0 && c->first != binding)) {
        if (is_or) return std::nullopt;
        continue;
      }
      binding = c->first;
      out.children.push_back(std::move(c->second));
    }
    if (out.children.empty()) return std::nullopt;
    return std::make_pair(binding, std::move(out));
  }
  return std::nullopt;
}

// ---- Evaluating constants.

std::string FunctionNode(std::string_view name, const std::string& child,
                         std::string_view alias = "") {
  return fmt::format(
      R"({{"class":"FUNCTION","type":"FUNCTION","alias":"{}","query_location":18446744073709551615,)"
      R"("function_name":"{}","schema":"","children":[{}],"filter":null,)"
      R"("order_bys":{{"type":"ORDER_MODIFIER","orders":[]}},"distinct":false,"is_operator":false,)"
      R"("export_state":false,"catalog":""}})",
      alias, name, child);
}

std::string TryCastNode(std::string_view to, const std::string& child,
                        std::string_view alias = "") {
  return fmt::format(
      R"({{"class":"CAST","type":"OPERATOR_CAST","alias":"{}","query_location":18446744073709551615,)"
      R"("child":{},"cast_type":{{"id":"{}","type_info":null}},"try_cast":true}})",
      alias, child, to);
}

// Fills in type, text and epoch_us of every constant with one statement;
// on failure they stay unknown.
void Evaluate(duckdb_connection conn, std::vector<Constant>* constants) {
  if (constants->empty()) return;
  std::string list;
  // Distinct aliases: a result with two columns of one name is refused.
  for (size_t i = 0; i < constants->size(); ++i) {
    const std::string& json = (*constants)[i].json;
    if (!list.empty()) list += ',';
    list += FunctionNode("typeof", json, fmt::format("t{}", i)) + "," +
            TryCastNode("VARCHAR", json, fmt::format("v{}", i)) + "," +
            FunctionNode("epoch_us", TryCastNode("TIMESTAMP", json), fmt::format("u{}", i));
  }
  std::string statement = fmt::format(
      R"({{"error":false,"statements":[{{"node":{{"type":"SELECT_NODE","modifiers":[],)"
      R"("cte_map":{{"map":[]}},"select_list":[{}],"from_table":{{"type":"EMPTY","alias":"",)"
      R"("sample":null,"query_location":18446744073709551615}},"where_clause":null,)"
      R"("group_expressions":[],"group_sets":[],"aggregate_handling":"STANDARD_HANDLING",)"
      R"("having":null,"sample":null,"qualify":null}},"named_param_map":[]}}]}})",
      list);
  std::string sql = "SELECT * FROM json_execute_serialized_sql(" + QuoteLiteral(statement) + ")";
  duckdb_result r{};
  if (duckdb_query(conn, sql.c_str(), &r) == DuckDBSuccess && duckdb_row_count(&r) == 1 &&
      duckdb_column_count(&r) == 3 * constants->size()) {
    for (size_t i = 0; i < constants->size(); ++i) {
      Constant& c = (*constants)[i];
      auto value = [&](size_t col) -> std::optional<std::string> {
        char* v = duckdb_value_varchar(&r, col, 0);
        if (v == nullptr) return std::nullopt;
        std::string s(v);
        duckdb_free(v);
        return s;
      };
      c.type = value(3 * i).value_or("");
      c.text = value(3 * i + 1);
      if (!duckdb_value_is_null(&r, 3 * i + 2, 0))
        c.epoch_us = duckdb_value_int64(&r, 3 * i + 2, 0);
    }
  }
  duckdb_destroy_result(&r);
}

// ---- Deciding files.

enum class Family { kNone, kNumber, kTime, kText };

Family FamilyOf(const DuckType& type) {
  if (type.kind != DuckType::Kind::kScalar) return Family::kNone;
  if (type.name == "TIMESTAMP" || type.name == "DATE") return Family::kTime;
  if (type.name == "VARCHAR") return Family::kText;
  return StatKindFor(type) == StatValue::Kind::kNone ? Family::kNone : Family::kNumber;
}

// A constant as a value comparable with a column of `family`, if DuckDB
// would compare them that way.
StatValue ValueFor(const Constant& c, Family family) {
  const std::string& t = c.type;
  if (!c.text) return {};
  switch (family) {
    case Family::kNone:
      return {};
    case Family::kText:
      return t == "VARCHAR" ? StatValue::Text(*c.text) : StatValue{};
    case Family::kTime:
      if (c.epoch_us && (t == "VARCHAR" || t == "DATE" || t.starts_with("TIMESTAMP"))) {
        return StatValue::Int(*c.epoch_us);
      }
      return {};
    case Family::kNumber:
      break;
  }
  static const std::set<std::string_view> kIntegers = {
      "TINYINT",  "SMALLINT",  "INTEGER",  "BIGINT",  "HUGEINT",
      "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"};
  const std::string& s = *c.text;
  if (kIntegers.count(t) > 0) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return StatValue::Int(v);
    return {};
  }
  bool decimal = t.starts_with("DECIMAL");
  if (!decimal && t != "DOUBLE" && t != "FLOAT") return {};
  // Up to 15 significant digits a double holds a decimal exactly enough.
  size_t digits = std::count_if(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (decimal && digits > 15) return {};
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return {};
  return StatValue::Double(d);
}

class FileFilter {
 public:
  FileFilter(const PlannerTable& table, const std::vector<Constant>& constants)
      : table_(table), constants_(constants) {}

  bool MayMatch(const CatalogFile& f, const Cond& c) const {
    switch (c.kind) {
      case Cond::Kind::kAnd:
        return std::all_of(c.children.begin(), c.children.end(),
                           [&](const Cond& x) { return MayMatch(f, x); });
      case Cond::Kind::kOr:
        return std::any_of(c.children.begin(), c.children.end(),
                           [&](const Cond& x) { return MayMatch(f, x); });
      case Cond::Kind::kCmp:
      case Cond::Kind::kIn:
        break;
    }
    Range range = RangeOf(f, c.column);
    if (range.empty) return false;  // The column is NULL in every row of f.
    if (!range.known) return true;
    for (size_t v : c.values) {
      StatValue value = ValueFor(constants_[v], range.family);
      if (!value.known() || Satisfiable(range, c.kind == Cond::Kind::kIn ? Op::kEq : c.op, value)) {
        return true;
      }
    }
    return false;
  }

 private:
  struct Range {
    bool empty = false;  // NULL in every row.
    bool known = false;
    Family family = Family::kNone;
    ColumnStats stats;
  };

  // Whether some value within r's bounds could satisfy `value op v`.
  static bool Satisfiable(const Range& r, Op op, const StatValue& v) {
    // Comparisons with an unknown bound count as "could be anything".
    constexpr int kUnknown = 2;
    int lo = kUnknown;
    int hi = kUnknown;
    if (r.stats.min.known()) lo = CompareStats(r.stats.min, v).value_or(kUnknown);
    if (r.stats.max.known()) hi = CompareStats(r.stats.max, v).value_or(kUnknown);
    bool lo_above = lo != kUnknown && lo > 0;  // min > v
    bool lo_at_or_above = lo != kUnknown && lo >= 0;
    bool hi_below = hi != kUnknown && hi < 0;  // max < v
    bool hi_at_or_below = hi != kUnknown && hi <= 0;
    switch (op) {
      case Op::kEq:
        return !lo_above && !hi_below;
      case Op::kLt:
        return !lo_at_or_above;
      case Op::kLe:
        return !lo_above;
      case Op::kGt:
        return !hi_at_or_below;
      case Op::kGe:
        return !hi_below;
    }
    return true;
  }

  Range RangeOf(const CatalogFile& f, const std::string& column) const {
    Range r;
    for (const std::string& key : table_.partition_keys) {
      if (AsciiLowered(key) != column) continue;
      for (const auto& [k, v] : f.partitions) {
        if (!EqualsIgnoreCase(k, key)) continue;
        if (f.written() && v == kWholeDayHour) return r;  // Derived per row.
        r.known = true;
        r.family = Family::kText;
        r.stats.min = r.stats.max = StatValue::Text(v);
        return r;
      }
      r.empty = true;  // The view gives NULL for a key the path lacks.
      return r;
    }
    const ColumnInfo* table_column = nullptr;
    for (const ColumnInfo& c : table_.columns) {
      if (AsciiLowered(c.name) == column) table_column = &c;
    }
    if (table_column == nullptr) return r;
    for (size_t i = 0; i < f.columns.size(); ++i) {
      if (AsciiLowered(f.columns[i].name) != column) continue;
      Family family = FamilyOf(f.columns[i].type);
      // Stats compare as the view does only if the view's CAST keeps the order.
      if (family == Family::kNone || family != FamilyOf(table_column->type) ||
          i >= f.stats.size()) {
        return r;
      }
      r.known = true;
      r.family = family;
      r.stats = f.stats[i];
      return r;
    }
    r.empty = true;  // The view gives NULL for a column the file lacks.
    return r;
  }

  const PlannerTable& table_;
  const std::vector<Constant>& constants_;
};

void PlanByName(std::string_view sql, const PlannerContext& ctx, int depth, ScanPlan* plan) {
  std::set<std::string> words = Words(sql);
  for (const auto& [name, table] : ctx.tables) {
    if (words.count(AsciiLowered(name)) == 0) continue;
    TableScan& scan = plan->tables[name];
    scan.shape_only = false;
    scan.all_files = true;
  }
  if (depth >= kMaxViewDepth) return;
  for (const auto& [key, view] : ctx.views) {
    if (words.count(key) > 0) PlanByName(view.sql, ctx, depth + 1, plan);
  }
}

}  // namespace

ScanPlan QueryPlanner::Plan(duckdb_connection conn, std::string_view sql,
                            const PlannerContext& ctx) {
  ScanPlan plan;
  Walker walker(conn, ctx);
  if (!walker.Walk(sql, 0)) {
    PlanByName(sql, ctx, 0, &plan);
  } else {
    plan.analyzed = true;
    Evaluate(conn, &walker.constants());
    for (const Ref& ref : walker.refs()) {
      TableScan& scan = plan.tables[ref.table];
      if (ref.shape_only) continue;
      scan.shape_only = false;
      if (ref.conds.empty()) scan.all_files = true;
    }
    for (auto& [name, scan] : plan.tables) {
      if (scan.shape_only || scan.all_files) continue;
      const PlannerTable& table = ctx.tables.at(name);
      if (table.table == nullptr) continue;
      FileFilter filter(table, walker.constants());
      for (const auto& [path, f] : table.table->files) {
        for (const Ref& ref : walker.refs()) {
          if (ref.table != name || ref.shape_only) continue;
          bool keep =
              std::all_of(ref.conds.begin(), ref.conds.end(),
                          [&, &file = f](const Cond& c) { return filter.MayMatch(file, c); });
          if (keep) {
            scan.files.push_back(&f);
            break;
          }
        }
      }
    }
  }
  for (auto& [name, scan] : plan.tables) {
    if (scan.shape_only) continue;
    const CatalogTable* t = ctx.tables.at(name).table;
    uint64_t total = t != nullptr ? t->files.size() : 0;
    plan.files_total += total;
    if (!scan.all_files) plan.files_pruned += total - scan.files.size();
  }
  return plan;
}

}  // namespace gamelake
