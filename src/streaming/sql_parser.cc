#include "streaming/sql_parser.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "streaming/sql_lexer.h"
#include "streaming/sql_reserved_words.h"

namespace gamelake {
namespace {

using FrameUnit = SqlWindowSpec::FrameUnit;

SqlPos PosOf(const SqlToken& t) { return SqlPos{t.line, t.column}; }

SqlExprPtr NewExpr(SqlExprKind kind, SqlPos pos) {
  auto e = std::make_unique<SqlExpr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

SqlExprPtr NewBinary(std::string op, SqlExprPtr left, SqlExprPtr right) {
  SqlExprPtr e = NewExpr(SqlExprKind::kBinary, left->pos);
  e->op = std::move(op);
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return e;
}

// Counts one level of nesting for as long as it lives.
class DepthGuard {
 public:
  explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int& depth_;
};

bool IsComparison(const SqlToken& t) {
  if (t.kind != SqlTokenKind::kSymbol) return false;
  return t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" || t.text == "<=" ||
         t.text == ">" || t.text == ">=";
}

// Recursive descent over one token list; one instance per parse.
class Parser {
 public:
  explicit Parser(std::vector<SqlToken> tokens) : tokens_(std::move(tokens)) {}

  Result<SqlProgram> Program();
  Result<SqlExprPtr> StandaloneExpression();
  Result<SqlType> StandaloneType();

 private:
  // Tokens.
  const SqlToken& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const SqlToken& Next() {
    const SqlToken& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool AtEnd() const { return Peek().kind == SqlTokenKind::kEnd; }
  bool AcceptWord(std::string_view w);
  bool AcceptSymbol(std::string_view s);
  Status ExpectWord(std::string_view w);
  Status ExpectSymbol(std::string_view s);
  Status Expected(std::string_view what) const;
  Status CheckDepth() const;
  bool PeekIdentifier(size_t ahead = 0) const;
  Result<SqlIdentifier> Identifier(std::string_view what, bool allow_rowtime = false);
  Result<std::optional<SqlIdentifier>> OptionalAlias();
  Result<int64_t> Integer(std::string_view what);
  Result<SqlTimeUnit> TimeUnit();

  // Statements.
  Result<SqlStatement> Statement();
  Result<SqlCreateStream> CreateStream();
  Result<SqlColumnDef> ColumnDef();
  Result<SqlType> Type();
  Status TypeArguments(SqlType& type);
  Result<SqlCreatePump> CreatePump();

  // Queries.
  Result<std::unique_ptr<SqlSelect>> Select();
  Status SelectClauses(SqlSelect& s);
  Result<SqlSelectItem> SelectItem();
  Result<SqlTableRef> TableRef();
  Status TableRefSuffix(SqlTableRef& ref);
  Result<bool> JoinType(SqlJoin::Type& type);
  Status Joins(SqlSelect& s);
  Status NamedWindows(SqlSelect& s);
  Result<std::unique_ptr<SqlWindowSpec>> WindowSpec(bool stagger);
  Status Frame(SqlWindowSpec& w, bool stagger);
  Result<SqlFrameBound> FrameBound(bool stagger);
  Result<std::vector<SqlExprPtr>> ExprList();
  Result<std::vector<SqlOrderItem>> OrderList();

  // Expressions, lowest precedence first.
  Result<SqlExprPtr> Expr();
  Result<SqlExprPtr> Or();
  Result<SqlExprPtr> And();
  Result<SqlExprPtr> Not();
  Result<SqlExprPtr> Predicate();
  Result<SqlExprPtr> PredicateSuffix(SqlExprPtr left, bool& matched);
  Result<SqlExprPtr> Between(SqlExprPtr left, bool negated);
  Result<SqlExprPtr> InList(SqlExprPtr left, bool negated);
  Result<SqlExprPtr> Like(SqlExprPtr left, bool negated, SqlExprKind kind);
  Result<SqlExprPtr> Concat();
  Result<SqlExprPtr> Additive();
  Result<SqlExprPtr> Multiplicative();
  Result<SqlExprPtr> Unary();
  Result<SqlExprPtr> Primary();
  Result<SqlExprPtr> WordPrimary();
  Result<SqlExprPtr> SpecialForm();
  Result<SqlExprPtr> NumberLiteral();
  Result<SqlExprPtr> TypedLiteral(SqlLiteralKind kind);
  Result<SqlExprPtr> Interval();
  Result<SqlExprPtr> Case();
  Result<SqlExprPtr> Cast(SqlPos pos);
  Result<SqlExprPtr> Extract(SqlPos pos);
  Result<SqlExprPtr> Position(SqlPos pos);
  Result<SqlExprPtr> Substring(SqlPos pos);
  Result<SqlExprPtr> Trim(SqlPos pos);
  Result<SqlExprPtr> FloorCeil(SqlPos pos, const std::string& name);
  Result<SqlExprPtr> Step(SqlPos pos);
  Result<SqlExprPtr> Cursor(SqlPos pos);
  Result<SqlExprPtr> NameExpr();
  Result<SqlExprPtr> FunctionCall();
  Status FunctionArguments(SqlExpr& call);
  Status Over(SqlExpr& call);

  std::vector<SqlToken> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// ---- Tokens ----

bool Parser::AcceptWord(std::string_view w) {
  if (!Peek().IsWord(w)) return false;
  Next();
  return true;
}

bool Parser::AcceptSymbol(std::string_view s) {
  if (!Peek().IsSymbol(s)) return false;
  Next();
  return true;
}

Status Parser::ExpectWord(std::string_view w) { return AcceptWord(w) ? Status::OK() : Expected(w); }

Status Parser::ExpectSymbol(std::string_view s) {
  return AcceptSymbol(s) ? Status::OK() : Expected("'" + std::string(s) + "'");
}

Status Parser::Expected(std::string_view what) const {
  const SqlToken& t = Peek();
  std::string found =
      t.kind == SqlTokenKind::kEnd ? "end of input" : "'" + std::string(t.raw) + "'";
  return Status::InvalidArgument(std::to_string(t.line) + ":" + std::to_string(t.column) +
                                 ": expected " + std::string(what) + ", found " + found);
}

Status Parser::CheckDepth() const {
  if (depth_ <= kMaxSqlNestingDepth) return Status::OK();
  const SqlToken& t = Peek();
  return Status::InvalidArgument(std::to_string(t.line) + ":" + std::to_string(t.column) +
                                 ": nesting deeper than " + std::to_string(kMaxSqlNestingDepth) +
                                 " levels");
}

// A quoted identifier, or a word that is not reserved.
bool Parser::PeekIdentifier(size_t ahead) const {
  const SqlToken& t = Peek(ahead);
  if (t.kind == SqlTokenKind::kQuotedIdentifier) return true;
  return t.kind == SqlTokenKind::kWord && !IsSqlReservedWord(t.text);
}

Result<SqlIdentifier> Parser::Identifier(std::string_view what, bool allow_rowtime) {
  if (!PeekIdentifier() && !(allow_rowtime && Peek().IsWord("ROWTIME"))) return Expected(what);
  const SqlToken& t = Next();
  return SqlIdentifier{t.text, t.kind == SqlTokenKind::kQuotedIdentifier, PosOf(t)};
}

// [AS] alias; without AS only a quoted identifier or a word that starts no clause.
Result<std::optional<SqlIdentifier>> Parser::OptionalAlias() {
  if (AcceptWord("AS")) {
    GL_ASSIGN_OR_RETURN(SqlIdentifier id, Identifier("an alias", /*allow_rowtime=*/true));
    return std::optional<SqlIdentifier>(std::move(id));
  }
  if (!PeekIdentifier() || Peek().IsWord("WINDOWED")) return std::optional<SqlIdentifier>();
  GL_ASSIGN_OR_RETURN(SqlIdentifier id, Identifier("an alias"));
  return std::optional<SqlIdentifier>(std::move(id));
}

Result<int64_t> Parser::Integer(std::string_view what) {
  const SqlToken& t = Peek();
  int64_t v = 0;
  if (t.kind != SqlTokenKind::kNumber) return Expected(what);
  auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (ec != std::errc() || end != t.text.data() + t.text.size()) return Expected(what);
  Next();
  return v;
}

Result<SqlTimeUnit> Parser::TimeUnit() {
  static constexpr std::pair<std::string_view, SqlTimeUnit> kUnits[] = {
      {"YEAR", SqlTimeUnit::kYear},
      {"MONTH", SqlTimeUnit::kMonth},
      {"DAY", SqlTimeUnit::kDay},
      {"HOUR", SqlTimeUnit::kHour},
      {"MINUTE", SqlTimeUnit::kMinute},
      {"SECOND", SqlTimeUnit::kSecond},
      {"MILLISECOND", SqlTimeUnit::kMillisecond},
  };
  for (const auto& [name, unit] : kUnits) {
    if (AcceptWord(name)) return unit;
  }
  return Expected("a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)");
}

// ---- Statements ----

Result<SqlProgram> Parser::Program() {
  SqlProgram program;
  while (true) {
    while (AcceptSymbol(";")) {
    }
    if (AtEnd()) break;
    GL_ASSIGN_OR_RETURN(SqlStatement s, Statement());
    program.statements.push_back(std::move(s));
    if (!AtEnd()) GL_RETURN_IF_ERROR(ExpectSymbol(";"));
  }
  if (program.statements.empty()) {
    return Expected("a statement (CREATE STREAM or CREATE PUMP)");
  }
  return program;
}

Result<SqlExprPtr> Parser::StandaloneExpression() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr e, Expr());
  if (!AtEnd()) return Expected("end of expression");
  return e;
}

Result<SqlType> Parser::StandaloneType() {
  GL_ASSIGN_OR_RETURN(SqlType type, Type());
  if (!AtEnd()) return Expected("end of type");
  return type;
}

Result<SqlStatement> Parser::Statement() {
  SqlStatement s;
  s.pos = PosOf(Peek());
  GL_RETURN_IF_ERROR(ExpectWord("CREATE"));
  bool or_replace = false;
  if (AcceptWord("OR")) {
    GL_RETURN_IF_ERROR(ExpectWord("REPLACE"));
    or_replace = true;
  }
  if (AcceptWord("STREAM")) {
    s.kind = SqlStatement::Kind::kCreateStream;
    GL_ASSIGN_OR_RETURN(s.create_stream, CreateStream());
    s.create_stream.or_replace = or_replace;
  } else if (AcceptWord("PUMP")) {
    s.kind = SqlStatement::Kind::kCreatePump;
    GL_ASSIGN_OR_RETURN(s.create_pump, CreatePump());
    s.create_pump.or_replace = or_replace;
  } else {
    return Expected("STREAM or PUMP");
  }
  return s;
}

Result<SqlCreateStream> Parser::CreateStream() {
  SqlCreateStream cs;
  GL_ASSIGN_OR_RETURN(cs.name, Identifier("a stream name"));
  GL_RETURN_IF_ERROR(ExpectSymbol("("));
  do {
    GL_ASSIGN_OR_RETURN(SqlColumnDef col, ColumnDef());
    cs.columns.push_back(std::move(col));
  } while (AcceptSymbol(","));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return cs;
}

Result<SqlColumnDef> Parser::ColumnDef() {
  SqlColumnDef col;
  GL_ASSIGN_OR_RETURN(col.name, Identifier("a column name"));
  GL_ASSIGN_OR_RETURN(col.type, Type());
  if (AcceptWord("NOT")) {
    GL_RETURN_IF_ERROR(ExpectWord("NULL"));
    col.not_null = true;
  } else {
    AcceptWord("NULL");
  }
  return col;
}

Result<SqlType> Parser::Type() {
  using K = SqlType::Kind;
  static constexpr std::pair<std::string_view, K> kTypes[] = {
      {"INTEGER", K::kInteger},   {"INT", K::kInteger},     {"BIGINT", K::kBigint},
      {"SMALLINT", K::kSmallint}, {"TINYINT", K::kTinyint}, {"DOUBLE", K::kDouble},
      {"REAL", K::kReal},         {"FLOAT", K::kFloat},     {"DECIMAL", K::kDecimal},
      {"DEC", K::kDecimal},       {"NUMERIC", K::kNumeric}, {"VARCHAR", K::kVarchar},
      {"CHAR", K::kChar},         {"CHARACTER", K::kChar},  {"VARBINARY", K::kVarbinary},
      {"BINARY", K::kBinary},     {"BOOLEAN", K::kBoolean}, {"TIMESTAMP", K::kTimestamp},
      {"DATE", K::kDate},         {"TIME", K::kTime},
  };
  SqlType type;
  type.pos = PosOf(Peek());
  bool found = false;
  for (const auto& [name, kind] : kTypes) {
    if (AcceptWord(name)) {
      type.kind = kind;
      found = true;
      break;
    }
  }
  if (!found) return Expected("a type");
  if (type.kind == K::kDouble) AcceptWord("PRECISION");
  if (type.kind == K::kChar && AcceptWord("VARYING")) type.kind = K::kVarchar;
  GL_RETURN_IF_ERROR(TypeArguments(type));
  return type;
}

// (n) for strings and binaries (required for VARCHAR/VARBINARY), (p[, s]) for
// DECIMAL and NUMERIC.
Status Parser::TypeArguments(SqlType& type) {
  using K = SqlType::Kind;
  bool sized = type.kind == K::kVarchar || type.kind == K::kChar || type.kind == K::kVarbinary ||
               type.kind == K::kBinary;
  bool exact = type.kind == K::kDecimal || type.kind == K::kNumeric;
  if (!Peek().IsSymbol("(")) {
    if (type.kind == K::kVarchar || type.kind == K::kVarbinary) return ExpectSymbol("(");
    return Status::OK();
  }
  if (!sized && !exact) return Status::OK();
  Next();
  GL_ASSIGN_OR_RETURN(int64_t first, Integer(sized ? "a length" : "a precision"));
  if (first < 1 || first > 1'000'000)
    return Status::InvalidArgument(std::to_string(type.pos.line) + ":" +
                                   std::to_string(type.pos.column) +
                                   ": type size out of range (1 to 1000000)");
  (sized ? type.length : type.precision) = static_cast<int>(first);
  if (exact && AcceptSymbol(",")) {
    GL_ASSIGN_OR_RETURN(int64_t scale, Integer("a scale"));
    if (scale > first) return Expected("a scale no larger than the precision");
    type.scale = static_cast<int>(scale);
  }
  return ExpectSymbol(")");
}

Result<SqlCreatePump> Parser::CreatePump() {
  SqlCreatePump pump;
  GL_ASSIGN_OR_RETURN(pump.name, Identifier("a pump name"));
  GL_RETURN_IF_ERROR(ExpectWord("AS"));
  GL_RETURN_IF_ERROR(ExpectWord("INSERT"));
  GL_RETURN_IF_ERROR(ExpectWord("INTO"));
  GL_ASSIGN_OR_RETURN(pump.target, Identifier("a stream name"));
  if (AcceptSymbol("(")) {
    do {
      GL_ASSIGN_OR_RETURN(SqlIdentifier col, Identifier("a column name"));
      pump.target_columns.push_back(std::move(col));
    } while (AcceptSymbol(","));
    GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  }
  GL_ASSIGN_OR_RETURN(pump.query, Select());
  return pump;
}

// ---- Queries ----

Result<std::unique_ptr<SqlSelect>> Parser::Select() {
  DepthGuard guard(depth_);
  GL_RETURN_IF_ERROR(CheckDepth());
  auto s = std::make_unique<SqlSelect>();
  s->pos = PosOf(Peek());
  GL_RETURN_IF_ERROR(ExpectWord("SELECT"));
  s->stream = AcceptWord("STREAM");
  s->distinct = AcceptWord("DISTINCT");
  if (!s->distinct) AcceptWord("ALL");
  do {
    GL_ASSIGN_OR_RETURN(SqlSelectItem item, SelectItem());
    s->items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  GL_RETURN_IF_ERROR(ExpectWord("FROM"));
  GL_ASSIGN_OR_RETURN(s->from, TableRef());
  GL_RETURN_IF_ERROR(Joins(*s));
  GL_RETURN_IF_ERROR(SelectClauses(*s));
  if (AcceptWord("UNION")) {
    GL_RETURN_IF_ERROR(ExpectWord("ALL"));
    GL_ASSIGN_OR_RETURN(s->union_all, Select());
  }
  return s;
}

// WHERE, GROUP BY, HAVING, WINDOW, WINDOWED BY STAGGER, ORDER BY, in that order.
Status Parser::SelectClauses(SqlSelect& s) {
  if (AcceptWord("WHERE")) {
    GL_ASSIGN_OR_RETURN(s.where, Expr());
  }
  if (AcceptWord("GROUP")) {
    GL_RETURN_IF_ERROR(ExpectWord("BY"));
    GL_ASSIGN_OR_RETURN(s.group_by, ExprList());
  }
  if (AcceptWord("HAVING")) {
    GL_ASSIGN_OR_RETURN(s.having, Expr());
  }
  if (AcceptWord("WINDOW")) GL_RETURN_IF_ERROR(NamedWindows(s));
  if (AcceptWord("WINDOWED")) {
    GL_RETURN_IF_ERROR(ExpectWord("BY"));
    // SESSION is gamelake's: a gap-based window, written like STAGGER.
    s.session = AcceptWord("SESSION");
    if (!s.session) GL_RETURN_IF_ERROR(ExpectWord("STAGGER"));
    GL_ASSIGN_OR_RETURN(s.stagger, WindowSpec(/*stagger=*/true));
  }
  if (AcceptWord("ORDER")) {
    GL_RETURN_IF_ERROR(ExpectWord("BY"));
    GL_ASSIGN_OR_RETURN(s.order_by, OrderList());
  }
  return Status::OK();
}

Result<SqlSelectItem> Parser::SelectItem() {
  SqlSelectItem item;
  if (Peek().IsSymbol("*")) {
    item.expr = NewExpr(SqlExprKind::kStar, PosOf(Next()));
    return item;
  }
  GL_ASSIGN_OR_RETURN(item.expr, Expr());
  GL_ASSIGN_OR_RETURN(item.alias, OptionalAlias());
  return item;
}

// stream | (subquery) | TABLE(function(...)), then [OVER (...)] [[AS] alias] [OVER (...)].
Result<SqlTableRef> Parser::TableRef() {
  SqlTableRef ref;
  ref.pos = PosOf(Peek());
  if (AcceptWord("TABLE")) {
    ref.kind = SqlTableRef::Kind::kTableFunction;
    GL_RETURN_IF_ERROR(ExpectSymbol("("));
    if (!PeekIdentifier() && Peek().kind != SqlTokenKind::kWord) return Expected("a function");
    GL_ASSIGN_OR_RETURN(ref.table_function, FunctionCall());
    GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  } else if (AcceptSymbol("(")) {
    ref.kind = SqlTableRef::Kind::kSubquery;
    GL_ASSIGN_OR_RETURN(ref.subquery, Select());
    GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  } else {
    GL_ASSIGN_OR_RETURN(ref.stream, Identifier("a stream name"));
  }
  GL_RETURN_IF_ERROR(TableRefSuffix(ref));
  return ref;
}

Status Parser::TableRefSuffix(SqlTableRef& ref) {
  if (AcceptWord("OVER")) {
    GL_ASSIGN_OR_RETURN(ref.over, WindowSpec(false));
  }
  GL_ASSIGN_OR_RETURN(ref.alias, OptionalAlias());
  if (!ref.over && AcceptWord("OVER")) {
    GL_ASSIGN_OR_RETURN(ref.over, WindowSpec(false));
  }
  return Status::OK();
}

// Reads a join's type up to and including JOIN; false when no join follows.
Result<bool> Parser::JoinType(SqlJoin::Type& type) {
  using T = SqlJoin::Type;
  static constexpr std::pair<std::string_view, T> kTypes[] = {
      {"LEFT", T::kLeft}, {"RIGHT", T::kRight}, {"FULL", T::kFull}};
  type = T::kInner;
  if (AcceptWord("JOIN")) return true;
  if (AcceptWord("CROSS")) type = T::kCross;
  if (type == T::kCross || AcceptWord("INNER")) {
    GL_RETURN_IF_ERROR(ExpectWord("JOIN"));
    return true;
  }
  for (const auto& [name, t] : kTypes) {
    if (AcceptWord(name)) {
      type = t;
      AcceptWord("OUTER");
      GL_RETURN_IF_ERROR(ExpectWord("JOIN"));
      return true;
    }
  }
  return false;
}

Status Parser::Joins(SqlSelect& s) {
  while (true) {
    SqlJoin join;
    join.pos = PosOf(Peek());
    GL_ASSIGN_OR_RETURN(bool found, JoinType(join.type));
    if (!found) return Status::OK();
    GL_ASSIGN_OR_RETURN(join.right, TableRef());
    if (join.type != SqlJoin::Type::kCross) {
      GL_RETURN_IF_ERROR(ExpectWord("ON"));
      GL_ASSIGN_OR_RETURN(join.on, Expr());
    }
    s.joins.push_back(std::move(join));
  }
}

Status Parser::NamedWindows(SqlSelect& s) {
  do {
    SqlNamedWindow w;
    GL_ASSIGN_OR_RETURN(w.name, Identifier("a window name"));
    GL_RETURN_IF_ERROR(ExpectWord("AS"));
    GL_ASSIGN_OR_RETURN(std::unique_ptr<SqlWindowSpec> spec, WindowSpec(false));
    w.spec = std::move(*spec);
    s.windows.push_back(std::move(w));
  } while (AcceptSymbol(","));
  return Status::OK();
}

// ( [reference] [PARTITION BY ...] [ORDER BY ...] [RANGE|ROWS frame] )
Result<std::unique_ptr<SqlWindowSpec>> Parser::WindowSpec(bool stagger) {
  auto w = std::make_unique<SqlWindowSpec>();
  w->pos = PosOf(Peek());
  GL_RETURN_IF_ERROR(ExpectSymbol("("));
  if (PeekIdentifier()) {
    GL_ASSIGN_OR_RETURN(w->reference, Identifier("a window name"));
  }
  if (AcceptWord("PARTITION")) {
    GL_RETURN_IF_ERROR(ExpectWord("BY"));
    GL_ASSIGN_OR_RETURN(w->partition_by, ExprList());
  }
  if (AcceptWord("ORDER")) {
    GL_RETURN_IF_ERROR(ExpectWord("BY"));
    GL_ASSIGN_OR_RETURN(w->order_by, OrderList());
  }
  GL_RETURN_IF_ERROR(Frame(*w, stagger));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return w;
}

Status Parser::Frame(SqlWindowSpec& w, bool stagger) {
  if (AcceptWord("RANGE")) {
    w.frame_unit = FrameUnit::kRange;
  } else if (AcceptWord("ROWS")) {
    w.frame_unit = FrameUnit::kRows;
  } else {
    return stagger ? Expected("RANGE") : Status::OK();
  }
  if (!stagger && AcceptWord("BETWEEN")) {
    GL_ASSIGN_OR_RETURN(w.frame_start, FrameBound(false));
    GL_RETURN_IF_ERROR(ExpectWord("AND"));
    GL_ASSIGN_OR_RETURN(SqlFrameBound end, FrameBound(false));
    w.frame_end = std::move(end);
    return Status::OK();
  }
  GL_ASSIGN_OR_RETURN(w.frame_start, FrameBound(stagger));
  return Status::OK();
}

Result<SqlFrameBound> Parser::FrameBound(bool stagger) {
  using K = SqlFrameBound::Kind;
  SqlFrameBound b;
  if (AcceptWord("UNBOUNDED")) {
    if (AcceptWord("PRECEDING")) return SqlFrameBound{K::kUnboundedPreceding, nullptr};
    GL_RETURN_IF_ERROR(ExpectWord("FOLLOWING"));
    return SqlFrameBound{K::kUnboundedFollowing, nullptr};
  }
  if (AcceptWord("CURRENT")) {
    GL_RETURN_IF_ERROR(ExpectWord("ROW"));
    return SqlFrameBound{K::kCurrentRow, nullptr};
  }
  GL_ASSIGN_OR_RETURN(b.offset, Unary());
  if (stagger) {
    b.kind = K::kLength;
  } else if (AcceptWord("PRECEDING")) {
    b.kind = K::kPreceding;
  } else if (AcceptWord("FOLLOWING")) {
    b.kind = K::kFollowing;
  } else {
    return Expected("PRECEDING or FOLLOWING");
  }
  return b;
}

Result<std::vector<SqlExprPtr>> Parser::ExprList() {
  std::vector<SqlExprPtr> list;
  do {
    GL_ASSIGN_OR_RETURN(SqlExprPtr e, Expr());
    list.push_back(std::move(e));
  } while (AcceptSymbol(","));
  return list;
}

Result<std::vector<SqlOrderItem>> Parser::OrderList() {
  std::vector<SqlOrderItem> list;
  do {
    SqlOrderItem item;
    GL_ASSIGN_OR_RETURN(item.expr, Expr());
    if (AcceptWord("DESC")) {
      item.descending = true;
    } else {
      AcceptWord("ASC");
    }
    list.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return list;
}

// ---- Expressions ----

Result<SqlExprPtr> Parser::Expr() {
  DepthGuard guard(depth_);
  GL_RETURN_IF_ERROR(CheckDepth());
  return Or();
}

Result<SqlExprPtr> Parser::Or() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, And());
  while (AcceptWord("OR")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, And());
    left = NewBinary("OR", std::move(left), std::move(right));
  }
  return left;
}

Result<SqlExprPtr> Parser::And() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, Not());
  while (AcceptWord("AND")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, Not());
    left = NewBinary("AND", std::move(left), std::move(right));
  }
  return left;
}

