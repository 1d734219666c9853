// The client's event building and sessions, with a fake clock and no server (the
// queue is read back from disk after shutdown): fields, property rules, refused
// names and sizes, session start/end/timeout, opt-out.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Clock } from '../src/clock.js';
import { FileQueue } from '../src/file_queue.js';
import { Client, type DropReason } from '../src/index_node.js';

/** Time moves only when the test says; timers never fire (nothing is sent). */
class FakeClock implements Clock {
  now = Date.UTC(2026, 10, 30, 17, 0, 0, 0);
  nowMs(): number { return this.now; }
  setTimeout(): number { return 0; }
  clearTimeout(): void { /* timers never fire */ }
}

type Event = Record<string, unknown>;

function makeClient(dir: string, clock: Clock, extra: Record<string, unknown> = {}): Client {
  return new Client({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k.s', queueDir: dir, clock, appVersion: '1.4.2', ...extra });
}

async function queued(dir: string): Promise<Event[]> {
  const q = new FileQueue(dir, { maxQueueBytes: 1 << 24, maxQueueEvents: 1e6, maxCriticalBytes: 1 << 22, maxEventBytes: 65536 },
    { onDropped: () => undefined, log: () => undefined });
  const b = await q.readBatch(1e6, 1 << 30);
  await q.close();
  return b.records.map((r) => ({ ...JSON.parse(new TextDecoder().decode(r.payload)) as Event, _critical: r.critical }));
}

const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkjs-c-'));
  made.push(d);
  return d;
}

test('an event carries the SDK fields and the properties at the top level', async () => {
  const dir = tmpDir();
  const clock = new FakeClock();
  const c = makeClient(dir, clock);
  c.setPlayerId('p-42');
  const id = c.track('death', { CaughtAt: 'Kitchen', 'Time Played': 312, ratio: 0.5, nested: { a: [1, null] } });
  assert.match(id, /^[0-9a-f-]{36}$/);
  await c.shutdown(0);
  const events = await queued(dir);
  assert.deepEqual(events.map((e) => e['event_type']), ['session_start', 'death', 'session_end']);
  const [start, death] = events;
  assert.ok(start && death);
  assert.equal(death['event_id'], id);
  assert.equal(death['ts'], '2026-11-30T17:00:00.000Z');
  assert.equal(death['session_id'], start['session_id']);
  assert.equal(death['player_id'], 'p-42');
  assert.equal(death['app_version'], '1.4.2');
  assert.equal(death['platform'], os.platform());
  assert.equal(death['sdk_version'], 'js/0.1.0');
  assert.equal(death['Time Played'], 312);
  assert.deepEqual(death['nested'], { a: [1, null] });
  assert.equal(death['_critical'], false);
  assert.equal(start['_critical'], true);
});

test('reserved properties: event_id/event_type ignored, ts and player_id replace', async () => {
  const dir = tmpDir();
  const c = makeClient(dir, new FakeClock());
  const id = c.track('backfill', { event_id: 'mine', event_type: 'other', ts: '2020-01-01T00:00:00.000Z', player_id: 'srv-1' });
  await c.shutdown(0);
  const e = (await queued(dir)).find((x) => x['event_type'] === 'backfill');
  assert.ok(e);
  assert.equal(e['event_id'], id);
  assert.equal(e['ts'], '2020-01-01T00:00:00.000Z');
  assert.equal(e['player_id'], 'srv-1');
});

test('refused at track: a bad name, an event too large; purchase is critical', async () => {
  const dir = tmpDir();
  const drops: Array<[DropReason, number]> = [];
  const c = makeClient(dir, new FakeClock(), { maxEventBytes: 1000, onDropped: (r: DropReason, n: number) => drops.push([r, n]) });
  assert.equal(c.track('bad name!', {}), '');
  assert.equal(c.track('', {}), '');
  assert.equal(c.track('x'.repeat(65), {}), '');
  assert.equal(c.track('big', { pad: 'y'.repeat(2000) }), '');
  assert.equal(c.track('big', { pad: 'é'.repeat(600) }), '', 'bytes, not characters, are counted');
  assert.deepEqual(drops, [['too_large', 1], ['too_large', 1]]);
  assert.notEqual(c.track('purchase', { sku: 'gold' }), '');
  assert.notEqual(c.track('level_up', {}, { critical: true }), '');
  assert.equal(c.track('a.b:c-d_e', { bad: 10n }), '', 'unserializable: refused, not thrown');
  assert.equal(c.track('arr', [1, 2] as unknown as Record<string, unknown>), '', 'an array is not properties');
  assert.equal(c.track('odd', { toJSON: () => 5 }), '', 'properties that do not serialize to an object');
  assert.notEqual(c.track('no_props', null), '', 'null means none');
  await c.shutdown(0);
  const crit = Object.fromEntries((await queued(dir)).map((e): [string, unknown] => [String(e['event_type']), e['_critical']]));
  assert.deepEqual(crit, { session_start: true, purchase: true, level_up: true, no_props: false, session_end: true });
});

test('sessions: idle past the timeout ends the session with its duration and starts another', async () => {
  const dir = tmpDir();
  const clock = new FakeClock();
  const c = makeClient(dir, clock, { sessionTimeoutMs: 60000 });
  const t0 = clock.now;
  c.track('a', {});
  clock.now += 30000;
  c.track('b', {});
  clock.now += 60000; // idle a full timeout
  c.track('c', {});
  const second = c.currentSessionId;
  c.endSession();
  const third = c.startSession();
  assert.notEqual(third, second);
  await c.shutdown(0);
  const ev = await queued(dir);
  assert.deepEqual(ev.map((e) => e['event_type']),
    ['session_start', 'a', 'b', 'session_end', 'session_start', 'c', 'session_end', 'session_start', 'session_end']);
  const start1 = ev[0], end1 = ev[3], start3 = ev[5];
  assert.ok(start1 && end1 && start3);
  assert.equal(end1['duration_ms'], 30000);
  assert.equal(end1['ts'], new Date(t0 + 30000).toISOString(), 'stamped with the last event\'s time');
  assert.equal(end1['session_id'], start1['session_id']);
  assert.equal(start3['session_id'], second);
  assert.notEqual(start1['session_id'], second);
});

test('opt-out: nothing tracked, the queue deleted, remembered across restarts', async () => {
  const dir = tmpDir();
  let c = makeClient(dir, new FakeClock());
  for (let i = 0; i < 5; i++) c.track('e', { i });
  c.setOptOut(true);
  assert.equal(c.track('e', {}), '');
  await c.shutdown(0);
  c = makeClient(dir, new FakeClock());
  assert.equal(c.track('e', {}), '', 'still opted out after a restart');
  assert.equal(c.pendingEvents(), 0);
  c.setOptOut(false);
  assert.notEqual(c.track('e', {}), '');
  await c.shutdown(0);
  assert.deepEqual((await queued(dir)).map((e) => e['event_type']), ['session_start', 'e', 'session_end']);
});

test('a bad configuration makes an inert client, never a throw', async () => {
  const errors: string[] = [];
  const c = new Client({ baseUrl: 'nowhere', apiKey: '', queueDir: tmpDir(), onError: (e) => errors.push(e.message) });
  assert.equal(c.track('e', {}), '');
  assert.equal(errors.length, 1);
  assert.equal(await c.flushAndWait(10), false);
});
