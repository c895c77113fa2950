// The shareable state in the URL hash:
//   #size=1024&strategy=best-fit&align=8&coalesce=1&ops=+10,+20,-0&step=2
// Pure functions; the hash is parsed by hand because URLSearchParams would
// turn the `+` of `+10` into a space.

import { MALLOC_PY_BASE } from '../arena.js';

/** At most this many ops go into (or are read from) a URL. */
export const MAX_URL_OPS = 100_000;
/** The largest arena a link may ask for (a link must not make a reader's tab allocate 1 GiB). */
export const MAX_URL_ARENA = 64 << 20;
/** Where a comparison's maps are, as a link says it (`cmp=`): compare.js's choices. */
export const COMPARE_AT = ['end', 'divergence', 'cursor'];
/** What a comparison's chart draws, as a link says it (`chart=`; the first is the default): compare.js's choices. */
export const CHART_METRICS = ['externalFragmentation', 'l2Fragmentation', 'freeBlocks', 'largestFree', 'usedBytes', 'requestedBytes', 'failedAllocs', 'highWater'];

const SAFE = /[^A-Za-z0-9+,\-@:=._~!*]/g;

function enc(v) {
  return String(v).replace(SAFE, (c) => encodeURIComponent(c));
}

/**
 * A yes/no setting as people write it (a link's `predict`, the widget's
 * boolean attributes): true for '' (present), 1, true, yes, on; false for 0,
 * false, no, off; undefined for anything else.
 */
