// node --test: the <alloc-playground> widget, the iframe embed and the sample
// article in headless Chromium. Serves PAGE_DIR (default www/; the test
// command also runs it against dist/). Any console or page error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SHOTS, fillWasmMemory, openRecorded, startBrowser } from './browser.mjs';

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

async function open(path, { width = 1100, height = 900, colorScheme = 'light' } = {}) {
  const { context, page, errors } = await openRecorded(browser, base + path, { width, height, colorScheme });
  return {
    page,
    errors,
    close: async (allowed = []) => {
      await context.close();
      const unexpected = errors.filter((e) => !allowed.some((re) => re.test(e)));
      assert.deepEqual(unexpected, [], 'no console or page errors');
    },
  };
}

/** A blank page of the playground's origin (so the CSP and module paths apply) with the widget loaded. */
async function blank() {
  const o = await open('embed.html?controls=meter');
  await o.page.waitForFunction(() => customElements.get('alloc-playground'));
  await o.page.evaluate(() => document.body.replaceChildren());
  return o;
}

/** Waits until every widget on the page has built (an arena or an error). */
const settled = (page) => page.waitForFunction(() => [...document.querySelectorAll('alloc-playground')]
  .every((el) => el.arena || el.shadowRoot?.querySelector('[part=error]')));

test('the sample article renders four live widgets with different configs, independently', async () => {
  const { page, close } = await open('demo-blog.html');
  await settled(page);
  const snaps = await page.$$eval('alloc-playground', (els) => els.map((el) => el.snapshot()));
  assert.equal(snaps.length, 8, 'five examples (two of them pairs) plus the error example');
  // 1. first vs best fit on the same ops: the last 16-byte request lands in different holes.
  const lastUsed = (s) => s.blocks.filter((b) => !b.free).sort((a, b) => b.seq - a.seq)[0].offset;
  assert.equal(snaps[0].strategy, 'first-fit');
  assert.equal(snaps[1].strategy, 'best-fit');
  assert.equal(lastUsed(snaps[0]), 0);
  assert.equal(lastUsed(snaps[1]), 64);
  // 2. coalescing on vs off: the 96-byte request succeeds only with coalescing.
  assert.equal(snaps[2].stats.failedAllocs, 0);
  assert.equal(snaps[3].stats.failedAllocs, 1);
  assert.equal(snaps[3].stats.freeBlocks, 4);
  // 3. slab classes.
  assert.equal(snaps[4].strategy, 'slab');
  assert.deepEqual([...new Set(snaps[4].blocks.filter((b) => b.seq !== null).map((b) => b.class))].sort((a, b) => a - b), [16, 32, 64]);
  // 4. the zeroing contract: ptr[1] reuses ptr[0]'s bytes.
  const zeroing = page.locator('alloc-playground').nth(5);
  const bytes = await zeroing.evaluate((el) => Array.from(el.arena.read(0, 7)));
  assert.deepEqual(bytes, [...'secret!'].map((c) => c.charCodeAt(0)));
  assert.match(await zeroing.evaluate((el) => el.shadowRoot.querySelector('[part=bytes]').textContent), /secret/);
  // 5. predict: the timeline starts at op 1 with a question.
  const quiz = page.locator('alloc-playground[predict]');
  assert.equal(await quiz.evaluate((el) => el.step), 0);
  assert.match(await quiz.evaluate((el) => el.shadowRoot.querySelector('[part=predict]').textContent), /Op 1: ptr\[0\] = malloc\(32\) under Next fit/);
  // The bad example shows its error, visibly, and has no arena.
  const bad = page.locator('alloc-playground').last();
  assert.equal(await bad.evaluate((el) => el.arena), null);
  assert.match(await bad.evaluate((el) => el.shadowRoot.querySelector('[part=error]').textContent), /line 1.*ptr\[7\] does not exist/);

  // Acting on one widget leaves the others alone.
  const before = await page.$$eval('alloc-playground', (els) => els.map((el) => JSON.stringify(el.snapshot()?.blocks)));
  const slab = page.locator('alloc-playground').nth(4);
  await slab.evaluate((el) => {
    const input = el.shadowRoot.querySelector('.ap-size');
    input.value = '20';
    el.shadowRoot.querySelector('.ap-primary').click();
  });
  const after = await page.$$eval('alloc-playground', (els) => els.map((el) => JSON.stringify(el.snapshot()?.blocks)));
  after.forEach((a, i) => (i === 4 ? assert.notEqual(a, before[i]) : assert.equal(a, before[i], `widget ${i} untouched`)));
  await page.screenshot({ path: join(SHOTS, 'demo-blog.png'), fullPage: true });
  await close();
});

test('the bytes part shows the latest request still live until the reader picks a block, as the page does', async () => {
  const { page, close } = await blank();
  const titles = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '256');
    // ptr[2] (16 B at 96) is the highest used block; ptr[4] (8 B at 72) the latest.
    el.setAttribute('ops', '+32,+64,+16,-1,+40,+8');
    el.setAttribute('controls', 'bytes');
    document.body.append(el);
    while (!el.arena) await new Promise((r) => setTimeout(r, 10));
    const title = () => el.shadowRoot.querySelector('[part=bytes] .bv-title')?.textContent;
    const latest = title();
    el.setAttribute('ops', '+8,+8,-1');
    while (el.arena?.logLength !== 3) await new Promise((r) => setTimeout(r, 10));
    return [latest, title()];
  });
  assert.deepEqual(titles, ['ptr[4] · 8 B at 72', 'ptr[0] · 8 B at 0']);
  await close();
});

test('attributes and properties mirror each other; changes rebuild and emit alloc-playground:change', async () => {
  const { page, close } = await blank();
  const result = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    const events = [];
    document.body.addEventListener('alloc-playground:change', (e) => events.push(e.detail));
    el.setAttribute('arena-size', '128');
    el.setAttribute('ops', '+16,+32,-0');
    document.body.append(el);
    const wait = () => new Promise((r) => { const f = () => (el.arena ? r() : setTimeout(f, 10)); f(); });
    await wait();
    const first = el.snapshot();
    el.strategy = 'worst-fit';
    el.arenaSize = 256;
    el.order = 'insert-front';
    await new Promise((r) => setTimeout(r, 50));
    await wait();
    return {
      first: { size: first.arenaSize, strategy: first.strategy, ops: first.ops },
      attr: [el.getAttribute('strategy'), el.getAttribute('arena-size')],
      props: [el.strategy, el.arenaSize, el.align, el.coalesce, el.readonly],
      now: { size: el.snapshot().arenaSize, strategy: el.snapshot().strategy, ops: el.snapshot().ops, order: el.snapshot().order },
      order: [el.order, el.getAttribute('order'), first.order],
      summary: el.shadowRoot.textContent.includes('· free list last freed first ·'),
      events: events.length,
      composed: events.at(-1)?.arenaSize,
    };
  });
  assert.deepEqual(result.first, { size: 128, strategy: 'first-fit', ops: 3 });
  assert.deepEqual(result.attr, ['worst-fit', '256']);
  assert.deepEqual(result.props, ['worst-fit', 256, 8, true, false]);
  assert.deepEqual(result.now, { size: 256, strategy: 'worst-fit', ops: 3, order: 'insert-front' });
  assert.deepEqual(result.order, ['insert-front', 'insert-front', 'address']);
  assert.ok(result.summary, 'the summary line names the order');
  assert.ok(result.events >= 2);
  assert.equal(result.composed, 256);
  await close();
});

test('typed properties read what the widget uses: default slab classes follow align, order and theme in any case', async () => {
  const { page, close } = await blank();
  const result = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '4096');
    document.body.append(el);
    const built = () => new Promise((r) => { const f = () => (el.arena ? r() : setTimeout(f, 10)); f(); });
    await built();
    const read = () => ({ classes: el.classes, slabSize: el.slabSize, real: el.arena && [el.arena.initialConfig().classes.join(','), el.arena.initialConfig().slabSize] });
    const out = { plain: read() };
    for (const align of ['64', '256']) {
      el.setAttribute('align', align);
      await new Promise((r) => el.addEventListener('alloc-playground:change', r, { once: true }));
      out[align] = read();
    }
    // Classes given: the slab size is 256 unless given too (the core refuses what does not hold them).
    el.setAttribute('classes', '512,1024');
    out.refused = await new Promise((r) => el.addEventListener('alloc-playground:error', (e) => r(e.detail.message), { once: true }));
    out.given = read();
    el.setAttribute('slab-size', '1024');
    await new Promise((r) => el.addEventListener('alloc-playground:change', r, { once: true }));
    out.fixed = read();
    el.setAttribute('order', ' INSERT-Front ');
    el.setAttribute('theme', 'Dark');
    await new Promise((r) => el.addEventListener('alloc-playground:change', r, { once: true }));
    out.order = [el.order, el.arena.order];
    el.setAttribute('order', 'ADDRSORT');
    await new Promise((r) => el.addEventListener('alloc-playground:change', r, { once: true }));
    out.order.push(el.order);
    out.error = el.shadowRoot.querySelector('[part=error]')?.textContent ?? null;
    // (The widget's stylesheets load on their own: wait for them, as CI's slower runs showed.)
    await Promise.all([...el.shadowRoot.querySelectorAll('link[rel=stylesheet]')]
      .map((l) => l.sheet || new Promise((r) => { l.addEventListener('load', r, { once: true }); l.addEventListener('error', r, { once: true }); })));
    const bg = () => getComputedStyle(el.shadowRoot.querySelector('[part=root]')).backgroundColor;
    out.bg = { Dark: bg() };
    for (const t of ['light', 'dark']) {
      el.setAttribute('theme', t);
      await new Promise(requestAnimationFrame);
      out.bg[t] = bg();
    }
    return out;
  });
  assert.deepEqual(result.plain, { classes: '16,32,64', slabSize: 256, real: ['16,32,64', 256] });
  assert.deepEqual(result['64'], { classes: '64,128,256', slabSize: 256, real: ['64,128,256', 256] });
  assert.deepEqual(result['256'], { classes: '256,512,1024', slabSize: 1024, real: ['256,512,1024', 1024] });
  assert.match(result.refused, /slab size 256 must hold the largest class \(1024\)/);
  assert.deepEqual(result.given, { classes: '512,1024', slabSize: 256, real: null });
  assert.deepEqual(result.fixed, { classes: '512,1024', slabSize: 1024, real: ['512,1024', 1024] });
  assert.deepEqual(result.order, ['insert-front', 'insert-front', 'address']);
  assert.equal(result.error, null, 'theme="Dark" is a theme');
  assert.equal(result.bg.Dark, result.bg.dark);
  assert.notEqual(result.bg.dark, result.bg.light);
  await close();
});

