// node --test: the playground page in headless Chromium (playwright-core).
// Serves PAGE_DIR (default www/) in-process; any console error or page error
// fails the test that caused it. Screenshots go to tests/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, basename, dirname } from 'node:path';
import { PAGE_DIR, SHOTS, fillWasmMemory, openRecorded, startBrowser } from './browser.mjs';
import { serve } from '../scripts/static-server.mjs';

let env;
let browser;
let base;

before(async () => {
  env = await startBrowser();
  ({ browser, base } = env);
});

after(async () => {
  await env?.close();
});

/** Opens the page in a fresh context; returns { page, errors, close }. */
async function open(hash = '', { width = 1280, height = 900, colorScheme = 'light', hasTouch = false } = {}) {
  const { context, page, errors } = await openRecorded(browser, base + hash, { width, height, colorScheme, acceptDialogs: true, hasTouch });
  await page.waitForFunction(() => globalThis.__playground);
  await idle(page);
  return {
    page,
    errors,
    close: async () => {
      await idle(page).catch(() => {});
      await context.close();
      assert.deepEqual(errors, [], 'no console or page errors');
    },
  };
}

/** Waits for the page's pending work and next render; fails (saying on what it waits) instead of hanging. */
const idle = (page) => page.evaluate(() => Promise.race([
  globalThis.__playground.idle(),
  new Promise((_, reject) => setTimeout(() => reject(new Error(`idle() waited 20 s: ${JSON.stringify(globalThis.__playground.waitingOn)}`)), 20000)),
]));
const snap = (page) => page.evaluate(() => globalThis.__playground.arena.snapshot());
const log = (page) => page.evaluate(() => globalThis.__playground.arena.log());

async function malloc(page, size, align) {
  await page.fill('[data-testid=alloc-size]', String(size));
  await page.fill('[data-testid=alloc-align]', align ? String(align) : '');
  await page.click('[data-testid=malloc]');
  await idle(page);
}

/** Starts timing the longest gap between the page's timer ticks; the returned function stops it and gives the gap in ms. */
async function watchMainThread(page) {
  await page.evaluate(() => {
    globalThis.__maxGap = 0;
    globalThis.__stopTick = false;
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      globalThis.__maxGap = Math.max(globalThis.__maxGap, now - last);
      last = now;
      if (!globalThis.__stopTick) setTimeout(tick, 0);
    };
    tick();
  });
  return () => page.evaluate(() => { globalThis.__stopTick = true; return globalThis.__maxGap; });
}

/** A 1 MiB arena, and the workload form set to `ops` ops (not run yet). */
async function longWorkloadForm(page, ops) {
  await page.fill('[data-testid=arena-size]', String(1 << 20));
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  await page.fill('[data-testid=wl-ops]', String(ops));
}

async function runOps(page, text) {
  await page.fill('[data-testid=editor]', text);
  await page.click('[data-testid=run]');
  await idle(page);
}

const pct = (f) => new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(f);
const int = (n) => new Intl.NumberFormat('en-US').format(n);

function describe(b) {
  const at = `${int(b.size)} ${b.size === 1 ? 'byte' : 'bytes'} at offset ${int(b.offset)}`;
  if (b.free) {
    if (b.padding) return `alignment padding, free, ${at}`;
    return `${b.class != null ? `free slab chunk (class ${b.class})` : 'free'}, ${at}`;
  }
  const chunk = b.class != null ? `slab chunk (class ${b.class}), ` : '';
  return `ptr[${b.seq}], ${chunk}used, ${at}, ${int(b.requested)} requested`;
}

/** Checks every block of snapshot() against the map, and the meter against the stats. */
async function checkViewsMatch(page) {
  const s = await snap(page);
  // (After a trace, names carry the trace's ids: compared without them here.)
  const labels = await page.$$eval('#map .mm-blocks rect[role]', (rs) => rs.map((r) => r.getAttribute('aria-label').replace(/ \(trace id \d+\)/, '')));
  assert.deepEqual(labels, s.blocks.map(describe), 'one labelled rect per block, in address order');
  const xs = await page.$$eval('#map .mm-blocks rect[role]', (rs) => rs.map((r) => [Number(r.getAttribute('x')), Number(r.getAttribute('y'))]));
  const L = await page.evaluate(() => globalThis.__playground.map.layout);
  s.blocks.forEach((b, i) => {
    const row = Math.floor(b.offset / L.bpr);
    assert.ok(Math.abs(xs[i][0] - (L.gutter + (b.offset - row * L.bpr) * L.ppb)) < 0.01, `block ${i} placed by its offset`);
    assert.equal(xs[i][1], L.top + row * (L.rowH + L.gap));
  });
  const meter = await page.$$eval('[data-metric]', (ds) => Object.fromEntries(ds.map((d) => [d.dataset.metric, d.textContent])));
  assert.equal(await page.textContent('[data-testid=ext-frag]'), pct(s.stats.externalFragmentation));
  assert.equal(meter.largestFree, `${int(s.stats.largestFree)} B`);
  assert.equal(meter.freeBytes, `${int(s.stats.freeBytes)} B`);
  const chunks = s.stats.freeChunks;
  assert.equal(meter.freeBlocks, chunks ? `${int(s.stats.freeBlocks - chunks)} + ${int(chunks)} ${chunks === 1 ? 'chunk' : 'chunks'}` : int(s.stats.freeBlocks));
  // The gauge is 1 − L/F with the L and F it shows (F leaves free slab chunks out).
  const F = s.stats.freeBytes - s.stats.chunkFreeBytes;
  assert.deepEqual([s.stats.listFreeBytes, s.stats.listFreeBlocks], [F, s.stats.freeBlocks - chunks]);
  assert.equal(await page.textContent('[data-testid=ext-frag]'), pct(F ? 1 - s.stats.largestFree / F : 0));
  const formula = await page.textContent('.meter-formula');
  assert.ok(formula.includes(`L: largest free block, ${int(s.stats.largestFree)} B`), formula);
  if (chunks) assert.ok(formula.includes(`F: free bytes outside slab chunks, ${int(F)} B`), formula);
  assert.equal(meter.l2Fragmentation, pct(s.stats.l2Fragmentation));
  assert.equal(meter.internalFragmentation, `${int(s.stats.internalFragmentation)} B`);
  assert.equal(meter.utilization, pct(s.stats.utilization));
  // With the op that searched: the last request in the log (malloc, calloc, realloc).
  const log = await page.evaluate(() => globalThis.__playground.session.arena.log());
  const tokens = log ? log.split(',') : [];
  let k = tokens.length;
  while (k > 0 && !/^[+cr]/.test(tokens[k - 1])) k--;
  assert.equal(meter.lastSearched, k ? `${int(s.lastSearched)} ${s.lastSearched === 1 ? 'block' : 'blocks'} (op ${int(k)})` : 'no request yet');
  assert.equal(meter.largestRequest, `${int(s.stats.largestRequest)} B`);
  assert.equal(meter.failedAllocs, int(s.stats.failedAllocs));
  return s;
}

test('the page loads under its CSP with no errors, and shows an empty arena', async () => {
  const { page, close } = await open();
  assert.match(await page.title(), /Allocator Playground/);
  const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(await page.locator('#map svg.mm-svg').count(), 1);
  const s = await checkViewsMatch(page);
  assert.equal(s.blocks.length, 1);
  assert.ok(await page.isVisible('#map-empty'), 'empty-state hint');
  // No inline style attributes in the served HTML.
  const html = await (await fetch(base)).text();
  assert.doesNotMatch(html, /style=/);
  assert.doesNotMatch(html, /<script>(?!<\/script>)/);
  await close();
});

test('malloc from the form draws the block and the meter matches snapshot()', async () => {
  const { page, close } = await open();
  await malloc(page, 24);
  await malloc(page, 100);
  await malloc(page, 10, 256);
  const s = await checkViewsMatch(page);
  assert.equal(await log(page), '+24,+100,+10@256');
  assert.ok(s.blocks.some((b) => b.padding), 'alignment padding block');
  assert.equal(await page.locator('#map .mm-pad').count(), 1, 'padding drawn distinctly');
  assert.ok((await page.locator('#map .mm-free').count()) >= 1, 'free drawn hatched');
  // A failed request is logged and explained; the outline leaves the last
  // pointer placed (it did not get this request's block).
  assert.equal(await page.locator('#map .mm-highlight').count(), 1);
  await malloc(page, 5000);
  assert.equal(await page.textContent('.ap-msg'), 'ptr[3] = NULL · malloc(5000): out of memory');
  await idle(page);
  assert.equal(await page.locator('#map .mm-highlight').count(), 0);
  assert.equal((await snap(page)).stats.failedAllocs, 1);
  await checkViewsMatch(page);
  await close();
});

test('clicking a used block frees it', async () => {
  const { page, close } = await open();
  for (const n of [16, 32, 48]) await malloc(page, n);
  await page.click('#map rect[aria-label^="ptr[1],"]');
  await idle(page);
  assert.equal(await log(page), '+16,+32,+48,-1');
  const s = await checkViewsMatch(page);
  assert.ok(s.blocks[1].free);
  // Clicking a free block inspects it instead (its stale bytes in the byte view).
  await page.click('#map rect[aria-label^="free, 32 bytes"]');
  await idle(page);
  assert.equal(await log(page), '+16,+32,+48,-1', 'a free block is not freed again');
  assert.match(await page.textContent('.bv-title'), /free block · 32 B at 16/);
  await close();
});

test('on a touch screen the first tap on a used block shows it, a second frees it', async () => {
  const { page, close } = await open('#size=256&ops=+16,+32,+48', { width: 390, height: 844, hasTouch: true });
  const tip = () => page.evaluate(() => { const t = document.querySelector('#map .mm-tip'); return t.hidden ? null : t.textContent; });
  const block = '#map rect[aria-label^="ptr[1],"]';
  await page.tap(block);
  await idle(page);
  assert.equal(await log(page), '+16,+32,+48', 'the first tap frees nothing');
  assert.match(await tip(), /ptr\[1\].*Tap again to free/);
  await page.tap(block);
  await idle(page);
  assert.equal(await log(page), '+16,+32,+48,-1');
  assert.equal(await tip(), null, 'no tooltip left over the map');
  // A tap on another used block, then on the first: each only shows.
  await page.tap('#map rect[aria-label^="ptr[0],"]');
  await page.tap('#map rect[aria-label^="ptr[2],"]');
  await idle(page);
  assert.equal(await log(page), '+16,+32,+48,-1');
  assert.match(await tip(), /ptr\[2\]/);
  await close();
});

test('keyboard: roving tabindex, arrows, Enter frees, names match', async () => {
  const { page, close } = await open();
  for (const n of [8, 8, 8]) await malloc(page, n);
  const stops = await page.$$eval('#map rect[role]', (rs) => rs.filter((r) => r.getAttribute('tabindex') === '0').length);
  assert.equal(stops, 1, 'exactly one tab stop in the map');
  await page.focus('#map rect[aria-label^="ptr[0],"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'ptr[1], used, 8 bytes at offset 8, 8 requested');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('tabindex')), '0');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await log(page), '+8,+8,+8,-1');
  // Focus stays on the (now free) block.
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^free, 8 bytes at offset 8/);
  assert.ok(await page.isVisible('.mm-tip'), 'focus shows the details');
  await page.keyboard.press('End');
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^free, 1,000 bytes at offset 24/);
  await page.keyboard.press('Home');
  await page.keyboard.press('Delete');
  await idle(page);
  assert.equal(await log(page), '+8,+8,+8,-1,-0');
  await checkViewsMatch(page);
  await close();
});

test('keyboard: I on a block brings the Bytes card into view and says what it shows; the focus stays on the block', async () => {
  // 1280×720: the Bytes card starts below the fold.
  const { page, close } = await open('#size=256&strategy=best-fit&align=8&coalesce=1&ops=+32,+64,+16,-1,+40,+8', { height: 720 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const cardTop = () => page.$eval('#bytes-card', (c) => c.getBoundingClientRect().top);
  assert.ok(await cardTop() > 720 - 100, 'the card is (all but) off screen at first');
  await page.focus('#map rect[aria-label^="ptr[4],"]');
  await page.keyboard.press('i');
  await idle(page);
  await page.waitForFunction(() => document.getElementById('bytes-said').textContent !== '');
  assert.equal(await page.textContent('[data-testid=bytes-said]'), `Bytes card: ${await page.textContent('#bytes .bv-title')}`);
  assert.match(await page.textContent('#bytes .bv-title'), /^ptr\[4\]/);
  await page.waitForFunction(() => { const r = document.getElementById('bytes-card').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight + 1; });
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^ptr\[4\],/);
  // A click on a free block shows its bytes too, but leaves the page where the pointer is.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.click('#map rect[aria-label^="free, 16 bytes at offset 80"]');
  await idle(page);
  await page.waitForTimeout(300);
  assert.match(await page.textContent('#bytes .bv-title'), /free/);
  // (Playwright's click and the block's focus may nudge it a few pixels; the card is 680 down.)
  assert.ok(await page.evaluate(() => scrollY) < 50, 'the page did not scroll to the Bytes card');
  await close();
});

test('a map updated in place through random ops draws exactly what a new map draws', async () => {
  const { page, close } = await open();
  const diffs = await page.evaluate(async () => {
    const { MemoryMap } = await import('./js/memory-map.js');
    const { createArena } = await import('./arena.js');
    const stage = document.createElement('div');
    document.body.append(stage);
    // The map's own pattern ids differ between maps: compare with them blanked.
    const layers = (m) => [...m.element.querySelectorAll('.mm-blocks, .mm-slack, .mm-labels')].map((g) => [...g.children].map((el) => [
      el.tagName, el.textContent,
      ...[...el.attributes].filter((a) => a.name !== 'tabindex').map((a) => `${a.name}=${a.value.replace(/#mm-[^-]+-/, '#').replace(/^mm-[^-]+-/, 'mm-')}`).sort(),
    ].join(' ')).join('\n')).join('\n--\n');
    let seed = 7;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const out = [];
    for (const strategy of ['first-fit', 'slab']) {
      const a = createArena({ size: 4096, strategy, align: 8 });
      const kept = new MemoryMap(stage, { onFree() {}, onInspect() {} });
      const live = [];
      for (let step = 0; step < 250; step++) {
        const r = rand(10);
        try {
          if (r < 4 || !live.length) live.push(r === 3 ? a.allocAligned(1 + rand(200), 64) : a.alloc(1 + rand(strategy === 'slab' ? 64 : 300)));
          else if (r < 8) a.free(live.splice(rand(live.length), 1)[0]);
          else { const k = rand(live.length); live[k] = a.realloc(live[k], 1 + rand(300)); }
        } catch { /* a full arena: the map just shows the same state again */ }
        const data = { arenaSize: 4096, blocks: a.blocksTyped(), width: 700 };
        kept.render(data);
        const fresh = new MemoryMap(stage, { onFree() {}, onInspect() {} });
        fresh.render(data);
        const want = layers(fresh);
        const got = layers(kept);
        fresh.destroy();
        const stops = kept.element.querySelectorAll('.mm-blocks [tabindex="0"]').length;
        if (got !== want || stops !== 1) out.push({ strategy, step, stops, got, want });
        if (out.length) break;
      }
      kept.destroy();
      a.dispose();
    }
    stage.remove();
    return out;
  });
  assert.deepEqual(diffs, []);
  await close();
});

test('the keyboard focus survives controls that disable or hide themselves', async () => {
  const { page, close } = await open();
  const active = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
  for (const n of [16, 32]) await malloc(page, n);
  // Undo down to step 0 disables Undo: the focus moves to the scrubber,
  // where more presses of Enter do nothing (not walk back the other way).
  const position = () => page.evaluate(() => globalThis.__playground.session.position);
  await page.focus('[data-testid=undo]');
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Enter');
    await idle(page);
  }
  assert.equal(await position(), 0);
  assert.equal(await active(), 'scrubber');
  await page.focus('[data-testid=redo]');
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Enter');
    await idle(page);
  }
  assert.equal(await position(), 2);
  assert.equal(await active(), 'scrubber', 'at the end, Redo hands the focus to the scrubber');
  // Plain arrows step from anywhere but the map, the scrubber and the fields.
  await page.focus('[data-testid=redo]');
  await page.keyboard.press('ArrowLeft');
  await idle(page);
  assert.equal(await position(), 1);
  await page.keyboard.press('ArrowRight');
  await idle(page);
  assert.equal(await position(), 2);
  await page.focus('[data-testid=alloc-size]');
  await page.keyboard.press('ArrowLeft');
  await idle(page);
  assert.equal(await position(), 2, 'arrows in a field stay in the field');
  // Freeing the last pointer from the panel hides its section.
  await page.selectOption('[data-testid=target]', '1');
  await page.focus('[data-testid=free-target]');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await active(), 'free-target', 'one pointer left: the button stays');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await log(page), '+16,+32,-1,-0');
  assert.equal(await active(), 'malloc');
  // Compare disables its button while it runs, and gives the focus back.
  await page.focus('[data-testid=compare-run]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(page);
  assert.equal(await active(), 'compare-run');
  // The map is one tab stop (its SVG is not a stop of its own).
  await malloc(page, 8);
  await page.focus('#map rect[tabindex="0"]');
  await page.keyboard.press('Shift+Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement.tagName.toLowerCase()), 'svg');
  await close();
});

test('block labels never overlap; on a phone the op strip keeps the cursor in view', async () => {
  for (const width of [1280, 390]) {
    const { page, close } = await open('', { width, height: 900 });
    // Hundreds of 8-byte blocks with 3- and 4-digit pointers.
    await page.fill('[data-testid=arena-size]', '16384');
    await page.press('[data-testid=arena-size]', 'Enter');
    await idle(page);
    await page.fill('[data-testid=wl-ops]', '3000');
    await page.fill('[data-testid=wl-max]', '8');
    await page.click('[data-testid=wl-run]');
    await idle(page);
    const overlaps = await page.$$eval('#map .mm-labels text', (ts) => {
      const boxes = ts.map((t) => t.getBBox());
      let n = 0;
      for (let i = 1; i < boxes.length; i++) {
        const a = boxes[i - 1];
        const b = boxes[i];
        if (Math.abs(a.y - b.y) < 1 && a.x + a.width > b.x + 0.5) n++;
      }
      return n;
    });
    assert.equal(overlaps, 0, `labels overlap at width ${width}`);
    await page.click('[data-testid=undo]');
    await idle(page);
    await page.click('[data-testid=undo]');
    await idle(page);
    const seen = await page.evaluate(() => {
      const strip = document.querySelector('.tl-ops').getBoundingClientRect();
      const cur = document.querySelector('.tl-cursor').getBoundingClientRect();
      return cur.left >= strip.left && cur.right <= strip.right;
    });
    assert.ok(seen, `the cursor is inside the op strip at width ${width}`);
    await close();
  }
});

test('dense mode (thousands of blocks): one focus stop, arrows announce blocks, Enter frees', async () => {
  const { page, close } = await open('#size=32768&align=8');
  await runOps(page, Array.from({ length: 3000 }, () => '+8').join(','));
  assert.equal(await page.evaluate(() => globalThis.__playground.map.dense), true);
  assert.equal(await page.locator('#map .mm-blocks rect').count(), 0, 'no per-block elements');
  await page.focus('#map svg.mm-svg');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('#map .mm [aria-live]'), 'ptr[1], used, 8 bytes at offset 8, 8 requested');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.match(await log(page), /,-1$/);
  // Hit-testing by offset: clicking the block at offset 16 frees ptr[2]. (Layout and box
  // read at once: a dense map rebuilds its SVG on every render, and a late one, such as
  // the fragmentation samples', could detach the element between two reads.)
  const { L, box } = await page.evaluate(() => ({
    L: globalThis.__playground.map.layout,
    box: document.querySelector('#map svg.mm-svg').getBoundingClientRect().toJSON(),
  }));
  await page.mouse.click(box.x + L.gutter + 20 * L.ppb, box.y + L.top + L.rowH / 2);
  await idle(page);
  assert.match(await log(page), /,-1,-2$/);
  const s = await snap(page);
  assert.equal(await page.textContent('[data-testid=ext-frag]'), pct(s.stats.externalFragmentation));
  await close();
});

test('the strategy dropdown switches the live allocator', async () => {
  const { page, close } = await open();
  await page.selectOption('[data-testid=strategy]', 'best-fit');
  await idle(page);
  let s = await snap(page);
  assert.equal(s.strategy, 'best-fit');
  assert.equal(await log(page), '', 'before any op it is the configuration');
  assert.equal((await page.evaluate(() => globalThis.__playground.session.config.strategy)), 'best-fit');
  await malloc(page, 16);
  await page.selectOption('[data-testid=strategy]', 'slab');
  await idle(page);
  await malloc(page, 10);
  s = await checkViewsMatch(page);
  assert.equal(await log(page), '+16,@slab,+10');
  assert.ok(s.blocks.some((b) => b.class === 16 && !b.free), 'a slab chunk');
  assert.ok((await page.locator('#map .mm-chunk-used').count()) >= 1);
  assert.ok((await page.locator('#map .mm-chunk-free').count()) >= 1);
  // Coalescing is logged too; a new arena size re-runs the ops from the start, undoably.
  await page.click('.switch');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.arena.coalesce), false);
  const ops = await log(page);
  await page.fill('[data-testid=arena-size]', '4096');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  s = await snap(page);
  assert.equal(s.arenaSize, 4096);
  assert.equal(await log(page), ops, 'the same ops, re-run in the new arena');
  await checkViewsMatch(page);
  const rerun = page.locator('.notice', { hasText: 'Changing the arena size: the 4 ops re-ran from the start' });
  await rerun.getByRole('button', { name: 'Undo' }).click();
  await idle(page);
  assert.deepEqual([(await snap(page)).arenaSize, await log(page)], [1024, ops]);
  // Once the timeline has changed since, Undo would bring the old ops back
  // over the new one: it says so and changes nothing.
  await page.fill('[data-testid=arena-size]', '2048');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  await malloc(page, 8);
  const later = await log(page);
  await page.locator('.notice', { hasText: 'Changing the arena size: the 4 ops re-ran from the start' }).getByRole('button', { name: 'Undo' }).click();
  await idle(page);
  assert.deepEqual([(await snap(page)).arenaSize, await log(page)], [2048, later]);
  assert.match(await page.textContent('#notices'), /The settings were not undone: the timeline has changed since they were/);
  await page.locator('#controls').getByRole('button', { name: 'Reset', exact: true }).click();
  await idle(page);
  assert.equal(await log(page), '', 'Reset starts over');
  // A bad setting is refused before anything asks to discard the timeline.
  await malloc(page, 24);
  let dialogs = 0;
  page.on('dialog', () => { dialogs++; });
  for (const bad of ['0', String(128 << 20)]) {
    await page.fill('[data-testid=arena-size]', bad);
    await page.press('[data-testid=arena-size]', 'Enter');
    await idle(page);
    assert.equal(dialogs, 0, `size ${bad}: no confirm`);
    assert.match(await page.textContent('.notice-error'), /at least 1|up to 64 MiB/);
    assert.equal(await log(page), '+24', 'the timeline is kept');
  }
  // Align 64: the slab classes follow (each a multiple of it), and the ops re-run.
  await page.selectOption('[data-testid=align]', '64');
  await idle(page);
  assert.equal(dialogs, 0);
  assert.equal(await log(page), '+24');
  const cfg = await page.evaluate(() => globalThis.__playground.session.config);
  assert.deepEqual([cfg.align, cfg.classes], [64, [64, 128, 256]]);
  assert.match(await page.textContent('#notices'), /Slab classes are now 64\/128\/256 B/);
  await close();
});

