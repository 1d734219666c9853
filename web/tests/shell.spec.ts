// The console's shell against the real server: the demo opens signed in on the
// lab's analysis; keys are checked by the server and kept for the tab only; an
// ingest-only key is refused the admin pages; nothing 404s or throws.
import { test, expect, watchConsole, shot } from './server';

test('serve --demo opens signed in on the lab analysis, with no console errors', async ({ page, server }) => {
  const problems = watchConsole(page);
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId('scope')).toHaveText('admin');
  await expect(page).toHaveURL(/#\/analyses\/lab$/);
  // The key lives in sessionStorage only.
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('gamelake.key'), local: JSON.stringify(localStorage) }));
  expect(stored.session).toBe(server.adminKey);
  expect(stored.local).not.toContain(server.adminKey);
  for (const section of ['metrics', 'sql', 'streams', 'apps', 'generator', 'keys']) {
    await page.getByTestId(`nav-${section}`).click();
    await expect(page.locator('main.page')).toBeVisible();
    await expect(page.getByTestId('not-allowed')).toHaveCount(0);
  }
  expect(problems).toEqual([]);
});

test('a wrong key is refused with the server’s reason; an ingest key sees "not allowed"', async ({ page, server }) => {
  await page.goto(`${server.url}/`);
  await page.getByTestId('scope').waitFor();
  await page.getByTestId('sign-out').click();
  await page.getByTestId('key-input').fill('gl_nope.wrong');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('error')).toContainText('not accepted');
  await shot(page, 'signin');

  await page.getByTestId('key-input').fill(server.ingestKey);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('scope')).toHaveText('ingest');
  for (const section of ['sql', 'analyses', 'keys', 'apps', 'generator', 'streams', 'metrics']) {
    await page.goto(`${server.url}/#/${section}`);
    await expect(page.getByTestId('not-allowed')).toContainText('Not allowed');
  }
  // The server agrees: the same key gets 403 from an admin API.
  const answer = await page.evaluate(async (key) => (await fetch('/v1/keys', { headers: { Authorization: `Bearer ${key}` } })).status, server.ingestKey);
  expect(answer).toBe(403);
  await shot(page, 'not-allowed');
});