Result<SqlExprPtr> Parser::Not() {
  if (!Peek().IsWord("NOT")) return Predicate();
  DepthGuard guard(depth_);
  GL_RETURN_IF_ERROR(CheckDepth());
  SqlExprPtr e = NewExpr(SqlExprKind::kUnary, PosOf(Next()));
  e->op = "NOT";
  GL_ASSIGN_OR_RETURN(SqlExprPtr operand, Not());
  e->args.push_back(std::move(operand));
  return e;
}

Result<SqlExprPtr> Parser::Predicate() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, Concat());
  while (true) {
    bool matched = false;
    GL_ASSIGN_OR_RETURN(left, PredicateSuffix(std::move(left), matched));
    if (!matched) return left;
  }
}

// One comparison, IS [NOT] NULL, [NOT] BETWEEN / IN / LIKE / SIMILAR TO after `left`.
Result<SqlExprPtr> Parser::PredicateSuffix(SqlExprPtr left, bool& matched) {
  matched = true;
  if (IsComparison(Peek())) {
    std::string op = Next().text;
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, Concat());
    return NewBinary(op == "!=" ? "<>" : op, std::move(left), std::move(right));
  }
  if (AcceptWord("IS")) {
    SqlExprPtr e = NewExpr(SqlExprKind::kIsNull, left->pos);
    e->negated = AcceptWord("NOT");
    GL_RETURN_IF_ERROR(ExpectWord("NULL"));
    e->args.push_back(std::move(left));
    return e;
  }
  size_t at = Peek().IsWord("NOT") ? 1 : 0;
  const SqlToken& t = Peek(at);
  bool negated = at == 1;
  if (t.IsWord("BETWEEN") || t.IsWord("IN") || t.IsWord("LIKE") || t.IsWord("SIMILAR")) {
    if (negated) Next();
    std::string word = Next().text;
    if (word == "BETWEEN") return Between(std::move(left), negated);
    if (word == "IN") return InList(std::move(left), negated);
    if (word == "LIKE") return Like(std::move(left), negated, SqlExprKind::kLike);
    GL_RETURN_IF_ERROR(ExpectWord("TO"));
    return Like(std::move(left), negated, SqlExprKind::kSimilarTo);
  }
  matched = false;
  return left;
}

