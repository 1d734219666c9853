#include "streaming/sql_regex.h"

#include <algorithm>
#include <utility>

namespace gamelake {

char32_t DecodeUtf8(std::string_view s, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b0 = byte(*pos);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 1 || len == 0 || *pos + len > s.size()) {
    ++*pos;
    return b0;
  }
  char32_t c = b0 & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) {
    uint8_t b = byte(*pos + k);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return b0;
    }
    c = (c << 6) | (b & 0x3F);
  }
  *pos += len;
  return c;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    DecodeUtf8(s, &i);
    ++n;
  }
  return n;
}

namespace {

// ---------------------------------------------------------------- syntax tree

struct CharClass {
  std::vector<std::pair<char32_t, char32_t>> ranges;
  bool negated = false;
  bool Contains(char32_t c) const {
    bool in = false;
    for (const auto& r : ranges) {
      if (c >= r.first && c <= r.second) {
        in = true;
        break;
      }
    }
    return in != negated;
  }
};

struct Node {
  enum Kind {
    kEmpty,
    kChar,
    kAny,
    kClass,
    kConcat,
    kAlt,
    kRepeat,
    kGroup,
    kBol,
    kEol,
    kWordB,
    kNotWordB
  };
  Kind kind = kEmpty;
  char32_t c = 0;
  int cls = -1;
  bool dot_all = true;  // kAny: also matches line terminators.
  std::vector<Node> kids;
  int min = 0;
  int max = -1;  // -1: unbounded.
  bool greedy = true;
  int group = -1;  // kGroup: capture index, -1 for (?: ).
};

void AddShorthand(char letter, CharClass* cls) {
  switch (letter) {
    case 'd':
    case 'D':
      cls->ranges.push_back({'0', '9'});
      break;
    case 'w':
    case 'W':
      cls->ranges.push_back({'a', 'z'});
      cls->ranges.push_back({'A', 'Z'});
      cls->ranges.push_back({'0', '9'});
      cls->ranges.push_back({'_', '_'});
      break;
    case 's':
    case 'S':
      cls->ranges.push_back({' ', ' '});
      cls->ranges.push_back({'\t', '\r'});
      break;
    default:
      break;
  }
}

bool IsWordChar(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class ParserBase {
 public:
  ParserBase(std::string_view p, std::vector<CharClass>* classes) : p_(p), classes_(classes) {}
  int groups() const { return groups_; }

 protected:
  bool AtEnd() const { return pos_ >= p_.size(); }
  char32_t Peek() const {
    size_t i = pos_;
    return DecodeUtf8(p_, &i);
  }
  char32_t Next() { return DecodeUtf8(p_, &pos_); }
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(std::string(what) + " at offset " + std::to_string(pos_) +
                                   " of regular expression '" + std::string(p_) + "'");
  }
  int AddClass(CharClass c) {
    classes_->push_back(std::move(c));
    return static_cast<int>(classes_->size() - 1);
  }
  // {n} {n,} {n,m} after a '{' already read.
  Status Braces(int* min, int* max) {
    auto number = [&](int* v) {
      size_t start = pos_;
      int64_t x = 0;
      while (!AtEnd() && p_[pos_] >= '0' && p_[pos_] <= '9') {
        x = x * 10 + (p_[pos_++] - '0');
        if (x > 1000) return false;
      }
      *v = static_cast<int>(x);
      return pos_ > start;
    };
    if (!number(min)) return Error("bad repetition count");
    *max = *min;
    if (!AtEnd() && p_[pos_] == ',') {
      ++pos_;
      *max = -1;
      if (!AtEnd() && p_[pos_] != '}' && !number(max)) return Error("bad repetition count");
    }
    if (AtEnd() || p_[pos_] != '}') return Error("missing '}'");
    ++pos_;
    if (*max != -1 && *max < *min) return Error("bad repetition range");
    return Status::OK();
  }
  Node Repeat(Node atom, int min, int max, bool greedy) {
    Node r;
    r.kind = Node::kRepeat;
    r.min = min;
    r.max = max;
    r.greedy = greedy;
    r.kids.push_back(std::move(atom));
    return r;
  }

  std::string_view p_;
  size_t pos_ = 0;
  int groups_ = 0;
  std::vector<CharClass>* classes_;
};

class JavaParser : public ParserBase {
 public:
  using ParserBase::ParserBase;
  Result<Node> Parse() {
    GL_ASSIGN_OR_RETURN(Node n, Alternation(0));
    if (!AtEnd()) return Error("unmatched ')'");
    return n;
  }

