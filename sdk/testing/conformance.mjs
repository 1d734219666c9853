// The SDK conformance suite (docs/sdk.md, "Testing"): runs one SDK's driver
// (README.md here) against the real gamelake binary on 127.0.0.1 through five
// scenarios and checks the lake by event_id. Exits 0 when every check holds.
//
//   node conformance.mjs --gamelake build/gamelake --name cpp [--scenario faults,kill] \
//        [--seed N] -- <driver command...>
//
// Bounded: every driver run has a deadline, and the whole suite stops itself after
// kSuiteDeadlineMs.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { startGamelake, makeTestCerts } from "./gamelake_server.mjs";
import { startFaultProxy, seededRandom, kFaults } from "./fault_proxy.mjs";
import { segments, readSegment, flipPayloadByte, tearAt } from "./queue.mjs";

const kSuiteDeadlineMs = 280000;
const kUuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function parseArgs(argv) {
  const sep = argv.indexOf("--");
  if (sep < 0) throw new Error("usage: conformance.mjs --gamelake BIN --name NAME [--scenario a,b] [--seed N] -- DRIVER...");
  const own = argv.slice(0, sep);
  const get = (n, d) => (own.includes(n) ? own[own.indexOf(n) + 1] : d);
  return {
    gamelake: get("--gamelake"),
    name: get("--name", "sdk"),
    scenarios: get("--scenario", "faults,kill,cap,corrupt,tls").split(","),
    seed: Number(get("--seed", String(Date.now() % 100000))),
    driver: argv.slice(sep + 1),
  };
}

class Check {
  constructor(scenario) {
    this.scenario = scenario;
    this.failures = [];
  }
  that(ok, what) {
    if (!ok) this.failures.push(`${this.scenario}: ${what}`);
    return ok;
  }
}

// Runs the driver with args; resolves {code, signal, summary, stderr}. killAfterMs: SIGKILL then.
function runDriver(driver, args, { killAfterMs = 0, deadlineMs = 120000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(driver[0], [...driver.slice(1), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err = (err + c).slice(-8000)));
    const killer = killAfterMs > 0 ? setTimeout(() => child.kill("SIGKILL"), killAfterMs) : null;
    const deadline = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    child.on("exit", (code, signal) => {
      clearTimeout(deadline);
      if (killer) clearTimeout(killer);
      let summary = null;
      const line = out.trim().split("\n").filter(Boolean).pop();
      try {
        summary = line ? JSON.parse(line) : null;
      } catch {
        summary = null;
      }
      resolve({ code, signal, summary, stderr: err, stdout: out });
    });
  });
}

// The tracked file: one "<event_id> <c|o>" line per Track that returned. A kill may
// leave the last line cut short; such a line is ignored.
function readTracked(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([id, kind]) => kUuidV7.test(id ?? "") && (kind === "c" || kind === "o"))
    .map(([id, kind]) => ({ id, critical: kind === "c" }));
}

function commonArgs(url, server, queueDir, tracked, prefix) {
  return ["--url", url, "--key", server.ingestKey, "--stream", "sdk", "--queue-dir", queueDir, "--tracked", tracked, "--prefix", prefix];
}

function checkDriverRun(check, run, what) {
  if (!check.that(run.code === 0 && run.summary !== null, `${what}: driver exited ${run.code}/${run.signal}, summary ${JSON.stringify(run.summary)}\n${run.stderr}`)) {
    return false;
  }
  return check.that(run.summary.pending === 0, `${what}: ${run.summary.pending} events still pending`);
}

// Every tracked id in the lake exactly once; no id in the lake twice.
function checkExactlyOnce(check, tracked, counts, allowMissing = new Set()) {
  let missing = 0;
  for (const t of tracked) if ((counts.get(t.id) ?? 0) === 0 && !allowMissing.has(t.id)) missing++;
  // Any id twice, tracked or not (session events, or one whose tracked line a kill cut).
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  check.that(missing === 0, `${missing} of ${tracked.length} tracked events are not in the lake`);
  check.that(doubled === 0, `${doubled} events are in the lake more than once`);
  return { missing, doubled };
}

