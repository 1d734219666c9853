// Analyses and dashboards (QuickSight): the list of saved analyses
// (#/analyses) and one analysis (#/analyses/<id>): a dataset, its fields and
// calculated fields, filters and a time range, and a grid of visuals. Each
// visual is one SQL query (src/analysis/query.ts) sent to POST /v1/query;
// the answer is shaped for ECharts (src/analysis/shape.ts). Analyses are kept
// by /v1/analyses; the lab's analysis also ships as ./analyses/lab.json.
import './analyses.css';
import { api, ApiError } from '../api';
import type { Chart } from '../charts';
import { kPalette } from '../palette';
import { h, describeError, download, errorBanner, formatBytes, pagedTable, toast } from '../ui';
import type { Cleanup, PageContext } from '../page';
import { FormulaError, kFunctions, quoteIdent } from '../analysis/formula';
import {
  DocumentError,
  idFromName,
  kAggregations,
  kFilterOps,
  kTimeGrains,
  kVisualTypes,
  newDocument,
  nextVisualId,
  toJson,
  validateDocument,
  type AnalysisDocument,
  type Aggregation,
  type Dataset,
  type Filter,
  type FilterOp,
  type TimePreset,
  type ValueSpec,
  type Visual,
  type VisualType,
} from '../analysis/model';
import { columnsSql, Fields, kAggLabels, missingWell, QueryError, visualQuery, type Column } from '../analysis/query';
import { formatValue, shapeVisual, type Shaped, type Theme } from '../analysis/shape';

interface QueryAnswer {
  columns: Column[];
  rows: unknown[][];
  elapsed_ms?: number;
  bytes_scanned?: number;
}

interface AnalysisSummary {
  id: string;
  name: string;
  updated_at: string;
  bytes: number;
}

// Analyses made with "New analysis" and not saved yet, by id.
const pending = new Map<string, AnalysisDocument>();

const kTypeNames: Record<VisualType, string> = {
  bar: 'Vertical bar chart',
  hbar: 'Horizontal bar chart',
  heatmap: 'Heat map',
  line: 'Line chart',
  area: 'Area chart',
  pie: 'Pie chart',
  kpi: 'KPI',
  table: 'Table',
  pivot: 'Pivot table',
};

const kTypeIcons: Record<VisualType, string> = {
  bar: '<rect x="2" y="8" width="3" height="6"/><rect x="6.5" y="3" width="3" height="11"/><rect x="11" y="6" width="3" height="8"/>',
  hbar: '<rect x="2" y="2" width="11" height="3"/><rect x="2" y="6.5" width="7" height="3"/><rect x="2" y="11" width="9" height="3"/>',
  heatmap: '<rect x="1" y="1" width="4" height="4" opacity=".3"/><rect x="6" y="1" width="4" height="4"/><rect x="11" y="1" width="4" height="4" opacity=".6"/><rect x="1" y="6" width="4" height="4" opacity=".8"/><rect x="6" y="6" width="4" height="4" opacity=".4"/><rect x="11" y="6" width="4" height="4"/><rect x="1" y="11" width="4" height="4" opacity=".5"/><rect x="6" y="11" width="4" height="4" opacity=".9"/><rect x="11" y="11" width="4" height="4" opacity=".3"/>',
  line: '<polyline points="1,13 5,7 9,10 15,3" fill="none" stroke="currentColor" stroke-width="2"/>',
  area: '<polygon points="1,15 1,12 5,6 9,9 15,3 15,15"/>',
  pie: '<path d="M8 1a7 7 0 1 0 7 7H8z" opacity=".6"/><path d="M9.5 0v6.5H16A6.5 6.5 0 0 0 9.5 0z"/>',
  kpi: '<text x="8" y="12.5" font-size="11" font-weight="700" text-anchor="middle" font-family="sans-serif">#</text>',
  table: '<rect x="1" y="2" width="14" height="3"/><rect x="1" y="6.5" width="14" height="2" opacity=".5"/><rect x="1" y="10" width="14" height="2" opacity=".5"/><rect x="1" y="13.5" width="14" height="1.5" opacity=".5"/>',
  pivot: '<rect x="1" y="1" width="14" height="3"/><rect x="1" y="1" width="4" height="14"/><rect x="6" y="5" width="9" height="10" opacity=".35"/>',
};

function typeIcon(type: VisualType): HTMLElement {
  const span = h('span', { class: 'an-icon', 'aria-hidden': 'true' });
  span.innerHTML = `<svg viewBox="0 0 16 16" width="16" height="16" fill="currentColor">${kTypeIcons[type]}</svg>`;
  return span;
}

function runQuery(sql: string, signal?: AbortSignal): Promise<QueryAnswer> {
  return api<QueryAnswer>('/v1/query', { method: 'POST', body: { sql }, ...(signal !== undefined ? { signal } : {}) });
}

// True when the server has no /v1/analyses at all (an older server): the
// router answers 404 with "no route".
function noAnalysesApi(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && /no route/i.test(e.message);
}

async function loadLabFile(): Promise<unknown> {
  const response = await fetch('./analyses/lab.json');
  if (!response.ok) throw new Error(`./analyses/lab.json: ${response.status} ${response.statusText}`);
  return response.json() as Promise<unknown>;
}

async function loadDocument(id: string): Promise<{ doc: AnalysisDocument; stored: boolean }> {
  const waiting = pending.get(id);
  if (waiting !== undefined) return { doc: waiting, stored: false };
  let raw: unknown;
  let stored = true;
  try {
    // `serve --demo` stores the lab's analysis; elsewhere "lab" may be
    // missing (404) and opens from the console's own copy below.
    raw = await api<unknown>(`/v1/analyses/${encodeURIComponent(id)}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    if (id !== 'lab') throw new Error(noAnalysesApi(e) ? `Cannot open "${id}": this server does not store analyses (no /v1/analyses).` : `There is no analysis "${id}". It may have been deleted.`, { cause: e });
    raw = await loadLabFile();
    stored = false;
  }
  const doc = validateDocument(raw);
  doc.id = id;
  return { doc, stored };
}

async function saveDocument(id: string, doc: AnalysisDocument): Promise<{ id: string; name: string; updated_at: string }> {
  return api(`/v1/analyses/${encodeURIComponent(id)}`, { method: 'PUT', body: toJson(doc) });
}

function parseImport(text: string): AnalysisDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DocumentError([`the file is not JSON: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return validateDocument(parsed);
}

function fileButton(label: string, testid: string, onFile: (text: string, name: string) => void): HTMLElement {
  const input = h('input', { type: 'file', accept: 'application/json,.json', class: 'sr-only', 'data-testid': `${testid}-file`, tabindex: -1, 'aria-hidden': 'true' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file === undefined) return;
    void file.text().then((text) => {
      input.value = '';
      onFile(text, file.name);
    });
  });
  const button = h('button', { type: 'button', 'data-testid': testid, onclick: () => input.click() }, label);
  return h('span', { class: 'an-file' }, button, input);
}

// A modal <dialog>; resolves with what `collect` answers when the primary
// button is pressed, or undefined when cancelled.
function modal<T>(title: string, body: HTMLElement, okLabel: string, collect: () => T | undefined, testid = 'dialog'): { dialog: HTMLDialogElement; result: Promise<T | undefined>; ok: HTMLButtonElement } {
  const ok = h('button', { type: 'submit', class: 'primary', 'data-testid': `${testid}-ok` }, okLabel);
  const cancel = h('button', { type: 'button', 'data-testid': `${testid}-cancel` }, 'Cancel');
  const form = h('form', { method: 'dialog' }, h('h2', {}, title), body, h('div', { class: 'an-dialog-buttons' }, cancel, ok));
  const dialog = h('dialog', { class: 'an-dialog', 'data-testid': testid, 'aria-label': title }, form);
  document.body.appendChild(dialog);
  const result = new Promise<T | undefined>((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = collect();
      if (value === undefined) return;
      dialog.close();
      resolve(value);
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(undefined);
    });
  });
  dialog.showModal();
  return { dialog, result, ok };
}

function confirmDialog(title: string, message: string, okLabel: string): Promise<boolean | undefined> {
  return modal<boolean>(title, h('p', {}, message), okLabel, () => true, 'confirm').result;
}

function askName(title: string, initial: string, okLabel: string): Promise<string | undefined> {
  const input = h('input', { id: 'an-name-input', value: initial, required: true, 'data-testid': 'name-input', autocomplete: 'off' });
  const body = h('div', {}, h('label', { for: 'an-name-input' }, 'Name'), input);
  const m = modal<string>(title, body, okLabel, () => (input.value.trim() === '' ? undefined : input.value.trim()), 'name-dialog');
  input.select();
  return m.result;
}

