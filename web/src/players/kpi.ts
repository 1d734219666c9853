// The Players page's pure part: KPI requests (/v1/kpis/{name}, docs/kpis.md),
// their answers as records, the date range, the tiles' numbers, the retention
// grid and the heat map's colours. No DOM here, so tests/unit runs it in Node.

export interface KpiColumn {
  name: string;
  type: string;
}

// A /v1/kpis/{name} answer: the /v1/query document headed by what was asked.
export interface KpiAnswer {
  kpi: string;
  parameters: Record<string, string | number | null>;
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
export type TileFormat = 'count' | 'percent' | 'money';

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

// The eight tiles from three unsegmented answers: stickiness (a row a day:
// dau, wau, mau, stickiness), retention (classic, days >= 7) and revenue by day.
export function computeTiles(stickiness: KpiRecord[], retention: KpiRecord[], revenue: KpiRecord[]): Tile[] {
  const last = stickiness[stickiness.length - 1];
  const lastDay = str(last?.['day']);
  const cohortTrend = (day: number): number[] =>
    retention.filter((r) => num(r['day']) === day).map((r) => num(r['retention']) ?? 0);
  const revenueTotal = sum(revenue, 'revenue');
  const playerDays = sum(revenue, 'player_days');
  const activeDays = sum(revenue, 'active_players');
  return [
    { id: 'dau', label: 'DAU', value: num(last?.['dau']), format: 'count', trend: series(stickiness, 'dau'), note: `Daily active players on ${lastDay || 'the last day'}; the line is every day's` },
    { id: 'mau', label: 'MAU', value: num(last?.['mau']), format: 'count', trend: series(stickiness, 'mau'), note: `Players of the 30 days ending ${lastDay || 'the last day'}` },
    { id: 'stickiness', label: 'Stickiness', value: num(last?.['stickiness']), format: 'percent', trend: series(stickiness, 'stickiness'), note: `DAU / MAU on ${lastDay || 'the last day'}` },
    { id: 'd1', label: 'D1 retention', value: weightedRetention(retention, 1), format: 'percent', trend: cohortTrend(1), note: 'Of the players first seen in the range, the share back the next day (cohorts weighted by size); the line is each cohort\'s' },
    { id: 'd7', label: 'D7 retention', value: weightedRetention(retention, 7), format: 'percent', trend: cohortTrend(7), note: 'The share back on the 7th day after their first (cohorts weighted by size); the line is each cohort\'s' },
    { id: 'revenue', label: 'Revenue', value: revenueTotal, format: 'money', trend: series(revenue, 'revenue'), note: 'Sum of purchase revenue in the range; the line is each day\'s' },
    { id: 'arpdau', label: 'ARPDAU', value: playerDays === 0 ? null : revenueTotal / playerDays, format: 'money', trend: series(revenue, 'arpdau'), note: 'Revenue / summed daily active players; the line is each day\'s' },
    { id: 'conversion', label: 'Paying conversion', value: activeDays === 0 ? null : sum(revenue, 'paying_players') / activeDays, format: 'percent', trend: series(revenue, 'conversion'), note: 'Paying players / active players, a day at a time, over the range; the line is each day\'s' },
  ];
}

export function formatTile(value: number | null, format: TileFormat): string {
  if (value === null) return '—';
  switch (format) {
    case 'percent':
      return formatPercent(value);
    case 'money':
      return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value !== 0 && Math.abs(value) < 1 ? 3 : 2 })}`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
  }
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
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
    const segment = 'segment' in r ? (r['segment'] === null ? null : str(r['segment'])) : null;
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
