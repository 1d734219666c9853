#!/usr/bin/env node
// Live chart latency of the console (docs/benchmarks.md, "The web console"): on a
// `serve --demo` server, the metrics page's dashboard `serverless-analytics` with Live
// on; for each new 1-second datapoint of its first widget's first line (wins, Sum), the
// time it appears in the page minus the end of its second (Timestamp + period).
// Baseline, in the same run and for the same datapoints: their arrival on a raw SSE
// connection to /v1/metrics/live from Node (the same metric, stats and period the page
// subscribes to). Not part of the tests.
//
//   node bench/console_live.mjs --url http://127.0.0.1:PORT [--points 150] [--key KEY]
//
// In the page, a MutationObserver on widget-0 notes performance.timeOrigin +
// performance.now() each time `widget-0-last`'s data-timestamp changes (the widget
// redraws its legend in the same animation frame as the chart). Without --key the dev
// admin key comes from /v1/console/session (serve --demo on loopback).
import { launch, parseArgs, quantile, median, loadavg, round1 } from './lib_browser.mjs';

const args = parseArgs({
  url: '',
  key: '',
  points: 150,
  dashboard: 'serverless-analytics',
  namespace: 'serverless-analytics-demo',
  metric: 'wins',
  stats: 'Sum,p90',
  period: 1,
  'max-seconds': 400,
});
if (!args.url) throw new Error('--url is required');
let key = args.key;
if (!key) {
  const session = await (await fetch(`${args.url}/v1/console/session`)).json();
  if (typeof session.key !== 'string') throw new Error('no --key and the server gives no dev key (serve --demo on loopback)');
  key = session.key;
}

// The baseline: the raw stream, read from Node.
const sse = new Map(); // Timestamp -> arrival (ms since the epoch), non-null Sum only
const sseNull = new Set();
const controller = new AbortController();
async function readSse() {
  const q = new URLSearchParams({ namespace: args.namespace, name: args.metric, period: String(args.period) });
  for (const s of args.stats.split(',')) q.append('stat', s);
  const res = await fetch(`${args.url}/v1/metrics/live?${q}`, {
    headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!res.ok) throw new Error(`live stream: HTTP ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    const at = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data:'));
      if (!block.includes('event: datapoint') || data === undefined) continue;
      const dp = JSON.parse(data.slice(5));
      if (dp.Values?.Sum === null || dp.Values?.Sum === undefined) sseNull.add(dp.Timestamp);
      else if (!sse.has(dp.Timestamp)) sse.set(dp.Timestamp, at);
    }
  }
}
const sseDone = readSse().catch((e) => {
  if (!controller.signal.aborted) throw e;
});

const browser = await launch();
let page;
const before = loadavg();
const started = Date.now();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${args.url}/#/metrics/${encodeURIComponent(args.dashboard)}?live=1`);
  await page.locator('[data-testid=widget-0-last]').waitFor({ timeout: 30000 });
  await page.locator('[data-testid=range-live]').isChecked().then((on) => {
    if (!on) throw new Error('Live is not on');
  });
  await page.evaluate(() => {
    const widget = document.querySelector('[data-testid=widget-0]');
    const seen = [];
    window.__live = seen;
    let last = widget.querySelector('[data-testid=widget-0-last]')?.dataset.timestamp ?? '';
    new MutationObserver(() => {
      const ts = widget.querySelector('[data-testid=widget-0-last]')?.dataset.timestamp ?? '';
      if (ts === '' || ts === last) return;
      last = ts;
      seen.push({ t: Number(ts), at: performance.timeOrigin + performance.now() });
    }).observe(widget, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-timestamp'] });
  });
  // The first change may be history, not live: skip the first 3 datapoints.
  const skip = 3;
  await page.waitForFunction((n) => window.__live.length >= n, args.points + skip, { timeout: args['max-seconds'] * 1000, polling: 1000 });
  const seen = (await page.evaluate(() => window.__live)).slice(skip);
  await new Promise((r) => setTimeout(r, 1500)); // the stream's last datapoints
  controller.abort();
  await sseDone;

  const pageLat = [];
  const sseLat = [];
  const cost = [];
  const unmatched = [];
  for (const { t, at } of seen) {
    const close = (t + args.period) * 1000;
    pageLat.push(at - close);
    const s = sse.get(t);
    if (s === undefined) {
      unmatched.push(t);
      continue;
    }
    sseLat.push(s - close);
    cost.push(at - s);
  }
  const first = seen[0]?.t ?? 0;
  const last = seen[seen.length - 1]?.t ?? 0;
  const sseInRange = [...sse.keys()].filter((t) => t >= first && t <= last);
  const shown = new Set(seen.map((s) => s.t));
  const stats = (xs) => ({
    n: xs.length,
    p50: round1(quantile(xs, 0.5)),
    p90: round1(quantile(xs, 0.9)),
    p99: round1(quantile(xs, 0.99)),
    max: round1(Math.max(...xs)),
    median: round1(median(xs)),
  });
  console.log(
    JSON.stringify(
      {
        when: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        loadavg_before: before,
        loadavg_after: loadavg(),
        page_ms: stats(pageLat),
        raw_sse_ms: stats(sseLat),
        page_minus_sse_ms: stats(cost),
        datapoints_shown: seen.length,
        shown_not_on_sse: unmatched,
        on_sse_not_shown: sseInRange.filter((t) => !shown.has(t)),
        null_periods_on_sse: sseNull.size,
        errors,
      },
      null,
      2,
    ),
  );
} finally {
  controller.abort();
  await browser.close();
}
