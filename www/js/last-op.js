// "What just happened": the last op in words, from the core's account of it
// (arena.lastOp(): the free block an allocation was carved from, the blocks
// the strategy searched, what a free merged with). Words only; the core
// decided and measured everything.

import { num, plural, callText } from './format.js';
import { strategyLabel } from './controls.js';

const B = (n) => `${num(n)} B`;
const at = (s) => `${B(s.size)} at ${num(s.offset)}`;

function ordinal(n) {
  const t = n % 100;
  const d = n % 10;
  const suffix = t >= 11 && t <= 13 ? 'th' : d === 1 ? 'st' : d === 2 ? 'nd' : d === 3 ? 'rd' : 'th';
  return `${num(n)}${suffix}`;
}

/** How a free list in another order than by address is kept. */
const KEPT = {
  'size-ascending': 'by size, smallest first',
  'size-descending': 'by size, largest first',
  'insert-front': 'last freed first',
  'insert-back': 'last freed last',
};

/** How the strategy chose `e.hole`, in one sentence. */
function how(e) {
  const n = e.freeBlocks;
  const kept = KEPT[e.order];
  const order = kept ? `list order (${kept})` : 'address order';
  // "all 4 free blocks", "both free blocks", and the list's order when it is not by address.
  const all = `${n === 2 ? 'both free blocks' : `all ${plural(n, 'free block')}`}${kept ? ` in ${order}` : ''}`;
  switch (e.mode) {
    case 'first-fit': return n === 1 ? `First fit took the only free block, ${at(e.hole)}.` : `First fit took the first free block that fits, the ${ordinal(e.searched)} of ${num(n)} in ${order}: ${at(e.hole)}.`;
    case 'next-fit': return `Next fit searched ${plural(e.searched, 'free block')}${kept ? ` in ${order}` : ''} from where the last allocation ended and took ${at(e.hole)}.`;
    case 'best-fit': return n === 1 ? `Best fit searched the only free block, ${at(e.hole)}, and took it.` : `Best fit searched ${all} and took the smallest that fits: ${at(e.hole)}.`;
    case 'worst-fit': return n === 1 ? `Worst fit searched the only free block, ${at(e.hole)}, and took it.` : `Worst fit searched ${all} and took the largest: ${at(e.hole)}.`;
    default: return '';
  }
}

/**
 * A heap that grows with sbrk, when the op grew it: the strategy found no
 * free block in the heap that holds the request (the search that failed),
 * so the heap grew into the arena above its end.
 */
function grewHeap(e) {
  const to = B(e.heapEnd + e.grew);
  const searched = e.searched ? `${strategyLabel(e.mode)} searched ${plural(e.searched, 'free block')}: none` : 'No free block';
  return e.heapEnd === 0
    ? `The heap was empty, so it grew by ${B(e.grew)} with sbrk (to ${to}).`
    : `${searched} in the heap (its first ${B(e.heapEnd)}) holds it, so the heap grew by ${B(e.grew)} with sbrk (to ${to})${e.hole && e.hole.offset < e.heapEnd ? `, taking in the free block at its end (from ${num(e.hole.offset)})` : ''}.`;
}

