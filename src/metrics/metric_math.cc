#include "metrics/metric_math.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace gamelake {
namespace {

// ---- Syntax ----

struct Node {
  enum class Kind { kNumber, kId, kString, kBinary, kNegate, kCall, kList };
  Kind kind = Kind::kNumber;
  size_t pos = 0;     // 0-based offset of the node's first character.
  double number = 0;  // kNumber
  std::string text;   // kId, kString, kCall (upper-cased name); kBinary: the operator
  std::vector<std::unique_ptr<Node>> children;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::unique_ptr<Node>> Parse() {
    GL_ASSIGN_OR_RETURN(auto node, Expr());
    Skip();
    if (pos_ < text_.size()) return Fail(pos_, fmt::format("unexpected '{}'", text_[pos_]));
    return node;
  }

  Status Fail(size_t pos, std::string_view what) const {
    return Status::InvalidArgument(
        fmt::format("ValidationError: {}: 1:{}: {}", text_, pos + 1, what));
  }

 private:
  void Skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static std::unique_ptr<Node> Make(Node::Kind kind, size_t pos) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->pos = pos;
    return n;
  }
  std::unique_ptr<Node> Binary(std::string op, size_t pos, std::unique_ptr<Node> a,
                               std::unique_ptr<Node> b) {
    auto n = Make(Node::Kind::kBinary, pos);
    n->text = std::move(op);
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  Result<std::unique_ptr<Node>> Expr() {
    GL_ASSIGN_OR_RETURN(auto left, Term());
    while (true) {
      Skip();
      size_t at = pos_;
      if (!Eat('+') && !Eat('-')) return left;
      GL_ASSIGN_OR_RETURN(auto right, Term());
      left = Binary(std::string(1, text_[at]), at, std::move(left), std::move(right));
    }
  }
  Result<std::unique_ptr<Node>> Term() {
    GL_ASSIGN_OR_RETURN(auto left, Unary());
    while (true) {
      Skip();
      size_t at = pos_;
      if (!Eat('*') && !Eat('/')) return left;
      GL_ASSIGN_OR_RETURN(auto right, Unary());
      left = Binary(std::string(1, text_[at]), at, std::move(left), std::move(right));
    }
  }
  Result<std::unique_ptr<Node>> Unary() {
    Skip();
    size_t at = pos_;
    if (Eat('-')) {
      GL_ASSIGN_OR_RETURN(auto operand, Unary());
      auto n = Make(Node::Kind::kNegate, at);
      n->children.push_back(std::move(operand));
      return n;
    }
    GL_ASSIGN_OR_RETURN(auto base, Primary());
    Skip();
    size_t op = pos_;
    if (!Eat('^')) return base;
    GL_ASSIGN_OR_RETURN(auto exponent, Unary());
    return Binary("^", op, std::move(base), std::move(exponent));
  }
  Result<std::unique_ptr<Node>> Primary() {
    Skip();
    if (pos_ >= text_.size()) return Fail(pos_, "the expression ends too early");
    size_t at = pos_;
    char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      GL_ASSIGN_OR_RETURN(auto inner, Expr());
      if (!Eat(')')) return Fail(pos_, "expected ')'");
      return inner;
    }
    if (c == '[') {
      ++pos_;
      auto list = Make(Node::Kind::kList, at);
      GL_RETURN_IF_ERROR(Items(&list->children, ']'));
      return list;
    }
    if (c == '"') return String();
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return Number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return Name();
    return Fail(at, fmt::format("unexpected '{}'", c));
  }
  // Comma-separated expressions up to `close` (already past the opener).
  Status Items(std::vector<std::unique_ptr<Node>>* out, char close) {
    if (Eat(close)) return Status::OK();
    while (true) {
      GL_ASSIGN_OR_RETURN(auto item, Expr());
      out->push_back(std::move(item));
      if (Eat(close)) return Status::OK();
      if (!Eat(',')) return Fail(pos_, fmt::format("expected ',' or '{}'", close));
    }
  }
  Result<std::unique_ptr<Node>> Number() {
    size_t at = pos_;
    double v = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), v);
    if (ec != std::errc()) return Fail(at, "bad number");
    pos_ = static_cast<size_t>(end - text_.data());
    auto n = Make(Node::Kind::kNumber, at);
    n->number = v;
    return n;
  }
  Result<std::unique_ptr<Node>> String() {
    size_t at = pos_++;
    size_t close = text_.find('"', pos_);
    if (close == std::string_view::npos) return Fail(at, "unterminated string");
    auto n = Make(Node::Kind::kString, at);
    n->text = std::string(text_.substr(pos_, close - pos_));
    pos_ = close + 1;
    return n;
  }
  Result<std::unique_ptr<Node>> Name() {
    size_t at = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    std::string name(text_.substr(at, pos_ - at));
    if (!Eat('(')) {
      auto n = Make(Node::Kind::kId, at);
      n->text = std::move(name);
      return n;
    }
    auto call = Make(Node::Kind::kCall, at);
    for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    call->text = std::move(name);
    GL_RETURN_IF_ERROR(Items(&call->children, ')'));
    return call;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---- Values ----

struct Value {
  enum class Kind { kScalar, kSeries, kArray };
  Kind kind = Kind::kScalar;
  double scalar = 0;
  MathSeries series;
  std::vector<MathSeries> array;
};

Value Scalar(double v) {
  Value out;
  out.scalar = v;
  return out;
}
Value Series(MathSeries s) {
  Value out;
  out.kind = Value::Kind::kSeries;
  out.series = std::move(s);
  return out;
}

double Apply(char op, double a, double b) {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b == 0 ? NAN : a / b;
    default:
      return std::pow(a, b);
  }
}