 private:
  Result<Node> Alternation(int depth) {
    if (depth > 100) return Error("nesting too deep");
    Node alt;
    alt.kind = Node::kAlt;
    while (true) {
      GL_ASSIGN_OR_RETURN(Node seq, Sequence(depth));
      alt.kids.push_back(std::move(seq));
      if (AtEnd() || Peek() != '|') break;
      Next();
    }
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }
  Result<Node> Sequence(int depth) {
    Node seq;
    seq.kind = Node::kConcat;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      GL_ASSIGN_OR_RETURN(Node atom, Atom(depth));
      GL_ASSIGN_OR_RETURN(atom, Quantifiers(std::move(atom)));
      seq.kids.push_back(std::move(atom));
    }
    return seq;
  }
  Result<Node> Quantifiers(Node atom) {
    while (!AtEnd()) {
      char32_t c = Peek();
      int min = 0;
      int max = -1;
      if (c == '*') {
        Next();
      } else if (c == '+') {
        Next();
        min = 1;
      } else if (c == '?') {
        Next();
        max = 1;
      } else if (c == '{') {
        Next();
        GL_RETURN_IF_ERROR(Braces(&min, &max));
      } else {
        break;
      }
      bool greedy = true;
      if (!AtEnd() && Peek() == '?') {
        Next();
        greedy = false;
      } else if (!AtEnd() && Peek() == '+') {
        Next();  // Possessive: read as greedy.
      }
      atom = Repeat(std::move(atom), min, max, greedy);
    }
    return atom;
  }
  Result<Node> Atom(int depth) {
    Node n;
    char32_t c = Next();
    switch (c) {
      case '(': {
        n.kind = Node::kGroup;
        if (!AtEnd() && Peek() == '?') {
          Next();
          if (AtEnd() || Next() != ':') {
            return Error("lookaround, flags and named groups are not supported");
          }
        } else {
          n.group = ++groups_;
        }
        GL_ASSIGN_OR_RETURN(Node inner, Alternation(depth + 1));
        if (AtEnd() || Next() != ')') return Error("missing ')'");
        n.kids.push_back(std::move(inner));
        return n;
      }
      case '.':
        n.kind = Node::kAny;
        n.dot_all = false;
        return n;
      case '^':
        n.kind = Node::kBol;
        return n;
      case '$':
        n.kind = Node::kEol;
        return n;
      case '[':
        return Class();
      case '*':
      case '+':
      case '?':
      case '{':
        return Error("nothing to repeat");
      case '\\':
        return Escape();
      default:
        n.kind = Node::kChar;
        n.c = c;
        return n;
    }
  }
  // After a backslash: a literal, a shorthand class or an assertion.
  Result<Node> Escape() {
    if (AtEnd()) return Error("trailing backslash");
    char32_t c = Next();
    Node n;
    if (c == 'b' || c == 'B') {
      n.kind = c == 'b' ? Node::kWordB : Node::kNotWordB;
      return n;
    }
    if (c == 'd' || c == 'D' || c == 'w' || c == 'W' || c == 's' || c == 'S') {
      CharClass cls;
      AddShorthand(static_cast<char>(c), &cls);
      cls.negated = c == 'D' || c == 'W' || c == 'S';
      n.kind = Node::kClass;
      n.cls = AddClass(std::move(cls));
      return n;
    }
    GL_ASSIGN_OR_RETURN(char32_t lit, EscapedChar(c));
    n.kind = Node::kChar;
    n.c = lit;
    return n;
  }
  Result<char32_t> EscapedChar(char32_t c) {
    switch (c) {
      case 't':
        return U'\t';
      case 'n':
        return U'\n';
      case 'r':
        return U'\r';
      case 'f':
        return U'\f';
      case 'e':
        return U'\x1B';
      case 'x':
      case 'u': {
        int digits = c == 'x' ? 2 : 4;
        char32_t v = 0;
        for (int i = 0; i < digits; ++i) {
          if (AtEnd()) return Error("bad hexadecimal escape");
          char32_t h = Next();
          int d = (h >= '0' && h <= '9')   ? static_cast<int>(h - '0')
                  : (h >= 'a' && h <= 'f') ? static_cast<int>(h - 'a' + 10)
                  : (h >= 'A' && h <= 'F') ? static_cast<int>(h - 'A' + 10)
                                           : -1;
          if (d < 0) return Error("bad hexadecimal escape");
          v = v * 16 + static_cast<char32_t>(d);
        }
        return v;
      }
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
          return Error(std::string("unsupported escape \\") + static_cast<char>(c));
        }
        return c;
    }
  }
  Result<Node> Class() {
    CharClass cls;
    if (!AtEnd() && Peek() == '^') {
      Next();
      cls.negated = true;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("missing ']'");
      char32_t c = Next();
      if (c == ']' && !first) break;
      first = false;
      if (c == '[') return Error("nested classes and intersections are not supported");
      if (c == '&' && !AtEnd() && Peek() == '&') {
        return Error("nested classes and intersections are not supported");
      }
      char32_t lo = c;
      if (c == '\\') {
        if (AtEnd()) return Error("trailing backslash");
        char32_t e = Next();
        if (e == 'd' || e == 'w' || e == 's') {
          AddShorthand(static_cast<char>(e), &cls);
          continue;
        }
        if (e == 'D' || e == 'W' || e == 'S' || e == 'p' || e == 'P') {
          return Error("negated shorthands and \\p inside a class are not supported");
        }
        GL_ASSIGN_OR_RETURN(lo, EscapedChar(e));
      }
      char32_t hi = lo;
      if (!AtEnd() && Peek() == '-' && pos_ + 1 < p_.size() && p_[pos_ + 1] != ']') {
        Next();
        hi = Next();
        if (hi == '\\') {
          if (AtEnd()) return Error("trailing backslash");
          GL_ASSIGN_OR_RETURN(hi, EscapedChar(Next()));
        }
        if (hi < lo) return Error("bad class range");
      }
      cls.ranges.push_back({lo, hi});
    }
    Node n;
    n.kind = Node::kClass;
    n.cls = AddClass(std::move(cls));
    return n;
  }
};

