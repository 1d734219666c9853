// Streaming apps: Kinesis Data Analytics' SQL editor over gamelake's /v1/apps
// (docs/api.md, docs/streaming.md). #/apps lists the applications with their
// state and throughput and creates new ones; #/apps/<name> edits one: its
// code (errors shown at line:column), source and schema discovery,
// destinations, reference data, start/stop/delete, and the rows of its
// in-application streams arriving live (KDA's "Real-time analytics" tab).
import './apps.css';
import { api, ApiError, streamEvents, type SseEvent } from '../api';
import type { Cleanup, PageContext } from '../page';
import { clear, describeError, errorBanner, formatCell, formatNumber, h, toast } from '../ui';
import { confirmDialog } from '../apps/confirm';
import { createCodeEditor, type Completion } from '../editor/code_editor';
import {
  filterTemplate,
  formatLag,
  LiveRows,
  liveColumns,
  offsetOf,
  parseDestination,
  parseErrorPosition,
  referenceName,
  tokenEnd,
} from '../apps/helpers';

// ---- The API's shapes (docs/api.md "Streaming applications") ----

interface SchemaColumn {
  name: string;
  sqlType: string;
  mapping: string;
}

interface AppDefinition {
  name: string;
  source: string;
  sql: string;
  input_schema: { columns: SchemaColumn[] };
  start_position: string;
  rowtime_field: string;
  destinations: string[];
  reference_data: { name: string; bytes: number }[];
  desired_state: string;
  version: number;
  code_version: number;
  created_at: string;
  updated_at: string;
}

interface AppStatus {
  state: 'RUNNING' | 'READY' | 'FAILED';
  last_error: string | null;
  records_in: number;
  rows_out: number;
  error_rows: number;
  next_record_id: number;
  lag_records: number;
  lag_seconds: number;
  state_bytes: number;
  live_subscribers: number;
  last_checkpoint_at: string | null;
}

interface AppStream {
  name: string;
  columns: { name: string; type: string }[];
}

interface App {
  application: AppDefinition;
  status: AppStatus;
  streams: AppStream[];
}

interface Discovery {
  source: string;
  input_schema: { columns: SchemaColumn[] };
  raw_records: string[];
}

const kPollMs = 1000;

function appPath(name: string): string {
  return `/v1/apps/${encodeURIComponent(name)}`;
}

function stateBadge(state: string, testid?: string): HTMLElement {
  const kind = state === 'RUNNING' ? 'ok' : state === 'FAILED' ? 'bad' : 'warn';
  return h('span', { class: `badge ${kind} app-state`, 'data-testid': testid ?? null }, state);
}

// ---- The SQL box ----

// A name as KDA's SQL needs it: always quoted (unquoted names are upper-cased).
function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface SqlBox {
  element: HTMLElement;
  getValue(): string;
  setValue(text: string): void;
  // line and column 1-based; message shown under the code.
  showError(line: number, column: number, message: string): void;
  clearError(): void;
  focus(): void;
}

// KDA's streaming SQL words, highlighted as keywords on top of SQL's own.
const kStreamingKeywords = ['STREAM', 'PUMP', 'ROWTIME', 'WINDOW', 'RANGE', 'ROWS', 'PRECEDING', 'FOLLOWING', 'STEP', 'FLOOR', 'TSDIFF', 'CURRENT_ROW_TIMESTAMP', 'SOURCE_SQL_STREAM_001', 'error_stream'];
const kStreamingWords = ['CREATE OR REPLACE STREAM', 'CREATE OR REPLACE PUMP', 'INSERT INTO', 'SELECT STREAM', 'WINDOW', 'OVER', 'RANGE INTERVAL', 'ROWS', 'PRECEDING', 'PARTITION BY', 'GROUP BY', 'STEP', 'FLOOR', 'ROWTIME', 'TSDIFF', 'WHERE', 'FROM', 'JOIN', 'LEFT JOIN', 'ON', 'AND', 'OR', 'CAST', 'COUNT', 'SUM', 'AVG', 'MIN', 'MAX'];

