// Node's platform: the file queue, zlib gzip (on libuv's pool, off the JS thread),
// no page lifecycle. Stateless; shared by every Client in the process.

import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FileQueue } from './file_queue.js';
import type { Platform } from './platform.js';

export const nodePlatform: Platform = {
  defaultPlatform: os.platform(),
  defaultQueueDir: path.join(process.cwd(), 'gamelake-queue'),
  openQueue: (config, events) => new FileQueue(config.queueDir, config, events),
  gzip: (body) => new Promise((resolve, reject) => {
    zlib.gzip(body, { level: 6 }, (err, out) => (err ? reject(err) : resolve(out)));
  }),
};
