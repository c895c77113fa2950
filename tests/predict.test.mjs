// node --test: predict mode's questions and answers (www/js/predict.js)
// against the core. Each answer the page grades with is read from
// lastOp(); here it is checked against the blocks themselves, before and
// after every op of random op lists under every strategy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createArena, parseOps, workload, maxExplainedOps, STRATEGIES } from '../www/arena.js';
import { questionAt, answerOf, answerWords, readOffset, asks, grade, PredictScore } from '../www/js/predict.js';

await init();

/** The question for each op of `text`, asked and answered as the page does, with the blocks around it. */
function* predictions(config, text) {
  const a = createArena(config);
  try {
    for (const token of text.split(',')) {
      const [op] = parseOps(token).ops;
      const before = a.snapshot();
      // As the page and the widget ask it.
      const q = questionAt(a, token, a.logLength + 1, before.classes);
      a.replay(token);
      const after = a.snapshot();
      yield { op, q, before, after, answer: asks(q) ? answerOf(q, a.lastOp()) : undefined };
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
        if (!asks(q)) {
          // Only frees go unasked here: slab chunks, or a NULL pointer.
          assert.equal(op.op, 'free');
          const b = blockOf(before, op.ptr);
          assert.ok(!b || b.class != null, `free(ptr[${op.ptr}]) under ${strategy} has a question`);
          assert.equal(q.kind, 'note');
          continue;
        }
        asked[q.kind]++;
        if (q.kind === 'place') {
          const k = op.op === 'realloc' ? op.ptr : before.nextPtr;
          assert.ok(q.call.startsWith(op.op === 'realloc' ? `realloc(ptr[${k}], ` : `ptr[${k}] = `), q.call);
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

test('frees are asked only when something can merge; writes and switches never, each saying why', () => {
  const kinds = (config, text) => [...predictions(config, text)].map(({ q }) => q.kind);
  assert.deepEqual(kinds({ size: 256 }, '+8,+8,w0=ff,-0,@best-fit,+4@16,c8,r1:24'), ['place', 'place', 'note', 'merge', 'note', 'place', 'place', 'place']);
  const notes = (config, text) => [...predictions(config, text)].filter(({ q }) => !asks(q)).map(({ q }) => q.text);
  assert.deepEqual(notes({ size: 256 }, '+8,+8,w0=ff,@best-fit,+300,-2,@merge'), [
    'Op 3: w0=ff writes bytes into ptr[0]; no block moves. Step forward.',
    'Op 4: @best-fit: allocations use Best fit from here on. Step forward.',
    'Op 6: free(ptr[2]) does nothing: ptr[2] holds no block (its request failed, or it was freed already). Step forward.',
    'Op 7: @merge has nothing to predict. Step forward.',
  ]);
  assert.deepEqual(notes({ size: 256, coalesce: false }, '+8,-0'), ['Op 2: free(ptr[0]) merges with nothing: coalescing is off. Step forward.']);
  assert.deepEqual(notes({ size: 256, strategy: 'slab' }, '+8,-0'), ['Op 2: free(ptr[0]) gives the chunk back to its slab (a slab left empty goes back to the free list). Step forward.']);
  // A free-list block freed after a switch to slabs is still a block that merges.
  const mixed = [...predictions({ size: 256 }, '+16,+16,+16,-0,@slab,-1')];
  assert.equal(mixed[5].q.kind, 'merge');
  assert.equal(mixed[5].answer, 'before');
  const [, , , free] = predictions({ size: 256 }, '+8,+8,w0=ff,-0');
  assert.equal(free.q.call, 'free(ptr[0])');
  assert.equal(free.q.under, undefined, 'a merge does not depend on the strategy');
  assert.equal(free.q.step, 4);
  // A failed realloc: the call returned NULL, the pointer keeps its block.
  const [, , grow] = predictions({ size: 64 }, '+8,+8,r0:100');
  assert.equal(grow.answer, null);
  assert.equal(answerWords(grow.q, grow.answer), 'returned NULL (ptr[0] keeps its block)');
});

test('each op scores once: answering it again after stepping back does not count', () => {
  const s = new PredictScore();
  assert.equal(s.record(1, true), true);
  assert.equal(s.record(2, false), true);
  assert.equal(s.record(2, true), false);
  assert.deepEqual([s.right, s.total], [1, 2]);
  s.forget();
  assert.equal(s.record(2, true), true, 'after the ops changed, step 2 is another op');
  assert.deepEqual([s.right, s.total], [2, 3]);
});

test('an offset is a whole number inside the arena, or NULL; anything else is refused with a reason', () => {
  assert.deepEqual(readOffset(' 32 ', 100), { value: 32 });
  assert.deepEqual(readOffset('0x20', 100), { value: 32 });
  for (const t of ['NULL', 'null', '-1']) assert.deepEqual(readOffset(t, 100), { value: null });
  assert.match(readOffset('', 100).error, /Type the offset/);
  assert.match(readOffset('12.5', 100).error, /not an offset/);
  assert.match(readOffset('<b>1</b>', 100).error, /not an offset/);
  assert.match(readOffset('-3', 100).error, /“-3” is not an offset: offsets start at 0 \(NULL, or -1/);
  assert.match(readOffset('100', 100).error, /0 to 99\.$/);
  // malloc.py's addresses (-b 1000) are answers too, when the number is no offset.
  assert.deepEqual(readOffset('1010', 100, 1000), { value: 10 });
  assert.deepEqual(readOffset('10', 100, 1000), { value: 10 });
  assert.match(readOffset('1100', 100, 1000).error, /0 to 99 \(or a malloc\.py address, 1,000 to 1,099\)/);
  assert.equal(answerWords({ kind: 'place' }, null), 'returned NULL');
  assert.equal(answerWords({ kind: 'merge' }, 'both'), 'merges with the free blocks on both sides');
});

test('lastOp(), which grades every answer, explains logs up to maxExplainedOps() and no further', () => {
  const max = maxExplainedOps();
  assert.equal(max, 50000);
  const a = createArena({ size: 1 << 20 });
  try {
    // ptr[k] = malloc(8), free(ptr[k]), over and over (each malloc is a new ptr).
    a.replay(Array.from({ length: max / 2 }, (_, k) => `+8,-${k}`).join(','));
    assert.equal(a.logLength, max);
    assert.equal(a.lastOp().step, max);
    a.replay('+8');
    assert.equal(a.lastOp(), null, 'the page then says predictions stop here');
  } finally {
    a.dispose();
  }
});

test('with a header, the question says so, and the data address (what malloc.py -H prints) is as right as the block offset', () => {
  // 100 B, align 1, 4-byte headers: +3 takes 0..7 (its data at 4), +5 takes 7..16 (data at 11).
  const a = createArena({ size: 100, align: 1, header: 4 });
  try {
    a.replay('+3');
    const q = questionAt(a, '+5', 2, a.snapshot().classes);
    assert.equal(q.under, 'First fit, 4-byte headers');
    assert.equal(q.header, 4);
    a.replay('+5');
    const e = a.lastOp();
    const score = new PredictScore();
    // The block's offset, the data's, and malloc.py's address of the data (from -b 1000) all count.
    const asData = readOffset('1011', 100, 1000).value;
    assert.deepEqual([7, 11, asData].map((g) => grade(q, g, e, new PredictScore()).guess === 7), [true, true, true]);
    assert.equal(grade(q, 12, e, score).guess === grade(q, 12, e, score).answer, false, 'one past the data is wrong');
    assert.equal(answerWords(q, 7), 'returned 7 (its data starts at 11, after the 4-byte header)');
  } finally {
    a.dispose();
  }
  // Without a header, only the block's offset.
  const b = createArena({ size: 100, align: 1 });
  try {
    b.replay('+3');
    const q = questionAt(b, '+5', 2, b.snapshot().classes);
    assert.equal(q.header, undefined);
    b.replay('+5');
    assert.equal(grade(q, 3, b.lastOp(), new PredictScore()).guess, 3);
    assert.equal(grade(q, 7, b.lastOp(), new PredictScore()).answer, 3);
  } finally {
    b.dispose();
  }
});

test('with a header, the block says whether its data is after one: a slab chunk has none, a free-list block under the slab allocator keeps its own', () => {
  // 4096 B, align 8, 8-byte headers: ptr[0] a free-list block (+40: 48 + 8 = 56 B), then @slab.
  const a = createArena({ size: 4096, align: 8, header: 8 });
  try {
    a.replay('+40,@slab');
    // ptr[1]: a 16-byte chunk, no header: its offset alone is the answer.
    let q = questionAt(a, '+10', 3, a.snapshot().classes);
    assert.equal(q.header, undefined, 'slab mode asks without headers');
    a.replay('+10');
    let e = a.lastOp();
    assert.equal(grade(q, e.block.offset + 8, e, new PredictScore(), a).guess === e.block.offset, false, 'a chunk has no header to skip');
    assert.equal(grade(q, e.block.offset, e, new PredictScore(), a).guess, e.block.offset);
    // ptr[0] grown under the slab allocator stays a free-list block: its data after its header is right too.
    q = questionAt(a, 'r0:48', 4, a.snapshot().classes);
    a.replay('r0:48');
    e = a.lastOp();
    const verdict = grade(q, e.block.offset + 8, e, new PredictScore(), a);
    assert.equal(verdict.guess, verdict.answer);
    assert.equal(answerWords(verdict.q, verdict.answer), `returned ${e.block.offset} (its data starts at ${e.block.offset + 8}, after the 8-byte header)`);
  } finally {
    a.dispose();
  }
});
