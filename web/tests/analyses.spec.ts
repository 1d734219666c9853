// The Analyses page against the real server: the lab's four visuals (Task 8)
// checked against SQL on the same view, a visual built through the UI, a
// calculated field's live validation, save/reload, export, delete, and a bad
// import. The generator keeps writing, so every comparison is pinned to the
// records ingested before a cutoff (?to=<cutoff> in the URL, the same
// condition in the SQL).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, sql, shot, watchConsole, type Server } from './server';
import { formatValue } from '../src/analysis/shape';

const here = path.dirname(fileURLToPath(import.meta.url));
const kLab = readFileSync(path.join(here, '..', 'public', 'analyses', 'lab.json'), 'utf8');

async function call(server: Server, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

let cutoff = '';
let analysesApi = true;

// The view and the lab's analysis: installed by --demo, or made here.
test.beforeAll(async ({ server }) => {
  const views = (await (await call(server, 'GET', '/v1/catalog/views')).json()) as { views: { name: string }[] };
  if (!views.views.some((v) => v.name.toLowerCase() === 'data-view')) {
    await sql(server, `CREATE VIEW "data-view" AS SELECT * FROM events WHERE "Time Played" > 3600`);
  }
  const stored = await call(server, 'GET', '/v1/analyses/lab');
  if (stored.status === 404) {
    const put = await call(server, 'PUT', '/v1/analyses/lab', kLab);
    if (put.status === 404) analysesApi = false; // an older server: the page falls back to lab.json
    else expect(put.ok, await put.text()).toBe(true);
  }
  // Enough records in the view, then the cutoff: everything ingested before it is visible now.
  // (--demo's view binds once the stream's table exists, a moment after start.)
  const count = async (): Promise<number> => {
    try {
      return Number((await sql(server, 'SELECT count(*) FROM "data-view"')).rows[0]?.[0]);
    } catch {
      return 0;
    }
  };
  await expect.poll(count, { timeout: 20_000 }).toBeGreaterThan(30);
  const max = await sql(server, 'SELECT max(_ingest_time) FROM events');
  cutoff = String(max.rows[0]?.[0]);
});

const where = (): string => `WHERE _ingest_time < TIMESTAMP '${cutoff}'`;

async function visualData(page: Page, id: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  await expect(page.getByTestId(`visual-${id}`)).toHaveAttribute('data-state', 'ready');
  return JSON.parse((await page.getByTestId(`visual-data-${id}`).textContent()) ?? '{}') as { columns: string[]; rows: unknown[][] };
}

const labels = (rows: unknown[][]): unknown[][] => rows.map((r) => r.map((v, i) => (i < r.length - 1 ? String(v) : Number(v))));

async function openLab(page: Page, server: Server): Promise<void> {
  await page.goto(`${server.url}/#/analyses/lab?to=${encodeURIComponent(cutoff)}`);
  await expect(page.getByTestId('analysis-name')).toHaveValue('Serverless analytics lab');
}

test("the lab's four visuals show what SQL answers on the view", async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await openLab(page, server);

  // (1) Vertical bar: count of records by CaughtBy.
  const caughtBy = await visualData(page, 'caught-by');
  expect(caughtBy.columns).toEqual(['CaughtBy', 'Count of records']);
  const bySql = await sql(server, `SELECT CaughtBy, count(*) FROM "data-view" ${where()} GROUP BY 1 ORDER BY 1`);
  expect(caughtBy.rows).toEqual(labels(bySql.rows));
  expect(bySql.rows.length).toBeGreaterThan(1);

  // (2) Heat map: CaughtAt × CaughtBy cells.
  const heat = await visualData(page, 'where-by-whom');
  const heatSql = await sql(server, `SELECT CaughtAt, CaughtBy, count(*) FROM "data-view" ${where()} GROUP BY ALL ORDER BY 1, 2`);
  expect(heat.rows).toEqual(labels(heatSql.rows));

  // (3) Horizontal bar: the ten players with the most losses.
  const losers = await visualData(page, 'losses-per-player');
  const losersSql = await sql(server, `SELECT PlayerID, sum(Losses) AS l FROM "data-view" ${where()} GROUP BY 1 ORDER BY l DESC, PlayerID LIMIT 10`);
  expect(losers.rows).toEqual(labels(losersSql.rows));
  expect(losers.rows).toHaveLength(10);

  // (4) KPI: avg({wins} / {losses}) as a percent, finite (division by zero is NULL).
  const ratio = Number((await sql(server, `SELECT avg(Wins::DOUBLE / NULLIF(Losses, 0)) FROM "data-view" ${where()}`)).rows[0]?.[0]);
  expect(Number.isFinite(ratio)).toBe(true);
  await expect(page.getByTestId('kpi-win-loss')).toHaveText(formatValue(ratio, { style: 'percent', decimals: 2 }));
  await expect(page.getByTestId('kpi-win-loss')).toHaveText(/^\d+\.\d\d%$/);

  // The charts are drawn (canvas), and a filter narrows every visual.
  await expect(page.locator('[data-testid="visual-caught-by"] canvas').first()).toBeVisible();
  await page.getByTestId('add-filter').click();
  await page.getByTestId('filter-field').selectOption('CaughtBy');
  await page.getByTestId('filter-op').selectOption('=');
  await page.getByTestId('filter-value').fill('2');
  await page.getByTestId('filter-dialog-ok').click();
  await expect(page.getByTestId('filter-0')).toContainText('CaughtBy = 2');
  await expect.poll(async () => (await visualData(page, 'caught-by')).rows).toEqual(labels(bySql.rows.filter((r) => r[0] === 2)));

  // The README's picture: the lab as it opens.
  await page.goto(`${server.url}/#/analyses/lab`);
  for (const id of ['caught-by', 'where-by-whom', 'losses-per-player', 'win-loss']) {
    await expect(page.getByTestId(`visual-${id}`)).toHaveAttribute('data-state', 'ready');
  }
  await page.mouse.move(0, 0);
  await page.waitForTimeout(400); // let the charts' entry animation finish for the picture
  await shot(page, 'analyses-lab');
  if (analysesApi) expect(problems).toEqual([]);
});

