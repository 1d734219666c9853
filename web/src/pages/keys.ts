// Keys (admin): the server's API keys (docs/auth.md, docs/api.md /v1/keys):
// list them with scope, streams, rate limits, created and revoked times;
// create one (its secret shown once, with Copy); revoke one after a confirm.
import './keys.css';
import { api } from '../api';
import { currentKey } from '../session';
import type { Cleanup, PageContext } from '../page';
import { describeError, errorBanner, formatNumber, h, toast } from '../ui';
import { confirmDialog } from '../apps/confirm';
import { splitList } from '../apps/helpers';

interface KeyInfo {
  id: string;
  name: string;
  scope: 'ingest' | 'admin' | 'metrics:read';
  streams: string[];
  rate_records_per_s: number;
  rate_bytes_per_s: number;
  created_at: string;
  revoked_at: string | null;
}

const kScopes: { value: KeyInfo['scope']; label: string; help: string }[] = [
  { value: 'ingest', label: 'ingest', help: 'Sends records to its streams (all streams when none are listed) and puts metrics. For game clients and servers.' },
  { value: 'metrics:read', label: 'metrics:read', help: 'Reads metrics, dashboards and alarms, nothing else. For producers and designers who watch dashboards.' },
  { value: 'admin', label: 'admin', help: 'Everything: SQL, applications, keys, ingest into any stream. Keep these few.' },
];

