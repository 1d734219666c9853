// The browser queue: events in IndexedDB (database `queueDir`, store `records`),
// keyed by [page-load time, sequence] so they sort oldest first across reloads, with
// a mirror in memory that `append` updates synchronously (the write to IndexedDB is
// committed in a transaction started in the same task). Caps as in
// sdk/queue_format.md, per event instead of per segment. Main thread only.

import type { Batch, Queue, QueueEvents, QueueLimits, QueuedRecord } from './queue.js';
import { kAppendTooLarge } from './queue.js';

type Key = [number, number];
interface MemRecord { key: Key; json: string; bytes: number; critical: boolean; }
interface Stored { j: string; c: number; }

const kStore = 'records';
const kEncoder = new TextEncoder();

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** localStorage, which workers and some embedded browsers lack (the DOM types say it is always there). */
function storage(): Storage | undefined {
  return (globalThis as { localStorage?: Storage }).localStorage;
}

export class IdbQueue implements Queue {
  private recs: MemRecord[] = [];
  private readonly loadMs = Date.now();
  private seq = 0;
  private bytes = 0;
  private criticalBytes = 0;
  private ordinary = 0;
  private inflight = 0;
  private puts: MemRecord[] = [];
  private deletes: Key[] = [];
  private writeScheduled = false;
  private readonly db: Promise<IDBDatabase | null>;
  private closed = false;

  constructor(private readonly name: string, private readonly limits: QueueLimits,
              private readonly events: QueueEvents) {
    this.db = this.openDb().then(async (db) => {
      if (db !== null) await this.load(db);
      return db;
    });
  }

  /** Resolves once the events of earlier page loads are in memory. */
  ready(): Promise<unknown> { return this.db; }

  private openDb(): Promise<IDBDatabase | null> {
    return new Promise((resolve) => {
      if (typeof indexedDB === 'undefined') { resolve(null); return; }
      const req = indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => { req.result.createObjectStore(kStore); };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => {
        this.events.log(`IndexedDB unavailable (${String(req.error)}); events are kept in memory only`);
        resolve(null);
      };
    });
  }

  private load(db: IDBDatabase): Promise<void> {
    return new Promise((resolve) => {
      const tx = db.transaction(kStore, 'readonly');
      const store = tx.objectStore(kStore);
      const keysReq = store.getAllKeys();
      const valsReq = store.getAll();
      tx.oncomplete = () => {
        const keys = keysReq.result as Key[];
        const vals = valsReq.result as Stored[];
        const older: MemRecord[] = [];
        keys.forEach((key, i) => {
          const v = vals[i];
          if (v !== undefined) older.push({ key, json: v.j, bytes: utf8Length(v.j), critical: v.c === 1 });
        });
        for (const r of older) this.account(r, 1);
        // Nothing is in flight before the load ends (readBatch waits for it).
        this.recs = older.concat(this.recs);
        resolve();
      };
      tx.onerror = () => resolve();
    });
  }

  append(json: string, critical: boolean): number {
    const n = utf8Length(json);
    if (n > this.limits.maxEventBytes) return kAppendTooLarge;
    this.makeRoom(n + 13, critical);
    const rec: MemRecord = { key: [this.loadMs, this.seq++], json, bytes: n, critical };
    this.recs.push(rec);
    this.account(rec, 1);
    this.puts.push(rec);
    this.scheduleWrite();
    return n;
  }

  private account(r: MemRecord, sign: number): void {
    this.bytes += sign * r.bytes;
    if (r.critical) this.criticalBytes += sign * (r.bytes + 13);
    else this.ordinary += sign;
  }

  private remove(from: number, count: number): MemRecord[] {
    const gone = this.recs.splice(from, count);
    for (const r of gone) {
      this.account(r, -1);
      this.deletes.push(r.key);
    }
    return gone;
  }

