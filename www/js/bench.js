// Benchmarks: memory-map render time for 1,000 and 10,000 blocks, and replay
// throughput of 1,000,000 ops (replaySampled, the page's chunked load, and
// every strategy after a warm-up).
// Results go to the table and to globalThis.__bench (tests/bench-page.mjs prints them).

import { init, createArena, workload } from '../arena.js';
import { MemoryMap } from './memory-map.js';
import { Session } from './session.js';
import { replayMatrix } from './replay-bench.js';
import { h } from './dom.js';
import { num } from './format.js';

const $ = (id) => document.getElementById(id);

/**
 * An arena with about `n` blocks: n/2 allocations of mixed sizes, every other
 * one freed. A different `shift` gives different sizes, so every block moves.
 */
function arenaWith(n, shift = 0) {
  const count = Math.ceil(n / 2) * 2;
  const sizes = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const s = 8 + (((i + shift) * 13) % 7) * 8;
    sizes.push(`+${s}`);
    total += s;
  }
  const frees = [];
  for (let i = 1; i < count; i += 2) frees.push(`-${i}`);
  const size = 2 ** Math.ceil(Math.log2(total + 64));
  const a = createArena({ size, align: 8 });
  a.replay(`${sizes.join(',')},${frees.join(',')}`);
  return a;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));

/** Milliseconds to run `draw()` and force style and layout of what it drew. */
function timed(draw) {
  const t0 = performance.now();
  const map = draw();
  map.element.getBoundingClientRect();
  map.element.querySelector('svg').getBBox();
  return performance.now() - t0;
}

/**
 * Render times of an `n`-block snapshot, each the median of `runs` after 3
 * warm-ups: `fresh`, a new map drawing it (the headline: nothing to reuse);
 * `other`, a map showing a snapshot where every block differs switching to it;
 * `oneOp`, a map showing the snapshot before one more allocation.
 */
async function renderBench(n, runs = 15) {
  const a = arenaWith(n);
  const b = arenaWith(n, 3);
  const arenaSize = a.stats().arenaSize;
  const before = a.blocksTyped();
  const stage = $('stage');
  const opts = { onFree() {}, onInspect() {} };
  const series = async (f) => {
    const times = [];
    for (let i = 0; i < runs + 3; i++) {
      const t = f(i);
      if (i >= 3) times.push(t);
      await nextFrame();
    }
    return times;
  };
  let map = null;
  const fresh = await series(() => {
    map?.destroy();
    return timed(() => {
      map = new MemoryMap(stage, opts);
      map.render({ arenaSize, blocks: a.blocksTyped(), width: 1000 });
      return map;
    });
  });
  const other = await series((i) => timed(() => {
    map.render({ arenaSize, blocks: (i % 2 ? a : b).blocksTyped(), width: 1000 });
    return map;
  }));
  const p = a.alloc(24);
  const after = a.blocksTyped();
  const oneOp = await series((i) => {
    map.render({ arenaSize, blocks: i % 2 ? before : after, width: 1000 });
    map.element.getBoundingClientRect();
    return timed(() => {
      map.render({ arenaSize, blocks: i % 2 ? after : before, width: 1000 });
      return map;
    });
  });
  a.free(p);
  const rects = map.element.querySelectorAll('.mm-blocks rect').length
    + [...map.element.querySelectorAll('.mm-blocks path')].reduce((k, q) => k + Number(q.dataset.runs), 0);
  const result = {
    blocks: before.length, median: median(fresh), max: Math.max(...fresh),
    other: median(other), oneOp: median(oneOp), rects, dense: map.dense,
  };
  map.destroy();
  a.dispose();
  b.dispose();
  return result;
}

async function replayBench() {
  const text = workload({ shape: 'uniform', seed: 1, ops: 1_000_000, allocPercent: 50, maxSize: 64 });
  const a = createArena({ size: 1 << 20, align: 8 });
  const t0 = performance.now();
  const r = a.replaySampled(text, 10_000);
  const ms = performance.now() - t0;
  a.dispose();
  // The page's path: validate, then 20k-op chunks with a yield between them.
  const session = new Session({ createArena }, { size: 1 << 20, align: 8 });
  let longest = 0;
  let last = performance.now();
  let stop = false;
  const tick = () => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; if (!stop) setTimeout(tick); };
  tick();
  const t1 = performance.now();
  await session.load({ size: 1 << 20, align: 8 }, text);
  const chunked = performance.now() - t1;
  stop = true;
  session.arena.dispose();
  return { ops: r.report.ops, ms, opsPerSec: r.report.ops / (ms / 1000), samples: r.samples.length, chunked, longest };
}

function row(name, value, budget, ok, detail) {
  $('results').append(h('tr', null,
    h('td', { text: name }),
    h('td', { class: ok == null ? '' : ok ? 'bench-ok' : 'bench-bad', text: value }),
    h('td', { text: budget }),
    h('td', { text: detail })));
}

async function run() {
  $('run').disabled = true;
  $('results').replaceChildren();
  $('status').textContent = 'Running…';
  await init();
  const out = { userAgent: navigator.userAgent };
  for (const [n, budget] of [[1000, 16], [10000, 50]]) {
    const r = await renderBench(n);
    out[`render${n}`] = r;
    row(`Render ${num(r.blocks)} blocks`, `${r.median.toFixed(1)} ms`, `≤ ${budget} ms`, r.median <= budget,
      `new map, median of 15 (max ${r.max.toFixed(1)} ms); switching from another snapshot ${r.other.toFixed(1)} ms, after one op ${r.oneOp.toFixed(1)} ms; ${num(r.rects)} ${r.dense ? 'rects as subpaths of one path per kind (dense mode, sub-pixel blocks merged)' : 'rects, one focusable per block'}`);
  }
  const rp = await replayBench();
  out.replay = rp;
  row('Replay 1,000,000 ops (replaySampled)', `${num(Math.round(rp.opsPerSec))} ops/s`, '—', null, `${rp.ms.toFixed(0)} ms, ${num(rp.samples)} samples, uniform workload, 1 MiB arena`);
  row('Chunked load of the same ops (page path)', `${rp.chunked.toFixed(0)} ms`, 'no freeze', rp.longest < 200, `20k-op chunks; longest main-thread gap ${rp.longest.toFixed(0)} ms`);
  $('status').textContent = 'Replaying 1,000,000 ops per strategy…';
  // A yield between cells lets the status and the rows so far paint.
  const matrix = await replayMatrix({ createArena, workload }, () => new Promise((r) => setTimeout(r)));
  out.matrix = matrix;
  for (const m of matrix) {
    row(`Replay 1,000,000 ops, ${m.strategy}, ${m.shape}`, `${m.replay.toFixed(1)} M ops/s`, '≥ 10 M ops/s', m.replay >= 10,
      `replay (after a warm-up); replaySampled every 1,000 ops: ${m.sampled.toFixed(1)} M ops/s; sizes ≤ 256, 16 MiB arena`);
  }
  globalThis.__bench = out;
  $('status').textContent = 'Done.';
  $('run').disabled = false;
}

$('run').addEventListener('click', run);
run().catch((e) => {
  $('status').textContent = `Failed: ${e.message}`;
  globalThis.__bench = { error: e.message };
});