Result<SqlExprPtr> Parser::Between(SqlExprPtr left, bool negated) {
  SqlExprPtr e = NewExpr(SqlExprKind::kBetween, left->pos);
  e->negated = negated;
  e->args.push_back(std::move(left));
  GL_ASSIGN_OR_RETURN(SqlExprPtr low, Concat());
  GL_RETURN_IF_ERROR(ExpectWord("AND"));
  GL_ASSIGN_OR_RETURN(SqlExprPtr high, Concat());
  e->args.push_back(std::move(low));
  e->args.push_back(std::move(high));
  return e;
}

Result<SqlExprPtr> Parser::InList(SqlExprPtr left, bool negated) {
  SqlExprPtr e = NewExpr(SqlExprKind::kInList, left->pos);
  e->negated = negated;
  e->args.push_back(std::move(left));
  GL_RETURN_IF_ERROR(ExpectSymbol("("));
  GL_ASSIGN_OR_RETURN(std::vector<SqlExprPtr> list, ExprList());
  for (SqlExprPtr& item : list) e->args.push_back(std::move(item));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

Result<SqlExprPtr> Parser::Like(SqlExprPtr left, bool negated, SqlExprKind kind) {
  SqlExprPtr e = NewExpr(kind, left->pos);
  e->negated = negated;
  e->args.push_back(std::move(left));
  GL_ASSIGN_OR_RETURN(SqlExprPtr pattern, Concat());
  e->args.push_back(std::move(pattern));
  if (AcceptWord("ESCAPE")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr escape, Concat());
    e->args.push_back(std::move(escape));
  }
  return e;
}

