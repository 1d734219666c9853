// The Players page against the real server: a seeded month of builtin:sessions
// players (gamelake generate --seed 1) in a stream of its own, and a fixed
// past range, so the numbers do not move while the test reads them. The
// tiles and their trends, every retention cell, the sessions, LTV and deaths
// panels and every funnel level are checked against /v1/kpis answered for
// the same parameters; then a segment, an empty range, a stream that does
// not exist and a panel whose KPI fails.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, sql, shot, watchConsole, kRepo, kScreenshots, type Server } from './server';
import { formatDuration, formatPercent, formatTile } from '../src/players/format';

const kStream = 'players_test';
const kFrom = '2025-03-01';
const kTo = '2025-03-28';
const kRecords = 20_000;

interface Answer {
  columns: { name: string }[];
  rows: unknown[][];
}

async function kpi(server: Server, name: string, params: Record<string, string>): Promise<Record<string, unknown>[]> {
  return (await kpiAnswer(server, name, params)).records;
}

async function kpiAnswer(server: Server, name: string, params: Record<string, string>): Promise<Answer & { records: Record<string, unknown>[] }> {
  const query = new URLSearchParams({ stream: kStream, from: kFrom, to: kTo, ...params });
  const response = await fetch(`${server.url}/v1/kpis/${name}?${query.toString()}`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  expect(response.ok, await response.clone().text()).toBe(true);
  const answer = (await response.json()) as Answer;
  return { ...answer, records: answer.rows.map((row) => Object.fromEntries(answer.columns.map((c, i) => [c.name, row[i]]))) };
}

function generate(server: Server): Promise<void> {
  const bin = process.env['GAMELAKE_BIN'] ?? path.join(kRepo, 'build', 'gamelake');
  const args = ['generate', '-t', 'builtin:sessions', '--seed', '1', '--start-time', `${kFrom}T00:00:00Z`, '--time-step-ms', '120000',
    '-n', String(kRecords), '--stream', kStream, '--url', server.url, '--key', server.adminKey, '--quiet'];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gamelake generate exited ${String(code)}: ${err}`))));
  });
}

test.beforeAll(async ({ server }) => {
  await generate(server);
  const count = async (): Promise<number> => {
    try {
      return Number((await sql(server, `SELECT count(*) FROM "${kStream}"`)).rows[0]?.[0]);
    } catch {
      return 0;
    }
  };
  await expect.poll(count, { timeout: 30_000 }).toBe(kRecords);
  await expect.poll(async () => (await kpi(server, 'active_players', {})).length, { timeout: 15_000 }).toBeGreaterThan(20);
});

const n = (v: unknown): number => Number(v);

async function open(page: Page, server: Server, extra = ''): Promise<void> {
  await page.goto(`${server.url}/#/players?stream=${kStream}&from=${kFrom}&to=${kTo}${extra}`);
}

async function cells(page: Page, prefix: string): Promise<Record<string, { text: string; value: string }>> {
  return page.locator(`[data-testid^="${prefix}"]`).evaluateAll((elements) =>
    Object.fromEntries(elements.map((e) => [e.getAttribute('data-testid') ?? '', { text: e.textContent, value: e.getAttribute('data-value') ?? '' }])),
  );
}

type Format = 'count' | 'percent' | 'money';

// The tiles of from..to, computed here from the API's rows: average DAU over
// the range's days, MAU on its last day, stickiness = average DAU / MAU,
// D1/D7 over its cohorts weighted by size, revenue and its ratios.
async function expectedTiles(server: Server, from: string, to: string): Promise<{ rows: number; tiles: [string, number | null, Format][] }> {
  const range = { from, to };
  const stickiness = await kpi(server, 'stickiness', range);
  const retention = await kpi(server, 'retention', { ...range, days: '7' });
  const revenue = await kpi(server, 'revenue', { ...range, granularity: 'day' });
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  const last = stickiness[stickiness.length - 1] ?? {};
  const avgDau = stickiness.reduce((a, r) => a + n(r['dau']), 0) / days;
  const mau = stickiness.length === 0 ? null : n(last['mau']);
  const weighted = (day: number): number | null => {
    const rows = retention.filter((r) => n(r['day']) === day);
    const size = rows.reduce((a, r) => a + n(r['cohort_size']), 0);
    return size === 0 ? null : rows.reduce((a, r) => a + n(r['retained_players']), 0) / size;
  };
  const total = (c: string): number => revenue.reduce((a, r) => a + n(r[c]), 0);
  return {
    rows: stickiness.length,
    tiles: [
      ['dau', avgDau, 'count'],
      ['mau', mau, 'count'],
      ['stickiness', mau === null || mau === 0 ? null : avgDau / mau, 'percent'],
      ['d1', weighted(1), 'percent'],
      ['d7', weighted(7), 'percent'],
      ['revenue', total('revenue'), 'money'],
      ['arpdau', total('player_days') === 0 ? null : total('revenue') / total('player_days'), 'money'],
      ['conversion', total('active_players') === 0 ? null : total('paying_players') / total('active_players'), 'percent'],
    ],
  };
}

async function trends(page: Page): Promise<Record<string, { direction: string; previous: string; text: string }>> {
  return page.locator('[data-testid$="-trend"]').evaluateAll((elements) =>
    Object.fromEntries(elements.map((e) => [e.getAttribute('data-testid') ?? '', {
      direction: e.getAttribute('data-direction') ?? '', previous: e.getAttribute('data-previous') ?? '', text: e.textContent,
    }])),
  );
}

// A panel's folded data table holds the API's columns and rows, as written.
async function expectDataTable(page: Page, id: string, answer: Answer): Promise<void> {
  const table = await page.getByTestId(`data-${id}`).evaluate((t) => ({
    head: [...t.querySelectorAll('thead th')].map((th) => th.textContent),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
  }));
  const cell = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'number' && !Number.isInteger(v) ? String(+v.toFixed(4)) : typeof v === 'string' ? v : JSON.stringify(v));
  expect(table.head).toEqual(answer.columns.map((c) => c.name));
  expect(table.rows).toEqual(answer.rows.map((r) => r.map(cell)));
}

