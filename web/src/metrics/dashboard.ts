// CloudWatch dashboard bodies (docs/metrics.md, "Dashboards"): the JSON the
// store keeps byte for byte, read into typed widgets the page can draw. Pure:
// no DOM, so tests/unit/metrics.test.ts runs it in Node.

export interface Dimension {
  Name: string;
  Value: string;
}

// One line of a metric widget: a metric with its statistic, or an expression
// (metric math over the other lines' ids).
export interface MetricLine {
  id: string;
  namespace: string;
  name: string;
  dimensions: Dimension[];
  stat: string;
  period: number;
  label: string;
  color?: string;
  visible: boolean;
  expression?: string;
}

export type WidgetView = 'timeSeries' | 'singleValue' | 'gauge' | 'bar' | 'pie';

export interface MetricWidget {
  type: 'metric';
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  view: WidgetView;
  stacked: boolean;
  liveData: boolean;
  lines: MetricLine[];
  yMin?: number;
  yMax?: number;
}

export interface TextWidget {
  type: 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  markdown: string;
}

export interface OtherWidget {
  type: 'other';
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
}

export type Widget = MetricWidget | TextWidget | OtherWidget;

export interface Dashboard {
  start?: string;
  end?: string;
  periodOverride?: string;
  widgets: Widget[];
}

export const kDefaultStat = 'Average';
export const kDefaultPeriod = 300;

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

// Expands CloudWatch's shorthand in a metric line's leading strings: "."
// repeats the previous line's value at that position, "..." the previous
// line's values from there to its end.
export function expandShorthand(parts: string[], previous: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? '';
    if (part === '...') {
      out.push(...previous.slice(out.length));
    } else if (part === '.') {
      out.push(previous[i] ?? '');
    } else {
      out.push(part);
    }
  }
  return out;
}

export function defaultLabel(name: string, dimensions: Dimension[], others: { name: string; dimensions: Dimension[] }[]): string {
  // Like CloudWatch: the metric name, with its dimension values when another
  // line of the widget has the same name.
  const clash = others.filter((o) => o.name === name).length > 1;
  return clash && dimensions.length > 0 ? `${name} ${dimensions.map((d) => d.Value).join(' ')}` : name;
}

// The metric lines of a metric widget's `metrics` array, with the widget's
// stat and period filling what a line leaves out.
export function parseMetricLines(metrics: unknown, widgetStat: string, widgetPeriod: number): MetricLine[] {
  if (!Array.isArray(metrics)) return [];
  const lines: MetricLine[] = [];
  let previous: string[] = [];
  const raw: { parts: string[]; options: JsonObject }[] = [];
  for (const entry of metrics) {
    if (!Array.isArray(entry)) continue;
    const strings = entry.filter((e): e is string => typeof e === 'string');
    const options = entry.find(isObject) ?? {};
    const parts = strings.length > 0 ? expandShorthand(strings, previous) : [];
    if (parts.length > 0) previous = parts;
    raw.push({ parts, options });
  }
  const named = raw.map((r) => ({
    name: r.parts[1] ?? '',
    dimensions: pairs(r.parts.slice(2)),
  }));
  raw.forEach((r, index) => {
    const o = r.options;
    const id = str(o['id']) ?? `m${index + 1}`;
    const stat = str(o['stat']) ?? widgetStat;
    const period = num(o['period']) ?? widgetPeriod;
    const color = str(o['color']);
    const visible = o['visible'] !== false;
    const expression = str(o['expression']);
    const base = { id, stat, period, visible, ...(color === undefined ? {} : { color }) };
    if (expression !== undefined) {
      lines.push({ ...base, namespace: '', name: '', dimensions: [], label: str(o['label']) ?? expression, expression });
      return;
    }
    if (r.parts.length < 2) return;
    const dimensions = pairs(r.parts.slice(2));
    const name = r.parts[1] ?? '';
    lines.push({
      ...base,
      namespace: r.parts[0] ?? '',
      name,
      dimensions,
      label: str(o['label']) ?? defaultLabel(name, dimensions, named),
    });
  });
  return lines;
}

function pairs(rest: string[]): Dimension[] {
  const out: Dimension[] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) out.push({ Name: rest[i] ?? '', Value: rest[i + 1] ?? '' });
  return out;
}

