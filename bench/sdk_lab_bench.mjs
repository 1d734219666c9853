// The game SDKs against the lab's PutData.cs way, measured the same way: bytes on the
// wire per event (both directions, counted by a TCP proxy in front of the real server)
// and events/s from start to everything acknowledged, for the lab's DataPoint.
//
//   node bench/sdk_lab_bench.mjs --gamelake build/gamelake [--count 100000] [--runs 3] \
//     [--sdk 'cpp=build/sdk/cpp/gamelake_sdk_driver'] [--sdk 'csharp=mono build/sdk/unity/Driver.exe'] \
//     [--sdk 'js=node sdk/js/dist/test/driver.js']
//
// "lab 1×": one POST of one DataPoint at a time, as PutData.cs does per death or escape
// (a kept-alive connection, UnityWebRequest's headers); "lab 8×": eight such POSTs in
// flight. Each SDK runs its conformance driver with --shape lab: Track N DataPoints as
// fast as it can, then flush and wait until the server acknowledged all of them.
// Prints a Markdown table of medians over the runs.

import net from "node:net";
import http from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGamelake } from "../sdk/testing/gamelake_server.mjs";

function args() {
  const a = process.argv.slice(2);
  const get = (n, d) => (a.includes(n) ? a[a.indexOf(n) + 1] : d);
  const sdks = [];
  a.forEach((v, i) => {
    if (v === "--sdk") {
      const [name, cmd] = a[i + 1].split(/=(.*)/s);
      sdks.push({ name, cmd: cmd.split(" ") });
    }
  });
  return { gamelake: get("--gamelake", "build/gamelake"), count: Number(get("--count", "100000")), runs: Number(get("--runs", "3")), sdks };
}

// A TCP proxy on 127.0.0.1 that counts the bytes each way.
async function countingProxy(targetPort) {
  const counts = { up: 0, down: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    // No Nagle on either leg, or a large body's last segment waits for a delayed ACK.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (d) => {
      counts.up += d.length;
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      counts.down += d.length;
      client.write(d);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { port: server.address().port, counts, reset: () => ((counts.up = 0), (counts.down = 0)), close: () => server.close() };
}

export function dataPoint(i) {
  return { PlayerID: i % 10000, "Time Played": (i * 7919) % 100000, Wins: i % 5, Losses: i % 50, CaughtAt: 1 + (i % 6), CaughtBy: 1 + ((i * 7) % 6) };
}

// PutData.cs: UnityWebRequest.Post with a raw JSON body and Content-Type application/json.
function labPost(agent, port, key, i) {
  const body = JSON.stringify(dataPoint(i));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/events",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "UnityPlayer/2021.3.16f1 (UnityWebRequest/1.0, libcurl/7.84.0-DEV)",
          accept: "*/*",
          "accept-encoding": "deflate, gzip",
          "x-unity-version": "2021.3.16f1",
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function runLab(server, proxy, n, inFlight) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  proxy.reset();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) await labPost(agent, proxy.port, server.ingestKey, next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const s = (performance.now() - t0) / 1000;
  agent.destroy();
  return { eps: n / s, bytes: (proxy.counts.up + proxy.counts.down) / n, up: proxy.counts.up / n };
}

function runSdk(sdk, server, proxy, n) {
  const queue = mkdtempSync(join(tmpdir(), `gl-bench-${sdk.name}-`));
  proxy.reset();
  const t0 = performance.now();
  const child = spawn(
    sdk.cmd[0],
    [...sdk.cmd.slice(1), "--url", `http://127.0.0.1:${proxy.port}`, "--key", server.ingestKey, "--stream", "events",
      "--queue-dir", queue, "--count", String(n), "--shape", "lab", "--flush-interval-ms", "200",
      // A burst of N events must not meet the queue's cap (that would drop, not send).
      "--max-queue-events", String(10 * n), "--max-queue-bytes", String(1 << 30)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      const s = (performance.now() - t0) / 1000;
      rmSync(queue, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${sdk.name} driver exited ${code}: ${out}`));
      const summary = JSON.parse(out.trim().split("\n").pop());
      if (summary.queue_full || summary.invalid) return reject(new Error(`${sdk.name} dropped events: ${out}`));
      resolve({ eps: n / s, bytes: (proxy.counts.up + proxy.counts.down) / n, up: proxy.counts.up / n });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const opt = args();
  const server = await startGamelake({ binary: opt.gamelake });
  const proxy = await countingProxy(server.port);
  const rows = new Map();
  const add = (name, r) => rows.set(name, [...(rows.get(name) ?? []), r]);
  const labN = Math.min(opt.count, 20000);
  try {
    for (let run = 0; run < opt.runs; run++) {
      add("lab PutData.cs way, 1 in flight", await runLab(server, proxy, labN, 1));
      add("lab PutData.cs way, 8 in flight", await runLab(server, proxy, labN, 8));
      for (const sdk of opt.sdks) add(`${sdk.name} SDK`, await runSdk(sdk, server, proxy, opt.count));
    }
  } finally {
    proxy.close();
    server.stop();
  }
  const base = median(rows.get("lab PutData.cs way, 1 in flight").map((r) => r.bytes));
  console.log(`| way | events/s (median of ${opt.runs}) | bytes on the wire per event (up+down) | of which up | vs the lab's bytes |`);
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [name, rs] of rows) {
    const b = median(rs.map((r) => r.bytes));
    const vs = name.startsWith("lab ") ? "baseline" : `${(base / b).toFixed(1)}× less`;
    console.log(`| ${name} | ${Math.round(median(rs.map((r) => r.eps))).toLocaleString("en")} | ${b.toFixed(1)} | ${median(rs.map((r) => r.up)).toFixed(1)} | ${vs} |`);
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
