// The SDK's client: Track builds an event and appends it to the queue on the
// calling thread (no network, no fsync); a sender on timers batches the queue's
// head, gzips, POSTs with keep-alive, reads per-record results and retries with
// back-off. JS is single-threaded: every public method runs on the caller's event
// loop, and none throws into the game (errors go to onError / onDropped / log).

import { parseRetryAfter, retryDelayMs } from './backoff.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { configProblem, kSdkVersion, resolveConfig, type Config, type ResolvedConfig } from './config.js';
import type { LifecycleHooks, Platform } from './platform.js';
import {
  kAppendFailed, kAppendTooLarge, type Batch, type DropDetail, type DropReason, type Queue,
} from './queue.js';
import { uuidv7 } from './uuid.js';

export type Properties = Record<string, unknown>;
export interface TrackOptions { critical?: boolean; }

const kNameRe = /^[A-Za-z0-9_\-.:]{1,64}$/;
const kCriticalNames = new Set(['session_start', 'session_end', 'purchase']);
const kIgnored = new Set(['event_id', 'event_type']);
const kGzipOver = 1024;

interface RecordError { index: number; code: string; message: string; }
interface RawAnswer { status: number; text: string; retryAfter: string | null; error: string; tls?: boolean; }

/**
 * Node's fetch fails with `TypeError('fetch failed')` whose `cause` is the TLS error
 * (`code` SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED,
 * ERR_TLS_CERT_ALTNAME_INVALID, ...). Browsers hide the reason (`Failed to fetch`).
 */
const kTlsCode = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/;

function describeFetchError(e: unknown): { error: string; tls: boolean } {
  const err = e as Error & { cause?: { code?: unknown; message?: unknown } };
  const cause = err.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const detail = typeof cause?.message === 'string' ? cause.message : '';
  const message = err.message + (detail ? `: ${detail}` : '') + (code && !detail.includes(code) ? ` (${code})` : '');
  return { error: message, tls: kTlsCode.test(code) };
}

/** Batches in flight at once. */
const kPipeline = 2;

export class Client {
  private readonly cfg: ResolvedConfig;
  private readonly clock: Clock;
  private readonly url: string;
  /** The queue (null when the client is inert); subclasses may read it. */
  protected queue: Queue | null = null;
  private closed = false;
  private optedOut = false;
  private debugOn: boolean;
  private playerPart = '';
  private readonly staticPart: string;
  private sessionId = '';
  private sessionStartMs = 0;
  private lastEventMs = 0;
  private lastTsMs = -1;
  private lastTs = '';
  private lastName: string | null = null;
  private sending = false;
  private flushRequested = false;
  private timer: TimerHandle | null = null;
  private timerDue = 0;
  private syncTimer: TimerHandle | null = null;
  private retryAt = 0;
  private attempt = 0;
  /** The TLS failure last reported to onError ('' after any HTTP answer). */
  private lastTlsError = '';
  private batchLimit: number;
  /** Below the smallest batch the server refused as too large (413 / malformed). */
  private batchCeiling: number;
  private wake: (() => void) | null = null;
  private waiters: Array<(drained: boolean) => void> = [];
  private uninstall: (() => void) | null = null;

  constructor(config: Config, private readonly platform: Platform) {
    this.cfg = resolveConfig(config, platform.defaultPlatform, platform.defaultQueueDir);
    this.clock = config.clock ?? systemClock;
    this.debugOn = this.cfg.debug;
    this.batchLimit = this.cfg.maxBatchEvents;
    this.batchCeiling = this.cfg.maxBatchEvents;
    this.url = `${this.cfg.baseUrl}/v1/streams/${encodeURIComponent(this.cfg.stream)}/records`;
    this.staticPart = (this.cfg.platform ? `,"platform":${JSON.stringify(this.cfg.platform)}` : '') +
      (this.cfg.appVersion ? `,"app_version":${JSON.stringify(this.cfg.appVersion)}` : '') +
      `,"sdk_version":"${kSdkVersion}"`;
    const problem = configProblem(this.cfg);
    if (problem !== '') {
      this.fail(new Error(`gamelake: ${problem}; tracking is off`));
      return;
    }
    try {
      this.queue = platform.openQueue(this.cfg, {
        onDropped: (reason, count, detail) => this.dropped(reason, count, detail),
        log: (line) => this.log(line),
      });
      this.optedOut = this.queue.optedOut();
    } catch (e) {
      this.fail(new Error(`gamelake: cannot open the queue: ${(e as Error).message}; tracking is off`));
      return;
    }
    if (this.cfg.lifecycle && platform.install) {
      const hooks: LifecycleHooks = {
        pause: () => this.pause(),
        resume: () => this.resume(),
        quit: () => {
          this.endSession(); // the next page load starts a new session; this one ends here
          this.pause();
        },
      };
      this.uninstall = platform.install(hooks);
    }
    if (this.queue.pendingEvents() > 0) this.schedule(0);
  }

