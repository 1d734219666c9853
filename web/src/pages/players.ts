// Players: the game KPIs of /v1/kpis (docs/kpis.md) on one page — tiles with
// their trend, active players, revenue, the retention grid as a heat map and
// the level funnel — for a stream, a date range, a granularity, a segment and
// a time zone. The header's choices live in the URL (#/players?from=...), so
// a view can be reloaded and shared. Every panel can show the SQL it ran.
//
// This module is the page: the header's controls, the URL, and asking for the
// KPIs each panel draws. The panels are src/players/<name>_panel.ts, what they
// share is players/panel.ts (frame, SQL, states), players/chart_parts.ts and
// players/format.ts, the computations players/kpi.ts.
import './metrics.css';
import './players.css';
import { api } from '../api';
import { h, toast } from '../ui';
import type { Cleanup, PageContext } from '../page';
import {
  allZero,
  isIsoDay,
  kGranularities,
  kSegments,
  kpiPath,
  presetOf,
  presetRange,
  previousRange,
  rangeDays,
  records,
  str,
  type Granularity,
  type KpiAnswer,
  type PlayersQuery,
  type RetentionMode,
} from '../players/kpi';
import { ChartSet } from '../players/chart_parts';
import { settle, whenAnswered, type PanelHandle } from '../players/panel';
import { failureState, noPlayersState } from '../players/page_states';
import { drawTiles, tilesPanel, type TilesAnswers } from '../players/tiles_panel';
import { activePanel, drawActive } from '../players/active_panel';
import { drawRevenue, revenuePanel } from '../players/revenue_panel';
import { drawSessions, kSessionsHelp, sessionsPanel } from '../players/sessions_panel';
import { drawLtv, kLtvHelp, ltvPanel, type LtvOptions } from '../players/ltv_panel';
import { drawRetention, retentionPanel, type RetentionOptions } from '../players/retention_panel';
import { deathsPanel, kDeathsHelp, loadDeaths, type DeathsOptions, type DeathsState } from '../players/deaths_panel';
import { drawFunnel, funnelPanel } from '../players/funnel_panel';

