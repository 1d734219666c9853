// Live metrics (CloudWatch): #/metrics lists the store's dashboards,
// #/metrics/<name> draws one (its body's widgets on CloudWatch's 24-column
// grid, a time range, auto refresh, live data over GET /v1/metrics/live), and
// #/metrics?view=browse is the metrics browser (namespace → metric →
// dimensions, stat and period, graphed, added to a dashboard).
import './metrics.css';
import { h, errorBanner, describeError, toast, formatBytes } from '../ui';
import type { PageContext, Cleanup } from '../page';
import { kPalette } from '../charts';
import {
  parseDashboard,
  appendWidget,
  removeWidget,
  metricArray,
  defaultLabel,
  type Dashboard,
  type MetricLine,
  type MetricWidget,
} from '../metrics/dashboard';
import { listDashboards, getDashboardBody, putDashboard, deleteDashboard, listMetrics, kStats, type MetricId } from '../metrics/client';
import { MetricWidgetView, textWidget, otherWidget } from '../metrics/widgets';
import { LiveManager } from '../metrics/live';
import { rangeBar, type RangeBarState } from '../metrics/controls';
import { dashboardRange, rangeFromParams, rangeToParams, kRefreshChoices, kPeriods, formatPeriod, autoPeriod, rangeSeconds } from '../metrics/time';

const kNamePattern = /^[A-Za-z0-9_-]{1,255}$/;

export async function render(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const name = context.params[0];
  if (name !== undefined) return renderDashboard(root, context, name);
  if (context.query.get('view') === 'browse') return renderBrowser(root, context);
  return renderList(root, context);
}

function tabs(active: 'dashboards' | 'browse'): HTMLElement {
  return h(
    'nav',
    { class: 'cw-tabs', 'aria-label': 'Metrics views' },
    h('a', { href: '#/metrics', class: active === 'dashboards' ? 'active' : '', 'aria-current': active === 'dashboards' ? 'page' : null }, 'Dashboards'),
    h('a', { href: '#/metrics?view=browse', class: active === 'browse' ? 'active' : '', 'aria-current': active === 'browse' ? 'page' : null, 'data-testid': 'tab-browse' }, 'All metrics'),
  );
}

// ---------------------------------------------------------------- the list

async function renderList(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const status = h('div');
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading dashboards…'));
  const nameInput = h('input', { id: 'new-dashboard', placeholder: 'my-dashboard', pattern: '[A-Za-z0-9_-]{1,255}', required: true, 'data-testid': 'new-dashboard-name' });
  const createForm = h(
    'form',
    { class: 'row cw-create' },
    h('label', { for: 'new-dashboard', class: 'sr-only' }, 'New dashboard name'),
    nameInput,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-dashboard' }, 'Create dashboard'),
  );
  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!kNamePattern.test(name)) {
      status.replaceChildren(errorBanner('A dashboard name is 1 to 255 of A-Z a-z 0-9 _ -.'));
      return;
    }
    putDashboard(name, JSON.stringify({ widgets: [] })).then(
      () => context.navigate(`metrics/${encodeURIComponent(name)}`),
      (e: unknown) => status.replaceChildren(errorBanner(describeError(e))),
    );
  });
  root.append(
    h('div', { class: 'cw-header' }, h('h1', {}, 'Metrics'), tabs('dashboards')),
    h('div', { class: 'card' }, h('div', { class: 'toolbar' }, h('h2', {}, 'Dashboards'), h('span', { class: 'spacer' }), createForm), status, body),
  );
  const controller = new AbortController();
  const load = async (): Promise<void> => {
    try {
      const entries = await listDashboards(controller.signal);
      if (entries.length === 0) {
        body.replaceChildren(
          h('div', { class: 'cw-empty', 'data-testid': 'dashboards-empty' }, h('p', {}, 'No dashboards yet.'), h('p', { class: 'muted' }, 'Create one above, or start from ', h('a', { href: '#/metrics?view=browse' }, 'all metrics'), '.')),
        );
        return;
      }
      const rows = entries
        .sort((a, b) => a.DashboardName.localeCompare(b.DashboardName))
        .map((e) => {
          const del = h('button', { class: 'ghost danger small-btn', 'data-testid': `delete-${e.DashboardName}` }, 'Delete');
          del.addEventListener('click', () => {
            if (del.dataset['confirm'] !== '1') {
              del.dataset['confirm'] = '1';
              del.textContent = 'Confirm delete';
              return;
            }
            deleteDashboard(e.DashboardName).then(
              () => {
                toast(`Deleted ${e.DashboardName}`);
                void load();
              },
              (err: unknown) => status.replaceChildren(errorBanner(describeError(err))),
            );
          });
          return h(
            'tr',
            { 'data-testid': `dashboard-row-${e.DashboardName}` },
            h('td', {}, h('a', { href: `#/metrics/${encodeURIComponent(e.DashboardName)}` }, e.DashboardName)),
            h('td', {}, new Date(e.LastModified * 1000).toLocaleString()),
            h('td', { class: 'num' }, formatBytes(e.Size)),
            h('td', {}, del),
          );
        });
      body.replaceChildren(
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'grid', 'data-testid': 'dashboards' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Last modified'), h('th', { scope: 'col' }, 'Size'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
            h('tbody', {}, ...rows),
          ),
        ),
      );
    } catch (e) {
      if (controller.signal.aborted) return;
      body.replaceChildren(errorBanner(describeError(e)));
    }
  };
  await load();
  return () => controller.abort();
}

