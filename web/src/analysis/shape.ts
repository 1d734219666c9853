// Query rows → what a visual draws: ECharts options for the charts, the big
// number of a KPI, the grid of a table or pivot (with totals), and the data as
// plain rows (which the page also writes beside each chart for tests and the
// "show data" view). Pure: no DOM, no ECharts import.

import type { NumberFormat, Visual } from './model';
import type { VisualQuery } from './query';

export type Option = Record<string, unknown>;

export interface Grid {
  columns: string[];
  rows: string[][];
  totalRow?: boolean; // the last row is a total
  totalColumn?: boolean; // the last column is a total
}

export interface Shaped {
  option?: Option; // charts
  kpi?: { value: number | null; text: string; label: string };
  grid?: Grid; // table and pivot
  data: { columns: string[]; rows: unknown[][] }; // the answer, dims as labels and measures as numbers
  empty: boolean;
}

export interface Theme {
  palette: string[];
  text: string;
  muted: string;
  border: string;
}

export const kDefaultTheme: Theme = {
  palette: ['#1f77d0', '#ff9830', '#2ca02c', '#d62728', '#9467bd', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#7f7f7f'],
  text: '#16191f',
  muted: '#5f6b7a',
  border: '#d5dbe3',
};

export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : null;
  }
  return null;
}

// A dimension value as a label: NULL as "(null)", timestamps without
// trailing zero fractions.
export function dimLabel(v: unknown): string {
  if (v === null || v === undefined) return '(null)';
  if (typeof v === 'string') return v.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.0*)?$/, '$1').replace(/^(\d{4}-\d\d-\d\d) 00:00:00$/, '$1');
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

// A measure as text in the visual's format: number (thousands separators),
// percent (0.42 → 42.00%), currency ($1,234.50). NULL as "—".
export function formatValue(v: unknown, format: NumberFormat): string {
  const n = toNumber(v);
  if (n === null) return '—';
  if (!Number.isFinite(n)) return String(n);
  switch (format.style) {
    case 'percent': {
      const d = format.decimals ?? 2;
      return `${(n * 100).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}%`;
    }
    case 'currency': {
      const d = format.decimals ?? 2;
      try {
        return n.toLocaleString('en-US', { style: 'currency', currency: format.currency ?? 'USD', minimumFractionDigits: d, maximumFractionDigits: d });
      } catch {
        return `${format.currency ?? ''} ${n.toFixed(d)}`.trim();
      }
    }
    default: {
      if (format.decimals !== undefined) {
        return n.toLocaleString('en-US', { minimumFractionDigits: format.decimals, maximumFractionDigits: format.decimals });
      }
      return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
    }
  }
}

// A short axis label: 12,345 → 12.3K, percent as 42%.
export function axisValue(v: number, format: NumberFormat): string {
  if (format.style === 'percent') return `${Math.round(v * 1000) / 10}%`;
  const abs = Math.abs(v);
  const prefix = format.style === 'currency' ? '$' : '';
  if (abs >= 1e9) return `${prefix}${+(v / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${prefix}${+(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${prefix}${+(v / 1e3).toFixed(1)}K`;
  return `${prefix}${+v.toFixed(2)}`;
}

function uniqueInOrder(values: string[]): string[] {
  return [...new Set(values)];
}

function baseOption(theme: Theme): Option {
  return {
    color: theme.palette,
    backgroundColor: 'transparent',
    animationDuration: 300,
    textStyle: { color: theme.text },
  };
}

// The data table: dims as labels, measures as numbers.
function dataOf(q: VisualQuery, rows: unknown[][]): Shaped['data'] {
  const nd = q.dims.length;
  return {
    columns: [...q.dims.map((d) => d.label), ...q.measures.map((m) => m.label)],
    rows: rows.map((r) => [...r.slice(0, nd).map(dimLabel), ...r.slice(nd, nd + q.measures.length).map(toNumber)]),
  };
}

