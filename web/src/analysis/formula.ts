// QuickSight's calculated-field formulas, parsed and translated to DuckDB SQL.
//
//   avg({wins} / {losses})
//   ifelse({caughtby} <= 3, 'ghost', 'gargoyle')
//
// A tokenizer and a recursive-descent parser build a small tree; compile()
// turns it into SQL against the dataset's columns, matched ignoring case and
// quoted, and says whether the result is an aggregate (a value per group) or a
// row-level expression. Division by zero is NULL, as in QuickSight. Errors carry
// the line and column (1-based) where they were found. Pure: no DOM.

export interface Position {
  offset: number;
  line: number;
  column: number;
}

export class FormulaError extends Error {
  constructor(
    readonly detail: string,
    readonly position: Position,
  ) {
    super(`line ${position.line}, column ${position.column}: ${detail}`);
    this.name = 'FormulaError';
  }
}

type TokenKind = 'number' | 'string' | 'field' | 'ident' | 'op' | 'lparen' | 'rparen' | 'comma' | 'end';

interface Token {
  kind: TokenKind;
  text: string; // the value: digits, the string's contents, the field's name, the operator
  pos: Position;
}

export type Node =
  | { kind: 'number'; value: number; text: string; pos: Position }
  | { kind: 'string'; value: string; pos: Position }
  | { kind: 'null'; pos: Position }
  | { kind: 'bool'; value: boolean; pos: Position }
  | { kind: 'field'; name: string; pos: Position }
  | { kind: 'unary'; op: '-' | 'NOT'; operand: Node; pos: Position }
  | { kind: 'binary'; op: string; left: Node; right: Node; pos: Position }
  | { kind: 'call'; name: string; args: Node[]; pos: Position };

const kOperators = ['<>', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/'];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const posAt = (offset: number): Position => ({ offset, line, column: offset - lineStart + 1 });
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const pos = posAt(i);
    if (c === '{') {
      const end = text.indexOf('}', i + 1);
      const newline = text.indexOf('\n', i + 1);
      if (end < 0 || (newline >= 0 && newline < end)) throw new FormulaError("a field reference '{' is not closed by '}'", pos);
      const name = text.slice(i + 1, end).trim();
      if (name === '') throw new FormulaError('an empty field reference {}', pos);
      tokens.push({ kind: 'field', text: name, pos });
      i = end + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length || text[j] === '\n') throw new FormulaError('a string is not closed', pos);
        if (text[j] === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        if (text[j] === '\\' && j + 1 < text.length) {
          value += text[j + 1] ?? '';
          j += 2;
          continue;
        }
        value += text[j] ?? '';
        j += 1;
      }
      tokens.push({ kind: 'string', text: value, pos });
      i = j + 1;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number !== null) {
      tokens.push({ kind: 'number', text: number[0], pos });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (ident !== null) {
      tokens.push({ kind: 'ident', text: ident[0], pos });
      i += ident[0].length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos });
      i += 1;
      continue;
    }
    const op = kOperators.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, pos });
      i += op.length;
      continue;
    }
    throw new FormulaError(`unexpected character '${c}'`, pos);
  }
  tokens.push({ kind: 'end', text: '', pos: posAt(i) });
  return tokens;
}

class Parser {
  private i = 0;
  private readonly end: Token;
  constructor(private readonly tokens: Token[]) {
    this.end = tokens[tokens.length - 1] ?? { kind: 'end', text: '', pos: { offset: 0, line: 1, column: 1 } };
  }