test('ops run from the editor far below the map bring the map into view; a map in view stays put', async () => {
  const { page, close } = await open('', { width: 390, height: 844, hasTouch: true });
  const mapTop = () => page.evaluate(() => document.getElementById('map').getBoundingClientRect().top);
  await page.fill('[data-testid=editor]', '+10,+20,-0');
  await page.locator('[data-testid=run]').scrollIntoViewIfNeeded();
  assert.ok(await mapTop() < 0, 'the map is above the screen before the run');
  await page.click('[data-testid=run]');
  await idle(page);
  await page.waitForFunction(() => {
    const r = document.getElementById('map').getBoundingClientRect();
    return r.top >= 0 && r.top < innerHeight / 2;
  });
  await close();
  // With the map in view above the editor (a portrait monitor), nothing scrolls.
  const desk = await open('', { width: 1200, height: 1900 });
  await desk.page.evaluate(() => scrollTo(0, document.getElementById('map').getBoundingClientRect().top + scrollY - 100));
  const y0 = await desk.page.evaluate(() => scrollY);
  assert.ok(y0 > 0);
  assert.ok(await desk.page.evaluate(() => document.querySelector('[data-testid=run]').getBoundingClientRect().bottom <= innerHeight), 'Run from start is on the screen');
  await desk.page.fill('[data-testid=editor]', '+10,+20,-0');
  await desk.page.click('[data-testid=run]');
  await idle(desk.page);
  await desk.page.waitForTimeout(300);
  assert.equal(await desk.page.evaluate(() => scrollY), y0);
  await desk.close();
});

test('an op list typed while the editor is in .rep mode (left there by a trace) is read as an op list', async () => {
  const { page, close } = await open();
  await page.click('.seg-btn:has-text(".rep trace")');
  assert.equal(await page.isHidden('[data-testid=append]'), true);
  // A comment alone (a trace may start with one) is no op list: .rep stays.
  await page.fill('[data-testid=editor]', '# short.rep, from the course');
  await page.waitForFunction(() => document.querySelector('[data-testid=editor-status]').classList.contains('ed-status-error'));
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), '.rep trace');
  await page.fill('[data-testid=editor]', '+10,+20\n-0');
  await page.waitForFunction(() => /✓ 3 ops · read as an op list/.test(document.querySelector('[data-testid=editor-status]').textContent));
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), 'Op list');
  assert.equal(await page.isVisible('[data-testid=append]'), true);
  // Picking the format again keeps it (only an edit switches back), and text
  // that is neither keeps the trace reader's error.
  await page.click('.seg-btn:has-text(".rep trace")');
  assert.match(await page.textContent('[data-testid=editor-status]'), /^Line 1, column 1: header number/);
  await page.fill('[data-testid=editor]', '100\n2\n2\n1\na 0 -5\nf 0\n');
  await page.waitForFunction(() => /^Line 5/.test(document.querySelector('[data-testid=editor-status]').textContent));
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), '.rep trace');
  await close();
});

test('an op list replays from the editor; a bad one names its line and keeps the state', async () => {
  const { page, close } = await open();
  await runOps(page, '+10,+20,-0\n+16@64 # aligned\nc8, r1:40, w1=cafe');
  assert.equal(await log(page), '+10,+20,-0,+16@64,c8,r1:40,w1=cafe');
  assert.match(await page.textContent('[data-testid=editor-status]'), /7 ops/);
  await checkViewsMatch(page);
  const before = await page.evaluate(() => JSON.stringify(globalThis.__playground.arena.snapshot()));
  await page.fill('[data-testid=editor]', '+10\n+20\n-7');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=editor-status]'), /Line 3/);
  assert.match(await page.textContent('.notice-error'), /line 3/);
  assert.equal(await page.evaluate(() => JSON.stringify(globalThis.__playground.arena.snapshot())), before, 'state kept');
  await page.fill('[data-testid=editor]', '+10,\n+zz');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=editor-status]'), /Line 2, column 1/);
  assert.equal(await page.evaluate(() => JSON.stringify(globalThis.__playground.arena.snapshot())), before);
  // Append runs on top of the current state, validated against it.
  await page.fill('[data-testid=editor]', 'r0:8');
  await page.click('[data-testid=append]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=editor-status]'), /ptr\[0\] is already freed/);
  assert.equal(await log(page), '+10,+20,-0,+16@64,c8,r1:40,w1=cafe');
  await page.fill('[data-testid=editor]', '-1 -3');
  await page.click('[data-testid=append]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,-0,+16@64,c8,r1:40,w1=cafe,-1,-3');
  await checkViewsMatch(page);
  // From a step in the past, Append adds after the last op: the later ops stay.
  await page.click('[data-testid=undo]');
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.fill('[data-testid=editor]', '+8');
  await page.click('[data-testid=append]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,-0,+16@64,c8,r1:40,w1=cafe,-1,-3,+8');
  // A refused append leaves the cursor where it was.
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.fill('[data-testid=editor]', '-99');
  await page.click('[data-testid=append]');
  await idle(page);
  assert.deepEqual(await page.evaluate(() => [globalThis.__playground.session.position, globalThis.__playground.session.total]), [9, 10]);
  // Run from start keeps the text as written (comments, one op a line).
  const script = '# three allocs\n+10\n+20  # the second\n+30\n';
  await page.fill('[data-testid=editor]', script);
  await page.click('[data-testid=run]');
  await idle(page);
  await page.waitForTimeout(200);
  assert.equal(await log(page), '+10,+20,+30');
  assert.equal(await page.inputValue('[data-testid=editor]'), script);
  await close();
});

test('a link to a trace’s run keeps the trace ids its pointers stand for (ids=)', async () => {
  const a = await open();
  const rep = '20000\n10\n5\n1\na 7 512\na 3 128\na 9 64\nf 3\nf 7\n';
  await a.page.setInputFiles('[data-testid=file-input]', { name: 'ids.rep', mimeType: 'text/plain', buffer: Buffer.from(rep) });
  await a.page.waitForSelector('[data-testid=trace-panel]:not([hidden])');
  await a.page.click('[data-testid=trace-run-hint]');
  await idle(a.page);
  await a.page.waitForFunction(() => /&ids=7,3,9(&|$)/.test(location.hash));
  const hash = await a.page.evaluate(() => location.hash);
  await a.close();
  const b = await open(hash);
  const names = await b.page.$$eval('#map [role=button][aria-label^="ptr["]', (els) => els.map((e) => e.getAttribute('aria-label').replace(/, used.*/, '')));
  assert.deepEqual(names, ['ptr[2] (trace id 9)']);
  await b.page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 5, -0, trace id 7: free(ptr[0]):'));
  // New settings re-run the same ops: the ids still name their pointers (and Undo keeps them).
  await b.page.fill('[data-testid=arena-size]', '40000');
  await b.page.press('[data-testid=arena-size]', 'Enter');
  await idle(b.page);
  assert.equal(await b.page.evaluate(() => globalThis.__playground.session.config.size), 40000);
  await b.page.waitForFunction(() => /&ids=7,3,9(&|$)/.test(location.hash));
  await b.page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 5, -0, trace id 7: free(ptr[0]):'));
  await b.page.locator('.notice', { hasText: 'the 5 ops re-ran' }).getByRole('button', { name: 'Undo' }).click();
  await idle(b.page);
  await b.page.waitForFunction(() => /&ids=7,3,9(&|$)/.test(location.hash) && globalThis.__playground.session.config.size !== 40000);
  // An op list run afterwards has no trace ids, and its link none either.
  await runOps(b.page, '+8');
  await b.page.waitForFunction(() => !location.hash.includes('ids='));
  await b.close();
});

test('malloc.py’s flags pasted without the command run as the command', async () => {
  const { page, close } = await open();
  await runOps(page, '-n 10 -H 0 -p BEST -s 0');
  const expected = await page.evaluate(() => import('./arena.js').then((m) => m.parseMallocPy('./malloc.py -n 10 -H 0 -p BEST -s 0').ops));
  assert.equal(await log(page), expected);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.config.size), 100);
  await close();
});

test('the malloc.py view cut short by its own limits says malloc.py prints the whole run', async () => {
  const { page, close } = await open();
  await runOps(page, './malloc.py -n 2500 -s 1 -p BEST -C');
  await page.click('[data-testid=ostep]');
  assert.equal(await page.textContent('[data-testid=ostep-command-note]'), 'The text above is cut short: it is written out for 2,000 ops at most. malloc.py prints the whole run, as the command that drew these ops does; this view gives its command only where it can print the same.');
  await close();
});

test('a trace typed into the op list and run at once is read as a trace, not refused as ops', async () => {
  const { page, close } = await open();
  await page.fill('[data-testid=editor]', '20000\n10\n5\n1\na 7 512\na 3 128\na 9 64\nf 3\nf 7\n');
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=trace-panel]:not([hidden])');
  assert.match(await page.textContent('.ed-status'), /5 ops · read as a \.rep trace/);
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), '.rep trace');
  assert.doesNotMatch(await page.textContent('#notices'), /unknown op/);
  await close();
});

test('a CS:APP .rep trace imports by file picker and sizes the arena from its hint', async () => {
  const { page, close } = await open();
  const rep = '20000\n3\n6\n1\na 0 512\na 1 128\nr 0 640\na 2 128\nf 1\nf 0\n';
  await page.setInputFiles('[data-testid=file-input]', { name: 'short.rep', mimeType: 'text/plain', buffer: Buffer.from(rep) });
  await page.waitForSelector('[data-testid=trace-panel]:not([hidden])');
  assert.match(await page.textContent('[data-testid=trace-panel]'), /6 ops .* heap hint 20,000 B/);
  // The panel's buttons and the notice after a run give sizes in the same unit: exact bytes.
  assert.equal(await page.textContent('[data-testid=trace-run-current]'), 'Run in the current 1,024 B arena');
  // The panel's buttons are the ways to run it: no second primary button
  // (Run from start) beside them, and Ctrl+Enter goes to the first of them.
  assert.equal(await page.isHidden('[data-testid=run]'), true);
  await page.focus('[data-testid=editor]');
  await page.keyboard.press('Control+Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'trace-run-fit');
  assert.equal(await log(page), '', 'nothing ran');
  await page.click('[data-testid=trace-run-hint]');
  await idle(page);
  assert.match(await page.textContent('#notices'), /Ran “short\.rep”: 6 ops in a 20,000 B arena · 0 failed\./);
  const s = await checkViewsMatch(page);
  assert.equal(s.arenaSize, 20000);
  assert.equal(await log(page), '+512,+128,r0:640,+128,-1,-0');
  // The trace's own ids stay visible: ptr[k] is named with the id it stands for.
  const ids = await page.$$eval('#map [role=button][aria-label^="ptr["]', (els) => els.map((e) => e.getAttribute('aria-label').replace(/, used.*/, '')));
  assert.deepEqual(ids, ['ptr[2] (trace id 2)']);
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 6, -0, trace id 0: free(ptr[0]):'));
  // A malloc at a past step starts a branch: the pointers made before it keep
  // their ids, the new one has none; back on the trace's branch, its names.
  const names = () => page.$$eval('#map [role=button][aria-label^="ptr["]', (els) => els.map((e) => e.getAttribute('aria-label').replace(/, used.*/, '')));
  await page.locator('[data-testid=scrubber]').fill('2');
  await idle(page);
  await malloc(page, 8);
  assert.deepEqual(await names(), ['ptr[0] (trace id 0)', 'ptr[1] (trace id 1)', 'ptr[2]']);
  await page.locator('.notice').getByRole('button', { name: 'Back to “original”' }).click();
  await idle(page);
  await page.click('[data-testid=tl-end]');
  await idle(page);
  assert.deepEqual(await names(), ['ptr[2] (trace id 2)']);
  // An op list run afterwards has no trace ids.
  await page.click('.seg-btn:text-is("Op list")');
  await runOps(page, '+8');
  assert.deepEqual(await page.$$eval('#map [role=button][aria-label^="ptr["]', (els) => els.map((e) => e.getAttribute('aria-label').replace(/, used.*/, ''))), ['ptr[0]']);
  await runOps(page, '+512,+128,r0:640,+128,-1,-0');
  // A bad trace names its line and changes nothing.
  await page.setInputFiles('[data-testid=file-input]', { name: 'bad.rep', mimeType: 'text/plain', buffer: Buffer.from('100\n2\n2\n1\na 0 10\nx 1 2\n') });
  await page.waitForSelector('.notice-error');
  assert.match(await page.textContent('.notice-error'), /line 6/);
  assert.equal(await log(page), '+512,+128,r0:640,+128,-1,-0');
  // Pasting a trace into the editor switches it to .rep.
  await page.click('[data-testid=editor]');
  await page.fill('[data-testid=editor]', '');
  await page.evaluate((text) => {
    const ta = document.querySelector('[data-testid=editor]');
    ta.value = text;
    ta.dispatchEvent(new Event('input'));
    ta.dispatchEvent(new ClipboardEvent('paste'));
  }, rep);
  await page.waitForFunction(() => document.querySelector('.seg-btn[aria-pressed=true]').textContent === '.rep trace');
  await page.waitForSelector('[data-testid=trace-run-current]');
  // A pasted trace with a bad line is still read as a trace: the trace reader's words, not the op list's.
  const paste = (text, clip = null) => page.evaluate(({ text, clip }) => {
    const ta = document.querySelector('[data-testid=editor]');
    const data = new DataTransfer();
    data.setData('text/plain', clip ?? text);
    const ev = new ClipboardEvent('paste', { clipboardData: data, cancelable: true });
    ta.dispatchEvent(ev);
    if (!ev.defaultPrevented) { ta.value = text; ta.dispatchEvent(new Event('input')); }
    return ev.defaultPrevented;
  }, { text, clip });
  await page.click('.seg-btn:not([aria-pressed=true])');
  assert.equal(await paste('100\n2\n2\n1\na 0 -5\nf 0\n'), false);
  await page.waitForFunction(() => /trace reader refused it: line 5/.test(document.querySelector('#notices').textContent));
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), '.rep trace');
  // xv6's copies keep two header lines: still a trace, and the reader says where its header ended.
  await page.click('.seg-btn:not([aria-pressed=true])');
  assert.equal(await paste('6\n2\na 0 8\nf 0\n'), false);
  await page.waitForFunction(() => /trace reader refused it: line 3, column 1: the header ends after 2 numbers/.test(document.querySelector('#notices').textContent));
  assert.equal(await page.textContent('.seg-btn[aria-pressed=true]'), '.rep trace');
  // A paste of many megabytes is refused before the textarea takes it (it froze the page), with Import file offered.
  const before = await page.inputValue('[data-testid=editor]');
  assert.equal(await paste('', '+8,'.repeat(1_500_000)), true);
  await page.waitForFunction(() => /pasting more than 4 MiB would freeze the page/.test(document.querySelector('#notices').textContent));
  assert.equal(await page.inputValue('[data-testid=editor]'), before);
  await paste(rep);
  await page.waitForSelector('[data-testid=trace-run-current]');
  await page.click('[data-testid=trace-run-current]');
  await idle(page);
  assert.equal((await snap(page)).arenaSize, 20000, 'the current arena');
  assert.equal(await log(page), '+512,+128,r0:640,+128,-1,-0');
  // Drag and drop a .rep onto the editor.
  await page.fill('[data-testid=arena-size]', '1024');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], 'dropped.rep', { type: 'text/plain' }));
    return d;
  }, rep);
  await page.dispatchEvent('.ed', 'dragenter', { dataTransfer: dt });
  assert.ok(await page.isVisible('.ed-drop'), 'drop zone shows');
  await page.dispatchEvent('.ed', 'drop', { dataTransfer: dt });
  await page.waitForSelector('[data-testid=trace-run-hint]');
  assert.match(await page.textContent('[data-testid=trace-panel]'), /dropped\.rep/);
  await page.click('[data-testid=trace-run-hint]');
  await idle(page);
  assert.equal((await snap(page)).arenaSize, 20000);
  // A hint far too small (course copies say 1): the arena just big enough
  // for first fit is offered first. ptr[0] moves to 640 when it grows to 640
  // bytes, so first fit needs 1,280 bytes; 1,272 would refuse it. The hint
  // cannot hold the 896 bytes the trace requests at once: not offered.
  await page.setInputFiles('[data-testid=file-input]', { name: 'hint1.rep', mimeType: 'text/plain', buffer: Buffer.from(rep.replace(/^20000/, '1')) });
  await page.waitForSelector('[data-testid=trace-run-fit]');
  assert.match(await page.textContent('[data-testid=trace-run-fit]'), /^Run under first fit in a 1,280 B arena \(its high-water mark: it refuses nothing\)$/);
  assert.match(await page.textContent('[data-testid=trace-panel]'), /at most 896 B requested at once · heap hint 1 B \(too small to hold that\)/);
  assert.equal(await page.$('[data-testid=trace-run-hint]'), null, 'no 8 B arena offered');
  // And an arena where no fit strategy runs out with the heap growing with
  // sbrk: the sum of the requests' blocks, 512 + 128 + 640 + 128.
  assert.equal(await page.textContent('[data-testid=trace-run-sbrk]'), 'Run in a 1,408 B arena, the heap growing with sbrk (the sum of its requests: no fit strategy runs out)');
  // CMU 15-213's header (weight, ids, ops, peak bytes) is read as such: no heap hint.
  await page.setInputFiles('[data-testid=file-input]', { name: 'cmu.rep', mimeType: 'text/plain', buffer: Buffer.from(rep.replace(/^20000\n(\d+)\n(\d+)\n1\n/, '1\n$1\n$2\n896\n')) });
  await page.waitForFunction(() => /cmu\.rep/.test(document.querySelector('[data-testid=trace-panel]')?.textContent));
  assert.match(await page.textContent('[data-testid=trace-panel]'), /at most 896 B requested at once · CMU 15-213 header \(weight 1\)/);
  assert.equal(await page.$('[data-testid=trace-run-hint]'), null);
  await page.setInputFiles('[data-testid=file-input]', { name: 'hint1.rep', mimeType: 'text/plain', buffer: Buffer.from(rep.replace(/^20000/, '1')) });
  await page.waitForFunction(() => /hint1\.rep/.test(document.querySelector('[data-testid=trace-panel]')?.textContent));
  await page.click('[data-testid=trace-run-fit]');
  await idle(page);
  const fitted = await snap(page);
  assert.deepEqual([fitted.arenaSize, fitted.stats.failedAllocs], [1280, 0]);
  const tight = await page.evaluate(() => { const a = globalThis.__playground.api.createArena({ size: 1272 }); a.replay('+512,+128,r0:640,+128,-1,-0'); const n = a.stats().failedAllocs; a.dispose(); return n; });
  assert.equal(tight, 1);
  // Editing the trace retires its panel (its buttons ran the text as
  // imported); Run from start runs the edited text and offers a panel for it.
  await page.setInputFiles('[data-testid=file-input]', { name: 'short.rep', mimeType: 'text/plain', buffer: Buffer.from(rep) });
  await page.waitForSelector('[data-testid=trace-run-hint]');
  await page.fill('[data-testid=editor]', '20000\n1\n2\n1\na 0 16\nf 0\n');
  assert.equal(await page.isHidden('[data-testid=trace-panel]'), true, 'the stale panel is gone');
  assert.equal(await page.isVisible('[data-testid=run]'), true, 'Run from start is back');
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=trace-panel]:not([hidden])');
  // Run from start, pressed, stepped aside: the focus went to the panel's first button, not the page.
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'trace-run-fit');
  assert.match(await page.textContent('[data-testid=trace-panel]'), /2 ops · 1 id/);
  await page.click('[data-testid=trace-run-hint]');
  await idle(page);
  assert.equal(await log(page), '+16,-0');
  // A hand-made op puts the log (an op list) in the editor: the trace's panel goes, Run from start is back.
  await malloc(page, 8);
  assert.equal(await page.isHidden('[data-testid=trace-panel]'), true);
  assert.equal(await page.isVisible('[data-testid=run]'), true);
  await close();
});

test('the page works from a sub-path (relative URLs only)', async () => {
  const parent = await serve(dirname(PAGE_DIR), 0);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`http://127.0.0.1:${parent.address().port}/${basename(PAGE_DIR)}/#size=512&ops=+10,+20`);
    await page.waitForFunction(() => globalThis.__playground);
    await idle(page);
    assert.equal(await log(page), '+10,+20');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    parent.close();
  }
});

test('the timeline stays where it is when the words under the map come, after a link opens and after a step, presenting too', async () => {
  const { page, close } = await open('#size=2048&strategy=best-fit&ops=+10,+20,-0,+5&step=3');
  const at = () => page.evaluate(() => document.querySelector('[data-testid=tl-end]').getBoundingClientRect().y + scrollY);
  const words = () => page.textContent('[data-testid=last-op]');
  // The words come with the step's render, not later: nothing moves once it is drawn.
  const settled = async (what) => {
    await idle(page);
    const y = await at();
    await page.waitForTimeout(400);
    assert.equal(await at(), y, `${what}: nothing moves after the render`);
    return y;
  };
  const y = await settled('the link');
  assert.match(await words(), /^Op 3,/);
  await page.click('[data-testid=tl-start]');
  assert.equal(await settled('step 0'), y, 'at step 0 the place stays');
  assert.equal(await words(), 'Step 0 of 4: no op has run yet. The next is op 1, +10.');
  // A longer account may take a line more; the shorter ones after it keep that room.
  await page.click('[data-testid=tl-end]');
  const y4 = await settled('op 4');
  assert.match(await words(), /^Op 4,/);
  await page.click('[data-testid=undo]');
  assert.equal(await settled('back to op 3'), y4);
  await page.click('[data-testid=redo]');
  assert.equal(await settled('op 4 again'), y4);
  // Presenting (zoomed), the kept room does not grow step after step.
  await page.click('[data-testid=present]');
  const yp = await settled('presenting');
  for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowRight', 'ArrowLeft']) {
    await page.keyboard.press(key);
    assert.equal(await settled(key), yp);
  }
  await page.keyboard.press('Escape');
  await close();
});

