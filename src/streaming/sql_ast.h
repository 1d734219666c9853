// The syntax tree of a Kinesis Data Analytics (KDA) for SQL application: the
// CREATE STREAM and CREATE PUMP statements of its application code, the
// SELECT STREAM queries of its pumps and their expressions, as the parser
// (sql_parser.h) reads them. Names are already case-normalized (unquoted
// identifiers upper-cased); nothing here is bound to a schema yet — unknown
// columns, functions and types of arguments are the binder's to refuse.
//
// Every node keeps the line:column (1-based) where it starts in the source.
//
// Thread-safety: plain values; a tree is owned by its Program.
#ifndef GAMELAKE_STREAMING_SQL_AST_H_
#define GAMELAKE_STREAMING_SQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gamelake {

struct SqlPos {
  int line = 0;
  int column = 0;
  bool operator==(const SqlPos&) const = default;
};

// "name" (in double quotes), how error messages name a stream, column or pump.
std::string QuotedName(std::string_view name);
// "3:17: " for error messages.
std::string PosPrefix(SqlPos pos);
// InvalidArgument "<line>:<col>: <message>": how every error about
// application code (parse, bind, evaluation) reads.
Status ErrorAt(SqlPos pos, std::string_view message);

// A stream, column, alias, window or pump name.
struct SqlIdentifier {
  std::string name;     // Upper-cased unless quoted.
  bool quoted = false;  // Written as "name".
  SqlPos pos;
};

struct SqlType {
  enum class Kind {
    kInteger,
    kBigint,
    kSmallint,
    kTinyint,
    kDouble,
    kReal,
    kFloat,
    kDecimal,
    kNumeric,
    kVarchar,
    kChar,
    kVarbinary,
    kBinary,
    kBoolean,
    kTimestamp,
    kDate,
    kTime,
  };
  Kind kind = Kind::kInteger;
  int length = -1;     // VARCHAR(n), CHAR(n), VARBINARY(n), BINARY(n); -1 when not given.
  int precision = -1;  // DECIMAL(p, s), NUMERIC(p, s); -1 when not given.
  int scale = -1;
  SqlPos pos;

  // "INTEGER", "VARCHAR(16)", "DECIMAL(10,2)".
  std::string ToString() const;

  static SqlType Of(Kind kind, int length = -1, int precision = -1, int scale = -1) {
    SqlType t;
    t.kind = kind;
    t.length = length;
    t.precision = precision;
    t.scale = scale;
    return t;
  }
};

enum class SqlTimeUnit { kYear, kMonth, kDay, kHour, kMinute, kSecond, kMillisecond };
const char* SqlTimeUnitName(SqlTimeUnit unit);

struct SqlExpr;
struct SqlSelect;
struct SqlWindowSpec;
using SqlExprPtr = std::unique_ptr<SqlExpr>;

enum class SqlExprKind {
  kLiteral,    // literal_kind, text.
  kColumnRef,  // qualifier (optional) . name; ROWTIME is a column named ROWTIME.
  kStar,       // * or qualifier.* (a select item, COUNT(*), CURSOR(SELECT STREAM *)).
  kUnary,      // op ("-", "+", "NOT") args[0].
  kBinary,     // args[0] op args[1]; op is "OR", "AND", "=", "<>", "<", "<=", ">", ">=",
               // "||", "+", "-", "*", "/" ("!=" reads as "<>").
  kIsNull,     // args[0] IS [NOT] NULL; negated for NOT.
  kBetween,    // args[0] [NOT] BETWEEN args[1] AND args[2].
  kInList,     // args[0] [NOT] IN (args[1..]).
  kLike,       // args[0] [NOT] LIKE args[1] [ESCAPE args[2]].
  kSimilarTo,  // args[0] [NOT] SIMILAR TO args[1] [ESCAPE args[2]].
  kCase,       // CASE [operand] WHEN args[2i] THEN args[2i+1] ... [ELSE else_expr] END.
  kCast,       // CAST(args[0] AS type).
  kFunction,   // name(args) [OVER ...]; distinct for f(DISTINCT x); COUNT(*) has a kStar arg.
  kStep,       // STEP(args[0] BY args[1]), args[1] an interval.
  kFloorTo,    // FLOOR(args[0] TO unit) (CEIL/CEILING(... TO unit) sets ceil).
  kExtract,    // EXTRACT(unit FROM args[0]).
  kPosition,   // POSITION(args[0] IN args[1]).
  kSubstring,  // SUBSTRING(args[0] FROM args[1] [FOR args[2]]), or the comma form.
  kTrim,       // TRIM([trim_spec] [args[1]] FROM args[0]); args[1] absent: ' '.
  kCursor,     // CURSOR(subquery).
};

