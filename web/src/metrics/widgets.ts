// Drawing CloudWatch widgets: a metric widget (line, stacked area, number,
// gauge, bar, pie) holds its series, loads them with GetMetricData, takes
// live datapoints, and keeps data-points / the latest value visible for tests.
// Text widgets render markdown-lite as DOM.
import { h, errorBanner, describeError } from '../ui';
import { makeChart, kPalette, type Chart, type EChartsOption } from '../charts';
import type { MetricLine, MetricWidget, TextWidget, OtherWidget } from './dashboard';
import { queryLines, type QueryLine } from './client';
import { appendPoint, mergePoints, drawnCount, lastPoint, trimBefore, formatValue, type Point } from './series';
import { effectivePeriod, formatPeriod, type TimeRange, resolveRange, rangeSeconds } from './time';
import { parseMarkdown, safeHref, type Span } from './markdown';

export interface SeriesState {
  id: string; // GetMetricData query id
  line: MetricLine;
  period: number;
  color: string;
  points: Point[];
}

function spanNode(s: Span): Node {
  switch (s.kind) {
    case 'bold':
      return h('strong', {}, s.text);
    case 'italic':
      return h('em', {}, s.text);
    case 'code':
      return h('code', {}, s.text);
    case 'link': {
      const href = safeHref(s.href);
      return href === null ? document.createTextNode(s.text) : h('a', { href, target: href.startsWith('#') ? null : '_blank', rel: 'noopener' }, s.text);
    }
    default:
      return document.createTextNode(s.text);
  }
}

export function renderMarkdown(source: string): HTMLElement {
  const out = h('div', { class: 'cw-markdown' });
  for (const b of parseMarkdown(source)) {
    if (b.kind === 'heading') out.append(h(b.level === 1 ? 'h2' : b.level === 2 ? 'h3' : 'h4', {}, ...b.spans.map(spanNode)));
    else if (b.kind === 'paragraph') out.append(h('p', {}, ...b.spans.map(spanNode)));
    else out.append(h(b.ordered ? 'ol' : 'ul', {}, ...b.items.map((item) => h('li', {}, ...item.map(spanNode)))));
  }
  return out;
}

export function placeStyle(w: { x: number; y: number; width: number; height: number }): string {
  return `grid-column: ${w.x + 1} / span ${w.width}; grid-row: ${w.y + 1} / span ${w.height};`;
}

export function textWidget(w: TextWidget, index: number): HTMLElement {
  return h('section', { class: 'panel cw-widget cw-text', style: placeStyle(w), 'data-testid': `widget-${index}` }, renderMarkdown(w.markdown));
}

export function otherWidget(w: OtherWidget, index: number): HTMLElement {
  return h(
    'section',
    { class: 'panel cw-widget', style: placeStyle(w), 'data-testid': `widget-${index}` },
    h('div', { class: 'panel-title' }, w.title || `${w.kind} widget`),
    h('div', { class: 'cw-empty muted' }, `“${w.kind}” widgets are CloudWatch features gamelake does not serve; this widget is kept in the body as it is.`),
  );
}

export interface MetricWidgetOptions {
  index: number;
  testid?: string;
  range: () => TimeRange;
  titleActions?: HTMLElement[];
  placed?: boolean;
  // Called after each load (the series hold the range's data).
  onLoaded?: (view: MetricWidgetView) => void;
}

export class MetricWidgetView {
  readonly element: HTMLElement;
  readonly series: SeriesState[];
  private readonly body: HTMLElement;
  private readonly foot: HTMLElement;
  private readonly status: HTMLElement;
  private readonly liveBadge: HTMLElement;
  private chart: Chart | null = null;
  private frame = 0;
  private loading: AbortController | null = null;
  private readonly testid: string;