test('tiles, the retention heat map and the funnel show what /v1/kpis answers', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await open(page, server);
  await expect(page.getByTestId('players-status')).toContainText(`${kStream} · ${kFrom} to ${kTo}`);
  await expect(page.getByTestId('tile-conversion')).toBeVisible();
  await expect(page.getByTestId('retention-grid')).toBeVisible();
  await expect(page.getByTestId('funnel-table')).toBeVisible();

  // The tiles, computed here from the API's rows; the range before
  // 2025-03-01 has no events, so no tile has a trend.
  const { tiles: expected } = await expectedTiles(server, kFrom, kTo);
  const retention = await kpi(server, 'retention', { days: '14' });
  expect(n(expected[1]?.[1])).toBeGreaterThan(100);
  expect(n(expected[5]?.[1])).toBeGreaterThan(0);
  const tiles = await cells(page, 'tile-');
  for (const [id, value, format] of expected) {
    expect(Number(tiles[`tile-${id}`]?.value), id).toBeCloseTo(n(value), 9);
    expect(tiles[`tile-${id}-value`]?.text, id).toBe(formatTile(value, format));
  }
  const none = await trends(page);
  expect(Object.keys(none)).toHaveLength(8);
  for (const [id, t] of Object.entries(none)) {
    expect(t.direction, id).toBe('none');
    expect(t.text, id).toBe('no data vs previous 28 days');
  }

  // Every retention cell, and no others.
  const grid = await cells(page, 'ret-');
  expect(Object.keys(grid)).toHaveLength(retention.length);
  for (const r of retention) {
    const cell = grid[`ret-${String(r['cohort'])}-${n(r['day'])}`];
    expect(Number(cell?.value)).toBeCloseTo(n(r['retention']), 12);
    expect(cell?.text).toBe(formatPercent(n(r['retention'])));
  }

  // Every level of the funnel.
  const progression = await kpi(server, 'progression', {});
  expect(progression.length).toBeGreaterThan(3);
  const funnel = await page.locator('tr[data-testid^="funnel-"]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-testid') ?? '',
      Object.fromEntries([...r.querySelectorAll('td[data-col]')].map((td) => [td.getAttribute('data-col') ?? '', td.textContent]))])),
  );
  expect(Object.keys(funnel)).toHaveLength(progression.length);
  for (const r of progression) {
    const row = funnel[`funnel-${String(r['level'])}`];
    expect(row, `level ${String(r['level'])}`).toEqual(expect.objectContaining({
      players_started: String(r['players_started']),
      players_completed: String(r['players_completed']),
      deaths: String(r['deaths']),
    }));
  }

  // Deaths per level: the level × enemy table's totals are the funnel's deaths.
  for (const r of progression) {
    await expect(page.getByTestId(`death-total-${String(r['level'])}`)).toHaveAttribute('data-value', String(r['deaths']));
  }

  // A panel's SQL, ready for the SQL page.
  await page.getByTestId('sql-button-funnel').click();
  await expect(page.getByTestId('sql-funnel')).toContainText(`lake."${kStream}"`);
  await expect(page.getByTestId('sql-funnel').getByRole('link', { name: 'Open in SQL page' })).toHaveAttribute('href', /^#\/sql\?sql=WITH/);
  await page.getByTestId('sql-button-funnel').click();
  await page.screenshot({ path: path.join(kScreenshots, 'players-full.png'), fullPage: true });
  expect(problems).toEqual([]);
});

