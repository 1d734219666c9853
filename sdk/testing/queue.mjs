// Reads and damages SDK queues in the shared format (../queue_format.md) for the
// conformance tests: the tests find records by their event ids, then flip a byte or
// tear a segment the way a crash or a bad disk would.

import { readdirSync, readFileSync, writeFileSync, truncateSync } from "node:fs";
import { join } from "node:path";

const kMagic = Buffer.from("GLQ1", "latin1");
const kHeader = 13;
const kMaxPayload = 1 << 20;

let crcTable = null;
export function crc32(buf) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// The segment files of a queue folder, oldest first.
export function segments(dir) {
  return readdirSync(dir)
    .filter((f) => /^seg-\d{16}\.glq$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function validAt(data, pos) {
  if (pos + kHeader > data.length || !data.subarray(pos, pos + 4).equals(kMagic)) return 0;
  const n = data.readUInt32LE(pos + 4);
  if (n < 1 || n > kMaxPayload || pos + kHeader + n > data.length) return 0;
  if (crc32(data.subarray(pos + 12, pos + kHeader + n)) !== data.readUInt32LE(pos + 8)) return 0;
  return kHeader + n;
}

function cleanEnd(data, pos) {
  for (let i = pos; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

// The valid records of one segment: {offset, size, critical, payload (string)}, and the
// number of damaged bytes skipped.
export function readSegment(file) {
  const data = readFileSync(file);
  const records = [];
  let damaged = 0;
  let pos = 0;
  while (pos < data.length && !cleanEnd(data, pos)) {
    const size = validAt(data, pos);
    if (size > 0) {
      records.push({ offset: pos, size, critical: (data[pos + 12] & 1) === 1, payload: data.toString("utf8", pos + kHeader, pos + size) });
      pos += size;
      continue;
    }
    let next = pos + 1;
    while (next < data.length && validAt(data, next) === 0) next++;
    damaged += next - pos;
    pos = next;
  }
  return { records, damaged };
}

// Flips one byte inside the payload of the record at `offset` (its CRC no longer matches).
export function flipPayloadByte(file, record) {
  const data = readFileSync(file);
  data[record.offset + kHeader + Math.floor((record.size - kHeader) / 2)] ^= 0x5a;
  writeFileSync(file, data);
}

// Cuts the file in the middle of the record at `offset`, as a torn write leaves it.
export function tearAt(file, record) {
  truncateSync(file, record.offset + Math.min(record.size - 1, kHeader + 3));
}
