// The browser tests' server: the real gamelake binary (GAMELAKE_BIN, default
// ../build/gamelake) started once per test worker with --demo on
// 127.0.0.1:0, a fresh data directory, and this console's dist/. Tests get
// its URL and the dev keys it printed; it is stopped (SIGTERM, then SIGKILL)
// when the worker ends.
import { test as base, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const kRepo = path.resolve(here, '..', '..');
export const kScreenshots = path.join(kRepo, 'build', 'console-screenshots');

export interface Server {
  url: string;
  adminKey: string;
  ingestKey: string;
  dataDir: string;
}

function readDevKeys(dataDir: string): { admin: string; ingest: string } {
  const text = readFileSync(path.join(dataDir, 'dev-keys.txt'), 'utf8');
  const keyOf = (scope: string): string => {
    const line = text.split('\n').find((l) => !l.startsWith('#') && l.split(/\s+/)[1] === scope);
    const key = line?.trim().split(/\s+/)[2];
    if (key === undefined) throw new Error(`no ${scope} key in dev-keys.txt:\n${text}`);
    return key;
  };
  return { admin: keyOf('admin'), ingest: keyOf('ingest') };
}

async function startServer(extraArgs: string[]): Promise<{ server: Server; child: ChildProcess }> {
  const bin = process.env['GAMELAKE_BIN'] ?? path.join(kRepo, 'build', 'gamelake');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gamelake-console-'));
  const args = ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    '--set', `console.dir=${path.join(kRepo, 'web', 'dist')}`, ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gamelake did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gamelake exited (${String(code)}) before listening:\n${output}`));
    });
  });
  const keys = readDevKeys(dataDir);
  return { server: { url, adminKey: keys.admin, ingestKey: keys.ingest, dataDir }, child };
}

async function stopServer(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

// Saves a screenshot of the page under build/console-screenshots/<name>.png.
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(kScreenshots, { recursive: true });
  await page.screenshot({ path: path.join(kScreenshots, `${name}.png`) });
}

// Fails the test on any console error or failed request the page makes
// (a 404 favicon, an uncaught exception), except those a test expects.
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return problems;
}

// A test with `server` (one per worker) and `signedIn` (a page opened on the
// console with the demo session).
export const test = base.extend<{ signedIn: Page }, { server: Server }>({
  server: [
    async ({}, use) => {
      const { server, child } = await startServer([]);
      await use(server);
      await stopServer(child, server.dataDir);
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  signedIn: async ({ page, server }, use) => {
    await page.goto(`${server.url}/`);
    await page.getByTestId('scope').waitFor();
    await use(page);
  },
});

export { expect } from '@playwright/test';

// Runs SQL through the server's API (the tests' source of truth).
export async function sql(server: Server, query: string): Promise<{ columns: { name: string; type: string }[]; rows: unknown[][] }> {
  const response = await fetch(`${server.url}/v1/query`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql: query }),
  });
  if (!response.ok) throw new Error(`query failed ${response.status}: ${await response.text()}`);
  return (await response.json()) as { columns: { name: string; type: string }[]; rows: unknown[][] };
}
