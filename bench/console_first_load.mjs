#!/usr/bin/env node
// The console's first load (docs/benchmarks.md, "The web console"): the compressed
// JavaScript and CSS the browser downloads to show the first page, and the time from
// navigation start to the signed-in shell and the first page drawn. Each load is cold:
// a new browser context (empty cache, no session storage). Not part of the tests.
//
//   node bench/console_first_load.mjs --url http://127.0.0.1:PORT --runs 10 \
//     [--path /] [--drawn '<JS expression: the first page is laid out>'] \
//     [--done '<JS expression: the first page has drawn its data>'] \
//     [--baseline /bench-blank.html] [--baseline-drawn '<expression>']
//
// Times come from the page itself (performance.now(), 0 = navigation start): a
// MutationObserver installed before any of the page's scripts notes when each condition
// first holds (checked on every DOM change, ready-state change and frame), and the
// start of the next animation frame (the frame that paints it).
// Bytes are the Resource Timing entries' encodedBodySize (the body as sent, gzip here)
// of every script and stylesheet that finished before the page had drawn its data; the
// Content-Encoding each came with is read from the responses.
import { launch, parseArgs, median, loadavg, round1 } from './lib_browser.mjs';

const args = parseArgs({
  url: '',
  runs: 10,
  path: '/',
  // The first page's layout is drawn: the analyses page's visual panels are in place.
  drawn: "document.querySelectorAll('article.an-visual[data-state]').length >= 4",
  // ... and every visual has drawn its data (data-state="ready" once its chart or KPI is drawn).
  done: "(() => { const p = [...document.querySelectorAll('article.an-visual[data-state]')]; return p.length >= 4 && p.every((e) => e.dataset.state === 'ready'); })()",
  baseline: '/bench-blank.html',
  'baseline-drawn': "document.getElementById('bench-ready') !== null",
  warmup: 1,
  'timeout-ms': 30000,
});
if (!args.url) throw new Error('--url is required');

const kShell = "(() => { const e = document.querySelector('[data-testid=scope]'); return e !== null && e.getClientRects().length > 0; })()";

function initScript(shellExpr, drawnExpr, doneExpr) {
  return `(() => {
    const marks = {};
    window.__bench = marks;
    const conds = { shell: () => (${shellExpr}), drawn: () => (${drawnExpr}), done: () => (${doneExpr}) };
    const check = () => {
      for (const k of Object.keys(conds)) {
        if (marks[k] !== undefined) continue;
        let ok = false;
        try { ok = Boolean(conds[k]()); } catch { ok = false; }
        if (!ok) continue;
        marks[k] = performance.now();
        requestAnimationFrame(() => { marks[k + 'Frame'] = performance.now(); });
      }
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    // The parser's own insertions are not always reported one by one: check on every
    // ready-state change and every frame as well, until both conditions held.
    document.addEventListener('readystatechange', check);
    const frame = () => { check(); if (Object.keys(conds).some((k) => marks[k] === undefined)) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })();`;
}