test('messages and boxes that come and go move no control: Predict, a malloc’s or a free’s words, a bad op list, the curve note', async () => {
  const { page, close } = await open('#size=1024&ops=+10,+20');
  const y = (sel) => page.evaluate((q) => document.querySelector(q).getBoundingClientRect().y + scrollY, sel);
  const still = async (sel, what, act) => {
    const before = await y(sel);
    await act();
    await idle(page);
    await page.waitForTimeout(400);
    assert.equal(await y(sel), before, `${what} moved ${sel}`);
  };
  // The Operations card keeps a line for its message (a failure's longer words may take more).
  await still('[data-testid=free-target]', 'a malloc', () => malloc(page, 8));
  assert.match(await page.textContent('.ap-msg'), /malloc\(8\)/);
  await still('[data-testid=free-target]', 'a free', async () => { await page.click('[data-testid=free-target]'); await idle(page); });
  assert.match(await page.textContent('[data-testid=ptr-msg]'), /^Freed ptr\[\d+\]/);
  // Freeing the last live pointer hides the pointer section, not what the free said.
  const left = (await snap(page)).blocks.filter((b) => !b.free).map((b) => b.seq);
  for (const seq of left) { await page.selectOption('[data-testid=target]', String(seq)); await page.click('[data-testid=free-target]'); await idle(page); }
  assert.equal(await page.isVisible('[data-testid=free-target]'), false);
  assert.equal(await page.isVisible('[data-testid=ptr-msg]'), true);
  assert.match(await page.textContent('[data-testid=ptr-msg]'), /^Freed ptr\[\d+\]/);
  // Predict's box comes under the timeline, not above the switch just clicked.
  await still('[data-testid=predict-toggle]', 'Predict on', () => page.click('.tl-predict'));
  await page.waitForSelector('[data-testid=predict]:not([hidden])');
  await still('[data-testid=tl-end]', 'Predict off', () => page.click('.tl-predict'));
  // The op list's message comes under its buttons.
  await still('[data-testid=run]', 'a bad op list', async () => {
    await page.fill('[data-testid=editor]', '+10,xyz,+20,this is not an op at all and the message about it is long');
    await page.waitForFunction(() => document.querySelector('[data-testid=editor-status]').textContent !== '');
  });
  await close();
  // The first op of a timeline: the curve's note line is there before its
  // samples (60 ms later). Every frame from the op's render on, the row
  // under the curve is where it was drawn.
  const fresh = await open('');
  await fresh.page.evaluate(() => {
    globalThis.__ys = [];
    const tick = () => {
      if (document.querySelector('#timeline .tl-op')) globalThis.__ys.push(document.querySelector('[data-testid=predict-toggle]').getBoundingClientRect().y + scrollY);
      if (!globalThis.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await malloc(fresh.page, 16);
  await fresh.page.waitForFunction(() => /peak|none so far/.test(document.querySelector('.tl-spark-note').textContent));
  await fresh.page.waitForTimeout(100);
  const ys = await fresh.page.evaluate(() => { globalThis.__stop = true; return globalThis.__ys; });
  assert.ok(ys.length > 1, 'frames were seen');
  assert.deepEqual([...new Set(ys)], [ys[0]], 'the samples coming moved the row under the curve');
  await fresh.close();
});

test('Present on a 1280×720 projector: the map takes longer rows so the words, the step buttons and the op strip stay on the screen, zoomed in too', async () => {
  const { page, close } = await open('#size=1024&strategy=first-fit&ops=+10,+20,-0,+5,+100,+3,-1,+64,-4,+8,+200,-2,+16,+5000', { width: 1280, height: 720 });
  const rows = () => page.evaluate(() => new Set([...document.querySelectorAll('#map .mm-addr')].map((t) => t.textContent)).size);
  const before = await rows();
  await page.click('[data-testid=present]');
  await page.waitForFunction(() => document.documentElement.classList.contains('presenting'));
  const bottom = () => page.evaluate(() => document.querySelector('#timeline .tl-meta').getBoundingClientRect().bottom);
  await idle(page);
  assert.ok(await bottom() <= 720, `the op strip ends at ${await bottom()}`);
  assert.ok(await rows() < before, `${await rows()} rows presenting, ${before} before`);
  await page.keyboard.press('+');
  await idle(page);
  assert.ok(await bottom() <= 720, `zoomed in, the op strip ends at ${await bottom()}`);
  await page.keyboard.press('-');
  // Each step's words may take a line more: the map refits in that step's
  // frame (nothing moves after it), and the op strip stays on the screen.
  await page.evaluate(() => globalThis.__playground.session.seek(0));
  await idle(page);
  for (let k = 1; k <= 14; k++) {
    await page.keyboard.press('ArrowRight');
    await idle(page);
    const b = await bottom();
    await page.waitForTimeout(150);
    assert.equal(await bottom(), b, `step ${k}: nothing moves after the render`);
    assert.ok(b <= 720, `step ${k}: the op strip ends at ${b}`);
  }
  await page.keyboard.press('Escape');
  await idle(page);
  assert.equal(await rows(), before, 'the page keeps its own rows');
  await close();
  // Ending comes back to where the page was, where the presenting layout is shorter too.
  const tall = await open('#size=1024&ops=+10,+20', { width: 1920, height: 1080 });
  // (A click from the script: Playwright's would scroll the button into view first.)
  await tall.page.evaluate(() => { scrollTo(0, 300); document.querySelector('[data-testid=present]').click(); });
  await tall.page.keyboard.press('Escape');
  await idle(tall.page);
  assert.equal(await tall.page.evaluate(() => scrollY), 300);
  await tall.close();
});

test('the page does not jump as it appears: the help is open or closed from the start, the cards show once drawn', async () => {
  for (const [width, height, hash, helpOpen] of [[360, 740, '', false], [1280, 900, '', true], [1280, 900, '#size=2048&ops=+10,+20,-0,+5', false]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    // Chrome's layout-shift score (CLS), as a user would have it: 0.1 is "good".
    await page.addInitScript(() => {
      globalThis.__cls = 0;
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) globalThis.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(base + hash);
    await page.waitForFunction(() => globalThis.__playground);
    await idle(page);
    await page.waitForTimeout(300);
    const cls = await page.evaluate(() => globalThis.__cls);
    assert.ok(cls < 0.1, `${width}px ${hash || 'no link'}: layout shift score ${cls.toFixed(3)}`);
    assert.equal(await page.evaluate(() => document.getElementById('help').open), helpOpen, `${width}px ${hash}`);
    await context.close();
  }
});

test('the URL carries config and ops; a bad URL falls back with a notice', async () => {
  const { page, close } = await open('#size=2048&strategy=best-fit&align=16&coalesce=0&ops=+10,+20,-0,+5&step=3');
  let s = await snap(page);
  assert.equal(s.arenaSize, 2048);
  assert.equal(s.align, 16);
  assert.equal(s.coalesce, false);
  assert.equal(s.strategy, 'best-fit');
  assert.equal(s.ops, 3, 'the cursor from the URL');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 4);
  await page.click('[data-testid=tl-end]');
  // The seek is asynchronous: the malloc must run at the end, not at op 3.
  await page.waitForFunction(() => { const s = globalThis.__playground.session; return s.position === s.total; });
  await idle(page);
  await malloc(page, 7);
  await page.waitForFunction(() => location.hash.includes('+7'));
  const hash = await page.evaluate(() => location.hash);
  assert.equal(hash, '#size=2048&strategy=best-fit&align=16&coalesce=0&ops=+10,+20,-0,+5,+7');
  const again = await open(hash);
  s = await snap(again.page);
  assert.equal(await log(again.page), '+10,+20,-0,+5,+7');
  assert.equal(s.arenaSize, 2048);
  // Pasting another playground link into the same tab loads it.
  await again.page.evaluate(() => { location.hash = '#size=512&strategy=worst-fit&ops=+8,+16,-0'; });
  await again.page.waitForFunction(() => globalThis.__playground.arena.log() === '+8,+16,-0');
  await idle(again.page);
  assert.equal((await snap(again.page)).strategy, 'worst-fit');
  // A hand-edited link without ops (#step=9) would discard the timeline: it asks first, and "Cancel" keeps it, link and all.
  await again.page.evaluate(() => { globalThis.__asked = []; globalThis.confirm = (m) => { globalThis.__asked.push(m); return false; }; });
  await again.page.evaluate(() => { location.hash = '#step=9'; });
  await again.page.waitForFunction(() => globalThis.__asked.length === 1);
  await idle(again.page);
  assert.match(await again.page.evaluate(() => globalThis.__asked[0]), /^Opening the link starts over: the 3 ops of this timeline will be discarded/);
  assert.equal(await log(again.page), '+8,+16,-0');
  assert.equal(await again.page.evaluate(() => location.hash), '#size=512&strategy=worst-fit&ops=+8,+16,-0');
  await again.close();
  for (const bad of ['#size=1000&align=16&ops=+1', '#size=abc', '#strategy=fastest']) {
    const b = await open(bad);
    assert.match(await b.page.textContent('.notice-warn'), /ignored/);
    const d = await snap(b.page);
    assert.equal(d.arenaSize, 1024);
    assert.equal(d.ops, 0);
    await b.close();
  }
  // Good settings with a bad op: the settings apply, and the ops wait in the
  // editor (marked) to be fixed, instead of being lost with the address bar.
  const b = await open('#size=2048&strategy=best-fit&ops=+10,-5');
  const notice = await b.page.textContent('.notice-warn');
  assert.match(notice, /ops were not run \(op 2 \(-5\): ptr\[5\] does not exist yet.*\)\. They are in the op editor/);
  assert.doesNotMatch(notice, /line 1/);
  const d = await snap(b.page);
  assert.deepEqual([d.arenaSize, d.strategy, d.ops], [2048, 'best-fit', 0]);
  await b.page.waitForTimeout(400);
  assert.equal(await b.page.inputValue('[data-testid=editor]'), '+10,-5');
  // The address bar keeps the link, so a reload brings the ops back.
  assert.match(await b.page.evaluate(() => location.hash), /ops=\+10,-5/);
  await b.page.reload();
  await b.page.waitForFunction(() => globalThis.__playground);
  await b.page.waitForTimeout(400);
  assert.equal(await b.page.inputValue('[data-testid=editor]'), '+10,-5');
  // The first change writes the state's own link again.
  await malloc(b.page, 8);
  await b.page.waitForFunction(() => location.hash.includes('ops=+8'));
  await b.close();
  await close();
});

test('the skip link focuses the map and keeps the link in the address bar; Copy link writes the state back after an in-page anchor', async () => {
  const { page, close } = await open('#size=2048&strategy=best-fit&ops=+10,+20,-0');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  // (The page writes the link out in full 250 ms after a render: under load
  // that can come before or after the skip link. Wait for it.)
  await page.waitForFunction(() => location.hash.includes('align='));
  const start = await page.evaluate(() => location.hash);
  assert.match(start, /^#size=2048&strategy=best-fit&.*ops=\+10,\+20,-0$/);
  await page.focus('.skip-link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'map-card');
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => location.hash), start, 'the skip link leaves the state in the address bar');
  // Another anchor in the address bar (a hand-typed #map-card) is not a
  // link to load, and Copy link puts the state back before copying.
  await page.evaluate(() => new Promise((r) => { addEventListener('hashchange', r, { once: true }); location.hash = '#map-card'; }));
  await idle(page);
  assert.equal(await log(page), '+10,+20,-0');
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => location.hash.includes('ops='));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(new URL(copied).hash, /^#size=2048&strategy=best-fit&.*ops=\+10,\+20,-0$/);
  await close();
});

test('printed, the page is the state on light paper: no controls, no messages, the map and its words kept', async () => {
  const { page, close } = await open('#size=1024&strategy=best-fit&ops=+100,+50,-0,+30', { colorScheme: 'dark' });
  const shown = (sel) => page.$eval(sel, (el) => el.getClientRects().length > 0);
  // The text's colour says which scheme applies: light text on a dark screen, dark text on paper.
  const textLight = () => page.evaluate(() => getComputedStyle(document.body).color.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) > 384);
  assert.equal(await textLight(), true, 'the screen is dark');
  assert.ok(await shown('[data-testid=malloc]'));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await textLight(), false, 'paper is light');
  for (const sel of ['[data-testid=malloc]', '[data-testid=editor]', '[data-testid=share]', '[data-testid=play]', '#help', '#notices', '#compare-card']) {
    assert.equal(await shown(sel), false, `${sel} is not printed`);
  }
  for (const sel of ['#map svg', '[data-testid=last-op]', '#meter', '#bytes', '#controls select']) {
    assert.equal(await shown(sel), true, `${sel} is printed`);
  }
  assert.equal(await page.$eval('#map', (el) => getComputedStyle(el).breakInside), 'avoid');
  // Dark picked with the theme button: paper is light all the same.
  await page.evaluate(() => { document.documentElement.dataset.theme = 'dark'; });
  assert.equal(await textLight(), false, 'paper is light under a chosen dark theme too');
  await close();
  // A comparison on the page is printed with it.
  const cmp = await open('#size=1024&ops=+100,+50,-0,+30&cmp=end');
  await cmp.page.waitForFunction(() => document.querySelectorAll('.cmp-card').length === 5);
  await cmp.page.emulateMedia({ media: 'print' });
  assert.equal(await cmp.page.$eval('#compare-card', (el) => el.getClientRects().length > 0), true, 'the comparison is printed');
  await cmp.close();
});

test('asked for more contrast (an OS setting), free blocks are outlined and the quieter texts are as dark as the text', async () => {
  const { page, close } = await open('#size=1024&coalesce=0&ops=+100,+50,-0,+30');
  const look = () => page.evaluate(() => ({
    outline: getComputedStyle(document.querySelector('#map .mm-free')).stroke,
    muted: getComputedStyle(document.querySelector('#map-status')).color,
    text: getComputedStyle(document.body).color,
  }));
  const normal = await look();
  assert.equal(normal.outline, 'none');
  assert.notEqual(normal.muted, normal.text);
  await page.emulateMedia({ contrast: 'more' });
  const more = await look();
  assert.notEqual(more.outline, 'none', 'free blocks are outlined');
  assert.equal(more.muted, 'rgb(61, 73, 87)', 'the quieter text is darker');
  await close();
});

test('failed ops are marked in the timeline and counted in the map status', async () => {
  const { page, close } = await open('#size=100&align=1');
  // +60 finds no room (ptr[1] = NULL); the write past ptr[0]'s end and the
  // write through the NULL ptr[1] write nothing.
  // A second free of ptr[2] (a double free) changes nothing and fails too.
  await runOps(page, '+50,+60,w0@49=aabb,w1@0=ff,+10,-2,-2');
  assert.deepEqual(await page.evaluate(() => [...globalThis.__playground.arena.failedOps()]), [1, 2, 3, 6]);
  assert.match(await page.textContent('#map-status'), /4 failed ops \(marked in the timeline\)/);
  const marked = await page.$$eval('.tl-op.tl-failed', (els) => els.map((e) => [e.dataset.step, e.getAttribute('aria-label')]));
  assert.deepEqual(marked.map(([st]) => st), ['2', '3', '4', '7']);
  assert.match(marked[0][1], /\+60 \(failed: returned NULL\)/);
  assert.match(marked[1][1], /w0@49=aabb \(failed: wrote nothing\)/);
  assert.match(marked[3][1], /-2 \(failed: already freed\)/);
  // (The words under the map are written after the render: wait for them.)
  await page.waitForFunction(() => /^Op 7, -2: free\(ptr\[2\]\) is refused: ptr\[2\] was freed already \(a double free; malloc\.py returns -1\), so nothing changes\.$/.test(document.querySelector('[data-testid=last-op]').textContent));
  // Back before the failures: nothing is marked or counted.
  await page.click('[data-testid=tl-start]');
  await idle(page);
  assert.equal(await page.$$eval('.tl-op.tl-failed', (els) => els.length), 0);
  assert.doesNotMatch(await page.textContent('#map-status'), /failed/);
  await close();
});

test('a strategy switch after ops says what it means and offers a re-run; a reset keeps the shown strategy', async () => {
  const { page, close } = await open('#size=100&strategy=worst-fit&align=4&coalesce=0&ops=+10,+20,-0,+5');
  assert.equal((await snap(page)).blocks.find((b) => b.seq === 2).offset, 32);
  await page.focus('[data-testid=strategy]');
  await page.selectOption('[data-testid=strategy]', 'best-fit');
  await idle(page);
  assert.equal(await log(page), '+10,+20,-0,+5,@best-fit');
  const notice = page.locator('.notice', { hasText: 'Best fit from op 5 on' });
  assert.match(await notice.textContent(), /records the switch as @best-fit, and blocks already placed stay/);
  // The other reading: the same ops from the start under best fit. Pressed
  // from the keyboard, the notice goes and the focus goes back where it was.
  await notice.getByRole('button', { name: 'Re-run all 4 ops under Best fit' }).focus();
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'strategy');
  const d = await snap(page);
  assert.deepEqual([d.strategy, await log(page)], ['best-fit', '+10,+20,-0,+5']);
  assert.equal(d.blocks.find((b) => b.seq === 2).offset, 0);
  assert.equal((await page.evaluate(() => globalThis.__playground.session.config)).strategy, 'best-fit');
  // A switch then an alignment change (which starts over): the strategy shown stays.
  await page.selectOption('[data-testid=strategy]', 'next-fit');
  await idle(page);
  await page.selectOption('[data-testid=align]', '2');
  await idle(page);
  const e = await snap(page);
  assert.deepEqual([e.strategy, e.align, e.ops], ['next-fit', 2, 5]);
  assert.equal(await page.inputValue('[data-testid=strategy]'), 'next-fit');
  // Slab in an arena smaller than a slab: a warning up front.
  await page.selectOption('[data-testid=strategy]', 'slab');
  await idle(page);
  assert.match(await page.textContent('.notice-warn'), /256-byte slab does not fit in the 100-byte arena/);
  await close();
});

test('an op done at a past step starts a new history and keeps the old one as a branch', async () => {
  const ops = '+3,-0,+5,-1,+8,-2,+7,-3,+2,-4';
  const { page, close } = await open(`#size=100&strategy=first-fit&align=1&coalesce=0&ops=${ops}&step=4`);
  const session = () => page.evaluate(() => { const s = globalThis.__playground.session; return { position: s.position, total: s.total, branches: s.branches.map((b) => b.name), active: s.active }; });
  assert.deepEqual(await session(), { position: 4, total: 10, branches: [], active: 0 });
  // Coalescing switched on at step 4: the six later ops are not lost.
  await page.click('.switch');
  await idle(page);
  assert.equal(await log(page), '+3,-0,+5,-1,@coalesce');
  assert.deepEqual(await session(), { position: 5, total: 5, branches: ['original', 'edit @ step 4'], active: 1 });
  const notice = page.locator('.notice', { hasText: 'A new history starts at step 4' });
  assert.match(await notice.textContent(), /the 6 later ops of the timeline you were on are kept on the branch “original”/);
  await notice.getByRole('button', { name: 'Back to “original”' }).click();
  await idle(page);
  assert.equal(await log(page), '+3,-0,+5,-1');
  assert.deepEqual(await session(), { position: 4, total: 10, branches: ['original', 'edit @ step 4'], active: 0 });
  assert.equal(await page.inputValue('[data-testid=branch]'), '0');
  // A malloc at a past step branches too (and a strategy switch, which used to ask).
  await page.click('[data-testid=tl-start]');
  await idle(page);
  await malloc(page, 8);
  assert.deepEqual(await session(), { position: 1, total: 1, branches: ['original', 'edit @ step 4', 'edit @ step 0'], active: 2 });
  assert.equal(await page.evaluate(() => globalThis.__playground.session.branches[0].tokens.join(',')), ops);
  // New settings re-run one timeline: with other branches, it asks first.
  let asked = '';
  page.on('dialog', (d) => { asked = d.message(); });
  await page.fill('[data-testid=arena-size]', '200');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  assert.match(asked, /the other 2 branches \(Branch menu\) will be discarded/);
  assert.deepEqual(await session(), { position: 1, total: 1, branches: [], active: 0 });
  await close();
});

test('a strategy switch at a past step also offers the whole timeline re-run under the new strategy', async () => {
  // A student at step 4 of a trace who picks Best fit means "this trace under best fit" as often as "from here on".
  const ops = '+3,-0,+5,-1,+8,-2,+7,-3,+2,-4';
  const { page, close } = await open(`#size=100&strategy=first-fit&align=1&coalesce=0&ops=@next-fit,${ops}&step=4`);
  await page.selectOption('[data-testid=strategy]', 'best-fit');
  await idle(page);
  assert.equal(await log(page), '@next-fit,+3,-0,+5,@best-fit');
  const notice = page.locator('.notice', { hasText: 'A new history starts at step 4' });
  assert.match(await notice.textContent(), /the 7 later ops of the timeline you were on are kept on the branch “original”/);
  await notice.getByRole('button', { name: 'Re-run all 10 ops under Best fit (without the earlier switch)' }).click();
  await idle(page);
  assert.equal(await log(page), ops);
  assert.equal(await page.inputValue('[data-testid=strategy]'), 'best-fit');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.arena.strategy), 'best-fit');
  await close();
});

test('ops malloc.py drew are drawn again under new settings, as the command with them draws them', async () => {
  const { page, close } = await open('#size=1024');
  const failed = () => page.evaluate(() => globalThis.__playground.session.arena.stats().failedAllocs);
  // The -C run's own figures, for reference.
  await runOps(page, './malloc.py -n 1000 -s 0 -p BEST -C');
  const withC = { log: await log(page), failed: await failed() };
  await runOps(page, './malloc.py -n 1000 -s 0 -p BEST');
  const without = await log(page);
  assert.notEqual(without, withC.log, 'which requests fail decides what malloc.py frees');
  // Coalescing switched on: the notice's action draws again.
  await page.click('.switch');
  await idle(page);
  const notice = page.locator('.notice', { hasText: 'Coalescing on from op 1,001 on' });
  await notice.getByRole('button', { name: 'Draw the 1,000 ops again with coalescing on, as malloc.py would' }).click();
  await idle(page);
  assert.deepEqual({ log: await log(page), failed: await failed() }, withC);
  assert.match(page.url(), /draw=0/, 'the link still says how they were drawn');
  // A setting changed in the controls draws again too (and Undo brings the run back).
  await page.selectOption('[data-testid=strategy]', 'worst-fit');
  await idle(page);
  // (A strategy switch is an op of the timeline: its notice offers the draw.)
  const n2 = page.locator('.notice', { hasText: 'Worst fit' });
  const draw = n2.getByRole('button', { name: /^Draw the 1,000 ops again under Worst fit, as malloc\.py would/ });
  await draw.click();
  await idle(page);
  const worst = await page.evaluate(() => import('./arena.js').then((m) => m.parseMallocPy('./malloc.py -n 1000 -s 0 -p WORST -C').ops));
  assert.equal(await log(page), worst);
  await page.fill('[data-testid=header]', '4');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  assert.match(await page.textContent('#notices'), /Changing the header size: malloc\.py -s 0 drew the 1,000 ops again under the new settings/);
  const h4 = await page.evaluate(() => import('./arena.js').then((m) => m.parseMallocPy('./malloc.py -n 1000 -s 0 -p WORST -C -H 4').ops));
  assert.equal(await log(page), h4);
  await page.locator('.notice', { hasText: 'Changing the header size' }).getByRole('button', { name: 'Undo' }).click();
  await idle(page);
  assert.equal(await log(page), worst);
  // A -H run's header is the heap's: set to 0, the draw is malloc.py's without -H.
  await runOps(page, './malloc.py -n 200 -s 0 -p BEST -H 4');
  await page.fill('[data-testid=header]', '0');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  const h0 = await page.evaluate(() => import('./arena.js').then((m) => m.parseMallocPy('./malloc.py -n 200 -s 0 -p BEST').ops));
  assert.equal(await log(page), h0);
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -H 0 .* -s 0 -n 200 /);
  await close();
});

test('coalescing switched after ops offers the -C run: the same ops from the start with coalescing on', async () => {
  const ops = '+3,-0,+5,-1,+8,-2,+7,-3,+2,-4';
  const { page, close } = await open(`#size=100&strategy=best-fit&align=1&coalesce=0&ops=${ops}`);
  await page.click('.switch');
  await idle(page);
  assert.equal(await log(page), `${ops},@coalesce`);
  const notice = page.locator('.notice', { hasText: 'Coalescing on from op 11 on' });
  assert.match(await notice.textContent(), /malloc.py’s -C is coalescing from the start/);
  await notice.getByRole('button', { name: 'Re-run all 10 ops with coalescing on' }).click();
  await idle(page);
  assert.equal(await log(page), ops);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.config.coalesce), true);
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -l ADDRSORT -C -c -A \+3,-0,/);
  await close();
});

test('the op strip says how many ops lie outside its window', async () => {
  const ops = '+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,+64,-0,-2,-4,-6,-8,-10,-12,-14,+100';
  const { page, close } = await open(`#size=1024&ops=${ops}`);
  await idle(page);
  const more = () => page.$$eval('.tl-ops li.tl-more', (ls) => ls.map((l) => l.textContent));
  assert.deepEqual(await more(), ['15 earlier …']);
  await page.click('[data-testid=tl-start]');
  await idle(page);
  assert.deepEqual(await more(), [], 'all 25 fit the window from the start');
  await close();
  const long = await open(`#size=4096&ops=${Array(60).fill('+8').join(',')}&step=20`);
  await idle(long.page);
  const both = await long.page.$$eval('.tl-ops li.tl-more', (ls) => ls.map((l) => l.textContent));
  assert.equal(both.length, 2);
  const [before, after] = both.map((t) => Number(/\d+/.exec(t)[0]));
  assert.match(both[0], /earlier/);
  assert.equal(before + after + await long.page.locator('.tl-ops .tl-op').count(), 60, 'the ops shown and the ops outside add up');
  await long.close();
});

