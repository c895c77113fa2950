// node --test: accessibility of the playground page in headless Chromium
// (playwright-core): notices said through live regions that are there from
// the start, the words under the map read once, the focus while presenting,
// and the meter's sentence under slab. Any console or page error fails the
// test that caused it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRecorded, startBrowser } from './browser.mjs';

let env;

before(async () => {
  env = await startBrowser();
});

after(async () => {
  await env?.close();
});

/** Opens the page in a fresh context; returns { page, close }. */
async function open(hash = '', { width = 1280, height = 900 } = {}) {
  const { context, page, errors } = await openRecorded(env.browser, env.base + hash, { width, height, acceptDialogs: true });
  await page.waitForFunction(() => globalThis.__playground);
  await idle(page);
  return {
    page,
    close: async () => {
      await idle(page).catch(() => {});
      await context.close();
      assert.deepEqual(errors, [], 'no console or page errors');
    },
  };
}

const idle = (page) => page.evaluate(() => globalThis.__playground.idle());
const active = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.dataset.testid || document.activeElement?.tagName);

test('a notice is said by a live region that was in the page, empty, before it came; errors by an assertive one', async () => {
  const { page, close } = await open('#size=1024&ops=+10,+20');
  // The regions are in the page as it loads, empty.
  const said = await page.$('#notices-said');
  const alert = await page.$('#notices-alert');
  assert.ok(said && alert, 'the live regions are in the page');
  assert.deepEqual(await said.evaluate((r) => [r.getAttribute('aria-live'), r.getAttribute('role'), r.textContent, r.closest('.notice') === null]), ['polite', 'status', '', true]);
  assert.deepEqual(await alert.evaluate((r) => [r.getAttribute('aria-live'), r.getAttribute('role'), r.textContent]), ['assertive', 'alert', '']);
  // A live region outside the screen, not display: none (that would silence it).
  assert.notEqual(await said.evaluate((r) => getComputedStyle(r).display), 'none');

  // Copy link: an info or ok notice (with or without clipboard access).
  await page.click('[data-testid=share]');
  await page.waitForSelector('.notice[data-key=share]');
  const msg = await page.textContent('.notice[data-key=share] .notice-msg');
  await said.evaluate((r, m) => new Promise((resolve) => {
    const check = () => { if (r.textContent.includes(m)) resolve(); else setTimeout(check, 20); };
    check();
  }), msg);
  assert.equal(await alert.textContent(), '', 'not an error: the polite region says it');
  // The toast itself is no live region: a screen reader hears the words once.
  assert.equal(await page.$eval('.notice[data-key=share]', (n) => n.getAttribute('role') ?? n.getAttribute('aria-live')), null);

  // A second notice, while the first is up: the region empties first (so
  // the same words again would be heard again), then says the new words.
  await said.evaluate((r) => {
    globalThis.__said = [];
    new MutationObserver(() => globalThis.__said.push(r.textContent)).observe(r, { childList: true, characterData: true, subtree: true });
  });
  await page.evaluate(() => globalThis.__playground.notices.show('Second words.', { kind: 'info', key: 'second' }));
  await page.waitForFunction(() => globalThis.__said.at(-1) === 'Second words.');
  const steps = await page.evaluate(() => globalThis.__said);
  assert.deepEqual(steps, ['', 'Second words.'], 'emptied, then the new words alone (the first were said already)');
  // The same notice again is said again.
  await page.click('[data-testid=share]');
  await page.waitForFunction((m) => globalThis.__said.at(-1)?.includes(m), msg);
  // Two notices said together, one dismissed: its words do not stay behind.
  await page.evaluate(() => {
    globalThis.__playground.notices.show('Alpha said.', { kind: 'info', key: 'alpha' });
    globalThis.__playground.notices.show('Beta said.', { kind: 'info', key: 'beta' });
  });
  await page.waitForFunction(() => document.getElementById('notices-said').textContent === 'Alpha said. Beta said.');
  await page.evaluate(() => globalThis.__playground.notices.dismiss('alpha'));
  assert.equal(await said.textContent(), '', 'no words of a closed notice left to find');
  // Dismissed before its words were said, the others waiting still are.
  await page.evaluate(() => {
    const n = globalThis.__playground.notices;
    n.show('Gamma said.', { kind: 'info', key: 'gamma' });
    n.show('Delta said.', { kind: 'info', key: 'delta' });
    n.dismiss('gamma');
  });
  await page.waitForFunction(() => document.getElementById('notices-said').textContent === 'Delta said.');

  // An error goes to the assertive region, and leaves it when its notice is dismissed.
  await page.fill('[data-testid=editor]', '+10,+20,zz');
  await page.click('[data-testid=run]');
  await idle(page);
  await page.waitForSelector('.notice-error');
  const err = await page.textContent('.notice-error .notice-msg');
  await page.waitForFunction((m) => document.getElementById('notices-alert').textContent.includes(m), err);
  await page.click('.notice-error .notice-close');
  await page.waitForSelector('.notice-error', { state: 'detached' });
  assert.equal(await alert.textContent(), '', 'dismissed: browse mode does not find its words twice');
  await close();
});

