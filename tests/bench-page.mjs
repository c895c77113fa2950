// Prints the playground's benchmark figures from headless Chromium:
//   node tests/bench-page.mjs
// (not a *.test.mjs file: `node --test tests/` does not run it).
import { chromium } from 'playwright-core';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../scripts/static-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const server = await serve(resolve(ROOT, process.env.PAGE_DIR ?? 'www'), 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
  await page.waitForFunction(() => globalThis.__bench, null, { timeout: 300_000 });
  const b = await page.evaluate(() => globalThis.__bench);
  if (b.error || errors.length) throw new Error(b.error ?? errors.join('\n'));
  const f = (x) => x.toFixed(1);
  console.log(`Chromium: ${b.userAgent}`);
  for (const n of [1000, 10000]) {
    const r = b[`render${n}`];
    console.log(`render ${r.blocks} blocks: median ${f(r.median)} ms, max ${f(r.max)} ms (${r.rects} rects${r.dense ? ', dense: subpaths of one path per kind' : ''})`);
  }
  const r = b.replay;
  console.log(`replaySampled 1,000,000 ops: ${Math.round(r.ms)} ms = ${Math.round(r.opsPerSec).toLocaleString('en-US')} ops/s`);
  console.log(`chunked page load of the same ops: ${Math.round(r.chunked)} ms, longest main-thread gap ${Math.round(r.longest)} ms`);
} finally {
  await browser.close();
  server.close();
}
