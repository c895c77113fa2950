// node --test: the API when wasm memory is nearly full. A wasm32 memory stops
// at 4 GiB, and an allocation Rust cannot get there aborts the module
// (`RuntimeError: unreachable`, the call half done). Every call must instead
// work, or throw an Error with a code (`host-memory` when the memory is the
// reason), leaving the arena as it was.
//
// The memory is filled from JS (`memory.grow`), which the allocator inside
// does not know about: its next request for more pages fails, as when
// arenas and timelines have taken the 4 GiB. The pages are never touched, so
// the test costs no real memory. (A file of its own: the module stays full.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillWasmMemory } from './browser.mjs';
import {
  init, createArena, checkConfig, workload, parseOps, canonicalOps, parseRep, parseMallocPy, compare, createComparer, firstFitArena, memoryBytes,
} from '../www/arena.js';

await init();

/** Runs `fn`; returns 'ok' or the code of the Error it threw (never a trap). */
function outcome(fn) {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `a trap: ${e.message}`);
    assert.ok(e instanceof Error, 'throws an Error');
    assert.equal(typeof e.code, 'string', `${e.message} has a code`);
    return e.code;
  }
}

/** What must not change when a call is refused. */
const state = (a) => JSON.stringify([a.logLength, a.nextPtr, a.failedCount, a.stats()]);

// Built while memory is plentiful: an arena with a long log (a few MB of
// records), and the texts the calls below are handed.
const big = createArena({ size: 1 << 20, strategy: 'best-fit' });
big.replay(workload({ seed: 3, ops: 300_000, allocPercent: 50, maxSize: 64 }));
const small = createArena({ size: 4096 });
small.replay('+8,+16,-0');
const longText = workload({ seed: 1, ops: 400_000, allocPercent: 50, maxSize: 256 });
// A comparison started while there was room, stepped once memory is full.
const comparer = createComparer({ size: 1 << 20 }, workload({ seed: 5, ops: 100_000, allocPercent: 50, maxSize: 64 }), ['first-fit', 'best-fit']);
const repText = `0\n2\n${2 * 60_000}\n1\n${Array.from({ length: 60_000 }, (_, i) => `a ${i % 2} 8\nf ${i % 2}`).join('\n')}\n`;

// Now fill the memory, to the last bytes (see fillWasmMemory).
await fillWasmMemory(new URL('../www/', import.meta.url).href);
const fillers = globalThis.__fillers;
assert.ok(memoryBytes() >= 2 ** 32 - (1 << 20), 'the pages taken');

test('calls that need more memory than is left are refused with host-memory, and change nothing', () => {
  const before = [state(big), state(small)];
  const calls = {
    'replay': () => small.replay(longText),
    'replayFor': () => small.replayFor(longText, 1000),
    'replaySampled': () => small.replaySampled(longText, 1),
    'validate': () => small.validate(longText),
    'workload': () => workload({ seed: 2, ops: 2_000_000, allocPercent: 50, maxSize: 64 }),
    'parseOps': () => parseOps(longText),
    'canonicalOps': () => canonicalOps(longText),
    'parseRep': () => parseRep(repText),
    'compare': () => compare({ size: 4 << 20 }, '+8,-0'),
    'createComparer': () => createComparer({ size: 4 << 20 }, '+8,-0'),
    'firstFitArena': () => firstFitArena({}, longText, 1 << 30),
    'createArena': () => createArena({ size: 64 << 20 }),
    'Comparer.step': () => comparer.step(100_000),
    'Comparer.finish': () => comparer.finish(),
    // The malloc.py view replays the log in an arena of its own.
    'transcript': () => big.transcript(),
    'parseMallocPy': () => parseMallocPy('./malloc.py -n 10 -s 0'),
    'checkConfig': () => checkConfig({ size: 64 << 20, classes: [8, 16, 32, 64, 128, 256, 512, 1024] }),
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.equal(outcome(call), 'host-memory', name);
  }
  assert.deepEqual([state(big), state(small)], before);
  assert.equal(comparer.done, 0);
  // A copy kept for lastOp() is left out, not an error: the memory may not hold one.
  assert.equal(small.keepForLastOp(), false);
  assert.equal(small.lastOpReplays, 2, 'nothing kept');
  assert.ok(['ok', 'host-memory'].includes(outcome(() => small.mallocPyCommand())));
  // An arena of any size: made, or refused; its records beside it as well
  // as its bytes (room for 2 KiB of bytes alone once trapped).
  for (let size = 16; size <= 1 << 16; size *= 2) {
    const code = outcome(() => createArena({ size }).dispose());
    assert.ok(['ok', 'host-memory'].includes(code), `${size}: ${code}`);
  }
  const e = (() => { try { workload({ ops: 2_000_000 }); } catch (err) { return err; } })();
  assert.match(e.message, /not enough memory: this may take up to \d+ MiB more/);
});

test('single ops near the limit work, or are refused whole; none traps', () => {
  // The long log grows by doubling: one op in a while needs megabytes at once.
  // (Here at once: a replay reserves the log exactly, so the next op
  // doubles it.)
  const seen = new Set();
  let p = null;
  for (let i = 0; i < 400_000 && !seen.has('host-memory'); i++) {
    const before = state(big);
    const code = outcome(() => {
      if (p === null) p = big.alloc(8);
      else {
        big.free(p);
        p = null;
      }
    });
    seen.add(code);
    if (code !== 'ok') assert.equal(state(big), before, `op ${i} was refused (${code}) but changed the arena`);
  }
  assert.ok(seen.has('host-memory'), `a refusal came (${[...seen]})`);
  // Reads of the whole state: a list or a text, or a refusal.
  for (const read of [() => big.log(), () => big.snapshot(), () => big.blocksTyped(), () => big.freeListOffsets(), () => big.rebuild(big.logLength)]) {
    assert.ok(['ok', 'host-memory'].includes(outcome(read)));
  }
  for (const a of [small, big]) assert.ok(['ok', 'host-memory'].includes(outcome(() => a.checkInvariants())));
});

test('once arenas are disposed, what they held serves the calls refused before', () => {
  big.dispose();
  for (const f of fillers) f.dispose();
  const a = createArena({ size: 1 << 16 });
  const r = a.replay(workload({ seed: 4, ops: 20_000, allocPercent: 50, maxSize: 32 }));
  assert.equal(r.ops, 20_000);
  a.checkInvariants();
  small.checkInvariants();
});
