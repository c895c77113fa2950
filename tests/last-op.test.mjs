// node --test: the words under the map (www/js/last-op.js) for every kind of
// op, read from the core's account of it (lastOp(), whose `call` is the op as
// data: the words never parse the op's text again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createArena } from '../www/arena.js';
import { describeLastOp } from '../www/js/last-op.js';

await init();

/** The words after each op of `ops`, run one at a time in an arena of `config`. */
function wordsOf(config, ops) {
  const a = createArena(config);
  try {
    return ops.map((op) => {
      a.replay(op);
      const e = a.lastOp();
      return describeLastOp(e, a.snapshot());
    });
  } finally {
    a.dispose();
  }
}

test('each kind of op is named as the call it makes, with its own numbers', () => {
  const w = wordsOf({ size: 1024, align: 8 }, ['+10@64', 'c8', 'r0:40', 'r1:4000', 'w1=cafe', '-0', '@no-coalesce', '@coalesce', '@merge', '@best-fit', '@slab', '+20', '@worst']);
  assert.match(w[0], /^Op 1, \+10@64: ptr\[0\] = malloc\(10\) aligned to 64 returned 0, the arena’s first byte /);
  assert.match(w[1], /^Op 2, c8: ptr\[1\] = calloc\(8\) returned 16\. /);
  assert.equal(w[2], 'Op 3, r0:40: ptr[0] could not grow in place: it moved from 0 to 24 (40 B, carved from the free 1,000 B at 24), and its old 16 B are free.');
  assert.match(w[3], /^Op 4, r1:4000: realloc\(ptr\[1\], 4000\) returned NULL: no free block is big enough .* ptr\[1\] keeps its block\.$/);
  assert.equal(w[4], 'Op 5, w1=cafe: bytes written into ptr[1] (8 B at 16).');
  assert.equal(w[5], 'Op 6, -0: free(ptr[0]): its 40 B at 24 are free again, merged with the free block after it into one free block of 1,000 B at 24.');
  assert.equal(w[6], 'Op 7, @no-coalesce: coalescing is off from here on.');
  assert.equal(w[7], 'Op 8, @coalesce: coalescing is on from here on; neighbouring free blocks merge.');
  assert.equal(w[8], 'Op 9, @merge: neighbouring free blocks merged now.');
  assert.equal(w[9], 'Op 10, @best-fit: Best fit from here on; blocks already placed stay.');
  assert.equal(w[10], 'Op 11, @slab: Slab (16 / 32 / 64) from here on; blocks already placed stay.');
  assert.match(w[11], /^Op 12, \+20: ptr\[2\] = malloc\(20\) returned \d+: a 32 B chunk of the slab allocator/);
  assert.equal(w[12], 'Op 13, @worst-fit: Worst fit from here on; blocks already placed stay.');
});

test('an aligned request with a header aligns its data, after the header, and the words say so', () => {
  // 100 B, align 4, header 4: ptr[0] takes 0..8; the free block at 8 puts the data of +1@16 at 16, so the block starts at 12.
  const w = wordsOf({ size: 100, align: 4, header: 4 }, ['+3', '+1@16', '+80@32']);
  assert.match(w[1], /^Op 2, \+1@16: ptr\[1\] = malloc\(1\) aligned to 16 returned 12\. Its block is 8 B: 1 rounded up to a multiple of 4 \(Align\), plus the 4 B header at its front \(the data starts at 16\)\. .*4 B of alignment padding stay free in front of it/);
  assert.match(w[2], /returned NULL: no free block holds 80 B with its 4 B header, 84 B in all, with the data at a multiple of 32 \(/);
});

test('with a header (malloc.py -H) the words say where the data starts: after the header, the address malloc.py -H prints', () => {
  const w = wordsOf({ size: 100, align: 4, header: 4 }, ['+3', '+8', '-0', '+1']);
  assert.match(w[0], /^Op 1, \+3: ptr\[0\] = malloc\(3\) returned 0, .* Its block is 8 B: 3 rounded up to a multiple of 4 \(Align\), plus the 4 B header at its front \(the data starts at 4\)\. /);
  assert.match(w[1], /^Op 2, \+8: ptr\[1\] = malloc\(8\) returned 8\. Its block is 12 B: 8, plus the 4 B header at its front \(the data starts at 12\)\. /);
  // The 8 B hole at 0 fits a 1-byte request exactly (4 rounded, plus the header): taken whole, it says where the data starts too.
  assert.match(w[3], /^Op 4, \+1: ptr\[2\] = malloc\(1\) returned 0, .* plus the 4 B header at its front \(the data starts at 4\)\./);
});

test('with a heap that grows with sbrk, a free of the heap’s last block merges with nothing: above it is arena, not a block', () => {
  const w = wordsOf({ size: 128, align: 8, sbrk: true }, ['+16', '+16', '-1', '-0']);
  assert.equal(w[2], 'Op 3, -1: free(ptr[1]): its 16 B at 16 are free again (it ends the heap, at 32: above it is no free block to merge with, only arena the heap may grow into).');
  assert.equal(w[3], 'Op 4, -0: free(ptr[0]): its 16 B at 0 are free again, merged with the free block after it into one free block of 32 B at 0, the heap’s last block (the heap ends at 32).');
  // A fixed arena's untouched rest is a free block: the same free merges with it.
  const f = wordsOf({ size: 128, align: 8 }, ['+16', '+16', '-1']);
  assert.equal(f[2], 'Op 3, -1: free(ptr[1]): its 16 B at 16 are free again, merged with the free block after it into one free block of 112 B at 16.');
});

test('a request refused with enough free bytes says why they are not one block: unmerged neighbours, or used blocks between', () => {
  // Coalescing off: two free 10 B blocks side by side, nothing used.
  const off = wordsOf({ size: 20, align: 1, coalesce: false, strategy: 'first-fit' }, ['+10', '+10', '-0', '-1', '+15']);
  assert.equal(off[4], 'Op 5, +15: ptr[2] = malloc(15) returned NULL: no free block is big enough (the largest is 10 B; 20 B are free over 2 blocks); free blocks side by side hold 20 B, but coalescing is off, so they stay separate blocks. First fit searched 2 free blocks.');
  // malloc.py -C under INSERT-FRONT merges list neighbours only: 0 and 2
  // are next to each other in the list, 1 (between them in memory) is not.
  const list = wordsOf({ size: 30, align: 1, coalesce: true, strategy: 'first-fit', order: 'insert-front' }, ['+10', '+10', '+10', '-1', '-0', '-2', '+25']);
  assert.match(list[6], /free blocks side by side hold 30 B, but under this free list order coalescing \(malloc\.py's -C\) merges only blocks next to each other in the list, and these are not\./);
  // A used block between them: the old reason.
  const used = wordsOf({ size: 30, align: 1, coalesce: true, strategy: 'first-fit' }, ['+10', '+10', '+10', '-0', '-2', '+15']);
  assert.match(used[5], /the free bytes are not in one piece, and used blocks never move to join them/);
});