// Point-wise fn over a series, leaving out non-finite results.
MathSeries Map(const MathSeries& s, const std::function<double(double)>& fn) {
  MathSeries out;
  for (size_t i = 0; i < s.values.size(); ++i) {
    double v = fn(s.values[i]);
    if (!std::isfinite(v)) continue;
    out.timestamps_ms.push_back(s.timestamps_ms[i]);
    out.values.push_back(v);
  }
  return out;
}

// a op b on the timestamps both have.
MathSeries Zip(const MathSeries& a, const MathSeries& b, char op) {
  MathSeries out;
  size_t i = 0, j = 0;
  while (i < a.values.size() && j < b.values.size()) {
    if (a.timestamps_ms[i] < b.timestamps_ms[j]) {
      ++i;
    } else if (b.timestamps_ms[j] < a.timestamps_ms[i]) {
      ++j;
    } else {
      double v = Apply(op, a.values[i], b.values[j]);
      if (std::isfinite(v)) {
        out.timestamps_ms.push_back(a.timestamps_ms[i]);
        out.values.push_back(v);
      }
      ++i;
      ++j;
    }
  }
  return out;
}

// Reduces across the members of an array at each timestamp any of them has.
MathSeries Across(const std::vector<MathSeries>& members, std::string_view fn) {
  std::map<int64_t, std::vector<double>> at;
  for (const MathSeries& s : members) {
    for (size_t i = 0; i < s.values.size(); ++i) at[s.timestamps_ms[i]].push_back(s.values[i]);
  }
  MathSeries out;
  for (const auto& [t, vs] : at) {
    double v = fn == "MIN"   ? *std::min_element(vs.begin(), vs.end())
               : fn == "MAX" ? *std::max_element(vs.begin(), vs.end())
                             : 0;
    if (fn == "SUM" || fn == "AVG") {
      for (double x : vs) v += x;
      if (fn == "AVG") v /= static_cast<double>(vs.size());
    }
    out.timestamps_ms.push_back(t);
    out.values.push_back(v);
  }
  return out;
}

class Evaluator {
 public:
  Evaluator(const Parser& parser, const MathContext& ctx) : parser_(parser), ctx_(ctx) {}

