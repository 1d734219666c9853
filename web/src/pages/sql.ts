// The SQL page: Athena's query editor over gamelake's SQL (docs/sql.md).
// Left, the catalog (tables with their columns and partition keys, saved
// views); right, tabs: the editor with its results, the query history, and a
// tab per table opened for its details (partitions, files, schema history).
import './sql.css';
import { api, send, ApiError } from '../api';
import type { PageContext } from '../page';
import { createCodeEditor, type CodeEditor, type Completion } from '../editor/code_editor';
import { errorPosition, errorSummary, kSqlFunctions, kSqlKeywords, namesMentioned, quoteIdent } from '../editor/sql_language';
import { h, describeError, download, errorBanner, formatBytes, formatNumber, pagedTable, toast } from '../ui';

// --- the API's shapes (docs/api.md, docs/sql.md) ---
interface Column {
  name: string;
  type: string;
}
interface CatalogTable {
  name: string;
  database: string;
  columns: Column[];
  partition_keys: string[];
  files: number;
  rows: number;
  bytes: number;
  schema_version: number;
  created_us: number;
  updated_us: number;
}
interface Partition {
  values: Record<string, string>;
  files: number;
  rows: number;
  bytes: number;
}
interface LakeFile {
  path: string;
  format: string;
  rows: number;
  bytes: number;
  first_record_id?: number;
  last_record_id?: number;
}
interface SchemaChange {
  version: number;
  time_us: number;
  change: string;
  file: string;
}
// The detail repeats "files" as a list (the list is what JSON.parse keeps).
interface TableDetail extends Omit<CatalogTable, 'files'> {
  files: LakeFile[] | number;
  partitions: Partition[];
  schema_history: SchemaChange[];
  bad_files: unknown[];
}
interface View {
  name: string;
  sql: string;
  created_by?: string;
  created_us?: number;
}
interface QueryResult {
  columns: Column[];
  rows: unknown[][];
  row_count?: number;
  elapsed_ms?: number;
  bytes_scanned?: number;
  query_id?: number;
  error?: { code: string; message: string }; // a failure after streaming began
}
interface RunningQuery {
  query_id: number;
  sql: string;
  user: string;
  started_us: number;
}
interface PastQuery extends RunningQuery {
  duration_ms: number;
  rows: number;
  bytes_scanned: number;
  state: string;
  error: string;
}
interface QueryList {
  running: RunningQuery[];
  history: PastQuery[];
}

const kEditorKey = 'gamelake.sql.editor';
// The lab's Task 7 query (Athena: players with more than an hour played).
const kLabQuery = 'SELECT * FROM events WHERE "Time Played" > 3600 LIMIT 100';
// Names for completion and the catalog's live-only tables: one query over
// DuckDB's information schema (it also knows views' columns and streams whose
// records are not delivered to files yet). Marked so the history explains it.
const kColumnsQuery =
  "-- console: table and view columns for completion\nSELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY table_name, ordinal_position";

// "name" always quoted, for DDL the console writes.
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError';
const when = (us: number | undefined): string =>
  us === undefined || us === 0 ? '' : new Date(us / 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const ms = (v: number): string => (v < 1000 ? `${v.toFixed(v < 10 ? 1 : 0)} ms` : `${(v / 1000).toFixed(2)} s`);

// Small line icons (the system's fonts may lack ⓘ or 🗑).
const kIcons = {
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM8 7v4.5M8 4.6v.1',
  download: 'M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 13.5h11',
  trash: 'M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.6 6.5v5M9.4 6.5v5',
  edit: 'M10.5 2.5l3 3-8 8H2.5v-3zM9 4l3 3',
} as const;

function icon(name: keyof typeof kIcons): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon-svg');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', kIcons[name]);
  svg.append(path);
  return svg;
}

export function render(root: HTMLElement, context: PageContext): () => void {
  const page = new SqlPage(root, context);
  return () => page.dispose();
}

class SqlPage {
  private readonly editor: CodeEditor;
  private readonly disposers: (() => void)[] = [];
  // The catalog
  private tables: CatalogTable[] = [];
  private views: View[] = [];
  private schemaColumns = new Map<string, { name: string; columns: Column[] }>(); // by lower-case name
  private badFileCount = 0;
  private readonly expanded = new Set<string>();
  private filter = '';
  private readonly catalogBody = h('div', { class: 'catalog-body' });
  private catalogLoad: AbortController | null = null;
  // The tabs
  private readonly tabBar = h('div', { class: 'sql-tabs', role: 'tablist', 'aria-label': 'SQL views' });
  private readonly panels = h('div', { class: 'sql-panels' });
  private readonly openTables: string[] = [];
  private activeTab = 'editor';
  // A query running
  private run: { controller: AbortController; sql: string; started: number; timer: number } | null = null;
  private lastResult: { sql: string; result: QueryResult } | null = null;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly status = h('span', { class: 'sql-status muted', 'data-testid': 'sql-status', 'aria-live': 'polite' });
  private readonly results = h('div', { class: 'sql-results', 'data-testid': 'sql-results-panel' });
  private readonly editorPanel: HTMLElement;
  private readonly historyPanel = h('div', { class: 'sql-history', 'data-testid': 'history-panel' });
  private historyLoad: AbortController | null = null;
  private disposed = false;