// A dashboard body (the JSON text) as widgets; throws an Error saying what is
// wrong when it is not a dashboard body at all.
export function parseDashboard(body: string): Dashboard {
  const parsed: unknown = JSON.parse(body);
  if (!isObject(parsed)) throw new Error('the dashboard body is not a JSON object');
  const widgetsIn = Array.isArray(parsed['widgets']) ? parsed['widgets'] : [];
  const widgets: Widget[] = [];
  let flowX = 0;
  let flowY = 0;
  let rowHeight = 0;
  for (const w of widgetsIn) {
    if (!isObject(w)) continue;
    const props = isObject(w['properties']) ? w['properties'] : {};
    const width = clamp(num(w['width']) ?? 6, 1, 24);
    const height = Math.max(1, num(w['height']) ?? 6);
    let x = num(w['x']);
    let y = num(w['y']);
    if (x === undefined || y === undefined) {
      // CloudWatch places widgets without a position left to right, in rows.
      if (flowX + width > 24) {
        flowX = 0;
        flowY += rowHeight;
        rowHeight = 0;
      }
      x = flowX;
      y = flowY;
    }
    flowX = x + width;
    flowY = y;
    rowHeight = Math.max(rowHeight, height);
    x = clamp(x, 0, 23);
    const type = str(w['type']) ?? '';
    const place = { x, y, width: Math.min(width, 24 - x), height };
    if (type === 'metric') {
      const view = str(props['view']);
      const yAxis = isObject(props['yAxis']) && isObject(props['yAxis']['left']) ? props['yAxis']['left'] : {};
      const yMin = num(yAxis['min']);
      const yMax = num(yAxis['max']);
      widgets.push({
        type: 'metric',
        ...place,
        title: str(props['title']) ?? '',
        view: view === 'singleValue' || view === 'gauge' || view === 'bar' || view === 'pie' ? view : 'timeSeries',
        stacked: props['stacked'] === true,
        liveData: props['liveData'] === true,
        lines: parseMetricLines(props['metrics'], str(props['stat']) ?? kDefaultStat, num(props['period']) ?? kDefaultPeriod),
        ...(yMin === undefined ? {} : { yMin }),
        ...(yMax === undefined ? {} : { yMax }),
      });
    } else if (type === 'text') {
      widgets.push({ type: 'text', ...place, markdown: str(props['markdown']) ?? '' });
    } else {
      widgets.push({ type: 'other', kind: type, ...place, title: str(props['title']) ?? '' });
    }
  }
  const out: Dashboard = { widgets };
  const start = str(parsed['start']);
  const end = str(parsed['end']);
  const periodOverride = str(parsed['periodOverride']);
  if (start !== undefined) out.start = start;
  if (end !== undefined) out.end = end;
  if (periodOverride !== undefined) out.periodOverride = periodOverride;
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

// A metric line in CloudWatch's array form, for a widget the console writes.
export function metricArray(line: {
  namespace: string;
  name: string;
  dimensions: Dimension[];
  stat?: string;
  period?: number;
  label?: string;
  color?: string;
}): unknown[] {
  const out: unknown[] = [line.namespace, line.name];
  for (const d of line.dimensions) out.push(d.Name, d.Value);
  const options: JsonObject = {};
  if (line.stat !== undefined) options['stat'] = line.stat;
  if (line.period !== undefined) options['period'] = line.period;
  if (line.label !== undefined && line.label !== '') options['label'] = line.label;
  if (line.color !== undefined) options['color'] = line.color;
  if (Object.keys(options).length > 0) out.push(options);
  return out;
}

// Adds a widget below every existing one of a dashboard body (kept as parsed
// JSON otherwise, so what the user or the AWS console put stays as it was).
export function appendWidget(body: string, widget: JsonObject): string {
  const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
  const dashboard: JsonObject = isObject(parsed) ? parsed : {};
  const widgets = Array.isArray(dashboard['widgets']) ? (dashboard['widgets'] as unknown[]) : [];
  let bottom = 0;
  for (const w of widgets) {
    if (!isObject(w)) continue;
    bottom = Math.max(bottom, (num(w['y']) ?? 0) + (num(w['height']) ?? 6));
  }
  widgets.push({ ...widget, x: 0, y: bottom });
  dashboard['widgets'] = widgets;
  return JSON.stringify(dashboard);
}

// Removes the widget at `index` from a dashboard body.
export function removeWidget(body: string, index: number): string {
  const parsed: unknown = JSON.parse(body);
  if (!isObject(parsed) || !Array.isArray(parsed['widgets'])) return body;
  const widgets = (parsed['widgets'] as unknown[]).filter((_, i) => i !== index);
  return JSON.stringify({ ...parsed, widgets });
}
