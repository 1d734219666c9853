// The TypeScript SDK's numbers (docs/benchmarks.md, issue 14): Track's latency on the
// calling thread (median and p99 over 1M calls, ns), heap growth over 1M calls, and the
// throughput of one Node client to a local gamelake (events/s from the first Track to
// everything acknowledged). Build first: `npm run build` in sdk/js.
//
//   node --expose-gc bench/sdk_js_bench.mjs --gamelake build/gamelake [--calls 1000000] [--events 300000] [--runs 3]

import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../sdk/js/dist/src/index_node.js";
import { startGamelake } from "../sdk/testing/gamelake_server.mjs";

function args() {
  const a = process.argv.slice(2);
  const get = (n, d) => (a.includes(n) ? a[a.indexOf(n) + 1] : d);
  return {
    gamelake: get("--gamelake", process.env.GAMELAKE_BINARY ?? "build/gamelake"),
    calls: Number(get("--calls", "1000000")),
    events: Number(get("--events", "300000")),
    runs: Number(get("--runs", "3")),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gc = () => globalThis.gc?.();

function dataPoint(i) {
  return { PlayerID: i % 10000, "Time Played": (i * 7919) % 100000, Wins: i % 5, Losses: i % 50, CaughtAt: "Kitchen", CaughtBy: "Ghost" };
}

// Track's latency with nothing listening (the sender backs off): the queue fills to its cap
// and evicts, as a game offline would.
async function trackLatency(calls) {
  const dir = mkdtempSync(join(tmpdir(), "sdkjs-bench-"));
  const client = new Client({ baseUrl: "http://127.0.0.1:9", apiKey: "k.s", queueDir: dir, retryBaseMs: 60000 });
  const props = dataPoint(1);
  for (let i = 0; i < 20000; i++) client.track("warmup", props);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    props.PlayerID = i % 10000;
    const t0 = process.hrtime.bigint();
    client.track("death", props);
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  await client.shutdown(0);
  rmSync(dir, { recursive: true, force: true });
  const sorted = Float64Array.from(ns).sort();
  return {
    medianNs: sorted[Math.floor(calls / 2)],
    p99Ns: sorted[Math.floor(calls * 0.99)],
    heapGrowthKiB: Math.round((heapAfter - heapBefore) / 1024),
  };
}

// The floor under Track in Node: one bare fs.writeSync of a record-sized buffer, which
// Track must make (docs/sdk.md: the event survives kill -9 once Track returns).
function writeSyncFloor(calls) {
  const dir = mkdtempSync(join(tmpdir(), "sdkjs-bench-"));
  const fd = openSync(join(dir, "floor"), "a");
  const buf = Buffer.alloc(250, 0x61);
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    writeSync(fd, buf, 0, 250);
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return ns.sort()[Math.floor(calls / 2)];
}

async function throughput(server, events) {
  const dir = mkdtempSync(join(tmpdir(), "sdkjs-bench-"));
  const client = new Client({ baseUrl: server.url, apiKey: server.ingestKey, queueDir: dir, flushIntervalMs: 50 });
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    client.track("death", dataPoint(i));
    if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
  }
  const drained = await client.flushAndWait(120000);
  const s = (performance.now() - t0) / 1000;
  await client.shutdown(0);
  rmSync(dir, { recursive: true, force: true });
  if (!drained) throw new Error("not drained in 120 s");
  return events / s;
}

async function main() {
  const a = args();
  if (!globalThis.gc) console.error("(run with node --expose-gc for a meaningful heap number)");
  const lat = [];
  for (let r = 0; r < a.runs; r++) lat.push(await trackLatency(a.calls));
  const floor = [];
  for (let r = 0; r < a.runs; r++) floor.push(writeSyncFloor(a.calls));
  console.log(`writeSync floor: median ${median(floor)} ns (one bare 250-byte fs.writeSync, runs: ${floor.join(", ")})`);
  console.log(`track: median ${median(lat.map((l) => l.medianNs))} ns, p99 ${median(lat.map((l) => l.p99Ns))} ns ` +
    `over ${a.calls} calls; heap growth ${median(lat.map((l) => l.heapGrowthKiB))} KiB (runs: ${JSON.stringify(lat)})`);
  const server = await startGamelake({ binary: a.gamelake });
  try {
    const eps = [];
    for (let r = 0; r < a.runs; r++) eps.push(await throughput(server, a.events));
    console.log(`throughput: median ${Math.round(median(eps))} events/s, one client, ${a.events} events ` +
      `(runs: ${eps.map((e) => Math.round(e)).join(", ")})`);
  } finally {
    server.stop();
  }
}

await main();
