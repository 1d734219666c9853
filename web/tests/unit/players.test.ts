// Unit tests of the Players page's pure helpers (src/players/kpi.ts and
// format.ts): KPI paths, date ranges, the tiles, the retention grid,
// sparklines, colours, and how numbers are written.
import { test, expect } from '@playwright/test';
import { allZero, compareLevels, computeTiles, deathsByEnemy, heatColor, segmentOf, kpiPath, ltvCurves, positionGrid, presetOf, presetRange, previousLabel, previousRange, rangeDays, records, retentionGrid, sessionsSummary, sparklinePath, trendOf, weightedRetention } from '../../src/players/kpi';
import { formatCount, formatDuration, formatMinutesAxis, formatMoneyAxis, formatMoneyPerPlayer, formatRatio, formatTile } from '../../src/players/format';

const today = new Date('2025-03-31T18:00:00Z');

test('KPI paths carry only the parameters set, and sql=true', () => {
  expect(kpiPath('retention', { stream: '', from: '2025-03-01', to: '2025-03-31', segment: 'platform', tz: 'Europe/Berlin' }, { mode: 'rolling', days: 14 }))
    .toBe('/v1/kpis/retention?from=2025-03-01&to=2025-03-31&segment=platform&tz=Europe%2FBerlin&mode=rolling&days=14&sql=true');
});

test('ranges: presets end today (UTC), both ends included', () => {
  expect(presetRange(30, today)).toEqual({ from: '2025-03-02', to: '2025-03-31' });
  expect(presetRange(7, today)).toEqual({ from: '2025-03-25', to: '2025-03-31' });
  expect(presetOf('2025-03-25', '2025-03-31', today)).toBe(7);
  expect(presetOf('2025-03-24', '2025-03-31', today)).toBeNull();
  expect(rangeDays('2025-03-01', '2025-03-01')).toBe(1);
  expect(rangeDays('2025-03-02', '2025-03-01')).toBe(0);
});

const retention = records({
  columns: [{ name: 'cohort', type: 'DATE' }, { name: 'cohort_size', type: 'BIGINT' }, { name: 'day', type: 'INTEGER' }, { name: 'retained_players', type: 'BIGINT' }, { name: 'retention', type: 'DOUBLE' }],
  rows: [
    ['2025-03-01', 10, 0, 10, 1], ['2025-03-01', 10, 1, 5, 0.5], ['2025-03-01', 10, 2, 2, 0.2],
    ['2025-03-02', 30, 0, 30, 1], ['2025-03-02', 30, 1, 3, 0.1],
  ],
});

test('retention: weighted by cohort size; the grid leaves unknown cells null', () => {
  expect(weightedRetention(retention, 1)).toBeCloseTo(8 / 40);
  expect(weightedRetention(retention, 2)).toBeCloseTo(0.2);
  expect(weightedRetention(retention, 7)).toBeNull();
  const grid = retentionGrid(retention);
  expect(grid.days).toEqual([0, 1, 2]);
  expect(grid.rows.map((r) => [r.cohort, r.size, r.cells])).toEqual([['2025-03-01', 10, [1, 0.5, 0.2]], ['2025-03-02', 30, [1, 0.1, null]]]);
});

