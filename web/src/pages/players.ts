// Players: the game KPIs of /v1/kpis (docs/kpis.md) on one page — tiles with
// their trend, active players, revenue, the retention grid as a heat map and
// the level funnel — for a stream, a date range, a granularity, a segment and
// a time zone. The header's choices live in the URL (#/players?from=...), so
// a view can be reloaded and shared. Every panel can show the SQL it ran.
import './metrics.css';
import './players.css';
import { api, ApiError } from '../api';
import { makeChart, isDark, kPalette, type Chart, type EChartsOption } from '../charts';
import { h, describeError, errorBanner, toast } from '../ui';
import type { Cleanup, PageContext } from '../page';
import {
  compareLevels,
  computeTiles,
  deathColor,
  deathsByEnemy,
  formatDuration,
  formatPercent,
  formatTile,
  heatColor,
  isIsoDay,
  kGranularities,
  kSegments,
  kpiPath,
  ltvCurves,
  num,
  positionGrid,
  previousLabel,
  previousRange,
  presetOf,
  presetRange,
  rangeDays,
  records,
  retentionGrid,
  segmentKey,
  sessionsSummary,
  sparklinePath,
  str,
  trendOf,
  type Granularity,
  type KpiAnswer,
  type KpiRecord,
  type LtvPoint,
  type PlayersQuery,
  type RetentionMode,
  type Tile,
} from '../players/kpi';