test('the words say that a returned 0 is an offset, why a block is bigger than asked, and why scattered free bytes do not help', async () => {
  const { page, close } = await open('#size=1024&align=8&ops=+10');
  await idle(page);
  await page.waitForFunction(() => /^Op 1/.test(document.querySelector('[data-testid=last-op]').textContent));
  assert.equal(await page.textContent('[data-testid=last-op]'), 'Op 1, +10: ptr[0] = malloc(10) returned 0, the arena’s first byte (an offset from its start, not NULL). Its block is 16 B: 10 rounded up to a multiple of 8 (Align). First fit took the only free block, 1,024 B at 0. The other 1,008 B stay free after it.');
  await close();
});

test('under the map, the last op in words: the hole it took, the blocks searched, what a free merged with', async () => {
  const ops = '+3,-0,+5,-1,+8,-2,+7,-3,+2,-4';
  const { page, close } = await open(`#size=100&strategy=best-fit&align=1&coalesce=0&ops=${ops}&step=7`);
  const said = async (re) => {
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=last-op]').textContent), re.source);
    return page.textContent('[data-testid=last-op]');
  };
  assert.equal(await said(/^Op 7/), 'Op 7, +7: ptr[3] = malloc(7) returned 8. Best fit searched all 4 free blocks and took the smallest that fits: 8 B at 8. The other 1 B stays free after it.');
  // A step back: the op before, a free (coalescing off).
  await page.click('[data-testid=undo]');
  assert.equal(await said(/^Op 6/), 'Op 6, -2: free(ptr[2]): its 8 B at 8 are free again (coalescing is off, so they merge with nothing).');
  // First fit from the same point: the first block that fits, by its rank.
  await page.selectOption('[data-testid=strategy]', 'first-fit');
  await idle(page);
  await malloc(page, 4);
  assert.match(await said(/^Op 8/), /^Op 8, \+4: ptr\[3\] = malloc\(4\) returned 3\. First fit took the first free block that fits, the 2nd of 4 in address order: 5 B at 3\. The other 1 B stays free after it\.$/);
  // A request nothing holds: the free blocks from 7 on (1 + 8 + 84 B) would, merged.
  await malloc(page, 90);
  assert.equal(await said(/^Op 9/), 'Op 9, +90: ptr[4] = malloc(90) returned NULL: no free block is big enough (the largest is 84 B; 96 B are free over 4 blocks); free blocks side by side hold 93 B, but coalescing is off, so they stay separate blocks. First fit searched 4 free blocks.');
  await close();
});

test('the fragmentation-over-time note says when it is sampled, and its peak is watched after every op', async () => {
  const { page, close } = await open();
  await runOps(page, '+100,+100,-0,+50');
  await page.waitForFunction(() => /peak [0-9.]+% after op 3$/.test(document.querySelector('.tl-spark-note')?.textContent ?? ''));
  await page.fill('[data-testid=wl-ops]', '1000');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  // The true peak of the same ops, one op at a time: the samples (every 5
  // ops) need not hold it, the note does.
  const want = await page.evaluate(async () => {
    const m = await import('./arena.js');
    const { num, percent } = await import('./js/format.js');
    const text = m.workload({ shape: 'uniform', seed: 1, ops: 1000, allocPercent: 60, maxSize: 64 });
    const a = m.createArena({ size: 1024, align: 8 });
    let best = [0, 0];
    text.split(',').forEach((op, i) => {
      a.replay(op);
      const x = a.stats().externalFragmentation;
      if (x > best[0]) best = [x, i + 1];
    });
    a.dispose();
    return { note: `external fragmentation over time, sampled every 5 ops · peak ${percent(best[0])} after op ${num(best[1])}`, step: best[1] };
  });
  await page.waitForFunction((w) => document.querySelector('.tl-spark-note')?.textContent === w, want.note);
  // Where no sample caught the peak (samples every 5 ops), a mark shows it.
  assert.equal(await page.locator('.tl-spark-peak').count(), want.step % 5 ? 1 : 0);
  // A short timeline, sampled at every op: its curve holds the peak, no mark.
  await page.fill('[data-testid=wl-ops]', '60');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  await page.waitForFunction(() => /^external fragmentation over time · peak/.test(document.querySelector('.tl-spark-note')?.textContent ?? ''));
  assert.equal(await page.locator('.tl-spark-peak').count(), 0);
  await close();
});

test('a workload in an arena too small for it says what share of its requests failed, never rounding to all', async () => {
  const { page, close } = await open('#size=64&align=8');
  await page.fill('[data-testid=wl-ops]', '2000');
  await page.fill('[data-testid=wl-max]', '64');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  const snap0 = await snap(page);
  const failed = snap0.stats.failedAllocs;
  const text = await page.textContent('.notice-warn');
  const m = /(\d+)% of the allocation requests failed \(([\d,]+) of ([\d,]+)\): the 64 B arena is full/.exec(text);
  assert.ok(m, text);
  assert.equal(Number(m[2].replace(/,/g, '')), failed);
  assert.equal(Number(m[3].replace(/,/g, '')), snap0.nextPtr);
  assert.ok(failed < snap0.nextPtr && Number(m[1]) <= 99, 'not all failed, so not 100%');
  await close();
});

test('quick arrow presses add up; a slab refusal says which limit it hit', async () => {
  const { page, close } = await open('#size=1024&strategy=slab&align=8&coalesce=1&ops=+8,+8,+8,+8,+8,+8,+8,+8,+8,+65');
  await page.waitForFunction(() => /^Op 10, \+65: ptr\[9\] = malloc\(65\) returned NULL: no slab class holds 65 B \(the largest class is 64 B\)\.$/.test(document.querySelector('[data-testid=last-op]').textContent));
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 4);
  // On the coalescing switch too (a checkbox is not a text field).
  await page.focus('[data-testid=coalesce]');
  await page.keyboard.press('ArrowRight');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 5);
  await close();
});

test('a size the alignment does not divide takes one that does; Download saves a long op list itself', async () => {
  const { page, close } = await open();
  await runOps(page, '+3,-0,+5');
  await page.fill('[data-testid=arena-size]', '100');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  const d = await snap(page);
  assert.deepEqual([d.arenaSize, d.align, await log(page)], [100, 4, '+3,-0,+5']);
  assert.match(await page.textContent('#notices'), /Align is now 4, the largest that divides 100 bytes \(OSTEP’s malloc.py aligns nothing by default: align 1\)/);
  assert.equal(await page.inputValue('[data-testid=editor]'), '+3,-0,+5', 'the typed ops stay in the editor');
  // Past what the editor follows, its text is a note: Download saves the ops.
  await page.fill('[data-testid=wl-ops]', '25000');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  assert.match(await page.inputValue('[data-testid=editor]'), /^# 25,000 ops: too many to follow here/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  const saved = await new Promise((resolve, reject) => {
    download.createReadStream().then((st) => { const parts = []; st.on('data', (c) => parts.push(c)); st.on('end', () => resolve(Buffer.concat(parts).toString())); st.on('error', reject); }, reject);
  });
  assert.equal(saved, await page.evaluate(() => globalThis.__playground.session.text()));
  assert.equal(saved.split(',').length, 25000);
  // An op list that long typed (pasted) and run stays as it is, and is no
  // longer an edit waiting to run.
  await page.fill('[data-testid=editor]', saved);
  await page.waitForFunction(() => /edited/.test(document.querySelector('[data-testid=editor-status]').textContent));
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await page.textContent('[data-testid=editor-status]'), '✓ 25,000 ops');
  await close();
});

test('a link with settings the page cannot use keeps its ops in the editor; a size without an align gets one that fits', async () => {
  // No align in the link: the default 8 does not divide 100, so 4 it is.
  const a = await open('#size=100&ops=+10,+20');
  const d = await snap(a.page);
  assert.deepEqual([d.arenaSize, d.align, await log(a.page)], [100, 4, '+10,+20']);
  await a.close();
  for (const [hash, why] of [
    ['#size=100&align=8&ops=+10,-0', /arena size 100 is not a multiple of align 8: make it 96 or 104, or set align to 4/],
    ['#size=99999999999&ops=+10,-0', /size 99999999999 is out of range for a link \(1 to 67,108,864 bytes\)/],
    ['#size=0&ops=+10,-0', /size 0 is out of range for a link/],
  ]) {
    const b = await open(hash);
    const notice = await b.page.textContent('.notice-warn');
    assert.match(notice, /settings were ignored/);
    assert.match(notice, why);
    assert.match(notice, /Its ops are in the op editor/);
    assert.equal((await snap(b.page)).ops, 0);
    await b.page.waitForTimeout(300);
    assert.equal(await b.page.inputValue('[data-testid=editor]'), '+10,-0');
    assert.match(await b.page.evaluate(() => location.hash), /ops=\+10,-0/);
    await b.close();
  }
  // One bad setting leaves out that one: the link's others still apply.
  const c = await open('#size=100&align=1&strategy=best-fit&coalesce=yes&ops=+3,-0');
  assert.match(await c.page.textContent('.notice-warn'), /^A setting of the link was ignored: coalesce must be 0 or 1, got "yes"\. Its other settings apply\. Its ops are in the op editor/);
  const e = await snap(c.page);
  assert.deepEqual([e.arenaSize, e.align, e.strategy, e.ops], [100, 1, 'best-fit', 0]);
  await c.page.waitForTimeout(300);
  assert.equal(await c.page.inputValue('[data-testid=editor]'), '+3,-0');
  await c.close();
});

test('the meter explains its numbers to keyboard and touch users, and the workload form names empty fields', async () => {
  const { page, close } = await open();
  const defs = page.locator('[data-testid=meter-defs]');
  await page.locator('[data-testid=meter-defs-open]').focus();
  await page.keyboard.press('Enter');
  assert.match(await defs.textContent(), /Peak utilization \(CS:APP\).*high-water mark/);
  assert.equal(await defs.evaluate((d) => d.open), true);
  // Opening it leaves the layout alone (a list in place would stretch the column).
  await page.keyboard.press('Escape');
  assert.equal(await defs.evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'meter-defs-open');
  await page.fill('[data-testid=wl-max]', '');
  await page.click('[data-testid=wl-run]');
  assert.match(await page.textContent('.wl-msg[role=status]'), /Max size must be a whole number, digits only \(it is empty\)/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'wl-max');
  assert.equal((await snap(page)).ops, 0);
  await close();
});

test('a long workload: refused options are said before anything is asked; the progress bar shows while it is drawn up', async () => {
  const { page, close } = await open('#size=65536&ops=+8,+16');
  await page.evaluate(() => { globalThis.__asked = 0; globalThis.confirm = () => { globalThis.__asked++; return true; }; });
  // A max size the core refuses: said in the form, nothing asked, the timeline kept.
  await page.fill('[data-testid=wl-max]', '2000000000');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  assert.match(await page.textContent('.wl-msg[role=status]'), /^Max size must be/);
  assert.deepEqual([await page.evaluate(() => globalThis.__asked), await log(page)], [0, '+8,+16']);
  // 50,000 ops: asked once, then the bar says it is generating before the replay counts ops.
  await page.fill('[data-testid=wl-max]', '64');
  await page.fill('[data-testid=wl-ops]', '50000');
  await page.evaluate(() => {
    globalThis.__labels = [];
    new MutationObserver(() => {
      const l = document.querySelector('.progress-label')?.textContent;
      if (l && globalThis.__labels.at(-1) !== l) globalThis.__labels.push(l);
    }).observe(document.getElementById('progress'), { subtree: true, childList: true, characterData: true });
  });
  await page.click('[data-testid=wl-run]');
  await page.waitForFunction(() => globalThis.__playground.session.total === 50000);
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__asked), 1);
  assert.deepEqual(await page.evaluate(() => globalThis.__labels), ['Generating the workload', 'Running the workload']);
  assert.equal(await page.isVisible('#progress .progress'), false, 'the bar is gone once it ran');
  await close();
});

test('number fields take digits only: “8.000” (eight thousand in much of Europe) is not read as 8', async () => {
  const { page, close } = await open();
  // Workload: 10.000 ops is refused, not 10 ops.
  await page.fill('[data-testid=wl-ops]', '10.000');
  await page.click('[data-testid=wl-run]');
  assert.match(await page.textContent('.wl-msg[role=status]'), /Ops must be a whole number, digits only, got “10\.000”/);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 0);
  // malloc: 1.000 is refused; 1000 goes.
  await page.fill('[data-testid=alloc-size]', '1.000');
  await page.click('[data-testid=malloc]');
  assert.match(await page.textContent('.ap-msg'), /Size must be a whole number of bytes, at least 1, got “1\.000”/);
  assert.equal((await snap(page)).ops, 0);
  await malloc(page, 1000);
  assert.equal(await log(page), '+1000');
  // The arena size: 8.000 leaves the arena as it is.
  const before = (await snap(page)).arenaSize;
  await page.fill('[data-testid=arena-size]', '8.000');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  assert.match(await page.textContent('#notices'), /Arena size: enter a whole number of bytes, digits only, at least 1\./);
  assert.equal((await snap(page)).arenaSize, before);
  // Past the page's limit and not a multiple of the alignment: said, not thrown.
  await page.fill('[data-testid=arena-size]', '1234567891');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  assert.match(await page.textContent('#notices'), /The page takes arenas of up to/);
  assert.equal((await snap(page)).arenaSize, before);
  assert.equal(await log(page), '+1000');
  await close();
});

test('malloc.py view prints the run as OSTEP’s simulator does, with the command that reproduces it', async () => {
  const { page, close } = await open('#size=100&strategy=best-fit&align=1&coalesce=0&ops=+3,-0,+5,-1,+8,-2,+8,-3,+2,+7');
  await page.click('[data-testid=ostep]');
  const dialog = page.locator('[data-testid=ostep-dialog]');
  assert.equal(await dialog.evaluate((d) => d.open), true);
  const out = () => page.textContent('[data-testid=ostep-out]');
  assert.match(await out(), /^seed 0\nsize 100\nbaseAddr 1000\nheaderSize 0\nalignment -1\npolicy BEST\nlistOrder ADDRSORT\ncoalesce False\nnumOps 10\nrange 10\npercentAlloc 50\nallocList \+3,-0,\+5,-1,\+8,-2,\+8,-3,\+2,\+7\ncompute True\n\n/);
  assert.match(await out(), /\nptr\[1\] = Alloc\(5\) returned 1003 \(searched 2 elements\)\nFree List \[ Size 2 \]: \[ addr:1000 sz:3 \]\[ addr:1008 sz:92 \]\n\n/);
  assert.match(await out(), /\nptr\[5\] = Alloc\(7\) returned 1008 \(searched 4 elements\)\nFree List \[ Size 4 \]: \[ addr:1002 sz:1 \]\[ addr:1003 sz:5 \]\[ addr:1015 sz:1 \]\[ addr:1016 sz:84 \]\n\n$/);
  assert.equal(await page.textContent('[data-testid=ostep-command]'), 'python3 malloc.py -S 100 -b 1000 -H 0 -a -1 -p BEST -l ADDRSORT -c -A +3,-0,+5,-1,+8,-2,+8,-3,+2,+7');
  // It follows the timeline while open: ← steps back, → forward.
  await page.focus('[data-testid=ostep-out]');
  await page.keyboard.press('ArrowLeft');
  await idle(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=ostep-out]').textContent.includes('numOps 10\nrange 10\npercentAlloc 50\nallocList +3,-0,+5,-1,+8,-2,+8,-3,+2\n'));
  assert.doesNotMatch(await out(), /ptr\[5\]/);
  await page.keyboard.press('ArrowRight');
  await idle(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=ostep-out]').textContent.includes('ptr[5] = Alloc(7)'));
  // The command is readable whole (it wraps) at phone width too.
  await page.setViewportSize({ width: 390, height: 844 });
  const box = await page.locator('[data-testid=ostep-command]').evaluate((c) => [c.scrollWidth, c.clientWidth]);
  assert.ok(box[0] <= box[1] + 1, `the command fits its box: ${box}`);
  await page.setViewportSize({ width: 1280, height: 900 });
  // Another base moves every address and the command with it; a bad one says what it uses.
  await page.fill('[data-testid=ostep-base]', '0');
  assert.match(await out(), /ptr\[0\] = Alloc\(3\) returned 0 \(searched 1 elements\)\nFree List \[ Size 1 \]: \[ addr:3 sz:97 \]/);
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -b 0 /);
  for (const bad of ['', '-5', '1.5', '99999999999', '1.000', '1e3']) {
    await page.fill('[data-testid=ostep-base]', bad);
    assert.match(await page.textContent('#ostep-base-note'), /^Base address: it takes a whole number from 0 to 1,073,741,824; 1,000 is used until then\.$/, `base ${JSON.stringify(bad)}`);
    assert.match(await out(), /baseAddr 1000\n/);
  }
  await page.fill('[data-testid=ostep-base]', '0');
  assert.equal(await page.textContent('#ostep-base-note'), '');
  // A header, as malloc.py -H takes it: each request rounded, then grown by it.
  await page.fill('[data-testid=ostep-header]', '4');
  assert.match(await out(), /headerSize 4\n/);
  assert.match(await out(), /ptr\[0\] = Alloc\(3\) returned 0 \(searched 1 elements\)\nFree List \[ Size 1 \]: \[ addr:7 sz:93 \]\n/);
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -H 4 /);
  assert.match(await dialog.textContent(), /With a 4-byte header each request is rounded to the alignment and then grown by it/);
  await page.fill('[data-testid=ostep-header]', '5000');
  assert.match(await page.textContent('#ostep-base-note'), /^Header size: it takes a whole number from 0 to 4,096; 0 is used until then\.$/);
  await page.fill('[data-testid=ostep-header]', '0');
  await page.keyboard.press('Escape');
  // Up to the cursor only.
  await page.click('[data-testid=tl-start]');
  await idle(page);
  await page.click('[data-testid=redo]');
  await idle(page);
  await page.click('[data-testid=ostep]');
  assert.match(await out(), /allocList \+3\ncompute True\n\nptr\[0\] = Alloc\(3\) returned 0 \(searched 1 elements\)\nFree List \[ Size 1 \]: \[ addr:3 sz:97 \]\n\n$/);
  await page.keyboard.press('Escape');
  // A realloc, or a free after a failed request, has no malloc.py command: the core says why.
  await page.click('[data-testid=tl-end]');
  await idle(page);
  await runOps(page, '+10,r0:20');
  await page.click('[data-testid=ostep]');
  assert.match(await out(), /ptr\[0\] = Realloc\(ptr\[0\], 20\) returned 0\n/);
  assert.match(await page.textContent('[data-testid=ostep-command-note]'), /^There is no malloc.py command that prints this run: malloc.py’s ops are \+N and -K only, and this run has r0:20\. The text above/);
  assert.equal(await page.isVisible('[data-testid=ostep-command]'), false);
  await page.keyboard.press('Escape');
  await runOps(page, '+200,+10,-1');
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-command-note]'), /malloc.py -A counts only the requests that succeed \(1 before -1\), so it would skip -1 as an invalid free/);
  await close();
});

test('a malloc.py command line in the op editor runs with its settings; the malloc.py view gives it back', async () => {
  const { page, close } = await open();
  const cmd = 'python3 ./malloc.py -S 100 -b 500 -H 0 -a 4 -p WORST -C -c -A +3,-0,+5,-1,+8';
  await page.fill('[data-testid=editor]', cmd);
  await page.waitForFunction(() => /5 ops/.test(document.querySelector('[data-testid=editor-status]').textContent));
  await page.click('[data-testid=run]');
  await idle(page);
  const d = await snap(page);
  assert.deepEqual([d.arenaSize, d.align, d.strategy, d.coalesce, await log(page)], [100, 4, 'worst-fit', true, '+3,-0,+5,-1,+8']);
  assert.match(await page.textContent('#notices'), /Ran the malloc\.py command: 5 ops in a 100-byte arena, worst fit, align 4, coalescing on \(-C\)\. The malloc\.py view writes it with -b 500 -H 0/);
  // The command stays in the editor as typed, run (not an edit waiting).
  assert.equal(await page.inputValue('[data-testid=editor]'), cmd);
  assert.equal(await page.textContent('[data-testid=editor-status]'), '✓ 5 ops');
  await page.click('[data-testid=ostep]');
  assert.equal(await page.textContent('[data-testid=ostep-command]'), 'python3 malloc.py -S 100 -b 500 -H 0 -a 4 -p WORST -l ADDRSORT -C -c -A +3,-0,+5,-1,+8');
  await page.keyboard.press('Escape');
  // What it cannot run, it says, and nothing changes.
  await page.fill('[data-testid=editor]', 'python3 malloc.py -s 3 -n 10 -p FIRST -l RANDOM');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.match(await page.textContent('.notice-error'), /The malloc\.py command was not run: line 1: -l RANDOM: malloc\.py's list orders are ADDRSORT, SIZESORT\+, SIZESORT-, INSERT-FRONT and INSERT-BACK/);
  assert.equal(await log(page), '+3,-0,+5,-1,+8');
  // A free that malloc.py -A would skip (it counts only the requests that
  // succeed) runs here, and the run's notice says so at once.
  // (The timeline holds just the last command's ops: the next command
  // replaces it without asking.)
  const asked = [];
  page.on('dialog', (d) => { asked.push(d.message()); });
  await page.fill('[data-testid=editor]', './malloc.py -p FIRST -A +200,+10,-1');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await log(page), '+200,+10,-1');
  assert.match(await page.textContent('.notice-warn'), /Ran the malloc\.py command: 3 ops .* Unlike here, malloc\.py -A counts only the requests that succeed \(1 before -1\), so it would skip -1 as an invalid free\./);
  assert.deepEqual(asked, []);
  // An op added by hand is the user's own work: the next command asks first.
  await malloc(page, 8);
  assert.equal(await log(page), '+200,+10,-1,+8');
  await page.fill('[data-testid=editor]', './malloc.py -p BEST -A +5');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.deepEqual(asked, ['Running a malloc.py command starts over: the 4 ops of this timeline will be discarded. Continue?']);
  assert.equal(await log(page), '+5');
  await close();
});

test('a header that leaves no room for any request is taken, and the notice says every malloc will fail', async () => {
  const { page, close } = await open('#size=104&align=8');
  await page.fill('[data-testid=header]', '999');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  assert.equal((await snap(page)).header, 999);
  assert.match(await page.textContent('#notices'), /No request fits now: even malloc\(1\) takes 1,007 B \(1 rounded up to 8, plus the 999 B header\), more than the 104 B arena\./);
  // A header that leaves room says nothing of the kind.
  await page.fill('[data-testid=header]', '4');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  assert.doesNotMatch(await page.textContent('#notices'), /No request fits/);
  await close();
});

test('emptying the Header field where it is 0 changes nothing', async () => {
  const { page, close } = await open('#size=104&align=8&ops=+8,+16');
  const url = await page.evaluate(() => location.hash);
  await page.fill('[data-testid=header]', '');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  assert.doesNotMatch(await page.textContent('#notices'), /Changing the header size/);
  assert.equal(await page.evaluate(() => location.hash), url);
  assert.equal(await page.inputValue('[data-testid=header]'), '0');
  await close();
});

