// The memory map: the whole arena as an SVG, one rect per block, rows that
// wrap at a power-of-two number of bytes, an address axis on the left.
//
//   const map = new MemoryMap(container, { onFree(block), onInspect(block) });
//   map.render({ arenaSize, blocks });   // blocks: arena.blocksTyped() or snapshot().blocks
//
// Pure view: no global state, no document-level queries; everything it draws
// comes from the blocks it is given. Up to `maxInteractive` blocks each get a
// focusable rect (roving tabindex, aria-label); above that the map switches to
// a dense mode that merges sub-pixel blocks into runs and keeps one focus stop.

import { h, s, uid } from './dom.js';
import { num, hex, plural } from './format.js';

/** Block kinds, as the map colours them. */
export const KIND = Object.freeze({ USED: 0, FREE: 1, PAD: 2, CHUNK_USED: 3, CHUNK_FREE: 4 });
const KIND_NAME = ['used', 'free', 'padding', 'chunk-used', 'chunk-free'];

/** Converts `snapshot().blocks` (objects) into the typed shape of `arena.blocksTyped()`. */
export function blocksFromList(list) {
  const n = list.length;
  const out = {
    length: n,
    offset: new Uint32Array(n), size: new Uint32Array(n), requested: new Uint32Array(n),
    seq: new Int32Array(n), free: new Uint8Array(n), padding: new Uint8Array(n),
    chunk: new Uint8Array(n), cls: new Uint32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const b = list[i];
    out.offset[i] = b.offset;
    out.size[i] = b.size;
    out.requested[i] = b.requested;
    out.seq[i] = b.seq ?? -1;
    out.free[i] = b.free ? 1 : 0;
    out.padding[i] = b.padding ? 1 : 0;
    out.chunk[i] = b.class != null ? 1 : 0;
    out.cls[i] = b.class ?? 0;
  }
  return out;
}

function typed(blocks) {
  return Array.isArray(blocks) ? blocksFromList(blocks) : blocks;
}

/** The kind of block `i`. */
export function kindOf(b, i) {
  if (b.chunk[i]) return b.free[i] ? KIND.CHUNK_FREE : KIND.CHUNK_USED;
  if (b.free[i]) return b.padding[i] ? KIND.PAD : KIND.FREE;
  return KIND.USED;
}

/**
 * Whether block `i` is a slab's unusable tail: the bytes after its last
 * chunk, too few for one (a used block no request made).
 */
export function isTail(b, i) {
  return !!b.chunk[i] && !b.free[i] && b.seq[i] < 0;
}

/** Block `i` as a plain object. */
export function blockAt(b, i) {
  return {
    index: i,
    offset: b.offset[i], size: b.size[i], requested: b.requested[i],
    seq: b.seq[i], free: !!b.free[i], padding: !!b.padding[i],
    chunk: !!b.chunk[i], cls: b.cls[i], kind: KIND_NAME[kindOf(b, i)],
  };
}

/**
 * The accessible name of block `i`, e.g.
 * "ptr[3], used, 24 bytes at offset 48, 20 requested" (with a `header`:
 * "…, 4-byte header, 20 requested"; slab chunks carry none).
 */
export function describeBlock(b, i, nameOf = null, listRank = null, header = 0, heapEnd = null) {
  const at = `${num(b.size[i])} ${b.size[i] === 1 ? 'byte' : 'bytes'} at offset ${num(b.offset[i])}`;
  const chunk = b.chunk[i] ? `slab chunk (class ${b.cls[i]}), ` : '';
  if (b.free[i]) {
    // Under a free list kept in another order than by address: its place in it.
    const rank = b.chunk[i] ? undefined : listRank?.get(b.offset[i]);
    const inList = rank ? `, number ${rank} in the free list` : '';
    if (b.padding[i]) return `alignment padding, free, ${at}${inList}`;
    // A heap that grows with sbrk: how much of the block is heap yet.
    const end = b.offset[i] + b.size[i];
    const split = heapEnd != null && b.offset[i] < heapEnd && heapEnd < end
      ? ` (${num(heapEnd - b.offset[i])} in the heap, ${num(end - heapEnd)} above its end)`
      : heapEnd != null && b.offset[i] >= heapEnd ? ' (above the heap’s end)' : '';
    return `${b.chunk[i] ? `free slab chunk (class ${b.cls[i]})` : 'free'}, ${at}${split}${inList}`;
  }
  if (isTail(b, i)) return `slab tail, unusable (too few bytes for a ${num(b.cls[i])}-byte chunk), ${at}`;
  const extra = b.seq[i] >= 0 ? nameOf?.(b.seq[i]) : null;
  const name = b.seq[i] >= 0 ? `ptr[${b.seq[i]}]${extra ? ` (${extra})` : ''}` : 'block';
  const hdr = header && !b.chunk[i] ? `, ${num(header)}-byte header` : '';
  return `${name}, ${chunk}used, ${at}${hdr}, ${num(b.requested[i])} requested`;
}

/**
 * For a free list kept in another order than by address: each free block's
 * offset → its place in the list (1 = the front, where the searches start);
 * null for the address order, where the place is the address's.
 */
export function listRanks(arena) {
  if (arena.order === 'address') return null;
  const m = new Map();
  arena.freeListOffsets().forEach((off, i) => m.set(off, i + 1));
  return m;
}