enum class SqlLiteralKind {
  kInteger,
  kDecimal,
  kApproximate,
  kString,
  kBoolean,
  kNull,
  kTimestamp,
  kDate,
  kTime,
  kInterval,
};

// INTERVAL '<text>' <start> [TO <end>], with an optional sign before the text.
struct SqlInterval {
  bool negative = false;
  SqlTimeUnit start = SqlTimeUnit::kSecond;
  std::optional<SqlTimeUnit> end;
  int precision = -1;  // INTERVAL '100' SECOND(3); -1 when not given.
};

enum class SqlTrimSpec { kBoth, kLeading, kTrailing };

struct SqlExpr {
  SqlExprKind kind = SqlExprKind::kLiteral;
  SqlPos pos;
  // Literal: the value (string unescaped, number as written, TRUE/FALSE/NULL,
  // timestamp/interval text between quotes). Column: its name. Function: its name.
  std::string text;
  bool quoted = false;                     // kColumnRef / kFunction name was quoted.
  std::optional<SqlIdentifier> qualifier;  // kColumnRef, kStar: stream or alias.
  std::string op;                          // kUnary, kBinary.
  SqlLiteralKind literal_kind = SqlLiteralKind::kNull;
  SqlInterval interval;  // literal_kind == kInterval.
  std::vector<SqlExprPtr> args;
  bool negated = false;                     // NOT IN / NOT LIKE / IS NOT NULL / NOT BETWEEN.
  bool distinct = false;                    // f(DISTINCT x).
  bool ceil = false;                        // kFloorTo written CEIL/CEILING.
  SqlTimeUnit unit = SqlTimeUnit::kSecond;  // kFloorTo, kExtract.
  SqlTrimSpec trim_spec = SqlTrimSpec::kBoth;
  SqlType type;                         // kCast.
  SqlExprPtr case_operand;              // kCase: simple CASE x WHEN ...
  SqlExprPtr else_expr;                 // kCase.
  std::unique_ptr<SqlWindowSpec> over;  // kFunction ... OVER.
  std::unique_ptr<SqlSelect> subquery;  // kCursor.

  SqlExpr();
  ~SqlExpr();
  SqlExpr(SqlExpr&&) noexcept;
  SqlExpr& operator=(SqlExpr&&) noexcept;
};

// One bound of a window frame.
struct SqlFrameBound {
  enum class Kind {
    kPreceding,           // offset PRECEDING.
    kFollowing,           // offset FOLLOWING.
    kUnboundedPreceding,  // UNBOUNDED PRECEDING.
    kUnboundedFollowing,  // UNBOUNDED FOLLOWING.
    kCurrentRow,          // CURRENT ROW.
    kLength,              // offset alone: a stagger window's RANGE INTERVAL ...
  };
  Kind kind = Kind::kCurrentRow;
  SqlExprPtr offset;  // An interval (RANGE) or an integer (ROWS) literal.
};

struct SqlOrderItem {
  SqlExprPtr expr;
  bool descending = false;
};

