import { chromium } from 'playwright-core';
const scen = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: process.env.SCHEME || 'light' });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
page.on('console', (m) => { if (m.type() === 'error' || m.type()==='warning') console.log('CONSOLE', m.type(), m.text()); });
page.on('dialog', async (d) => { console.log('DIALOG', d.type(), d.message().slice(0, 150)); await d.accept(); });
const desc = () => page.evaluate(() => {
  const d = (el) => {
    if (!el) return 'null';
    let root = el;
    while (root.shadowRoot && root.shadowRoot.activeElement) root = root.shadowRoot.activeElement;
    el = root;
    const t = el.tagName.toLowerCase();
    const id = el.id ? '#' + el.id : '';
    const tid = el.dataset?.testid ? `[${el.dataset.testid}]` : '';
    const lab = el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent?.trim().slice(0, 40) || el.getAttribute('type') || '';
    const cls = typeof el.className === 'string' ? el.className.split(' ')[0] : (el.className?.baseVal||'').split(' ')[0];
    return `${t}${id}${tid}.${cls} "${lab.replace(/\s+/g,' ').slice(0,60)}"`;
  };
  return d(document.activeElement);
});
const H = {
  desc,
  async press(k, n = 1) { for (let i = 0; i < n; i++) await page.keyboard.press(k); },
  async idle() { await page.evaluate(() => globalThis.__playground?.idle?.()); await page.waitForTimeout(50); },
  async shot(name) { await page.screenshot({ path: `/tmp/qa-kbd/${name}.png` }); },
  async tabWalk(n, label = '') { const out = []; for (let i = 0; i < n; i++) { await page.keyboard.press('Tab'); out.push(`${i+1}: ${await desc()}`); } console.log(label + '\n' + out.join('\n')); return out; },
};
try {
  const mod = await import(scen);
  await mod.default(page, H, ctx);
} catch (e) { console.log('SCENARIO ERROR', e.stack); }
await browser.close();