  private peek(): Token {
    return this.tokens[this.i] ?? this.end;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }
  private keyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private describe(t: Token): string {
    if (t.kind === 'end') return 'the end of the formula';
    if (t.kind === 'string') return `'${t.text}'`;
    if (t.kind === 'field') return `{${t.text}}`;
    return `'${t.text}'`;
  }
  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw new FormulaError(`expected ${what} but found ${this.describe(t)}`, t.pos);
    return this.next();
  }

  parse(): Node {
    if (this.peek().kind === 'end') throw new FormulaError('the formula is empty', this.peek().pos);
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw new FormulaError(`unexpected ${this.describe(t)} after a complete expression`, t.pos);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.keyword('OR')) {
      const pos = this.next().pos;
      left = { kind: 'binary', op: 'OR', left, right: this.and(), pos };
    }
    return left;
  }
  private and(): Node {
    let left = this.not();
    while (this.keyword('AND')) {
      const pos = this.next().pos;
      left = { kind: 'binary', op: 'AND', left, right: this.not(), pos };
    }
    return left;
  }
  private not(): Node {
    if (this.keyword('NOT')) {
      const pos = this.next().pos;
      return { kind: 'unary', op: 'NOT', operand: this.not(), pos };
    }
    return this.comparison();
  }
  private comparison(): Node {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      const right = this.additive();
      const after = this.peek();
      if (after.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(after.text)) {
        throw new FormulaError('comparisons cannot be chained; combine them with AND', after.pos);
      }
      return { kind: 'binary', op: t.text === '!=' ? '<>' : t.text, left, right, pos: t.pos };
    }
    return left;
  }
  private additive(): Node {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-')) return left;
      this.next();
      left = { kind: 'binary', op: t.text, left, right: this.multiplicative(), pos: t.pos };
    }
  }
  private multiplicative(): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/')) return left;
      this.next();
      left = { kind: 'binary', op: t.text, left, right: this.unary(), pos: t.pos };
    }
  }
  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const operand = this.unary();
      return t.text === '-' ? { kind: 'unary', op: '-', operand, pos: t.pos } : operand;
    }
    return this.primary();
  }
  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: Number(t.text), text: t.text, pos: t.pos };
      case 'string':
        return { kind: 'string', value: t.text, pos: t.pos };
      case 'field':
        return { kind: 'field', name: t.text, pos: t.pos };
      case 'lparen': {
        const inner = this.or();
        this.expect('rparen', "')'");
        return inner;
      }
      case 'ident': {
        if (this.peek().kind === 'lparen') {
          this.next();
          const args: Node[] = [];
          if (this.peek().kind !== 'rparen') {
            for (;;) {
              args.push(this.or());
              if (this.peek().kind === 'comma') {
                this.next();
                continue;
              }
              break;
            }
          }
          this.expect('rparen', "',' or ')'");
          return { kind: 'call', name: t.text.toLowerCase(), args, pos: t.pos };
        }
        const upper = t.text.toUpperCase();
        if (upper === 'NULL') return { kind: 'null', pos: t.pos };
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'bool', value: upper === 'TRUE', pos: t.pos };
        if (['AND', 'OR', 'NOT'].includes(upper)) throw new FormulaError(`expected a value but found '${t.text}'`, t.pos);
        return { kind: 'field', name: t.text, pos: t.pos };
      }
      default:
        throw new FormulaError(`expected a value but found ${this.describe(t)}`, t.pos);
    }
  }
}

export function parseFormula(text: string): Node {
  return new Parser(tokenize(text)).parse();
}

// ---- Translation to SQL ----

// Quotes an identifier for DuckDB: "Time Played", "a""b".
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

// What a field name resolves to: SQL and whether it is an aggregate.
export interface Resolved {
  sql: string;
  aggregate: boolean;
}

// Resolves a field reference (the name as written, case as written); answers
// undefined when there is no such field.
export type Resolver = (name: string) => Resolved | undefined;

export interface Compiled {
  sql: string;
  aggregate: boolean; // true: a value per group (contains an aggregate function)
}

export const kAggregateFunctions: Record<string, string> = {
  avg: 'avg',
  sum: 'sum',
  count: 'count',
  min: 'min',
  max: 'max',
  distinct_count: 'count',
  median: 'median',
};

