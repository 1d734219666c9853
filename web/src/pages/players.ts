// Players: the game KPIs of /v1/kpis (docs/kpis.md) on one page — tiles with
// their trend, active players, revenue, the retention grid as a heat map and
// the level funnel — for a stream, a date range, a granularity, a segment and
// a time zone. The header's choices live in the URL (#/players?from=...), so
// a view can be reloaded and shared. Every panel can show the SQL it ran.
import './metrics.css';
import './players.css';
import { api } from '../api';
import { makeChart, isDark, kPalette, type Chart, type EChartsOption } from '../charts';
import { h, describeError, errorBanner, toast } from '../ui';
import type { Cleanup, PageContext } from '../page';
import {
  computeTiles,
  formatPercent,
  formatTile,
  heatColor,
  isIsoDay,
  kGranularities,
  kSegments,
  kpiPath,
  num,
  presetOf,
  presetRange,
  rangeDays,
  records,
  retentionGrid,
  segmentKey,
  sparklinePath,
  str,
  type Granularity,
  type KpiAnswer,
  type KpiRecord,
  type PlayersQuery,
  type RetentionMode,
} from '../players/kpi';

const kZones = ['UTC', 'America/Los_Angeles', 'America/New_York', 'America/Sao_Paulo', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney'];
const kEventsHelp = 'The Players page reads events that follow gamelake\'s event convention (docs/events.md): each with player_id and ts, and an event_type of session_start, session_end, level_start, level_complete, death or purchase (with revenue).';

interface PanelHandle {
  root: HTMLElement;
  body: HTMLElement;
  setSql(statements: { label: string; sql: string }[]): void;
}

class PlayersPage {
  private query: PlayersQuery;
  private mode: RetentionMode;
  private retentionDays: number;
  private charts: Chart[] = [];
  private load: AbortController | null = null;
  private readonly status = h('div', { class: 'pl-status muted small', 'data-testid': 'players-status' });
  private readonly content = h('div', { class: 'pl-content' });
  private readonly streamSelect = h('select', { 'data-testid': 'players-stream', 'aria-label': 'Stream' });
  private readonly fromInput = h('input', { type: 'date', 'data-testid': 'players-from', 'aria-label': 'From' });
  private readonly toInput = h('input', { type: 'date', 'data-testid': 'players-to', 'aria-label': 'To' });
  private readonly presets = h('div', { class: 'seg-group', role: 'group', 'aria-label': 'Range presets' });
  private readonly granularitySelect = h('select', { 'data-testid': 'players-granularity', 'aria-label': 'Granularity' });
  private readonly segmentSelect = h('select', { 'data-testid': 'players-segment', 'aria-label': 'Segment' });
  private readonly tzInput = h('input', { type: 'text', list: 'pl-zones', placeholder: 'server default', 'data-testid': 'players-tz', 'aria-label': 'Time zone', size: 18 });

  constructor(
    private readonly root: HTMLElement,
    context: PageContext,
  ) {
    const q = context.query;
    const fallback = presetRange(30);
    const from = q.get('from') ?? '';
    const to = q.get('to') ?? '';
    const granularity = q.get('granularity') ?? 'day';
    this.query = {
      stream: q.get('stream') ?? '',
      from: isIsoDay(from) ? from : fallback.from,
      to: isIsoDay(to) ? to : fallback.to,
      granularity: (kGranularities as string[]).includes(granularity) ? (granularity as Granularity) : 'day',
      segment: q.get('segment') ?? '',
      tz: q.get('tz') ?? '',
    };
    this.mode = q.get('mode') === 'rolling' ? 'rolling' : 'classic';
    const days = Number(q.get('days') ?? '14');
    this.retentionDays = Number.isInteger(days) && days >= 7 && days <= 180 ? days : 14;
  }

  render(): void {
    this.addStream('');
    this.root.replaceChildren(
      h('div', { class: 'cw-header' }, h('h1', {}, 'Players'), h('span', { class: 'muted' }, 'Game KPIs from the stream\'s events'), h('span', { class: 'spacer' })),
      h('div', { class: 'cw-sticky' }, this.header()),
      this.status,
      this.content,
    );
    void this.loadStreams();
    this.refresh();
  }

  dispose(): void {
    this.load?.abort();
    this.disposeCharts();
  }

  // ---- the header ----

  private header(): HTMLElement {
    for (const days of [7, 30, 90]) {
      this.presets.append(
        h('button', { class: 'seg', type: 'button', 'data-testid': `players-preset-${days}`, onclick: () => {
          const r = presetRange(days);
          this.query.from = r.from;
          this.query.to = r.to;
          this.changed();
        } }, `${days} days`),
      );
    }
    for (const g of kGranularities) this.granularitySelect.append(h('option', { value: g }, g));
    for (const s of kSegments) this.segmentSelect.append(h('option', { value: s }, s === '' ? 'none' : s));
    this.fromInput.addEventListener('change', () => this.dateChanged());
    this.toInput.addEventListener('change', () => this.dateChanged());
    this.granularitySelect.addEventListener('change', () => {
      this.query.granularity = this.granularitySelect.value as Granularity;
      this.changed();
    });
    this.segmentSelect.addEventListener('change', () => {
      this.query.segment = this.segmentSelect.value;
      this.changed();
    });
    this.streamSelect.addEventListener('change', () => {
      this.query.stream = this.streamSelect.value;
      this.changed();
    });
    this.tzInput.addEventListener('change', () => {
      this.query.tz = this.tzInput.value.trim();
      this.changed();
    });
    this.syncHeader();
    const field = (label: string, control: HTMLElement): HTMLElement => h('span', { class: 'pl-field' }, h('span', { class: 'pl-label' }, label), control);
    return h(
      'div',
      { class: 'cw-rangebar pl-bar' },
      field('Stream', this.streamSelect),
      this.presets,
      field('From', this.fromInput),
      field('To', this.toInput),
      field('By', this.granularitySelect),
      field('Segment', this.segmentSelect),
      field('Time zone', this.tzInput),
      h('datalist', { id: 'pl-zones' }, ...kZones.map((z) => h('option', { value: z }))),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', 'data-testid': 'players-refresh', title: 'Compute again (late events change past days)', onclick: () => this.refresh() }, '↻ Refresh'),
    );
  }

  private syncHeader(): void {
    this.fromInput.value = this.query.from;
    this.toInput.value = this.query.to;
    this.granularitySelect.value = this.query.granularity;
    if (![...this.segmentSelect.options].some((o) => o.value === this.query.segment)) {
      this.segmentSelect.append(h('option', { value: this.query.segment }, this.query.segment));
    }
    this.segmentSelect.value = this.query.segment;
    this.tzInput.value = this.query.tz;
    const preset = presetOf(this.query.from, this.query.to);
    for (const button of this.presets.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset['testid'] === `players-preset-${preset ?? ''}`));
    }
    this.addStream(this.query.stream);
    this.streamSelect.value = this.query.stream;
  }

  private dateChanged(): void {
    const from = this.fromInput.value;
    const to = this.toInput.value;
    if (!isIsoDay(from) || !isIsoDay(to)) return;
    if (rangeDays(from, to) === 0) {
      toast('The range ends before it starts.', 'error');
      return;
    }
    this.query.from = from;
    this.query.to = to;
    this.changed();
  }

  private changed(): void {
    this.syncHeader();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.query) as [string, string][]) if (value !== '') params.set(key, value);
    if (this.mode !== 'classic') params.set('mode', this.mode);
    if (this.retentionDays !== 14) params.set('days', String(this.retentionDays));
    history.replaceState(null, '', `#/players?${params.toString()}`);
    this.refresh();
  }

  private addStream(name: string): void {
    if ([...this.streamSelect.options].some((o) => o.value === name)) return;
    this.streamSelect.append(h('option', { value: name }, name === '' ? 'default (kpi.stream)' : name));
  }

  private async loadStreams(): Promise<void> {
    try {
      const answer = await api<{ tables: { name: string }[] }>('/v1/catalog/tables');
      for (const t of answer.tables) this.addStream(t.name);
      this.streamSelect.value = this.query.stream;
    } catch {
      // The stream list is a convenience: the default stream still works.
    }
  }

  // ---- loading ----

  private refresh(): void {
    this.load?.abort();
    const load = new AbortController();
    this.load = load;
    this.disposeCharts();
    this.status.textContent = 'Computing…';
    this.content.replaceChildren();
    void this.compute(load.signal).catch((e: unknown) => {
      if (load.signal.aborted) return;
      this.status.textContent = '';
      this.content.replaceChildren(errorBanner(describeError(e)), this.help());
    });
  }

  private fetchKpi(name: string, signal: AbortSignal, q: Partial<PlayersQuery>, extra: Record<string, string | number> = {}): Promise<KpiAnswer> {
    return api<KpiAnswer>(kpiPath(name, q, extra), { signal });
  }

  private async compute(signal: AbortSignal): Promise<void> {
    const q = this.query;
    const base: Partial<PlayersQuery> = { stream: q.stream, from: q.from, to: q.to, tz: q.tz };
    // Active players first: it says whether the stream has player events at all.
    const active = await this.fetchKpi('active_players', signal, { ...base, granularity: q.granularity, segment: q.segment });
    if (signal.aborted) return;
    const used = active.parameters;
    this.status.textContent = `${str(used['stream'])} · ${str(used['from'])} to ${str(used['to'])} · ${str(used['tz'])} · as of ${active.as_of.replace('T', ' ').slice(0, 19)} UTC`;
    if (q.stream === '') this.addStream(str(used['stream']));
    if (q.tz === '') this.tzInput.placeholder = str(used['tz']);
    if (active.rows.length === 0) {
      this.content.replaceChildren(this.empty(str(used['stream'])));
      return;
    }

    const tiles = this.panel('Players at a glance', 'tiles', 'All players, unsegmented: the latest day for DAU, MAU and stickiness, the whole range for the others');
    const activity = this.panel(`Active players by ${q.granularity}`, 'active', 'New: first event ever in the period; returning: the others');
    const revenue = this.panel(`Revenue by ${q.granularity}`, 'revenue', 'Purchase revenue and ARPDAU (revenue / summed daily active players)');
    const retention = this.panel('Retention by install cohort', 'retention', 'Of the players first seen on a day, the share active N days later');
    const funnel = this.panel('Progression funnel', 'funnel', 'Players who started and completed each level, and deaths');
    tiles.root.classList.add('pl-wide');
    retention.root.classList.add('pl-wide');
    funnel.root.classList.add('pl-wide');
    this.content.replaceChildren(tiles.root, h('div', { class: 'pl-grid' }, activity.root, revenue.root), retention.root, funnel.root);

    this.drawActivity(activity, active);
    const segmented = q.segment !== '';
    const daily = q.granularity === 'day' && !segmented;
    const revenueChart = this.fetchKpi('revenue', signal, { ...base, granularity: q.granularity, segment: q.segment });
    const revenueDaily = daily ? revenueChart : this.fetchKpi('revenue', signal, { ...base, granularity: 'day' });
    const retentionExtra = { mode: this.mode, days: this.retentionDays };
    const retentionGridAnswer = this.fetchKpi('retention', signal, { ...base, segment: q.segment }, retentionExtra);
    const retentionTiles = !segmented && this.mode === 'classic' ? retentionGridAnswer : this.fetchKpi('retention', signal, base, { days: 7 });
    const stickiness = this.fetchKpi('stickiness', signal, base);
    const progression = this.fetchKpi('progression', signal, { ...base, segment: q.segment });

    const settle = async (panel: PanelHandle, work: Promise<void>): Promise<void> => {
      try {
        await work;
      } catch (e) {
        if (signal.aborted) return;
        panel.body.replaceChildren(errorBanner(describeError(e)));
      }
    };
    await Promise.all([
      settle(tiles, Promise.all([stickiness, retentionTiles, revenueDaily]).then(([s, r, v]) => {
        if (!signal.aborted) this.drawTiles(tiles, s, r, v);
      })),
      settle(revenue, revenueChart.then((a) => {
        if (!signal.aborted) this.drawRevenue(revenue, a);
      })),
      settle(retention, retentionGridAnswer.then((a) => {
        if (!signal.aborted) this.drawRetention(retention, a);
      })),
      settle(funnel, progression.then((a) => {
        if (!signal.aborted) this.drawFunnel(funnel, a);
      })),
    ]);
  }

  // ---- panels ----

  private panel(title: string, id: string, subtitle: string): PanelHandle {
    const body = h('div', { class: 'pl-body' }, h('div', { class: 'muted pl-loading' }, 'Computing…'));
    const sqlBox = h('div', { class: 'pl-sql', hidden: true, 'data-testid': `sql-${id}` });
    let statements: { label: string; sql: string }[] = [];
    const sqlButton = h('button', {
      type: 'button',
      class: 'small-btn',
      disabled: true,
      'aria-expanded': 'false',
      'data-testid': `sql-button-${id}`,
      title: 'The SQL this panel ran (sql=true): copy it into the SQL page and change it',
      onclick: () => {
        const open = sqlBox.hidden;
        sqlBox.hidden = !open;
        sqlButton.setAttribute('aria-expanded', String(open));
      },
    }, 'SQL');
    const root = h(
      'section',
      { class: 'panel pl-panel', 'data-testid': `panel-${id}`, 'aria-label': title },
      h('div', { class: 'panel-title' }, h('span', {}, title), h('span', { class: 'spacer' }), sqlButton),
      h('div', { class: 'muted small pl-sub' }, subtitle),
      sqlBox,
      body,
    );
    const setSql = (list: { label: string; sql: string }[]): void => {
      statements = list;
      sqlButton.disabled = statements.length === 0;
      sqlBox.replaceChildren(
        ...statements.map((s) =>
          h(
            'div',
            { class: 'pl-sql-one' },
            h(
              'div',
              { class: 'row' },
              h('strong', {}, s.label),
              h('span', { class: 'spacer' }),
              h('button', { type: 'button', class: 'small-btn', onclick: () => {
                navigator.clipboard.writeText(s.sql).then(() => toast('SQL copied'), (e: unknown) => toast(`Could not copy: ${describeError(e)}`, 'error'));
              } }, 'Copy'),
              h('a', { class: 'button small-btn', href: `#/sql?sql=${encodeURIComponent(s.sql)}` }, 'Open in SQL page'),
            ),
            h('pre', { class: 'pl-sql-text' }, s.sql),
          ),
        ),
      );
    };
    return { root, body, setSql };
  }

  private sqlOf(answer: KpiAnswer, label?: string): { label: string; sql: string }[] {
    return answer.sql === undefined ? [] : [{ label: label ?? answer.kpi, sql: answer.sql }];
  }

  private chart(host: HTMLElement, option: EChartsOption): void {
    const chart = makeChart(host);
    chart.setOption({ color: kPalette, backgroundColor: 'transparent', animationDuration: 300, ...option });
    this.charts.push(chart);
  }

  private axisColors(): { text: string; line: string } {
    return isDark() ? { text: '#9aa5b4', line: '#2c3541' } : { text: '#5f6b7a', line: '#d5dbe3' };
  }

  private drawTiles(panel: PanelHandle, stickiness: KpiAnswer, retention: KpiAnswer, revenue: KpiAnswer): void {
    panel.setSql([...this.sqlOf(stickiness, 'stickiness (DAU, MAU)'), ...this.sqlOf(retention, 'retention (D1, D7)'), ...this.sqlOf(revenue, 'revenue (daily)')]);
    const tiles = computeTiles(records(stickiness), records(retention), records(revenue));
    panel.body.replaceChildren(
      h(
        'div',
        { class: 'pl-tiles' },
        ...tiles.map((t) => {
          const path = sparklinePath(t.trend, 120, 28);
          const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
          svg.setAttribute('viewBox', '-2 -2 124 32');
          svg.setAttribute('class', 'pl-spark');
          svg.setAttribute('aria-hidden', 'true');
          svg.setAttribute('preserveAspectRatio', 'none');
          if (path !== '') {
            const line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
            line.setAttribute('d', path);
            svg.append(line);
          }
          return h(
            'div',
            { class: 'pl-tile', 'data-testid': `tile-${t.id}`, 'data-value': t.value === null ? '' : String(t.value), title: t.note },
            h('div', { class: 'pl-tile-label' }, t.label),
            h('div', { class: 'pl-tile-value', 'data-testid': `tile-${t.id}-value` }, formatTile(t.value, t.format)),
            svg,
          );
        }),
      ),
    );
  }

  private drawActivity(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const rows = records(answer);
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const colors = this.axisColors();
    const periods = [...new Set(rows.map((r) => str(r['period'])))].sort();
    const axis = {
      xAxis: { type: 'category', data: periods, axisLabel: { color: colors.text, hideOverlap: true } },
      yAxis: { type: 'value', axisLabel: { color: colors.text }, splitLine: { lineStyle: { color: colors.line } } },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll', textStyle: { color: colors.text } },
    };
    const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Active players chart' });
    panel.body.replaceChildren(host, this.dataTable(answer, 'active'));
    if (!segmented) {
      this.chart(host, {
        ...axis,
        series: [
          { name: 'returning', type: 'bar', stack: 'players', data: rows.map((r) => num(r['returning_players'])) },
          { name: 'new', type: 'bar', stack: 'players', data: rows.map((r) => num(r['new_players'])) },
          { name: 'active', type: 'line', symbolSize: 4, data: rows.map((r) => num(r['active_players'])) },
        ],
      });
      return;
    }
    this.chart(host, { ...axis, series: this.bySegment(rows, periods, 'period', 'active_players', 'line') });
  }

  private bySegment(rows: KpiRecord[], keys: string[], keyColumn: string, valueColumn: string, type: 'line' | 'bar'): object[] {
    const segments = [...new Set(rows.map((r) => segmentKey(r['segment'] === null ? null : str(r['segment']))))].sort();
    return segments.map((s) => {
      const values = new Map<string, number | null>();
      for (const r of rows) if (segmentKey(r['segment'] === null ? null : str(r['segment'])) === s) values.set(str(r[keyColumn]), num(r[valueColumn]));
      return { name: s, type, ...(type === 'bar' ? { stack: 'segments' } : { symbolSize: 4 }), data: keys.map((k) => values.get(k) ?? null) };
    });
  }

  private drawRevenue(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const rows = records(answer);
    if (rows.length === 0 || rows.every((r) => (num(r['purchases']) ?? 0) === 0)) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'revenue-empty' }, 'No revenue in this range: send purchase events with a revenue field (docs/events.md).'));
      return;
    }
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const colors = this.axisColors();
    const periods = [...new Set(rows.map((r) => str(r['period'])))].sort();
    const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Revenue chart' });
    panel.body.replaceChildren(host, this.dataTable(answer, 'revenue'));
    const money = (v: number): string => `$${+v.toFixed(2)}`;
    const common = {
      xAxis: { type: 'category', data: periods, axisLabel: { color: colors.text, hideOverlap: true } },
      grid: { left: 56, right: 56, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll', textStyle: { color: colors.text } },
    };
    if (segmented) {
      this.chart(host, {
        ...common,
        yAxis: { type: 'value', axisLabel: { color: colors.text, formatter: money }, splitLine: { lineStyle: { color: colors.line } } },
        series: this.bySegment(rows, periods, 'period', 'revenue', 'bar'),
      });
      return;
    }
    this.chart(host, {
      ...common,
      yAxis: [
        { type: 'value', name: 'revenue', nameTextStyle: { color: colors.text }, axisLabel: { color: colors.text, formatter: money }, splitLine: { lineStyle: { color: colors.line } } },
        { type: 'value', name: 'ARPDAU', nameTextStyle: { color: colors.text }, axisLabel: { color: colors.text, formatter: money }, splitLine: { show: false } },
      ],
      series: [
        { name: 'revenue', type: 'bar', data: rows.map((r) => num(r['revenue'])) },
        { name: 'ARPDAU', type: 'line', yAxisIndex: 1, symbolSize: 4, data: rows.map((r) => num(r['arpdau'])) },
      ],
    });
  }

  private drawRetention(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const modeSelect = h('select', { 'aria-label': 'Retention mode', 'data-testid': 'retention-mode' },
      h('option', { value: 'classic' }, 'classic (on day N)'),
      h('option', { value: 'rolling' }, 'rolling (on day N or later)'));
    modeSelect.value = this.mode;
    modeSelect.addEventListener('change', () => {
      this.mode = modeSelect.value === 'rolling' ? 'rolling' : 'classic';
      this.changed();
    });
    const daysSelect = h('select', { 'aria-label': 'Days since install', 'data-testid': 'retention-days' },
      ...[7, 14, 30, 60, 90].map((d) => h('option', { value: d }, `D0–D${d}`)));
    if (![7, 14, 30, 60, 90].includes(this.retentionDays)) daysSelect.append(h('option', { value: this.retentionDays }, `D0–D${this.retentionDays}`));
    daysSelect.value = String(this.retentionDays);
    daysSelect.addEventListener('change', () => {
      this.retentionDays = Number(daysSelect.value);
      this.changed();
    });
    const controls = h('div', { class: 'row pl-controls' }, modeSelect, daysSelect);
    const grid = retentionGrid(records(answer));
    if (grid.rows.length === 0) {
      panel.body.replaceChildren(controls, h('div', { class: 'pl-empty muted', 'data-testid': 'retention-empty' }, 'No players were first seen in this range, so there are no cohorts. Widen the range.'));
      return;
    }
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'cohort'),
      segmented ? h('th', { scope: 'col' }, this.query.segment) : null,
      h('th', { scope: 'col', class: 'num' }, 'players'),
      ...grid.days.map((d) => h('th', { scope: 'col', class: 'num' }, `D${d}`)),
    );
    const body = grid.rows.map((row) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, row.cohort),
        segmented ? h('td', {}, row.segment ?? 'NULL') : null,
        h('td', { class: 'num' }, row.size.toLocaleString('en-US')),
        ...row.cells.map((v, day) => {
          const id = `ret-${row.cohort}${segmented ? `-${segmentKey(row.segment)}` : ''}-${day}`;
          if (v === null) return h('td', { class: 'pl-heat pl-unknown', title: 'not known yet (past the range)' });
          const color = heatColor(v);
          const cell = h('td', {
            class: 'pl-heat num',
            'data-testid': id,
            'data-value': String(v),
            title: `${row.cohort}${segmented ? ` · ${row.segment ?? 'NULL'}` : ''}, day ${day}: ${row.retained[day] ?? 0} of ${row.size} players`,
          }, formatPercent(v));
          cell.style.background = color.background;
          cell.style.color = color.color;
          return cell;
        }),
      ),
    );
    panel.body.replaceChildren(
      controls,
      h('div', { class: 'table-scroll pl-heat-scroll' }, h('table', { class: 'grid pl-heatmap', 'data-testid': 'retention-grid' }, h('thead', {}, head), h('tbody', {}, ...body))),
    );
  }

  private drawFunnel(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const rows = records(answer);
    if (rows.length === 0) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'funnel-empty' }, 'No levels in this range: send level_start, level_complete and death events with a level field (docs/events.md).'));
      return;
    }
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const colors = this.axisColors();
    const levels = [...new Set(rows.map((r) => str(r['level'])))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
    const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Progression funnel chart' });
    const axis = {
      xAxis: { type: 'category', name: 'level', nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: colors.text }, data: levels, axisLabel: { color: colors.text } },
      yAxis: { type: 'value', axisLabel: { color: colors.text }, splitLine: { lineStyle: { color: colors.line } } },
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll', textStyle: { color: colors.text } },
    };
    const testid = (r: KpiRecord): string => `funnel-${str(r['level'])}${segmented ? `-${segmentKey(r['segment'] === null ? null : str(r['segment']))}` : ''}`;
    const table = h(
      'table',
      { class: 'grid', 'data-testid': 'funnel-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'level'),
        segmented ? h('th', { scope: 'col' }, this.query.segment) : null,
        ...['started', 'completed', 'completion', 'deaths', 'attempts'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', { 'data-testid': testid(r) },
        h('th', { scope: 'row' }, str(r['level'])),
        segmented ? h('td', {}, r['segment'] === null ? 'NULL' : str(r['segment'])) : null,
        h('td', { class: 'num', 'data-col': 'players_started' }, str(r['players_started'])),
        h('td', { class: 'num', 'data-col': 'players_completed' }, str(r['players_completed'])),
        h('td', { class: 'num', 'data-col': 'completion_rate' }, formatPercent(num(r['completion_rate']) ?? 0)),
        h('td', { class: 'num', 'data-col': 'deaths' }, str(r['deaths'])),
        h('td', { class: 'num', 'data-col': 'starts' }, str(r['starts'])),
      ))),
    );
    panel.body.replaceChildren(h('div', { class: 'pl-funnel' }, host, h('div', { class: 'table-scroll pl-funnel-table' }, table)));
    if (segmented) {
      this.chart(host, { ...axis, series: this.bySegment(rows, levels, 'level', 'players_started', 'line') });
      return;
    }
    this.chart(host, {
      ...axis,
      series: [
        { name: 'started', type: 'bar', data: rows.map((r) => num(r['players_started'])) },
        { name: 'completed', type: 'bar', data: rows.map((r) => num(r['players_completed'])) },
        { name: 'deaths', type: 'line', symbolSize: 4, data: rows.map((r) => num(r['deaths'])) },
      ],
    });
  }

  // The chart's numbers as a table, folded away (and read by the tests).
  private dataTable(answer: KpiAnswer, id: string): HTMLElement {
    return h(
      'details',
      { class: 'pl-data' },
      h('summary', { class: 'muted small' }, 'Table'),
      h('div', { class: 'table-scroll' }, h('table', { class: 'grid', 'data-testid': `data-${id}` },
        h('thead', {}, h('tr', {}, ...answer.columns.map((c) => h('th', { scope: 'col' }, c.name)))),
        h('tbody', {}, ...answer.rows.map((row) => h('tr', {}, ...row.map((v) => h('td', { class: typeof v === 'number' ? 'num' : '' }, v === null ? 'NULL' : typeof v === 'number' && !Number.isInteger(v) ? String(+v.toFixed(4)) : str(v)))))))),
    );
  }

  private empty(stream: string): HTMLElement {
    return h(
      'div',
      { class: 'card pl-empty-state', 'data-testid': 'players-empty' },
      h('h2', {}, `No player events in ${stream} between ${this.query.from} and ${this.query.to}`),
      h('p', {}, kEventsHelp),
      h('p', { class: 'muted' }, 'Send session_start … session_end events with player_id, session_id and ts — for instance ', h('code', {}, 'gamelake generate -t builtin:sessions --url … --key …'), ' — or pick another stream or a wider range.'),
    );
  }

  private help(): HTMLElement {
    return h('p', { class: 'muted pl-help' }, kEventsHelp, ' A stream whose fields have other names can be mapped with kpi.streams.<stream>.<field> (docs/events.md).');
  }

  private disposeCharts(): void {
    for (const chart of this.charts) chart.dispose();
    this.charts = [];
  }
}

export function render(root: HTMLElement, context: PageContext): Cleanup {
  const page = new PlayersPage(root, context);
  page.render();
  return () => page.dispose();
}