  constructor(
    private readonly root: HTMLElement,
    context: PageContext,
  ) {
    const initial = context.query.get('sql') ?? sessionStorage.getItem(kEditorKey) ?? '';
    this.editor = createCodeEditor({
      value: initial.trim() === '' ? kLabQuery : initial,
      onRun: () => void this.runQuery(),
      onChange: (value) => sessionStorage.setItem(kEditorKey, value),
      completions: (text) => this.completions(text),
      ariaLabel: 'SQL query',
      testid: 'sql-editor',
      rows: 10,
    });
    sessionStorage.setItem(kEditorKey, this.editor.getValue());

    this.runButton = h('button', { class: 'primary', 'data-testid': 'sql-run', title: 'Run (Ctrl+Enter)', onclick: () => void this.runQuery() }, '▶ Run');
    this.cancelButton = h('button', { 'data-testid': 'sql-cancel', disabled: true, onclick: () => void this.cancelQuery() }, '■ Cancel');
    this.editorPanel = h(
      'div',
      { class: 'sql-editor-tab' },
      h(
        'section',
        { class: 'panel sql-editor-card', 'aria-label': 'Query editor' },
        h('div', { class: 'panel-title' }, 'Query', h('span', { class: 'spacer' }), h('span', { class: 'muted small' }, 'Ctrl+Enter runs (the selection, if any) · Ctrl+Space completes')),
        this.editor.element,
        h(
          'div',
          { class: 'toolbar sql-toolbar' },
          this.runButton,
          this.cancelButton,
          h('button', { 'data-testid': 'sql-save-view', title: 'CREATE VIEW from this query', onclick: () => this.saveAsView() }, 'Save as view…'),
          h('button', { class: 'ghost', 'data-testid': 'sql-clear', onclick: () => { this.editor.setValue(''); this.editor.focus(); } }, 'Clear'),
          h('span', { class: 'spacer' }),
          this.status,
        ),
      ),
      this.results,
    );
    this.results.append(this.emptyResults());

    const layout = h(
      'div',
      { class: 'sql-layout' },
      h(
        'aside',
        { class: 'sidebar sql-catalog', 'aria-label': 'Data catalog', 'data-testid': 'catalog' },
        h(
          'div',
          { class: 'panel-title' },
          'Data',
          h('span', { class: 'badge scope' }, 'lake'),
          h('span', { class: 'spacer' }),
          h('button', { class: 'ghost icon', title: 'Refresh the catalog', 'aria-label': 'Refresh the catalog', 'data-testid': 'catalog-refresh', onclick: () => void this.loadCatalog() }, '⟳'),
        ),
        h('input', {
          type: 'search',
          class: 'catalog-filter',
          placeholder: 'Filter tables and columns',
          'aria-label': 'Filter tables and columns',
          oninput: (event: Event) => {
            this.filter = (event.target as HTMLInputElement).value.trim().toLowerCase();
            this.drawCatalog();
          },
        }),
        this.catalogBody,
      ),
      h('div', { class: 'sql-main' }, this.tabBar, this.panels),
    );
    root.append(layout);
    this.showTab('editor');
    this.catalogBody.append(h('p', { class: 'muted' }, 'Loading the catalog…'));
    void this.loadCatalog();
    if (context.params[0] === 'table' && context.params[1] !== undefined) this.openTable(context.params[1]);
    this.editor.focus();
  }

  dispose(): void {
    this.disposed = true;
    this.run?.controller.abort();
    if (this.run !== null) clearInterval(this.run.timer);
    this.catalogLoad?.abort();
    this.historyLoad?.abort();
    for (const d of this.disposers) d();
  }

  // ---------------- the catalog ----------------

  private async loadCatalog(): Promise<void> {
    this.catalogLoad?.abort();
    const controller = new AbortController();
    this.catalogLoad = controller;
    const signal = controller.signal;
    const [tables, views, columns] = await Promise.allSettled([
      api<{ tables: CatalogTable[]; bad_files?: number }>('/v1/catalog/tables', { signal }),
      api<{ views: View[] }>('/v1/catalog/views', { signal }),
      api<QueryResult>('/v1/query', { method: 'POST', body: { sql: kColumnsQuery }, signal }),
    ]);
    if (signal.aborted || this.disposed) return;
    const problems: string[] = [];
    if (tables.status === 'fulfilled') {
      this.tables = tables.value.tables;
      this.badFileCount = tables.value.bad_files ?? 0;
    } else problems.push(`Tables: ${describeError(tables.reason)}`);
    if (views.status === 'fulfilled') this.views = views.value.views;
    else problems.push(`Views: ${describeError(views.reason)}`);
    if (columns.status === 'fulfilled') {
      this.schemaColumns = new Map();
      for (const row of columns.value.rows) {
        const [table, column, type] = row.map(String) as [string, string, string];
        const key = table.toLowerCase();
        let entry = this.schemaColumns.get(key);
        if (entry === undefined) {
          entry = { name: table, columns: [] };
          this.schemaColumns.set(key, entry);
        }
        entry.columns.push({ name: column, type });
      }
    } else {
      problems.push(`Columns: ${describeError(columns.reason)}`);
    }
    this.drawCatalog(problems);
  }

