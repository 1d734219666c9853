// Pure helpers of the streaming apps, generator and keys pages: positions in
// server error messages, the live rows' buffer, destination strings, SQL and
// template starters. No DOM here (tests/unit/apps.test.ts runs them in Node).

export interface TextPosition {
  line: number; // 1-based
  column: number; // 1-based, in characters (code points), as the server counts
  message: string; // the whole message, position included
}

// "2:17: unknown column ..." (the streaming SQL compiler) or "template line 3,
// column 14: ..." (the generator) → the position; null when there is none.
export function parseErrorPosition(message: string): TextPosition | null {
  const sql = /^\s*(\d+):(\d+):/.exec(message);
  const words = sql === null ? /\bline (\d+), column (\d+)\b/.exec(message) : null;
  const match = sql ?? words;
  if (match?.[1] === undefined || match[2] === undefined) return null;
  const line = Number(match[1]);
  const column = Number(match[2]);
  if (line < 1 || column < 1) return null;
  return { line, column, message };
}

// The UTF-16 offset (what a textarea's selection counts) of a 1-based
// line:column whose column counts code points; clamped to the text.
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l += 1) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  for (let c = 1; c < column && offset < text.length; c += 1) {
    if (text[offset] === '\n') break;
    const code = text.codePointAt(offset) ?? 0;
    offset += code > 0xffff ? 2 : 1;
  }
  return offset;
}

// The end of the token starting at `offset` (a quoted name, a word, or one
// character), so the error's place can be selected, not just pointed at.
export function tokenEnd(text: string, offset: number): number {
  const first = text[offset];
  if (first === undefined || first === '\n') return offset;
  if (first === '"' || first === "'") {
    const close = text.indexOf(first, offset + 1);
    const newline = text.indexOf('\n', offset + 1);
    if (close > 0 && (newline < 0 || close < newline)) return close + 1;
  }
  const word = /^[A-Za-z0-9_$.]+/.exec(text.slice(offset));
  return offset + (word === null ? 1 : word[0].length);
}

// The newest rows of a live stream, newest first, at most `limit` kept;
// `received` counts every row since the start (or the last clear()).
export class LiveRows<T> {
  private rows: T[] = [];
  private total = 0;
  constructor(readonly limit = 200) {}
  push(row: T): void {
    this.rows.unshift(row);
    if (this.rows.length > this.limit) this.rows.length = this.limit;
    this.total += 1;
  }
  get received(): number {
    return this.total;
  }
  get newestFirst(): readonly T[] {
    return this.rows;
  }
  clear(): void {
    this.rows = [];
    this.total = 0;
  }
}

// The live table's columns: ROWTIME first, then the stream's own.
export function liveColumns(streamColumns: readonly { name: string }[]): string[] {
  return ['ROWTIME', ...streamColumns.map((c) => c.name).filter((n) => n !== 'ROWTIME')];
}

export interface Destination {
  stream: string;
  kind: 'metrics' | 'stream' | 'webhook';
  target: string; // namespace (with its ",col=metric" list), stream name or URL
}

// "IN_APP_STREAM=metrics:NS[,col=metric...]", "IN_APP_STREAM=stream:NAME" or
// "IN_APP_STREAM=webhook:URL" (docs/api.md) → its parts, or an error message.
export function parseDestination(text: string): Destination | string {
  const trimmed = text.trim();
  const eq = trimmed.indexOf('=');
  if (eq <= 0) return 'a destination is IN_APP_STREAM=KIND:TARGET (KIND metrics, stream or webhook)';
  const stream = trimmed.slice(0, eq);
  const rest = trimmed.slice(eq + 1);
  const colon = rest.indexOf(':');
  const kind = colon < 0 ? '' : rest.slice(0, colon);
  const target = colon < 0 ? '' : rest.slice(colon + 1);
  if (kind !== 'metrics' && kind !== 'stream' && kind !== 'webhook') {
    return `unknown destination kind "${kind}": use metrics:NAMESPACE, stream:NAME or webhook:http://...`;
  }
  if (target === '') return `${kind}: needs a target after the colon`;
  if (kind === 'webhook' && !target.startsWith('http://')) return 'a webhook is a plain http:// URL';
  return { stream, kind, target };
}

// A reference table's name from an uploaded file's name: "company names.csv"
// → "company_names".
export function referenceName(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, '');
  const cleaned = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return cleaned === '' ? 'reference' : cleaned;
}

// A KDA-style starting program (the console's "Continuous filter"
// template) over the given source columns (up to six of them); the lab's
// columns when there are none yet.
export function filterTemplate(columns: readonly { name: string; sqlType: string }[]): string {
  const picked = (columns.length > 0
    ? columns
    : [
        { name: 'PlayerID', sqlType: 'INTEGER' },
        { name: 'Wins', sqlType: 'INTEGER' },
        { name: 'Losses', sqlType: 'INTEGER' },
      ]
  ).slice(0, 6);
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  const numeric = picked.find((c) => /^(INTEGER|BIGINT|SMALLINT|TINYINT|DOUBLE|REAL|DECIMAL)/i.test(c.sqlType));
  const where = numeric === undefined ? '' : `\nWHERE ${quote(numeric.name)} > 10`;
  return [
    '-- ** Continuous Filter **',
    '-- Rows of the source that pass the WHERE clause go to DESTINATION_SQL_STREAM.',
    `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (${picked.map((c) => `${quote(c.name)} ${c.sqlType}`).join(', ')});`,
    'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"',
    `SELECT STREAM ${picked.map((c) => quote(c.name)).join(', ')}`,
    `FROM "SOURCE_SQL_STREAM_001"${where};`,
    '',
  ].join('\n');
}

// How far behind an application is, for the list: "0.2 s (12 records)".
export function formatLag(seconds: number | null | undefined, records: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = seconds < 10 ? seconds.toFixed(1) : Math.round(seconds).toLocaleString('en-US');
  return records === null || records === undefined || records === 0 ? `${s} s` : `${s} s (${records.toLocaleString('en-US')} records)`;
}

// "a, b ,c" → ["a", "b", "c"] (empty items dropped).
export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

// A job's progress in percent (null without a total count).
export function progressPercent(sent: number, count: number | null | undefined): number | null {
  if (count === null || count === undefined || count <= 0) return null;
  return Math.min(100, Math.floor((sent * 100) / count));
}
