// Streams (Firehose's Monitoring tab): #/streams lists the streams — the
// catalog's tables and the streams with pipeline metrics in gamelake/Streams —
// and #/streams/<name> shows one: its pipeline metrics over a time range
// (records and bytes in, delivered to the lake, data freshness, throttled,
// dead letters), its newest records (SQL), and its dead letters (_errors).
import './metrics.css';
import './streams.css';
import { api, ApiError } from '../api';
import { h, errorBanner, describeError, pagedTable, formatBytes, formatNumber } from '../ui';
import type { PageContext, Cleanup } from '../page';
import { listMetrics, queryLines } from '../metrics/client';
import type { MetricLine, MetricWidget } from '../metrics/dashboard';
import { MetricWidgetView } from '../metrics/widgets';
import { rangeBar, type RangeBarState } from '../metrics/controls';
import { autoPeriod, kPresets, kRefreshChoices, rangeFromParams, rangeSeconds, rangeToParams, resolveRange } from '../metrics/time';
import { lastPoint, maxOf, sumOf, formatValue } from '../metrics/series';

const kNamespace = 'gamelake/Streams';

interface CatalogTable {
  name: string;
  files: number | unknown[]; // a count in the list, the files themselves for one table
  rows: number;
  bytes: number;
  updated_us?: number;
}

interface QueryAnswer {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  row_count?: number;
  error?: { code: string; message: string };
}

async function sql(query: string, signal?: AbortSignal): Promise<QueryAnswer> {
  const answer = await api<QueryAnswer>('/v1/query', { method: 'POST', body: { sql: query }, ...(signal === undefined ? {} : { signal }) });
  if (answer.error !== undefined) throw new ApiError(200, answer.error.code, answer.error.message);
  return answer;
}

