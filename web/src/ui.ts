// Small DOM helpers every page uses: element building, the error banner, a
// paged results table, CSV text, and formatting. No framework: pages build
// DOM with h() and own what they build until their cleanup runs.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

// h('button', {class: 'primary', onclick: run}, 'Run') — attributes starting
// with "on" become listeners; false/null/undefined attributes are left out.
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

// A visible error: the server's message as it came, in a banner with role=alert.
export function errorBanner(message: string): HTMLElement {
  return h('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error' }, message);
}

export function describeError(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'describe' in e && typeof e.describe === 'function') {
    return (e as { describe: () => string }).describe();
  }
  return e instanceof Error ? e.message : String(e);
}

// Shows a short-lived message in the corner (saved, copied...).
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  let host = document.getElementById('toasts');
  if (host === null) {
    host = h('div', { id: 'toasts', 'aria-live': 'polite' });
    document.body.appendChild(host);
  }
  const note = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  host.appendChild(note);
  setTimeout(() => note.remove(), kind === 'error' ? 8000 : 3000);
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

// RFC 4180 CSV of a header and rows (quotes doubled, fields with , " or
// newlines quoted).
export function toCsv(columns: string[], rows: unknown[][]): string {
  const field = (v: unknown): string => {
    const text = v === null || v === undefined ? '' : formatCell(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.map(field).join(','), ...rows.map((r) => r.map(field).join(','))].join('\r\n') + '\r\n';
}

export function download(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: filename });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A table of rows with paging (pageSize rows a page); the caller keeps the rows.
export function pagedTable(
  columns: string[],
  rows: unknown[][],
  pageSize = 50,
  testid = 'results',
): HTMLElement {
  const wrap = h('div', { class: 'table-wrap' });
  let page = 0;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const render = (): void => {
    const start = page * pageSize;
    const body = rows.slice(start, start + pageSize).map((row) =>
      h('tr', {}, ...row.map((v) => h('td', { class: v === null ? 'null' : typeof v === 'number' ? 'num' : '' }, formatCell(v)))),
    );
    const table = h(
      'table',
      { class: 'grid', 'data-testid': testid },
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...body),
    );
    const pager = h(
      'div',
      { class: 'pager' },
      h('span', { 'data-testid': `${testid}-count` }, `${rows.length} row${rows.length === 1 ? '' : 's'}`),
      h('button', { class: 'ghost', disabled: page === 0, onclick: () => { page -= 1; render(); } }, '‹ Prev'),
      h('span', {}, `page ${page + 1} of ${pages}`),
      h('button', { class: 'ghost', disabled: page + 1 >= pages, onclick: () => { page += 1; render(); } }, 'Next ›'),
    );
    wrap.replaceChildren(h('div', { class: 'table-scroll' }, table), pager);
  };
  render();
  return wrap;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i] ?? 'B'}`;
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