// ---------------------------------------------------------------- a dashboard

function initialState(context: PageContext, dashboard: Dashboard | null, anyLive: boolean): RangeBarState {
  const range = rangeFromParams(context.query) ?? (dashboard === null ? null : dashboardRange(dashboard.start, dashboard.end)) ?? { kind: 'relative', seconds: 3 * 3600 };
  const refreshParam = context.query.get('refresh');
  const refresh = kRefreshChoices.some((c) => c.id === refreshParam) && refreshParam !== null ? refreshParam : 'off';
  const liveParam = context.query.get('live');
  const live = range.kind === 'relative' && (liveParam === null ? anyLive : liveParam === '1');
  return { range, refresh, live };
}

function stateParams(state: RangeBarState, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ ...extra, ...rangeToParams(state.range) });
  if (state.refresh !== 'off') q.set('refresh', state.refresh);
  if (state.live !== undefined) q.set('live', state.live ? '1' : '0');
  return q.toString();
}

// Keeps the state in the URL without re-rendering the page.
function replaceHash(route: string, query: string): void {
  history.replaceState(null, '', `#/${route}${query === '' ? '' : `?${query}`}`);
}

async function renderDashboard(root: HTMLElement, context: PageContext, name: string): Promise<Cleanup | undefined> {
  const route = `metrics/${encodeURIComponent(name)}`;
  const status = h('div');
  const header = h('div', { class: 'cw-header' }, h('a', { href: '#/metrics', class: 'muted small' }, '‹ Dashboards'), h('h1', { 'data-testid': 'dashboard-name' }, name));
  root.append(header, status);
  let body: string;
  try {
    body = await getDashboardBody(name);
  } catch (e) {
    status.append(errorBanner(describeError(e)));
    return undefined;
  }
  let dashboard: Dashboard;
  try {
    dashboard = parseDashboard(body);
  } catch (e) {
    status.append(errorBanner(`This dashboard's body cannot be drawn: ${describeError(e)}`));
    dashboard = { widgets: [] };
  }
  const metricWidgets = dashboard.widgets.filter((w): w is MetricWidget => w.type === 'metric');
  let state = initialState(context, dashboard, metricWidgets.some((w) => w.liveData));
  const live = new LiveManager();
  const liveStatus = h('div', { class: 'muted small cw-live-status', 'data-testid': 'live-status' });
  const views: MetricWidgetView[] = [];
  let refreshTimer = 0;

  const saveBody = async (next: string, message: string): Promise<boolean> => {
    try {
      await putDashboard(name, next);
      toast(message);
      return true;
    } catch (e) {
      status.replaceChildren(errorBanner(describeError(e)));
      return false;
    }
  };

  const grid = h('div', { class: 'cw-grid', 'data-testid': 'dashboard-grid' });
  dashboard.widgets.forEach((w, index) => {
    if (w.type === 'text') {
      grid.append(textWidget(w, index));
      return;
    }
    if (w.type === 'other') {
      grid.append(otherWidget(w, index));
      return;
    }
    const remove = h('button', { class: 'ghost icon small-btn', title: 'Remove this widget', 'aria-label': `Remove widget ${index + 1}` }, '✕');
    remove.addEventListener('click', () => {
      // Two clicks: the first asks.
      if (remove.dataset['confirm'] !== '1') {
        remove.dataset['confirm'] = '1';
        remove.textContent = 'Remove?';
        remove.classList.remove('icon');
        remove.classList.add('danger');
        window.setTimeout(() => {
          remove.dataset['confirm'] = '';
          remove.textContent = '✕';
          remove.classList.add('icon');
          remove.classList.remove('danger');
        }, 4000);
        return;
      }
      void saveBody(removeWidget(body, index), 'Widget removed').then((ok) => {
        if (ok) context.navigate(`${route}?${stateParams(state)}`, true);
      });
    });
    const view = new MetricWidgetView(w, { index, range: () => state.range, titleActions: [remove] });
    views.push(view);
    grid.append(view.element);
  });
  if (dashboard.widgets.length === 0) {
    grid.append(
      h(
        'div',
        { class: 'cw-empty card', style: 'grid-column: 1 / -1' },
        h('p', {}, 'This dashboard has no widgets yet.'),
        h('a', { href: `#/metrics?view=browse&dashboard=${encodeURIComponent(name)}` }, 'Add metrics from the metrics browser'),
      ),
    );
  }

  const reloadAll = (): void => {
    for (const v of views) void v.load();
  };
  const applyLive = (): void => {
    if (state.live === true && state.range.kind === 'relative') {
      live.start(views, (text) => (liveStatus.textContent = text));
    } else {
      live.stop(views);
      liveStatus.textContent = '';
    }
  };
  const applyRefresh = (): void => {
    window.clearInterval(refreshTimer);
    refreshTimer = 0;
    const ms = kRefreshChoices.find((c) => c.id === state.refresh)?.ms ?? 0;
    if (ms > 0) refreshTimer = window.setInterval(reloadAll, ms);
  };
  const bar = rangeBar(
    state,
    (next) => {
      const rangeChanged = JSON.stringify(next.range) !== JSON.stringify(state.range);
      if (next.range.kind === 'absolute') next.live = false;
      state = next;
      bar.update(state);
      replaceHash(route, stateParams(state));
      if (rangeChanged) reloadAll();
      applyLive();
      applyRefresh();
    },
    reloadAll,
  );

  // Actions: add metrics, edit the body (JSON), delete.
  const sourcePanel = h('div', { class: 'card cw-source', hidden: true });
  const editSource = (): void => {
    if (!sourcePanel.hidden) {
      sourcePanel.hidden = true;
      return;
    }
    let pretty = body;
    try {
      pretty = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // Shown as stored.
    }
    const area = h('textarea', { class: 'code', id: 'dashboard-source', rows: 18, spellcheck: 'false', 'data-testid': 'source-text' });
    area.value = pretty;
    const panelStatus = h('div');
    const save = h('button', { class: 'primary', 'data-testid': 'source-save', title: 'Save (Ctrl+Enter)' }, 'Save');
    const doSave = (): void => {
      panelStatus.replaceChildren(h('span', { class: 'muted' }, 'Saving…'));
      putDashboard(name, area.value).then(
        () => {
          toast('Dashboard saved');
          context.navigate(`${route}?${stateParams(state)}`, true);
        },
        (e: unknown) => panelStatus.replaceChildren(errorBanner(describeError(e))),
      );
    };
    save.addEventListener('click', doSave);
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        doSave();
      }
    });
    sourcePanel.replaceChildren(
      h('label', { for: 'dashboard-source' }, 'Dashboard body (CloudWatch JSON)'),
      area,
      h('div', { class: 'toolbar' }, save, h('button', { onclick: () => (sourcePanel.hidden = true) }, 'Cancel')),
      panelStatus,
    );
    sourcePanel.hidden = false;
    area.focus();
  };
  const del = h('button', { class: 'danger', 'data-testid': 'delete-dashboard' }, 'Delete');
  del.addEventListener('click', () => {
    if (del.dataset['confirm'] !== '1') {
      del.dataset['confirm'] = '1';
      del.textContent = 'Confirm delete';
      return;
    }
    deleteDashboard(name).then(
      () => {
        toast(`Deleted ${name}`);
        context.navigate('metrics');
      },
      (e: unknown) => status.replaceChildren(errorBanner(describeError(e))),
    );
  });
  header.append(
    h('span', { class: 'spacer' }),
    h('a', { class: 'button', href: `#/metrics?view=browse&dashboard=${encodeURIComponent(name)}`, 'data-testid': 'add-metrics' }, '+ Add metrics'),
    h('button', { onclick: editSource, 'data-testid': 'edit-source' }, 'Edit source'),
    del,
  );
  root.append(h('div', { class: 'cw-sticky' }, bar.element, liveStatus), sourcePanel, grid);
  replaceHash(route, stateParams(state));
  reloadAll();
  applyLive();
  applyRefresh();
  return () => {
    live.stop();
    window.clearInterval(refreshTimer);
    for (const v of views) v.dispose();
  };
}

