// The Players page's pure part: KPI requests (/v1/kpis/{name}, docs/kpis.md),
// their answers as records, the date range, the tiles' numbers, the retention
// grid and the heat map's colours (how numbers are written: format.ts). No DOM
// here, so tests/unit runs it in Node.
import type { TileFormat } from './format';

export interface KpiColumn {
  name: string;
  type: string;
}

// A /v1/kpis/{name} answer: the /v1/query document headed by what was asked.
export interface KpiAnswer {
  kpi: string;
  parameters: Record<string, string | number | boolean | null>;
  as_of: string;
  sql?: string;
  columns: KpiColumn[];
  rows: unknown[][];
}

export type KpiRecord = Record<string, unknown>;

export type Granularity = 'day' | 'week' | 'month';
export const kGranularities: Granularity[] = ['day', 'week', 'month'];
export const kSegments = ['', 'platform', 'country', 'app_version'] as const;
export type RetentionMode = 'classic' | 'rolling';

// What the page's header chose; '' means "the server's default".
export interface PlayersQuery {
  stream: string;
  from: string;
  to: string;
  granularity: Granularity;
  segment: string;
  tz: string;
}

// The answer's rows as objects keyed by column name.
export function records(answer: Pick<KpiAnswer, 'columns' | 'rows'>): KpiRecord[] {
  return answer.rows.map((row) => {
    const out: KpiRecord = {};
    answer.columns.forEach((c, i) => {
      out[c.name] = row[i];
    });
    return out;
  });
}

// A numeric cell (DuckDB's BIGINT may come as a string); null when absent.
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// No row, or every row's `column` 0 or NULL (zero-filled periods): nothing
// to draw.
export function allZero(rows: KpiRecord[], column: string): boolean {
  return rows.every((r) => (num(r[column]) ?? 0) === 0);
}

// A record's segment value as text; null for SQL NULL.
export function segmentOf(r: KpiRecord): string | null {
  return r['segment'] === null ? null : str(r['segment']);
}

