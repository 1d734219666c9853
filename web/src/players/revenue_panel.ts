// "Revenue by <granularity>": purchase revenue as bars with ARPDAU (revenue /
// summed daily active players) as a line on its own axis, or stacked revenue
// bars per segment, and its table. Reads /v1/kpis/revenue.
import { h } from '../ui';
import { allZero, num, records, type Granularity, type KpiAnswer } from './kpi';
import { formatMoneyAxis } from './format';
import { axisColors, bySegment, legend, periodAxis, periodsOf, valueAxis, type ChartSet } from './chart_parts';
import { dataTable, emptyNote, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

export function revenuePanel(granularity: Granularity): PanelHandle {
  return panelFrame({ id: 'revenue', title: `Revenue by ${granularity}`, subtitle: 'Purchase revenue and ARPDAU (revenue / summed daily active players)' });
}

export function drawRevenue(panel: PanelHandle, answer: KpiAnswer, charts: ChartSet): void {
  panel.setSql(sqlOf(answer));
  const rows = records(answer);
  if (allZero(rows, 'purchases')) {
    panel.body.replaceChildren(emptyNote('revenue-empty', 'No revenue in this range: send purchase events with a revenue field (docs/events.md).'));
    return;
  }
  const colors = axisColors();
  const periods = periodsOf(rows);
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Revenue chart' });
  panel.body.replaceChildren(host, dataTable(answer, 'revenue'));
  const common = {
    xAxis: periodAxis(colors, periods),
    grid: { left: 56, right: 56, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: legend(colors),
  };
  if (isSegmented(answer)) {
    charts.add(host, { ...common, yAxis: valueAxis(colors, formatMoneyAxis), series: bySegment(rows, periods, 'period', 'revenue', 'bar') });
    return;
  }
  const named = (name: string): object => ({ ...valueAxis(colors, formatMoneyAxis), name, nameTextStyle: { color: colors.text } });
  charts.add(host, {
    ...common,
    yAxis: [named('revenue'), { ...named('ARPDAU'), splitLine: { show: false } }],
    series: [
      { name: 'revenue', type: 'bar', data: rows.map((r) => num(r['revenue'])) },
      { name: 'ARPDAU', type: 'line', yAxisIndex: 1, symbolSize: 4, data: rows.map((r) => num(r['arpdau'])) },
    ],
  });
}
