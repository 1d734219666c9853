// The Node file queue against sdk/queue_format.md: round trip, reopen after a
// "kill" (closed without acknowledging), the cursor, torn and flipped bytes,
// eviction at the cap (critical events copied forward), the lock file.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FileQueue, segmentName } from '../src/file_queue.js';
import type { DropDetail, DropReason, QueueLimits } from '../src/queue.js';

interface Drop { reason: DropReason; count: number; detail: DropDetail; }

const kLimits: QueueLimits = { maxQueueBytes: 16 << 20, maxQueueEvents: 100000, maxCriticalBytes: 4 << 20, maxEventBytes: 65536 };

const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkjs-q-'));
  made.push(d);
  return d;
}

function open(dir: string, drops: Drop[] = [], limits: QueueLimits = kLimits): FileQueue {
  return new FileQueue(dir, limits, { onDropped: (reason, count, detail) => drops.push({ reason, count, detail }), log: () => undefined });
}

function event(i: number, pad = 0): string { return JSON.stringify({ event_id: `id-${i}`, seq: i, pad: 'x'.repeat(pad) }); }

async function readAll(q: FileQueue): Promise<string[]> {
  const b = await q.readBatch(1 << 30, 1 << 30);
  return b.records.map((r) => new TextDecoder().decode(r.payload));
}

test('round trip: appended events read back in order, acked ones are gone after reopen', async () => {
  const dir = tmpDir();
  let q = open(dir);
  for (let i = 0; i < 100; i++) assert.ok(q.append(event(i), i % 7 === 0) > 0);
  assert.equal(q.pendingEvents(), 100);
  const b = await q.readBatch(40, 1 << 20);
  assert.equal(b.records.length, 40);
  assert.deepEqual(new TextDecoder().decode(b.records[3]?.payload), event(3));
  assert.equal(b.records[7]?.critical, true);
  assert.equal(b.records[8]?.critical, false);
  await q.ack(b, 40);
  assert.equal(q.pendingEvents(), 60);
  await q.close();
  q = open(dir);
  assert.equal(q.pendingEvents(), 60, 'the cursor survives a restart');
  const rest = await readAll(q);
  assert.equal(rest[0], event(40));
  assert.equal(rest.length, 60);
  await q.close();
});

test('a kill before the acknowledgement: everything is still there', async () => {
  const dir = tmpDir();
  const q = open(dir);
  for (let i = 0; i < 10; i++) q.append(event(i), false);
  // Simulate kill -9: the process dies holding the lock; a new pid takes it over.
  fs.writeFileSync(path.join(dir, 'lock'), '999999999\n');
  const q2 = open(dir);
  assert.equal(q2.pendingEvents(), 10);
  assert.deepEqual(await readAll(q2), Array.from({ length: 10 }, (_, i) => event(i)));
  await q2.close();
});

test('the lock: a second instance on a folder in use is refused', async () => {
  const dir = tmpDir();
  const q = open(dir);
  assert.throws(() => open(dir), /in use/);
  await q.close();
  assert.ok(!fs.existsSync(path.join(dir, 'lock')));
  (await open(dir).close());
});

test('batch limits: by events and by bytes, at least one event', async () => {
  const q = open(tmpDir());
  for (let i = 0; i < 20; i++) q.append(event(i, 100), false);
  assert.equal((await q.readBatch(5, 1 << 20)).records.length, 5);
  const oneLen = event(0, 100).length + 1;
  assert.equal((await q.readBatch(100, oneLen * 3)).records.length, 3);
  assert.equal((await q.readBatch(100, 10)).records.length, 1);
  await q.close();
});

function segFile(dir: string): string {
  const name = fs.readdirSync(dir).filter((n) => n.startsWith('seg-')).sort()[0];
  assert.ok(name !== undefined, 'a segment exists');
  return path.join(dir, name);
}

test('a torn tail: the good records are read, the cut bytes reported once', async () => {
  const dir = tmpDir();
  const q = open(dir);
  for (let i = 0; i < 10; i++) q.append(event(i), false);
  await q.close();
  const file = segFile(dir);
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 5);
  const drops: Drop[] = [];
  const q2 = open(dir, drops);
  assert.equal(q2.pendingEvents(), 9);
  assert.deepEqual(await readAll(q2), Array.from({ length: 9 }, (_, i) => event(i)));
  const recordLen = 13 + event(9).length;
  assert.deepEqual(drops.map((d) => [d.reason, d.count]), [['corrupt', recordLen - 5]]);
  assert.equal(drops[0]?.detail.offset, size - recordLen);
  const b = await q2.readBatch(100, 1 << 20);
  await q2.ack(b, b.records.length);
  await q2.close();
  const again: Drop[] = [];
  const q3 = open(dir, again);
  assert.equal(q3.pendingEvents(), 0);
  assert.equal(again.length, 0, 'damage behind the cursor is not reported again');
  await q3.close();
});

