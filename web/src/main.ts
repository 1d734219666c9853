// The console's shell: sign-in, the navigation bar, hash routes to lazily
// loaded pages, and the theme. Pages live in src/pages/ (one per section).
import './styles.css';
import { api, ApiError } from './api';
import { allows, currentKey, currentScope, keepKey, signOut, type Scope } from './session';
import { h, clear, describeError, errorBanner } from './ui';
import type { Cleanup, PageContext, PageModule } from './page';

interface Section {
  route: string;
  label: string;
  need: 'admin' | 'metrics';
  load: () => Promise<PageModule>;
}

const kSections: Section[] = [
  { route: 'analyses', label: 'Analyses', need: 'admin', load: () => import('./pages/analyses') },
  { route: 'players', label: 'Players', need: 'admin', load: () => import('./pages/players') },
  { route: 'metrics', label: 'Metrics', need: 'metrics', load: () => import('./pages/metrics') },
  { route: 'sql', label: 'SQL', need: 'admin', load: () => import('./pages/sql') },
  { route: 'streams', label: 'Streams', need: 'admin', load: () => import('./pages/streams') },
  { route: 'apps', label: 'Streaming apps', need: 'admin', load: () => import('./pages/apps') },
  { route: 'generator', label: 'Generator', need: 'admin', load: () => import('./pages/generator') },
  { route: 'keys', label: 'Keys', need: 'admin', load: () => import('./pages/keys') },
];

interface ConsoleSession {
  demo: boolean;
  key?: string;
}

let demo = false;
let cleanup: Cleanup | undefined;
let renderToken = 0;

function applyTheme(theme: string): void {
  document.documentElement.dataset['theme'] = theme;
  localStorage.setItem('gamelake.theme', theme);
}