test('clicking a used block frees it; readonly widgets refuse', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    document.body.replaceChildren();
    for (const ro of [false, true]) {
      const el = document.createElement('alloc-playground');
      el.setAttribute('arena-size', '128');
      el.setAttribute('ops', '+32,+32');
      if (ro) el.setAttribute('readonly', '');
      document.body.append(el);
    }
  });
  await settled(page);
  for (const [i, readonly] of [[0, false], [1, true]]) {
    const el = page.locator('alloc-playground').nth(i);
    await el.locator('.mm-b.mm-used').first().click();
    const used = await el.evaluate((e) => e.snapshot().stats.usedBlocks);
    assert.equal(used, readonly ? 2 : 1, readonly ? 'readonly keeps the block' : 'click frees');
    assert.equal(await el.evaluate((e) => e.shadowRoot.querySelector('.ap-status').textContent), readonly ? '' : 'Freed ptr[0]: 32 B at 0.', 'the status line says so');
    // A block is a button only where a click does something.
    assert.equal(await el.locator('.mm-b.mm-used').first().getAttribute('role'), readonly ? 'img' : 'button');
    assert.equal(await el.evaluate((e) => !!e.shadowRoot.querySelector('.ap-primary')), !readonly, 'readonly has no malloc button');
  }
  await close();
});

test('the sbrk attribute makes the heap grow: the property mirrors it, the summary says how far, the map veils the rest', async () => {
  const { page, close } = await blank();
  const result = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('strategy', 'worst-fit');
    el.setAttribute('arena-size', '1024');
    el.setAttribute('ops', '+64,+16,-0,+8');
    // (Part names in any case, as strategy and theme read.)
    el.setAttribute('controls', 'Meter LEGEND explain');
    el.setAttribute('sbrk', '');
    document.body.append(el);
    const wait = () => new Promise((r) => { const f = () => (el.arena ? r() : setTimeout(f, 10)); f(); });
    await wait();
    const read = () => ({
      prop: el.sbrk,
      arena: el.arena.sbrk,
      reused: el.snapshot().blocks.find((b) => b.seq === 2)?.offset,
      summary: el.shadowRoot.querySelector('.ap-summary').textContent,
      veils: el.shadowRoot.querySelectorAll('.mm-beyond').length,
      legend: el.shadowRoot.querySelector('[part=legend]')?.textContent.includes('not heap yet') ?? false,
    });
    const on = read();
    el.sbrk = false;
    await new Promise((r) => el.addEventListener('alloc-playground:change', r, { once: true }));
    await wait();
    return { on, off: { ...read(), attr: el.getAttribute('sbrk') } };
  });
  assert.deepEqual(result.on, {
    prop: true, arena: true, reused: 0, summary: result.on.summary, veils: result.on.veils, legend: true,
  });
  assert.match(result.on.summary, / · heap grown to 80 B \(sbrk\) · /);
  assert.ok(result.on.veils >= 1, 'the arena above the heap is veiled');
  assert.deepEqual(result.off, {
    prop: false, arena: false, reused: 80, summary: result.off.summary, veils: 0, legend: false, attr: 'false',
  });
  assert.doesNotMatch(result.off.summary, /sbrk/);
  await close();
});

test('hostile attribute values give a visible error inside the widget and run nothing', async () => {
  const { page, close } = await blank();
  const cases = [
    ['strategy', '<img src=x onerror="window.__pwned=1">'],
    ['ops', '<img src=x onerror="window.__pwned=1">'],
    ['ops', '+16,<script>window.__pwned=1</script>'],
    ['ops', '+16,-0,r0:8'],
    ['ops', '+99999999999'],
    ['ops', `${'+1,'.repeat(100_001)}+1`],
    ['ops', 'x'.repeat((1 << 20) + 1)],
    ['arena-size', '99999999999999999999'],
    ['arena-size', '1e9'],
    ['arena-size', '-5'],
    ['arena-size', '<b>big</b>'],
    ['align', String(2 ** 40)],
    ['align', '3'],
    ['coalesce', 'maybe'],
    ['sbrk', 'sometimes'],
    ['order', 'SIZESORT+<b>'],
    ['height', 'calc(100vh); background: url(x)'],
    ['theme', '"><img src=x>'],
    ['controls', 'meter garbage'],
    ['classes', '16,abc'],
    ['classes', '12'], // not a multiple of align 8 (an align above the default classes moves them)
    ['step', '5'],
    ['step', '-1'],
  ];
  for (const [name, value] of cases) {
    const out = await page.evaluate(async ([name, value]) => {
      document.body.replaceChildren();
      const el = document.createElement('alloc-playground');
      el.setAttribute(name, value);
      document.body.append(el);
      for (let i = 0; i < 200 && !el.shadowRoot.querySelector('[part=error]') && !el.arena; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const err = el.shadowRoot.querySelector('[part=error]');
      return {
        error: err?.textContent ?? null,
        visible: err ? err.getBoundingClientRect().height > 0 : false,
        arena: el.arena !== null,
        imgs: document.querySelectorAll('img').length + el.shadowRoot.querySelectorAll('img, script').length,
        pwned: globalThis.__pwned ?? null,
      };
    }, [name, value]);
    assert.ok(out.error, `${name}=${value.slice(0, 40)} shows an error`);
    assert.ok(out.visible, 'the error is visible');
    assert.equal(out.arena, false, 'no arena runs');
    assert.equal(out.imgs, 0, 'no markup was inserted');
    assert.equal(out.pwned, null);
    assert.ok(out.error.length < 400, 'the message is bounded');
  }
  await page.screenshot({ path: join(SHOTS, 'widget-error.png') });
  // Names in any case, as a link takes them; a number of many digits is too large, not "not a whole number".
  const built = await page.evaluate(async () => {
    document.body.replaceChildren();
    const el = document.createElement('alloc-playground');
    el.setAttribute('strategy', 'BEST-FIT');
    el.setAttribute('order', 'Size-Ascending');
    el.setAttribute('ops', '+8');
    document.body.append(el);
    for (let i = 0; i < 200 && !el.arena; i++) await new Promise((r) => setTimeout(r, 10));
    const big = document.createElement('alloc-playground');
    big.setAttribute('arena-size', '99999999999');
    document.body.append(big);
    for (let i = 0; i < 200 && !big.shadowRoot.querySelector('[part=error]'); i++) await new Promise((r) => setTimeout(r, 10));
    // The short names the core takes (malloc.py's -p BEST, -l SIZESORT+) work here too.
    const short = document.createElement('alloc-playground');
    short.setAttribute('strategy', 'best');
    short.setAttribute('order', 'SIZESORT+');
    document.body.append(short);
    const bad = document.createElement('alloc-playground');
    bad.setAttribute('strategy', 'bets');
    document.body.append(bad);
    // Blank value attributes (a template that left them empty) are their defaults.
    const blanks = document.createElement('alloc-playground');
    for (const a of ['arena-size', 'align', 'header', 'strategy', 'order', 'slab-size', 'classes', 'step', 'height']) blanks.setAttribute(a, a === 'align' ? ' ' : '');
    blanks.setAttribute('ops', '+8');
    document.body.append(blanks);
    for (let i = 0; i < 200 && !(short.arena && blanks.arena && bad.shadowRoot.querySelector('[part=error]')); i++) await new Promise((r) => setTimeout(r, 10));
    const b = blanks.arena?.snapshot();
    globalThis.__blanks = { snap: b && [b.arenaSize, b.align, b.strategy, b.order, b.ops], props: [blanks.arenaSize, blanks.align, blanks.header, blanks.slabSize] };
    return [el.arena?.strategy, el.arena?.snapshot().order, big.shadowRoot.querySelector('[part=error]')?.textContent,
      short.arena?.strategy, short.arena?.snapshot().order, bad.shadowRoot.querySelector('[part=error]')?.textContent];
  });
  assert.deepEqual(await page.evaluate(() => globalThis.__blanks), { snap: [256, 8, 'first-fit', 'address', 1], props: [256, 8, 0, 256] });
  assert.deepEqual(built.slice(0, 2), ['best-fit', 'size-ascending']);
  assert.deepEqual(built.slice(3, 5), ['best-fit', 'size-ascending']);
  assert.match(built[5], /unknown strategy "bets" \(expected first-fit, next-fit, best-fit, worst-fit or slab\)/);
  assert.match(built[2], /arena-size must be between 1 and [\d,]+, got 99999999999…?$/);
  await close();
});

test('removing and re-adding a widget 100 times does not grow wasm memory without bound', async () => {
  const { page, close } = await blank();
  const sizes = await page.evaluate(async () => {
    const { memoryBytes } = await import('./arena.js');
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', String(1 << 20));
    el.setAttribute('ops', Array.from({ length: 500 }, (_, i) => `+${(i % 50) + 8}`).join(','));
    const cycle = async () => {
      document.body.append(el);
      for (let i = 0; i < 500 && !el.arena; i++) await new Promise((r) => setTimeout(r, 2));
      if (!el.arena) throw new Error('widget did not build');
      el.remove();
    };
    for (let i = 0; i < 10; i++) await cycle();
    const after10 = memoryBytes();
    for (let i = 0; i < 90; i++) await cycle();
    return { after10, after100: memoryBytes(), arena: el.arena };
  });
  assert.equal(sizes.arena, null, 'a removed widget has freed its arena');
  // One 1 MiB arena per live widget; 100 leaked ones would be 100 MiB.
  assert.ok(sizes.after100 - sizes.after10 <= 2 << 20, `wasm memory grew ${sizes.after100 - sizes.after10} bytes`);
  await close();
});

test('the iframe embed renders the widget from its query string', async () => {
  const { page, close } = await blank();
  const url = `${base}embed.html?strategy=best-fit&arena-size=256&ops=${encodeURIComponent('+32,+64,-0,+16')}&controls=meter%20timeline`;
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    f.width = '700';
    f.height = '520';
    f.title = 'Allocator Playground';
    document.body.append(f);
  }, url);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => document.querySelector('alloc-playground')?.arena);
  const snap = await frame.evaluate(() => document.querySelector('alloc-playground').snapshot());
  assert.equal(snap.strategy, 'best-fit');
  assert.equal(snap.arenaSize, 256);
  assert.equal(snap.ops, 4);
  assert.ok(await frame.evaluate(() => document.querySelector('alloc-playground').shadowRoot.querySelectorAll('.mm-b').length) >= 3);
  await page.screenshot({ path: join(SHOTS, 'embed-iframe.png') });
  // Unknown query parameters are ignored; a bad value errors inside the frame.
  await page.goto(`${base}embed.html?strategy=nope&onload=alert(1)`);
  await page.waitForSelector('alloc-playground');
  await page.waitForFunction(() => document.querySelector('alloc-playground').shadowRoot.querySelector('[part=error]'));
  assert.equal(await page.evaluate(() => document.querySelector('alloc-playground').getAttribute('onload')), null);
  await close();
});