  /**
   * Tracks an event; returns its event_id, or '' when refused (bad name, too large, opted
   * out, closed). Null properties or options are the same as none.
   */
  track(name: string, properties: Properties | null = {}, options: TrackOptions | null = {}): string {
    try {
      if (this.queue === null || this.closed || this.optedOut) return '';
      if (name !== this.lastName) {
        if (typeof name !== 'string' || !kNameRe.test(name)) {
          this.log(`refused event name ${JSON.stringify(name)}: 1-64 of A-Z a-z 0-9 _ - . :`);
          return '';
        }
        this.lastName = name; // games repeat names: the check is done once per change
      }
      const props = properties ?? {};
      if (typeof props !== 'object' || Array.isArray(props)) {
        this.log(`refused event ${name}: properties must be an object`);
        return '';
      }
      const now = this.clock.nowMs();
      this.touchSession(now);
      return this.enqueue(name, props, options?.critical === true || kCriticalNames.has(name), now);
    } catch (e) {
      this.fail(e as Error);
      return '';
    }
  }

  setPlayerId(playerId: string | null): void {
    this.playerPart = playerId === null || playerId === '' ? '' : `,"player_id":${JSON.stringify(playerId)}`;
  }

  /** Starts a new session (ending the current one); returns its id. */
  startSession(): string {
    if (this.queue === null || this.closed || this.optedOut) return '';
    const now = this.clock.nowMs();
    if (this.sessionId !== '') this.finishSession();
    this.beginSession(now);
    return this.sessionId;
  }

  endSession(): void {
    if (this.sessionId !== '' && !this.closed && !this.optedOut) this.finishSession();
  }

  get currentSessionId(): string { return this.sessionId; }

  /** The app went to the background: send now (in the browser with fetch keepalive). */
  pause(): void {
    this.flush();
    if (this.queue !== null && !this.closed && !this.optedOut && this.platform.urgentSend) {
      try {
        this.platform.urgentSend(this.queue, this.cfg, this.headers(false), this.url);
      } catch (e) {
        this.log(`keepalive send failed: ${(e as Error).message}`);
      }
    }
  }

  resume(): void {
    if (this.queue !== null && this.queue.pendingEvents() > 0) this.schedule(0);
  }

  /** Sends everything queued now, in the background. */
  flush(): void {
    if (this.queue === null || this.closed) return;
    this.flushRequested = true;
    this.schedule(0);
  }

  /** Sends and waits until nothing is pending (true) or timeoutMs passed (false). */
  flushAndWait(timeoutMs: number): Promise<boolean> {
    if (this.queue === null || this.closed) return Promise.resolve(false);
    if (this.queue.pendingEvents() === 0) return Promise.resolve(true);
    this.flush();
    return new Promise((resolve) => {
      let done = false;
      const finish = (drained: boolean): void => {
        if (done) return;
        done = true;
        resolve(drained);
      };
      const t = this.clock.setTimeout(() => finish(false), Math.max(0, timeoutMs), true);
      this.waiters.push((drained) => {
        this.clock.clearTimeout(t);
        finish(drained);
      });
    });
  }