class SimilarParser : public ParserBase {
 public:
  SimilarParser(std::string_view p, std::optional<char32_t> escape, std::vector<CharClass>* classes)
      : ParserBase(p, classes), escape_(escape) {}
  Result<Node> Parse() {
    GL_ASSIGN_OR_RETURN(Node n, Alternation(0));
    if (!AtEnd()) return Error("unmatched ')'");
    return n;
  }

 private:
  Result<Node> Alternation(int depth) {
    if (depth > 100) return Error("nesting too deep");
    Node alt;
    alt.kind = Node::kAlt;
    while (true) {
      Node seq;
      seq.kind = Node::kConcat;
      while (!AtEnd() && Peek() != '|' && Peek() != ')') {
        GL_ASSIGN_OR_RETURN(Node atom, Atom(depth));
        GL_ASSIGN_OR_RETURN(atom, Quantifiers(std::move(atom)));
        seq.kids.push_back(std::move(atom));
      }
      alt.kids.push_back(std::move(seq));
      if (AtEnd() || Peek() != '|') break;
      Next();
    }
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }
  Result<Node> Quantifiers(Node atom) {
    while (!AtEnd()) {
      char32_t c = Peek();
      int min = 0;
      int max = -1;
      if (c == '*') {
        Next();
      } else if (c == '+') {
        Next();
        min = 1;
      } else if (c == '?') {
        Next();
        max = 1;
      } else if (c == '{') {
        Next();
        GL_RETURN_IF_ERROR(Braces(&min, &max));
      } else {
        break;
      }
      atom = Repeat(std::move(atom), min, max, true);
    }
    return atom;
  }
  Result<Node> Atom(int depth) {
    Node n;
    char32_t c = Next();
    if (escape_ && c == *escape_) {
      if (AtEnd()) return Error("escape character at the end of the pattern");
      n.kind = Node::kChar;
      n.c = Next();
      return n;
    }
    switch (c) {
      case '(': {
        n.kind = Node::kGroup;
        GL_ASSIGN_OR_RETURN(Node inner, Alternation(depth + 1));
        if (AtEnd() || Next() != ')') return Error("missing ')'");
        n.kids.push_back(std::move(inner));
        return n;
      }
      case '%': {
        Node any;
        any.kind = Node::kAny;
        return Repeat(std::move(any), 0, -1, true);
      }
      case '_':
        n.kind = Node::kAny;
        return n;
      case '[':
        return Class();
      case '*':
      case '+':
      case '?':
      case '{':
        return Error("nothing to repeat");
      default:
        n.kind = Node::kChar;
        n.c = c;
        return n;
    }
  }
  Result<Node> Class() {
    CharClass cls;
    if (!AtEnd() && Peek() == '^') {
      Next();
      cls.negated = true;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("missing ']'");
      if (p_.substr(pos_, 2) == "[:") {
        size_t end = p_.find(":]", pos_ + 2);
        if (end == std::string_view::npos) return Error("bad character class name");
        GL_RETURN_IF_ERROR(NamedClass(p_.substr(pos_ + 2, end - pos_ - 2), &cls));
        pos_ = end + 2;
        first = false;
        continue;
      }
      char32_t c = Next();
      if (c == ']' && !first) break;
      first = false;
      if (escape_ && c == *escape_) {
        if (AtEnd()) return Error("missing ']'");
        c = Next();
      }
      char32_t hi = c;
      if (!AtEnd() && Peek() == '-' && pos_ + 1 < p_.size() && p_[pos_ + 1] != ']') {
        Next();
        hi = Next();
        if (hi < c) return Error("bad class range");
      }
      cls.ranges.push_back({c, hi});
    }
    Node n;
    n.kind = Node::kClass;
    n.cls = AddClass(std::move(cls));
    return n;
  }
  Status NamedClass(std::string_view name, CharClass* cls) {
    if (name == "ALPHA") {
      cls->ranges.push_back({'a', 'z'});
      cls->ranges.push_back({'A', 'Z'});
    } else if (name == "DIGIT") {
      cls->ranges.push_back({'0', '9'});
    } else if (name == "ALNUM") {
      cls->ranges.push_back({'a', 'z'});
      cls->ranges.push_back({'A', 'Z'});
      cls->ranges.push_back({'0', '9'});
    } else if (name == "UPPER") {
      cls->ranges.push_back({'A', 'Z'});
    } else if (name == "LOWER") {
      cls->ranges.push_back({'a', 'z'});
    } else if (name == "SPACE" || name == "WHITESPACE") {
      cls->ranges.push_back({' ', ' '});
      cls->ranges.push_back({'\t', '\r'});
    } else {
      return Error("unknown character class [:" + std::string(name) + ":]");
    }
    return Status::OK();
  }

