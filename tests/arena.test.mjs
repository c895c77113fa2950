// node --test: drives www/arena.js as a page would.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import {
  init, createArena, checkConfig, slabForAlign, alignDividing, memoryBytes, parseOps, canonicalOps, parseRep, looksLikeRep, parseMallocPy, drawMallocPy, workload, checkWorkload, compare, createComparer, STRATEGIES, ORDERS, maxTranscriptOps, Arena,
} from '../www/arena.js';
import { Model } from './model.mjs';

await init();

const codeOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, 'throws an Error');
    assert.equal(typeof e.message, 'string');
    return e.code;
  }
  assert.fail('expected a throw');
};

const state = (a) => JSON.stringify([a.snapshot().blocks, Array.from(a.read(0, a.snapshot().arenaSize))]);

test('a call before init() has resolved throws an Error with code not-initialized', async () => {
  // A second instance of the module, not yet initialised (the first one is).
  const fresh = await import('../www/arena.js?before-init');
  assert.equal(codeOf(() => fresh.createArena({ size: 64 })), 'not-initialized');
  assert.equal(codeOf(() => fresh.parseOps('+8')), 'not-initialized');
  await fresh.init();
  assert.equal(fresh.createArena({ size: 64 }).alloc(8), 0);
});

test('init() given bytes that are not the module throws not-initialized with the engine’s error as its cause, and a later init() loads', () => {
  // (A process of its own: this one's glue is loaded already.)
  const script = `
    const m = await import(${JSON.stringify(new URL('../www/arena.js', import.meta.url).href)});
    const out = [];
    try { await m.init(new Uint8Array([1, 2, 3])); out.push('loaded'); } catch (e) { out.push(e.code, /could not be loaded/.test(e.message), e.cause instanceof WebAssembly.CompileError); }
    try { m.createArena({}); } catch (e) { out.push(e.code); }
    await m.init();
    out.push(m.createArena({ size: 64 }).alloc(8));
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['not-initialized', true, true, 'not-initialized', 0]);
});

test('the quick-start example works', () => {
  const a = createArena({ size: 1024, strategy: 'first-fit', align: 8, coalesce: true });
  const p = a.alloc(100);
  assert.equal(p, 0);
  assert.equal(a.snapshot().blocks[0].size, 104);
  a.free(p);
  assert.equal(a.snapshot().blocks.length, 1);
  a.strategy = 'best-fit';
  assert.equal(a.strategy, 'best-fit');
  assert.equal(a.snapshot().strategy, 'best-fit');
  a.dispose();
  assert.equal(codeOf(() => a.alloc(1)), 'disposed');
});

test('bad numbers are rejected with bad-argument, never truncated, and change nothing', () => {
  const a = createArena({ size: 256 });
  a.alloc(16);
  const before = state(a);
  for (const bad of ['12', -1, 1.5, NaN, 2 ** 40, undefined, null, {}, [], Infinity, true]) {
    assert.equal(codeOf(() => a.alloc(bad)), 'bad-argument', `alloc(${String(bad)})`);
    assert.equal(codeOf(() => a.free(bad)), 'bad-argument', `free(${String(bad)})`);
    assert.equal(codeOf(() => a.realloc(0, bad)), 'bad-argument');
    assert.equal(codeOf(() => a.allocAligned(8, bad)), 'bad-argument');
    assert.equal(codeOf(() => a.calloc(bad)), 'bad-argument');
    assert.equal(codeOf(() => a.read(bad, 1)), 'bad-argument');
  }
  assert.equal(codeOf(() => createArena({ size: '1024' })), 'bad-argument');
  assert.equal(codeOf(() => createArena({ size: 1.5 })), 'bad-argument');
  // An arena size out of range is the core's config error, worded the same above and below.
  // (2^32 too, which no wasm32 usize holds.)
  for (const size of [0, 2 ** 31, 2 ** 32, 2 ** 60]) {
    assert.throws(() => createArena({ size }), (e) => e.code === 'bad-config'
      && e.message.includes(`arena size ${size} is out of range (1 to 1073741824 bytes)`), `size ${size}`);
  }
  for (const size of [Infinity, -1, -(2 ** 40)]) assert.equal(codeOf(() => createArena({ size })), 'bad-argument', `size ${size}`);
  assert.equal(codeOf(() => createArena({ align: -8 })), 'bad-argument');
  // The range an align is said to take starts at 1 (0 is no alignment: the core refuses it as it refuses 3).
  assert.throws(() => createArena({ align: 1.5 }), /align must be an integer from 1 to 1073741824, got 1\.5/);
  assert.throws(() => a.allocAligned(8, -2), /align must be an integer from 1 to/);
  assert.equal(codeOf(() => createArena({ align: 0 })), 'bad-config');
  // The free list's order is fixed at creation: a coded error, not a TypeError from a missing setter.
  assert.equal(codeOf(() => { a.order = 'size-ascending'; }), 'bad-argument');
  assert.equal(a.order, 'address');
  // The second parameter is the facade's own (rebuild): anything else is refused up front.
  assert.equal(codeOf(() => new Arena({}, {})), 'bad-argument');
  assert.equal(codeOf(() => createArena({ coalesce: 'no' })), 'bad-argument');
  assert.equal(codeOf(() => { a.strategy = 'fastest'; }), 'bad-argument');
  const p = a.snapshot().blocks[0].offset;
  for (const bytes of ['hi', [256], [-1], [1.5], [NaN], [{}], {}, null, undefined]) {
    assert.equal(codeOf(() => a.write(p, bytes)), 'bad-argument', `write(${JSON.stringify(bytes)}) is not coerced`);
  }
  assert.equal(state(a), before);
});

test('hostile values (no string form, throwing getters and traps) are bad-argument and leave the arena usable', () => {
  const a = createArena({ size: 256 });
  const p = a.alloc(16);
  const before = state(a);
  const noString = Object.create(null);
  const throwsOnString = { toString() { throw new Error('boom'); } };
  const throwingArray = [1, 2];
  Object.defineProperty(throwingArray, 1, { get() { throw new Error('boom'); } });
  const hostile = [
    () => a.alloc(noString), () => a.free(throwsOnString), () => a.realloc(p, noString),
    () => a.read(noString, 1), () => { a.strategy = noString; }, () => a.write(p, throwingArray),
    () => a.replay(noString), () => a.validate(throwsOnString), () => a.transcript(noString),
  ];
  for (const call of hostile) {
    assert.equal(codeOf(call), 'bad-argument', String(call));
    // The arena is not left borrowed: it reads, changes and disposes as before.
    assert.equal(state(a), before);
  }
  const message = (fn) => { try { fn(); } catch (e) { return e.message; } return null; };
  assert.match(message(() => a.alloc(noString)), /got a value of type object with no string form$/);
  for (const bad of [
    () => createArena({ size: noString }),
    () => createArena(new Proxy({}, { ownKeys() { throw new Error('boom'); } })),
    () => createArena({ get size() { throw new Error('boom'); } }),
    () => createArena({ classes: throwingArray }),
    () => workload({ seed: noString }),
    () => parseOps(noString),
    () => compare({}, '+8', throwingArray),
  ]) assert.equal(codeOf(bad), 'bad-argument', String(bad));
  // What a message shows of a value: a BigInt and an array are not taken for numbers, a long string is cut.
  assert.match(message(() => a.alloc(5n)), /got the BigInt 5n$/);
  assert.match(message(() => a.alloc([8])), /got an array$/);
  assert.ok(message(() => { a.strategy = 'x'.repeat(100000); }).length < 200, 'a long value is cut short');
  // An array that claims 2^32 - 1 elements (a sparse one) is refused before anything is read or
  // reserved: it used to trap, and a trap poisons the module for every arena on the page.
  const sparse = []; sparse.length = 2 ** 32 - 1;
  for (const [call, words] of [
    [() => a.write(p, sparse), /^bytes takes at most 4096 elements, got 4294967295$/],
    [() => a.write(p, new Uint8Array(5000)), /^bytes takes at most 4096 elements, got 5000$/],
    [() => createArena({ classes: sparse }), /^classes takes at most 1024 elements/],
    [() => checkConfig({ classes: sparse }), /^classes takes at most 1024 elements/],
    [() => compare({}, '+8', sparse), /^strategies takes at most 10 elements/],
    [() => compare({}, '+8', Array(11).fill('first-fit')), /^strategies takes at most 10 elements, got 11$/],
  ]) {
    assert.equal(codeOf(call), 'bad-argument', String(call));
    assert.match(message(call), words);
    assert.equal(state(a), before);
  }
  // Within the guards the core's own rules speak, as before.
  assert.match(message(() => createArena({ classes: Array.from({ length: 17 }, (_, i) => 16 * (i + 1)) })), /between 1 and 16 size classes/);
  a.write(p, new Uint8Array(16).fill(7));
  assert.deepEqual([...a.read(p, 2)], [7, 7]);
  a.free(p);
  a.dispose();
  assert.equal(createArena({ size: 64 }).alloc(8), 0, 'the module still works');
});

test('checkConfig accepts and refuses exactly what createArena does, building nothing', () => {
  const cases = [
    {}, { size: 256 }, { size: 0 }, { size: 2 ** 31 }, { size: 1000, align: 16 }, { align: 64 },
    { align: 64, classes: [64, 128, 256] }, { classes: [16, 8] }, { classes: [] }, { slabSize: 100 },
    { strategy: 'slab', size: 4096 }, { strategy: 'fastest' }, { size: '1024' }, { align: -8 },
  ];
  for (const opts of cases) {
    let want = null;
    try { createArena(opts).dispose(); } catch (e) { want = `${e.code}: ${e.message}`; }
    let got = null;
    try { checkConfig(opts); } catch (e) { got = `${e.code}: ${e.message}`; }
    assert.equal(got, want, JSON.stringify(opts));
  }
  // A 1 GiB arena is checked without allocating one.
  const before = memoryBytes();
  checkConfig({ size: 1 << 30 });
  assert.equal(memoryBytes(), before);
});

test('every core error has its code and leaves the arena unchanged', () => {
  const a = createArena({ size: 256, strategy: 'first-fit', align: 8, coalesce: true });
  const p = a.alloc(40);
  a.write(p, [1, 2, 3]);
  const q = a.alloc(40);
  a.free(q);
  const before = state(a);
  const cases = [
    ['out-of-memory', () => a.alloc(1000)],
    ['invalid-free', () => a.free(8)],
    ['double-free', () => a.free(q)],
    ['zero-size', () => a.alloc(0)],
    ['bad-align', () => a.allocAligned(8, 3)],
    ['out-of-bounds', () => a.write(p, new Uint8Array(41))],
    ['out-of-memory', () => a.realloc(p, 4000)],
    ['bad-script', () => a.replay('+8\n-99')],
  ];
  for (const [code, fn] of cases) {
    assert.equal(codeOf(fn), code);
    assert.equal(state(a), before, `unchanged after ${code}`);
  }
  // Each error's .detail names its fields as the rest of the API does (camelCase).
  const detail = (fn) => { try { fn(); } catch (err) { return err.detail; } return null; };
  assert.deepEqual(detail(() => a.alloc(1000)), { kind: 'outOfMemory', requested: 1000, largestFree: a.stats().largestFree });
  assert.deepEqual(detail(() => a.free(q)), { kind: 'doubleFree', offset: q });
  // A sampling interval of 0 samples nothing: refused, as compare's is.
  for (const every of [0, -1, 1.5]) {
    assert.throws(() => a.replaySampled('+8', every), (err) => err.code === 'bad-argument' && /every must be an integer from 1 to/.test(err.message));
    assert.equal(codeOf(() => compare({ size: 256 }, '+8', ['first-fit'], every)), 'bad-argument');
  }
  assert.equal(state(a), before);
  a.strategy = 'slab';
  assert.equal(codeOf(() => a.alloc(65)), 'too-large');
  assert.equal(codeOf(() => createArena({ size: 100, align: 8 })), 'bad-config');
  assert.equal(codeOf(() => createArena({ strategy: 'fastest' })), 'bad-config');
  const e = (() => { try { a.replay('+8,\n+8,\n-7'); } catch (err) { return err; } })();
  assert.equal(e.line, 3);
  assert.match(e.message, /line 3/);
});

test('the zeroing contract: stale bytes survive free and re-alloc; calloc zeroes', () => {
  const a = createArena({ size: 128, align: 8 });
  const p = a.alloc(8);
  a.write(p, [0xde, 0xad, 0xbe, 0xef]);
  a.free(p);
  assert.deepEqual([...a.read(p, 4)], [0xde, 0xad, 0xbe, 0xef]);
  const q = a.alloc(8);
  assert.equal(q, p);
  assert.deepEqual([...a.read(q, 4)], [0xde, 0xad, 0xbe, 0xef]);
  a.free(q);
  const z = a.calloc(8);
  assert.deepEqual([...a.read(z, 4)], [0, 0, 0, 0]);
});

test('typed block list agrees with the snapshot', () => {
  const a = createArena({ size: 4096, align: 8 });
  const ps = [];
  for (let i = 0; i < 50; i++) ps.push(a.alloc(8 + (i % 7) * 8));
  for (let i = 0; i < 50; i += 3) a.free(ps[i]);
  a.allocAligned(10, 256);
  const t = a.blocksTyped();
  const s = a.snapshot().blocks;
  assert.equal(t.length, s.length);
  s.forEach((b, i) => {
    assert.equal(t.offset[i], b.offset);
    assert.equal(t.size[i], b.size);
    assert.equal(t.free[i] === 1, b.free);
    assert.equal(t.padding[i] === 1, b.padding);
    assert.equal(t.seq[i], b.seq ?? -1);
  });
});

for (const strategy of ['first-fit', 'next-fit', 'best-fit', 'worst-fit']) {
  for (const [align, coalesce, sbrk] of [[8, true, false], [1, false, false], [8, true, true], [1, false, true]]) {
    test(`10,000 random ops match the JS shadow model: ${strategy}, align ${align}, coalesce ${coalesce}${sbrk ? ', the heap growing with sbrk' : ''}`, () => {
      const cfg = { size: 4096, strategy, align, coalesce, sbrk };
      const a = createArena(cfg);
      const m = new Model(cfg);
      let seed = 12345 + strategy.length * 7 + align;
      const rnd = (n) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const live = [];
      const run = (fn) => {
        try { return fn(); } catch (e) { return e.code; }
      };
      for (let i = 0; i < 10_000; i++) {
        const r = rnd(100);
        let got, want, what;
        if (r < 50 || live.length === 0) {
          const n = 1 + rnd(200);
          what = `alloc(${n})`;
          got = run(() => a.alloc(n));
          want = m.alloc(n);
          if (typeof got === 'number') live.push(got);
        } else if (r < 85) {
          const off = live.splice(rnd(live.length), 1)[0];
          what = `free(${off})`;
          got = run(() => (a.free(off), 'ok'));
          want = m.free(off);
        } else if (r < 95) {
          const k = rnd(live.length);
          const n = 1 + rnd(300);
          what = `realloc(${live[k]}, ${n})`;
          got = run(() => a.realloc(live[k], n));
          want = m.realloc(live[k], n);
          if (typeof got === 'number') live[k] = got;
        } else {
          const off = rnd(4200);
          what = `free(${off}) (maybe bad)`;
          got = run(() => (a.free(off), 'ok'));
          want = m.free(off);
          if (got === 'ok') live.splice(live.indexOf(off), 1);
        }
        assert.equal(got, want, `op ${i}: ${what}`);
        const snap = a.snapshot();
        if (typeof want === 'number' && what.startsWith('alloc')) {
          assert.equal(snap.lastSearched, m.searched, `searched count at op ${i}`);
        }
        const layout = snap.blocks.map((b) => `${b.offset}:${b.size}:${b.free ? 'f' : 'u'}:${b.requested}`).join(' ');
        assert.equal(layout, m.layout(), `layout after op ${i}: ${what}`);
        // The statistics count the heap's free blocks (all of them in a fixed arena).
        const heapFree = m.freeIdx().map((k) => m.inHeap(m.blocks[k]));
        assert.deepEqual([snap.stats.freeBlocks, snap.stats.freeBytes, snap.stats.largestFree],
          [heapFree.length, heapFree.reduce((x, y) => x + y, 0), Math.max(0, ...heapFree)], `stats after op ${i}: ${what}`);
      }
      a.checkInvariants();
      for (const off of live) a.free(off);
      if (coalesce) assert.deepEqual(a.snapshot().blocks.map((b) => [b.offset, b.size, b.free]), [[0, 4096, true]]);
    });
  }
}

test('10,000 random slab ops keep chunks in their classes and the invariants', () => {
  const a = createArena({ size: 8192, strategy: 'slab', align: 8 });
  let seed = 99;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const live = new Map();
  for (let i = 0; i < 10_000; i++) {
    if (rnd(2) === 0 || live.size === 0) {
      const n = 1 + rnd(64);
      try {
        const off = a.alloc(n);
        assert.ok(!live.has(off), 'no chunk handed out twice');
        live.set(off, n);
      } catch (e) {
        assert.equal(e.code, 'out-of-memory');
      }
    } else {
      const keys = [...live.keys()];
      const off = keys[rnd(keys.length)];
      a.free(off);
      live.delete(off);
    }
    if (i % 500 === 0) a.checkInvariants();
  }
  const snap = a.snapshot();
  for (const b of snap.blocks.filter((x) => !x.free && x.seq !== null)) {
    assert.ok(b.class >= b.requested && [16, 32, 64].includes(b.class), 'smallest class that holds it');
    assert.equal(live.get(b.offset), b.requested);
    assert.ok(b.requested > b.class / 2 || b.class === 16, 'rounded to the smallest class');
  }
  for (const off of live.keys()) a.free(off);
  assert.equal(a.snapshot().blocks.length, 1, 'empty slabs go back to the arena');
});

test('op lists, traces, workloads and compare reach JS from the core', () => {
  assert.equal(parseOps('+10,+20,-0').count, 3);
  assert.throws(() => parseOps('+10\n+zz'), (e) => e.code === 'bad-script' && e.line === 2);
  // The place is in .line and .column; .reason is the message without it (what a page puts after its own "line 2:").
  assert.throws(() => parseOps('+10\n+zz'), (e) => e.column === 1 && e.message === `line 2, column 1: ${e.reason}` && !/line/.test(e.reason));
  const t = parseRep('2000\n2\n5\n1\na 0 100\na 1 50\nr 0 200\nf 1\nf -1\n');
  assert.equal(t.ops, '+100,+50,r0:200,-1');
  assert.equal(t.numOps, 5);
  // 100 + 50, then 100 grows to 200: 250 at once, which the hint holds.
  assert.deepEqual([t.format, t.heapHint, t.hintHolds, t.weight, t.peakPayload], ['cs:app', 2000, true, 1, 250]);
  // CMU 15-213's header: weight first, peak bytes last, no heap hint.
  const cmu = parseRep('1\n2\n5\n250\na 0 100\na 1 50\nr 0 200\nf 1\nf -1\n');
  assert.deepEqual([cmu.format, cmu.heapHint, cmu.hintHolds, cmu.weight, cmu.peakPayload, cmu.ops], ['cmu', null, false, 1, 250, t.ops]);
  assert.throws(() => parseRep('2000\n2\n5\n1\na 0 100\n'), (e) => e.code === 'bad-script');
  assert.equal(looksLikeRep('6\n12\na 0 2040\n'), true);
  assert.equal(looksLikeRep('+10,-0'), false);
  const w = workload({ shape: 'small-biased', seed: 9, ops: 300, maxSize: 500 });
  assert.equal(w, workload({ shape: 'small-biased', seed: 9, ops: 300, maxSize: 500 }));
  assert.notEqual(w, workload({ shape: 'small-biased', seed: 10, ops: 300, maxSize: 500 }));
  const a = createArena({ size: 65536 });
  const rep = a.replay(w);
  assert.equal(rep.ops, 300);
  assert.equal(a.log(), w);
  const c = compare({ size: 65536, align: 8 }, w, STRATEGIES, 10);
  assert.deepEqual(c.runs.map((r) => r.strategy), STRATEGIES);
  assert.ok(c.runs.every((r) => r.samples.at(-1).step === 300));
  assert.equal(typeof c.firstDivergence, 'number');
  // The peaks are watched after every op: the same from replaySampled and
  // compare, and the highest of the stats taken after each op.
  for (const r of c.runs) {
    const one = createArena({ size: 65536, align: 8, strategy: r.strategy });
    assert.deepEqual(one.replaySampled(w, 10).peaks, r.peaks, r.strategy);
    one.dispose();
    const step = createArena({ size: 65536, align: 8, strategy: r.strategy });
    let ext = [0, 0];
    let blocks = [step.stats().freeBlocks, 0];
    w.split(',').forEach((op, i) => {
      step.replay(op);
      const st = step.stats();
      if (st.externalFragmentation > ext[0]) ext = [st.externalFragmentation, i + 1];
      if (st.freeBlocks > blocks[0]) blocks = [st.freeBlocks, i + 1];
    });
    step.dispose();
    assert.deepEqual([r.peaks.externalFragmentation, r.peaks.externalFragmentationStep], ext, r.strategy);
    assert.deepEqual([r.peaks.freeBlocks, r.peaks.freeBlocksStep], blocks, r.strategy);
    assert.ok(r.peaks.externalFragmentation >= Math.max(...r.samples.map((p) => p.externalFragmentation)));
  }
  // The same comparison a chunk at a time.
  const cmp = createComparer({ size: 65536, align: 8 }, w, STRATEGIES, 10);
  assert.equal(cmp.length, 300);
  for (const bad of [-1, 1.5, 2 ** 40, '70']) {
    assert.equal(codeOf(() => cmp.step(bad)), 'bad-argument', String(bad));
  }
  assert.equal(cmp.done, 0, 'a refused step runs nothing');
  const steps = [];
  while (cmp.done < cmp.length) steps.push(cmp.step(70));
  assert.deepEqual(steps, [70, 140, 210, 280, 300]);
  assert.deepEqual(cmp.finish(), c);
  assert.throws(() => cmp.step(1), (e) => e.code === 'disposed');
  assert.throws(() => createComparer({ size: 65536 }, '+10,-3'), (e) => e.code === 'bad-script');
  assert.throws(() => createComparer({ size: 0 }, '+10'), (e) => e.code === 'bad-config');
  const b = a.rebuild(100);
  assert.equal(b.logLength, 100);
  assert.equal(b.log(), w.split(',').slice(0, 100).join(','));
});

test('options are checked, not coerced: unknown keys, wrong types and ranges are refused', () => {
  const bad = (f, what) => assert.equal(codeOf(f), 'bad-argument', what);
  // A misspelt option would silently fall back to its default.
  bad(() => createArena({ sise: 64 }), 'sise');
  bad(() => createArena({ slab_size: 64 }), 'slab_size');
  bad(() => checkConfig({ strategy: 'best-fit', algin: 3 }), 'algin');
  bad(() => compare({ size: 256, strategey: 'x' }, '+1'), 'compare option');
  assert.throws(() => createArena({ sise: 64 }), (e) => /unknown arena option "sise" \(the options are size, strategy/.test(e.message));
  bad(() => createArena('big'), 'a string');
  // workload: every field checked, none clamped.
  bad(() => workload('phased'), 'a string');
  bad(() => workload({ shape: 5 }), 'shape 5');
  bad(() => workload({ shape: 'bursty' }), 'unknown shape');
  bad(() => workload({ ops: 0 }), 'no ops');
  bad(() => workload({ ops: 2 ** 30 }), 'more ops than an op list holds');
  bad(() => workload({ allocPercent: 101 }), 'allocPercent 101');
  bad(() => workload({ allocPercent: 256 }), 'allocPercent 256 (would wrap a byte)');
  bad(() => workload({ maxSize: 0 }), 'maxSize 0');
  bad(() => workload({ seeds: 3 }), 'unknown key');
  assert.throws(() => workload({ allocPercent: 256 }), (e) => e.message === 'allocPercent must be from 0 to 100, got 256');
  assert.equal(workload({ ops: 5, allocPercent: 100, maxSize: 1 }), '+1,+1,+1,+1,+1', 'the edges of the ranges are taken');
  assert.equal(workload(), workload({}), 'no options: the defaults');
});

test('logSlice reads a window of the log, clamped, and checks its arguments', () => {
  const a = createArena({ size: 4096 });
  a.replay('+10,+20,-0,+30,r1:40,@best-fit,+5');
  const all = a.log().split(',');
  assert.equal(a.logSlice(0, a.logLength), a.log());
  assert.equal(a.logSlice(2, 5), all.slice(2, 5).join(','));
  assert.equal(a.logSlice(5, 100), all.slice(5).join(','));
  assert.equal(a.logSlice(6, 3), '');
  for (const bad of [-1, 1.5, '2', undefined]) {
    assert.equal(codeOf(() => a.logSlice(bad, 3)), 'bad-argument', String(bad));
  }
  a.dispose();
});

test('the timeline reads only new log entries and never changes a list it handed out', async () => {
  const { Session } = await import('../www/js/session.js');
  const api = { createArena, compare, createComparer, parseOps, canonicalOps: (t) => t, STRATEGIES };
  const s = new Session(api, { size: 8192 });
  s.act((a) => a.alloc(16));
  const before = s.tokens();
  assert.deepEqual(before, ['+16']);
  s.act((a) => a.alloc(24));
  s.act((a) => { a.free(a.snapshot().blocks[0].offset); });
  // A window while the cached list is stale comes from the log directly.
  assert.deepEqual(s.slice(1, 3), ['+24', '-0']);
  assert.deepEqual(before, ['+16'], 'an earlier list is not extended in place');
  assert.deepEqual(s.tokens(), s.arena.log().split(','));
  await s.undo();
  assert.deepEqual(s.slice(0, 3), ['+16', '+24', '-0'], 'past and future');
  assert.deepEqual(s.pastTokens(), ['+16', '+24']);
  s.act((a) => a.alloc(8));
  assert.deepEqual(s.tokens(), ['+16', '+24', '+8']);
});

test('the timeline measures how fast its ops replay, and goes in chunks where a replay would hold the page up', async () => {
  const { Session } = await import('../www/js/session.js');
  const api = { createArena, compare, createComparer, parseOps, canonicalOps: (t) => t, STRATEGIES };
  const s = new Session(api, { size: 1 << 20 });
  assert.equal(s.estimateMs(1000), null, 'nothing measured yet');
  assert.ok(s.quick(1e12), 'unmeasured: as quick as before');
  // A free list kept in insertion order, coalescing: every free walks the list.
  const text = workload({ shape: 'phased', seed: 3, ops: 20000, allocPercent: 55, maxSize: 512 });
  await s.load({ size: 1 << 20, order: 'insert-back', coalesce: true }, text);
  const ms = s.estimateMs(20000);
  assert.ok(ms > 0, 'the load measured it');
  assert.equal(s.quick(20000, ms * 2), true);
  assert.equal(s.quick(20000, ms / 2), false);
  // Going back where a rebuild would take longer than a pause goes in chunks (with progress).
  let progress = 0;
  s.addEventListener('progress', () => progress++);
  const slow = !s.quick(19000);
  await s.seek(19000);
  assert.equal(s.position, 19000);
  assert.equal(progress > 0, slow, `chunks exactly when slow (estimate ${s.estimateMs(19000)?.toFixed(0)} ms)`);
  // New settings, a new rate.
  s.reset({ size: 4096 });
  assert.equal(s.estimateMs(1000), null);
});

test('a long load that wasm memory refuses part way keeps what ran, and the rest as the future', async () => {
  const { Session } = await import('../www/js/session.js');
  // The second piece of a chunked replay is refused as a full memory refuses
  // it (before it runs an op); the rest of the calls are the real ones.
  let refuse = true;
  let pieces = 0;
  const patch = (a) => {
    const real = a.replayFor.bind(a);
    a.replayFor = (text, ms) => {
      if (refuse && ++pieces === 2) throw Object.assign(new Error('wasm memory is full'), { code: 'host-memory' });
      return real(text, ms);
    };
    return a;
  };
  const make = (opts) => patch(createArena(opts));
  const api = { createArena: make, compare, createComparer, parseOps, canonicalOps, STRATEGIES };
  const s = new Session(api, { size: 1024 });
  const said = [];
  s.addEventListener('refused', (e) => said.push(e.detail));
  const ops = Array.from({ length: 15_000 }, (_, i) => `+8,-${i}`).join(',');
  // It ends as a cancel does (no throw: the timeline changed, and is whole),
  // and says so with a 'refused' event.
  assert.equal(await s.load({ size: 1024 }, ops), 30_000);
  const ran = s.position;
  assert.ok(ran > 0 && ran < 30_000, `ran ${ran}`);
  assert.equal(said.length, 1);
  assert.equal(said[0].error.code, 'host-memory');
  assert.deepEqual([said[0].ran, said[0].of], [ran, 30_000]);
  assert.equal(s.stoppedBy, 'memory');
  assert.equal(s.total, 30_000, 'the ops that did not run wait after the cursor');
  assert.equal(s.tokens().join(','), ops);
  assert.equal(s.busy, false);
  s.arena.checkInvariants();
  // With memory back, the rest runs.
  refuse = false;
  await s.seek(s.total);
  assert.equal(s.arena.log(), ops);
  assert.equal(s.stoppedBy, null);
  // A forward seek refused part way stops where it got to, the same way.
  await s.seek(0);
  patch(s.arena); // (rebuilt by the core, not by api.createArena)
  refuse = true;
  pieces = 0;
  await s.seek(30_000);
  assert.ok(s.position > 0 && s.position < 30_000);
  assert.equal(said.length, 2);
  assert.equal(s.tokens().join(','), ops);
  // A forward seek refused before its first op ran changed nothing: that one throws.
  const at = s.position;
  pieces = 1;
  const err = await s.seek(30_000).then(() => null, (e) => e);
  assert.equal(err?.code, 'host-memory');
  assert.equal(s.position, at);
  assert.equal(said.length, 2);
  s.arena.dispose();
});

test('failedOps, failedCount and transcript reach JS and check their arguments', () => {
  const a = createArena({ size: 100, align: 1 });
  a.replay('+50,+60,w0@49=aabb,-1,+10');
  assert.deepEqual([...a.failedOps()], [1, 2]);
  assert.deepEqual([...a.failedOps(2, 99)], [2], 'a window, clamped to the log');
  assert.equal(a.failedCount, 2);
  const t = a.transcript(0, 10);
  assert.match(t, /\nptr\[1\] = Alloc\(60\) returned -1 \(searched 1 elements\)\n/);
  assert.match(t, /\nFree\(ptr\[1\]\)\nreturned -1\n/);
  assert.match(a.transcript(), /returned 1000 /, 'base 1000 by default, as malloc.py');
  assert.match(a.transcript(0, 10, 4), /headerSize 4\nalignment -1\n/);
  assert.deepEqual(a.mallocPyCommand(0, 10), { why: 'malloc.py’s ops are +N and -K only, and this run has w0@49=aabb', differs: false, cut: false, drawn: false });
  // A free that malloc.py -A would crash on: it runs these ops, differently.
  const crash = createArena({ size: 100, align: 1 });
  crash.replay('+200,+10,+10,-0');
  assert.deepEqual(crash.mallocPyCommand(0, 10), { why: '-0 frees ptr[0], whose request failed: malloc.py -A keeps no pointer for it and would crash', differs: true, cut: false, drawn: false });
  crash.replay('-1');
  assert.equal(crash.mallocPyCommand(0, 10).differs, true, 'still differs after more ops');
  crash.dispose();
  for (const bad of [-1, 1.5, 'x', 2 ** 31]) {
    assert.equal(codeOf(() => a.transcript(bad, 10)), 'bad-argument', `transcript(${String(bad)})`);
    assert.equal(codeOf(() => a.transcript(0, 10, bad)), 'bad-argument', `transcript header ${String(bad)}`);
    assert.equal(codeOf(() => a.mallocPyCommand(0, 10, bad)), 'bad-argument', `mallocPyCommand header ${String(bad)}`);
    assert.equal(codeOf(() => a.failedOps(bad, 10)), 'bad-argument', `failedOps(${String(bad)})`);
  }
  // The output is bounded: maxOps beyond the core's cap is refused, and a
  // longer log is written up to the cap.
  const cap = maxTranscriptOps();
  assert.equal(codeOf(() => a.transcript(0, cap + 1)), 'bad-argument');
  assert.equal(codeOf(() => a.mallocPyCommand(0, 2 ** 30)), 'bad-argument');
  const long = createArena({ size: 64, align: 1 });
  long.replay(Array.from({ length: cap + 5 }, (_, i) => (i % 2 ? `-${(i - 1) / 2}` : '+8')).join(','));
  const lines = long.transcript(0).split('\n');
  assert.equal(lines.filter((l) => l.startsWith('Free List')).length, cap);
  assert.ok(lines.includes('(5 more ops not shown)'), lines.slice(-4).join('|'));
  long.dispose();
  a.dispose();
});

test('a malloc.py command without -A: its draw reaches JS, and transcript and mallocPyCommand take it back, checked', () => {
  const r = parseMallocPy('python3 malloc.py -S 64 -p FIRST -C -s 7 -n 30 -r 12 -P 60');
  assert.deepEqual(r.draw, { seed: 7, numOps: 30, range: 12, percentAlloc: 60 });
  assert.equal(parseOps(r.ops).count, 30);
  assert.equal(parseMallocPy('malloc.py -A +1,-0').draw, null);
  const a = createArena({ size: r.size, align: r.align, strategy: r.strategy, coalesce: r.coalesce });
  a.replay(r.ops);
  const t = a.transcript(1000, 100, 0, r.draw);
  assert.match(t, /^seed 7\n.*\nnumOps 30\nrange 12\npercentAlloc 60\nallocList \ncompute True\n/s);
  assert.deepEqual(a.mallocPyCommand(1000, 100, 0, r.draw), { command: 'python3 malloc.py -S 64 -b 1000 -H 0 -a -1 -p FIRST -l ADDRSORT -C -s 7 -n 30 -r 12 -P 60 -c', drawn: true });
  // The transcript is the draw's even where no command prints it (a cut log).
  assert.deepEqual(a.mallocPyCommand(1000, 10, 0, r.draw), { why: 'it is written out for 10 ops at most', differs: false, cut: true, drawn: true });
  // Without the draw (or with another one) the same ops are an -A run.
  assert.match(a.transcript(1000, 100), /\nallocList \+/);
  assert.match(a.mallocPyCommand(1000, 100, 0, { ...r.draw, seed: 8 }).command, / -c -A \+/);
  assert.equal(a.mallocPyCommand(1000, 100, 0, { ...r.draw, seed: 8 }).drawn, false);
  for (const bad of [5, 'x', { seed: 1 }, { ...r.draw, extra: 1 }, { ...r.draw, seed: 0.5 }, { ...r.draw, percentAlloc: 0 }, { ...r.draw, numOps: 0 }, { ...r.draw, seed: 2 ** 53 }]) {
    assert.equal(codeOf(() => a.transcript(1000, 100, 0, bad)), 'bad-argument', `transcript draw ${JSON.stringify(bad)}`);
    assert.equal(codeOf(() => a.mallocPyCommand(1000, 100, 0, bad)), 'bad-argument', `mallocPyCommand draw ${JSON.stringify(bad)}`);
  }
  a.dispose();
});

test('the free list order reaches JS: createArena takes it, checked; snapshot, initialConfig and lastOp say it; malloc.py -l sets it', () => {
  // Best fit in 100 bytes; ptr[0] and ptr[2] freed leave two free holes that a
  // smallest-first list walks in size order.
  for (const order of ORDERS) {
    const a = createArena({ size: 100, align: 1, strategy: 'first-fit', coalesce: true, order });
    assert.equal(a.snapshot().order, order);
    assert.equal(a.initialConfig().order, order);
    a.replay('+30,+10,+20,+10,-0,-2,+15');
    assert.equal(a.lastOp().order, order);
    // Free: 30 B at 0, 20 B at 40, and the 30 B top at 70 (free from the start).
    // First fit takes the first in the list that fits: by address 0; smallest
    // first 40; largest first the top (equal sizes keep their order, and the
    // top was there first); last freed first 40; last freed last the top.
    const want = { address: 0, 'size-ascending': 40, 'size-descending': 70, 'insert-front': 40, 'insert-back': 70 }[order];
    assert.equal(a.lastOp().block.offset, want, order);
    a.dispose();
  }
  assert.equal(createArena({}).snapshot().order, 'address', 'by address by default');
  assert.equal(codeOf(() => createArena({ order: 'random' })), 'bad-config');
  assert.equal(codeOf(() => createArena({ order: 3 })), 'bad-argument');
  const r = parseMallocPy('malloc.py -p BEST -l SIZESORT- -C -A +5,+10,-0');
  assert.equal(r.order, 'size-descending');
  assert.equal(parseMallocPy('malloc.py -A +5').order, 'address');
  const b = createArena({ size: r.size, align: r.align, strategy: r.strategy, coalesce: r.coalesce, order: r.order });
  b.replay(r.ops);
  assert.match(b.transcript(), /\nlistOrder SIZESORT-\n/);
  assert.match(b.mallocPyCommand().command, / -l SIZESORT- -C -c -A \+5,\+10,-0$/);
  b.dispose();
});

test('a header (malloc.py -H) reaches JS: each block grows by it, blocks start anywhere, and the malloc.py text is the heap’s own', () => {
  // malloc.py -S 102 -a 4 -H 3: a request of n takes n rounded up to 4, plus 3.
  const a = createArena({ size: 102, align: 4, strategy: 'first-fit', header: 3 });
  assert.equal(a.snapshot().header, 3);
  assert.equal(a.initialConfig().header, 3);
  assert.deepEqual([a.alloc(5), a.alloc(8)], [0, 11]);
  assert.deepEqual(a.snapshot().blocks.map((b) => [b.offset, b.size, b.requested, b.free]), [[0, 11, 5, false], [11, 11, 8, false], [22, 80, 0, true]]);
  assert.equal(a.stats().internalFragmentation, 9, 'headers and rounding are internal fragmentation');
  a.checkInvariants();
  // The view writes the heap's header, whatever -H it is asked for.
  assert.match(a.transcript(0, 100, 0), /\nheaderSize 3\n/);
  assert.match(a.mallocPyCommand(0, 100, 0).command, / -H 3 -a 4 /);
  a.dispose();
  assert.equal(createArena({}).snapshot().header, 0, 'none by default');
  const huge = createArena({ size: 64, header: 65 });
  assert.equal(codeOf(() => huge.alloc(1)), 'out-of-memory', 'a header larger than the arena fails every request, as in malloc.py');
  huge.dispose();
  assert.equal(codeOf(() => createArena({ header: -1 })), 'bad-argument');
  assert.equal(codeOf(() => createArena({ size: 102, align: 4 })), 'bad-config', 'without a header the size is a multiple of align');
  // A malloc.py command with -H builds that heap: the same blocks as its free list.
  const r = parseMallocPy('./malloc.py -n 10 -H 4 -p FIRST -s 0');
  assert.equal(r.header, 4);
  const b = createArena({ size: r.size, align: r.align, strategy: r.strategy, coalesce: r.coalesce, order: r.order, header: r.header });
  b.replay(r.ops);
  const free = b.snapshot().blocks.filter((x) => x.free).map((x) => `[ addr:${1000 + x.offset} sz:${x.size} ]`).join('');
  assert.ok(b.transcript(1000, 100, 0, r.draw).trimEnd().endsWith(free), free);
  b.dispose();
});

test('default slab classes follow an alignment above them; given ones are checked as given', () => {
  for (const [align, classes, slabSize] of [[8, [16, 32, 64], 256], [32, [32, 64, 128], 256], [128, [128, 256, 512], 512], [4096, [4096, 8192, 16384], 16384]]) {
    const opts = { size: 1 << 16, align };
    assert.equal(checkConfig(opts), undefined);
    const a = createArena(opts);
    assert.deepEqual([a.initialConfig().classes, a.initialConfig().slabSize], [classes, slabSize], `align ${align}`);
    a.strategy = 'slab';
    assert.equal(a.alloc(1) % align, 0);
    a.dispose();
    assert.deepEqual(slabForAlign({ classes: [16, 32, 64], slabSize: 256 }, align), { classes, slabSize });
  }
  // Classes given are the caller's: the core refuses them rather than move them.
  assert.equal(codeOf(() => createArena({ align: 32, classes: [16, 32, 64] })), 'bad-config');
  // So is a slab size given: kept as given (0 once became 64), and refused
  // when it does not suit the classes; a larger one stays.
  assert.equal(codeOf(() => createArena({ size: 1024, slabSize: 0 })), 'bad-config');
  assert.throws(() => createArena({ size: 1024, slabSize: 32 }), /slab size 32 must hold the largest class \(64\)/);
  assert.throws(() => createArena({ size: 1024, align: 32, slabSize: 64 }), /slab size 64 must hold the largest class \(128\)/);
  assert.deepEqual(createArena({ size: 4096, align: 32, slabSize: 512 }).initialConfig().slabSize, 512);
  assert.equal(codeOf(() => slabForAlign({ classes: 'x', slabSize: 256 }, 8)), 'bad-argument');
  for (const fit of [undefined, null, 5]) assert.equal(codeOf(() => slabForAlign(fit, 8)), 'bad-argument');
  for (const align of [3, 0, 48]) assert.equal(codeOf(() => slabForAlign({ classes: [16, 32, 64], slabSize: 256 }, align)), 'bad-align', String(align));
  // A huge alignment gives classes an arena can hold (never above 2^30): fewer of them, and a
  // configuration that checks (these once came out as 2^31 and 4294967295, and were refused).
  assert.deepEqual(slabForAlign({ classes: [16, 32, 64], slabSize: 256 }, 2 ** 29), { classes: [2 ** 29, 2 ** 30], slabSize: 2 ** 30 });
  assert.deepEqual(slabForAlign({ classes: [16, 32, 64], slabSize: 256 }, 2 ** 30), { classes: [2 ** 30], slabSize: 2 ** 30 });
  for (const align of [2 ** 29, 2 ** 30]) {
    assert.equal(checkConfig({ size: 2 ** 30, align }), undefined);
    assert.equal(checkConfig({ size: 2 ** 30, align, ...slabForAlign({ classes: [16, 32, 64], slabSize: 256 }, align) }), undefined);
  }
  assert.equal(codeOf(() => slabForAlign({ classes: [16], slabSize: -1 }, 8)), 'bad-argument');
});

test('checkWorkload throws what workload would, without drawing the ops', () => {
  const good = { shape: 'phased', seed: 4, ops: 5_000_000, allocPercent: 60, maxSize: 64 };
  assert.equal(checkWorkload(good), undefined);
  for (const bad of [{ ops: 0 }, { ops: 1e9 }, { maxSize: 0 }, { allocPercent: 101 }, { shape: 'spiky' }, { seed: -1 }, { colour: 'red' }]) {
    const opts = { ...good, ops: 10, ...bad };
    let want;
    try { workload(opts); } catch (e) { want = [e.code, e.message]; }
    let got;
    try { checkWorkload(opts); } catch (e) { got = [e.code, e.message]; }
    assert.ok(want, `workload refuses ${JSON.stringify(bad)}`);
    assert.deepEqual(got, want);
  }
  // One wording for a count out of range, an integer or not.
  const msg = (opts) => { try { workload({ ...good, ...opts }); } catch (e) { return e.message.replace(/, got .*/, ''); } return null; };
  assert.equal(msg({ ops: -5 }), msg({ ops: 0 }));
  assert.equal(msg({ ops: 2.5 }), msg({ ops: 0 }));
  assert.equal(msg({ maxSize: -1 }), msg({ maxSize: 0 }));
});

test('alignDividing: the alignment an arena size takes when the one asked for does not divide it', () => {
  assert.deepEqual([[1000, 16], [1024, 16], [100, 8], [7, 8]].map(([s, a]) => alignDividing(s, a)), [8, 16, 4, 1]);
  // The arena takes it.
  assert.equal(checkConfig({ size: 1000, align: alignDividing(1000, 16) }), undefined);
  assert.equal(codeOf(() => alignDividing(-1, 8)), 'bad-argument');
  assert.equal(codeOf(() => alignDividing(100, 'x')), 'bad-argument');
});

test('replayFor stops once its time is up (looking every 16 ops), and the rest runs on as if in one go', () => {
  const text = canonicalOps(workload({ shape: 'uniform', seed: 3, ops: 200, allocPercent: 60, maxSize: 64 }));
  const whole = createArena({ size: 4096, strategy: 'best-fit' });
  whole.replay(text);
  const a = createArena({ size: 4096, strategy: 'best-fit' });
  const toks = text.split(',');
  let at = 0;
  while (at < toks.length) {
    // No time at all: the first 16 ops run, then it stops.
    const { ops } = a.replayFor(toks.slice(at).join(','), 0);
    assert.equal(ops, Math.min(16, toks.length - at));
    at += ops;
  }
  assert.equal(a.log(), whole.log());
  assert.deepEqual(a.snapshot().blocks, whole.snapshot().blocks);
  // Time enough: all of it. A bad list: nothing, as replay.
  const b = createArena({ size: 4096 });
  assert.equal(b.replayFor(text, 60_000).ops, toks.length);
  assert.equal(codeOf(() => b.replayFor('+8,-99999', 10)), 'bad-script');
  assert.equal(b.logLength, toks.length);
  assert.equal(codeOf(() => b.replayFor('+8', -1)), 'bad-argument');
  for (const x of [whole, a, b]) x.dispose();
});

test('the largest arena under a huge alignment builds, and its initialConfig() builds it again', async () => {
  // In a process of its own: two 1 GiB arenas would leave this one's wasm memory that large.
  const { execFileSync } = await import('node:child_process');
  const script = `
    import { init, createArena } from ${JSON.stringify(new URL('../www/arena.js', import.meta.url).href)};
    await init();
    const out = [];
    for (const align of [2 ** 29, 2 ** 30]) {
      const a = createArena({ size: 2 ** 30, align, strategy: 'first-fit' });
      const cfg = a.initialConfig();
      const p = a.alloc(1);
      a.dispose();
      const b = createArena(cfg);
      out.push({ align, p, cfg, same: JSON.stringify(b.initialConfig()) === JSON.stringify(cfg) });
      b.dispose();
    }
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out.map(({ align, p, cfg, same }) => [align, p, cfg.classes, cfg.slabSize, same]), [
    [2 ** 29, 0, [2 ** 29, 2 ** 30], 2 ** 30, true],
    [2 ** 30, 0, [2 ** 30], 2 ** 30, true],
  ]);
});