  Result<Value> Eval(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kNumber:
        return Scalar(n.number);
      case Node::Kind::kString:
        return parser_.Fail(n.pos, "a string is only an argument of METRICS()");
      case Node::Kind::kId: {
        auto it = ctx_.series.find(n.text);
        if (it == ctx_.series.end())
          return parser_.Fail(n.pos, fmt::format("unknown id '{}'", n.text));
        return Series(it->second);
      }
      case Node::Kind::kNegate: {
        GL_ASSIGN_OR_RETURN(Value v, Eval(*n.children[0]));
        return Combine(Scalar(-1), v, '*', n.pos);
      }
      case Node::Kind::kBinary: {
        GL_ASSIGN_OR_RETURN(Value a, Eval(*n.children[0]));
        GL_ASSIGN_OR_RETURN(Value b, Eval(*n.children[1]));
        return Combine(a, b, n.text[0], n.pos);
      }
      case Node::Kind::kList:
        return List(n);
      case Node::Kind::kCall:
        return Call(n);
    }
    return parser_.Fail(n.pos, "unknown node");
  }

 private:
  Result<Value> Combine(const Value& a, const Value& b, char op, size_t pos) {
    if (a.kind == Value::Kind::kArray && b.kind == Value::Kind::kArray) {
      return parser_.Fail(pos, "two arrays of series cannot be combined");
    }
    if (a.kind == Value::Kind::kArray || b.kind == Value::Kind::kArray) {
      const Value& arr = a.kind == Value::Kind::kArray ? a : b;
      Value out;
      out.kind = Value::Kind::kArray;
      for (const MathSeries& s : arr.array) {
        GL_ASSIGN_OR_RETURN(Value one, &arr == &a ? Combine(Series(s), b, op, pos)
                                                  : Combine(a, Series(s), op, pos));
        one.series.id = s.id;
        one.series.label = s.label;
        out.array.push_back(std::move(one.series));
      }
      return out;
    }
    if (a.kind == Value::Kind::kScalar && b.kind == Value::Kind::kScalar) {
      double v = Apply(op, a.scalar, b.scalar);
      if (!std::isfinite(v)) return parser_.Fail(pos, "the result is not a finite number");
      return Scalar(v);
    }
    if (a.kind == Value::Kind::kSeries && b.kind == Value::Kind::kSeries) {
      return Series(Zip(a.series, b.series, op));
    }
    if (a.kind == Value::Kind::kSeries) {
      return Series(Map(a.series, [&](double x) { return Apply(op, x, b.scalar); }));
    }
    return Series(Map(b.series, [&](double x) { return Apply(op, a.scalar, x); }));
  }

  Result<Value> List(const Node& n) {
    Value out;
    out.kind = Value::Kind::kArray;
    for (const auto& child : n.children) {
      GL_ASSIGN_OR_RETURN(Value v, Eval(*child));
      if (v.kind == Value::Kind::kScalar) {
        return parser_.Fail(child->pos, "an array holds series, not numbers");
      }
      if (v.kind == Value::Kind::kSeries) out.array.push_back(std::move(v.series));
      for (MathSeries& s : v.array) out.array.push_back(std::move(s));
    }
    return out;
  }

  Result<Value> Metrics(const Node& n) {
    std::string filter;
    if (n.children.size() > 1 ||
        (n.children.size() == 1 && n.children[0]->kind != Node::Kind::kString)) {
      return parser_.Fail(n.pos, "METRICS() takes nothing or one \"string\"");
    }
    if (!n.children.empty()) filter = n.children[0]->text;
    Value out;
    out.kind = Value::Kind::kArray;
    for (const std::string& id : ctx_.metric_ids) {
      const MathSeries& s = ctx_.series.at(id);
      if (filter.empty() || s.id.find(filter) != std::string::npos ||
          s.label.find(filter) != std::string::npos) {
        out.array.push_back(s);
      }
    }
    return out;
  }

  Result<Value> Call(const Node& n) {
    const std::string& fn = n.text;
    if (fn == "METRICS") return Metrics(n);
    bool fill = fn == "FILL";
    size_t want = fill ? 2 : 1;
    if (n.children.size() != want) {
      return parser_.Fail(n.pos,
                          fmt::format("{}() takes {} argument{}", fn, want, want == 1 ? "" : "s"));
    }
    GL_ASSIGN_OR_RETURN(Value arg, Eval(*n.children[0]));
    if (fn == "SUM" || fn == "AVG" || fn == "MIN" || fn == "MAX") return Reduce(fn, arg);
    if (fn == "ABS") {
      return PerSeries(
          arg, [](const MathSeries& s) { return Map(s, [](double x) { return std::fabs(x); }); });
    }
    if (fn == "RATE") return PerSeries(arg, Rate);
    if (fill) return Fill(n, arg);
    return parser_.Fail(n.pos, fmt::format("unknown function {}() (SUM, AVG, MIN, MAX, FILL, "
                                           "RATE, ABS, METRICS)",
                                           fn));
  }

  static Result<Value> Reduce(const std::string& fn, const Value& arg) {
    if (arg.kind == Value::Kind::kArray) return Series(Across(arg.array, fn));
    if (arg.kind == Value::Kind::kScalar) return arg;
    const std::vector<double>& vs = arg.series.values;
    if (vs.empty()) return Scalar(NAN);
    MathSeries all;
    for (double v : vs) {
      all.timestamps_ms.push_back(0);
      all.values.push_back(v);
    }
    return Scalar(Across({all}, fn).values[0]);
  }

  static MathSeries Rate(const MathSeries& s) {
    MathSeries out;
    for (size_t i = 1; i < s.values.size(); ++i) {
      double dt = static_cast<double>(s.timestamps_ms[i] - s.timestamps_ms[i - 1]) / 1000.0;
      out.timestamps_ms.push_back(s.timestamps_ms[i]);
      out.values.push_back((s.values[i] - s.values[i - 1]) / dt);
    }
    return out;
  }

  Result<Value> PerSeries(const Value& arg,
                          const std::function<MathSeries(const MathSeries&)>& fn) {
    if (arg.kind == Value::Kind::kScalar) {
      MathSeries one = fn(MathSeries{"", "", {0}, {arg.scalar}});
      return Scalar(one.values.empty() ? NAN : one.values[0]);
    }
    if (arg.kind == Value::Kind::kSeries) return Series(fn(arg.series));
    Value out = arg;
    for (MathSeries& s : out.array) {
      MathSeries mapped = fn(s);
      s.timestamps_ms = std::move(mapped.timestamps_ms);
      s.values = std::move(mapped.values);
    }
    return out;
  }

  Result<Value> Fill(const Node& n, const Value& arg) {
    const Node& how = *n.children[1];
    bool repeat = how.kind == Node::Kind::kId && (how.text == "REPEAT" || how.text == "repeat");
    double with = 0;
    if (!repeat) {
      GL_ASSIGN_OR_RETURN(Value v, Eval(how));
      if (v.kind != Value::Kind::kScalar) {
        return parser_.Fail(how.pos, "FILL's second argument is a number or REPEAT");
      }
      with = v.scalar;
    }
    if (arg.kind == Value::Kind::kScalar) return parser_.Fail(n.pos, "FILL() fills a series");
    int64_t step = ctx_.period_s * 1000;
    return PerSeries(arg, [&](const MathSeries& s) {
      MathSeries out;
      size_t i = 0;
      std::optional<double> last;
      for (int64_t t = ctx_.start_ms; t < ctx_.end_ms; t += step) {
        while (i < s.values.size() && s.timestamps_ms[i] < t) last = s.values[i++];
        bool here = i < s.values.size() && s.timestamps_ms[i] == t;
        if (here) last = s.values[i];
        std::optional<double> v = here ? std::optional<double>(s.values[i]) : repeat ? last : with;
        if (!v) continue;
        out.timestamps_ms.push_back(t);
        out.values.push_back(*v);
      }
      return out;
    });
  }

  const Parser& parser_;
  const MathContext& ctx_;
};