  // Tables in the information schema that the catalog does not list yet: a
  // stream whose records are all still in the live tail.
  private liveOnlyTables(): { name: string; columns: Column[] }[] {
    const known = new Set([...this.tables.map((t) => t.name.toLowerCase()), ...this.views.map((v) => v.name.toLowerCase())]);
    return [...this.schemaColumns.values()].filter((t) => !known.has(t.name.toLowerCase()));
  }

  private columnsOf(name: string): Column[] {
    const table = this.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
    const fromSchema = this.schemaColumns.get(name.toLowerCase())?.columns;
    // The information schema's list includes the partition columns and is current; the catalog's is the files'.
    return fromSchema ?? table?.columns ?? [];
  }

  private drawCatalog(problems: string[] = []): void {
    const match = (s: string): boolean => this.filter === '' || s.toLowerCase().includes(this.filter);
    const items: HTMLElement[] = [];
    for (const p of problems) items.push(errorBanner(p));
    if (this.badFileCount > 0) {
      items.push(h('p', { class: 'catalog-warn small', 'data-testid': 'catalog-bad-files' }, `⚠ ${this.badFileCount} unreadable file${this.badFileCount === 1 ? '' : 's'} in the lake: see the table's details.`));
    }

    // Delivered tables and live-only ones, by name.
    const entries: { name: string; table: CatalogTable | null; columns: Column[] }[] = [
      ...this.tables.map((t) => ({ name: t.name, table: t, columns: this.columnsOf(t.name) })),
      ...this.liveOnlyTables().map((t) => ({ name: t.name, table: null, columns: t.columns })),
    ].sort((a, b) => a.name.localeCompare(b.name));
    const tableRows: HTMLElement[] = [];
    for (const { name, table: t, columns: cols } of entries) {
      const colHit = cols.some((c) => match(c.name));
      if (!match(name) && !colHit) continue;
      const meta = t === null ? 'live tail only · not delivered yet' : `${formatNumber(t.rows)} rows · ${formatBytes(t.bytes)} · ${formatNumber(t.files)} file${t.files === 1 ? '' : 's'}`;
      tableRows.push(this.treeItem('table', name, meta, cols, t?.partition_keys ?? [], this.filter !== '' && colHit, t === null));
    }
    items.push(
      h('h3', { class: 'catalog-heading' }, `Tables (${this.tables.length + this.liveOnlyTables().length})`),
      tableRows.length > 0
        ? h('ul', { class: 'tree catalog-tree', 'data-testid': 'catalog-tables' }, ...tableRows)
        : h('p', { class: 'muted small' }, this.filter === '' ? 'No tables yet. Send records to a stream (POST /v1/events) and its table appears here.' : 'No table matches.'),
    );

    const viewRows: HTMLElement[] = [];
    for (const v of this.views) {
      if (!match(v.name) && !match(v.sql)) continue;
      viewRows.push(this.viewItem(v));
    }
    items.push(
      h('h3', { class: 'catalog-heading' }, `Views (${this.views.length})`),
      viewRows.length > 0
        ? h('ul', { class: 'tree catalog-tree', 'data-testid': 'catalog-views' }, ...viewRows)
        : h('p', { class: 'muted small' }, this.filter === '' ? 'No saved views. Write a query, then Save as view…' : 'No view matches.'),
    );
    this.catalogBody.replaceChildren(...items);
  }

  private chevron(key: string, label: string): HTMLButtonElement {
    const open = this.expanded.has(key);
    return h(
      'button',
      {
        class: 'chevron',
        'aria-expanded': open ? 'true' : 'false',
        'aria-label': `${open ? 'Collapse' : 'Expand'} ${label}`,
        onclick: () => {
          if (this.expanded.has(key)) this.expanded.delete(key);
          else this.expanded.add(key);
          this.drawCatalog();
        },
      },
      open ? '▾' : '▸',
    );
  }

  private insertName(name: string): void {
    this.showTab('editor');
    this.editor.insertText(quoteIdent(name));
  }

  private columnList(owner: string, columns: Column[], partitionKeys: string[]): HTMLElement {
    const keys = new Set(partitionKeys.map((k) => k.toLowerCase()));
    const list = h('ul', { class: 'tree catalog-columns' });
    const shown = [...columns];
    // Partition keys the column list does not hold (the catalog lists files' columns only).
    for (const k of partitionKeys) if (!shown.some((c) => c.name.toLowerCase() === k.toLowerCase())) shown.push({ name: k, type: 'VARCHAR' });
    for (const c of shown) {
      const hit = this.filter !== '' && c.name.toLowerCase().includes(this.filter);
      list.append(
        h(
          'li',
          { class: hit ? 'hit' : '' },
          h('button', { class: 'col-name', title: `Insert ${quoteIdent(c.name)}`, 'data-testid': `catalog-column-${owner}-${c.name}`, onclick: () => this.insertName(c.name) }, c.name),
          h('span', { class: 'col-type' }, c.type),
          keys.has(c.name.toLowerCase()) ? h('span', { class: 'badge key', title: 'partition key' }, 'partition') : null,
        ),
      );
    }
    if (shown.length === 0) list.append(h('li', { class: 'muted small' }, 'columns unknown'));
    return list;
  }