function fileCount(t: CatalogTable): number {
  return Array.isArray(t.files) ? t.files.length : t.files;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function missingTable(e: unknown): boolean {
  return e instanceof ApiError && /does not exist|not found/i.test(e.message) && /Table|table/.test(e.message);
}

export async function render(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const name = context.params[0];
  return name === undefined ? renderList(root) : renderStream(root, context, name);
}

// ---------------------------------------------------------------- the list

async function renderList(root: HTMLElement): Promise<Cleanup | undefined> {
  const controller = new AbortController();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading streams…'));
  root.append(
    h('div', { class: 'cw-header' }, h('h1', {}, 'Streams'), h('span', { class: 'muted' }, 'Delivery streams: what came in, what reached the lake, what was refused.')),
    h('div', { class: 'card' }, body),
  );
  try {
    const [catalog, metrics] = await Promise.all([
      api<{ tables: CatalogTable[] }>('/v1/catalog/tables', { signal: controller.signal }),
      listMetrics({ namespace: kNamespace, name: 'IncomingRecords' }, controller.signal),
    ]);
    const tables = new Map(catalog.tables.map((t) => [t.name, t]));
    const names = new Set<string>();
    for (const t of catalog.tables) if (!t.name.startsWith('_')) names.add(t.name);
    for (const m of metrics) {
      const v = m.Dimensions.find((d) => d.Name === 'StreamName')?.Value;
      if (v !== undefined && !v.startsWith('_')) names.add(v);
    }
    const streams = [...names].sort();
    if (streams.length === 0) {
      body.replaceChildren(
        h('div', { class: 'cw-empty', 'data-testid': 'streams-empty' }, h('p', {}, 'No streams yet.'), h('p', { class: 'muted' }, 'A stream is created by its first record: ', h('code', {}, 'POST /v1/streams/<name>/records'), '.')),
      );
      return () => controller.abort();
    }
    // Last hour's totals per stream, in one GetMetricData call.
    const now = Math.ceil(Date.now() / 1000);
    const perStream = ['IncomingRecords', 'DeliveryToLake.Records', 'FailedRecords'];
    const lines = streams.flatMap((s, i) =>
      perStream.map((metric, j) => ({
        id: `s${i}_${j}`,
        period: 3600,
        line: { id: '', namespace: kNamespace, name: metric, dimensions: [{ Name: 'StreamName', Value: s }], stat: 'Sum', period: 3600, label: metric, visible: true } satisfies MetricLine,
      })),
    );
    let totals = new Map<string, number>();
    let metricsError: string | null = null;
    try {
      const results = await queryLines(lines, now - 3600, now, controller.signal);
      totals = new Map([...results].map(([id, points]) => [id, sumOf(points)]));
    } catch (e) {
      metricsError = describeError(e);
    }
    const cell = (i: number, j: number): string => formatNumber(totals.get(`s${i}_${j}`) ?? 0);
    const rows = streams.map((s, i) => {
      const t = tables.get(s);
      return h(
        'tr',
        { 'data-testid': `stream-row-${s}` },
        h('td', {}, h('a', { href: `#/streams/${encodeURIComponent(s)}` }, s)),
        h('td', { class: 'num' }, t === undefined ? '–' : formatNumber(t.rows)),
        h('td', { class: 'num' }, t === undefined ? '–' : formatNumber(fileCount(t))),
        h('td', { class: 'num' }, t === undefined ? '–' : formatBytes(t.bytes)),
        h('td', { class: 'num' }, cell(i, 0)),
        h('td', { class: 'num' }, cell(i, 1)),
        h('td', { class: 'num' }, cell(i, 2)),
      );
    });
    body.replaceChildren(
      metricsError === null ? '' : errorBanner(metricsError),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'streams' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Stream', 'Rows in the lake', 'Files', 'Size', 'Records in (1 h)', 'Delivered (1 h)', 'Failed (1 h)'].map((c) => h('th', { scope: 'col' }, c))),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
      h('p', { class: 'muted small' }, 'Rejected records of every stream are kept in the table ', h('code', {}, '_errors'), '; each stream’s page shows its own.'),
    );
  } catch (e) {
    if (!controller.signal.aborted) body.replaceChildren(errorBanner(describeError(e)));
  }
  return () => controller.abort();
}

// ---------------------------------------------------------------- one stream

interface Chart {
  title: string;
  testid: string;
  lines: { metric: string; stat: string; label: string; color?: string }[];
  stacked?: boolean;
}

// The Monitoring tab's charts, with gamelake/Streams' metric names (docs/metrics.md).
const kCharts: Chart[] = [
  { title: 'Incoming records', testid: 'chart-records-in', lines: [{ metric: 'IncomingRecords', stat: 'Sum', label: 'IncomingRecords' }] },
  { title: 'Incoming bytes', testid: 'chart-bytes-in', lines: [{ metric: 'IncomingBytes', stat: 'Sum', label: 'IncomingBytes' }] },
  {
    title: 'Delivery to the lake (records)',
    testid: 'chart-delivered',
    lines: [{ metric: 'DeliveryToLake.Records', stat: 'Sum', label: 'DeliveryToLake.Records' }],
  },
  {
    title: 'Data freshness (seconds)',
    testid: 'chart-freshness',
    lines: [{ metric: 'DeliveryToLake.DataFreshness', stat: 'Maximum', label: 'DataFreshness (max)' }],
  },
  {
    title: 'Throttled and duplicate records',
    testid: 'chart-throttled',
    lines: [
      { metric: 'ThrottledRecords', stat: 'Sum', label: 'ThrottledRecords' },
      { metric: 'DuplicateRecords', stat: 'Sum', label: 'DuplicateRecords' },
    ],
  },
  {
    title: 'Failed records (dead letters)',
    testid: 'chart-failed',
    lines: [{ metric: 'FailedRecords', stat: 'Sum', label: 'FailedRecords', color: '#d62728' }],
  },
];

interface Kpi {
  testid: string;
  label: string;
  metric: string;
  stat: string;
  kind: 'sum' | 'latest' | 'average';
  format: (v: number | null) => string;
}

const kKpis: Kpi[] = [
  { testid: 'stream-records-in-total', label: 'Records in', metric: 'IncomingRecords', stat: 'Sum', kind: 'sum', format: (v) => formatValue(v ?? 0) },
  { testid: 'stream-bytes-in-total', label: 'Bytes in', metric: 'IncomingBytes', stat: 'Sum', kind: 'sum', format: (v) => formatBytes(v ?? 0) },
  { testid: 'stream-delivered-total', label: 'Delivered to lake', metric: 'DeliveryToLake.Records', stat: 'Sum', kind: 'sum', format: (v) => formatValue(v ?? 0) },
  { testid: 'stream-freshness-latest', label: 'Data freshness', metric: 'DeliveryToLake.DataFreshness', stat: 'Maximum', kind: 'latest', format: (v) => (v === null ? '–' : `${formatValue(v)} s`) },
  { testid: 'stream-success-average', label: 'Delivery success', metric: 'DeliveryToLake.Success', stat: 'Average', kind: 'average', format: (v) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`) },
  { testid: 'stream-throttled-total', label: 'Throttled', metric: 'ThrottledRecords', stat: 'Sum', kind: 'sum', format: (v) => formatValue(v ?? 0) },
  { testid: 'stream-failed-total', label: 'Dead letters', metric: 'FailedRecords', stat: 'Sum', kind: 'sum', format: (v) => formatValue(v ?? 0) },
  { testid: 'stream-duplicates-total', label: 'Duplicates', metric: 'DuplicateRecords', stat: 'Sum', kind: 'sum', format: (v) => formatValue(v ?? 0) },
];

const kStreamPresets = kPresets.filter((p) => p.seconds >= 300);

async function renderStream(root: HTMLElement, context: PageContext, name: string): Promise<Cleanup | undefined> {
  const route = `streams/${encodeURIComponent(name)}`;
  const controller = new AbortController();
  const dims = [{ Name: 'StreamName', Value: name }];
  const refreshParam = context.query.get('refresh');
  let state: RangeBarState = {
    range: rangeFromParams(context.query) ?? { kind: 'relative', seconds: 3600 },
    refresh: refreshParam !== null && kRefreshChoices.some((c) => c.id === refreshParam) ? refreshParam : 'off',
  };
  let views: MetricWidgetView[] = [];
  let refreshTimer = 0;

  const info = h('div', { class: 'st-info muted small', 'data-testid': 'stream-info' }, 'Loading…');
  const status = h('div');
  const kpiHost = h('div', { class: 'st-kpis' });
  const chartsHost = h('div', { class: 'st-charts' });
  const kpiValues = new Map<string, HTMLElement>();
  for (const k of kKpis) {
    const value = h('div', { class: 'st-kpi-value', 'data-testid': k.testid }, '…');
    kpiValues.set(k.testid, value);
    kpiHost.append(h('div', { class: 'st-kpi panel' }, h('div', { class: 'st-kpi-label' }, k.label), value));
  }

  // KPI totals: one GetMetricData over the range (every stat at the range's
  // period; the sums do not depend on it).
  const loadKpis = async (): Promise<void> => {
    const { start, end } = resolveRange(state.range, Date.now());
    const period = autoPeriod(rangeSeconds(state.range), end - start);
    const lines = kKpis.map((k, i) => ({
      id: `k${i}`,
      period,
      line: { id: `k${i}`, namespace: kNamespace, name: k.metric, dimensions: dims, stat: k.stat, period, label: k.label, visible: true } satisfies MetricLine,
    }));
    try {
      const results = await queryLines(lines, start, end, controller.signal);
      kKpis.forEach((k, i) => {
        const points = results.get(`k${i}`) ?? [];
        let v: number | null;
        if (k.kind === 'sum') v = sumOf(points);
        else if (k.kind === 'latest') v = lastPoint(points)?.v ?? null;
        else {
          const vals = points.filter((p) => p.v !== null);
          v = vals.length === 0 ? null : sumOf(vals) / vals.length;
        }
        const el = kpiValues.get(k.testid);
        if (el === undefined) return;
        el.textContent = k.format(v);
        el.dataset['value'] = v === null ? '' : String(v);
        if (k.kind === 'latest') el.title = `max over the range: ${formatValue(maxOf(points))} s`;
      });
      status.replaceChildren();
    } catch (e) {
      if (!controller.signal.aborted) status.replaceChildren(errorBanner(describeError(e)));
    }
  };

  const buildCharts = (): void => {
    for (const v of views) v.dispose();
    const period = autoPeriod(rangeSeconds(state.range));
    views = kCharts.map((c, index) => {
      const widget: MetricWidget = {
        type: 'metric',
        x: 0,
        y: 0,
        width: 12,
        height: 6,
        title: c.title,
        view: 'timeSeries',
        stacked: c.stacked === true,
        liveData: false,
        lines: c.lines.map((l, i) => ({
          id: `m${i + 1}`,
          namespace: kNamespace,
          name: l.metric,
          dimensions: dims,
          stat: l.stat,
          period,
          label: l.label,
          visible: true,
          ...(l.color === undefined ? {} : { color: l.color }),
        })),
      };
      return new MetricWidgetView(widget, { index, testid: c.testid, range: () => state.range, placed: false });
    });
    chartsHost.replaceChildren(...views.map((v) => v.element));
  };
  const reloadMetrics = (): void => {
    void loadKpis();
    for (const v of views) void v.load();
  };

  // Recent records.
  const recentSql = `SELECT * FROM ${quoteIdent(name)} ORDER BY _ingest_time DESC, _record_id DESC LIMIT 50`;
  const recentHost = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const loadRecent = async (): Promise<void> => {
    recentHost.classList.add('st-loading');
    try {
      const answer = await sql(recentSql, controller.signal);
      recentHost.replaceChildren(
        answer.rows.length === 0
          ? h('div', { class: 'cw-empty', 'data-testid': 'recent-empty' }, 'No records yet.')
          : pagedTable(answer.columns.map((c) => c.name), answer.rows, 50, 'recent'),
      );
    } catch (e) {
      if (controller.signal.aborted) return;
      recentHost.replaceChildren(
        missingTable(e) ? h('div', { class: 'cw-empty', 'data-testid': 'recent-empty' }, 'No records yet: this stream has no table.') : errorBanner(describeError(e)),
      );
    } finally {
      recentHost.classList.remove('st-loading');
    }
  };

  // Dead letters: this stream's rows of _errors (docs/api.md, "Dead letters").
  const deadSql = `SELECT received_at, code, message, "index", key_id, raw, raw_truncated FROM _errors WHERE stream = ${quoteString(name)} ORDER BY received_at DESC LIMIT 50`;
  const deadHost = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const deadEmpty = (): HTMLElement =>
    h(
      'div',
      { class: 'cw-empty', 'data-testid': 'dead-empty' },
      h('p', {}, 'No dead letters for this stream.'),
      h('p', { class: 'muted small' }, 'Records the server rejects (not JSON, not an object, too large, too deep…) are kept in ', h('code', {}, '_errors'), ' with the reason.'),
    );
  // Only ask SQL for _errors when this stream has dead letters: _errors is in
  // the catalog, or (not delivered yet) the stream's FailedRecords of the
  // last two weeks add up to more than zero. So a stream without any is no
  // failed query.
  const anyDeadLetters = async (): Promise<boolean> => {
    if (deadLettersSeen) return true;
    const end = Math.ceil(Date.now() / 1000);
    const line: MetricLine = { id: 'f', namespace: kNamespace, name: 'FailedRecords', dimensions: dims, stat: 'Sum', period: 86400, label: 'FailedRecords', visible: true };
    const results = await queryLines([{ id: 'f', line, period: 86400 }], end - 14 * 86400, end, controller.signal);
    deadLettersSeen = sumOf(results.get('f') ?? []) > 0;
    return deadLettersSeen;
  };
  const loadDead = async (): Promise<void> => {
    try {
      if (!(await anyDeadLetters())) {
        deadHost.replaceChildren(deadEmpty());
        return;
      }
      const answer = await sql(deadSql, controller.signal);
      deadHost.replaceChildren(answer.rows.length === 0 ? deadEmpty() : pagedTable(answer.columns.map((c) => c.name), answer.rows, 50, 'dead'));
    } catch (e) {
      if (controller.signal.aborted) return;
      deadHost.replaceChildren(missingTable(e) ? deadEmpty() : errorBanner(describeError(e)));
    }
  };

  // The catalog's entry of the stream (the list, so a stream whose records
  // are all still in the live tail is no failed request).
  let deadLettersSeen = false;
  const loadInfo = async (): Promise<void> => {
    try {
      const { tables } = await api<{ tables: CatalogTable[] }>('/v1/catalog/tables', { signal: controller.signal });
      deadLettersSeen ||= tables.some((t) => t.name === '_errors');
      const t = tables.find((x) => x.name === name);
      if (t === undefined) {
        info.replaceChildren(h('span', { class: 'badge warn' }, 'no files in the lake yet'), ' its records are in the live tail until delivery');
        return;
      }
      info.replaceChildren(
        h('span', { class: 'badge ok' }, 'in the lake'),
        ` ${formatNumber(t.rows)} rows · ${formatNumber(fileCount(t))} files · ${formatBytes(t.bytes)}`,
        t.updated_us === undefined ? '' : ` · updated ${new Date(t.updated_us / 1000).toLocaleString()}`,
      );
    } catch (e) {
      if (!controller.signal.aborted) info.replaceChildren(errorBanner(describeError(e)));
    }
  };

  const applyRefresh = (): void => {
    window.clearInterval(refreshTimer);
    const ms = kRefreshChoices.find((c) => c.id === state.refresh)?.ms ?? 0;
    refreshTimer = ms > 0 ? window.setInterval(reloadMetrics, ms) : 0;
  };
  const bar = rangeBar(
    state,
    (next) => {
      const rangeChanged = JSON.stringify(next.range) !== JSON.stringify(state.range);
      state = next;
      const q = new URLSearchParams(rangeToParams(state.range));
      if (state.refresh !== 'off') q.set('refresh', state.refresh);
      history.replaceState(null, '', `#/${route}?${q.toString()}`);
      if (rangeChanged) {
        buildCharts();
        reloadMetrics();
      }
      applyRefresh();
    },
    () => {
      reloadMetrics();
      void loadInfo();
    },
    kStreamPresets,
  );

  root.append(
    h('div', { class: 'cw-header' }, h('a', { href: '#/streams', class: 'muted small' }, '‹ Streams'), h('h1', { 'data-testid': 'stream-name' }, name), info),
    h('div', { class: 'cw-sticky' }, bar.element),
    status,
    h('section', { class: 'st-section', 'aria-labelledby': 'st-monitoring' }, h('h2', { id: 'st-monitoring' }, 'Monitoring'), kpiHost, chartsHost),
    h(
      'section',
      { class: 'st-section card', 'aria-labelledby': 'st-recent' },
      h(
        'div',
        { class: 'toolbar' },
        h('h2', { id: 'st-recent' }, 'Recent records'),
        h('code', { class: 'muted small st-sql' }, recentSql),
        h('span', { class: 'spacer' }),
        h('button', { 'data-testid': 'recent-refresh', onclick: () => void loadRecent() }, '⟳ Refresh'),
      ),
      recentHost,
    ),
    h(
      'section',
      { class: 'st-section card', 'aria-labelledby': 'st-dead' },
      h(
        'div',
        { class: 'toolbar' },
        h('h2', { id: 'st-dead' }, 'Dead letters'),
        h('code', { class: 'muted small st-sql' }, '_errors'),
        h('span', { class: 'spacer' }),
        h('button', { 'data-testid': 'dead-refresh', onclick: () => void loadDead() }, '⟳ Refresh'),
      ),
      deadHost,
    ),
  );
  buildCharts();
  reloadMetrics();
  applyRefresh();
  await loadInfo();
  await Promise.all([loadRecent(), loadDead()]);
  return () => {
    controller.abort();
    window.clearInterval(refreshTimer);
    for (const v of views) v.dispose();
  };
}
