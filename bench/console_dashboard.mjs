#!/usr/bin/env node
// The lab's analysis (four visuals over data-view) in the console against its SQL alone
// (docs/benchmarks.md, "The web console"). Needs a `serve --demo` server on loopback
// whose lake holds the events (bench/console_fill.sh) and the console. Not part of the
// tests.
//
//   node bench/console_dashboard.mjs --url http://127.0.0.1:PORT [--runs 5]
//
// Page, cold: a new browser context opens /#/analyses/lab; time from navigation start
// (performance.now() = 0) to the start of the animation frame after every visual panel
// (article.an-visual) says data-state="ready" (set once its chart or KPI is drawn).
// Page, in the app: the console already open on #/sql, location.hash is set to
// #/analyses/lab; time from then to the same point (the page's code is loaded).
// Baseline: the SQL the page sent to POST /v1/query (captured in a warm-up load), sent
// from Node the way the page sends it: its dataset's column query, then the visuals'
// queries at once; also the visuals' queries alone. Page and baseline alternate, runs
// times each; medians.
import { launch, parseArgs, median, loadavg, round1 } from './lib_browser.mjs';

const args = parseArgs({ url: '', runs: 5, route: '#/analyses/lab', visuals: 4, 'timeout-ms': 120000 });
if (!args.url) throw new Error('--url is required');
const session = await (await fetch(`${args.url}/v1/console/session`)).json();
if (typeof session.key !== 'string') throw new Error('the server gives no dev key (serve --demo on loopback)');
const key = session.key;

const allReady = `(() => {
  const p = [...document.querySelectorAll('article.an-visual[data-state]')];
  return p.length >= ${args.visuals} && p.every((e) => e.dataset.state === 'ready');
})()`;
const anyError = `[...document.querySelectorAll('article.an-visual[data-state]')].some((e) => e.dataset.state === 'error' || e.dataset.state === 'incomplete')`;

async function query(sql) {
  const res = await fetch(`${args.url}/v1/query`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

// One cold open; returns the times and the /v1/query requests the page sent.
async function coldOpen(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const queries = [];
  let capturing = true; // only the queries of the cold open
  page.on('request', (r) => {
    if (capturing && r.url().endsWith('/v1/query') && r.method() === 'POST') queries.push({ sql: JSON.parse(r.postData() ?? '{}').sql, at: Date.now() });
  });
  await page.addInitScript({
    content: `(() => {
      const marks = {};
      window.__bench = marks;
      const frame = () => {
        if (marks.ready === undefined && ${allReady}) {
          marks.ready = performance.now();
          requestAnimationFrame(() => { marks.readyFrame = performance.now(); });
          return;
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      new MutationObserver(() => {
        if (marks.ready === undefined && ${allReady}) {
          marks.ready = performance.now();
          requestAnimationFrame(() => { marks.readyFrame = performance.now(); });
        }
      }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state'] });
      window.__benchFailed = () => ${anyError};
      // In the app: from another page, set the hash and wait for the same point.
      window.__benchInApp = (route) => new Promise((resolve) => {
        const t0 = performance.now();
        const frame = () => {
          if (document.querySelector('#page-analyses') !== null && ${allReady}) {
            requestAnimationFrame(() => resolve(performance.now() - t0));
            return;
          }
          requestAnimationFrame(frame);
        };
        location.hash = route;
        requestAnimationFrame(frame);
      });
    })();`,
  });
  await page.goto(`${args.url}/${args.route}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__bench?.readyFrame !== undefined || window.__benchFailed?.() === true, null, { timeout: args['timeout-ms'], polling: 50 });
  capturing = false;
  const marks = await page.evaluate(() => window.__bench);
  const origin = await page.evaluate(() => performance.timeOrigin);
  // When the page sent its first query and its last (the visuals'), from navigation start.
  const firstQuery = queries.length > 0 ? queries[0].at - origin : NaN;
  const lastQuery = queries.length > 0 ? queries[queries.length - 1].at - origin : NaN;
  if (marks.readyFrame === undefined) throw new Error(`a visual failed: ${await page.locator('article.an-visual').allInnerTexts()}`);
  const meta = await page.locator('article.an-visual .an-meta').allInnerTexts();
  // In the app: leave for the SQL page, come back by the hash.
  await page.evaluate(() => { location.hash = '#/sql'; });
  await page.waitForSelector('#page-sql', { timeout: 30000 });
  const inApp = await page.evaluate((route) => window.__benchInApp(route), args.route);
  await context.close();
  return { cold: marks.readyFrame, inApp, queries, meta, firstQuery, lastQuery };
}

const browser = await launch();
try {
  const before = loadavg();
  const warm = await coldOpen(browser);
  const sqls = [...new Set(warm.queries.map((q) => q.sql))];
  // The page's order: queries sent within 20 ms of each other form one parallel phase.
  const phases = [];
  let last = -Infinity;
  for (const q of warm.queries) {
    if (q.at - last > 20) phases.push([]);
    if (!phases[phases.length - 1].includes(q.sql)) phases[phases.length - 1].push(q.sql);
    last = q.at;
  }
  const visualsPhase = phases[phases.length - 1];
  const pageRuns = [];
  const sqlRuns = [];
  const visualsOnly = [];
  const elapsed = [];
  for (let i = 0; i < args.runs; i += 1) {
    pageRuns.push(await coldOpen(browser));
    let t0 = performance.now();
    for (const phase of phases) {
      const answers = await Promise.all(phase.map(query));
      if (phase === visualsPhase) elapsed.push(answers.map((a) => a.elapsed_ms));
    }
    sqlRuns.push(performance.now() - t0);
    t0 = performance.now();
    await Promise.all(visualsPhase.map(query));
    visualsOnly.push(performance.now() - t0);
  }
  const cold = median(pageRuns.map((r) => r.cold));
  const inApp = median(pageRuns.map((r) => r.inApp));
  const sql = median(sqlRuns);
  const vis = median(visualsOnly);
  console.log(
    JSON.stringify(
      {
        when: new Date().toISOString(),
        loadavg_before: before,
        loadavg_after: loadavg(),
        count: (await query('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM "data-view") AS view')).rows[0],
        phases,
        page_cold_ms: { median: round1(cold), runs: pageRuns.map((r) => round1(r.cold)) },
        page_cold_first_query_sent_ms: round1(median(pageRuns.map((r) => r.firstQuery))),
        page_cold_visual_queries_sent_ms: round1(median(pageRuns.map((r) => r.lastQuery))),
        page_in_app_ms: { median: round1(inApp), runs: pageRuns.map((r) => round1(r.inApp)) },
        page_visual_meta_last_run: pageRuns[pageRuns.length - 1].meta,
        sql_as_the_page_sends_ms: { median: round1(sql), runs: sqlRuns.map(round1) },
        sql_visuals_only_ms: { median: round1(vis), runs: visualsOnly.map(round1) },
        server_elapsed_ms_of_visual_queries: elapsed.map((e) => e.map(round1)),
        ratio_cold_to_sql: Math.round((cold / sql) * 100) / 100,
        ratio_in_app_to_sql: Math.round((inApp / sql) * 100) / 100,
        ratio_cold_to_visuals_only: Math.round((cold / vis) * 100) / 100,
        ratio_in_app_to_visuals_only: Math.round((inApp / vis) * 100) / 100,
        distinct_queries: sqls.length,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
}
