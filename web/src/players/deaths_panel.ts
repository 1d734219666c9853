// "Where players die": deaths by level and enemy as a heat table, beside a
// heat map of where in the level (death events' x/y in cells of a size), for
// one level or all; all players, even when the page is segmented. Reads
// /v1/kpis/deaths twice, by=enemy and by=position with cell; another cell
// size asks for the position again, only.
import { h } from '../ui';
import { isDark, type Chart, type EChartsOption } from '../charts';
import { compareLevels, deathColor, deathsByEnemy, positionGrid, records, str, type KpiAnswer, type KpiRecord, type PositionGrid } from './kpi';
import { formatCount } from './format';
import { axisColors, type ChartSet } from './chart_parts';
import { dataTable, emptyNote, failureNote, panelFrame, sqlOf, type PanelHandle, type SqlStatement } from './panel';

// What a stream needs for deaths: the panel's empty state and its failures.
export const kDeathsHelp = 'Send death events with level, enemy and the position x, y in the level\'s coordinates (docs/events.md); a stream whose fields have other names can be mapped with kpi.streams.<stream>.<field>.';

const kCells = [10, 25, 50, 100, 250, 500, 1000];

// The heat map's choices, kept by the page across refreshes; `cell` is in the URL.
export interface DeathsState {
  level: string; // '' for all levels
  cell: number;
}

export interface DeathsOptions {
  signal: AbortSignal;
  charts: ChartSet;
  state: DeathsState; // read and written by the panel's selects
  // /v1/kpis/deaths for the page's stream, range and time zone, with `extra`.
  fetchDeaths: (extra: Record<string, string | number>) => Promise<KpiAnswer>;
  cellChanged: () => void; // the cell size was changed: the page writes its URL
}

export function deathsPanel(segmented: boolean): PanelHandle {
  return panelFrame({ id: 'deaths', title: 'Where players die', subtitle: `Deaths by level and enemy, and where in the level (death events' x/y)${segmented ? ' — all players, not by segment' : ''}`, wide: true });
}

// Asks for both answers and draws what came; fails only when both failed.
export async function loadDeaths(panel: PanelHandle, options: DeathsOptions): Promise<void> {
  const [byEnemy, byPosition] = await Promise.allSettled([
    options.fetchDeaths({ by: 'enemy' }),
    options.fetchDeaths({ by: 'position', cell: options.state.cell }),
  ]);
  if (options.signal.aborted) return;
  if (byEnemy.status === 'rejected' && byPosition.status === 'rejected') throw byEnemy.reason;
  const enemySql: SqlStatement[] = byEnemy.status === 'fulfilled' ? sqlOf(byEnemy.value, 'deaths by level and enemy') : [];
  const setPositionSql = (a: KpiAnswer | null): void => panel.setSql([...enemySql, ...(a === null ? [] : sqlOf(a, 'deaths by position'))]);
  setPositionSql(byPosition.status === 'fulfilled' ? byPosition.value : null);
  const enemyRows = byEnemy.status === 'fulfilled' ? records(byEnemy.value) : [];
  const positionRows = byPosition.status === 'fulfilled' ? records(byPosition.value) : [];
  if (byEnemy.status === 'fulfilled' && byPosition.status === 'fulfilled' && enemyRows.length === 0 && positionRows.length === 0) {
    panel.body.replaceChildren(emptyNote('deaths-empty', 'No deaths in this range. ', kDeathsHelp));
    return;
  }
  const left = byEnemy.status === 'fulfilled' ? deathsTable(enemyRows) : h('div', {}, ...failureNote(byEnemy.reason, kDeathsHelp));
  const right = h('div', { class: 'pl-deaths-map' });
  panel.body.replaceChildren(h('div', { class: 'pl-deaths' }, left, right));
  if (byPosition.status === 'rejected') {
    right.replaceChildren(...failureNote(byPosition.reason, kDeathsHelp));
    return;
  }
  drawPositions(right, byPosition.value, options, setPositionSql);
}

// Level × enemy: a row a level, a column an enemy (most deadly first), the
// cells shaded by deaths.
function deathsTable(rows: KpiRecord[]): HTMLElement {
  if (rows.length === 0) return emptyNote('deaths-enemy-empty', 'No deaths with a level in this range.');
  const grid = deathsByEnemy(rows);
  const heatCell = (level: string, enemy: string): HTMLElement => {
    const cell = grid.cell(level, enemy);
    if (cell === undefined) return h('td', { class: 'pl-heat pl-unknown' });
    const td = h('td', {
      class: 'pl-heat num',
      'data-testid': `death-${level}-${enemy}`,
      'data-value': String(cell.deaths),
      title: `Level ${level}, ${enemy}: ${formatCount(cell.deaths)} deaths of ${formatCount(cell.players)} players`,
    }, formatCount(cell.deaths));
    const color = deathColor(grid.max === 0 ? 0 : cell.deaths / grid.max);
    td.style.background = color.background;
    td.style.color = color.color;
    return td;
  };
  return h('div', { class: 'table-scroll pl-heat-scroll' }, h(
    'table',
    { class: 'grid pl-heatmap', 'data-testid': 'deaths-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'level'),
      h('th', { scope: 'col', class: 'num' }, 'deaths'),
      ...grid.enemies.map((e) => h('th', { scope: 'col', class: 'num', title: `${formatCount(grid.enemyTotal(e))} deaths in all` }, e)))),
    h('tbody', {}, ...grid.levels.map((level) => h('tr', {},
      h('th', { scope: 'row' }, level),
      h('td', { class: 'num pl-total', 'data-testid': `death-total-${level}`, 'data-value': String(grid.levelTotal(level)) }, formatCount(grid.levelTotal(level))),
      ...grid.enemies.map((enemy) => heatCell(level, enemy)),
    ))),
  ));
}