Result<SqlExprPtr> Parser::Concat() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, Additive());
  while (AcceptSymbol("||")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, Additive());
    left = NewBinary("||", std::move(left), std::move(right));
  }
  return left;
}

Result<SqlExprPtr> Parser::Additive() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, Multiplicative());
  while (Peek().IsSymbol("+") || Peek().IsSymbol("-")) {
    std::string op = Next().text;
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, Multiplicative());
    left = NewBinary(op, std::move(left), std::move(right));
  }
  return left;
}

Result<SqlExprPtr> Parser::Multiplicative() {
  GL_ASSIGN_OR_RETURN(SqlExprPtr left, Unary());
  while (Peek().IsSymbol("*") || Peek().IsSymbol("/")) {
    std::string op = Next().text;
    GL_ASSIGN_OR_RETURN(SqlExprPtr right, Unary());
    left = NewBinary(op, std::move(left), std::move(right));
  }
  return left;
}

Result<SqlExprPtr> Parser::Unary() {
  if (!Peek().IsSymbol("-") && !Peek().IsSymbol("+")) return Primary();
  DepthGuard guard(depth_);
  GL_RETURN_IF_ERROR(CheckDepth());
  SqlExprPtr e = NewExpr(SqlExprKind::kUnary, PosOf(Peek()));
  e->op = Next().text;
  GL_ASSIGN_OR_RETURN(SqlExprPtr operand, Unary());
  e->args.push_back(std::move(operand));
  return e;
}

