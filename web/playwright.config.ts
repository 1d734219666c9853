// The console's tests: "unit" runs the pure modules (formula parser, chart
// shaping) in Node; "browser" drives Debian's chromium against the real
// gamelake binary on 127.0.0.1 (tests/server.ts starts it with --demo).
// Screenshots go to ../build/console-screenshots (artifacts of the run).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../build/console-test-results',
  projects: [
    { name: 'unit', testMatch: /unit\/.*\.test\.ts$/ },
    {
      name: 'browser',
      testMatch: /.*\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
        },
        trace: 'off',
        screenshot: 'only-on-failure',
      },
    },
  ],
});
