// The generator page: builtin:lab's preview, and a job of 200 records into
// gen_test whose live count reaches 200 (done) — and SQL over gen_test agrees.
import { test, expect, shot, sql } from './server';

test('builtin:lab previews 5 lab records', async ({ signedIn: page, server }) => {
  await page.goto(`${server.url}/#/generator`);
  await expect(page.getByTestId('template-builtin-lab')).toBeChecked();
  await page.getByTestId('test-template').click();
  const records = page.getByTestId('preview-record');
  await expect(records).toHaveCount(5);
  for (const text of await records.allTextContents()) {
    const record = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['PlayerID', 'Time Played', 'Wins', 'Losses', 'CaughtAt', 'CaughtBy']);
    expect(record['Wins']).toBeGreaterThanOrEqual(0);
    expect(record['Wins']).toBeLessThanOrEqual(5);
  }
  // The custom template starts as the lab's KDG template.
  await page.getByTestId('template-custom').check();
  await expect(page.getByTestId('template-text')).toHaveValue(/"Time Played":\{\{random\.number\(100000\)\}\}/);
});

test('a job of 200 records into gen_test counts up to 200, is done, and SQL sees 200 rows', async ({ signedIn: page, server }) => {
  await page.goto(`${server.url}/#/generator`);
  await page.getByTestId('gen-stream').fill('gen_test');
  await page.getByTestId('gen-rate').fill('100');
  await page.getByTestId('gen-count').fill('200');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/generator/jobs') && r.request().method() === 'POST'),
    page.getByTestId('send-data').click(),
  ]);
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await expect(page.getByTestId(`job-row-${id}`)).toContainText('gen_test');
  await expect(page.getByTestId(`job-sent-${id}`)).toHaveText('200');
  await expect(page.getByTestId(`job-state-${id}`)).toHaveText('done');
  await shot(page, 'generator');

  await expect
    .poll(async () => Number((await sql(server, 'SELECT count(*) AS n FROM gen_test')).rows[0]?.[0]), { timeout: 30_000 })
    .toBe(200);
});