Result<SqlExprPtr> Parser::Primary() {
  const SqlToken& t = Peek();
  switch (t.kind) {
    case SqlTokenKind::kNumber:
      return NumberLiteral();
    case SqlTokenKind::kString: {
      SqlExprPtr e = NewExpr(SqlExprKind::kLiteral, PosOf(t));
      e->literal_kind = SqlLiteralKind::kString;
      e->text = Next().text;
      return e;
    }
    case SqlTokenKind::kQuotedIdentifier:
      return NameExpr();
    case SqlTokenKind::kWord:
      return WordPrimary();
    case SqlTokenKind::kSymbol:
      if (t.IsSymbol("(")) {
        Next();
        GL_ASSIGN_OR_RETURN(SqlExprPtr inner, Expr());
        GL_RETURN_IF_ERROR(ExpectSymbol(")"));
        return inner;
      }
      break;
    case SqlTokenKind::kEnd:
      break;
  }
  return Expected("an expression");
}

Result<SqlExprPtr> Parser::NumberLiteral() {
  const SqlToken& t = Next();
  SqlExprPtr e = NewExpr(SqlExprKind::kLiteral, PosOf(t));
  e->text = t.text;
  if (t.text.find_first_of("eE") != std::string::npos) {
    e->literal_kind = SqlLiteralKind::kApproximate;
  } else if (t.text.find('.') != std::string::npos) {
    e->literal_kind = SqlLiteralKind::kDecimal;
  } else {
    e->literal_kind = SqlLiteralKind::kInteger;
  }
  return e;
}

