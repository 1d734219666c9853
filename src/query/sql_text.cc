#include "query/sql_text.h"

#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "common/ascii.h"

namespace gamelake {

namespace {

struct Token {
  enum class Type { kWord, kQuoted, kString, kSymbol } type;
  std::string_view text;  // Raw text, quotes included.
  size_t begin = 0;
  size_t end = 0;
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Tokens of sql; comments and whitespace are skipped. An unterminated quote or
// comment runs to the end (DuckDB reports it properly later).
std::vector<Token> Lex(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      size_t end = std::min(j + 1, sql.size());
      tokens.push_back(
          {c == '"' ? Token::Type::kQuoted : Token::Type::kString, sql.substr(i, end - i), i, end});
      i = end;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < sql.size() && IsWordChar(sql[j])) ++j;
      tokens.push_back({Token::Type::kWord, sql.substr(i, j - i), i, j});
      i = j;
    } else {
      tokens.push_back({Token::Type::kSymbol, sql.substr(i, 1), i, i + 1});
      ++i;
    }
  }
  return tokens;
}

bool IsKeyword(const Token& t, std::string_view keyword) {
  if (t.type != Token::Type::kWord || t.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != keyword[i]) return false;
  }
  return true;
}

std::string IdentifierText(const Token& t) {
  if (t.type == Token::Type::kWord) return std::string(t.text);
  std::string out;
  std::string_view inner = t.text.substr(1, t.text.size() >= 2 ? t.text.size() - 2 : 0);
  for (size_t i = 0; i < inner.size(); ++i) {
    out.push_back(inner[i]);
    if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') ++i;
  }
  return out;
}

// Reads [lake.|main.|memory.lake.]name starting at tokens[*i].
Result<std::string> ReadViewName(const std::vector<Token>& tokens, size_t* i,
                                 std::string_view what) {
  std::vector<std::string> parts;
  while (true) {
    if (*i >= tokens.size() ||
        (tokens[*i].type != Token::Type::kWord && tokens[*i].type != Token::Type::kQuoted)) {
      return Status::InvalidArgument(fmt::format("{}: expected a view name", what));
    }
    parts.push_back(IdentifierText(tokens[*i]));
    ++*i;
    if (*i < tokens.size() && tokens[*i].text == ".") {
      ++*i;
      continue;
    }
    break;
  }
  for (size_t p = 0; p + 1 < parts.size(); ++p) {
    if (!EqualsIgnoreCase(parts[p], "lake") && !EqualsIgnoreCase(parts[p], "main") &&
        !EqualsIgnoreCase(parts[p], "memory")) {
      return Status::InvalidArgument(
          fmt::format("{}: views live in the database \"lake\"; \"{}\" is not a database here",
                      what, parts[p]));
    }
  }
  if (parts.size() > 3 || parts.back().empty()) {
    return Status::InvalidArgument(fmt::format("{}: bad view name", what));
  }
  return parts.back();
}

}  // namespace

bool StartsLikeAQuery(std::string_view sql) {
  std::vector<Token> tokens = Lex(sql);
  if (tokens.empty()) return false;
  if (tokens[0].text == "(") return true;
  for (std::string_view k : {"SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "DESC",
                             "SHOW", "SUMMARIZE", "PIVOT", "UNPIVOT", "EXPLAIN"}) {
    if (IsKeyword(tokens[0], k)) return true;
  }
  return false;
}

std::string_view TrimStatement(std::string_view sql) {
  std::vector<Token> tokens = Lex(sql);
  while (!tokens.empty() && tokens.back().text == ";") tokens.pop_back();
  if (tokens.empty()) return sql.substr(0, 0);
  return sql.substr(0, tokens.back().end);
}

std::vector<SqlName> SqlNames(std::string_view sql) {
  std::vector<Token> tokens = Lex(sql);
  std::vector<SqlName> names;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].type == Token::Type::kSymbol) continue;
    bool call = i + 1 < tokens.size() && tokens[i + 1].text == "(";
    std::string identifier =
        tokens[i].type == Token::Type::kString ? std::string() : IdentifierText(tokens[i]);
    names.push_back(SqlName{tokens[i].text, std::move(identifier), tokens[i].begin, call});
  }
  return names;
}