// A window: OVER w (reference only), OVER (...), WINDOW w AS (...), a join
// source's OVER (...), WINDOWED BY STAGGER (...).
struct SqlWindowSpec {
  SqlPos pos;
  std::optional<SqlIdentifier> reference;  // OVER w, or (w PARTITION BY ...).
  std::vector<SqlExprPtr> partition_by;
  std::vector<SqlOrderItem> order_by;
  enum class FrameUnit { kNone, kRange, kRows };
  FrameUnit frame_unit = FrameUnit::kNone;
  SqlFrameBound frame_start;
  std::optional<SqlFrameBound> frame_end;  // BETWEEN start AND end.
};

struct SqlSelectItem {
  SqlExprPtr expr;
  std::optional<SqlIdentifier> alias;
};

// A FROM source or a join's right side.
struct SqlTableRef {
  enum class Kind { kStream, kSubquery, kTableFunction };
  Kind kind = Kind::kStream;
  SqlPos pos;
  SqlIdentifier stream;                 // kStream.
  std::unique_ptr<SqlSelect> subquery;  // kSubquery.
  SqlExprPtr table_function;            // kTableFunction: the call inside TABLE(...).
  std::optional<SqlIdentifier> alias;
  std::unique_ptr<SqlWindowSpec> over;  // s OVER (RANGE INTERVAL '1' MINUTE PRECEDING).

  SqlTableRef();
  ~SqlTableRef();
  SqlTableRef(SqlTableRef&&) noexcept;
  SqlTableRef& operator=(SqlTableRef&&) noexcept;
};

struct SqlJoin {
  enum class Type { kInner, kLeft, kRight, kFull, kCross };
  Type type = Type::kInner;
  SqlPos pos;
  SqlTableRef right;
  SqlExprPtr on;  // Absent for CROSS JOIN.
};

struct SqlNamedWindow {
  SqlIdentifier name;
  SqlWindowSpec spec;
};

struct SqlSelect {
  SqlPos pos;
  bool stream = false;  // SELECT STREAM.
  bool distinct = false;
  std::vector<SqlSelectItem> items;
  SqlTableRef from;
  std::vector<SqlJoin> joins;
  SqlExprPtr where;
  std::vector<SqlExprPtr> group_by;
  SqlExprPtr having;
  std::vector<SqlNamedWindow> windows;     // WINDOW w AS (...), ...
  std::unique_ptr<SqlWindowSpec> stagger;  // WINDOWED BY STAGGER (...) or SESSION (...).
  bool session = false;                    // WINDOWED BY SESSION: RANGE is the gap.
  std::vector<SqlOrderItem> order_by;
  std::unique_ptr<SqlSelect> union_all;  // ... UNION ALL <this>.
};

struct SqlColumnDef {
  SqlIdentifier name;
  SqlType type;
  bool not_null = false;
};

// CREATE [OR REPLACE] STREAM name (columns).
struct SqlCreateStream {
  SqlIdentifier name;
  bool or_replace = false;
  std::vector<SqlColumnDef> columns;
};

// CREATE [OR REPLACE] PUMP name AS INSERT INTO target [(columns)] query.
struct SqlCreatePump {
  SqlIdentifier name;
  bool or_replace = false;
  SqlIdentifier target;
  std::vector<SqlIdentifier> target_columns;
  std::unique_ptr<SqlSelect> query;
};

struct SqlStatement {
  enum class Kind { kCreateStream, kCreatePump };
  Kind kind = Kind::kCreateStream;
  SqlPos pos;
  SqlCreateStream create_stream;  // kCreateStream.
  SqlCreatePump create_pump;      // kCreatePump.
};

// An application's code: its statements in order.
struct SqlProgram {
  std::vector<SqlStatement> statements;
};

// A compact, unambiguous rendering for tests and error messages: columns as
// written names (quoted ones in quotes), operators prefix in parentheses, e.g.
// (AND (> "Losses" 10) (IS NULL X)), (COUNT *), (STEP ROWTIME INTERVAL '10' SECOND).
std::string SqlExprToString(const SqlExpr& e);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_AST_H_
