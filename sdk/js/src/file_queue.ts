// The Node queue: segment files of CRC-checked records, a cursor and a lock file
// in `queue_dir`, exactly per sdk/queue_format.md. `append` is one writeSync of a
// record built in a reused buffer (the event survives kill -9 once it returns);
// reads for sending are async. Used from the JS thread only (one instance per
// folder, enforced by the lock file across processes).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc32.js';
import { kHeaderBytes, scanSegment, sealRecord } from './record.js';
import type { Batch, Queue, QueueEvents, QueueLimits, QueuedRecord } from './queue.js';
import { kAppendFailed, kAppendTooLarge } from './queue.js';

interface Segment { num: number; size: number; }
interface Position { seg: number; off: number; }
interface BatchToken { starts: Position[]; ends: Position[]; scanEnd: Position; }
interface BatchAcc extends Batch { records: QueuedRecord[]; token: BatchToken; }

const kSegmentMax = 1024 * 1024;

export function segmentName(num: number): string {
  return `seg-${String(num).padStart(16, '0')}.glq`;
}

function comparePos(a: Position, b: Position): number {
  return a.seg !== b.seg ? a.seg - b.seg : a.off - b.off;
}

/** Encodes the 24-byte cursor file. */
export function encodeCursor(pos: Position): Buffer {
  const b = Buffer.alloc(24);
  b.write('GLC1', 0, 'latin1');
  b.writeBigUInt64LE(BigInt(pos.seg), 4);
  b.writeBigUInt64LE(BigInt(pos.off), 12);
  b.writeUInt32LE(crc32(b, 0, 20), 20);
  return b;
}

