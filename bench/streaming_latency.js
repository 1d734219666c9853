#!/usr/bin/env node
// Ack → row: how long after ingest acknowledges a record its output row reaches
// a live SSE subscriber of a streaming application (docs/benchmarks.md,
// "Streaming SQL applications"). Not a test.
//
//   node bench/streaming_latency.js <base_url> <seconds>
//
// Creates the application "latency" (the lab's continuous filter, verbatim)
// over the stream "lat" — after a few sample records so discovery names the
// columns — subscribes to its data_stream, then every 20 ms posts one record
// with Losses > 10 and a fresh PlayerID, noting when the 200 arrived; each
// row that comes back on the SSE gives arrival − ack. Prints count, p50, p99,
// max in ms. Auth must be off (the bench script starts the server so).
'use strict';
const http = require('http');

const [base, secondsText] = process.argv.slice(2);
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

async function main() {
  for (let i = 0; i < 5; ++i) await request('POST', '/v1/streams/lat/records', record(i, 1));
  const created = await request('POST', '/v1/apps',
    JSON.stringify({ name: 'latency', source: 'lat', sql: labSql }));
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
  const acked = new Map();
  const latencies = [];
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
        if (!line) continue;
        const row = JSON.parse(line.slice(6));
        const t = acked.get(row.PlayerID);
        if (t !== undefined) latencies.push(now - t);
      }
    });
  });
  sse.on('error', (e) => { console.error(e.message); process.exit(1); });
  await new Promise((r) => setTimeout(r, 500));
  let next = 1000000;
  const poster = setInterval(async () => {
    const id = next++;
    const res = await request('POST', '/v1/streams/lat/records', record(id, 11));
    if (res.status === 200) acked.set(id, Date.now());
  }, 20);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(poster);
  await new Promise((r) => setTimeout(r, 1000));
  sse.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
  console.log(JSON.stringify({ sent: acked.size, count: latencies.length, p50_ms: at(0.5),
    p99_ms: at(0.99), max_ms: latencies[latencies.length - 1] }));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
