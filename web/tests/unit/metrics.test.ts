// Unit tests of the metrics pages' pure helpers: dashboard bodies (CloudWatch's
// metric-array shorthand, grid placement), time ranges and periods, series
// merging for live data, live stream grouping, and markdown-lite.
import { test, expect } from '@playwright/test';
import { parseDashboard, parseMetricLines, expandShorthand, appendWidget, removeWidget, metricArray, type MetricWidget } from '../../src/metrics/dashboard';
import { parseIsoDuration, dashboardRange, autoPeriod, effectivePeriod, rangeFromParams, rangeToParams, resolveRange } from '../../src/metrics/time';
import { pointsFromResult, mergePoints, appendPoint, trimBefore, drawnCount, lastPoint, groupLive, livePath, parseLiveDatapoint } from '../../src/metrics/series';
import { parseMarkdown, parseInline, safeHref } from '../../src/metrics/markdown';

// The body `serve --demo` installs (docs/metrics.md, "Dashboards").
const kDemo = JSON.stringify({
  start: '-PT1M',
  periodOverride: 'inherit',
  widgets: [
    { type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { view: 'timeSeries', stacked: true, metrics: [['serverless-analytics-demo', 'wins'], ['.', 'losses']], region: 'us-east-1', period: 1, stat: 'Sum', liveData: true, title: 'Wins and losses' } },
    { type: 'metric', x: 12, y: 0, width: 12, height: 6, properties: { view: 'timeSeries', stacked: false, metrics: [['serverless-analytics-demo', 'wins'], ['.', 'losses']], region: 'us-east-1', period: 1, stat: 'p90', liveData: true, title: 'p90 of wins and losses' } },
  ],
});

test('the demo dashboard: two live widgets side by side, wins and losses from the "." shorthand', () => {
  const d = parseDashboard(kDemo);
  expect(d.start).toBe('-PT1M');
  expect(d.widgets).toHaveLength(2);
  const [a, b] = d.widgets as MetricWidget[];
  expect(a).toMatchObject({ type: 'metric', x: 0, y: 0, width: 12, height: 6, stacked: true, liveData: true, view: 'timeSeries', title: 'Wins and losses' });
  expect(b).toMatchObject({ x: 12, stacked: false });
  expect(a?.lines.map((l) => [l.namespace, l.name, l.stat, l.period, l.label, l.id])).toEqual([
    ['serverless-analytics-demo', 'wins', 'Sum', 1, 'wins', 'm1'],
    ['serverless-analytics-demo', 'losses', 'Sum', 1, 'losses', 'm2'],
  ]);
  expect(b?.lines.map((l) => l.stat)).toEqual(['p90', 'p90']);
});

test('metric lines: dimensions, "..." shorthand, per-line options and expressions', () => {
  expect(expandShorthand(['...', 'StreamName', 'b'], ['ns', 'm', 'StreamName', 'a'])).toEqual(['ns', 'm', 'StreamName', 'a', 'StreamName', 'b']);
  const lines = parseMetricLines(
    [
      ['gamelake/Streams', 'IncomingRecords', 'StreamName', 'events', { stat: 'Maximum', period: 60, color: '#ff0000', label: 'in' }],
      ['.', '.', '.', 'other'],
      ['...', { stat: 'p99', visible: false, id: 'x1' }],
      [{ expression: 'm1 + m2', label: 'both', id: 'e1' }],
    ],
    'Average',
    300,
  );
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatchObject({ name: 'IncomingRecords', dimensions: [{ Name: 'StreamName', Value: 'events' }], stat: 'Maximum', period: 60, color: '#ff0000', label: 'in', visible: true });
  expect(lines[1]).toMatchObject({ dimensions: [{ Name: 'StreamName', Value: 'other' }], stat: 'Average', period: 300, label: 'IncomingRecords other' });
  expect(lines[2]).toMatchObject({ id: 'x1', stat: 'p99', visible: false, dimensions: [{ Name: 'StreamName', Value: 'other' }] });
  expect(lines[3]).toMatchObject({ id: 'e1', expression: 'm1 + m2', label: 'both' });
});