test('malloc.py -H: the heap itself carries the header, so the map shows malloc.py’s blocks; the Header setting and links keep it', async () => {
  const { page, close } = await open();
  await page.fill('[data-testid=editor]', './malloc.py -n 10 -H 4 -p FIRST -s 0');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await page.inputValue('[data-testid=header]'), '4');
  assert.match(await page.textContent('#notices'), /-H 4; each block on the map starts with its 4-byte header\./);
  assert.match(await page.textContent('#map-status'), /4-byte block headers/);
  // The map's free blocks are malloc.py's last free list (checked against malloc.py -c).
  const d = await snap(page);
  assert.equal(d.header, 4);
  assert.deepEqual(d.blocks.filter((b) => b.free).map((b) => [1000 + b.offset, b.size]), [[1006, 1], [1007, 9], [1027, 1], [1028, 72]]);
  // A used block's accessible name counts its header apart.
  const used = d.blocks.find((b) => !b.free);
  assert.equal(await page.getAttribute(`#map rect[aria-label^="ptr[${used.seq}],"]`, 'aria-label'),
    `ptr[${used.seq}], used, ${used.size} bytes at offset ${used.offset}, 4-byte header, ${used.requested} requested`);
  // Its description says what Enter does, before it is pressed (a free is not undone by Escape).
  const described = (sel) => page.$eval(sel, (r) => r.getRootNode().getElementById(r.getAttribute('aria-describedby'))?.textContent);
  assert.equal(await described(`#map rect[aria-label^="ptr[${used.seq}],"]`), 'Enter or Delete frees it; i shows its bytes.');
  assert.equal(await described('#map rect[aria-label^="free,"]'), 'Enter shows its bytes.');
  await page.click('[data-testid=ostep]');
  assert.equal(await page.isDisabled('[data-testid=ostep-header]'), true, 'the view writes the heap’s own header');
  assert.match(await page.textContent('[data-testid=ostep-out]'), /Free List \[ Size 4 \]: \[ addr:1006 sz:1 \]\[ addr:1007 sz:9 \]\[ addr:1027 sz:1 \]\[ addr:1028 sz:72 \]\n\n$/);
  await page.keyboard.press('Escape');
  // The link carries it and opens the same heap.
  await page.waitForFunction(() => location.hash.includes('header=4'));
  const hash = await page.evaluate(() => location.hash);
  const again = await open(hash);
  assert.deepEqual((await snap(again.page)).blocks, d.blocks);
  await again.close();
  // The Header setting re-runs the ops without it (a size align divides stays).
  await page.fill('[data-testid=header]', '0');
  await page.press('[data-testid=header]', 'Enter');
  await idle(page);
  const plain = await snap(page);
  assert.equal(plain.header, 0);
  assert.deepEqual(plain.blocks.filter((b) => !b.free).map((b) => b.size).sort((x, y) => x - y), [2, 7], 'ptr[4] and ptr[5] without their headers');
  // A request the header makes too large says so, with the sum.
  const big = await open('#size=100&align=1&header=4&ops=%2B97');
  await big.page.waitForFunction(() => /^Op 1, \+97: ptr\[0\] = malloc\(97\) returned NULL: no free block holds 97 B with its 4 B header, 101 B in all \(the largest is 100 B; 100 B are free\)\. First fit searched 1 free block\.$/.test(document.querySelector('[data-testid=last-op]').textContent));
  await big.close();
  // A bad header is named as such.
  await page.fill('[data-testid=header]', '-2');
  await page.press('[data-testid=header]', 'Enter');
  assert.match(await page.textContent('.notice-error'), /^Header: enter a whole number of bytes, 0 or more/);
  await close();
});

test('OSTEP’s first homework command, without -A: the page draws the ops malloc.py draws, and the malloc.py view prints its random mode', async () => {
  const { page, close } = await open();
  await page.fill('[data-testid=editor]', './malloc.py -n 10 -H 0 -p BEST -s 0');
  await page.waitForFunction(() => /10 ops/.test(document.querySelector('[data-testid=editor-status]').textContent));
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await log(page), '+3,-0,+5,-1,+8,-2,+8,-3,+2,+7');
  // (read as it shows: the word joiners and no-break spaces that keep each option whole are not seen)
  assert.match((await page.textContent('#notices')).replace(/\u2060/g, '').replace(/\u00a0/g, ' '), /Ran the malloc\.py command: 10 ops drawn as malloc\.py -s 0 draws them \(-n 10 -r 10 -P 50, no -A\) in a 100-byte arena, best fit/);
  await page.click('[data-testid=ostep]');
  const out = () => page.textContent('[data-testid=ostep-out]');
  assert.match(await out(), /^seed 0\nsize 100\nbaseAddr 1000\nheaderSize 0\nalignment -1\npolicy BEST\nlistOrder ADDRSORT\ncoalesce False\nnumOps 10\nrange 10\npercentAlloc 50\nallocList \ncompute True\n\nptr\[0\] = Alloc\(3\) returned 1000 \(searched 1 elements\)\n/);
  assert.equal(await page.textContent('[data-testid=ostep-command]'), 'python3 malloc.py -S 100 -b 1000 -H 0 -a -1 -p BEST -l ADDRSORT -s 0 -n 10 -r 10 -P 50 -c');
  assert.match(await page.textContent('.ostep-dialog .embed-note'), /They are the ops malloc\.py draws itself with -s 0 -n 10 -r 10 -P 50 \(no -A\)/);
  // On a phone the command wraps between words, never after the dash of an option (“-” / “a -1”).
  const split = [];
  for (let width = 320; width <= 440; width += 8) {
    await page.setViewportSize({ width, height: 740 });
    split.push(...await page.$eval('[data-testid=ostep-command]', (c) => {
      // Each word's characters, wherever they sit in the DOM, as one range: on one line, it has one box.
      const nodes = [];
      const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(), at = 0; n; at += n.length, n = walk.nextNode()) nodes.push({ n, at });
      const point = (k) => { const x = nodes.findLast((e) => e.at <= k); return [x.n, k - x.at]; };
      return [...c.textContent.matchAll(/\S+/g)].filter((m) => {
        const r = document.createRange();
        r.setStart(...point(m.index));
        r.setEnd(...point(m.index + m[0].length - 1));
        r.setEnd(r.endContainer, r.endOffset + 1);
        return [...r.getClientRects()].filter((b) => b.width > 0).length > 1;
      }).map((m) => `${m[0]} at ${innerWidth} px`);
    }));
  }
  assert.equal(await page.$eval('[data-testid=ostep-command]', (c) => c.getClientRects()[0].height > 30), true, 'the command takes more than one line on a phone');
  assert.deepEqual(split, []);
  await page.setViewportSize({ width: 1280, height: 900 });
  // A step back: the first 9 ops are what -n 9 draws.
  await page.focus('[data-testid=ostep-out]');
  await page.keyboard.press('ArrowLeft');
  await idle(page);
  await page.waitForFunction(() => / -n 9 /.test(document.querySelector('[data-testid=ostep-command]').textContent));
  assert.match(await out(), /\nnumOps 9\n/);
  // A header: malloc.py's random mode prints each address after it.
  await page.fill('[data-testid=ostep-header]', '4');
  assert.match(await out(), /\nptr\[0\] = Alloc\(3\) returned 1004 \(searched 1 elements\)\n/);
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -H 4 .* -s 0 -n 9 -r 10 -P 50 -c$/);
  // The link carries -b/-H and the draw: opened again, the view reads as malloc.py printed it.
  await page.waitForFunction(() => /&mpy=1000,4&draw=0,10,50$/.test(location.hash));
  const hash = await page.evaluate(() => location.hash);
  const again = await open(hash);
  await again.page.click('[data-testid=ostep]');
  assert.match(await again.page.textContent('[data-testid=ostep-command]'), / -H 4 .* -s 0 -n 9 -r 10 -P 50 -c$/);
  assert.equal(await again.page.inputValue('[data-testid=ostep-header]'), '4');
  await again.close();
  await page.fill('[data-testid=ostep-header]', '0');
  await page.keyboard.press('Escape');
  // Compare says that malloc.py under another -p would draw other ops.
  await page.click('[data-testid=compare-run]');
  await idle(page);
  await page.waitForFunction(() => /malloc\.py with another -p draws other ops/.test(document.querySelector('#notices').textContent));
  // An op of one's own: the run is no longer a draw, and the view writes it with -A.
  await page.click('[data-testid=tl-end]');
  await idle(page);
  await malloc(page, 50);
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -c -A \+3,-0,\+5,-1,\+8,-2,\+8,-3,\+2,\+7,\+50$/);
  assert.match(await out(), /\nallocList \+3,/);
  await close();
  // A hand-made link with a draw the core would refuse (-P 0) and a bad mpy: the ops still run, the view still opens.
  const odd = await open('#size=100&strategy=best-fit&align=1&coalesce=0&ops=+3,-0&draw=0,10,0&mpy=abc');
  assert.equal(await log(odd.page), '+3,-0');
  await odd.page.click('[data-testid=ostep]');
  assert.match(await odd.page.textContent('[data-testid=ostep-command]'), / -b 1000 -H 0 .* -c -A \+3,-0$/);
  await odd.close();
});

test('the free list order (malloc.py -l): a select, in links, in the last-op words and the malloc.py view; a command with -l sets it', async () => {
  // First fit, coalescing on. Free after op 6: 30 B at 0, 20 B at 40, and the top 30 B at 70.
  const ops = '+30,+10,+20,+10,-0,-2,+15';
  const { page, close } = await open(`#size=100&strategy=first-fit&align=1&coalesce=1&order=insert-front&ops=${ops}`);
  assert.equal(await page.inputValue('[data-testid=order]'), 'insert-front');
  assert.equal((await snap(page)).order, 'insert-front');
  // Last freed first: the 20 B at 40 heads the list and takes the request.
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 7'));
  assert.match(await page.textContent('[data-testid=last-op]'), /First fit took the first free block that fits, the 1st of 3 in list order \(last freed first\): 20 B at 40\./);
  assert.match(await page.textContent('.controls-hint'), /^First fit: the first free block in the list that fits\.$/);
  // A free with no merge says how the list decides it.
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 6'));
  assert.match(await page.textContent('[data-testid=last-op]'), /\(the free list is kept last freed first: coalescing merges only neighbours that are next to each other in it too\)\.$/);
  // The map numbers the free blocks in list order: the last freed (20 B at 40) first.
  assert.deepEqual(await page.$$eval('.mm-label-free', (ts) => ts.map((t) => t.textContent)), ['#2 · 30 B', '#1 · 20 B', '#3 · 30 B']);
  assert.match(await page.textContent('#map-status'), / · free list last freed first \(#1 is its front\)/);
  await page.click('[data-testid=tl-end]');
  await idle(page);
  // Another order re-runs the same ops under it, and the link says so.
  await page.selectOption('[data-testid=order]', 'size-ascending');
  await idle(page);
  assert.equal(await log(page), ops);
  assert.equal((await snap(page)).order, 'size-ascending');
  await page.waitForFunction(() => /&order=size-ascending&/.test(location.hash));
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-out]'), /\nlistOrder SIZESORT\+\n/);
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -l SIZESORT\+ -C -c -A /);
  await page.keyboard.press('Escape');
  // By address, the default, stays out of links.
  await page.selectOption('[data-testid=order]', 'address');
  await idle(page);
  await page.waitForFunction(() => !/order=/.test(location.hash));
  // Sorted by size: the re-sort of a free can make other free blocks list neighbours, and the pass merges them too (QA's case).
  await page.evaluate(() => { location.hash = '#size=100&strategy=first-fit&align=1&coalesce=1&order=size-ascending&ops=+13,-0,+9,+15,-2,-1,+15,+3,+13,+13,+15,+12,-4,+12,+14,-7,+6,+10,-5,-9,+9,+13,-3,+14,+14,-14'; });
  await page.waitForFunction(() => /^Op 26, -14: /.test(document.querySelector('[data-testid=last-op]').textContent));
  assert.match(await page.textContent('[data-testid=last-op]'), /are free again\. Coalescing also merged two other free blocks that are now next to each other in the list as well as in memory \(1 merge\)\.$/);
  assert.match(await page.textContent('.controls-hint'), /The list is sorted on each free, as malloc\.py sorts it: a block a split shrank keeps its place until then\.$/);
  // Predict names the order in its question.
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.click('label:has([data-testid=predict-toggle])');
  await idle(page);
  await page.click('[data-testid=undo]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict]'), /ptr\[16\] = malloc\(14\) under First fit, free list by size, smallest first\./);
  await page.click('label:has([data-testid=predict-toggle])');
  await idle(page);
  // A malloc.py command with -l sets the order.
  await page.fill('[data-testid=editor]', './malloc.py -n 20 -p WORST -l SIZESORT- -C -s 3');
  await page.waitForFunction(() => /20 ops/.test(document.querySelector('[data-testid=editor-status]').textContent));
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await page.inputValue('[data-testid=order]'), 'size-descending');
  assert.match(await page.textContent('#notices'), /the free list by size, largest first \(-l SIZESORT-\), coalescing on \(-C\)/);
  await page.click('[data-testid=ostep]');
  assert.match(await page.textContent('[data-testid=ostep-command]'), / -l SIZESORT- -C -s 3 -n 20 -r 10 -P 50 -c$/);
  await close();
});

test('a heap that grows with sbrk: a select that re-runs the ops, a veiled map, words for the growth, links, Predict and Compare', async () => {
  // Worst fit: a hole of 64 at 0, the heap ends at 80 after op 3.
  const ops = '+64,+16,-0,+8,+100';
  const { page, close } = await open(`#size=1024&strategy=worst-fit&align=8&coalesce=1&ops=${ops}`);
  assert.equal(await page.inputValue('[data-testid=heap]'), 'fixed');
  assert.equal((await snap(page)).blocks.find((b) => b.seq === 2).offset, 80, 'a fixed arena: the top is the largest');
  assert.equal(await page.locator('.mm-beyond').count(), 0);
  await page.selectOption('[data-testid=heap]', 'sbrk');
  await idle(page);
  assert.equal(await log(page), ops, 'the same ops re-ran');
  const s = await snap(page);
  assert.equal(s.sbrk, true);
  assert.equal(s.blocks.find((b) => b.seq === 2).offset, 0, 'the heap’s largest block is the hole');
  assert.equal(s.stats.highWater, 184);
  await page.waitForFunction(() => /&sbrk=1/.test(location.hash));
  assert.match(await page.textContent('#map-status'), / · the heap has grown to 184 B \(sbrk\)/);
  // The meter measures the heap: its free block is the 56 B hole; utilization is of the heap.
  assert.equal(await page.textContent('[data-metric=freeBytes]'), '56 B');
  assert.match(await page.textContent('.meter'), /Utilization \(of heap\)/);
  assert.match(await page.textContent('.controls-hint'), /The heap grows with sbrk: the search sees the heap below its high-water mark/);
  assert.ok(await page.locator('.mm-beyond').count() >= 1, 'the arena above the heap is veiled');
  assert.match(await page.textContent('#legend'), /not heap yet/);
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 5'));
  assert.match(await page.textContent('[data-testid=last-op]'),
    /returned 80\. Its block is 104 B: 100 rounded up to a multiple of 8 \(Align\)\. Worst fit searched 1 free block: none in the heap \(its first 80 B\) holds it, so the heap grew by 104 B with sbrk \(to 184 B\)\. The other 840 B of the arena are not heap yet\.$/);
  // The free block across the heap's end says how much of it is heap.
  assert.equal(await page.getAttribute('.mm-b[aria-label^="free, 840 bytes"]', 'aria-label'), 'free, 840 bytes at offset 184 (above the heap’s end)');
  // Predict names it in its question.
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.click('label:has([data-testid=predict-toggle])');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict]'), /ptr\[3\] = malloc\(100\) under Worst fit, the heap growing with sbrk\./);
  await page.click('label:has([data-testid=predict-toggle])');
  await idle(page);
  // The malloc.py view: malloc.py's heap is the whole arena, and op 4 differs there.
  await page.click('[data-testid=ostep]');
  // (An empty heap has no free block to search; malloc.py's arena has one.)
  assert.match(await page.textContent('[data-testid=ostep-command-note]'), /malloc\.py’s heap is the whole arena \(-S 1024\), and this one grows with sbrk: \+64 \(op 1\) returns 1000 after searching 1 there, 1000 after searching 0 here/);
  await page.keyboard.press('Escape');
  // A link brings it back.
  const hash = await page.evaluate(() => location.hash);
  const again = await open(hash);
  assert.equal(await again.page.inputValue('[data-testid=heap]'), 'sbrk');
  assert.equal((await snap(again.page)).sbrk, true);
  await again.close();
  // Compare runs every strategy in a heap that grows: next and worst fit's
  // high-water marks are the heaps they need, not the arena's size.
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('.cmp-card');
  // (In the fixed arena next and worst fit end at 188: the +8 goes to the top.)
  const marks = await page.$$eval('.cmp-card', (cards) => cards.map((c) => /High-water mark([\d,]+) B/.exec(c.textContent)?.[1]));
  assert.deepEqual(marks.slice(0, 4), ['184', '184', '184', '184']);
  assert.match(await page.textContent('.cmp-info'), /each heap growing with sbrk \(its high-water mark is the heap it needs\)/);
  // The JSON export says so, and gives the same numbers again through compare().
  const json = JSON.parse(await downloaded(page, 'compare-json'));
  assert.equal(json.config.sbrk, true);
  const rerun = await page.evaluate(({ config, opList }) => globalThis.__playground.api.compare(config, opList).runs.map((r) => r.snapshot.stats.highWater), json);
  assert.deepEqual(rerun, json.runs.map((r) => r.statsAfterLastOp.highWater));
  // The chart draws the heap each has needed, op by op, and a link says so.
  await page.selectOption('[data-testid=compare-metric]', 'highWater');
  await page.waitForFunction(() => /&chart=highWater/.test(location.hash));
  await close();
});

test('a link to a timeline a workload made carries its recipe, not its ops, and fills the workload form', async () => {
  const a = await open('#size=65536');
  await a.page.selectOption('[data-testid=wl-shape]', 'phased');
  await a.page.fill('[data-testid=wl-seed]', '42');
  await a.page.fill('[data-testid=wl-ops]', '3000');
  await a.page.click('[data-testid=wl-run]');
  await idle(a.page);
  await a.page.waitForFunction(() => /wl=phased\.42\.3000\.60\.64/.test(location.hash), null, { timeout: 10000 });
  const hash = await a.page.evaluate(() => location.hash);
  assert.ok(!hash.includes('ops='), hash);
  assert.ok(hash.length < 200, `a short link: ${hash.length} characters`);
  const text = await a.page.evaluate(() => globalThis.__playground.session.text());
  // One more op: the recipe no longer says what the timeline is, the ops go in.
  await malloc(a.page, 8);
  await a.page.waitForFunction(() => !/wl=/.test(location.hash) && /ops=/.test(location.hash), null, { timeout: 10000 });
  await a.close();
  const b = await open(hash);
  await b.page.waitForFunction(() => globalThis.__playground.arena.logLength === 3000, null, { timeout: 60000 });
  await idle(b.page);
  assert.equal(await b.page.evaluate(() => globalThis.__playground.session.text()), text);
  const form = await Promise.all(['wl-shape', 'wl-seed', 'wl-ops', 'wl-alloc', 'wl-max'].map((t) => b.page.inputValue(`[data-testid=${t}]`)));
  assert.deepEqual(form, ['phased', '42', '3000', '60', '64']);
  await b.close();
});

test('a link to a workload too long to spell out carries its recipe, and opens the same timeline', async () => {
  const a = await open();
  await a.page.fill('[data-testid=arena-size]', String(1 << 20));
  await a.page.press('[data-testid=arena-size]', 'Enter');
  await idle(a.page);
  await a.page.fill('[data-testid=wl-seed]', '42');
  await a.page.fill('[data-testid=wl-ops]', '120000');
  await a.page.click('[data-testid=wl-run]');
  await idle(a.page);
  await a.page.waitForFunction(() => /wl=/.test(location.hash), null, { timeout: 10000 });
  const hash = await a.page.evaluate(() => location.hash);
  assert.equal(hash, '#size=1048576&strategy=first-fit&align=8&coalesce=1&wl=uniform.42.120000.60.64');
  const text = await a.page.evaluate(() => globalThis.__playground.session.text());
  // New settings re-run the same ops: the recipe still names them.
  await a.page.fill('[data-testid=arena-size]', String(1 << 21));
  await a.page.press('[data-testid=arena-size]', 'Enter');
  await idle(a.page);
  await a.page.waitForFunction(() => location.hash.startsWith('#size=2097152&') && /wl=uniform\.42\.120000\.60\.64/.test(location.hash), null, { timeout: 10000 });
  // One more op and the recipe no longer says what the timeline is.
  await malloc(a.page, 8);
  await a.page.waitForFunction(() => !/wl=/.test(location.hash), null, { timeout: 10000 });
  await a.close();
  const b = await open(hash);
  await b.page.waitForFunction(() => globalThis.__playground.arena.logLength === 120000, null, { timeout: 60000 });
  await idle(b.page);
  assert.equal(await b.page.evaluate(() => globalThis.__playground.session.text()), text);
  // The workload form shows the recipe, so Generate & run makes it again.
  const form = await Promise.all(['wl-shape', 'wl-seed', 'wl-ops', 'wl-alloc', 'wl-max'].map((t) => b.page.inputValue(`[data-testid=${t}]`)));
  assert.deepEqual(form, ['uniform', '42', '120000', '60', '64']);
  await b.close();
});

test('re-running under a new strategy drops the earlier switches; link and workload messages read cleanly', async () => {
  const { page, close } = await open('#size=100&align=1&strategy=first-fit&coalesce=0&ops=+10,+20,-0');
  await page.selectOption('[data-testid=strategy]', 'best-fit');
  await idle(page);
  await malloc(page, 5);
  await page.selectOption('[data-testid=strategy]', 'worst-fit');
  await idle(page);
  await page.locator('.notice').getByRole('button', { name: 'Re-run all 4 ops under Worst fit (without the earlier switch)' }).click();
  await idle(page);
  assert.deepEqual([await log(page), (await snap(page)).strategy], ['+10,+20,-0,+5', 'worst-fit']);
  // The workload form: a message goes once the fields change, and the browser's own bubbles do not stand in for it.
  await page.fill('[data-testid=wl-max]', '');
  await page.click('[data-testid=wl-run]');
  assert.match(await page.textContent('.wl-msg[role=status]'), /Max size must be a whole number/);
  await page.fill('[data-testid=wl-max]', '64');
  assert.equal(await page.textContent('.wl-msg[role=status]'), '');
  await page.fill('[data-testid=wl-ops]', '0');
  await page.click('[data-testid=wl-run]');
  assert.equal(await page.textContent('.wl-msg[role=status]'), 'Generate at least one op.');
  // An error names its field to assistive tech: that field is invalid and described by the message.
  const tied = (id) => page.$eval(`[data-testid=${id}]`, (x) => [x.getAttribute('aria-invalid'), x.getAttribute('aria-describedby') === document.querySelector('.wl-msg[role=status]').id]);
  assert.deepEqual(await tied('wl-ops'), ['true', true]);
  assert.deepEqual(await tied('wl-max'), [null, false]);
  // The core's own refusal (a size past its limit) shows in the form too, in the form's words, on its field.
  await page.fill('[data-testid=wl-ops]', '10');
  assert.deepEqual(await tied('wl-ops'), [null, false]);
  await page.fill('[data-testid=wl-max]', '2000000000');
  const before = await log(page);
  await page.click('[data-testid=wl-run]');
  await idle(page);
  assert.match(await page.textContent('.wl-msg[role=status]'), /^Max size must be .*\b2000000000$/);
  assert.deepEqual(await tied('wl-max'), ['true', true]);
  assert.equal(await log(page), before);
  await page.fill('[data-testid=wl-max]', '64');
  assert.deepEqual([await tied('wl-max'), await page.textContent('.wl-msg[role=status]')], [[null, false], '']);
  await close();
  const b = await open('#size=0&ops=+1');
  assert.match(await b.page.textContent('.notice-warn'), /^The link’s settings were ignored: size 0 is out of range for a link \(1 to 67,108,864 bytes\)\. Starting from the defaults\./);
  await b.close();
});