/** Decodes a cursor file's bytes, or null when damaged. */
export function decodeCursor(b: Uint8Array): Position | null {
  if (b.length !== 24) return null;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.toString('latin1', 0, 4) !== 'GLC1' || buf.readUInt32LE(20) !== crc32(buf, 0, 20)) return null;
  return { seg: Number(buf.readBigUInt64LE(4)), off: Number(buf.readBigUInt64LE(12)) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileQueue implements Queue {
  private readonly segs: Segment[] = [];
  private cursor: Position = { seg: 1, off: 0 };
  private fd = -1;
  private lockFd = -1;
  private tailBroken = false;
  private buf: Buffer;
  private pendEvents = 0;
  private pendBytes = 0;
  private pendOrdinary = 0;
  private pendCriticalBytes = 0;
  private dirty = false;
  private syncing = false;
  private closed = false;
  private readonly reported = new Set<string>();
  private cursorDirty = false;
  private cursorWriter: Promise<void> | null = null;
  private readonly segmentBytes: number;

  /** Opens (and locks) the folder; throws if another live process holds it. */
  constructor(private readonly dir: string, private readonly limits: QueueLimits,
              private readonly events: QueueEvents) {
    this.segmentBytes = Math.max(4096, Math.min(kSegmentMax, Math.floor(limits.maxQueueBytes / 8)));
    this.buf = Buffer.allocUnsafe(kHeaderBytes + 3 * limits.maxEventBytes + 16);
    fs.mkdirSync(dir, { recursive: true });
    this.lock();
    try {
      this.recover();
      this.openTail();
    } catch (e) {
      this.releaseLock();
      throw e;
    }
  }

  private file(name: string): string { return path.join(this.dir, name); }
  private segPath(num: number): string { return this.file(segmentName(num)); }

  private lock(): void {
    const lockPath = this.file('lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.lockFd = fs.openSync(lockPath, 'wx');
        fs.writeSync(this.lockFd, `${process.pid}\n`);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let pid = NaN;
      try { pid = parseInt(fs.readFileSync(lockPath, 'utf8'), 10); } catch { /* gone meanwhile */ }
      if (pid === process.pid || (pid > 0 && isAlive(pid))) {
        throw new Error(`queue folder ${this.dir} is in use by process ${pid}`);
      }
      this.events.log(`taking over the stale lock of process ${Number.isNaN(pid) ? '?' : pid}`);
      try { fs.unlinkSync(lockPath); } catch { /* another process took it first */ }
    }
    throw new Error(`could not lock queue folder ${this.dir}`);
  }

  private releaseLock(): void {
    if (this.lockFd < 0) return;
    fs.closeSync(this.lockFd);
    this.lockFd = -1;
    try { fs.unlinkSync(this.file('lock')); } catch { /* already gone */ }
  }

  private reportDamage(seg: number, base: number, off: number, len: number): void {
    const key = `${seg}:${base + off}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.events.onDropped('corrupt', len, { segment: segmentName(seg), offset: base + off });
  }

  /** Reads the folder: cursor, segments, pending counts; damage is reported once. */
  private recover(): void {
    try { fs.unlinkSync(this.file('cursor.tmp')); } catch { /* none */ }
    const nums = fs.readdirSync(this.dir)
      .map((n) => /^seg-(\d{16})\.glq$/.exec(n)).filter((m) => m !== null)
      .map((m) => Number(m[1])).sort((a, b) => a - b);
    let cur: Position | null = null;
    try { cur = decodeCursor(fs.readFileSync(this.file('cursor'))); } catch { /* missing */ }
    const first = nums[0];
    if (first === undefined) {
      // Nothing queued: numbering goes on after the cursor's segment (never reused).
      this.cursor = { seg: cur === null ? 1 : cur.seg + 1, off: 0 };
      return;
    }
    if (cur === null || cur.seg < first) cur = { seg: first, off: 0 };
    const at = nums.find((n) => n >= cur.seg);
    this.cursor = at === cur.seg ? cur : { seg: at ?? first, off: 0 };
    const headless: number[] = [];
    for (const num of nums) {
      if (num < this.cursor.seg) { this.unlinkQuietly(num); continue; }
      const data = fs.readFileSync(this.segPath(num));
      this.segs.push({ num, size: data.length });
      const base = num === this.cursor.seg ? Math.min(this.cursor.off, data.length) : 0;
      let records = 0;
      scanSegment(data.subarray(base), (r) => { this.count(r.length, r.critical, 1); records++; },
        (d) => this.reportDamage(num, base, d.offset, d.length));
      if (records === 0 && this.pendEvents === 0) headless.push(num);
    }
    // Leading segments with nothing left to send (acknowledged, or only damage, reported
    // above) are passed over now, so their damage is not reported again at the next start.
    for (const num of headless) {
      this.segs.shift();
      this.unlinkQuietly(num);
    }
    const lastHeadless = headless[headless.length - 1];
    if (lastHeadless !== undefined) this.cursor = { seg: this.segs[0]?.num ?? lastHeadless + 1, off: 0 };
  }

  private count(len: number, critical: boolean, sign: number): void {
    this.pendEvents += sign;
    this.pendBytes += sign * len;
    if (!critical) this.pendOrdinary += sign;
    else this.pendCriticalBytes += sign * len;
  }

  private unlinkQuietly(num: number): void {
    try { fs.unlinkSync(this.segPath(num)); } catch { /* gone */ }
  }

  private unlinkLater(num: number): void {
    fs.unlink(this.segPath(num), () => undefined);
  }

  /** A new segment for writing (never appends after what an earlier run left). */
  private openTail(): void {
    const last = this.segs[this.segs.length - 1];
    const num = last === undefined ? Math.max(1, this.cursor.seg) : last.num + 1;
    this.fd = fs.openSync(this.segPath(num), 'a');
    this.segs.push({ num, size: 0 });
    this.tailBroken = false;
    if (this.segs.length === 1) {
      this.cursor = { seg: num, off: 0 };
      this.writeCursor();
    }
  }

  private rotate(): void {
    const old = this.fd;
    // The old tail is made durable off the calling thread, then closed.
    fs.fdatasync(old, () => fs.close(old, () => undefined));
    this.openTail();
  }

  /** The segment appends go to; there is always one (openTail runs on open and in clear). */
  private tail(): Segment {
    const t = this.segs[this.segs.length - 1];
    if (t === undefined) throw new Error('the queue has no tail segment');
    return t;
  }

  append(json: string, critical: boolean): number {
    if (this.closed) return kAppendFailed;
    if (json.length > this.limits.maxEventBytes) return kAppendTooLarge;
    const n = this.buf.write(json, kHeaderBytes, 'utf8');
    if (n > this.limits.maxEventBytes) return kAppendTooLarge;
    const len = sealRecord(this.buf, n, critical);
    try {
      this.makeRoom(len, critical);
      if (this.tailBroken || (this.tail().size > 0 && this.tail().size + len > this.segmentBytes)) this.rotate();
      return this.writeRecord(this.buf, 0, len, critical) ? n : kAppendFailed;
    } catch (e) {
      this.tailBroken = true;
      this.events.log(`queue append failed: ${(e as Error).message}`);
      return kAppendFailed;
    }
  }

  private writeRecord(b: Uint8Array, at: number, len: number, critical: boolean): boolean {
    const written = fs.writeSync(this.fd, b, at, len);
    if (written !== len) {
      this.tailBroken = true; // a short write leaves damage: the next record goes to a new segment
      return false;
    }
    this.tail().size += len;
    this.count(len, critical, 1);
    this.dirty = true;
    return true;
  }

  /**
   * Drops the oldest segments until `len` more bytes fit (queue_format.md "the cap").
   * max_queue_bytes / max_queue_events cap the ordinary events: critical ones do not count
   * against it up to max_critical_bytes; past cap + max_critical_bytes everything goes.
   */
  private makeRoom(len: number, critical: boolean): void {
    const l = this.limits;
    if (this.pendBytes + len <= l.maxQueueBytes && this.pendOrdinary < l.maxQueueEvents) return; // the common case
    const hard = (): boolean => this.pendBytes + len > l.maxQueueBytes + l.maxCriticalBytes;
    const over = (): boolean => hard() ||
      this.pendBytes - Math.min(this.pendCriticalBytes, l.maxCriticalBytes) + (critical ? 0 : len) > l.maxQueueBytes ||
      this.pendOrdinary + (critical ? 0 : 1) > l.maxQueueEvents;
    let budget = this.segs.length + 1;
    while (over() && budget-- > 0) {
      const keepCritical = !hard();
      if (keepCritical && this.pendOrdinary === 0) return; // only critical events: kept over the cap
      if (this.segs.length === 1) {
        if (this.tail().size === 0) return;
        this.rotate();
      }
      this.evictOldest(keepCritical);
    }
  }

  /** Drops the oldest segment (there are two or more), keeping its critical events if asked. */
  private evictOldest(keepCritical: boolean): void {
    const seg = this.segs[0];
    const next = this.segs[1];
    if (seg === undefined || next === undefined) throw new Error('evicting the only segment');
    const base = this.cursor.seg === seg.num ? Math.min(this.cursor.off, seg.size) : 0;
    const data = fs.readFileSync(this.segPath(seg.num)).subarray(base);
    const keep: Array<[number, number]> = [];
    let dropped = 0;
    scanSegment(data, (r) => {
      this.count(r.length, r.critical, -1);
      if (r.critical && keepCritical) keep.push([r.offset, r.length]);
      else dropped++;
    }, (d) => this.reportDamage(seg.num, base, d.offset, d.length));
    this.segs.shift();
    this.cursor = { seg: next.num, off: 0 };
    this.writeCursor();
    this.unlinkQuietly(seg.num);
    for (const [off, len] of keep) {
      if (this.tail().size > 0 && this.tail().size + len > this.segmentBytes) this.rotate();
      this.writeRecord(data, off, len, true);
    }
    if (dropped > 0) this.events.onDropped('queue_full', dropped, { segment: segmentName(seg.num) });
  }

  /**
   * Persists the cursor off the calling thread: one writer at a time writes the latest
   * value to cursor.tmp and renames it over cursor. A cursor older than the truth only
   * means resending (the server keeps one copy of an event_id).
   */
  private writeCursor(): void {
    this.cursorDirty = true;
    if (this.cursorWriter === null) this.cursorWriter = this.persistCursor();
  }

  private async persistCursor(): Promise<void> {
    const tmp = this.file('cursor.tmp');
    try {
      while (this.cursorDirty) {
        this.cursorDirty = false;
        await fs.promises.writeFile(tmp, encodeCursor(this.cursor));
        await fs.promises.rename(tmp, this.file('cursor'));
      }
    } catch (e) {
      this.events.log(`cursor write failed: ${(e as Error).message}`);
    } finally {
      this.cursorWriter = null;
    }
  }

  async readBatch(maxEvents: number, maxBytes: number, after?: Batch): Promise<Batch> {
    const prev = (after?.token as BatchToken | undefined)?.scanEnd;
    const from = prev !== undefined && comparePos(prev, this.cursor) > 0 ? prev : this.cursor;
    const acc: BatchAcc = { records: [], bytes: 0, token: { starts: [], ends: [], scanEnd: { ...from } } };
    let want: Position = { ...from };
    while (acc.records.length < maxEvents && !this.closed) {
      const seg = this.segs.find((s) => s.num >= want.seg);
      if (seg === undefined) break;
      const base = seg.num === want.seg ? want.off : 0;
      const size = seg.size;
      if (base >= size) {
        acc.token.scanEnd = { seg: seg.num, off: size };
        if (seg === this.tail()) break;
        want = { seg: seg.num + 1, off: 0 };
        continue;
      }
      // Read what a batch can hold; damage (rare) needs the rest of the segment.
      const bound = Math.min(size, base + maxBytes + kHeaderBytes * Math.min(maxEvents, 1 << 20) + 64);
      let data = await this.readRange(seg.num, base, bound);
      let step = data === null ? null : this.take(acc, seg.num, base, data, bound < size, maxEvents, maxBytes);
      if (step?.damaged === true) {
        data = await this.readRange(seg.num, base, size);
        step = data === null ? null : this.take(acc, seg.num, base, data, false, maxEvents, maxBytes);
      }
      if (step === null) { want = { seg: seg.num + 1, off: 0 }; continue; }
      acc.token.scanEnd = { seg: seg.num, off: base + step.end };
      if (step.stopped || seg === this.tail()) break;
      want = { seg: seg.num + 1, off: 0 };
    }
    return acc;
  }

  /** Takes records of one read into the batch; in a truncated read, damage undoes it. */
  private take(acc: BatchAcc, num: number, base: number, data: Buffer, truncated: boolean,
               maxEvents: number, maxBytes: number): { end: number; stopped: boolean; damaged: boolean } {
    const mark = acc.records.length;
    const markBytes = acc.bytes;
    let stopped = truncated;
    let damaged = false as boolean; // set in a callback, which TS's narrowing does not see
    const end = scanSegment(data, (r) => {
      const n = r.length - kHeaderBytes;
      if (damaged) return false;
      if (acc.records.length >= maxEvents || (acc.records.length > 0 && acc.bytes + n + 1 > maxBytes)) {
        stopped = true;
        return false;
      }
      acc.records.push({ payload: data.subarray(r.offset + kHeaderBytes, r.offset + r.length), critical: r.critical });
      acc.token.starts.push({ seg: num, off: base + r.offset });
      acc.token.ends.push({ seg: num, off: base + r.offset + r.length });
      acc.bytes += n + 1;
      return true;
    }, (d) => {
      if (truncated) damaged = true;
      else this.reportDamage(num, base, d.offset, d.length);
    }, truncated);
    if (damaged) {
      acc.records.length = acc.token.starts.length = acc.token.ends.length = mark;
      acc.bytes = markBytes;
    }
    return { end, stopped, damaged };
  }

  private reader: { num: number; handle: fs.promises.FileHandle } | null = null;

  private async readRange(num: number, from: number, to: number): Promise<Buffer | null> {
    try {
      if (this.reader?.num !== num) {
        await this.closeReader();
        this.reader = { num, handle: await fs.promises.open(this.segPath(num), 'r') };
      }
      const b = Buffer.allocUnsafe(to - from);
      const { bytesRead } = await this.reader.handle.read(b, 0, to - from, from);
      return b.subarray(0, bytesRead);
    } catch {
      await this.closeReader();
      return null; // the segment was dropped meanwhile
    }
  }

  private async closeReader(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    await r?.handle.close().catch(() => undefined);
  }

  async ack(batch: Batch, count: number): Promise<void> {
    if (this.closed) return;
    const t = batch.token as BatchToken;
    for (let i = 0; i < count; i++) {
      const start = t.starts[i], end = t.ends[i], record = batch.records[i];
      if (start === undefined || end === undefined || record === undefined) break;
      if (comparePos(start, this.cursor) >= 0) this.count(end.off - start.off, record.critical, -1);
    }
    const to = count === batch.records.length ? t.scanEnd : t.ends[count - 1] ?? this.cursor;
    if (comparePos(to, this.cursor) <= 0) return;
    this.cursor = { ...to };
    for (;;) {
      const head = this.segs[0], next = this.segs[1]; // the head goes only when a later segment exists
      if (head === undefined || next === undefined || head.num > this.cursor.seg) break;
      if (head.num === this.cursor.seg && this.cursor.off < head.size) break;
      this.segs.shift();
      if (head.num === this.cursor.seg) this.cursor = { seg: next.num, off: 0 };
      if (this.reader?.num === head.num) await this.closeReader();
      this.unlinkLater(head.num);
    }
    this.writeCursor();
  }

  pendingEvents(): number { return this.pendEvents; }
  pendingBytes(): number { return this.pendBytes; }

  sync(): void {
    if (!this.dirty || this.syncing || this.closed) return;
    this.dirty = false;
    this.syncing = true;
    fs.fdatasync(this.fd, () => { this.syncing = false; });
  }

  optedOut(): boolean { return fs.existsSync(this.file('optout')); }

  storeOptOut(on: boolean): void {
    if (on) fs.writeFileSync(this.file('optout'), '');
    else fs.rmSync(this.file('optout'), { force: true });
  }

  async clear(): Promise<void> {
    if (this.closed) return;
    fs.closeSync(this.fd);
    for (const s of this.segs) this.unlinkQuietly(s.num);
    const next = this.tail().num + 1;
    this.segs.length = 0;
    this.pendEvents = this.pendBytes = this.pendOrdinary = this.pendCriticalBytes = 0;
    this.cursor = { seg: next, off: 0 };
    fs.rmSync(this.file('cursor'), { force: true });
    this.openTail();
    await this.closeReader(); // it may hold a deleted segment open
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeReader();
    while (this.cursorWriter !== null) await this.cursorWriter;
    try {
      fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      this.releaseLock();
    }
  }
}

