//! The free-block index: an address-ordered treap of free blocks, augmented
//! with the largest size and the node count in every subtree.
//!
//! It answers every question the placement strategies ask in O(log n)
//! expected time: the lowest-addressed free block at or after an address that
//! fits a size (first and next fit), the rank of a block in address order
//! (the "searched" counts), and the free block at or before an address.
//! Nodes live in a vector and refer to each other by index; a node's index is
//! the id of the block it describes. Parent links let a block that changes in
//! place (the common split and merge) fix its ancestors bottom-up, stopping as
//! soon as nothing changes, without a search from the root.
//!
//! The free block with the highest address (the *top*, usually the untouched
//! end of the arena) stays out of the treap, as dlmalloc keeps its top chunk:
//! allocations carved from it and frees merged into it change one record, not
//! the maxima on a path to the root. Every query accounts for it: it is the
//! last block in address order.
//!
//! Offsets and sizes are stored as `u32` (the arena is at most 1 GiB), which
//! keeps a node at 32 bytes.

/// The "no node" index.
pub(crate) const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// Start offset of the free block; the tree is a binary search tree on it.
    key: u32,
    /// Size of the free block in bytes.
    size: u32,
    /// The largest `size` in this node's subtree.
    max: u32,
    /// Number of nodes in this node's subtree.
    count: u32,
    /// Heap priority: a parent's is never below its children's.
    prio: u32,
    left: u32,
    right: u32,
    /// The node whose child this is ([`NIL`] for the root).
    parent: u32,
}

const EMPTY: Node = Node {
    key: 0,
    size: 0,
    max: 0,
    count: 0,
    prio: 0,
    left: NIL,
    right: NIL,
    parent: NIL,
};

/// A query bound as a stored key: every stored key is below 2^30, so clamping
/// keeps the order.
#[inline]
fn k32(x: usize) -> u32 {
    x.min(u32::MAX as usize) as u32
}

/// Address-ordered index of the free blocks.
#[derive(Clone, Debug)]
pub(crate) struct FreeTree {
    /// Node storage, indexed by block id; only ids in the tree are meaningful.
    nodes: Vec<Node>,
    /// Root node of the treap, or [`NIL`] when it is empty.
    root: u32,
    /// The free block with the highest key, kept out of the treap (its key
    /// and size in `nodes[top]`), or [`NIL`] when no block is free. Every key
    /// in the treap is below its key.
    top: u32,
    /// State of the xorshift generator that draws priorities (deterministic).
    rng: u64,
}

impl Default for FreeTree {
    fn default() -> Self {
        FreeTree {
            nodes: Vec::new(),
            root: NIL,
            top: NIL,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }
}

impl FreeTree {
    fn next_prio(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 32) as u32
    }

    #[inline]
    fn count(&self, t: u32) -> u32 {
        if t == NIL {
            0
        } else {
            self.nodes[t as usize].count
        }
    }

    #[inline]
    fn max(&self, t: u32) -> u32 {
        if t == NIL {
            0
        } else {
            self.nodes[t as usize].max
        }
    }

    /// Recomputes `t`'s augmentation from its children and claims them as its children.
    #[inline]
    fn pull(&mut self, t: u32) {
        let n = self.nodes[t as usize];
        let count = 1 + self.count(n.left) + self.count(n.right);
        let max = n.size.max(self.max(n.left)).max(self.max(n.right));
        let node = &mut self.nodes[t as usize];
        node.count = count;
        node.max = max;
        for c in [n.left, n.right] {
            // Usually already so: a load is cheaper than a store here.
            if c != NIL && self.nodes[c as usize].parent != t {
                self.nodes[c as usize].parent = t;
            }
        }
    }