test('undo, redo, scrubbing and keyboard shortcuts move through the timeline', async () => {
  const { page, close } = await open();
  await runOps(page, '+10,+20,+30,-1,+5');
  const total = await page.evaluate(() => globalThis.__playground.session.total);
  assert.equal(total, 5);
  await page.click('[data-testid=undo]');
  await idle(page);
  assert.equal((await snap(page)).ops, 4);
  await page.click('[data-testid=undo]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,+30');
  await checkViewsMatch(page);
  await page.click('[data-testid=redo]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,+30,-1');
  await page.locator('[data-testid=scrubber]').fill('1');
  await idle(page);
  assert.equal(await log(page), '+10');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('Control+Shift+Z');
  await idle(page);
  assert.equal(await log(page), '+10,+20');
  await page.keyboard.press('Control+Z');
  await idle(page);
  assert.equal(await log(page), '+10');
  // With the scrubber focused, Ctrl+Z / Ctrl+Y step too (it has no undo of its own).
  await page.focus('[data-testid=scrubber]');
  await page.keyboard.press('Control+Y');
  await idle(page);
  assert.equal(await log(page), '+10,+20');
  await page.keyboard.press('Control+Z');
  await idle(page);
  assert.equal(await log(page), '+10');
  await page.evaluate(() => document.activeElement?.blur());
  // Play runs the rest.
  await page.selectOption('[aria-label="Playback speed"]', '0');
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 5);
  await idle(page);
  // A new op after an undo drops the future.
  await page.click('[data-testid=undo]');
  await idle(page);
  await malloc(page, 64);
  assert.equal(await log(page), '+10,+20,+30,-1,+64');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 5);
  // Fork at step 2 with best fit: the rest runs under it, the original stays as a branch.
  await page.locator('[data-testid=scrubber]').fill('2');
  await idle(page);
  await page.selectOption('[aria-label="Fork with (strategy)"]', 'best-fit');
  await page.click('[data-testid=fork]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,@best-fit');
  await page.click('[data-testid=tl-end]');
  await idle(page);
  assert.equal(await log(page), '+10,+20,@best-fit,+30,-1,+64');
  assert.ok(await page.isVisible('[data-testid=branch]'));
  // The malloc at step 4 had kept the timeline it replaced as a branch too.
  assert.deepEqual(await page.evaluate(() => globalThis.__playground.session.branches.map((b) => b.name)), ['original', 'edit @ step 4', 'best-fit @ step 2']);
  await page.selectOption('[data-testid=branch]', '1');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.text()), '+10,+20,+30,-1,+64');
  await page.selectOption('[data-testid=branch]', '0');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.text()), '+10,+20,+30,-1,+5');
  await close();
});

test('play and stop never hand a frame id to clearTimeout (it would clear an unrelated timer)', async () => {
  const { page, close } = await open();
  await runOps(page, '+10,+20,+30,-1,+5,+6,-2');
  // Frame ids moved far from timer ids, so a mix-up shows as an id no timer had.
  await page.evaluate(() => {
    const raf = globalThis.requestAnimationFrame.bind(globalThis);
    const caf = globalThis.cancelAnimationFrame.bind(globalThis);
    const clear = globalThis.clearTimeout.bind(globalThis);
    const SHIFT = 1e7;
    globalThis.__wrongClears = [];
    globalThis.__wrongCancels = [];
    globalThis.requestAnimationFrame = (f) => raf(f) + SHIFT;
    globalThis.cancelAnimationFrame = (id) => {
      if (id && id < SHIFT) globalThis.__wrongCancels.push(id);
      caf(id - SHIFT);
    };
    globalThis.clearTimeout = (id) => {
      if (id >= SHIFT) globalThis.__wrongClears.push(id);
      clear(id);
    };
  });
  // Frames at full speed, timers at the fastest timed one.
  for (const speed of ['0', await page.$$eval('[aria-label="Playback speed"] option:not([value="0"])', (os) => String(Math.min(...os.map((o) => Number(o.value)))))]) {
    await page.locator('[data-testid=scrubber]').fill('0');
    await idle(page);
    await page.selectOption('[aria-label="Playback speed"]', speed);
    await page.click('[data-testid=play]');
    // (Says where the play stood if it never gets there: a CI run once timed out here.)
    await page.waitForFunction(() => globalThis.__playground.session.position === 7 && !globalThis.__playground.waitingOn.playing, null, { timeout: 20000 })
      .catch(async (e) => {
        const at = await page.evaluate(() => ({ position: globalThis.__playground.session.position, ...globalThis.__playground.waitingOn }));
        throw new Error(`speed ${speed}: the play did not reach op 7 and stop: ${JSON.stringify(at)} (${e.message.split('\n')[0]})`);
      });
    await idle(page);
    // Stopped part way, too.
    await page.locator('[data-testid=scrubber]').fill('0');
    await idle(page);
    await page.click('[data-testid=play]');
    await idle(page);
    await page.click('[data-testid=play]');
    await idle(page);
  }
  assert.deepEqual(await page.evaluate(() => [globalThis.__wrongClears, globalThis.__wrongCancels]), [[], []]);
  await close();
});

test('Pause then Play while a step is under way leaves one play loop, not two', async () => {
  const { page, close } = await open();
  await runOps(page, Array.from({ length: 1200 }, (_, i) => (i % 3 === 2 ? `-${i - 2 - Math.floor(i / 3)}` : `+${8 + (i % 5) * 8}`)).join(','));
  await page.locator('[data-testid=scrubber]').fill('0');
  await idle(page);
  await page.selectOption('[aria-label="Playback speed"]', '0');
  const most = await page.evaluate(async () => {
    // Counts the play loop's frames waiting at once (its callback is named tick).
    const raf = globalThis.requestAnimationFrame.bind(globalThis);
    let waiting = 0;
    let most = 0;
    globalThis.requestAnimationFrame = (f) => {
      if (f.name !== 'tick') return raf(f);
      most = Math.max(most, ++waiting);
      return raf((t) => { waiting--; f(t); });
    };
    const pg = globalThis.__playground;
    // A reader's quick Play, Pause, Play: the first loop is still in its first step.
    pg.play();
    pg.pause();
    pg.play();
    await new Promise((r) => { const f = () => (pg.session.position === pg.session.total && !pg.waitingOn.playing ? r() : setTimeout(f, 20)); f(); });
    return most;
  });
  assert.equal(most, 1);
  await close();
});

test('writes show in the byte view, and stale bytes survive free and re-malloc', async () => {
  const { page, close } = await open();
  await malloc(page, 16);
  await page.fill('[data-testid=write-data]', 'Hi!');
  await page.click('[data-testid=write]');
  await idle(page);
  assert.equal(await log(page), '+16,w0=486921');
  const hexOf = () => page.$$eval('.bv-hex .bv-b:not(.bv-out)', (bs) => bs.slice(0, 3).map((b) => b.textContent).join(' '));
  assert.equal(await hexOf(), '48 69 21');
  await page.click('[data-testid=free-target]');
  await idle(page);
  assert.match(await page.textContent('.bv-title'), /ptr\[0\] \(freed\)/);
  assert.equal(await hexOf(), '48 69 21', 'free does not zero');
  assert.equal(await page.locator('.bv-hex .bv-free').count(), 16);
  await malloc(page, 16);
  assert.match(await page.textContent('.bv-title'), /^ptr\[1\]/);
  assert.equal(await hexOf(), '48 69 21', 'malloc does not zero');
  await page.fill('[data-testid=alloc-size]', '16');
  await page.click('[data-testid=calloc]');
  await idle(page);
  assert.equal(await log(page), '+16,w0=486921,-0,+16,c16');
  // A write into the block's rounding slack is allowed (the block is 8 bytes);
  // one past the block is refused by the core with its message, and not logged.
  await page.fill('[data-testid=alloc-size]', '4');
  await page.click('[data-testid=malloc]');
  await idle(page);
  await page.fill('[data-testid=write-data]', 'slack!');
  await page.click('[data-testid=write]');
  await idle(page);
  assert.equal(await log(page), '+16,w0=486921,-0,+16,c16,+4,w3=736c61636b21');
  await page.fill('[data-testid=write-data]', 'too long!');
  await page.click('[data-testid=write]');
  await idle(page);
  // (Under the write form, where the button was pressed.)
  assert.match(await page.textContent('[data-testid=ptr-msg]'), /out of bounds/);
  assert.equal(await page.textContent('[data-testid=alloc-msg]'), '');
  assert.equal(await log(page), '+16,w0=486921,-0,+16,c16,+4,w3=736c61636b21');
  // The stale-bytes example shows "Hello, world!" in ptr[1].
  await page.click('[data-example=stale]');
  await idle(page);
  assert.match(await page.textContent('.bv-title'), /^ptr\[1\]/);
  assert.match(await page.textContent('.bv-ascii'), /Hello, w/);
  await close();
});

/** The text of the file a click on `[data-testid=testid]` downloads. */
async function downloaded(page, testid) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const parts = [];
  for await (const c of await d.createReadStream()) parts.push(c);
  return Buffer.concat(parts).toString();
}

/** The value each compare card shows for the statistic `name`, in card order. */
const cardStat = (page, name) => page.$$eval('.cmp-card', (cs, n) => cs.map((c) => [...c.querySelectorAll('.cmp-stats div')]
  .find((d) => d.querySelector('dt').textContent === n).querySelector('dd').textContent), name);

test('compare: the cards give each run’s peak fragmentation and most free blocks, watched after every op and numbered as the timeline numbers ops', async () => {
  // A 64 B arena: after the switch (op 1), op 10 (-2) is first fit's peak,
  // 40 % (free 8 B at 0, 8 B at 16, 24 B at 40), with 3 free blocks; op 11
  // fills the hole at 0. The run ends at 25 %, and that is all the end
  // figures say.
  const { page, close } = await open('#size=64&align=8&strategy=first-fit&coalesce=1&ops=@next-fit,+8,+8,+8,+8,-1,+8,+8,-0,-2,+4');
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(page);
  const peak = await cardStat(page, 'Peak fragmentation');
  const most = await cardStat(page, 'Most free blocks');
  assert.equal(peak[0], '40.0% at op 10');
  assert.equal(most[0], '3 at op 10');
  assert.equal(most[4], '1 at the start', 'the slab run never gets a slab in 64 B');
  assert.equal((await cardStat(page, 'External fragmentation'))[0], '25.0%');
  // Every card's figures are the core's (compare's peaks), numbered from the timeline.
  const json = JSON.parse(await downloaded(page, 'compare-json'));
  assert.deepEqual(json.runs[0].peaks, { externalFragmentation: 0.4, externalFragmentationStep: 9, freeBlocks: 3, freeBlocksStep: 9 }, 'the export counts the ops of opList');
  const want = await page.evaluate(async (text) => {
    const m = await import('./arena.js');
    const { percent } = await import('./js/format.js');
    return m.compare({ size: 64, align: 8 }, text, m.STRATEGIES, 1).runs.map((r) => [
      `${percent(r.peaks.externalFragmentation)}${r.peaks.externalFragmentation > 0 ? ` at op ${r.peaks.externalFragmentationStep + 1}` : ''}`,
      `${r.peaks.freeBlocks} ${r.peaks.freeBlocksStep ? `at op ${r.peaks.freeBlocksStep + 1}` : 'at the start'}`]);
  }, json.opList);
  assert.deepEqual(peak.map((p, i) => [p, most[i]]), want);
  await close();
});

test('compare: the slab card says which of its failures asked more than its largest class', async () => {
  const { page, close } = await open('#size=4096&align=8&strategy=first-fit&coalesce=1&ops=+16,+100,+200,-0,+24');
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(page);
  const warns = await page.$$eval('.cmp-card', (cs) => cs.map((c) => [c.dataset.strategy, c.querySelector('.cmp-warn')?.textContent ?? null]));
  assert.deepEqual(warns, [
    ['first-fit', null], ['next-fit', null], ['best-fit', null], ['worst-fit', null],
    ['slab', '2 requests failed, all above its largest class (64 B): peak utilization counts only those that got memory.'],
  ]);
  await close();
});

test('a screen reader hears the words under the map once the cursor rests, and not at each step of play', async () => {
  const ops = Array.from({ length: 12 }, (_, i) => `+${8 + i}`).join(',');
  const { page, close } = await open(`#size=1024&ops=${ops}&step=2`);
  const said = () => page.textContent('#last-op-said');
  await page.waitForFunction(() => document.getElementById('last-op-said').textContent.startsWith('Op 2,'));
  assert.equal(await page.getAttribute('#last-op-said', 'aria-live'), 'polite');
  assert.equal(await page.getAttribute('#last-op', 'aria-live'), null, 'the words shown are not read out at every change');
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => /^Op [5-9],/.test(document.getElementById('last-op').textContent));
  assert.match(await said(), /^Op 2,/, 'silent while playing');
  await page.waitForFunction(() => !globalThis.__playground.waitingOn.playing && document.getElementById('last-op-said').textContent.startsWith('Op 12,'), null, { timeout: 10000 });
  assert.equal(await said(), await page.textContent('#last-op'));
  await close();
});

test('while playing at the default speed the words under the map follow each step', async () => {
  const ops = [...Array.from({ length: 16 }, (_, i) => `+${8 + i}`), ...Array.from({ length: 8 }, (_, i) => `-${2 * i}`)].join(',');
  const { page, close } = await open(`#size=1024&ops=${ops}`);
  await idle(page);
  await page.click('[data-testid=tl-start]');
  await idle(page);
  await page.click('[data-testid=play]');
  // Before the end: the sentence for the op just run, not one from when play stopped.
  const seen = await page.waitForFunction(() => {
    const el = document.getElementById('last-op');
    const { position, total } = globalThis.__playground.session;
    const m = /^Op (\d+),/.exec(el.textContent);
    return !el.hidden && m && Number(m[1]) >= 2 && position < total && Number(m[1]) >= position - 1 ? [Number(m[1]), position] : null;
  }, null, { timeout: 10000 });
  const [op, at] = await seen.jsonValue();
  assert.ok(op >= 2 && op <= at, `op ${op} at step ${at}`);
  await close();
});

test('a link carries the comparison shown with its timeline, and where its maps are', async () => {
  const { page, close } = await open('#size=1024&strategy=first-fit&ops=+100,+50,-0,+20,+60,+200');
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await page.click('[data-at=divergence]');
  await idle(page);
  await page.waitForFunction(() => location.hash.endsWith('&cmp=divergence'));
  // What the chart draws goes along (the default, external fragmentation, is left out).
  await page.selectOption('[data-testid=compare-metric]', 'freeBlocks');
  await page.waitForFunction(() => location.hash.endsWith('&cmp=divergence&chart=freeBlocks'));
  const hash = await page.evaluate(() => location.hash);
  await close();
  // Opened elsewhere, the link shows the same comparison, and says where it is.
  const again = await open(hash);
  await again.page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(again.page);
  assert.equal(await again.page.getAttribute('[data-at=divergence]', 'aria-pressed'), 'true');
  assert.equal(await again.page.inputValue('[data-testid=compare-metric]'), 'freeBlocks');
  assert.match(await again.page.textContent('.cmp-chart-head h3'), /^Free blocks over the ops/);
  // Another link opened in the same tab, without chart=: its chart draws the
  // default, not what the last one drew (and its address stays as it came).
  const other = '#size=1024&strategy=first-fit&align=8&coalesce=1&ops=+100,+50,-0,+20&cmp=end';
  await again.page.evaluate((h) => { location.hash = h; }, other);
  await again.page.waitForFunction(() => globalThis.__playground.arena.logLength === 4 && document.querySelector('[data-at=end]')?.getAttribute('aria-pressed') === 'true');
  await idle(again.page);
  assert.equal(await again.page.inputValue('[data-testid=compare-metric]'), 'externalFragmentation');
  assert.equal(await again.page.evaluate(() => location.hash), other);
  await again.page.evaluate((h) => { location.hash = h; }, hash);
  await again.page.waitForFunction(() => document.querySelector('[data-testid=compare-metric]').value === 'freeBlocks');
  // (The chart's metric is set before the comparison runs: wait for its maps, a CI run read them too early once.)
  await again.page.waitForFunction(() => /^Right after op \d+ /.test(document.querySelector('.cmp-maps-note')?.textContent ?? ''), null, { timeout: 20000 });
  assert.match(await again.page.textContent('#notices'), /The link carries a comparison of the strategies/);
  assert.equal(await again.page.evaluate(() => location.hash), hash);
  // A new op makes the comparison stale: the link no longer carries it.
  await malloc(again.page, 8);
  await again.page.waitForFunction(() => location.hash.includes(',+8') && !location.hash.includes('cmp='));
  await again.close();
  // A bad value is left out with a word; the ops still run.
  const bad = await open('#size=1024&ops=+10,+20&cmp=sideways');
  assert.match(await bad.page.textContent('.notice-warn'), /the link’s comparison was left out: cmp must be end, divergence or cursor, got "sideways"/i);
  assert.equal(await log(bad.page), '+10,+20');
  assert.equal(await bad.page.locator('[data-testid=compare-grid] .cmp-card').count(), 0);
  await bad.close();
  // A bad chart= is left out with a word; the comparison still runs, drawing the default.
  const badChart = await open('#size=1024&ops=+10,+20&cmp=end&chart=<b>x</b>');
  await badChart.page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  assert.match(await badChart.page.textContent('.notice-warn'), /the chart draws its default: chart must be one of externalFragmentation, .*, got "<b>x<\/b>"/i);
  assert.equal(await badChart.page.inputValue('[data-testid=compare-metric]'), 'externalFragmentation');
  await badChart.close();
});

test('compare numbers ops as the timeline does, strategy switches and all; its JSON carries the header and the workload', async () => {
  const { page, close } = await open('#size=1024&align=8&strategy=first-fit&coalesce=1&header=4&ops=@best-fit,+10,+20,-0,+5,+30,-1,+8');
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(page);
  const info = await page.textContent('.cmp-info');
  assert.match(info, /1 strategy switch skipped/);
  // The timeline's op 5 is +5 (op 1 is the switch).
  const fd = await page.evaluate(async () => {
    const r = await globalThis.__playground.session.compare({ strategies: ['first-fit', 'next-fit', 'best-fit', 'worst-fit'] });
    return r.index[r.firstDivergence] + 1;
  });
  assert.match(info, new RegExp(`at op ${fd}: (\\S+) `));
  assert.equal((await log(page)).split(',')[fd - 1], /at op \d+: (\S+) /.exec(info)[1]);
  await page.click('[data-at=divergence]');
  await idle(page);
  assert.match(await page.textContent('.cmp-maps-note'), new RegExp(`^Right after op ${fd} `));
  // The chart's axis counts the 7 ops compared, and says so; its tooltip
  // names an op as the timeline does: the last is op 8.
  assert.match(await page.textContent('.cmp-chart-head h3'), /\(the axis leaves out the timeline’s 1 strategy switch\)$/);
  const box = await page.locator('.cmp-svg').boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForSelector('.cmp-tip:not([hidden])');
  assert.equal(await page.textContent('.cmp-tip-head'), 'after op 8');
  const json = JSON.parse(await downloaded(page, 'compare-json'));
  assert.equal(json.config.header, 4);
  assert.deepEqual([json.firstDivergenceOp, json.strategySwitchesSkipped, json.workload], [fd, 1, null]);
  assert.equal(json.opList, '+10,+20,-0,+5,+30,-1,+8');
  // A generated workload's recipe goes along.
  await page.fill('[data-testid=wl-ops]', '40');
  await page.click('[data-testid=wl-run]');
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await idle(page);
  const json2 = JSON.parse(await downloaded(page, 'compare-json'));
  assert.equal(json2.workload?.ops, 40);
  assert.equal(json2.ops, 40);
  await close();
});