test('widgets: text, other kinds, views, y-axis limits, and widgets without a position flow in rows', () => {
  const d = parseDashboard(
    JSON.stringify({
      widgets: [
        { type: 'text', width: 18, height: 2, properties: { markdown: '# Hi' } },
        { type: 'metric', width: 8, properties: { view: 'gauge', metrics: [['a', 'b']], yAxis: { left: { min: 0, max: 50 } } } },
        { type: 'alarm', x: 0, y: 10, width: 6, height: 3, properties: { title: 'alarms' } },
        { type: 'metric', x: 20, y: 0, width: 12, height: 3, properties: { view: 'singleValue', metrics: [] } },
      ],
    }),
  );
  expect(d.widgets[0]).toMatchObject({ type: 'text', x: 0, y: 0, width: 18, markdown: '# Hi' });
  expect(d.widgets[1]).toMatchObject({ type: 'metric', view: 'gauge', x: 0, y: 2, width: 8, height: 6, yMin: 0, yMax: 50, lines: [{ stat: 'Average', period: 300 }] });
  expect(d.widgets[2]).toMatchObject({ type: 'other', kind: 'alarm', title: 'alarms' });
  expect(d.widgets[3]).toMatchObject({ view: 'singleValue', x: 20, width: 4 }); // cut at the grid's edge
  expect(() => parseDashboard('[1]')).toThrow('not a JSON object');
});

test('a widget added by the browser goes below the others and keeps the rest of the body', () => {
  const body = appendWidget(kDemo, { type: 'metric', width: 12, height: 6, properties: { metrics: [metricArray({ namespace: 'gamelake/Streams', name: 'IncomingRecords', dimensions: [{ Name: 'StreamName', Value: 'events' }], stat: 'Sum' })] } });
  const parsed = JSON.parse(body) as { start: string; widgets: { x: number; y: number; properties: { metrics: unknown[] } }[] };
  expect(parsed.start).toBe('-PT1M');
  expect(parsed.widgets).toHaveLength(3);
  expect(parsed.widgets[2]).toMatchObject({ x: 0, y: 6 });
  expect(parsed.widgets[2]?.properties.metrics).toEqual([['gamelake/Streams', 'IncomingRecords', 'StreamName', 'events', { stat: 'Sum' }]]);
  expect(JSON.parse(appendWidget('', { type: 'text' }))).toEqual({ widgets: [{ type: 'text', x: 0, y: 0 }] });
  const removed = JSON.parse(removeWidget(body, 0)) as { widgets: unknown[] };
  expect(removed.widgets).toHaveLength(2);
});

test('time ranges: ISO durations, dashboard ranges, periods and the URL', () => {
  expect(parseIsoDuration('-PT1M')).toBe(60);
  expect(parseIsoDuration('-PT3H')).toBe(10800);
  expect(parseIsoDuration('-P7D')).toBe(604800);
  expect(parseIsoDuration('P1W')).toBe(604800);
  expect(parseIsoDuration('-PT1H30M')).toBe(5400);
  expect(parseIsoDuration('P')).toBeNull();
  expect(parseIsoDuration('yesterday')).toBeNull();
  expect(dashboardRange('-PT1M', undefined)).toEqual({ kind: 'relative', seconds: 60 });
  expect(dashboardRange('2026-11-30T12:00:00Z', '2026-11-30T13:00:00Z')).toEqual({ kind: 'absolute', start: 1796040000, end: 1796043600 });
  expect(dashboardRange(undefined, undefined)).toBeNull();
  // Periods: 1 s while the range is short and recent, minutes beyond 3 hours of age.
  expect(autoPeriod(60)).toBe(1);
  expect(autoPeriod(300)).toBe(1);
  expect(autoPeriod(900)).toBe(5);
  expect(autoPeriod(3600)).toBe(10);
  expect(autoPeriod(10800)).toBe(30);
  expect(autoPeriod(43200)).toBe(300);
  expect(autoPeriod(604800)).toBe(3600);
  expect(autoPeriod(600, 5 * 3600)).toBe(60);
  expect(effectivePeriod(1, 60)).toBe(1);
  expect(effectivePeriod(1, 604800)).toBe(300);
  expect(effectivePeriod(3600, 60)).toBe(3600);
  expect(rangeFromParams(new URLSearchParams('range=5m'))).toEqual({ kind: 'relative', seconds: 300 });
  expect(rangeFromParams(new URLSearchParams('from=100&to=200'))).toEqual({ kind: 'absolute', start: 100, end: 200 });
  expect(rangeFromParams(new URLSearchParams('range=bogus'))).toBeNull();
  expect(rangeToParams({ kind: 'relative', seconds: 3600 })).toEqual({ range: '1h' });
  expect(resolveRange({ kind: 'relative', seconds: 60 }, 1_000_000_500)).toEqual({ start: 999_941, end: 1_000_001 });
});

