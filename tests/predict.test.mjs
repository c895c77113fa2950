// node --test: predict mode's questions and answers (www/js/predict.js)
// against the core. Each answer the page grades with is read from
// lastOp(); here it is checked against the blocks themselves, before and
// after every op of random op lists under every strategy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createArena, parseOps, workload, STRATEGIES } from '../www/arena.js';
import { questionFor, answerOf, answerWords, readOffset } from '../www/js/predict.js';

await init();

/** The question for each op of `text`, asked and answered as the page does, with the blocks around it. */
function* predictions(config, text) {
  const a = createArena(config);
  try {
    for (const token of text.split(',')) {
      const [op] = parseOps(token).ops;
      const before = a.snapshot();
      const q = questionFor(op, { step: a.logLength + 1, nextPtr: before.nextPtr, mode: a.strategy, coalesce: a.coalesce, classes: before.classes });
      a.replay(token);
      const after = a.snapshot();
      yield { op, q, before, after, answer: q ? answerOf(q, a.lastOp()) : undefined };
    }
  } finally {
    a.dispose();
  }
}

/** The block that ptr `k` names in `snap`, or undefined. */
const blockOf = (snap, k) => snap.blocks.find((b) => !b.free && b.seq === k);

test('every answer agrees with the blocks before and after the op, under every strategy', () => {
  let asked = { place: 0, merge: 0, null: 0, both: 0 };
  for (const strategy of STRATEGIES) {
    for (const seed of [1, 2, 3]) {
      const ops = workload({ shape: 'uniform', seed, ops: 300, allocPercent: 55, maxSize: 48 });
      for (const { op, q, before, after, answer } of predictions({ size: 1024, strategy, align: 8 }, ops)) {
        if (!q) {
          // Only frees go unasked, and only where nothing can merge.
          assert.ok(op.op === 'free' && strategy === 'slab', `${op.op} under ${strategy} has a question`);
          continue;
        }
        asked[q.kind]++;
        if (q.kind === 'place') {
          const k = op.op === 'realloc' ? op.ptr : before.nextPtr;
          assert.equal(q.call.startsWith(`ptr[${k}] = `), true, q.call);
          const b = blockOf(after, k);
          if (answer === null) {
            asked.null++;
            // NULL: no new block for k (a failed realloc keeps the old one).
            if (op.op === 'realloc') assert.deepEqual(b, blockOf(before, k));
            else assert.equal(b, undefined);
          } else {
            assert.equal(answer, b.offset, `${q.call} under ${strategy}`);
          }
        } else {
          // What the freed block's bytes are part of afterwards, compared with its neighbours before.
          const freed = blockOf(before, op.ptr);
          const i = before.blocks.indexOf(freed);
          const prevFree = !!freed && before.blocks[i - 1]?.free === true;
          const nextFree = !!freed && before.blocks[i + 1]?.free === true;
          const expect = prevFree && nextFree ? 'both' : prevFree ? 'before' : nextFree ? 'after' : 'none';
          assert.equal(answer, expect, `${q.call} under ${strategy}, seed ${seed}`);
          if (answer === 'both') asked.both++;
        }
      }
    }
  }
  // The workloads reach every kind of answer.
  for (const [k, n] of Object.entries(asked)) assert.ok(n > 0, `some ${k} answers (${JSON.stringify(asked)})`);
});

test('frees are asked only when something can merge; writes and switches never', () => {
  const kinds = (config, text) => [...predictions(config, text)].map(({ q }) => q?.kind ?? null);
  assert.deepEqual(kinds({ size: 256 }, '+8,+8,w0=ff,-0,@best-fit,+4@16,c8,r1:24'), ['place', 'place', null, 'merge', null, 'place', 'place', 'place']);
  assert.deepEqual(kinds({ size: 256, coalesce: false }, '+8,-0'), ['place', null]);
  assert.deepEqual(kinds({ size: 256, strategy: 'slab' }, '+8,-0'), ['place', null]);
  const [, , , free] = predictions({ size: 256 }, '+8,+8,w0=ff,-0');
  assert.equal(free.q.call, 'free(ptr[0])');
  assert.equal(free.q.under, 'First fit');
  assert.equal(free.q.step, 4);
});

test('an offset is a whole number inside the arena, or NULL; anything else is refused with a reason', () => {
  assert.deepEqual(readOffset(' 32 ', 100), { value: 32 });
  assert.deepEqual(readOffset('0x20', 100), { value: 32 });
  for (const t of ['NULL', 'null', '-1']) assert.deepEqual(readOffset(t, 100), { value: null });
  assert.match(readOffset('', 100).error, /Type the offset/);
  assert.match(readOffset('12.5', 100).error, /not an offset/);
  assert.match(readOffset('<b>1</b>', 100).error, /not an offset/);
  assert.match(readOffset('100', 100).error, /0 to 99/);
  assert.equal(answerWords({ kind: 'place' }, null), 'returned NULL');
  assert.equal(answerWords({ kind: 'merge' }, 'both'), 'merges with the free blocks on both sides');
});