test('the words under the map are in the accessibility tree once (the live copy), and stay there', async () => {
  const { page, close } = await open('#size=1024&ops=+10,+20,+30,-1&step=3');
  await page.waitForFunction(() => {
    const said = document.getElementById('last-op-said').textContent;
    return said.startsWith('Op 3,') && said === document.getElementById('last-op').textContent;
  });
  const sentence = await page.textContent('#last-op-said');
  // The live copy is not display: none, and keeps its words after it spoke.
  assert.notEqual(await page.$eval('#last-op-said', (r) => getComputedStyle(r).display), 'none');
  await page.waitForTimeout(400);
  assert.equal(await page.textContent('#last-op-said'), sentence);
  // The accessibility tree of the map's card holds the sentence once.
  const tree = await page.locator('#map-card').ariaSnapshot();
  const head = sentence.slice(0, 12);
  assert.equal(tree.split(head).length - 1, 1, `“${head}” once in:\n${tree}`);
  // (Still on the screen for the eye.)
  assert.ok(await page.isVisible('[data-testid=last-op]'));
  await close();
});

test('Present keeps the focus on the presented map, not on <body>; the remote still steps; Esc gives it back to the button', async () => {
  const { page, close } = await open('#size=200&strategy=first-fit&align=8&coalesce=1&ops=+30,+10,+40,-1,+20,+16,-0,+60&step=4', { width: 1280, height: 720 });
  const pos = () => page.evaluate(() => globalThis.__playground.session.position);
  // With the mouse.
  await page.click('[data-testid=present]');
  await page.waitForFunction(() => document.documentElement.classList.contains('presenting'));
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  assert.equal(await active(page), 'map-card');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => globalThis.__playground.session.position === 5);
  assert.equal(await active(page), 'map-card');
  // A timeline chip clicked with the mouse: the focus comes back to the map, not to <body>.
  await page.click('.tl-op[data-step="2"]');
  await page.waitForFunction(() => globalThis.__playground.session.position === 2);
  await page.waitForFunction(() => document.activeElement?.id === 'map-card');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => globalThis.__playground.session.position === 3);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  assert.equal(await active(page), 'present-btn');
  // From the keyboard: Enter on the button.
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.documentElement.classList.contains('presenting'));
  assert.equal(await active(page), 'map-card');
  // A resting place, not a control: no focus ring around the map on the projector.
  assert.equal(await page.$eval('#map-card', (el) => getComputedStyle(el).outlineStyle), 'none');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => globalThis.__playground.session.position === 4);
  assert.equal(await pos(), 4);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  assert.equal(await active(page), 'present-btn');
  await close();
});

test('under slab, the meter blames the largest class, not scattering, for a request above it; a free list still blames scattering', async () => {
  const slab = await open('#strategy=slab&ops=%2B10,%2B20,%2B40,-0');
  const text = await slab.page.textContent('.meter-explain');
  assert.doesNotMatch(text, /scattered|although/, text);
  assert.match(text, /the largest slab class is 64 B, and a larger request is refused/, text);
  assert.equal((await slab.page.evaluate(() => globalThis.__playground.arena.stats())).largestRequest, 64);
  // The meter given a whole snapshot (classes and strategy in it, as the widget gives) says the same.
  const fromSnapshot = await slab.page.evaluate(async () => {
    const { Meter } = await import('./js/meter.js');
    const box = document.createElement('div');
    new Meter(box, { compact: true }).render(globalThis.__playground.arena.snapshot());
    return box.querySelector('.meter-explain').textContent;
  });
  assert.equal(fromSnapshot, text);
  await slab.close();

  // First fit (a header too): the request fails for want of a block, and the meter says so.
  for (const hash of ['#size=1024&strategy=first-fit&ops=+100,+100,+100,+100,+100,+100,+100,+100,+100,-0,-2,-4,-6', '#size=1024&strategy=first-fit&header=8&ops=+100,+100,+100,+100,+100,+100,+100,+100,-0,-2,-4,-6']) {
    const { page, close } = await open(hash);
    const st = await page.evaluate(() => globalThis.__playground.arena.stats());
    const t = await page.textContent('.meter-explain');
    assert.match(t, new RegExp(`^Free memory is scattered over ${st.listFreeBlocks} blocks: a request of ${st.largestRequest + 1} B fails although`), `${hash}: ${t}`);
    await close();
  }
});

test('the comparison chart takes the arrow keys as an application (browse mode would keep them), and says each sample politely', async () => {
  const { page, close } = await open('#size=1024&ops=+10,+20,-0,+5,+30,-1,+8');
  await page.click('[data-testid=compare-run]');
  await page.waitForSelector('.cmp-svg');
  await idle(page);
  const svg = page.locator('.cmp-svg');
  assert.equal(await svg.getAttribute('role'), 'application');
  assert.equal(await svg.getAttribute('aria-roledescription'), 'chart');
  assert.match(await svg.getAttribute('aria-label'), /over 7 ops: First fit ends at .* Arrow keys read each sample\.$/);
  await svg.focus();
  await page.keyboard.press('End');
  const tip = page.locator('.cmp-tip');
  assert.equal(await tip.getAttribute('aria-live'), 'polite');
  assert.equal(await tip.locator('.cmp-tip-head').textContent(), 'after op 7');
  await close();
});
