// Unit tests of the apps/generator/keys pages' pure helpers (src/apps/helpers.ts).
import { test, expect } from '@playwright/test';
import {
  filterTemplate,
  formatLag,
  LiveRows,
  liveColumns,
  offsetOf,
  parseDestination,
  parseErrorPosition,
  progressPercent,
  referenceName,
  splitList,
  tokenEnd,
} from '../../src/apps/helpers';

test('error positions: the SQL compiler\'s L:C: and the generator\'s "line L, column C"', () => {
  expect(parseErrorPosition('2:17: unknown column "Losses"')).toEqual({ line: 2, column: 17, message: '2:17: unknown column "Losses"' });
  expect(parseErrorPosition('template line 3, column 14: unknown helper "random.numbr"')?.column).toBe(14);
  expect(parseErrorPosition('reference_data[0] ("T"): line 3, column 7: the quoted field never ends')?.line).toBe(3);
  expect(parseErrorPosition('no application named x')).toBeNull();
  expect(parseErrorPosition('0:0: nothing')).toBeNull();
});

test('offsetOf counts 1-based lines and code-point columns, clamped', () => {
  const text = 'ab\nc😀de\nf';
  expect(offsetOf(text, 1, 1)).toBe(0);
  expect(offsetOf(text, 2, 1)).toBe(3);
  expect(text.slice(offsetOf(text, 2, 3))).toBe('de\nf'); // the emoji is one column, two UTF-16 units
  expect(offsetOf(text, 2, 99)).toBe(text.indexOf('\nf')); // past the line's end: its end
  expect(offsetOf(text, 9, 1)).toBe(text.length);
});

test('tokenEnd selects a quoted name or a word', () => {
  const sql = 'WHERE "Lossez" > 10';
  expect(sql.slice(6, tokenEnd(sql, 6))).toBe('"Lossez"');
  expect(sql.slice(0, tokenEnd(sql, 0))).toBe('WHERE');
  expect(tokenEnd(sql, 15)).toBe(16); // '>' alone
});

test('LiveRows keeps the newest rows first, at most its limit, and counts all', () => {
  const rows = new LiveRows<number>(3);
  for (let i = 1; i <= 5; i += 1) rows.push(i);
  expect(rows.newestFirst).toEqual([5, 4, 3]);
  expect(rows.received).toBe(5);
  rows.clear();
  expect(rows.received).toBe(0);
  expect(rows.newestFirst).toEqual([]);
});

test('live columns: ROWTIME first, once', () => {
  expect(liveColumns([{ name: 'PlayerID' }, { name: 'Wins' }])).toEqual(['ROWTIME', 'PlayerID', 'Wins']);
  expect(liveColumns([{ name: 'ROWTIME' }, { name: 'a' }])).toEqual(['ROWTIME', 'a']);
});

test('destinations: the three kinds parse, anything else says why', () => {
  expect(parseDestination('data_stream=metrics:ns,PlayerID=playerID')).toEqual({ stream: 'data_stream', kind: 'metrics', target: 'ns,PlayerID=playerID' });
  expect(parseDestination('D=stream:filtered')).toEqual({ stream: 'D', kind: 'stream', target: 'filtered' });
  expect(parseDestination('D=webhook:http://127.0.0.1:9/x')).toEqual({ stream: 'D', kind: 'webhook', target: 'http://127.0.0.1:9/x' });
  expect(parseDestination('D=webhook:https://x')).toMatch(/http:\/\//);
  expect(parseDestination('D=s3:bucket')).toMatch(/unknown destination kind "s3"/);
  expect(parseDestination('stream:x')).toMatch(/IN_APP_STREAM=KIND:TARGET/);
  expect(parseDestination('D=stream:')).toMatch(/needs a target/);
});

test('the filter template quotes the columns and filters on a number', () => {
  const sql = filterTemplate([{ name: 'Time Played', sqlType: 'VARCHAR(8)' }, { name: 'Wins', sqlType: 'INTEGER' }]);
  expect(sql).toContain('CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("Time Played" VARCHAR(8), "Wins" INTEGER);');
  expect(sql).toContain('SELECT STREAM "Time Played", "Wins"');
  expect(sql).toContain('WHERE "Wins" > 10;');
  expect(filterTemplate([])).toContain('"PlayerID" INTEGER');
});

test('small formatters', () => {
  expect(referenceName('Company names.csv')).toBe('Company_names');
  expect(referenceName('.csv')).toBe('reference');
  expect(formatLag(0.0123, 0)).toBe('0.0 s');
  expect(formatLag(12.6, 1500)).toBe('13 s (1,500 records)');
  expect(formatLag(null, null)).toBe('—');
  expect(splitList(' a, ,b ,c')).toEqual(['a', 'b', 'c']);
  expect(progressPercent(50, 200)).toBe(25);
  expect(progressPercent(300, 200)).toBe(100);
  expect(progressPercent(5, null)).toBeNull();
});