test('tiles: average DAU, MAU on the last day, the range for the others', () => {
  const stickiness = [{ day: '2025-03-01', dau: 10, wau: 10, mau: 10, stickiness: 1 }, { day: '2025-03-02', dau: 20, wau: 25, mau: 40, stickiness: 0.5 }];
  const revenue = [{ period: '2025-03-01', revenue: 4, paying_players: 1, active_players: 10, player_days: 10, arpdau: 0.4, conversion: 0.1 }, { period: '2025-03-02', revenue: 2, paying_players: 1, active_players: 20, player_days: 20, arpdau: 0.1, conversion: 0.05 }];
  const tiles = Object.fromEntries(computeTiles(stickiness, retention, revenue, 3).map((t) => [t.id, t]));
  expect(tiles['dau']?.value).toBe(10); // (10 + 20 + a day without a row) / 3
  expect(tiles['mau']?.value).toBe(40);
  expect(tiles['stickiness']?.value).toBe(0.25);
  expect(tiles['d1']?.value).toBeCloseTo(0.2);
  expect(tiles['d1']?.trend).toEqual([0.5, 0.1]);
  expect(tiles['d7']?.value).toBeNull();
  expect(tiles['revenue']?.value).toBe(6);
  expect(tiles['arpdau']?.value).toBeCloseTo(0.2);
  expect(tiles['conversion']?.value).toBeCloseTo(2 / 30);
  expect(formatTile(1234, 'count')).toBe('1,234');
  expect(formatTile(0.1234, 'percent')).toBe('12.3%');
  expect(formatTile(1024.19, 'money')).toBe('$1,024.19');
  expect(formatTile(0.183, 'money')).toBe('$0.183');
  expect(formatTile(null, 'money')).toBe('—');
});

test('sparklines and heat colours', () => {
  expect(sparklinePath([], 100, 10)).toBe('');
  expect(sparklinePath([1, 3, 2], 100, 10)).toBe('M0,10 L50,0 L100,5');
  expect(sparklinePath([5, 5], 100, 10)).toBe('M0,5 L100,5');
  expect(heatColor(1).color).toBe('#ffffff');
  expect(heatColor(0.01).color).toBe('inherit');
});

test('trends: the previous range of the same length; arrows follow the sign', () => {
  expect(previousRange('2025-03-08', '2025-03-14')).toEqual({ from: '2025-03-01', to: '2025-03-07' });
  expect(previousRange('2025-03-01', '2025-03-01')).toEqual({ from: '2025-02-28', to: '2025-02-28' });
  expect(previousRange('2025-03-01', '2025-03-31')).toEqual({ from: '2025-01-29', to: '2025-02-28' });
  expect(previousLabel(7)).toBe('vs previous 7 days');
  expect(previousLabel(1)).toBe('vs previous day');
  expect(trendOf(108, 100, 'count')).toEqual({ direction: 'up', change: 0.08, text: '▲ 8.0%' });
  expect(trendOf(50, 100, 'money')?.text).toBe('▼ 50%');
  expect(trendOf(0.12, 0.1, 'percent')?.text).toBe('▲ 2.0 pp');
  expect(trendOf(0.1, 0.1, 'percent')?.direction).toBe('flat');
  expect(trendOf(100.0001, 100, 'count')).toEqual(expect.objectContaining({ direction: 'up', text: '▲ 0.0%' }));
  expect(trendOf(5, 0, 'count')).toEqual({ direction: 'up', change: null, text: '▲ from 0' });
  expect(trendOf(null, 1, 'count')).toBeNull();
  expect(trendOf(1, null, 'count')).toBeNull();
});

test('sessions: lengths, and the range\'s totals', () => {
  expect(formatDuration(42.4)).toBe('42s');
  expect(formatDuration(750)).toBe('12m 30s');
  expect(formatDuration(3900)).toBe('1h 05m');
  expect(formatDuration(null)).toBe('—');
  const s = sessionsSummary([
    { period: '2025-03-01', sessions: 10, player_days: 5, avg_length_s: 60 },
    { period: '2025-03-02', sessions: 30, player_days: 15, avg_length_s: 100 },
  ]);
  expect(s).toEqual({ sessions: 40, perDau: 2, avgLengthS: 90 });
  expect(sessionsSummary([])).toEqual({ sessions: 0, perDau: null, avgLengthS: null });
});

