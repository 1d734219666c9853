// Unit tests of the code editor's pure parts: the SQL tokenizer, identifier
// quoting, error positions, and completion matching and editing.
import { test, expect } from '@playwright/test';
import { errorPosition, errorSummary, keywordSet, namesMentioned, quoteIdent, tokenize, type TokenType } from '../../src/editor/sql_language';
import { applyCompletion, matchCompletions, matchRank, wordAt, worthShowing, type Completion } from '../../src/editor/completion';

const kinds = (text: string): [TokenType, string][] => tokenize(text).filter((t) => t.type !== 'space').map((t) => [t.type, t.text]);

test('the tokenizer tells keywords, quoted names, strings, numbers and comments apart', () => {
  expect(kinds(`SELECT "Time Played", 'it''s', 3.5e2, x -- note\nFROM events /* c */ WHERE a<=1`)).toEqual([
    ['keyword', 'SELECT'],
    ['ident', '"Time Played"'],
    ['operator', ','],
    ['string', "'it''s'"],
    ['operator', ','],
    ['number', '3.5e2'],
    ['operator', ','],
    ['word', 'x'],
    ['comment', '-- note'],
    ['keyword', 'FROM'],
    ['word', 'events'],
    ['comment', '/* c */'],
    ['keyword', 'WHERE'],
    ['word', 'a'],
    ['operator', '<='],
    ['number', '1'],
  ]);
});

test('tokens cover the text exactly, unterminated ones running to the end', () => {
  for (const text of ['select \'open', 'a /* open', '"Time Pl', 'x::BIGINT\n\n  -- c', 'E\'\\n\' || 12abc', '']) {
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    let at = 0;
    for (const t of tokens) {
      expect(t.start).toBe(at);
      at += t.text.length;
    }
  }
  expect(kinds("select 'open")).toEqual([['keyword', 'select'], ['string', "'open"]]);
  expect(kinds('"a""b" c')).toEqual([['ident', '"a""b"'], ['word', 'c']]);
  expect(kinds('12abc 1.')).toEqual([['word', '12abc'], ['number', '1.']]);
});

test('extra keywords (streaming SQL) are highlighted when asked for', () => {
  expect(tokenize('CREATE STREAM s').map((t) => t.type)).toEqual(['keyword', 'space', 'word', 'space', 'word']);
  expect(tokenize('CREATE STREAM s', keywordSet(['stream'])).map((t) => t.type)).toEqual(['keyword', 'space', 'keyword', 'space', 'word']);
});

test('names that need quoting are quoted, others are left bare', () => {
  expect(quoteIdent('PlayerID')).toBe('PlayerID');
  expect(quoteIdent('_ingest_time')).toBe('_ingest_time');
  expect(quoteIdent('Time Played')).toBe('"Time Played"');
  expect(quoteIdent('data-view')).toBe('"data-view"');
  expect(quoteIdent('order')).toBe('"order"');
  expect(quoteIdent('2fast')).toBe('"2fast"');
  expect(quoteIdent('say "hi"')).toBe('"say ""hi"""');
});

test('the tables a query mentions are found ignoring case and quotes', () => {
  expect(namesMentioned('SELECT * FROM EVENTS e JOIN "data-view" d ON true', ['events', 'data-view', 'other'])).toEqual(['events', 'data-view']);
  expect(namesMentioned("SELECT 'events' -- events", ['events'])).toEqual([]);
});

test("an error's line and column come from DuckDB's LINE n: and caret", () => {
  const message = 'Binder Error: Referenced column "nosuch" not found in FROM clause!\nCandidate bindings: "Wins"\n\nLINE 3: WHERE nosuch > 3\n              ^';
  expect(errorPosition(message)).toEqual({ line: 3, column: 7 });
  expect(errorPosition('Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^')).toEqual({ line: 1, column: 1 });
  expect(errorPosition('2:17: unknown column "Losses"')).toEqual({ line: 2, column: 17 });
  expect(errorPosition('one statement per query, please: this text holds 2')).toBeNull();
  expect(errorSummary(message)).toBe('Binder Error: Referenced column "nosuch" not found in FROM clause!\nCandidate bindings: "Wins"');
});

test('the word at the cursor, plain or an open quoted name', () => {
  expect(wordAt('SELECT Pla', 10)).toEqual({ start: 7, prefix: 'Pla', quoted: false });
  expect(wordAt('WHERE "Time Pl', 14)).toEqual({ start: 6, prefix: 'Time Pl', quoted: true });
  expect(wordAt('WHERE "Time Played" > Wi', 24)).toEqual({ start: 22, prefix: 'Wi', quoted: false });
  expect(wordAt("WHERE x = 'a \"b' AND ca", 23)).toEqual({ start: 21, prefix: 'ca', quoted: false });
  expect(wordAt('SELECT e.Wi\nFROM', 11)).toEqual({ start: 9, prefix: 'Wi', quoted: false });
  expect(wordAt('SELECT ', 7)).toEqual({ start: 7, prefix: '', quoted: false });
});

const candidates: Completion[] = [
  { label: 'SELECT', insert: 'SELECT', kind: 'keyword' },
  { label: 'PlayerID', insert: 'PlayerID', kind: 'column' },
  { label: 'Time Played', insert: '"Time Played"', kind: 'column' },
  { label: 'events', insert: 'events', kind: 'table' },
  { label: 'sum', insert: 'sum', kind: 'function' },
  { label: 'SETS', insert: 'SETS', kind: 'keyword' },
  { label: 'PlayerID', insert: 'PlayerID', kind: 'column' },
];

test('completion ranks prefix matches first, then word starts, then substrings; columns before keywords', () => {
  expect(matchRank('Time Played', 'pla')).toBe(1);
  expect(matchRank('PlayerID', 'id')).toBe(1);
  expect(matchRank('data-view', 'view')).toBe(1);
  expect(matchRank('CaughtBy', 'ugh')).toBe(2);
  expect(matchRank('Wins', 'x')).toBe(-1);
  expect(matchCompletions(candidates, 'pla').map((c) => c.label)).toEqual(['PlayerID', 'Time Played']);
  expect(matchCompletions(candidates, 'S').map((c) => c.label)).toEqual(['sum', 'SELECT', 'SETS', 'events']);
  expect(matchCompletions(candidates, '').length).toBe(6); // the duplicate PlayerID dropped
  expect(matchCompletions(candidates, 'e', 2).length).toBe(2);
});

test('accepting a completion replaces the typed word, quoting as needed', () => {
  const played = candidates[2] as Completion;
  expect(applyCompletion('WHERE Pla > 1', 9, wordAt('WHERE Pla > 1', 9), played)).toEqual({ text: 'WHERE "Time Played" > 1', cursor: 19 });
  // An open quote is replaced, and the closing quote already there is kept once.
  expect(applyCompletion('WHERE "Time Pl"', 14, wordAt('WHERE "Time Pl"', 14), played)).toEqual({ text: 'WHERE "Time Played"', cursor: 19 });
  expect(applyCompletion('SEL', 3, wordAt('SEL', 3), candidates[0] as Completion)).toEqual({ text: 'SELECT', cursor: 6 });
  expect(worthShowing([candidates[0] as Completion], 'select')).toBe(false);
  expect(worthShowing([candidates[0] as Completion], 'sel')).toBe(true);
  expect(worthShowing([], 'x')).toBe(false);
});