  /**
   * The cap as in sdk/queue_format.md, per event: the oldest ordinary events go first;
   * critical ones do not count against the cap up to maxCriticalBytes more.
   */
  private makeRoom(len: number, critical: boolean): void {
    const l = this.limits;
    const size = (): number => this.bytes + 13 * this.recs.length;
    const hard = (): boolean => size() + len > l.maxQueueBytes + l.maxCriticalBytes;
    const over = (): boolean => hard() ||
      size() - Math.min(this.criticalBytes, l.maxCriticalBytes) + (critical ? 0 : len) > l.maxQueueBytes ||
      this.ordinary + (critical ? 0 : 1) > l.maxQueueEvents;
    let dropped = 0;
    let from = this.inflight;
    while (over()) {
      const isHard = hard();
      while (!isHard && this.recs[from]?.critical === true) from++;
      if (from >= this.recs.length) break;
      this.remove(from, 1);
      dropped++;
    }
    if (dropped > 0) {
      this.scheduleWrite();
      this.events.onDropped('queue_full', dropped, {});
    }
  }

  private scheduleWrite(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    queueMicrotask(() => void this.write());
  }

  private async write(): Promise<void> {
    const db = await this.db;
    this.writeScheduled = false;
    const puts = this.puts;
    const deletes = this.deletes;
    this.puts = [];
    this.deletes = [];
    if (db === null || this.closed || (puts.length === 0 && deletes.length === 0)) return;
    try {
      const tx = db.transaction(kStore, 'readwrite', { durability: 'relaxed' });
      const store = tx.objectStore(kStore);
      for (const r of puts) store.put({ j: r.json, c: r.critical ? 1 : 0 } satisfies Stored, r.key);
      for (const k of deletes) store.delete(k);
    } catch (e) {
      this.events.log(`IndexedDB write failed: ${(e as Error).message}`);
    }
  }

  async readBatch(maxEvents: number, maxBytes: number, after?: Batch): Promise<Batch> {
    await this.db;
    const records: QueuedRecord[] = [];
    const taken: MemRecord[] = [];
    let bytes = 0;
    const prev = (after?.token as MemRecord[] | undefined) ?? [];
    const last = prev[prev.length - 1];
    const start = last !== undefined ? this.recs.indexOf(last) + 1 : 0;
    for (let i = start; i < this.recs.length; i++) {
      const r = this.recs[i];
      if (r === undefined) break;
      if (records.length >= maxEvents || (records.length > 0 && bytes + r.bytes + 1 > maxBytes)) break;
      records.push({ payload: kEncoder.encode(r.json), critical: r.critical });
      taken.push(r);
      bytes += r.bytes + 1;
    }
    this.inflight = start + taken.length;
    return { records, bytes, token: taken };
  }

  /** The queued events (oldest first) whose NDJSON fits maxBytes, without taking them. */
  peekJson(maxBytes: number): string[] {
    const out: string[] = [];
    let bytes = 0;
    for (const r of this.recs) {
      if (bytes + r.bytes + 1 > maxBytes) break;
      out.push(r.json);
      bytes += r.bytes + 1;
    }
    return out;
  }

  ack(batch: Batch, count: number): Promise<void> {
    const done = new Set((batch.token as MemRecord[]).slice(0, count));
    let k = 0;
    for (const r of this.recs) {
      if (!done.has(r)) break;
      k++;
    }
    this.remove(0, k);
    this.inflight = Math.max(0, this.inflight - k);
    this.scheduleWrite();
    return Promise.resolve(); // the deletes are written by scheduleWrite
  }

  pendingEvents(): number { return this.recs.length; }
  pendingBytes(): number { return this.bytes; }
  sync(): void { /* IndexedDB commits each transaction itself */ }

  optedOut(): boolean {
    try {
      return storage()?.getItem(`gamelake.optout.${this.name}`) === '1';
    } catch {
      return false;
    }
  }

  storeOptOut(on: boolean): void {
    try {
      if (on) storage()?.setItem(`gamelake.optout.${this.name}`, '1');
      else storage()?.removeItem(`gamelake.optout.${this.name}`);
    } catch { /* no storage: the choice lasts this page */ }
  }

  async clear(): Promise<void> {
    this.recs = [];
    this.bytes = this.criticalBytes = this.ordinary = 0;
    this.inflight = 0;
    this.puts = [];
    const db = await this.db;
    if (db !== null) db.transaction(kStore, 'readwrite').objectStore(kStore).clear();
  }

  async close(): Promise<void> {
    await this.write();
    this.closed = true;
    (await this.db)?.close();
  }
}
