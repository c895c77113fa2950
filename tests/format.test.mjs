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
