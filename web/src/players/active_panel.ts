// "Active players by <granularity>": new and returning players stacked with
// the active total (a line per segment when segmented), and its table. Reads
// /v1/kpis/active_players, which the page asks first: it also says whether
// the stream has player events at all.
import { h } from '../ui';
import { num, records, type Granularity, type KpiAnswer } from './kpi';
import { axisColors, bySegment, legend, periodAxis, periodsOf, valueAxis, type ChartSet } from './chart_parts';
import { dataTable, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

export function activePanel(granularity: Granularity): PanelHandle {
  return panelFrame({ id: 'active', title: `Active players by ${granularity}`, subtitle: 'New: first event ever in the period; returning: the others' });
}

export function drawActive(panel: PanelHandle, answer: KpiAnswer, charts: ChartSet): void {
  panel.setSql(sqlOf(answer));
  const rows = records(answer);
  const colors = axisColors();
  const periods = periodsOf(rows);
  const axis = {
    xAxis: periodAxis(colors, periods),
    yAxis: valueAxis(colors),
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: legend(colors),
  };
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Active players chart' });
  panel.body.replaceChildren(host, dataTable(answer, 'active'));
  if (isSegmented(answer)) {
    charts.add(host, { ...axis, series: bySegment(rows, periods, 'period', 'active_players', 'line') });
    return;
  }
  charts.add(host, {
    ...axis,
    series: [
      { name: 'returning', type: 'bar', stack: 'players', data: rows.map((r) => num(r['returning_players'])) },
      { name: 'new', type: 'bar', stack: 'players', data: rows.map((r) => num(r['new_players'])) },
      { name: 'active', type: 'line', symbolSize: 4, data: rows.map((r) => num(r['active_players'])) },
    ],
  });
}
