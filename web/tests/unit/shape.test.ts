// Unit tests of chart shaping: query rows → ECharts options, KPI text, and
// table/pivot grids; number formats.
import { test, expect } from '@playwright/test';
import { Fields, visualQuery, type VisualQuery } from '../../src/analysis/query';
import { axisValue, formatValue, shapeVisual, type Option } from '../../src/analysis/shape';
import { validateDocument, type Visual } from '../../src/analysis/model';

const kColumns = [
  { name: '_ingest_time', type: 'TIMESTAMP' },
  { name: 'PlayerID', type: 'BIGINT' },
  { name: 'Wins', type: 'BIGINT' },
  { name: 'Losses', type: 'BIGINT' },
  { name: 'CaughtAt', type: 'BIGINT' },
  { name: 'CaughtBy', type: 'BIGINT' },
];
const kDoc = validateDocument({ format: 1, name: 't', dataset: { kind: 'table', name: 'events' }, calculatedFields: [{ name: 'WinLoss', formula: 'avg({wins}/{losses})' }] });
const kFields = new Fields(kColumns, kDoc.calculatedFields);

function visual(v: Partial<Visual>): Visual {
  return { id: 'v', type: 'bar', title: '', values: [{ agg: 'count' }], format: { style: 'number' }, size: 'medium', ...v };
}
function query(v: Visual): VisualQuery {
  return visualQuery(kDoc, v, kFields);
}
type Series = { name: string; type: string; data: unknown[]; stack?: string };
const seriesOf = (o: Option | undefined): Series[] => (o?.['series'] ?? []) as Series[];
const axis = (o: Option | undefined, key: 'xAxis' | 'yAxis'): { type: string; data?: unknown[]; inverse?: boolean } => o?.[key] as { type: string; data?: unknown[] };

test('number formats: number, percent (0.42 → 42.00%), currency, NULL', () => {
  expect(formatValue(0.42, { style: 'percent' })).toBe('42.00%');
  expect(formatValue(0.2315, { style: 'percent', decimals: 1 })).toBe('23.2%');
  expect(formatValue(1234567, { style: 'number' })).toBe('1,234,567');
  expect(formatValue(3.14159, { style: 'number' })).toBe('3.14');
  expect(formatValue(3, { style: 'number', decimals: 2 })).toBe('3.00');
  expect(formatValue(1234.5, { style: 'currency' })).toBe('$1,234.50');
  expect(formatValue('12.5', { style: 'number' })).toBe('12.5');
  expect(formatValue(null, { style: 'percent' })).toBe('—');
  expect(axisValue(0.25, { style: 'percent' })).toBe('25%');
  expect(axisValue(25000, { style: 'number' })).toBe('25K');
});

test('vertical bars: categories in query order, one series with the counts', () => {
  const v = visual({ x: 'caughtby' });
  const s = shapeVisual(v, query(v), [[1, 30], [2, 80], [3, null]]);
  expect(axis(s.option, 'xAxis')).toMatchObject({ type: 'category', data: ['1', '2', '3'] });
  expect(axis(s.option, 'yAxis').type).toBe('value');
  expect(seriesOf(s.option)).toMatchObject([{ name: 'Count of records', type: 'bar', data: [30, 80, null] }]);
  expect(s.data).toEqual({ columns: ['CaughtBy', 'Count of records'], rows: [['1', 30], ['2', 80], ['3', null]] });
});

test('horizontal bars: the category on y, the largest first (inverse axis)', () => {
  const v = visual({ type: 'hbar', y: 'playerid', values: [{ field: 'losses', agg: 'sum' }] });
  const s = shapeVisual(v, query(v), [[7, 50], [3, 40]]);
  expect(axis(s.option, 'yAxis')).toMatchObject({ type: 'category', data: ['7', '3'], inverse: true });
  expect(axis(s.option, 'xAxis').type).toBe('value');
  expect(seriesOf(s.option)[0]).toMatchObject({ name: 'Sum of Losses', data: [50, 40] });
});

