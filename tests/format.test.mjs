// node --test: the page's number formats (www/js/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percent, plural } from '../www/js/format.js';

test('a percentage that is not 0 or 100 % never reads as one', () => {
  assert.deepEqual([0, 0.25, 1, 0.1234].map(percent), ['0.0%', '25.0%', '100.0%', '12.3%']);
  // A single +9999 at align 8: peak utilization 0.9999; two free blocks of 16 KiB: 0.00006.
  assert.deepEqual([0.9999, 0.99949, 0.9995].map(percent), ['>99.9%', '99.9%', '>99.9%']);
  assert.deepEqual([0.00006, 0.0004999, 0.0005].map(percent), ['<0.1%', '<0.1%', '0.1%']);
  assert.deepEqual([NaN, Infinity].map(percent), ['0.0%', '0.0%']);
  assert.deepEqual([plural(1, 'strategy switch', 'strategy switches'), plural(2, 'op')], ['1 strategy switch', '2 ops']);
});

test('a link names its strategy and list order in any case, as the core reads names', async () => {
  const { decodeState } = await import('../www/js/url-state.js');
  for (const [hash, strategy, order] of [
    ['#strategy=First-Fit&order=Size-Ascending', 'first-fit', 'size-ascending'],
    ['#strategy=BEST&order=ADDRSORT', 'best', 'addrsort'],
  ]) {
    const st = decodeState(hash);
    assert.equal(st.error ?? null, null, hash);
    assert.deepEqual([st.config.strategy, st.config.order], [strategy, order]);
  }
  assert.match(decodeState('#strategy=<b>').error, /^unknown strategy "<b>"/);
});

test("a link's malloc.py draw settings are kept within the core's ranges, and only there", async () => {
  const { decodeState } = await import('../www/js/url-state.js');
  const drawOf = (dw) => decodeState(`#ops=%2B1&draw=${dw}`).mallocPy?.draw ?? null;
  // -r up to 2^30 (the largest request), as Draw::check takes it.
  assert.deepEqual(drawOf(`7,${2 ** 30},50`), { seed: 7, numOps: 1, range: 2 ** 30, percentAlloc: 50 });
  assert.equal(drawOf(`7,${2 ** 30 + 1},50`), null);
  assert.equal(drawOf('7,10,0'), null, 'malloc.py stops on -P 0');
  assert.equal(drawOf(`${2 ** 53},10,50`), null, 'a seed past 2^53 is not an exact number');
});

test("a link's trace ids are runs of consecutive ids, read back exactly, and a malformed list is dropped", async () => {
  const { decodeState, encodeIds, decodeIds } = await import('../www/js/url-state.js');
  for (const ids of [[0, 1, 2, 5, 9, 8], [7], [3, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]) {
    assert.deepEqual(decodeIds(encodeIds(ids)), ids, encodeIds(ids));
  }
  assert.equal(encodeIds([0, 1, 2, 5, 9, 8]), '0-2,5,9,8');
  assert.equal(encodeIds(Array.from({ length: 1000 }, (_, i) => i)), '0-999');
  for (const bad of ['', '1-', '-3', '5-2', 'a', `0-${2 ** 31}`, '0-100000', '1,,2']) assert.equal(decodeIds(bad), null, bad);
  assert.deepEqual(decodeState('#ops=%2B1,%2B2&ids=4-5').ids, [4, 5]);
  assert.equal(decodeState('#ops=%2B1&ids=x').ids, null, 'the ops still run, unnamed');
  assert.equal(decodeState('#size=64&ids=1').ids, null, 'no ops, no names');
});

test('a link carries a heap that grows with sbrk as sbrk=1, only when it does, and refuses any other value', async () => {
  const { decodeState, encodeState } = await import('../www/js/url-state.js');
  const config = { size: 1024, strategy: 'worst-fit', align: 8, coalesce: true };
  const { hash } = encodeState({ config: { ...config, sbrk: true }, tokens: ['+8'] });
  assert.match(hash, /(^#|&)sbrk=1(&|$)/);
  assert.equal(decodeState(hash).config.sbrk, true);
  assert.doesNotMatch(encodeState({ config: { ...config, sbrk: false }, tokens: ['+8'] }).hash, /sbrk/);
  assert.equal(decodeState('#size=64&sbrk=false').config.sbrk, false);
  assert.equal(decodeState('#size=64&sbrk=yes').config.sbrk, true, 'as the widget reads it');
  const bad = decodeState('#size=64&sbrk=sometimes');
  assert.match(bad.error, /^sbrk must be 0 or 1, got "sometimes"/);
  assert.equal(bad.config.size, 64, 'the other settings still read');
});

test('the embed snippets carry a heap that grows with sbrk, to the widget and the frame alike, and leave a fixed one out', async () => {
  const { embedSnippets } = await import('../www/js/embed-snippets.js');
  const config = { size: 1024, strategy: 'worst-fit', align: 8, coalesce: true };
  const grows = embedSnippets({ config: { ...config, sbrk: true }, tokens: ['+8'], base: 'https://example.org/p/' });
  assert.match(grows.widget, /\n {4}sbrk="true"\n/);
  assert.equal(new URL(/src="([^"]+)"/.exec(grows.iframe)[1].replace(/&amp;/g, '&')).searchParams.get('sbrk'), 'true');
  const fixed = embedSnippets({ config: { ...config, sbrk: false }, tokens: ['+8'], base: 'https://example.org/p/' });
  assert.doesNotMatch(fixed.widget + fixed.iframe, /sbrk/);
});