// The application's code editor: the shared SQL editor (src/editor/), with
// the streaming words highlighted and completion of the source's columns and
// the streams. Ctrl+Enter (⌘+Enter) runs `onRun`. An error is marked at its
// line:column, its token selected, and the message shown under the code.
export function makeSqlBox(options: {
  value: string;
  label: string;
  rows?: number;
  onRun?: () => void;
  runLabel?: string;
  testid?: string;
  completions?: () => Completion[];
}): SqlBox {
  const editor = createCodeEditor({
    value: options.value,
    ariaLabel: options.label,
    testid: options.testid ?? 'sql-editor',
    rows: options.rows ?? 16,
    extraKeywords: kStreamingKeywords,
    ...(options.onRun === undefined ? {} : { onRun: options.onRun }),
    completions: () => [
      ...(options.completions?.() ?? []),
      ...kStreamingWords.map((w): Completion => ({ label: w, insert: w, kind: 'keyword' })),
    ],
  });
  const hint = h('div', { class: 'sql-box-status muted small' }, options.onRun === undefined ? '' : `Ctrl+Enter: ${options.runLabel ?? 'save and run'} · Ctrl+Space: complete · Esc, Tab: leave the editor`);
  const element = h('div', { class: 'sql-box' }, editor.element, hint);
  return {
    element,
    getValue: () => editor.getValue(),
    setValue: (text: string) => editor.setValue(text),
    showError: (line: number, column: number, message: string) => {
      // The editor says "Line L, column C: ..." itself: drop the server's "L:C: ".
      editor.showError(line, column, message.replace(/^\s*\d+:\d+:\s*/, ''));
      const text = editor.getValue();
      const start = offsetOf(text, line, column);
      editor.textarea.focus();
      editor.textarea.setSelectionRange(start, Math.max(start, tokenEnd(text, start)));
    },
    clearError: () => editor.clearError(),
    focus: () => editor.focus(),
  };
}

// Shows a failed save where it belongs: at its line:column in the code when
// the message has one, else in the banner host.
function showSaveError(e: unknown, box: SqlBox, banner: HTMLElement): void {
  const position = e instanceof ApiError && e.status === 400 ? parseErrorPosition(e.message) : null;
  if (position !== null) {
    banner.replaceChildren();
    box.showError(position.line, position.column, position.message);
  } else {
    box.clearError();
    banner.replaceChildren(errorBanner(describeError(e)));
  }
}

// ---- Streams for the source inputs ----

async function streamNames(signal: AbortSignal): Promise<string[]> {
  const tables = await api<{ tables: { name: string }[] }>('/v1/catalog/tables', { signal });
  return tables.tables.map((t) => t.name).filter((n) => !n.startsWith('_')).sort();
}

function discoveryView(discovery: Discovery): HTMLElement {
  const columns = discovery.input_schema.columns;
  return h(
    'div',
    { class: 'discovery', 'data-testid': 'discovery' },
    h('h3', {}, `Schema of ${discovery.source}: ${columns.length} column${columns.length === 1 ? '' : 's'}`),
    h(
      'div',
      { class: 'table-scroll short' },
      h(
        'table',
        { class: 'grid', 'data-testid': 'discovered-columns' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'SQL type'), h('th', { scope: 'col' }, 'Mapping'))),
        h('tbody', {}, ...columns.map((c) => h('tr', {}, h('td', {}, c.name), h('td', {}, h('code', {}, c.sqlType)), h('td', {}, h('code', {}, c.mapping))))),
      ),
    ),
    h('h3', { class: 'raw-title' }, `Raw records (${Math.min(5, discovery.raw_records.length)} of the ${discovery.raw_records.length} sampled)`),
    h('div', { class: 'raw-records', 'data-testid': 'raw-records' }, ...discovery.raw_records.slice(0, 5).map((r) => h('pre', {}, r))),
  );
}

// ---- The list ----

