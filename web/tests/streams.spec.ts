// Streams: the events stream's Monitoring numbers agree with SQL, its recent
// records are the newest rows, and a rejected record shows up among its dead
// letters.
import { test, expect, shot, sql, watchConsole } from './server';
import type { Page } from '@playwright/test';

async function kpi(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

test('events: records in agree with SQL, recent records are the newest, dead letters appear', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  // The demo feed writes ~20 records a second into events.
  await expect.poll(async () => Number((await sql(server, 'SELECT count(*) FROM events')).rows[0]?.[0]), { timeout: 15_000 }).toBeGreaterThan(20);

  await page.goto(`${server.url}/#/streams`);
  await expect(page.getByTestId('stream-row-events')).toBeVisible();
  await page.getByTestId('stream-row-events').getByRole('link', { name: 'events' }).click();
  await expect(page.getByTestId('stream-name')).toHaveText('events');

  // Records in over the last hour (the server's whole life): more than zero,
  // never more than SQL counts afterwards, and of the same order of magnitude.
  await expect.poll(() => kpi(page, 'stream-records-in-total'), { timeout: 15_000 }).toBeGreaterThan(0);
  const recordsIn = await kpi(page, 'stream-records-in-total');
  const count = Number((await sql(server, 'SELECT count(*) FROM events')).rows[0]?.[0]);
  expect(recordsIn).toBeLessThanOrEqual(count);
  expect(recordsIn).toBeGreaterThan(count / 10);
  expect(await kpi(page, 'stream-bytes-in-total')).toBeGreaterThan(recordsIn); // every record is bytes
  expect(await kpi(page, 'stream-delivered-total')).toBeLessThanOrEqual(count);
  await expect.poll(() => page.getByTestId('chart-records-in').getAttribute('data-points').then(Number)).toBeGreaterThan(0);

  // Recent records: the newest rows, newest first.
  const newestBefore = Number((await sql(server, 'SELECT max(_record_id) FROM events')).rows[0]?.[0]);
  await page.getByTestId('recent-refresh').click();
  await expect(page.getByTestId('recent-count')).toHaveText('50 rows');
  const idColumn = await page.getByTestId('recent').locator('thead th').allTextContents();
  const idIndex = idColumn.indexOf('_record_id');
  expect(idIndex).toBeGreaterThanOrEqual(0);
  const idCells = page.getByTestId('recent').locator(`tbody tr td:nth-child(${idIndex + 1})`);
  // The refreshed table (not the one the page opened with) starts at or after SQL's newest.
  await expect.poll(async () => Number(await idCells.first().textContent())).toBeGreaterThanOrEqual(newestBefore);
  const ids = (await idCells.allTextContents()).map(Number);
  expect(ids).toHaveLength(50);
  expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  const present = await sql(server, `SELECT count(*) FROM events WHERE _record_id IN (${ids.join(',')})`);
  expect(Number(present.rows[0]?.[0])).toBe(50);

  // Dead letters: none yet (the demo feed's records are all good); then a
  // record that is not an object is rejected and kept in _errors.
  await expect(page.getByTestId('dead-empty')).toBeVisible();
  const marker = `bad-${Date.now()}`;
  const response = await fetch(`${server.url}/v1/streams/events/records`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.ingestKey}`, 'Content-Type': 'application/x-ndjson' },
    body: `{"PlayerID": 1}\n"${marker}"\n`,
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { failed: number }).failed).toBe(1);
  await expect(async () => {
    await page.getByTestId('dead-refresh').click();
    await expect(page.getByTestId('dead')).toContainText(marker, { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const deadRow = page.getByTestId('dead').locator('tbody tr', { hasText: marker });
  await expect(deadRow).toContainText('not_an_object');
  // The Monitoring tab counts it too once its second is recorded.
  await expect(async () => {
    await page.getByTestId('range-reload').click();
    expect(await kpi(page, 'stream-failed-total')).toBeGreaterThanOrEqual(1);
  }).toPass({ timeout: 15_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'streams-events');
  expect(problems).toEqual([]);
});