async function scenarioFaults(ctx, check) {
  // Every second ingest request fails, each kind of fault in turn.
  const proxy = await startFaultProxy({ target: ctx.server.url, every: 2, seed: ctx.seed });
  try {
    const args = commonArgs(proxy.url, ctx.server, ctx.dir("faults"), ctx.file("faults.tracked"), "faults");
    const run = await runDriver(ctx.driver, [...args, "--count", "10000", "--pad", "40"], { deadlineMs: 150000 });
    checkDriverRun(check, run, "10,000 events through the fault proxy");
    const tracked = readTracked(ctx.file("faults.tracked"));
    check.that(tracked.length === 10000, `${tracked.length} events tracked, expected 10000`);
    const counts = await ctx.server.countsById("sdk");
    const r = checkExactlyOnce(check, tracked, counts);
    const missed = kFaults.filter((f) => !proxy.counts[f]);
    check.that(missed.length === 0, `the SDK made too few requests to meet every fault: never ${missed.join(", ")}`);
    return `10000 events, faults injected ${JSON.stringify(proxy.counts)}, missing ${r.missing}, doubled ${r.doubled}`;
  } finally {
    proxy.close();
  }
}

// Six killed runs can leave 120,000 events queued, past the default cap of 100,000: the
// kill scenario checks that nothing is lost, so it lifts the cap (the cap has its own).
const kNoCap = ["--max-queue-events", "1000000", "--max-queue-bytes", "268435456"];

async function scenarioKill(ctx, check) {
  const proxy = await startFaultProxy({ target: ctx.server.url, rate: 0.2, seed: ctx.seed + 1 });
  const random = seededRandom(ctx.seed + 2);
  const queueDir = ctx.dir("kill");
  const trackedFile = ctx.file("kill.tracked");
  const args = commonArgs(proxy.url, ctx.server, queueDir, trackedFile, "kill");
  let killed = 0;
  try {
    for (let round = 0; round < 6; round++) {
      // 20,000 events take a fast SDK a few hundred ms to track and send: most kills land
      // while batches are in flight, some while it tracks or starts.
      const killAfterMs = 30 + Math.floor(random() * 700);
      const run = await runDriver(ctx.driver, [...args, ...kNoCap, "--count", "20000", "--pad", "40"], { killAfterMs });
      if (run.signal === "SIGKILL") killed++;
    }
    proxy.setRate(0);
    const drain = await runDriver(ctx.driver, [...args, ...kNoCap, "--count", "0"], { deadlineMs: 120000 });
    checkDriverRun(check, drain, "the drain after the kills");
    check.that(killed >= 3, `only ${killed} of 6 runs were killed (the driver ran too fast to be killed)`);
    const tracked = readTracked(trackedFile);
    const counts = await ctx.server.countsById("sdk");
    const r = checkExactlyOnce(check, tracked, counts);
    return `${killed} kill -9s, ${tracked.length} events tracked, missing ${r.missing}, doubled ${r.doubled}`;
  } finally {
    proxy.close();
  }
}

// A port nothing listens on: the SDK is offline.
async function closedPortUrl() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

async function scenarioCap(ctx, check) {
  const queueDir = ctx.dir("cap");
  const trackedFile = ctx.file("cap.tracked");
  const caps = ["--max-queue-bytes", "131072", "--max-critical-bytes", "1048576", "--critical-every", "10", "--pad", "300"];
  const offline = commonArgs(await closedPortUrl(), ctx.server, queueDir, trackedFile, "cap");
  const first = await runDriver(ctx.driver, [...offline, ...caps, "--count", "3000", "--no-drain"]);
  check.that(first.code === 0 && first.summary, `offline run exited ${first.code}: ${first.stderr}`);
  const dropped = first.summary?.queue_full ?? 0;
  check.that(dropped > 0, `the cap was hit but no event was reported dropped (${JSON.stringify(first.summary)})`);
  const online = commonArgs(ctx.server.url, ctx.server, queueDir, trackedFile, "cap");
  const drain = await runDriver(ctx.driver, [...online, ...caps, "--count", "0"]);
  checkDriverRun(check, drain, "the drain after the cap");
  const tracked = readTracked(trackedFile);
  const counts = await ctx.server.countsById("sdk");
  const critical = tracked.filter((t) => t.critical);
  const ordinary = tracked.filter((t) => !t.critical);
  const lostCritical = critical.filter((t) => (counts.get(t.id) ?? 0) !== 1).length;
  check.that(lostCritical === 0, `${lostCritical} of ${critical.length} critical events are not in the lake exactly once`);
  const deliveredIdx = [];
  const droppedIdx = [];
  ordinary.forEach((t, i) => ((counts.get(t.id) ?? 0) > 0 ? deliveredIdx : droppedIdx).push(i));
  check.that(droppedIdx.length === dropped, `${droppedIdx.length} ordinary events missing but ${dropped} reported dropped`);
  check.that(
    droppedIdx.length === 0 || deliveredIdx.length === 0 || Math.max(...droppedIdx) < Math.min(...deliveredIdx),
    "a newer ordinary event was dropped while an older one was kept",
  );
  check.that([...counts.values()].every((n) => n === 1), "an event is in the lake more than once");
  return `3000 tracked offline (${critical.length} critical), ${dropped} ordinary dropped at the cap, every critical one delivered`;
}

