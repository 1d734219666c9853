#include "streaming/sql_lexer.h"

#include <cstdio>
#include <string>
#include <utility>

namespace gamelake {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

std::string Position(int line, int column) {
  return std::to_string(line) + ":" + std::to_string(column);
}

// Walks the input keeping line:column; one instance per TokenizeSql call.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  size_t pos() const { return pos_; }
  int line() const { return line_; }
  int column() const { return column_; }
  std::string_view Slice(size_t from) const { return s_.substr(from, pos_ - from); }

  void Advance() {
    char c = s_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Skips blanks and comments; an error for a comment left open.
Status SkipSpaceAndComments(Cursor& c) {
  while (!c.AtEnd()) {
    char ch = c.Peek();
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
      c.Advance();
    } else if (ch == '-' && c.Peek(1) == '-') {
      while (!c.AtEnd() && c.Peek() != '\n') c.Advance();
    } else if (ch == '/' && c.Peek(1) == '*') {
      int line = c.line(), column = c.column();
      c.Advance();
      c.Advance();
      while (!c.AtEnd() && !(c.Peek() == '*' && c.Peek(1) == '/')) c.Advance();
      if (c.AtEnd()) {
        return Status::InvalidArgument(Position(line, column) + ": unterminated comment");
      }
      c.Advance();
      c.Advance();
    } else {
      break;
    }
  }
  return Status::OK();
}

// A quoted run ('...' or "..."), the doubled quote standing for one.
Result<std::string> LexQuoted(Cursor& c, char quote, std::string_view what) {
  int line = c.line(), column = c.column();
  c.Advance();
  std::string out;
  while (true) {
    if (c.AtEnd()) {
      return Status::InvalidArgument(Position(line, column) + ": unterminated " +
                                     std::string(what));
    }
    char ch = c.Peek();
    c.Advance();
    if (ch != quote) {
      out.push_back(ch);
    } else if (c.Peek() == quote) {
      out.push_back(quote);
      c.Advance();
    } else {
      return out;
    }
  }
}

void LexNumber(Cursor& c) {
  while (IsDigit(c.Peek())) c.Advance();
  if (c.Peek() == '.' && IsDigit(c.Peek(1))) {
    c.Advance();
    while (IsDigit(c.Peek())) c.Advance();
  } else if (c.Peek() == '.') {
    c.Advance();  // "1." is a decimal.
  }
  char e = c.Peek();
  bool sign = c.Peek(1) == '+' || c.Peek(1) == '-';
  if ((e == 'e' || e == 'E') && IsDigit(c.Peek(sign ? 2 : 1))) {
    c.Advance();
    if (sign) c.Advance();
    while (IsDigit(c.Peek())) c.Advance();
  }
}

// One- or two-character operator at the cursor, or empty.
std::string_view MatchSymbol(const Cursor& c) {
  static constexpr std::string_view kTwo[] = {"<>", "!=", "<=", ">=", "||"};
  for (std::string_view s : kTwo) {
    if (c.Peek() == s[0] && c.Peek(1) == s[1]) return s;
  }
  static constexpr std::string_view kOne = "=<>+-*/(),.;";
  size_t at = kOne.find(c.Peek());
  return at == std::string_view::npos || c.Peek() == '\0' ? std::string_view() : kOne.substr(at, 1);
}

Result<SqlToken> LexToken(Cursor& c) {
  SqlToken t;
  t.line = c.line();
  t.column = c.column();
  size_t start = c.pos();
  char ch = c.Peek();
  if (IsIdentStart(ch)) {
    while (IsIdentPart(c.Peek())) c.Advance();
    t.kind = SqlTokenKind::kWord;
    t.text = std::string(c.Slice(start));
    for (char& x : t.text) {
      if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    }
  } else if (ch == '"' || ch == '\'') {
    bool ident = ch == '"';
    GL_ASSIGN_OR_RETURN(t.text, LexQuoted(c, ch, ident ? "quoted identifier" : "string literal"));
    if (ident && t.text.empty()) {
      return Status::InvalidArgument(Position(t.line, t.column) + ": empty quoted identifier");
    }
    t.kind = ident ? SqlTokenKind::kQuotedIdentifier : SqlTokenKind::kString;
  } else if (IsDigit(ch) || (ch == '.' && IsDigit(c.Peek(1)))) {
    LexNumber(c);
    t.kind = SqlTokenKind::kNumber;
    t.text = std::string(c.Slice(start));
  } else if (std::string_view sym = MatchSymbol(c); !sym.empty()) {
    for (size_t i = 0; i < sym.size(); ++i) c.Advance();
    t.kind = SqlTokenKind::kSymbol;
    t.text = std::string(sym);
  } else {
    char shown[8];
    std::snprintf(shown, sizeof(shown), static_cast<unsigned char>(ch) < 0x20 ? "\\x%02X" : "%c",
                  static_cast<unsigned char>(ch));
    return Status::InvalidArgument(Position(t.line, t.column) + ": unexpected character '" + shown +
                                   "'");
  }
  t.raw = c.Slice(start);
  return t;
}

}  // namespace

Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql) {
  std::vector<SqlToken> tokens;
  Cursor c(sql);
  while (true) {
    GL_RETURN_IF_ERROR(SkipSpaceAndComments(c));
    if (c.AtEnd()) break;
    GL_ASSIGN_OR_RETURN(SqlToken t, LexToken(c));
    tokens.push_back(std::move(t));
  }
  SqlToken end;
  end.line = c.line();
  end.column = c.column();
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace gamelake
