#!/usr/bin/env node
// Times queries against a gamelake server's POST /v1/query, as a client sees them
// (wall time from sending the request to the last byte of the answer).
//
//   node bench/sql_query.js --url http://127.0.0.1:PORT --queries bench/sql_queries.tsv [--runs 3]
//       one warm-up, then RUNS timed runs per query; prints
//       "name<TAB>median_ms<TAB>runs<TAB>first row<TAB>server elapsed_ms (median)<TAB>
//       the warm-up's ms" (the first run: e.g. the one that types the live tail).
//   node bench/sql_query.js --url ... --sql "SELECT count(*) FROM events"
//       prints the answer's rows as JSON.
'use strict';
const http = require('http');
const fs = require('fs');

const agent = new http.Agent({keepAlive: true, maxSockets: 1});

function Query(url, sql) {
  const body = Buffer.from(JSON.stringify({sql}));
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(url + '/v1/query', {
      method: 'POST', agent,
      headers: {'Content-Type': 'application/json', 'Content-Length': body.length},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${text}`));
        resolve({ms, answer: JSON.parse(text)});
      });
    });
    req.setTimeout(600000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const Median = (v) => {
  const s = [...v].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function Main() {
  const a = {url: '', queries: '', runs: 3, sql: ''};
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '')] = v[i + 1];
  if (a.sql) {
    const {answer} = await Query(a.url, a.sql);
    console.log(JSON.stringify(answer.rows));
    return;
  }
  for (const line of fs.readFileSync(a.queries, 'utf8').split('\n')) {
    if (!line || line.startsWith('#') || !line.includes('\t')) continue;
    const tab = line.indexOf('\t');
    const name = line.slice(0, tab), sql = line.slice(tab + 1);
    const warm = await Query(a.url, sql);
    const ms = [], server = [];
    for (let r = 0; r < +a.runs; ++r) {
      const {ms: t, answer} = await Query(a.url, sql);
      ms.push(t);
      server.push(answer.elapsed_ms);
    }
    const row = (warm.answer.rows[0] || []).join('|');
    console.log([name, Median(ms).toFixed(1), ms.map((x) => x.toFixed(1)).join(','), row,
                 Median(server).toFixed(1), warm.ms.toFixed(1)].join('\t'));
  }
  agent.destroy();
}

Main().catch((e) => {
  console.error('sql_query:', e.message);
  process.exit(1);
});
