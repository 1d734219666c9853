// "LTV by install cohort": cumulative revenue per player by days since
// install, averaged over the cohorts that have reached each day (each cohort
// faintly behind; a curve per segment when segmented), the D1…D90 values, and
// its table. The curves turn dashed where fewer than kLtvSolidCohorts cohorts
// have reached the day. Reads /v1/kpis/ltv with days.
import { h } from '../ui';
import { kPalette } from '../charts';
import { allZero, ltvCurves, num, records, str, type KpiAnswer, type KpiRecord, type LtvPoint } from './kpi';
import { formatCount, formatMoneyAxis, formatMoneyPerPlayer } from './format';
import { axisColors, escapeHtml, legend, tooltipItems, valueAxis, type AxisColors, type ChartSet } from './chart_parts';
import { dataTable, daysSelect, emptyNote, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

// Fewer cohorts than this make an average that jumps about: drawn dashed.
const kLtvSolidCohorts = 3;

// What LTV needs: the panel's hint when it fails.
export const kLtvHelp = 'LTV sums the revenue field of purchase events (docs/events.md).';

export interface LtvOptions {
  days: number; // D0..D<days>
  onDays: (days: number) => void; // the days chosen in the panel: the page asks again
  charts: ChartSet;
}

type DayPoint = Pick<LtvPoint, 'day' | 'ltv'>;

export function ltvPanel(): PanelHandle {
  return panelFrame({ id: 'ltv', title: 'LTV by install cohort', subtitle: `Cumulative revenue per player by days since install, averaged over the cohorts that have reached each day (dashed: fewer than ${kLtvSolidCohorts} cohorts)` });
}

export function drawLtv(panel: PanelHandle, answer: KpiAnswer, options: LtvOptions): void {
  panel.setSql(sqlOf(answer));
  const select = daysSelect('LTV days since install', 'ltv-days', options.days, options.onDays);
  const rows = records(answer);
  const curves = ltvCurves(rows);
  if (rows.length === 0) {
    panel.body.replaceChildren(emptyNote('ltv-empty', 'No players were first seen in this range, so there are no install cohorts. Widen the range.'));
    return;
  }
  if (allZero(rows, 'revenue')) {
    panel.body.replaceChildren(emptyNote('ltv-empty', 'The players first seen in this range have not paid yet: LTV sums the revenue of their purchase events (docs/events.md).'));
    return;
  }
  const segmented = isSegmented(answer);
  const all = curves.get('') ?? [];
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'LTV curve' });
  panel.body.replaceChildren(h('div', { class: 'row pl-controls' }, select, segmented ? null : ltvStats(all)), host, dataTable(answer, 'ltv'));
  const colors = axisColors();
  const maxDay = Math.max(...rows.map((r) => num(r['day']) ?? 0));
  const days = Array.from({ length: maxDay + 1 }, (_, i) => String(i));
  const byDay = (points: DayPoint[]): (number | null)[] => days.map((_, i) => points.find((p) => p.day === i)?.ltv ?? null);
  const series = segmented
    ? [...curves.entries()].flatMap(([key, points], i) => ltvSeries(key, points, byDay, kPalette[i % kPalette.length] ?? '#1f77d0', 2))
    : [...cohortSeries(rows, byDay, colors), ...ltvSeries('all cohorts', all, byDay, kPalette[0] ?? '#1f77d0', 3)];
  options.charts.add(host, {
    xAxis: { type: 'category', data: days, name: 'days since install', nameLocation: 'middle', nameGap: 26, nameTextStyle: { color: colors.text }, axisLabel: { color: colors.text, hideOverlap: true } },
    yAxis: valueAxis(colors, formatMoneyAxis),
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    legend: { ...legend(colors), ...(segmented ? {} : { data: ['all cohorts'] }) },
    tooltip: { trigger: 'axis', formatter: (items: unknown) => ltvTooltip(items, segmented, all) },
    series,
  });
}

// D1, D7 … D90 LTV over all cohorts, for the days the curve reaches.
function ltvStats(all: LtvPoint[]): HTMLElement {
  return h('div', { class: 'pl-stats' }, ...[1, 7, 14, 30, 60, 90].filter((d) => all.some((p) => p.day === d)).map((d) => {
    const p = all.find((x) => x.day === d);
    return h('div', { class: 'pl-stat', 'data-testid': `ltv-d${d}`, 'data-value': String(p?.ltv ?? ''), title: `Revenue per player by day ${d} since install, over the ${p?.cohorts ?? 0} cohorts (${formatCount(p?.players ?? 0)} players) that have reached it` },
      h('span', { class: 'pl-stat-value' }, formatMoneyPerPlayer(p?.ltv ?? null)), h('span', { class: 'pl-stat-label' }, `D${d} LTV`));
  }));
}

// Each cohort faintly behind the average, as the spread to expect.
function cohortSeries(rows: KpiRecord[], byDay: (points: DayPoint[]) => (number | null)[], colors: AxisColors): object[] {
  const cohorts = new Map<string, DayPoint[]>();
  for (const r of rows) {
    const list = cohorts.get(str(r['cohort'])) ?? [];
    list.push({ day: num(r['day']) ?? 0, ltv: num(r['ltv']) });
    cohorts.set(str(r['cohort']), list);
  }
  return [...cohorts].map(([cohort, points]) => ({ name: cohort, type: 'line', silent: true, symbol: 'none', z: 1, lineStyle: { width: 1, opacity: 0.25, color: colors.text }, itemStyle: { color: colors.text }, emphasis: { disabled: true }, data: byDay(points) }));
}

// An LTV curve: solid while at least kLtvSolidCohorts cohorts have reached
// the day, dashed after (an average of few cohorts jumps about).
function ltvSeries(name: string, points: LtvPoint[], byDay: (points: DayPoint[]) => (number | null)[], color: string, width: number): object[] {
  const last = points.filter((p) => p.cohorts >= kLtvSolidCohorts).reduce((m, p) => Math.max(m, p.day), -1);
  const solid = byDay(points.filter((p) => p.day <= last));
  const tail = byDay(points.filter((p) => p.day >= last));
  const common = { name, type: 'line', symbolSize: width + 2, z: 3, itemStyle: { color } };
  return [
    { ...common, lineStyle: { width, color }, data: solid },
    { ...common, lineStyle: { width: Math.max(1, width - 1), color, type: 'dashed' }, symbolSize: 3, data: tail },
  ];
}

// A line a curve (not each cohort's), headed by the day and, unsegmented,
// how many cohorts and players have reached it.
function ltvTooltip(items: unknown, segmented: boolean, all: LtvPoint[]): string {
  const list = tooltipItems(items);
  // A curve is two series (solid, then dashed): one line each.
  const seen = new Set<string>();
  const shown = list.filter((p) => (segmented || p.seriesName === 'all cohorts') && typeof p.value === 'number' && !seen.has(p.seriesName ?? '') && seen.add(p.seriesName ?? ''));
  const day = Number(list[0]?.axisValueLabel ?? 0);
  const point = all.find((p) => p.day === day);
  return [`Day ${day}${segmented || point === undefined ? '' : ` · ${point.cohorts} cohorts, ${formatCount(point.players)} players`}`,
    ...shown.map((p) => `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${formatMoneyPerPlayer(typeof p.value === 'number' ? p.value : null)}</b>`)].join('<br>');
}