const kZones = ['UTC', 'America/Los_Angeles', 'America/New_York', 'America/Sao_Paulo', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney'];
const kSessionsHelp = 'Sessions are the events of one session_id. A stream without session ids can be mapped with kpi.streams.<stream>.session_id = "" : sessions are then runs of a player\'s events with no gap over 30 minutes (docs/events.md).';
const kDeathsHelp = 'Send death events with level, enemy and the position x, y in the level\'s coordinates (docs/events.md); a stream whose fields have other names can be mapped with kpi.streams.<stream>.<field>.';
const kCells = [10, 25, 50, 100, 250, 500, 1000];
const kLtvSolidCohorts = 3;
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
  private ltvDays: number;
  private deathsLevel = '';
  private deathsCell: number;
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
    const ltvDays = Number(q.get('ltv_days') ?? '30');
    this.ltvDays = Number.isInteger(ltvDays) && ltvDays >= 7 && ltvDays <= 180 ? ltvDays : 30;
    const cell = Number(q.get('cell') ?? '100');
    this.deathsCell = Number.isInteger(cell) && cell >= 1 && cell <= 1_000_000 ? cell : 100;
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
    this.writeUrl();
    this.refresh();
  }

  // The page's choices into the URL (#/players?...), for reloading and sharing.
  private writeUrl(): void {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.query) as [string, string][]) if (value !== '') params.set(key, value);
    if (this.mode !== 'classic') params.set('mode', this.mode);
    if (this.retentionDays !== 14) params.set('days', String(this.retentionDays));
    if (this.ltvDays !== 30) params.set('ltv_days', String(this.ltvDays));
    if (this.deathsCell !== 100) params.set('cell', String(this.deathsCell));
    history.replaceState(null, '', `#/players?${params.toString()}`);
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
      this.content.replaceChildren(...this.failed(e));
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
    const stream = str(used['stream']);
    this.status.textContent = `${stream} · ${str(used['from'])} to ${str(used['to'])} · ${str(used['tz'])} · as of ${active.as_of.replace('T', ' ').slice(0, 19)} UTC`;
    if (q.stream === '') this.addStream(stream);
    if (q.tz === '') this.tzInput.placeholder = str(used['tz']);
    // No row, or only zero rows (periods filled in with zeros): no player.
    if (records(active).every((r) => (num(r['active_players']) ?? 0) === 0)) {
      this.content.replaceChildren(this.empty(stream));
      return;
    }

    const segmented = q.segment !== '';
    const days = rangeDays(q.from, q.to);
    const previous = previousRange(q.from, q.to);
    const tiles = this.panel('Players at a glance', 'tiles', `All players, unsegmented, over the range; ${previousLabel(days)} (${previous.from} to ${previous.to})`);
    const activity = this.panel(`Active players by ${q.granularity}`, 'active', 'New: first event ever in the period; returning: the others');
    const revenue = this.panel(`Revenue by ${q.granularity}`, 'revenue', 'Purchase revenue and ARPDAU (revenue / summed daily active players)');
    const sessions = this.panel(`Sessions by ${q.granularity}`, 'sessions', 'Sessions per daily active player, and how long they last (first to last event)');
    const ltv = this.panel('LTV by install cohort', 'ltv', 'Cumulative revenue per player by days since install, averaged over the cohorts that have reached each day (dashed: fewer than 3 cohorts)');
    const retention = this.panel('Retention by install cohort', 'retention', 'Of the players first seen on a day, the share active N days later');
    const deaths = this.panel('Where players die', 'deaths', `Deaths by level and enemy, and where in the level (death events' x/y)${segmented ? ' — all players, not by segment' : ''}`);
    const funnel = this.panel('Progression funnel', 'funnel', 'Players who started and completed each level, and deaths');
    for (const p of [tiles, retention, deaths, funnel]) p.root.classList.add('pl-wide');
    this.content.replaceChildren(
      tiles.root,
      h('div', { class: 'pl-grid' }, activity.root, revenue.root, sessions.root, ltv.root),
      retention.root,
      deaths.root,
      funnel.root,
    );

    this.drawActivity(activity, active);
    const prev: Partial<PlayersQuery> = { ...base, from: previous.from, to: previous.to };
    const daily = q.granularity === 'day' && !segmented;
    const revenueChart = this.fetchKpi('revenue', signal, { ...base, granularity: q.granularity, segment: q.segment });
    const revenueDaily = daily ? revenueChart : this.fetchKpi('revenue', signal, { ...base, granularity: 'day' });
    const retentionExtra = { mode: this.mode, days: this.retentionDays };
    const retentionGridAnswer = this.fetchKpi('retention', signal, { ...base, segment: q.segment }, retentionExtra);
    const retentionTiles = !segmented && this.mode === 'classic' && this.retentionDays >= 7 ? retentionGridAnswer : this.fetchKpi('retention', signal, base, { days: 7 });
    const stickiness = this.fetchKpi('stickiness', signal, base);
    // The same tiles over the previous range, for their trends; a failure
    // there leaves the tiles without trends rather than failing them.
    const before = Promise.all([
      this.fetchKpi('stickiness', signal, prev),
      this.fetchKpi('retention', signal, prev, { days: 7 }),
      this.fetchKpi('revenue', signal, { ...prev, granularity: 'day' }),
    ]).catch(() => null);
    const sessionsAnswer = this.fetchKpi('sessions', signal, { ...base, granularity: q.granularity, segment: q.segment });
    const ltvAnswer = this.fetchKpi('ltv', signal, { ...base, segment: q.segment }, { days: this.ltvDays });
    const progression = this.fetchKpi('progression', signal, { ...base, segment: q.segment });

    const settle = async (panel: PanelHandle, work: Promise<void>, hint?: string): Promise<void> => {
      try {
        await work;
      } catch (e) {
        if (signal.aborted) return;
        panel.body.replaceChildren(errorBanner(describeError(e)), ...(hint === undefined ? [] : [h('p', { class: 'muted pl-help' }, hint)]));
      }
    };
    await Promise.all([
      settle(tiles, Promise.all([stickiness, retentionTiles, revenueDaily, before]).then(([s, r, v, b]) => {
        if (!signal.aborted) this.drawTiles(tiles, [s, r, v], b, days, previous);
      })),
      settle(revenue, revenueChart.then((a) => {
        if (!signal.aborted) this.drawRevenue(revenue, a);
      })),
      settle(sessions, sessionsAnswer.then((a) => {
        if (!signal.aborted) this.drawSessions(sessions, a);
      }), kSessionsHelp),
      settle(ltv, ltvAnswer.then((a) => {
        if (!signal.aborted) this.drawLtv(ltv, a);
      }), 'LTV sums the revenue field of purchase events (docs/events.md).'),
      settle(retention, retentionGridAnswer.then((a) => {
        if (!signal.aborted) this.drawRetention(retention, a);
      })),
      settle(deaths, this.loadDeaths(deaths, signal), kDeathsHelp),
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

  private chart(host: HTMLElement, option: EChartsOption): Chart {
    const chart = makeChart(host);
    chart.setOption({ color: kPalette, backgroundColor: 'transparent', animationDuration: 300, ...option });
    this.charts.push(chart);
    return chart;
  }

  private axisColors(): { text: string; line: string } {
    return isDark() ? { text: '#9aa5b4', line: '#2c3541' } : { text: '#5f6b7a', line: '#d5dbe3' };
  }

  private drawTiles(panel: PanelHandle, now: [KpiAnswer, KpiAnswer, KpiAnswer], before: [KpiAnswer, KpiAnswer, KpiAnswer] | null, days: number, previous: { from: string; to: string }): void {
    const [stickiness, retention, revenue] = now;
    panel.setSql([...this.sqlOf(stickiness, 'stickiness (DAU, MAU)'), ...this.sqlOf(retention, 'retention (D1, D7)'), ...this.sqlOf(revenue, 'revenue (daily)')]);
    // Average DAU counts the days of the range up to today: a range that
    // ends in the future is not diluted by days that have not happened.
    const today = new Date().toISOString().slice(0, 10);
    const counted = rangeDays(this.query.from, this.query.to < today ? this.query.to : today);
    const tiles = computeTiles(records(stickiness), records(retention), records(revenue), counted);
    // The previous range, when it has any player at all.
    const earlier = before !== null && before[0].rows.length > 0
      ? new Map(computeTiles(records(before[0]), records(before[1]), records(before[2]), days).map((t) => [t.id, t]))
      : null;
    // A previous period the stream only partly covers (its data starts
    // within it) makes big trends; say so.
    const firstDay = before === null ? undefined : records(before[0]).find((r) => (num(r['dau']) ?? 0) > 0)?.['day'];
    const partial = earlier !== null && firstDay !== undefined && str(firstDay) > previous.from ? str(firstDay) : null;
    const label = `${previousLabel(days)}${partial === null ? '' : '*'}`;
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
            this.trendLine(t, earlier?.get(t.id) ?? null, label, previous),
            svg,
          );
        }),
      ),
      ...(partial === null ? [] : [h('div', { class: 'muted small pl-footnote', 'data-testid': 'tiles-partial' }, `* The stream's events begin on ${partial}, within the previous period (${previous.from} to ${previous.to}): its numbers cover only part of it.`)]),
    );
  }

  // "▲ 8.0% vs previous 7 days", green when up, red when down; or why not.
  private trendLine(tile: Tile, before: Tile | null, label: string, previous: { from: string; to: string }): HTMLElement {
    const trend = trendOf(tile.value, before?.value ?? null, tile.format);
    if (trend === null) {
      return h('div', { class: 'pl-trend none', 'data-testid': `tile-${tile.id}-trend`, 'data-direction': 'none', title: `Not known for ${previous.from} to ${previous.to}` }, h('span', { class: 'pl-trend-change' }, before === null ? 'no data' : '—'), ' ', h('span', { class: 'pl-trend-note' }, label));
    }
    const was = formatTile(before?.value ?? null, tile.format);
    return h(
      'div',
      {
        class: `pl-trend ${trend.direction}`,
        'data-testid': `tile-${tile.id}-trend`,
        'data-direction': trend.direction,
        'data-previous': String(before?.value ?? ''),
        title: `${previous.from} to ${previous.to}: ${was}`,
      },
      h('span', { class: 'pl-trend-change' }, trend.text),
      ' ',
      h('span', { class: 'pl-trend-note' }, label),
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

  private drawSessions(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const rows = records(answer);
    if (rows.length === 0 || rows.every((r) => (num(r['sessions']) ?? 0) === 0)) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'sessions-empty' }, 'No sessions in this range. ', kSessionsHelp));
      return;
    }
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const colors = this.axisColors();
    const periods = [...new Set(rows.map((r) => str(r['period'])))].sort();
    const summary = sessionsSummary(rows);
    const derived = answer.parameters['derived_sessions'] === true;
    const stat = (id: string, label: string, value: number | null, text: string, title: string): HTMLElement =>
      h('div', { class: 'pl-stat', 'data-testid': `sessions-${id}`, 'data-value': value === null ? '' : String(value), title }, h('span', { class: 'pl-stat-value' }, text), h('span', { class: 'pl-stat-label' }, label));
    const stats = h(
      'div',
      { class: 'pl-stats' },
      stat('total', 'sessions', summary.sessions, summary.sessions.toLocaleString('en-US'), 'Sessions started in the range'),
      segmented ? null : stat('per-dau', 'per DAU', summary.perDau, summary.perDau === null ? '—' : summary.perDau.toFixed(2), 'Sessions / summed daily active players, over the range'),
      stat('avg-length', 'average length', summary.avgLengthS, formatDuration(summary.avgLengthS), 'Average session length over the range (first to last event)'),
      derived ? h('span', { class: 'muted small' }, 'sessions derived by a 30-minute gap (no session_id)') : null,
    );
    const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'Sessions chart' });
    panel.body.replaceChildren(stats, host, this.dataTable(answer, 'sessions'));
    const common = {
      xAxis: { type: 'category', data: periods, axisLabel: { color: colors.text, hideOverlap: true } },
      legend: { top: 0, type: 'scroll', textStyle: { color: colors.text } },
    };
    if (segmented) {
      this.chart(host, {
        ...common,
        grid: { left: 48, right: 16, top: 36, bottom: 28 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—') },
        yAxis: { type: 'value', name: 'sessions / DAU', nameTextStyle: { color: colors.text, align: 'left' }, axisLabel: { color: colors.text }, splitLine: { lineStyle: { color: colors.line } } },
        series: this.bySegment(rows, periods, 'period', 'sessions_per_dau', 'line'),
      });
      return;
    }
    const minutes = (r: KpiRecord, c: string): number | null => {
      const v = num(r[c]);
      return v === null ? null : v / 60;
    };
    this.chart(host, {
      ...common,
      grid: { left: 48, right: 56, top: 44, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—'),
        formatter: (items: unknown) => this.sessionsTooltip(items),
      },
      yAxis: [
        { type: 'value', name: 'sessions / DAU', nameTextStyle: { color: colors.text, align: 'left' }, axisLabel: { color: colors.text }, splitLine: { lineStyle: { color: colors.line } } },
        { type: 'value', name: 'length', nameTextStyle: { color: colors.text, align: 'right' }, axisLabel: { color: colors.text, formatter: (v: number) => (v >= 120 ? `${+(v / 60).toFixed(1)}h` : `${+v.toFixed(1)}m`) }, splitLine: { show: false } },
      ],
      series: [
        { name: 'sessions / DAU', type: 'bar', data: rows.map((r) => num(r['sessions_per_dau'])), itemStyle: { opacity: 0.75 } },
        { name: 'p50 length', type: 'line', yAxisIndex: 1, symbolSize: 4, data: rows.map((r) => minutes(r, 'p50_length_s')) },
        { name: 'p90 length', type: 'line', yAxisIndex: 1, symbolSize: 4, lineStyle: { type: 'dashed' }, data: rows.map((r) => minutes(r, 'p90_length_s')) },
      ],
    });
  }

  // The sessions chart's tooltip: lengths as durations, not minutes.
  private sessionsTooltip(items: unknown): string {
    const list = Array.isArray(items) ? (items as { axisValueLabel?: string; seriesName?: string; value?: unknown; marker?: string }[]) : [];
    const lines = list.map((p) => {
      const v = typeof p.value === 'number' ? p.value : null;
      const text = v === null ? '—' : p.seriesName?.includes('length') === true ? formatDuration(v * 60) : v.toFixed(2);
      return `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${text}</b>`;
    });
    return [escapeHtml(list[0]?.axisValueLabel ?? ''), ...lines].join('<br>');
  }

  private drawLtv(panel: PanelHandle, answer: KpiAnswer): void {
    panel.setSql(this.sqlOf(answer));
    const daysSelect = h('select', { 'aria-label': 'LTV days since install', 'data-testid': 'ltv-days' },
      ...[7, 14, 30, 60, 90].map((d) => h('option', { value: d }, `D0–D${d}`)));
    if (![7, 14, 30, 60, 90].includes(this.ltvDays)) daysSelect.append(h('option', { value: this.ltvDays }, `D0–D${this.ltvDays}`));
    daysSelect.value = String(this.ltvDays);
    daysSelect.addEventListener('change', () => {
      this.ltvDays = Number(daysSelect.value);
      this.changed();
    });
    const rows = records(answer);
    const curves = ltvCurves(rows);
    if (rows.length === 0) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'ltv-empty' }, 'No players were first seen in this range, so there are no install cohorts. Widen the range.'));
      return;
    }
    if (rows.every((r) => (num(r['revenue']) ?? 0) === 0)) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'ltv-empty' }, 'The players first seen in this range have not paid yet: LTV sums the revenue of their purchase events (docs/events.md).'));
      return;
    }
    const segmented = answer.columns.some((c) => c.name === 'segment');
    const colors = this.axisColors();
    const all = curves.get('') ?? [];
    const money = (v: number | null): string => (v === null ? '—' : `$${v.toFixed(v !== 0 && Math.abs(v) < 1 ? 3 : 2)}`);
    const stats = segmented
      ? null
      : h('div', { class: 'pl-stats' }, ...[1, 7, 14, 30, 60, 90].filter((d) => all.some((p) => p.day === d)).map((d) => {
        const p = all.find((x) => x.day === d);
        return h('div', { class: 'pl-stat', 'data-testid': `ltv-d${d}`, 'data-value': String(p?.ltv ?? ''), title: `Revenue per player by day ${d} since install, over the ${p?.cohorts ?? 0} cohorts (${(p?.players ?? 0).toLocaleString('en-US')} players) that have reached it` },
          h('span', { class: 'pl-stat-value' }, money(p?.ltv ?? null)), h('span', { class: 'pl-stat-label' }, `D${d} LTV`));
      }));
    const host = h('div', { class: 'chart', role: 'img', 'aria-label': 'LTV curve' });
    panel.body.replaceChildren(h('div', { class: 'row pl-controls' }, daysSelect, stats), host, this.dataTable(answer, 'ltv'));
    const maxDay = Math.max(...rows.map((r) => num(r['day']) ?? 0));
    const days = Array.from({ length: maxDay + 1 }, (_, i) => String(i));
    const byDay = (points: { day: number; ltv: number | null }[]): (number | null)[] => days.map((_, i) => points.find((p) => p.day === i)?.ltv ?? null);
    const series: object[] = [];
    if (segmented) {
      [...curves.entries()].forEach(([key, points], i) => series.push(...this.ltvSeries(key, points, byDay, kPalette[i % kPalette.length] ?? '#1f77d0', 2)));
    } else {
      // Each cohort faintly behind the average, as the spread to expect.
      const cohorts = new Map<string, { day: number; ltv: number | null }[]>();
      for (const r of rows) {
        const list = cohorts.get(str(r['cohort'])) ?? [];
        list.push({ day: num(r['day']) ?? 0, ltv: num(r['ltv']) });
        cohorts.set(str(r['cohort']), list);
      }
      for (const [cohort, points] of cohorts) {
        series.push({ name: cohort, type: 'line', silent: true, symbol: 'none', z: 1, lineStyle: { width: 1, opacity: 0.25, color: colors.text }, itemStyle: { color: colors.text }, emphasis: { disabled: true }, data: byDay(points) });
      }
      series.push(...this.ltvSeries('all cohorts', all, byDay, kPalette[0] ?? '#1f77d0', 3));
    }
    this.chart(host, {
      xAxis: { type: 'category', data: days, name: 'days since install', nameLocation: 'middle', nameGap: 26, nameTextStyle: { color: colors.text }, axisLabel: { color: colors.text, hideOverlap: true } },
      yAxis: { type: 'value', axisLabel: { color: colors.text, formatter: (v: number) => `$${+v.toFixed(2)}` }, splitLine: { lineStyle: { color: colors.line } } },
      grid: { left: 56, right: 16, top: 36, bottom: 40 },
      legend: { top: 0, type: 'scroll', textStyle: { color: colors.text }, ...(segmented ? {} : { data: ['all cohorts'] }) },
      tooltip: {
        trigger: 'axis',
        formatter: (items: unknown) => {
          const list = (Array.isArray(items) ? items : []) as { seriesName?: string; value?: unknown; marker?: string; axisValueLabel?: string }[];
          // A curve is two series (solid, then dashed): one line each.
          const seen = new Set<string>();
          const shown = list.filter((p) => (segmented || p.seriesName === 'all cohorts') && typeof p.value === 'number' && !seen.has(p.seriesName ?? '') && seen.add(p.seriesName ?? ''));
          const day = Number(list[0]?.axisValueLabel ?? 0);
          const point = all.find((p) => p.day === day);
          return [`Day ${day}${segmented || point === undefined ? '' : ` · ${point.cohorts} cohorts, ${point.players.toLocaleString('en-US')} players`}`,
            ...shown.map((p) => `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${money(typeof p.value === 'number' ? p.value : null)}</b>`)].join('<br>');
        },
      },
      series,
    });
  }

  // An LTV curve: solid while at least kLtvSolidCohorts cohorts have reached
  // the day, dashed after (an average of few cohorts jumps about).
  private ltvSeries(name: string, points: LtvPoint[], byDay: (p: { day: number; ltv: number | null }[]) => (number | null)[], color: string, width: number): object[] {
    const last = points.filter((p) => p.cohorts >= kLtvSolidCohorts).reduce((m, p) => Math.max(m, p.day), -1);
    const solid = byDay(points.filter((p) => p.day <= last));
    const tail = byDay(points.filter((p) => p.day >= last));
    const common = { name, type: 'line', symbolSize: width + 2, z: 3, itemStyle: { color } };
    return [
      { ...common, lineStyle: { width, color }, data: solid },
      { ...common, lineStyle: { width: Math.max(1, width - 1), color, type: 'dashed' }, symbolSize: 3, data: tail },
    ];
  }

  private async loadDeaths(panel: PanelHandle, signal: AbortSignal): Promise<void> {
    const q = this.query;
    const base: Partial<PlayersQuery> = { stream: q.stream, from: q.from, to: q.to, tz: q.tz };
    const [byEnemy, byPosition] = await Promise.allSettled([
      this.fetchKpi('deaths', signal, base, { by: 'enemy' }),
      this.fetchKpi('deaths', signal, base, { by: 'position', cell: this.deathsCell }),
    ]);
    if (signal.aborted) return;
    if (byEnemy.status === 'rejected' && byPosition.status === 'rejected') throw byEnemy.reason;
    const enemySql = byEnemy.status === 'fulfilled' ? this.sqlOf(byEnemy.value, 'deaths by level and enemy') : [];
    const setPositionSql = (a: KpiAnswer | null): void => panel.setSql([...enemySql, ...(a === null ? [] : this.sqlOf(a, 'deaths by position'))]);
    setPositionSql(byPosition.status === 'fulfilled' ? byPosition.value : null);
    const enemyRows = byEnemy.status === 'fulfilled' ? records(byEnemy.value) : [];
    const positionRows = byPosition.status === 'fulfilled' ? records(byPosition.value) : [];
    if (byEnemy.status === 'fulfilled' && byPosition.status === 'fulfilled' && enemyRows.length === 0 && positionRows.length === 0) {
      panel.body.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'deaths-empty' }, 'No deaths in this range. ', kDeathsHelp));
      return;
    }
    const left = byEnemy.status === 'fulfilled' ? this.deathsTable(enemyRows) : h('div', {}, errorBanner(describeError(byEnemy.reason)), h('p', { class: 'muted pl-help' }, kDeathsHelp));
    const right = h('div', { class: 'pl-deaths-map' });
    panel.body.replaceChildren(h('div', { class: 'pl-deaths' }, left, right));
    if (byPosition.status === 'rejected') {
      right.replaceChildren(errorBanner(describeError(byPosition.reason)), h('p', { class: 'muted pl-help' }, kDeathsHelp));
      return;
    }
    this.drawPositions(right, byPosition.value, signal, setPositionSql);
  }

  // Level × enemy: a row a level, a column an enemy (most deadly first), the
  // cells shaded by deaths.
  private deathsTable(rows: KpiRecord[]): HTMLElement {
    if (rows.length === 0) return h('div', { class: 'pl-empty muted', 'data-testid': 'deaths-enemy-empty' }, 'No deaths with a level in this range.');
    const grid = deathsByEnemy(rows);
    const shade = (cell: HTMLElement, deaths: number): void => {
      const color = deathColor(grid.max === 0 ? 0 : deaths / grid.max);
      cell.style.background = color.background;
      cell.style.color = color.color;
    };
    return h('div', { class: 'table-scroll pl-heat-scroll' }, h(
      'table',
      { class: 'grid pl-heatmap', 'data-testid': 'deaths-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'level'),
        h('th', { scope: 'col', class: 'num' }, 'deaths'),
        ...grid.enemies.map((e) => h('th', { scope: 'col', class: 'num', title: `${grid.enemyTotal(e).toLocaleString('en-US')} deaths in all` }, e)))),
      h('tbody', {}, ...grid.levels.map((level) => h('tr', {},
        h('th', { scope: 'row' }, level),
        h('td', { class: 'num pl-total', 'data-testid': `death-total-${level}`, 'data-value': String(grid.levelTotal(level)) }, grid.levelTotal(level).toLocaleString('en-US')),
        ...grid.enemies.map((enemy) => {
          const cell = grid.cell(level, enemy);
          if (cell === undefined) return h('td', { class: 'pl-heat pl-unknown' });
          const td = h('td', {
            class: 'pl-heat num',
            'data-testid': `death-${level}-${enemy}`,
            'data-value': String(cell.deaths),
            title: `Level ${level}, ${enemy}: ${cell.deaths.toLocaleString('en-US')} deaths of ${cell.players.toLocaleString('en-US')} players`,
          }, cell.deaths.toLocaleString('en-US'));
          shade(td, cell.deaths);
          return td;
        }),
      ))),
    ));
  }

  // The position heat map: deaths per cell of the level's x/y, one level or all.
  private drawPositions(host: HTMLElement, answer: KpiAnswer, signal: AbortSignal, setSql: (a: KpiAnswer) => void): void {
    const rows = records(answer);
    const levels = [...new Set(rows.map((r) => str(r['level'])))].sort(compareLevels);
    if (this.deathsLevel !== '' && !levels.includes(this.deathsLevel)) this.deathsLevel = '';
    const levelSelect = h('select', { 'aria-label': 'Level', 'data-testid': 'deaths-level' }, h('option', { value: '' }, 'all levels'), ...levels.map((l) => h('option', { value: l }, `level ${l}`)));
    levelSelect.value = this.deathsLevel;
    const cellSelect = h('select', { 'aria-label': 'Cell size', 'data-testid': 'deaths-cell', title: 'The heat map\'s cell size, in the level\'s units' },
      ...[...new Set([...kCells, this.deathsCell])].sort((a, b) => a - b).map((c) => h('option', { value: c }, `cells of ${c}`)));
    cellSelect.value = String(this.deathsCell);
    const chartHost = h('div', { class: 'chart pl-position-chart', role: 'img', 'aria-label': 'Where players die: deaths by position' });
    const caption = h('div', { class: 'muted small', 'data-testid': 'deaths-position-total' });
    host.replaceChildren(h('div', { class: 'row pl-controls' }, levelSelect, cellSelect, h('span', { class: 'spacer' }), caption), chartHost, this.dataTable(answer, 'deaths-position'));
    let chart: Chart | null = null;
    const draw = (): void => {
      const grid = positionGrid(rows, this.deathsLevel === '' ? null : this.deathsLevel, this.deathsCell);
      caption.textContent = `${grid.total.toLocaleString('en-US')} deaths with a position`;
      caption.dataset['value'] = String(grid.total);
      if (grid.cells.length === 0) {
        chart?.clear();
        chartHost.replaceChildren(h('div', { class: 'pl-empty muted', 'data-testid': 'deaths-position-empty' }, 'No death events with x and y here.'));
        return;
      }
      const colors = this.axisColors();
      const option: EChartsOption = {
        grid: { left: 56, right: 72, top: 12, bottom: 40 },
        tooltip: {
          formatter: (p: unknown) => {
            const v = (p as { value?: [number, number, number] }).value;
            if (v === undefined) return '';
            const x = grid.xs[v[0]] ?? 0;
            const y = grid.ys[v[1]] ?? 0;
            return `x ${x}–${x + this.deathsCell}, y ${y}–${y + this.deathsCell}<br><b>${v[2].toLocaleString('en-US')}</b> deaths`;
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
      if (chart === null) {
        chart = this.chart(chartHost, option);
      } else {
        chart.setOption(option, { notMerge: true });
      }
    };
    levelSelect.addEventListener('change', () => {
      this.deathsLevel = levelSelect.value;
      draw();
    });
    // Another cell size asks for the position heat map again, only.
    cellSelect.addEventListener('change', () => {
      this.deathsCell = Number(cellSelect.value);
      this.writeUrl();
      cellSelect.disabled = true;
      caption.textContent = 'Computing…';
      const q = this.query;
      this.fetchKpi('deaths', signal, { stream: q.stream, from: q.from, to: q.to, tz: q.tz }, { by: 'position', cell: this.deathsCell }).then((a) => {
        if (signal.aborted) return;
        if (chart !== null) this.disposeChart(chart);
        setSql(a);
        this.drawPositions(host, a, signal, setSql);
      }, (e: unknown) => {
        if (signal.aborted) return;
        if (chart !== null) this.disposeChart(chart);
        host.replaceChildren(errorBanner(describeError(e)));
      });
    });
    if (!signal.aborted) draw();
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
      this.howToSend(stream),
      h('p', { class: 'muted' }, 'Or pick another stream or a wider range above.'),
    );
  }

  // What to do about a failed page: the API's message as it came, then
  // what usually fixes it.
  private failed(e: unknown): HTMLElement[] {
    const message = describeError(e);
    const stream = this.query.stream === '' ? this.streamSelect.selectedOptions[0]?.value || 'events' : this.query.stream;
    const out: HTMLElement[] = [errorBanner(message)];
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      out.push(h('p', { class: 'muted pl-help' }, 'The Players page needs an admin key (KPIs run SQL over the lake). Sign out and sign in with one, or make one with gamelake keys create --scope admin.'));
    } else if (e instanceof ApiError && e.status === 400 && /does not exist|no such|not found|unknown stream/i.test(message) && !/column/i.test(message)) {
      out.push(h('div', { class: 'card pl-empty-state', 'data-testid': 'players-no-stream' },
        h('h2', {}, `There is no stream ${stream} yet`),
        h('p', {}, 'A stream is created by the first events sent to it. ', kEventsHelp),
        this.howToSend(stream),
        h('p', { class: 'muted' }, 'Or pick a stream that exists above.')));
    } else if (e instanceof ApiError && e.status === 400 && /column|field|referenced/i.test(message)) {
      const column = /column "?([A-Za-z0-9_ ]+?)"? not found/i.exec(message)?.[1];
      const example = column !== undefined ? `${column} = "<${stream}'s column for ${column}>"` : 'player_id = "PlayerID", ts = "EventTime"';
      out.push(h('p', { class: 'muted pl-help', 'data-testid': 'players-mapping-help' },
        column !== undefined ? `${stream} has no column ${column}. ` : '',
        kEventsHelp,
        ` If this stream's events carry these under other names, map them in the server's config — [kpi.streams.${stream}] ${example} — and restart it (docs/events.md, "Mapping your own names"); or pick another stream above.`));
    } else {
      out.push(this.help());
    }
    return out;
  }

  // Two ways to fill a stream with events the KPIs read: curl, or the generator.
  private howToSend(stream: string): HTMLElement {
    const origin = window.location.origin;
    const now = new Date();
    const at = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();
    const player = 'player-1';
    const session = 'session-1';
    const events = [
      { event_type: 'session_start', s: 0, extra: '' },
      { event_type: 'level_start', s: 5, extra: ',"level":1' },
      { event_type: 'death', s: 40, extra: ',"level":1,"enemy":"spider","x":420.5,"y":130' },
      { event_type: 'level_complete', s: 95, extra: ',"level":1' },
      { event_type: 'purchase', s: 100, extra: ',"revenue":0.99,"item_id":"gems_small"' },
      { event_type: 'session_end', s: 120, extra: '' },
    ].map((e, i) => `{"event_id":"demo-${i + 1}","event_type":"${e.event_type}","ts":"${at(e.s)}","player_id":"${player}","session_id":"${session}","platform":"web"${e.extra}}`);
    const curl = [
      `curl -s ${origin}/v1/streams/${stream}/records -H "Authorization: Bearer $INGEST_KEY" \\`,
      `  -H 'Content-Type: application/x-ndjson' --data-binary @- <<'EOF'`,
      ...events,
      'EOF',
    ].join('\n');
    const generate = `gamelake generate -t builtin:sessions --stream ${stream} --url ${origin} --key "$INGEST_KEY" --rate 50 --duration 120`;
    const block = (label: string, text: string, id: string): HTMLElement => h(
      'div',
      { class: 'pl-howto' },
      h('div', { class: 'row' }, h('strong', {}, label), h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'small-btn', onclick: () => {
        navigator.clipboard.writeText(text).then(() => toast('Copied'), (err: unknown) => toast(`Could not copy: ${describeError(err)}`, 'error'));
      } }, 'Copy')),
      h('pre', { class: 'pl-sql-text', 'data-testid': id }, text),
    );
    return h(
      'div',
      { class: 'pl-howtos' },
      block('Send a session by hand (an ingest key from the Keys page as INGEST_KEY)', curl, 'howto-curl'),
      block('Or simulate players for two minutes', generate, 'howto-generate'),
      h('p', { class: 'muted small' }, 'From a game: the Unity, C++ and TypeScript SDKs send sessions this way (docs/sdk.md). The page shows events as soon as they are acknowledged; press Refresh.'),
    );
  }

  private help(): HTMLElement {
    return h('p', { class: 'muted pl-help' }, kEventsHelp, ' A stream whose fields have other names can be mapped with kpi.streams.<stream>.<field> (docs/events.md).');
  }

  private disposeChart(chart: Chart): void {
    chart.dispose();
    this.charts = this.charts.filter((c) => c !== chart);
  }

  private disposeCharts(): void {
    for (const chart of this.charts) chart.dispose();
    this.charts = [];
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function render(root: HTMLElement, context: PageContext): Cleanup {
  const page = new PlayersPage(root, context);
  page.render();
  return () => page.dispose();
}