test('series: query answers, live points, trimming', () => {
  const history = pointsFromResult([12, 10, 11], [3, 1, null]);
  expect(history).toEqual([{ t: 10, v: 1 }, { t: 11, v: null }, { t: 12, v: 3 }]);
  expect(drawnCount(history)).toBe(2);
  const merged = mergePoints(history, [{ t: 12, v: 4 }, { t: 13, v: 5 }]);
  expect(merged.map((p) => p.v)).toEqual([1, null, 4, 5]);
  appendPoint(merged, { t: 14, v: 6 });
  appendPoint(merged, { t: 14, v: 7 }); // the same period again: replaced
  appendPoint(merged, { t: 9, v: 0 }); // late: inserted in order
  expect(merged.map((p) => p.t)).toEqual([9, 10, 11, 12, 13, 14]);
  expect(lastPoint(merged)).toEqual({ t: 14, v: 7 });
  trimBefore(merged, 12);
  expect(merged.map((p) => p.t)).toEqual([12, 13, 14]);
  expect(lastPoint([{ t: 1, v: 2 }, { t: 2, v: null }])).toEqual({ t: 1, v: 2 });
});

test('live: one stream per metric and period, with the union of stats; datapoints parsed', () => {
  const wins = { namespace: 'serverless-analytics-demo', name: 'wins', dimensions: [], period: 1 };
  const groups = groupLive([
    { ...wins, stat: 'Sum' },
    { ...wins, stat: 'p90' },
    { ...wins, stat: 'Sum' },
    { ...wins, name: 'losses', stat: 'Sum' },
    { ...wins, period: 60, stat: 'Sum' },
    { namespace: 'gamelake/Streams', name: 'IncomingRecords', dimensions: [{ Name: 'B', Value: '2' }, { Name: 'A', Value: '1' }], period: 1, stat: 'Sum' },
    { namespace: 'gamelake/Streams', name: 'IncomingRecords', dimensions: [{ Name: 'A', Value: '1' }, { Name: 'B', Value: '2' }], period: 1, stat: 'Average' },
  ]);
  expect(groups).toHaveLength(4);
  expect(groups[0]?.stats).toEqual(['Sum', 'p90']);
  expect(groups[3]?.stats).toEqual(['Sum', 'Average']);
  const [first, , , last] = groups;
  if (first === undefined || last === undefined) throw new Error('groups missing');
  expect(livePath(first)).toBe('/v1/metrics/live?namespace=serverless-analytics-demo&name=wins&stat=Sum&stat=p90&period=1');
  expect(livePath(last)).toContain('dimension=B%3D2&dimension=A%3D1');
  expect(parseLiveDatapoint('{"Timestamp":1795995300,"Values":{"Sum":12,"p90":null}}')).toEqual({ t: 1795995300, values: { Sum: 12, p90: null } });
  expect(parseLiveDatapoint('nope')).toBeNull();
  expect(parseLiveDatapoint('{"Values":{}}')).toBeNull();
});

test('markdown-lite: headings, lists, inline marks, and only safe links', () => {
  const blocks = parseMarkdown('# Title\nSome **bold** and `code`\nmore\n\n- one\n- [two](https://x.io)\n1. first\n\n## Sub');
  expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list', 'heading']);
  expect(blocks[1]).toEqual({ kind: 'paragraph', spans: [{ kind: 'text', text: 'Some ' }, { kind: 'bold', text: 'bold' }, { kind: 'text', text: ' and ' }, { kind: 'code', text: 'code' }, { kind: 'text', text: ' more' }] });
  expect(blocks[2]).toMatchObject({ kind: 'list', ordered: false, items: [[{ text: 'one' }], [{ kind: 'link', text: 'two', href: 'https://x.io' }]] });
  expect(blocks[3]).toMatchObject({ kind: 'list', ordered: true });
  expect(parseInline('*it* _too_')).toEqual([{ kind: 'italic', text: 'it' }, { kind: 'text', text: ' ' }, { kind: 'italic', text: 'too' }]);
  expect(safeHref('javascript:alert(1)')).toBeNull();
  expect(safeHref('#/metrics')).toBe('#/metrics');
});
