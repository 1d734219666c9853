// End to end against the real gamelake on 127.0.0.1 (auth on): a couple thousand
// events through the Node client land in the lake exactly once (by event_id),
// including through 413 halving (the server takes fewer records per request than
// the SDK batches) and records the server refuses (reported `invalid`, not retried);
// a wrong key keeps everything queued and reports the error.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, type DropDetail, type DropReason } from '../src/index_node.js';
import { startServer, type TestServer } from './server.js';

let server: TestServer;

before(async () => {
  server = await startServer(['server.max_records_per_request=120', 'server.max_json_depth=8']);
});
after(async () => { await server.stop(); });

const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkjs-e2e-'));
  made.push(d);
  return d;
}

function deep(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { d: v };
  return v;
}

test('2,000 events reach the lake exactly once; refused records are reported, not retried', async () => {
  const drops: Array<[DropReason, number, DropDetail]> = [];
  const client = new Client({
    baseUrl: server.url, apiKey: server.ingest, queueDir: tmpDir(), flushIntervalMs: 50, retryBaseMs: 20,
    retryMaxMs: 200, onDropped: (r, n, d) => drops.push([r, n, d]),
  });
  const ids: string[] = [];
  const refusedIds: string[] = [];
  for (let i = 0; i < 2000; i++) {
    ids.push(client.track('e2e', { seq: i, prefix: 'e2e-1', score: i * 3 }));
    if (i % 500 === 250) refusedIds.push(client.track('e2e', { seq: -1, prefix: 'e2e-1', deep: deep(12) }));
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.ok(ids.every((id) => id !== ''));
  assert.equal(await client.flushAndWait(30000), true);
  await client.shutdown(1000);

  const rows = await server.query(
    "SELECT event_id, count(*) AS n, min(seq) AS seq FROM events WHERE prefix = 'e2e-1' GROUP BY event_id");
  const byId = new Map(rows.map((r) => [r[0] as string, Number(r[1])]));
  assert.equal(byId.size, 2000, 'every event is in the lake');
  for (const id of ids) assert.equal(byId.get(id), 1, `event ${id} stored exactly once`);
  const ints = await server.query("SELECT typeof(max(score)) FROM events WHERE prefix = 'e2e-1'");
  assert.equal(ints[0]?.[0], 'BIGINT', 'integers stay integers');

  const invalid = drops.filter((d) => d[0] === 'invalid');
  assert.deepEqual(invalid.map((d) => d[2].eventId).sort(), [...refusedIds].sort());
  assert.ok(invalid.every((d) => d[2].code === 'too_deep'));
});

test('a wrong key: nothing is dropped, the error is reported, the events wait', async () => {
  const errors: string[] = [];
  const dir = tmpDir();
  const client = new Client({
    baseUrl: server.url, apiKey: 'GLKNOTAKEY.nope', queueDir: dir, flushIntervalMs: 10, retryMaxMs: 100000,
    onError: (e) => errors.push(e.message),
  });
  for (let i = 0; i < 20; i++) client.track('wrong_key', { seq: i });
  assert.equal(await client.flushAndWait(1500), false);
  assert.equal(client.pendingEvents(), 21);
  assert.ok(errors.some((m) => m.includes('401')), errors.join('; '));
  await client.shutdown(0);
  // The right key later sends them all.
  const again = new Client({ baseUrl: server.url, apiKey: server.ingest, queueDir: dir, flushIntervalMs: 10 });
  assert.equal(again.pendingEvents(), 22, 'the queue kept them (and the session_end of the shutdown)');
  assert.equal(await again.flushAndWait(10000), true);
  await again.shutdown(0);
  const rows = await server.query("SELECT count(*) FROM events WHERE event_type = 'wrong_key'");
  assert.equal(Number(rows[0]?.[0]), 20);
});