export function shapeVisual(visual: Visual, q: VisualQuery, rows: unknown[][], theme: Theme = kDefaultTheme): Shaped {
  switch (visual.type) {
    case 'bar':
    case 'hbar':
    case 'line':
    case 'area':
      return shapeSeries(visual, q, rows, theme);
    case 'pie':
      return shapePie(visual, q, rows, theme);
    case 'heatmap':
      return shapeHeatmap(visual, q, rows, theme);
    case 'kpi':
      return shapeKpi(visual, q, rows);
    case 'table':
      return shapeTable(visual, q, rows);
    case 'pivot':
      return shapePivot(visual, q, rows);
  }
}

function shapeSeries(visual: Visual, q: VisualQuery, rows: unknown[][], theme: Theme): Shaped {
  const data = dataOf(q, rows);
  const format = visual.format;
  const categories = uniqueInOrder(rows.map((r) => dimLabel(r[0])));
  const horizontal = visual.type === 'hbar';
  const isLine = visual.type === 'line' || visual.type === 'area';
  const grouped = q.dims.length > 1;
  const stacked = visual.mode === 'stacked' || (visual.mode === undefined && visual.type === 'area' && grouped);
  interface Series { name: string; values: (number | null)[] }
  const series: Series[] = [];
  if (grouped) {
    const groups = uniqueInOrder(rows.map((r) => dimLabel(r[1]))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const g of groups) {
      const values = categories.map((c) => {
        const row = rows.find((r) => dimLabel(r[0]) === c && dimLabel(r[1]) === g);
        return row === undefined ? null : toNumber(row[2]);
      });
      series.push({ name: g, values });
    }
  } else {
    q.measures.forEach((m, i) => {
      series.push({ name: m.label, values: categories.map((c) => toNumber(rows.find((r) => dimLabel(r[0]) === c)?.[1 + i])) });
    });
  }
  // Times on one day show as HH:MM (the tooltip keeps the whole value).
  const times = categories.length > 0 && categories.every((c) => /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(c));
  const oneDay = times && categories.every((c) => c.slice(0, 10) === categories[0]?.slice(0, 10));
  const categoryAxis = {
    type: 'category',
    data: categories,
    name: q.dims[0]?.label ?? '',
    nameLocation: horizontal ? 'start' : 'middle',
    nameGap: horizontal ? 8 : 28,
    nameTextStyle: { color: theme.muted, fontWeight: 600 },
    inverse: horizontal,
    axisLabel: { color: theme.muted, hideOverlap: true, ...(oneDay ? { formatter: (v: string) => v.slice(11, 16) } : {}) },
    axisLine: { lineStyle: { color: theme.border } },
    boundaryGap: !isLine,
  };
  const valueAxis = {
    type: 'value',
    name: grouped ? q.measures[0]?.label ?? '' : q.measures.length === 1 ? q.measures[0]?.label ?? '' : '',
    nameLocation: 'middle',
    nameGap: horizontal ? 28 : 48,
    nameTextStyle: { color: theme.muted, fontWeight: 600 },
    axisLabel: { color: theme.muted, formatter: (v: number) => axisValue(v, format) },
    splitLine: { lineStyle: { color: theme.border, opacity: 0.6 } },
  };
  const showLabels = !isLine && categories.length * Math.max(1, series.length) <= 24;
  const option: Option = {
    ...baseOption(theme),
    grid: { left: 8, right: horizontal ? 36 : 16, top: series.length > 1 || horizontal ? 30 : 22, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: { trigger: 'axis', axisPointer: { type: isLine ? 'line' : 'shadow' }, valueFormatter: (v: unknown) => formatValue(v, format) },
    legend: series.length > 1 ? { top: 0, type: 'scroll', textStyle: { color: theme.muted } } : { show: false },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: series.map((s) => ({
      name: s.name,
      type: isLine ? 'line' : 'bar',
      data: s.values,
      stack: stacked ? 'total' : undefined,
      areaStyle: visual.type === 'area' ? { opacity: 0.35 } : undefined,
      smooth: false,
      showSymbol: visual.type === 'line' && categories.length <= 60,
      barMaxWidth: 48,
      label: showLabels && !stacked ? { show: true, position: horizontal ? 'right' : 'top', color: theme.muted, formatter: (p: { value: unknown }) => formatValue(p.value, format) } : undefined,
      emphasis: { focus: 'series' },
    })),
  };
  return { option, data, empty: rows.length === 0 };
}

function shapePie(visual: Visual, q: VisualQuery, rows: unknown[][], theme: Theme): Shaped {
  const data = dataOf(q, rows);
  const format = visual.format;
  const slices = rows.map((r) => ({ name: dimLabel(r[0]), value: toNumber(r[1]) }));
  const few = slices.length <= 12;
  const option: Option = {
    ...baseOption(theme),
    tooltip: { trigger: 'item', valueFormatter: (v: unknown) => formatValue(v, format) },
    legend: few ? { show: false } : { type: 'scroll', orient: 'vertical', right: 4, top: 'middle', textStyle: { color: theme.muted } },
    series: [
      {
        name: q.measures[0]?.label ?? '',
        type: 'pie',
        radius: few ? ['34%', '58%'] : ['40%', '70%'],
        center: few ? ['50%', '52%'] : ['40%', '50%'],
        avoidLabelOverlap: true,
        itemStyle: { borderColor: 'rgba(255,255,255,0.7)', borderWidth: 1 },
        label: few ? { color: theme.text, formatter: '{b}\n{d}%', lineHeight: 14, overflow: 'none' } : { show: false },
        labelLine: { length: 8, length2: 8 },
        data: slices,
      },
    ],
  };
  return { option, data, empty: rows.length === 0 };
}

function shapeHeatmap(visual: Visual, q: VisualQuery, rows: unknown[][], theme: Theme): Shaped {
  const data = dataOf(q, rows);
  const format = visual.format;
  const sortLabels = (values: string[]): string[] => uniqueInOrder(values).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const rowLabels = sortLabels(rows.map((r) => dimLabel(r[0])));
  const colLabels = sortLabels(rows.map((r) => dimLabel(r[1])));
  const cells = rows.map((r) => [colLabels.indexOf(dimLabel(r[1])), rowLabels.indexOf(dimLabel(r[0])), toNumber(r[2])]);
  const numbers = cells.map((c) => c[2]).filter((v): v is number => v !== null && Number.isFinite(v));
  const min = numbers.length > 0 ? Math.min(...numbers) : 0;
  const max = numbers.length > 0 ? Math.max(...numbers) : 1;
  const option: Option = {
    ...baseOption(theme),
    grid: { left: 8, right: 64, top: 8, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, unknown] }) =>
        `${q.dims[0]?.label ?? ''} ${rowLabels[p.value[1]] ?? ''} · ${q.dims[1]?.label ?? ''} ${colLabels[p.value[0]] ?? ''}<br>${q.measures[0]?.label ?? ''}: <b>${formatValue(p.value[2], format)}</b>`,
    },
    xAxis: { type: 'category', data: colLabels, name: q.dims[1]?.label ?? '', nameLocation: 'middle', nameGap: 26, nameTextStyle: { color: theme.muted, fontWeight: 600 }, splitArea: { show: true }, axisLabel: { color: theme.muted } },
    yAxis: { type: 'category', data: rowLabels, name: q.dims[0]?.label ?? '', nameLocation: 'middle', nameGap: 44, nameTextStyle: { color: theme.muted, fontWeight: 600 }, splitArea: { show: true }, axisLabel: { color: theme.muted } },
    visualMap: {
      min,
      max: max === min ? min + 1 : max,
      calculable: true,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 140,
      itemWidth: 12,
      textStyle: { color: theme.muted },
      inRange: { color: ['#e3edfd', '#7fb0f0', '#1f6feb', '#0b3a8c'] },
    },
    series: [
      {
        name: q.measures[0]?.label ?? '',
        type: 'heatmap',
        data: cells,
        label: { show: rowLabels.length * colLabels.length <= 80, fontSize: 11, formatter: (p: { value: [number, number, unknown] }) => formatValue(p.value[2], format) },
        emphasis: { itemStyle: { shadowBlur: 8, shadowColor: 'rgba(0,0,0,0.4)' } },
      },
    ],
  };
  return { option, data, empty: rows.length === 0 };
}