const kZones = ['UTC', 'America/Los_Angeles', 'America/New_York', 'America/Sao_Paulo', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney'];

// The panels' own choices, in the URL beside the header's when not the default.
interface PanelChoices {
  mode: RetentionMode; // mode=
  retentionDays: number; // days=
  ltvDays: number; // ltv_days=
  deaths: DeathsState; // cell= (the level is not kept)
}

interface Panels {
  tiles: PanelHandle;
  active: PanelHandle;
  revenue: PanelHandle;
  sessions: PanelHandle;
  ltv: PanelHandle;
  retention: PanelHandle;
  deaths: PanelHandle;
  funnel: PanelHandle;
}

function readQuery(q: URLSearchParams): PlayersQuery {
  const fallback = presetRange(30);
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const granularity = q.get('granularity') ?? 'day';
  return {
    stream: q.get('stream') ?? '',
    from: isIsoDay(from) ? from : fallback.from,
    to: isIsoDay(to) ? to : fallback.to,
    granularity: (kGranularities as string[]).includes(granularity) ? (granularity as Granularity) : 'day',
    segment: q.get('segment') ?? '',
    tz: q.get('tz') ?? '',
  };
}

// A whole number parameter within min..max, else `fallback`.
function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const n = Number(q.get(name) ?? String(fallback));
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

function readChoices(q: URLSearchParams): PanelChoices {
  return {
    mode: q.get('mode') === 'rolling' ? 'rolling' : 'classic',
    retentionDays: intParam(q, 'days', 14, 7, 180),
    ltvDays: intParam(q, 'ltv_days', 30, 7, 180),
    deaths: { level: '', cell: intParam(q, 'cell', 100, 1, 1_000_000) },
  };
}

class PlayersPage {
  private readonly query: PlayersQuery;
  private readonly choices: PanelChoices;
  private readonly charts = new ChartSet();
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
    this.query = readQuery(context.query);
    this.choices = readChoices(context.query);
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
    this.charts.disposeAll();
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
    this.listen();
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

  // Each control's change into the query, then the page again.
  private listen(): void {
    this.fromInput.addEventListener('change', () => this.dateChanged());
    this.toInput.addEventListener('change', () => this.dateChanged());
    const on = (control: HTMLSelectElement | HTMLInputElement, set: () => void): void => control.addEventListener('change', () => {
      set();
      this.changed();
    });
    on(this.granularitySelect, () => (this.query.granularity = this.granularitySelect.value as Granularity));
    on(this.segmentSelect, () => (this.query.segment = this.segmentSelect.value));
    on(this.streamSelect, () => (this.query.stream = this.streamSelect.value));
    on(this.tzInput, () => (this.query.tz = this.tzInput.value.trim()));
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
    const c = this.choices;
    if (c.mode !== 'classic') params.set('mode', c.mode);
    if (c.retentionDays !== 14) params.set('days', String(c.retentionDays));
    if (c.ltvDays !== 30) params.set('ltv_days', String(c.ltvDays));
    if (c.deaths.cell !== 100) params.set('cell', String(c.deaths.cell));
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
    this.charts.disposeAll();
    this.status.textContent = 'Computing…';
    this.content.replaceChildren();
    void this.compute(load.signal).catch((e: unknown) => {
      if (load.signal.aborted) return;
      this.status.textContent = '';
      const stream = this.query.stream === '' ? this.streamSelect.selectedOptions[0]?.value || 'events' : this.query.stream;
      this.content.replaceChildren(...failureState(e, stream));
    });
  }

  private fetchKpi(name: string, signal: AbortSignal, q: Partial<PlayersQuery>, extra: Record<string, string | number> = {}): Promise<KpiAnswer> {
    return api<KpiAnswer>(kpiPath(name, q, extra), { signal });
  }

  // The query every KPI shares: stream, range and time zone.
  private base(): Partial<PlayersQuery> {
    const q = this.query;
    return { stream: q.stream, from: q.from, to: q.to, tz: q.tz };
  }

  private async compute(signal: AbortSignal): Promise<void> {
    const q = this.query;
    // Active players first: it says whether the stream has player events at all.
    const active = await this.fetchKpi('active_players', signal, { ...this.base(), granularity: q.granularity, segment: q.segment });
    if (signal.aborted) return;
    const stream = this.showAnswered(active);
    // No row, or only zero rows (periods filled in with zeros): no player.
    if (allZero(records(active), 'active_players')) {
      this.content.replaceChildren(noPlayersState(stream, q));
      return;
    }
    const panels = this.layout();
    drawActive(panels.active, active, this.charts);
    await this.loadPanels(panels, signal);
  }

  // The status line from what the server used (its defaults filled in); the stream's name.
  private showAnswered(active: KpiAnswer): string {
    const used = active.parameters;
    const stream = str(used['stream']);
    this.status.textContent = `${stream} · ${str(used['from'])} to ${str(used['to'])} · ${str(used['tz'])} · as of ${active.as_of.replace('T', ' ').slice(0, 19)} UTC`;
    if (this.query.stream === '') this.addStream(stream);
    if (this.query.tz === '') this.tzInput.placeholder = str(used['tz']);
    return stream;
  }

  private layout(): Panels {
    const q = this.query;
    const p: Panels = {
      tiles: tilesPanel(q),
      active: activePanel(q.granularity),
      revenue: revenuePanel(q.granularity),
      sessions: sessionsPanel(q.granularity),
      ltv: ltvPanel(),
      retention: retentionPanel(),
      deaths: deathsPanel(q.segment !== ''),
      funnel: funnelPanel(),
    };
    this.content.replaceChildren(
      p.tiles.root,
      h('div', { class: 'pl-grid' }, p.active.root, p.revenue.root, p.sessions.root, p.ltv.root),
      p.retention.root,
      p.deaths.root,
      p.funnel.root,
    );
    return p;
  }

  // Asks for every panel's KPIs at once (an answer two panels draw is asked
  // once) and draws each as it comes; a failure stays in its panel.
  private async loadPanels(p: Panels, signal: AbortSignal): Promise<void> {
    const q = this.query;
    const c = this.choices;
    const base = this.base();
    const byPeriod = { ...base, granularity: q.granularity, segment: q.segment };
    const ask = (name: string, query: Partial<PlayersQuery>, extra?: Record<string, string | number>): Promise<KpiAnswer> => this.fetchKpi(name, signal, query, extra);
    const segmented = q.segment !== '';
    const revenue = ask('revenue', byPeriod);
    const revenueDaily = q.granularity === 'day' && !segmented ? revenue : ask('revenue', { ...base, granularity: 'day' });
    const retention = ask('retention', { ...base, segment: q.segment }, { mode: c.mode, days: c.retentionDays });
    const retentionD7 = !segmented && c.mode === 'classic' && c.retentionDays >= 7 ? retention : ask('retention', base, { days: 7 });
    const stickiness = ask('stickiness', base);
    const before = this.previousTiles(signal);
    const sessions = ask('sessions', byPeriod);
    const ltv = ask('ltv', { ...base, segment: q.segment }, { days: c.ltvDays });
    const progression = ask('progression', { ...base, segment: q.segment });
    const tiles = Promise.all([stickiness, retentionD7, revenueDaily, before]);
    await Promise.all([
      settle(p.tiles, signal, whenAnswered(tiles, signal, ([s, r, v, b]) => drawTiles(p.tiles, { range: q, now: { stickiness: s, retention: r, revenue: v }, before: b }))),
      settle(p.revenue, signal, whenAnswered(revenue, signal, (a) => drawRevenue(p.revenue, a, this.charts))),
      settle(p.sessions, signal, whenAnswered(sessions, signal, (a) => drawSessions(p.sessions, a, this.charts)), kSessionsHelp),
      settle(p.ltv, signal, whenAnswered(ltv, signal, (a) => drawLtv(p.ltv, a, this.ltvOptions())), kLtvHelp),
      settle(p.retention, signal, whenAnswered(retention, signal, (a) => drawRetention(p.retention, a, this.retentionOptions()))),
      settle(p.deaths, signal, loadDeaths(p.deaths, this.deathsOptions(signal)), kDeathsHelp),
      settle(p.funnel, signal, whenAnswered(progression, signal, (a) => drawFunnel(p.funnel, a, q.segment, this.charts))),
    ]);
  }

  // The tiles' answers over the previous range, for their trends; a failure
  // there leaves the tiles without trends rather than failing them.
  private previousTiles(signal: AbortSignal): Promise<TilesAnswers | null> {
    const previous = previousRange(this.query.from, this.query.to);
    const prev: Partial<PlayersQuery> = { ...this.base(), from: previous.from, to: previous.to };
    return Promise.all([
      this.fetchKpi('stickiness', signal, prev),
      this.fetchKpi('retention', signal, prev, { days: 7 }),
      this.fetchKpi('revenue', signal, { ...prev, granularity: 'day' }),
    ]).then(([stickiness, retention, revenue]) => ({ stickiness, retention, revenue }), () => null);
  }

  private retentionOptions(): RetentionOptions {
    const c = this.choices;
    return {
      mode: c.mode,
      days: c.retentionDays,
      segment: this.query.segment,
      onChange: (mode, days) => {
        c.mode = mode;
        c.retentionDays = days;
        this.changed();
      },
    };
  }

  private ltvOptions(): LtvOptions {
    return {
      days: this.choices.ltvDays,
      onDays: (days) => {
        this.choices.ltvDays = days;
        this.changed();
      },
      charts: this.charts,
    };
  }

  private deathsOptions(signal: AbortSignal): DeathsOptions {
    return {
      signal,
      charts: this.charts,
      state: this.choices.deaths,
      fetchDeaths: (extra) => this.fetchKpi('deaths', signal, this.base(), extra),
      cellChanged: () => this.writeUrl(),
    };
  }
}

export function render(root: HTMLElement, context: PageContext): Cleanup {
  const page = new PlayersPage(root, context);
  page.render();
  return () => page.dispose();
}