  std::optional<char32_t> escape_;
};

// ------------------------------------------------------------------ program

struct Inst {
  enum Op {
    kChar,
    kAny,
    kAnyNoNl,
    kClass,
    kSplit,
    kJmp,
    kSave,
    kMatch,
    kBol,
    kEol,
    kWordB,
    kNotWordB
  };
  Op op = kMatch;
  char32_t c = 0;
  int x = 0;  // kSplit/kJmp target (kSplit: preferred), kSave slot, kClass index.
  int y = 0;  // kSplit: second target.
};

class Compiler {
 public:
  explicit Compiler(std::vector<Inst>* prog) : prog_(prog) {}
  Status Emit(const Node& n) {
    if (prog_->size() > kMaxRegexInstructions) {
      return Status::InvalidArgument("regular expression is too large (over " +
                                     std::to_string(kMaxRegexInstructions) + " instructions)");
    }
    switch (n.kind) {
      case Node::kEmpty:
        return Status::OK();
      case Node::kChar:
        Add({Inst::kChar, n.c, 0, 0});
        return Status::OK();
      case Node::kAny:
        Add({n.dot_all ? Inst::kAny : Inst::kAnyNoNl, 0, 0, 0});
        return Status::OK();
      case Node::kClass:
        Add({Inst::kClass, 0, n.cls, 0});
        return Status::OK();
      case Node::kBol:
        Add({Inst::kBol, 0, 0, 0});
        return Status::OK();
      case Node::kEol:
        Add({Inst::kEol, 0, 0, 0});
        return Status::OK();
      case Node::kWordB:
        Add({Inst::kWordB, 0, 0, 0});
        return Status::OK();
      case Node::kNotWordB:
        Add({Inst::kNotWordB, 0, 0, 0});
        return Status::OK();
      case Node::kConcat:
        for (const Node& k : n.kids) GL_RETURN_IF_ERROR(Emit(k));
        return Status::OK();
      case Node::kGroup:
        if (n.group >= 0) Add({Inst::kSave, 0, 2 * n.group, 0});
        GL_RETURN_IF_ERROR(Emit(n.kids[0]));
        if (n.group >= 0) Add({Inst::kSave, 0, 2 * n.group + 1, 0});
        return Status::OK();
      case Node::kAlt:
        return Alternation(n, 0);
      case Node::kRepeat:
        return Repetition(n);
    }
    return Status::OK();
  }