test('the widget is themable and usable in dark mode and at phone width', async () => {
  const { page, close } = await open('demo-blog.html', { width: 390, height: 844, colorScheme: 'dark' });
  await settled(page);
  const bg = await page.locator('alloc-playground').first().evaluate((el) => getComputedStyle(el.shadowRoot.querySelector('.ap')).backgroundColor);
  assert.notEqual(bg, 'rgb(255, 255, 255)', 'dark surface in dark mode');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at phone width (${overflow}px)`);
  await page.screenshot({ path: join(SHOTS, 'demo-blog-phone-dark.png'), fullPage: true });
  // At the narrowest phone too (the attribute table's words break).
  await page.setViewportSize({ width: 320, height: 640 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0, 'no horizontal scroll at 320px');
  await page.setViewportSize({ width: 390, height: 844 });
  const themed = await page.evaluate(() => {
    const el = document.querySelector('alloc-playground');
    el.style.setProperty('--ap-accent', 'rgb(176, 0, 106)');
    el.setAttribute('theme', 'light');
    return new Promise((r) => setTimeout(() => r(getComputedStyle(el.shadowRoot.querySelector('.ap')).getPropertyValue('--accent').trim()), 100));
  });
  assert.equal(themed, 'rgb(176, 0, 106)');
  // The README's blanket rule (follow the page's scheme) and a widget that names its theme: the name wins.
  const schemes = await page.evaluate(async () => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('alloc-playground { color-scheme: inherit; } :root { color-scheme: light; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    const [a, b] = document.querySelectorAll('alloc-playground');
    a.setAttribute('theme', 'dark');
    b.removeAttribute('theme');
    const bg = (el) => getComputedStyle(el.shadowRoot.querySelector('.ap')).backgroundColor;
    // The shadows follow the scheme in use too (not the system's: a light widget on a dark system).
    const shadow = (el) => getComputedStyle(el.shadowRoot.querySelector('.ap')).boxShadow;
    return { named: bg(a), inherited: bg(b), namedShadow: shadow(a), inheritedShadow: shadow(b) };
  });
  assert.deepEqual([schemes.named, schemes.inherited], ['rgb(21, 27, 35)', 'rgb(255, 255, 255)']);
  assert.match(schemes.inheritedShadow, /^rgba\(16, 24, 40, 0\.05\) 0px 1px 2px/);
  assert.match(schemes.namedShadow, /^rgba\(0, 0, 0, 0\.4\) 0px 1px 2px/);
  await close();
});

test('an embedder’s light --ap-surface on a dark-scheme system keeps every text readable; a 200px column holds the widget', async () => {
  const { page, close } = await open('embed.html?ops=%2B16,%2B32,-0,%2B8&arena-size=256', { colorScheme: 'dark' });
  await settled(page);
  const ratios = await page.evaluate(() => {
    const el = document.querySelector('alloc-playground');
    el.style.setProperty('--ap-surface', '#fdf6e3');
    el.style.setProperty('--ap-text', '#073642');
    const ap = el.shadowRoot.querySelector('.ap');
    // A colour as the browser paints it (color-mix, light-dark and oklch resolved).
    const c = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgb = (col) => { c.clearRect(0, 0, 1, 1); c.fillStyle = col; c.fillRect(0, 0, 1, 1); return [...c.getImageData(0, 0, 1, 1).data].slice(0, 3); };
    const used = (name) => { const p = document.createElement('span'); p.style.color = `var(${name})`; ap.append(p); const col = getComputedStyle(p).color; p.remove(); return col; };
    const lum = (col) => { const [r, g, b] = rgb(col).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const surface = getComputedStyle(ap).backgroundColor;
    const out = { surface: rgb(surface).join() };
    for (const n of ['--text', '--text-2', '--muted', '--faint', '--ok', '--warn', '--bad', '--danger']) out[n] = ratio(used(n), surface);
    out['--free-text on --free-bg'] = ratio(used('--free-text'), used('--free-bg'));
    out['--danger on --danger-soft'] = ratio(used('--danger'), used('--danger-soft'));
    return out;
  });
  assert.equal(ratios.surface, '253,246,227', 'the embedder’s surface');
  for (const [name, r] of Object.entries(ratios)) if (name !== 'surface') assert.ok(r >= 4.5, `${name}: ${r.toFixed(2)}:1`);
  // In a 200px column (a sidebar) the widget shrinks to it: nothing sticks out.
  await page.evaluate(() => {
    const col = document.createElement('div');
    col.style.width = '200px';
    document.body.append(col);
    col.append(document.querySelector('alloc-playground'));
  });
  const measure = () => {
    const el = document.querySelector('alloc-playground');
    const ap = el.shadowRoot.querySelector('.ap');
    return { built: !!el.arena, host: el.getBoundingClientRect().width, inner: ap?.scrollWidth ?? Infinity };
  };
  // (Moved, it lays out again, its map once its ResizeObserver says so:
  // wait until it has fitted for ten frames in a row, or time out and report
  // what sticks out.)
  await page.waitForFunction(() => {
    const el = document.querySelector('alloc-playground');
    const fits = el.arena && el.shadowRoot.querySelector('.ap')?.scrollWidth <= 200;
    globalThis.__fitFrames = fits ? (globalThis.__fitFrames ?? 0) + 1 : 0;
    return globalThis.__fitFrames >= 10;
  }, null, { timeout: 5000, polling: 'raf' }).catch(() => {});
  const widths = await page.evaluate(measure);
  const sticking = await page.evaluate(() => {
    const el = document.querySelector('alloc-playground');
    const right = el.getBoundingClientRect().right;
    return [...el.shadowRoot.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > right + 0.5)
      .slice(0, 4).map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class')} ${Math.round(e.getBoundingClientRect().width)}px`);
  });
  assert.ok(widths.host <= 200 && widths.inner <= 200, `${JSON.stringify(widths)}: ${sticking.join(', ')}`);
  await close();
});

test('the main page Embed button gives widget and iframe snippets that reproduce the current state', async () => {
  const { page, close } = await open('index.html#size=256&strategy=best-fit&align=8&coalesce=1&ops=+16,+32,-0,+8');
  await page.waitForFunction(() => globalThis.__playground);
  await page.evaluate(() => globalThis.__playground.idle());
  // One step back: the snippets start there, with the last op a step away.
  await page.click('[data-testid=undo]');
  await page.evaluate(() => globalThis.__playground.idle());
  const want = await page.evaluate(() => globalThis.__playground.arena.snapshot());
  assert.equal(want.ops, 3);
  await page.click('[data-testid=embed]');
  assert.ok(await page.isVisible('[data-testid=embed-dialog]'));
  const widget = await page.inputValue('[data-testid=embed-widget]');
  const iframe = await page.inputValue('[data-testid=embed-iframe]');
  assert.match(widget, /<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/.*widget\.js"><\/script>/);
  assert.match(widget, /strategy="best-fit"/);
  assert.match(widget, /arena-size="256"/);
  assert.match(widget, /ops="\+16,\+32,-0,\+8"/);
  assert.match(widget, /step="3"/);
  // The last op in words comes along (a teacher's point: it is what the map means).
  assert.match(widget, /controls="alloc free strategy meter timeline legend explain"/);
  assert.match(await page.textContent('#embed-step'), /starting at step 3 of 4/);
  // Copying says so inside the dialog (a notice would be under the modal).
  await page.click('#embed-copy-widget');
  await page.waitForFunction(() => document.querySelector('[data-testid=embed-status]').textContent !== '');
  assert.match(await page.textContent('[data-testid=embed-status]'), /^The widget snippet is copied\.$|^The snippet is selected/);
  await page.screenshot({ path: join(SHOTS, 'embed-dialog.png') });
  // Both snippets, pasted into a page, rebuild the same blocks.
  for (const snippet of [widget, iframe]) {
    const { page: p2, close: close2 } = await blank();
    const src = /src="([^"]+)"/.exec(snippet)[1].replace(/&amp;/g, '&');
    let snap;
    if (snippet.startsWith('<iframe')) {
      await p2.setViewportSize({ width: 640, height: 1000 });
      await p2.goto(src);
      await p2.waitForFunction(() => document.querySelector('alloc-playground')?.arena);
      snap = await p2.evaluate(() => document.querySelector('alloc-playground').snapshot());
      // At every step the widget, its words included, fits the frame's height (no scroll bar in the article).
      const frame = Number(/height="(\d+)"/.exec(snippet)[1]);
      for (const step of [0, 1, 2, 4, 3]) { // (ending where the snippet starts)
        const bottom = await p2.evaluate(async (step) => {
          const el = document.querySelector('alloc-playground');
          el.step = step;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return el.getBoundingClientRect().bottom + parseFloat(getComputedStyle(document.body).marginBottom);
        }, step);
        assert.ok(bottom <= frame, `step ${step}: the widget needs ${bottom} px of the frame's ${frame}`);
      }
      assert.ok(await p2.evaluate(() => document.querySelector('alloc-playground').shadowRoot.querySelector('[part=explain]')?.textContent.length > 20));
    } else {
      const attrs = [...snippet.matchAll(/\n {4}([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
      snap = await p2.evaluate(async (attrs) => {
        const el = document.createElement('alloc-playground');
        for (const [k, v] of attrs) el.setAttribute(k, v);
        document.body.append(el);
        while (!el.arena) await new Promise((r) => setTimeout(r, 10));
        return el.snapshot();
      }, attrs);
    }
    assert.deepEqual(snap.blocks, want.blocks);
    assert.equal(snap.strategy, 'best-fit');
    // Step forward replays the op that was a step away.
    const ops = await p2.evaluate(async () => {
      const el = document.querySelector('alloc-playground');
      el.shadowRoot.querySelector('[aria-label="Step forward"]').click();
      while (el.step !== 4) await new Promise((r) => setTimeout(r, 10));
      return el.arena.log();
    });
    assert.equal(ops, '+16,+32,-0,+8');
    await close2();
  }
  await close();
});

test('inside the widget: keyboard on the map keeps the focus, and a theme change keeps the work', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('ops', '+16,+32,+48');
    el.setAttribute('arena-size', '256');
    document.body.append(el);
  });
  await settled(page);
  const el = page.locator('alloc-playground');
  // No stray "null" (or any) text node beside the formula's spans.
  assert.doesNotMatch(await el.evaluate((w) => w.shadowRoot.querySelector('.meter-formula')?.textContent ?? ''), /null/);
  const active = () => el.evaluate((w) => w.shadowRoot.activeElement?.getAttribute('aria-label') ?? null);
  await el.evaluate((w) => w.shadowRoot.querySelector('.mm-blocks rect[tabindex="0"]').focus());
  await page.keyboard.press('ArrowRight');
  assert.match(await active(), /^ptr\[1\], used/);
  assert.equal(await el.evaluate((w) => w.shadowRoot.querySelectorAll('.mm-overlay .mm-focus').length > 0), true, 'a focus ring');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('alloc-playground').arena.log().endsWith('-1'));
  assert.match(await active(), /^free, 32 bytes/, 'the focus stays on the freed block');
  const before = await el.evaluate((w) => w.arena.log());
  await el.evaluate((w) => { w.theme = 'dark'; w.height = '200'; });
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  assert.equal(await el.evaluate((w) => w.arena.log()), before, 'theme and height keep the state');
  await close();
});

