// The fragmentation meter: external fragmentation (1 − L/F) as a gauge, and the
// statistics around it. Every number is read from the snapshot the core
// produced; nothing is recomputed here.
//
//   const meter = new Meter(container);
//   meter.render(arena.snapshot());   // or { stats, lastSearched }

import { h, s } from './dom.js';
import { num, percent, plural } from './format.js';

const R = 52;
const ARC = Math.PI * R; // length of the half circle

function arcPath() {
  return `M ${60 - R} 62 A ${R} ${R} 0 0 1 ${60 + R} 62`;
}

/** How bad a fragmentation figure is, for colour: 'ok' | 'warn' | 'bad'. */
export function level(f) {
  return f < 0.25 ? 'ok' : f < 0.6 ? 'warn' : 'bad';
}

/** The statistics the meter lists: [key, label, format(snapshot), hint]. */
export const METRICS = [
  ['largestFree', 'Largest free block (L)', (x) => `${num(x.stats.largestFree)} B`, 'The largest free block in the free list: the most a request can get. Free blocks side by side that were not merged (coalescing off) count apart. (Free slab chunks serve only their class and are left out.)'],
  ['freeBytes', 'Free bytes', (x) => `${num(x.stats.freeBytes)} B`, 'All free bytes, free slab chunks included.'],
  ['freeBlocks', 'Free blocks', (x) => freeBlocksText(x.stats), 'Free blocks in the free list, plus free slab chunks.'],
  ['l2Fragmentation', 'L2 fragmentation', (x) => percent(x.stats.l2Fragmentation), '1 − √(Σ fᵢ²) / F: like 1 − L/F, but it counts every free block, not only the largest.'],
  ['internalFragmentation', 'Internal fragmentation', (x) => `${num(x.stats.internalFragmentation)} B`, 'Bytes granted but not requested (rounding to the alignment, slab classes, block headers).'],
  ['utilization', 'Utilization (of arena)', (x) => percent(x.stats.utilization), 'Requested bytes live now ÷ the whole arena. (Peak utilization below divides by the heap’s high-water mark instead, so it can be far higher.)'],
  ['lastSearched', 'Searched by last alloc', (x) => searchedText(x), 'Free blocks the last request searched (the op it was, in brackets), counted as OSTEP’s malloc.py walks its free list, in the Free list order chosen (its “searched N elements”): first fit stops at the block it takes, next fit counts from where it left off, best and worst fit count every free block (by address, the allocator itself finds them in an index, in O(log n)).'],
  ['largestRequest', 'Largest request now', (x) => `${num(x.stats.largestRequest)} B`, 'The largest malloc that would succeed right now.'],
  ['usedBytes', 'Used', (x) => `${num(x.stats.usedBytes)} B in ${plural(x.stats.usedBlocks, 'block')}`, 'Bytes in used blocks and live slab chunks.'],
  ['failedAllocs', 'Failed allocs', (x) => num(x.stats.failedAllocs), 'Requests that found no free block big enough.'],
  ['peakUtilization', 'Peak utilization (CS:APP)', (x) => `${percent(x.stats.peakUtilization)}${x.stats.failedAllocs ? ', failures left out' : ''}`, 'CS:APP’s figure: the most requested bytes ever live ÷ the heap’s high-water mark (the highest byte ever used), not ÷ the arena: after one malloc(16) at Align 8, 16 ÷ 16 = 100 %; after one malloc(10), 10 ÷ 16 = 62.5 % (its block is rounded up to 16 B). Failed requests hold no bytes, so they are left out: a run where most requests fail can still score high.'],
];

/**
 * Under a heap that grows with sbrk, the labels and hints that change: the
 * core measures the free figures and utilization in the heap then.
 */
const SBRK_METRICS = {
  utilization: ['Utilization (of heap)', 'Requested bytes live now ÷ the heap, which grows with sbrk: its high-water mark.'],
  freeBytes: ['Free bytes', 'Free bytes in the heap (below its high-water mark), free slab chunks included; the arena above is not heap yet.'],
  largestRequest: ['Largest request now', 'The largest malloc that would succeed right now, growing the heap if it must.'],
};

/**
 * "5 blocks (op 356)": what the last request searched, and which op that
 * was (a figure left from long before would read as this op's otherwise);
 * without the step (`lastRequestStep`, arena.lastRequestStep) just the count.
 */
function searchedText(x) {
  const n = plural(x.lastSearched ?? x.stats.lastSearched, 'block');
  if (x.lastRequestStep === undefined) return n;
  return x.lastRequestStep ? `${n} (op ${num(x.lastRequestStep)})` : 'no request yet';
}

/** "5", or "1 + 20 chunks" when some of the free blocks are free slab chunks. */
export function freeBlocksText(st) {
  const chunks = st.freeChunks ?? 0;
  return chunks ? `${num(st.listFreeBlocks)} + ${plural(chunks, 'chunk')}` : num(st.freeBlocks);
}

/**
 * Under slab, the largest class when it is what caps the largest request
 * (else 0), from the snapshot's strategy and classes (`arena.snapshot()`'s;
 * the page passes them with its statistics).
 */