 private:
  int Add(Inst i) {
    prog_->push_back(i);
    return static_cast<int>(prog_->size() - 1);
  }
  int Here() const { return static_cast<int>(prog_->size()); }
  Status Alternation(const Node& n, size_t k) {
    if (k + 1 == n.kids.size()) return Emit(n.kids[k]);
    int split = Add({Inst::kSplit, 0, 0, 0});
    (*prog_)[split].x = Here();
    GL_RETURN_IF_ERROR(Emit(n.kids[k]));
    int jmp = Add({Inst::kJmp, 0, 0, 0});
    (*prog_)[split].y = Here();
    GL_RETURN_IF_ERROR(Alternation(n, k + 1));
    (*prog_)[jmp].x = Here();
    return Status::OK();
  }
  // A split preferring `body` (greedy) or `skip` (lazy).
  void Branch(int split, int body, int skip, bool greedy) {
    (*prog_)[split].x = greedy ? body : skip;
    (*prog_)[split].y = greedy ? skip : body;
  }
  Status Repetition(const Node& n) {
    const Node& body = n.kids[0];
    for (int i = 0; i < n.min; ++i) GL_RETURN_IF_ERROR(Emit(body));
    if (n.max == -1) {
      int split = Add({Inst::kSplit, 0, 0, 0});
      GL_RETURN_IF_ERROR(Emit(body));
      Add({Inst::kJmp, 0, split, 0});
      Branch(split, split + 1, Here(), n.greedy);
      return Status::OK();
    }
    std::vector<int> splits;
    for (int i = n.min; i < n.max; ++i) {
      splits.push_back(Add({Inst::kSplit, 0, 0, 0}));
      GL_RETURN_IF_ERROR(Emit(body));
    }
    for (int s : splits) Branch(s, s + 1, Here(), n.greedy);
    return Status::OK();
  }

  std::vector<Inst>* prog_;
};

}  // namespace

struct SqlRegex::Program {
  std::vector<Inst> insts;
  std::vector<CharClass> classes;
  int groups = 0;
  // Scratch for Run: two thread lists.
  struct ThreadList {
    std::vector<int> pcs;
    std::vector<int> caps;  // pcs.size() * ncap.
    std::vector<uint32_t> seen;
    uint32_t generation = 0;
  };
  mutable ThreadList lists[2];
  mutable std::vector<int> working;
  struct StackEntry {
    int pc;
    int slot;  // >= 0: restore working[slot] = old.
    int old;
  };
  mutable std::vector<StackEntry> stack;
  int ncap() const { return 2 * (groups + 1); }
};

SqlRegex::SqlRegex(std::unique_ptr<Program> p) : program_(std::move(p)) {}
SqlRegex::SqlRegex(SqlRegex&&) noexcept = default;
SqlRegex& SqlRegex::operator=(SqlRegex&&) noexcept = default;
SqlRegex::~SqlRegex() = default;

int SqlRegex::group_count() const { return program_->groups; }

namespace {

Result<std::unique_ptr<SqlRegex::Program>> Build(const Node& root, int groups,
                                                 std::vector<CharClass> classes) {
  auto p = std::make_unique<SqlRegex::Program>();
  p->groups = groups;
  p->classes = std::move(classes);
  p->insts.push_back({Inst::kSave, 0, 0, 0});
  Compiler c(&p->insts);
  GL_RETURN_IF_ERROR(c.Emit(root));
  p->insts.push_back({Inst::kSave, 0, 1, 0});
  p->insts.push_back({Inst::kMatch, 0, 0, 0});
  if (p->insts.size() > kMaxRegexInstructions) {
    return Status::InvalidArgument("regular expression is too large (over " +
                                   std::to_string(kMaxRegexInstructions) + " instructions)");
  }
  size_t n = p->insts.size();
  for (auto& l : p->lists) {
    l.pcs.reserve(n);
    l.caps.resize(n * p->ncap());
    l.seen.assign(n, 0);
  }
  p->working.resize(p->ncap());
  return p;
}

}  // namespace

