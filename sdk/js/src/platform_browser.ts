// The browser's platform: the IndexedDB queue, CompressionStream gzip, and the page
// lifecycle: on visibilitychange (hidden) and pagehide, what is queued is sent with
// fetch keepalive (at most 64 KiB in flight, the browser's limit; uncompressed,
// since the page may not live to finish compressing). Main thread only.

import type { Platform } from './platform.js';
import { IdbQueue } from './idb_queue.js';

const kKeepaliveBudget = 60 * 1024; // under the 64 KiB limit, leaving room for headers
let keepaliveInFlight = 0;

async function gzip(body: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const browserPlatform: Platform = {
  defaultPlatform: 'web',
  defaultQueueDir: 'gamelake',
  openQueue: (config, events) => new IdbQueue(config.queueDir, config, events),
  gzip,
  install(hooks) {
    const onVisibility = (): void => {
      if (document.visibilityState === 'hidden') hooks.pause();
      else hooks.resume();
    };
    const onPageHide = (e: PageTransitionEvent): void => (e.persisted ? hooks.pause() : hooks.quit());
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
    };
  },
  urgentSend(queue, _config, headers, url) {
    if (!(queue instanceof IdbQueue)) return;
    const lines = queue.peekJson(kKeepaliveBudget - keepaliveInFlight);
    if (lines.length === 0) return;
    const body = lines.join('\n') + '\n';
    const size = new TextEncoder().encode(body).length;
    keepaliveInFlight += size;
    // The answer is not waited for: these events stay queued until the regular sender
    // has them acknowledged (on this page or the next load); the server keeps one copy.
    fetch(url, { method: 'POST', headers, body, keepalive: true, mode: 'cors' })
      .catch(() => undefined)
      .finally(() => { keepaliveInFlight -= size; });
  },
};
