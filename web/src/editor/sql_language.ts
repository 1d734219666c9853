// The SQL the editor knows, as pure functions (no DOM, unit-tested in
// tests/unit/editor.test.ts): a tokenizer for highlighting, the keywords and
// functions completion offers, identifier quoting, and where an error
// message points (DuckDB's "LINE n:" with a caret, or "line:column: ...").

export type TokenType = 'keyword' | 'string' | 'ident' | 'number' | 'comment' | 'word' | 'operator' | 'space';

export interface Token {
  type: TokenType;
  text: string;
  start: number; // offset in the text
}

// Keywords highlighted and offered by completion (DuckDB's SQL as Athena users
// write it). Upper case; matching ignores case.
export const kSqlKeywords: readonly string[] = [
  'ALL', 'ALTER', 'AND', 'ANTI', 'ANY', 'AS', 'ASC', 'ASOF', 'BETWEEN', 'BY', 'CASE', 'CAST', 'COLUMNS',
  'CREATE', 'CROSS', 'CUBE', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', 'DATE', 'DESC', 'DESCRIBE', 'DISTINCT', 'DROP',
  'ELSE', 'END', 'EXCEPT', 'EXCLUDE', 'EXISTS', 'EXPLAIN', 'FALSE', 'FILTER', 'FIRST', 'FOLLOWING', 'FOR',
  'FROM', 'FULL', 'GROUP', 'GROUPING', 'HAVING', 'IF', 'ILIKE', 'IN', 'INNER', 'INTERSECT', 'INTERVAL',
  'INTO', 'IS', 'JOIN', 'LAST', 'LATERAL', 'LEFT', 'LIKE', 'LIMIT', 'NATURAL', 'NOT', 'NULL', 'NULLS',
  'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER', 'OVER', 'PARTITION', 'PIVOT', 'POSITIONAL', 'PRECEDING',
  'QUALIFY', 'RANGE', 'RECURSIVE', 'REPLACE', 'RIGHT', 'ROLLUP', 'ROW', 'ROWS', 'SELECT', 'SEMI',
  'SETS', 'SHOW', 'SIMILAR', 'SOME', 'SUMMARIZE', 'TABLE', 'TABLES', 'THEN', 'TIME', 'TIMESTAMP', 'TRUE',
  'TRY_CAST', 'UNBOUNDED', 'UNION', 'UNPIVOT', 'USING', 'VALUES', 'VIEW', 'WHEN', 'WHERE', 'WINDOW',
  'WITH', 'WITHIN',
  // Types, highlighted like keywords (CAST(x AS DOUBLE), x::BIGINT).
  'BIGINT', 'BOOLEAN', 'DECIMAL', 'DOUBLE', 'FLOAT', 'HUGEINT', 'INTEGER', 'JSON', 'SMALLINT', 'TEXT',
  'TINYINT', 'UBIGINT', 'UINTEGER', 'UUID', 'VARCHAR',
];

// Functions completion offers (highlighted as plain words: they are names).
export const kSqlFunctions: readonly string[] = [
  'abs', 'any_value', 'approx_count_distinct', 'approx_quantile', 'arg_max', 'arg_min', 'avg', 'coalesce',
  'concat', 'count', 'date_diff', 'date_part', 'date_trunc', 'epoch_ms', 'first', 'greatest', 'histogram',
  'json_extract', 'json_extract_string', 'lag', 'last', 'lead', 'least', 'length', 'list', 'lower', 'max',
  'median', 'min', 'mode', 'now', 'nullif', 'quantile_cont', 'rank', 'regexp_matches', 'round', 'row_number',
  'stddev', 'string_agg', 'strftime', 'strptime', 'substring', 'sum', 'time_bucket', 'to_timestamp', 'upper',
];

const kKeywordSet: ReadonlySet<string> = new Set(kSqlKeywords);

// Words that cannot be a bare identifier in DuckDB (a column named "order"
// must be quoted). A subset of the keywords: the reserved ones.
const kReserved: ReadonlySet<string> = new Set([
  'ALL', 'ANALYSE', 'ANALYZE', 'AND', 'ANY', 'ARRAY', 'AS', 'ASC', 'ASYMMETRIC', 'BOTH', 'CASE', 'CAST',
  'CHECK', 'COLLATE', 'COLUMN', 'CONSTRAINT', 'CREATE', 'DEFAULT', 'DEFERRABLE', 'DESC', 'DESCRIBE',
  'DISTINCT', 'DO', 'ELSE', 'END', 'EXCEPT', 'FALSE', 'FETCH', 'FOR', 'FOREIGN', 'FROM', 'GRANT',
  'GROUP', 'HAVING', 'IN', 'INITIALLY', 'INTERSECT', 'INTO', 'LATERAL', 'LEADING', 'LIMIT', 'NOT',
  'NULL', 'OFFSET', 'ON', 'ONLY', 'OR', 'ORDER', 'PIVOT', 'PIVOT_LONGER', 'PIVOT_WIDER', 'PLACING',
  'PRIMARY', 'QUALIFY', 'REFERENCES', 'RETURNING', 'SELECT', 'SHOW', 'SOME', 'SUMMARIZE', 'SYMMETRIC',
  'TABLE', 'THEN', 'TO', 'TRAILING', 'TRUE', 'UNION', 'UNIQUE', 'UNPIVOT', 'USING', 'VARIADIC', 'WHEN',
  'WHERE', 'WINDOW', 'WITH',
]);

// The SQL keywords plus `extra` (any case), for tokenize().
export function keywordSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...kSqlKeywords, ...extra.map((k) => k.toUpperCase())]);
}

