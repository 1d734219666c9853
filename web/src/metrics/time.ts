// Time ranges of the metrics pages: CloudWatch's presets, relative ("last 5
// minutes") or absolute ranges, ISO 8601 durations as dashboard bodies write
// them ("-PT3H"), the period a range is drawn at, and the range in the URL.

export type TimeRange =
  | { kind: 'relative'; seconds: number }
  | { kind: 'absolute'; start: number; end: number }; // epoch seconds

export interface Preset {
  id: string;
  label: string;
  seconds: number;
}

export const kPresets: Preset[] = [
  { id: '1m', label: '1m', seconds: 60 },
  { id: '5m', label: '5m', seconds: 300 },
  { id: '15m', label: '15m', seconds: 900 },
  { id: '1h', label: '1h', seconds: 3600 },
  { id: '3h', label: '3h', seconds: 10800 },
  { id: '12h', label: '12h', seconds: 43200 },
  { id: '1d', label: '1d', seconds: 86400 },
  { id: '1w', label: '1w', seconds: 604800 },
];

// Periods CloudWatch accepts: 1, 5, 10, 20, 30 s (high resolution, last 3 h)
// or a multiple of 60.
export const kPeriods = [1, 5, 10, 20, 30, 60, 300, 900, 3600, 21600, 86400];
export const kHighResolutionSeconds = 3 * 3600;

// "-PT1M", "PT3H", "-P7D", "P1W", "-PT1H30M" → seconds (sign dropped); null
// when it is not a duration.
export function parseIsoDuration(text: string): number | null {
  const m = /^[-+]?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (m === null || text.trim().replace(/^[-+]?P/, '').replace('T', '') === '') return null;
  const [, w, d, hh, mm, ss] = m;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  return n(w) * 604800 + n(d) * 86400 + n(hh) * 3600 + n(mm) * 60 + n(ss);
}

// A dashboard's own range: `start` relative ("-PT1M") or absolute (ISO time,
// with `end`); null when it sets none.
export function dashboardRange(start: string | undefined, end: string | undefined): TimeRange | null {
  if (start === undefined) return null;
  const seconds = parseIsoDuration(start);
  if (seconds !== null && seconds > 0) return { kind: 'relative', seconds };
  const s = Date.parse(start);
  if (Number.isNaN(s)) return null;
  const e = end === undefined ? Date.now() : Date.parse(end);
  if (Number.isNaN(e) || e <= s) return null;
  return { kind: 'absolute', start: Math.floor(s / 1000), end: Math.ceil(e / 1000) };
}

// [start, end) in epoch seconds for a range at `nowMs`.
export function resolveRange(range: TimeRange, nowMs: number): { start: number; end: number } {
  if (range.kind === 'absolute') return { start: range.start, end: range.end };
  const end = Math.ceil(nowMs / 1000);
  return { start: end - range.seconds, end };
}

export function rangeSeconds(range: TimeRange): number {
  return range.kind === 'relative' ? range.seconds : range.end - range.start;
}

// The smallest period that draws `seconds` in at most `maxPoints` points and
// that the store can answer for data starting `ageSeconds` ago.
export function autoPeriod(seconds: number, ageSeconds: number = seconds, maxPoints = 360): number {
  for (const p of kPeriods) {
    if (p < 60 && ageSeconds > kHighResolutionSeconds) continue;
    if (seconds / p <= maxPoints) return p;
  }
  return kPeriods[kPeriods.length - 1] ?? 86400;
}

// The period a metric line is fetched at: its own, raised when the range
// would need more points than a chart can hold (up to 3,600) or when its data
// is older than high-resolution retention.
export function effectivePeriod(linePeriod: number, seconds: number, ageSeconds: number = seconds): number {
  const floor = autoPeriod(seconds, ageSeconds, 3600);
  return Math.max(linePeriod, floor);
}

export function formatPeriod(p: number): string {
  if (p < 60) return `${p}s`;
  if (p < 3600) return `${p / 60}m`;
  if (p < 86400) return `${p / 3600}h`;
  return `${p / 86400}d`;
}

// The range as URL parameters (range=5m, or from/to in epoch seconds) and back.
export function rangeToParams(range: TimeRange): Record<string, string> {
  if (range.kind === 'absolute') return { from: String(range.start), to: String(range.end) };
  const preset = kPresets.find((p) => p.seconds === range.seconds);
  return { range: preset?.id ?? `${range.seconds}s` };
}

export function rangeFromParams(params: URLSearchParams): TimeRange | null {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (params.has('from') && params.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from) {
    return { kind: 'absolute', start: from, end: to };
  }
  const id = params.get('range');
  if (id === null) return null;
  const preset = kPresets.find((p) => p.id === id);
  if (preset !== undefined) return { kind: 'relative', seconds: preset.seconds };
  const m = /^(\d+)s$/.exec(id);
  return m?.[1] !== undefined && Number(m[1]) > 0 ? { kind: 'relative', seconds: Number(m[1]) } : null;
}

export function describeRange(range: TimeRange): string {
  if (range.kind === 'absolute') {
    const f = (s: number): string => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19);
    return `${f(range.start)} → ${f(range.end)} UTC`;
  }
  const preset = kPresets.find((p) => p.seconds === range.seconds);
  return `last ${preset?.label ?? `${range.seconds}s`}`;
}

export const kRefreshChoices: { id: string; label: string; ms: number }[] = [
  { id: 'off', label: 'Off', ms: 0 },
  { id: '10s', label: '10s', ms: 10_000 },
  { id: '30s', label: '30s', ms: 30_000 },
  { id: '1m', label: '1m', ms: 60_000 },
  { id: '5m', label: '5m', ms: 300_000 },
];