function initialTheme(): string {
  const saved = localStorage.getItem('gamelake.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// Which scope a key has, asked of the server: admin reaches /v1/keys,
// metrics:read reaches /v1/metrics, any other valid key is refused both with
// 403; an unknown or wrong key is 401.
async function probeScope(key: string): Promise<Scope> {
  try {
    await api('/v1/keys', { key });
    return 'admin';
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  try {
    await api('/v1/metrics', { key });
    return 'metrics:read';
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  return 'ingest';
}

function navigate(route: string, replace = false): void {
  const hash = route.startsWith('#') ? route : `#/${route.replace(/^\/+/, '')}`;
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  void route_();
}

function defaultRoute(): string {
  if (!allows(currentScope(), 'admin')) return allows(currentScope(), 'metrics') ? 'metrics' : 'analyses';
  return demo ? 'analyses/lab' : 'analyses';
}

function navBar(active: string): HTMLElement {
  const scope = currentScope();
  const links = kSections.map((s) =>
    h(
      'a',
      {
        href: `#/${s.route}`,
        class: `nav-link${s.route === active ? ' active' : ''}${allows(scope, s.need) ? '' : ' locked'}`,
        'aria-current': s.route === active ? 'page' : null,
        'data-testid': `nav-${s.route}`,
      },
      s.label,
    ),
  );
  const theme = document.documentElement.dataset['theme'] === 'dark' ? 'dark' : 'light';
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('img', { src: './favicon.svg', alt: '' }), 'gamelake'),
    h('nav', { 'aria-label': 'Sections' }, ...links),
    h('span', { class: 'spacer' }),
    demo ? h('span', { class: 'badge', title: 'serve --demo: signed in with the dev admin key' }, 'demo') : null,
    h('span', { class: 'badge scope', 'data-testid': 'scope' }, scope),
    h(
      'button',
      {
        class: 'ghost icon',
        title: 'Switch light/dark theme',
        'aria-label': 'Switch theme',
        onclick: () => {
          applyTheme(theme === 'dark' ? 'light' : 'dark');
          void route_();
        },
      },
      theme === 'dark' ? '☀' : '☾',
    ),
    h(
      'button',
      {
        class: 'ghost',
        'data-testid': 'sign-out',
        onclick: () => {
          signOut();
          demo = false;
          navigate('signin');
        },
      },
      'Sign out',
    ),
  );
}

function signInPage(root: HTMLElement, message?: string): void {
  const input = h('input', {
    type: 'password',
    id: 'key',
    name: 'key',
    autocomplete: 'off',
    placeholder: 'gl_…  (id.secret)',
    'data-testid': 'key-input',
    required: true,
  });
  const status = h('div', { class: 'form-status' });
  if (message !== undefined) status.append(errorBanner(message));
  const form = h(
    'form',
    { class: 'signin card' },
    h('div', { class: 'brand big' }, h('img', { src: './favicon.svg', alt: '' }), 'gamelake'),
    h('p', { class: 'muted' }, 'Sign in with a gamelake API key. It is kept for this browser tab only.'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('button', { class: 'primary', type: 'submit', 'data-testid': 'sign-in' }, 'Sign in'),
    status,
    h('p', { class: 'muted small' }, 'Keys: ', h('code', {}, 'gamelake keys create'), ', or the dev keys in ', h('code', {}, '<data>/dev-keys.txt'), '.'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    status.replaceChildren(h('span', { class: 'muted' }, 'Checking…'));
    probeScope(key).then(
      (scope) => {
        keepKey(key, scope);
        navigate(defaultRoute(), true);
      },
      (e: unknown) => status.replaceChildren(errorBanner(e instanceof ApiError && e.status === 401 ? `This key was not accepted: ${e.message}` : describeError(e))),
    );
  });
  root.replaceChildren(h('main', { class: 'center' }, form));
  input.focus();
}

function notAllowed(section: Section): HTMLElement {
  return h(
    'div',
    { class: 'card not-allowed', role: 'alert', 'data-testid': 'not-allowed' },
    h('h2', {}, 'Not allowed'),
    h('p', {}, `${section.label} needs ${section.need === 'admin' ? 'an admin' : 'an admin or metrics:read'} key; this key's scope is ${currentScope()}.`),
    h('p', {}, 'Sign out and sign in with another key.'),
  );
}

async function route_(): Promise<void> {
  const token = ++renderToken;
  cleanup?.();
  cleanup = undefined;
  const root = document.getElementById('app');
  if (root === null) return;
  const [path = '', queryString = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (currentKey() === null || parts[0] === 'signin') {
    if (currentKey() !== null && parts[0] === 'signin') return navigate(defaultRoute(), true);
    signInPage(root);
    return;
  }
  const section = kSections.find((s) => s.route === parts[0]);
  if (section === undefined) return navigate(defaultRoute(), true);
  const main = h('main', { class: 'page', id: `page-${section.route}` });
  root.replaceChildren(navBar(section.route), main);
  document.title = `${section.label} · gamelake`;
  if (!allows(currentScope(), section.need)) {
    main.append(notAllowed(section));
    return;
  }
  const context: PageContext = { params: parts.slice(1), query: new URLSearchParams(queryString), navigate, demo };
  try {
    const page = await section.load();
    if (token !== renderToken) return;
    clear(main);
    const done = await page.render(main, context);
    if (token !== renderToken) done?.();
    else cleanup = done;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signOut();
      signInPage(root, `The server no longer accepts this key: ${e.message}`);
      return;
    }
    main.append(errorBanner(describeError(e)));
  }
}

async function boot(): Promise<void> {
  applyTheme(initialTheme());
  // Fetch the first page's code while the session is asked for (imports are
  // cached: route_() gets the same module).
  const first = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  void (kSections.find((s) => s.route === first) ?? kSections[0])?.load().catch(() => undefined);
  try {
    const session = await api<ConsoleSession>('/v1/console/session', { key: '' });
    demo = session.demo;
    if (currentKey() === null && session.key !== undefined) keepKey(session.key, 'admin');
  } catch {
    demo = false; // An older server without the console session: ask for a key.
  }
  window.addEventListener('popstate', () => void route_());
  window.addEventListener('hashchange', () => void route_());
  await route_();
}

void boot();