test('deaths: level × enemy, and the position grid', () => {
  expect(['10', '2', 'boss', '1'].sort(compareLevels)).toEqual(['1', '2', '10', 'boss']);
  const byEnemy = deathsByEnemy([
    { level: 1, enemy: 'ghost', deaths: 3, players: 2 }, { level: 2, enemy: 'bat', deaths: 5, players: 1 },
    { level: 10, enemy: 'ghost', deaths: 4, players: 4 }, { level: 2, enemy: null, deaths: 1, players: 1 },
  ]);
  expect(byEnemy.levels).toEqual(['1', '2', '10']);
  expect(byEnemy.enemies).toEqual(['ghost', 'bat', '(none)']);
  expect(byEnemy.cell('2', 'bat')).toEqual({ deaths: 5, players: 1 });
  expect(byEnemy.cell('1', 'bat')).toBeUndefined();
  expect([byEnemy.levelTotal('2'), byEnemy.enemyTotal('ghost'), byEnemy.max, byEnemy.total]).toEqual([6, 7, 5, 13]);
  const rows = [
    { level: 1, cell_x: 0, cell_y: 0, deaths: 2 }, { level: 1, cell_x: 200, cell_y: 100, deaths: 1 },
    { level: 2, cell_x: 0, cell_y: 0, deaths: 4 },
  ];
  expect(positionGrid(rows, null, 100)).toEqual({ xs: [0, 100, 200], ys: [0, 100], cells: [[0, 0, 6], [2, 1, 1]], max: 6, total: 7 });
  expect(positionGrid(rows, '2', 100)).toEqual({ xs: [0], ys: [0], cells: [[0, 0, 4]], max: 4, total: 4 });
  expect(positionGrid(rows, '3', 100).cells).toEqual([]);
});

test('LTV: cohorts that reached day N, weighted by size', () => {
  const curves = ltvCurves([
    { cohort: '2025-03-01', cohort_size: 10, day: 0, revenue: 1, ltv: 0.1 }, { cohort: '2025-03-01', cohort_size: 10, day: 1, revenue: 3, ltv: 0.3 },
    { cohort: '2025-03-02', cohort_size: 30, day: 0, revenue: 3, ltv: 0.1 },
  ]);
  expect([...curves.keys()]).toEqual(['']);
  expect(curves.get('')).toEqual([
    { day: 0, cohorts: 2, players: 40, revenue: 4, ltv: 0.1 },
    { day: 1, cohorts: 1, players: 10, revenue: 3, ltv: 0.3 },
  ]);
  const segmented = ltvCurves([{ cohort: '2025-03-01', segment: 'ios', cohort_size: 2, day: 0, revenue: 1 }, { cohort: '2025-03-01', segment: null, cohort_size: 2, day: 0, revenue: 0 }]);
  expect([...segmented.keys()]).toEqual(['(null)', 'ios']);
});

test('formats: money on axes and per player, ratios, minutes, counts; segments', () => {
  expect(formatMoneyAxis(12.5)).toBe('$12.5');
  expect(formatMoneyAxis(3)).toBe('$3');
  expect(formatMoneyPerPlayer(1.25)).toBe('$1.25');
  expect(formatMoneyPerPlayer(0.125)).toBe('$0.125');
  expect(formatMoneyPerPlayer(0)).toBe('$0.00');
  expect(formatMoneyPerPlayer(null)).toBe('—');
  expect(formatRatio(1.234)).toBe('1.23');
  expect(formatRatio(null)).toBe('—');
  expect(formatMinutesAxis(12.54)).toBe('12.5m');
  expect(formatMinutesAxis(150)).toBe('2.5h');
  expect(formatCount(12345)).toBe('12,345');
  expect(segmentOf({ segment: null })).toBeNull();
  expect(segmentOf({ segment: 'ios' })).toBe('ios');
});

test('allZero: no rows, or only zero / NULL values', () => {
  expect(allZero([], 'sessions')).toBe(true);
  expect(allZero([{ sessions: 0 }, { sessions: null }, { sessions: '0' }], 'sessions')).toBe(true);
  expect(allZero([{ sessions: 0 }, { sessions: '3' }], 'sessions')).toBe(false);
});