test('grouped bars: one series per group value, stacked or clustered, gaps as null', () => {
  const rows = [[1, 'a', 5], [1, 'b', 6], [2, 'a', 7]];
  const stacked = visual({ x: 'caughtat', group: 'caughtby', mode: 'stacked' });
  const s = shapeVisual(stacked, query(stacked), rows);
  expect(seriesOf(s.option)).toMatchObject([
    { name: 'a', data: [5, 7], stack: 'total' },
    { name: 'b', data: [6, null], stack: 'total' },
  ]);
  const clustered = visual({ x: 'caughtat', group: 'caughtby', mode: 'clustered' });
  expect(seriesOf(shapeVisual(clustered, query(clustered), rows).option).map((x) => x.stack)).toEqual([undefined, undefined]);
});

test('heat map: rows × columns cells [column, row, value] with a visualMap over the range', () => {
  const v = visual({ type: 'heatmap', rows: ['caughtat'], columns: ['caughtby'] });
  const s = shapeVisual(v, query(v), [[1, 1, 4], [1, 2, 9], [2, 1, 1], [10, 2, 3]]);
  expect(axis(s.option, 'yAxis').data).toEqual(['1', '2', '10']);
  expect(axis(s.option, 'xAxis').data).toEqual(['1', '2']);
  expect(seriesOf(s.option)[0]?.data).toEqual([[0, 0, 4], [1, 0, 9], [0, 1, 1], [1, 2, 3]]);
  expect(s.option?.['visualMap']).toMatchObject({ min: 1, max: 9 });
});

test('line and area over a time x; pie slices', () => {
  const line = visual({ type: 'area', x: '_ingest_time', timeGrain: 'minute' });
  const q = query(line);
  expect(q.sql).toContain(`date_trunc('minute', "_ingest_time") AS d0`);
  const s = shapeVisual(line, q, [['2026-11-30 10:00:00', 3], ['2026-11-30 10:01:00', 5]]);
  expect(axis(s.option, 'xAxis').data).toEqual(['2026-11-30 10:00:00', '2026-11-30 10:01:00']);
  expect(seriesOf(s.option)[0]).toMatchObject({ type: 'line', data: [3, 5] });
  const pie = visual({ type: 'pie', x: 'caughtby' });
  const p = shapeVisual(pie, query(pie), [[2, 10], [1, 5]]);
  expect(seriesOf(p.option)[0]).toMatchObject({ type: 'pie', data: [{ name: '2', value: 10 }, { name: '1', value: 5 }] });
});

test('KPI: one formatted number', () => {
  const v = visual({ type: 'kpi', values: [{ field: 'WinLoss', agg: 'avg' }], format: { style: 'percent', decimals: 2 } });
  const s = shapeVisual(v, query(v), [[0.2315207]]);
  expect(s.kpi).toEqual({ value: 0.2315207, text: '23.15%', label: 'WinLoss' });
  expect(shapeVisual(v, query(v), [[null]]).kpi?.text).toBe('—');
});

test('table and pivot: rows × columns with totals from the GROUPING SETS rows', () => {
  const t = visual({ type: 'table', rows: ['caughtby'], values: [{ agg: 'count' }, { field: 'wins', agg: 'avg' }] });
  expect(shapeVisual(t, query(t), [[1, 2, 1.5]]).grid).toEqual({ columns: ['CaughtBy', 'Count of records', 'Average of Wins'], rows: [['1', '2', '1.5']] });
  const p = visual({ type: 'pivot', rows: ['caughtat'], columns: ['caughtby'] });
  // d0 (CaughtAt), d1 (CaughtBy), m0, g0, g1
  const rows = [
    [1, 1, 2, 0, 0],
    [1, 2, 3, 0, 0],
    [2, 1, 4, 0, 0],
    [1, null, 5, 0, 1],
    [2, null, 4, 0, 1],
    [null, 1, 6, 1, 0],
    [null, 2, 3, 1, 0],
    [null, null, 9, 1, 1],
  ];
  const g = shapeVisual(p, query(p), rows).grid;
  expect(g?.columns).toEqual(['CaughtAt \\ CaughtBy', '1', '2', 'Total']);
  expect(g?.rows).toEqual([
    ['1', '2', '3', '5'],
    ['2', '4', '—', '4'],
    ['Total', '6', '3', '9'],
  ]);
});