  private treeItem(kind: 'table', name: string, meta: string, columns: Column[], partitionKeys: string[], forceOpen: boolean, liveOnly = false): HTMLElement {
    const key = `${kind}:${name}`;
    const open = forceOpen || this.expanded.has(key);
    return h(
      'li',
      { class: 'catalog-item', 'data-testid': `catalog-table-${name}` },
      h(
        'div',
        { class: 'catalog-row' },
        this.chevron(key, name),
        h('button', { class: 'item-name', title: `Insert ${quoteIdent(name)} into the editor`, onclick: () => this.insertName(name) }, h('span', { class: 'item-icon', 'aria-hidden': 'true' }, '▦'), name),
        liveOnly ? h('span', { class: 'badge warn' }, 'live') : null,
        h('button', { class: 'ghost icon small-icon', title: `Details of ${name}`, 'aria-label': `Details of ${name}`, 'data-testid': `catalog-details-${name}`, onclick: () => this.openTable(name) }, icon('info')),
      ),
      h('div', { class: 'catalog-meta muted small' }, meta),
      open ? this.columnList(name, columns, partitionKeys) : null,
    );
  }

  private viewItem(v: View): HTMLElement {
    const key = `view:${v.name}`;
    const open = this.expanded.has(key);
    const columns = this.schemaColumns.get(v.name.toLowerCase())?.columns ?? [];
    return h(
      'li',
      { class: 'catalog-item', 'data-testid': `catalog-view-${v.name}` },
      h(
        'div',
        { class: 'catalog-row' },
        this.chevron(key, v.name),
        h('button', { class: 'item-name', title: `Insert ${quoteIdent(v.name)} into the editor`, onclick: () => this.insertName(v.name) }, h('span', { class: 'item-icon', 'aria-hidden': 'true' }, '◫'), v.name),
        h('button', { class: 'ghost icon small-icon', title: 'Open the view\'s SQL in the editor', 'aria-label': `Edit ${v.name}'s SQL`, onclick: () => this.loadSql(`CREATE OR REPLACE VIEW ${quoted(v.name)} AS\n${v.sql}`) }, icon('edit')),
        h('button', { class: 'ghost icon small-icon danger-text', title: `Drop ${v.name}`, 'aria-label': `Drop view ${v.name}`, 'data-testid': `view-drop-${v.name}`, onclick: () => this.dropView(v.name) }, icon('trash')),
      ),
      open
        ? h(
            'div',
            { class: 'view-detail' },
            h('pre', { class: 'view-sql', 'data-testid': `view-sql-${v.name}` }, v.sql),
            v.created_us !== undefined ? h('div', { class: 'muted small' }, `created ${when(v.created_us)}${v.created_by !== undefined ? ` by ${v.created_by}` : ''}`) : null,
            columns.length > 0 ? this.columnList(v.name, columns, []) : null,
          )
        : null,
    );
  }

  private completions(text: string): Completion[] {
    const out: Completion[] = [];
    const tableNames: string[] = [];
    for (const t of this.tables) {
      out.push({ label: t.name, insert: quoteIdent(t.name), kind: 'table', detail: `${formatNumber(t.rows)} rows` });
      tableNames.push(t.name);
    }
    for (const t of this.liveOnlyTables()) {
      out.push({ label: t.name, insert: quoteIdent(t.name), kind: 'table', detail: 'live' });
      tableNames.push(t.name);
    }
    for (const v of this.views) {
      out.push({ label: v.name, insert: quoteIdent(v.name), kind: 'view', detail: 'view' });
      tableNames.push(v.name);
    }
    for (const name of namesMentioned(text, tableNames)) {
      const table = this.tables.find((t) => t.name === name);
      const columns = [...this.columnsOf(name)];
      for (const k of table?.partition_keys ?? []) if (!columns.some((c) => c.name.toLowerCase() === k.toLowerCase())) columns.push({ name: k, type: 'VARCHAR' });
      for (const c of columns) out.push({ label: c.name, insert: quoteIdent(c.name), kind: 'column', detail: `${name} · ${c.type}` });
    }
    for (const f of kSqlFunctions) out.push({ label: f, insert: f, kind: 'function' });
    for (const k of kSqlKeywords) out.push({ label: k, insert: k, kind: 'keyword' });
    return out;
  }

  // ---------------- tabs ----------------

  private drawTabs(): void {
    const tab = (id: string, label: string, closable: boolean): HTMLElement => {
      const selected = this.activeTab === id;
      const button = h(
        'button',
        {
          class: `sql-tab${selected ? ' active' : ''}`,
          role: 'tab',
          'aria-selected': selected ? 'true' : 'false',
          'data-testid': `tab-${id}`,
          onclick: () => this.showTab(id),
        },
        label,
      );
      if (!closable) return button;
      return h(
        'span',
        { class: `sql-tab-wrap${selected ? ' active' : ''}` },
        button,
        h('button', { class: 'sql-tab-close', 'aria-label': `Close ${label}`, title: 'Close', onclick: () => this.closeTable(id.slice('table:'.length)) }, '×'),
      );
    };
    this.tabBar.replaceChildren(
      tab('editor', 'Editor', false),
      tab('history', 'Recent queries', false),
      ...this.openTables.map((name) => tab(`table:${name}`, `▦ ${name}`, true)),
    );
  }

