// Allocator Playground: the JS API over the Rust core compiled to wasm.
// One ES module for the browser and node >= 20. No logic of the allocator lives
// here: every call goes to the core; this file only adapts names and lifetimes.
//
//   import { init, createArena } from './arena.js';
//   await init();                 // browser: fetches pkg/*.wasm next to this file
//                                 // node: reads it from disk (or pass bytes: init(bytes))
//   const a = createArena({ size: 1024, strategy: 'first-fit', align: 8, coalesce: true });
//   const p = a.alloc(100);       // offset; throws Error with .code
//   a.free(p);
//   a.snapshot();
//   a.strategy = 'best-fit';
//   a.dispose();

import wasmInit, * as bindings from './pkg/alloc_playground.js';

let loaded = false;
/**
 * The binding's exports, once init() has loaded the module: before that,
 * every call throws an Error with code 'not-initialized' (not a TypeError
 * from deep inside the glue).
 */
const core = new Proxy(bindings, {
  get(target, key) {
    if (!loaded) {
      const e = new Error('the allocator is not loaded yet: await init() first');
      e.code = 'not-initialized';
      throw e;
    }
    return target[key];
  },
});

/** The modes the dropdowns list, in order. */
export const STRATEGIES = ['first-fit', 'next-fit', 'best-fit', 'worst-fit', 'slab'];
/** The free list's orders (`order` of createArena; malloc.py's -l ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK). */
export const ORDERS = ['address', 'size-ascending', 'size-descending', 'insert-front', 'insert-back'];

/** malloc.py's base address (its `-b`), where `transcript` and `mallocPyCommand` count addresses from by default. */
export const MALLOC_PY_BASE = 1000;

let ready = null;

/**
 * Loads the wasm module once (later calls return the same promise).
 * @param {BufferSource|WebAssembly.Module|URL|string} [source] the wasm bytes or
 *   where to fetch them; by default the file next to this module.
 */
export function init(source) {
  if (!ready) {
    ready = (async () => {
      let src = source;
      const url = new URL('./pkg/alloc_playground_bg.wasm', import.meta.url);
      try {
        if (src === undefined && url.protocol === 'file:') {
          const { readFile } = await import('node:fs/promises');
          src = await readFile(url);
        }
        await wasmInit({ module_or_path: src ?? url });
      } catch (e) {
        // Bytes that are not this module, a failed fetch, a CSP that forbids
        // WebAssembly: a coded error like every other, the cause kept.
        const err = new Error(`the allocator could not be loaded: ${e?.message ?? e}`, { cause: e });
        err.code = 'not-initialized';
        throw err;
      }
      loaded = true;
    })();
    ready.catch(() => { ready = null; });
  }
  return ready;
}

const encoder = new TextEncoder();
/**
 * Text for the core, as UTF-8 bytes: a string, or `bad-argument`; or
 * `host-memory` when wasm memory cannot take a copy of it (the glue copies it
 * in before the core could check, and a failed allocation there would abort
 * the module). `TextEncoder` is several times faster than wasm-bindgen's
 * string passing (a JS loop per char) on long op lists.
 */
function utf8(text) {
  if (typeof text === 'string') {
    const bytes = encoder.encode(text);
    core.ensureRoom(bytes.length);
    return bytes;
  }
  const e = new TypeError(`the text must be a string, got ${text === null ? 'null' : `a value of type ${typeof text}`}`);
  e.code = 'bad-argument';
  throw e;
}