  constructor(
    readonly widget: MetricWidget,
    private readonly options: MetricWidgetOptions,
  ) {
    this.testid = options.testid ?? `widget-${options.index}`;
    let color = 0;
    this.series = widget.lines.map((line, i) => ({
      id: /^[a-z][A-Za-z0-9_]*$/.test(line.id) ? line.id : `m${i + 1}`,
      line,
      period: line.period,
      color: line.color ?? kPalette[color++ % kPalette.length] ?? '#1f77d0',
      points: [],
    }));
    this.body = h('div', { class: 'cw-body' });
    this.foot = h('div', { class: 'cw-foot small' });
    this.status = h('div', { class: 'cw-status' });
    this.liveBadge = h('span', { class: 'badge live', hidden: true, title: 'Live data: each period is drawn as it closes' }, '● live');
    const title = widget.title !== '' ? widget.title : widget.lines.map((l) => l.label).join(', ') || 'Metrics';
    this.element = h(
      'section',
      {
        class: 'panel cw-widget',
        style: options.placed === false ? null : placeStyle(widget),
        'data-testid': this.testid,
        'data-points': '0',
        'aria-label': title,
      },
      h('div', { class: 'panel-title' }, h('span', { class: 'cw-title', title }, title), this.liveBadge, h('span', { class: 'spacer' }), ...(options.titleActions ?? [])),
      this.status,
      this.body,
      this.foot,
    );
    if (widget.lines.length === 0) {
      this.body.append(h('div', { class: 'cw-empty muted' }, 'No metrics in this widget yet.'));
    } else if (widget.view === 'singleValue') {
      this.body.classList.add('cw-numbers');
    }
  }

  // The chart is made on the first draw, once the widget is in the page and
  // has a size.
  private chartFor(): Chart | null {
    if (this.chart === null && this.series.length > 0 && this.widget.view !== 'singleValue' && this.body.isConnected) {
      this.chart = makeChart(this.body);
    }
    return this.chart;
  }

  // Periods follow the range: a line's own period, raised when the range
  // would need too many points or reaches past high-resolution retention.
  private queryLinesFor(range: TimeRange, nowMs: number): QueryLine[] {
    const { start } = resolveRange(range, nowMs);
    const age = Math.ceil(nowMs / 1000) - start;
    return this.series.map((s) => {
      s.period = effectivePeriod(s.line.period, rangeSeconds(range), age);
      return { id: s.id, line: s.line, period: s.period };
    });
  }

  // Loads the range's history; keeps live points newer than the answer.
  async load(): Promise<void> {
    if (this.series.length === 0) return;
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    const range = this.options.range();
    const now = Date.now();
    const lines = this.queryLinesFor(range, now);
    const { start, end } = resolveRange(range, now);
    this.element.classList.add('loading');
    try {
      const results = await queryLines(lines, start, end, controller.signal);
      if (controller.signal.aborted) return;
      for (const s of this.series) {
        const history = results.get(s.id) ?? [];
        const newer = s.points.filter((p) => p.t > (history[history.length - 1]?.t ?? -Infinity));
        s.points = [...history, ...newer];
      }
      this.status.replaceChildren();
      this.scheduleDraw();
      this.options.onLoaded?.(this);
    } catch (e) {
      if (controller.signal.aborted) return;
      this.status.replaceChildren(errorBanner(describeError(e)));
    } finally {
      if (this.loading === controller) {
        this.loading = null;
        this.element.classList.remove('loading');
      }
    }
  }

  // Re-reads the last `seconds` and merges them in: a live stream sends each
  // period once, shortly after it closes; puts that arrive later (a slow
  // producer) are in the store, and this brings them to the chart.
  async refreshTail(seconds: number): Promise<void> {
    const lines = this.liveLines();
    if (lines.length === 0 || this.loading !== null) return;
    const end = Math.ceil(Date.now() / 1000);
    try {
      const results = await queryLines(
        lines.map((s) => ({ id: s.id, line: s.line, period: s.period })),
        end - seconds,
        end,
      );
      for (const s of lines) {
        const fresh = results.get(s.id) ?? [];
        // The newest period may still be open: keep what the live stream drew for it.
        const settled = fresh.filter((p) => p.t + s.period <= end - 1);
        s.points = mergePoints(s.points, settled);
      }
      this.scheduleDraw();
    } catch (e) {
      this.showError(describeError(e));
    }
  }

  // Lines a live stream can serve (metric stats; expressions cannot).
  liveLines(): SeriesState[] {
    return this.series.filter((s) => s.line.expression === undefined && s.line.visible);
  }

  setLive(on: boolean): void {
    this.liveBadge.hidden = !on;
  }

  livePoint(s: SeriesState, p: Point): void {
    appendPoint(s.points, p);
    this.scheduleDraw();
  }

  showError(message: string): void {
    this.status.replaceChildren(errorBanner(message));
  }

  clearError(): void {
    this.status.replaceChildren();
  }