  private showTab(id: string): void {
    const changed = this.activeTab !== id;
    this.activeTab = id;
    this.drawTabs();
    if (id === 'editor') {
      // Re-attaching the editor would lose its cursor and scroll.
      if (this.editorPanel.parentElement !== this.panels || this.panels.childElementCount !== 1) this.panels.replaceChildren(this.editorPanel);
    } else if (id === 'history') {
      this.panels.replaceChildren(this.historyPanel);
      if (changed || this.historyPanel.childElementCount === 0) void this.loadHistory();
    } else {
      const name = id.slice('table:'.length);
      const panel = h('div', { class: 'table-detail', 'data-testid': 'table-detail' }, h('p', { class: 'muted' }, `Loading ${name}…`));
      this.panels.replaceChildren(panel);
      void this.loadTable(name, panel);
    }
  }

  private openTable(name: string): void {
    if (!this.openTables.includes(name)) this.openTables.push(name);
    this.showTab(`table:${name}`);
  }

  private closeTable(name: string): void {
    const at = this.openTables.indexOf(name);
    if (at >= 0) this.openTables.splice(at, 1);
    if (this.activeTab === `table:${name}`) this.showTab('editor');
    else this.drawTabs();
  }

  private loadSql(sql: string): void {
    this.editor.setValue(sql);
    this.showTab('editor');
    this.editor.focus();
  }

  // ---------------- running ----------------