function shapeKpi(visual: Visual, q: VisualQuery, rows: unknown[][]): Shaped {
  const raw = rows[0]?.[0];
  const value = toNumber(raw);
  const label = q.measures[0]?.label ?? '';
  return {
    kpi: { value, text: formatValue(value, visual.format), label },
    data: { columns: [label], rows: rows.slice(0, 1).map((r) => [toNumber(r[0])]) },
    empty: false,
  };
}

function shapeTable(visual: Visual, q: VisualQuery, rows: unknown[][]): Shaped {
  const data = dataOf(q, rows);
  const nd = q.dims.length;
  const grid: Grid = {
    columns: data.columns,
    rows: rows.map((r) => [...r.slice(0, nd).map(dimLabel), ...r.slice(nd, nd + q.measures.length).map((v) => formatValue(v, visual.format))]),
  };
  return { grid, data, empty: rows.length === 0 };
}

// Rows × columns with a total row and column. The query grouped by GROUPING
// SETS (rows+columns, rows, columns, ()), with g<i> = 1 where dim i is rolled up.
function shapePivot(visual: Visual, q: VisualQuery, rows: unknown[][]): Shaped {
  const nd = q.dims.length;
  const nr = q.rowDims;
  const nc = nd - nr;
  const key = (r: unknown[], from: number, to: number): string => r.slice(from, to).map(dimLabel).join(' / ');
  const isTotal = (r: unknown[], from: number, to: number): boolean => {
    for (let i = from; i < to; i += 1) if (toNumber(r[nd + q.measures.length + i]) !== 1) return false;
    return true;
  };
  const detailRowKeys: string[] = [];
  const detailColKeys: string[] = [];
  const cell = new Map<string, unknown>();
  for (const r of rows) {
    const rowTotal = isTotal(r, 0, nr);
    const colTotal = isTotal(r, nr, nd);
    const rk = nr === 0 ? 'Total' : rowTotal ? '\u0000total' : key(r, 0, nr);
    const ck = nc === 0 ? q.measures[0]?.label ?? '' : colTotal ? '\u0000total' : key(r, nr, nd);
    if (!rowTotal && nr > 0) detailRowKeys.push(rk);
    if (!colTotal && nc > 0) detailColKeys.push(ck);
    cell.set(`${rk}\u0001${ck}`, r[nd]);
  }
  const rowKeys = uniqueInOrder(detailRowKeys);
  const colKeys = nc === 0 ? [q.measures[0]?.label ?? ''] : uniqueInOrder(detailColKeys);
  const withTotalRow = nr > 0;
  const withTotalCol = nc > 0;
  const rowHead = nr > 0 ? q.dims.slice(0, nr).map((d) => d.label).join(' / ') : '';
  const colHead = nc > 0 ? q.dims.slice(nr).map((d) => d.label).join(' / ') : '';
  const columns = [rowHead && colHead ? `${rowHead} \\ ${colHead}` : rowHead || colHead, ...colKeys, ...(withTotalCol ? ['Total'] : [])];
  const get = (rk: string, ck: string): string => formatValue(cell.get(`${rk}\u0001${ck}`) ?? null, visual.format);
  const lines = (nr === 0 ? ['Total'] : rowKeys).map((rk) => [nr === 0 ? q.measures[0]?.label ?? 'Total' : rk, ...colKeys.map((ck) => get(rk, ck)), ...(withTotalCol ? [get(rk, '\u0000total')] : [])]);
  if (withTotalRow) lines.push(['Total', ...colKeys.map((ck) => get('\u0000total', ck)), ...(withTotalCol ? [get('\u0000total', '\u0000total')] : [])]);
  const grid: Grid = { columns, rows: lines, totalRow: withTotalRow, totalColumn: withTotalCol };
  return { grid, data: { columns: grid.columns, rows: grid.rows }, empty: rows.length === 0 };
}