async function oneLoad(browser, path, shellExpr, drawnExpr, doneExpr) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const encodings = new Map();
  const errors = [];
  page.on('response', (r) => {
    void r.allHeaders().then((hd) => encodings.set(r.url(), { encoding: hd['content-encoding'] ?? 'identity', length: Number(hd['content-length'] ?? NaN), status: r.status() }), () => {});
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript({ content: initScript(shellExpr, drawnExpr, doneExpr) });
  await page.goto(args.url + path, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const b = window.__bench;
    return b !== undefined && b.drawnFrame !== undefined && b.shellFrame !== undefined && b.doneFrame !== undefined;
  }, null, { timeout: args['timeout-ms'], polling: 50 }).catch(async (e) => {
    throw new Error(`${path}: not drawn (${JSON.stringify(await page.evaluate(() => window.__bench).catch(() => null))}): ${String(e)}`);
  });
  await page.waitForLoadState('load');
  const result = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource').map((r) => ({
      url: r.name, type: r.initiatorType, encoded: r.encodedBodySize, decoded: r.decodedBodySize,
      transfer: r.transferSize, start: r.startTime, end: r.responseEnd,
    }));
    return {
      marks: { ...window.__bench },
      domContentLoaded: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      document: { url: nav.name, encoded: nav.encodedBodySize, decoded: nav.decodedBodySize },
      resources,
      hash: location.hash,
    };
  });
  await context.close();
  const drawnAt = result.marks.doneFrame;
  const files = result.resources
    .filter((r) => /\.(js|css)(\?|$)/.test(r.url) && r.end <= drawnAt)
    .map((r) => ({ ...r, ...(encodings.get(r.url) ?? {}), kind: r.url.endsWith('.css') ? 'css' : 'js', name: r.url.replace(/^.*\//, '') }));
  const late = result.resources.filter((r) => /\.(js|css)(\?|$)/.test(r.url) && r.end > drawnAt).map((r) => r.url.replace(/^.*\//, ''));
  return { ...result, files, late, errors };
}

function summarize(label, loads) {
  const pick = (f) => loads.map(f);
  const sum = (files, kind) => files.filter((f) => f.kind === kind).reduce((n, f) => n + f.encoded, 0);
  const first = loads[0];
  return {
    label,
    runs: loads.length,
    hash: first.hash,
    shell_ms: round1(median(pick((l) => l.marks.shellFrame))),
    drawn_ms: round1(median(pick((l) => l.marks.drawnFrame))),
    done_ms: round1(median(pick((l) => l.marks.doneFrame))),
    done_ms_all: pick((l) => round1(l.marks.doneFrame)),
    dom_content_loaded_ms: round1(median(pick((l) => l.domContentLoaded))),
    load_ms: round1(median(pick((l) => l.load))),
    document_bytes: first.document.encoded,
    js_bytes: sum(first.files, 'js'),
    css_bytes: sum(first.files, 'css'),
    js_css_decoded_bytes: first.files.reduce((n, f) => n + f.decoded, 0),
    files: first.files.map((f) => ({ name: f.name, encoded: f.encoded, decoded: f.decoded, encoding: f.encoding, content_length: f.length })),
    after_drawn: first.late,
    bytes_same_every_run: loads.every((l) => sum(l.files, 'js') === sum(first.files, 'js') && sum(l.files, 'css') === sum(first.files, 'css')),
    errors: [...new Set(loads.flatMap((l) => l.errors))],
    // Where the time goes, in the run with the median done time: every request
    // (start → end, ms from navigation start) and the marks.
    timeline: (() => {
      const sorted = [...loads].sort((a, b) => a.marks.doneFrame - b.marks.doneFrame);
      const l = sorted[Math.floor((sorted.length - 1) / 2)];
      return {
        marks: Object.fromEntries(Object.entries(l.marks).map(([k, v]) => [k, round1(v)])),
        requests: l.resources.map((r) => `${round1(r.start)} → ${round1(r.end)} ${r.type} ${r.url.replace(/^https?:\/\/[^/]+/, '')}`),
      };
    })(),
  };
}

const browser = await launch();
try {
  const before = loadavg();
  const console_ = [];
  const blank = [];
  for (let i = 0; i < args.warmup; i += 1) {
    await oneLoad(browser, args.path, kShell, args.drawn, args.done);
    await oneLoad(browser, args.baseline, args['baseline-drawn'], args['baseline-drawn'], args['baseline-drawn']);
  }
  // Alternate the console and the baseline so that a noisy neighbour hits both alike.
  for (let i = 0; i < args.runs; i += 1) {
    console_.push(await oneLoad(browser, args.path, kShell, args.drawn, args.done));
    blank.push(await oneLoad(browser, args.baseline, args['baseline-drawn'], args['baseline-drawn'], args['baseline-drawn']));
  }
  const out = {
    when: new Date().toISOString(),
    loadavg_before: before,
    loadavg_after: loadavg(),
    console: summarize(`console ${args.path}`, console_),
    baseline: summarize(`static ${args.baseline}`, blank),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await browser.close();
}
