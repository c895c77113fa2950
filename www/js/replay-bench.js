// Replay throughput of 1,000,000 ops per strategy and workload shape (the
// issue's "≥ 10 M ops/s in wasm"): one home for the page's benchmark
// (bench.html, in the browser) and tests/tools/binding-bench.mjs (node).

export const SHAPES = ['uniform', 'small-biased'];
export const MODES = ['first-fit', 'next-fit', 'best-fit', 'worst-fit', 'slab'];

/**
 * `[{ shape, strategy, replay, sampled }]` in M ops/s: `replay(text)` and
 * `replaySampled(text, 1000)` of the same 1M-op workload (sizes ≤ 256, 16 MiB
 * arena), each the median of five runs on fresh arenas. A warm-up 1M-op replay runs first: a fresh
 * module's first replays run before the engine has optimized the wasm, and
 * the first also grows the wasm memory (together about 20 % slower); then
 * a 300 ms pause for the engine's background compiles.
 * @param {{ createArena: Function, workload: Function }} api what arena.js exports
 * @param {(done: number, total: number) => Promise<void>|void} [progress] called between cells
 */
export async function replayMatrix({ createArena, workload }, progress) {
  const gen = (shape, seed) => workload({ shape, seed, ops: 1_000_000, allocPercent: 50, maxSize: 256 });
  const warm = gen('uniform', 2);
  for (const strategy of ['first-fit', 'best-fit', 'slab']) {
    const a = createArena({ size: 1 << 24, strategy });
    a.replay(warm);
    a.dispose();
  }
  // wasm has no on-stack replacement: a replay runs in whatever code its
  // functions had when it started. Let the optimizing compiles the warm-up
  // triggered finish on their background thread first.
  await new Promise((r) => setTimeout(r, 300));
  const rows = [];
  // The median of five runs, each on a fresh arena: one 100 ms run is at the
  // mercy of a GC, a background compile or a neighbour on a shared machine
  // (slow runs come in pairs at times here, so three were not enough).
  const time = (strategy, f) => {
    const rates = [];
    for (let k = 0; k < 5; k++) {
      const a = createArena({ size: 1 << 24, strategy });
      const t0 = performance.now();
      f(a);
      const ms = performance.now() - t0;
      a.dispose();
      rates.push(1000 / ms);
    }
    return rates.sort((x, y) => x - y)[2];
  };
  for (const shape of SHAPES) {
    const text = gen(shape, 1);
    // The previous shape's 5 MB text is garbage now: let the engine's
    // collector run before the clock does (with two cores, its marking on
    // the other one slowed the next cell by up to 15 % at times).
    await new Promise((r) => setTimeout(r, 300));
    for (const strategy of MODES) {
      const replay = time(strategy, (a) => a.replay(text));
      const sampled = time(strategy, (a) => a.replaySampled(text, 1000));
      rows.push({ shape, strategy, replay, sampled });
      await progress?.(rows.length, SHAPES.length * MODES.length);
    }
  }
  return rows;
}