test('the trends compare each tile with the previous period of the same length', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  // Two weeks, after two weeks of data: both periods have players.
  const from = '2025-03-15';
  const to = '2025-03-28';
  await page.goto(`${server.url}/#/players?stream=${kStream}&from=${from}&to=${to}`);
  await expect(page.getByTestId('tile-conversion-trend')).toBeVisible();
  await expect(page.getByTestId('panel-tiles')).toContainText('vs previous 14 days (2025-03-01 to 2025-03-14)');
  const now = await expectedTiles(server, from, to);
  const before = await expectedTiles(server, '2025-03-01', '2025-03-14');
  expect(before.rows).toBeGreaterThan(10);
  const shown = await trends(page);
  const tiles = await cells(page, 'tile-');
  const directions = new Set<string>();
  for (const [i, [id, value, format]] of now.tiles.entries()) {
    const previous = before.tiles[i]?.[1] ?? null;
    const trend = shown[`tile-${id}-trend`];
    expect(Number(tiles[`tile-${id}`]?.value), id).toBeCloseTo(n(value), 9);
    if (value === null || previous === null) {
      expect(trend?.direction, id).toBe('none');
      continue;
    }
    const direction = value > previous ? 'up' : value < previous ? 'down' : 'flat';
    directions.add(direction);
    expect(trend?.direction, `${id}: ${value} vs ${previous}`).toBe(direction);
    expect(Number(trend?.previous), id).toBeCloseTo(previous, 9);
    const arrow = { up: '▲', down: '▼', flat: '▬' }[direction];
    const change = format === 'percent'
      ? `${Math.abs((value - previous) * 100).toFixed(1)} pp`
      : (() => {
        const p = Math.abs((value - previous) / previous) * 100;
        return p >= 10 ? `${Math.round(p).toLocaleString('en-US')}%` : `${p.toFixed(1)}%`;
      })();
    expect(trend?.text, id).toBe(`${arrow} ${change} vs previous 14 days`);
    // Up is green, down red.
    const color = await page.getByTestId(`tile-${id}-trend`).locator('.pl-trend-change').evaluate((e) => getComputedStyle(e).color);
    if (direction === 'up') expect(color, id).toBe('rgb(30, 125, 50)');
    if (direction === 'down') expect(color, id).toBe('rgb(198, 40, 40)');
  }
  expect([...directions].sort(), 'the seeded data has tiles going both ways').toEqual(['down', 'up']);
  expect(await page.getByTestId('tiles-partial').count()).toBe(0);
  // The README's picture: the top of the page, its charts drawn.
  await expect(page.getByTestId('data-revenue')).toBeAttached();
  await expect(page.getByTestId('retention-grid')).toBeVisible();
  await page.waitForTimeout(600);
  await shot(page, 'players');

  // A week later, the previous period starts before the stream's first
  // events: the trends say their comparison covers only part of it.
  await page.goto(`${server.url}/#/players?stream=${kStream}&from=2025-03-08&to=2025-03-21`);
  await expect(page.getByTestId('tiles-partial')).toContainText('begin on 2025-03-01, within the previous period (2025-02-22 to 2025-03-07)');
  await expect(page.getByTestId('tile-dau-trend')).toContainText('vs previous 14 days*');
  expect(problems).toEqual([]);
});

