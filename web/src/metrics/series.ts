// A drawn series: points in time order, a null value being a period without
// data (a gap). Query answers (newest first, or ascending) and live
// datapoints merge into it; a point of the same time is replaced by the newer
// answer. Pure, for tests/unit/metrics.test.ts.
import type { Dimension } from './dashboard';

export interface Point {
  t: number; // epoch seconds, the period's start
  v: number | null;
}

// GetMetricData's Timestamps/Values (any order) as ascending points.
export function pointsFromResult(timestamps: number[], values: (number | null)[]): Point[] {
  const out: Point[] = [];
  const n = Math.min(timestamps.length, values.length);
  for (let i = 0; i < n; i += 1) {
    const t = timestamps[i];
    const v = values[i];
    if (t === undefined || v === undefined) continue;
    out.push({ t, v: typeof v === 'number' && Number.isFinite(v) ? v : null });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

// `base` with `incoming` merged in, ascending; incoming wins a tie.
export function mergePoints(base: Point[], incoming: Point[]): Point[] {
  if (incoming.length === 0) return base.slice();
  const byTime = new Map<number, Point>();
  for (const p of base) byTime.set(p.t, p);
  for (const p of incoming) byTime.set(p.t, p);
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

// Adds one point in place (the common live case: newer than everything).
export function appendPoint(points: Point[], p: Point): void {
  const last = points[points.length - 1];
  if (last === undefined || last.t < p.t) {
    points.push(p);
    return;
  }
  const i = points.findIndex((q) => q.t >= p.t);
  const at = points[i];
  if (at !== undefined && at.t === p.t) points[i] = p;
  else points.splice(i < 0 ? points.length : i, 0, p);
}

// Drops, in place, the points before `start` (out of the range now).
export function trimBefore(points: Point[], start: number): void {
  let drop = 0;
  while (drop < points.length && (points[drop]?.t ?? 0) < start) drop += 1;
  if (drop > 0) points.splice(0, drop);
}

export function drawnCount(points: Point[]): number {
  let n = 0;
  for (const p of points) if (p.v !== null) n += 1;
  return n;
}

export function lastPoint(points: Point[]): Point | null {
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const p = points[i];
    if (p !== undefined && p.v !== null) return p;
  }
  return null;
}

export function sumOf(points: Point[]): number {
  let s = 0;
  for (const p of points) if (p.v !== null) s += p.v;
  return s;
}

export function maxOf(points: Point[]): number | null {
  let m: number | null = null;
  for (const p of points) if (p.v !== null && (m === null || p.v > m)) m = p.v;
  return m;
}

// Live subscriptions: GET /v1/metrics/live serves one metric and period with
// any number of stats, so the lines of every widget are grouped by metric and
// period and each group is one stream carrying the union of their stats.
export interface LiveMetric {
  namespace: string;
  name: string;
  dimensions: Dimension[];
  period: number;
  stat: string;
}

export interface LiveGroup {
  key: string;
  namespace: string;
  name: string;
  dimensions: Dimension[];
  period: number;
  stats: string[];
}

export function liveKey(m: Omit<LiveMetric, 'stat'>): string {
  const dims = [...m.dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return JSON.stringify([m.namespace, m.name, dims.map((d) => [d.Name, d.Value]), m.period]);
}

export function groupLive(metrics: LiveMetric[]): LiveGroup[] {
  const groups = new Map<string, LiveGroup>();
  for (const m of metrics) {
    const key = liveKey(m);
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, namespace: m.namespace, name: m.name, dimensions: m.dimensions, period: m.period, stats: [] };
      groups.set(key, g);
    }
    if (!g.stats.includes(m.stat)) g.stats.push(m.stat);
  }
  return [...groups.values()];
}

export function livePath(g: LiveGroup): string {
  const q = new URLSearchParams();
  q.append('namespace', g.namespace);
  q.append('name', g.name);
  for (const d of g.dimensions) q.append('dimension', `${d.Name}=${d.Value}`);
  for (const s of g.stats) q.append('stat', s);
  q.append('period', String(g.period));
  return `/v1/metrics/live?${q.toString()}`;
}

// One live event's data: {"Timestamp": t, "Values": {"Sum": 12, "p90": null}}.
export function parseLiveDatapoint(data: string): { t: number; values: Record<string, number | null> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const o = parsed as { Timestamp?: unknown; Values?: unknown };
  if (typeof o.Timestamp !== 'number' || typeof o.Values !== 'object' || o.Values === null) return null;
  const values: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(o.Values as Record<string, unknown>)) {
    values[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return { t: o.Timestamp, values };
}

export function formatValue(v: number | null): string {
  if (v === null) return '–';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) return v.toExponential(2);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 1 : 3 });
}