export function flag(text) {
  const t = String(text).trim().toLowerCase();
  if (['', '1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  return undefined;
}

/** Parses a hash (with or without '#') into a map of raw strings (last key wins). */
export function parseHash(hash) {
  const out = new Map();
  const body = String(hash ?? '').replace(/^#/, '');
  if (!body) return out;
  for (const part of body.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    try {
      out.set(decodeURIComponent(k), decodeURIComponent(v));
    } catch {
      out.set(k, v);
    }
  }
  return out;
}

/**
 * Reads the playground state from a hash. Returns `null` when the hash holds
 * none, `{ config, ops, step, workload, predict }` when it does, or `{ error,
 * ops, config, predict }` when a setting is malformed (`ops` then holds the link's ops,
 * unchecked, or '' when there are too many; `config` the settings that could
 * be read). The core validates the rest: sizes, alignment, ops.
 */
export function decodeState(hash) {
  const m = parseHash(hash);
  const known = ['size', 'strategy', 'align', 'coalesce', 'order', 'sbrk', 'header', 'ops', 'step', 'classes', 'slab', 'wl', 'predict', 'mpy', 'draw', 'cmp', 'chart', 'ids'];
  if (![...m.keys()].some((k) => known.includes(k))) return null;
  const config = {};
  const intOf = (k) => {
    const v = m.get(k);
    if (!/^\d+$/.test(v)) throw new Error(`${k} must be a whole number, got "${v.slice(0, 40)}"`);
    if (v.length > 12) throw new Error(`${k} ${v.slice(0, 16)}… is far too large`);
    return Number(v);
  };
  const ops = m.get('ops') ?? '';
  let n = 0;
  for (let i = ops.indexOf(','); i >= 0 && n <= MAX_URL_OPS; i = ops.indexOf(',', i + 1)) n++;
  if (n >= MAX_URL_OPS) return { error: `the link holds more than ${MAX_URL_OPS} ops`, ops: '' };
  // Each setting on its own: a bad one is reported (the first) and left
  // out, and the others still say what the link meant.
  let error = null;
  const read = (k, fn) => {
    if (!m.has(k)) return;
    try { fn(m.get(k)); } catch (e) { error ??= e.message; }
  };
  read('size', () => {
    const size = intOf('size');
    if (size < 1 || size > MAX_URL_ARENA) {
      throw new Error(`size ${size} is out of range for a link (1 to ${MAX_URL_ARENA.toLocaleString('en-US')} bytes)`);
    }
    config.size = size;
  });
  read('align', () => { config.align = intOf('align'); });
  // Bytes of header per block (malloc.py's -H); the core checks the bound.
  read('header', () => { config.header = intOf('header'); });
  read('slab', () => { config.slabSize = intOf('slab'); });
  // (Any case, as the core reads names: First-Fit, BEST, best-fit.)
  read('strategy', (v) => {
    if (!/^[a-z-]{1,20}$/i.test(v)) throw new Error(`unknown strategy "${v.slice(0, 40)}"`);
    config.strategy = v.toLowerCase();
  });
  read('coalesce', (v) => {
    if (!['0', '1', 'true', 'false'].includes(v)) throw new Error(`coalesce must be 0 or 1, got "${v.slice(0, 40)}"`);
    config.coalesce = v === '1' || v === 'true';
  });
  // The free list's order (malloc.py's -l); the core checks the name.
  read('order', (v) => {
    if (!/^[a-z-]{1,20}$/i.test(v)) throw new Error(`unknown free list order "${v.slice(0, 40)}"`);
    config.order = v.toLowerCase();
  });
  // A heap that grows with sbrk (else the whole arena is the heap).
  // (As the widget's attribute reads it: 1, true, yes, on; 0, false, no, off.)
  read('sbrk', (v) => {
    const on = flag(v);
    if (on === undefined) throw new Error(`sbrk must be 0 or 1, got "${v.slice(0, 40)}"`);
    config.sbrk = on;
  });
  read('classes', (v) => {
    const parts = v.split(',');
    if (!parts.every((p) => /^\d{1,10}$/.test(p))) throw new Error('classes must be whole numbers separated by commas');
    config.classes = parts.map(Number);
  });
  // A bad step does not stop the rest: the ops still run (to their end),
  // and the page says the step was left out.
  let step = null;
  let stepError = null;
  if (m.has('step')) {
    try { step = intOf('step'); } catch (e) { stepError = e.message; }
  }
  // A seeded workload's recipe (links to timelines too long to spell out):
  // shape.seed.ops.allocPercent.maxSize; the core checks the values.
  let workload = null;
  read('wl', (v) => {
    const w = /^([a-z-]{1,20})\.(\d{1,10})\.(\d{1,9})\.(\d{1,3})\.(\d{1,10})$/.exec(v);
    if (!w) throw new Error(`wl must be shape.seed.ops.allocPercent.maxSize, got "${v.slice(0, 40)}"`);
    workload = { shape: w[1], seed: Number(w[2]), ops: Number(w[3]), allocPercent: Number(w[4]), maxSize: Number(w[5]) };
  });
  // Predict mode (guess each op before it runs): a teacher's link to a quiz.
  let predict = false;
  // As the widget's attribute: a bare `predict`, 1, true, yes, on; 0, false, no, off.
  read('predict', (v) => {
    predict = flag(v);
    if (predict === undefined) throw new Error(`predict must be 1 or 0, got "${v.slice(0, 40)}"`);
  });
  // The malloc.py view's -b and -H (`mpy=base,header`), and how malloc.py
  // drew the ops (`draw=seed,range,percent`; -n is the number of ops). Only
  // how the view writes the run: a malformed one is dropped, not an error
  // that would keep the link's ops from running.
  let mallocPy = null;
  const mpy = /^(\d{1,10}),(\d{1,4})$/.exec(m.get('mpy') ?? '');
  if (mpy && Number(mpy[1]) <= 2 ** 30 && Number(mpy[2]) <= 4096) mallocPy = { base: Number(mpy[1]), header: Number(mpy[2]) };
  const dw = /^(-?\d{1,16}),(\d{1,10}),(\d{1,7})$/.exec(m.get('draw') ?? '');
  // The core's ranges (`Draw::check`): |seed| < 2^53, range ≤ 2^30, percent 1 to 10^6.
  if (dw && Number.isSafeInteger(Number(dw[1])) && Number(dw[2]) <= 2 ** 30 && Number(dw[3]) >= 1 && Number(dw[3]) <= 1e6) {
    mallocPy = { ...mallocPy, draw: { seed: Number(dw[1]), numOps: 1, range: Number(dw[2]), percentAlloc: Number(dw[3]) } };
  }
  // A comparison shown with the timeline (`cmp=end|divergence|cursor`: where
  // its maps are); a bad one is left out with a word, as a bad step is.
  let compare = null;
  let compareError = null;
  if (m.has('cmp')) {
    const v = m.get('cmp');
    if (COMPARE_AT.includes(v)) compare = v;
    else compareError = `cmp must be ${COMPARE_AT.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got "${v.slice(0, 40)}"`;
  }
  // What its chart draws (`chart=`), the default when left out or bad.
  let chart = null;
  let chartError = null;
  if (m.has('chart')) {
    const v = m.get('chart');
    if (CHART_METRICS.includes(v)) chart = v;
    else chartError = `chart must be one of ${CHART_METRICS.join(', ')}, got "${v.slice(0, 40)}"`;
  }
  // The CS:APP trace ids that ptr[0], ptr[1], … stand for (`ids=`, as runs),
  // with the ops; a malformed list only loses the names.
  const ids = m.has('ids') && ops ? decodeIds(m.get('ids')) : null;
  // `config` then holds the settings that could be read.
  if (error) return { error, ops, config, predict };
  return { config, ops, step, stepError, workload, predict, mallocPy, compare, chart, compareError, chartError, ids };
}

/**
 * Trace ids as runs of consecutive ids: [0, 1, 2, 5, 9, 8] → "0-2,5,9,8".
 * @param {number[]} ids
 */
export function encodeIds(ids) {
  const out = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j > i ? `${ids[i]}-${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return out.join(',');
}

/**
 * `encodeIds`'s text back to the ids, or null when it is not such a list
 * (ids are whole numbers below 2^31, at most MAX_URL_OPS of them).
 * @param {string} text
 */
export function decodeIds(text) {
  const ids = [];
  for (const part of text.split(',')) {
    const r = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(part);
    if (!r) return null;
    const a = Number(r[1]);
    const b = r[2] == null ? a : Number(r[2]);
    if (b < a || b >= 2 ** 31 || ids.length + (b - a + 1) > MAX_URL_OPS) return null;
    for (let x = a; x <= b; x++) ids.push(x);
  }
  return ids;
}

/**
 * The hash for a state; ops are left out beyond MAX_URL_OPS (`truncated` says
 * so), unless `workload` (a seeded workload's options) stands for them.
 */
export function encodeState({ config, tokens = [], step = null, workload = null, predict = false, mallocPy = null, compare = null, chart = null, ids = null }, defaults = {}) {
  const parts = [];
  const add = (k, v) => parts.push(`${k}=${enc(v)}`);
  add('size', config.size);
  add('strategy', config.strategy);
  add('align', config.align);
  add('coalesce', config.coalesce ? 1 : 0);
  if (config.order && config.order !== 'address') add('order', config.order);
  if (config.sbrk) add('sbrk', 1);
  if (config.header) add('header', config.header);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (config.classes && defaults.classes && !same(config.classes, defaults.classes)) add('classes', config.classes.join(','));
  if (config.slabSize && defaults.slabSize && config.slabSize !== defaults.slabSize) add('slab', config.slabSize);
  const truncated = tokens.length > MAX_URL_OPS;
  if (workload) {
    const w = workload;
    add('wl', `${w.shape}.${w.seed}.${w.ops}.${w.allocPercent}.${w.maxSize}`);
    if (step != null && step < w.ops) add('step', step);
  } else if (tokens.length && !truncated) {
    add('ops', tokens.join(','));
    if (step != null && step < tokens.length) add('step', step);
    if (ids?.length) add('ids', encodeIds(ids));
  }
  // (With the ops it compared: not in a link that carries the settings only.)
  if (compare && (workload || (tokens.length && !truncated))) {
    add('cmp', compare);
    if (chart && chart !== CHART_METRICS[0]) add('chart', chart);
  }
  if (predict) add('predict', 1);
  // The malloc.py view's settings, when not malloc.py's defaults (-b 1000 -H 0).
  if (mallocPy && (mallocPy.base !== MALLOC_PY_BASE || mallocPy.header !== 0)) add('mpy', `${mallocPy.base},${mallocPy.header}`);
  if (mallocPy?.draw) add('draw', `${mallocPy.draw.seed},${mallocPy.draw.range},${mallocPy.draw.percentAlloc}`);
  return { hash: `#${parts.join('&')}`, truncated };
}