test('every export of arena.js and widget.js is one the README documents', async () => {
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const arenaExports = Object.keys(await import('../www/arena.js'));
  // (widget.js needs a DOM: its exports are read from its text.)
  const widgetSrc = readFileSync(new URL('../www/widget.js', import.meta.url), 'utf8');
  const widgetExports = [
    ...[...widgetSrc.matchAll(/^export (?:const|function|class) (\w+)/gm)].map((m) => m[1]),
    ...[...widgetSrc.matchAll(/^export \{([^}]+)\}/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim())),
  ];
  assert.ok(arenaExports.length > 20 && widgetExports.length >= 5);
  const missing = [...arenaExports, ...widgetExports].filter((name) => !new RegExp(`\`${name}\\b`).test(readme));
  assert.deepEqual(missing, [], 'exports the README does not name');
});

test('sbrk: a heap that grows reuses a hole that a fixed arena passes over, says how much it grew, and refuses a non-boolean', () => {
  const ops = '+64,+16,-0,+8';
  const fixed = createArena({ size: 1024, strategy: 'worst-fit', align: 8 });
  const grows = createArena({ size: 1024, strategy: 'worst-fit', align: 8, sbrk: true });
  assert.equal(fixed.sbrk, false);
  assert.equal(grows.sbrk, true);
  assert.equal(grows.initialConfig().sbrk, true);
  assert.equal(grows.snapshot().sbrk, true);
  fixed.replay(ops);
  grows.replay(ops);
  // Worst fit: the fixed arena's largest block is its untouched top; the
  // heap's is the 64-byte hole at 0 (the top has no bytes in the heap yet).
  assert.equal(fixed.snapshot().blocks.find((b) => b.seq === 2).offset, 80);
  assert.equal(grows.snapshot().blocks.find((b) => b.seq === 2).offset, 0);
  assert.equal(grows.stats().highWater, 80);
  assert.deepEqual([grows.lastOp().heapEnd, grows.lastOp().grew], [80, 0]);
  const p = grows.alloc(100);
  assert.equal(p, 80);
  assert.deepEqual([grows.lastOp().sbrk, grows.lastOp().heapEnd, grows.lastOp().grew], [true, 80, 104]);
  // Fixed when made, like the order: setting it throws and changes nothing.
  assert.equal(codeOf(() => { grows.sbrk = false; }), 'bad-argument');
  assert.equal(grows.sbrk, true);
  for (const bad of ['yes', 1, null]) {
    assert.equal(codeOf(() => createArena({ size: 64, sbrk: bad })), 'bad-argument', String(bad));
    assert.equal(codeOf(() => checkConfig({ size: 64, sbrk: bad })), 'bad-argument', String(bad));
  }
  // compare() runs each strategy in a heap that grows, as the config says.
  const cmp = compare({ size: 1024, align: 8, sbrk: true }, ops, ['first-fit', 'worst-fit']);
  assert.deepEqual(cmp.runs.map((r) => [r.strategy, r.snapshot.sbrk, r.snapshot.stats.highWater]), [['first-fit', true, 80], ['worst-fit', true, 80]]);
  for (const a of [fixed, grows]) a.dispose();
});