test('a visual built in the UI, a calculated field, save as, reload, export and delete', async ({ signedIn: page, server }) => {
  test.skip(!analysesApi, 'this server has no /v1/analyses');
  await openLab(page, server);
  await expect(page.getByTestId('visual-caught-by')).toHaveAttribute('data-state', 'ready');

  // A pie of CaughtBy through the builder.
  await page.getByTestId('add-visual').click();
  const panel = page.locator('.an-visual.selected');
  const id = ((await panel.getAttribute('data-testid')) ?? '').replace(/^visual-/, '');
  expect(id).not.toBe('');
  await page.getByTestId('type-pie').click();
  await page.getByTestId('well-x').selectOption('CaughtBy');
  await page.getByTestId('visual-title').fill('Share of catches');
  const pieSql = await sql(server, `SELECT CaughtBy, count(*) AS n FROM "data-view" ${where()} GROUP BY 1 ORDER BY n DESC, CaughtBy`);
  await expect.poll(async () => (await visualData(page, id)).rows).toEqual(labels(pieSql.rows));
  await expect(page.getByTestId(`visual-${id}`)).toContainText('Share of catches');
  await page.getByTestId(`visual-${id}`).scrollIntoViewIfNeeded();
  await shot(page, 'analyses-builder');
  await page.getByTestId('builder-done').click();

  // A calculated field: the parse error at its position, then a valid aggregate.
  await page.getByTestId('add-calc').click();
  await page.getByTestId('calc-name').fill('Ratio');
  await page.getByTestId('calc-formula').fill('sum({wins}) / ');
  await expect(page.getByTestId('calc-error')).toHaveText('line 1, column 15: expected a value but found the end of the formula');
  await page.getByTestId('calc-formula').fill('sum({wins}) / sum({losses})');
  await expect(page.getByTestId('calc-status')).toContainText('Valid');
  await page.getByTestId('calc-dialog-ok').click();
  await expect(page.getByTestId('dirty')).toBeVisible();

  // Save as a new analysis; the URL is the new one; a reload keeps the pie.
  await page.getByTestId('save-as').click();
  await page.getByTestId('name-input').fill('Lab with a pie');
  await page.getByTestId('name-dialog-ok').click();
  await expect(page).toHaveURL(/#\/analyses\/lab-with-a-pie-[a-z0-9]+$/);
  const savedId = decodeURIComponent(new URL(page.url()).hash.replace('#/analyses/', ''));
  await page.reload();
  await expect(page.getByTestId('analysis-name')).toHaveValue('Lab with a pie');
  expect((await visualData(page, id)).rows).toEqual(labels(pieSql.rows));
  await expect(page.getByTestId('field-list').locator('..')).toContainText('Ratio');
  const stored = (await (await call(server, 'GET', `/v1/analyses/${savedId}`)).json()) as { visuals: { id: string; type: string }[]; name: string };
  expect(stored.name).toBe('Lab with a pie');
  expect(stored.visuals.map((v) => v.type)).toEqual(['bar', 'heatmap', 'hbar', 'kpi', 'pie']);

  // Export JSON: the document with its visuals and calculated fields.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const file = await (await downloading).path();
  const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: number; visuals: { id: string }[]; calculatedFields: { name: string }[] };
  expect(exported.format).toBe(1);
  expect(exported.visuals.map((v) => v.id)).toEqual(['caught-by', 'where-by-whom', 'losses-per-player', 'win-loss', id]);
  expect(exported.calculatedFields.map((c) => c.name)).toEqual(['WinLoss', 'Ratio']);

  // The list shows it; Delete removes it from the server.
  await page.goto(`${server.url}/#/analyses`);
  await expect(page.getByTestId(`analysis-row-${savedId}`)).toContainText('Lab with a pie');
  await page.getByTestId(`delete-${savedId}`).click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId(`analysis-row-${savedId}`)).toHaveCount(0);
  expect((await call(server, 'GET', `/v1/analyses/${savedId}`)).status).toBe(404);
});

test('a bad document or a missing analysis is a clear error, not a blank page', async ({ signedIn: page, server }) => {
  await page.goto(`${server.url}/#/analyses`);
  await page.getByTestId('import-json-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": 1, "dataset": {"kind": "table"}}') });
  await expect(page.getByTestId('error')).toContainText('name: must be a non-empty string');
  await expect(page.getByTestId('error')).toContainText('dataset.name: must be a non-empty string');
  await page.goto(`${server.url}/#/analyses/no-such-analysis`);
  await expect(page.getByTestId('error')).toContainText('no-such-analysis');
});
