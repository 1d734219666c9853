// Unit tests of the pure helpers: SSE framing and CSV text.
import { test, expect } from '@playwright/test';
import { parseSseBlock } from '../../src/api';
import { toCsv } from '../../src/ui';

test('an SSE block gives its id, event and joined data lines', () => {
  expect(parseSseBlock('id: 17\nevent: row\ndata: {"a":1}\ndata: x')).toEqual({ id: '17', event: 'row', data: '{"a":1}\nx' });
  expect(parseSseBlock('data:no-space')).toEqual({ id: '', event: 'message', data: 'no-space' });
});

test('an SSE comment block is no event', () => {
  expect(parseSseBlock(': keep-alive')).toBeNull();
  expect(parseSseBlock(': subscribed\n: more')).toBeNull();
});

test('CSV quotes what needs quoting and leaves NULL empty', () => {
  expect(toCsv(['a', 'b,c'], [[1, 'x"y'], [null, 'line\nbreak']])).toBe('a,"b,c"\r\n1,"x""y"\r\n,"line\nbreak"\r\n');
});
