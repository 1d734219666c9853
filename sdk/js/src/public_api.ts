// What both package entries (index_browser.ts, index_node.ts) export besides their Client.

export type { Config } from './config.js';
export type { Properties, TrackOptions } from './client.js';
export type { DropDetail, DropReason } from './queue.js';
export type { Clock } from './clock.js';
export { kSdkVersion } from './config.js';
export { uuidv7 } from './uuid.js';
