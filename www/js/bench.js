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

/** An arena with about `n` blocks: n/2 allocations of mixed sizes, every other one freed. */
function arenaWith(n) {
  const count = Math.ceil(n / 2) * 2;
  const sizes = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const s = 8 + ((i * 13) % 7) * 8;
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

async function renderBench(n, runs = 15) {
  const a = arenaWith(n);
  const blocks = a.blocksTyped();
  const stats = a.stats();
  const stage = $('stage');
  stage.replaceChildren();
  const map = new MemoryMap(stage, { onFree() {}, onInspect() {} });
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    map.render({ arenaSize: stats.arenaSize, blocks: a.blocksTyped(), width: 1000 });
    map.element.getBoundingClientRect(); // force style + layout
    const svg = map.element.querySelector('svg');
    svg.getBBox();
    const t = performance.now() - t0;
    if (i >= 3) times.push(t);
    await nextFrame();
  }
  const rects = map.element.querySelectorAll('.mm-blocks rect').length
    + [...map.element.querySelectorAll('.mm-blocks path')].reduce((k, p) => k + Number(p.dataset.runs), 0);
  const dense = map.dense;
  a.dispose();
  return { blocks: blocks.length, median: median(times), max: Math.max(...times), rects, dense };
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
      `median of 15 (max ${r.max.toFixed(1)} ms), ${num(r.rects)} ${r.dense ? 'rects as subpaths of one path per kind (dense mode, sub-pixel blocks merged)' : 'rects, one focusable per block'}`);
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