test('sessions, LTV and deaths show what /v1/kpis answers', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await open(page, server);
  await expect(page.getByTestId('sessions-total')).toBeVisible();
  await expect(page.getByTestId('deaths-table')).toBeVisible();
  await expect(page.getByTestId('ltv-d7')).toBeVisible();

  // Sessions: the range's totals, and every row of the chart's table.
  const sessions = await kpiAnswer(server, 'sessions', { granularity: 'day' });
  expect(sessions.records.length).toBeGreaterThan(20);
  const count = sessions.records.reduce((a, r) => a + n(r['sessions']), 0);
  const perDau = count / sessions.records.reduce((a, r) => a + n(r['player_days']), 0);
  const avgLength = sessions.records.reduce((a, r) => a + n(r['avg_length_s']) * n(r['sessions']), 0) / count;
  const stats = await cells(page, 'sessions-');
  expect(Number(stats['sessions-total']?.value)).toBe(count);
  expect(stats['sessions-total']?.text).toBe(`${count.toLocaleString('en-US')}sessions`);
  expect(Number(stats['sessions-per-dau']?.value)).toBeCloseTo(perDau, 9);
  expect(stats['sessions-per-dau']?.text).toBe(`${perDau.toFixed(2)}per DAU`);
  expect(Number(stats['sessions-avg-length']?.value)).toBeCloseTo(avgLength, 6);
  expect(stats['sessions-avg-length']?.text).toBe(`${formatDuration(avgLength)}average length`);
  await expectDataTable(page, 'sessions', sessions);

  // LTV: Dn over the cohorts that have reached day n, weighted by size.
  const ltv = await kpiAnswer(server, 'ltv', { days: '30' });
  const chips = await cells(page, 'ltv-d');
  for (const day of [1, 7, 14, 30]) {
    const rows = ltv.records.filter((r) => n(r['day']) === day);
    if (rows.length === 0) {
      expect(chips[`ltv-d${day}`], `D${day}`).toBeUndefined();
      continue;
    }
    const value = rows.reduce((a, r) => a + n(r['revenue']), 0) / rows.reduce((a, r) => a + n(r['cohort_size']), 0);
    expect(Number(chips[`ltv-d${day}`]?.value), `D${day}`).toBeCloseTo(value, 9);
    expect(chips[`ltv-d${day}`]?.text).toBe(`$${value.toFixed(value !== 0 && value < 1 ? 3 : 2)}D${day} LTV`);
  }
  expect(chips['ltv-d7']).toBeDefined();
  await expectDataTable(page, 'ltv', ltv);

  // Deaths: every level × enemy cell, and the position heat map's cells.
  const byEnemy = await kpi(server, 'deaths', { by: 'enemy' });
  expect(byEnemy.length).toBeGreaterThan(5);
  const deathCells = await cells(page, 'death-');
  const enemyCells = Object.keys(deathCells).filter((k) => !k.startsWith('death-total-'));
  expect(enemyCells).toHaveLength(byEnemy.length);
  for (const r of byEnemy) {
    const cell = deathCells[`death-${String(r['level'])}-${String(r['enemy'])}`];
    expect(cell?.value, `${String(r['level'])} × ${String(r['enemy'])}`).toBe(String(r['deaths']));
    expect(cell?.text).toBe(n(r['deaths']).toLocaleString('en-US'));
  }
  const byPosition = await kpiAnswer(server, 'deaths', { by: 'position', cell: '100' });
  const positioned = byPosition.records.reduce((a, r) => a + n(r['deaths']), 0);
  expect(positioned).toBe(byEnemy.reduce((a, r) => a + n(r['deaths']), 0));
  await expect(page.getByTestId('deaths-position-total')).toHaveAttribute('data-value', String(positioned));
  await expectDataTable(page, 'deaths-position', byPosition);
  const level = String(byPosition.records[0]?.['level']);
  await page.getByTestId('deaths-level').selectOption(level);
  const ofLevel = byPosition.records.filter((r) => String(r['level']) === level).reduce((a, r) => a + n(r['deaths']), 0);
  await expect(page.getByTestId('deaths-position-total')).toHaveAttribute('data-value', String(ofLevel));
  // Bigger cells: the page asks again, with cell=250, for the same level.
  await page.getByTestId('deaths-cell').selectOption('250');
  await expect(page).toHaveURL(/cell=250/);
  const coarse = await kpiAnswer(server, 'deaths', { by: 'position', cell: '250' });
  await expect(page.getByTestId('deaths-cell')).toBeEnabled();
  await expect(page.getByTestId('deaths-level')).toHaveValue(level);
  await expect(page.getByTestId('deaths-position-total')).toHaveAttribute('data-value', String(ofLevel));
  await expectDataTable(page, 'deaths-position', coarse);
  await page.getByTestId('deaths-level').selectOption('');
  await expect(page.getByTestId('deaths-position-total')).toHaveAttribute('data-value', String(positioned));
  await expect(page.getByTestId('sessions-total')).toHaveAttribute('data-value', String(count));

  await page.getByTestId('panel-sessions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(kScreenshots, 'players-sessions-ltv.png') });
  await page.getByTestId('panel-deaths').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(kScreenshots, 'players-deaths.png') });

  // The dark theme draws the same panels.
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('deaths-table')).toBeVisible();
  await expect(page.getByTestId('ltv-d7')).toBeVisible();
  await page.screenshot({ path: path.join(kScreenshots, 'players-dark-full.png'), fullPage: true });
  await page.getByRole('button', { name: 'Switch theme' }).click();
  expect(problems).toEqual([]);
});

