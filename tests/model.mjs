// A deliberately simple shadow model of the free-list allocator for the node
// tests: a list of intervals, searched linearly, exactly as the issue defines
// the strategies (OSTEP malloc.py with -l ADDRSORT, plus next fit). With
// `sbrk` the heap is the arena below the high-water mark `hw`: the searches
// see each block's bytes there, and only when none fits does the heap grow
// into the last block.

const roundUp = (n, a) => Math.ceil(n / a) * a;

export class Model {
  constructor({ size, strategy, align, coalesce, sbrk = false }) {
    this.size = size;
    this.sbrk = sbrk;
    this.hw = 0;
    this.strategy = strategy;
    this.align = align;
    this.coalesce = coalesce;
    this.blocks = [{ off: 0, size, free: true, req: 0 }];
    this.rover = 0;
    this.searched = 0;
  }

  /** A block's bytes in the heap (all of them, or with sbrk those below `hw`). */
  inHeap(b) {
    return this.sbrk ? Math.min(b.size, Math.max(0, this.hw - b.off)) : b.size;
  }

  /** The heap's free blocks, by index. */
  freeIdx() {
    return this.blocks.flatMap((b, i) => (b.free && this.inHeap(b) > 0 ? [i] : []));
  }

  /** Index into `this.blocks` of the chosen free block, or -1; sets `searched`. */
  choose(r) {
    const i = this.search(r);
    const last = this.blocks.length - 1;
    // Nothing in the heap fits: with sbrk it grows into the last block.
    if (i < 0 && this.sbrk && this.blocks[last].free && this.blocks[last].size >= r) return last;
    return i;
  }

  search(r) {
    const fl = this.freeIdx();
    const n = fl.length;
    const size = (i) => this.inHeap(this.blocks[i]);
    const fits = (i) => size(i) >= r;
    if (this.strategy === 'first-fit') {
      const k = fl.findIndex(fits);
      this.searched = k < 0 ? n : k + 1;
      return k < 0 ? -1 : fl[k];
    }
    if (this.strategy === 'next-fit') {
      let s = fl.findIndex((i) => {
        const b = this.blocks[i];
        return b.off + b.size > this.rover; // contains the rover, or is after it
      });
      if (s < 0) s = 0;
      for (let j = 0; j < n; j++) {
        const i = fl[(s + j) % n];
        if (fits(i)) {
          this.searched = j + 1;
          return i;
        }
      }
      this.searched = n;
      return -1;
    }
    this.searched = n;
    let best = -1;
    for (const i of fl) {
      if (!fits(i)) continue;
      const better = best < 0
        || (this.strategy === 'best-fit' && size(i) < size(best))
        || (this.strategy === 'worst-fit' && size(i) > size(best));
      if (better) best = i;
    }
    return best;
  }

  alloc(n) {
    if (n === 0) return 'zero-size';
    const r = roundUp(n, this.align);
    const i = this.choose(r);
    if (i < 0) return 'out-of-memory';
    const b = this.blocks[i];
    const rest = b.size - r;
    this.blocks.splice(i, 1, { off: b.off, size: r, free: false, req: n },
      ...(rest > 0 ? [{ off: b.off + r, size: rest, free: true, req: 0 }] : []));
    this.rover = b.off + r;
    this.hw = Math.max(this.hw, b.off + r);
    return b.off;
  }

  findLive(off) {
    const i = this.blocks.findIndex((b) => b.off === off && !b.free);
    if (i >= 0) return i;
    const inFree = this.blocks.some((b) => b.free && b.off <= off && off < b.off + b.size);
    return inFree ? 'double-free' : 'invalid-free';
  }

  free(off) {
    const i = this.findLive(off);
    if (typeof i === 'string') return i;
    this.blocks[i] = { ...this.blocks[i], free: true, req: 0 };
    if (this.coalesce) this.mergeAround(i);
    return 'ok';
  }

  mergeAround(i) {
    const bs = this.blocks;
    if (i + 1 < bs.length && bs[i + 1].free) {
      bs[i].size += bs[i + 1].size;
      bs.splice(i + 1, 1);
    }
    if (i > 0 && bs[i - 1].free) {
      bs[i - 1].size += bs[i].size;
      bs.splice(i, 1);
    }
  }

  realloc(off, n) {
    const i = this.findLive(off);
    if (typeof i === 'string') return i;
    if (n === 0) return 'zero-size';
    const r = roundUp(n, this.align);
    const b = this.blocks[i];
    const bs = this.blocks;
    if (r <= b.size) {
      const tail = b.size - r;
      b.size = r;
      b.req = n;
      if (tail > 0) {
        bs.splice(i + 1, 0, { off: b.off + r, size: tail, free: true, req: 0 });
        if (this.coalesce && i + 2 < bs.length && bs[i + 2].free) {
          bs[i + 1].size += bs[i + 2].size;
          bs.splice(i + 2, 1);
        }
      }
      this.searched = 0;
      return off;
    }
    const next = bs[i + 1];
    if (next && next.free && b.size + next.size >= r) {
      const need = r - b.size;
      b.size = r;
      b.req = n;
      if (next.size === need) bs.splice(i + 1, 1);
      else { next.off += need; next.size -= need; }
      this.searched = 0;
      this.hw = Math.max(this.hw, off + r);
      return off;
    }
    const j = this.choose(r);
    if (j < 0) return 'out-of-memory';
    const f = bs[j];
    const rest = f.size - r;
    bs.splice(j, 1, { off: f.off, size: r, free: false, req: n },
      ...(rest > 0 ? [{ off: f.off + r, size: rest, free: true, req: 0 }] : []));
    this.rover = f.off + r;
    this.hw = Math.max(this.hw, f.off + r);
    const k = bs.findIndex((x) => x.off === off);
    bs[k] = { ...bs[k], free: true, req: 0 };
    if (this.coalesce) this.mergeAround(k);
    return f.off;
  }

  layout() {
    return this.blocks.map((b) => `${b.off}:${b.size}:${b.free ? 'f' : 'u'}:${b.req}`).join(' ');
  }
}
