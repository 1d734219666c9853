// The Players panels' ECharts parts: the page's set of charts (disposed on
// every refresh), the axes' colours for the theme, the axes, legend and
// per-segment series several panels draw alike, and tooltip items.
import { makeChart, isDark, kPalette, type Chart, type EChartsOption } from '../charts';
import { num, segmentKey, segmentOf, str, type KpiRecord } from './kpi';

// The charts the page has drawn, so a refresh or leaving the page disposes them.
export class ChartSet {
  private charts: Chart[] = [];

  // A chart in `host` with the console's palette and a transparent background.
  add(host: HTMLElement, option: EChartsOption): Chart {
    const chart = makeChart(host);
    chart.setOption({ color: kPalette, backgroundColor: 'transparent', animationDuration: 300, ...option });
    this.charts.push(chart);
    return chart;
  }

  dispose(chart: Chart): void {
    chart.dispose();
    this.charts = this.charts.filter((c) => c !== chart);
  }

  disposeAll(): void {
    for (const chart of this.charts) chart.dispose();
    this.charts = [];
  }
}

export interface AxisColors {
  text: string;
  line: string;
}

export function axisColors(): AxisColors {
  return isDark() ? { text: '#9aa5b4', line: '#2c3541' } : { text: '#5f6b7a', line: '#d5dbe3' };
}

// The periods (day, week or month starts) of an answer's rows, in order.
export function periodsOf(rows: KpiRecord[]): string[] {
  return [...new Set(rows.map((r) => str(r['period'])))].sort();
}

// The x axis of periods.
export function periodAxis(colors: AxisColors, periods: string[]): object {
  return { type: 'category', data: periods, axisLabel: { color: colors.text, hideOverlap: true } };
}

// A value axis with grid lines; `formatter` writes its labels.
export function valueAxis(colors: AxisColors, formatter?: (v: number) => string): object {
  return { type: 'value', axisLabel: { color: colors.text, ...(formatter === undefined ? {} : { formatter }) }, splitLine: { lineStyle: { color: colors.line } } };
}

export function legend(colors: AxisColors): { top: number; type: string; textStyle: { color: string } } {
  return { top: 0, type: 'scroll', textStyle: { color: colors.text } };
}

// A series per segment of `valueColumn` over `keys` (the x axis' categories,
// matched with `keyColumn`): stacked bars, or lines.
export function bySegment(rows: KpiRecord[], keys: string[], keyColumn: string, valueColumn: string, type: 'line' | 'bar'): object[] {
  const segments = [...new Set(rows.map((r) => segmentKey(segmentOf(r))))].sort();
  return segments.map((s) => {
    const values = new Map<string, number | null>();
    for (const r of rows) if (segmentKey(segmentOf(r)) === s) values.set(str(r[keyColumn]), num(r[valueColumn]));
    return { name: s, type, ...(type === 'bar' ? { stack: 'segments' } : { symbolSize: 4 }), data: keys.map((k) => values.get(k) ?? null) };
  });
}

// What ECharts hands an axis tooltip's formatter, a point of each series.
export interface TooltipItem {
  axisValueLabel?: string;
  seriesName?: string;
  value?: unknown;
  marker?: string;
}

export function tooltipItems(items: unknown): TooltipItem[] {
  return Array.isArray(items) ? (items as TooltipItem[]) : [];
}

// Text for a tooltip's HTML.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
