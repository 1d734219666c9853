// The SDK's configuration (docs/sdk.md "Configuration"), its defaults and checks.
// Plain data; resolved once when a Client is made.

import type { Clock } from './clock.js';
import type { DropDetail, DropReason } from './queue.js';

export const kSdkVersion = 'js/0.1.0';

export interface Config {
  baseUrl: string;
  apiKey: string;
  stream?: string;
  /** Node: the queue's folder (default `./gamelake-queue`). Browser: the IndexedDB database name (default `gamelake`). */
  queueDir?: string;
  appVersion?: string;
  platform?: string;
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  flushIntervalMs?: number;
  gzip?: boolean;
  maxQueueBytes?: number;
  maxQueueEvents?: number;
  maxCriticalBytes?: number;
  maxEventBytes?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  sessionTimeoutMs?: number;
  syncIntervalMs?: number;
  debug?: boolean;
  /** Browser: send on visibilitychange/pagehide (default true). */
  lifecycle?: boolean;
  onDropped?: (reason: DropReason, count: number, detail: DropDetail) => void;
  onError?: (error: Error) => void;
  log?: (line: string) => void;
  /** Tests: time and timers. */
  clock?: Clock;
}

export type ResolvedConfig = Required<Omit<Config, 'onDropped' | 'onError' | 'log' | 'clock'>> &
  Pick<Config, 'onDropped' | 'onError' | 'log' | 'clock'>;

const kMiB = 1024 * 1024;

/** Defaults filled in; `c` comes from JS games too, so even its required fields may be missing. */
export function resolveConfig(c: Partial<Config>, defaultPlatform: string, defaultQueueDir: string): ResolvedConfig {
  const r: ResolvedConfig = {
    baseUrl: (c.baseUrl ?? '').replace(/\/+$/, ''),
    apiKey: c.apiKey ?? '',
    stream: c.stream ?? 'events',
    queueDir: c.queueDir ?? defaultQueueDir,
    appVersion: c.appVersion ?? '',
    platform: c.platform ?? defaultPlatform,
    maxBatchEvents: c.maxBatchEvents ?? 500,
    maxBatchBytes: c.maxBatchBytes ?? kMiB,
    flushIntervalMs: c.flushIntervalMs ?? 2000,
    gzip: c.gzip ?? true,
    maxQueueBytes: c.maxQueueBytes ?? 16 * kMiB,
    maxQueueEvents: c.maxQueueEvents ?? 100_000,
    maxCriticalBytes: c.maxCriticalBytes ?? 4 * kMiB,
    maxEventBytes: Math.min(c.maxEventBytes ?? 65_536, 1000 * 1024),
    retryBaseMs: c.retryBaseMs ?? 500,
    retryMaxMs: c.retryMaxMs ?? 60_000,
    requestTimeoutMs: c.requestTimeoutMs ?? 30_000,
    sessionTimeoutMs: c.sessionTimeoutMs ?? 300_000,
    syncIntervalMs: c.syncIntervalMs ?? 1000,
    debug: c.debug ?? false,
    lifecycle: c.lifecycle ?? true,
    onDropped: c.onDropped,
    onError: c.onError,
    log: c.log,
    clock: c.clock,
  };
  r.maxBatchEvents = Math.max(1, Math.floor(r.maxBatchEvents));
  r.maxBatchBytes = Math.max(1024, Math.floor(r.maxBatchBytes));
  return r;
}

/** Why a config cannot work, or '' when it can. */
export function configProblem(c: ResolvedConfig): string {
  if (!/^https?:\/\/./.test(c.baseUrl)) return 'baseUrl must be an http(s) URL';
  if (c.apiKey === '') return 'apiKey is required (an ingest key)';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(c.stream) || c.stream.startsWith('_')) return `bad stream name "${c.stream}"`;
  return '';
}
