// SameSqlType: exact equality of two SqlType trees (kind, names, field
// names, children, array size), which SqlType itself does not define.
//
// Thread-safety: a pure function.
#ifndef GAMELAKE_CATALOG_SQL_TYPE_EQUAL_H_
#define GAMELAKE_CATALOG_SQL_TYPE_EQUAL_H_

#include "sql/duck_db.h"

namespace gamelake {

bool SameSqlType(const SqlType& a, const SqlType& b);

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_SQL_TYPE_EQUAL_H_