function classCap(snap) {
  const n = snap.stats.largestRequest;
  if (!(n > 0) || snap.strategy !== 'slab' || !snap.classes?.length) return 0;
  return n === Math.max(...snap.classes) ? n : 0;
}

/** Meters built so far (ids for their definitions dialogs). */
let meterCount = 0;

export class Meter {
  #root;
  #arc;
  #value;
  #formula;
  #explain;
  #cells = new Map();
  /** The cells whose label and hint change under sbrk: key → { cell, dt, plain: [label, hint] }. */
  #relabel = new Map();
  #bar;
  #barNote;
  #barBox;

  /** @param {HTMLElement} container */
  constructor(container, { compact = false } = {}) {
    this.#arc = s('path', { d: arcPath(), class: 'meter-arc', pathLength: ARC, 'stroke-dasharray': `0 ${ARC}` });
    const gauge = s('svg', { class: 'meter-gauge', viewBox: '0 0 120 70', 'aria-hidden': 'true' },
      s('path', { d: arcPath(), class: 'meter-track' }),
      this.#arc,
      ...[0.25, 0.5, 0.75].map((t) => {
        const a = Math.PI * (1 - t);
        const [c, sn] = [Math.cos(a), Math.sin(a)];
        return s('line', { x1: 60 + c * (R - 9), y1: 62 - sn * (R - 9), x2: 60 + c * (R - 6), y2: 62 - sn * (R - 6), class: 'meter-tick' });
      }));
    this.#value = h('div', { class: 'meter-value', 'data-testid': 'ext-frag' });
    this.#formula = h('div', { class: 'meter-formula' });
    this.#explain = h('p', { class: 'meter-explain' });
    const head = h('div', { class: 'meter-head' },
      h('div', { class: 'meter-dial' }, gauge, h('div', { class: 'meter-readout' }, this.#value)),
      h('div', { class: 'meter-side' }, h('div', { class: 'meter-title', text: 'External fragmentation' }), this.#formula, this.#explain));
    this.#bar = s('svg', { class: 'meter-bar', viewBox: '0 0 300 14', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    this.#barNote = h('p', { class: 'meter-bar-note' });
    const barBox = h('div', { class: 'meter-bar-box' }, this.#bar, this.#barNote);
    const dl = h('dl', { class: 'meter-grid' });
    const shown = compact ? METRICS.slice(0, 4) : METRICS;
    for (const [key, label, , hint] of shown) {
      const dd = h('dd', { 'data-metric': key });
      const dt = h('dt', { text: label });
      const cell = h('div', { class: 'meter-cell', title: hint }, dt, dd);
      this.#cells.set(key, dd);
      if (SBRK_METRICS[key]) this.#relabel.set(key, { cell, dt, plain: [label, hint] });
      dl.append(cell);
    }
    // The definitions, for keyboard, touch and screen readers too (a title
    // shows on mouse hover only). In a dialog: opened in place, the list
    // would stretch the column it sits in by a screenful.
    let defs = null;
    if (!compact) {
      const id = `meter-defs-${++meterCount}`;
      const dialog = h('dialog', { class: 'embed-dialog meter-defs', 'aria-labelledby': id, 'data-testid': 'meter-defs' },
        h('form', { method: 'dialog', class: 'embed-form' },
          h('header', { class: 'embed-head' },
            h('h2', { id, text: 'What these numbers mean' }),
            h('button', { class: 'btn btn-ghost btn-sm', value: 'close', text: 'Close' })),
          h('dl', null, shown.flatMap(([, label, , hint]) => [h('dt', { text: label }), h('dd', { text: hint })]))));
      defs = h('div', { class: 'meter-defs-row' },
        h('button', { type: 'button', class: 'btn btn-ghost btn-sm', 'data-testid': 'meter-defs-open', onclick: () => dialog.showModal() }, 'What these numbers mean'),
        dialog);
    }
    this.#root = h('div', { class: 'meter', role: 'group', 'aria-label': 'Fragmentation statistics' }, head, barBox, dl, defs);
    this.#barBox = barBox;
    container.append(this.#root);
  }

  get element() { return this.#root; }

  /**
   * @param {{stats: object, lastSearched?: number}} snap
   * @param {object} [blocks] typed blocks (arena.blocksTyped()): draws the free blocks
   *   of the free list as one bar, largest first (how L compares with F)
   */
  render(snap, blocks) {
    const st = snap.stats;
    // A heap that grows with sbrk: the free blocks are the heap's (below its end).
    const heapEnd = snap.sbrk ? st.highWater : Infinity;
    this.#freeBar(st, blocks, heapEnd);
    for (const [key, { cell, dt, plain }] of this.#relabel) {
      const [label, hint] = snap.sbrk ? SBRK_METRICS[key] : plain;
      if (dt.textContent !== label) dt.textContent = label;
      cell.title = hint;
    }
    const f = st.externalFragmentation;
    const lv = level(f);
    this.#arc.setAttribute('stroke-dasharray', `${(Math.max(0, Math.min(1, f)) * ARC).toFixed(2)} ${ARC}`);
    this.#arc.setAttribute('class', `meter-arc meter-${lv}${f > 0 ? '' : ' meter-zero'}`);
    this.#value.textContent = percent(f);
    this.#value.className = `meter-value meter-text-${lv}`;
    this.#root.setAttribute('aria-label', `External fragmentation ${percent(f)}`);
    // With slabs, F and the block counts are the free list's: free chunks
    // serve only their class (the core leaves them out of the figure too).
    const chunks = st.freeChunks ?? 0;
    const F = st.listFreeBytes;
    const listed = st.listFreeBlocks;
    // (replaceChildren would show a null as the text "null": only real nodes.)
    this.#formula.replaceChildren(...[
      h('span', { class: 'meter-f', text: '1 − L / F' }),
      // (A number and its unit stay on one line.)
      h('span', { class: 'meter-f-sub' }, 'L: largest free block, ', h('span', { class: 'nobr', text: `${num(st.largestFree)} B` })),
      chunks ? h('span', { class: 'meter-f-sub' }, 'F: free bytes outside slab chunks, ', h('span', { class: 'nobr', text: `${num(F)} B` })) : null,
    ].filter(Boolean));
    const where = chunks ? ' outside slab chunks' : '';
    const cap = classCap(snap);
    let text;
    const room = snap.sbrk ? st.arenaSize - st.highWater : 0;
    if (st.freeBytes === 0 && snap.sbrk) text = room ? `No free block in the heap: the next request grows it (${num(room)} B of the arena are left to grow into).` : 'Nothing is free: the heap fills the arena.';
    else if (st.freeBytes === 0) text = 'Nothing is free: the arena is full.';
    else if (F === 0) text = `The only free memory is ${plural(chunks, 'free slab chunk')}: they serve requests of their class only.`;
    else if (listed <= 1 && f === 0) text = `All free memory${where} is one block${st.largestRequest >= st.largestFree ? ': any request up to its size fits' : ''}.`;
    else if (lv === 'ok') text = `${num(listed)} free blocks${where}, but most of their memory is in the largest one.`;
    else if (st.largestRequest + 1 > F) text = `Free memory${where} is split over ${num(listed)} blocks.`;
    // Under slab, a request above the largest class fails however the free memory lies.
    else if (cap) text = `Free memory${where} is split over ${num(listed)} blocks, but that is not why a request of ${num(cap + 1)} B fails: the largest slab class is ${num(cap)} B, and a larger request is refused however much is free.`;
    else text = `Free memory is scattered over ${num(listed)} blocks${where}: a request of ${num(st.largestRequest + 1)} B fails although ${num(F)} B are free${chunks ? ' there' : ''}.`;
    this.#explain.textContent = text;
    for (const [key, , fmt] of METRICS) {
      const dd = this.#cells.get(key);
      if (dd) dd.textContent = fmt(snap);
    }
  }

  #freeBar(st, b, heapEnd = Infinity) {
    this.#barBox.hidden = !b;
    if (!b) return;
    const sizes = [];
    for (let i = 0; i < b.length; i++) {
      if (!b.free[i] || b.chunk[i]) continue;
      // (With sbrk, a block's bytes in the heap.)
      const size = Math.min(b.size[i], heapEnd - b.offset[i]);
      if (size > 0) sizes.push(size);
    }
    sizes.sort((x, y) => y - x);
    let total = 0;
    for (const v of sizes) total += v;
    this.#bar.replaceChildren();
    const chunks = st.freeChunks ? ` (${plural(st.freeChunks, 'free slab chunk')} not counted)` : '';
    if (!total) {
      this.#bar.append(s('rect', { x: 0, y: 0, width: 300, height: 14, class: 'meter-bar-empty' }));
      this.#barNote.textContent = `No free blocks${st.freeChunks ? ' outside slab chunks' : ''}.`;
      return;
    }
    // Up to 60 segments; the rest as one tail (it is all crumbs by then).
    let x = 0;
    const shown = Math.min(sizes.length, 60);
    for (let k = 0; k < shown; k++) {
      const w = (sizes[k] / total) * 300;
      this.#bar.append(s('rect', { x, y: 0, width: Math.max(0, w - (w > 2 ? 0.8 : 0)), height: 14, class: k === 0 ? 'meter-bar-largest' : 'meter-bar-other' }));
      x += w;
    }
    if (x < 300) this.#bar.append(s('rect', { x, y: 0, width: 300 - x, height: 14, class: 'meter-bar-other' }));
    const others = sizes.length - 1;
    this.#barNote.replaceChildren(
      h('span', { class: 'meter-key meter-key-largest', 'aria-hidden': 'true' }), `L = ${num(st.largestFree)} B `,
      ...(others > 0
        ? [h('span', { class: 'meter-key meter-key-other', 'aria-hidden': 'true' }), `the other ${others === 1 ? 'free block' : plural(others, 'free block')}${chunks}`]
        : [`(the only free block${st.freeChunks ? `; ${plural(st.freeChunks, 'free slab chunk')} not counted` : ''})`]));
  }
}