// The functions a formula may call, with their argument counts, for the
// editor's function list.
export const kFunctions: { name: string; signature: string; help: string }[] = [
  { name: 'avg', signature: 'avg(expression)', help: 'average of the values (aggregate)' },
  { name: 'sum', signature: 'sum(expression)', help: 'sum of the values (aggregate)' },
  { name: 'count', signature: 'count(expression)', help: 'number of non-null values (aggregate)' },
  { name: 'distinct_count', signature: 'distinct_count(expression)', help: 'number of distinct values (aggregate)' },
  { name: 'min', signature: 'min(expression)', help: 'smallest value (aggregate)' },
  { name: 'max', signature: 'max(expression)', help: 'largest value (aggregate)' },
  { name: 'median', signature: 'median(expression)', help: 'median value (aggregate)' },
  { name: 'ifelse', signature: 'ifelse(if, then, [if, then, ...,] else)', help: 'the first then whose if holds, else the last' },
  { name: 'abs', signature: 'abs(number)', help: 'absolute value' },
  { name: 'round', signature: 'round(number, [decimals])', help: 'rounds to decimals (0 by default)' },
  { name: 'ceil', signature: 'ceil(number)', help: 'smallest integer not below' },
  { name: 'floor', signature: 'floor(number)', help: 'largest integer not above' },
  { name: 'coalesce', signature: 'coalesce(a, b, ...)', help: 'the first non-null argument' },
  { name: 'ifnull', signature: 'ifnull(value, replacement)', help: 'replacement when value is null' },
  { name: 'isnull', signature: 'isnull(value)', help: 'true when value is null' },
  { name: 'isnotnull', signature: 'isnotnull(value)', help: 'true when value is not null' },
  { name: 'concat', signature: 'concat(a, b, ...)', help: 'joins values as text' },
  { name: 'tostring', signature: 'toString(value)', help: 'the value as text' },
];

function arity(node: Extract<Node, { kind: 'call' }>, min: number, max: number): void {
  const n = node.args.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new FormulaError(`${node.name}() takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, not ${n}`, node.pos);
  }
}

// Translates a parsed formula. `insideAggregate` is set while compiling an
// aggregate's argument (aggregates may not nest).
export function compileNode(node: Node, resolve: Resolver, insideAggregate = false): Compiled {
  const row = (sql: string): Compiled => ({ sql, aggregate: false });
  switch (node.kind) {
    case 'number':
      return row(node.text);
    case 'string':
      return row(quoteString(node.value));
    case 'null':
      return row('NULL');
    case 'bool':
      return row(node.value ? 'TRUE' : 'FALSE');
    case 'field': {
      const r = resolve(node.name);
      if (r === undefined) throw new FormulaError(`no field named '${node.name}'`, node.pos);
      if (r.aggregate && insideAggregate) throw new FormulaError(`'${node.name}' is an aggregate and cannot be used inside another aggregate`, node.pos);
      return { sql: r.sql, aggregate: r.aggregate };
    }
    case 'unary': {
      const operand = compileNode(node.operand, resolve, insideAggregate);
      return { sql: node.op === '-' ? `(-${operand.sql})` : `(NOT ${operand.sql})`, aggregate: operand.aggregate };
    }
    case 'binary': {
      const left = compileNode(node.left, resolve, insideAggregate);
      const right = compileNode(node.right, resolve, insideAggregate);
      mixCheck([left, right], [node.left, node.right]);
      const aggregate = left.aggregate || right.aggregate;
      if (node.op === '/') {
        return { sql: `(CAST(${left.sql} AS DOUBLE) / NULLIF(CAST(${right.sql} AS DOUBLE), 0))`, aggregate };
      }
      return { sql: `(${left.sql} ${node.op} ${right.sql})`, aggregate };
    }
    case 'call':
      return compileCall(node, resolve, insideAggregate);
  }
}

// QuickSight refuses mixing aggregated and row-level values in one
// expression (except literals, which are neither).
function mixCheck(parts: Compiled[], nodes: Node[]): void {
  const isLiteral = (n: Node): boolean => n.kind === 'number' || n.kind === 'string' || n.kind === 'null' || n.kind === 'bool';
  let agg: Node | undefined;
  let rowLevel: Node | undefined;
  parts.forEach((p, i) => {
    const n = nodes[i];
    if (n === undefined || isLiteral(n)) return;
    if (p.aggregate) agg ??= n;
    else rowLevel ??= n;
  });
  if (agg !== undefined && rowLevel !== undefined) {
    throw new FormulaError('mixing aggregated and row-level values: wrap the row-level part in an aggregate such as sum() or avg()', rowLevel.pos);
  }
}

