// What every Players panel is made of: the frame (title, subtitle, the SQL
// button and its box of statements, the body), the body's states (computing,
// empty, failed), the chart's numbers as a folded table, and the small
// controls several panels share (copy buttons, a "D0–Dn" select).
import { h, describeError, errorBanner, toast } from '../ui';
import { str, type KpiAnswer } from './kpi';

export interface SqlStatement {
  label: string;
  sql: string;
}

export interface PanelHandle {
  root: HTMLElement;
  body: HTMLElement;
  // Fills the SQL box (a statement with its Copy and Open in SQL page); the
  // SQL button stays disabled while there is none.
  setSql: (statements: SqlStatement[]) => void;
}

export interface PanelSpec {
  id: string; // data-testid panel-<id>, sql-<id>, sql-button-<id>
  title: string;
  subtitle: string;
  wide?: boolean; // the whole width, outside the two-column grid
}

// A panel whose body says "Computing…" until it is drawn.
export function panelFrame(spec: PanelSpec): PanelHandle {
  const body = h('div', { class: 'pl-body' }, h('div', { class: 'muted pl-loading' }, 'Computing…'));
  const sqlBox = h('div', { class: 'pl-sql', hidden: true, 'data-testid': `sql-${spec.id}` });
  const sqlButton = h('button', {
    type: 'button',
    class: 'small-btn',
    disabled: true,
    'aria-expanded': 'false',
    'data-testid': `sql-button-${spec.id}`,
    title: 'The SQL this panel ran (sql=true): copy it into the SQL page and change it',
    onclick: () => {
      const open = sqlBox.hidden;
      sqlBox.hidden = !open;
      sqlButton.setAttribute('aria-expanded', String(open));
    },
  }, 'SQL');
  const root = h(
    'section',
    { class: 'panel pl-panel', 'data-testid': `panel-${spec.id}`, 'aria-label': spec.title },
    h('div', { class: 'panel-title' }, h('span', {}, spec.title), h('span', { class: 'spacer' }), sqlButton),
    h('div', { class: 'muted small pl-sub' }, spec.subtitle),
    sqlBox,
    body,
  );
  if (spec.wide === true) root.classList.add('pl-wide');
  const setSql = (statements: SqlStatement[]): void => {
    sqlButton.disabled = statements.length === 0;
    sqlBox.replaceChildren(...statements.map(sqlStatement));
  };
  return { root, body, setSql };
}

function sqlStatement(s: SqlStatement): HTMLElement {
  return h(
    'div',
    { class: 'pl-sql-one' },
    h(
      'div',
      { class: 'row' },
      h('strong', {}, s.label),
      h('span', { class: 'spacer' }),
      copyButton(s.sql, 'SQL copied'),
      h('a', { class: 'button small-btn', href: `#/sql?sql=${encodeURIComponent(s.sql)}` }, 'Open in SQL page'),
    ),
    h('pre', { class: 'pl-sql-text' }, s.sql),
  );
}

// The SQL of an answer (asked with sql=true), labelled by its KPI or `label`.
export function sqlOf(answer: KpiAnswer, label?: string): SqlStatement[] {
  return answer.sql === undefined ? [] : [{ label: label ?? answer.kpi, sql: answer.sql }];
}

// A "Copy" button that puts `text` on the clipboard and says `copied`.
export function copyButton(text: string, copied: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'small-btn', onclick: () => {
    navigator.clipboard.writeText(text).then(() => toast(copied), (e: unknown) => toast(`Could not copy: ${describeError(e)}`, 'error'));
  } }, 'Copy');
}

// A panel body's "nothing here": what is missing and what to send.
export function emptyNote(testid: string, ...text: string[]): HTMLElement {
  return h('div', { class: 'pl-empty muted', 'data-testid': testid }, ...text);
}

// A failed request: the API's message as it came, then `hint` when given.
export function failureNote(e: unknown, hint?: string): HTMLElement[] {
  return [errorBanner(describeError(e)), ...(hint === undefined ? [] : [h('p', { class: 'muted pl-help' }, hint)])];
}

// Waits for a panel's drawing; a failure (unless the load was abandoned)
// replaces the panel's body with the error and `hint`.
export async function settle(panel: PanelHandle, signal: AbortSignal, work: Promise<void>, hint?: string): Promise<void> {
  try {
    await work;
  } catch (e) {
    if (signal.aborted) return;
    panel.body.replaceChildren(...failureNote(e, hint));
  }
}

// `draw` with the answer, unless the load was abandoned meanwhile.
export async function whenAnswered<T>(answer: Promise<T>, signal: AbortSignal, draw: (a: T) => void): Promise<void> {
  const a = await answer;
  if (!signal.aborted) draw(a);
}

// Whether the answer was asked by segment (it then has a segment column).
export function isSegmented(answer: KpiAnswer): boolean {
  return answer.columns.some((c) => c.name === 'segment');
}

// The chart's numbers as a table, folded away (and read by the tests).
export function dataTable(answer: KpiAnswer, id: string): HTMLElement {
  return h(
    'details',
    { class: 'pl-data' },
    h('summary', { class: 'muted small' }, 'Table'),
    h('div', { class: 'table-scroll' }, h('table', { class: 'grid', 'data-testid': `data-${id}` },
      h('thead', {}, h('tr', {}, ...answer.columns.map((c) => h('th', { scope: 'col' }, c.name)))),
      h('tbody', {}, ...answer.rows.map((row) => h('tr', {}, ...row.map(dataCell)))))),
  );
}

function dataCell(v: unknown): HTMLElement {
  const text = v === null ? 'NULL' : typeof v === 'number' && !Number.isInteger(v) ? String(+v.toFixed(4)) : str(v);
  return h('td', { class: typeof v === 'number' ? 'num' : '' }, text);
}

const kDayChoices = [7, 14, 30, 60, 90];

// "D0–D7" … "D0–D90" (and `days` when it is none of those), for the days
// since install a panel asks for; `onChange` gets the days chosen.
export function daysSelect(label: string, testid: string, days: number, onChange: (days: number) => void): HTMLSelectElement {
  const select = h('select', { 'aria-label': label, 'data-testid': testid },
    ...kDayChoices.map((d) => h('option', { value: d }, `D0–D${d}`)));
  if (!kDayChoices.includes(days)) select.append(h('option', { value: days }, `D0–D${days}`));
  select.value = String(days);
  select.addEventListener('change', () => onChange(Number(select.value)));
  return select;
}
