// Shared set-up of the browser tests: the static server for PAGE_DIR (default
// www/), mounted under PAGE_BASE (default /; the test command also uses a
// sub-path for dist/), and headless Chromium through playwright-core, started
// the way this machine allows (Debian's chromium, no downloads).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/static-server.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_DIR = resolve(ROOT, process.env.PAGE_DIR ?? 'www');
export const SHOTS = join(ROOT, 'tests', 'screenshots');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts the server and the browser: `{ server, browser, base, close() }`. */
export async function startBrowser() {
  const prefix = process.env.PAGE_BASE ?? '/';
  const server = await serve(PAGE_DIR, 0, '127.0.0.1', prefix);
  const base = `http://127.0.0.1:${server.address().port}${prefix}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  await mkdir(SHOTS, { recursive: true });
  return {
    server,
    browser,
    base,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/**
 * Opens `url` in a fresh browser context that records console errors and
 * page errors: `{ context, page, errors }`. Dialogs are accepted when
 * `acceptDialogs` is set.
 */
export async function openRecorded(browser, url, { width, height, colorScheme = 'light', acceptDialogs = false, hasTouch = false }) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, hasTouch });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (acceptDialogs) page.on('dialog', (d) => d.accept());
  await page.goto(url);
  return { context, page, errors };
}