  /** Ends the session, sends for up to timeoutMs, then stops; what is not sent stays queued. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    this.endSession();
    const drained = timeoutMs > 0 ? await this.flushAndWait(timeoutMs) : this.pendingEvents() === 0;
    this.closed = true;
    this.clearTimers();
    this.wake?.();
    this.uninstall?.();
    this.resolveWaiters(false);
    try {
      await this.queue?.close();
    } catch (e) {
      this.fail(e as Error);
    }
    return drained;
  }

  /** Opting out stops tracking and deletes the queue; remembered across restarts. */
  setOptOut(on: boolean): void {
    if (this.queue === null || this.closed) return;
    try {
      this.queue.storeOptOut(on);
      this.optedOut = on;
      if (on) {
        this.sessionId = '';
        void this.queue.clear().then(() => this.resolveWaiters(true), (e: unknown) => this.fail(e as Error));
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  setDebug(on: boolean): void { this.debugOn = on; }

  pendingEvents(): number { return this.queue?.pendingEvents() ?? 0; }

  // ---- events -------------------------------------------------------------------------

  private touchSession(now: number): void {
    if (this.sessionId === '') {
      this.beginSession(now);
    } else if (now - this.lastEventMs >= this.cfg.sessionTimeoutMs) {
      this.finishSession();
      this.beginSession(now);
    }
    this.lastEventMs = now;
  }

  private beginSession(now: number): void {
    this.sessionId = uuidv7(now);
    this.sessionStartMs = now;
    this.lastEventMs = now;
    this.enqueue('session_start', {}, true, now);
  }

  private finishSession(): void {
    this.enqueue('session_end', { duration_ms: this.lastEventMs - this.sessionStartMs }, true, this.lastEventMs);
    this.sessionId = '';
  }

  private isoTs(ms: number): string {
    if (ms !== this.lastTsMs) {
      this.lastTsMs = ms;
      this.lastTs = new Date(ms).toISOString();
    }
    return this.lastTs;
  }

  private enqueue(name: string, props: Properties, critical: boolean, now: number): string {
    const queue = this.queue;
    if (queue === null) return '';
    const id = uuidv7(now);
    const json = this.eventJson(id, name, props, now);
    if (json === '') return '';
    const n = queue.append(json, critical);
    if (n === kAppendTooLarge) {
      this.dropped('too_large', 1, { eventId: id, message: `event over maxEventBytes (${this.cfg.maxEventBytes})` });
      return '';
    }
    if (n === kAppendFailed) {
      this.fail(new Error('gamelake: the queue refused an event (disk full or closed?)'));
      return '';
    }
    this.afterAppend(queue, now);
    return id;
  }

  private eventJson(id: string, name: string, props: Properties, now: number): string {
    // A property JSON.stringify would write (not undefined) that the SDK also sets; looked
    // up by name rather than by walking the keys, which is cheaper for the usual few props.
    const special = props.event_id !== undefined || props.event_type !== undefined || props.ts !== undefined ||
      props.session_id !== undefined || props.player_id !== undefined || props.platform !== undefined ||
      props.app_version !== undefined || props.sdk_version !== undefined;
    const ts = this.isoTs(now);
    if (!special) {
      // An object: "{...}" (a toJSON returning else is refused below); undefined when
      // toJSON returns undefined, whatever the lib's types say.
      const body = JSON.stringify(props) as string | undefined;
      if (body === undefined || body.charCodeAt(0) !== 0x7b) return '';
      const head = `{"event_id":"${id}","event_type":"${name}","ts":"${ts}","session_id":"${this.sessionId}"` +
        this.playerPart + this.staticPart;
      return body === '{}' ? head + '}' : head + ',' + body.slice(1);
    }
    const event: Properties = { event_id: id, event_type: name, ts, session_id: this.sessionId };
    if (this.playerPart !== '') event['player_id'] = JSON.parse(this.playerPart.slice(',"player_id":'.length));
    if (this.cfg.platform) event['platform'] = this.cfg.platform;
    if (this.cfg.appVersion) event['app_version'] = this.cfg.appVersion;
    event['sdk_version'] = kSdkVersion;
    for (const k of Object.keys(props)) {
      if (kIgnored.has(k)) this.log(`property "${k}" is set by the SDK; ignored`);
      else if (props[k] !== undefined) event[k] = props[k];
    }
    return JSON.stringify(event);
  }

  private afterAppend(q: Queue, now: number): void {
    const full = q.pendingEvents() >= this.batchLimit || q.pendingBytes() >= this.cfg.maxBatchBytes;
    this.schedule(full ? 0 : this.cfg.flushIntervalMs, now);
    if (this.syncTimer === null) {
      this.syncTimer = this.clock.setTimeout(() => {
        this.syncTimer = null;
        this.queue?.sync();
      }, this.cfg.syncIntervalMs);
    }
  }

  // ---- sending ------------------------------------------------------------------------

  private schedule(delayMs: number, now = this.clock.nowMs()): void {
    if (this.sending || this.closed) return;
    const due = now + delayMs;
    if (this.timer !== null) {
      if (this.timerDue <= due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.sendLoop();
    }, delayMs);
  }

  /** Whether another batch should go out now, beyond `inFlight` events already sent. */
  private wantsBatch(q: Queue, inFlight: number): boolean {
    const waiting = q.pendingEvents() - inFlight;
    if (waiting <= 0) return false;
    return this.flushRequested || waiting >= this.batchLimit || q.pendingBytes() >= this.cfg.maxBatchBytes;
  }

  /**
   * Sends the queue's head, up to kPipeline batches in flight (the server's fsync of one
   * overlaps the next); answers are applied in order, and when one is not fully done
   * (retry, halving) the later ones are disregarded and resent from the cursor.
   */
  private async sendLoop(): Promise<void> {
    if (this.sending || this.closed || this.queue === null) return;
    this.sending = true;
    const q = this.queue;
    const inFlight: Array<{ batch: Batch; answer: Promise<RawAnswer> }> = [];
    try {
      while (!this.isClosed() && !this.optedOut && q.pendingEvents() > 0) {
        const wait = this.retryAt - this.clock.nowMs();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        let sent = inFlight.reduce((n, f) => n + f.batch.records.length, 0);
        while (inFlight.length < kPipeline && (inFlight.length === 0 || this.wantsBatch(q, sent))) {
          const batch = await q.readBatch(this.batchLimit, this.cfg.maxBatchBytes, inFlight[inFlight.length - 1]?.batch);
          if (this.isClosed() || batch.records.length === 0) {
            if (inFlight.length === 0) await q.ack(batch, 0); // only damage was left: pass over it
            break;
          }
          inFlight.push({ batch, answer: this.post(batch) });
          sent += batch.records.length;
        }
        const head = inFlight.shift();
        if (head === undefined) break;
        const done = await this.handleAnswer(q, head.batch, await head.answer);
        if (!done) inFlight.length = 0; // resent from the cursor; the server keeps one copy
        if (q.pendingEvents() === 0) this.resolveWaiters(true);
        if (inFlight.length === 0 && !this.wantsBatch(q, 0) && this.retryAt <= this.clock.nowMs()) break;
      }
    } catch (e) {
      this.fail(e as Error);
      this.retryAt = this.clock.nowMs() + this.cfg.retryBaseMs;
    } finally {
      this.sending = false;
    }
    if (q.pendingEvents() === 0) {
      this.flushRequested = false;
      this.resolveWaiters(true);
    } else if (!this.isClosed()) {
      this.schedule(this.flushRequested ? Math.max(0, this.retryAt - this.clock.nowMs()) : this.cfg.flushIntervalMs);
    }
  }

  /**
   * `closed`, read through a call in async code: shutdown may set it during an await,
   * which TypeScript's narrowing of `this.closed` does not see.
   */
  private isClosed(): boolean { return this.closed; }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { this.clock.clearTimeout(t); this.wake = null; resolve(); };
    });
  }