Result<SqlExprPtr> Parser::WordPrimary() {
  const SqlToken& t = Peek();
  SqlPos pos = PosOf(t);
  if (t.IsWord("TRUE") || t.IsWord("FALSE") || t.IsWord("NULL") || t.IsWord("UNKNOWN")) {
    SqlExprPtr e = NewExpr(SqlExprKind::kLiteral, pos);
    e->literal_kind =
        t.IsWord("TRUE") || t.IsWord("FALSE") ? SqlLiteralKind::kBoolean : SqlLiteralKind::kNull;
    e->text = Next().text;
    return e;
  }
  if (Peek(1).kind == SqlTokenKind::kString) {
    if (t.IsWord("TIMESTAMP")) return TypedLiteral(SqlLiteralKind::kTimestamp);
    if (t.IsWord("DATE")) return TypedLiteral(SqlLiteralKind::kDate);
    if (t.IsWord("TIME")) return TypedLiteral(SqlLiteralKind::kTime);
  }
  if (t.IsWord("INTERVAL")) return Interval();
  if (t.IsWord("CASE")) return Case();
  if (Peek(1).IsSymbol("(")) return SpecialForm();
  static constexpr std::string_view kNiladic[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE",
                                                  "CURRENT_TIME",      "LOCALTIME",
                                                  "LOCALTIMESTAMP",    "CURRENT_ROW_TIMESTAMP"};
  for (std::string_view name : kNiladic) {
    if (t.IsWord(name)) {
      SqlExprPtr e = NewExpr(SqlExprKind::kFunction, pos);
      e->text = Next().text;
      return e;
    }
  }
  return NameExpr();
}

