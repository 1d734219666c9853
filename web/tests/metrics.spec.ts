// Live metrics: the lab's dashboard draws wins and losses live (points keep
// arriving over GET /v1/metrics/live, and the newest value is the store's),
// the metrics browser finds the pipeline's own metrics and adds them to a new
// dashboard, and the server's refusals are shown.
import { test, expect, shot, watchConsole, type Server } from './server';
import type { Page } from '@playwright/test';

interface Datapoint {
  Timestamp: number;
  Sum?: number;
  ExtendedStatistics?: Record<string, number>;
}

async function statistics(server: Server, body: object): Promise<Datapoint[]> {
  const response = await fetch(`${server.url}/v1/metrics/statistics`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`statistics ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { Datapoints: Datapoint[] }).Datapoints;
}

async function points(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-points'));
}

// The newest value a widget shows, with the period it belongs to, read at once.
async function lastShown(page: Page, testid: string): Promise<{ t: number; v: number }> {
  return page.getByTestId(testid).evaluate((el) => ({ t: Number(el.getAttribute('data-timestamp')), v: Number(el.textContent.replaceAll(',', '')) }));
}

test('the lab dashboard draws wins and losses live, and the newest value is the store\'s', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await page.goto(`${server.url}/#/metrics/serverless-analytics`);
  await expect(page.getByTestId('dashboard-name')).toHaveText('serverless-analytics');
  // The body's own range (-PT1M) and liveData: true.
  await expect(page.getByTestId('range-1m')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('range-live')).toBeChecked();
  await expect(page.getByTestId('live-status')).toContainText('2 streams'); // wins and losses, each with Sum and p90
  for (const testid of ['widget-0', 'widget-1']) {
    await expect(page.getByTestId(testid)).toBeVisible();
  }
  // Live: the stacked chart gains points, and keeps gaining them.
  await expect.poll(() => points(page, 'widget-0'), { timeout: 20_000 }).toBeGreaterThan(0);
  let seen = await points(page, 'widget-0');
  for (let i = 0; i < 2; i += 1) {
    const before = await lastShown(page, 'widget-0-last');
    await expect.poll(async () => (await lastShown(page, 'widget-0-last')).t, { timeout: 15_000 }).toBeGreaterThan(before.t);
    seen = Math.max(seen, await points(page, 'widget-0'));
  }
  expect(seen).toBeGreaterThan(0);
  await expect.poll(() => points(page, 'widget-1'), { timeout: 15_000 }).toBeGreaterThan(0);

  // The newest wins Sum shown is the store's for that second (the store may
  // hold more if puts of that second came late, never less).
  const shown = await lastShown(page, 'widget-0-last');
  expect(shown.t).toBeGreaterThan(Date.now() / 1000 - 120);
  const [point] = await statistics(server, {
    Namespace: 'serverless-analytics-demo', MetricName: 'wins', StartTime: shown.t, EndTime: shown.t + 1, Period: 1, Statistics: ['Sum'],
  });
  expect(point?.Timestamp).toBe(shown.t);
  expect(point?.Sum ?? -1).toBeGreaterThanOrEqual(shown.v);
  // And the p90 widget's newest value is a p90 the store has for its second.
  const p90 = await lastShown(page, 'widget-1-last');
  const [p90Point] = await statistics(server, {
    Namespace: 'serverless-analytics-demo', MetricName: 'wins', StartTime: p90.t, EndTime: p90.t + 1, Period: 1, ExtendedStatistics: ['p90'],
  });
  expect(p90Point?.Timestamp).toBe(p90.t);
  await shot(page, 'metrics-dashboard');

  // Turning live data off stops the stream; a longer preset reloads the history.
  await page.getByTestId('range-live').uncheck();
  await expect(page.getByTestId('live-status')).toHaveText('');
  await page.getByTestId('range-5m').click();
  await expect(page).toHaveURL(/range=5m/);
  await expect.poll(() => points(page, 'widget-0')).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('the metrics browser finds IncomingRecords of events and adds it to a new dashboard', async ({ signedIn: page, server }) => {
  const problems = watchConsole(page);
  await page.goto(`${server.url}/#/metrics?view=browse`);
  await page.getByTestId('browser-ns-gamelake/Streams').click();
  await page.getByTestId('browser-search').fill('IncomingRecords');
  const row = page.locator('[data-testid="browser-metric"][data-metric-name="IncomingRecords"][data-dimensions="StreamName=events"]');
  await expect(row).toHaveCount(1);
  await expect(page.locator('[data-testid="browser-metric"][data-metric-name="IncomingBytes"]')).toHaveCount(0);
  await row.locator('input[type=checkbox]').check();
  await page.getByTestId('picked-stat-0').selectOption('Sum');
  await page.getByTestId('picked-period-0').selectOption('60');
  await expect.poll(() => points(page, 'browser-graph'), { timeout: 15_000 }).toBeGreaterThan(0);
  // Its newest minute is the store's IncomingRecords Sum of that minute (which
  // may have grown since, if the minute was still open).
  const minute = await lastShown(page, 'browser-graph-last');
  expect(minute.v).toBeGreaterThan(0);
  const [stored] = await statistics(server, {
    Namespace: 'gamelake/Streams', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'events' }],
    StartTime: minute.t, EndTime: minute.t + 60, Period: 60, Statistics: ['Sum'],
  });
  expect(stored?.Timestamp).toBe(minute.t);
  expect(stored?.Sum ?? -1).toBeGreaterThanOrEqual(minute.v);
  await shot(page, 'metrics-browser');

  const name = `browser-${Date.now()}`;
  await page.getByTestId('add-dashboard').selectOption('');
  await page.getByTestId('add-new-name').fill(name);
  await page.getByTestId('add-title').fill('Records in');
  await page.getByTestId('add-view').selectOption('singleValue');
  await page.getByTestId('add-submit').click();
  await expect(page).toHaveURL(new RegExp(`#/metrics/${name}`));
  await expect(page.getByTestId('widget-0')).toContainText('Records in');
  await expect.poll(() => points(page, 'widget-0'), { timeout: 15_000 }).toBeGreaterThan(0);
  // The stored body is CloudWatch's: the metric line with its stat and period.
  const body = await fetch(`${server.url}/v1/dashboards/${name}`, { headers: { Authorization: `Bearer ${server.adminKey}` } }).then((r) => r.json() as Promise<{ DashboardBody: string }>);
  const widget = (JSON.parse(body.DashboardBody) as { widgets: { properties: { view: string; metrics: unknown[] } }[] }).widgets[0];
  expect(widget?.properties.view).toBe('singleValue');
  expect(widget?.properties.metrics).toEqual([['gamelake/Streams', 'IncomingRecords', 'StreamName', 'events', { stat: 'Sum', period: 60, color: '#1f77d0' }]]);

  // Deleting it (two clicks: delete, confirm) takes it off the list.
  await page.getByTestId('delete-dashboard').click();
  await page.getByTestId('delete-dashboard').click();
  await expect(page).toHaveURL(/#\/metrics$/);
  await expect(page.getByTestId('dashboards')).toContainText('serverless-analytics');
  await expect(page.getByTestId(`dashboard-row-${name}`)).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the server\'s refusals are shown: a bad dashboard body, a metrics:read key saving, an ingest key', async ({ signedIn: page, server }) => {
  await page.goto(`${server.url}/#/metrics/serverless-analytics`);
  await page.getByTestId('edit-source').click();
  await page.getByTestId('source-text').fill('{"widgets": [{"type": "metric", "x": 30, "y": 0, "width": 6, "height": 6, "properties": {"metrics": []}}]}');
  await page.getByTestId('source-save').click();
  await expect(page.getByTestId('error')).toContainText('400 InvalidParameterInput: /widgets/0/x: x must be a whole number from 0 to 23');
  // Nothing was stored.
  const stored = await fetch(`${server.url}/v1/dashboards/serverless-analytics`, { headers: { Authorization: `Bearer ${server.adminKey}` } }).then((r) => r.json() as Promise<{ DashboardBody: string }>);
  expect(stored.DashboardBody).toContain('"liveData":true');

  // A metrics:read key sees the dashboard but may not change it: the server's 403 is shown.
  const created = await fetch(`${server.url}/v1/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'viewer', scope: 'metrics:read' }),
  }).then((r) => r.json() as Promise<{ key: string; info: { id: string } }>);
  await page.getByTestId('sign-out').click();
  await page.getByTestId('key-input').fill(created.key);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('scope')).toHaveText('metrics:read');
  await page.goto(`${server.url}/#/metrics/serverless-analytics`);
  await expect.poll(async () => Number(await page.getByTestId('widget-0').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(0);
  await page.getByTestId('edit-source').click();
  await page.getByTestId('source-save').click();
  await expect(page.getByTestId('error')).toContainText(`403 forbidden: key ${created.info.id} has scope metrics:read; this needs an admin key`);

  // An ingest key may not read metrics: the console says so.
  await page.getByTestId('sign-out').click();
  await page.getByTestId('key-input').fill(server.ingestKey);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('scope')).toHaveText('ingest');
  await page.goto(`${server.url}/#/metrics/serverless-analytics`);
  await expect(page.getByTestId('not-allowed')).toContainText('Not allowed');
});
