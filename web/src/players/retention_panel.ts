// "Retention by install cohort": a heat map of cohort (× segment) rows by
// days since install, each cell the share of the cohort active that day
// (classic) or that day or later (rolling). Reads /v1/kpis/retention with
// mode and days.
import { h } from '../ui';
import { heatColor, records, retentionGrid, segmentKey, type KpiAnswer, type RetentionMode, type RetentionRow } from './kpi';
import { formatCount, formatPercent } from './format';
import { daysSelect, emptyNote, isSegmented, panelFrame, sqlOf, type PanelHandle } from './panel';

export interface RetentionOptions {
  mode: RetentionMode;
  days: number; // D0..D<days>
  segment: string; // the segment's name, heading its column when segmented
  // The mode or days chosen in the panel: the page asks again.
  onChange: (mode: RetentionMode, days: number) => void;
}

export function retentionPanel(): PanelHandle {
  return panelFrame({ id: 'retention', title: 'Retention by install cohort', subtitle: 'Of the players first seen on a day, the share active N days later', wide: true });
}

export function drawRetention(panel: PanelHandle, answer: KpiAnswer, options: RetentionOptions): void {
  panel.setSql(sqlOf(answer));
  const controls = h('div', { class: 'row pl-controls' }, modeSelect(options), daysSelect('Days since install', 'retention-days', options.days, (days) => options.onChange(options.mode, days)));
  const grid = retentionGrid(records(answer));
  if (grid.rows.length === 0) {
    panel.body.replaceChildren(controls, emptyNote('retention-empty', 'No players were first seen in this range, so there are no cohorts. Widen the range.'));
    return;
  }
  const segmented = isSegmented(answer);
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'cohort'),
    segmented ? h('th', { scope: 'col' }, options.segment) : null,
    h('th', { scope: 'col', class: 'num' }, 'players'),
    ...grid.days.map((d) => h('th', { scope: 'col', class: 'num' }, `D${d}`)),
  );
  const body = grid.rows.map((row) => cohortRow(row, segmented));
  panel.body.replaceChildren(
    controls,
    h('div', { class: 'table-scroll pl-heat-scroll' }, h('table', { class: 'grid pl-heatmap', 'data-testid': 'retention-grid' }, h('thead', {}, head), h('tbody', {}, ...body))),
  );
}

function modeSelect(options: RetentionOptions): HTMLSelectElement {
  const select = h('select', { 'aria-label': 'Retention mode', 'data-testid': 'retention-mode' },
    h('option', { value: 'classic' }, 'classic (on day N)'),
    h('option', { value: 'rolling' }, 'rolling (on day N or later)'));
  select.value = options.mode;
  select.addEventListener('change', () => options.onChange(select.value === 'rolling' ? 'rolling' : 'classic', options.days));
  return select;
}

function cohortRow(row: RetentionRow, segmented: boolean): HTMLElement {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, row.cohort),
    segmented ? h('td', {}, row.segment ?? 'NULL') : null,
    h('td', { class: 'num' }, formatCount(row.size)),
    ...row.cells.map((v, day) => heatCell(row, day, v, segmented)),
  );
}

function heatCell(row: RetentionRow, day: number, v: number | null, segmented: boolean): HTMLElement {
  if (v === null) return h('td', { class: 'pl-heat pl-unknown', title: 'not known yet (past the range)' });
  const color = heatColor(v);
  const cell = h('td', {
    class: 'pl-heat num',
    'data-testid': `ret-${row.cohort}${segmented ? `-${segmentKey(row.segment)}` : ''}-${day}`,
    'data-value': String(v),
    title: `${row.cohort}${segmented ? ` · ${row.segment ?? 'NULL'}` : ''}, day ${day}: ${row.retained[day] ?? 0} of ${row.size} players`,
  }, formatPercent(v));
  cell.style.background = color.background;
  cell.style.color = color.color;
  return cell;
}
