// Completion as pure functions (unit-tested): what the user is typing at the
// cursor, which candidates match it and in what order, and the text after
// accepting one.

export type CompletionKind = 'column' | 'table' | 'view' | 'keyword' | 'function' | 'stream';

export interface Completion {
  label: string; // what the list shows: the name as it is (Time Played)
  insert: string; // what goes into the text: as SQL writes it ("Time Played")
  kind: CompletionKind;
  detail?: string; // a type, or the table a column belongs to
}

export interface WordAt {
  start: number; // where the word being typed starts (its opening quote, if any)
  prefix: string; // what of it is typed, without the opening quote
  quoted: boolean; // the word starts with "
}

// The word ending at the cursor: letters, digits, _ and $, or an open quoted
// name ("Time Pl). A quoted name counts only if its quote is still open.
export function wordAt(text: string, cursor: number): WordAt {
  const before = text.slice(0, cursor);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  // An open double quote on this line (odd count, outside strings) starts a quoted name.
  let open = -1;
  let inString = false;
  for (let k = 0; k < line.length; k += 1) {
    const c = line[k];
    if (c === "'" && open < 0) inString = !inString;
    else if (c === '"' && !inString) open = open < 0 ? k : -1;
  }
  const lineStart = cursor - line.length;
  if (open >= 0) return { start: lineStart + open, prefix: line.slice(open + 1), quoted: true };
  const match = /[A-Za-z0-9_$\u00C0-\uFFFF]*$/.exec(line);
  const prefix = match?.[0] ?? '';
  return { start: cursor - prefix.length, prefix, quoted: false };
}

const kKindOrder: Record<CompletionKind, number> = { column: 0, table: 1, view: 1, stream: 1, function: 2, keyword: 3 };

// How well a label matches what is typed: 0 starts with it, 1 a word inside
// starts with it (Played in "Time Played", Id in PlayerID's camel case, after
// _ or -), 2 contains it; -1 no match. Case is ignored.
export function matchRank(label: string, prefix: string): number {
  if (prefix === '') return 0;
  const l = label.toLowerCase();
  const p = prefix.toLowerCase();
  if (l.startsWith(p)) return 0;
  for (let k = 1; k < label.length; k += 1) {
    const prev = label.charAt(k - 1);
    const c = label.charAt(k);
    const boundary = /[\s_\-.]/.test(prev) || (/[a-z]/.test(prev) && /[A-Z]/.test(c));
    if (boundary && l.startsWith(p, k)) return 1;
  }
  return l.includes(p) ? 2 : -1;
}

// The candidates matching `prefix`, best first: by match rank, then columns
// before tables before functions before keywords, then by label. Duplicates
// (same insert text and kind) are dropped; at most `limit` are returned.
export function matchCompletions(candidates: readonly Completion[], prefix: string, limit = 50): Completion[] {
  const seen = new Set<string>();
  const scored: { c: Completion; rank: number }[] = [];
  for (const c of candidates) {
    const key = `${c.kind}\u0000${c.insert}`;
    if (seen.has(key)) continue;
    const rank = matchRank(c.label, prefix);
    if (rank < 0) continue;
    seen.add(key);
    scored.push({ c, rank });
  }
  scored.sort(
    (a, b) =>
      a.rank - b.rank ||
      kKindOrder[a.c.kind] - kKindOrder[b.c.kind] ||
      a.c.label.toLowerCase().localeCompare(b.c.label.toLowerCase()),
  );
  return scored.slice(0, limit).map((s) => s.c);
}

// Whether the list is worth showing: not when the only candidate is exactly
// what is already typed.
export function worthShowing(matches: readonly Completion[], typed: string): boolean {
  if (matches.length === 0) return false;
  if (matches.length === 1 && matches[0]?.insert.toLowerCase() === typed.toLowerCase()) return false;
  return true;
}

// The edit accepting a completion makes: replace [start, end) — the word
// being typed, plus the closing quote of a quoted name the text already holds
// after the cursor ("Time Pl|ayed") — with `insert`, then put the cursor at `cursor`.
export interface CompletionEdit {
  start: number;
  end: number;
  insert: string;
  cursor: number;
}

export function completionEdit(text: string, cursor: number, word: WordAt, completion: Completion): CompletionEdit {
  let end = cursor;
  if (word.quoted && completion.insert.startsWith('"')) {
    const close = text.indexOf('"', cursor);
    const newline = text.indexOf('\n', cursor);
    if (close >= 0 && (newline < 0 || close < newline)) end = close + 1;
  }
  return { start: word.start, end, insert: completion.insert, cursor: word.start + completion.insert.length };
}

// The text after accepting a completion, and where the cursor goes.
export function applyCompletion(text: string, cursor: number, word: WordAt, completion: Completion): { text: string; cursor: number } {
  const edit = completionEdit(text, cursor, word, completion);
  return { text: text.slice(0, edit.start) + edit.insert + text.slice(edit.end), cursor: edit.cursor };
}
