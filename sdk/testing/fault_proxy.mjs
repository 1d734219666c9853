// A fault-injecting HTTP proxy for the SDK tests: sits between an SDK and the real
// gamelake server on 127.0.0.1 and, per request, at random (seeded), either passes it
// through or injects one of the faults a game meets on a phone network:
//
//   cut_request    the connection is dropped mid-request (the server never sees it)
//   cut_response   the server stores the batch; the client gets half an answer, then a reset
//   cut_after_store the server stores the batch; the connection is dropped before any answer
//   status_500     500 without reaching the server
//   status_429     429 with Retry-After (seconds) without reaching the server
//   status_503     503 with Retry-After (an HTTP date) without reaching the server
//   delay          the request is held 50-400 ms, then passed through
//
// Used as a module (startFaultProxy) by conformance.mjs, or as a CLI:
//   node fault_proxy.mjs --target http://127.0.0.1:PORT [--rate 0.3 | --every N] [--seed 1]
// which prints "LISTEN <port>" and, on SIGTERM, the fault counts as JSON on stderr.

import http from "node:http";

export const kFaults = ["cut_request", "cut_response", "cut_after_store", "status_500", "status_429", "status_503", "delay"];

// A small seeded PRNG (mulberry32) so a failing run can be replayed with its seed.
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const kHopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "host"]);

function forward(agent, target, req, body) {
  return new Promise((resolve, reject) => {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!kHopByHop.has(k)) headers[k] = v;
    headers["content-length"] = String(body.length);
    const up = http.request(
      { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode, headers: res.headers, body: b }), reject);
      },
    );
    up.on("error", reject);
    up.end(body);
  });
}

function sendUpstreamAnswer(res, answer) {
  const headers = {};
  for (const [k, v] of Object.entries(answer.headers)) if (!kHopByHop.has(k)) headers[k] = v;
  headers["content-length"] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function sendError(res, status, extraHeaders) {
  const body = JSON.stringify({ error: "injected", message: `fault proxy: injected ${status}` });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

// Only ingest POSTs get faults; anything else (health, queries) passes through.
function isIngest(req) {
  return req.method === "POST" && /^\/v1\/(streams\/[^/]+\/records|events)(\?|$)/.test(req.url);
}

// Random mode: a share `rate` of ingest requests, each a random fault. Cycle mode
// (`every` > 0): every `every`-th ingest request, the faults in turn, so a run of a few
// dozen requests meets each of them.
function pickFault(state, req) {
  if (!isIngest(req)) return "pass";
  if (state.every > 0) {
    state.ingests++;
    return state.ingests % state.every === 0 ? kFaults[state.next++ % kFaults.length] : "pass";
  }
  return state.random() < state.rate ? kFaults[Math.floor(state.random() * kFaults.length)] : "pass";
}

async function handle(state, req, res) {
  const fault = pickFault(state, req);
  state.counts[fault] = (state.counts[fault] ?? 0) + 1;
  if (fault === "cut_request") {
    req.once("data", () => req.socket.destroy());
    req.once("end", () => req.socket.destroy());
    return;
  }
  const body = await readBody(req);
  if (fault === "status_500") return sendError(res, 500, {});
  if (fault === "status_429") return sendError(res, 429, { "retry-after": "1" });
  if (fault === "status_503") {
    return sendError(res, 503, { "retry-after": new Date(Date.now() + 1000).toUTCString() });
  }
  if (fault === "delay") await new Promise((r) => setTimeout(r, 50 + Math.floor(state.random() * 350)));
  const answer = await forward(state.agent, state.target, req, body);
  if (fault === "cut_after_store") return req.socket.destroy();
  if (fault === "cut_response") {
    const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
    res.writeHead(answer.status, { "content-type": "application/json", "content-length": String(answer.body.length) });
    res.write(half, () => req.socket.destroy());
    return;
  }
  sendUpstreamAnswer(res, answer);
}

// Starts the proxy on 127.0.0.1 (an ephemeral port). rate: the share of ingest requests
// that get a random fault; every > 0 instead: every that-many-th request, the faults in
// turn. Returns {port, url, counts, setRate(r), close()}.
export async function startFaultProxy({ target, rate = 0.3, seed = 1, every = 0 }) {
  const state = {
    target: new URL(target),
    rate,
    every,
    ingests: 0,
    next: Math.floor(seededRandom(seed)() * kFaults.length),
    random: seededRandom(seed),
    counts: {},
    agent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  };
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 30000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts: state.counts,
    setRate(r) {
      state.rate = r;
      state.every = 0;
    },
    close() {
      server.closeAllConnections();
      server.close();
      state.agent.destroy();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const target = arg("--target");
  if (!target) {
    console.error("usage: node fault_proxy.mjs --target http://127.0.0.1:PORT [--rate 0.3 | --every N] [--seed 1]");
    process.exit(2);
  }
  const proxy = await startFaultProxy({
    target,
    rate: Number(arg("--rate", "0.3")),
    every: Number(arg("--every", "0")),
    seed: Number(arg("--seed", "1")),
  });
  console.log(`LISTEN ${proxy.port}`);
  process.on("SIGTERM", () => {
    console.error(JSON.stringify(proxy.counts));
    proxy.close();
    process.exit(0);
  });
}