test('step starts the timeline mid-way; strategy and step follow the reader; theme words and --ap-focus apply', async () => {
  const { page, close } = await blank();
  const out = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '128');
    el.setAttribute('ops', '+16,+32,-0,+8');
    el.setAttribute('step', '2');
    el.setAttribute('theme', ' dark ');
    el.style.setProperty('--ap-focus', 'rgb(1, 2, 3)');
    document.body.append(el);
    while (!el.arena) await new Promise((r) => setTimeout(r, 10));
    const sr = el.shadowRoot;
    const at2 = { step: el.step, ops: el.snapshot().ops, log: el.arena.log(), readout: sr.querySelector('.ap-readout').textContent };
    sr.querySelector('[aria-label="Step forward"]').click();
    while (el.step !== 3) await new Promise((r) => setTimeout(r, 10));
    const at3 = { step: el.step, log: el.arena.log() };
    const sel = sr.querySelector('select[aria-label=Strategy]');
    sel.value = 'best-fit';
    sel.dispatchEvent(new Event('change'));
    // The shadow root's stylesheets load on their own schedule: wait for them.
    await Promise.all([...sr.querySelectorAll('link[rel=stylesheet]')]
      .map((l) => (l.sheet ? null : new Promise((r) => { l.addEventListener('load', r); l.addEventListener('error', r); }))));
    const ap = sr.querySelector('.ap');
    return {
      at2,
      at3,
      switched: { step: el.step, log: el.arena.log(), readout: sr.querySelector('.ap-readout').textContent },
      strategy: el.strategy,
      attr: el.getAttribute('strategy'),
      scheme: getComputedStyle(ap).colorScheme,
      bg: getComputedStyle(ap).backgroundColor,
      focus: getComputedStyle(ap).getPropertyValue('--focus').trim(),
    };
  });
  assert.deepEqual(out.at2, { step: 2, ops: 2, log: '+16,+32', readout: '2 / 4' });
  // Stepping forward replays the future; acting (the strategy switch, an op
  // itself) drops the rest of it.
  assert.deepEqual(out.at3, { step: 3, log: '+16,+32,-0' });
  assert.deepEqual(out.switched, { step: 4, log: '+16,+32,-0,@best-fit', readout: '4 / 4' });
  assert.equal(out.strategy, 'best-fit', 'el.strategy is the live one');
  // Setting it back to the attribute's value rebuilds (the attribute did not change).
  const back = await page.evaluate(async () => {
    const el = document.querySelector('alloc-playground');
    el.strategy = 'first-fit';
    el.setAttribute('strategy', 'first-fit');
    el.strategy = 'first-fit';
    await new Promise((r) => setTimeout(r, 50));
    while (!el.arena) await new Promise((r) => setTimeout(r, 10));
    return { strategy: el.strategy, step: el.step, log: el.arena.log() };
  });
  assert.deepEqual(back, { strategy: 'first-fit', step: 2, log: '+16,+32' });
  assert.equal(out.attr, null, 'the attribute is the initial config, untouched');
  assert.equal(out.scheme, 'dark');
  assert.notEqual(out.bg, 'rgb(255, 255, 255)');
  assert.equal(out.focus, 'rgb(1, 2, 3)');
  await close();
});

test('an action at a past step offers the dropped ops back; a move keeps the work; XHTML booleans; a right-to-left article', async () => {
  const { page, close } = await blank();
  const out = await page.evaluate(async () => {
    const wait = async (f) => { while (!f()) await new Promise((r) => setTimeout(r, 10)); };
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '128');
    el.setAttribute('ops', '+48,+16,+16,+16,-0,-2,+16');
    document.body.append(el);
    await wait(() => el.arena);
    const sr = el.shadowRoot;
    sr.querySelector('[aria-label="Go to start"]').click();
    await wait(() => el.step === 0);
    const sel = sr.querySelector('select[aria-label=Strategy]');
    sel.value = 'best-fit';
    sel.dispatchEvent(new Event('change'));
    const status = sr.querySelector('.ap-status');
    const dropped = { log: el.arena.log(), status: status.textContent, button: status.querySelector('button')?.textContent };
    // A second switch at the end drops nothing more: the first branch is still the one offered.
    sel.value = 'worst-fit';
    sel.dispatchEvent(new Event('change'));
    const again = { log: el.arena.log(), status: status.textContent };
    status.querySelector('button').click();
    const restored = { step: el.step, log: el.arena.log(), readout: sr.querySelector('.ap-readout').textContent, status: status.textContent, button: status.querySelector('button')?.textContent };
    // Restoring set the reader's two switches aside: the button brings them
    // back (at the step the reader was at), and the author's ops once more.
    status.querySelector('button').click();
    const swapped = { step: el.step, log: el.arena.log(), status: status.textContent };
    status.querySelector('button').click();
    sr.querySelector('[aria-label="Go to end"]').click();
    await wait(() => el.step === 7);
    const atEnd = el.arena.log();
    // A move (removed and appended in one task) keeps the reader's work.
    sr.querySelector('[aria-label="Step back"]').click();
    await wait(() => el.step === 6);
    const holder = document.createElement('div');
    document.body.append(holder);
    el.remove();
    holder.append(el);
    await new Promise((r) => setTimeout(r, 50));
    const moved = { step: el.step, log: el.arena?.log() };
    // el.arena reads; its changes are the widget's (code read-only).
    const codeOf = (f) => { try { f(); return null; } catch (e) { return e.code; } };
    const readOnly = {
      alloc: codeOf(() => el.arena.alloc(8)),
      dispose: codeOf(() => el.arena.dispose()),
      // (what `using a = el.arena` calls at the end of its block)
      symbolDispose: codeOf(() => el.arena[Symbol.dispose]()),
      define: codeOf(() => Object.defineProperty(el.arena, 'alloc', { value: () => 0 })),
      strategy: codeOf(() => { el.arena.strategy = 'best-fit'; }),
      reads: [el.arena.strategy, el.arena.logLength, el.arena.snapshot().ops],
    };
    // readonly="readonly" (XHTML's way) is on, not an error.
    const ro = document.createElement('alloc-playground');
    ro.setAttribute('ops', '+8');
    ro.setAttribute('readonly', 'readonly');
    const rtl = document.createElement('div');
    rtl.dir = 'rtl';
    rtl.style.textShadow = '1px 1px 2px red';
    rtl.append(ro);
    document.body.append(rtl);
    await wait(() => ro.arena || ro.shadowRoot.querySelector('[part=error]'));
    // The shadow root's stylesheets load on their own schedule: wait for them.
    await Promise.all([...ro.shadowRoot.querySelectorAll('link[rel=stylesheet]')]
      .map((l) => (l.sheet ? null : new Promise((r) => { l.addEventListener('load', r); l.addEventListener('error', r); }))));
    const ap = ro.shadowRoot.querySelector('.ap');
    const readonly = { error: !!ro.shadowRoot.querySelector('[part=error]'), prop: ro.readonly, malloc: !!ro.shadowRoot.querySelector('.ap-alloc') };
    const direction = getComputedStyle(ap).direction;
    const shadow = getComputedStyle(ap).textShadow;
    // A string property reads as the attribute would.
    ro.readonly = 'false';
    const roFalse = ro.readonly;
    // A header (malloc.py's -H) on every block, said in the summary.
    const hw = document.createElement('alloc-playground');
    hw.setAttribute('arena-size', '100');
    hw.setAttribute('align', '1');
    hw.setAttribute('header', '4');
    hw.setAttribute('ops', '+3,+5');
    document.body.append(hw);
    await wait(() => hw.arena);
    const headed = { header: hw.snapshot().header, sizes: hw.snapshot().blocks.map((b) => b.size), summary: hw.shadowRoot.querySelector('.ap-summary').textContent, prop: hw.header };
    return {
      dropped, again, restored, swapped, atEnd, moved, readonly, roFalse, headed, readOnly,
      direction,
      shadow,
    };
  });
  assert.equal(out.dropped.log, '@best-fit');
  assert.match(out.dropped.status, /\(7 later ops dropped\.\) Restore them$/);
  assert.equal(out.dropped.button, 'Restore them');
  assert.equal(out.again.log, '@best-fit,@worst-fit');
  // It did not drop them: the offer no longer says it did.
  assert.match(out.again.status, /^Restore the 7 ops dropped at step 0$/);
  const restoreButton = 'Restore the 2 ops dropped at step 0';
  assert.deepEqual(out.restored, { step: 0, log: '', readout: '0 / 7', status: `Restored the 7 ops as they were, at step 0. ${restoreButton}`, button: restoreButton });
  assert.deepEqual(out.swapped, { step: 2, log: '@best-fit,@worst-fit', status: 'Restored the 2 ops as they were, at step 2. Restore the 7 ops dropped at step 0' });
  assert.equal(out.atEnd, '+48,+16,+16,+16,-0,-2,+16');
  assert.deepEqual(out.moved, { step: 6, log: '+48,+16,+16,+16,-0,-2' });
  assert.deepEqual(out.readOnly, { alloc: 'read-only', dispose: 'read-only', symbolDispose: 'read-only', define: 'read-only', strategy: 'read-only', reads: ['first-fit', 6, 6] });
  assert.deepEqual(out.readonly, { error: false, prop: true, malloc: false });
  assert.equal(out.roFalse, false);
  assert.deepEqual([out.headed.header, out.headed.sizes, out.headed.prop], [4, [7, 9, 84], 4]);
  assert.match(out.headed.summary, /4-byte headers/);
  // Arrow keys on the closed strategy select: one switch once the keys rest, not one per press.
  await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.id = 'keys';
    el.setAttribute('ops', '+8');
    document.body.append(el);
    while (!el.arena) await new Promise((r) => setTimeout(r, 10));
    el.shadowRoot.querySelector('select[aria-label=Strategy]').focus();
  });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(900);
  assert.equal(await page.evaluate(() => document.getElementById('keys').arena.log()), '+8,@best-fit');
  // A refused action at a past step (malloc of 0 bytes) logs nothing and keeps the later ops.
  const refused = await page.evaluate(async () => {
    const el = document.getElementById('keys');
    const sr = el.shadowRoot;
    sr.querySelector('[aria-label="Go to start"]').click();
    while (el.step !== 0) await new Promise((r) => setTimeout(r, 10));
    sr.querySelector('.ap-size').value = '0';
    sr.querySelector('.ap-alloc button').click();
    return { readout: sr.querySelector('.ap-readout').textContent, restore: !!sr.querySelector('.ap-status button'), bad: sr.querySelector('.ap-status').classList.contains('ap-bad') };
  });
  assert.deepEqual(refused, { readout: '0 / 2', restore: false, bad: true });
  // "8.000" (eight thousand in much of Europe) is refused and quoted, not read as 8.
  const dotted = await page.evaluate(() => {
    const sr = document.getElementById('keys').shadowRoot;
    sr.querySelector('.ap-size').value = '8.000';
    sr.querySelector('.ap-alloc button').click();
    return { status: sr.querySelector('.ap-status').textContent, readout: sr.querySelector('.ap-readout').textContent };
  });
  assert.equal(dotted.status, 'Size must be a whole number of bytes, at least 1, got “8.000”.');
  assert.equal(dotted.readout, '0 / 2', 'nothing ran, the later ops are kept');
  assert.equal(out.direction, 'ltr');
  assert.equal(out.shadow, 'none');
  await close();
});