function arg0(node: Extract<Node, { kind: 'call' }>): Node {
  const first = node.args[0];
  if (first === undefined) throw new FormulaError(`${node.name}() needs an argument`, node.pos);
  return first;
}

function sqlAt(parts: Compiled[], i: number): string {
  return parts[i]?.sql ?? 'NULL';
}

function compileCall(node: Extract<Node, { kind: 'call' }>, resolve: Resolver, insideAggregate: boolean): Compiled {
  const aggregateSql = kAggregateFunctions[node.name];
  if (aggregateSql !== undefined) {
    if (insideAggregate) throw new FormulaError(`aggregates cannot be nested: ${node.name}() inside another aggregate`, node.pos);
    arity(node, 1, 1);
    const arg = compileNode(arg0(node), resolve, true);
    const distinct = node.name === 'distinct_count' ? 'DISTINCT ' : '';
    return { sql: `${aggregateSql}(${distinct}${arg.sql})`, aggregate: true };
  }
  const args = (): Compiled[] => {
    const compiled = node.args.map((a) => compileNode(a, resolve, insideAggregate));
    mixCheck(compiled, node.args);
    return compiled;
  };
  const result = (sql: string, parts: Compiled[]): Compiled => ({ sql, aggregate: parts.some((p) => p.aggregate) });
  switch (node.name) {
    case 'ifelse': {
      if (node.args.length < 3 || node.args.length % 2 === 0) {
        throw new FormulaError(`ifelse() takes pairs of condition and value and then an else value (an odd number, at least 3), not ${node.args.length}`, node.pos);
      }
      const a = args();
      let sql = 'CASE';
      for (let i = 0; i + 1 < a.length; i += 2) sql += ` WHEN ${sqlAt(a, i)} THEN ${sqlAt(a, i + 1)}`;
      sql += ` ELSE ${sqlAt(a, a.length - 1)} END`;
      return result(sql, a);
    }
    case 'abs':
    case 'ceil':
    case 'floor': {
      arity(node, 1, 1);
      const a = args();
      return result(`${node.name}(${sqlAt(a, 0)})`, a);
    }
    case 'round': {
      arity(node, 1, 2);
      const a = args();
      return result(`round(${a.map((x) => x.sql).join(', ')})`, a);
    }
    case 'coalesce':
    case 'ifnull': {
      arity(node, 2, node.name === 'ifnull' ? 2 : Infinity);
      const a = args();
      return result(`coalesce(${a.map((x) => x.sql).join(', ')})`, a);
    }
    case 'isnull':
    case 'isnotnull': {
      arity(node, 1, 1);
      const a = args();
      return result(`(${sqlAt(a, 0)} IS ${node.name === 'isnull' ? '' : 'NOT '}NULL)`, a);
    }
    case 'concat': {
      arity(node, 1, Infinity);
      const a = args();
      return result(`concat(${a.map((x) => `CAST(${x.sql} AS VARCHAR)`).join(', ')})`, a);
    }
    case 'tostring': {
      arity(node, 1, 1);
      const a = args();
      return result(`CAST(${sqlAt(a, 0)} AS VARCHAR)`, a);
    }
    default:
      throw new FormulaError(`unknown function ${node.name}()`, node.pos);
  }
}

// Parses and translates a formula in one step.
export function compileFormula(text: string, resolve: Resolver): Compiled {
  return compileNode(parseFormula(text), resolve);
}

// The field names a formula refers to (for dependency checks).
export function referencedFields(node: Node): string[] {
  switch (node.kind) {
    case 'field':
      return [node.name];
    case 'unary':
      return referencedFields(node.operand);
    case 'binary':
      return [...referencedFields(node.left), ...referencedFields(node.right)];
    case 'call':
      return node.args.flatMap(referencedFields);
    default:
      return [];
  }
}
