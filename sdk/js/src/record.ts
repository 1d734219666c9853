// The queue record format (sdk/queue_format.md): magic "GLQ1", u32 length,
// u32 CRC-32 of flags+payload, u8 flags, payload. Encoding into a caller's buffer
// and scanning a segment's bytes for records and damage. Pure functions.

import { crc32 } from './crc32.js';

export const kHeaderBytes = 13;
export const kMaxPayload = 1_048_576;
export const kFlagCritical = 1;
const kMagic0 = 0x47, kMagic1 = 0x4c, kMagic2 = 0x51, kMagic3 = 0x31;

/** Writes the header for a payload already at buf[13, 13+n); returns 13+n. */
export function sealRecord(buf: Uint8Array, n: number, critical: boolean): number {
  buf[0] = kMagic0; buf[1] = kMagic1; buf[2] = kMagic2; buf[3] = kMagic3;
  buf[4] = n & 0xff; buf[5] = (n >>> 8) & 0xff; buf[6] = (n >>> 16) & 0xff; buf[7] = (n >>> 24) & 0xff;
  buf[12] = critical ? kFlagCritical : 0;
  const c = crc32(buf, 12, kHeaderBytes + n);
  buf[8] = c & 0xff; buf[9] = (c >>> 8) & 0xff; buf[10] = (c >>> 16) & 0xff; buf[11] = (c >>> 24) & 0xff;
  return kHeaderBytes + n;
}

/** Byte `at` of buf, 0 past its end (callers check lengths first). */
function byteAt(buf: Uint8Array, at: number): number {
  return buf[at] ?? 0;
}

function u32(buf: Uint8Array, at: number): number {
  return (byteAt(buf, at) | (byteAt(buf, at + 1) << 8) | (byteAt(buf, at + 2) << 16) | (byteAt(buf, at + 3) << 24)) >>> 0;
}

/** The length of the valid record at `at`, or 0 if none starts there. */
export function recordAt(buf: Uint8Array, at: number): number {
  if (at + kHeaderBytes > buf.length) return 0;
  if (buf[at] !== kMagic0 || buf[at + 1] !== kMagic1 || buf[at + 2] !== kMagic2 || buf[at + 3] !== kMagic3) return 0;
  const n = u32(buf, at + 4);
  if (n < 1 || n > kMaxPayload || at + kHeaderBytes + n > buf.length) return 0;
  if ((byteAt(buf, at + 12) & ~kFlagCritical) !== 0) return 0;
  return crc32(buf, at + 12, at + kHeaderBytes + n) === u32(buf, at + 8) ? kHeaderBytes + n : 0;
}

function isCleanEnd(buf: Uint8Array, at: number): boolean {
  if (at + 4 > buf.length) return false;
  for (let i = at; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

export interface ScannedRecord { offset: number; length: number; critical: boolean; }
export interface Damage { offset: number; length: number; }

/** Whether the bytes at `at` could be a record the buffer's end cut short. */
function cutShort(buf: Uint8Array, at: number): boolean {
  if (at + kHeaderBytes > buf.length) return true;
  if (buf[at] !== kMagic0 || buf[at + 1] !== kMagic1 || buf[at + 2] !== kMagic2 || buf[at + 3] !== kMagic3) return false;
  const n = u32(buf, at + 4);
  return n >= 1 && n <= kMaxPayload && at + kHeaderBytes + n > buf.length;
}

/**
 * Scans bytes (a segment's content from some offset, to the end of the file) into
 * records and damaged ranges, per the format's reading rules; offsets are relative to
 * the buffer. `truncated`: the file goes on after the buffer, so a record cut by the
 * buffer's end is not damage (scanning stops before it). Returns where it stopped
 * (onRecord returning false stops the scan before that record).
 */
export function scanSegment(buf: Uint8Array, onRecord: (r: ScannedRecord) => boolean | undefined,
                            onDamage: (d: Damage) => void, truncated = false): number {
  let at = 0;
  while (at < buf.length) {
    if (truncated && cutShort(buf, at)) return at;
    const len = recordAt(buf, at);
    if (len > 0) {
      if (onRecord({ offset: at, length: len, critical: (byteAt(buf, at + 12) & kFlagCritical) !== 0 }) === false) return at;
      at += len;
      continue;
    }
    if (isCleanEnd(buf, at)) return buf.length;
    let next = at + 1;
    while (next < buf.length && (buf[next] !== kMagic0 || recordAt(buf, next) === 0)) next++;
    onDamage({ offset: at, length: next - at });
    at = next;
  }
  return at;
}
