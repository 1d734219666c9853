// "Progression funnel": by level, the players who started and completed it
// and the deaths (players started per segment when segmented), beside a
// table with the completion rate and attempts. Reads /v1/kpis/progression.
import { h } from '../ui';
import { num, records, segmentKey, segmentOf, str, type KpiAnswer, type KpiRecord } from './kpi';
import { formatPercent } from './format';
import { axisColors, bySegment, legend, valueAxis, type ChartSet } from './chart_parts';
import { emptyNote, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

export function funnelPanel(): PanelHandle {
  return panelFrame({ id: 'funnel', title: 'Progression funnel', subtitle: 'Players who started and completed each level, and deaths', wide: true });
}

// `segment` is the segment's name, heading its column when segmented.
export function drawFunnel(panel: PanelHandle, answer: KpiAnswer, segment: string, charts: ChartSet): void {
  panel.setSql(sqlOf(answer));
  const rows = records(answer);
  if (rows.length === 0) {
    panel.body.replaceChildren(emptyNote('funnel-empty', 'No levels in this range: send level_start, level_complete and death events with a level field (docs/events.md).'));
    return;
  }
  const segmented = isSegmented(answer);
  const colors = axisColors();
  const levels = [...new Set(rows.map((r) => str(r['level'])))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Progression funnel chart' });
  const axis = {
    xAxis: { type: 'category', name: 'level', nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: colors.text }, data: levels, axisLabel: { color: colors.text } },
    yAxis: valueAxis(colors),
    grid: { left: 48, right: 16, top: 36, bottom: 40 },
    tooltip: { trigger: 'axis' },
    legend: legend(colors),
  };
  panel.body.replaceChildren(h('div', { class: 'pl-funnel' }, host, h('div', { class: 'table-scroll pl-funnel-table' }, funnelTable(rows, segmented ? segment : null))));
  if (segmented) {
    charts.add(host, { ...axis, series: bySegment(rows, levels, 'level', 'players_started', 'line') });
    return;
  }
  charts.add(host, {
    ...axis,
    series: [
      { name: 'started', type: 'bar', data: rows.map((r) => num(r['players_started'])) },
      { name: 'completed', type: 'bar', data: rows.map((r) => num(r['players_completed'])) },
      { name: 'deaths', type: 'line', symbolSize: 4, data: rows.map((r) => num(r['deaths'])) },
    ],
  });
}

// A row a level (× segment); `segment` null when unsegmented.
function funnelTable(rows: KpiRecord[], segment: string | null): HTMLElement {
  const segmented = segment !== null;
  const testid = (r: KpiRecord): string => `funnel-${str(r['level'])}${segmented ? `-${segmentKey(segmentOf(r))}` : ''}`;
  return h(
    'table',
    { class: 'grid', 'data-testid': 'funnel-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'level'),
      segmented ? h('th', { scope: 'col' }, segment) : null,
      ...['started', 'completed', 'completion', 'deaths', 'attempts'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', { 'data-testid': testid(r) },
      h('th', { scope: 'row' }, str(r['level'])),
      segmented ? h('td', {}, segmentOf(r) ?? 'NULL') : null,
      h('td', { class: 'num', 'data-col': 'players_started' }, str(r['players_started'])),
      h('td', { class: 'num', 'data-col': 'players_completed' }, str(r['players_completed'])),
      h('td', { class: 'num', 'data-col': 'completion_rate' }, formatPercent(num(r['completion_rate']) ?? 0)),
      h('td', { class: 'num', 'data-col': 'deaths' }, str(r['deaths'])),
      h('td', { class: 'num', 'data-col': 'starts' }, str(r['starts'])),
    ))),
  );
}