/** An Error with a `code`, as the core's errors are. */
function coded(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

function disposedError() {
  return coded('disposed', 'this arena was disposed');
}

/** An arena in wasm memory: a heap, its pointer table and its op log. */
export class Arena {
  #inner;

  /**
   * @param {object} [opts] { size, strategy, align, coalesce, classes, slabSize, order, header, sbrk }
   * @param {undefined} [inner] (internal: the core's arena that `rebuild` made)
   */
  constructor(opts = {}, inner = undefined) {
    if (inner !== undefined && !(inner instanceof core.Arena)) {
      throw coded('bad-argument', 'new Arena(opts) takes one argument: use createArena(opts)');
    }
    this.#inner = inner ?? new core.Arena(opts);
  }

  get #a() {
    if (!this.#inner) throw disposedError();
    return this.#inner;
  }

  /** Allocates `size` bytes in the current mode; returns the offset. */
  alloc(size) { return this.#a.alloc(size); }
  /** Allocates at a multiple of `align`. */
  allocAligned(size, align) { return this.#a.allocAligned(size, align); }
  /** Allocates zeroed bytes (the only zeroing operation). */
  calloc(size) { return this.#a.calloc(size); }
  /** Frees the block or chunk that starts at `offset`. */
  free(offset) { this.#a.release(offset); }
  /** Resizes; returns the (maybe new) offset. */
  realloc(offset, size) { return this.#a.realloc(offset, size); }
  /** Writes bytes (a Uint8Array, or an array of integers 0..255) into a live block, `at` bytes in. */
  write(offset, bytes, at = 0) { this.#a.write(offset, bytes, at); }
  /** Reads `len` bytes of the arena from `offset` (stale bytes of free blocks included). */
  read(offset, len) { return this.#a.read(offset, len); }
  /** `{ arenaSize, strategy, align, coalesce, order, sbrk, header, classes, slabSize, blocks, stats, lastSearched, ops, nextPtr }` */
  snapshot() { return this.#a.snapshot(); }
  /** The statistics alone. */
  stats() { return this.#a.stats(); }
  /** The blocks as typed arrays (fast for 10k+ blocks). */
  blocksTyped() { return decodeBlocks(this.#a.blocksPacked()); }
  /** The free list's order ('address', 'size-ascending', 'size-descending', 'insert-front', 'insert-back'). */
  get order() { return this.#a.order; }
  /** The order is fixed when the arena is made (the op log does not record a change): setting it throws `bad-argument`. */
  set order(_) { throw coded('bad-argument', 'the free list order is fixed when the arena is made: createArena({ order })'); }
  /** Whether the heap grows with sbrk (the arena below the high-water mark is the heap; the rest is used only when nothing in the heap fits). */
  get sbrk() { return this.#a.sbrk; }
  /** Fixed when the arena is made, as the order is: setting it throws `bad-argument`. */
  set sbrk(_) { throw coded('bad-argument', 'sbrk is fixed when the arena is made: createArena({ sbrk })'); }
  /** The free blocks' offsets in the free list's order, front first (a Uint32Array): what the fit searches walk. */
  freeListOffsets() { return this.#a.freeListOffsets(); }
  get strategy() { return this.#a.strategy; }
  set strategy(s) { this.#a.strategy = s; }
  get coalesce() { return this.#a.coalesce; }
  set coalesce(on) { this.#a.coalesce = on; }
  /** Merges all adjacent free blocks; returns the number of merges. */
  mergeAll() { return this.#a.mergeAll(); }
  /** Validates and runs an op list; throws `bad-script` (with .line) and changes nothing on a bad one. */
  replay(text) { return this.#a.replay(utf8(text)); }
  /** `replay`, stopping once `ms` milliseconds have passed: the report's `ops` says how many ran. */
  replayFor(text, ms) { return this.#a.replayFor(utf8(text), ms); }
  /** Checks an op list against this arena without running it: `{ count }`, or throws `bad-script`. */
  validate(text) { return this.#a.validate(utf8(text)); }
  /** Like replay: `{ report, samples }`, the statistics before the first op, every `every` ops and after the last. */
  replaySampled(text, every = 1) { return this.#a.replaySampled(utf8(text), every); }
  /** The op log as op-list text. */
  log() { return this.#a.log(); }
  /** Ops `from .. to` of the log (clamped), in the same syntax: a window of a long log. */
  logSlice(from, to) { return this.#a.logSlice(from, to); }
  /** The ptr number the next allocation request gets (as snapshot().nextPtr, without the blocks). */
  get nextPtr() { return this.#a.nextPtr; }
  /** Number of logged ops. */
  get logLength() { return this.#a.logLength; }
  /** Log positions in `from .. to` (clamped) of the ops that failed: a malloc, calloc or realloc that returned NULL, a write outside its block or through a NULL pointer (a Uint32Array, ascending). */
  failedOps(from = 0, to = this.logLength) { return this.#a.failedOps(from, to); }
  /** What the last op did (the free block an allocation came from, the blocks searched, what a free merged with), or null (none yet, or a log longer than maxExplainedOps()). */
  lastOp() { return this.#a.lastOp(); }
  /** The ops the next lastOp() would replay: those run since the last call (it keeps the state before the op), or the whole log the first time (but after rebuild or keepForLastOp); 0 when it would return null. */
  get lastOpReplays() { return this.#a.lastOpReplays; }
  /** Keeps the state as it is now for lastOp(), so that after the next op it replays nothing (call it after replaying up to the step before an op you will ask about); false when not kept (a log of maxExplainedOps() or more, an arena over 64 MiB, no room for a copy). */
  keepForLastOp() { return this.#a.keepForLastOp(); }
  /** Lets the state kept for lastOp() go (a second arena's memory, for arenas up to 64 MiB): before replacing this arena with one replayed from the start. The next lastOp() replays the log. */
  forgetLastOp() { this.#a.forgetLastOp(); }
  /** The first `maxOps` logged ops as OSTEP's `malloc.py -H header -c` prints a run (returned addresses from `base`, blocks searched, the free list after each op); as its random mode prints them when the whole log is `draw` (parseMallocPy's `draw`, or null). */
  transcript(base = MALLOC_PY_BASE, maxOps = maxTranscriptOps(), header = 0, draw = null) { return this.#a.transcript(base, maxOps, header, draw); }
  /** The malloc.py command line that prints what transcript(base, maxOps, header, draw) prints: `{ command }`, or `{ why }` when there is none. */
  mallocPyCommand(base = MALLOC_PY_BASE, maxOps = maxTranscriptOps(), header = 0, draw = null) { return this.#a.mallocPyCommand(base, maxOps, header, draw); }
  /** Number of logged ops that failed (see failedOps). */
  get failedCount() { return this.#a.failedCount; }
  /** The step (from 1) of the last allocation request logged (whose search `stats().lastSearched` counts), 0 for none. */
  get lastRequestStep() { return this.#a.lastRequestStep; }
  /** A new arena in the state after the first `n` logged ops (its first lastOp() replays nothing). */
  rebuild(n) { return new Arena(undefined, this.#a.rebuild(n)); }
  /** The options the arena started from, in createArena's shape. */
  initialConfig() { return this.#a.initialConfig(); }
  /** The ptr index of the live block at `offset`, or -1. */
  ptrAt(offset) { return this.#a.ptrAt(offset); }
  /** Fraction of free bytes that cannot serve a request of `size`. */
  unusableFree(size) { return this.#a.unusableFree(size); }
  /** Throws `invariant` if the core's invariants are broken (they never should be). */
  checkInvariants() { this.#a.checkInvariants(); }
  /** Releases the arena's memory; the object is unusable afterwards. */
  dispose() {
    if (this.#inner) {
      this.#inner.free();
      this.#inner = undefined;
    }
  }
  get disposed() { return !this.#inner; }
  [Symbol.dispose]() { this.dispose(); }
}

/** `new Arena(opts)`; throws Error with .code ('bad-config', 'bad-argument'). */
export function createArena(opts = {}) {
  return new Arena(opts);
}

/** Checks arena options as `createArena` would, allocating nothing; throws Error with .code ('bad-config', 'bad-argument'). */
export function checkConfig(opts = {}) {
  core.checkConfig(opts);
}

/** Unpacks the core's `blocksPacked()` (6 numbers a block) into typed arrays. */
function decodeBlocks(packed) {
  const n = packed.length / 6;
  const out = {
    length: n,
    offset: new Uint32Array(n), size: new Uint32Array(n), requested: new Uint32Array(n),
    seq: new Int32Array(n), free: new Uint8Array(n), padding: new Uint8Array(n),
    chunk: new Uint8Array(n), cls: new Uint32Array(n),
  };
  for (let i = 0, j = 0; i < n; i++, j += 6) {
    out.offset[i] = packed[j];
    out.size[i] = packed[j + 1];
    out.requested[i] = packed[j + 2];
    out.seq[i] = packed[j + 3] === 0xffffffff ? -1 : packed[j + 3];
    const f = packed[j + 4];
    out.free[i] = f & 1;
    out.padding[i] = (f >> 1) & 1;
    out.chunk[i] = (f >> 2) & 1;
    out.cls[i] = packed[j + 5];
  }
  return out;
}

/** Parses an op list without running it: `{ count, ops }`; throws `bad-script` with .line. */
export function parseOps(text) { return core.parseOps(utf8(text)); }
/** The op list in canonical form (comma-separated, comments and blanks gone); throws `bad-script`. */
export function canonicalOps(text) { return core.canonicalOps(utf8(text)); }
/** Reads a malloc.py command line (`python3 malloc.py -S 100 -p FIRST -C -A +3,-0`, or `-s 0 -n 10` for ops drawn as malloc.py draws them): `{ size, base, header, align, strategy, coalesce, ops, draw }` (`draw`: null, or `{ seed, numOps, range, percentAlloc }`); throws `bad-script` with .line and .column. */
export function parseMallocPy(text) { return core.parseMallocPy(utf8(text)); }
/** The ops malloc.py's random mode draws with `draw` (parseMallocPy's) for a heap of `opts` (createArena's), with `header`-byte headers where the heap has none: op-list text. Which requests fail decides what it frees, so other settings draw other ops. Throws `bad-config` for what malloc.py does not have (next fit, slab pools). */
export function drawMallocPy(opts, draw, header = 0) { return core.drawMallocPy(opts, draw, header); }
/** The most ops `Arena.transcript` writes out (and `mallocPyCommand` answers for). */
export function maxTranscriptOps() { return core.maxTranscriptOps(); }
/**
 * An arena in which `text` runs under first fit with no failed request
 * (`opts`' align and coalesce): first fit's high-water mark, at least the
 * widest alignment asked for; null past `limit` bytes or when the list
 * switches strategy. What a CS:APP trace needs.
 */
export function firstFitArena(opts, text, limit) { return core.firstFitArena(opts ?? {}, utf8(text), limit) ?? null; }
/**
 * An arena in which no fit strategy refuses a request of `text` when the heap
 * grows with sbrk (`opts`' align and header): the bytes of every block it asks
 * for (such a heap grows only when nothing in it fits, by at most the
 * request's block); null past `limit` bytes or when the list switches strategy.
 */
export function sbrkArena(opts, text, limit) { return core.sbrkArena(opts ?? {}, utf8(text), limit) ?? null; }
/** The longest log `lastOp()` explains (past it, it returns null). */
export function maxExplainedOps() { return core.maxExplainedOps(); }
/**
 * Parses a CS:APP .rep trace (CS:APP's header or CMU 15-213's later one): `{ ops (op-list text),
 * format ('cs:app' | 'cmu'), heapHint (CS:APP's; null under CMU's), hintHolds (at least peakPayload),
 * weight, peakPayload (the most bytes requested at once), numIds, numOps, count, ptrIds }`
 * (`ptrIds[k]`: the trace id of `ptr[k]`).
 */
export function parseRep(text) { return core.parseRep(utf8(text)); }
/** Whether the text starts as a CS:APP trace does (header numbers, then an op). */
export function looksLikeRep(text) { return core.looksLikeRep(utf8(text)); }
/** The largest power of two that divides `size` and is at most `align`: the alignment an arena of `size` bytes takes when `align` does not divide it. */
export function alignDividing(size, align) { return core.alignDividing(size, align); }
/** `{ classes, slabSize }` that suit alignment `align`: the same values when they do, else each class rounded up to a multiple of it (as createArena's default classes follow its align). */
export function slabForAlign(fit, align) { return core.slabForAlign(fit?.classes, fit?.slabSize, align); }
/** A seeded workload as op-list text: `{ shape, seed, ops, allocPercent, maxSize }`. */
export function workload(opts) { return core.workload(opts ?? {}); }
/** Checks `workload`'s options without drawing the ops: throws what `workload` would. */
export function checkWorkload(opts) { core.checkWorkload(opts ?? {}); }
/**
 * Runs one op list under several strategies in lockstep:
 * `{ runs: [{ strategy, report, samples, snapshot }], firstDivergence }`.
 */
export function compare(opts, text, strategies = STRATEGIES, every = 1) {
  return core.compare(opts ?? {}, utf8(text), strategies, every);
}
/**
 * `compare` a chunk at a time, for long lists (a page shows progress between chunks):
 *
 *   const c = createComparer(opts, text, strategies, every);   // parses and validates
 *   while (c.done < c.length) { c.step(20000); await nextTick(); }
 *   const result = c.finish();   // what compare() returns; the comparer is spent
 *
 * Call dispose() to drop one that will not be finished.
 */
export class Comparer {
  #inner;

  constructor(opts, text, strategies = STRATEGIES, every = 1) {
    this.#inner = new core.Comparer(opts ?? {}, utf8(text), strategies, every);
  }

  get #c() {
    if (!this.#inner) {
      const e = new Error('this comparison was finished or disposed');
      e.code = 'disposed';
      throw e;
    }
    return this.#inner;
  }

  /** Ops in the list. */
  get length() { return this.#c.length; }
  /** Ops run so far under every strategy. */
  get done() { return this.#c.done; }
  /** Runs up to `n` more ops, or fewer once `ms` milliseconds have passed when given (it looks every 16 ops); returns `done`. */
  step(n, ms) { return this.#c.step(n, ms); }
  /**
   * Runs the rest and returns compare()'s result; releases the comparer.
   * Refused (`host-memory`: wasm memory is full), it keeps the comparer as it was.
   */
  finish() {
    try {
      const result = this.#c.finish();
      this.dispose();
      return result;
    } catch (e) {
      if (e?.code !== 'host-memory') this.dispose();
      throw e;
    }
  }
  /** Releases the comparer's memory. */
  dispose() {
    if (this.#inner) {
      this.#inner.free();
      this.#inner = undefined;
    }
  }
  [Symbol.dispose]() { this.dispose(); }
}
/** `new Comparer(...)`; throws `bad-script` (with .line) or `bad-config` as compare() does. */
export function createComparer(opts, text, strategies = STRATEGIES, every = 1) {
  return new Comparer(opts, text, strategies, every);
}
/** Bytes of wasm linear memory (grows, never shrinks). */
export function memoryBytes() { return core.memoryBytes(); }
