// The Players page against the real server: a seeded month of builtin:sessions
// players (gamelake generate --seed 1) in a stream of its own, and a fixed
// past range, so the numbers do not move while the test reads them. The
// tiles, every retention cell and every funnel level are checked against
// /v1/kpis answered for the same parameters; then a segment, an empty range
// and a stream that does not exist.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, sql, shot, watchConsole, kRepo, type Server } from './server';
import { formatPercent, formatTile } from '../src/players/kpi';

const kStream = 'players_test';
const kFrom = '2025-03-01';
const kTo = '2025-03-28';
const kRecords = 20_000;

interface Answer {
  columns: { name: string }[];
  rows: unknown[][];
}

async function kpi(server: Server, name: string, params: Record<string, string>): Promise<Record<string, unknown>[]> {
  const query = new URLSearchParams({ stream: kStream, from: kFrom, to: kTo, ...params });
  const response = await fetch(`${server.url}/v1/kpis/${name}?${query.toString()}`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  expect(response.ok, await response.clone().text()).toBe(true);
  const answer = (await response.json()) as Answer;
  return answer.rows.map((row) => Object.fromEntries(answer.columns.map((c, i) => [c.name, row[i]])));
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

test('tiles, the retention heat map and the funnel show what /v1/kpis answers', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await open(page, server);
  await expect(page.getByTestId('players-status')).toContainText(`${kStream} · ${kFrom} to ${kTo}`);
  await expect(page.getByTestId('tile-conversion')).toBeVisible();
  await expect(page.getByTestId('retention-grid')).toBeVisible();
  await expect(page.getByTestId('funnel-table')).toBeVisible();

  // The tiles, computed here from the API's rows.
  const stickiness = await kpi(server, 'stickiness', {});
  const retention = await kpi(server, 'retention', { days: '14' });
  const revenue = await kpi(server, 'revenue', { granularity: 'day' });
  const last = stickiness[stickiness.length - 1] ?? {};
  const weighted = (day: number): number => {
    const rows = retention.filter((r) => n(r['day']) === day);
    return rows.reduce((a, r) => a + n(r['retained_players']), 0) / rows.reduce((a, r) => a + n(r['cohort_size']), 0);
  };
  const total = (c: string): number => revenue.reduce((a, r) => a + n(r[c]), 0);
  const expected: [string, number, 'count' | 'percent' | 'money'][] = [
    ['dau', n(last['dau']), 'count'],
    ['mau', n(last['mau']), 'count'],
    ['stickiness', n(last['stickiness']), 'percent'],
    ['d1', weighted(1), 'percent'],
    ['d7', weighted(7), 'percent'],
    ['revenue', total('revenue'), 'money'],
    ['arpdau', total('revenue') / total('player_days'), 'money'],
    ['conversion', total('paying_players') / total('active_players'), 'percent'],
  ];
  expect(n(last['mau'])).toBeGreaterThan(100);
  expect(total('revenue')).toBeGreaterThan(0);
  const tiles = await cells(page, 'tile-');
  for (const [id, value, format] of expected) {
    expect(Number(tiles[`tile-${id}`]?.value), id).toBeCloseTo(value, 9);
    expect(tiles[`tile-${id}-value`]?.text, id).toBe(formatTile(value, format));
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

  // A panel's SQL, ready for the SQL page.
  await page.getByTestId('sql-button-funnel').click();
  await expect(page.getByTestId('sql-funnel')).toContainText(`lake."${kStream}"`);
  await expect(page.getByTestId('sql-funnel').getByRole('link', { name: 'Open in SQL page' })).toHaveAttribute('href', /^#\/sql\?sql=WITH/);
  await page.getByTestId('sql-button-funnel').click();
  await shot(page, 'players');
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
  await page.getByTestId('players-stream').selectOption('');
  await expect(page.getByTestId('players-status')).not.toContainText('no_such_stream');
  await expect(page.getByTestId('tile-dau').or(page.getByTestId('players-empty'))).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(0);
});