  private emptyResults(): HTMLElement {
    return h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-title' }, 'Results'),
      h('p', { class: 'muted empty' }, 'Run a query to see its results here. Tables and columns from the catalog on the left can be clicked into the editor.'),
    );
  }

  private setRunning(running: boolean): void {
    this.runButton.disabled = running;
    this.cancelButton.disabled = !running;
    this.root.querySelector('.sql-editor-card')?.classList.toggle('running', running);
  }

  private async runQuery(): Promise<void> {
    if (this.run !== null) return;
    const selection = this.editor.getSelection();
    const sql = selection?.text ?? this.editor.getValue();
    const lineOffset = selection === null ? 0 : selection.line - 1;
    if (sql.trim() === '') {
      this.status.textContent = 'Nothing to run: write a query first.';
      return;
    }
    this.showTab('editor');
    this.editor.clearError();
    const controller = new AbortController();
    const started = performance.now();
    const timer = window.setInterval(() => {
      this.status.textContent = `Running… ${((performance.now() - started) / 1000).toFixed(1)} s`;
    }, 100);
    this.run = { controller, sql, started, timer };
    this.setRunning(true);
    this.status.textContent = 'Running…';
    this.results.classList.add('stale');
    try {
      const result = await api<QueryResult>('/v1/query', { method: 'POST', body: { sql }, signal: controller.signal });
      if (this.disposed) return;
      this.lastResult = { sql, result };
      this.showResult(sql, result);
      this.status.textContent = result.error === undefined ? `Completed in ${ms(result.elapsed_ms ?? performance.now() - started)}` : 'Failed';
    } catch (e) {
      if (this.disposed) return;
      if (isAbort(e)) {
        this.status.textContent = 'Cancelled';
        this.results.replaceChildren(
          h('section', { class: 'panel', 'data-testid': 'sql-cancelled' }, h('div', { class: 'panel-title' }, 'Cancelled'), h('p', { class: 'muted' }, 'The query was cancelled before it answered.')),
        );
      } else {
        this.showError(e, lineOffset);
        this.status.textContent = e instanceof ApiError && e.code === 'query_cancelled' ? 'Cancelled' : 'Failed';
      }
    } finally {
      clearInterval(timer);
      this.endRun(controller);
      this.results.classList.remove('stale');
      if (!this.disposed) this.setRunning(false);
      if (this.activeTab === 'history') void this.loadHistory();
      // A CREATE/DROP VIEW changes the catalog.
      if (/^\s*(create|drop)\s/i.test(sql.replace(/^(\s*--[^\n]*\n)+/, ''))) void this.loadCatalog();
    }
  }

  private endRun(controller: AbortController): void {
    if (this.run?.controller === controller) this.run = null;
  }

  private showError(e: unknown, lineOffset: number): void {
    const message = e instanceof ApiError ? e.message : describeError(e);
    const cancelled = e instanceof ApiError && e.code === 'query_cancelled';
    this.results.replaceChildren(
      h(
        'section',
        { class: 'panel' },
        h('div', { class: 'panel-title' }, cancelled ? 'Cancelled' : 'Query failed'),
        errorBanner(describeError(e)),
      ),
    );
    const position = errorPosition(message);
    if (position !== null && !cancelled) this.editor.showError(position.line + lineOffset, position.column, errorSummary(message));
  }

  private showResult(sql: string, result: QueryResult): void {
    const columns = result.columns.map((c) => c.name);
    const rowCount = result.row_count ?? result.rows.length;
    const stats = h(
      'div',
      { class: 'sql-stats' },
      h('span', {}, h('span', { class: 'muted' }, 'Rows '), h('b', { 'data-testid': 'sql-row-count' }, formatNumber(rowCount))),
      h('span', {}, h('span', { class: 'muted' }, 'Run time '), h('b', { 'data-testid': 'sql-elapsed' }, result.elapsed_ms !== undefined ? ms(result.elapsed_ms) : '—')),
      h('span', {}, h('span', { class: 'muted' }, 'Data scanned '), h('b', { 'data-testid': 'sql-bytes' }, result.bytes_scanned !== undefined ? formatBytes(result.bytes_scanned) : '—')),
      result.query_id !== undefined ? h('span', { class: 'muted' }, `query #${result.query_id}`) : null,
    );
    const downloadButton = h('button', { 'data-testid': 'sql-download', title: 'Runs the query again on the server and saves all its rows as CSV' }, icon('download'), 'Download CSV');
    downloadButton.addEventListener('click', () => void this.downloadCsv(sql, result.query_id, downloadButton));
    this.results.replaceChildren(
      h(
        'section',
        { class: 'panel' },
        h('div', { class: 'panel-title' }, 'Results', h('span', { class: 'spacer' }), downloadButton),
        stats,
        result.error !== undefined ? errorBanner(`The query failed after sending ${result.rows.length} rows: ${result.error.code}: ${result.error.message}`) : null,
        columns.length === 0 ? h('p', { class: 'muted' }, 'The statement returned no columns.') : pagedTable(columns, result.rows, 50, 'sql-results'),
      ),
    );
  }

  private async downloadCsv(sql: string, queryId: number | undefined, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const label = [...button.childNodes];
    button.textContent = 'Preparing CSV…';
    try {
      const response = await send('/v1/query', { method: 'POST', body: { sql, format: 'csv' }, accept: 'text/csv' });
      const text = await response.text();
      download(`gamelake-query${queryId !== undefined ? `-${queryId}` : ''}.csv`, text);
    } catch (e) {
      toast(`Download failed: ${describeError(e)}`, 'error');
    } finally {
      button.disabled = false;
      button.replaceChildren(...label);
    }
  }

  // Cancel: stop waiting for the answer, and stop the query on the server —
  // it is the running query with this SQL (the newest, if several).
  private async cancelQuery(): Promise<void> {
    const run = this.run;
    if (run === null) return;
    run.controller.abort();
    this.status.textContent = 'Cancelling…';
    try {
      for (let attempt = 0; attempt < 10 && !this.disposed; attempt += 1) {
        const list = await api<QueryList>('/v1/queries?limit=1');
        const mine = list.running.filter((q) => q.sql === run.sql).sort((a, b) => b.started_us - a.started_us)[0];
        if (mine !== undefined) {
          try {
            await api(`/v1/queries/${mine.query_id}`, { method: 'DELETE' });
            this.status.textContent = `Cancelled (query #${mine.query_id} stopped on the server)`;
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 404)) throw e;
            this.status.textContent = `Cancelled (query #${mine.query_id} had already finished)`;
          }
          if (this.activeTab === 'history') void this.loadHistory();
          return;
        }
        await sleep(150);
      }
      this.status.textContent = 'Cancelled (the server was no longer running it)';
    } catch (e) {
      toast(`Cancelling on the server failed: ${describeError(e)}`, 'error');
      this.status.textContent = 'Cancelled here; the server may still be running it';
    }
  }

  // ---------------- views ----------------

  private saveAsView(): void {
    const sql = (this.editor.getSelection()?.text ?? this.editor.getValue()).trim().replace(/;+\s*$/, '');
    if (sql === '') {
      toast('Write the query the view should hold first.', 'error');
      return;
    }
    const input = h('input', { id: 'view-name', required: true, autocomplete: 'off', placeholder: 'data-view', 'data-testid': 'view-name-input' });
    const replace = h('input', { type: 'checkbox', id: 'view-replace' });
    const status = h('div', {});
    const create = h('button', { class: 'primary', type: 'submit', 'data-testid': 'view-create' }, 'Create view');
    const form = h(
      'form',
      { method: 'dialog', class: 'sql-dialog-form' },
      h('h2', {}, 'Create view from query'),
      h('label', { for: 'view-name' }, 'View name'),
      input,
      h('div', { class: 'row' }, replace, h('label', { for: 'view-replace', class: 'inline' }, 'Replace a view of this name')),
      h('label', {}, 'Query'),
      h('pre', { class: 'view-sql' }, sql),
      status,
      h('div', { class: 'toolbar end' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), create),
    );
    const dialog = this.dialog(form, 'save-view-dialog');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = input.value.trim();
      if (name === '') return;
      const ddl = `CREATE ${replace.checked ? 'OR REPLACE ' : ''}VIEW ${quoted(name)} AS\n${sql}`;
      create.disabled = true;
      status.replaceChildren(h('span', { class: 'muted' }, 'Creating…'));
      api<QueryResult>('/v1/query', { method: 'POST', body: { sql: ddl } }).then(
        () => {
          dialog.close();
          toast(`View ${name} created`);
          this.expanded.add(`view:${name}`);
          void this.loadCatalog();
        },
        (e: unknown) => {
          create.disabled = false;
          status.replaceChildren(errorBanner(describeError(e)));
        },
      );
    });
    input.focus();
  }

  private dropView(name: string): void {
    const ok = h('button', { class: 'danger', type: 'submit', 'data-testid': 'confirm-drop' }, 'Drop view');
    const status = h('div', {});
    const form = h(
      'form',
      { method: 'dialog', class: 'sql-dialog-form' },
      h('h2', {}, `Drop view ${name}?`),
      h('p', {}, 'This runs ', h('code', {}, `DROP VIEW ${quoted(name)}`), '. Analyses built on the view stop working.'),
      status,
      h('div', { class: 'toolbar end' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), ok),
    );
    const dialog = this.dialog(form, 'drop-view-dialog');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ok.disabled = true;
      api<QueryResult>('/v1/query', { method: 'POST', body: { sql: `DROP VIEW ${quoted(name)}` } }).then(
        () => {
          dialog.close();
          toast(`View ${name} dropped`);
          void this.loadCatalog();
        },
        (e: unknown) => {
          ok.disabled = false;
          status.replaceChildren(errorBanner(describeError(e)));
        },
      );
    });
    ok.focus();
  }

  private dialog(content: HTMLElement, testid: string): HTMLDialogElement {
    const dialog = h('dialog', { class: 'sql-dialog', 'data-testid': testid }, content);
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    this.disposers.push(() => dialog.remove());
    dialog.showModal();
    return dialog;
  }

  // ---------------- history ----------------

  private async loadHistory(): Promise<void> {
    this.historyLoad?.abort();
    const controller = new AbortController();
    this.historyLoad = controller;
    if (this.historyPanel.childElementCount === 0) this.historyPanel.append(h('p', { class: 'muted' }, 'Loading the history…'));
    let list: QueryList;
    try {
      list = await api<QueryList>('/v1/queries?limit=100', { signal: controller.signal });
    } catch (e) {
      if (isAbort(e) || this.disposed) return;
      this.historyPanel.replaceChildren(errorBanner(describeError(e)));
      return;
    }
    if (controller.signal.aborted || this.disposed) return;
    const rows: HTMLElement[] = [];
    // The console's own lookups (marked "-- console: ...") show as their first line.
    const sqlCell = (sql: string): HTMLElement => {
      const own = sql.startsWith('-- console:');
      const shown = own ? `${sql.split('\n')[0] ?? ''} …` : sql.length > 400 ? `${sql.slice(0, 400)}…` : sql;
      return h('td', { class: `history-sql${own ? ' own' : ''}` }, h('button', { class: 'link', title: own ? sql : 'Open in the editor', onclick: () => this.loadSql(sql) }, shown));
    };
    for (const q of list.running) {
      rows.push(
        h(
          'tr',
          { 'data-testid': 'history-row', 'data-state': 'running' },
          h('td', {}, h('span', { class: 'badge warn' }, 'running')),
          sqlCell(q.sql),
          h('td', {}, when(q.started_us)),
          h('td', { class: 'num' }, ms(Math.max(0, Date.now() - q.started_us / 1000))),
          h('td', { class: 'num' }, '—'),
          h('td', { class: 'num' }, '—'),
          h('td', {}, h('button', { class: 'danger small-button', onclick: () => void this.cancelById(q.query_id) }, 'Cancel')),
        ),
      );
    }
    for (const q of list.history) {
      const badge = q.state === 'succeeded' ? 'ok' : q.state === 'cancelled' ? 'warn' : 'bad';
      rows.push(
        h(
          'tr',
          { 'data-testid': 'history-row', 'data-state': q.state, title: q.error !== '' ? q.error : null },
          h('td', {}, h('span', { class: `badge ${badge}` }, q.state)),
          sqlCell(q.sql),
          h('td', {}, when(q.started_us)),
          h('td', { class: 'num' }, ms(q.duration_ms)),
          h('td', { class: 'num' }, formatNumber(q.rows)),
          h('td', { class: 'num' }, formatBytes(q.bytes_scanned)),
          h('td', { class: 'muted small history-error' }, q.error),
        ),
      );
    }
    this.historyPanel.replaceChildren(
      h(
        'section',
        { class: 'panel' },
        h(
          'div',
          { class: 'panel-title' },
          'Recent queries',
          h('span', { class: 'muted small' }, `${list.running.length} running · ${list.history.length} finished (newest first)`),
          h('span', { class: 'spacer' }),
          h('button', { class: 'ghost', 'data-testid': 'history-refresh', onclick: () => void this.loadHistory() }, '⟳ Refresh'),
        ),
        rows.length === 0
          ? h('p', { class: 'muted' }, 'No queries yet.')
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'grid history-table', 'data-testid': 'history' },
                h('thead', {}, h('tr', {}, ...['State', 'Query', 'Started', 'Duration', 'Rows', 'Data scanned', ''].map((c) => h('th', { scope: 'col' }, c)))),
                h('tbody', {}, ...rows),
              ),
            ),
      ),
    );
  }

  private async cancelById(id: number): Promise<void> {
    try {
      await api(`/v1/queries/${id}`, { method: 'DELETE' });
      toast(`Query #${id} cancelled`);
    } catch (e) {
      toast(describeError(e), 'error');
    }
    void this.loadHistory();
  }

  // ---------------- a table's details ----------------

  private async loadTable(name: string, panel: HTMLElement): Promise<void> {
    const live = this.liveOnlyTables().find((t) => t.name === name);
    if (live !== undefined) {
      panel.replaceChildren(
        this.tableHeader(name),
        h('p', { class: 'muted' }, `${name}'s records are all in the live tail: none is delivered to a file yet, so it has no partitions or files. It is queryable already.`),
        this.section('Columns', live.columns.length, this.columnsTable(live.columns, [])),
      );
      return;
    }
    let detail: TableDetail;
    try {
      detail = await api<TableDetail>(`/v1/catalog/tables/${encodeURIComponent(name)}`);
    } catch (e) {
      if (this.disposed) return;
      panel.replaceChildren(this.tableHeader(name), errorBanner(describeError(e)));
      return;
    }
    if (this.disposed || !panel.isConnected) return;
    const files = Array.isArray(detail.files) ? detail.files : [];
    const fileCount = Array.isArray(detail.files) ? detail.files.length : detail.files;
    const kpi = (label: string, value: string, testid: string): HTMLElement =>
      h('div', { class: 'kpi-small' }, h('div', { class: 'muted small' }, label), h('div', { class: 'kpi-small-value', 'data-testid': testid }, value));
    const keys = detail.partition_keys;
    panel.replaceChildren(
      this.tableHeader(name, detail.database),
      h(
        'div',
        { class: 'kpi-row' },
        kpi('Rows', formatNumber(detail.rows), 'detail-rows'),
        kpi('Files', formatNumber(fileCount), 'detail-files'),
        kpi('Size', formatBytes(detail.bytes), 'detail-bytes'),
        kpi('Partitions', formatNumber(detail.partitions.length), 'detail-partitions'),
        kpi('Schema version', String(detail.schema_version), 'detail-schema-version'),
        kpi('Updated', when(detail.updated_us), 'detail-updated'),
      ),
      h(
        'div',
        { class: 'grid-2' },
        this.section('Columns', detail.columns.length + keys.length, this.columnsTable(detail.columns, keys)),
        this.section(
          'Partitions',
          detail.partitions.length,
          detail.partitions.length === 0
            ? h('p', { class: 'muted' }, 'No partitions.')
            : pagedTable(
                [...keys, 'files', 'rows', 'bytes'],
                detail.partitions.map((p) => [...keys.map((k) => p.values[k] ?? null), p.files, p.rows, formatBytes(p.bytes)]),
                20,
                'detail-partitions-table',
              ),
        ),
      ),
      this.section(
        'Files',
        fileCount,
        files.length === 0
          ? h('p', { class: 'muted' }, 'No files.')
          : pagedTable(
              ['path', 'format', 'rows', 'bytes', 'first _record_id', 'last _record_id'],
              files.map((f) => [f.path, f.format, f.rows, formatBytes(f.bytes), f.first_record_id ?? '—', f.last_record_id ?? '—']),
              20,
              'detail-files-table',
            ),
      ),
      this.section(
        'Schema history',
        detail.schema_history.length,
        detail.schema_history.length === 0
          ? h('p', { class: 'muted' }, 'No schema changes recorded.')
          : pagedTable(
              ['version', 'when', 'change', 'file'],
              detail.schema_history.map((s) => [s.version, when(s.time_us), s.change, s.file]),
              20,
              'detail-schema-table',
            ),
      ),
      this.section(
        'Unreadable files',
        detail.bad_files.length,
        detail.bad_files.length === 0
          ? h('p', { class: 'muted', 'data-testid': 'detail-bad-files' }, 'None: every file of this table could be read.')
          : h('ul', { class: 'bad-files', 'data-testid': 'detail-bad-files' }, ...detail.bad_files.map((b) => this.badFile(b))),
      ),
    );
  }

  private badFile(b: unknown): HTMLElement {
    if (typeof b === 'object' && b !== null && 'path' in b) {
      const { path, reason } = b as { path: unknown; reason?: unknown };
      return h('li', {}, h('code', {}, String(path)), typeof reason === 'string' ? h('div', { class: 'bad-reason' }, reason) : null);
    }
    return h('li', {}, typeof b === 'string' ? b : JSON.stringify(b));
  }

  private tableHeader(name: string, database?: string): HTMLElement {
    return h(
      'div',
      { class: 'toolbar table-detail-header' },
      h('h2', {}, h('span', { class: 'item-icon', 'aria-hidden': 'true' }, '▦ '), name),
      database !== undefined ? h('span', { class: 'badge scope' }, `database ${database}`) : null,
      h('span', { class: 'spacer' }),
      h('button', { 'data-testid': 'detail-insert', onclick: () => this.insertName(name) }, 'Insert name'),
      h(
        'button',
        {
          class: 'primary',
          'data-testid': 'detail-preview',
          title: 'SELECT * … LIMIT 10 in the editor, and run it',
          onclick: () => {
            this.loadSql(`SELECT * FROM ${quoteIdent(name)} LIMIT 10`);
            void this.runQuery();
          },
        },
        'Preview table',
      ),
    );
  }

  private columnsTable(columns: Column[], partitionKeys: string[]): HTMLElement {
    const rows: HTMLElement[] = columns.map((c, k) => h('tr', {}, h('td', { class: 'num muted' }, k + 1), h('td', {}, c.name), h('td', { class: 'muted' }, c.type), h('td', {}, '')));
    const have = new Set(columns.map((c) => c.name.toLowerCase()));
    for (const key of partitionKeys) {
      if (have.has(key.toLowerCase())) continue;
      rows.push(h('tr', {}, h('td', { class: 'num muted' }, rows.length + 1), h('td', {}, key), h('td', { class: 'muted' }, 'VARCHAR'), h('td', {}, h('span', { class: 'badge key' }, 'partition key'))));
    }
    return h(
      'div',
      { class: 'table-scroll' },
      h('table', { class: 'grid', 'data-testid': 'detail-columns' }, h('thead', {}, h('tr', {}, ...['#', 'Column', 'Type', ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows)),
    );
  }

  private section(title: string, count: number, body: HTMLElement): HTMLElement {
    return h('section', { class: 'panel detail-section' }, h('div', { class: 'panel-title' }, title, h('span', { class: 'badge scope' }, String(count))), body);
  }
}
