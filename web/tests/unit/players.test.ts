// Unit tests of the Players page's pure helpers (src/players/kpi.ts): KPI
// paths, date ranges, the tiles, the retention grid, sparklines, colours.
import { test, expect } from '@playwright/test';
import { computeTiles, formatTile, heatColor, kpiPath, presetOf, presetRange, rangeDays, records, retentionGrid, sparklinePath, weightedRetention } from '../../src/players/kpi';

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

test('tiles: the last day for DAU/MAU/stickiness, the range for revenue ratios', () => {
  const stickiness = [{ day: '2025-03-01', dau: 10, wau: 10, mau: 10, stickiness: 1 }, { day: '2025-03-02', dau: 20, wau: 25, mau: 40, stickiness: 0.5 }];
  const revenue = [{ period: '2025-03-01', revenue: 4, paying_players: 1, active_players: 10, player_days: 10, arpdau: 0.4, conversion: 0.1 }, { period: '2025-03-02', revenue: 2, paying_players: 1, active_players: 20, player_days: 20, arpdau: 0.1, conversion: 0.05 }];
  const tiles = Object.fromEntries(computeTiles(stickiness, retention, revenue).map((t) => [t.id, t]));
  expect(tiles['dau']?.value).toBe(20);
  expect(tiles['mau']?.value).toBe(40);
  expect(tiles['stickiness']?.value).toBe(0.5);
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
