#!/usr/bin/env node
// How late a 1-second datapoint reaches a /v1/metrics/live subscriber after
// its second closes (docs/benchmarks.md, "Metrics store"). Not a test.
//
//   node bench/metrics_live_latency.js <base_url> <seconds>
//
// Puts a value of metric bench-live/lat every 50 ms (timestamped now), reads
// the live stream (period 1, Sum, the default delay_ms 100) and, for each
// datapoint with data, records arrival time - (its second + 1 s). Prints the
// count, p50, p99 and max in ms. Uses the machine's clock for both ends.
'use strict';
const http = require('http');

const [base, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText || 30);
const url = new URL(base);
const latencies = [];

function put() {
  const body = JSON.stringify({
    Namespace: 'bench-live',
    MetricData: [{ MetricName: 'lat', Value: 1, StorageResolution: 1 }],
  });
  const req = http.request({ host: url.hostname, port: url.port, path: '/v1/metrics',
    method: 'POST', headers: { 'Content-Type': 'application/json' } });
  req.on('error', () => {});
  req.end(body);
}

function subscribe(done) {
  const path = '/v1/metrics/live?namespace=bench-live&name=lat&stat=Sum&period=1';
  const req = http.get({ host: url.hostname, port: url.port, path }, (res) => {
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
        const d = JSON.parse(line.slice(6));
        if (d.Values.Sum === null) continue;
        latencies.push(now - (d.Timestamp + 1) * 1000);
      }
    });
  });
  req.on('error', (e) => { console.error(e.message); process.exit(1); });
  setTimeout(() => { req.destroy(); done(); }, seconds * 1000);
}

const putter = setInterval(put, 50);
subscribe(() => {
  clearInterval(putter);
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
  console.log(JSON.stringify({ count: latencies.length, p50_ms: at(0.5), p99_ms: at(0.99),
    max_ms: latencies[latencies.length - 1] }));
});