export function isKeyword(word: string): boolean {
  return kKeywordSet.has(word.toUpperCase());
}

const isWordStart = (c: string): boolean => /[A-Za-z_\u00C0-\uFFFF]/.test(c);
const isWordChar = (c: string): boolean => /[A-Za-z0-9_$\u00C0-\uFFFF]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

// Splits SQL into tokens covering every character, in order. Unterminated
// strings, quoted names and block comments run to the end of the text (the
// user is still typing them).
// `keywords` (upper case) replaces the SQL keyword set, e.g. with streaming
// SQL's (STREAM, PUMP, ROWTIME...) added: see keywordSet().
export function tokenize(text: string, keywords: ReadonlySet<string> = kKeywordSet): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  const push = (type: TokenType, end: number): void => {
    tokens.push({ type, text: text.slice(i, end), start: i });
    i = end;
  };
  // The end of a quoted run starting at i (quote q, doubled q escapes it).
  const quotedEnd = (q: string, from = i): number => {
    let j = from + 1;
    while (j < n) {
      if (text[j] === q) {
        if (text[j + 1] === q) j += 2;
        else return j + 1;
      } else {
        j += 1;
      }
    }
    return n;
  };
  while (i < n) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(text.charAt(j))) j += 1;
      push('space', j);
    } else if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      push('comment', nl < 0 ? n : nl);
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      push('comment', close < 0 ? n : close + 2);
    } else if (c === "'") {
      push('string', quotedEnd("'"));
    } else if ((c === 'E' || c === 'e') && next === "'") {
      push('string', quotedEnd("'", i + 1));
    } else if (c === '"') {
      push('ident', quotedEnd('"'));
    } else if (isDigit(c) || (c === '.' && isDigit(next))) {
      let j = i;
      while (j < n && /[0-9_]/.test(text.charAt(j))) j += 1;
      if (text.charAt(j) === '.' && text.charAt(j + 1) !== '.') {
        j += 1;
        while (j < n && /[0-9_]/.test(text.charAt(j))) j += 1;
      }
      if (/[eE]/.test(text.charAt(j)) && /[0-9+-]/.test(text.charAt(j + 1))) {
        j += 2;
        while (j < n && isDigit(text.charAt(j))) j += 1;
      }
      // 12abc is not a number followed by a word in SQL's eyes either; keep it one word.
      if (j < n && isWordStart(text.charAt(j)) && !/[eE]/.test(text.charAt(j))) {
        while (j < n && isWordChar(text.charAt(j))) j += 1;
        push('word', j);
      } else {
        push('number', j);
      }
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text.charAt(j))) j += 1;
      const word = text.slice(i, j);
      push(keywords.has(word.toUpperCase()) ? 'keyword' : 'word', j);
    } else {
      // Operators and punctuation, two-character ones kept together.
      const two = text.slice(i, i + 2);
      push('operator', ['<=', '>=', '<>', '!=', '::', '||', '->', '=>', '**'].includes(two) ? i + 2 : i + 1);
    }
  }
  return tokens;
}

// A name as SQL must write it: bare when it is a plain lower/upper-case word
// that is not reserved, else in double quotes ("Time Played", "data-view").
export function quoteIdent(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !kReserved.has(name.toUpperCase())) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

// The name a token stands for: a quoted name unquoted, a word as written.
export function identName(token: Token): string | null {
  if (token.type === 'word' || token.type === 'keyword') return token.text;
  if (token.type === 'ident') {
    const body = token.text.endsWith('"') && token.text.length >= 2 ? token.text.slice(1, -1) : token.text.slice(1);
    return body.replaceAll('""', '"');
  }
  return null;
}

// The names among `known` (tables, views) that the text mentions, compared
// ignoring case as DuckDB does; answered as spelled in `known`.
export function namesMentioned(text: string, known: readonly string[]): string[] {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const found = new Set<string>();
  for (const token of tokenize(text)) {
    const name = identName(token);
    if (name === null) continue;
    const hit = byLower.get(name.toLowerCase());
    if (hit !== undefined) found.add(hit);
  }
  return [...found];
}

export interface ErrorPosition {
  line: number; // 1-based
  column: number; // 1-based; 0 when unknown
}

// Where an error message points. DuckDB: "...\n\nLINE 3: WHERE nosuch > 3\n
// ^" (the caret's offset past "LINE 3: " is the column); gamelake's streaming
// SQL: "2:17: unknown column". Null when the message names no position.
export function errorPosition(message: string): ErrorPosition | null {
  const lines = message.split('\n');
  for (let k = 0; k < lines.length; k += 1) {
    const match = /^LINE (\d+):/.exec(lines[k] ?? '');
    if (match?.[1] === undefined) continue;
    const line = Number(match[1]);
    // DuckDB writes one space after "LINE n:", then the query's line: the
    // caret's offset minus "LINE n:" is the 1-based column.
    const caret = lines[k + 1]?.indexOf('^') ?? -1;
    return { line, column: caret > match[0].length ? caret - match[0].length : 0 };
  }
  const short = /^(?:.*?\s)?(\d+):(\d+):\s/.exec(message);
  if (short?.[1] !== undefined && short[2] !== undefined) return { line: Number(short[1]), column: Number(short[2]) };
  return null;
}

// The error message without DuckDB's echo of the line and the caret (the
// editor marks the line itself).
export function errorSummary(message: string): string {
  const at = message.search(/\n\s*\nLINE \d+:/);
  return (at < 0 ? message : message.slice(0, at)).trim();
}