function renderList(root: HTMLElement, context: PageContext): Cleanup {
  const abort = new AbortController();
  const status = h('div', { class: 'apps-status' });
  const body = h('tbody', {});
  const empty = h('div', { class: 'empty-state', hidden: true }, h('h2', {}, 'No streaming applications yet'), h('p', { class: 'muted' }, 'An application runs SQL over a stream as its records arrive, like Kinesis Data Analytics.'));
  const createHost = h('div', {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  let createOpen = false;

  const openCreate = (): void => {
    if (createOpen) return;
    createOpen = true;
    createHost.replaceChildren(createForm(context, abort.signal, () => {
      createOpen = false;
      createHost.replaceChildren();
    }));
  };

  const actionButtons = (app: App): HTMLElement => {
    const name = app.application.name;
    const running = app.status.state === 'RUNNING';
    const run = async (action: 'start' | 'stop'): Promise<void> => {
      try {
        await api(`${appPath(name)}/${action}`, { method: 'POST', signal: abort.signal });
        toast(`${name}: ${action === 'start' ? 'started' : 'stopped'}`);
        await load();
      } catch (e) {
        if (!abort.signal.aborted) toast(describeError(e), 'error');
      }
    };
    return h(
      'div',
      { class: 'row-actions' },
      running
        ? h('button', { class: 'ghost', onclick: () => void run('stop') }, 'Stop')
        : h('button', { class: 'ghost', onclick: () => void run('start') }, 'Start'),
      h('button', { class: 'ghost danger', 'aria-label': `Delete ${name}`, onclick: () => void deleteApp(name, abort.signal, () => void load()) }, 'Delete'),
    );
  };

  const load = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    try {
      const list = await api<{ apps: App[] }>('/v1/apps', { signal: abort.signal });
      status.replaceChildren();
      const apps = list.apps.slice().sort((a, b) => a.application.name.localeCompare(b.application.name));
      empty.hidden = apps.length > 0;
      body.replaceChildren(
        ...apps.map((app) =>
          h(
            'tr',
            { 'data-testid': `app-row-${app.application.name}` },
            h('td', {}, h('a', { href: `#/apps/${encodeURIComponent(app.application.name)}` }, app.application.name)),
            h('td', {}, stateBadge(app.status.state)),
            h('td', {}, app.application.source),
            h('td', { class: 'num' }, formatNumber(app.status.records_in)),
            h('td', { class: 'num' }, formatNumber(app.status.rows_out)),
            h('td', { class: app.status.error_rows > 0 ? 'num warn-text' : 'num' }, formatNumber(app.status.error_rows)),
            h('td', { class: 'num' }, formatLag(app.status.lag_seconds, app.status.lag_records)),
            h('td', { class: 'num' }, app.application.version),
            h('td', { class: 'muted' }, app.status.last_error ?? ''),
            h('td', {}, actionButtons(app)),
          ),
        ),
      );
      if (apps.length === 0) openCreate();
    } catch (e) {
      if (abort.signal.aborted) return;
      status.replaceChildren(errorBanner(describeError(e)));
    }
    if (!abort.signal.aborted) timer = setTimeout(() => void load(), kPollMs);
  };

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Streaming applications'), h('p', { class: 'muted' }, 'SQL over a stream\'s records as they arrive (Kinesis Data Analytics for SQL). Open an application to edit its code and watch its streams live.')),
      h('span', { class: 'spacer' }),
      h('button', { class: 'primary', 'data-testid': 'create-app', onclick: openCreate }, 'Create application'),
      h('button', { onclick: () => void load() }, 'Refresh'),
    ),
    createHost,
    status,
    h(
      'div',
      { class: 'card flush' },
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'apps-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Name', 'State', 'Source', 'Records in', 'Rows out', 'Error rows', 'Lag', 'Version', 'Last error', ''].map((c, i) => h('th', { scope: 'col', class: i >= 3 && i <= 7 ? 'num' : null }, c)),
            ),
          ),
          body,
        ),
      ),
      empty,
    ),
  );
  void load();
  return () => {
    abort.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}

async function deleteApp(name: string, signal: AbortSignal, done: () => void): Promise<void> {
  const sure = await confirmDialog({
    title: `Delete ${name}?`,
    body: 'The application stops, its live viewers are disconnected, and its definition and checkpoint are removed. This cannot be undone.',
    confirm: 'Delete',
  });
  if (!sure) return;
  try {
    await api(appPath(name), { method: 'DELETE', signal });
    toast(`Deleted ${name}`);
    done();
  } catch (e) {
    if (!signal.aborted) toast(describeError(e), 'error');
  }
}