Result<SqlRegex> SqlRegex::CompileJava(std::string_view pattern) {
  std::vector<CharClass> classes;
  JavaParser parser(pattern, &classes);
  GL_ASSIGN_OR_RETURN(Node root, parser.Parse());
  GL_ASSIGN_OR_RETURN(auto p, Build(root, parser.groups(), std::move(classes)));
  return SqlRegex(std::move(p));
}

Result<SqlRegex> SqlRegex::CompileSimilar(std::string_view pattern,
                                          std::optional<char32_t> escape) {
  std::vector<CharClass> classes;
  SimilarParser parser(pattern, escape, &classes);
  GL_ASSIGN_OR_RETURN(Node root, parser.Parse());
  GL_ASSIGN_OR_RETURN(auto p, Build(root, 0, std::move(classes)));
  return SqlRegex(std::move(p));
}

namespace {

// Follows the empty transitions from `pc0` at byte offset `pos` (between
// code points `prev` and `next`, -1 at the ends), adding the threads that wait
// for a character, in priority order.
void AddThread(const SqlRegex::Program& p, SqlRegex::Program::ThreadList* list, int pc0, size_t pos,
               int32_t prev, int32_t next, size_t text_size) {
  auto& stack = p.stack;
  auto& working = p.working;
  stack.clear();
  stack.push_back({pc0, -1, 0});
  int ncap = p.ncap();
  while (!stack.empty()) {
    SqlRegex::Program::StackEntry e = stack.back();
    stack.pop_back();
    if (e.slot >= 0) {
      working[e.slot] = e.old;
      continue;
    }
    int pc = e.pc;
    if (list->seen[pc] == list->generation) continue;
    list->seen[pc] = list->generation;
    const Inst& in = p.insts[pc];
    switch (in.op) {
      case Inst::kJmp:
        stack.push_back({in.x, -1, 0});
        break;
      case Inst::kSplit:
        stack.push_back({in.y, -1, 0});
        stack.push_back({in.x, -1, 0});
        break;
      case Inst::kSave:
        stack.push_back({0, in.x, working[in.x]});
        working[in.x] = static_cast<int>(pos);
        stack.push_back({pc + 1, -1, 0});
        break;
      case Inst::kBol:
        if (pos == 0) stack.push_back({pc + 1, -1, 0});
        break;
      case Inst::kEol:
        if (pos == text_size) stack.push_back({pc + 1, -1, 0});
        break;
      case Inst::kWordB:
      case Inst::kNotWordB: {
        bool a = prev >= 0 && IsWordChar(static_cast<char32_t>(prev));
        bool b = next >= 0 && IsWordChar(static_cast<char32_t>(next));
        if ((a != b) == (in.op == Inst::kWordB)) stack.push_back({pc + 1, -1, 0});
        break;
      }
      default: {
        size_t k = list->pcs.size();
        list->pcs.push_back(pc);
        std::copy(working.begin(), working.end(), list->caps.begin() + k * ncap);
        break;
      }
    }
  }
}

}  // namespace

