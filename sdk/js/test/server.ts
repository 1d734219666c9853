// Test helper: starts the real gamelake binary on 127.0.0.1 (GAMELAKE_BINARY, else
// the repository's build/gamelake) with auth on, makes an admin
// and an ingest key, and reads the lake through /v1/query. One server per call.

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestServer {
  url: string;
  admin: string;
  ingest: string;
  dataDir: string;
  query(sql: string): Promise<unknown[][]>;
  stop(): Promise<void>;
}

export function gamelakeBinary(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [process.env['GAMELAKE_BINARY'], path.resolve(here, '../../../../build/gamelake')];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  throw new Error('gamelake binary not found: set GAMELAKE_BINARY');
}

function makeKey(bin: string, dataDir: string, scope: string): string {
  const out = execFileSync(bin, ['keys', 'create', '--name', scope, '--scope', scope, '--data-dir', dataDir],
    { encoding: 'utf8' });
  const key = out.trim().split('\n').pop()?.trim();
  if (!key) throw new Error(`gamelake keys create printed no key: ${out}`);
  return key;
}

export async function startServer(settings: string[] = []): Promise<TestServer> {
  const bin = gamelakeBinary();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamelake-sdkjs-'));
  const admin = makeKey(bin, dataDir, 'admin');
  const ingest = makeKey(bin, dataDir, 'ingest');
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--durability', 'none'];
  for (const s of settings) args.push('--set', s);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gamelake exited (${code}): ${seen}`)));
  });
  const query = async (sql: string): Promise<unknown[][]> => {
    const res = await fetch(`${url}/v1/query`, {
      method: 'POST', headers: { Authorization: `Bearer ${admin}` }, body: JSON.stringify({ sql }),
    });
    const body = (await res.json()) as { rows?: unknown[][]; message?: string };
    if (!res.ok) throw new Error(`query failed: ${res.status} ${body.message ?? ''}`);
    return body.rows ?? [];
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, admin, ingest, dataDir, query, stop };
}
