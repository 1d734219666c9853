// What differs between Node and the browser, behind one interface: the queue, gzip,
// and the page lifecycle. Implementations: platform_node.ts, platform_browser.ts.

import type { ResolvedConfig } from './config.js';
import type { Queue, QueueEvents } from './queue.js';

export interface LifecycleHooks {
  /** The app goes to the background or is leaving: send what is queued. */
  pause(): void;
  resume(): void;
  /** The app is leaving for good (a page unloaded, not kept in the back/forward cache). */
  quit(): void;
}

export interface Platform {
  readonly defaultPlatform: string;
  readonly defaultQueueDir: string;
  openQueue(config: ResolvedConfig, events: QueueEvents): Queue;
  gzip(body: Uint8Array): Promise<Uint8Array>;
  /** Installs page-lifecycle listeners; returns their removal. */
  install?(hooks: LifecycleHooks): () => void;
  /** Sends what is queued now, in a way that outlives the page (fetch keepalive). */
  urgentSend?(queue: Queue, config: ResolvedConfig, headers: Record<string, string>, url: string): void;
}