/** Index of the block that contains `offset` (blocks tile the arena in address order), or -1. */
export function findBlock(b, offset) {
  let lo = 0;
  let hi = b.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (b.offset[mid] > offset) hi = mid - 1;
    else if (b.offset[mid] + b.size[mid] <= offset) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * A free block's label in `w` pixels: its size, after its place in the free
 * list when it has one (`rank`, under a list order: "#2 · 30 B"), or the
 * place alone, or nothing where neither fits (about 7 px a character).
 */
function freeLabel(w, size, rank) {
  const both = rank ? `#${rank} · ${num(size)} B` : null;
  const alone = rank ? `#${rank}` : null;
  return both && w >= 6 + 7 * both.length ? both : alone ? (w >= 6 + 7 * alone.length ? alone : null) : `${num(size)} B`;
}

/** The memory map's record of its block rects (see `MemoryMap#rects`). */
function noRects() {
  return { el: [], key: [], off: [], seg: [], x: [], y: [], w: [], name: [] };
}

function pow2floor(x) {
  return x < 1 ? 1 : 2 ** Math.floor(Math.log2(x));
}
function pow2ceil(x) {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}

/**
 * Where things go: bytes per row (a power of two, or the arena when it fits
 * one row), rows, pixel sizes. Exported for tests and for the widget.
 */
export function layoutFor(arenaSize, width, { compact = false, maxHeight = null, rowH: tall = null } = {}) {
  // Room for the widest row address (11 px monospace: 6.6 px a character).
  const gutter = compact ? 0 : Math.max(width < 480 ? 44 : 58, Math.ceil(num(Math.max(0, arenaSize - 1)).length * 6.6 + 12));
  const right = compact ? 0 : 4;
  const plotW = Math.max(40, width - gutter - right);
  const minBytePx = compact ? 0.25 : width < 480 ? 1.2 : 2.4;
  const maxRows = compact ? 8 : arenaSize <= 8192 ? 16 : 32;
  let bpr = compact ? pow2ceil(arenaSize / 6) : pow2floor(plotW / minBytePx);
  if (Math.ceil(arenaSize / bpr) > maxRows) bpr = pow2ceil(arenaSize / maxRows);
  if (bpr > arenaSize) bpr = arenaSize;
  const sized = (bpr) => {
    const rows = Math.max(1, Math.ceil(arenaSize / bpr));
    // (`tall`: taller rows where the room allows, see `MemoryMap#render`.)
    const rowH = compact ? 12 : rows > 16 ? 16 : rows > 8 ? 26 : Math.max(38, tall ?? 0);
    const gap = compact ? 2 : rows > 16 ? 3 : 7;
    const top = compact ? 0 : 18;
    const height = top + rows * (rowH + gap) - gap + (compact ? 0 : 2);
    return { width, gutter, plotW, bpr, rows, rowH, gap, top, height, ppb: plotW / bpr };
  };
  let L = sized(bpr);
  // Taller than the room it has (Present, on a projector): fewer, longer rows.
  while (maxHeight != null && L.height > maxHeight && L.bpr < arenaSize) L = sized(Math.min(arenaSize, L.bpr * 2));
  return L;
}

/** The tallest row a map grows to while presenting (see `MemoryMap#render`). */
const TALL_MAX = 192;

/** Calls `fn(x, y, w, row)` for each row segment of the byte range [start, end). */
function segments(L, start, end, fn) {
  let a = start;
  while (a < end) {
    const row = Math.floor(a / L.bpr);
    const rowEnd = (row + 1) * L.bpr;
    const e = Math.min(end, rowEnd);
    fn(L.gutter + (a - row * L.bpr) * L.ppb, L.top + row * (L.rowH + L.gap), (e - a) * L.ppb, row, e);
    a = e;
  }
}

function patterns(p) {
  const hatch = (id, cls, bgCls, size, angle, sw) => s('pattern', {
    id, patternUnits: 'userSpaceOnUse', width: size, height: size, patternTransform: `rotate(${angle})`,
  }, bgCls ? s('rect', { width: size, height: size, class: bgCls }) : null,
  s('line', { x1: 0, y1: 0, x2: 0, y2: size, class: cls, 'stroke-width': sw }));
  return s('defs', null,
    hatch(`${p}-free`, 'mm-free-line', 'mm-free-bg', 6, 45, 1.5),
    hatch(`${p}-pad`, 'mm-pad-line', 'mm-pad-bg', 4, -45, 1.6),
    hatch(`${p}-slack`, 'mm-slack-line', null, 4, 45, 1.2),
    s('pattern', { id: `${p}-chunk-free`, patternUnits: 'userSpaceOnUse', width: 5, height: 5 },
      s('rect', { width: 5, height: 5, class: 'mm-chunk-free-bg' }),
      s('circle', { cx: 2.5, cy: 2.5, r: 1, class: 'mm-chunk-dot' })));
}

function fillFor(kind, p, seq) {
  switch (kind) {
    case KIND.FREE: return { fill: `url(#${p}-free)`, class: 'mm-b mm-free' };
    case KIND.PAD: return { fill: `url(#${p}-pad)`, class: 'mm-b mm-pad' };
    case KIND.CHUNK_FREE: return { fill: `url(#${p}-chunk-free)`, class: 'mm-b mm-chunk-free' };
    case KIND.CHUNK_USED: return { class: `mm-b mm-chunk-used mm-shade-${seq & 1}` };
    default: return { class: `mm-b mm-used mm-shade-${seq & 1}` };
  }
}

/** A legend of the block kinds, as small swatches (for any container). */
export function renderLegend(container, { slab = true, selected = false, header = false, sbrk = false } = {}) {
  const p = uid('lg');
  const item = (label, attrs, extra) => h('li', { class: 'mm-legend-item' },
    s('svg', { class: 'mm-swatch', viewBox: '0 0 22 14', width: 22, height: 14, 'aria-hidden': 'true' },
      s('rect', { x: 0.5, y: 0.5, width: 21, height: 13, rx: 2.5, ...attrs }), extra),
    h('span', { text: label }));
  const defs = s('svg', { class: 'mm-defs', width: 0, height: 0, 'aria-hidden': 'true' }, patterns(p));
  const list = h('ul', { class: 'mm-legend', 'aria-label': 'Legend' },
    item('used', { class: 'mm-used mm-shade-0' }),
    header ? item('block header', { class: 'mm-used mm-shade-0' },
      s('rect', { x: 0.5, y: 0.5, width: 6, height: 13, class: 'mm-header-r' })) : null,
    item('internal padding', { class: 'mm-used mm-shade-0' },
      s('rect', { x: 11, y: 0.5, width: 10.5, height: 13, fill: `url(#${p}-slack)` })),
    item('free', { fill: `url(#${p}-free)`, class: 'mm-free' }),
    item('alignment padding', { fill: `url(#${p}-pad)`, class: 'mm-pad' }),
    slab ? item('slab chunk', { class: 'mm-chunk-used mm-shade-0' }) : null,
    slab ? item('free chunk', { fill: `url(#${p}-chunk-free)`, class: 'mm-chunk-free' }) : null,
    // A heap that grows with sbrk: the arena above its end, veiled.
    sbrk ? item('not heap yet (above the heap’s end)', { fill: `url(#${p}-free)`, class: 'mm-free' },
      [s('rect', { x: 0.5, y: 0.5, width: 21, height: 13, rx: 2.5, class: 'mm-beyond' }),
        s('line', { x1: 1.5, x2: 1.5, y1: 0, y2: 14, class: 'mm-brk' })]) : null,
    // The dashed outline: the pointer the forms act on (the last one placed, unless picked).
    selected ? item('selected pointer', { class: 'mm-used mm-shade-0' },
      s('rect', { x: 1.5, y: 1.5, width: 19, height: 11, rx: 2, class: 'mm-highlight' })) : null);
  container.replaceChildren(defs, list);
  return list;
}

/** What a first tap arms: the block's offset and request number (a new block there is another). */
function tapKey(blk) {
  return `${blk.offset}:${blk.seq}`;
}

export class MemoryMap {
  #root;
  #svg = null;
  #tip;
  #live;
  /** Ids of the hidden descriptions of what Enter does on a used and a free block. */
  #hints;
  #opts;
  #data = null;
  #L = null;
  #dense = false;
  #p = uid('mm');
  #focusOffset = 0;
  #cursor = -1;
  #hover = -1;
  /** `offset:seq` of the used block a first tap picked (a second tap frees it), or ''. */
  #armed = '';
  /** The last activation was a tap (its tooltip is not brought back by a redraw). */
  #tapped = false;
  #overlay = null;
  #ro = null;
  /**
   * When anything scrolls, the tooltip (fixed to the viewport) follows the
   * focused block, or hides when it was the pointer's.
   */
  #onScroll = () => { if (!this.#tip.hidden && this.#data) this.#hideTipUnlessFocus(); };
  /** Any key press ends a run of taps (the keyboard's focus shows tooltips again) and disarms. */
  #onKey = () => { this.#tapped = false; this.#armed = ''; };
  /** A press anywhere but on the map disarms a first tap (a later single tap must not free). */
  #onPointer = (e) => { if (this.#armed && !this.#svg?.contains(e.composedPath?.()[0] ?? e.target)) this.#armed = ''; };
  #scrollRoots = [];
  #width = 0;
  #heads = null;
  /** `width arenaSize` of the last render: the SVG is kept while it stays the same. */
  #shape = '';
  /** The block rect with tabindex 0 (the roving tab stop), if any. */
  #tabStop = null;
  #blocksG = null;
  #slackG = null;
  #labelsG = null;
  /**
   * The rects in the blocks layer, in document (= address) order, with what
   * each shows (parallel arrays, not expando properties, which cost more than
   * the rest of a new rect), for the next render to reuse.
   */
  #rects = noRects();

  /**
   * @param {HTMLElement} container
   * @param {object} [opts]
   * @param {boolean} [opts.interactive=true] hover, focus, click and keys
   * @param {boolean} [opts.compact=false] small multiples: no axis, no labels
   * @param {number} [opts.maxInteractive=2000] above this many blocks, dense mode
   * @param {(block) => void} [opts.onFree] click / Enter on a used block
   * @param {(block, how: {key: boolean}) => void} [opts.onInspect] click / Enter on a free block, or `i`
   *   (`key`: from the keyboard, whose user may not see where the bytes show)
   * @param {string} [opts.label] accessible name of the map
   */
  constructor(container, opts = {}) {
    this.#opts = { interactive: true, compact: false, maxInteractive: 2000, label: 'Memory map', ...opts };
    this.#root = h('div', { class: `mm${this.#opts.compact ? ' mm-compact' : ''}` });
    this.#tip = h('div', { class: 'mm-tip', role: 'tooltip', hidden: true });
    this.#live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    // What Enter does on a block, as its accessible description (freeing is
    // not undone by Escape: a screen reader says so before the key is pressed).
    const id = uid('mm');
    this.#hints = { used: `${id}-used`, free: `${id}-free` };
    const hints = [
      h('p', { id: this.#hints.used, hidden: true, text: this.#opts.onFree ? `Enter or Delete frees it${this.#opts.onInspect ? '; i shows its bytes' : ''}.` : 'Enter shows its bytes.' }),
      h('p', { id: this.#hints.free, hidden: true, text: 'Enter shows its bytes.' }),
    ];
    this.#root.append(this.#tip, this.#live, ...hints);
    container.append(this.#root);
    if (this.#opts.interactive) {
      this.#wireFocus();
      // Capture: scroll events do not bubble (the page, or a box around the
      // map); and they do not leave a shadow root, whose own boxes (a widget's
      // map with a height) scroll too.
      this.#scrollRoots = [globalThis, container.getRootNode()].filter((r, i, a) => r && a.indexOf(r) === i);
      for (const r of this.#scrollRoots) r.addEventListener('scroll', this.#onScroll, { capture: true, passive: true });
      addEventListener('keydown', this.#onKey, { capture: true });
      addEventListener('pointerdown', this.#onPointer, { capture: true });
    }
    if (typeof ResizeObserver === 'function') {
      let queued = 0;
      this.#ro = new ResizeObserver(() => {
        if (queued) return;
        // Next frame: re-rendering inside the callback could resize again (a scrollbar).
        queued = requestAnimationFrame(() => {
          queued = 0;
          const w = Math.round(this.#root.clientWidth);
          if (this.#data && w > 0 && w !== this.#width) this.render(this.#data);
        });
      });
      this.#ro.observe(this.#root);
    }
  }

  /** The focused element as this map's root sees it (inside a shadow root, its own). */
  #active() {
    return this.#root.getRootNode().activeElement ?? null;
  }

  /** The root element (for tests and embedding). */
  get element() { return this.#root; }
  /** The layout of the last render. */
  get layout() { return this.#L; }
  /** Whether the last render merged blocks (too many to focus one by one). */
  get dense() { return this.#dense; }

  /**
   * Presenting (`data.room`), a map of a few rows grows taller into the
   * room it has, up to TALL_MAX px a row, in steps of 8. The height kept
   * from the last render stays while it fits and the room has not grown by
   * 24 px a row more: words under the map a line longer or shorter at a
   * step do not make the map breathe. `null` (the usual heights) otherwise.
   */
  #tallRows(data, width) {
    if (data.room == null || this.#opts.compact) return (this.#tallRowH = null);
    const L = layoutFor(data.arenaSize, width, { ...this.#opts, maxHeight: data.maxHeight });
    if (L.rows > 8 || data.room <= L.height) return (this.#tallRowH = null);
    const fit = Math.min(TALL_MAX, Math.floor((L.rowH + (data.room - L.height) / L.rows) / 8) * 8);
    const keep = this.#tallRowH;
    this.#tallRowH = keep != null && keep <= fit && fit < keep + 24 ? keep : fit;
    return this.#tallRowH;
  }

  #tallRowH = null;

  /**
   * Draws the arena.
   * @param {object} data
   * @param {number} data.arenaSize
   * @param {object|object[]} data.blocks typed blocks or snapshot().blocks
   * @param {number} [data.highlightSeq] outline the block of this ptr
   * @param {number} [data.heapEnd] a heap that grows with sbrk: where it ends now (its high-water mark); the bytes above are veiled
   * @param {Map<number, number>} [data.listRank] free block offset → its place in the free list (1 = the front), for a list kept in another order than by address
   * @param {number} [data.width] force a width (benchmarks, hidden containers)
   * @param {number} [data.maxHeight] the most pixels tall it may be: rows hold more bytes to fit
   * @param {number} [data.room] the pixels free for it (presenting): a map of a few rows grows into them
   */
  render(data) {
    const blocks = typed(data.blocks);
    this.#data = { ...data, blocks };
    const width = Math.round(data.width ?? this.#root.clientWidth) || 640;
    this.#width = width;
    const L = layoutFor(data.arenaSize, width, { ...this.#opts, maxHeight: data.maxHeight, rowH: this.#tallRows(data, width) });
    this.#L = L;
    const hadFocus = this.#svg && this.#svg.contains(this.#active());
    const n = blocks.length;
    const dense = !this.#opts.interactive || n > this.#opts.maxInteractive;
    const interactive = this.#opts.interactive;
    // Same arena and width as the last per-block render: keep the SVG (axis,
    // tracks, listeners) and update its block rects in place, so a render
    // after one op touches the few rects that changed, not the whole map.
    const shape = `${width} ${data.arenaSize} ${L.bpr} ${L.rowH}`;
    const reuse = this.#svg && !dense && !this.#dense && this.#shape === shape;
    this.#dense = dense;
    this.#shape = shape;
    const label = `${this.#opts.label}: ${num(data.arenaSize)}-byte arena, ${plural(n, 'block')}`;
    if (reuse) {
      this.#svg.setAttribute('aria-label', label);
      this.#tabStop?.setAttribute('tabindex', '-1');
      this.#slackG.replaceChildren();
      this.#labelsG.replaceChildren();
    } else {
      this.#skeleton(L, data.arenaSize, label);
    }
    this.#tabStop = null;
    if (dense) this.#drawDense(blocks, L, this.#blocksG);
    else this.#drawBlocks(blocks, L, this.#blocksG, this.#slackG, this.#labelsG);
    this.#hover = -1;
    this.#tip.hidden = true;

    const focusIdx = Math.max(0, findBlock(blocks, Math.min(this.#focusOffset, data.arenaSize - 1)));
    this.#cursor = n ? focusIdx : -1;
    if (interactive && !dense && n) {
      const el = this.#blockEl(focusIdx);
      if (el) {
        el.setAttribute('tabindex', '0');
        this.#tabStop = el;
        if (hadFocus) {
          el.focus({ preventScroll: true });
          // A kept rect that had the focus gets no focusin: show its details
          // here (not after a tap: a finger's tooltip goes with its action).
          if (!this.#tapped || this.#armed) this.#showTipFor(focusIdx);
        }
      }
    } else if (interactive && hadFocus) {
      this.#svg.focus({ preventScroll: true });
    }
    this.#drawOverlay();
  }

  /** A new SVG for this layout: patterns, row tracks, the address axis and empty layers. */
  #skeleton(L, arenaSize, label) {
    const interactive = this.#opts.interactive;
    const svg = s('svg', {
      class: 'mm-svg', width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`,
      role: interactive ? 'group' : 'img', 'aria-label': label,
    });
    if (interactive && this.#dense) {
      svg.setAttribute('tabindex', '0');
      svg.setAttribute('aria-roledescription', 'memory map');
    }
    svg.append(patterns(this.#p));

    // Row tracks and the address axis.
    const axis = s('g', { class: 'mm-axis', 'aria-hidden': 'true' });
    const tracks = s('g', { class: 'mm-tracks', 'aria-hidden': 'true' });
    for (let r = 0; r < L.rows; r++) {
      const y = L.top + r * (L.rowH + L.gap);
      const rowBytes = Math.min(L.bpr, arenaSize - r * L.bpr);
      tracks.append(s('rect', { x: L.gutter, y, width: rowBytes * L.ppb, height: L.rowH, class: 'mm-track', rx: 2 }));
      if (!this.#opts.compact && (L.rows <= 16 || r % 2 === 0)) {
        axis.append(s('text', { x: L.gutter - 8, y: y + L.rowH / 2, class: 'mm-addr', 'text-anchor': 'end', 'dominant-baseline': 'central', text: num(r * L.bpr) }));
      }
    }
    if (!this.#opts.compact) {
      const q = L.bpr / 4;
      // Five ticks when their labels (10 px monospace: 6 px a character) fit, else three.
      const step = (num(L.bpr).length + 1) * 6 + 10 > (L.plotW / 4) ? 2 : 1;
      for (let k = 0; k <= 4; k += step) {
        const x = L.gutter + k * q * L.ppb;
        const anchor = k === 0 ? 'start' : k === 4 ? 'end' : 'middle';
        axis.append(s('line', { x1: x, x2: x, y1: L.top - 5, y2: L.top - 1, class: 'mm-tick' }));
        axis.append(s('text', { x, y: L.top - 8, class: 'mm-addr mm-addr-top', 'text-anchor': anchor, text: k === 0 ? '+0' : `+${num(k * q)}` }));
      }
    }
    this.#blocksG = s('g', { class: 'mm-blocks' });
    this.#slackG = s('g', { class: 'mm-slack', 'aria-hidden': 'true' });
    this.#labelsG = s('g', { class: 'mm-labels', 'aria-hidden': 'true' });
    this.#overlay = s('g', { class: 'mm-overlay', 'aria-hidden': 'true' });
    this.#rects = noRects();
    svg.append(tracks, axis, this.#blocksG, this.#slackG, this.#labelsG, this.#overlay);
    if (this.#svg) this.#svg.replaceWith(svg); else this.#root.prepend(svg);
    this.#svg = svg;
    if (interactive) this.#wire(svg);
  }

  // One rect per row segment of each block. The rects of the last render are
  // matched to the new blocks by (offset, segment) in one merge pass, so a
  // block that did not change keeps its rect untouched, one whose size or
  // name changed gets only those attributes (kept as expando properties), and
  // one whose kind changed gets a fresh clone of its kind's template. The
  // layer stays in address order (the order a screen reader reads it in).
  #drawBlocks(b, L, g, slackG, labels) {
    const p = this.#p;
    const labelled = !this.#opts.compact && L.rowH >= 26;
    const interactive = this.#opts.interactive;
    const rowH = L.rowH;
    const old = this.#rects;
    const rects = noRects();
    let c = 0;
    // One template rect per kind and shade: cloning is cheaper than building.
    const templates = new Map();
    // Puts the rect for segment `nth` of the block at `off` next in `rects`;
    // returns the index in `old` of the rect it reuses as is, or -1.
    const rectFor = (kind, seq, head, off, nth) => {
      // (A slab's tail, seq -1, frees nothing: a template of its own.)
      const key = seq < 0 && kind === KIND.CHUNK_USED ? 100 + (head ? 1 : 0) : (kind * 2 + (seq & 1)) * 2 + (head ? 1 : 0);
      while (c < old.el.length && old.off[c] < off) old.el[c++].remove();
      const r = old.el[c];
      const same = r && old.off[c] === off && old.seg[c] === nth;
      rects.key.push(key);
      rects.off.push(off);
      rects.seg.push(nth);
      if (same) {
        c++;
        if (old.key[c - 1] === key) {
          rects.el.push(r);
          return c - 1;
        }
      }
      let tp = templates.get(key);
      if (!tp) {
        // A button only where a click does something: a used block frees
        // (or shows its bytes), a free one shows its bytes; else an image
        // the keyboard still visits for its label and tooltip.
        const used = kind === KIND.USED || kind === KIND.CHUNK_USED;
        const tail = key >= 100;
        const acts = tail ? false : used ? !!(this.#opts.onFree || this.#opts.onInspect) : !!this.#opts.onInspect;
        const extra = !interactive ? {} : head ? { role: acts ? 'button' : 'img', tabindex: '-1', 'aria-describedby': acts ? this.#hints[used ? 'used' : 'free'] : null } : { 'aria-hidden': 'true' };
        tp = s('rect', { height: rowH, ...fillFor(kind, p, seq), ...extra });
        templates.set(key, tp);
      }
      const fresh = tp.cloneNode(false);
      if (same) r.replaceWith(fresh);
      else if (r) g.insertBefore(fresh, r);
      else g.append(fresh);
      rects.el.push(fresh);
      return -1;
    };
    const heads = new Array(b.length);
    this.#heads = heads;
    for (let i = 0; i < b.length; i++) {
      const off = b.offset[i];
      const size = b.size[i];
      const kind = kindOf(b, i);
      const seq = b.seq[i];
      // (-1 only for a slab's tail, which has a template of its own.)
      const sq = seq < 0 && kind !== KIND.CHUNK_USED ? 0 : seq;
      let first = true;
      let seg = 0;
      let widest = 1;
      if (labelled && size > L.bpr - (off % L.bpr)) {
        let best = -1;
        let nth = 0;
        segments(L, off, off + size, (_x, _y, w) => { nth++; if (w > best) { best = w; widest = nth; } });
      }
      // A free block across the end of a heap that grows with sbrk: its
      // label goes in its part in the heap when that is wide enough (else
      // above the end), not across the veil's edge (below).
      const end = this.#data.heapEnd;
      if (labelled && end != null && kind === KIND.FREE && off < end && end < off + size) widest = -1;
      segments(L, off, off + size, (x, y, w) => {
        seg++;
        const rw = w >= 3 ? w - 1 : w;
        const from = rectFor(kind, sq, first, off, seg);
        const r = rects.el[rects.el.length - 1];
        if (from < 0 || old.x[from] !== x) r.setAttribute('x', x);
        if (from < 0 || old.y[from] !== y) r.setAttribute('y', y);
        if (from < 0 || old.w[from] !== rw) r.setAttribute('width', rw);
        rects.x.push(x);
        rects.y.push(y);
        rects.w.push(rw);
        if (kind === KIND.FREE || kind === KIND.PAD) r.classList.toggle('mm-sep', i > 0 && b.free[i - 1] === 1);
        let name = '';
        if (first) {
          if (interactive) {
            name = describeBlock(b, i, this.#opts.nameOf, this.#data.listRank, this.#data.header, this.#data.heapEnd);
            if (from < 0 || old.name[from] !== name) r.setAttribute('aria-label', name);
          }
          heads[i] = r;
          first = false;
        }
        rects.name.push(name);
        if (labelled && w >= 22) {
          let text = null;
          if (seq < 0 && kind === KIND.CHUNK_USED) {
            text = w >= 34 ? 'tail' : null;
          } else if (kind === KIND.USED || kind === KIND.CHUNK_USED) {
            // About 7 px a character: `ptr[k]`, else `[k]` (an index, not a
            // size, to a newcomer's eye), else `k` alone, else nothing.
            const digits = String(seq).length;
            text = w >= 6 + 7 * (digits + 5) ? `ptr[${seq}]` : w >= 6 + 7 * (digits + 2) ? `[${seq}]` : w >= 6 + 7 * digits ? String(seq) : null;
          } else if (w >= 40 && kind !== KIND.CHUNK_FREE && seg === widest) {
            text = freeLabel(w, size, this.#data.listRank?.get(off));
          } else if (kind !== KIND.CHUNK_FREE && seg === widest && this.#data.listRank?.has(off)) {
            // About 7 px a character: the rank alone where it fits.
            const alone = `#${this.#data.listRank.get(off)}`;
            if (w >= 6 + 7 * alone.length) text = alone;
          }
          if (text) {
            const two = rowH >= 30 && w >= 44 && seg === widest && (kind === KIND.USED || kind === KIND.CHUNK_USED);
            labels.append(s('text', {
              x: x + rw / 2, y: y + (two ? rowH / 2 - 6 : rowH / 2), 'text-anchor': 'middle',
              'dominant-baseline': 'central', class: `mm-label mm-label-${KIND_NAME[kind]}`, text,
            }));
            if (two) {
              labels.append(s('text', {
                x: x + rw / 2, y: y + rowH / 2 + 8, 'text-anchor': 'middle', 'dominant-baseline': 'central',
                class: `mm-label mm-label-sub${kind === KIND.CHUNK_USED ? ' mm-label-sub-chunk' : ''}`, text: `${num(size)} B`,
              }));
            }
          }
        }
      });
      // A used block's header (malloc.py -H: data.header bytes at its
      // front; slab chunks carry none), shaded over its start.
      const hdr = kind === KIND.USED ? Math.min(this.#data.header ?? 0, size) : 0;
      if (hdr > 0 && hdr * L.ppb >= 1) {
        segments(L, off, off + hdr, (x, y, w) => {
          slackG.append(s('rect', { x, y, width: Math.max(1, w), height: rowH, class: 'mm-header-r' }));
        });
      }
      // Internal padding (size − header − requested) of a used block, hatched over its tail.
      if (!b.free[i] && hdr + b.requested[i] < size) {
        const start = off + hdr + b.requested[i];
        const end = off + size;
        if ((end - start) * L.ppb >= 2) {
          segments(L, start, end, (x, y, w, _row, segEnd) => {
            const rowEnd = (segEnd - off) * L.ppb >= 3 && (segEnd === end || segEnd % L.bpr === 0);
            slackG.append(s('rect', { x, y, width: Math.max(0, rowEnd ? w - 1 : w), height: rowH, fill: `url(#${p}-slack)`, class: 'mm-slack-r' }));
          });
        }
      }
    }
    while (c < old.el.length) old.el[c++].remove();
    this.#rects = rects;
    // The label of a free block across the heap's end, left out above.
    const end = this.#data.heapEnd;
    const last = b.length - 1;
    if (labelled && end != null && last >= 0 && !b.chunk[last] && b.free[last] && !b.padding[last]
      && b.offset[last] < end && end < b.offset[last] + b.size[last]) {
      const off = b.offset[last];
      const size = b.size[last];
      let at = null;
      for (const [from, to] of [[off, end], [end, off + size]]) {
        segments(L, from, to, (x, y, w) => { if (w >= 40 && (!at || w > at.w)) at = { x, y, w, inHeap: from === off }; });
        if (at) break;
      }
      // (Each part's own bytes: those in the heap, or those above its end.)
      const text = at && freeLabel(at.w, at.inHeap ? end - off : off + size - end, this.#data.listRank?.get(off));
      if (text) {
        labels.append(s('text', {
          x: at.x + at.w / 2, y: at.y + rowH / 2, 'text-anchor': 'middle',
          'dominant-baseline': 'central', class: 'mm-label mm-label-free', text,
        }));
      }
    }
  }

  // Many blocks: merge those narrower than a pixel into one run, coloured by
  // the kind that holds most of its bytes. Each kind is one <path> of rect
  // subpaths (the fill is on the path), so the DOM stays a handful of nodes
  // however many blocks there are; hit-testing is by offset, not by element.
  #drawDense(b, L, g) {
    const p = this.#p;
    const minPx = 1;
    const kinds = [
      fillFor(KIND.USED, p, 0), fillFor(KIND.USED, p, 1), fillFor(KIND.FREE, p, 0), fillFor(KIND.PAD, p, 0),
      fillFor(KIND.CHUNK_USED, p, 0), fillFor(KIND.CHUNK_USED, p, 1), fillFor(KIND.CHUNK_FREE, p, 0),
    ];
    const d = kinds.map(() => []);
    const groupOf = (kind, seq) => (kind === KIND.USED ? seq & 1 : kind === KIND.FREE ? 2 : kind === KIND.PAD ? 3 : kind === KIND.CHUNK_USED ? 4 + (seq & 1) : 6);
    const h = L.rowH;
    const rect = (gi, x, y, w) => {
      d[gi].push(`M${x.toFixed(2)} ${y}h${w.toFixed(2)}v${h}h${(-w).toFixed(2)}z`);
    };
    let runRow = -1;
    let runX = 0;
    let runY = 0;
    let runW = 0;
    const runBytes = [0, 0, 0, 0, 0];
    const flush = () => {
      if (runW <= 0) return;
      let best = 0;
      for (let k = 1; k < 5; k++) if (runBytes[k] > runBytes[best]) best = k;
      rect(groupOf(best, 0), runX, runY, runW);
      runW = 0;
      runBytes.fill(0);
    };
    for (let i = 0; i < b.length; i++) {
      const kind = kindOf(b, i);
      const seq = b.seq[i];
      segments(L, b.offset[i], b.offset[i] + b.size[i], (x, y, w, row) => {
        if (w >= minPx * 2) {
          flush();
          rect(groupOf(kind, seq), x, y, w >= 3 ? w - 1 : w);
          return;
        }
        if (row !== runRow || Math.abs(runX + runW - x) > 0.01) {
          flush();
          runRow = row;
          runX = x;
          runY = y;
        }
        runW += w;
        runBytes[kind] += w;
        if (runW >= minPx) flush();
      });
    }
    flush();
    kinds.forEach((attrs, k) => {
      if (d[k].length) g.append(s('path', { ...attrs, d: d[k].join(''), 'data-runs': d[k].length }));
    });
  }

  #blockEl(i) {
    return this.#dense ? null : this.#heads?.[i] ?? null;
  }

  #hit(clientX, clientY) {
    const L = this.#L;
    const r = this.#svg.getBoundingClientRect();
    const x = clientX - r.left;
    const y = clientY - r.top - L.top;
    if (y < 0 || x < L.gutter) return -1;
    const row = Math.floor(y / (L.rowH + L.gap));
    if (y - row * (L.rowH + L.gap) > L.rowH) return -1;
    const off = row * L.bpr + Math.floor((x - L.gutter) / L.ppb);
    if (off < 0 || off >= this.#data.arenaSize || off >= (row + 1) * L.bpr) return -1;
    return findBlock(this.#data.blocks, off);
  }

  #wire(svg) {
    svg.addEventListener('pointermove', (e) => {
      const i = this.#hit(e.clientX, e.clientY);
      if (i !== this.#hover) {
        this.#hover = i;
        this.#drawOverlay();
        if (i >= 0) this.#showTip(i, e.clientX, e.clientY); else this.#hideTipUnlessFocus();
      } else if (i >= 0) {
        this.#placeTip(e.clientX, e.clientY);
      }
    });
    svg.addEventListener('pointerleave', () => {
      this.#hover = -1;
      this.#drawOverlay();
      this.#hideTipUnlessFocus();
    });
    svg.addEventListener('click', (e) => {
      const i = this.#hit(e.clientX, e.clientY);
      const touch = e.pointerType === 'touch';
      if (i < 0) {
        if (touch) { this.#armed = ''; this.#tip.hidden = true; }
        return;
      }
      this.#tapped = touch;
      this.#moveTo(i, false);
      if (touch) {
        // A finger has no hover: the first tap on a used block shows what it
        // is, a second tap on it frees it.
        const blk = blockAt(this.#data.blocks, i);
        const key = tapKey(blk);
        if (!(blk.free ? this.#opts.onInspect : this.#opts.onFree) || isTail(this.#data.blocks, i)) {
          // A tap that does nothing else (a read-only map) shows the block.
          this.#armed = '';
          this.#showTip(i, e.clientX, e.clientY);
          return;
        }
        if (!blk.free && this.#armed !== key) {
          this.#armed = key;
          this.#showTip(i, e.clientX, e.clientY);
          return;
        }
        this.#armed = '';
        this.#tip.hidden = true;
      }
      this.#activate(i, false);
    });
    svg.addEventListener('keydown', (e) => this.#key(e));
  }

  // Focus listeners sit on the HTML root, not on the SVG: Chrome makes an SVG
  // element with focus listeners a tab stop of its own (an extra, invisible
  // stop before the blocks).
  #wireFocus() {
    this.#root.addEventListener('focusin', (e) => {
      if (!this.#svg?.contains(e.target)) return;
      const i = this.#dense ? this.#cursor : this.#heads?.indexOf(e.target) ?? -1;
      if (i >= 0) {
        this.#cursor = i;
        this.#focusOffset = this.#data.blocks.offset[i];
        this.#drawOverlay();
        if (!this.#tapped || this.#armed) this.#showTipFor(i);
      }
    });
    this.#root.addEventListener('focusout', () => {
      queueMicrotask(() => {
        if (!this.#svg?.contains(this.#active())) {
          this.#tip.hidden = true;
          this.#drawOverlay(false);
        }
      });
    });
  }

  #key(e) {
    const b = this.#data.blocks;
    const n = b.length;
    if (!n) return;
    let i = this.#cursor < 0 ? 0 : this.#cursor;
    const L = this.#L;
    const byOffset = (off) => {
      const j = findBlock(b, Math.max(0, Math.min(this.#data.arenaSize - 1, off)));
      return j < 0 ? i : j;
    };
    switch (e.key) {
      case 'ArrowRight': i = Math.min(n - 1, i + 1); break;
      case 'ArrowLeft': i = Math.max(0, i - 1); break;
      case 'ArrowDown': {
        const t = b.offset[i] + L.bpr;
        i = t < b.offset[i] + b.size[i] ? Math.min(n - 1, i + 1) : byOffset(t);
        break;
      }
      case 'ArrowUp': {
        const t = b.offset[i] - L.bpr;
        i = t < 0 ? i : byOffset(t);
        break;
      }
      case 'Home': i = 0; break;
      case 'End': i = n - 1; break;
      case 'PageDown': i = Math.min(n - 1, i + 10); break;
      case 'PageUp': i = Math.max(0, i - 10); break;
      case 'Enter': case ' ': case 'Delete': case 'Backspace':
        e.preventDefault();
        this.#activate(i, true);
        return;
      case 'i':
        e.preventDefault();
        this.#opts.onInspect?.(blockAt(b, i), { key: true });
        return;
      case 'Escape':
        this.#tip.hidden = true;
        return;
      default: return;
    }
    e.preventDefault();
    this.#moveTo(i, true);
  }

  #moveTo(i, focus) {
    const prev = this.#cursor;
    this.#cursor = i;
    this.#focusOffset = this.#data.blocks.offset[i];
    if (!this.#dense) {
      const old = prev >= 0 ? this.#blockEl(prev) : null;
      const el = this.#blockEl(i);
      if (old && old !== el) old.setAttribute('tabindex', '-1');
      if (el) {
        el.setAttribute('tabindex', '0');
        this.#tabStop = el;
        if (focus) el.focus({ preventScroll: false });
      }
    } else {
      if (focus) this.#svg.focus({ preventScroll: true });
      this.#live.textContent = describeBlock(this.#data.blocks, i, this.#opts.nameOf, null, this.#data.header, this.#data.heapEnd);
    }
    this.#drawOverlay();
    if (focus) this.#showTipFor(i);
  }

  #activate(i, key) {
    const blk = blockAt(this.#data.blocks, i);
    if (isTail(this.#data.blocks, i)) return;
    if (!blk.free) this.#opts.onFree?.(blk);
    else this.#opts.onInspect?.(blk, { key });
  }

  /** Moves the keyboard focus to the block that holds `offset`. */
  focusOffset(offset) {
    if (!this.#data) return;
    const i = findBlock(this.#data.blocks, offset);
    if (i >= 0) this.#moveTo(i, true);
  }

  #drawOverlay(showCursor = true) {
    const o = this.#overlay;
    if (!o || !this.#data) return;
    o.replaceChildren();
    const b = this.#data.blocks;
    const L = this.#L;
    const outline = (i, cls) => {
      if (i < 0 || i >= b.length) return;
      segments(L, b.offset[i], b.offset[i] + b.size[i], (x, y, w) => {
        o.append(s('rect', { x: x - 1, y: y - 1, width: Math.max(2, (w >= 3 ? w - 1 : w) + 2), height: L.rowH + 2, rx: 2, class: cls }));
      });
    };
    // A heap that grows with sbrk: the arena above its end is not heap yet.
    const end = this.#data.heapEnd;
    if (end != null && end < this.#data.arenaSize) {
      segments(L, end, this.#data.arenaSize, (x, y, w) => {
        o.append(s('rect', { x, y, width: w, height: L.rowH, class: 'mm-beyond' }));
      });
      // The end itself: a tick above and below the row (a block's label
      // may sit across it).
      segments(L, end, end + 1, (x, y) => {
        const t = Math.min(6, L.rowH / 3);
        o.append(s('line', { x1: x, x2: x, y1: y - 4, y2: y + t, class: 'mm-brk' }),
          s('line', { x1: x, x2: x, y1: y + L.rowH - t, y2: y + L.rowH + 4, class: 'mm-brk' }));
      });
    }
    const hl = this.#data.highlightSeq;
    if (hl != null && hl >= 0) {
      for (let i = 0; i < b.length; i++) if (b.seq[i] === hl && !b.free[i]) outline(i, 'mm-highlight');
    }
    if (this.#hover >= 0) outline(this.#hover, 'mm-hover');
    const focused = this.#svg && this.#svg.contains(this.#active());
    if (showCursor && focused && this.#cursor >= 0) outline(this.#cursor, 'mm-focus');
  }

  #hideTipUnlessFocus() {
    const focused = this.#svg && this.#svg.contains(this.#active());
    if (focused && this.#cursor >= 0) this.#showTipFor(this.#cursor);
    else this.#tip.hidden = true;
  }

  #showTipFor(i) {
    const L = this.#L;
    const b = this.#data.blocks;
    let pos = null;
    segments(L, b.offset[i], b.offset[i] + b.size[i], (x, y, w) => { pos ??= { x: x + Math.min(w, 40) / 2, y: y + L.rowH }; });
    const r = this.#svg.getBoundingClientRect();
    this.#showTip(i, r.left + pos.x, r.top + pos.y + 4);
  }

  #showTip(i, cx, cy) {
    const b = this.#data.blocks;
    const blk = blockAt(b, i);
    const rows = [];
    const row = (k, v) => rows.push(h('dt', { text: k }), h('dd', { text: v }));
    row('offset', `${num(blk.offset)} (${hex(blk.offset)})`);
    row('size', `${num(blk.size)} B`);
    if (!blk.free) {
      const hdr = blk.chunk ? 0 : this.#data.header ?? 0;
      if (hdr) row('header', `${num(hdr)} B`);
      row('requested', `${num(blk.requested)} B`);
      row('padding', `${num(blk.size - hdr - blk.requested)} B`);
      row('seq', blk.seq >= 0 ? String(blk.seq) : '—');
    }
    if (blk.chunk) row('class', `${num(blk.cls)} B`);
    // A heap that grows with sbrk: how much of a free block is heap yet.
    const end = this.#data.heapEnd;
    if (blk.free && !blk.chunk && end != null && blk.offset + blk.size > end) {
      row('in the heap', `${num(Math.max(0, end - blk.offset))} B`);
      row('above its end', `${num(blk.offset + blk.size - Math.max(end, blk.offset))} B`);
    }
    const rank = blk.free && !blk.chunk ? this.#data.listRank?.get(blk.offset) : undefined;
    if (rank) row('free list', `number ${num(rank)} of ${num(this.#data.listRank.size)}`);
    const extra = !blk.free && blk.seq >= 0 ? this.#opts.nameOf?.(blk.seq) : null;
    const tail = blk.chunk && !blk.free && blk.seq < 0;
    const title = blk.free
      ? (blk.padding ? 'alignment padding' : blk.chunk ? 'free chunk' : 'free block')
      : tail ? 'slab tail' : blk.seq >= 0 ? `ptr[${blk.seq}]${extra ? ` · ${extra}` : ''}` : 'used';
    const badge = blk.free ? 'free' : tail ? 'unusable' : blk.chunk ? 'slab chunk' : 'used';
    // The hint says what a click does here (a read-only widget frees nothing).
    const canFree = !!this.#opts.onFree;
    const canInspect = !!this.#opts.onInspect;
    const hint = !this.#opts.interactive ? null
      : tail ? 'The slab’s last bytes, too few for a chunk: no request can have them'
      : blk.free ? (canInspect ? 'Click or Enter to inspect its bytes' : null)
        : !canFree ? null
          : this.#armed === tapKey(blk) ? 'Tap again to free'
            : canInspect ? 'Click or Enter to free · I: its bytes' : 'Click or Enter to free';
    this.#tip.replaceChildren(
      h('div', { class: 'mm-tip-head' }, h('strong', { text: title }), h('span', { class: `mm-tip-badge mm-tip-${blk.kind}`, text: badge })),
      h('dl', { class: 'mm-tip-dl' }, rows),
      // (replaceChildren would write a null out as the text "null")
      ...(hint ? [h('div', { class: 'mm-tip-hint', text: hint })] : []));
    this.#tip.hidden = false;
    this.#placeTip(cx, cy);
  }

  /**
   * The tooltip is fixed to the viewport, so that a box that scrolls or clips
   * the map (a one-row map in a widget) does not cut it off: beside the
   * pointer, flipped to the other side near the viewport's edges.
   */
  #placeTip(cx, cy) {
    const tw = this.#tip.offsetWidth;
    const th = this.#tip.offsetHeight;
    const vw = document.documentElement.clientWidth || innerWidth;
    const vh = innerHeight;
    let x = cx + 14;
    let y = cy + 14;
    if (x + tw > vw - 4) x = Math.max(4, cx - tw - 14);
    if (y + th > vh - 4) y = Math.max(4, cy - th - 14);
    this.#tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  /** Stops observing the container and removes the map. */
  destroy() {
    this.#ro?.disconnect();
    for (const r of this.#scrollRoots) r.removeEventListener('scroll', this.#onScroll, { capture: true });
    removeEventListener('keydown', this.#onKey, { capture: true });
    removeEventListener('pointerdown', this.#onPointer, { capture: true });
    this.#root.remove();
  }
}