/** What is left of the hole around the new block. */
function rest(e) {
  const pad = e.block.offset - e.hole.offset;
  const after = e.hole.offset + e.hole.size - (e.block.offset + e.block.size);
  const parts = [];
  const stay = (n) => (n === 1 ? 'stays' : 'stay');
  if (pad) parts.push(`${B(pad)} of alignment padding ${stay(pad)} free in front of it`);
  // A heap that just grew: what is after the block is the arena above the heap.
  const beyond = e.sbrk && e.grew > 0;
  parts.push(after ? beyond ? `the other ${B(after)} of the arena ${after === 1 ? 'is' : 'are'} not heap yet` : `the other ${B(after)} ${stay(after)} free after it` : pad ? 'nothing is left after it' : 'it is used whole');
  const s = parts.join('; ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/** After "returned 0": that it is an offset, not NULL (0 is NULL in C). */
function offsetWord(offset) {
  return offset === 0 ? ', the arena’s first byte (an offset from its start, not NULL)' : '';
}

/** Where the data starts in a block with a header (malloc.py -H): after it. */
const dataAt = (e, h) => `the data starts at ${num(e.block.offset + h)}`;

/**
 * Why the block is bigger than asked, when it is: the core's `needed` (the
 * size rounded up, plus the header). A header is at the block's front, so
 * the data starts after it (the address malloc.py's random mode prints).
 */
function grown(e, size, cfg) {
  const h = cfg?.header ?? 0;
  if (e.needed == null || e.needed <= size || e.block.size !== e.needed) return '';
  const header = h ? `, plus the ${B(h)} header at its front (${dataAt(e, h)})` : '';
  const rounded = e.needed - h > size ? ` rounded up to a multiple of ${cfg?.align ?? 'the alignment'} (Align)` : '';
  return ` Its block is ${B(e.needed)}: ${num(size)}${rounded}${header}.`;
}

/** Why a request of `size` bytes (at a multiple of `align`) got NULL. */
function refused(e, size, align, cfg) {
  const largest = `the largest is ${B(e.largestFree)}; ${B(e.freeBytes)} ${e.freeBytes === 1 ? 'is' : 'are'} free${e.freeBlocks > 1 ? ` over ${plural(e.freeBlocks, 'block')}` : ''}`;
  if (e.mode === 'slab') {
    const classes = cfg?.classes ?? [];
    // (The core says which class serves the size: e.class.)
    const cls = e.class;
    if (cls == null) return `no slab class holds ${B(size)}${align ? ` at a multiple of ${align}` : ''} (the largest class is ${B(classes.at(-1) ?? 0)})`;
    return `the ${B(cls)} class has no free chunk, and no free block holds a new ${B(cfg?.slabSize ?? 0)} slab (${largest})`;
  }
  if (!e.freeBlocks) return 'there is no free block at all';
  // Enough free bytes, in pieces: say why they cannot be put together (a newcomer's next question).
  // (Free blocks side by side that would hold it: only the merging is missing.)
  const unmerged = e.needed != null && e.largestRun >= e.needed;
  const scattered = e.needed == null || e.freeBytes < e.needed ? ''
    : unmerged ? (e.coalesce
      ? `; free blocks side by side hold ${B(e.largestRun)}, but under this free list order coalescing (malloc.py's -C) merges only blocks next to each other in the list, and these are not`
      : `; free blocks side by side hold ${B(e.largestRun)}, but coalescing is off, so they stay separate blocks`)
      : `; the free bytes are not in one piece, and used blocks never move to join them: the program holds their addresses`;
  // With a header (malloc.py -H) the block is the request rounded up, plus the header: say the sum.
  const hdr = cfg?.header && e.needed != null ? ` with its ${B(cfg.header)} header, ${B(e.needed)} in all,` : '';
  // An aligned request aligns its data, after the header (as memalign does).
  if (align) return `no free block holds ${B(size)}${hdr}${hdr ? ' with the data' : ''} at a multiple of ${align} (${largest})${scattered}`;
  return hdr ? `no free block holds ${B(size)}${hdr.slice(0, -1)} (${largest})${scattered}` : `no free block is big enough (${largest})${scattered}`;
}

/**
 * The last op (`arena.lastOp()`) in a sentence or three, or '' for none.
 * @param {object|null} e
 * @param {{ classes: number[], slabSize: number }} [cfg] the slab settings (for the slab allocator's name and failures)
 */
export function describeLastOp(e, cfg = null, nameOf = null) {
  const classes = cfg?.classes;
  if (!e) return '';
  const k = e.ptr;
  // What else ptr[k] is called (a trace's id), said once, before the call.
  const extra = k != null ? nameOf?.(k) : null;
  const head = `Op ${num(e.step)}, ${e.op}${extra ? `, ${extra}` : ''}: `;
  const p0 = `ptr[${k}]`;
  const c = e.call;
  if (c.op === 'alloc' || c.op === 'allocAligned' || c.op === 'calloc') {
    const size = c.size;
    const align = c.align ?? 0;
    const call = callText(c);
    if (!e.block) {
      return `${head}${p0} = ${call} returned NULL: ${refused(e, size, align, cfg)}${!e.sbrk ? '' : e.room ? `, and the heap can grow by only ${B(e.room)} before the arena’s end` : ', and the heap has reached the arena’s end'}.${e.searched != null ? ` ${strategyLabel(e.mode)} searched ${plural(e.searched, 'free block')}.` : ''}`;
    }
    if (e.mode === 'slab') return `${head}${p0} = ${call} returned ${num(e.block.offset)}${offsetWord(e.block.offset)}: a ${B(e.block.size)} chunk of the slab allocator (${strategyLabel('slab', classes)}).`;
    return `${head}${p0} = ${call} returned ${num(e.block.offset)}${offsetWord(e.block.offset)}.${grown(e, size, cfg)} ${e.hole ? `${e.sbrk && e.grew > 0 ? grewHeap(e) : how(e)} ${rest(e)}` : ''}`.trim();
  }
  if (c.op === 'free') {
    if (!e.block && e.failed) return `${head}free(${p0}) is refused: ${p0} was freed already (a double free; malloc.py returns -1), so nothing changes.`;
    if (!e.block) return `${head}${p0} is NULL (its request failed), so free does nothing.`;
    const freed = `${head}free(${p0}): its ${at(e.block)} ${e.block.size === 1 ? 'is' : 'are'} free again`;
    // Under a list order the re-sort can put other free neighbours next to each other in the list.
    const others = e.otherMerges ? ` Coalescing also merged ${e.otherMerges === 1 ? 'two other free blocks' : 'other free blocks'} that are now next to each other in the list as well as in memory (${plural(e.otherMerges, 'merge')}).` : '';
    if (e.merged) {
      const before = e.merged.offset < e.block.offset;
      const after = e.merged.offset + e.merged.size > e.block.offset + e.block.size;
      const which = before && after ? 'the free blocks on both sides' : before ? 'the free block before it' : 'the free block after it';
      // (A heap that grows with sbrk: the core gives the merged block's part in the heap.)
      const ends = e.sbrk && e.merged.offset + e.merged.size === e.heapEnd ? `, the heap’s last block (the heap ends at ${num(e.heapEnd)})` : '';
      return `${freed}, merged with ${which} into one free block of ${at(e.merged)}${ends}.${others}`;
    }
    if (others) return `${freed}.${others}`;
    // The heap's last block: above it is no block, only arena the heap may grow into.
    const last = e.sbrk && e.block.offset + e.block.size === e.heapEnd;
    // (Under a list order, that is why a free block below did not merge either: said first.)
    return `${freed}${!e.coalesce ? ' (coalescing is off, so they merge with nothing)' : KEPT[e.order] ? ` (the free list is kept ${KEPT[e.order]}: coalescing merges only neighbours that are next to each other in it too)` : last ? ` (it ends the heap, at ${num(e.heapEnd)}: above it is no free block to merge with, only arena the heap may grow into)` : ''}.`;
  }
  if (c.op === 'realloc') {
    const size = c.size;
    if (e.failed) return `${head}realloc(${p0}, ${size}) returned NULL: ${refused(e, size, 0, cfg)}. ptr[${k}] keeps its block.`;
    if (!e.before) return `${head}${p0} was NULL, so realloc allocated: ${num(e.block.offset)}. ${e.hole ? `${e.sbrk && e.grew > 0 ? grewHeap(e) : how(e)} ${rest(e)}` : ''}`.trim();
    // A heap that grows with sbrk: by how much this realloc grew it.
    const grewBy = e.sbrk && e.grew > 0 ? ` The heap grew by ${B(e.grew)} with sbrk (to ${B(e.heapEnd + e.grew)}).` : '';
    if (e.block.offset === e.before.offset) {
      return e.block.size === e.before.size
        ? `${head}${p0} stays where it is: its ${B(e.block.size)} block at ${num(e.block.offset)} already holds ${B(size)}.`
        : `${head}${p0} resized in place, from ${B(e.before.size)} to ${B(e.block.size)} at ${num(e.block.offset)}.${grewBy}`;
    }
    return `${head}${p0} could not grow in place: it moved from ${num(e.before.offset)} to ${num(e.block.offset)} (${B(e.block.size)}${e.hole ? `, carved from the free ${at(e.hole)}` : ''}), and its old ${B(e.before.size)} are free.${grewBy}`;
  }
  if (c.op === 'write') {
    return e.failed
      ? `${head}the write did not happen (${p0} is NULL or freed, or the bytes leave its block).`
      : `${head}bytes written into ${p0} (${at(e.block)}).`;
  }
  if (c.op === 'setCoalesce') return c.on ? `${head}coalescing is on from here on; neighbouring free blocks merge.` : `${head}coalescing is off from here on.`;
  if (c.op === 'mergeAll') return `${head}neighbouring free blocks merged now.`;
  if (c.op === 'setMode') return `${head}${strategyLabel(c.mode, classes)} from here on; blocks already placed stay.`;
  return '';
}