  scheduleDraw(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  totalPoints(): number {
    return this.series.filter((s) => s.line.visible).reduce((n, s) => n + drawnCount(s.points), 0);
  }

  draw(): void {
    const range = this.options.range();
    const { start, end } = resolveRange(range, Date.now());
    for (const s of this.series) trimBefore(s.points, start - (range.kind === 'relative' ? s.period : 0));
    const visible = this.series.filter((s) => s.line.visible);
    this.element.dataset['points'] = String(this.totalPoints());
    this.drawFoot(visible);
    const w = this.widget;
    if (w.view === 'singleValue') {
      this.body.replaceChildren(
        ...visible.map((s, i) => {
          const last = lastPoint(s.points);
          return h(
            'div',
            { class: 'cw-number' },
            h('div', { class: 'kpi-value', style: `color: ${s.color}`, 'data-testid': `${this.testid}-value-${i}` }, formatValue(last?.v ?? null)),
            h('div', { class: 'kpi-label' }, `${s.line.label} · ${s.line.stat} · ${formatPeriod(s.period)}`),
          );
        }),
      );
      return;
    }
    const chart = this.chartFor();
    if (chart === null) return;
    chart.setOption({ backgroundColor: 'transparent', ...this.chartOption(visible, start, end) }, { notMerge: true, lazyUpdate: true });
  }

  private chartOption(visible: SeriesState[], start: number, end: number): EChartsOption {
    const w = this.widget;
    const lastValues = visible.map((s) => lastPoint(s.points)?.v ?? 0);
    if (w.view === 'gauge') {
      const s = visible[0];
      const min = w.yMin ?? 0;
      const max = w.yMax ?? 100;
      return {
        animation: false,
        series: [
          {
            type: 'gauge',
            min,
            max,
            progress: { show: true, width: 12 },
            axisLine: { lineStyle: { width: 12 } },
            detail: { valueAnimation: false, formatter: (v: number) => formatValue(v), fontSize: 22 },
            title: { show: true, offsetCenter: [0, '75%'] },
            itemStyle: { color: s?.color },
            data: s === undefined ? [] : [{ value: lastValues[0] ?? 0, name: s.line.label }],
          },
        ],
      };
    }
    if (w.view === 'pie') {
      return {
        animation: false,
        tooltip: { trigger: 'item' },
        legend: { bottom: 0, type: 'scroll' },
        series: [{ type: 'pie', radius: ['35%', '65%'], data: visible.map((s, i) => ({ name: s.line.label, value: lastValues[i], itemStyle: { color: s.color } })) }],
      };
    }
    if (w.view === 'bar') {
      return {
        animation: false,
        tooltip: { trigger: 'axis' },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: visible.map((s) => s.line.label) },
        yAxis: { type: 'value', min: w.yMin, max: w.yMax },
        series: [{ type: 'bar', data: visible.map((s, i) => ({ value: lastValues[i], itemStyle: { color: s.color } })) }],
      };
    }
    return {
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : '–') },
      grid: { left: 8, right: 16, top: 12, bottom: 4, containLabel: true },
      xAxis: { type: 'time', min: start * 1000, max: end * 1000, splitNumber: 5, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', min: w.yMin, max: w.yMax },
      series: visible.map((s) => ({
        type: 'line',
        name: s.line.label,
        color: s.color,
        showSymbol: s.points.length < 3,
        connectNulls: false,
        sampling: 'lttb',
        stack: w.stacked ? 'stack' : undefined,
        areaStyle: w.stacked ? { opacity: 0.55 } : undefined,
        lineStyle: { width: w.stacked ? 1 : 2 },
        data: s.points.map((p) => [p.t * 1000, p.v]),
      })),
    };
  }

  private drawFoot(visible: SeriesState[]): void {
    const items = visible.map((s, i) => {
      const last = lastPoint(s.points);
      const value = h(
        'span',
        {
          class: 'cw-last',
          'data-testid': i === 0 ? `${this.testid}-last` : `${this.testid}-last-${i}`,
          'data-timestamp': last === null ? '' : String(last.t),
          'data-label': s.line.label,
        },
        formatValue(last?.v ?? null),
      );
      return h(
        'span',
        { class: 'cw-legend-item', title: `${s.line.namespace} ${s.line.name} ${s.line.stat} ${formatPeriod(s.period)}` },
        h('span', { class: 'cw-swatch', style: `background: ${s.color}` }),
        `${s.line.label} (${s.line.stat}, ${formatPeriod(s.period)}) `,
        value,
      );
    });
    const newest = visible.map((s) => lastPoint(s.points)?.t ?? 0).reduce((a, b) => Math.max(a, b), 0);
    this.foot.replaceChildren(...items);
    if (newest > 0) this.foot.append(h('span', { class: 'muted cw-at' }, `latest ${new Date(newest * 1000).toLocaleTimeString()}`));
  }

  dispose(): void {
    this.loading?.abort();
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.chart?.dispose();
    this.chart = null;
  }
}