async function scenarioCorrupt(ctx, check) {
  const queueDir = ctx.dir("corrupt");
  const trackedFile = ctx.file("corrupt.tracked");
  const offline = commonArgs(await closedPortUrl(), ctx.server, queueDir, trackedFile, "corrupt");
  const first = await runDriver(ctx.driver, [...offline, "--count", "400", "--pad", "100", "--no-drain"]);
  check.that(first.code === 0, `offline run exited ${first.code}: ${first.stderr}`);
  const files = segments(queueDir);
  if (!check.that(files.length > 0, "the driver left no queue segment")) return "no segment";
  const tracked = readTracked(trackedFile);
  const ids = new Set(tracked.map((t) => t.id));
  // Damage a test event in the middle of the oldest segment and tear the newest at its last test event.
  const damaged = new Set();
  const oldest = readSegment(files[0]).records.filter((r) => ids.has(JSON.parse(r.payload).event_id));
  const newestFile = files[files.length - 1];
  const newest = readSegment(newestFile).records.filter((r) => ids.has(JSON.parse(r.payload).event_id));
  const flip = oldest[Math.floor(oldest.length / 2)];
  const tear = newest[newest.length - 1];
  if (!check.that(flip && tear && (files.length > 1 || flip.offset !== tear.offset), "too few records to damage")) return "";
  damaged.add(JSON.parse(flip.payload).event_id);
  damaged.add(JSON.parse(tear.payload).event_id);
  flipPayloadByte(files[0], flip);
  tearAt(newestFile, tear);
  const online = commonArgs(ctx.server.url, ctx.server, queueDir, trackedFile, "corrupt");
  const drain = await runDriver(ctx.driver, [...online, "--count", "0"]);
  checkDriverRun(check, drain, "the drain of the damaged queue");
  check.that((drain.summary?.corrupt_bytes ?? 0) > 0, `the damage was not reported (${JSON.stringify(drain.summary)})`);
  check.that((drain.summary?.corrupt_reports ?? 0) >= 2, `expected 2 damage reports, got ${drain.summary?.corrupt_reports}`);
  const counts = await ctx.server.countsById("sdk");
  for (const id of damaged) check.that(!counts.has(id), `damaged event ${id} was sent`);
  const r = checkExactlyOnce(check, tracked, counts, damaged);
  return `400 tracked, 2 records damaged (${drain.summary?.corrupt_bytes} bytes reported), the other ${tracked.length - 2}: missing ${r.missing}, doubled ${r.doubled}`;
}

// A driver run that must not deliver: it cannot trust the server's certificate.
function checkRefused(check, run, what, expectPending) {
  check.that(run.code === 3, `${what}: the driver exited ${run.code}/${run.signal}, expected 3 (drain timed out)\n${run.stderr}`);
  check.that((run.summary?.pending ?? 0) >= expectPending,
    `${what}: ${run.summary?.pending} events pending, expected at least ${expectPending} kept queued (${JSON.stringify(run.summary)})`);
  check.that((run.summary?.errors ?? 0) >= 1, `${what}: no error reported to the game (${JSON.stringify(run.summary)})`);
  check.that(/certificate|tls|ssl/i.test(run.stderr),
    `${what}: the error the driver printed does not name the certificate/TLS failure:\n${run.stderr}`);
}