// /v1/kpis/{name}?... with only the parameters that are set.
export function kpiPath(
  name: string,
  q: Partial<PlayersQuery>,
  extra: Record<string, string | number> = {},
): string {
  const params = new URLSearchParams();
  for (const key of ['stream', 'from', 'to', 'granularity', 'segment', 'tz'] as const) {
    const value = q[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  params.set('sql', 'true');
  return `/v1/kpis/${encodeURIComponent(name)}?${params.toString()}`;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function isIsoDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

// The `days` days ending `today` (UTC), both included: the server's default
// range is presetRange(30).
export function presetRange(days: number, today: Date = new Date()): { from: string; to: string } {
  const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

// Days from..to, both included (1 for a single day); 0 when to < from.
export function rangeDays(from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return 0;
  return Math.round((b - a) / 86_400_000) + 1;
}

// Which preset (7/30/90 days ending today) a range is, if any.
export function presetOf(from: string, to: string, today: Date = new Date()): number | null {
  for (const days of [7, 30, 90]) {
    const r = presetRange(days, today);
    if (r.from === from && r.to === to) return days;
  }
  return null;
}

// ---- the tiles ----

export type TileId = 'dau' | 'mau' | 'stickiness' | 'd1' | 'd7' | 'revenue' | 'arpdau' | 'conversion';

export interface Tile {
  id: TileId;
  label: string;
  value: number | null;
  format: TileFormat;
  trend: number[]; // the sparkline, oldest first
  note: string; // what the value and the trend are
}

function sum(rows: KpiRecord[], column: string): number {
  return rows.reduce((acc, r) => acc + (num(r[column]) ?? 0), 0);
}

function series(rows: KpiRecord[], column: string): number[] {
  return rows.map((r) => num(r[column]) ?? 0);
}

// Day N retention over all cohorts that have reached day N, weighted by
// cohort size: sum(retained_players) / sum(cohort_size) (docs/kpis.md).
export function weightedRetention(retention: KpiRecord[], day: number): number | null {
  let retained = 0;
  let size = 0;
  for (const r of retention) {
    if (num(r['day']) !== day) continue;
    retained += num(r['retained_players']) ?? 0;
    size += num(r['cohort_size']) ?? 0;
  }
  return size === 0 ? null : retained / size;
}

// The eight tiles from three unsegmented answers over one range of `days`
// days: stickiness (a row a day: dau, wau, mau, stickiness), retention
// (classic, days >= 7) and revenue by day. Every tile is a number for the
// whole range, so that the same tiles of the previous range compare with
// them: average DAU (days without a row had no player), MAU on the last
// day, stickiness = average DAU / that MAU, retention of the range's
// cohorts, revenue and its ratios over the range.
export function computeTiles(stickiness: KpiRecord[], retention: KpiRecord[], revenue: KpiRecord[], days: number): Tile[] {
  const last = stickiness[stickiness.length - 1];
  const lastDay = str(last?.['day']);
  const cohortTrend = (day: number): number[] =>
    retention.filter((r) => num(r['day']) === day).map((r) => num(r['retention']) ?? 0);
  const revenueTotal = sum(revenue, 'revenue');
  const playerDays = sum(revenue, 'player_days');
  const activeDays = sum(revenue, 'active_players');
  const avgDau = days <= 0 ? null : sum(stickiness, 'dau') / days;
  const mau = num(last?.['mau']);
  return [
    { id: 'dau', label: 'Avg DAU', value: avgDau, format: 'count', trend: series(stickiness, 'dau'), note: `Daily active players, averaged over the range's ${days} days; the line is every day's` },
    { id: 'mau', label: 'MAU', value: mau, format: 'count', trend: series(stickiness, 'mau'), note: `Players of the 30 days ending ${lastDay || 'the last day'}` },
    { id: 'stickiness', label: 'Stickiness', value: avgDau === null || mau === null || mau === 0 ? null : avgDau / mau, format: 'percent', trend: series(stickiness, 'stickiness'), note: `Average DAU / MAU on ${lastDay || 'the last day'}; the line is each day's DAU/MAU` },
    { id: 'd1', label: 'D1 retention', value: weightedRetention(retention, 1), format: 'percent', trend: cohortTrend(1), note: 'Of the players first seen in the range, the share back the next day (cohorts weighted by size); the line is each cohort\'s' },
    { id: 'd7', label: 'D7 retention', value: weightedRetention(retention, 7), format: 'percent', trend: cohortTrend(7), note: 'The share back on the 7th day after their first (cohorts weighted by size); the line is each cohort\'s' },
    { id: 'revenue', label: 'Revenue', value: revenueTotal, format: 'money', trend: series(revenue, 'revenue'), note: 'Sum of purchase revenue in the range; the line is each day\'s' },
    { id: 'arpdau', label: 'ARPDAU', value: playerDays === 0 ? null : revenueTotal / playerDays, format: 'money', trend: series(revenue, 'arpdau'), note: 'Revenue / summed daily active players; the line is each day\'s' },
    { id: 'conversion', label: 'Conversion', value: activeDays === 0 ? null : sum(revenue, 'paying_players') / activeDays, format: 'percent', trend: series(revenue, 'conversion'), note: 'Paying players / active players, a day at a time, over the range; the line is each day\'s' },
  ];
}

// An SVG path through values, scaled into width × height (a flat line for
// one value or all equal; '' for none).
export function sparklinePath(values: number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  const step = values.length === 1 ? 0 : width / (values.length - 1);
  return values
    .map((v, i) => {
      const x = values.length === 1 ? width / 2 : i * step;
      const y = span === 0 ? height / 2 : height - ((v - min) / span) * height;
      return `${i === 0 ? 'M' : 'L'}${+x.toFixed(2)},${+y.toFixed(2)}`;
    })
    .join(' ');
}

// ---- the retention grid ----

export interface RetentionRow {
  cohort: string;
  segment: string | null;
  size: number;
  cells: (number | null)[]; // retention by day 0..days; null past `to`
  retained: (number | null)[];
}

export interface RetentionGrid {
  days: number[];
  rows: RetentionRow[];
}

// Cohort rows (× segment when the answer has one) by day columns.
export function retentionGrid(retention: KpiRecord[]): RetentionGrid {
  let maxDay = -1;
  for (const r of retention) maxDay = Math.max(maxDay, num(r['day']) ?? -1);
  const days = Array.from({ length: maxDay + 1 }, (_, i) => i);
  const byKey = new Map<string, RetentionRow>();
  for (const r of retention) {
    const cohort = str(r['cohort']);
    const segment = 'segment' in r ? segmentOf(r) : null;
    const key = `${cohort}\u0000${segment ?? '\u0001'}`;
    let row = byKey.get(key);
    if (row === undefined) {
      row = { cohort, segment, size: num(r['cohort_size']) ?? 0, cells: days.map(() => null), retained: days.map(() => null) };
      byKey.set(key, row);
    }
    const day = num(r['day']);
    if (day === null || day < 0 || day > maxDay) continue;
    row.cells[day] = num(r['retention']);
    row.retained[day] = num(r['retained_players']);
  }
  const rows = [...byKey.values()].sort((a, b) => a.cohort.localeCompare(b.cohort) || (a.segment ?? '').localeCompare(b.segment ?? ''));
  return { days, rows };
}

// The heat map's cell colour: the accent blue, more opaque as retention
// grows, with a text colour that stays readable on it in either theme.
export function heatColor(ratio: number): { background: string; color: string } {
  const r = Math.min(1, Math.max(0, ratio));
  const alpha = 0.08 + 0.87 * Math.sqrt(r);
  return { background: `rgba(31, 119, 208, ${alpha.toFixed(3)})`, color: alpha > 0.55 ? '#ffffff' : 'inherit' };
}

// A stable test id part for a segment value (null and '' kept apart).
export function segmentKey(segment: string | null): string {
  return segment === null ? '(null)' : segment === '' ? '(empty)' : segment;
}

// ---- trends: the same tile over the previous period of the same length ----

// The period just before from..to with as many days: 2025-03-08..14 -> 03-01..07.
export function previousRange(from: string, to: string): { from: string; to: string } {
  const days = Math.max(1, rangeDays(from, to));
  const start = Date.parse(`${from}T00:00:00Z`);
  return { from: isoDay(new Date(start - days * 86_400_000)), to: isoDay(new Date(start - 86_400_000)) };
}

export type TrendDirection = 'up' | 'down' | 'flat';

export interface Trend {
  direction: TrendDirection;
  // Relative change for counts and money ((now - before) / before), the
  // difference in percentage points for percentages; null when the previous
  // value was 0 (no ratio to speak of).
  change: number | null;
  text: string; // "▲ 8.1%", "▼ 1.2 pp", "▲ from 0"
}

const kArrows: Record<TrendDirection, string> = { up: '▲', down: '▼', flat: '▬' };

function percentText(ratio: number): string {
  const p = Math.abs(ratio) * 100;
  return p >= 10 ? `${Math.round(p).toLocaleString('en-US')}%` : `${p.toFixed(1)}%`;
}

// The trend of a tile: its direction is the sign of now - before, exactly
// (the text may round to 0). Null when either value is unknown.
export function trendOf(now: number | null, before: number | null, format: TileFormat): Trend | null {
  if (now === null || before === null) return null;
  const direction: TrendDirection = now > before ? 'up' : now < before ? 'down' : 'flat';
  const arrow = kArrows[direction];
  if (format === 'percent') {
    const change = now - before;
    return { direction, change, text: `${arrow} ${Math.abs(change * 100).toFixed(1)} pp` };
  }
  if (before === 0) return { direction, change: null, text: direction === 'flat' ? `${arrow} 0%` : `${arrow} from 0` };
  const change = (now - before) / Math.abs(before);
  return { direction, change, text: `${arrow} ${percentText(change)}` };
}

// "vs previous 7 days" (or "vs previous day").
export function previousLabel(days: number): string {
  return days === 1 ? 'vs previous day' : `vs previous ${days.toLocaleString('en-US')} days`;
}

// ---- sessions ----

export interface SessionsSummary {
  sessions: number;
  perDau: number | null; // sessions / summed daily active players, over the range
  avgLengthS: number | null; // average session length, weighted by sessions
}

// The range's totals from the per-period rows (all segments together when
// the answer is segmented: its rows then partition the sessions, but not
// the player days, so perDau is only exact unsegmented).
export function sessionsSummary(rows: KpiRecord[]): SessionsSummary {
  const sessions = sum(rows, 'sessions');
  const playerDays = sum(rows, 'player_days');
  let lengthTotal = 0;
  for (const r of rows) lengthTotal += (num(r['avg_length_s']) ?? 0) * (num(r['sessions']) ?? 0);
  return {
    sessions,
    perDau: playerDays === 0 ? null : sessions / playerDays,
    avgLengthS: sessions === 0 ? null : lengthTotal / sessions,
  };
}

// ---- deaths ----

// Levels as the funnel sorts them: numbers as numbers, then text.
export function compareLevels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const xn = a.trim() !== '' && Number.isFinite(x);
  const yn = b.trim() !== '' && Number.isFinite(y);
  if (xn && yn) return x - y;
  if (xn !== yn) return xn ? -1 : 1;
  return a.localeCompare(b);
}

export interface DeathsByEnemy {
  levels: string[];
  enemies: string[]; // most deaths first
  cell(level: string, enemy: string): { deaths: number; players: number } | undefined;
  levelTotal(level: string): number;
  enemyTotal(enemy: string): number;
  max: number;
  total: number;
}

// deaths?by=enemy rows (level, enemy, deaths, players; summed over segments
// if any) as a level × enemy grid. A null enemy or level is "(none)".
export function deathsByEnemy(rows: KpiRecord[]): DeathsByEnemy {
  const cells = new Map<string, { deaths: number; players: number }>();
  const levelTotals = new Map<string, number>();
  const enemyTotals = new Map<string, number>();
  const name = (v: unknown): string => (v === null || v === undefined || v === '' ? '(none)' : str(v));
  let total = 0;
  for (const r of rows) {
    const level = name(r['level']);
    const enemy = name(r['enemy']);
    const deaths = num(r['deaths']) ?? 0;
    const players = num(r['players']) ?? 0;
    const key = `${level}\u0000${enemy}`;
    const cell = cells.get(key) ?? { deaths: 0, players: 0 };
    cell.deaths += deaths;
    cell.players += players;
    cells.set(key, cell);
    levelTotals.set(level, (levelTotals.get(level) ?? 0) + deaths);
    enemyTotals.set(enemy, (enemyTotals.get(enemy) ?? 0) + deaths);
    total += deaths;
  }
  const enemies = [...enemyTotals.keys()].sort((a, b) => (enemyTotals.get(b) ?? 0) - (enemyTotals.get(a) ?? 0) || a.localeCompare(b));
  let max = 0;
  for (const c of cells.values()) max = Math.max(max, c.deaths);
  return {
    levels: [...levelTotals.keys()].sort(compareLevels),
    enemies,
    cell: (level, enemy) => cells.get(`${level}\u0000${enemy}`),
    levelTotal: (level) => levelTotals.get(level) ?? 0,
    enemyTotal: (enemy) => enemyTotals.get(enemy) ?? 0,
    max,
    total,
  };
}

export interface PositionGrid {
  xs: number[]; // each column's lower x, every cell from the lowest to the highest
  ys: number[];
  cells: [number, number, number][]; // [x index, y index, deaths], only cells with deaths
  max: number;
  total: number;
}

// deaths?by=position rows (level, cell_x, cell_y, deaths) of one level, or
// of all levels summed (level = null), as a dense grid of `cell`-sized cells.
export function positionGrid(rows: KpiRecord[], level: string | null, cell: number): PositionGrid {
  const counts = new Map<string, number>();
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let total = 0;
  for (const r of rows) {
    if (level !== null && str(r['level']) !== level) continue;
    const x = num(r['cell_x']);
    const y = num(r['cell_y']);
    const deaths = num(r['deaths']) ?? 0;
    if (x === null || y === null) continue;
    const key = `${x},${y}`;
    counts.set(key, (counts.get(key) ?? 0) + deaths);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
    total += deaths;
  }
  if (counts.size === 0) return { xs: [], ys: [], cells: [], max: 0, total: 0 };
  const steps = (lo: number, hi: number): number[] => {
    const n = Math.min(400, Math.round((hi - lo) / cell) + 1);
    return Array.from({ length: n }, (_, i) => lo + i * cell);
  };
  const xs = steps(minX, maxX);
  const ys = steps(minY, maxY);
  const cells: [number, number, number][] = [];
  let max = 0;
  for (const [key, deaths] of counts) {
    const [x, y] = key.split(',').map(Number) as [number, number];
    const xi = Math.round((x - minX) / cell);
    const yi = Math.round((y - minY) / cell);
    if (xi >= xs.length || yi >= ys.length) continue;
    cells.push([xi, yi, deaths]);
    max = Math.max(max, deaths);
  }
  return { xs, ys, cells, max, total };
}

// ---- LTV ----

export interface LtvPoint {
  day: number;
  cohorts: number; // cohorts that have reached the day
  players: number; // their players
  revenue: number;
  ltv: number | null; // revenue / players
}

// The LTV curve over all cohorts that have reached day N, weighted by size:
// sum(revenue) / sum(cohort_size), a curve per segment when the answer has one
// (key: segmentKey(segment), or '' unsegmented).
export function ltvCurves(rows: KpiRecord[]): Map<string, LtvPoint[]> {
  const bySegment = new Map<string, Map<number, LtvPoint>>();
  for (const r of rows) {
    const key = 'segment' in r ? segmentKey(segmentOf(r)) : '';
    const day = num(r['day']);
    if (day === null) continue;
    let points = bySegment.get(key);
    if (points === undefined) {
      points = new Map();
      bySegment.set(key, points);
    }
    const point = points.get(day) ?? { day, cohorts: 0, players: 0, revenue: 0, ltv: null };
    point.cohorts += 1;
    point.players += num(r['cohort_size']) ?? 0;
    point.revenue += num(r['revenue']) ?? 0;
    point.ltv = point.players === 0 ? null : point.revenue / point.players;
    points.set(day, point);
  }
  const out = new Map<string, LtvPoint[]>();
  for (const key of [...bySegment.keys()].sort()) {
    out.set(key, [...(bySegment.get(key)?.values() ?? [])].sort((a, b) => a.day - b.day));
  }
  return out;
}

// The deaths heat table's cell colour: red, more opaque with more deaths.
export function deathColor(ratio: number): { background: string; color: string } {
  const r = Math.min(1, Math.max(0, ratio));
  const alpha = 0.06 + 0.84 * Math.sqrt(r);
  return { background: `rgba(214, 39, 40, ${alpha.toFixed(3)})`, color: alpha > 0.55 ? '#ffffff' : 'inherit' };
}
