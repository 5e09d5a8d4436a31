/**
 * End-to-end tests of the dashboard against the real service (`shopguard serve`), which
 * global-setup.ts starts on a free port with a looping test video. Debian's Chromium is
 * used as installed (`apt-get install chromium`); no browser is downloaded.
 */
import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.resolve(here, '../../test-results');

export default defineConfig({
  testDir: here,
  testMatch: /.*\.spec\.ts$/,
  outputDir: path.join(RESULTS_DIR, 'e2e-artifacts'),
  globalSetup: path.join(here, 'global-setup.ts'),
  globalTeardown: path.join(here, 'global-teardown.ts'),
  fullyParallel: false,
  workers: 1,
  // One retry, as in Playwright's own CI template: these tests drive a live service with a
  // camera worker on a loaded 2-core machine. A retried test is reported as "flaky" in the
  // list output; a test that fails twice fails the run.
  retries: 1,
  timeout: 240_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