bool SqlRegex::Run(std::string_view text, size_t from, bool anchored,
                   std::vector<std::pair<int, int>>* groups) const {
  Program& p = *program_;
  int ncap = p.ncap();
  Program::ThreadList* clist = &p.lists[0];
  Program::ThreadList* nlist = &p.lists[1];
  auto reset = [](Program::ThreadList* l) {
    l->pcs.clear();
    if (++l->generation == 0) {
      std::fill(l->seen.begin(), l->seen.end(), 0);
      l->generation = 1;
    }
  };
  reset(clist);
  bool matched = false;
  std::vector<int> best;
  int32_t prev = -1;
  if (from > 0) {
    // The code point before `from`, for \b.
    size_t back = from - 1;
    while (back > 0 && (static_cast<uint8_t>(text[back]) & 0xC0) == 0x80) --back;
    size_t tmp = back;
    prev = static_cast<int32_t>(DecodeUtf8(text, &tmp));
  }
  size_t pos = from;
  auto peek = [&](size_t at, size_t* after) -> int32_t {
    if (at >= text.size()) {
      *after = at;
      return -1;
    }
    *after = at;
    return static_cast<int32_t>(DecodeUtf8(text, after));
  };
  size_t after = 0;
  int32_t cur = peek(pos, &after);
  std::fill(p.working.begin(), p.working.end(), -1);
  AddThread(p, clist, 0, pos, prev, cur, text.size());
  while (true) {
    reset(nlist);
    size_t next_after = 0;
    int32_t next_cp = cur >= 0 ? peek(after, &next_after) : -1;
    for (size_t t = 0; t < clist->pcs.size(); ++t) {
      const Inst& in = p.insts[clist->pcs[t]];
      const int* caps = &clist->caps[t * ncap];
      bool step = false;
      switch (in.op) {
        case Inst::kMatch:
          if (anchored && pos != text.size()) break;
          matched = true;
          best.assign(caps, caps + ncap);
          t = clist->pcs.size();  // Lower-priority threads lose.
          break;
        case Inst::kChar:
          step = cur >= 0 && static_cast<char32_t>(cur) == in.c;
          break;
        case Inst::kAny:
          step = cur >= 0;
          break;
        case Inst::kAnyNoNl:
          step = cur >= 0 && cur != '\n' && cur != '\r';
          break;
        case Inst::kClass:
          step = cur >= 0 && p.classes[in.x].Contains(static_cast<char32_t>(cur));
          break;
        default:
          break;
      }
      if (step) {
        std::copy(caps, caps + ncap, p.working.begin());
        AddThread(p, nlist, clist->pcs[t] + 1, after, cur, next_cp, text.size());
      }
    }
    if (cur < 0) break;
    if (!matched && !anchored) {
      std::fill(p.working.begin(), p.working.end(), -1);
      AddThread(p, nlist, 0, after, cur, next_cp, text.size());
    }
    // Unanchored and unmatched, the search goes on even with no live thread
    // (an assertion such as \b may have failed only here).
    if (nlist->pcs.empty() && (matched || anchored)) break;
    std::swap(clist, nlist);
    prev = cur;
    pos = after;
    cur = next_cp;
    after = next_after;
  }
  if (!matched) return false;
  if (groups != nullptr) {
    groups->assign(p.groups + 1, {-1, -1});
    for (int g = 0; g <= p.groups; ++g) {
      if (best[2 * g] >= 0 && best[2 * g + 1] >= 0) (*groups)[g] = {best[2 * g], best[2 * g + 1]};
    }
  }
  return true;
}

bool SqlRegex::FullMatch(std::string_view text) const { return Run(text, 0, true, nullptr); }

bool SqlRegex::Search(std::string_view text, size_t from,
                      std::vector<std::pair<int, int>>* groups) const {
  return Run(text, from, false, groups);
}

Result<LikePattern> LikePattern::Compile(std::string_view pattern, std::optional<char32_t> escape) {
  LikePattern lp;
  size_t i = 0;
  while (i < pattern.size()) {
    size_t start = i;
    char32_t c = DecodeUtf8(pattern, &i);
    Token t;
    if (escape && c == *escape) {
      if (i >= pattern.size()) {
        return Status::InvalidArgument("LIKE pattern ends with its escape character");
      }
      size_t lit_start = i;
      char32_t quoted = DecodeUtf8(pattern, &i);
      if (quoted != '%' && quoted != '_' && quoted != *escape) {
        return Status::InvalidArgument("invalid escape sequence in LIKE pattern '" +
                                       std::string(pattern) + "'");
      }
      t.text = std::string(pattern.substr(lit_start, i - lit_start));
    } else if (c == '%') {
      t.kind = Token::kAny;
    } else if (c == '_') {
      t.kind = Token::kOne;
    } else {
      t.text = std::string(pattern.substr(start, i - start));
    }
    lp.tokens_.push_back(std::move(t));
  }
  return lp;
}

bool LikePattern::Matches(std::string_view text) const {
  // Wildcard matching with one backtrack point: the last % seen.
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < tokens_.size()) {
      const Token& tok = tokens_[p];
      if (tok.kind == Token::kAny) {
        star_p = p++;
        star_t = t;
        continue;
      }
      if (tok.kind == Token::kOne) {
        DecodeUtf8(text, &t);
        ++p;
        continue;
      }
      if (text.substr(t, tok.text.size()) == tok.text) {
        t += tok.text.size();
        ++p;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    DecodeUtf8(text, &star_t);
    t = star_t;
  }
  while (p < tokens_.size() && tokens_[p].kind == Token::kAny) ++p;
  return p == tokens_.size();
}

}  // namespace gamelake