// The functions with a syntax of their own; any other name( is a call.
Result<SqlExprPtr> Parser::SpecialForm() {
  SqlPos pos = PosOf(Peek());
  std::string name = Peek().text;
  if (name == "CAST") return Cast(pos);
  if (name == "EXTRACT") return Extract(pos);
  if (name == "POSITION") return Position(pos);
  if (name == "SUBSTRING") return Substring(pos);
  if (name == "TRIM") return Trim(pos);
  if (name == "FLOOR" || name == "CEIL" || name == "CEILING") return FloorCeil(pos, name);
  if (name == "STEP") return Step(pos);
  if (name == "CURSOR") return Cursor(pos);
  // TODO(streaming): the binder refuses RANDOM_CUT_FOREST,
  // RANDOM_CUT_FOREST_WITH_EXPLANATION and HOTSPOTS by name, saying gamelake
  // does not support them; they parse as ordinary calls here on purpose.
  return FunctionCall();
}

Result<SqlExprPtr> Parser::TypedLiteral(SqlLiteralKind kind) {
  SqlExprPtr e = NewExpr(SqlExprKind::kLiteral, PosOf(Next()));
  e->literal_kind = kind;
  e->text = Next().text;
  return e;
}

// INTERVAL [+|-] 'text' unit [(precision)] [TO unit]
Result<SqlExprPtr> Parser::Interval() {
  SqlExprPtr e = NewExpr(SqlExprKind::kLiteral, PosOf(Next()));
  e->literal_kind = SqlLiteralKind::kInterval;
  if (AcceptSymbol("-")) {
    e->interval.negative = true;
  } else {
    AcceptSymbol("+");
  }
  if (Peek().kind != SqlTokenKind::kString) return Expected("a quoted interval value");
  e->text = Next().text;
  GL_ASSIGN_OR_RETURN(e->interval.start, TimeUnit());
  if (AcceptSymbol("(")) {
    GL_ASSIGN_OR_RETURN(int64_t p, Integer("an interval precision"));
    e->interval.precision = static_cast<int>(std::min<int64_t>(p, 1000));
    GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  }
  if (AcceptWord("TO")) {
    GL_ASSIGN_OR_RETURN(e->interval.end, TimeUnit());
  }
  return e;
}

Result<SqlExprPtr> Parser::Case() {
  SqlExprPtr e = NewExpr(SqlExprKind::kCase, PosOf(Next()));
  if (!Peek().IsWord("WHEN") && !Peek().IsWord("END")) {
    GL_ASSIGN_OR_RETURN(e->case_operand, Expr());
  }
  if (!Peek().IsWord("WHEN")) return Expected("WHEN");
  while (AcceptWord("WHEN")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr when, Expr());
    GL_RETURN_IF_ERROR(ExpectWord("THEN"));
    GL_ASSIGN_OR_RETURN(SqlExprPtr then, Expr());
    e->args.push_back(std::move(when));
    e->args.push_back(std::move(then));
  }
  if (AcceptWord("ELSE")) {
    GL_ASSIGN_OR_RETURN(e->else_expr, Expr());
  }
  GL_RETURN_IF_ERROR(ExpectWord("END"));
  return e;
}

