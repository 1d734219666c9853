#!/usr/bin/env node
// Loader for the SQL benchmarks (bench/sql_bench.sh): posts NDJSON batches to a
// gamelake server on 127.0.0.1 over keep-alive connections.
//
//   node bench/sql_load.js --url http://127.0.0.1:PORT --file lab.ndjson [--conns 4]
//       posts every line of FILE in batches of 500 records, then prints a JSON
//       summary {"records","requests","seconds","records_per_s"}.
//   node bench/sql_load.js --url ... --rate 30000 --seconds 60 [--conns 4]
//       steady load of generated lab records at RATE records/s for SECONDS.
//       With --marker load, each generated record also has "marker": "load", so the
//       column that bench/sql_freshness.js filters on exists in every record.
//   node bench/sql_load.js --url ... --count N
//       N generated lab records as fast as the server takes them.
//
// Bounded in time: --max-seconds (default 900) aborts the run.
'use strict';
const http = require('http');
const fs = require('fs');

function Args() {
  const a = {url: '', file: '', conns: 4, batch: 500, rate: 0, seconds: 0, count: 0, maxSeconds: 900,
             stream: 'events', marker: ''};
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) {
    const k = v[i], x = v[i + 1];
    if (k === '--url') a.url = x;
    else if (k === '--file') a.file = x;
    else if (k === '--conns') a.conns = +x;
    else if (k === '--batch') a.batch = +x;
    else if (k === '--rate') a.rate = +x;
    else if (k === '--seconds') a.seconds = +x;
    else if (k === '--count') a.count = +x;
    else if (k === '--max-seconds') a.maxSeconds = +x;
    else if (k === '--stream') a.stream = x;
    else if (k === '--marker') a.marker = x;
    else throw new Error('unknown argument ' + k);
  }
  if (!a.url) throw new Error('--url is required');
  return a;
}

// Batches from an NDJSON file, read in 16 MiB chunks (the file may be > 1 GB).
function* FileBatches(path, batch) {
  const fd = fs.openSync(path, 'r');
  const buf = Buffer.alloc(16 << 20);
  let carry = Buffer.alloc(0);
  let lines = [];
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const data = Buffer.concat([carry, buf.subarray(0, n)]);
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      if (nl > start) lines.push(data.subarray(start, nl + 1));
      start = nl + 1;
      if (lines.length === batch) {
        yield {body: Buffer.concat(lines), n: lines.length};
        lines = [];
      }
    }
    carry = Buffer.from(data.subarray(start));
  }
  fs.closeSync(fd);
  if (carry.length) lines.push(Buffer.concat([carry, Buffer.from('\n')]));
  if (lines.length) yield {body: Buffer.concat(lines), n: lines.length};
}

// The lab's KDG template (reference Task 5): numbers and weighted choices.
function Weighted(w) {
  let r = Math.random(), acc = 0;
  for (let i = 0; i < w.length; ++i) {
    acc += w[i];
    if (r < acc) return i + 1;
  }
  return w.length;
}
function LabRecord(marker) {
  const r = {
    PlayerID: Math.floor(Math.random() * 10001),
    'Time Played': Math.floor(Math.random() * 100001),
    Wins: Math.floor(Math.random() * 6),
    Losses: Math.floor(Math.random() * 51),
    CaughtAt: Weighted([0.2, 0.5, 0.1, 0.05, 0.1, 0.05]),
    CaughtBy: Weighted([0.2, 0.45, 0.15, 0.05, 0.1, 0.05]),
  };
  if (marker) r.marker = marker;
  return JSON.stringify(r);
}
function* GeneratedBatches(batch, marker) {
  const pool = [];
  for (let i = 0; i < 64; ++i) {
    const lines = [];
    for (let j = 0; j < batch; ++j) lines.push(LabRecord(marker));
    pool.push({body: Buffer.from(lines.join('\n') + '\n'), n: batch});
  }
  for (let i = 0;; ++i) yield pool[i % pool.length];
}

function Post(agent, url, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST', agent,
      headers: {'Content-Type': 'application/x-ndjson', 'Content-Length': body.length},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({status: res.statusCode, body: Buffer.concat(chunks).toString()}));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function Main() {
  const a = Args();
  const agent = new http.Agent({keepAlive: true, maxSockets: a.conns});
  const path = `/v1/streams/${a.stream}/records`;
  const source = a.file ? FileBatches(a.file, a.batch) : GeneratedBatches(a.batch, a.marker);
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  let records = 0, requests = 0, retries = 0, done = false;
  const hardStop = setTimeout(() => {
    console.error('sql_load: --max-seconds reached, aborting');
    process.exit(2);
  }, a.maxSeconds * 1000);

  async function Worker() {
    for (;;) {
      if (done) return;
      if (a.seconds && elapsed() >= a.seconds) return;
      if (a.count && records >= a.count) return;
      if (a.rate) {  // pace: the records sent so far may not run ahead of rate*t
        const ahead = records / a.rate - elapsed();
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead * 1000));
      }
      const it = source.next();
      if (it.done) { done = true; return; }
      const {body, n} = it.value;
      records += n;
      for (let attempt = 0;; ++attempt) {
        const res = await Post(agent, a.url, path, body);
        if (res.status === 200) break;
        if ((res.status === 503 || res.status === 429) && attempt < 50) {
          ++retries;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        throw new Error(`POST ${path}: ${res.status} ${res.body}`);
      }
      ++requests;
    }
  }
  await Promise.all(Array.from({length: a.conns}, Worker));
  clearTimeout(hardStop);
  const s = elapsed();
  console.log(JSON.stringify({records, requests, retries, seconds: +s.toFixed(3),
                              records_per_s: Math.round(records / s)}));
  agent.destroy();
}

Main().catch((e) => {
  console.error('sql_load:', e.message);
  process.exit(1);
});
