// The streaming apps page against the demo server, whose `serverless-analytics-stream`
// runs the lab's Task 9 SQL (src/streaming/lab_task9.h): the in-application
// stream "data_stream" gets the source's rows with "Losses" > 10.
import type { Locator, Page } from '@playwright/test';
import { test, expect, shot, sql, type Server } from './server';

const kLab = 'serverless-analytics-stream';

interface AppAnswer {
  application: { sql: string; version: number; code_version: number; destinations: string[]; reference_data: { name: string; bytes: number }[] };
  status: { state: string; rows_out: number };
}

async function getApp(server: Server, name: string): Promise<{ status: number; app?: AppAnswer }> {
  const response = await fetch(`${server.url}/v1/apps/${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  if (!response.ok) return { status: response.status };
  return { status: response.status, app: (await response.json()) as AppAnswer };
}

async function liveCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('live-count').textContent())?.replaceAll(',', ''));
}

// The live table's values of one column, by its header.
async function columnValues(table: Locator, column: string): Promise<string[]> {
  const headers = await table.locator('thead th').allTextContents();
  const index = headers.indexOf(column);
  expect(index, `column ${column} in ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return table.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents();
}

test('the lab application\'s rows arrive live in data_stream, filtered as its SQL says', async ({ signedIn: page, server }) => {
  await page.goto(`${server.url}/#/apps/${kLab}`);
  await expect(page.getByTestId('app-state')).toHaveText('RUNNING');
  await expect(page.getByTestId('stream-tab-data_stream')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('stream-tab-error_stream')).toBeVisible();

  // Rows keep arriving (the demo feeds `events` at 20 records a second).
  await expect.poll(() => liveCount(page)).toBeGreaterThan(3);
  const first = await liveCount(page);
  await expect.poll(() => liveCount(page)).toBeGreaterThan(first);

  const table = page.getByTestId('live-rows');
  expect(await table.locator('thead th').allTextContents()).toEqual(['ROWTIME', 'PlayerID', 'Wins', 'Losses', 'COL_TimePlayed', 'CaughtAt', 'CaughtBy']);
  const losses = (await columnValues(table, 'Losses')).map(Number);
  expect(losses.length).toBeGreaterThan(0);
  expect(losses.length).toBeLessThanOrEqual(200);
  for (const l of losses) expect(l).toBeGreaterThan(10); // WHERE "Losses" > 10
  const times = await columnValues(table, 'ROWTIME');
  expect([...times].sort().reverse()).toEqual(times); // newest first

  // The application produced at least what this page saw.
  const { app } = await getApp(server, kLab);
  expect(app?.status.rows_out).toBeGreaterThanOrEqual(first);
  await shot(page, 'apps-editor');
});

test('a save with an unknown column shows the error at its line:column and the app runs on unchanged', async ({ signedIn: page, server }) => {
  const before = (await getApp(server, kLab)).app;
  expect(before?.status.state).toBe('RUNNING');
  await page.goto(`${server.url}/#/apps/${kLab}`);
  const editor = page.getByTestId('sql-editor-input');
  await expect(editor).toHaveValue(before?.application.sql ?? '');

  // Line 2 selects a column SOURCE_SQL_STREAM_001 does not have.
  const broken = [
    'CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER);',
    'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream" SELECT STREAM "Nope" FROM "SOURCE_SQL_STREAM_001";',
  ].join('\n');
  const column = (broken.split('\n')[1] ?? '').indexOf('"Nope"') + 1;
  await editor.fill(broken);
  await page.getByTestId('save-run').click();
  const error = page.getByTestId('sql-editor-error');
  await expect(error).toContainText(`Line 2, column ${column}:`);
  await expect(error).toContainText('Nope');
  // The editor selects the offending name.
  const selected = await editor.evaluate((e: HTMLTextAreaElement) => e.value.slice(e.selectionStart, e.selectionEnd));
  expect(selected).toBe('"Nope"');

  // The server kept the old definition, still running, and its rows still come.
  const after = (await getApp(server, kLab)).app;
  expect(after?.application.sql).toBe(before?.application.sql);
  expect(after?.application.version).toBe(before?.application.version);
  expect(after?.status.state).toBe('RUNNING');
  const seen = await liveCount(page);
  await expect.poll(() => liveCount(page)).toBeGreaterThan(seen);
});

test('create a filter application in the UI, see it RUNNING with its rows, give it a destination and a reference table, then delete it', async ({ signedIn: page, server }) => {
  const name = `ui-filter-${Date.now() % 1_000_000}`;
  await page.goto(`${server.url}/#/apps`);
  await expect(page.getByTestId(`app-row-${kLab}`)).toContainText('RUNNING');
  await page.getByTestId('create-app').click();
  await page.getByTestId('new-app-name').fill(name);
  await page.getByTestId('new-app-source').fill('events');
  await page.getByTestId('new-app-discover').click();
  // Discovery names "Time Played" as KDA did, and the template follows the columns.
  await expect(page.getByTestId('discovered-columns')).toContainText('COL_TimePlayed');
  await expect(page.getByTestId('new-app-sql-input')).toHaveValue(/"COL_TimePlayed" INTEGER/);
  await page.getByTestId('new-app-sql-input').fill(
    [
      'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("PlayerID" INTEGER, "Wins" INTEGER);',
      'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"',
      'SELECT STREAM "PlayerID", "Wins" FROM "SOURCE_SQL_STREAM_001" WHERE "Wins" >= 3;',
    ].join('\n'),
  );
  await page.getByTestId('new-app-submit').click();

  await expect(page).toHaveURL(new RegExp(`#/apps/${name}$`));
  await expect(page.getByTestId('app-state')).toHaveText('RUNNING');
  expect((await getApp(server, name)).app?.status.state).toBe('RUNNING');
  await expect(page.getByTestId('stream-tab-DESTINATION_SQL_STREAM')).toHaveAttribute('aria-selected', 'true');
  await expect.poll(() => liveCount(page)).toBeGreaterThan(0);
  const wins = (await columnValues(page.getByTestId('live-rows'), 'Wins')).map(Number);
  expect(wins.length).toBeGreaterThan(0);
  for (const w of wins) expect(w).toBeGreaterThanOrEqual(3);

  // A stream destination and a reference table, added here, saved with the code.
  const out = `ui_out_${Date.now() % 1_000_000}`;
  await page.getByTestId('destination-input').fill(`DESTINATION_SQL_STREAM=stream:${out}`);
  await page.getByTestId('destination-add').click();
  await expect(page.getByTestId('destinations')).toContainText(`stream:${out}`);
  const csv = 'Wins,Label\n3,good\n4,great\n5,best\n';
  await page.getByTestId('reference-file').setInputFiles({ name: 'win labels.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('reference-data')).toContainText('win_labels');
  await page.getByTestId('save-run').click();
  await expect(page.getByTestId('app-version')).toContainText('version 2');
  const saved = (await getApp(server, name)).app;
  expect(saved?.application.destinations).toEqual([`DESTINATION_SQL_STREAM=stream:${out}`]);
  expect(saved?.application.reference_data).toEqual([{ name: 'win_labels', bytes: csv.length }]);
  // The destination stream fills with the filter's rows.
  await expect.poll(async () => {
    try {
      const r = await sql(server, `SELECT count(*), min("Wins") FROM ${out}`);
      return Number(r.rows[0]?.[0]) > 0 && Number(r.rows[0]?.[1]) >= 3;
    } catch {
      return false; // no table until its first row
    }
  }, { timeout: 20_000 }).toBe(true);

  await page.getByTestId('app-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page).toHaveURL(/#\/apps$/);
  await expect(page.getByTestId(`app-row-${kLab}`)).toBeVisible();
  await expect(page.getByTestId(`app-row-${name}`)).toHaveCount(0);
  expect((await getApp(server, name)).status).toBe(404);
});