  private headers(gzip: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'Authorization': `Bearer ${this.cfg.apiKey}`,
      'Content-Type': 'application/x-ndjson',
    };
    if (gzip) h['Content-Encoding'] = 'gzip';
    return h;
  }

  /** POSTs one batch; never rejects (a network error is status 0). */
  private async post(batch: Batch): Promise<RawAnswer> {
    const body = joinLines(batch);
    const gzip = this.cfg.gzip && body.length > kGzipOver;
    try {
      const payload = gzip ? await this.platform.gzip(body) : body;
      const res = await fetch(this.url, {
        method: 'POST', headers: this.headers(gzip), body: payload as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(this.cfg.requestTimeoutMs),
      });
      const text = await res.text();
      this.log(`POST ${batch.records.length} events (${body.length} bytes${gzip ? ', gzip' : ''}): ${res.status}`);
      return { status: res.status, text, retryAfter: res.headers.get('Retry-After'), error: '' };
    } catch (e) {
      return { status: 0, text: '', retryAfter: null, ...describeFetchError(e) };
    }
  }

  /** Applies a batch's answer; true when the whole batch is done (acknowledged or dropped). */
  private async handleAnswer(q: Queue, batch: Batch, raw: RawAnswer): Promise<boolean> {
    const { status, retryAfter } = raw;
    if (status === 0 && raw.tls === true) {
      // A certificate the runtime does not trust needs a human: reported once per run of
      // such failures; nothing is dropped and sending goes on being retried.
      const message = `gamelake: TLS error talking to ${this.cfg.baseUrl}: ${raw.error}; events are kept and retried`;
      if (message !== this.lastTlsError) this.fail(new Error(message));
      this.lastTlsError = message;
      this.retryLater(0, `TLS error: ${raw.error}`);
      return false;
    }
    if (status === 0) {
      this.retryLater(0, `network error: ${raw.error}`);
      return false;
    }
    this.lastTlsError = '';
    const answer = parseAnswer(raw.text);
    if (status === 200 || (status === 400 && Array.isArray(answer.errors))) {
      return this.applyResults(q, batch, answer.errors ?? []);
    }
    if (status === 413 || (status === 400 && answer.error === 'malformed_body')) {
      return this.halve(q, batch, answer.error ?? `http_${status}`, answer.message ?? '');
    }
    if (status === 408 || status === 429 || status >= 500) {
      this.retryLater(parseRetryAfter(retryAfter, this.clock.nowMs()), `HTTP ${status}`);
      return false;
    }
    // 401/403 (a wrong key), a bad stream name, ...: keep everything, report, retry slowly.
    this.fail(new Error(`gamelake: HTTP ${status} ${answer.error ?? ''} ${answer.message ?? ''}`.trim()));
    this.retryAt = this.clock.nowMs() + Math.max(this.cfg.retryMaxMs, parseRetryAfter(retryAfter, this.clock.nowMs()));
    return false;
  }

  private async applyResults(q: Queue, batch: Batch, errors: RecordError[]): Promise<boolean> {
    let firstRetry = batch.records.length;
    for (const e of errors) if (e.code === 'log_unavailable') firstRetry = Math.min(firstRetry, e.index);
    for (const e of errors) {
      if (e.code === 'log_unavailable' || e.index >= firstRetry || e.index < 0) continue;
      const rec = batch.records[e.index];
      this.dropped('invalid', 1, { code: e.code, message: e.message, eventId: rec ? eventIdOf(rec.payload) : '' });
    }
    await q.ack(batch, firstRetry);
    q.sync();
    if (firstRetry < batch.records.length) {
      this.retryLater(0, 'log_unavailable');
      return false;
    }
    this.attempt = 0;
    this.batchLimit = Math.min(this.batchCeiling, this.batchLimit * 2);
    return true;
  }

  private async halve(q: Queue, batch: Batch, code: string, message: string): Promise<boolean> {
    if (batch.records.length > 1) {
      this.batchCeiling = Math.max(1, Math.min(this.batchCeiling, batch.records.length - 1));
      this.batchLimit = Math.max(1, Math.floor(batch.records.length / 2));
      this.log(`${code}: halving the batch to ${this.batchLimit}`);
      return false;
    }
    const rec = batch.records[0];
    this.dropped('invalid', 1, { code, message, eventId: rec ? eventIdOf(rec.payload) : '' });
    await q.ack(batch, 1);
    return true;
  }

  private retryLater(retryAfterMs: number, why: string): void {
    const delay = retryDelayMs(this.attempt, this.cfg.retryBaseMs, this.cfg.retryMaxMs, retryAfterMs);
    this.attempt++;
    this.retryAt = this.clock.nowMs() + delay;
    this.log(`${why}; retrying in ${delay} ms`);
  }

  // ---- reporting ----------------------------------------------------------------------

  private resolveWaiters(drained: boolean): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve(drained);
  }

  private clearTimers(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.syncTimer !== null) this.clock.clearTimeout(this.syncTimer);
    this.timer = null;
    this.syncTimer = null;
  }

  private dropped(reason: DropReason, count: number, detail: DropDetail): void {
    this.log(`dropped ${count} (${reason}) ${JSON.stringify(detail)}`);
    try {
      this.cfg.onDropped?.(reason, count, detail);
    } catch { /* the game's callback must not break the SDK */ }
  }

  private fail(e: Error): void {
    this.log(e.message);
    try {
      this.cfg.onError?.(e);
    } catch { /* as above */ }
  }

  private log(line: string): void {
    if (!this.debugOn) return;
    try {
      (this.cfg.log ?? ((l: string) => console.log(l)))(`[gamelake] ${line}`);
    } catch { /* as above */ }
  }
}

function joinLines(batch: Batch): Uint8Array {
  let size = 0;
  for (const r of batch.records) size += r.payload.length + 1;
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of batch.records) {
    out.set(r.payload, at);
    at += r.payload.length;
    out[at++] = 0x0a;
  }
  return out;
}

interface Answer { error?: string; message?: string; errors?: RecordError[]; }

function parseAnswer(text: string): Answer {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}

const kDecoder = new TextDecoder();

/** The event_id of a payload the SDK wrote (its first field), for reports. */
export function eventIdOf(payload: Uint8Array): string {
  const m = /"event_id":"([^"]*)"/.exec(kDecoder.decode(payload.subarray(0, 200)));
  return m?.[1] ?? '';
}