test('several widgets build one per task, so a page of them is no single long task', async () => {
  const { page, close } = await blank();
  const seen = await page.evaluate(async () => {
    const els = [1, 2, 3].map(() => { const el = document.createElement('alloc-playground'); el.setAttribute('ops', '+8,+16'); return el; });
    // What is built once the task that built one ends (its microtasks run).
    const seen = [];
    document.addEventListener('alloc-playground:change', () => queueMicrotask(() => seen.push(els.filter((e) => e.arena).length)));
    document.body.append(...els);
    for (let i = 0; i < 500 && !els.every((e) => e.arena); i++) await new Promise((r) => setTimeout(r, 5));
    return seen;
  });
  assert.deepEqual(seen, [1, 2, 3]);
  await close();
});

test('a script that changes an attribute while the reader is in the widget leaves the focus where it was', async () => {
  const { page, close } = await blank();
  const out = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('ops', '+8,+16');
    document.body.append(el);
    while (!el.arena) await new Promise((r) => setTimeout(r, 10));
    const sr = el.shadowRoot;
    sr.querySelector('select[aria-label=Strategy]').focus();
    el.setAttribute('arena-size', '512');
    for (let i = 0; i < 300 && el.snapshot()?.arenaSize !== 512; i++) await new Promise((r) => setTimeout(r, 10));
    return { size: el.snapshot().arenaSize, focused: sr.activeElement?.getAttribute('aria-label') ?? null, body: document.activeElement === document.body };
  });
  assert.deepEqual(out, { size: 512, focused: 'Strategy', body: false });
  await close();
});

test('every part a widget shows is one the README documents', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const documented = /`::part\(([a-z |\n]+)\)`/.exec(readme)[1].split('|').map((p) => p.trim());
  const { page, close } = await blank();
  const shown = await page.evaluate(async () => {
    const make = (attrs) => {
      const el = document.createElement('alloc-playground');
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
      return el;
    };
    const all = make({ ops: '+8,+16,-0', controls: 'alloc free strategy meter timeline legend bytes link explain' });
    const quiz = make({ ops: '+8,+16', predict: '' });
    const bad = make({ ops: '-9' });
    for (let i = 0; i < 300 && !(all.arena && quiz.arena && bad.shadowRoot.querySelector('[part=error]')); i++) await new Promise((r) => setTimeout(r, 10));
    // A step back and a malloc there: the status offers the dropped ops back (part restore).
    all.shadowRoot.querySelector('[aria-label="Step back"]').click();
    for (let i = 0; i < 300 && all.step !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    all.shadowRoot.querySelector('.ap-alloc button').click();
    return [...new Set([all, quiz, bad].flatMap((el) => [...el.shadowRoot.querySelectorAll('[part]')].flatMap((e) => e.getAttribute('part').split(/\s+/))))].sort();
  });
  for (const p of shown) assert.ok(documented.includes(p), `part ${p} is documented (${documented.join(', ')})`);
  for (const p of documented) assert.ok(shown.includes(p), `part ${p} is there`);
  await close();
});

test('a widget moved while its rebuild waits for its task still rebuilds', async () => {
  const { page, close } = await blank();
  const size = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('ops', '+8');
    document.body.append(el);
    for (let i = 0; i < 300 && !el.arena; i++) await new Promise((r) => setTimeout(r, 10));
    el.setAttribute('arena-size', '512');
    // The rebuild is queued once its microtasks ran; the move comes before its task.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    const holder = document.createElement('div');
    document.body.append(holder);
    holder.append(el);
    for (let i = 0; i < 300 && el.snapshot()?.arenaSize !== 512; i++) await new Promise((r) => setTimeout(r, 10));
    return el.snapshot()?.arenaSize;
  });
  assert.equal(size, 512);
  await close();
});

test('quick presses of a step button add up: three clicks in one frame are three steps', async () => {
  const { page, close } = await blank();
  const steps = await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('ops', '+8,+16,+24,-0,+8,-1');
    document.body.append(el);
    const wait = async (f) => { for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10)); };
    await wait(() => el.arena);
    const sr = el.shadowRoot;
    const click = (label, n) => { for (let i = 0; i < n; i++) sr.querySelector(`[aria-label="${label}"]`).click(); };
    click('Step back', 3);
    await wait(() => el.step !== 6);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const back = el.step;
    click('Step forward', 2);
    await wait(() => el.step !== back);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const forward = el.step;
    // Past either end they stop there.
    click('Step forward', 9);
    await wait(() => el.step !== forward);
    return { back, forward, end: el.step };
  });
  assert.deepEqual(steps, { back: 3, forward: 5, end: 6 });
  await close();
});

test('the tooltip of a one-row map is not cut off by the widget box, and stays in the viewport', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '64');
    el.setAttribute('ops', '+16,+8');
    el.setAttribute('controls', 'free');
    el.style.width = '300px';
    document.body.append(el);
  });
  await settled(page);
  const el = page.locator('alloc-playground');
  await el.evaluate((w) => Promise.all([...w.shadowRoot.querySelectorAll('link[rel=stylesheet]')]
    .map((l) => (l.sheet ? null : new Promise((r) => { l.addEventListener('load', r); l.addEventListener('error', r); })))));
  const box = await el.evaluate((w) => {
    const m = w.shadowRoot.querySelector('[part=map]');
    return { scroll: m.scrollHeight, client: m.clientHeight, rect: m.getBoundingClientRect().toJSON() };
  });
  const rect = await el.evaluate((w) => w.shadowRoot.querySelector('.mm-blocks rect').getBoundingClientRect().toJSON());
  await page.mouse.move(rect.x + 4, rect.y + rect.height / 2);
  await page.waitForFunction(() => !document.querySelector('alloc-playground').shadowRoot.querySelector('.mm-tip').hidden);
  const after = await el.evaluate((w) => {
    const m = w.shadowRoot.querySelector('[part=map]');
    const t = w.shadowRoot.querySelector('.mm-tip').getBoundingClientRect();
    return { scroll: m.scrollHeight, client: m.clientHeight, tip: t.toJSON(), vw: innerWidth, vh: innerHeight };
  });
  assert.ok(after.tip.height > 60, 'the whole tooltip shows');
  assert.ok(after.tip.bottom > box.rect.bottom, 'it reaches past the map box (which would have clipped it)');
  assert.equal(after.scroll, box.scroll, 'the map box did not grow a scroll area');
  assert.ok(after.tip.left >= 0 && after.tip.right <= after.vw && after.tip.top >= 0 && after.tip.bottom <= after.vh, 'inside the viewport');
  await page.screenshot({ path: join(SHOTS, 'widget-one-row-tooltip.png') });
  // Scrolling the page hides a tooltip that belongs to the pointer.
  await page.evaluate(() => { document.body.style.height = '3000px'; scrollBy(0, 40); });
  await page.waitForFunction(() => document.querySelector('alloc-playground').shadowRoot.querySelector('.mm-tip').hidden);
  // So does scrolling the widget's own map box (its scroll events stay in the shadow root).
  await el.evaluate((w) => { w.setAttribute('arena-size', '4096'); w.setAttribute('height', '60'); });
  await settled(page);
  await page.waitForFunction(() => document.querySelector('alloc-playground').arena?.snapshot().arenaSize === 4096);
  const first = await el.evaluate((w) => w.shadowRoot.querySelector('.mm-blocks rect').getBoundingClientRect().toJSON());
  await page.mouse.move(first.x + 4, first.y + first.height / 2);
  await page.waitForFunction(() => !document.querySelector('alloc-playground').shadowRoot.querySelector('.mm-tip').hidden);
  await el.evaluate((w) => { w.shadowRoot.querySelector('[part=map]').scrollTop = 40; });
  await page.waitForFunction(() => document.querySelector('alloc-playground').shadowRoot.querySelector('.mm-tip').hidden);
  await close();
});

test('a hand-written iframe URL may write ops with plain + signs', async () => {
  const { page, close } = await open('embed.html?arena-size=128&ops=+32,+16,-0&controls=meter+timeline&step=2');
  await page.waitForFunction(() => document.querySelector('alloc-playground')?.arena);
  const got = await page.evaluate(() => {
    const el = document.querySelector('alloc-playground');
    return { controls: el.getAttribute('controls'), ops: el.getAttribute('ops'), step: el.step, log: el.arena.log() };
  });
  assert.deepEqual(got, { controls: 'meter timeline', ops: '+32,+16,-0', step: 2, log: '+32,+16' });
  // What a form encoder writes for "+32, +64" (plus signs as %2B, the space as +) still reads right.
  await page.goto(`${base}embed.html?ops=${new URLSearchParams({ x: '+32, +64' }).toString().slice(2)}`);
  await page.waitForFunction(() => document.querySelector('alloc-playground')?.arena);
  assert.equal(await page.evaluate(() => document.querySelector('alloc-playground').arena.log()), '+32,+64');
  await page.goto(`${base}embed.html?ops=%E0%A4%A`);
  await page.waitForSelector('.embed-error');
  assert.match(await page.textContent('.embed-error'), /ops is not valid %-encoding/);
  await close();
});