Result<SqlExprPtr> Parser::Cast(SqlPos pos) {
  Next();
  Next();  // CAST (
  SqlExprPtr e = NewExpr(SqlExprKind::kCast, pos);
  GL_ASSIGN_OR_RETURN(SqlExprPtr value, Expr());
  e->args.push_back(std::move(value));
  GL_RETURN_IF_ERROR(ExpectWord("AS"));
  GL_ASSIGN_OR_RETURN(e->type, Type());
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

Result<SqlExprPtr> Parser::Extract(SqlPos pos) {
  Next();
  Next();  // EXTRACT (
  SqlExprPtr e = NewExpr(SqlExprKind::kExtract, pos);
  GL_ASSIGN_OR_RETURN(e->unit, TimeUnit());
  GL_RETURN_IF_ERROR(ExpectWord("FROM"));
  GL_ASSIGN_OR_RETURN(SqlExprPtr value, Expr());
  e->args.push_back(std::move(value));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

Result<SqlExprPtr> Parser::Position(SqlPos pos) {
  Next();
  Next();  // POSITION (
  SqlExprPtr e = NewExpr(SqlExprKind::kPosition, pos);
  DepthGuard guard(depth_);  // Concat() below skips Expr()'s guard.
  GL_RETURN_IF_ERROR(CheckDepth());
  GL_ASSIGN_OR_RETURN(SqlExprPtr needle, Concat());  // Below IN's precedence.
  GL_RETURN_IF_ERROR(ExpectWord("IN"));
  GL_ASSIGN_OR_RETURN(SqlExprPtr haystack, Expr());
  e->args.push_back(std::move(needle));
  e->args.push_back(std::move(haystack));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// SUBSTRING(s FROM i [FOR n]) or SUBSTRING(s, i [, n]).
Result<SqlExprPtr> Parser::Substring(SqlPos pos) {
  Next();
  Next();  // SUBSTRING (
  SqlExprPtr e = NewExpr(SqlExprKind::kSubstring, pos);
  GL_ASSIGN_OR_RETURN(SqlExprPtr s, Expr());
  e->args.push_back(std::move(s));
  bool keywords = AcceptWord("FROM");
  if (!keywords) GL_RETURN_IF_ERROR(ExpectSymbol(","));
  GL_ASSIGN_OR_RETURN(SqlExprPtr from, Expr());
  e->args.push_back(std::move(from));
  if (keywords ? AcceptWord("FOR") : AcceptSymbol(",")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr length, Expr());
    e->args.push_back(std::move(length));
  }
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) or TRIM(s); args = {s[, chars]}.
Result<SqlExprPtr> Parser::Trim(SqlPos pos) {
  Next();
  Next();  // TRIM (
  SqlExprPtr e = NewExpr(SqlExprKind::kTrim, pos);
  bool spec = true;
  if (AcceptWord("LEADING")) {
    e->trim_spec = SqlTrimSpec::kLeading;
  } else if (AcceptWord("TRAILING")) {
    e->trim_spec = SqlTrimSpec::kTrailing;
  } else {
    spec = AcceptWord("BOTH");
  }
  SqlExprPtr chars;
  if (!Peek().IsWord("FROM")) {
    GL_ASSIGN_OR_RETURN(chars, Expr());
  }
  if (AcceptWord("FROM")) {
    GL_ASSIGN_OR_RETURN(SqlExprPtr s, Expr());
    e->args.push_back(std::move(s));
    if (chars) e->args.push_back(std::move(chars));
  } else if (spec || !chars) {
    return Expected("FROM");
  } else {
    e->args.push_back(std::move(chars));
  }
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// FLOOR(x TO unit) / CEIL(x TO unit); FLOOR(x) is the numeric function.
Result<SqlExprPtr> Parser::FloorCeil(SqlPos pos, const std::string& name) {
  Next();
  Next();  // FLOOR (
  GL_ASSIGN_OR_RETURN(SqlExprPtr value, Expr());
  SqlExprPtr e;
  if (AcceptWord("TO")) {
    e = NewExpr(SqlExprKind::kFloorTo, pos);
    e->ceil = name != "FLOOR";
    GL_ASSIGN_OR_RETURN(e->unit, TimeUnit());
  } else {
    e = NewExpr(SqlExprKind::kFunction, pos);
    e->text = name == "CEILING" ? "CEIL" : name;
  }
  e->args.push_back(std::move(value));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// STEP(x BY interval)
Result<SqlExprPtr> Parser::Step(SqlPos pos) {
  Next();
  Next();  // STEP (
  SqlExprPtr e = NewExpr(SqlExprKind::kStep, pos);
  GL_ASSIGN_OR_RETURN(SqlExprPtr value, Expr());
  GL_RETURN_IF_ERROR(ExpectWord("BY"));
  GL_ASSIGN_OR_RETURN(SqlExprPtr width, Expr());
  e->args.push_back(std::move(value));
  e->args.push_back(std::move(width));
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

Result<SqlExprPtr> Parser::Cursor(SqlPos pos) {
  Next();
  Next();  // CURSOR (
  SqlExprPtr e = NewExpr(SqlExprKind::kCursor, pos);
  GL_ASSIGN_OR_RETURN(e->subquery, Select());
  GL_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// name(...) | name | qualifier.name | qualifier.ROWTIME | qualifier.*
Result<SqlExprPtr> Parser::NameExpr() {
  if (Peek(1).IsSymbol("(")) return FunctionCall();
  GL_ASSIGN_OR_RETURN(SqlIdentifier first, Identifier("an expression", /*allow_rowtime=*/true));
  SqlExprPtr e = NewExpr(SqlExprKind::kColumnRef, first.pos);
  if (!AcceptSymbol(".")) {
    e->text = std::move(first.name);
    e->quoted = first.quoted;
    return e;
  }
  e->qualifier = std::move(first);
  if (AcceptSymbol("*")) {
    e->kind = SqlExprKind::kStar;
    return e;
  }
  GL_ASSIGN_OR_RETURN(SqlIdentifier column, Identifier("a column name", /*allow_rowtime=*/true));
  e->text = std::move(column.name);
  e->quoted = column.quoted;
  return e;
}

Result<SqlExprPtr> Parser::FunctionCall() {
  const SqlToken& name = Peek();
  if (name.kind != SqlTokenKind::kWord && name.kind != SqlTokenKind::kQuotedIdentifier) {
    return Expected("a function name");
  }
  SqlExprPtr e = NewExpr(SqlExprKind::kFunction, PosOf(name));
  e->quoted = name.kind == SqlTokenKind::kQuotedIdentifier;
  e->text = Next().text;
  GL_RETURN_IF_ERROR(ExpectSymbol("("));
  GL_RETURN_IF_ERROR(FunctionArguments(*e));
  GL_RETURN_IF_ERROR(Over(*e));
  return e;
}

// After "name(": [*] | [DISTINCT|ALL] expr, ... then ")".
Status Parser::FunctionArguments(SqlExpr& call) {
  if (AcceptSymbol(")")) return Status::OK();
  if (Peek().IsSymbol("*")) {
    call.args.push_back(NewExpr(SqlExprKind::kStar, PosOf(Next())));
    return ExpectSymbol(")");
  }
  call.distinct = AcceptWord("DISTINCT");
  if (!call.distinct) AcceptWord("ALL");
  GL_ASSIGN_OR_RETURN(call.args, ExprList());
  return ExpectSymbol(")");
}

// [OVER window_name | OVER (spec)]
Status Parser::Over(SqlExpr& call) {
  if (!AcceptWord("OVER")) return Status::OK();
  if (Peek().IsSymbol("(")) {
    GL_ASSIGN_OR_RETURN(call.over, WindowSpec(false));
    return Status::OK();
  }
  call.over = std::make_unique<SqlWindowSpec>();
  call.over->pos = PosOf(Peek());
  GL_ASSIGN_OR_RETURN(call.over->reference, Identifier("a window name or '('"));
  return Status::OK();
}

Result<std::vector<SqlToken>> Tokens(std::string_view sql) {
  if (sql.size() > kMaxSqlProgramBytes) {
    return Status::InvalidArgument("application code is " + std::to_string(sql.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxSqlProgramBytes));
  }
  return TokenizeSql(sql);
}

}  // namespace

Result<SqlProgram> ParseProgram(std::string_view sql) {
  GL_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, Tokens(sql));
  Parser parser(std::move(tokens));
  return parser.Program();
}

Result<SqlExprPtr> ParseSqlExpression(std::string_view sql) {
  GL_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, Tokens(sql));
  Parser parser(std::move(tokens));
  return parser.StandaloneExpression();
}

Result<SqlType> ParseSqlType(std::string_view text) {
  GL_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, Tokens(text));
  Parser parser(std::move(tokens));
  return parser.StandaloneType();
}

}  // namespace gamelake