test('lastOp() asked as the ops run answers as a freshly rebuilt arena does (the arena keeps the state before the op)', () => {
  // The arena keeps what lastOp() compares against and brings it forward;
  // rebuild(n) hands back a new arena, which replays the whole log instead.
  let seed = 76;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (const opts of [{ size: 2048, strategy: 'next-fit' }, { size: 2048, strategy: 'best-fit', sbrk: true, header: 8 }]) {
    const a = createArena(opts);
    const live = [];
    for (let i = 0; i < 400; i++) {
      const r = rand(100);
      if (r < 35 || live.length === 0) {
        try { live.push(a.alloc(1 + rand(120))); } catch { /* refused: logged too */ }
      } else if (r < 40) {
        try { live.push(rand(2) ? a.calloc(1 + rand(40)) : a.allocAligned(1 + rand(40), 32)); } catch { /* refused */ }
      } else if (r < 70) {
        a.free(live.splice(rand(live.length), 1)[0]);
      } else if (r < 78) {
        const k = rand(live.length);
        try { live[k] = a.realloc(live[k], 1 + rand(150)); } catch { /* refused: the block stays */ }
      } else if (r < 85) {
        a.write(live[rand(live.length)], new Uint8Array([1, 2, 3].slice(0, 1 + rand(3))));
      } else if (r < 93) {
        a.strategy = STRATEGIES[rand(STRATEGIES.length)];
      } else {
        a.coalesce = !a.coalesce;
      }
      if (i % 5 === 3) continue; // now and then two ops between questions
      const fresh = a.rebuild(a.logLength);
      assert.deepEqual(a.lastOp(), fresh.lastOp(), `op ${a.logLength}`);
      fresh.dispose();
    }
    a.dispose();
  }
});

