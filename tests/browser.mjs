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

/**
 * Fills the module's wasm memory as arenas and timelines would, to the last
 * bytes: grows it from JS (the allocator inside does not know) to 16 pages
 * short of 4 GiB, takes its holes with arenas of halving sizes, then the
 * rest with writes (the op log keeps their bytes). The fillers go to
 * `globalThis.__fillers` (dispose them to give the memory back); returns
 * how many. Self-contained, so it runs in node (`base` the URL of `www/`)
 * and in a page through `page.evaluate(fillWasmMemory, './')`.
 */
export async function fillWasmMemory(base) {
  const api = await import(`${base}arena.js`);
  await api.init();
  // (The glue's init returns the instance arena.js started.)
  const wasm = await (await import(`${base}pkg/alloc_playground.js`)).default();
  const taken = (fn) => {
    try {
      fn();
      return true;
    } catch (e) {
      if (e.code !== 'host-memory') throw e;
      return false;
    }
  };
  const writer = api.createArena({ size: 1 << 16 });
  const p = writer.alloc(4096);
  wasm.memory.grow(65536 - wasm.memory.buffer.byteLength / 65536 - 16);
  const fillers = [writer];
  for (let size = 1 << 20; size >= 4096; size >>= 1) {
    while (taken(() => fillers.push(api.createArena({ size }))));
  }
  for (let n = 4096; n >= 1; n >>= 1) {
    while (taken(() => writer.write(p, new Uint8Array(n))));
  }
  globalThis.__fillers = fillers;
  return fillers.length;
}