test('slab classes travel: align 64 on the page embeds as a widget that builds', async () => {
  const { page, close } = await open('index.html#size=1024&align=8&ops=+16,+100');
  await page.waitForFunction(() => globalThis.__playground);
  await page.evaluate(() => globalThis.__playground.idle());
  page.on('dialog', (d) => d.accept());
  await page.selectOption('[data-testid=align]', '64');
  await page.waitForFunction(() => globalThis.__playground.session.config.align === 64);
  await page.evaluate(() => globalThis.__playground.arena.alloc(100));
  await page.click('[data-testid=embed]');
  const widget = await page.inputValue('[data-testid=embed-widget]');
  assert.match(widget, /classes="64,128,256"/);
  const { page: p2, close: close2 } = await blank();
  const attrs = [...widget.matchAll(/\n {4}([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
  const snap = await p2.evaluate(async (attrs) => {
    const el = document.createElement('alloc-playground');
    for (const [k, v] of attrs) el.setAttribute(k, v);
    document.body.append(el);
    for (let i = 0; i < 300 && !el.arena && !el.shadowRoot.querySelector('[part=error]'); i++) await new Promise((r) => setTimeout(r, 10));
    return el.arena ? el.snapshot() : el.shadowRoot.querySelector('[part=error]').textContent;
  }, attrs);
  assert.equal(snap.align, 64, JSON.stringify(snap));
  assert.deepEqual(snap.classes, [64, 128, 256]);
  await close2();
  await close();
});

test('timeline buttons are disabled at the ends, and a focused one that becomes disabled hands the focus to the slider', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '128');
    el.setAttribute('ops', '+16,+32');
    document.body.append(el);
  });
  await settled(page);
  const el = page.locator('alloc-playground');
  const state = () => el.evaluate((w) => {
    const sr = w.shadowRoot;
    const q = (label) => sr.querySelector(`[part=timeline] [aria-label="${label}"]`).disabled;
    return {
      step: w.step,
      disabled: { start: q('Go to start'), back: q('Step back'), forward: q('Step forward'), end: q('Go to end') },
      focus: sr.activeElement?.getAttribute('aria-label') ?? null,
      bodyFocused: document.activeElement === document.body,
    };
  });
  const focus = (label) => el.evaluate((w, l) => w.shadowRoot.querySelector(`[part=timeline] [aria-label="${l}"]`).focus(), label);
  const waitStep = (n) => page.waitForFunction((k) => document.querySelector('alloc-playground').step === k, n);

  // At the end (2 / 2): nothing to step forward to.
  assert.deepEqual((await state()).disabled, { start: false, back: false, forward: true, end: true });
  // A click on a disabled button does nothing.
  await el.evaluate((w) => w.shadowRoot.querySelector('[aria-label="Go to end"]').click());
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal((await state()).step, 2);

  // Keyboard: Step back twice from the end; at 0 the focus moves on to the step slider
  // (where a repeated Enter does nothing, instead of walking back the way it came).
  await focus('Step back');
  await page.keyboard.press('Enter');
  await waitStep(1);
  assert.deepEqual(await state(), {
    step: 1, disabled: { start: false, back: false, forward: false, end: false }, focus: 'Step back', bodyFocused: false,
  });
  await page.keyboard.press('Enter');
  await waitStep(0);
  assert.deepEqual(await state(), {
    step: 0, disabled: { start: true, back: true, forward: false, end: false }, focus: 'Step', bodyFocused: false,
  });
  // Go to end from the keyboard: it becomes disabled, the focus goes to the slider.
  await focus('Go to end');
  await page.keyboard.press('Enter');
  await waitStep(2);
  assert.deepEqual(await state(), {
    step: 2, disabled: { start: false, back: false, forward: true, end: true }, focus: 'Step', bodyFocused: false,
  });
  // Go to start likewise.
  await focus('Go to start');
  await page.keyboard.press('Enter');
  await waitStep(0);
  assert.equal((await state()).focus, 'Step');

  // Acting drops the future: at the new end, forward and end are disabled again.
  await el.evaluate((w) => { w.shadowRoot.querySelector('.ap-size').value = '8'; w.shadowRoot.querySelector('.ap-primary').click(); });
  assert.deepEqual(await state().then((s) => [s.step, s.disabled]), [1, { start: false, back: false, forward: true, end: true }]);

  // A widget without ops: every timeline control is disabled until the first op.
  await page.evaluate(() => {
    document.body.replaceChildren();
    const w = document.createElement('alloc-playground');
    w.setAttribute('arena-size', '128');
    document.body.append(w);
  });
  await settled(page);
  const empty = await el.evaluate((w) => [...w.shadowRoot.querySelectorAll('[part=timeline] button, [part=timeline] input')].map((b) => b.disabled));
  assert.deepEqual(empty, [true, true, true, true, true]);
  await el.evaluate((w) => w.shadowRoot.querySelector('.ap-primary').click());
  assert.deepEqual((await state()).disabled, { start: false, back: false, forward: true, end: true });
  await close();
});

test('at phone width an empty status line and a malloc’s words take no room; an error still appears in the live region', async () => {
  const { page, close } = await open('demo-blog.html', { width: 390, height: 844 });
  await settled(page);
  const slab = page.locator('alloc-playground').nth(4);
  await slab.evaluate((w) => Promise.all([...w.shadowRoot.querySelectorAll('link[rel=stylesheet]')]
    .map((l) => (l.sheet ? null : new Promise((r) => { l.addEventListener('load', r); l.addEventListener('error', r); })))));
  const measure = () => slab.evaluate((w) => {
    const sr = w.shadowRoot;
    const status = sr.querySelector('.ap-status');
    const row = sr.querySelector('.ap-alloc').getBoundingClientRect();
    const map = sr.querySelector('[part=map]').getBoundingClientRect();
    const gap = parseFloat(getComputedStyle(sr.querySelector('.ap')).rowGap);
    return {
      space: map.top - row.bottom, gap,
      status: { text: status.textContent, role: status.getAttribute('role'), live: status.getAttribute('aria-live'), height: status.getBoundingClientRect().height },
    };
  });
  const idle = await measure();
  assert.equal(idle.status.text, '');
  assert.equal(idle.status.role, 'status', 'the live region stays in the DOM');
  assert.equal(idle.status.live, 'polite');
  assert.ok(idle.space <= idle.gap + 1, `the malloc row is ${idle.space}px above the map (the widget's gap is ${idle.gap}px)`);
  // A refused request: the message shows, visibly, between the row and the map.
  await slab.evaluate((w) => { w.shadowRoot.querySelector('.ap-size').value = '5000'; w.shadowRoot.querySelector('.ap-primary').click(); });
  const refused = await measure();
  assert.match(refused.status.text, /too large/);
  assert.ok(refused.status.height >= 16, 'the message takes a line');
  assert.ok(refused.space > idle.space + 16, 'the map moved down for it');
  // A request that succeeds replaces it with words for assistive tech only: the room goes with the error.
  await slab.evaluate((w) => { w.shadowRoot.querySelector('.ap-size').value = '16'; w.shadowRoot.querySelector('.ap-primary').click(); });
  const cleared = await measure();
  assert.match(cleared.status.text, /^ptr\[\d+\] = malloc\(16\): 16 B at \d+\.$/);
  assert.equal(cleared.space, idle.space);
  await close();
});

