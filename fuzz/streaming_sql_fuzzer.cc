// Fuzzes the KDA streaming SQL front end (streaming/sql_lexer.h,
// streaming/sql_parser.h): application code comes from POST /v1/apps and the
// console's editor. The input is parsed as a program, as one expression and
// as a column type; an expression that parses is rendered
// (SqlExprToString), and a type that parses must parse again, unchanged,
// from its own ToString().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_request.h"
#include "streaming/sql_lexer.h"
#include "streaming/sql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql = gamelake::AsView(data, size);
  (void)gamelake::TokenizeSql(sql);
  (void)gamelake::ParseProgram(sql);
  gamelake::Result<gamelake::SqlExprPtr> expr = gamelake::ParseSqlExpression(sql);
  if (expr.ok() && expr.value() != nullptr) (void)gamelake::SqlExprToString(*expr.value());
  gamelake::Result<gamelake::SqlType> type = gamelake::ParseSqlType(sql);
  if (type.ok()) {
    std::string text = type.value().ToString();
    gamelake::Result<gamelake::SqlType> again = gamelake::ParseSqlType(text);
    if (!again.ok() || again.value().ToString() != text) {
      std::fprintf(stderr, "type '%s' does not parse back to itself\n", text.c_str());
      std::abort();
    }
  }
  return 0;
}
