// The browser test: Debian's chromium (headless, --no-sandbox) loads the built browser
// bundle from a tiny static server on 127.0.0.1 and talks to the real gamelake with
// CORS and auth on (test/browser/browser.spec.ts). `npm run test:browser` builds first.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/browser',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    },
    trace: 'off',
  },
});
