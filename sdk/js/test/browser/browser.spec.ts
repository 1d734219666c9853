// The browser SDK in headless Chromium against the real gamelake (auth on, CORS for
// the page's origin): the regular sender (CompressionStream gzip, CORS-preflighted
// POSTs), events kept in IndexedDB across a reload, and pagehide sending them with
// fetch keepalive; every event is in the lake exactly once, by event_id.

import { expect, test, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../../dist/test/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kPage = `<!doctype html><meta charset="utf-8"><title>sdk test</title>
<script type="module">
  import { Client } from '/dist/src/index_browser.js';
  window.GamelakeClient = Client;
  window.sdkLoaded = true;
</script>`;

let statics: http.Server;
let origin = '';
let gamelake: TestServer | undefined;

/** The server beforeAll started. */
function lake(): TestServer {
  if (gamelake === undefined) throw new Error('the gamelake server did not start');
  return gamelake;
}

function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/page.html' || url.pathname === '/other.html') {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(url.pathname === '/page.html' ? kPage : 'bye');
    return;
  }
  const file = path.join(root, path.normalize(url.pathname));
  if (!file.startsWith(path.join(root, 'dist', 'src')) || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' })
    .end(fs.readFileSync(file));
}

test.beforeAll(async () => {
  statics = http.createServer(serveStatic);
  await new Promise<void>((r) => statics.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(statics.address() as AddressInfo).port}`;
  gamelake = await startServer([`cors.origins=["${origin}"]`]);
});

test.afterAll(async () => {
  await gamelake?.stop();
  await new Promise((r) => statics.close(r));
});

async function openPage(page: Page): Promise<void> {
  await page.goto(`${origin}/page.html`);
  await page.waitForFunction(() => (window as unknown as { sdkLoaded?: boolean }).sdkLoaded === true);
}

async function lakeCounts(prefix: string): Promise<Map<string, number>> {
  const rows = await lake().query(
    `SELECT event_id, count(*) FROM events WHERE prefix = '${prefix}' GROUP BY event_id`).catch(() => []);
  return new Map(rows.map((r) => [String(r[0]), Number(r[1])]));
}

async function expectInLakeOnce(ids: string[], prefix: string): Promise<void> {
  await expect.poll(async () => {
    const counts = await lakeCounts(prefix);
    return ids.filter((id) => counts.get(id) !== 1).length;
  }, { timeout: 20_000, message: `every ${prefix} event in the lake exactly once` }).toBe(0);
  expect((await lakeCounts(prefix)).size).toBe(ids.length);
}

test('the regular sender: gzip with CompressionStream, CORS, acknowledged', async ({ page }) => {
  await openPage(page);
  const ids = await page.evaluate(async ({ url, key }) => {
    const C = (window as unknown as { GamelakeClient: new (c: object) => {
      track(n: string, p: object): string; flushAndWait(ms: number): Promise<boolean>; shutdown(ms: number): Promise<boolean>;
    } }).GamelakeClient;
    const client = new C({ baseUrl: url, apiKey: key, queueDir: 'regular', flushIntervalMs: 50 });
    const out: string[] = [];
    for (let i = 0; i < 700; i++) out.push(client.track('browser_event', { seq: i, prefix: 'regular', level: 'x'.repeat(40) }));
    if (!(await client.flushAndWait(15000))) throw new Error('not drained');
    await client.shutdown(0);
    return out;
  }, { url: lake().url, key: lake().ingest });
  expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  await expectInLakeOnce(ids, 'regular');
});

/**
 * Makes the page's regular POSTs fail once pagehide has fired (as a page being torn down
 * loses them), so only fetch keepalive can deliver; counts keepalive POSTs in
 * sessionStorage, which outlives a same-origin navigation.
 */
function onlyKeepaliveAfterPagehide(): void {
  const original = window.fetch.bind(window);
  let gone = false;
  window.addEventListener('pagehide', () => { gone = true; }, { capture: true });
  window.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('/records')) {
      if (init?.keepalive === true) {
        sessionStorage.setItem('keepalive', String(Number(sessionStorage.getItem('keepalive') ?? '0') + 1));
      } else if (gone) {
        return Promise.reject(new TypeError('the page is gone'));
      }
    }
    return original(input, init);
  };
}

test('kept in IndexedDB across a reload, then sent on pagehide with keepalive', async ({ page }) => {
  await page.addInitScript(onlyKeepaliveAfterPagehide);
  await openPage(page);
  const config = { url: lake().url, key: lake().ingest };
  // Page 1: no lifecycle hooks and a long flush interval, so nothing is sent: it stays queued.
  const first = await page.evaluate(async ({ url, key }) => {
    const C = (window as unknown as { GamelakeClient: new (c: object) => { track(n: string, p: object): string } }).GamelakeClient;
    const client = new C({ baseUrl: url, apiKey: key, queueDir: 'lifecycle', flushIntervalMs: 600000, lifecycle: false });
    const out: string[] = [];
    for (let i = 0; i < 60; i++) out.push(client.track('browser_event', { seq: i, prefix: 'lifecycle' }));
    await new Promise((r) => setTimeout(r, 300)); // the IndexedDB transactions commit
    return out;
  }, config);
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { sdkLoaded?: boolean }).sdkLoaded === true);
  expect((await lakeCounts('lifecycle')).size).toBe(0);
  // Page 2: loads page 1's events from IndexedDB, tracks more; pagehide sends them all.
  const second = await page.evaluate(async ({ url, key }) => {
    const C = (window as unknown as { GamelakeClient: new (c: object) => {
      track(n: string, p: object): string; ready(): Promise<void>; pendingEvents(): number; currentSessionId: string;
    } }).GamelakeClient;
    const client = new C({ baseUrl: url, apiKey: key, queueDir: 'lifecycle', flushIntervalMs: 600000 });
    (window as unknown as { keep: unknown }).keep = client;
    await client.ready();
    const loaded = client.pendingEvents();
    const out: string[] = [];
    for (let i = 60; i < 100; i++) out.push(client.track('browser_event', { seq: i, prefix: 'lifecycle' }));
    return { loaded, ids: out, pending: client.pendingEvents(), session: client.currentSessionId };
  }, config);
  expect(second.loaded).toBe(61); // page 1's 60 events and its session_start
  expect(second.pending).toBe(102);
  await page.goto(`${origin}/other.html`); // pagehide: the queue goes out with fetch keepalive
  expect(Number(await page.evaluate(() => sessionStorage.getItem('keepalive')))).toBeGreaterThan(0);
  await expectInLakeOnce([...first, ...second.ids], 'lifecycle');
  // Unloading the page ended its session: the session_end went out with the rest.
  const ends = await lake().query(
    `SELECT count(*) FROM events WHERE event_type = 'session_end' AND session_id = '${second.session}'`);
  expect(Number(ends[0]?.[0])).toBe(1);
});