test('compare: small multiples, fragmentation chart, first divergence', async () => {
  const { page, close } = await open();
  await page.click('[data-example=fits]');
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await idle(page);
  const cards = await page.$$eval('.cmp-card', (cs) => cs.map((c) => c.dataset.strategy));
  assert.deepEqual(cards, ['first-fit', 'next-fit', 'best-fit', 'worst-fit', 'slab']);
  assert.equal(await page.locator('.cmp-lines polyline').count(), 5);
  assert.equal(await page.locator('.cmp-card .mm-svg').count(), 5, 'a mini map per strategy');
  const expected = await page.evaluate(async () => (await globalThis.__playground.session.compare({ strategies: ['first-fit', 'next-fit', 'best-fit', 'worst-fit'] })).firstDivergence);
  assert.equal(typeof expected, 'number');
  assert.match(await page.textContent('.cmp-info'), new RegExp(`at op ${expected + 1}: \\S+ \\((malloc|calloc|realloc)\\(.*\\)\\) lands at different offsets`));
  // Badges mark standouts: at most half the cards share one, and "least
  // fragmented" only goes to a card with the lowest fragmentation of all
  // and the fewest failures.
  const checkBadges = async () => {
    const frags = (await cardStat(page, 'External fragmentation')).map((t) => Number(t.replace(/[<>%]/g, '')));
    const badges = (await page.$$eval('.cmp-card', (cs) => cs.map((c) => ({
      badges: [...c.querySelectorAll('.badge')].map((b) => b.textContent),
      failed: Number(c.dataset.failed),
    })))).map((b, i) => ({ ...b, frag: frags[i] }));
    const minFailed = Math.min(...badges.map((b) => b.failed));
    const minFrag = Math.min(...badges.map((b) => b.frag));
    for (const name of ['fewest failures', 'least fragmented']) {
      assert.ok(badges.filter((b) => b.badges.includes(name)).length <= badges.length / 2, `${name} is not on most cards`);
    }
    for (const b of badges) {
      if (b.badges.includes('least fragmented')) assert.deepEqual([b.failed, b.frag], [minFailed, minFrag]);
    }
    return badges;
  };
  await checkBadges();
  assert.equal(await page.locator('.cmp-div-line').count(), 1);
  // Each card adds peak utilization and the search cost, from the core's report.
  const searched = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => r.report.searched));
  const shown = await cardStat(page, 'Blocks searched');
  // And the high-water mark that peak utilization divides by.
  const marks = await cardStat(page, 'High-water mark');
  const highs = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => `${r.snapshot.stats.highWater} B`));
  assert.deepEqual(marks, highs);
  assert.deepEqual(shown.map((t) => Number(t.split(' ')[0].replace(/,/g, ''))), searched);
  assert.ok(searched[2] >= searched[0], 'best fit searches at least as many blocks as first fit');
  assert.match(await page.textContent('.cmp-chart-wrap .cmp-h3'), /^External fragmentation \(1 − L\/F\) over the ops/);
  // The chart is one tab stop: the keys move a cursor over its samples and read each strategy's value there.
  await page.focus('.cmp-svg');
  await page.keyboard.press('Home');
  assert.match(await page.textContent('.cmp-tip'), /^before the first op/);
  assert.equal(await page.getAttribute('.cmp-tip', 'aria-live'), 'polite');
  await page.keyboard.press('End');
  const lastTip = await page.textContent('.cmp-tip');
  const run = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs);
  assert.match(lastTip, new RegExp(`^after op ${run[0].samples.at(-1).step}`));
  for (const r of run) assert.ok(lastTip.includes(`${(r.samples.at(-1).externalFragmentation * 100).toFixed(1)}%`), `${r.strategy}'s last value is read`);
  await page.keyboard.press('ArrowLeft');
  assert.notEqual(await page.textContent('.cmp-tip'), lastTip);
  await page.keyboard.press('Tab');
  assert.equal(await page.isHidden('.cmp-tip'), true, 'leaving the chart hides the values');
  // The numbers go out as CSV (a row per strategy and sample) and JSON.
  const saved = (testid) => downloaded(page, testid);
  const csv = (await saved('compare-csv')).trim().split('\n');
  assert.equal(csv[0], 'strategy,step,externalFragmentation,l2Fragmentation,usedBytes,requestedBytes,freeBlocks,largestFree,failedAllocs,highWater');
  const whole = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => [r.strategy, r.samples.length, r.report.searched]));
  assert.equal(csv.length - 1, whole.reduce((n, [, k]) => n + k, 0), 'a row per sample');
  assert.deepEqual([...new Set(csv.slice(1).map((l) => l.split(',')[0]))], whole.map(([st]) => st));
  const json = JSON.parse(await saved('compare-json'));
  assert.deepEqual(json.runs.map((r) => [r.strategy, r.samples.length, r.report.searched]), whole);
  // It says what ran and where the strategies diverge, as the page counts ops (from 1).
  assert.deepEqual(json.config, { size: 512, align: 8, coalesce: true, classes: [16, 32, 64], slabSize: 256, order: 'address', header: 0, sbrk: false });
  assert.equal(json.firstDivergenceOp, expected + 1);
  assert.deepEqual(json.firstDivergenceAmong, ['first-fit', 'next-fit', 'best-fit', 'worst-fit'], 'the slab run is not in the divergence');
  // With the ops it ran, the export is enough to get its numbers again (compare(config, opList)).
  assert.equal(json.opList, await log(page));
  const again = await page.evaluate(({ config, opList }) => globalThis.__playground.api.compare(config, opList).runs.map((r) => r.snapshot.stats), json);
  assert.deepEqual(again, json.runs.map((r) => r.statsAfterLastOp));
  assert.deepEqual(json.runs.map((r) => r.statsAfterLastOp.failedAllocs), await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => r.snapshot.stats.failedAllocs)));
  // Each line is the core's samples.
  const pts = await page.$$eval('.cmp-lines polyline', (ps) => ps.map((p) => p.getAttribute('points').split(' ').length));
  const samples = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => r.samples.length));
  assert.deepEqual(pts, samples);
  await page.click('[data-at=divergence]');
  await idle(page);
  assert.match(await page.textContent('.cmp-maps-note'), new RegExp(`op ${expected + 1} `));
  assert.ok((await page.locator('.cmp-card .mm-highlight').count()) >= 4, 'the diverging ptr is outlined');
  await page.screenshot({ path: join(SHOTS, 'compare.png'), fullPage: false, clip: await page.locator('#compare-card').boundingBox() });
  // "Timeline cursor": the maps follow the cursor as it moves.
  await page.click('[data-testid=tl-start]');
  await idle(page);
  await page.click('[data-testid=redo]');
  await idle(page);
  await page.click('[data-at=cursor]');
  await idle(page);
  assert.equal(await page.textContent('.cmp-maps-note'), 'At the timeline cursor: after 1 op.');
  await page.click('[data-testid=redo]');
  await page.waitForFunction(() => document.querySelector('.cmp-maps-note')?.textContent === 'At the timeline cursor: after 2 ops.');
  const used = await page.$$eval('.cmp-card', (cs) => cs.map((c) => c.querySelectorAll('.mm-used, .mm-chunk-used').length));
  assert.ok(used.every((n) => n >= 1), `every map shows the blocks at step 2: ${used}`);
  // A workload where next fit fails least but first fit (50 %) is less
  // fragmented than next fit (66.7 %): no card may claim "least fragmented".
  await page.evaluate(() => { location.hash = '#size=1024&strategy=first-fit&align=8&coalesce=1&wl=uniform.1.300.60.64'; });
  await page.waitForFunction(() => globalThis.__playground.session.total === 300);
  await idle(page);
  await page.click('[data-testid=compare-run]');
  await page.waitForFunction(() => document.querySelector('.cmp-info')?.textContent.startsWith('300 ops'));
  await idle(page);
  const second = await checkBadges();
  assert.deepEqual(second.map((b) => b.badges.includes('least fragmented')), [false, false, false, false, false]);
  assert.ok(second[1].badges.includes('fewest failures'));
  // Cards with failures say that peak utilization counts only what got memory.
  const warned = await page.$$eval('.cmp-card', (cs) => cs.map((c) => [Number(c.dataset.failed), c.querySelector('.cmp-warn')?.textContent ?? null]));
  for (const [failed, text] of warned) assert.equal(text, failed ? `${failed} requests failed: peak utilization counts only those that got memory.` : null);
  // The chart draws any sampled statistic: free blocks on a count axis up to a round number above the largest.
  await page.selectOption('[data-testid=compare-metric]', 'freeBlocks');
  assert.match(await page.textContent('.cmp-chart-wrap .cmp-h3'), /^Free blocks over the ops/);
  const runs = await page.evaluate(async () => (await globalThis.__playground.session.compare()).runs.map((r) => ({ s: r.strategy, last: r.samples.at(-1).freeBlocks, max: Math.max(...r.samples.map((p) => p.freeBlocks)) })));
  const label = { 'first-fit': 'First fit', 'next-fit': 'Next fit', 'best-fit': 'Best fit', 'worst-fit': 'Worst fit', slab: 'Slab' };
  assert.equal(await page.getAttribute('.cmp-svg', 'aria-label'), `Free blocks over 300 ops: ${runs.map((r) => `${label[r.s]} ends at ${r.last}`).join(', ')}. Arrow keys read each sample.`);
  const ticks = (await page.$$eval('.cmp-tick', (ts) => ts.map((t) => t.textContent))).filter((t) => /^\d+$/.test(t)).map(Number);
  const yTop = Math.max(...ticks.filter((t) => t < 100));
  assert.ok(yTop >= Math.max(...runs.map((r) => r.max)), `the axis (to ${yTop}) holds every sample`);
  await page.selectOption('[data-testid=compare-metric]', 'externalFragmentation');
  assert.match(await page.getAttribute('.cmp-svg', 'aria-label'), /^External fragmentation \(1 − L\/F\) over 300 ops: First fit ends at 50\.0%/);
  await close();
});

test('a long workload replays in chunks with progress, without freezing', async () => {
  const { page, close } = await open();
  await longWorkloadForm(page, 200_000);
  await page.evaluate(() => {
    globalThis.__sawProgress = false;
    new MutationObserver(() => {
      if (!document.querySelector('.progress').hidden) globalThis.__sawProgress = true;
    }).observe(document.getElementById('progress'), { subtree: true, attributes: true, childList: true });
  });
  const longestGap = await watchMainThread(page);
  await page.click('[data-testid=wl-run]');
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 200000 && !globalThis.__playground.busy, null, { timeout: 60000 });
  await idle(page);
  const gap = await longestGap();
  const saw = await page.evaluate(() => globalThis.__sawProgress);
  assert.ok(saw, 'the progress bar showed');
  assert.ok(gap < 1500, `the page kept running between chunks (longest gap ${gap.toFixed(0)} ms)`);
  const dense = await page.evaluate(() => globalThis.__playground.map.dense);
  const s = await page.evaluate(() => globalThis.__playground.arena.stats());
  const blocks = await page.evaluate(() => globalThis.__playground.arena.blocksTyped().length);
  // The map is dense exactly when there are more blocks than it focuses one by one.
  assert.equal(dense, blocks > 2000, `${blocks} blocks: dense ${dense}`);
  assert.equal(await page.textContent('[data-testid=ext-frag]'), pct(s.externalFragmentation));
  await close();
});

test('dragging the scrubber over a long timeline ends where the pointer is released, rewinds and all', async () => {
  const { page, close } = await open();
  await longWorkloadForm(page, 300_000);
  await page.click('[data-testid=wl-run]');
  await page.waitForFunction(() => globalThis.__playground.session.total === 300000 && !globalThis.__playground.busy, null, { timeout: 60000 });
  await idle(page);
  await page.locator('[data-testid=scrubber]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=scrubber]').boundingBox();
  const y = box.y + box.height / 2;
  const xAt = (f) => box.x + 8 + f * (box.width - 16);
  // Down near the end, then slowly back: each move asks for a rewind that takes a while.
  await page.mouse.move(xAt(0.9), y);
  await page.mouse.down();
  for (let f = 0.85; f >= 0.2; f -= 0.05) {
    await page.mouse.move(xAt(f), y, { steps: 2 });
    await page.waitForTimeout(60);
  }
  await page.mouse.up();
  await page.waitForFunction(() => !globalThis.__playground.busy, null, { timeout: 60000 });
  await idle(page);
  const pos = await page.evaluate(() => globalThis.__playground.session.position);
  assert.ok(Math.abs(pos / 300000 - 0.2) < 0.06, `the cursor is at ${pos} of 300,000, where the pointer let go (about 60,000)`);
  await close();
});

test('a cancelled long replay keeps the rest of its ops as the future', async () => {
  const { page, close } = await open();
  await longWorkloadForm(page, 200_000);
  // Cancel as soon as the first chunk has run (from the page: a round trip could miss it).
  const cancelled = page.evaluate(() => new Promise((resolve) => {
    const poll = () => {
      const p = globalThis.__playground;
      if (p.busy && p.arena.logLength > 0) {
        document.querySelector('.progress button').click();
        resolve();
      } else setTimeout(poll);
    };
    poll();
  }));
  await page.click('[data-testid=wl-run]');
  await cancelled;
  await page.waitForFunction(() => !globalThis.__playground.busy);
  const st = await page.evaluate(() => ({ pos: globalThis.__playground.session.position, total: globalThis.__playground.session.total }));
  assert.ok(st.pos > 0 && st.pos < 200000, `stopped part way (${st.pos})`);
  assert.equal(st.total, 200000, 'the ops not run yet are the future');
  // The notice says so (not "Ran 200,000 ops").
  await page.waitForFunction(() => /and ran [\d,]+ before the cancel: the rest are ahead on the timeline/.test(document.querySelector('#notices').textContent));
  // Going to the end runs them: the log is the whole workload.
  await page.click('[data-testid=tl-end]');
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 200000 && !globalThis.__playground.busy, null, { timeout: 60000 });
  await idle(page);
  const same = await page.evaluate(async () => {
    const { workload, canonicalOps } = await import('./arena.js');
    const text = workload({ shape: 'uniform', seed: 1, ops: 200000, allocPercent: 60, maxSize: 64 });
    return globalThis.__playground.arena.log() === canonicalOps(text);
  });
  assert.ok(same, 'the log is the workload');
  await close();
});

test('compare over a long timeline runs in chunks with progress, and can be cancelled', async () => {
  const { page, close } = await open();
  await longWorkloadForm(page, 30_000);
  await page.click('[data-testid=wl-run]');
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 30000 && !globalThis.__playground.busy, null, { timeout: 60000 });
  await idle(page);
  // Count the progress events the comparison sends, and the longest stall of the page meanwhile.
  await page.evaluate(() => {
    globalThis.__progress = [];
    globalThis.__playground.session.addEventListener('progress', (e) => globalThis.__progress.push(e.detail));
  });
  const longestGap = await watchMainThread(page);
  await page.click('[data-testid=compare-run]');
  await page.waitForFunction(() => document.querySelectorAll('.cmp-card').length === 5, null, { timeout: 60000 });
  await idle(page);
  const gap = await longestGap();
  const progress = await page.evaluate(() => globalThis.__progress);
  const labels = new Set(progress.map((p) => p.label));
  assert.ok(labels.has('Comparing 4 free-list strategies') && labels.has('Comparing: the slab allocator'), [...labels].join(', '));
  assert.ok(progress.filter((p) => p.label === 'Comparing 4 free-list strategies').length > 3, 'several chunks');
  assert.ok(progress.every((p) => p.total === 30000 && p.done <= p.total));
  assert.ok(gap < 1500, `the page kept running between chunks (longest gap ${gap.toFixed(0)} ms)`);
  // The chunked result is the one-shot result.
  const same = await page.evaluate(async () => {
    const pg = globalThis.__playground;
    const text = pg.arena.log();
    const one = pg.api.compare(pg.session.config, text, ['first-fit', 'next-fit', 'best-fit', 'worst-fit'], 100);
    return one.firstDivergence === (await pg.session.compare({ strategies: ['first-fit', 'next-fit', 'best-fit', 'worst-fit'], points: 300 })).firstDivergence;
  });
  assert.ok(same, 'chunked and one-shot compare agree on the first divergence');
  // Cancelling stops the comparison and says so; the timeline is untouched.
  await page.evaluate(() => {
    const s = globalThis.__playground.session;
    s.addEventListener('progress', () => s.cancel(), { once: true });
  });
  await page.click('[data-testid=compare-run]');
  await page.waitForFunction(() => !globalThis.__playground.busy && !globalThis.__playground.session.busy, null, { timeout: 60000 });
  await idle(page);
  assert.match(await page.textContent('#notices'), /Compare cancelled/);
  assert.equal(await page.evaluate(() => globalThis.__playground.arena.logLength), 30000);
  await close();
});

test('theme toggle persists; screenshots in light, dark and at phone width', async () => {
  const hash = '#size=1024&strategy=first-fit&align=8&coalesce=1&ops=+64,+100,+24@64,-0,+30,+8,+16,-3,+200,+40,-6,w1=48656c6c6f';
  const light = await open(hash);
  await light.page.screenshot({ path: join(SHOTS, 'light.png'), fullPage: true });
  // On a light system the first click shows dark (a click changes what is on screen).
  await light.page.click('#theme-btn');
  assert.equal(await light.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await light.page.click('#theme-btn');
  assert.equal(await light.page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await light.page.click('#theme-btn');
  assert.equal(await light.page.evaluate(() => document.documentElement.dataset.theme ?? null), null, 'back to the system');
  await light.page.click('#theme-btn');
  assert.equal(await light.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await light.page.evaluate(() => localStorage.getItem('allocator-playground:theme')), 'dark');
  await light.page.reload();
  await light.page.waitForFunction(() => globalThis.__playground);
  assert.equal(await light.page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'restored');
  await light.close();

  const dark = await open(hash, { colorScheme: 'dark' });
  const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(245, 246, 248)', 'prefers-color-scheme: dark applies');
  await dark.page.screenshot({ path: join(SHOTS, 'dark.png'), fullPage: true });
  await dark.close();

  const phone = await open(hash, { width: 390, height: 844 });
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 390px (overflow ${overflow}px)`);
  await phone.page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
  await phone.page.screenshot({ path: join(SHOTS, 'phone-top.png') });
  // Compare's "Memory at" choices keep one row on a 360 px phone.
  await phone.page.setViewportSize({ width: 360, height: 800 });
  await phone.page.click('[data-testid=compare-run]');
  await idle(phone.page);
  const rows = await phone.page.$$eval('#compare .seg-btn', (bs) => new Set(bs.map((b) => Math.round(b.getBoundingClientRect().top))).size);
  assert.equal(rows, 1, 'End, First divergence and Timeline cursor on one row');
  await phone.close();
  // The narrowest phone, coalescing off (a Merge now button joins the actions): the row wraps.
  const narrow = await open('#size=1024&strategy=first-fit&align=8&coalesce=0&ops=+16,+32', { width: 320, height: 640 });
  assert.ok(await narrow.page.isVisible('text=Merge now'));
  assert.ok(await narrow.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth) <= 0, 'no horizontal scroll at 320px');
  // Every statistic's label shows whole (wrapped, not cut with an ellipsis).
  assert.deepEqual(await narrow.page.$$eval('.meter-cell dt', (dts) => dts.filter((d) => d.scrollWidth > d.clientWidth + 1 || d.scrollHeight > d.clientHeight + 1).map((d) => d.textContent)), []);
  assert.ok(await narrow.page.$$eval('.meter-cell dt', (dts) => dts.some((d) => d.getClientRects()[0].height > 20)), 'some label takes two lines at 320px');
  await narrow.close();
  // A phone held sideways: notices keep to the newest one, in at most a third of the screen.
  const side = await open('#size=0', { width: 740, height: 360, hasTouch: true });
  await side.page.waitForSelector('.notice-warn');
  assert.equal(await side.page.evaluate(() => document.getElementById('help').open), false, 'the help starts closed sideways too');
  await runOps(side.page, '+10,+zz');
  await side.page.waitForSelector('.notice-error');
  const toasts = await side.page.evaluate(() => ({
    height: document.querySelector('.toasts').getBoundingClientRect().height,
    shown: [...document.querySelectorAll('.notice')].filter((n) => n.getClientRects().length).map((n) => n.className),
  }));
  assert.ok(toasts.height <= 360 / 3 + 1, `the notices take ${toasts.height} px of 360`);
  assert.deepEqual(toasts.shown, ['notice notice-error']);
  await side.close();
});

test('predict mode: a link is a quiz from op 1; answers are checked and scored, play stops at each question', async () => {
  // Best fit in 100 bytes: +10 → 0, +20 → 10, +5 → 30, -1 frees 10..30 between used blocks, +8 → 10, -0 merges after.
  const { page, close } = await open('#size=100&strategy=best-fit&align=1&coalesce=1&ops=+10,+20,+5,-1,+8,-0,+30&predict=1');
  // What the box shows (its hidden live line repeats it for screen readers).
  const box = async () => (await page.$eval('[data-testid=predict]', (el) => [...el.children].filter((c) => !c.matches('.pd-live')).map((c) => c.textContent).join(''))).replace(/\s+/g, ' ');
  const pos = () => page.evaluate(() => globalThis.__playground.session.position);
  const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
  const answer = async (text) => {
    await page.fill('[data-testid=predict-offset]', text);
    await page.press('[data-testid=predict-offset]', 'Enter');
    await idle(page);
  };
  assert.equal(await pos(), 0, 'a predict link without a step starts at op 1');
  assert.equal(await page.isChecked('[data-testid=predict-toggle]'), true);
  assert.match(await box(), /Op 1: ptr\[0\] = malloc\(10\) under Best fit\. What does it return\?/);
  assert.equal(await focused(), 'BODY', 'a page load leaves the focus where it was');

  // A bad answer is refused, says why, and runs nothing.
  await answer('ten');
  assert.match(await page.textContent('[data-testid=predict-error]'), /“ten” is not an offset/);
  await answer('100');
  assert.match(await page.textContent('[data-testid=predict-error]'), /0 to 99/);
  assert.equal(await pos(), 0);
  // An arrow key in the box edits the answer; it does not run the op.
  await page.press('[data-testid=predict-offset]', 'ArrowRight');
  await idle(page);
  assert.equal(await pos(), 0);

  await answer('0');
  assert.equal(await pos(), 1, 'answering runs the op');
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right ptr\[0\] = malloc\(10\) returned 0\.$/);
  assert.match(await box(), /Op 2: ptr\[1\] = malloc\(20\)/);
  assert.equal(await focused(), 'predict-offset', 'the next answer field has the focus');
  // A screen reader hears the verdict and the next question as one sentence, set once per answer.
  assert.equal(await page.getAttribute('[data-testid=predict-live]', 'aria-live'), 'polite');
  assert.equal(await page.textContent('[data-testid=predict-live]'), '✓ Right ptr[0] = malloc(10) returned 0. Predict Op 2: ptr[1] = malloc(20) under Best fit. What does it return?');
  await answer('0');
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /Not this time You said it returned 0; ptr\[1\] = malloc\(20\) returned 10\./);
  assert.equal(await page.textContent('[data-testid=predict-score]'), '1 of 2 predictions right');
  // A double click answers one question, not the next one too (which would take the second click unseen).
  await page.dblclick('[data-testid=predict] [data-answer=null]');
  await idle(page);
  assert.equal(await pos(), 3);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /You said it returned NULL; ptr\[2\] = malloc\(5\) returned 30\./);
  // A free: what it merges with (the strategy plays no part).
  assert.match(await box(), /Op 4: free\(ptr\[1\]\)\. What does the freed block merge with\?/);
  assert.equal(await focused(), 'predict', 'after an answer the box has the focus, not an answer button a second Enter would press');
  await page.click('[data-testid=predict] [data-answer=none]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right free\(ptr\[1\]\) merges with nothing\.$/);
  assert.equal(await page.textContent('[data-testid=predict-score]'), '2 of 4 predictions right');
  // The last-op line still explains the op just checked.
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent.startsWith('Op 4, -1: free(ptr[1])'));
  // Back a step and the same op again: shown, but scored once.
  await page.click('[data-testid=undo]');
  await idle(page);
  await page.click('[data-testid=predict] [data-answer=none]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /\(Scored the first time only\.\)$/);
  assert.equal(await page.textContent('[data-testid=predict-score]'), '2 of 4 predictions right');

  // Stepping forward shows an op without a guess (not scored); play stops at the next question.
  await page.click('[data-testid=redo]');
  await idle(page);
  assert.equal(await pos(), 5);
  assert.equal(await page.textContent('[data-testid=predict-score]'), '2 of 4 predictions right');
  assert.match(await box(), /Op 6: free\(ptr\[0\]\)/);
  // The fragmentation curve behind the scrubber stops at the cursor: the rest would give answers away.
  const sparkEnd = () => page.evaluate(() => Math.max(...(document.querySelector('.tl-spark-line')?.getAttribute('points') ?? '-1,0').split(' ').map((p) => Number(p.split(',')[0]))));
  await page.waitForFunction(() => document.querySelector('.tl-spark-line'));
  assert.equal(await sparkEnd(), Number(((5 / 7) * 1000).toFixed(1)));
  assert.match(await page.textContent('.tl-spark-note'), /^external fragmentation over time so far/);
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => globalThis.__playground.session.position === 6 && !document.querySelector('[data-testid=play]').classList.contains('is-playing'));
  await idle(page);
  assert.match(await box(), /Op 7: ptr\[4\] = malloc\(30\)/, 'play ran one op and stopped at the next question');
  assert.match(await page.evaluate(() => location.hash), /&predict=1$/);

  // The last answer: the box has the focus, so a second Enter does not start over.
  await answer('0');
  assert.equal(await pos(), 7);
  assert.match(await box(), /That was the last op\./);
  assert.equal(await focused(), 'predict');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await pos(), 7);
  assert.match(await page.textContent('[data-testid=predict-score]'), /of 5 predictions right/);
  // At the end: start over, with a fresh score.
  await page.click('[data-testid=predict-restart]');
  await idle(page);
  assert.equal(await pos(), 0);
  assert.equal(await page.$('[data-testid=predict-score]'), null, 'the score starts again');

  // Off: the box goes, the link forgets it; on at the end of a run goes back to op 1.
  await page.click('[data-testid=tl-end]');
  await idle(page);
  await page.click('.tl-predict');
  await idle(page);
  assert.equal(await page.isVisible('[data-testid=predict]'), false);
  await page.waitForFunction(() => !location.hash.includes('predict'));
  await page.click('.tl-predict');
  await idle(page);
  assert.equal(await pos(), 0);
  assert.match(await box(), /Op 1: ptr\[0\] = malloc\(10\)/);
  await page.screenshot({ path: join(SHOTS, 'predict.png') });

  // A quiz link opened over a finished run (the student's open tab), written
  // `predict=true` by hand: it loads, starts at op 1 and takes answers.
  await page.click('.tl-predict');
  await page.click('[data-testid=tl-end]');
  await idle(page);
  await page.evaluate(() => { location.hash = '#size=64&strategy=first-fit&align=1&coalesce=1&ops=+4,+4,+4,-0,-1,+9&predict=true'; });
  await page.waitForFunction(() => globalThis.__playground.session.total === 6);
  await idle(page);
  assert.equal(await pos(), 0);
  await answer('0');
  assert.equal(await pos(), 1);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right/);
  // The free of ptr[1] next to the freed ptr[0] merges with the block before it.
  await page.click('[data-testid=redo]');
  await idle(page);
  await page.click('[data-testid=redo]');
  await idle(page);
  await page.click('[data-testid=redo]');
  await idle(page);
  await page.click('[data-testid=predict] [data-answer=before]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right free\(ptr\[1\]\) merges with the free block before it\.$/);
  await close();
});

test('predict mode after a malloc.py command: its -b addresses are answers too; a free of a NULL pointer says why nothing is asked', async () => {
  const { page, close } = await open('#predict=1');
  await page.fill('[data-testid=editor]', 'python3 malloc.py -S 100 -b 1000 -a 4 -p BEST -C -A +10,+200,-1,+5');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 0);
  assert.match(await page.textContent('[data-testid=predict]'), /0 to 99 \(or the malloc\.py address from 1,000\)/);
  await page.fill('[data-testid=predict-offset]', '1000');
  await page.press('[data-testid=predict-offset]', 'Enter');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right ptr\[0\] = malloc\(10\) returned 0\.$/);
  await page.click('[data-testid=predict] [data-answer=null]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict-verdict]'), /^✓ Right ptr\[1\] = malloc\(200\) returned NULL\.$/);
  assert.match(await page.textContent('[data-testid=predict]'), /Op 3: free\(ptr\[1\]\) does nothing: ptr\[1\] holds no block \(its request failed, or it was freed already\)\. Step forward\./);
  await close();
});

test('predict mode with a header: the question says so, and the address malloc.py -H prints (its data) is right, from a link too', async () => {
  // OSTEP's -H 4 run: ptr[0] = Alloc(3) returns 1004 in malloc.py, the data after the block's 4-byte header at 1000.
  const { page, close } = await open('#predict=1');
  await page.fill('[data-testid=editor]', './malloc.py -n 10 -H 4 -p BEST -s 0 -C');
  await page.click('[data-testid=run]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=predict]'), /under Best fit, 4-byte headers\. What does it return\?/);
  assert.match(await page.textContent('[data-testid=predict]'), /the offset of its block or of its data \(after the header\)/);
  await page.waitForFunction(() => /header=4&ops=.*predict=1/.test(location.hash));
  const link = await page.evaluate(() => location.hash);
  const answer = async (text) => {
    await page.fill('[data-testid=predict-offset]', text);
    await page.press('[data-testid=predict-offset]', 'Enter');
    await idle(page);
    return page.textContent('[data-testid=predict-verdict]');
  };
  assert.match(await answer('1004'), /^✓ Right ptr\[0\] = malloc\(3\) returned 0 \(its data starts at 4, after the 4-byte header\)\.$/);
  // A student opening the link gets the same quiz, and malloc.py's addresses answer it.
  await close();
  const student = await open(link);
  await student.page.fill('[data-testid=predict-offset]', '1004');
  await student.page.press('[data-testid=predict-offset]', 'Enter');
  await idle(student.page);
  assert.match(await student.page.textContent('[data-testid=predict-verdict]'), /^✓ Right /);
  await student.close();
});

test('the op strip is one tab stop: arrows move along it and Enter goes there', async () => {
  const { page, close } = await open('#size=256&strategy=first-fit&align=8&coalesce=1&ops=+8,+16,+24,-1,+32');
  const stops = () => page.$$eval('.tl-op', (els) => els.filter((e) => e.tabIndex === 0).map((e) => e.dataset.step));
  assert.deepEqual(await stops(), ['5'], 'the last op run is the stop');
  await page.focus('.tl-op[data-step="5"]');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.step), '3');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 5, 'moving along the strip does not step');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 3);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.step), '3', 'the focus stays on the op');
  assert.deepEqual(await stops(), ['3']);
  await page.keyboard.press('Home');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.step), '1');
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.step), '5');
  await close();
});

test('arrow keys through the strategy select record one switch, where they rest', async () => {
  const { page, close } = await open('#size=256&strategy=first-fit&align=8&coalesce=1&ops=+8,+16');
  await page.focus('[data-testid=strategy]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  // Still waiting for the keys to rest: nothing recorded, the select shows where it is.
  assert.equal(await log(page), '+8,+16');
  assert.equal(await page.inputValue('[data-testid=strategy]'), 'worst-fit');
  await page.waitForFunction(() => globalThis.__playground.arena.log() !== '+8,+16');
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit');
  // Down and back up to where it was: no switch at all.
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(700);
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit');
  // A pending change applies when the focus leaves (before what takes it).
  await page.keyboard.press('ArrowUp');
  await page.click('[data-testid=malloc]');
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit,@best-fit,+16');
  // A mouse (or script) choice applies at once.
  await page.selectOption('[data-testid=strategy]', 'first-fit');
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit,@best-fit,+16,@first-fit');
  await page.selectOption('[data-testid=strategy]', 'best-fit');
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit,@best-fit,+16,@first-fit,@best-fit');
  // A click that leaves the focus in the select (Safari's buttons take none):
  // the waiting change still goes first.
  await page.focus('[data-testid=strategy]');
  await page.keyboard.press('ArrowUp');
  await page.evaluate(() => document.querySelector('[data-testid=malloc]').click());
  await idle(page);
  assert.equal(await log(page), '+8,+16,@worst-fit,@best-fit,+16,@first-fit,@best-fit,@next-fit,+16');
  await close();
});

test('a lecture goes on where it was: Enter applies a setting and keeps the focus, a re-run keeps the step, a cancelled change leaves the field as the arena is', async () => {
  const { page, close } = await open('#size=100&strategy=first-fit&align=1&coalesce=1&ops=+30,+10,+20,+5,-0,-2,+15,+12,-1,+25&step=7');
  await idle(page);
  await page.fill('[data-testid=arena-size]', '120');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  assert.equal((await snap(page)).arenaSize, 120);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'arena-size', 'Enter keeps the focus in the field');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 7, 'the cursor stays at its step');
  // Tab away: the value applied once is not applied again.
  const before = await page.evaluate(() => globalThis.__playground.session.total);
  await page.keyboard.press('Tab');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 7);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), before);
  // An op at a past step makes a branch; a new size then asks first, and a
  // cancel leaves the field showing the arena's size.
  await malloc(page, 4);
  await page.evaluate(() => { globalThis.confirm = () => false; });
  await page.fill('[data-testid=arena-size]', '200');
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  assert.equal((await snap(page)).arenaSize, 120);
  await page.waitForFunction(() => document.querySelector('[data-testid=arena-size]').value === '120');
  // Shortcuts leave the page alone behind a modal dialog.
  const at = await page.evaluate(() => globalThis.__playground.session.position);
  await page.click('[data-testid=embed]');
  await page.keyboard.press('Control+z');
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), at);
  await page.keyboard.press('Escape');
  await close();
});

test('a link’s bad or too-large step is left out with a word, and its ops still run', async () => {
  for (const [step, why] of [['-1', 'step must be a whole number, got "-1"'], ['99', 'step 99 is past the link’s 4 ops']]) {
    const { page, close } = await open(`#size=100&strategy=first-fit&align=1&coalesce=1&ops=+30,+10,-0,+5&step=${step}`);
    await idle(page);
    assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 4);
    assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 4);
    assert.match(await page.textContent('#notices'), new RegExp(`The link’s step was left out: ${why.replace(/[()]/g, '\\$&')}\\. The timeline shows the end\\.`));
    await close();
  }
});

