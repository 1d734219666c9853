// Unit tests of the pure pieces: CRC-32, UUID v7, back-off and Retry-After, the
// record and cursor encodings.

import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { backoffMs, parseRetryAfter, retryDelayMs } from '../src/backoff.js';
import { crc32 } from '../src/crc32.js';
import { decodeCursor, encodeCursor } from '../src/file_queue.js';
import { recordAt, sealRecord } from '../src/record.js';
import { uuidv7, uuidv7Time } from '../src/uuid.js';

test('crc32 matches zlib\'s check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('crc32 agrees with zlib on every length and offset (the sliced loop and its tail)', () => {
  const zcrc = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
  const data = randomFillSync(new Uint8Array(300));
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      const want = zcrc ? zcrc(data.subarray(start, end)) : crc32(Uint8Array.from(data.subarray(start, end)));
      assert.equal(crc32(data, start, end), want >>> 0, `[${start}, ${end})`);
    }
  }
});

test('uuidv7: RFC 9562 layout, the time in the first 48 bits, unique', () => {
  const now = Date.UTC(2026, 10, 30, 17, 5, 3, 123);
  const seen = new Set<string>();
  for (let i = 0; i < 10000; i++) {
    const id = uuidv7(now);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(uuidv7Time(id), now);
    seen.add(id);
  }
  assert.equal(seen.size, 10000);
  assert.ok(uuidv7(now + 1) > uuidv7(now), 'ids sort by time');
});

test('back-off: full jitter under min(max, base*2^attempt)', () => {
  assert.equal(backoffMs(0, 500, 60000, () => 0.999999), 499);
  assert.equal(backoffMs(3, 500, 60000, () => 0.5), 2000);
  assert.equal(backoffMs(20, 500, 60000, () => 0.999999), 59999);
  assert.equal(backoffMs(5, 500, 60000, () => 0), 0);
  assert.equal(retryDelayMs(0, 500, 60000, 3000, () => 0.5), 3000, 'Retry-After is a floor');
  assert.equal(retryDelayMs(8, 500, 60000, 3000, () => 0.5), 30000);
});

test('Retry-After: seconds, an HTTP date, garbage', () => {
  const now = Date.parse('Mon, 30 Nov 2026 17:00:00 GMT');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Mon, 30 Nov 2026 17:00:12 GMT', now), 12000);
  assert.equal(parseRetryAfter('Mon, 30 Nov 2026 16:59:00 GMT', now), 0, 'a past date is no wait');
  assert.equal(parseRetryAfter('soon', now), 0);
  assert.equal(parseRetryAfter(null, now), 0);
  assert.equal(parseRetryAfter('-5', now), 0);
});

test('a record seals and reads back; any flipped bit is caught', () => {
  const payload = new TextEncoder().encode('{"event_id":"x","a":1}');
  const buf = new Uint8Array(13 + payload.length);
  buf.set(payload, 13);
  const len = sealRecord(buf, payload.length, true);
  assert.equal(len, buf.length);
  assert.deepEqual([...buf.subarray(0, 4)], [0x47, 0x4c, 0x51, 0x31]);
  assert.equal(buf[12], 1);
  assert.equal(recordAt(buf, 0), len);
  for (let i = 0; i < buf.length; i++) {
    const bad = buf.slice();
    bad[i] = (bad[i] ?? 0) ^ 0x10;
    assert.equal(recordAt(bad, 0), 0, `flip at ${i}`);
  }
  assert.equal(recordAt(buf.subarray(0, len - 1), 0), 0, 'a torn record is not a record');
});

test('the cursor encodes to 24 bytes and rejects damage', () => {
  const b = encodeCursor({ seg: 12, off: 3456 });
  assert.equal(b.length, 24);
  assert.equal(b.toString('latin1', 0, 4), 'GLC1');
  assert.deepEqual(decodeCursor(b), { seg: 12, off: 3456 });
  const bad = Buffer.from(b);
  bad[9] = (bad[9] ?? 0) ^ 1;
  assert.equal(decodeCursor(bad), null);
  assert.equal(decodeCursor(b.subarray(0, 20)), null);
});