test('a segment, an empty range and a stream that does not exist', async ({ signedIn: page, server }) => {
  // By platform: a retention row per cohort and platform.
  await open(page, server, '&segment=platform&days=7');
  await expect(page.getByTestId('players-segment')).toHaveValue('platform');
  await expect(page.getByTestId('retention-grid')).toBeVisible();
  const retention = await kpi(server, 'retention', { segment: 'platform', days: '7' });
  const grid = await cells(page, 'ret-');
  expect(Object.keys(grid)).toHaveLength(retention.length);
  for (const r of retention) {
    expect(Number(grid[`ret-${String(r['cohort'])}-${String(r['segment'])}-${n(r['day'])}`]?.value)).toBeCloseTo(n(r['retention']), 12);
  }
  await expect(page.getByTestId('tile-dau')).toBeVisible();

  // Before the data: the empty state says which events are needed.
  await page.getByTestId('players-from').fill('2020-01-01');
  await page.getByTestId('players-to').fill('2020-01-07');
  await expect(page.getByTestId('players-empty')).toContainText('session_start');
  await expect(page.getByTestId('players-empty')).toContainText('No player events in players_test between 2020-01-01 and 2020-01-07');

  // A stream that does not exist: the API's message; the page still works.
  await page.goto(`${server.url}/#/players?stream=no_such_stream&from=${kFrom}&to=${kTo}`);
  await expect(page.getByTestId('error')).toContainText('invalid_kpi_request');
  await expect(page.getByTestId('error')).toContainText('no_such_stream');
  // ...and how to create it.
  await expect(page.getByTestId('players-no-stream')).toContainText('There is no stream no_such_stream yet');
  await expect(page.getByTestId('howto-curl')).toContainText(`${server.url}/v1/streams/no_such_stream/records`);
  await expect(page.getByTestId('howto-generate')).toContainText('gamelake generate -t builtin:sessions --stream no_such_stream');
  // A stream whose events do not follow the convention (the lab's): which
  // column is missing and how to map it.
  await page.goto(`${server.url}/#/players?stream=events&from=${kFrom}&to=${kTo}`);
  await expect(page.getByTestId('error')).toContainText('400 invalid_kpi_request');
  await expect(page.getByTestId('players-mapping-help')).toContainText('events has no column ts');
  await expect(page.getByTestId('players-mapping-help')).toContainText('[kpi.streams.events] ts = ');
  await page.getByTestId('players-stream').selectOption('');
  await expect(page.getByTestId('players-status')).not.toContainText('no_such_stream');
  await expect(page.getByTestId('tile-dau').or(page.getByTestId('players-empty'))).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a panel whose KPI fails says why and what to do; the others still show', async ({ signedIn: page, server }) => {
  const message = 'stream "players_test": the column session_id does not exist (map it with kpi.streams.players_test.session_id)';
  await page.route('**/v1/kpis/sessions?*', (route) => route.fulfill({
    status: 400,
    contentType: 'application/json',
    body: JSON.stringify({ error: 'invalid_kpi_request', message }),
  }));
  await open(page, server);
  const panel = page.getByTestId('panel-sessions');
  await expect(panel.getByTestId('error')).toHaveText(`400 invalid_kpi_request: ${message}`);
  await expect(panel).toContainText('session_id = ""');
  await expect(page.getByTestId('ltv-d7')).toBeVisible();
  await expect(page.getByTestId('deaths-table')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(1);
});