// ---------------------------------------------------------------- the browser

interface Picked {
  metric: MetricId;
  stat: string;
  period: number; // 0: automatic, from the range
  label: string;
  color: string;
}

function metricKey(m: MetricId): string {
  const dims = [...m.Dimensions].sort((a, b) => a.Name.localeCompare(b.Name));
  return JSON.stringify([m.Namespace, m.MetricName, dims.map((d) => [d.Name, d.Value])]);
}

function dimensionText(m: MetricId): string {
  return m.Dimensions.length === 0 ? '(no dimensions)' : m.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(', ');
}

async function renderBrowser(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const target = context.query.get('dashboard') ?? '';
  let state: RangeBarState = {
    range: rangeFromParams(context.query) ?? { kind: 'relative', seconds: 900 },
    refresh: 'off',
    live: context.query.get('live') === '1',
  };
  let namespace = context.query.get('namespace') ?? '';
  let search = context.query.get('q') ?? '';
  let defaultStat = 'Average';
  let all: MetricId[] = [];
  const picked = new Map<string, Picked>();
  const live = new LiveManager();
  let view: MetricWidgetView | null = null;
  let refreshTimer = 0;

  const status = h('div');
  const nsList = h('ul', { class: 'cw-ns-list', 'data-testid': 'browser-namespaces' });
  const searchInput = h('input', { type: 'search', id: 'metric-search', placeholder: 'Search metric or dimension', value: search, 'data-testid': 'browser-search' });
  const metricList = h('div', { class: 'cw-metric-list', 'data-testid': 'browser-metrics' });
  const graphHost = h('div', { class: 'cw-browser-graph' });
  const pickedHost = h('div');
  const addHost = h('div');
  const liveStatus = h('div', { class: 'muted small cw-live-status' });

  const syncUrl = (): void => {
    const extra: Record<string, string> = { view: 'browse' };
    if (target !== '') extra['dashboard'] = target;
    if (namespace !== '') extra['namespace'] = namespace;
    if (search !== '') extra['q'] = search;
    replaceHash('metrics', stateParams(state, extra));
  };

  const lines = (): MetricLine[] => {
    const metrics = [...picked.values()].map((p) => p.metric);
    const named = metrics.map((m) => ({ name: m.MetricName, dimensions: m.Dimensions }));
    return [...picked.values()].map((p, i) => ({
      id: `m${i + 1}`,
      namespace: p.metric.Namespace,
      name: p.metric.MetricName,
      dimensions: p.metric.Dimensions,
      stat: p.stat,
      period: p.period === 0 ? autoPeriod(rangeSeconds(state.range)) : p.period,
      label: p.label !== '' ? p.label : defaultLabel(p.metric.MetricName, p.metric.Dimensions, named),
      color: p.color,
      visible: true,
    }));
  };

  const rebuildGraph = (): void => {
    live.stop();
    view?.dispose();
    view = null;
    const ls = lines();
    if (ls.length === 0) {
      graphHost.replaceChildren(h('div', { class: 'cw-empty card', 'data-testid': 'browser-empty' }, h('p', {}, 'Pick metrics on the left to graph them.'), h('p', { class: 'muted' }, 'Choose a namespace, then tick metrics; set each one’s statistic and period below.')));
      liveStatus.textContent = '';
      return;
    }
    const widget: MetricWidget = { type: 'metric', x: 0, y: 0, width: 24, height: 8, title: 'Graphed metrics', view: 'timeSeries', stacked: false, liveData: false, lines: ls };
    view = new MetricWidgetView(widget, { index: 0, testid: 'browser-graph', range: () => state.range, placed: false });
    graphHost.replaceChildren(view.element);
    void view.load();
    if (state.live === true && state.range.kind === 'relative') live.start([view], (t) => (liveStatus.textContent = t));
    else liveStatus.textContent = '';
  };

  const drawPicked = (): void => {
    if (picked.size === 0) {
      pickedHost.replaceChildren();
      addHost.hidden = true;
      return;
    }
    addHost.hidden = false;
    const rows = [...picked.entries()].map(([key, p], i) => {
      const stat = h('select', { 'aria-label': `Statistic of ${p.metric.MetricName}`, 'data-testid': `picked-stat-${i}` }, ...kStats.map((s) => h('option', { value: s }, s)));
      stat.value = p.stat;
      stat.addEventListener('change', () => {
        p.stat = stat.value;
        rebuildGraph();
      });
      const period = h(
        'select',
        { 'aria-label': `Period of ${p.metric.MetricName}`, 'data-testid': `picked-period-${i}` },
        h('option', { value: '0' }, 'auto'),
        ...kPeriods.map((s) => h('option', { value: String(s) }, formatPeriod(s))),
      );
      period.value = String(p.period);
      period.addEventListener('change', () => {
        p.period = Number(period.value);
        rebuildGraph();
      });
      const label = h('input', { 'aria-label': `Label of ${p.metric.MetricName}`, value: p.label, placeholder: p.metric.MetricName, size: 14 });
      label.addEventListener('change', () => {
        p.label = label.value;
        rebuildGraph();
      });
      const color = h('input', { type: 'color', value: p.color, 'aria-label': `Color of ${p.metric.MetricName}` });
      color.addEventListener('change', () => {
        p.color = color.value;
        rebuildGraph();
      });
      return h(
        'tr',
        {},
        h('td', {}, color),
        h('td', {}, label),
        h('td', {}, p.metric.Namespace),
        h('td', {}, p.metric.MetricName),
        h('td', {}, dimensionText(p.metric)),
        h('td', {}, stat),
        h('td', {}, period),
        h(
          'td',
          {},
          h(
            'button',
            {
              class: 'ghost icon',
              'aria-label': `Remove ${p.metric.MetricName}`,
              onclick: () => {
                picked.delete(key);
                drawPicked();
                drawMetrics();
                rebuildGraph();
              },
            },
            '✕',
          ),
        ),
      );
    });
    pickedHost.replaceChildren(
      h(
        'div',
        { class: 'table-scroll cw-picked' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'picked' },
          h('thead', {}, h('tr', {}, ...['Color', 'Label', 'Namespace', 'Metric', 'Dimensions', 'Statistic', 'Period', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  };

  const toggle = (m: MetricId, on: boolean): void => {
    const key = metricKey(m);
    if (on) picked.set(key, { metric: m, stat: defaultStat, period: 0, label: '', color: kPalette[picked.size % kPalette.length] ?? '#1f77d0' });
    else picked.delete(key);
    drawPicked();
    rebuildGraph();
  };

  const drawNamespaces = (): void => {
    const counts = new Map<string, number>();
    for (const m of all) counts.set(m.Namespace, (counts.get(m.Namespace) ?? 0) + 1);
    const names = [...counts.keys()].sort();
    if (names.length === 0) {
      nsList.replaceChildren(h('li', { class: 'muted' }, 'No metrics with data in the last two weeks.'));
      return;
    }
    nsList.replaceChildren(
      ...names.map((ns) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              class: ns === namespace ? 'active' : '',
              'aria-pressed': String(ns === namespace),
              'data-testid': `browser-ns-${ns}`,
              onclick: () => {
                namespace = ns;
                syncUrl();
                drawNamespaces();
                drawMetrics();
              },
            },
            h('span', {}, ns),
            h('span', { class: 'badge scope' }, String(counts.get(ns) ?? 0)),
          ),
        ),
      ),
    );
  };

  const drawMetrics = (): void => {
    if (namespace === '') {
      metricList.replaceChildren(h('p', { class: 'muted small' }, 'Choose a namespace.'));
      return;
    }
    const needle = search.toLowerCase();
    const metrics = all
      .filter((m) => m.Namespace === namespace)
      .filter((m) => needle === '' || `${m.MetricName} ${dimensionText(m)}`.toLowerCase().includes(needle));
    // Grouped by the dimension names, as CloudWatch's browser does.
    const groups = new Map<string, MetricId[]>();
    for (const m of metrics) {
      const g = m.Dimensions.map((d) => d.Name).sort().join(', ') || 'Metrics with no dimensions';
      groups.set(g, [...(groups.get(g) ?? []), m]);
    }
    if (metrics.length === 0) {
      metricList.replaceChildren(h('p', { class: 'muted small', 'data-testid': 'browser-none' }, 'No metric matches.'));
      return;
    }
    metricList.replaceChildren(
      ...[...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([group, ms]) =>
          h(
            'fieldset',
            { class: 'cw-group' },
            h('legend', {}, group),
            ...ms
              .sort((a, b) => dimensionText(a).localeCompare(dimensionText(b)) || a.MetricName.localeCompare(b.MetricName))
              .map((m) => {
                const box = h('input', { type: 'checkbox' });
                box.checked = picked.has(metricKey(m));
                box.addEventListener('change', () => toggle(m, box.checked));
                return h(
                  'label',
                  {
                    class: 'cw-metric',
                    'data-testid': 'browser-metric',
                    'data-metric-name': m.MetricName,
                    'data-dimensions': dimensionText(m),
                  },
                  box,
                  h('span', { class: 'cw-metric-name' }, m.MetricName),
                  h('span', { class: 'muted small' }, m.Dimensions.map((d) => d.Value).join(' · ')),
                );
              }),
          ),
        ),
    );
  };

  searchInput.addEventListener('input', () => {
    search = searchInput.value;
    syncUrl();
    drawMetrics();
  });

  // Add to dashboard.
  const buildAdd = async (): Promise<void> => {
    let names: string[] = [];
    try {
      names = (await listDashboards()).map((d) => d.DashboardName).sort();
    } catch (e) {
      status.replaceChildren(errorBanner(describeError(e)));
    }
    const choice = h(
      'select',
      { id: 'add-dashboard', 'data-testid': 'add-dashboard' },
      h('option', { value: '' }, 'New dashboard…'),
      ...names.map((n) => h('option', { value: n }, n)),
    );
    choice.value = names.includes(target) ? target : '';
    const newName = h('input', { id: 'add-new-name', placeholder: 'new-dashboard', 'data-testid': 'add-new-name', value: names.includes(target) ? '' : target });
    const newWrap = h('div', {}, h('label', { for: 'add-new-name' }, 'New dashboard name'), newName);
    const syncChoice = (): void => {
      newWrap.hidden = choice.value !== '';
    };
    choice.addEventListener('change', syncChoice);
    syncChoice();
    const title = h('input', { id: 'add-title', placeholder: 'Widget title', 'data-testid': 'add-title' });
    const viewSelect = h(
      'select',
      { id: 'add-view', 'data-testid': 'add-view' },
      h('option', { value: 'line' }, 'Line'),
      h('option', { value: 'stacked' }, 'Stacked area'),
      h('option', { value: 'singleValue' }, 'Number'),
      h('option', { value: 'gauge' }, 'Gauge'),
      h('option', { value: 'bar' }, 'Bar'),
    );
    const liveBox = h('input', { type: 'checkbox', id: 'add-live' });
    const addStatus = h('div');
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'add-submit' }, 'Add to dashboard');
    const form = h(
      'form',
      { class: 'card cw-add' },
      h('h2', {}, 'Add these metrics to a dashboard'),
      h(
        'div',
        { class: 'cw-add-fields' },
        h('div', {}, h('label', { for: 'add-dashboard' }, 'Dashboard'), choice),
        newWrap,
        h('div', {}, h('label', { for: 'add-title' }, 'Widget title'), title),
        h('div', {}, h('label', { for: 'add-view' }, 'Widget type'), viewSelect),
        h('div', { class: 'cw-add-live' }, h('label', { for: 'add-live', class: 'cw-toggle' }, liveBox, 'Live data')),
        h('div', { class: 'cw-add-submit' }, submit),
      ),
      addStatus,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const dashboardName = choice.value !== '' ? choice.value : newName.value.trim();
      if (!kNamePattern.test(dashboardName)) {
        addStatus.replaceChildren(errorBanner('A dashboard name is 1 to 255 of A-Z a-z 0-9 _ -.'));
        return;
      }
      const ls = lines();
      const kind = viewSelect.value;
      const widget = {
        type: 'metric',
        width: kind === 'singleValue' || kind === 'gauge' ? 8 : 12,
        height: 6,
        properties: {
          view: kind === 'line' || kind === 'stacked' ? 'timeSeries' : kind,
          stacked: kind === 'stacked',
          metrics: [...picked.values()].map((p, i) =>
            metricArray({
              namespace: p.metric.Namespace,
              name: p.metric.MetricName,
              dimensions: p.metric.Dimensions,
              stat: p.stat,
              ...(p.period === 0 ? {} : { period: p.period }),
              label: p.label,
              color: ls[i]?.color ?? p.color,
            }),
          ),
          region: 'gamelake',
          stat: defaultStat,
          period: autoPeriod(rangeSeconds(state.range)),
          liveData: liveBox.checked,
          title: title.value.trim() || ls.map((l) => l.label).join(', '),
          ...(kind === 'gauge' ? { yAxis: { left: { min: 0, max: 100 } } } : {}),
        },
      };
      submit.disabled = true;
      addStatus.replaceChildren(h('span', { class: 'muted' }, 'Saving…'));
      const save = async (): Promise<void> => {
        let body = '';
        if (choice.value !== '') body = await getDashboardBody(dashboardName);
        await putDashboard(dashboardName, appendWidget(body, widget));
      };
      save().then(
        () => {
          toast(`Added to ${dashboardName}`);
          context.navigate(`metrics/${encodeURIComponent(dashboardName)}?${stateParams({ ...state, live: liveBox.checked })}`);
        },
        (e: unknown) => {
          submit.disabled = false;
          addStatus.replaceChildren(errorBanner(describeError(e)));
        },
      );
    });
    addHost.replaceChildren(form);
  };

  const statSelect = h('select', { id: 'browser-stat', 'aria-label': 'Statistic for newly picked metrics' }, ...kStats.map((s) => h('option', { value: s }, s)));
  statSelect.value = defaultStat;
  statSelect.addEventListener('change', () => {
    defaultStat = statSelect.value;
    for (const p of picked.values()) p.stat = defaultStat;
    drawPicked();
    rebuildGraph();
  });
  const applyRefresh = (): void => {
    window.clearInterval(refreshTimer);
    const ms = kRefreshChoices.find((c) => c.id === state.refresh)?.ms ?? 0;
    refreshTimer = ms > 0 ? window.setInterval(() => void view?.load(), ms) : 0;
  };
  const bar = rangeBar(
    state,
    (next) => {
      if (next.range.kind === 'absolute') next.live = false;
      state = next;
      bar.update(state);
      syncUrl();
      applyRefresh();
      rebuildGraph();
    },
    () => void view?.load(),
  );

  root.append(
    h('div', { class: 'cw-header' }, h('h1', {}, 'Metrics'), tabs('browse'), target !== '' ? h('span', { class: 'badge' }, `adding to ${target}`) : null),
    status,
    h(
      'div',
      { class: 'split' },
      h(
        'aside',
        { class: 'sidebar', 'aria-label': 'Metrics' },
        h('h2', {}, 'Namespaces'),
        nsList,
        h('label', { for: 'metric-search' }, 'Metrics'),
        searchInput,
        metricList,
      ),
      h(
        'div',
        { class: 'cw-browser-main' },
        h('div', { class: 'cw-sticky' }, bar.element, liveStatus),
        h('div', { class: 'toolbar' }, h('label', { for: 'browser-stat', class: 'inline' }, 'Statistic'), statSelect),
        graphHost,
        pickedHost,
        addHost,
      ),
    ),
  );
  nsList.replaceChildren(h('li', { class: 'muted' }, 'Loading…'));
  const controller = new AbortController();
  try {
    all = await listMetrics({}, controller.signal);
  } catch (e) {
    status.replaceChildren(errorBanner(describeError(e)));
  }
  drawNamespaces();
  drawMetrics();
  drawPicked();
  rebuildGraph();
  await buildAdd();
  drawPicked();
  syncUrl();
  return () => {
    controller.abort();
    live.stop();
    window.clearInterval(refreshTimer);
    view?.dispose();
  };
}
