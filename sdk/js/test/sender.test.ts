// The sender against a scripted HTTP server on 127.0.0.1: per-record results
// (log_unavailable resent from where it failed, refused records reported once),
// 413 halving down to one event, Retry-After and 401 keeping everything queued, an
// untrusted TLS certificate reported once and everything kept.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import * as zlib from 'node:zlib';
import { Client, type DropDetail, type DropReason } from '../src/index_node.js';

interface Seen { seqs: number[]; ids: string[]; }
type Script = (seen: Seen, n: number) => { status: number; body: unknown; headers?: Record<string, string> };

async function withServer(script: Script, run: (url: string, requests: Seen[]) => Promise<void>): Promise<void> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const lines = body.toString('utf8').split('\n').filter((l) => l !== '');
      const events = lines.map((l) => JSON.parse(l) as { seq?: number; event_id: string });
      const seen = { seqs: events.map((e) => e.seq ?? -1), ids: events.map((e) => e.event_id) };
      requests.push(seen);
      const answer = script(seen, requests.length);
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkjs-s-'));
  made.push(d);
  return d;
}

function client(url: string, drops: Array<[DropReason, number, DropDetail]>, errors: string[] = []): Client {
  return new Client({
    baseUrl: url, apiKey: 'k.s', queueDir: tmpDir(),
    flushIntervalMs: 10,
    retryBaseMs: 5, retryMaxMs: 20, onDropped: (r, n, d) => drops.push([r, n, d]), onError: (e) => errors.push(e.message),
  });
}

const ok = (seen: Seen): ReturnType<Script> => ({ status: 200, body: { accepted: seen.seqs.length, failed: 0 } });

test('per-record results: refused ones reported once, log_unavailable resent from where it failed', async () => {
  await withServer((seen, n) => {
    if (n === 1) {
      return { status: 200, body: { accepted: 8, failed: 2, errors: [
        { index: 2, code: 'too_deep', message: 'record 2: too deep' },
        { index: 5, code: 'log_unavailable', message: 'retry' }] } };
    }
    return ok(seen);
  }, async (url, requests) => {
    const drops: Array<[DropReason, number, DropDetail]> = [];
    const c = client(url, drops);
    for (let i = 0; i < 9; i++) c.track('e', { seq: i });
    assert.equal(await c.flushAndWait(5000), true);
    await c.shutdown(0);
    // Request 1: session_start (seq -1) and 0..8; index 2 is seq 1, index 5 is seq 4.
    assert.deepEqual(requests[0]?.seqs, [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(requests[1]?.seqs.slice(0, 5), [4, 5, 6, 7, 8], 'resent from the failed record on');
    assert.deepEqual(drops.map((d) => [d[0], d[1], d[2].code, d[2].eventId]),
      [['invalid', 1, 'too_deep', requests[0].ids[2]]]);
  });
});

test('413: the batch is halved until it fits; a single event still refused is dropped as invalid', async () => {
  await withServer((seen) => {
    if (seen.seqs.includes(13)) {
      return seen.seqs.length > 1 ? { status: 413, body: { error: 'body_too_large' } }
        : { status: 400, body: { error: 'malformed_body', message: 'no' } };
    }
    return seen.seqs.length > 8 ? { status: 413, body: { error: 'body_too_large', message: 'too many' } } : ok(seen);
  }, async (url, requests) => {
    const drops: Array<[DropReason, number, DropDetail]> = [];
    const c = client(url, drops);
    for (let i = 0; i < 40; i++) c.track('e', { seq: i });
    assert.equal(await c.flushAndWait(5000), true);
    await c.shutdown(0);
    const delivered = new Set<number>();
    for (const r of requests) {
      if (r.seqs.length <= 8 && !r.seqs.includes(13)) for (const s of r.seqs) delivered.add(s); // answered 200
    }
    for (let i = 0; i < 40; i++) if (i !== 13) assert.ok(delivered.has(i), `seq ${i} delivered`);
    assert.deepEqual(drops.map((d) => [d[0], d[2].code]), [['invalid', 'malformed_body']]);
    const alone = requests.find((r) => r.seqs.length === 1 && r.seqs[0] === 13);
    assert.ok(alone, 'seq 13 was sent alone');
    assert.equal(drops[0]?.[2].eventId, alone.ids[0]);
  });
});

test('503 with Retry-After and 401: nothing dropped, everything sent once the server takes it', async () => {
  await withServer((seen, n) => {
    if (n === 1) return { status: 503, body: { error: 'log_unavailable' }, headers: { 'Retry-After': '0' } };
    if (n === 2) return { status: 401, body: { error: 'unauthenticated' } };
    return ok(seen);
  }, async (url, requests) => {
    const drops: Array<[DropReason, number, DropDetail]> = [];
    const errors: string[] = [];
    const c = client(url, drops, errors);
    for (let i = 0; i < 30; i++) c.track('e', { seq: i });
    assert.equal(await c.flushAndWait(5000), true);
    await c.shutdown(0);
    assert.ok(requests.length >= 3);
    assert.deepEqual(requests[2]?.seqs, requests[0]?.seqs, 'the same batch resent');
    assert.equal(drops.length, 0);
    assert.ok(errors.some((e) => e.includes('401')));
  });
});

test('an untrusted certificate: reported once with the reason, nothing sent, nothing dropped', async () => {
  // A self-signed certificate Node does not trust (openssl, as the server's TLS tests do).
  const dir = tmpDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  let posts = 0;
  const server = https.createServer(
    { key: fs.readFileSync(path.join(dir, 'k.pem')), cert: fs.readFileSync(path.join(dir, 'c.pem')) },
    (_req, res) => { posts++; res.end('{}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const drops: Array<[DropReason, number, DropDetail]> = [];
    const errors: string[] = [];
    const c = client(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, drops, errors);
    for (let i = 0; i < 10; i++) c.track('e', { seq: i });
    assert.equal(await c.flushAndWait(600), false, 'not drained: the certificate is not trusted');
    assert.equal(c.pendingEvents(), 11);
    await c.shutdown(0);
    assert.equal(posts, 0);
    assert.equal(drops.length, 0);
    assert.equal(errors.length, 1, `once per run of failures: ${JSON.stringify(errors)}`);
    assert.match(errors[0] ?? '', /TLS error .*(SELF_SIGNED|self.signed)/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