void CollectIds(const Node& n, std::set<std::string>* ids, bool* metrics) {
  if (n.kind == Node::Kind::kId && n.text != "REPEAT" && n.text != "repeat") ids->insert(n.text);
  if (n.kind == Node::Kind::kCall && n.text == "METRICS") *metrics = true;
  for (const auto& c : n.children) CollectIds(*c, ids, metrics);
}

}  // namespace

Result<std::vector<std::string>> ExpressionReferences(std::string_view expression,
                                                      bool* uses_metrics) {
  Parser parser(expression);
  GL_ASSIGN_OR_RETURN(auto root, parser.Parse());
  std::set<std::string> ids;
  *uses_metrics = false;
  CollectIds(*root, &ids, uses_metrics);
  return std::vector<std::string>(ids.begin(), ids.end());
}

Result<MathSeries> EvaluateExpression(std::string_view expression, const MathContext& context) {
  Parser parser(expression);
  GL_ASSIGN_OR_RETURN(auto root, parser.Parse());
  Evaluator evaluator(parser, context);
  GL_ASSIGN_OR_RETURN(Value v, evaluator.Eval(*root));
  if (v.kind == Value::Kind::kArray) {
    if (v.array.size() == 1) return v.array[0];
    return parser.Fail(0, fmt::format("the expression gives {} series; a query returns one "
                                      "(combine them with SUM, AVG, MIN or MAX)",
                                      v.array.size()));
  }
  if (v.kind == Value::Kind::kSeries) return v.series;
  MathSeries out;
  if (!std::isfinite(v.scalar)) return out;  // E.g. AVG of a series without points.
  for (int64_t t = context.start_ms; t < context.end_ms; t += context.period_s * 1000) {
    out.timestamps_ms.push_back(t);
    out.values.push_back(v.scalar);
  }
  return out;
}

}  // namespace gamelake