// HTTPS (the server's own TLS, a test CA): without the CA, and trusting another CA, the
// SDK must refuse the server, report why and keep every event; with --ca-file it
// delivers them all exactly once; --insecure (tests only) delivers without a CA.
async function scenarioTls(ctx, check) {
  const queueDir = ctx.dir("tls");
  const trackedFile = ctx.file("tls.tracked");
  const args = commonArgs(ctx.server.url, ctx.server, queueDir, trackedFile, "tls");
  const refused = ["--count", "100", "--drain-timeout-ms", "1200"];
  const noCa = await runDriver(ctx.driver, [...args, ...refused]);
  checkRefused(check, noCa, "without --ca-file", 100);
  const otherCa = await runDriver(ctx.driver, [...args, ...refused, "--ca-file", ctx.certs.otherCa]);
  checkRefused(check, otherCa, "with another CA", 200);
  const tracked = readTracked(trackedFile);
  check.that(tracked.length === 200, `${tracked.length} events tracked, expected 200`);
  const before = await ctx.server.countsById("sdk");
  check.that(before.size === 0, `${before.size} events reached the lake over an untrusted certificate`);

  const trusted = await runDriver(ctx.driver, [...args, "--count", "100", "--ca-file", ctx.certs.ca]);
  checkDriverRun(check, trusted, "with --ca-file");
  const all = readTracked(trackedFile);
  check.that(all.length === 300, `${all.length} events tracked, expected 300`);
  const counts = await ctx.server.countsById("sdk");
  const r = checkExactlyOnce(check, all, counts);

  const insecureTracked = ctx.file("tls-insecure.tracked");
  const insecureArgs = commonArgs(ctx.server.url, ctx.server, ctx.dir("tls-insecure"), insecureTracked, "tls-insecure");
  const insecure = await runDriver(ctx.driver, [...insecureArgs, "--count", "50", "--insecure"]);
  checkDriverRun(check, insecure, "with --insecure");
  const insecureIds = readTracked(insecureTracked);
  check.that(insecureIds.length === 50, `${insecureIds.length} events tracked with --insecure, expected 50`);
  const after = await ctx.server.countsById("sdk");
  const ri = checkExactlyOnce(check, insecureIds, after);
  return `300 tracked over https: refused without the CA and with another (kept ${otherCa.summary?.pending ?? "?"} queued), ` +
    `then delivered with --ca-file (missing ${r.missing}, doubled ${r.doubled}); --insecure: 50, missing ${ri.missing}`;
}

const kScenarios = { faults: scenarioFaults, kill: scenarioKill, cap: scenarioCap, corrupt: scenarioCorrupt, tls: scenarioTls };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), `gl-sdk-${opts.name}-`));
  let failures = [];
  for (const name of opts.scenarios) {
    if (!kScenarios[name]) throw new Error(`unknown scenario ${name}`);
    // A fresh server per scenario, so each checks only its own events.
    const certs = name === "tls" ? makeTestCerts(mkdtempSync(join(work, "certs-"))) : null;
    const server = await startGamelake({ binary: opts.gamelake, tls: certs });
    const ctx = {
      server,
      certs,
      seed: opts.seed,
      driver: opts.driver,
      dir: (n) => mkdtempSync(join(work, `${n}-q-`)),
      file: (n) => join(work, n),
    };
    const check = new Check(name);
    const started = Date.now();
    try {
      const what = await kScenarios[name](ctx, check);
      console.log(`${check.failures.length ? "FAIL" : "ok  "} ${opts.name} ${name}: ${what} (${Date.now() - started} ms)`);
    } catch (e) {
      check.failures.push(`${name}: ${e.stack ?? e}`);
    } finally {
      server.stop();
    }
    failures = failures.concat(check.failures);
  }
  rmSync(work, { recursive: true, force: true });
  for (const f of failures) console.error(`FAIL ${f}`);
  console.log(`${opts.name}: ${failures.length ? "FAILED" : "passed"} (seed ${opts.seed})`);
  process.exit(failures.length ? 1 : 0);
}

setTimeout(() => {
  console.error(`conformance: the suite passed its ${kSuiteDeadlineMs} ms deadline`);
  process.exit(1);
}, kSuiteDeadlineMs).unref();
main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
