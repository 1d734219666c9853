// The reserved words of Kinesis Data Analytics' streaming SQL (the SQL:2008
// reserved words plus KDA's own, e.g. ROWTIME, STREAM, PUMP), kept in one place:
// the parser refuses them as unquoted identifiers and schema discovery prefixes a
// JSON key that is one of them with COL_.
//
// Thread-safety: pure functions over constant data.
#ifndef GAMELAKE_STREAMING_SQL_RESERVED_WORDS_H_
#define GAMELAKE_STREAMING_SQL_RESERVED_WORDS_H_

#include <string_view>

namespace gamelake {

// True if `word` is reserved, compared without regard to ASCII case.
bool IsSqlReservedWord(std::string_view word);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_RESERVED_WORDS_H_
