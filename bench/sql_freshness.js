#!/usr/bin/env node
// Ack-to-visible latency of gamelake's SQL (bench/sql_bench.sh): posts one marker
// record at a time, notes when the POST returned (acknowledged), then polls
// POST /v1/query "SELECT count(*) FROM events WHERE marker = '<id>'" every
// --poll-ms until the count is 1. Run it while bench/sql_load.js keeps a steady load.
//
//   node bench/sql_freshness.js --url http://127.0.0.1:PORT [--markers 200] [--poll-ms 10]
//
// Prints a JSON summary: latency percentiles (ms), polls needed, and the
// exactly-once check (no poll ever saw a count above 1; at the end every marker
// counts exactly 1, checked at once and again after --settle-s, once delivery
// has moved them into files).
'use strict';
const http = require('http');

const a = {url: '', markers: 200, 'poll-ms': 10, 'settle-s': 3, 'max-seconds': 300};
const v = process.argv.slice(2);
for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '')] = v[i + 1];
const agent = new http.Agent({keepAlive: true, maxSockets: 2});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function Request(path, type, body) {
  body = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = http.request(a.url + path, {
      method: 'POST', agent, headers: {'Content-Type': type, 'Content-Length': body.length},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode} ${text}`));
        resolve(JSON.parse(text));
      });
    });
    req.setTimeout(60000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
const Sql = (sql) => Request('/v1/query', 'application/json', JSON.stringify({sql}));
const Pct = (s, p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];

async function Main() {
  setTimeout(() => { console.error('sql_freshness: --max-seconds reached'); process.exit(2); },
             +a['max-seconds'] * 1000).unref();
  const run = `r${process.pid}-${Date.now()}`;
  const Post = (id) => Request('/v1/streams/events/records', 'application/x-ndjson',
      JSON.stringify({marker: id, PlayerID: 1, 'Time Played': 1, Wins: 0, Losses: 0,
                      CaughtAt: 1, CaughtBy: 1}) + '\n');
  await Post(`${run}-warmup`);  // so the column `marker` exists before the first poll
  const lat = [], queryMs = [], polls = [];
  let overcount = 0;
  for (let i = 0; i < +a.markers; ++i) {
    const id = `${run}-${i}`;
    await Post(id);
    const acked = now();
    for (let n = 1;; ++n) {
      const q0 = now();
      const ans = await Sql(`SELECT count(*) FROM events WHERE marker = '${id}'`);
      const t = now();
      const c = ans.rows[0][0];
      if (c > 1) ++overcount;
      if (c >= 1) {
        lat.push(t - acked);
        queryMs.push(t - q0);
        polls.push(n);
        break;
      }
      if (t - acked > 60000) throw new Error(`marker ${id} not visible after 60 s`);
      await sleep(+a['poll-ms']);
    }
    await sleep(Math.random() * 20);  // spread markers over delivery's cut phases
  }
  const check = async () => {
    const ans = await Sql(`SELECT count(*) AS markers, count(DISTINCT marker) AS distinct_markers ` +
        `FROM events WHERE marker LIKE '${run}-%'`);
    return {rows: ans.rows[0][0], distinct: ans.rows[0][1]};
  };
  const atEnd = await check();
  await sleep(+a['settle-s'] * 1000);
  const settled = await check();
  const s = [...lat].sort((x, y) => x - y);
  const qs = [...queryMs].sort((x, y) => x - y);
  const f = (x) => +x.toFixed(1);
  console.log(JSON.stringify({
    markers: lat.length,
    ack_to_visible_ms: {p50: f(Pct(s, 50)), p90: f(Pct(s, 90)), p99: f(Pct(s, 99)), max: f(s[s.length - 1])},
    last_query_ms: {p50: f(Pct(qs, 50)), p99: f(Pct(qs, 99))},
    polls_needed: {one: polls.filter((p) => p === 1).length, max: Math.max(...polls)},
    polls_over_one: overcount,
    // +1: the warm-up marker
    end_check: atEnd, settled_check: settled, expected_rows: lat.length + 1,
  }));
  agent.destroy();
}

Main().catch((e) => {
  console.error('sql_freshness:', e.message);
  process.exit(1);
});
