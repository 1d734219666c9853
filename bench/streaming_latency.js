#!/usr/bin/env node
// Ack → row: how long after ingest acknowledges a record its output row reaches
// a live SSE subscriber of a streaming application (docs/benchmarks.md,
// "Streaming SQL applications"). Not a test.
//
//   node bench/streaming_latency.js <base_url> <seconds> [sse|poll]
//
// Creates the application "latency" (the lab's continuous filter, verbatim)
// over the stream "lat" — after a few sample records so discovery names the
// columns — subscribes to its data_stream, then every 20 ms posts one record
// with Losses > 10 and a fresh PlayerID, noting when the 200 arrived; each
// row that comes back on the SSE gives arrival − ack. Prints count, p50, p99,
// max in ms. Auth must be off (the bench script starts the server so).
//
// poll: the baseline without a streaming application — the same filter as
// SQL (POST /v1/query over the lake and the live tail), run back to back,
// each answer's new rows giving arrival − ack: the best a dashboard that
// polls can do.
'use strict';
const http = require('http');

const [base, secondsText, modeText] = process.argv.slice(2);
const mode = modeText || 'sse';
const seconds = Number(secondsText || 20);
const url = new URL(base);
const labSql = `CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;`;

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method,
      headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function record(id, losses) {
  return JSON.stringify({ PlayerID: id, Wins: 1, Losses: losses, 'Time Played': 7,
    CaughtAt: 1, CaughtBy: 2 });
}

// Rows seen: arrival − ack for each (0 when the row came before its 200).
class Latencies {
  constructor() { this.acked = new Map(); this.early = new Set(); this.values = []; }
  ack(id) {
    this.acked.set(id, Date.now());
    if (this.early.delete(id)) this.values.push(0);
  }
  row(id, now) {
    const t = this.acked.get(id);
    if (t !== undefined) this.values.push(now - t);
    else this.early.add(id);
  }
  summary() {
    const v = this.values.sort((a, b) => a - b);
    const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
    return { mode, sent: this.acked.size, count: v.length, p50_ms: at(0.5), p99_ms: at(0.99),
      max_ms: v[v.length - 1] };
  }
}

function subscribe(lat) {
  const sse = http.get({ host: url.hostname, port: url.port,
    path: '/v1/apps/latency/streams/data_stream/live' }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      const now = Date.now();
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const line = event.split('\n').find((l) => l.startsWith('data: '));
        if (line) lat.row(JSON.parse(line.slice(6)).PlayerID, now);
      }
    });
  });
  sse.on('error', (e) => { console.error(e.message); process.exit(1); });
  return () => sse.destroy();
}

// Runs the filter as SQL back to back until stopped; returns the stopper.
function poll(lat) {
  let stop = false;
  let seen = 999999;
  (async () => {
    while (!stop) {
      const sql = `SELECT "PlayerID" FROM lat WHERE "Losses" > 10 AND "PlayerID" > ${seen}`;
      const res = await request('POST', '/v1/query', JSON.stringify({ sql }));
      const now = Date.now();
      if (res.status === 400 && res.text.includes('does not exist')) {
        await new Promise((r) => setTimeout(r, 50));  // The catalog has not seen "lat" yet.
        continue;
      }
      if (res.status !== 200) throw new Error(`query: ${res.status} ${res.text}`);
      for (const [id] of JSON.parse(res.text).rows) {
        lat.row(Number(id), now);
        seen = Math.max(seen, Number(id));
      }
    }
  })().catch((e) => { console.error(e.message); process.exit(1); });
  return () => { stop = true; };
}

async function main() {
  for (let i = 0; i < 5; ++i) await request('POST', '/v1/streams/lat/records', record(i, 1));
  // Both modes start once SQL knows the stream, so neither measures its discovery.
  const started = Date.now();
  for (;;) {
    const res = await request('POST', '/v1/query', JSON.stringify({ sql: 'SELECT 1 FROM lat' }));
    if (res.status === 200) break;
    if (Date.now() - started > 60000) throw new Error(`"lat" never became queryable: ${res.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const lat = new Latencies();
  let stopReading;
  if (mode === 'sse') {
    const created = await request('POST', '/v1/apps',
      JSON.stringify({ name: 'latency', source: 'lat', sql: labSql }));
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
    stopReading = subscribe(lat);
  } else {
    stopReading = poll(lat);
  }
  await new Promise((r) => setTimeout(r, 500));
  let next = 1000000;
  const poster = setInterval(async () => {
    const id = next++;
    const res = await request('POST', '/v1/streams/lat/records', record(id, 11));
    if (res.status === 200) lat.ack(id);
  }, 20);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(poster);
  await new Promise((r) => setTimeout(r, 1000));
  stopReading();
  console.log(JSON.stringify(lat.summary()));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
