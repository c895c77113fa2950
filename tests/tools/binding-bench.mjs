// Binding figures (not a test): snapshot() vs blocksTyped() at 1k–50k blocks,
// and replay throughput of 1M ops per strategy, in node's V8 (same wasm as the page).
//   node tests/tools/binding-bench.mjs        (after scripts/serve.sh or test.sh built www/pkg)
import { init, createArena, workload } from '../../www/arena.js';

await init();
const time = (f, reps) => { f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };

console.log('| blocks | snapshot() ms | blocksTyped() ms | ratio |\n|---:|---:|---:|---:|');
for (const n of [1000, 10000, 50000]) {
  const a = createArena({ size: 1 << 24, align: 8 });
  const ps = [];
  for (let i = 0; i < n; i++) ps.push(a.alloc(16 + (i % 5) * 8));
  for (let i = 0; i < n; i += 2) a.free(ps[i]);
  const blocks = a.snapshot().blocks.length;
  const ts = time(() => a.snapshot(), 20);
  const tp = time(() => a.blocksTyped(), 20);
  console.log(`| ${blocks} | ${ts.toFixed(2)} | ${tp.toFixed(2)} | ${(ts / tp).toFixed(1)}× |`);
  a.dispose();
}

// Warm-up: the first replays of a fresh module run before V8 has optimized
// the wasm, and the first 1M-op replay also grows the wasm memory (together
// about 20 % slower); the table measures the steady state.
{
  const warm = workload({ shape: 'uniform', seed: 2, ops: 1_000_000, allocPercent: 50, maxSize: 256 });
  for (const strategy of ['first-fit', 'best-fit', 'slab']) {
    const a = createArena({ size: 1 << 24, strategy });
    a.replay(warm);
    a.dispose();
  }
}
console.log('\n| workload (1M ops) | strategy | replay M ops/s | replaySampled(every 1000) M ops/s |\n|---|---|---:|---:|');
for (const shape of ['uniform', 'small-biased']) {
  const text = workload({ shape, seed: 1, ops: 1_000_000, allocPercent: 50, maxSize: 256 });
  for (const strategy of ['first-fit', 'next-fit', 'best-fit', 'worst-fit', 'slab']) {
    const a = createArena({ size: 1 << 24, strategy });
    let t0 = performance.now();
    a.replay(text);
    const plain = 1 / ((performance.now() - t0) / 1000);
    a.dispose();
    const b = createArena({ size: 1 << 24, strategy });
    t0 = performance.now();
    b.replaySampled(text, 1000);
    const sampled = 1 / ((performance.now() - t0) / 1000);
    b.dispose();
    console.log(`| ${shape} | ${strategy} | ${plain.toFixed(2)} | ${sampled.toFixed(2)} |`);
  }
}