function createForm(context: PageContext, signal: AbortSignal, close: () => void): HTMLElement {
  const nameInput = h('input', { id: 'app-name', required: true, pattern: '[A-Za-z0-9_.\\-]{1,128}', placeholder: 'my-filter', 'data-testid': 'new-app-name', autocomplete: 'off' });
  const sourceInput = h('input', { id: 'app-source', required: true, value: 'events', list: 'app-sources', 'data-testid': 'new-app-source', autocomplete: 'off' });
  const sources = h('datalist', { id: 'app-sources' });
  const startSelect = h(
    'select',
    { id: 'app-start', 'data-testid': 'new-app-start' },
    h('option', { value: 'now' }, 'Now: records from the moment it starts'),
    h('option', { value: 'earliest' }, 'Earliest: replay the retained records first'),
  );
  let template = filterTemplate([]);
  let discovered: SchemaColumn[] = [];
  const box = makeSqlBox({
    value: template,
    label: 'Application code',
    rows: 10,
    testid: 'new-app-sql',
    runLabel: 'create',
    onRun: () => form.requestSubmit(),
    completions: () => [
      ...discovered.map((c): Completion => ({ label: c.name, insert: quoteName(c.name), kind: 'column', detail: `SOURCE_SQL_STREAM_001 · ${c.sqlType}` })),
      { label: 'SOURCE_SQL_STREAM_001', insert: '"SOURCE_SQL_STREAM_001"', kind: 'stream' },
      { label: 'DESTINATION_SQL_STREAM', insert: '"DESTINATION_SQL_STREAM"', kind: 'stream' },
    ],
  });
  const discoverHost = h('div', {});
  const banner = h('div', {});
  const submit = h('button', { class: 'primary', type: 'submit', 'data-testid': 'new-app-submit' }, 'Create and start');

  const discover = async (): Promise<void> => {
    discoverHost.replaceChildren(h('p', { class: 'muted' }, 'Discovering the schema…'));
    try {
      const d = await api<Discovery>('/v1/apps/discover', { method: 'POST', body: { source: sourceInput.value.trim(), sample: 100 }, signal });
      discoverHost.replaceChildren(discoveryView(d));
      discovered = d.input_schema.columns;
      // A code still at its template follows the discovered columns.
      if (box.getValue() === template) {
        template = filterTemplate(d.input_schema.columns);
        box.setValue(template);
      }
    } catch (e) {
      if (!signal.aborted) discoverHost.replaceChildren(errorBanner(describeError(e)));
    }
  };

  const form = h(
    'form',
    { class: 'card create-app', 'data-testid': 'create-app-form', 'aria-label': 'Create application' },
    h('div', { class: 'panel-title' }, h('h2', {}, 'Create application'), h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'ghost', onclick: close }, 'Cancel')),
    h(
      'div',
      { class: 'form-grid' },
      h('div', {}, h('label', { for: 'app-name' }, 'Application name'), nameInput),
      h('div', {}, h('label', { for: 'app-source' }, 'Source stream (SOURCE_SQL_STREAM_001)'), h('div', { class: 'row tight' }, sourceInput, h('button', { type: 'button', 'data-testid': 'new-app-discover', onclick: () => void discover() }, 'Discover schema')), sources),
      h('div', {}, h('label', { for: 'app-start' }, 'Start position'), startSelect),
    ),
    discoverHost,
    h('label', {}, 'Application code (SQL)'),
    box.element,
    banner,
    h('div', { class: 'toolbar end' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    box.clearError();
    banner.replaceChildren();
    submit.disabled = true;
    api<App>('/v1/apps', {
      method: 'POST',
      body: { name, source: sourceInput.value.trim(), sql: box.getValue(), start_position: startSelect.value, start: true },
      signal,
    }).then(
      () => {
        toast(`Created ${name}`);
        context.navigate(`apps/${encodeURIComponent(name)}`);
      },
      (e: unknown) => {
        submit.disabled = false;
        if (!signal.aborted) showSaveError(e, box, banner);
      },
    );
  });
  streamNames(signal).then(
    (names) => sources.replaceChildren(...names.map((n) => h('option', { value: n }))),
    (e: unknown) => {
      if (!signal.aborted) banner.replaceChildren(errorBanner(`Listing the streams: ${describeError(e)}`));
    },
  );
  setTimeout(() => nameInput.focus(), 0);
  return form;
}

// ---- The editor ----

interface RefEntry {
  name: string;
  bytes: number;
  csv?: string; // present when uploaded here (the server keeps only the size)
}

