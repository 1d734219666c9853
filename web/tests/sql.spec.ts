// The SQL page (Athena's query editor) against the real server with --demo:
// results match the API's answer for the same SQL, errors are the server's
// and mark their line, views are created and dropped through the UI,
// history, completion, CSV download, and a table's details.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, shot, sql, watchConsole, type Server } from './server';

// The demo's generator writes `events` (20 records a second); wait until it
// holds `n` records (bounded).
async function eventsReady(server: Server, n = 20): Promise<void> {
  await expect
    .poll(
      async () => {
        try {
          const answer = await sql(server, 'SELECT count(*) FROM events');
          return Number(answer.rows[0]?.[0] ?? 0);
        } catch {
          return 0;
        }
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .toBeGreaterThanOrEqual(n);
}

async function api<T>(server: Server, route: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${server.url}${route}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// Opens the console straight on #/sql: under --demo it signs in with the dev
// admin key itself (as the signedIn fixture does, without first drawing the
// lab's analysis, whose charts and queries would only slow these tests).
async function openSql(page: Page, server: Server): Promise<void> {
  await page.goto(`${server.url}/#/sql`);
  await expect(page.getByTestId('scope')).toHaveText('admin');
  await expect(page.getByTestId('sql-editor-input')).toBeVisible();
  // The catalog has loaded (its column lookups feed completion).
  await expect(page.getByTestId('catalog-table-events')).toBeVisible();
}

async function typeQuery(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('sql-editor-input');
  await input.fill(text);
}

const cell = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v));

test.describe('SQL page', () => {
  test.beforeEach(async ({ server }) => {
    await eventsReady(server);
  });

  test('runs a query and shows the rows the API answers', async ({ page, server }) => {
    const problems = watchConsole(page);
    await openSql(page, server);
    // The editor starts with the lab's query when it is empty.
    await expect(page.getByTestId('sql-editor-input')).toHaveValue('SELECT * FROM events WHERE "Time Played" > 3600 LIMIT 100');
    // The first 20 records of events (record ids are the log's, shared with the demo's
    // other stream, so they do not start at 1 here).
    const query = 'SELECT _record_id, PlayerID, "Time Played", Wins, Losses, CaughtAt, CaughtBy\nFROM events\nORDER BY _record_id\nLIMIT 20';
    await typeQuery(page, query);
    await page.getByTestId('sql-editor-input').press('Control+Enter');
    const expected = await sql(server, query);
    expect(expected.rows).toHaveLength(20);
    await expect(page.getByTestId('sql-row-count')).toHaveText(String(expected.rows.length));
    const table = page.getByTestId('sql-results');
    await expect(table.locator('thead th')).toHaveText(expected.columns.map((c) => c.name));
    const shown = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(shown).toEqual(expected.rows.map((r) => r.map(cell)));
    await expect(page.getByTestId('sql-elapsed')).toHaveText(/\d+(\.\d+)? (ms|s)/);
    await expect(page.getByTestId('sql-bytes')).toHaveText(/\d+(\.\d+)? (B|KiB|MiB)/);
    await shot(page, 'sql-editor');
    // The text survives a reload (sessionStorage).
    await page.reload();
    await expect(page.getByTestId('sql-editor-input')).toHaveValue(query);
    expect(problems).toEqual([]);
  });

  test("a bad query shows the server's error and marks its line", async ({ page, server }) => {
    await openSql(page, server);
    const bad = 'SELECT *\nFROM events\nWHERE nosuch_column > 3';
    const answer = await fetch(`${server.url}/v1/query`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ sql: bad }),
    });
    const error = (await answer.json()) as { error: string; message: string };
    expect(answer.status).toBe(400);
    await typeQuery(page, bad);
    await page.getByTestId('sql-run').click();
    const banner = page.getByTestId('sql-results-panel').getByTestId('error');
    await expect(banner).toContainText(`${answer.status} ${error.error}`);
    await expect(banner).toContainText(error.message.split('\n')[0] ?? 'nosuch');
    await expect(page.getByTestId('sql-editor-error')).toHaveText(/^Line 3, column 7: .*nosuch_column/);
    await expect(page.locator('.ce-gutter-error')).toHaveText('3');
    await expect(page.locator('.ce-error-mark')).toHaveText('nosuch_column');
    // Editing clears the mark.
    await page.getByTestId('sql-editor-input').press('End');
    await page.getByTestId('sql-editor-input').press('Backspace');
    await expect(page.locator('.ce-error-mark')).toHaveCount(0);
  });

  test('creates a view from a query, lists it, and drops it', async ({ page, server }) => {
    await openSql(page, server);
    const name = 'spec-long-players';
    const query = 'SELECT PlayerID, "Time Played" FROM events WHERE "Time Played" > 3600';
    await typeQuery(page, query);
    await page.getByTestId('sql-save-view').click();
    await page.getByTestId('view-name-input').fill(name);
    await page.getByTestId('view-create').click();
    const item = page.getByTestId(`catalog-view-${name}`);
    await expect(item).toBeVisible();
    await expect(page.getByTestId(`view-sql-${name}`)).toHaveText(query);
    const views = await api<{ views: { name: string; sql: string }[] }>(server, '/v1/catalog/views');
    expect(views.views.find((v) => v.name === name)?.sql).toBe(query);
    // The view is queryable, with its query's columns.
    const viaView = await sql(server, `SELECT * FROM "${name}" LIMIT 1`);
    expect(viaView.columns.map((c) => c.name)).toEqual(['PlayerID', 'Time Played']);

    await page.getByTestId(`view-drop-${name}`).click();
    await expect(page.getByTestId('drop-view-dialog')).toContainText(`DROP VIEW "${name}"`);
    await page.getByTestId('confirm-drop').click();
    await expect(item).toHaveCount(0);
    const after = await api<{ views: { name: string }[] }>(server, '/v1/catalog/views');
    expect(after.views.map((v) => v.name)).not.toContain(name);
  });

  test('the history lists a query and loads it back into the editor', async ({ page, server }) => {
    await openSql(page, server);
    const query = `SELECT ${Date.now() % 100000} AS marker, count(*) AS n FROM events WHERE _record_id <= 5`;
    await typeQuery(page, query);
    await page.getByTestId('sql-run').click();
    await expect(page.getByTestId('sql-row-count')).toHaveText('1');
    await page.getByTestId('tab-history').click();
    const row = page.getByTestId('history-row').filter({ hasText: query }).first();
    await expect(row).toHaveAttribute('data-state', 'succeeded');
    const list = await api<{ history: { sql: string; rows: number; state: string }[] }>(server, '/v1/queries?limit=100');
    expect(list.history.find((q) => q.sql === query)?.state).toBe('succeeded');
    await expect(row.locator('td').nth(4)).toHaveText('1');
    await page.getByTestId('tab-editor').click();
    await typeQuery(page, 'SELECT 1');
    await page.getByTestId('tab-history').click();
    await page.getByTestId('history-row').filter({ hasText: query }).first().getByRole('button', { name: query }).click();
    await expect(page.getByTestId('sql-editor-input')).toHaveValue(query);
  });

  test("completion offers events' columns, quoted when they need it", async ({ page, server }) => {
    await openSql(page, server);
    const input = page.getByTestId('sql-editor-input');
    await input.fill('');
    await input.pressSequentially('SELECT * FROM events WHERE "Time P');
    const list = page.getByTestId('sql-editor-completions');
    await expect(list).toBeVisible();
    await expect(list.locator('[role=option]').first()).toContainText('Time Played');
    await input.press('Enter');
    await expect(input).toHaveValue('SELECT * FROM events WHERE "Time Played"');
    await input.pressSequentially(' > 3600 AND Los');
    await expect(list.locator('[role=option]').first()).toContainText('Losses');
    await input.press('Tab');
    await expect(input).toHaveValue('SELECT * FROM events WHERE "Time Played" > 3600 AND Losses');
    // Ctrl+Space opens it on demand; Escape closes it.
    await input.pressSequentially(' > 1 ORDER BY Cau');
    await expect(list).toBeVisible();
    await input.press('Escape');
    await expect(list).toBeHidden();
    await input.press('Control+Space');
    await expect(list.locator('[role=option]')).toHaveText([/CaughtAt/, /CaughtBy/]);
    await input.press('ArrowDown');
    await input.press('Enter');
    await expect(input).toHaveValue('SELECT * FROM events WHERE "Time Played" > 3600 AND Losses > 1 ORDER BY CaughtBy');
  });

  test('Download CSV gives the rows of the query', async ({ page, server }) => {
    await openSql(page, server);
    const query = 'SELECT PlayerID, "Time Played", CaughtBy FROM events ORDER BY _record_id LIMIT 15';
    await typeQuery(page, query);
    await page.getByTestId('sql-run').click();
    await expect(page.getByTestId('sql-row-count')).toHaveText('15');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sql-download').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    const expected = await sql(server, query);
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('PlayerID,Time Played,CaughtBy');
    expect(lines.slice(1)).toEqual(expected.rows.map((r) => r.map(cell).join(',')));
  });

  test("a table's details: partitions, files, schema history, unreadable files", async ({ page, server }) => {
    // A hand-dropped table of two partitions, one unreadable file, crawled in.
    const dir = path.join(server.dataDir, 'lake', 'spec_scores');
    mkdirSync(path.join(dir, 'dt=2026-11-29'), { recursive: true });
    mkdirSync(path.join(dir, 'dt=2026-11-30'), { recursive: true });
    writeFileSync(path.join(dir, 'dt=2026-11-29', 'a.ndjson'), '{"player":"ann","Score Total":10}\n{"player":"bob","Score Total":7}\n');
    writeFileSync(path.join(dir, 'dt=2026-11-30', 'b.ndjson'), '{"player":"cy","Score Total":3}\n');
    writeFileSync(path.join(dir, 'dt=2026-11-30', 'broken.ndjson'), 'not json {\n');
    await api(server, '/v1/catalog/crawl', { method: 'POST' });
    const detail = await api<{ rows: number; partitions: unknown[]; schema_history: unknown[]; bad_files: { path: string }[] }>(server, '/v1/catalog/tables/spec_scores');

    await openSql(page, server);
    const item = page.getByTestId('catalog-table-spec_scores');
    await expect(item).toContainText(`${detail.rows} rows`);
    await item.getByRole('button', { name: 'Expand spec_scores' }).click();
    await expect(page.getByTestId('catalog-column-spec_scores-Score Total')).toBeVisible();
    // Clicking a column inserts its quoted name at the cursor.
    const input = page.getByTestId('sql-editor-input');
    await input.fill('SELECT  FROM spec_scores');
    await input.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(7, 7));
    await page.getByTestId('catalog-column-spec_scores-Score Total').click();
    await expect(input).toHaveValue('SELECT "Score Total" FROM spec_scores');

    await page.getByTestId('catalog-details-spec_scores').click();
    const panel = page.getByTestId('table-detail');
    await expect(panel.getByTestId('detail-rows')).toHaveText(String(detail.rows));
    await expect(panel.getByTestId('detail-partitions')).toHaveText(String(detail.partitions.length));
    await expect(panel.getByTestId('detail-partitions-table').locator('tbody tr')).toHaveCount(detail.partitions.length);
    await expect(panel.getByTestId('detail-partitions-table').locator('tbody tr').first()).toContainText('2026-11-29');
    await expect(panel.getByTestId('detail-files-table').locator('tbody tr')).toHaveCount(2);
    await expect(panel.getByTestId('detail-schema-table').locator('tbody tr')).toHaveCount(detail.schema_history.length);
    await expect(panel.getByTestId('detail-bad-files')).toContainText(detail.bad_files[0]?.path ?? 'broken.ndjson');
    await shot(page, 'sql-catalog');
    // Preview runs SELECT * … LIMIT 10 over it.
    await panel.getByTestId('detail-preview').click();
    await expect(page.getByTestId('sql-row-count')).toHaveText(String(detail.rows));
  });

  test('Cancel stops a long query on the server', async ({ page, server }) => {
    await openSql(page, server);
    const slow = 'SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3';
    await typeQuery(page, slow);
    await page.getByTestId('sql-run').click();
    await expect(page.getByTestId('sql-cancel')).toBeEnabled();
    await expect.poll(async () => (await api<{ running: { sql: string }[] }>(server, '/v1/queries?limit=1')).running.some((q) => q.sql === slow)).toBe(true);
    await page.getByTestId('sql-cancel').click();
    await expect(page.getByTestId('sql-status')).toHaveText(/Cancelled \(query #\d+ stopped on the server\)/);
    await expect
      .poll(async () => (await api<{ history: { sql: string; state: string }[] }>(server, '/v1/queries?limit=100')).history.find((q) => q.sql === slow)?.state)
      .toBe('cancelled');
    await expect(page.getByTestId('sql-run')).toBeEnabled();
  });
});
