// Binding figures (not a test): snapshot() vs blocksTyped() at 1k–50k blocks,
// and replay throughput of 1M ops per strategy, in node's V8 (same wasm as the page).
//   node tests/tools/binding-bench.mjs        (after scripts/serve.sh or test.sh built www/pkg)
import { init, createArena, workload } from '../../www/arena.js';
import { replayMatrix } from '../../www/js/replay-bench.js';

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

console.log('\n| workload (1M ops) | strategy | replay M ops/s | replaySampled(every 1000) M ops/s |\n|---|---|---:|---:|');
for (const r of await replayMatrix({ createArena, workload })) {
  console.log(`| ${r.shape} | ${r.strategy} | ${r.replay.toFixed(2)} | ${r.sampled.toFixed(2)} |`);
}
