// UUID v7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 74 random bits,
// variant 10. Random bytes come from crypto.getRandomValues in a pooled buffer so
// one id costs no allocation but its string. Single-threaded (JS); not shared.

const kHex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const kPoolSize = 4096;
const pool = new Uint8Array(kPoolSize);
let poolPos = kPoolSize;

function random10(): number {
  if (poolPos + 10 > kPoolSize) {
    globalThis.crypto.getRandomValues(pool);
    poolPos = 0;
  }
  const at = poolPos;
  poolPos += 10;
  return at;
}

/** Two lowercase hex digits for the low byte of n. */
function hex(n: number): string {
  return kHex[n & 0xff] ?? ''; // never '': kHex has all 256 bytes
}

/** Byte i of the random pool (random10 hands out indices inside it). */
function poolByte(i: number): number {
  return pool[i] ?? 0;
}

/** A UUID v7 string for the given Unix time in milliseconds. */
export function uuidv7(nowMs: number): string {
  const r = random10();
  const ms = Math.max(0, Math.floor(nowMs));
  const hi = Math.floor(ms / 0x1000000); // top 24 of the 48 bits
  const lo = ms % 0x1000000; // bottom 24
  return (
    hex(hi >>> 16) + hex(hi >>> 8) + hex(hi) + hex(lo >>> 16) + '-' + hex(lo >>> 8) + hex(lo) + '-' +
    hex(0x70 | (poolByte(r) & 0x0f)) + hex(poolByte(r + 1)) + '-' +
    hex(0x80 | (poolByte(r + 2) & 0x3f)) + hex(poolByte(r + 3)) + '-' +
    hex(poolByte(r + 4)) + hex(poolByte(r + 5)) + hex(poolByte(r + 6)) +
    hex(poolByte(r + 7)) + hex(poolByte(r + 8)) + hex(poolByte(r + 9))
  );
}

/** The Unix milliseconds in a UUID v7 (NaN if it is not one). */
export function uuidv7Time(id: string): number {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return NaN;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
