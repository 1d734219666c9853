// The conformance driver (sdk/testing/README.md "The driver protocol"): tracks
// --count events with the Node client, drains, and prints one JSON line of counts.
// Run as `node sdk/js/dist/test/driver.js --url ... --key ... ...`. Single-threaded.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Client } from '../src/index_node.js';

interface Args {
  url: string; key: string; stream: string; queueDir: string; count: number; prefix: string;
  criticalEvery: number; maxQueueBytes?: number; maxQueueEvents?: number; maxCriticalBytes?: number;
  flushIntervalMs: number; retryBaseMs: number; retryMaxMs: number; requestTimeoutMs: number;
  tracked?: string; shape: string; noDrain: boolean; drainTimeoutMs: number; pad: number;
  caFile?: string; insecure: boolean;
}

const kNumeric: Record<string, keyof Args> = {
  '--count': 'count', '--critical-every': 'criticalEvery', '--max-queue-bytes': 'maxQueueBytes',
  '--max-queue-events': 'maxQueueEvents', '--max-critical-bytes': 'maxCriticalBytes',
  '--flush-interval-ms': 'flushIntervalMs', '--retry-base-ms': 'retryBaseMs', '--retry-max-ms': 'retryMaxMs',
  '--request-timeout-ms': 'requestTimeoutMs', '--drain-timeout-ms': 'drainTimeoutMs', '--pad': 'pad',
};
const kText: Record<string, keyof Args> = {
  '--url': 'url', '--key': 'key', '--stream': 'stream', '--queue-dir': 'queueDir', '--prefix': 'prefix',
  '--tracked': 'tracked', '--shape': 'shape', '--ca-file': 'caFile',
};

function usage(why: string): never {
  process.stderr.write(`driver: ${why}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Record<string, unknown> = {
    stream: 'events', prefix: '', criticalEvery: 0, flushIntervalMs: 100, retryBaseMs: 20, retryMaxMs: 500,
    requestTimeoutMs: 5000, shape: 'test', noDrain: false, drainTimeoutMs: 60000, pad: 0, insecure: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    if (flag === '--no-drain') { a['noDrain'] = true; continue; }
    if (flag === '--insecure') { a['insecure'] = true; continue; }
    const value = argv[++i];
    if (value === undefined) usage(`${flag} needs a value`);
    if (kNumeric[flag]) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) usage(`${flag} wants a non-negative integer`);
      a[kNumeric[flag]] = n;
    } else if (kText[flag]) {
      a[kText[flag]] = value;
    } else {
      usage(`unknown argument ${flag}`);
    }
  }
  if (a['shape'] !== 'test' && a['shape'] !== 'lab') usage('--shape is lab (or absent)');
  for (const need of ['url', 'key', 'queueDir', 'count']) if (a[need] === undefined) usage(`--${need} is required`);
  return a as unknown as Args;
}

// Events are tracked the way a game does, in frames: kFrameEvents, then the rest of a
// 16 ms frame for the sender (so a kill -9 lands while tracking as well as while
// sending). --shape lab is the wire benchmark: as fast as it can, yielding only.
const kFrameEvents = 100;
const kFrameMs = 16;

function nextFrame(flat: boolean): Promise<void> {
  return new Promise((r) => (flat ? setImmediate(r) : setTimeout(r, kFrameMs)));
}

function testEvent(i: number, prefix: string, pad: string): [string, Record<string, unknown>] {
  const props: Record<string, unknown> = { seq: i, prefix };
  if (pad !== '') props['pad'] = pad;
  return ['test_event', props];
}

/** The lab's DataPoint (sdk/testing/README.md, --shape lab). */
function labEvent(i: number): [string, Record<string, unknown>] {
  return [i % 10 === 0 ? 'escape' : 'death', {
    'PlayerID': i % 10000, 'Time Played': (i * 7919) % 100000, 'Wins': i % 5, 'Losses': i % 50,
    'CaughtAt': 1 + (i % 6), 'CaughtBy': 1 + ((i * 7) % 6),
  }];
}

/**
 * In Node the runtime owns the CAs (sdk/js/README.md, "HTTPS"): --ca-file is
 * NODE_EXTRA_CA_CERTS, which Node reads only at start, so the driver runs itself again
 * with it set (and passes on the exit code); --insecure is NODE_TLS_REJECT_UNAUTHORIZED=0
 * (tests only), which Node reads per connection.
 */
function runWithCaFile(caFile: string): void {
  if (process.env['NODE_EXTRA_CA_CERTS'] === caFile) return;
  const r = spawnSync(process.execPath, process.argv.slice(1), {
    stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  process.exit(r.status ?? 1);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.caFile !== undefined) runWithCaFile(args.caFile);
  if (args.insecure) process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  const counts = { queue_full: 0, invalid: 0, corrupt_bytes: 0, corrupt_reports: 0, errors: 0 };
  const client = new Client({
    baseUrl: args.url, apiKey: args.key, stream: args.stream, queueDir: args.queueDir,
    maxQueueBytes: args.maxQueueBytes, maxQueueEvents: args.maxQueueEvents, maxCriticalBytes: args.maxCriticalBytes,
    flushIntervalMs: args.flushIntervalMs, retryBaseMs: args.retryBaseMs, retryMaxMs: args.retryMaxMs,
    requestTimeoutMs: args.requestTimeoutMs, debug: process.env['GAMELAKE_DEBUG'] === '1',
    log: (line) => process.stderr.write(line + '\n'),
    onError: (e) => { counts.errors++; process.stderr.write(`error: ${e.message}\n`); },
    onDropped: (reason, count) => {
      if (reason === 'queue_full') counts.queue_full += count;
      else if (reason === 'invalid') counts.invalid += count;
      else if (reason === 'corrupt') { counts.corrupt_bytes += count; counts.corrupt_reports++; }
    },
  });
  const trackedFd = args.tracked ? fs.openSync(args.tracked, 'a') : -1;
  const pad = 'x'.repeat(args.pad);
  let tracked = 0;
  for (let i = 0; i < args.count; i++) {
    const critical = args.criticalEvery > 0 && i % args.criticalEvery === 0;
    const [name, props] = args.shape === 'lab' ? labEvent(i) : testEvent(i, args.prefix, pad);
    const id = client.track(name, props, { critical });
    if (id === '') continue;
    tracked++;
    if (trackedFd >= 0) fs.writeSync(trackedFd, `${id} ${critical ? 'c' : 'o'}\n`);
    if (i % kFrameEvents === kFrameEvents - 1) await nextFrame(args.shape === 'lab');
  }
  let drained = true;
  if (args.noDrain) {
    await client.shutdown(0);
  } else {
    client.endSession(); // its session_end is drained with the rest, not left for shutdown
    drained = await client.flushAndWait(args.drainTimeoutMs);
    await client.shutdown(0);
  }
  const out = { tracked, pending: client.pendingEvents(), ...counts };
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(args.noDrain || drained ? 0 : 3));
}

void main();
