// The keys page: a key created in the UI shows its secret once, works, is
// listed by the API, and is refused once revoked; an ingest key signed in
// sees the admin pages' "not allowed" panel.
import { test, expect, shot, type Server } from './server';

interface KeyInfo {
  id: string;
  name: string;
  scope: string;
  streams: string[];
  rate_records_per_s: number;
  revoked_at: string | null;
}

async function listKeys(server: Server): Promise<KeyInfo[]> {
  const response = await fetch(`${server.url}/v1/keys`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: KeyInfo[] }).keys;
}

async function postRecord(server: Server, key: string, stream: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/streams/${stream}/records`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ from: 'keys.spec', n: 1 }),
  });
  return response.status;
}

test('an ingest key created in the UI is shown once, works, is listed, and is refused once revoked', async ({ signedIn: page, server }) => {
  const name = `spec-ingest-${Date.now() % 1_000_000}`;
  await page.goto(`${server.url}/#/keys`);
  await expect(page.getByTestId('keys-table')).toContainText('dev-admin');
  await page.getByTestId('create-key').click();
  await page.getByTestId('key-name').fill(name);
  await page.getByTestId('key-scope').selectOption('ingest');
  await page.getByTestId('key-streams').fill('keys_spec');
  await page.getByTestId('key-rate-records').fill('500');
  await page.getByTestId('key-create-submit').click();

  const secretBox = page.getByTestId('new-key-secret');
  await expect(secretBox).toHaveText(/^GLK[A-Z2-7]{17}\.[A-Za-z0-9_-]{40}$/);
  await expect(page.getByTestId('new-key')).toContainText('only time');
  const key = (await secretBox.textContent()) ?? '';
  const id = key.split('.')[0] ?? '';
  await expect(page.getByTestId(`key-row-${id}`)).toContainText(name);
  await shot(page, 'keys');

  // It works for its stream, and only there.
  expect(await postRecord(server, key, 'keys_spec')).toBe(200);
  expect(await postRecord(server, key, 'events')).toBe(403);
  const info = (await listKeys(server)).find((k) => k.id === id);
  expect(info).toMatchObject({ name, scope: 'ingest', streams: ['keys_spec'], rate_records_per_s: 500, revoked_at: null });

  // Shown once: after Done and a reload, the secret is nowhere on the page.
  await page.getByTestId('dismiss-key').click();
  await page.reload();
  await expect(page.getByTestId(`key-row-${id}`)).toBeVisible();
  expect(await page.content()).not.toContain(key.split('.')[1]);

  // Revoke (after the confirm): the table says so and the server refuses the key.
  await page.getByTestId(`revoke-${id}`).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(id);
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId(`key-state-${id}`)).toContainText('revoked');
  await expect.poll(() => postRecord(server, key, 'keys_spec')).toBe(401);
  expect((await listKeys(server)).find((k) => k.id === id)?.revoked_at).not.toBeNull();
});

test('signed in with an ingest key, the admin pages show "not allowed"', async ({ signedIn: page, server }) => {
  // An ingest key like the one above, made through the same API.
  const created = await fetch(`${server.url}/v1/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'spec-ingest-signin', scope: 'ingest', streams: ['keys_spec'] }),
  });
  expect(created.status).toBe(201);
  const { key } = (await created.json()) as { key: string };

  await page.goto(`${server.url}/#/keys`);
  await page.getByTestId('sign-out').click();
  await page.getByTestId('key-input').fill(key);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('scope')).toHaveText('ingest');
  for (const route of ['keys', 'apps', 'generator']) {
    await page.goto(`${server.url}/#/${route}`);
    await expect(page.getByTestId('not-allowed')).toBeVisible();
    await expect(page.getByTestId('keys-table')).toHaveCount(0);
  }
});