test('a flipped byte in the middle: that record is skipped and reported, the rest read', async () => {
  const dir = tmpDir();
  const q = open(dir);
  for (let i = 0; i < 10; i++) q.append(event(i), false);
  await q.close();
  const file = segFile(dir);
  const data = fs.readFileSync(file);
  const recordLen = 13 + event(0).length;
  data[3 * recordLen + 20] = (data[3 * recordLen + 20] ?? 0) ^ 0xff; // inside record 3's payload
  fs.writeFileSync(file, data);
  const drops: Drop[] = [];
  const q2 = open(dir, drops);
  const got = await readAll(q2);
  assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => event(i)).filter((_, i) => i !== 3));
  assert.deepEqual(drops.map((d) => [d.reason, d.count, d.detail.offset]), [['corrupt', recordLen, 3 * recordLen]]);
  await q2.close();
});

test('a damaged cursor means from the oldest segment', async () => {
  const dir = tmpDir();
  const q = open(dir);
  for (let i = 0; i < 10; i++) q.append(event(i), false);
  const b = await q.readBatch(4, 1 << 20);
  await q.ack(b, 4);
  await q.close();
  const c = fs.readFileSync(path.join(dir, 'cursor'));
  c[10] = (c[10] ?? 0) ^ 1;
  fs.writeFileSync(path.join(dir, 'cursor'), c);
  fs.writeFileSync(path.join(dir, 'cursor.tmp'), 'half-written');
  const q2 = open(dir);
  assert.equal(q2.pendingEvents(), 10);
  assert.ok(!fs.existsSync(path.join(dir, 'cursor.tmp')));
  await q2.close();
});

test('the cap: oldest ordinary events dropped and counted, every critical one kept', async () => {
  const dir = tmpDir();
  const drops: Drop[] = [];
  const limits = { maxQueueBytes: 32768, maxQueueEvents: 100000, maxCriticalBytes: 65536, maxEventBytes: 65536 };
  const q = open(dir, drops, limits);
  const n = 2000;
  for (let i = 0; i < n; i++) q.append(event(i, 20), i % 10 === 0);
  const got = (await readAll(q)).map((s) => (JSON.parse(s) as { seq: number }).seq);
  const dropped = drops.filter((d) => d.reason === 'queue_full').reduce((a, d) => a + d.count, 0);
  assert.ok(dropped > 0);
  const critical = got.filter((s) => s % 10 === 0);
  assert.deepEqual([...new Set(critical)].sort((a, b) => a - b), Array.from({ length: n / 10 }, (_, i) => i * 10));
  const ordinary = got.filter((s) => s % 10 !== 0);
  assert.equal(ordinary.length + dropped, n - n / 10, 'every ordinary event is either queued or reported');
  assert.ok(ordinary.every((s, i) => i === 0 || s > (ordinary[i - 1] ?? Infinity)), 'the newest are kept, in order');
  assert.ok(ordinary[ordinary.length - 1] === n - 1);
  const recordLen = 13 + event(1999, 20).length;
  assert.ok(ordinary.length * recordLen > limits.maxQueueBytes - 2 * 4096,
    'critical events do not eat the ordinary events\' cap (up to maxCriticalBytes)');
  await q.close();
});

test('the cap: past maxCriticalBytes even critical events go, and are reported', async () => {
  const drops: Drop[] = [];
  const limits = { maxQueueBytes: 32768, maxQueueEvents: 100000, maxCriticalBytes: 8192, maxEventBytes: 65536 };
  const q = open(tmpDir(), drops, limits);
  for (let i = 0; i < 2000; i++) q.append(event(i, 20), true);
  assert.ok(q.pendingBytes() <= 32768 + 8192 + 4096 * 2);
  const dropped = drops.filter((d) => d.reason === 'queue_full').reduce((a, d) => a + d.count, 0);
  assert.equal(q.pendingEvents() + dropped, 2000);
  await q.close();
});

test('segment names are 16 zero-padded digits', () => {
  assert.equal(segmentName(1), 'seg-0000000000000001.glq');
});

test('damage met by the sender in small batches: every good record once, the damage reported once', async () => {
  const dir = tmpDir();
  const drops: Drop[] = [];
  const q = open(dir, drops);
  for (let i = 0; i < 200; i++) q.append(event(i, 80), false);
  const file = fs.readdirSync(dir).filter((n) => n.startsWith('seg-')).sort().pop();
  assert.ok(file !== undefined, 'a segment exists');
  let at150 = 0;
  for (let i = 0; i < 150; i++) at150 += 13 + event(i, 80).length;
  const recordLen = 13 + event(150, 80).length;
  const fd = fs.openSync(path.join(dir, file), 'r+');
  fs.writeSync(fd, Buffer.from([0xee]), 0, 1, at150 + 40); // damaged after open: the sender finds it
  fs.closeSync(fd);
  const got: number[] = [];
  for (let round = 0; round < 100; round++) {
    const b = await q.readBatch(7, 3 * recordLen);
    if (b.records.length === 0) break;
    for (const r of b.records) got.push((JSON.parse(new TextDecoder().decode(r.payload)) as { seq: number }).seq);
    await q.ack(b, b.records.length);
  }
  assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i).filter((i) => i !== 150));
  assert.deepEqual(drops.map((d) => [d.reason, d.count, d.detail.offset]), [['corrupt', recordLen, at150]]);
  await q.close();
});
