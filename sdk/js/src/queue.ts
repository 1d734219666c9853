// The queue interface the client sends from: a file queue in Node
// (file_queue.ts, sdk/queue_format.md) and IndexedDB in the browser
// (idb_queue.ts). Implementations are used from the JS thread only; `append` is
// synchronous (the event is in the queue when it returns), the rest async.

export type DropReason = 'queue_full' | 'invalid' | 'corrupt' | 'too_large';

export interface DropDetail {
  code?: string;
  message?: string;
  eventId?: string;
  segment?: string;
  offset?: number;
}

export interface QueueEvents {
  onDropped(reason: DropReason, count: number, detail: DropDetail): void;
  log(message: string): void;
}

export interface QueuedRecord {
  payload: Uint8Array;
  critical: boolean;
}

export interface Batch {
  records: QueuedRecord[];
  bytes: number;
  /** The queue's own bookkeeping for `ack`. */
  token: unknown;
}

export interface QueueLimits {
  maxQueueBytes: number;
  maxQueueEvents: number;
  maxCriticalBytes: number;
  maxEventBytes: number;
}

export const kAppendTooLarge = -1;
export const kAppendFailed = -2;

export interface Queue {
  /** Appends one event; returns its payload's byte length, kAppendTooLarge or kAppendFailed. */
  append(json: string, critical: boolean): number;
  /**
   * Up to maxEvents/maxBytes records (at least one if any is queued) from the head, or
   * right after `after`, a batch still in flight.
   */
  readBatch(maxEvents: number, maxBytes: number, after?: Batch): Promise<Batch>;
  /** The first `count` records of `batch` are done (acknowledged or dropped). */
  ack(batch: Batch, count: number): Promise<void>;
  pendingEvents(): number;
  pendingBytes(): number;
  /** Makes appended records durable (fdatasync) in the background. */
  sync(): void;
  /** Whether the user's opt-out is stored with the queue (survives restarts). */
  optedOut(): boolean;
  storeOptOut(on: boolean): void;
  /** Deletes everything queued (opt-out). */
  clear(): Promise<void>;
  close(): Promise<void>;
}