// The position heat map: deaths per cell of the level's x/y, one level or all.
function drawPositions(host: HTMLElement, answer: KpiAnswer, options: DeathsOptions, setSql: (a: KpiAnswer) => void): void {
  const { state, charts, signal } = options;
  const rows = records(answer);
  const levels = [...new Set(rows.map((r) => str(r['level'])))].sort(compareLevels);
  if (state.level !== '' && !levels.includes(state.level)) state.level = '';
  const levelSelect = h('select', { 'aria-label': 'Level', 'data-testid': 'deaths-level' }, h('option', { value: '' }, 'all levels'), ...levels.map((l) => h('option', { value: l }, `level ${l}`)));
  levelSelect.value = state.level;
  const cellSelect = h('select', { 'aria-label': 'Cell size', 'data-testid': 'deaths-cell', title: 'The heat map\'s cell size, in the level\'s units' },
    ...[...new Set([...kCells, state.cell])].sort((a, b) => a - b).map((c) => h('option', { value: c }, `cells of ${c}`)));
  cellSelect.value = String(state.cell);
  const chartHost = h('div', { class: 'chart pl-position-chart', role: 'img', 'aria-label': 'Where players die: deaths by position' });
  const caption = h('div', { class: 'muted small', 'data-testid': 'deaths-position-total' });
  host.replaceChildren(h('div', { class: 'row pl-controls' }, levelSelect, cellSelect, h('span', { class: 'spacer' }), caption), chartHost, dataTable(answer, 'deaths-position'));
  let chart: Chart | null = null;
  const draw = (): void => {
    const grid = positionGrid(rows, state.level === '' ? null : state.level, state.cell);
    caption.textContent = `${formatCount(grid.total)} deaths with a position`;
    caption.dataset['value'] = String(grid.total);
    if (grid.cells.length === 0) {
      chart?.clear();
      chartHost.replaceChildren(emptyNote('deaths-position-empty', 'No death events with x and y here.'));
      return;
    }
    const option = positionOption(grid, state.cell);
    if (chart === null) {
      chart = charts.add(chartHost, option);
    } else {
      chart.setOption(option, { notMerge: true });
    }
  };
  levelSelect.addEventListener('change', () => {
    state.level = levelSelect.value;
    draw();
  });
  // Another cell size asks for the position heat map again, only.
  cellSelect.addEventListener('change', () => {
    state.cell = Number(cellSelect.value);
    options.cellChanged();
    cellSelect.disabled = true;
    caption.textContent = 'Computing…';
    options.fetchDeaths({ by: 'position', cell: state.cell }).then((a) => {
      if (signal.aborted) return;
      if (chart !== null) charts.dispose(chart);
      setSql(a);
      drawPositions(host, a, options, setSql);
    }, (e: unknown) => {
      if (signal.aborted) return;
      if (chart !== null) charts.dispose(chart);
      host.replaceChildren(...failureNote(e));
    });
  });
  if (!signal.aborted) draw();
}

function positionOption(grid: PositionGrid, cell: number): EChartsOption {
  const colors = axisColors();
  return {
    grid: { left: 56, right: 72, top: 12, bottom: 40 },
    tooltip: {
      formatter: (p: unknown) => {
        const v = (p as { value?: [number, number, number] }).value;
        if (v === undefined) return '';
        const x = grid.xs[v[0]] ?? 0;
        const y = grid.ys[v[1]] ?? 0;
        return `x ${x}–${x + cell}, y ${y}–${y + cell}<br><b>${formatCount(v[2])}</b> deaths`;
      },
    },
    xAxis: { type: 'category', name: 'x', nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: colors.text }, data: grid.xs.map(String), axisLabel: { color: colors.text, hideOverlap: true }, splitArea: { show: false } },
    yAxis: { type: 'category', name: 'y', nameLocation: 'middle', nameGap: 40, nameTextStyle: { color: colors.text }, data: grid.ys.map(String), axisLabel: { color: colors.text, hideOverlap: true } },
    visualMap: {
      min: 0,
      max: Math.max(1, grid.max),
      calculable: true,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 160,
      itemWidth: 10,
      text: ['deaths', ''],
      textStyle: { color: colors.text },
      inRange: { color: isDark() ? ['#2a1d14', '#d9480f', '#ffd8a8'] : ['#fff4e6', '#f76707', '#7f2704'] },
    },
    series: [{ name: 'deaths', type: 'heatmap', data: grid.cells, emphasis: { itemStyle: { borderColor: colors.text, borderWidth: 1 } } }],
  };
}