test('the timeline lays out on one line of buttons and counter at phone and pair width, the op cut short if long', async () => {
  for (const [width, colorScheme] of [[390, 'light'], [390, 'dark'], [700, 'light']]) {
    const { page, close } = await open('demo-blog.html', { width, height: 900, colorScheme });
    await settled(page);
    // The zeroing example at step 2, where the op is a long write.
    await page.locator('alloc-playground').nth(5).evaluate((w) => { w.step = 2; });
    await page.waitForFunction(() => document.querySelectorAll('alloc-playground')[5].step === 2);
    const rows = await page.$$eval('alloc-playground', (els) => Promise.all(els.map(async (w) => {
      const sr = w.shadowRoot;
      await Promise.all([...sr.querySelectorAll('link[rel=stylesheet]')]
        .map((l) => (l.sheet ? null : new Promise((r) => { l.addEventListener('load', r); l.addEventListener('error', r); }))));
      const tl = sr.querySelector('[part=timeline]');
      if (!tl) return null;
      const r = (el) => el.getBoundingClientRect().toJSON();
      const op = sr.querySelector('.ap-op');
      return {
        tl: r(tl), end: r(sr.querySelector('[aria-label="Go to end"]')), readout: r(sr.querySelector('.ap-readout')),
        op: r(op), range: r(sr.querySelector('.ap-range')), opText: op.textContent, opCut: op.scrollWidth > op.clientWidth,
      };
    })));
    const mid = (b) => b.top + b.height / 2;
    rows.forEach((t, i) => {
      if (!t) return;
      const at = `${width}px ${colorScheme}, widget ${i}`;
      assert.ok(Math.abs(mid(t.readout) - mid(t.end)) < 4, `${at}: the counter sits on the buttons' line`);
      assert.ok(Math.abs(mid(t.op) - mid(t.end)) < 4, `${at}: so does the op`);
      // Narrow, the scrubber takes a line of its own under them; wide, it sits between the buttons and the counter.
      const narrow = t.tl.width <= 420;
      const before = narrow ? t.end : t.range;
      assert.ok(t.readout.left >= before.right && t.readout.left - before.right <= 16, `${at}: the counter follows the ${narrow ? 'buttons' : 'scrubber'} (${t.readout.left - before.right}px)`);
      assert.ok(t.op.right <= t.tl.right + 0.5, `${at}: the op stays inside the timeline`);
      assert.ok(t.range.left >= t.tl.left - 0.5 && t.range.right <= t.tl.right + 0.5, `${at}: the scrubber stays inside`);
      if (narrow) assert.ok(t.range.top >= t.end.bottom && t.range.width >= t.tl.width - 1, `${at}: the scrubber has the next line, full width`);
      else assert.ok(Math.abs(mid(t.range) - mid(t.end)) < 4, `${at}: the scrubber is on the buttons' line`);
    });
    const zeroing = rows[5];
    assert.match(zeroing.opText, /^w0=7365/);
    if (width === 390) assert.ok(zeroing.opCut, 'the long write op is cut short (with an ellipsis) rather than wrapped');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow}px)`);
    await page.screenshot({ path: join(SHOTS, `demo-blog-${width}-${colorScheme}.png`), fullPage: true });
    await close();
  }
});

test('switching the strategy with blocks placed says that they stay where they are', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '128');
    el.setAttribute('ops', '+16,+32,-0');
    document.body.append(el);
  });
  await settled(page);
  const el = page.locator('alloc-playground');
  const pick = (value) => el.evaluate((w, v) => {
    const sel = w.shadowRoot.querySelector('select[aria-label=Strategy]');
    sel.value = v;
    sel.dispatchEvent(new Event('change'));
  }, value);
  const status = () => el.evaluate((w) => {
    const st = w.shadowRoot.querySelector('.ap-status');
    return { text: st.textContent, children: st.childElementCount, bad: st.classList.contains('ap-bad'), visible: st.getBoundingClientRect().height > 1 };
  });
  const blocksBefore = await el.evaluate((w) => JSON.stringify(w.snapshot().blocks));
  await pick('worst-fit');
  assert.deepEqual(await status(), {
    text: 'Worst fit from the next malloc on: blocks already placed stay where they are.', children: 0, bad: false, visible: true,
  });
  assert.equal(await el.evaluate((w) => w.shadowRoot.querySelector('.ap-title').textContent), 'Worst fit');
  assert.equal(await el.evaluate((w) => JSON.stringify(w.snapshot().blocks)), blocksBefore, 'no block moved');
  // The next action replaces the note; stepping back clears it.
  await el.evaluate((w) => { w.shadowRoot.querySelector('.ap-size').value = '8'; w.shadowRoot.querySelector('.ap-primary').click(); });
  // (by words said, not shown: the block it placed, where worst fit put it)
  assert.deepEqual(await status(), { text: 'ptr[2] = malloc(8): 8 B at 48.', children: 0, bad: false, visible: false });
  await pick('best-fit');
  assert.match((await status()).text, /^Best fit from the next malloc on/);
  await el.evaluate((w) => w.shadowRoot.querySelector('[aria-label="Step back"]').click());
  await page.waitForFunction(() => document.querySelector('alloc-playground').arena.strategy === 'worst-fit');
  assert.equal((await status()).text, '');
  // With no block placed there is nothing to explain.
  await page.evaluate(() => {
    document.body.replaceChildren();
    const w = document.createElement('alloc-playground');
    w.setAttribute('arena-size', '128');
    w.setAttribute('ops', '+16,-0');
    document.body.append(w);
  });
  await settled(page);
  await pick('next-fit');
  assert.equal(await el.evaluate((w) => w.arena.strategy), 'next-fit');
  assert.equal((await status()).text, '');
  await close();
});

test('the sample article describes the free blocks its first pair of widgets shows', async () => {
  const { page, close } = await open('demo-blog.html');
  await settled(page);
  const prose = await page.evaluate(() => document.querySelector('.pair').previousElementSibling.textContent.replace(/\s+/g, ' '));
  const [ff, bf] = await page.locator('alloc-playground').all();
  const free = (w) => w.evaluate((el) => el.snapshot().blocks.filter((b) => b.free).map((b) => ({ offset: b.offset, size: b.size })));
  // Before the last request (step 6 of 7): every free block is named, with its size.
  await ff.evaluate((el) => { el.step = 6; });
  await page.waitForFunction(() => document.querySelector('alloc-playground').step === 6);
  const holes = await free(ff);
  assert.deepEqual(holes.map((b) => b.size), [48, 16, 32], 'the ops leave three free blocks');
  for (const b of holes) assert.match(prose, new RegExp(`\\b${b.size}(-byte| bytes)`), `the text names the ${b.size}-byte free block`);
  const tail = holes.at(-1);
  assert.ok(prose.includes(`${tail.offset}–${tail.offset + tail.size - 1}`), 'and where the free tail is');
  // After it: what each strategy leaves free.
  await ff.evaluate((el) => { el.step = 7; });
  await page.waitForFunction(() => document.querySelector('alloc-playground').step === 7);
  const words = ['no', 'one', 'two', 'three', 'four'];
  const list = (sizes) => (sizes.length === 2 ? sizes.join(' and ') : `${sizes.slice(0, -1).join(', ')} and ${sizes.at(-1)}`);
  for (const [name, w] of [['First fit', ff], ['best fit', bf]]) {
    const sizes = (await free(w)).map((b) => b.size);
    assert.ok(prose.includes(`${words[sizes.length]} free blocks (${list(sizes)} bytes)`) || prose.includes(`${words[sizes.length]} (${list(sizes)})`),
      `${name} leaves ${sizes.join(', ')}: the text says so`);
  }
  await close();
});

test('the timeline readout marks an op that failed', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('arena-size', '64');
    el.setAttribute('ops', '+48,+32,-0');
    el.setAttribute('step', '2');
    document.body.append(el);
  });
  await settled(page);
  const el = page.locator('alloc-playground');
  const op = () => el.evaluate((w) => {
    const o = w.shadowRoot.querySelector('.ap-op');
    return [o.textContent, o.classList.contains('ap-op-failed'), o.getAttribute('aria-label')];
  });
  // +32 after +48 in 64 bytes: NULL.
  assert.deepEqual(await op(), ['+32 ✕', true, 'last op +32 (failed: returned NULL)']);
  await el.evaluate((w) => w.shadowRoot.querySelector('[aria-label="Step forward"]').click());
  await page.waitForFunction(() => document.querySelector('alloc-playground').arena.logLength === 3);
  assert.deepEqual(await op(), ['-0', false, 'last op -0']);
  await close();
});

test('embedding details: null properties mean the default, text styles stop at the widget, a named group, align above the slab classes, a link to the playground', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    document.body.style.cssText = 'text-align: center; letter-spacing: 0.1em; word-spacing: 0.3em';
    document.body.innerHTML = '<alloc-playground id="a" strategy="best-fit" arena-size="16777216" ops="+32,+64,-0,+16" step="3" controls="meter timeline link"></alloc-playground>'
      + '<alloc-playground id="b" align="32" ops="+10,+40"></alloc-playground>';
  });
  await settled(page);
  const a = page.locator('#a');
  // Inherited text settings of the article are reset at the host.
  const styles = await a.evaluate((el) => { const cs = getComputedStyle(el.shadowRoot.querySelector('.ap')); return [cs.textAlign, cs.letterSpacing, cs.wordSpacing]; });
  assert.deepEqual(styles, ['start', 'normal', '0px']);
  // A group named by its title and summary; the slider says where it is.
  const named = await a.evaluate((el) => {
    const root = el.shadowRoot.querySelector('.ap');
    const ids = root.getAttribute('aria-labelledby').split(' ');
    return [root.getAttribute('role'), ids.map((id) => el.shadowRoot.getElementById(id).textContent).join(' '), el.shadowRoot.querySelector('.ap-range').getAttribute('aria-valuetext')];
  });
  assert.equal(named[0], 'group');
  assert.match(named[1], /^Best fit 16,777,216 B arena · align 8 · 1 used, 2 free$/);
  assert.equal(named[2], 'step 3 of 4, last op -0');
  // The link opens this state in the page next to widget.js.
  const href = await a.evaluate((el) => el.shadowRoot.querySelector('[part=link]').href);
  const url = new URL(href);
  assert.equal(url.pathname.replace(/.*\//, ''), 'index.html');
  assert.equal(url.hash, '#size=16777216&strategy=best-fit&align=8&coalesce=1&ops=+32,+64,-0,+16&step=3');
  // null and undefined remove the attribute: the default applies, no error.
  // (ops first: clearing the ops clears the step into them.)
  for (const [prop, attr] of [['ops', 'ops'], ['step', 'step'], ['arenaSize', 'arena-size'], ['classes', 'classes'], ['strategy', 'strategy']]) {
    const r = await a.evaluate((el, p) => { el[p] = null; return el.getAttribute(p === 'arenaSize' ? 'arena-size' : p); }, prop);
    assert.equal(r, null, `${prop} = null removes ${attr}`);
  }
  await a.evaluate((el) => { el.step = undefined; });
  await settled(page);
  assert.equal(await a.evaluate((el) => el.shadowRoot.querySelector('[part=error]')), null);
  assert.deepEqual(await a.evaluate((el) => [el.arenaSize, el.strategy, el.ops]), [256, 'first-fit', '']);
  // align 32 with the default slab classes builds: the classes follow it.
  const b = await page.locator('#b').evaluate((el) => [el.shadowRoot.querySelector('[part=error]')?.textContent ?? null, el.arena.initialConfig().classes, el.snapshot().blocks.filter((x) => !x.free).map((x) => x.size)]);
  assert.deepEqual(b, [null, [32, 64, 128], [32, 64]]);
  // "explain": the last op in words, following the steps.
  await page.evaluate(() => { document.body.innerHTML = '<alloc-playground id="c" strategy="best-fit" arena-size="128" ops="+48,+16,+16,+16,-0,-2,+16" controls="explain timeline"></alloc-playground>'; });
  await settled(page);
  const explain = () => page.locator('#c').evaluate((el) => el.shadowRoot.querySelector('[part=explain]').textContent);
  assert.equal(await explain(), 'Op 7, +16: ptr[4] = malloc(16) returned 64. Best fit searched all 3 free blocks and took the smallest that fits: 16 B at 64. It is used whole.');
  await page.locator('#c').evaluate((el) => el.shadowRoot.querySelector('[aria-label="Step back"]').click());
  await page.waitForFunction(() => document.querySelector('#c').shadowRoot.querySelector('[part=explain]').textContent.startsWith('Op 6, -2: free(ptr[2]): its 16 B at 64 are free again'));
  // And the playground opens that link in the same state.
  await page.goto(href);
  await page.waitForFunction(() => globalThis.__playground?.idle);
  await page.evaluate(() => globalThis.__playground.idle());
  const st = await page.evaluate(() => { const s = globalThis.__playground.session; return [s.config.size, s.config.strategy, s.text(), s.position]; });
  assert.deepEqual(st, [16777216, 'best-fit', '+32,+64,-0,+16', 3]);
  await close();
});

test('predict: the reader answers before each op runs, is checked and scored; a step shows without a guess', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    document.body.innerHTML = '<alloc-playground id="q" strategy="next-fit" arena-size="128" align="8" predict ops="+32,+16,+32,-1,+8,-0,+40,+8" controls="timeline"></alloc-playground>';
  });
  await settled(page);
  const q = page.locator('#q');
  // What the box shows (its hidden live line repeats it for screen readers).
  const box = () => q.evaluate((el) => [...el.shadowRoot.querySelector('[part=predict]').children].filter((c) => !c.matches('.pd-live')).map((c) => c.textContent).join(''));
  const inShadow = (sel) => q.locator(sel);
  assert.deepEqual(await q.evaluate((el) => [el.predict, el.step]), [true, 0]);
  // A quiz's ops stay as written: no malloc form, the strategy fixed, blocks not freed by a click.
  assert.deepEqual(await q.evaluate((el) => [!!el.shadowRoot.querySelector('.ap-size'), el.shadowRoot.querySelector('select[aria-label=Strategy]')?.disabled ?? true]), [false, true]);
  assert.match(await box(), /^Predict Op 1: ptr\[0\] = malloc\(32\) under Next fit\. What does it return\?/);
  // A bad offset: refused with the reason, nothing runs.
  await inShadow('.pd-offset').fill('abc');
  await inShadow('.pd-offset').press('Enter');
  assert.match(await box(), /“abc” is not an offset/);
  assert.equal(await q.evaluate((el) => el.step), 0);
  // Right, then wrong (next fit takes 80, after the rover, not the hole at 32).
  await inShadow('.pd-offset').fill('0');
  await inShadow('.pd-offset').press('Enter');
  assert.equal(await q.evaluate((el) => el.step), 1);
  assert.match(await box(), /^✓ Right ptr\[0\] = malloc\(32\) returned 0\.Predict Op 2/);
  // The focus is in the next answer field: typing goes on.
  await page.keyboard.type('32');
  await page.keyboard.press('Enter');
  await page.keyboard.type('48');
  await page.keyboard.press('Enter');
  await inShadow('[data-answer=none]').click();
  await page.keyboard.type('32');
  await page.keyboard.press('Enter');
  assert.equal(await q.evaluate((el) => el.step), 5);
  assert.match(await box(), /✗ Not this time You said it returned 32; ptr\[3\] = malloc\(8\) returned 80\./);
  assert.match(await box(), /4 of 5 predictions right/);
  // The freed ptr[0] meets the free hole of ptr[1] after it.
  await inShadow('[data-answer=after]').click();
  assert.match(await box(), /✓ Right free\(ptr\[0\]\) merges with the free block after it\./);
  // Step forward: shown, not scored.
  await inShadow('[aria-label="Step forward"]').click();
  await page.waitForFunction(() => document.querySelector('#q').step === 7);
  assert.match(await box(), /^Predict Op 8: ptr\[5\] = malloc\(8\)/);
  assert.match(await box(), /5 of 6 predictions right/);
  // A given step wins over op 1; the property mirrors the attribute.
  await q.evaluate((el) => { el.setAttribute('step', '7'); });
  await settled(page);
  await page.waitForFunction(() => document.querySelector('#q').step === 7);
  await q.evaluate((el) => { el.setAttribute('predict', '0'); });
  await page.waitForFunction(() => !document.querySelector('#q').shadowRoot.querySelector('[part=predict]'));
  assert.equal(await q.evaluate((el) => el.predict), false, 'predict="0" reads as off, as it acts');
  await q.evaluate((el) => { el.predict = true; });
  await page.waitForFunction(() => document.querySelector('#q').shadowRoot.querySelector('[part=predict]'));
  await q.evaluate((el) => { el.predict = false; });
  await page.waitForFunction(() => !document.querySelector('#q').shadowRoot.querySelector('[part=predict]'));
  assert.equal(await q.evaluate((el) => el.hasAttribute('predict')), false);
  // Without a timeline, an op with nothing to ask has its own step button.
  await q.evaluate((el) => { el.outerHTML = '<alloc-playground id="q" arena-size="128" align="8" predict ops="+32,w0=ff,+16,-0" controls="explain"></alloc-playground>'; });
  await settled(page);
  const q2 = page.locator('#q');
  await q2.locator('.pd-offset').fill('0');
  await q2.locator('.pd-offset').press('Enter');
  assert.match(await q2.evaluate((el) => el.shadowRoot.querySelector('.pd-idle').textContent), /^Op 2: w0=ff writes bytes into ptr\[0\]; no block moves\. Step forward\.Step forward$/);
  await q2.locator('[data-testid=predict-step]').click();
  assert.equal(await q2.evaluate((el) => el.step), 2);
  assert.match(await q2.evaluate((el) => el.shadowRoot.querySelector('.pd-q:not(.pd-verdict)').textContent), /Op 3: ptr\[1\] = malloc\(16\)/);
  assert.equal(await q2.evaluate((el) => el.shadowRoot.activeElement?.classList.contains('pd-offset')), true, 'the next answer field has the focus');
  await q2.evaluate((el) => { el.setAttribute('predict', 'maybe'); });
  await page.waitForFunction(() => /predict must be true or false \(or yes\/no, on\/off, 1\/0\), got "maybe"/.test(document.querySelector('#q').shadowRoot.querySelector('[part=error]')?.textContent ?? ''));
  await close();
});

test('predict: at the end with nothing answered, the box says how to get the questions back', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => {
    document.body.innerHTML = '<alloc-playground id="q" predict step="2" ops="+8,+8" controls="timeline"></alloc-playground>';
  });
  await settled(page);
  const text = await page.locator('#q').evaluate((el) => el.shadowRoot.querySelector('[part=predict]').textContent);
  assert.match(text, /That was the last op: nothing was predicted here \(Predict from op 1 asks them all\)\./);
  assert.ok(await page.locator('#q [data-testid=predict-restart]').isVisible());
  await close();
});

test('predict mode travels: the Embed snippets carry it, and the iframe page passes it on', async () => {
  const { page, close } = await open('index.html#size=128&strategy=next-fit&align=8&coalesce=1&ops=+32,+16,-0&predict=1');
  await page.waitForFunction(() => globalThis.__playground);
  await page.evaluate(() => globalThis.__playground.idle());
  await page.click('[data-testid=embed]');
  const widget = await page.inputValue('[data-testid=embed-widget]');
  const iframe = await page.inputValue('[data-testid=embed-iframe]');
  assert.match(widget, /\n {4}predict="true"/);
  const src = /src="([^"]+)"/.exec(iframe)[1].replace(/&amp;/g, '&');
  assert.match(src, /[?&]predict=true(&|$)/);
  assert.match(iframe, /height="880"/, 'a taller frame for the question box');
  await page.goto(src);
  await page.waitForFunction(() => document.querySelector('alloc-playground')?.arena);
  const text = await page.evaluate(() => document.querySelector('alloc-playground').shadowRoot.querySelector('[part=predict] .pd-q').textContent);
  assert.match(text, /^Predict Op 1: ptr\[0\] = malloc\(32\) under Next fit/);
  await close();
});

test('with wasm memory full, a widget keeps what it shows and says the change was not made', async () => {
  const { page, close } = await blank();
  await page.evaluate(async () => {
    const el = document.createElement('alloc-playground');
    el.setAttribute('ops', '+8,+16,-0');
    document.body.append(el);
    for (let i = 0; i < 500 && !el.arena; i++) await new Promise((r) => setTimeout(r, 2));
  });
  await page.evaluate(fillWasmMemory, './');
  const out = await page.evaluate(async () => {
    const el = document.querySelector('alloc-playground');
    const errors = [];
    el.addEventListener('alloc-playground:error', (e) => errors.push(e.detail.message));
    const until = async (f) => { for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10)); };
    el.setAttribute('ops', '+8,+16,-0,+32,+64');
    await until(() => errors.length);
    const refused = {
      ops: el.arena?.logLength,
      error: !!el.shadowRoot.querySelector('[part=error]'),
      status: el.shadowRoot.querySelector('.ap-status')?.textContent,
      errors,
    };
    for (const f of globalThis.__fillers) f.dispose();
    el.setAttribute('ops', '+8,+16,-0,+32,+64,+1');
    await until(() => el.arena?.logLength === 6);
    return { refused, after: el.arena?.logLength };
  });
  assert.deepEqual([out.refused.ops, out.refused.error], [3, false], 'the widget still shows its 3 ops');
  assert.match(out.refused.status, /^The page’s memory is full, so this change was not made/);
  assert.equal(out.refused.errors.length, 1);
  assert.equal(out.after, 6, 'with memory back, a change is made');
  await close();
});

/** Opens `html` as a page of the widget's origin (beside widget.js), with `setup(context)` run first. */
async function openHtml(name, html, setup = async () => {}) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  await setup(context);
  await context.route(base + name, (r) => r.fulfill({ contentType: 'text/html', body: html }));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(base + name);
  return { page, errors, context };
}

test('while it loads the fallback content shows and the loading state keeps the room; properties set before the module ran apply', async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  const { page, errors, context } = await openHtml('__loading.html', `<!doctype html><meta charset="utf-8">
<style>alloc-playground:is(:not(:defined), :state(loading)) { display: block; min-height: 420px; }</style>
<alloc-playground id="a" ops="+8"><p id="fb">An interactive allocator diagram (needs JavaScript).</p></alloc-playground>
<alloc-playground id="early" ops="+8"></alloc-playground>
<p id="after">After the widgets.</p>
<script>const e = document.getElementById('early'); e.strategy = 'best-fit'; e.ops = '+32,+64'; e.arenaSize = 512;</script>
<script type="module" src="widget.js"></script>`, (context) => context.route('**/*.wasm', async (r) => { await held; await r.continue(); }));
  await page.waitForFunction(() => customElements.get('alloc-playground'));
  // Defined, the wasm still on its way: the fallback shows, the room stays.
  const loading = await page.evaluate(() => {
    const el = document.getElementById('a');
    return { state: el.matches(':state(loading)'), fb: document.getElementById('fb').checkVisibility(), h: el.getBoundingClientRect().height, arena: el.arena };
  });
  assert.deepEqual(loading, { state: true, fb: true, h: 420, arena: null });
  release();
  await settled(page);
  const built = await page.evaluate(() => {
    const el = document.getElementById('a');
    const early = document.getElementById('early');
    return { state: el.matches(':state(loading)'), fb: document.getElementById('fb').checkVisibility(), loadingBox: el.shadowRoot.querySelector('.ap-loading'),
      early: [early.strategy, early.arena.log(), early.arena.snapshot().stats.arenaSize, Object.keys(early).length] };
  });
  assert.deepEqual(built, { state: false, fb: false, loadingBox: null, early: ['best-fit', '+32,+64', 512, 0] });
  await context.close();
  assert.deepEqual(errors, []);
});

test('a page whose Content-Security-Policy blocks WebAssembly gets words for it, not the browser’s message', async () => {
  const { page, errors, context } = await openHtml('__csp.html', `<!doctype html><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="script-src 'self'">
<alloc-playground ops="+8"></alloc-playground>
<script type="module" src="widget.js"></script>`);
  await page.waitForSelector('alloc-playground >> [part=error]');
  assert.equal(await page.textContent('alloc-playground >> [part=error]'),
    'alloc-playground: could not load the allocator: this page’s Content-Security-Policy does not allow WebAssembly (its script-src needs \'wasm-unsafe-eval\')');
  await context.close();
  // (The browser's own words go to the console, for the embedder.)
  assert.ok(errors.some((e) => /alloc-playground:/.test(e)), errors.join('\n'));
});

test('a refused malloc says why in the page’s words (a slab as big as the arena), and a bad size in the reader’s', async () => {
  const { page, close } = await blank();
  await page.evaluate(() => { document.body.innerHTML = '<alloc-playground strategy="slab" ops="+10"></alloc-playground>'; });
  await settled(page);
  const status = (size) => page.evaluate((size) => {
    const sr = document.querySelector('alloc-playground').shadowRoot;
    sr.querySelector('.ap-size').value = size;
    sr.querySelector('.ap-alloc button').click();
    return sr.querySelector('.ap-status').textContent;
  }, size);
  assert.match(await status('17'), /^malloc\(17\) returned NULL: the 32 B class has no free chunk, and no free block holds a new 256 B slab \(the largest is \d+ B; \d+ B are free/);
  assert.equal(await status('-5'), 'Size must be a whole number of bytes, at least 1, got “-5”.');
  assert.equal(await page.evaluate(() => document.querySelector('alloc-playground').arena.log()), '+10,+17', 'the refused request is an op; the bad size is not');
  await close();
});
