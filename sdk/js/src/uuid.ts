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

/** A UUID v7 string for the given Unix time in milliseconds. */
export function uuidv7(nowMs: number): string {
  const r = random10();
  const ms = Math.max(0, Math.floor(nowMs));
  const hi = Math.floor(ms / 0x1000000); // top 24 of the 48 bits
  const lo = ms % 0x1000000; // bottom 24
  return (
    kHex[(hi >>> 16) & 0xff]! + kHex[(hi >>> 8) & 0xff]! + kHex[hi & 0xff]! +
    kHex[(lo >>> 16) & 0xff]! + '-' + kHex[(lo >>> 8) & 0xff]! + kHex[lo & 0xff]! + '-' +
    kHex[0x70 | (pool[r]! & 0x0f)]! + kHex[pool[r + 1]!]! + '-' +
    kHex[0x80 | (pool[r + 2]! & 0x3f)]! + kHex[pool[r + 3]!]! + '-' +
    kHex[pool[r + 4]!]! + kHex[pool[r + 5]!]! + kHex[pool[r + 6]!]! +
    kHex[pool[r + 7]!]! + kHex[pool[r + 8]!]! + kHex[pool[r + 9]!]!
  );
}

/** The Unix milliseconds in a UUID v7 (NaN if it is not one). */
export function uuidv7Time(id: string): number {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return NaN;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