test('lastRequestStep is the step of the last malloc, calloc or realloc: the one whose search stats().lastSearched counts', () => {
  const a = createArena({ size: 256 });
  assert.equal(a.lastRequestStep, 0, 'none yet');
  a.replay('+10,+20,-0,@best-fit');
  assert.equal(a.lastRequestStep, 2);
  a.realloc(16, 8);
  assert.equal(a.lastRequestStep, 5, 'a realloc in place');
  assert.equal(a.stats().lastSearched, 0);
  assert.equal(codeOf(() => a.alloc(1000)), 'out-of-memory');
  assert.equal(a.lastRequestStep, 6, 'a refused request too');
  a.free(16);
  assert.equal(a.lastRequestStep, 6);
  a.dispose();
});

test('lastOpReplays says what the next lastOp() will replay; a comparer step with ms stops when the time is up', () => {
  const a = createArena({ size: 4096 });
  a.replay('+8,+16,-0,+24,+32,-1,+8,+8,-2,+4');
  assert.equal(a.lastOpReplays, 9, 'a new arena: the whole log but its last op');
  a.lastOp();
  assert.equal(a.lastOpReplays, 0, 'kept');
  a.alloc(8);
  a.alloc(8);
  assert.equal(a.lastOpReplays, 2, 'the ops since');
  a.forgetLastOp();
  assert.equal(a.lastOpReplays, 11, 'let go: the whole log but its last op again');
  const b = a.rebuild(5);
  assert.equal(b.lastOpReplays, 0, 'a rebuilt arena keeps the state before its last op');
  const fresh = createArena({ size: 4096 });
  fresh.replay(b.log());
  assert.equal(fresh.lastOpReplays, 4);
  assert.deepEqual(b.lastOp(), fresh.lastOp());
  // Kept by hand (an arena brought to a step by replaying from the start): the next op's account replays nothing.
  assert.equal(fresh.keepForLastOp(), true);
  fresh.alloc(12);
  assert.equal(fresh.lastOpReplays, 0);
  b.alloc(12);
  assert.deepEqual(fresh.lastOp(), b.lastOp());
  fresh.dispose();
  b.dispose();
  a.dispose();
  const text = workload({ seed: 9, ops: 5000, allocPercent: 55, maxSize: 64 });
  const c = createComparer({ size: 1 << 16 }, text, ['first-fit', 'best-fit'], 100);
  assert.equal(c.step(1000, 0), 16, 'no time at all: the first 16 ops, then it looks');
  assert.equal(c.step(1000), 1016, 'without ms, all it was asked');
  assert.equal(codeOf(() => c.step(10, -1)), 'bad-argument');
  assert.equal(c.done, 1016, 'refused, it ran nothing');
  while (c.done < c.length) c.step(700, 1000);
  assert.deepEqual(c.finish().runs.map((r) => r.snapshot.stats), compare({ size: 1 << 16 }, text, ['first-fit', 'best-fit'], 100).runs.map((r) => r.snapshot.stats));
});

test('drawMallocPy draws what malloc.py draws under the settings given: other settings, other ops', () => {
  const r = parseMallocPy('./malloc.py -n 200 -s 3 -p BEST');
  const c = parseMallocPy('./malloc.py -n 200 -s 3 -p BEST -C -H 4');
  const opts = { size: r.size, strategy: r.strategy, align: r.align, coalesce: r.coalesce };
  assert.equal(drawMallocPy(opts, r.draw), r.ops);
  assert.equal(drawMallocPy({ ...opts, coalesce: true }, r.draw, 4), c.ops);
  assert.notEqual(c.ops, r.ops);
  assert.equal(codeOf(() => drawMallocPy({ ...opts, strategy: 'next-fit' }, r.draw)), 'bad-config');
  assert.equal(codeOf(() => drawMallocPy(opts, null)), 'bad-argument');
  assert.equal(codeOf(() => drawMallocPy(opts, { ...r.draw, numOps: -1 })), 'bad-argument');
});