async function renderEditor(root: HTMLElement, context: PageContext, name: string): Promise<Cleanup> {
  const abort = new AbortController();
  const signal = abort.signal;
  let app: App;
  try {
    app = await api<App>(appPath(name), { signal });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    root.append(
      h(
        'div',
        { class: 'card empty-state', 'data-testid': 'app-not-found' },
        h('h2', {}, `No application named ${name}`),
        errorBanner(describeError(e)),
        h('p', {}, h('a', { href: '#/apps' }, '‹ Back to the applications')),
      ),
    );
    return () => abort.abort();
  }
  let pollTimer: ReturnType<typeof setTimeout> | undefined;

  const banner = h('div', {});
  const stateHost = h('span', {});
  const versionText = h('span', { class: 'muted', 'data-testid': 'app-version' });
  const lastError = h('div', {});
  const kpis = {
    records_in: h('div', { class: 'kpi-small', 'data-testid': 'kpi-records-in' }),
    rows_out: h('div', { class: 'kpi-small', 'data-testid': 'kpi-rows-out' }),
    error_rows: h('div', { class: 'kpi-small', 'data-testid': 'kpi-error-rows' }),
    lag: h('div', { class: 'kpi-small', 'data-testid': 'kpi-lag' }),
    checkpoint: h('div', { class: 'kpi-small', 'data-testid': 'kpi-checkpoint' }),
  };
  const startButton = h('button', { 'data-testid': 'app-start', onclick: () => void startStop('start') }, 'Start');
  const stopButton = h('button', { 'data-testid': 'app-stop', onclick: () => void startStop('stop') }, 'Stop');
  const saveButton = h('button', { class: 'primary', 'data-testid': 'save-run', title: 'Ctrl+Enter', onclick: () => void saveAndRun() }, 'Save and run');
  const box = makeSqlBox({
    value: app.application.sql,
    label: 'Application code',
    rows: 9,
    onRun: () => void saveAndRun(),
    completions: () => [
      ...app.application.input_schema.columns.map((c): Completion => ({ label: c.name, insert: quoteName(c.name), kind: 'column', detail: `SOURCE_SQL_STREAM_001 · ${c.sqlType}` })),
      ...app.streams.flatMap((st) => st.columns.map((c): Completion => ({ label: c.name, insert: quoteName(c.name), kind: 'column', detail: `${st.name} · ${c.type}` }))),
      ...['SOURCE_SQL_STREAM_001', ...app.streams.map((st) => st.name)].map((n): Completion => ({ label: n, insert: quoteName(n), kind: 'stream' })),
    ],
  });

  // Source
  const sourceInput = h('input', { id: 'source', value: app.application.source, list: 'editor-sources', 'data-testid': 'app-source', autocomplete: 'off' });
  const sourceList = h('datalist', { id: 'editor-sources' });
  const discoverHost = h('div', {});

  // Destinations and reference data: edited here, sent by Save and run.
  let destinations = app.application.destinations.slice();
  let destinationsDirty = false;
  const destList = h('ul', { class: 'item-list', 'data-testid': 'destinations' });
  const destInput = h('input', { id: 'dest-add', placeholder: 'DESTINATION_SQL_STREAM=stream:filtered', 'data-testid': 'destination-input', autocomplete: 'off', list: 'dest-suggestions' });
  const destSuggestions = h('datalist', { id: 'dest-suggestions' });
  const destError = h('div', { class: 'field-error', role: 'alert' });
  let refs: RefEntry[] = app.application.reference_data.map((r) => ({ ...r }));
  let refsDirty = false;
  const refList = h('ul', { class: 'item-list', 'data-testid': 'reference-data' });
  const refFile = h('input', { type: 'file', id: 'ref-file', accept: '.csv,text/csv', 'data-testid': 'reference-file' });
  const refError = h('div', { class: 'field-error', role: 'alert' });
  const unsaved = h('span', { class: 'badge warn', hidden: true, 'data-testid': 'unsaved' }, 'unsaved changes');

  const markDirty = (): void => {
    unsaved.hidden = !(destinationsDirty || refsDirty || box.getValue() !== app.application.sql || sourceInput.value.trim() !== app.application.source);
  };

  const renderDestinations = (): void => {
    destList.replaceChildren(
      ...destinations.map((d, i) =>
        h(
          'li',
          {},
          h('code', { class: 'grow' }, d),
          h('button', {
            class: 'ghost icon',
            'aria-label': `Remove destination ${d}`,
            title: 'Remove',
            onclick: () => {
              destinations = destinations.filter((_, j) => j !== i);
              destinationsDirty = true;
              renderDestinations();
              markDirty();
            },
          }, '✕'),
        ),
      ),
    );
    if (destinations.length === 0) destList.append(h('li', { class: 'muted' }, 'None: rows are shown live and counted only.'));
  };
  const addDestination = (): void => {
    const parsed = parseDestination(destInput.value);
    if (typeof parsed === 'string') {
      destError.textContent = parsed;
      return;
    }
    destError.textContent = '';
    destinations.push(destInput.value.trim());
    destinationsDirty = true;
    destInput.value = '';
    renderDestinations();
    markDirty();
  };
  destInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addDestination();
    }
  });

  const renderRefs = (): void => {
    refList.replaceChildren(
      ...refs.map((r, i) =>
        h(
          'li',
          {},
          h('code', { class: 'grow' }, r.name),
          h('span', { class: 'muted small' }, `${formatNumber(r.bytes)} bytes${r.csv === undefined ? '' : ' · new'}`),
          h('button', {
            class: 'ghost icon',
            'aria-label': `Remove reference table ${r.name}`,
            title: 'Remove',
            onclick: () => {
              refs = refs.filter((_, j) => j !== i);
              refsDirty = true;
              renderRefs();
              markDirty();
            },
          }, '✕'),
        ),
      ),
    );
    if (refs.length === 0) refList.append(h('li', { class: 'muted' }, 'No reference tables.'));
  };
  refFile.addEventListener('change', () => {
    const file = refFile.files?.[0];
    if (file === undefined) return;
    file.text().then(
      (csv) => {
        const tableName = referenceName(file.name);
        refs = [...refs.filter((r) => r.name !== tableName), { name: tableName, bytes: file.size, csv }];
        refsDirty = true;
        refError.textContent = '';
        refFile.value = '';
        renderRefs();
        markDirty();
      },
      (e: unknown) => (refError.textContent = `Reading ${file.name}: ${describeError(e)}`),
    );
  });

  // The live view
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'In-application streams' });
  const liveCount = h('span', { 'data-testid': 'live-count' }, '0');
  const liveState = h('span', { class: 'live-state muted small', 'data-testid': 'live-state' });
  const liveHead = h('thead', {});
  const liveBody = h('tbody', {});
  const liveTable = h('table', { class: 'grid live-table', 'data-testid': 'live-rows' }, liveHead, liveBody);
  const liveEmpty = h('div', { class: 'muted live-empty' }, 'Waiting for rows…');
  const liveError = h('div', {});
  const pauseButton = h('button', { 'data-testid': 'live-pause', 'aria-pressed': 'false', onclick: () => togglePause() }, 'Pause');
  const rows = new LiveRows<Record<string, unknown>>(200);
  let selected = app.streams[0]?.name ?? '';
  let columns: string[] = [];
  let liveAbort: AbortController | null = null;
  let paused = false;
  let renderTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const renderLive = (): void => {
    renderTimer = undefined;
    liveCount.textContent = formatNumber(rows.received);
    if (paused) return;
    liveEmpty.hidden = rows.received > 0;
    liveBody.replaceChildren(
      ...rows.newestFirst.map((row) =>
        h('tr', {}, ...columns.map((c) => {
          const v = row[c];
          return h('td', { class: v === null || v === undefined ? 'null' : typeof v === 'number' ? 'num' : '' }, formatCell(v));
        })),
      ),
    );
  };
  const scheduleRender = (): void => {
    renderTimer ??= setTimeout(renderLive, 150);
  };
  const togglePause = (): void => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(paused));
    liveTable.classList.toggle('paused', paused);
    renderLive();
  };

  const subscribe = (stream: string, keepRows: boolean): void => {
    liveAbort?.abort();
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    const mine = new AbortController();
    liveAbort = mine;
    if (!keepRows) rows.clear();
    liveError.replaceChildren();
    const info = app.streams.find((s) => s.name === stream);
    columns = liveColumns(info?.columns ?? []);
    const numeric = new Set((info?.columns ?? []).filter((c) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|REAL|DOUBLE|DECIMAL|NUMERIC|FLOAT)/i.test(c.type)).map((c) => c.name));
    liveHead.replaceChildren(h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: numeric.has(c) ? 'num' : null, title: info?.columns.find((x) => x.name === c)?.type ?? (c === 'ROWTIME' ? 'TIMESTAMP' : null) }, c))));
    renderLive();
    if (stream === '') {
      liveState.textContent = '';
      return;
    }
    liveState.replaceChildren(h('span', { class: 'dot live' }), ` Live: ${stream}`);
    const onEvent = (event: SseEvent): void => {
      if (event.event === 'dropped') {
        liveState.textContent = 'The view fell behind and was disconnected; reconnecting…';
        return;
      }
      if (event.event !== 'message') return;
      try {
        rows.push(JSON.parse(event.data) as Record<string, unknown>);
      } catch (e) {
        liveError.replaceChildren(errorBanner(`A live row that is not JSON: ${describeError(e)}`));
        return;
      }
      scheduleRender();
    };
    const retry = (): void => {
      retryTimer = setTimeout(() => {
        if (!signal.aborted && liveAbort === mine) subscribe(stream, true);
      }, 2000);
    };
    streamEvents(`${appPath(name)}/streams/${encodeURIComponent(stream)}/live`, onEvent, mine.signal).then(
      () => {
        if (mine.signal.aborted) return;
        liveState.textContent = 'The stream ended (the application restarted or stopped); reconnecting…';
        retry();
      },
      (e: unknown) => {
        if (mine.signal.aborted) return;
        liveState.textContent = '';
        liveError.replaceChildren(errorBanner(`Live rows of ${stream}: ${describeError(e)}`));
        retry();
      },
    );
  };

  // Arrow keys move between the stream tabs (the ARIA tabs pattern).
  tabs.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const names = app.streams.map((s) => s.name);
    const at = names.indexOf(selected);
    const next = names[(at + (event.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length];
    if (next === undefined || next === selected) return;
    event.preventDefault();
    selected = next;
    renderTabs();
    subscribe(selected, false);
    tabs.querySelector<HTMLButtonElement>('.tab.active')?.focus();
  });

  const renderTabs = (): void => {
    tabs.replaceChildren(
      ...app.streams.map((s) =>
        h(
          'button',
          {
            role: 'tab',
            class: `tab${s.name === selected ? ' active' : ''}`,
            'aria-selected': String(s.name === selected),
            tabindex: s.name === selected ? 0 : -1,
            'data-testid': `stream-tab-${s.name}`,
            onclick: () => {
              if (s.name === selected) return;
              selected = s.name;
              renderTabs();
              subscribe(selected, false);
            },
          },
          s.name,
        ),
      ),
    );
    if (app.streams.length === 0) tabs.append(h('span', { class: 'muted' }, 'No in-application streams (the application is not running?)'));
  };

  const renderStatus = (): void => {
    const s = app.status;
    stateHost.replaceChildren(stateBadge(s.state, 'app-state'));
    versionText.textContent = `version ${app.application.version} · source ${app.application.source}`;
    kpis.records_in.replaceChildren(h('span', { class: 'kpi-small-value' }, formatNumber(s.records_in)), h('span', { class: 'muted' }, 'records in'));
    kpis.rows_out.replaceChildren(h('span', { class: 'kpi-small-value' }, formatNumber(s.rows_out)), h('span', { class: 'muted' }, 'rows out'));
    kpis.error_rows.replaceChildren(h('span', { class: `kpi-small-value${s.error_rows > 0 ? ' warn-text' : ''}` }, formatNumber(s.error_rows)), h('span', { class: 'muted' }, 'error rows'));
    kpis.lag.replaceChildren(h('span', { class: 'kpi-small-value' }, formatLag(s.lag_seconds, null)), h('span', { class: 'muted' }, `lag (${formatNumber(s.lag_records)} records)`));
    kpis.checkpoint.replaceChildren(h('span', { class: 'kpi-small-value small-text' }, s.last_checkpoint_at?.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? '—'), h('span', { class: 'muted' }, 'last checkpoint'));
    lastError.replaceChildren(s.last_error === null || s.last_error === '' ? '' : errorBanner(`${s.state === 'FAILED' ? 'FAILED: ' : 'Last error: '}${s.last_error}`));
    startButton.disabled = s.state === 'RUNNING';
    stopButton.disabled = s.state === 'READY';
    destSuggestions.replaceChildren(...app.streams.map((st) => h('option', { value: `${st.name}=` })));
  };

  const sameStreams = (a: AppStream[], b: AppStream[]): boolean =>
    a.length === b.length && a.every((s, i) => s.name === b[i]?.name && s.columns.map((c) => c.name).join() === b[i].columns.map((c) => c.name).join());

  // Re-reads the app; a change of its streams rebuilds the tabs and the live view.
  const refresh = async (): Promise<void> => {
    const next = await api<App>(appPath(name), { signal });
    const streamsChanged = !sameStreams(app.streams, next.streams);
    app = next;
    renderStatus();
    if (streamsChanged) {
      if (!app.streams.some((s) => s.name === selected)) selected = app.streams[0]?.name ?? '';
      renderTabs();
      subscribe(selected, false);
    }
  };

  const poll = (): void => {
    pollTimer = setTimeout(() => {
      refresh().then(
        () => {
          banner.replaceChildren();
          poll();
        },
        (e: unknown) => {
          if (signal.aborted) return;
          banner.replaceChildren(errorBanner(describeError(e)));
          poll();
        },
      );
    }, kPollMs);
  };

  async function startStop(action: 'start' | 'stop'): Promise<void> {
    try {
      await api(`${appPath(name)}/${action}`, { method: 'POST', signal });
      toast(`${name}: ${action === 'start' ? 'started' : 'stopped'}`);
      await refresh();
    } catch (e) {
      if (!signal.aborted) banner.replaceChildren(errorBanner(describeError(e)));
    }
  }

  async function saveAndRun(): Promise<void> {
    box.clearError();
    banner.replaceChildren();
    const body: Record<string, unknown> = { sql: box.getValue() };
    const source = sourceInput.value.trim();
    if (source !== app.application.source) body['source'] = source;
    if (destinationsDirty) body['destinations'] = destinations;
    if (refsDirty) {
      const missing = refs.filter((r) => r.csv === undefined).map((r) => r.name);
      if (missing.length > 0) {
        refError.textContent = `Reference tables are replaced together and the server keeps only their sizes: upload ${missing.join(', ')} again, or remove ${missing.length === 1 ? 'it' : 'them'}, before saving.`;
        return;
      }
      body['reference_data'] = refs.map((r) => ({ name: r.name, csv: r.csv ?? '' }));
    }
    saveButton.disabled = true;
    try {
      await api<App>(appPath(name), { method: 'PUT', body, signal });
      await api<App>(`${appPath(name)}/start`, { method: 'POST', signal });
      destinationsDirty = false;
      refsDirty = false;
      await refresh();
      destinations = app.application.destinations.slice();
      refs = app.application.reference_data.map((r) => ({ ...r }));
      renderDestinations();
      renderRefs();
      markDirty();
      toast(`Saved ${name} (version ${app.application.version}) and running`);
    } catch (e) {
      if (!signal.aborted) showSaveError(e, box, banner);
    } finally {
      saveButton.disabled = false;
    }
  }

  const discover = async (): Promise<void> => {
    discoverHost.replaceChildren(h('p', { class: 'muted' }, 'Discovering the schema…'));
    try {
      const d = await api<Discovery>('/v1/apps/discover', { method: 'POST', body: { source: sourceInput.value.trim(), sample: 100 }, signal });
      discoverHost.replaceChildren(discoveryView(d));
    } catch (e) {
      if (!signal.aborted) discoverHost.replaceChildren(errorBanner(describeError(e)));
    }
  };

  box.element.addEventListener('input', markDirty);
  sourceInput.addEventListener('input', markDirty);

  const schemaColumns = app.application.input_schema.columns;
  clear(root);
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('a', { href: '#/apps', class: 'back-link' }, '‹ Applications'),
      h('h1', { 'data-testid': 'app-name' }, name),
      stateHost,
      versionText,
      unsaved,
      h('span', { class: 'spacer' }),
      saveButton,
      startButton,
      stopButton,
      h('button', { class: 'danger', 'data-testid': 'app-delete', onclick: () => void deleteApp(name, signal, () => context.navigate('apps')) }, 'Delete'),
    ),
    banner,
    lastError,
    h('div', { class: 'kpi-strip' }, kpis.records_in, kpis.rows_out, kpis.error_rows, kpis.lag, kpis.checkpoint),
    h(
      'div',
      { class: 'editor-grid' },
      h(
        'div',
        { class: 'main-panels' },
        h('section', { class: 'panel', 'aria-label': 'Application code' }, h('div', { class: 'panel-title' }, 'Application code', h('span', { class: 'muted small' }, 'KDA SQL; errors are shown at their line and column')), box.element),
        h(
          'section',
          { class: 'panel live-panel', 'aria-label': 'Real-time analytics' },
          h('div', { class: 'panel-title' }, 'Real-time analytics', h('span', { class: 'spacer' }), liveState, h('span', { class: 'muted small', title: 'Newest first; the last 200 are kept' }, liveCount, ' rows received'), pauseButton, h('button', { class: 'ghost', onclick: () => { rows.clear(); renderLive(); } }, 'Clear')),
          tabs,
          liveError,
          h('div', { class: 'table-scroll live-scroll' }, liveTable),
          liveEmpty,
        ),
      ),
      h(
        'div',
        { class: 'side-panels' },
        h(
          'section',
          { class: 'panel', 'aria-label': 'Source' },
          h('div', { class: 'panel-title' }, 'Source'),
          h('label', { for: 'source' }, 'Stream read as SOURCE_SQL_STREAM_001'),
          h('div', { class: 'row tight' }, sourceInput, h('button', { 'data-testid': 'discover', onclick: () => void discover() }, 'Discover schema')),
          sourceList,
          h('p', { class: 'muted small' }, `Started from ${app.application.start_position}${app.application.rowtime_field === '' ? '; ROWTIME is the ingest time' : `; ROWTIME from "${app.application.rowtime_field}"`}. Input schema: ${schemaColumns.map((c) => c.name).join(', ')}.`),
          discoverHost,
        ),
        h(
          'section',
          { class: 'panel', 'aria-label': 'Destinations' },
          h('div', { class: 'panel-title' }, 'Destinations'),
          destList,
          h('label', { for: 'dest-add' }, 'Add: STREAM=metrics:NAMESPACE[,col=metric…] · STREAM=stream:NAME · STREAM=webhook:http://…'),
          h('div', { class: 'row tight' }, destInput, h('button', { 'data-testid': 'destination-add', onclick: addDestination }, 'Add')),
          destSuggestions,
          destError,
        ),
        h(
          'section',
          { class: 'panel', 'aria-label': 'Reference data' },
          h('div', { class: 'panel-title' }, 'Reference data'),
          refList,
          h('label', { for: 'ref-file' }, 'Upload a CSV (header line first); the table takes the file\'s name'),
          refFile,
          refError,
        ),
      ),
    ),
  );
  renderStatus();
  renderDestinations();
  renderRefs();
  renderTabs();
  subscribe(selected, false);
  poll();
  streamNames(signal).then(
    (names) => sourceList.replaceChildren(...names.map((n) => h('option', { value: n }))),
    (e: unknown) => {
      if (!signal.aborted) banner.replaceChildren(errorBanner(`Listing the streams: ${describeError(e)}`));
    },
  );
  return () => {
    abort.abort();
    liveAbort?.abort();
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    if (renderTimer !== undefined) clearTimeout(renderTimer);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
  };
}

export async function render(root: HTMLElement, context: PageContext): Promise<Cleanup> {
  const name = context.params[0];
  if (name === undefined || name === '') return renderList(root, context);
  return renderEditor(root, context, name);
}