    /// Splits `t` into keys `< key` and keys `>= key`.
    fn split(&mut self, t: u32, key: u32) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        if self.nodes[t as usize].key < key {
            let (l, r) = self.split(self.nodes[t as usize].right, key);
            self.nodes[t as usize].right = l;
            self.pull(t);
            (t, r)
        } else {
            let (l, r) = self.split(self.nodes[t as usize].left, key);
            self.nodes[t as usize].left = r;
            self.pull(t);
            (l, t)
        }
    }

    /// Joins two treaps where every key of `a` is below every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].prio >= self.nodes[b as usize].prio {
            let r = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = r;
            self.pull(a);
            a
        } else {
            let l = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = l;
            self.pull(b);
            b
        }
    }

    /// Drops every block (the node storage is kept for reuse). O(1).
    pub fn clear(&mut self) {
        self.root = NIL;
        self.top = NIL;
    }

    /// Number of free blocks. O(1).
    pub fn len(&self) -> usize {
        self.count(self.root) as usize + usize::from(self.top != NIL)
    }

    /// Size of the top block (0 when none).
    #[inline]
    fn top_size(&self) -> u32 {
        if self.top == NIL {
            0
        } else {
            self.nodes[self.top as usize].size
        }
    }

    /// Size of the largest free block (0 when none). O(1).
    pub fn max_size(&self) -> usize {
        self.max(self.root).max(self.top_size()) as usize
    }

    /// Start offset of the free block `id`.
    pub fn key(&self, id: u32) -> usize {
        self.nodes[id as usize].key as usize
    }

    /// Size of the free block `id`.
    pub fn size(&self, id: u32) -> usize {
        self.nodes[id as usize].size as usize
    }

    /// Adds block `id` (free, at `key`, of `size` bytes). The key must not be in
    /// the tree. O(log n) expected; O(1) for a block above every other (the
    /// new top: the old top moves into the treap).
    pub fn insert(&mut self, id: u32, key: usize, size: usize) {
        if self.nodes.len() <= id as usize {
            self.nodes.resize(id as usize + 1, EMPTY);
        }
        let (key, size) = (key as u32, size as u32);
        let top = self.top;
        if top == NIL || self.nodes[top as usize].key < key {
            if top != NIL {
                let Node { key, size, .. } = self.nodes[top as usize];
                self.treap_insert(top, key, size);
            }
            self.top = id;
            self.nodes[id as usize] = Node {
                key,
                size,
                max: size,
                count: 1,
                ..EMPTY
            };
        } else {
            self.treap_insert(id, key, size);
        }
    }

    /// Adds block `id` to the treap. O(log n) expected: it descends to where
    /// the new node's priority belongs and splits only the subtree below.
    fn treap_insert(&mut self, id: u32, key: u32, size: u32) {
        let prio = self.next_prio();
        let (mut parent, mut t, mut left) = (NIL, self.root, false);
        while t != NIL && self.nodes[t as usize].prio >= prio {
            let n = &mut self.nodes[t as usize];
            n.count += 1;
            n.max = n.max.max(size);
            parent = t;
            left = key < n.key;
            t = if left { n.left } else { n.right };
        }
        let (l, r) = self.split(t, key);
        self.nodes[id as usize] = Node {
            key,
            size,
            max: size,
            count: 1,
            prio,
            left: l,
            right: r,
            parent: NIL,
        };
        self.pull(id);
        self.attach(parent, left, id);
    }

    /// Makes `t` the left or right child of `parent` (or the root).
    fn attach(&mut self, parent: u32, left: bool, t: u32) {
        if parent == NIL {
            self.root = t;
        } else if left {
            self.nodes[parent as usize].left = t;
        } else {
            self.nodes[parent as usize].right = t;
        }
        if t != NIL {
            self.nodes[t as usize].parent = parent;
        }
    }

    /// Removes block `id`, which must be in the tree. O(log n) expected.
    pub fn remove(&mut self, id: u32) {
        if id != self.top {
            self.treap_remove(id);
            return;
        }
        // The highest block of the treap becomes the top.
        let mut t = self.root;
        while t != NIL && self.nodes[t as usize].right != NIL {
            t = self.nodes[t as usize].right;
        }
        self.top = t;
        if t != NIL {
            self.treap_remove(t);
        }
    }

    /// Removes block `id` from the treap. O(log n) expected.
    fn treap_remove(&mut self, id: u32) {
        let Node {
            left,
            right,
            parent,
            size,
            ..
        } = self.nodes[id as usize];
        let m = self.merge(left, right);
        let is_left = parent != NIL && self.nodes[parent as usize].left == id;
        self.attach(parent, is_left, m);
        // Counts drop on every ancestor; a max needs recomputing only where the
        // removed block was the max.
        let mut p = parent;
        while p != NIL {
            self.nodes[p as usize].count -= 1;
            if self.nodes[p as usize].max == size {
                self.pull(p);
            }
            p = self.nodes[p as usize].parent;
        }
    }

    /// Changes the key and size of block `id`. The new key must keep the
    /// block's place in address order. O(1) when the largest sizes above it do
    /// not change, O(log n) expected at worst.
    pub fn update(&mut self, id: u32, new_key: usize, new_size: usize) {
        let (new_key, new_size) = (new_key as u32, new_size as u32);
        if id == self.top {
            let n = &mut self.nodes[id as usize];
            n.key = new_key;
            n.size = new_size;
            return;
        }
        let old_size = self.nodes[id as usize].size;
        {
            let n = &mut self.nodes[id as usize];
            n.key = new_key;
            n.size = new_size;
        }
        let mut t = id;
        if new_size >= old_size {
            // Maxima only grow, and stop at the first node already as large.
            while t != NIL {
                let n = &mut self.nodes[t as usize];
                if n.max >= new_size {
                    break;
                }
                n.max = new_size;
                t = n.parent;
            }
        } else {
            // Maxima may shrink, but only on ancestors whose largest size was
            // this block's old size; each of those recomputes from its own
            // size, the new maximum below and its other child alone.
            let n = self.nodes[t as usize];
            let old = n.max;
            if old_size < old {
                return;
            }
            let mut new = new_size.max(self.max(n.left)).max(self.max(n.right));
            let mut p = n.parent;
            while new != old {
                self.nodes[t as usize].max = new;
                if p == NIL {
                    break;
                }
                let pn = self.nodes[p as usize];
                if pn.max != old {
                    break;
                }
                let other = if pn.left == t { pn.right } else { pn.left };
                new = pn.size.max(new).max(self.max(other));
                (t, p) = (p, pn.parent);
            }
        }
    }

    /// The free block with the greatest key `<= key` (as [`floor`](Self::floor))
    /// and the number of free blocks whose key is below `key` (its rank), in
    /// one descent. O(log n).
    pub fn floor_rank(&self, key: usize) -> (Option<u32>, usize) {
        let key = k32(key);
        if self.top != NIL {
            let tk = self.nodes[self.top as usize].key;
            let below = self.count(self.root) as usize;
            if tk < key {
                return (Some(self.top), below + 1);
            }
            if tk == key {
                return (Some(self.top), below);
            }
        }
        let mut t = self.root;
        let (mut best, mut r) = (None, 0usize);
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.key < key {
                best = Some(t);
                r += self.count(n.left) as usize + 1;
                t = n.right;
            } else if n.key == key {
                return (Some(t), r + self.count(n.left) as usize);
            } else {
                t = n.left;
            }
        }
        (best, r)
    }

    /// The free block with the greatest key `<= key`. O(log n).
    pub fn floor(&self, key: usize) -> Option<u32> {
        let key = k32(key);
        if self.top != NIL && self.nodes[self.top as usize].key <= key {
            return Some(self.top);
        }
        let mut t = self.root;
        let mut best = None;
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.key <= key {
                best = Some(t);
                t = n.right;
            } else {
                t = n.left;
            }
        }
        best
    }

    /// The lowest-keyed free block with key `>= min_key` and size `>= size`,
    /// with its rank (the number of free blocks below it). O(log n) expected.
    pub fn first_fit(&self, min_key: usize, size: usize) -> Option<(u32, usize)> {
        let size = u32::try_from(size).ok()?;
        let min_key = k32(min_key);
        let found = if min_key == 0 {
            self.leftmost_fit(self.root, size, 0)
        } else {
            self.first_fit_rec(self.root, min_key, size, 0)
        };
        // The top is last in address order: the answer when nothing in the
        // treap fits.
        found.or_else(|| {
            let t = self.nodes.get(self.top as usize)?;
            (t.size >= size && t.key >= min_key).then(|| (self.top, self.count(self.root) as usize))
        })
    }

    /// The leftmost node of subtree `t` of size `>= size`; `base` blocks precede `t`.
    fn leftmost_fit(&self, mut t: u32, size: u32, mut base: usize) -> Option<(u32, usize)> {
        if self.max(t) < size {
            return None;
        }
        loop {
            let n = &self.nodes[t as usize];
            if self.max(n.left) >= size {
                t = n.left;
            } else if n.size >= size {
                return Some((t, base + self.count(n.left) as usize));
            } else {
                base += self.count(n.left) as usize + 1;
                t = n.right;
            }
        }
    }

    fn first_fit_rec(&self, t: u32, min_key: u32, size: u32, base: usize) -> Option<(u32, usize)> {
        if t == NIL || self.max(t) < size {
            return None;
        }
        let n = &self.nodes[t as usize];
        let lc = self.count(n.left) as usize;
        if n.key < min_key {
            return self.first_fit_rec(n.right, min_key, size, base + lc + 1);
        }
        if let Some(found) = self.first_fit_rec(n.left, min_key, size, base) {
            return Some(found);
        }
        if n.size >= size {
            return Some((t, base + lc));
        }
        self.leftmost_fit(n.right, size, base + lc + 1)
    }

    /// Ids of all free blocks in address order. O(n).
    pub fn in_order(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len());
        let mut stack = Vec::new();
        let mut t = self.root;
        while t != NIL || !stack.is_empty() {
            while t != NIL {
                stack.push(t);
                t = self.nodes[t as usize].left;
            }
            let n = stack.pop().expect("stack not empty");
            out.push(n);
            t = self.nodes[n as usize].right;
        }
        if self.top != NIL {
            out.push(self.top);
        }
        out
    }

    /// Checks the search-tree order, the heap order of priorities and the
    /// augmented fields of every node. O(n).
    pub fn check(&self) -> Result<(), String> {
        if self.root != NIL && self.nodes[self.root as usize].parent != NIL {
            return Err("free tree: the root has a parent".into());
        }
        if self.top == NIL && self.root != NIL {
            return Err("free tree: blocks in the treap but no top".into());
        }
        let hi = (self.top != NIL).then(|| self.nodes[self.top as usize].key);
        self.check_rec(self.root, None, hi).map(|_| ())
    }

    fn check_rec(&self, t: u32, lo: Option<u32>, hi: Option<u32>) -> Result<(u32, u32), String> {
        if t == NIL {
            return Ok((0, 0));
        }
        let n = &self.nodes[t as usize];
        for c in [n.left, n.right] {
            if c != NIL && self.nodes[c as usize].parent != t {
                return Err(format!("free tree: wrong parent link under key {}", n.key));
            }
        }
        if lo.is_some_and(|lo| n.key <= lo) || hi.is_some_and(|hi| n.key >= hi) {
            return Err(format!("free tree: key {} out of order", n.key));
        }
        for c in [n.left, n.right] {
            if c != NIL && self.nodes[c as usize].prio > n.prio {
                return Err(format!("free tree: heap order broken under key {}", n.key));
            }
        }
        let (lc, lm) = self.check_rec(n.left, lo, Some(n.key))?;
        let (rc, rm) = self.check_rec(n.right, Some(n.key), hi)?;
        let count = 1 + lc + rc;
        let max = n.size.max(lm).max(rm);
        if count != n.count || max != n.max {
            return Err(format!(
                "free tree: stale augmentation at key {} (count {} vs {}, max {} vs {})",
                n.key, n.count, count, n.max, max
            ));
        }
        Ok((count, max))
    }
}
