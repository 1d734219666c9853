// How the Players page writes its numbers: counts, money, percentages, ratios
// and durations, in the tiles, the panels' stats, axes and tooltips. Pure: no
// DOM, so tests/unit/players.test.ts runs it in Node.

export type TileFormat = 'count' | 'percent' | 'money';

// A whole number with thousands separators: 12,345.
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

// A tile's value: '—' when unknown; money with cents (three digits under $1).
export function formatTile(value: number | null, format: TileFormat): string {
  if (value === null) return '—';
  switch (format) {
    case 'percent':
      return formatPercent(value);
    case 'money':
      return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value !== 0 && Math.abs(value) < 1 ? 3 : 2 })}`;
    case 'count':
      return formatCount(Math.round(value));
  }
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

// Money on a chart's axis: "$12.5", no trailing zeros.
export function formatMoneyAxis(v: number): string {
  return `$${+v.toFixed(2)}`;
}

// Money per player (LTV): "$1.25", "$0.125" under a dollar; '—' when unknown.
export function formatMoneyPerPlayer(v: number | null): string {
  return v === null ? '—' : `$${v.toFixed(v !== 0 && Math.abs(v) < 1 ? 3 : 2)}`;
}

// A ratio such as sessions per DAU: "1.25"; '—' for anything not a number.
export function formatRatio(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(2) : '—';
}

// Seconds as "45s", "12m 30s", "1h 05m".
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// Minutes on a chart's axis: "12.5m", or hours from two hours on: "2.5h".
export function formatMinutesAxis(v: number): string {
  return v >= 120 ? `${+(v / 60).toFixed(1)}h` : `${+v.toFixed(1)}m`;
}
