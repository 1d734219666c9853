// "Sessions by <granularity>": the range's sessions, sessions per DAU and
// average length, then sessions per DAU as bars with the p50/p90 session
// length as lines (sessions per DAU per segment when segmented), and its
// table. Reads /v1/kpis/sessions.
import { h } from '../ui';
import type { EChartsOption } from '../charts';
import { allZero, num, records, sessionsSummary, type Granularity, type KpiAnswer, type KpiRecord, type SessionsSummary } from './kpi';
import { formatCount, formatDuration, formatMinutesAxis, formatRatio } from './format';
import { axisColors, bySegment, escapeHtml, legend, periodAxis, periodsOf, tooltipItems, valueAxis, type AxisColors, type ChartSet } from './chart_parts';
import { dataTable, emptyNote, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

// What a stream needs for sessions: the panel's empty state and its failure.
export const kSessionsHelp = 'Sessions are the events of one session_id. A stream without session ids can be mapped with kpi.streams.<stream>.session_id = "" : sessions are then runs of a player\'s events with no gap over 30 minutes (docs/events.md).';

export function sessionsPanel(granularity: Granularity): PanelHandle {
  return panelFrame({ id: 'sessions', title: `Sessions by ${granularity}`, subtitle: 'Sessions per daily active player, and how long they last (first to last event)' });
}

export function drawSessions(panel: PanelHandle, answer: KpiAnswer, charts: ChartSet): void {
  panel.setSql(sqlOf(answer));
  const rows = records(answer);
  if (allZero(rows, 'sessions')) {
    panel.body.replaceChildren(emptyNote('sessions-empty', 'No sessions in this range. ', kSessionsHelp));
    return;
  }
  const segmented = isSegmented(answer);
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Sessions chart' });
  panel.body.replaceChildren(sessionStats(sessionsSummary(rows), segmented, answer.parameters['derived_sessions'] === true), host, dataTable(answer, 'sessions'));
  charts.add(host, segmented ? segmentedOption(rows) : lengthsOption(rows));
}

function sessionStats(summary: SessionsSummary, segmented: boolean, derived: boolean): HTMLElement {
  const stat = (id: string, label: string, value: number | null, text: string, title: string): HTMLElement =>
    h('div', { class: 'pl-stat', 'data-testid': `sessions-${id}`, 'data-value': value === null ? '' : String(value), title }, h('span', { class: 'pl-stat-value' }, text), h('span', { class: 'pl-stat-label' }, label));
  return h(
    'div',
    { class: 'pl-stats' },
    stat('total', 'sessions', summary.sessions, formatCount(summary.sessions), 'Sessions started in the range'),
    segmented ? null : stat('per-dau', 'per DAU', summary.perDau, formatRatio(summary.perDau), 'Sessions / summed daily active players, over the range'),
    stat('avg-length', 'average length', summary.avgLengthS, formatDuration(summary.avgLengthS), 'Average session length over the range (first to last event)'),
    derived ? h('span', { class: 'muted small' }, 'sessions derived by a 30-minute gap (no session_id)') : null,
  );
}

function perDauAxis(colors: AxisColors): object {
  return { ...valueAxis(colors), name: 'sessions / DAU', nameTextStyle: { color: colors.text, align: 'left' } };
}

// Sessions per DAU, a line per segment.
function segmentedOption(rows: KpiRecord[]): EChartsOption {
  const colors = axisColors();
  const periods = periodsOf(rows);
  return {
    xAxis: periodAxis(colors, periods),
    legend: legend(colors),
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis', valueFormatter: formatRatio },
    yAxis: perDauAxis(colors),
    series: bySegment(rows, periods, 'period', 'sessions_per_dau', 'line'),
  };
}

// Sessions per DAU as bars; the p50 and p90 lengths, in minutes, as lines.
function lengthsOption(rows: KpiRecord[]): EChartsOption {
  const colors = axisColors();
  const minutes = (r: KpiRecord, c: string): number | null => {
    const v = num(r[c]);
    return v === null ? null : v / 60;
  };
  return {
    xAxis: periodAxis(colors, periodsOf(rows)),
    legend: legend(colors),
    grid: { left: 48, right: 56, top: 44, bottom: 28 },
    tooltip: { trigger: 'axis', valueFormatter: formatRatio, formatter: sessionsTooltip },
    yAxis: [
      perDauAxis(colors),
      { type: 'value', name: 'length', nameTextStyle: { color: colors.text, align: 'right' }, axisLabel: { color: colors.text, formatter: formatMinutesAxis }, splitLine: { show: false } },
    ],
    series: [
      { name: 'sessions / DAU', type: 'bar', data: rows.map((r) => num(r['sessions_per_dau'])), itemStyle: { opacity: 0.75 } },
      { name: 'p50 length', type: 'line', yAxisIndex: 1, symbolSize: 4, data: rows.map((r) => minutes(r, 'p50_length_s')) },
      { name: 'p90 length', type: 'line', yAxisIndex: 1, symbolSize: 4, lineStyle: { type: 'dashed' }, data: rows.map((r) => minutes(r, 'p90_length_s')) },
    ],
  };
}

// The chart's tooltip: lengths as durations, not minutes.
function sessionsTooltip(items: unknown): string {
  const list = tooltipItems(items);
  const lines = list.map((p) => {
    const v = typeof p.value === 'number' ? p.value : null;
    const text = v === null ? '—' : p.seriesName?.includes('length') === true ? formatDuration(v * 60) : v.toFixed(2);
    return `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${text}</b>`;
  });
  return [escapeHtml(list[0]?.axisValueLabel ?? ''), ...lines].join('<br>');
}