function formatTime(iso: string | null): string {
  return iso === null ? '' : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

function limitText(n: number, unit: string): string {
  return n === 0 ? 'server default' : `${formatNumber(n)} ${unit}/s`;
}

export function render(root: HTMLElement, _context: PageContext): Cleanup {
  const abort = new AbortController();
  const signal = abort.signal;
  const status = h('div', {});
  const secretHost = h('div', {});
  const formHost = h('div', {});
  const body = h('tbody', {});
  const count = h('span', { class: 'muted', 'data-testid': 'keys-count' });
  const showRevoked = h('input', { type: 'checkbox', id: 'show-revoked', checked: true });
  let keys: KeyInfo[] = [];

  const renderTable = (): void => {
    const visible = keys.filter((k) => showRevoked.checked || k.revoked_at === null);
    const active = keys.filter((k) => k.revoked_at === null).length;
    count.textContent = `${active} active, ${keys.length - active} revoked`;
    body.replaceChildren(
      ...visible.map((k) =>
        h(
          'tr',
          { 'data-testid': `key-row-${k.id}`, class: k.revoked_at === null ? '' : 'revoked' },
          h('td', {}, h('code', {}, k.id)),
          h('td', {}, k.name),
          h('td', {}, h('span', { class: `badge scope-${k.scope.replace(':', '-')}` }, k.scope)),
          h('td', {}, k.scope === 'ingest' ? (k.streams.length === 0 ? h('span', { class: 'muted' }, 'all streams') : k.streams.join(', ')) : h('span', { class: 'muted' }, '—')),
          h('td', {}, limitText(k.rate_records_per_s, 'records')),
          h('td', {}, limitText(k.rate_bytes_per_s, 'bytes')),
          h('td', { class: 'nowrap' }, formatTime(k.created_at)),
          h(
            'td',
            { 'data-testid': `key-state-${k.id}` },
            k.revoked_at === null ? h('span', { class: 'badge ok' }, 'active') : h('span', { class: 'badge bad', title: `revoked ${formatTime(k.revoked_at)}` }, `revoked ${formatTime(k.revoked_at)}`),
          ),
          h(
            'td',
            {},
            k.revoked_at === null
              ? h('button', { class: 'ghost danger', 'data-testid': `revoke-${k.id}`, 'aria-label': `Revoke ${k.name} (${k.id})`, onclick: () => void revoke(k) }, 'Revoke')
              : '',
          ),
        ),
      ),
    );
    if (visible.length === 0) body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted empty-row' }, 'No keys to show.')));
  };

  const load = async (): Promise<void> => {
    try {
      const list = await api<{ keys: KeyInfo[] }>('/v1/keys', { signal });
      keys = list.keys.slice().sort((a, b) => (a.revoked_at === null) === (b.revoked_at === null) ? b.created_at.localeCompare(a.created_at) : a.revoked_at === null ? -1 : 1);
      status.replaceChildren();
      renderTable();
    } catch (e) {
      if (!signal.aborted) status.replaceChildren(errorBanner(describeError(e)));
    }
  };

  async function revoke(k: KeyInfo): Promise<void> {
    const sure = await confirmDialog({
      title: `Revoke ${k.name}?`,
      body: `Key ${k.id} (${k.scope}) stops working within a second, for every client that uses it.${currentKey()?.startsWith(`${k.id}.`) === true ? ' It is the key this console is signed in with: you will be signed out.' : ''} Keys are never deleted: it stays in this list as revoked. This cannot be undone.`,
      confirm: 'Revoke',
    });
    if (!sure) return;
    try {
      await api(`/v1/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE', signal });
      toast(`Revoked ${k.name} (${k.id})`);
      await load();
    } catch (e) {
      if (!signal.aborted) status.replaceChildren(errorBanner(describeError(e)));
    }
  }

  const showSecret = (created: { key: string; info: KeyInfo }): void => {
    const secret = h('code', { class: 'secret', 'data-testid': 'new-key-secret' }, created.key);
    const copy = h(
      'button',
      {
        class: 'primary',
        'data-testid': 'copy-key',
        onclick: () => {
          const done = (): void => {
            copy.textContent = 'Copied';
            toast('Key copied to the clipboard');
          };
          if (window.isSecureContext && 'clipboard' in navigator) {
            navigator.clipboard.writeText(created.key).then(done, (e: unknown) => toast(`Copy failed: ${describeError(e)}; select the key and copy it`, 'error'));
          } else {
            // Not a secure context (a LAN address over http): select it for Ctrl+C.
            const range = document.createRange();
            range.selectNodeContents(secret);
            const selection = window.getSelection();
            selection?.removeAllRanges();
            selection?.addRange(range);
            toast('Selected: press Ctrl+C to copy');
          }
        },
      },
      'Copy',
    );
    secretHost.replaceChildren(
      h(
        'section',
        { class: 'card secret-card', role: 'status', 'data-testid': 'new-key' },
        h('h2', {}, `Key created: ${created.info.name}`),
        h('p', { class: 'secret-warning' }, '⚠ Copy this key now. This is the only time its secret is shown; gamelake keeps only a hash and cannot show it again.'),
        h('div', { class: 'secret-row' }, secret, copy),
        h('p', { class: 'muted small' }, `Id ${created.info.id} · scope ${created.info.scope}. Send it as `, h('code', {}, 'Authorization: Bearer <key>'), ' or ', h('code', {}, 'X-Api-Key: <key>'), '.'),
        h('div', { class: 'toolbar end' }, h('button', { 'data-testid': 'dismiss-key', onclick: () => secretHost.replaceChildren() }, 'Done, I have saved it')),
      ),
    );
    copy.focus();
  };

  const openForm = (): void => {
    if (formHost.childElementCount > 0) return;
    const name = h('input', { id: 'key-name', required: true, placeholder: 'game-client-prod', autocomplete: 'off', 'data-testid': 'key-name' });
    const scope = h('select', { id: 'key-scope', 'data-testid': 'key-scope' }, ...kScopes.map((s) => h('option', { value: s.value }, s.label)));
    const scopeHelp = h('p', { class: 'muted small' });
    const streams = h('input', { id: 'key-streams', placeholder: 'events, purchases (empty: all streams)', autocomplete: 'off', 'data-testid': 'key-streams' });
    const rateRecords = h('input', { id: 'key-rate-records', type: 'number', min: 0, step: 1, value: 0, 'data-testid': 'key-rate-records' });
    const rateBytes = h('input', { id: 'key-rate-bytes', type: 'number', min: 0, step: 1, value: 0, 'data-testid': 'key-rate-bytes' });
    const streamsField = h('div', {}, h('label', { for: 'key-streams' }, 'Streams it may send to'), streams);
    const formStatus = h('div', {});
    const submit = h('button', { class: 'primary', type: 'submit', 'data-testid': 'key-create-submit' }, 'Create key');
    const syncScope = (): void => {
      scopeHelp.textContent = kScopes.find((s) => s.value === scope.value)?.help ?? '';
      streamsField.hidden = scope.value !== 'ingest';
    };
    scope.addEventListener('change', syncScope);
    syncScope();
    const form = h(
      'form',
      { class: 'card key-form', 'aria-label': 'Create key', 'data-testid': 'key-form' },
      h('div', { class: 'panel-title' }, h('h2', {}, 'Create key'), h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'ghost', onclick: () => formHost.replaceChildren() }, 'Cancel')),
      h(
        'div',
        { class: 'key-form-grid' },
        h('div', {}, h('label', { for: 'key-name' }, 'Name'), name),
        h('div', {}, h('label', { for: 'key-scope' }, 'Scope'), scope),
        streamsField,
        h('div', {}, h('label', { for: 'key-rate-records' }, 'Records per second (0: server default)'), rateRecords),
        h('div', {}, h('label', { for: 'key-rate-bytes' }, 'Bytes per second (0: server default)'), rateBytes),
      ),
      scopeHelp,
      formStatus,
      h('div', { class: 'toolbar end' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const request: Record<string, unknown> = {
        name: name.value.trim(),
        scope: scope.value,
        rate_records_per_s: Math.max(0, Math.floor(Number(rateRecords.value) || 0)),
        rate_bytes_per_s: Math.max(0, Math.floor(Number(rateBytes.value) || 0)),
      };
      if (scope.value === 'ingest') request['streams'] = splitList(streams.value);
      submit.disabled = true;
      formStatus.replaceChildren();
      api<{ key: string; info: KeyInfo }>('/v1/keys', { method: 'POST', body: request, signal }).then(
        (created) => {
          formHost.replaceChildren();
          showSecret(created);
          void load();
        },
        (e: unknown) => {
          submit.disabled = false;
          if (!signal.aborted) formStatus.replaceChildren(errorBanner(describeError(e)));
        },
      );
    });
    formHost.replaceChildren(form);
    name.focus();
  };

  showRevoked.addEventListener('change', renderTable);
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'API keys'), h('p', { class: 'muted' }, 'Every request carries a key. Secrets are shown once, at creation; revoked keys stay listed as a record of who had access.')),
      h('span', { class: 'spacer' }),
      h('button', { class: 'primary', 'data-testid': 'create-key', onclick: openForm }, 'Create key'),
      h('button', { onclick: () => void load() }, 'Refresh'),
    ),
    secretHost,
    formHost,
    status,
    h(
      'div',
      { class: 'card flush' },
      h('div', { class: 'keys-toolbar' }, count, h('span', { class: 'spacer' }), h('label', { class: 'inline', for: 'show-revoked' }, showRevoked, ' Show revoked keys')),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'keys-table' },
          h('thead', {}, h('tr', {}, ...['Id', 'Name', 'Scope', 'Streams', 'Records limit', 'Bytes limit', 'Created', 'State', ''].map((c) => h('th', { scope: 'col' }, c)))),
          body,
        ),
      ),
    ),
  );
  void load();
  return () => abort.abort();
}