test('a link edited by hand says what it left out: ops= beside a workload, a slab size the core refuses', async () => {
  let { page, close } = await open('#size=4096&wl=uniform.3.50.60.64&ops=+1,+2');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 50);
  assert.match(await page.textContent('#notices'), /The link’s ops= were left out: it has a workload \(wl=\) too, whose ops ran\./);
  await close();
  ({ page, close } = await open('#size=4096&slab=0&ops=+8'));
  await idle(page);
  assert.match(await page.textContent('#notices'), /The link’s settings were ignored: slab size 0 must be a power of two/);
  await close();
});

test('Present: the map large, the settings aside; a presenter’s remote steps the timeline whatever has the focus; B blanks; a click frees nothing; Esc ends', async () => {
  const { page, close } = await open('#size=200&strategy=first-fit&align=8&coalesce=1&ops=+30,+10,+40,-1,+20,+16,-0,+60&step=4', { width: 1280, height: 720 });
  const pos = () => page.evaluate(() => globalThis.__playground.session.position);
  await page.click('[data-testid=present]');
  assert.equal(await page.textContent('[data-testid=present] .btn-label'), 'End presenting');
  assert.ok(await page.isVisible('#map'));
  for (const hidden of ['#controls', '.ops-card', '.lower', '#compare-card', '#help']) assert.ok(!(await page.isVisible(hidden)), `${hidden} steps aside`);
  // The scrubber's own PageDown steps backwards: presenting, it steps forward.
  await page.focus('[data-testid=scrubber]');
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => globalThis.__playground.session.position === 5);
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => globalThis.__playground.session.position === 3);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => globalThis.__playground.session.position === 4);
  const y = await page.evaluate(() => scrollY);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => globalThis.__playground.session.position === 5);
  assert.equal(await page.evaluate(() => scrollY), y, 'the page does not scroll');
  // B blanks the screen; the next key brings it back and does nothing else.
  await page.keyboard.press('b');
  assert.ok(await page.isVisible('[data-testid=present-blank]'));
  await page.keyboard.press('PageDown');
  assert.ok(!(await page.isVisible('[data-testid=present-blank]')));
  assert.equal(await pos(), 5);
  // + sizes everything up.
  const zoom = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--present-zoom'));
  const z0 = Number(await zoom());
  await page.keyboard.press('+');
  assert.equal(Number(await zoom()), Math.round((z0 + 0.1) * 10) / 10);
  await page.keyboard.press('-');
  // A chip clicked with the mouse leaves the focus: the next Space steps on
  // (it pressed the chip again, jumping back).
  await page.click('.tl-op[data-step="2"]');
  await page.waitForFunction(() => globalThis.__playground.session.position === 2);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => globalThis.__playground.session.position === 3);
  // Blanking stops play: the lecture does not move on behind a black screen.
  await page.click('[data-testid=play]');
  await page.keyboard.press('b');
  const blankAt = await pos();
  await page.waitForTimeout(400);
  assert.equal(await pos(), blankAt);
  await page.keyboard.press('x');
  for (let i = 0; i < 8; i++) await page.keyboard.press('PageUp');
  await page.waitForFunction(() => globalThis.__playground.session.position === 0);
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => globalThis.__playground.session.position === 5);
  // A click on a block frees nothing: the timeline stays whole.
  const total = await page.evaluate(() => globalThis.__playground.session.total);
  await page.click('#map rect[aria-label^="ptr[0],"]');
  await idle(page);
  assert.deepEqual([await pos(), await page.evaluate(() => globalThis.__playground.session.total)], [5, total]);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  assert.equal(await page.textContent('[data-testid=present] .btn-label'), 'Present');
  assert.ok(await page.isVisible('#controls'));
  // The focus goes back to the button; blanked, even Ctrl+Z only brings the page back.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'present');
  await page.keyboard.press('Enter');
  await page.keyboard.press('b');
  await page.keyboard.press('Control+z');
  assert.equal(await pos(), 5);
  assert.ok(!(await page.isVisible('[data-testid=present-blank]')));
  await close();
});

test('an account of the last op that would take long to replay waits to be asked for; a step back has it at hand', async () => {
  const { page, close } = await open('#size=256&strategy=first-fit&align=8&coalesce=1&ops=+8');
  // As on a timeline under a free list kept by size, where every op walks the list: 5 s by the measured rate.
  await page.evaluate(() => { globalThis.__playground.session.estimateMs = (n) => n * 1000; });
  await runOps(page, '+8,+16,-0,+24,+8,+4');
  await page.waitForSelector('[data-testid=last-op-ask]');
  assert.equal(await page.textContent('[data-testid=last-op]'), 'Op 6, +4: its account needs the 5 ops before it replayed first, about 5.0 s here. Write it out');
  await page.click('[data-testid=last-op-ask]');
  assert.match(await page.textContent('[data-testid=last-op]'), /^Op 6, \+4: ptr\[4\] = malloc\(4\) returned 48\./);
  // A step back keeps the state before the op at the cursor, whether it
  // rebuilds at once or (slow, as faked here) replays from the start in pieces.
  await page.click('[data-testid=undo]');
  await idle(page);
  assert.match(await page.textContent('[data-testid=last-op]'), /^Op 5, \+8: ptr\[3\] = malloc\(8\) returned 0, /);
  await page.evaluate(() => { globalThis.__playground.session.quick = () => false; });
  await page.click('[data-testid=undo]');
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), 4);
  assert.match(await page.textContent('[data-testid=last-op]'), /^Op 4, \+24: ptr\[2\] = malloc\(24\) returned 24\./);
  await close();
});

test('a malloc.py command of more ops than the editor follows stays in it, its status counting them', async () => {
  const { page, close } = await open('#size=1024');
  const cmd = './malloc.py -S 10000 -n 20001 -r 100 -s 1 -p BEST -C -P 60';
  await runOps(page, cmd);
  await page.waitForFunction(() => globalThis.__playground.session.total === 20001 && !globalThis.__playground.session.busy);
  assert.equal(await page.inputValue('[data-testid=editor]'), cmd);
  assert.equal(await page.textContent('.ed-status'), '✓ 20,001 ops');
  await close();
});

test('past the ops lastOp() explains, the words under the map say so instead of going blank', async () => {
  const { page, close } = await open('#size=1024&strategy=first-fit&align=8&coalesce=1&ops=+8');
  const max = await page.evaluate(() => import('./arena.js').then((m) => m.maxExplainedOps()));
  // Pairs of malloc and free, one op past the limit.
  await runOps(page, Array.from({ length: max + 1 }, (_, i) => (i % 2 ? `-${(i - 1) / 2}` : '+8')).join(','));
  await page.waitForFunction((n) => globalThis.__playground.session.position === n, max + 1);
  await page.waitForFunction(() => document.querySelector('[data-testid=last-op]').textContent !== '');
  assert.equal(await page.textContent('[data-testid=last-op]'), `Op 50,001, +8: ops past the first 50,000 are not written out one by one (the map and the meter show this step).`);
  await close();
});

test('the meter’s peak utilization says when failed requests are left out of it', async () => {
  const { page, close } = await open('#size=20&strategy=first-fit&align=1&coalesce=0&ops=+10,+10,-0,-1');
  assert.equal(await page.textContent('#meter [data-metric=peakUtilization]'), '100.0%');
  await malloc(page, 15);
  assert.equal(await page.textContent('#meter [data-metric=peakUtilization]'), '100.0%, failures left out');
  await close();
});

test('a slab’s unusable tail is drawn as such: no ptr[-1], nothing to free', async () => {
  // 256 B slabs of 24 B chunks: 10 chunks, then 16 B no chunk fits.
  const { page, close } = await open('#size=256&strategy=slab&classes=24,48&ops=+8');
  const tail = page.locator('#map rect[aria-label^="slab tail"]');
  assert.equal(await tail.getAttribute('aria-label'), 'slab tail, unusable (too few bytes for a 24-byte chunk), 16 bytes at offset 240');
  assert.equal(await tail.getAttribute('role'), 'img', 'not a button');
  assert.ok(!(await page.textContent('#map')).includes('-1'), 'no ptr[-1] label');
  await tail.hover();
  await page.waitForSelector('.mm-tip:not([hidden])');
  assert.match(await page.textContent('.mm-tip'), /slab tail.*unusable.*too few for a chunk/);
  await tail.click();
  await idle(page);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.total), 1, 'nothing freed, no failed free logged');
  await close();
});

test('presenting on a 1024×768 projector: the meter stands beside the map, on the screen, at zoom 1', async () => {
  const { page, close } = await open('#size=100&strategy=best-fit&align=1&coalesce=0&ops=+3,-0,+5,-1,+8,-2&step=4', { width: 1024, height: 768 });
  await page.click('[data-testid=present]');
  await page.waitForFunction(() => document.documentElement.classList.contains('presenting'));
  await idle(page);
  const box = (sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, left: r.left, right: r.right }; });
  const [map, meter] = [await box('#map-card'), await box('#meter')];
  assert.ok(meter.left >= map.right, `beside the map: ${JSON.stringify({ map, meter })}`);
  assert.ok(meter.top < 300, 'its gauge on the screen');
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--present-zoom').trim()), '1');
  await close();
});

test('with wasm memory full, refused actions leave the timeline and say so once, in words for the page', async () => {
  const { page, close, errors } = await open('#size=1024&ops=+8,+16,-0');
  await page.evaluate(fillWasmMemory, './');
  const total = () => page.evaluate(() => globalThis.__playground.session.total);
  // Run from start builds a new arena: refused, and the timeline stays.
  await runOps(page, '+8,+16,-0,+32');
  assert.equal(await total(), 3);
  await page.click('[data-testid=compare-run]');
  await idle(page);
  await page.click('[data-testid=wl-run]');
  await idle(page);
  const memory = page.locator('.notice[data-key=memory]');
  assert.equal(await memory.count(), 1, 'one notice for every refusal');
  assert.match(await memory.textContent(), /The page’s memory is full \(a page’s WebAssembly memory stops at 4 GiB\), so nothing was done/);
  assert.equal(await total(), 3);
  // Memory given back (the arenas disposed), the page works again.
  await page.evaluate(() => { for (const a of globalThis.__fillers) a.dispose(); });
  await runOps(page, '+8,+16,-0,+32');
  assert.equal(await total(), 4);
  assert.deepEqual(errors, []);
  await close();
});

test('compare: a line hidden under another is named in the legend', async () => {
  // No free: every free-list strategy places the same blocks, so draws the same line.
  const { page, close } = await open('#size=1024&ops=+8,+16,+24,+32');
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('[data-testid=compare-grid] .cmp-card');
  await idle(page);
  const items = await page.$$eval('.cmp-legend li', (els) => els.map((el) => el.textContent));
  assert.deepEqual(items.slice(0, 4), ['First fit', 'Next fit (the same line as First fit)', 'Best fit (the same line as First fit)', 'Worst fit (the same line as First fit)']);
  await close();
});

test('a block too narrow for ptr[k] is labelled [k], an index, before k alone', async () => {
  const { page, close } = await open('#size=1024&ops=+8,+16,+24,+32,+48,+64');
  const labels = await page.$$eval('#map .mm-labels text', (ts) => ts.map((t) => t.textContent));
  assert.deepEqual(labels.slice(0, 4), ['0', '[1]', '16 B', 'ptr[2]']);
  await close();
});

test('the keyboard focus stays where the reader works: an example, a long run, a trace’s buttons, Resize on Enter, selects while presenting', async () => {
  const { page, close } = await open();
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return a === document.body ? 'body' : a.dataset.testid || a.id || a.getAttribute('aria-label') || a.textContent.trim().slice(0, 30);
  });
  // An example from the empty map: its button goes away with the empty map; the focus goes to the map.
  await page.focus('#quick-examples button');
  await page.keyboard.press('Enter');
  await idle(page);
  assert.equal(await active(), 'map-card');
  // A long op list run from the keyboard: Run is disabled while it runs, then has the focus back.
  await page.fill('[data-testid=arena-size]', String(1 << 20));
  await page.press('[data-testid=arena-size]', 'Enter');
  await idle(page);
  await page.fill('[data-testid=editor]', Array.from({ length: 40_000 }, (_, i) => (i % 2 ? `-${i - 1}` : '+16')).join(','));
  await page.focus('[data-testid=run]');
  await page.keyboard.press('Enter');
  await idle(page);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'run');
  // A setting changed from the keyboard re-runs all 40,000 ops; the field keeps the focus.
  await page.focus('[data-testid=align]');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => globalThis.__playground.session.config.align === 16);
  await idle(page);
  assert.equal(await active(), 'align');
  // Resize on Enter: realloc, as Enter in Size mallocs.
  await page.fill('[data-testid=editor]', '+8,+8');
  await page.click('[data-testid=run]');
  await idle(page);
  await page.fill('[data-testid=realloc-size]', '40');
  await page.press('[data-testid=realloc-size]', 'Enter');
  await idle(page);
  assert.equal(await log(page), '+8,+8,r1:40');
  // A trace's buttons: the one pressed runs the trace, and the focus stays in the op list's card.
  await page.click('.seg-btn:has-text(".rep trace")');
  await page.fill('[data-testid=editor]', '4000\n3\n6\n1\na 0 100\na 1 200\nf 0\na 2 50\nr 1 300\nf 2\n');
  await page.press('[data-testid=editor]', 'Control+Enter');
  await page.waitForSelector('[data-testid=trace-run-fit]');
  await page.focus('[data-testid=trace-run-fit]');
  await page.keyboard.press('Enter');
  await idle(page);
  await page.waitForFunction(() => globalThis.__playground.arena.logLength === 6);
  assert.ok(await page.evaluate(() => document.activeElement.closest('.editor-card, #editor, .card') !== null), `focus on ${await active()}`);
  // Esc in a notice dismisses it, and the focus goes back to the control that brought it.
  await page.click('.seg-btn:has-text("Op list")');
  await page.fill('[data-testid=editor]', '+8,-7');
  await page.focus('[data-testid=run]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.notice-error');
  await page.focus('.notice-error .notice-close');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.notice-error', { state: 'detached' });
  assert.equal(await active(), 'run');
  // Presenting, a select keeps its arrows: the Fork select changes, the timeline does not step.
  await page.click('[data-testid=present]');
  await page.focus('[aria-label="Fork with (strategy)"]');
  const step = await page.evaluate(() => globalThis.__playground.session.position);
  const before = await page.inputValue('[aria-label="Fork with (strategy)"]');
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await page.inputValue('[aria-label="Fork with (strategy)"]'), before);
  assert.equal(await page.evaluate(() => globalThis.__playground.session.position), step);
  assert.equal(await active(), 'Fork with (strategy)');
  await page.keyboard.press('Escape');
  await close();
});

test('Present on a 1920×1080 projector: a map of a few rows grows into the free height, and keeps its height from step to step', async () => {
  const { page, close } = await open('#size=100&strategy=best-fit&align=1&ops=+3,-0,+5,-1,+8,-2,+8,-3,+2,+7&step=1', { width: 1920, height: 1080 });
  const rowH = () => page.evaluate(() => Number(document.querySelector('#map .mm-track').getAttribute('height')));
  assert.equal(await rowH(), 38, 'not presenting: the usual row');
  await page.click('[data-testid=present]');
  await idle(page);
  const tall = await rowH();
  assert.ok(tall > 100, `presenting: a taller row (${tall} px)`);
  const heights = [];
  for (let k = 0; k < 6; k++) {
    await page.keyboard.press('ArrowRight');
    await idle(page);
    heights.push(await rowH());
    // The words, the step buttons and the op strip stay on the screen.
    assert.ok(await page.evaluate(() => document.querySelector('#timeline .tl-meta').getBoundingClientRect().bottom <= innerHeight));
  }
  assert.deepEqual(heights, heights.map(() => tall));
  await page.keyboard.press('Escape');
  await idle(page);
  assert.equal(await rowH(), 38, 'presenting ended: the usual row again');
  await close();
});

test('Present with Predict on a 1280×720 projector: the question and the map it asks about are both on the screen', async () => {
  const { page, close } = await open('#size=1024&ops=+10,+20,+30,-1,+5,+40,-0,+8&step=3&predict=1', { width: 1280, height: 720 });
  await page.click('[data-testid=present]');
  await idle(page);
  const seen = async () => {
    await page.waitForSelector('[data-testid=predict]:not([hidden])');
    return page.evaluate(() => ({
      map: document.getElementById('map').getBoundingClientRect().top,
      mapBottom: document.getElementById('map').getBoundingClientRect().bottom,
      box: document.querySelector('[data-testid=predict]').getBoundingClientRect().bottom,
      h: innerHeight,
    }));
  };
  for (let k = 0; k < 3; k++) {
    const v = await seen();
    assert.ok(v.map >= 0 && v.box <= v.h, `step ${3 + k}: the map from ${v.map} px and the question to ${v.box} px in ${v.h} px`);
    await page.keyboard.press('ArrowRight');
    await idle(page);
  }
  await page.keyboard.press('Escape');
  await close();
});

test('a render that changes no byte keeps the byte view’s elements; a write rebuilds them', async () => {
  const { page, close } = await open('#size=256&ops=+8,+16,-0,+4');
  await page.evaluate(() => { document.querySelector('#bytes .bv-b').dataset.kept = '1'; });
  // A render that changes nothing the dump shows (idle() asks for one).
  await idle(page);
  await page.evaluate(() => globalThis.__playground.idle());
  assert.equal(await page.evaluate(() => document.querySelector('#bytes .bv-b').dataset.kept), '1');
  await page.fill('[data-testid=write-data]', 'Hi');
  await page.click('[data-testid=write]');
  await idle(page);
  assert.equal(await page.evaluate(() => document.querySelector('#bytes .bv-b').dataset.kept), undefined, 'new bytes, new elements');
  assert.equal(await page.textContent('#bytes .bv-b'), '48');
  await close();
});
