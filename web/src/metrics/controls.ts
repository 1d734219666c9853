// The time-range bar both metrics pages share: presets (1m … 1w), a custom
// from/to, auto refresh and, where the page offers it, the Live toggle.
import { h } from '../ui';
import { kPresets, kRefreshChoices, describeRange, type TimeRange } from './time';

export interface RangeBarState {
  range: TimeRange;
  refresh: string; // an id of kRefreshChoices
  live?: boolean; // undefined: no Live toggle
}

export interface RangeBar {
  element: HTMLElement;
  update(state: RangeBarState): void;
}

function toLocalInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function rangeBar(
  initial: RangeBarState,
  onChange: (state: RangeBarState) => void,
  onRefresh: () => void,
  presets = kPresets,
  testPrefix = 'range',
): RangeBar {
  let state = { ...initial };
  const presetButtons = presets.map((p) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        'data-testid': `${testPrefix}-${p.id}`,
        title: `Last ${p.label}`,
        onclick: () => set({ ...state, range: { kind: 'relative', seconds: p.seconds } }),
      },
      p.label,
    ),
  );
  const fromInput = h('input', { type: 'datetime-local', id: `${testPrefix}-from`, 'data-testid': `${testPrefix}-from` });
  const toInput = h('input', { type: 'datetime-local', id: `${testPrefix}-to`, 'data-testid': `${testPrefix}-to` });
  const customError = h('span', { class: 'form-error small', role: 'alert' });
  const custom = h(
    'form',
    { class: 'cw-custom', hidden: true },
    h('label', { for: `${testPrefix}-from` }, 'From'),
    fromInput,
    h('label', { for: `${testPrefix}-to` }, 'To'),
    toInput,
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    customError,
  );
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    const s = Date.parse(fromInput.value);
    const e = Date.parse(toInput.value);
    if (Number.isNaN(s) || Number.isNaN(e) || e <= s) {
      customError.textContent = 'Pick a start before the end.';
      return;
    }
    customError.textContent = '';
    custom.hidden = true;
    set({ ...state, range: { kind: 'absolute', start: Math.floor(s / 1000), end: Math.ceil(e / 1000) }, live: state.live === undefined ? undefined : false });
  });
  const customButton = h(
    'button',
    {
      type: 'button',
      class: 'seg',
      'aria-expanded': 'false',
      'data-testid': `${testPrefix}-custom`,
      onclick: () => {
        custom.hidden = !custom.hidden;
        customButton.setAttribute('aria-expanded', String(!custom.hidden));
        if (!custom.hidden) {
          const now = Math.floor(Date.now() / 1000);
          const r = state.range.kind === 'absolute' ? state.range : { start: now - state.range.seconds, end: now };
          fromInput.value = toLocalInput(r.start);
          toInput.value = toLocalInput(r.end);
          fromInput.focus();
        }
      },
    },
    'Custom',
  );
  const refreshSelect = h(
    'select',
    { id: `${testPrefix}-refresh`, 'data-testid': `${testPrefix}-refresh`, 'aria-label': 'Auto refresh' },
    ...kRefreshChoices.map((c) => h('option', { value: c.id }, c.id === 'off' ? 'Auto refresh: off' : `Every ${c.label}`)),
  );
  refreshSelect.addEventListener('change', () => set({ ...state, refresh: refreshSelect.value }));
  const liveInput = h('input', { type: 'checkbox', id: `${testPrefix}-live`, 'data-testid': `${testPrefix}-live` });
  liveInput.addEventListener('change', () => set({ ...state, live: liveInput.checked }));
  const liveToggle = h('label', { class: 'cw-toggle', for: `${testPrefix}-live`, title: 'Live data: draw each period as it closes (a relative range only)' }, liveInput, 'Live data');
  const summary = h('span', { class: 'muted small cw-range-text', 'data-testid': `${testPrefix}-text` });
  const element = h(
    'div',
    { class: 'cw-rangebar' },
    h('div', { class: 'seg-group', role: 'group', 'aria-label': 'Time range' }, ...presetButtons, customButton),
    summary,
    h('span', { class: 'spacer' }),
    initial.live === undefined ? null : liveToggle,
    refreshSelect,
    h('button', { type: 'button', title: 'Refresh now', 'aria-label': 'Refresh now', 'data-testid': `${testPrefix}-reload`, onclick: onRefresh }, '⟳'),
    custom,
  );
  const update = (s: RangeBarState): void => {
    state = { ...s };
    presetButtons.forEach((b, i) => {
      const p = presets[i];
      b.setAttribute('aria-pressed', String(s.range.kind === 'relative' && p !== undefined && p.seconds === s.range.seconds));
    });
    customButton.classList.toggle('on', s.range.kind === 'absolute');
    refreshSelect.value = s.refresh;
    liveInput.checked = s.live === true;
    liveInput.disabled = s.range.kind === 'absolute';
    summary.textContent = describeRange(s.range);
  };
  const set = (s: RangeBarState): void => {
    update(s);
    onChange(state);
  };
  update(state);
  return { element, update };
}