std::string SqlPosition(std::string_view sql, size_t offset) {
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < sql.size(); ++i) {
    if (sql[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return fmt::format("line {}, column {}", line, offset - line_start + 1);
}

Result<SqlShape> ParseSqlShape(std::string_view sql) {
  std::vector<Token> tokens = Lex(sql);
  while (!tokens.empty() && tokens.back().text == ";") tokens.pop_back();
  SqlShape shape;
  if (tokens.empty()) return shape;
  size_t end = tokens.back().end;
  size_t i = 0;
  if (IsKeyword(tokens[0], "EXPLAIN")) {
    shape.kind = SqlShape::Kind::kExplain;
    i = 1;
    if (i < tokens.size() && IsKeyword(tokens[i], "ANALYZE")) {
      shape.analyze = true;
      ++i;
    }
    if (i < tokens.size())
      shape.body = std::string(sql.substr(tokens[i].begin, end - tokens[i].begin));
    return shape;
  }
  if (IsKeyword(tokens[0], "CREATE")) {
    i = 1;
    bool or_replace = false;
    if (i + 1 < tokens.size() && IsKeyword(tokens[i], "OR") &&
        IsKeyword(tokens[i + 1], "REPLACE")) {
      or_replace = true;
      i += 2;
    }
    if (i < tokens.size() && (IsKeyword(tokens[i], "TEMP") || IsKeyword(tokens[i], "TEMPORARY"))) {
      return Status::InvalidArgument(
          "CREATE TEMP VIEW is not supported: views are saved in the catalog; use CREATE VIEW");
    }
    if (i >= tokens.size() || !IsKeyword(tokens[i], "VIEW")) return shape;  // Not a view.
    ++i;
    shape.kind = SqlShape::Kind::kCreateView;
    shape.or_replace = or_replace;
    if (i + 2 < tokens.size() && IsKeyword(tokens[i], "IF") && IsKeyword(tokens[i + 1], "NOT") &&
        IsKeyword(tokens[i + 2], "EXISTS")) {
      return Status::InvalidArgument(
          "CREATE VIEW IF NOT EXISTS is not supported; use CREATE OR REPLACE VIEW");
    }
    GL_ASSIGN_OR_RETURN(shape.name, ReadViewName(tokens, &i, "CREATE VIEW"));
    if (i < tokens.size() && tokens[i].text == "(") {
      return Status::InvalidArgument(
          "CREATE VIEW with a column list is not supported; name the columns with AS in the "
          "SELECT");
    }
    if (i >= tokens.size() || !IsKeyword(tokens[i], "AS")) {
      return Status::InvalidArgument(
          fmt::format("CREATE VIEW: expected AS after the view name (at character {})",
                      i < tokens.size() ? tokens[i].begin + 1 : sql.size() + 1));
    }
    ++i;
    if (i >= tokens.size()) {
      return Status::InvalidArgument("CREATE VIEW: expected a query after AS");
    }
    shape.body = std::string(sql.substr(tokens[i].begin, end - tokens[i].begin));
    return shape;
  }
  if (IsKeyword(tokens[0], "DROP")) {
    i = 1;
    if (i >= tokens.size() || !IsKeyword(tokens[i], "VIEW")) return shape;
    ++i;
    shape.kind = SqlShape::Kind::kDropView;
    if (i + 1 < tokens.size() && IsKeyword(tokens[i], "IF") && IsKeyword(tokens[i + 1], "EXISTS")) {
      shape.if_exists = true;
      i += 2;
    }
    GL_ASSIGN_OR_RETURN(shape.name, ReadViewName(tokens, &i, "DROP VIEW"));
    if (i < tokens.size() && !IsKeyword(tokens[i], "CASCADE") &&
        !IsKeyword(tokens[i], "RESTRICT")) {
      return Status::InvalidArgument(
          fmt::format("DROP VIEW: unexpected \"{}\" after the view name (at character {})",
                      tokens[i].text, tokens[i].begin + 1));
    }
    return shape;
  }
  return shape;
}

}  // namespace gamelake
