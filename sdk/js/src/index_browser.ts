// The package's browser entry: Client with the IndexedDB queue and the page
// lifecycle (visibilitychange / pagehide send with fetch keepalive).

import { Client as CoreClient } from './client.js';
import type { Config } from './config.js';
import { IdbQueue } from './idb_queue.js';
import { browserPlatform } from './platform_browser.js';

export * from './public_api.js';

/** A gamelake client for web games; the queue is the IndexedDB database `queueDir`. */
export class Client extends CoreClient {
  constructor(config: Config) {
    super(config, browserPlatform);
  }

  /** Resolves once events queued by earlier page loads are loaded (they are sent either way). */
  ready(): Promise<void> {
    const q = this.queue;
    return q instanceof IdbQueue ? q.ready().then(() => undefined) : Promise.resolve();
  }
}
