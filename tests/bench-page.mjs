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
    console.log(`render ${r.blocks} blocks: new map median ${f(r.median)} ms, max ${f(r.max)} ms; from another snapshot ${f(r.other)} ms; after one op ${f(r.oneOp)} ms (${r.rects} rects${r.dense ? ', dense: subpaths of one path per kind' : ''})`);
  }
  const r = b.replay;
  console.log(`replaySampled 1,000,000 ops: ${Math.round(r.ms)} ms = ${Math.round(r.opsPerSec).toLocaleString('en-US')} ops/s`);
  console.log(`chunked page load of the same ops: ${Math.round(r.chunked)} ms, longest main-thread gap ${Math.round(r.longest)} ms`);
  console.log('\n| workload (1M ops) | strategy | replay M ops/s | replaySampled(every 1000) M ops/s |\n|---|---|---:|---:|');
  for (const m of b.matrix) console.log(`| ${m.shape} | ${m.strategy} | ${m.replay.toFixed(2)} | ${m.sampled.toFixed(2)} |`);
  console.log('');

  // The whole page (map, meter, panels, timeline) after one action on a big timeline.
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForFunction(() => globalThis.__playground, null, { timeout: 60_000 });
  await page.fill('[data-testid=arena-size]', String(1 << 24));
  await page.press('[data-testid=arena-size]', 'Enter');
  await page.fill('[data-testid=wl-ops]', '1000000');
  await page.click('[data-testid=wl-run]');
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 1_000_000 && !globalThis.__playground.busy, null, { timeout: 300_000 });
  await page.evaluate(() => globalThis.__playground.idle());
  const times = [];
  for (let k = 0; k < 7; k++) {
    times.push(await page.evaluate(async () => {
      const t0 = performance.now();
      document.querySelector('[data-testid=malloc]').click();
      await globalThis.__playground.idle();
      return performance.now() - t0;
    }));
  }
  times.sort((x, y) => x - y);
  const st = await page.evaluate(() => globalThis.__playground.arena.stats());
  console.log(`malloc click to rendered page, 1,000,000-op timeline in 16 MiB (${st.usedBlocks.toLocaleString('en-US')} used, ${st.freeBlocks.toLocaleString('en-US')} free blocks): median ${f(times[3])} ms, max ${f(times[6])} ms`);
  if (errors.length) throw new Error(errors.join('\n'));
} finally {
  await browser.close();
  server.close();
}
