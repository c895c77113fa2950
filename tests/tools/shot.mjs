// Screenshot a page of the playground: node tests/tools/shot.mjs <page> <out.png> [width] [height] [light|dark] [dir]
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/static-server.mjs';
const [page_, out, w = '1100', h = '900', scheme = 'light', dir = 'www'] = process.argv.slice(2);
const server = await serve(dir, 0);
const port = server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: +w, height: +h }, colorScheme: scheme });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.type() + ': ' + m.text()); });
page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
await page.goto(`http://127.0.0.1:${port}/${page_}`);
await page.waitForTimeout(1500);
const clip = process.env.CLIP?.split(',').map(Number);
await page.screenshot(clip ? { path: out, fullPage: true, clip: { x: clip[0], y: clip[1], width: clip[2], height: clip[3] } } : { path: out, fullPage: true });
console.log(errors.join('\n') || 'no console errors');
await browser.close(); server.close();