export async function render(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const id = context.params[0];
  if (id === undefined) return renderList(root, context);
  return renderAnalysis(root, context, id);
}

// ---- #/analyses: the list ----

async function importAndOpen(text: string, context: PageContext, status: HTMLElement): Promise<void> {
  status.replaceChildren();
  try {
    const doc = parseImport(text);
    const id = idFromName(doc.name);
    await saveDocument(id, doc);
    toast(`Imported "${doc.name}"`);
    context.navigate(`analyses/${encodeURIComponent(id)}`);
  } catch (e) {
    status.replaceChildren(errorBanner(`Import failed: ${describeError(e)}`));
  }
}

async function renderList(root: HTMLElement, context: PageContext): Promise<Cleanup | undefined> {
  const status = h('div', { class: 'an-messages' });
  const body = h('div', { class: 'card an-list', 'data-testid': 'analyses-list' }, h('p', { class: 'muted' }, 'Loading analyses…'));
  root.append(
    h(
      'div',
      { class: 'an-page-head' },
      h('div', {}, h('h1', {}, 'Analyses'), h('p', { class: 'muted small' }, 'Charts and tables over the lake, computed by SQL on the server (QuickSight analyses).')),
      h('span', { class: 'spacer' }),
      fileButton('Import JSON', 'import-json', (text) => void importAndOpen(text, context, status)),
      h(
        'button',
        {
          class: 'primary',
          'data-testid': 'new-analysis',
          onclick: () => {
            const doc = newDocument('Untitled analysis', { kind: 'table', name: 'events' });
            const id = idFromName('untitled');
            pending.set(id, doc);
            context.navigate(`analyses/${id}`);
          },
        },
        '+ New analysis',
      ),
    ),
    status,
    body,
  );
  const controller = new AbortController();
  const load = async (): Promise<void> => {
    let list: AnalysisSummary[];
    let apiMissing = false;
    try {
      list = (await api<{ analyses: AnalysisSummary[] }>('/v1/analyses', { signal: controller.signal })).analyses;
    } catch (e) {
      if (!noAnalysesApi(e)) {
        if (!controller.signal.aborted) body.replaceChildren(errorBanner(describeError(e)));
        return;
      }
      apiMissing = true;
      list = [{ id: 'lab', name: 'Serverless analytics lab (built in)', updated_at: '', bytes: 0 }];
    }
    if (!apiMissing && !list.some((a) => a.id === 'lab') && context.demo) {
      list.push({ id: 'lab', name: 'Serverless analytics lab (built in, not saved)', updated_at: '', bytes: 0 });
    }
    list.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.name.localeCompare(b.name));
    if (list.length === 0) {
      body.replaceChildren(
        h('div', { class: 'an-empty' }, h('h2', {}, 'No analyses yet'), h('p', { class: 'muted' }, 'Create one with New analysis, or import a JSON document exported from another gamelake.')),
      );
      return;
    }
    const rows = list.map((a) =>
      h(
        'tr',
        { 'data-testid': `analysis-row-${a.id}` },
        h('td', {}, h('a', { href: `#/analyses/${encodeURIComponent(a.id)}` }, a.name)),
        h('td', { class: 'muted' }, a.id),
        h('td', { class: 'muted' }, a.updated_at === '' ? '—' : new Date(a.updated_at).toLocaleString()),
        h('td', { class: 'num muted' }, a.bytes > 0 ? formatBytes(a.bytes) : '—'),
        h(
          'td',
          { class: 'an-actions' },
          h('button', { class: 'ghost', onclick: () => context.navigate(`analyses/${encodeURIComponent(a.id)}`) }, 'Open'),
          apiMissing || a.updated_at === ''
            ? null
            : h(
                'button',
                {
                  class: 'ghost danger',
                  'data-testid': `delete-${a.id}`,
                  onclick: () => {
                    void confirmDialog('Delete analysis', `Delete "${a.name}"? This cannot be undone.`, 'Delete').then(async (yes) => {
                      if (yes !== true) return;
                      try {
                        await api(`/v1/analyses/${encodeURIComponent(a.id)}`, { method: 'DELETE' });
                        toast(`Deleted "${a.name}"`);
                        await load();
                      } catch (e) {
                        toast(describeError(e), 'error');
                      }
                    });
                  },
                },
                'Delete',
              ),
        ),
      ),
    );
    body.replaceChildren(
      apiMissing ? h('p', { class: 'muted small' }, 'This server does not store analyses yet (no /v1/analyses): only the built-in lab analysis is available, and it cannot be saved.') : '',
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'grid' },
          h('thead', {}, h('tr', {}, ...['Name', 'ID', 'Updated', 'Size', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  };
  await load();
  return () => controller.abort();
}

// ---- #/analyses/<id>: one analysis ----

function themeFromCss(): Theme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return { palette: kPalette, text: v('--text', '#16191f'), muted: v('--muted', '#5f6b7a'), border: v('--border', '#d5dbe3') };
}

const kPresetLabels: Record<TimePreset, string> = {
  all: 'All time',
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom range (UTC)…',
};

// URL parameters that set the time range: ?time=1h, or ?from=...&to=... (UTC).
function timeFromQuery(doc: AnalysisDocument, query: URLSearchParams): void {
  const preset = query.get('time');
  const from = query.get('from');
  const to = query.get('to');
  if (from !== null || to !== null) {
    doc.timeRange = { field: doc.timeRange.field, preset: 'custom' };
    if (from !== null && from !== '') doc.timeRange.from = from;
    if (to !== null && to !== '') doc.timeRange.to = to;
  } else if (preset !== null && preset in kPresetLabels && preset !== 'custom') {
    doc.timeRange = { field: doc.timeRange.field, preset: preset as TimePreset };
  }
}

// ECharts (~220 KB gzipped) is loaded beside the analysis' queries, not
// before them: the page's module does not import it, and charts are drawn
// when both the rows and the library are there.
let chartsModule: Promise<typeof import('../charts')> | undefined;
function loadCharts(): Promise<typeof import('../charts')> {
  chartsModule ??= import('../charts');
  return chartsModule;
}

async function renderAnalysis(root: HTMLElement, context: PageContext, id: string): Promise<Cleanup | undefined> {
  void loadCharts();
  let loaded: { doc: AnalysisDocument; stored: boolean };
  try {
    loaded = await loadDocument(id);
  } catch (e) {
    root.append(
      h(
        'div',
        { class: 'card an-load-error' },
        h('h2', {}, 'This analysis cannot be opened'),
        errorBanner(describeError(e)),
        h('p', {}, h('a', { href: '#/analyses' }, '← All analyses')),
      ),
    );
    return undefined;
  }
  const editor = new AnalysisEditor(root, context, id, loaded.doc, loaded.stored);
  timeFromQuery(editor.doc, context.query);
  editor.mount();
  return () => editor.dispose();
}

class AnalysisEditor {
  private columns: Column[] = [];
  private columnsError: string | undefined;
  private fields: Fields;
  private selected: string | undefined;
  private dirty = false;
  private autoRetries = 0;
  private readonly charts = new Map<string, Chart>();
  private readonly running = new Map<string, AbortController>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly controller = new AbortController();
  private readonly nameInput: HTMLInputElement;
  private readonly dirtyBadge: HTMLElement;
  private readonly messages = h('div', { class: 'an-messages' });
  private readonly timeBar = h('div', { class: 'an-filterbar', 'data-testid': 'filter-bar' });
  private readonly side = h('aside', { class: 'an-side', 'aria-label': 'Dataset and fields' });
  private readonly grid = h('div', { class: 'an-grid', 'data-testid': 'visual-grid' });
  private readonly builder = h('aside', { class: 'an-builder', 'aria-label': 'Visual builder', 'data-testid': 'builder' });
  private readonly layout = h('div', { class: 'an-layout' });
  private readonly keydown = (event: KeyboardEvent): void => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void this.save();
    }
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly context: PageContext,
    private id: string,
    readonly doc: AnalysisDocument,
    private stored: boolean,
  ) {
    this.fields = new Fields([], doc.calculatedFields);
    this.nameInput = h('input', { class: 'an-name', value: doc.name, 'aria-label': 'Analysis name', 'data-testid': 'analysis-name' });
    this.nameInput.addEventListener('input', () => {
      const name = this.nameInput.value.trim();
      if (name !== '') {
        this.doc.name = name;
        document.title = `${name} · gamelake`;
        this.markDirty();
      }
    });
    this.dirtyBadge = h('span', { class: 'badge warn', 'data-testid': 'dirty', hidden: true }, 'Unsaved changes');
  }

  mount(): void {
    document.title = `${this.doc.name} · gamelake`;
    const head = h(
      'div',
      { class: 'an-head' },
      h('a', { href: '#/analyses', class: 'an-back', title: 'All analyses' }, '← Analyses'),
      this.nameInput,
      this.dirtyBadge,
      h('span', { class: 'spacer' }),
      h('button', { class: 'primary', 'data-testid': 'add-visual', onclick: () => this.addVisual() }, '+ Add visual'),
      h('button', { 'data-testid': 'refresh', title: 'Run every visual again', onclick: () => void this.refresh() }, '↻ Refresh'),
      h('button', { 'data-testid': 'export-json', onclick: () => this.exportJson() }, 'Export JSON'),
      fileButton('Import JSON', 'import-json', (text) => void importAndOpen(text, this.context, this.messages)),
      h('button', { 'data-testid': 'save-as', onclick: () => void this.saveAs() }, 'Save as…'),
      h('button', { class: 'an-save', 'data-testid': 'save', title: 'Save (Ctrl+S)', onclick: () => void this.save() }, 'Save'),
    );
    this.layout.append(this.side, h('section', { class: 'an-canvas' }, this.grid), this.builder);
    this.root.append(head, this.messages, this.timeBar, this.layout);
    window.addEventListener('keydown', this.keydown);
    if (!this.stored && this.id === 'lab' && !pending.has(this.id)) {
      this.messages.append(h('div', { class: 'an-note', 'data-testid': 'lab-file-note' }, 'The lab analysis from the console (./analyses/lab.json); Save stores it on the server.'));
    }
    this.renderTimeBar();
    this.renderBuilder();
    void this.loadColumns().then(() => this.renderGrid());
  }

  dispose(): void {
    this.controller.abort();
    for (const c of this.running.values()) c.abort();
    for (const t of this.timers) clearTimeout(t);
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
    window.removeEventListener('keydown', this.keydown);
    document.querySelectorAll('dialog.an-dialog').forEach((d) => d.remove());
  }

  private markDirty(): void {
    this.dirty = true;
    this.dirtyBadge.hidden = false;
    if (pending.has(this.id)) pending.set(this.id, this.doc);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  // ---- dataset and fields ----

  private async loadColumns(): Promise<void> {
    this.columnsError = undefined;
    this.renderSide(true);
    try {
      const answer = await runQuery(columnsSql(this.doc.dataset), this.controller.signal);
      this.columns = answer.columns;
    } catch (e) {
      if (this.controller.signal.aborted) return;
      this.columns = [];
      this.columnsError = describeError(e);
      // A view over a stream binds once the stream has a table (a fresh
      // --demo server's first seconds): try again a few times by itself.
      if (this.autoRetries < 3 && /does not exist/i.test(this.columnsError)) {
        this.autoRetries += 1;
        this.later(3000, () => void this.refresh());
      }
    }
    this.fields = new Fields(this.columns, this.doc.calculatedFields);
    this.renderSide(false);
    this.renderBuilder();
  }

  private datasetLabel(ds: Dataset): string {
    return ds.kind === 'sql' ? 'Custom SQL' : ds.name;
  }

  private renderSide(loading: boolean): void {
    const ds = this.doc.dataset;
    const select = h('select', { id: 'an-dataset', 'data-testid': 'dataset-select' });
    const current = ds.kind === 'sql' ? 'sql:' : `${ds.kind}:${ds.name}`;
    const tablesGroup = h('optgroup', { label: 'Tables' });
    const viewsGroup = h('optgroup', { label: 'Views' });
    select.append(tablesGroup, viewsGroup, h('option', { value: 'sql:' }, 'Custom SQL…'));
    const addOption = (group: HTMLElement, kind: string, name: string): void => {
      if (select.querySelector(`option[value="${CSS.escape(`${kind}:${name}`)}"]`) !== null) return;
      group.append(h('option', { value: `${kind}:${name}` }, name));
    };
    if (ds.kind !== 'sql') addOption(ds.kind === 'table' ? tablesGroup : viewsGroup, ds.kind, ds.name);
    select.value = current;
    void Promise.all([
      api<{ tables: { name: string }[] }>('/v1/catalog/tables', { signal: this.controller.signal }),
      api<{ views: { name: string }[] }>('/v1/catalog/views', { signal: this.controller.signal }),
    ]).then(
      ([tables, views]) => {
        for (const t of tables.tables) addOption(tablesGroup, 'table', t.name);
        for (const v of views.views) addOption(viewsGroup, 'view', v.name);
        select.value = current;
      },
      (e: unknown) => {
        if (!this.controller.signal.aborted) toast(`Cannot list tables and views: ${describeError(e)}`, 'error');
      },
    );
    const sqlBox = h('textarea', { class: 'code an-sql', rows: 5, 'aria-label': 'Dataset SQL', 'data-testid': 'dataset-sql', spellcheck: 'false' }, ds.kind === 'sql' ? ds.sql : '');
    const sqlApply = h('button', { 'data-testid': 'dataset-sql-apply' }, 'Use this SQL');
    const sqlArea = h('div', { class: 'an-sql-area', hidden: ds.kind !== 'sql' }, sqlBox, h('div', { class: 'row' }, sqlApply, h('span', { class: 'muted small' }, 'Ctrl+Enter')));
    const applySql = (): void => {
      const sql = sqlBox.value.trim();
      if (sql === '') return;
      this.setDataset({ kind: 'sql', sql });
    };
    sqlApply.addEventListener('click', applySql);
    sqlBox.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        applySql();
      }
    });
    select.addEventListener('change', () => {
      const [kind = '', ...rest] = select.value.split(':');
      const name = rest.join(':');
      if (kind === 'sql') {
        sqlArea.hidden = false;
        sqlBox.focus();
        return;
      }
      sqlArea.hidden = true;
      this.setDataset({ kind: kind === 'view' ? 'view' : 'table', name });
    });

    const fieldItems: HTMLElement[] = [];
    for (const c of this.columns) {
      fieldItems.push(this.fieldItem(c.name, c.type.toLowerCase(), false));
    }
    const calcItems = this.doc.calculatedFields.map((cf) => {
      let kind = 'calculated';
      let error: string | undefined;
      try {
        const info = this.fields.get(cf.name);
        kind = info?.aggregate === true ? 'aggregate' : 'calculated';
      } catch (e) {
        error = describeError(e);
      }
      const item = this.fieldItem(cf.name, error !== undefined ? 'error' : kind, true, error ?? `${cf.name} = ${cf.formula} (${kind})`);
      item.append(
        h('button', { class: 'ghost tiny', title: `Edit ${cf.name}`, 'aria-label': `Edit ${cf.name}`, 'data-testid': `edit-calc-${cf.name}`, onclick: () => this.calcDialog(cf) }, '✎'),
        h('button', { class: 'ghost tiny', title: `Remove ${cf.name}`, 'aria-label': `Remove ${cf.name}`, onclick: () => this.removeCalc(cf.name) }, '✕'),
      );
      return item;
    });
    this.side.replaceChildren(
      h('div', { class: 'an-side-section' }, h('label', { for: 'an-dataset' }, 'Dataset'), select, sqlArea),
      this.columnsError !== undefined ? this.datasetError(this.columnsError) : '',
      h(
        'div',
        { class: 'an-side-section' },
        h('div', { class: 'an-side-title' }, h('span', {}, 'Fields'), h('span', { class: 'muted small' }, loading ? 'loading…' : `${this.columns.length}`)),
        h('ul', { class: 'an-fields', 'data-testid': 'field-list' }, ...fieldItems),
        h('div', { class: 'an-side-title' }, h('span', {}, 'Calculated fields')),
        calcItems.length > 0 ? h('ul', { class: 'an-fields' }, ...calcItems) : h('p', { class: 'muted small' }, 'None yet.'),
        h('button', { class: 'an-add', 'data-testid': 'add-calc', onclick: () => this.calcDialog() }, '+ Add calculated field'),
        h('p', { class: 'muted small' }, 'Drag a field onto a well of the visual builder.'),
      ),
    );
  }

  private datasetError(message: string): HTMLElement {
    const retry = h('button', { 'data-testid': 'dataset-retry', onclick: () => void this.refresh() }, '↻ Try again');
    const box = h('div', { class: 'an-side-section' }, errorBanner(`The dataset cannot be read: ${message}`), retry);
    const ds = this.doc.dataset;
    if (ds.kind !== 'view' || ds.name.toLowerCase() !== 'data-view') return box;
    // The lab's view: offer to create it when the catalog does not have it.
    void api<{ views: { name: string }[] }>('/v1/catalog/views', { signal: this.controller.signal }).then(
      (answer) => {
        if (answer.views.some((v) => v.name.toLowerCase() === ds.name.toLowerCase())) return;
        box.append(
          h('p', { class: 'small muted' }, "The lab's view (Task 7) is missing."),
          h(
            'button',
            {
              'data-testid': 'create-lab-view',
              onclick: () => {
                runQuery(`CREATE VIEW ${quoteIdent(ds.name)} AS SELECT * FROM events WHERE "Time Played" > 3600`).then(
                  () => {
                    toast(`Created the view ${ds.name}`);
                    void this.refresh();
                  },
                  (e: unknown) => toast(describeError(e), 'error'),
                );
              },
            },
            'Create it: SELECT * FROM events WHERE "Time Played" > 3600',
          ),
        );
      },
      () => undefined, // the banner above already says what is wrong
    );
    return box;
  }

  private fieldItem(name: string, type: string, calculated: boolean, error?: string): HTMLElement {
    const item = h(
      'li',
      { class: `an-field${calculated ? ' calc' : ''}${type === 'error' ? ' bad' : ''}`, draggable: 'true', title: error ?? `${name} (${type}) — drag onto a well`, 'data-field': name },
      h('span', { class: 'an-field-kind', 'aria-hidden': 'true' }, calculated ? (type === 'aggregate' ? 'Σ' : 'ƒ') : /int|double|decimal|float|real|numeric/.test(type) ? '#' : /time|date/.test(type) ? '◷' : 'Aa'),
      h('span', { class: 'an-field-name' }, name),
      calculated ? '' : h('span', { class: 'an-field-type' }, type),
    );
    item.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData('text/x-gamelake-field', name);
      event.dataTransfer?.setData('text/plain', name);
      if (event.dataTransfer !== null) event.dataTransfer.effectAllowed = 'copy';
    });
    return item;
  }

  private setDataset(dataset: Dataset): void {
    this.doc.dataset = dataset;
    this.markDirty();
    void this.loadColumns().then(() => this.renderGrid());
  }

  private removeCalc(name: string): void {
    this.doc.calculatedFields = this.doc.calculatedFields.filter((c) => c.name !== name);
    this.fields = new Fields(this.columns, this.doc.calculatedFields);
    this.markDirty();
    this.renderSide(false);
    this.renderBuilder();
    this.renderGrid();
  }

  private calcDialog(existing?: { name: string; formula: string }): void {
    const nameInput = h('input', { id: 'an-calc-name', value: existing?.name ?? '', 'data-testid': 'calc-name', autocomplete: 'off', placeholder: 'WinLoss' });
    const formula = h('textarea', { id: 'an-calc-formula', class: 'code', rows: 4, spellcheck: 'false', 'data-testid': 'calc-formula', placeholder: 'avg({wins} / {losses})' }, existing?.formula ?? '');
    const status = h('div', { class: 'an-calc-status', 'data-testid': 'calc-status', 'aria-live': 'polite' });
    const functions = h(
      'ul',
      { class: 'an-functions' },
      ...kFunctions.map((f) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'ghost',
              title: f.help,
              onclick: () => {
                const at = formula.selectionStart;
                formula.setRangeText(`${f.name}(`, at, formula.selectionEnd, 'end');
                formula.focus();
                validate();
              },
            },
            h('code', {}, f.signature),
          ),
        ),
      ),
    );
    const fieldButtons = h(
      'ul',
      { class: 'an-functions' },
      ...this.columns.map((c) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'ghost',
              onclick: () => {
                formula.setRangeText(`{${c.name}}`, formula.selectionStart, formula.selectionEnd, 'end');
                formula.focus();
                validate();
              },
            },
            h('code', {}, `{${c.name}}`),
          ),
        ),
      ),
    );
    const others = this.doc.calculatedFields.filter((c) => c !== existing);
    let valid = false;
    const validate = (): boolean => {
      const name = nameInput.value.trim();
      const text = formula.value;
      valid = false;
      status.className = 'an-calc-status';
      if (text.trim() === '') {
        status.replaceChildren(h('span', { class: 'muted' }, 'Type a formula; fields are written {name}.'));
        return false;
      }
      const nameClash =
        name !== '' &&
        (others.some((c) => c.name.toLowerCase() === name.toLowerCase()) || this.columns.some((c) => c.name.toLowerCase() === name.toLowerCase()));
      try {
        const probe = new Fields(this.columns, [...others, { name: name === '' ? '\u0000new' : name, formula: text }]);
        const compiled = probe.compile(text);
        if (name !== '') probe.get(name); // cycles through other fields
        if (name === '') {
          status.replaceChildren(h('span', { class: 'muted' }, 'Give the field a name.'));
          return false;
        }
        if (nameClash) {
          status.classList.add('bad');
          status.replaceChildren(`A field named "${name}" already exists.`);
          return false;
        }
        status.classList.add('ok');
        status.replaceChildren(`✓ Valid — ${compiled.aggregate ? 'an aggregate (one value per group; use it as a value or a KPI)' : 'a row-level value (use it as a dimension, or aggregate it)'}`);
        valid = true;
        return true;
      } catch (e) {
        status.classList.add('bad');
        if (e instanceof FormulaError) {
          const lines = text.split('\n');
          const line = lines[e.position.line - 1] ?? '';
          status.replaceChildren(
            h('div', { 'data-testid': 'calc-error' }, e.message),
            h('pre', { class: 'an-caret' }, `${line}\n${' '.repeat(Math.max(0, e.position.column - 1))}^`),
          );
        } else {
          status.replaceChildren(h('div', { 'data-testid': 'calc-error' }, describeError(e)));
        }
        return false;
      }
    };
    nameInput.addEventListener('input', validate);
    formula.addEventListener('input', validate);
    formula.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        formula.form?.requestSubmit();
      }
    });
    const body = h(
      'div',
      { class: 'an-calc' },
      h(
        'div',
        { class: 'an-calc-main' },
        h('label', { for: 'an-calc-name' }, 'Calculated field name'),
        nameInput,
        h('label', { for: 'an-calc-formula' }, 'Formula'),
        formula,
        status,
      ),
      h('div', { class: 'an-calc-help' }, h('div', { class: 'an-side-title' }, 'Functions'), functions, h('div', { class: 'an-side-title' }, 'Fields'), fieldButtons),
    );
    const m = modal<{ name: string; formula: string }>(
      existing === undefined ? 'Add calculated field' : `Edit ${existing.name}`,
      body,
      existing === undefined ? 'Create' : 'Save',
      () => (validate() && valid ? { name: nameInput.value.trim(), formula: formula.value } : undefined),
      'calc-dialog',
    );
    validate();
    (existing === undefined ? nameInput : formula).focus();
    void m.result.then((result) => {
      if (result === undefined) return;
      if (existing !== undefined) {
        const oldName = existing.name;
        existing.name = result.name;
        existing.formula = result.formula;
        if (oldName !== result.name) this.renameField(oldName, result.name);
      } else {
        this.doc.calculatedFields.push(result);
      }
      this.fields = new Fields(this.columns, this.doc.calculatedFields);
      this.markDirty();
      this.renderSide(false);
      this.renderBuilder();
      this.renderGrid();
      toast(`${existing === undefined ? 'Added' : 'Saved'} calculated field ${result.name}`);
    });
  }

  private renameField(from: string, to: string): void {
    const same = (f: string | undefined): boolean => f !== undefined && f.toLowerCase() === from.toLowerCase();
    for (const v of this.doc.visuals) {
      if (same(v.x)) v.x = to;
      if (same(v.y)) v.y = to;
      if (same(v.group)) v.group = to;
      v.rows = v.rows?.map((f) => (same(f) ? to : f));
      if (v.rows === undefined) delete v.rows;
      v.columns = v.columns?.map((f) => (same(f) ? to : f));
      if (v.columns === undefined) delete v.columns;
      for (const value of v.values) if (same(value.field)) value.field = to;
    }
    for (const f of this.doc.filters) if (same(f.field)) f.field = to;
  }

  // ---- time range and filters ----

  private renderTimeBar(): void {
    const range = this.doc.timeRange;
    const select = h('select', { id: 'an-time', 'data-testid': 'time-range' }, ...Object.entries(kPresetLabels).map(([value, label]) => h('option', { value }, label)));
    select.value = range.preset;
    const toInput = (v: string | undefined): string => (v ?? '').replace(' ', 'T').slice(0, 16);
    const from = h('input', { type: 'datetime-local', 'aria-label': 'From (UTC)', value: toInput(range.from), 'data-testid': 'time-from' });
    const to = h('input', { type: 'datetime-local', 'aria-label': 'To (UTC)', value: toInput(range.to), 'data-testid': 'time-to' });
    const apply = h('button', { 'data-testid': 'time-apply' }, 'Apply');
    const custom = h('span', { class: 'an-custom', hidden: range.preset !== 'custom' }, from, h('span', { class: 'muted' }, '→'), to, apply);
    select.addEventListener('change', () => {
      const preset = select.value as TimePreset;
      if (preset === 'custom') {
        custom.hidden = false;
        from.focus();
        return;
      }
      custom.hidden = true;
      this.doc.timeRange = { field: this.doc.timeRange.field, preset };
      this.markDirty();
      this.renderGrid();
    });
    apply.addEventListener('click', () => {
      const next: AnalysisDocument['timeRange'] = { field: this.doc.timeRange.field, preset: 'custom' };
      if (from.value !== '') next.from = from.value.replace('T', ' ');
      if (to.value !== '') next.to = to.value.replace('T', ' ');
      if (next.from === undefined && next.to === undefined) {
        toast('Choose a start or an end time', 'error');
        return;
      }
      this.doc.timeRange = next;
      this.markDirty();
      this.renderGrid();
    });
    const hasTime = this.columns.length === 0 || this.fields.get(range.field) !== undefined;
    const chips = this.doc.filters.map((f, i) =>
      h(
        'span',
        { class: 'an-chip', 'data-testid': `filter-${i}` },
        h('button', { class: 'an-chip-text', title: 'Edit filter', onclick: () => this.filterDialog(f) }, filterText(f)),
        h(
          'button',
          {
            class: 'an-chip-x',
            'aria-label': `Remove filter ${filterText(f)}`,
            onclick: () => {
              this.doc.filters.splice(i, 1);
              this.markDirty();
              this.renderTimeBar();
              this.renderGrid();
            },
          },
          '✕',
        ),
      ),
    );
    this.timeBar.replaceChildren(
      h('label', { for: 'an-time', class: 'an-inline-label' }, '◷ Time'),
      select,
      custom,
      hasTime ? '' : h('span', { class: 'muted small' }, `(the dataset has no ${range.field}: the range does not apply)`),
      h('span', { class: 'an-sep', 'aria-hidden': 'true' }),
      h('span', { class: 'an-inline-label' }, 'Filters'),
      ...chips,
      h('button', { class: 'ghost', 'data-testid': 'add-filter', onclick: () => this.filterDialog() }, '+ Add filter'),
    );
  }

  private filterDialog(existing?: Filter): void {
    const names = [...this.columns.map((c) => c.name), ...this.doc.calculatedFields.map((c) => c.name)];
    const field = h('select', { id: 'an-filter-field', 'data-testid': 'filter-field' }, ...names.map((n) => h('option', { value: n }, n)));
    const op = h('select', { id: 'an-filter-op', 'data-testid': 'filter-op' }, ...kFilterOps.map((o) => h('option', { value: o }, o)));
    const value = h('input', { id: 'an-filter-value', 'data-testid': 'filter-value', autocomplete: 'off' });
    const hint = h('p', { class: 'muted small' });
    if (existing !== undefined) {
      field.value = names.find((n) => n.toLowerCase() === existing.field.toLowerCase()) ?? existing.field;
      op.value = existing.op;
      value.value = existing.values !== undefined ? existing.values.join(', ') : String(existing.value ?? '');
    }
    const update = (): void => {
      const o = op.value as FilterOp;
      value.disabled = o === 'is null' || o === 'is not null';
      hint.textContent = o === 'in' || o === 'not in' ? 'Values separated by commas.' : o === 'between' ? 'Two values separated by a comma (inclusive).' : '';
    };
    op.addEventListener('change', update);
    update();
    const body = h('div', { class: 'an-filter-form' }, h('label', { for: 'an-filter-field' }, 'Field'), field, h('label', { for: 'an-filter-op' }, 'Condition'), op, h('label', { for: 'an-filter-value' }, 'Value'), value, hint);
    const m = modal<Filter>(existing === undefined ? 'Add filter' : 'Edit filter', body, existing === undefined ? 'Add' : 'Save', () => {
      const o = op.value as FilterOp;
      const f: Filter = { field: field.value, op: o };
      const parse = (s: string): string | number => {
        const t = s.trim();
        return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
      };
      if (o === 'in' || o === 'not in' || o === 'between') {
        const values = value.value.split(',').map(parse).filter((v) => v !== '');
        if (values.length === 0 || (o === 'between' && values.length !== 2)) {
          hint.textContent = o === 'between' ? 'Between needs two values: low, high.' : 'Give at least one value.';
          return undefined;
        }
        f.values = values;
      } else if (o !== 'is null' && o !== 'is not null') {
        f.value = parse(value.value);
      }
      return f;
    }, 'filter-dialog');
    void m.result.then((f) => {
      if (f === undefined) return;
      if (existing !== undefined) {
        const i = this.doc.filters.indexOf(existing);
        if (i >= 0) this.doc.filters[i] = f;
      } else this.doc.filters.push(f);
      this.markDirty();
      this.renderTimeBar();
      this.renderGrid();
    });
  }

  // ---- the grid of visuals ----

  private addVisual(type: VisualType = 'bar'): void {
    const visual: Visual = { id: nextVisualId(this.doc, type), type, title: '', values: [{ agg: 'count' }], format: { style: 'number' }, size: 'medium' };
    this.doc.visuals.push(visual);
    this.selected = visual.id;
    this.markDirty();
    this.renderGrid();
    this.renderBuilder();
  }

  private renderGrid(): void {
    if (this.controller.signal.aborted) return; // the page was left
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    this.layout.classList.toggle('with-builder', this.selected !== undefined);
    this.renderTimeBar();
    if (this.doc.visuals.length === 0) {
      this.grid.replaceChildren(
        h(
          'div',
          { class: 'an-empty card' },
          h('h2', {}, 'No visuals yet'),
          h('p', { class: 'muted' }, 'Add a visual, choose its type, and drop fields on its wells. Each visual is one SQL query over the dataset.'),
          h('button', { class: 'primary', onclick: () => this.addVisual() }, '+ Add visual'),
        ),
      );
      return;
    }
    this.grid.replaceChildren(...this.doc.visuals.map((v) => this.panel(v)));
    for (const v of this.doc.visuals) void this.runVisual(v);
  }

  private visualTitle(v: Visual): string {
    if (v.title.trim() !== '') return v.title;
    try {
      const q = visualQuery(this.doc, v, this.fields);
      const measure = q.measures[0]?.label ?? '';
      const dims = q.dims.map((d) => d.label);
      return dims.length === 0 ? measure : `${measure} by ${dims.join(' and ')}`;
    } catch {
      return kTypeNames[v.type];
    }
  }

  private panel(v: Visual): HTMLElement {
    const body = h('div', { class: 'an-body' }, h('div', { class: 'an-loading' }, h('span', { class: 'an-spinner', 'aria-hidden': 'true' }), 'Running…'));
    const meta = h('span', { class: 'muted small an-meta' });
    let showingData = false;
    const dataButton = h('button', { class: 'ghost tiny', title: 'Show the data', 'aria-label': 'Show the data', 'aria-pressed': 'false' }, '▦');
    const panel = h(
      'article',
      {
        class: `panel an-visual size-${v.size}${this.selected === v.id ? ' selected' : ''}`,
        'data-testid': `visual-${v.id}`,
        'data-state': 'loading',
        'aria-label': this.visualTitle(v),
      },
      h(
        'header',
        { class: 'panel-title' },
        typeIcon(v.type),
        h('span', { class: 'an-title', title: kTypeNames[v.type] }, this.visualTitle(v)),
        h('span', { class: 'spacer' }),
        meta,
        dataButton,
        h('button', { class: 'ghost tiny', title: 'Edit visual', 'aria-label': `Edit ${this.visualTitle(v)}`, 'data-testid': `edit-${v.id}`, onclick: () => this.select(v.id) }, '✎'),
        h('button', { class: 'ghost tiny', title: 'Remove visual', 'aria-label': `Remove ${this.visualTitle(v)}`, 'data-testid': `remove-${v.id}`, onclick: () => this.removeVisual(v.id) }, '✕'),
      ),
      body,
    );
    dataButton.addEventListener('click', () => {
      showingData = !showingData;
      dataButton.setAttribute('aria-pressed', String(showingData));
      panel.classList.toggle('show-data', showingData);
    });
    return panel;
  }

  private select(id: string | undefined): void {
    this.selected = id;
    this.grid.querySelectorAll('.an-visual').forEach((p) => p.classList.toggle('selected', p.getAttribute('data-testid') === `visual-${id ?? ''}`));
    this.layout.classList.toggle('with-builder', id !== undefined);
    this.renderBuilder();
    // The canvas width changed: charts follow their hosts (ResizeObserver).
  }

  private removeVisual(id: string): void {
    this.doc.visuals = this.doc.visuals.filter((v) => v.id !== id);
    if (this.selected === id) this.selected = undefined;
    this.charts.get(id)?.dispose();
    this.charts.delete(id);
    this.markDirty();
    this.renderGrid();
    this.renderBuilder();
  }

  // Replaces one visual's panel and runs its query again (after an edit).
  private updateVisual(v: Visual): void {
    this.markDirty();
    const old = this.grid.querySelector(`[data-testid="visual-${CSS.escape(v.id)}"]`);
    this.charts.get(v.id)?.dispose();
    this.charts.delete(v.id);
    const fresh = this.panel(v);
    if (old !== null) old.replaceWith(fresh);
    else this.grid.append(fresh);
    void this.runVisual(v);
  }

  private async runVisual(v: Visual): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.running.get(v.id)?.abort();
    const controller = new AbortController();
    this.running.set(v.id, controller);
    const panel = (): HTMLElement | null => this.grid.querySelector(`[data-testid="visual-${CSS.escape(v.id)}"]`);
    const bodyOf = (): HTMLElement | null => panel()?.querySelector('.an-body') ?? null;
    const fail = (message: string, state: 'error' | 'incomplete'): void => {
      const p = panel();
      if (p === null) return;
      p.dataset['state'] = state;
      bodyOf()?.replaceChildren(
        state === 'incomplete'
          ? h('div', { class: 'an-placeholder' }, typeIcon(v.type), h('p', {}, message), h('button', { onclick: () => this.select(v.id) }, 'Edit visual'))
          : h('div', { class: 'an-error' }, errorBanner(message)),
      );
    };
    const missing = missingWell(v);
    if (missing !== undefined) return fail(missing, 'incomplete');
    if (this.columnsError !== undefined) return fail(`The dataset cannot be read: ${this.columnsError}`, 'error');
    let q;
    try {
      q = visualQuery(this.doc, v, this.fields);
    } catch (e) {
      return fail(e instanceof QueryError || e instanceof FormulaError ? e.message : describeError(e), 'error');
    }
    let answer: QueryAnswer;
    try {
      answer = await runQuery(q.sql, controller.signal);
    } catch (e) {
      if (controller.signal.aborted) return;
      return fail(describeError(e), 'error');
    } finally {
      if (this.running.get(v.id) === controller) this.running.delete(v.id);
    }
    if (controller.signal.aborted) return;
    const shaped = shapeVisual(v, q, answer.rows, themeFromCss());
    const p = panel();
    const body = bodyOf();
    if (p === null || body === null) return;
    this.draw(v, shaped, body);
    const meta = p.querySelector('.an-meta');
    if (meta !== null) meta.textContent = `${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'}${answer.elapsed_ms !== undefined ? ` · ${Math.round(answer.elapsed_ms)} ms` : ''}`;
    p.setAttribute('title', q.sql);
    p.dataset['state'] = 'ready';
  }

  private draw(v: Visual, shaped: Shaped, body: HTMLElement): void {
    this.charts.get(v.id)?.dispose();
    this.charts.delete(v.id);
    const data = h('pre', { class: 'an-data-json', hidden: true, 'data-testid': `visual-data-${v.id}` }, JSON.stringify(shaped.data));
    const dataTable = h(
      'div',
      { class: 'an-data-table' },
      pagedTable(shaped.data.columns, shaped.data.rows, 20, `visual-table-${v.id}`),
    );
    if (shaped.kpi !== undefined) {
      const ok = shaped.kpi.value !== null && Number.isFinite(shaped.kpi.value);
      body.replaceChildren(
        h(
          'div',
          { class: 'an-kpi' },
          h('div', { class: `kpi-value${ok ? '' : ' muted'}`, 'data-testid': `kpi-${v.id}` }, shaped.kpi.text),
          h('div', { class: 'kpi-label' }, shaped.kpi.label),
        ),
        data,
        dataTable,
      );
      return;
    }
    if (shaped.grid !== undefined) {
      const g = shaped.grid;
      const rows = g.rows.map((r, ri) =>
        h(
          'tr',
          { class: g.totalRow === true && ri === g.rows.length - 1 ? 'an-total' : '' },
          ...r.map((c, ci) => (ci === 0 && v.type === 'pivot' ? h('th', { scope: 'row' }, c) : h('td', { class: `${ci >= (v.type === 'pivot' ? 1 : (v.rows ?? []).length) ? 'num' : ''}${g.totalColumn === true && ci === r.length - 1 ? ' an-total' : ''}` }, c))),
        ),
      );
      body.replaceChildren(
        shaped.empty ? h('div', { class: 'an-placeholder muted' }, 'No rows match.') : h('div', { class: 'table-scroll an-grid-table' }, h('table', { class: 'grid', 'data-testid': `grid-${v.id}` }, h('thead', {}, h('tr', {}, ...g.columns.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows))),
        data,
      );
      return;
    }
    const host = h('div', { class: 'chart an-chart', role: 'img', 'aria-label': this.visualTitle(v) });
    body.replaceChildren(shaped.empty ? h('div', { class: 'an-placeholder muted' }, 'No rows match the filters and time range.') : host, data, dataTable);
    if (shaped.empty || shaped.option === undefined) return;
    const option = shaped.option;
    loadCharts().then(
      ({ makeChart }) => {
        if (!host.isConnected) return; // Redrawn or left meanwhile.
        const chart = makeChart(host);
        chart.setOption(option);
        this.charts.set(v.id, chart);
      },
      (e: unknown) => body.append(errorBanner(`The charts could not be loaded: ${describeError(e)}`)),
    );
  }

  // ---- the visual builder ----

  private renderBuilder(): void {
    const v = this.doc.visuals.find((x) => x.id === this.selected);
    if (v === undefined) {
      this.builder.replaceChildren();
      this.layout.classList.remove('with-builder');
      return;
    }
    this.layout.classList.add('with-builder');
    const changed = (rebuild = false): void => {
      this.updateVisual(v);
      if (rebuild) this.renderBuilder();
    };
    const types = h(
      'div',
      { class: 'an-types', role: 'group', 'aria-label': 'Visual type' },
      ...kVisualTypes.map((t) =>
        h(
          'button',
          {
            class: `an-type${v.type === t ? ' active' : ''}`,
            title: kTypeNames[t],
            'aria-label': kTypeNames[t],
            'aria-pressed': String(v.type === t),
            'data-testid': `type-${t}`,
            onclick: () => {
              this.changeType(v, t);
              changed(true);
            },
          },
          typeIcon(t),
        ),
      ),
    );
    const title = h('input', { id: 'an-v-title', value: v.title, placeholder: this.visualTitle(v), 'data-testid': 'visual-title' });
    title.addEventListener('input', () => {
      v.title = title.value;
      this.markDirty();
      const panelTitle = this.grid.querySelector(`[data-testid="visual-${CSS.escape(v.id)}"] .an-title`);
      if (panelTitle !== null) panelTitle.textContent = this.visualTitle(v);
    });

    const wells: HTMLElement[] = [];
    const single = (label: string, key: 'x' | 'y' | 'group', optional: boolean): void => {
      wells.push(this.singleWell(label, key, v[key], optional, (f) => {
        if (f !== undefined) v[key] = f;
        else if (key === 'x') delete v.x;
        else if (key === 'y') delete v.y;
        else delete v.group;
        changed(true);
      }));
    };
    const multi = (label: string, key: 'rows' | 'columns', max: number): void => {
      wells.push(this.multiWell(label, key, v[key] ?? [], max, (list) => {
        v[key] = list;
        changed(true);
      }));
    };
    switch (v.type) {
      case 'bar':
      case 'line':
      case 'area':
        single('X axis', 'x', false);
        break;
      case 'hbar':
        single('Y axis', 'y', false);
        break;
      case 'pie':
        single('Group/Color', 'x', false);
        break;
      case 'heatmap':
        multi('Rows', 'rows', 1);
        multi('Columns', 'columns', 1);
        break;
      case 'pivot':
        multi('Rows', 'rows', 3);
        multi('Columns', 'columns', 2);
        break;
      case 'table':
        multi('Group by', 'rows', 5);
        break;
      case 'kpi':
        break;
    }
    const manyValues = v.type === 'table' || v.type === 'pivot' || ((v.type === 'bar' || v.type === 'hbar' || v.type === 'line' || v.type === 'area') && v.group === undefined);
    wells.push(this.valuesWell(v, manyValues ? 5 : 1, () => changed(true)));
    if (['bar', 'hbar', 'line', 'area'].includes(v.type)) single('Group/Color', 'group', true);

    const options: HTMLElement[] = [];
    if ((v.type === 'bar' || v.type === 'hbar' || v.type === 'area') && v.group !== undefined) {
      const mode = h('select', { id: 'an-v-mode', 'data-testid': 'bar-mode' }, h('option', { value: 'clustered' }, 'Clustered'), h('option', { value: 'stacked' }, 'Stacked'));
      mode.value = v.mode ?? (v.type === 'area' ? 'stacked' : 'clustered');
      mode.addEventListener('change', () => {
        v.mode = mode.value === 'stacked' ? 'stacked' : 'clustered';
        changed();
      });
      options.push(h('div', {}, h('label', { for: 'an-v-mode' }, 'Series'), mode));
    }
    const xField = v.type === 'hbar' ? undefined : v.x;
    const xInfo = xField !== undefined ? this.safeField(xField) : undefined;
    if (['bar', 'line', 'area'].includes(v.type) && xInfo !== undefined && /time|date/i.test(xInfo.type)) {
      const grain = h('select', { id: 'an-v-grain', 'data-testid': 'time-grain' }, h('option', { value: '' }, 'Exact value'), ...kTimeGrains.map((g) => h('option', { value: g }, `By ${g}`)));
      grain.value = v.timeGrain ?? '';
      grain.addEventListener('change', () => {
        if (grain.value === '') delete v.timeGrain;
        else v.timeGrain = grain.value as Visual['timeGrain'];
        changed();
      });
      options.push(h('div', {}, h('label', { for: 'an-v-grain' }, 'Time grain'), grain));
    }
    const style = h('select', { id: 'an-v-format', 'data-testid': 'format-style' }, h('option', { value: 'number' }, 'Number'), h('option', { value: 'percent' }, 'Percent'), h('option', { value: 'currency' }, 'Currency'));
    style.value = v.format.style;
    const decimals = h('input', { id: 'an-v-decimals', type: 'number', min: 0, max: 10, value: v.format.decimals ?? '', placeholder: 'auto', 'data-testid': 'format-decimals' });
    style.addEventListener('change', () => {
      v.format.style = style.value as Visual['format']['style'];
      changed();
    });
    decimals.addEventListener('change', () => {
      const n = Number(decimals.value);
      if (decimals.value === '' || !Number.isInteger(n) || n < 0 || n > 10) delete v.format.decimals;
      else v.format.decimals = n;
      changed();
    });
    options.push(h('div', { class: 'an-pair' }, h('div', {}, h('label', { for: 'an-v-format' }, 'Number format'), style), h('div', {}, h('label', { for: 'an-v-decimals' }, 'Decimals'), decimals)));
    if (v.type !== 'kpi') {
      const sortBy = h('select', { id: 'an-v-sort', 'data-testid': 'sort-by' }, h('option', { value: '' }, 'Default'), h('option', { value: 'dimension:asc' }, 'Category ↑'), h('option', { value: 'dimension:desc' }, 'Category ↓'), h('option', { value: 'value:desc' }, 'Value ↓'), h('option', { value: 'value:asc' }, 'Value ↑'));
      sortBy.value = v.sort === undefined ? '' : `${v.sort.by}:${v.sort.order}`;
      sortBy.addEventListener('change', () => {
        if (sortBy.value === '') delete v.sort;
        else {
          const [by, order] = sortBy.value.split(':');
          v.sort = { by: by === 'value' ? 'value' : 'dimension', order: order === 'desc' ? 'desc' : 'asc' };
        }
        changed();
      });
      const limit = h('input', { id: 'an-v-limit', type: 'number', min: 1, max: 100000, value: v.limit ?? '', placeholder: 'default', 'data-testid': 'limit' });
      limit.addEventListener('change', () => {
        const n = Number(limit.value);
        if (limit.value === '' || !Number.isInteger(n) || n < 1) delete v.limit;
        else v.limit = Math.min(n, 100000);
        changed();
      });
      options.push(h('div', { class: 'an-pair' }, h('div', {}, h('label', { for: 'an-v-sort' }, 'Sort'), sortBy), h('div', {}, h('label', { for: 'an-v-limit' }, 'Limit'), limit)));
    }
    const size = h('select', { id: 'an-v-size', 'data-testid': 'visual-size' }, h('option', { value: 'small' }, 'Small (⅓ width)'), h('option', { value: 'medium' }, 'Medium (½ width)'), h('option', { value: 'large' }, 'Large (full width)'));
    size.value = v.size;
    size.addEventListener('change', () => {
      v.size = size.value as Visual['size'];
      changed();
    });
    options.push(h('div', {}, h('label', { for: 'an-v-size' }, 'Size'), size));

    this.builder.replaceChildren(
      h('div', { class: 'an-builder-head' }, h('h2', {}, 'Visual'), h('span', { class: 'spacer' }), h('button', { class: 'primary', 'data-testid': 'builder-done', onclick: () => this.select(undefined) }, 'Done')),
      h('label', { for: 'an-v-title' }, 'Title'),
      title,
      h('div', { class: 'an-side-title' }, 'Visual type', h('span', { class: 'muted small' }, kTypeNames[v.type])),
      types,
      h('div', { class: 'an-side-title' }, 'Field wells'),
      ...wells,
      h('div', { class: 'an-side-title' }, 'Format'),
      ...options,
      h(
        'div',
        { class: 'an-move', role: 'group', 'aria-label': 'Position' },
        h('button', { 'data-testid': 'move-earlier', disabled: this.doc.visuals.indexOf(v) === 0, onclick: () => this.moveVisual(v, -1) }, '← Earlier'),
        h('button', { 'data-testid': 'move-later', disabled: this.doc.visuals.indexOf(v) === this.doc.visuals.length - 1, onclick: () => this.moveVisual(v, 1) }, 'Later →'),
        h('button', { 'data-testid': 'duplicate-visual', onclick: () => this.duplicateVisual(v) }, 'Duplicate'),
      ),
      h('button', { class: 'danger an-remove', onclick: () => this.removeVisual(v.id) }, 'Remove visual'),
    );
  }

  private moveVisual(v: Visual, by: number): void {
    const i = this.doc.visuals.indexOf(v);
    const j = i + by;
    if (i < 0 || j < 0 || j >= this.doc.visuals.length) return;
    this.doc.visuals.splice(i, 1);
    this.doc.visuals.splice(j, 0, v);
    this.markDirty();
    this.renderGrid();
    this.renderBuilder();
  }

  private duplicateVisual(v: Visual): void {
    const copy: Visual = { ...structuredClone(v), id: nextVisualId(this.doc, v.type), title: v.title === '' ? '' : `${v.title} (copy)` };
    this.doc.visuals.splice(this.doc.visuals.indexOf(v) + 1, 0, copy);
    this.selected = copy.id;
    this.markDirty();
    this.renderGrid();
    this.renderBuilder();
  }

  private safeField(name: string): { type: string; aggregate: boolean } | undefined {
    try {
      return this.fields.get(name);
    } catch {
      return undefined;
    }
  }

  // Keeps the fields a new type can use (x ↔ y, rows/columns) when switching.
  private changeType(v: Visual, t: VisualType): void {
    const first = v.x ?? v.y ?? v.rows?.[0] ?? v.columns?.[0];
    const second = v.group ?? v.columns?.[0] ?? v.rows?.[1];
    v.type = t;
    delete v.x;
    delete v.y;
    delete v.group;
    delete v.rows;
    delete v.columns;
    delete v.mode;
    if (t === 'bar' || t === 'line' || t === 'area' || t === 'pie') {
      if (first !== undefined) v.x = first;
      if (second !== undefined && second !== first && t !== 'pie') v.group = second;
    } else if (t === 'hbar') {
      if (first !== undefined) v.y = first;
      if (second !== undefined && second !== first) v.group = second;
    } else if (t === 'heatmap' || t === 'pivot') {
      if (first !== undefined) v.rows = [first];
      if (second !== undefined && second !== first) v.columns = [second];
    } else if (t === 'table') {
      v.rows = [first, second].filter((f): f is string => f !== undefined);
    }
    if (t === 'kpi' || t === 'pie' || t === 'heatmap') v.values = v.values.slice(0, 1);
    if (v.values.length === 0) v.values = [{ agg: 'count' }];
    if (t === 'kpi' && v.size === 'large') v.size = 'small';
  }

  private fieldOptions(select: HTMLSelectElement, current: string | undefined, dimensionsOnly: boolean): void {
    const columns = h('optgroup', { label: 'Columns' }, ...this.columns.map((c) => h('option', { value: c.name }, c.name)));
    const calcs = this.doc.calculatedFields.filter((c) => !dimensionsOnly || this.safeField(c.name)?.aggregate === false);
    select.append(columns);
    if (calcs.length > 0) select.append(h('optgroup', { label: 'Calculated fields' }, ...calcs.map((c) => h('option', { value: c.name }, c.name))));
    if (current !== undefined) {
      const match = [...select.options].find((o) => o.value.toLowerCase() === current.toLowerCase());
      if (match === undefined) select.append(h('option', { value: current }, `${current} (missing)`));
      select.value = match?.value ?? current;
    }
  }

  private dropTarget(element: HTMLElement, onField: (name: string) => void): void {
    element.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('text/x-gamelake-field') !== true) return;
      event.preventDefault();
      element.classList.add('drop');
    });
    element.addEventListener('dragleave', () => element.classList.remove('drop'));
    element.addEventListener('drop', (event) => {
      element.classList.remove('drop');
      const name = event.dataTransfer?.getData('text/x-gamelake-field') ?? '';
      if (name === '') return;
      event.preventDefault();
      onField(name);
    });
  }

  private singleWell(label: string, key: string, current: string | undefined, optional: boolean, set: (f: string | undefined) => void): HTMLElement {
    const id = `an-well-${key}`;
    const select = h('select', { id, 'data-testid': `well-${key}` }, h('option', { value: '' }, optional ? '— none —' : '— choose a field —'));
    this.fieldOptions(select, current, true);
    if (current === undefined) select.value = '';
    select.addEventListener('change', () => set(select.value === '' ? undefined : select.value));
    const well = h('div', { class: `an-well${current === undefined ? ' empty' : ''}` }, h('label', { for: id }, label), select);
    this.dropTarget(well, (name) => {
      if (this.safeField(name)?.aggregate === true) {
        toast(`${name} is an aggregate: drop it on Value`, 'error');
        return;
      }
      set(name);
    });
    return well;
  }

  private multiWell(label: string, key: string, list: string[], max: number, set: (list: string[]) => void): HTMLElement {
    const id = `an-well-${key}`;
    const chips = list.map((f, i) =>
      h(
        'span',
        { class: 'an-chip' },
        h('span', { class: 'an-chip-text' }, f),
        h('button', { class: 'an-chip-x', 'aria-label': `Remove ${f} from ${label}`, onclick: () => set(list.filter((_, j) => j !== i)) }, '✕'),
      ),
    );
    const add = h('select', { id, 'data-testid': `well-${key}` }, h('option', { value: '' }, list.length === 0 ? '— choose a field —' : '+ add a field'));
    this.fieldOptions(add, undefined, true);
    add.value = '';
    add.addEventListener('change', () => {
      if (add.value !== '') set(max === 1 ? [add.value] : [...list, add.value].slice(0, max));
    });
    const well = h('div', { class: `an-well${list.length === 0 ? ' empty' : ''}` }, h('label', { for: id }, label), chips.length > 0 ? h('div', { class: 'an-chips' }, ...chips) : '', list.length < max || max === 1 ? add : '');
    this.dropTarget(well, (name) => set(max === 1 ? [name] : [...list.filter((f) => f !== name), name].slice(0, max)));
    return well;
  }

  private valuesWell(v: Visual, max: number, changed: () => void): HTMLElement {
    const rows = v.values.map((value, i) => {
      const field = h('select', { 'aria-label': `Value ${i + 1} field`, 'data-testid': `value-field-${i}` }, h('option', { value: '' }, 'Records'));
      this.fieldOptions(field, value.field, false);
      if (value.field === undefined) field.value = '';
      const info = value.field !== undefined ? this.safeField(value.field) : undefined;
      const agg = h('select', { 'aria-label': `Value ${i + 1} aggregation`, 'data-testid': `value-agg-${i}`, disabled: info?.aggregate === true }, ...kAggregations.map((a) => h('option', { value: a }, kAggLabels[a] ?? a)));
      agg.value = value.agg;
      if (info?.aggregate === true) agg.title = `${value.field ?? ''} is an aggregate: it is its own aggregation`;
      field.addEventListener('change', () => {
        if (field.value === '') {
          delete value.field;
          value.agg = 'count';
        } else {
          value.field = field.value;
          const f = this.safeField(field.value);
          if (value.agg === 'count' && f !== undefined && /int|double|decimal|float|real|numeric/i.test(f.type)) value.agg = 'sum';
        }
        changed();
      });
      agg.addEventListener('change', () => {
        value.agg = agg.value as Aggregation;
        if (value.field === undefined && value.agg !== 'count') value.agg = 'count';
        changed();
      });
      return h(
        'div',
        { class: 'an-value' },
        agg,
        h('span', { class: 'muted small' }, 'of'),
        field,
        v.values.length > 1 ? h('button', { class: 'ghost tiny', 'aria-label': `Remove value ${i + 1}`, onclick: () => { v.values.splice(i, 1); changed(); } }, '✕') : '',
      );
    });
    const well = h(
      'div',
      { class: 'an-well' },
      h('label', {}, 'Value'),
      ...rows,
      v.values.length < max ? h('button', { class: 'ghost an-add', 'data-testid': 'add-value', onclick: () => { v.values.push({ agg: 'count' }); changed(); } }, '+ Add value') : '',
    );
    this.dropTarget(well, (name) => {
      const f = this.safeField(name);
      const numeric = f !== undefined && /int|double|decimal|float|real|numeric/i.test(f.type);
      const spec: ValueSpec = { field: name, agg: f?.aggregate === true ? 'avg' : numeric ? 'sum' : 'count' };
      if (max === 1 || (v.values.length === 1 && v.values[0]?.field === undefined)) v.values = [spec];
      else v.values.push(spec);
      changed();
    });
    return well;
  }

  // ---- save, export, import ----

  private async refresh(): Promise<void> {
    await this.loadColumns();
    this.renderGrid();
  }

  private exportJson(): void {
    const doc = { ...toJson(this.doc), id: this.id };
    download(`${this.id}.analysis.json`, `${JSON.stringify(doc, null, 2)}\n`, 'application/json');
  }

  private async save(): Promise<void> {
    try {
      const answer = await saveDocument(this.id, this.doc);
      this.doc.updated_at = answer.updated_at;
      this.stored = true;
      this.dirty = false;
      this.dirtyBadge.hidden = true;
      pending.delete(this.id);
      this.messages.querySelector('[data-testid="lab-file-note"]')?.remove();
      toast(`Saved "${this.doc.name}"`);
    } catch (e) {
      toast(`Save failed: ${describeError(e)}`, 'error');
      this.messages.replaceChildren(errorBanner(`Save failed: ${describeError(e)}`));
    }
  }

  private async saveAs(): Promise<void> {
    const name = await askName('Save analysis as', `${this.doc.name} (copy)`, 'Save');
    if (name === undefined) return;
    const copy: AnalysisDocument = { ...structuredClone(this.doc), name };
    delete copy.id;
    delete copy.updated_at;
    const id = idFromName(name);
    try {
      await saveDocument(id, copy);
      this.dirty = false;
      toast(`Saved "${name}"`);
      this.context.navigate(`analyses/${encodeURIComponent(id)}`);
    } catch (e) {
      toast(`Save failed: ${describeError(e)}`, 'error');
      this.messages.replaceChildren(errorBanner(`Save failed: ${describeError(e)}`));
    }
  }
}

function filterText(f: Filter): string {
  if (f.op === 'is null' || f.op === 'is not null') return `${f.field} ${f.op}`;
  if (f.op === 'between') return `${f.field} between ${String(f.values?.[0] ?? '')} and ${String(f.values?.[1] ?? '')}`;
  if (f.values !== undefined) return `${f.field} ${f.op} (${f.values.join(', ')})`;
  return `${f.field} ${f.op} ${typeof f.value === 'string' ? `'${f.value}'` : String(f.value ?? '')}`;
}

// The number formats, for the tests' expectations (same code as the page).
export { formatValue };
