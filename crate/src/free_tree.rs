//! The free-block index: an address-ordered B+tree of free blocks whose inner
//! entries carry the largest size and the block count of their subtree.
//!
//! It answers every question the placement strategies ask in O(log n): the
//! lowest-addressed free block at or after an address that fits a size (first
//! and next fit), the rank of a block in address order (the "searched"
//! counts), and the free block at or before an address.
//!
//! Nodes are wide (up to [`B`] entries in flat arrays) and live in a vector,
//! referring to each other by index; each block records the leaf that holds it.
//! A few thousand free blocks sit three levels deep, so a search scans a few
//! short arrays instead of chasing a pointer per level, and a block that
//! changes in place (the common split and merge) fixes a few parent entries
//! bottom-up, stopping as soon as nothing changes.
//!
//! The free block with the highest address (the *top*, usually the untouched
//! end of the arena) stays out of the tree, as dlmalloc keeps its top chunk:
//! allocations carved from it and frees merged into it change one record, not
//! the entries on a path to the root. Every query accounts for it: it is the
//! last block in address order.
//!
//! Offsets and sizes are stored as `u32` (the arena is at most 1 GiB).

/// The "no node" / "no block" index.
pub(crate) const NIL: u32 = u32::MAX;

/// Entries per node.
const B: usize = 16;
/// A node below this many entries merges with a neighbour when they fit in one.
const MIN: usize = B / 4;

#[derive(Clone, Debug)]
struct Node {
    /// Entries in use: `1 ..= B` for every node in the tree.
    len: u32,
    /// The node whose entry this node is ([`NIL`] for the root).
    parent: u32,
    /// Index of this node's entry in its parent.
    pidx: u32,
    /// Whether the entries are blocks (else child nodes). Every leaf is at the
    /// same depth.
    leaf: bool,
    /// Leaf: the block's offset. Inner: the smallest key in the child's
    /// subtree. Strictly increasing within a node, and every key in child `i`
    /// is below `key[i + 1]`.
    key: [u32; B],
    /// Leaf: the block's size. Inner: the largest size in the child's subtree.
    max: [u32; B],
    /// Inner only: the number of blocks in the child's subtree.
    cnt: [u32; B],
    /// Leaf: the block's id. Inner: the child node.
    ptr: [u32; B],
}

/// Where a block is, by id (meaningful only while the block is indexed).
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Start offset of the free block.
    key: u32,
    /// Size of the free block in bytes.
    size: u32,
    /// The leaf that holds the block ([`NIL`] for the top).
    leaf: u32,
    /// The block's entry index in that leaf.
    pos: u32,
}

/// A query bound as a stored key: every stored key is below 2^30, so clamping
/// keeps the order.
#[inline]
fn k32(x: usize) -> u32 {
    x.min(u32::MAX as usize) as u32
}

/// Address-ordered index of the free blocks.
#[derive(Clone, Debug)]
pub(crate) struct FreeTree {
    /// Node storage; nodes not in the tree are listed in `spare`.
    nodes: Vec<Node>,
    /// Nodes free for reuse.
    spare: Vec<u32>,
    /// Root node, or [`NIL`] when the tree is empty.
    root: u32,
    /// Every block's key, size and leaf, by block id; only ids in the index
    /// are meaningful.
    blocks: Vec<Slot>,
    /// Number of blocks in the tree (the top not included).
    n: u32,
    /// The largest size in the tree (the top not included; 0 when empty):
    /// "nothing in the tree fits" and worst fit's size without a scan.
    tree_max: u32,
    /// The free block with the highest key, kept out of the tree (its key
    /// and size in `blocks[top]`), or [`NIL`] when no block is free. Every key
    /// in the tree is below its key.
    top: u32,
    /// The heap's end when it grows with `sbrk` (the allocator's high-water
    /// mark), or `u32::MAX` for a fixed arena. Every free block but the top
    /// ends at or below it; the top's bytes above it are not yet part of the
    /// heap, so the fit queries ([`first_fit`](Self::first_fit),
    /// [`fit_max`](Self::fit_max)) see only its part below.
    brk: u32,
}

impl Default for FreeTree {
    fn default() -> Self {
        FreeTree {
            nodes: Vec::new(),
            spare: Vec::new(),
            root: NIL,
            blocks: Vec::new(),
            n: 0,
            tree_max: 0,
            top: NIL,
            brk: u32::MAX,
        }
    }
}

impl Node {
    fn new(leaf: bool) -> Self {
        Node {
            len: 0,
            parent: NIL,
            pidx: 0,
            leaf,
            key: [0; B],
            max: [0; B],
            cnt: [0; B],
            ptr: [NIL; B],
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.len as usize
    }

    /// The largest size below this node.
    #[inline]
    fn max_size(&self) -> u32 {
        self.max[..self.len()].iter().copied().max().unwrap_or(0)
    }

    /// The number of blocks below this node.
    #[inline]
    fn count(&self) -> u32 {
        if self.leaf {
            self.len
        } else {
            self.cnt[..self.len()].iter().sum()
        }
    }

    /// The entry whose subtree holds `key`: the last with a key `<= key`
    /// (the first when `key` is below all).
    #[inline]
    fn route(&self, key: u32) -> usize {
        // Counted, not searched: no exit for the branch predictor to guess.
        self.key[1..self.len().max(1)]
            .iter()
            .map(|&k| usize::from(k <= key))
            .sum()
    }
}

impl FreeTree {
    fn alloc_node(&mut self, leaf: bool) -> u32 {
        match self.spare.pop() {
            Some(t) => {
                self.nodes[t as usize] = Node::new(leaf);
                t
            }
            None => {
                self.nodes.push(Node::new(leaf));
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Points entry `j` of node `t` back at `t` (a block's leaf, or a child's
    /// parent and index).
    #[inline]
    fn adopt(&mut self, t: u32, j: usize) {
        let n = &self.nodes[t as usize];
        let p = n.ptr[j];
        if n.leaf {
            let b = &mut self.blocks[p as usize];
            b.leaf = t;
            b.pos = j as u32;
        } else {
            let c = &mut self.nodes[p as usize];
            c.parent = t;
            c.pidx = j as u32;
        }
    }

    /// `t`'s parent and the index of `t`'s entry in it (`None` for the root).
    #[inline]
    fn up(&self, t: u32) -> Option<(u32, usize)> {
        let n = &self.nodes[t as usize];
        (n.parent != NIL).then_some((n.parent, n.pidx as usize))
    }

    /// Inserts an entry at `i` into node `t`, which has room.
    fn put(&mut self, t: u32, i: usize, e: (u32, u32, u32, u32)) {
        let n = &mut self.nodes[t as usize];
        let len = n.len();
        debug_assert!(len < B);
        let mut j = len;
        while j > i {
            n.key[j] = n.key[j - 1];
            n.max[j] = n.max[j - 1];
            n.cnt[j] = n.cnt[j - 1];
            n.ptr[j] = n.ptr[j - 1];
            j -= 1;
        }
        (n.key[i], n.max[i], n.cnt[i], n.ptr[i]) = e;
        n.len += 1;
        for j in i..=len {
            self.adopt(t, j);
        }
    }

    /// Removes entry `i` of node `t`.
    fn take(&mut self, t: u32, i: usize) {
        let n = &mut self.nodes[t as usize];
        let len = n.len();
        for j in i..len - 1 {
            n.key[j] = n.key[j + 1];
            n.max[j] = n.max[j + 1];
            n.cnt[j] = n.cnt[j + 1];
            n.ptr[j] = n.ptr[j + 1];
        }
        n.len -= 1;
        for j in i..len - 1 {
            self.adopt(t, j);
        }
    }

    /// Node `t` as an entry of its parent: `(key, max, count, t)`.
    fn summary(&self, t: u32) -> (u32, u32, u32, u32) {
        let n = &self.nodes[t as usize];
        (n.key[0], n.max_size(), n.count(), t)
    }

    /// Recomputes the parent entries of `t` and of each of its ancestors.
    fn refresh_path(&mut self, mut t: u32) {
        loop {
            let Some((p, i)) = self.up(t) else {
                return;
            };
            let (k, m, c, _) = self.summary(t);
            let pn = &mut self.nodes[p as usize];
            (pn.key[i], pn.max[i], pn.cnt[i]) = (k, m, c);
            t = p;
        }
    }

    /// Moves the upper half of the full node `t` into a new node, entered in
    /// the parent after `t` (splitting full ancestors first), and refreshes
    /// the entries on both nodes' paths.
    fn split(&mut self, t: u32) -> u32 {
        const H: usize = B / 2;
        let u = self.alloc_node(self.nodes[t as usize].leaf);
        {
            let (tn, un) = if t < u {
                let (a, b) = self.nodes.split_at_mut(u as usize);
                (&mut a[t as usize], &mut b[0])
            } else {
                let (a, b) = self.nodes.split_at_mut(t as usize);
                (&mut b[0], &mut a[u as usize])
            };
            un.key[..B - H].copy_from_slice(&tn.key[H..]);
            un.max[..B - H].copy_from_slice(&tn.max[H..]);
            un.cnt[..B - H].copy_from_slice(&tn.cnt[H..]);
            un.ptr[..B - H].copy_from_slice(&tn.ptr[H..]);
            un.len = (B - H) as u32;
            tn.len = H as u32;
        }
        for j in 0..B - H {
            self.adopt(u, j);
        }
        if t == self.root {
            let r = self.alloc_node(false);
            let (st, su) = (self.summary(t), self.summary(u));
            self.put(r, 0, st);
            self.put(r, 1, su);
            self.root = r;
        } else {
            let mut p = self.nodes[t as usize].parent;
            if self.nodes[p as usize].len() == B {
                self.split(p);
                p = self.nodes[t as usize].parent;
            }
            let i = self.nodes[t as usize].pidx as usize;
            let su = self.summary(u);
            self.put(p, i + 1, su);
        }
        // `t` lost entries to `u`: both paths (wherever a parent split put
        // them) get fresh entries.
        self.refresh_path(t);
        self.refresh_path(u);
        u
    }

    /// An upper bound on the bytes `k` more blocks may add, when block ids
    /// stay below `ids` (see [`headroom`](crate::headroom)). O(1).
    pub(crate) fn growth(&self, k: usize, ids: usize) -> usize {
        // A split leaves two nodes half full: a node per B/2 inserts at most
        // on each level (B/2 times fewer on the next), and one per level.
        let nodes = self.nodes.len().saturating_add(k / (B / 4) + 8);
        // Removals list emptied nodes for reuse.
        crate::headroom::vec_growth_to(&self.blocks, ids)
            .saturating_add(crate::headroom::vec_growth_to(&self.nodes, nodes))
            .saturating_add(crate::headroom::vec_growth_to(&self.spare, nodes))
    }

    /// Drops every block. O(1) (the storage is kept for reuse).
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.spare.clear();
        self.root = NIL;
        self.n = 0;
        self.tree_max = 0;
        self.top = NIL;
    }

    /// Number of free blocks. O(1).
    pub fn len(&self) -> usize {
        self.n as usize + usize::from(self.top != NIL)
    }

    /// Size of the top block (0 when none).
    #[inline]
    fn top_size(&self) -> u32 {
        if self.top == NIL {
            0
        } else {
            self.blocks[self.top as usize].size
        }
    }

    /// Size of the largest free block (0 when none). O(1).
    pub fn max_size(&self) -> usize {
        self.tree_max.max(self.top_size()) as usize
    }

    /// Sets the heap's end the fit queries respect (see [`brk`](Self::brk)):
    /// `usize::MAX` for none.
    pub fn set_brk(&mut self, brk: usize) {
        self.brk = k32(brk);
    }

    /// The top's bytes below the heap's end (0 when there is no top).
    #[inline]
    fn top_fit_size(&self) -> u32 {
        match self.blocks.get(self.top as usize) {
            Some(t) => t.size.min(self.brk.saturating_sub(t.key)),
            None => 0,
        }
    }

    /// The largest size a fit query can find: [`max_size`](Self::max_size)
    /// with the top counted only below the heap's end. O(1).
    pub fn fit_max(&self) -> usize {
        self.tree_max.max(self.top_fit_size()) as usize
    }

    /// The free block with the highest key (the top), or `None`. O(1).
    pub fn top(&self) -> Option<u32> {
        (self.top != NIL).then_some(self.top)
    }

    /// Recomputes `tree_max` from the root's entries. O(B).
    fn rescan_max(&mut self) {
        self.tree_max = match self.nodes.get(self.root as usize) {
            Some(r) => r.max_size(),
            None => 0,
        };
    }

    /// Start offset of the free block `id`.
    pub fn key(&self, id: u32) -> usize {
        self.blocks[id as usize].key as usize
    }

    /// Size of the free block `id`.
    pub fn size(&self, id: u32) -> usize {
        self.blocks[id as usize].size as usize
    }

    /// Adds block `id` (free, at `key`, of `size` bytes). The key must not be
    /// indexed already. O(log n); O(1) for a block above every other (the new
    /// top: the old top moves into the tree).
    pub fn insert(&mut self, id: u32, key: usize, size: usize) {
        if self.blocks.len() <= id as usize {
            self.blocks.resize(id as usize + 1, Slot::default());
        }
        let (key, size) = (key as u32, size as u32);
        let top = self.top;
        if top == NIL || self.blocks[top as usize].key < key {
            if top != NIL {
                let Slot { key, size, .. } = self.blocks[top as usize];
                self.tree_insert(top, key, size);
            }
            self.top = id;
            self.blocks[id as usize] = Slot {
                key,
                size,
                leaf: NIL,
                pos: 0,
            };
        } else {
            self.tree_insert(id, key, size);
        }
    }

    /// Adds block `id` to the tree. O(log n).
    fn tree_insert(&mut self, id: u32, key: u32, size: u32) {
        self.blocks[id as usize] = Slot {
            key,
            size,
            leaf: NIL,
            pos: 0,
        };
        self.n += 1;
        self.tree_max = self.tree_max.max(size);
        if self.root == NIL {
            let l = self.alloc_node(true);
            self.put(l, 0, (key, size, 1, id));
            self.root = l;
            return;
        }
        let mut t = self.root;
        while !self.nodes[t as usize].leaf {
            let n = &self.nodes[t as usize];
            t = n.ptr[n.route(key)];
        }
        let n = &self.nodes[t as usize];
        let mut pos = n.key[..n.len()].partition_point(|&k| k < key);
        if n.len() == B {
            // Rare (one insert in B/2 at most): split (which refreshes both
            // halves' paths), insert, refresh the path of the half that grew.
            let u = self.split(t);
            let target = if pos <= B / 2 {
                t
            } else {
                pos -= B / 2;
                u
            };
            self.put(target, pos, (key, size, 1, id));
            self.refresh_path(target);
            return;
        }
        self.put(t, pos, (key, size, 1, id));
        let mut first = pos == 0;
        loop {
            let Some((p, i)) = self.up(t) else {
                return;
            };
            let pn = &mut self.nodes[p as usize];
            pn.cnt[i] += 1;
            pn.max[i] = pn.max[i].max(size);
            if first {
                pn.key[i] = key;
                first = i == 0;
            }
            t = p;
        }
    }

    /// Removes block `id`, which must be indexed. O(log n).
    pub fn remove(&mut self, id: u32) {
        if id != self.top {
            self.tree_remove(id);
            return;
        }
        // The highest block of the tree becomes the top.
        if self.root == NIL {
            self.top = NIL;
            return;
        }
        let mut t = self.root;
        loop {
            let n = &self.nodes[t as usize];
            let last = n.ptr[n.len() - 1];
            if n.leaf {
                self.tree_remove(last);
                self.top = last;
                self.blocks[last as usize].leaf = NIL;
                return;
            }
            t = last;
        }
    }

    /// Position of block `id` in its leaf.
    #[inline]
    fn locate(&self, id: u32) -> (u32, usize) {
        let Slot { leaf, pos, .. } = self.blocks[id as usize];
        debug_assert_eq!(self.nodes[leaf as usize].ptr[pos as usize], id);
        (leaf, pos as usize)
    }

    /// Removes block `id` from the tree. O(log n).
    fn tree_remove(&mut self, id: u32) {
        let size = self.blocks[id as usize].size;
        self.tree_remove_entry(id);
        if size == self.tree_max {
            self.rescan_max();
        }
    }

    fn tree_remove_entry(&mut self, id: u32) {
        let (leaf, pos) = self.locate(id);
        let size = self.nodes[leaf as usize].max[pos];
        self.take(leaf, pos);
        self.n -= 1;
        let len = self.nodes[leaf as usize].len();
        if leaf == self.root {
            if len == 0 {
                self.spare.push(leaf);
                self.root = NIL;
            }
            return;
        }
        if len < MIN {
            // Rare: merge underfull nodes, then refresh what changed.
            let low = self.rebalance(leaf);
            if low != NIL {
                self.refresh_path(low);
            }
            return;
        }
        let mut first = pos == 0;
        let mut t = leaf;
        loop {
            let Some((p, i)) = self.up(t) else {
                return;
            };
            let c = &self.nodes[t as usize];
            let (k0, cmax) = (
                c.key[0],
                if self.nodes[p as usize].max[i] == size {
                    c.max_size()
                } else {
                    0
                },
            );
            let pn = &mut self.nodes[p as usize];
            pn.cnt[i] -= 1;
            if pn.max[i] == size {
                pn.max[i] = cmax;
            }
            if first {
                pn.key[i] = k0;
                first = i == 0;
            }
            t = p;
        }
    }

    /// Merges the underfull node `t` with a neighbour when the two fit in one
    /// node, and so on up; drops emptied nodes and collapses a root with one
    /// child. Returns the lowest surviving node whose parent entries are stale
    /// ([`NIL`] when none are).
    fn rebalance(&mut self, mut t: u32) -> u32 {
        let mut low = if self.nodes[t as usize].len == 0 {
            NIL
        } else {
            t
        };
        while t != self.root && self.nodes[t as usize].len() < MIN {
            let (p, i) = (
                self.nodes[t as usize].parent,
                self.nodes[t as usize].pidx as usize,
            );
            let plen = self.nodes[p as usize].len();
            if plen == 1 {
                if self.nodes[t as usize].len > 0 {
                    break;
                }
                // An empty only child: drop it.
                self.take(p, 0);
                self.spare.push(t);
                t = p;
                continue;
            }
            let li = if i + 1 < plen { i } else { i - 1 };
            let (l, r) = {
                let pn = &self.nodes[p as usize];
                (pn.ptr[li], pn.ptr[li + 1])
            };
            let (ll, rl) = (self.nodes[l as usize].len(), self.nodes[r as usize].len());
            if ll + rl > B {
                break;
            }
            let rn = self.nodes[r as usize].clone();
            {
                let ln = &mut self.nodes[l as usize];
                ln.key[ll..ll + rl].copy_from_slice(&rn.key[..rl]);
                ln.max[ll..ll + rl].copy_from_slice(&rn.max[..rl]);
                ln.cnt[ll..ll + rl].copy_from_slice(&rn.cnt[..rl]);
                ln.ptr[ll..ll + rl].copy_from_slice(&rn.ptr[..rl]);
                ln.len = (ll + rl) as u32;
            }
            for j in ll..ll + rl {
                self.adopt(l, j);
            }
            self.take(p, li + 1);
            self.spare.push(r);
            if low == NIL || low == r {
                low = l;
            }
            t = p;
        }
        if low == NIL && t != self.root {
            // Only emptied nodes went: the entries above the last one's
            // parent are stale.
            low = t;
        }
        // A root with one child hands the root to it (which then needs no
        // refresh: a root has no parent entry).
        loop {
            let r = &self.nodes[self.root as usize];
            if r.leaf || r.len != 1 {
                break;
            }
            let old = self.root;
            self.root = r.ptr[0];
            self.nodes[self.root as usize].parent = NIL;
            self.spare.push(old);
            if low == old {
                low = NIL;
            }
        }
        low
    }

    /// Changes the key and size of block `id`. The new key must keep the
    /// block's place in address order. O(1) when the parent entries do not
    /// change, O(log n) at worst.
    pub fn update(&mut self, id: u32, new_key: usize, new_size: usize) {
        let (new_key, new_size) = (new_key as u32, new_size as u32);
        let old = self.blocks[id as usize].size;
        {
            let s = &mut self.blocks[id as usize];
            s.key = new_key;
            s.size = new_size;
        }
        if id == self.top {
            return;
        }
        self.update_entry(id, new_key, new_size, old);
        if new_size > self.tree_max {
            self.tree_max = new_size;
        } else if old == self.tree_max && new_size < old {
            self.rescan_max();
        }
    }

    /// Sets the tree entry of block `id` (of size `old` before) and fixes the
    /// parent entries above it, stopping where nothing changes.
    fn update_entry(&mut self, id: u32, new_key: u32, new_size: u32, old: u32) {
        let (leaf, pos) = self.locate(id);
        {
            let n = &mut self.nodes[leaf as usize];
            n.key[pos] = new_key;
            n.max[pos] = new_size;
        }
        let mut first = pos == 0;
        let mut t = leaf;
        loop {
            let Some((p, i)) = self.up(t) else {
                return;
            };
            let c = &self.nodes[t as usize];
            let pmax = self.nodes[p as usize].max[i];
            let m = if new_size >= pmax {
                new_size
            } else if pmax == old {
                c.max_size()
            } else {
                pmax
            };
            let pn = &mut self.nodes[p as usize];
            let grew_or_shrank = m != pmax;
            pn.max[i] = m;
            if first {
                pn.key[i] = new_key;
                first = i == 0;
            } else if !grew_or_shrank {
                return;
            }
            t = p;
        }
    }

    /// The free block with the greatest key `<= key` (as [`floor`](Self::floor))
    /// and the number of free blocks whose key is below `key` (its rank), in
    /// one descent. O(log n).
    pub fn floor_rank(&self, key: usize) -> (Option<u32>, usize) {
        let key = k32(key);
        if self.top != NIL {
            let tk = self.blocks[self.top as usize].key;
            let below = self.n as usize;
            if tk < key {
                return (Some(self.top), below + 1);
            }
            if tk == key {
                return (Some(self.top), below);
            }
        }
        let Some(mut n) = self.nodes.get(self.root as usize) else {
            return (None, 0);
        };
        if key < n.key[0] {
            return (None, 0);
        }
        let mut r = 0usize;
        loop {
            let j = n.route(key);
            if n.leaf {
                return (Some(n.ptr[j]), r + j + usize::from(n.key[j] < key));
            }
            r += n.cnt[..j].iter().map(|&c| c as usize).sum::<usize>();
            n = &self.nodes[n.ptr[j] as usize];
        }
    }

    /// The free block with the greatest key `<= key`. O(log n).
    pub fn floor(&self, key: usize) -> Option<u32> {
        self.floor_rank(key).0
    }

    /// The lowest-keyed free block with key `>= min_key` and size `>= size`,
    /// with its rank (the number of free blocks below it); the top's size is
    /// counted below the heap's end only (see [`brk`](Self::brk)). O(log n).
    pub fn first_fit(&self, min_key: usize, size: usize) -> Option<(u32, usize)> {
        let size = u32::try_from(size).ok()?;
        let min_key = k32(min_key);
        let found = if self.root == NIL || self.tree_max < size {
            None
        } else if min_key == 0 {
            self.leftmost_fit(self.root, size, 0)
        } else {
            self.first_fit_from(self.root, min_key, size, 0)
        };
        // The top is last in address order: the answer when nothing in the
        // tree fits.
        found.or_else(|| {
            let t = self.blocks.get(self.top as usize)?;
            (self.top_fit_size() >= size && t.key >= min_key).then_some((self.top, self.n as usize))
        })
    }

    /// The leftmost block of subtree `t` of size `>= size`; `base` blocks precede `t`.
    #[inline]
    fn leftmost_fit(&self, t: u32, size: u32, mut base: usize) -> Option<(u32, usize)> {
        let mut n = &self.nodes[t as usize];
        loop {
            let len = n.len();
            if n.leaf {
                let i = n.max[..len].iter().position(|&m| m >= size)?;
                return Some((n.ptr[i], base + i));
            }
            let i = n.max[..len].iter().position(|&m| m >= size)?;
            base += n.cnt[..i].iter().map(|&c| c as usize).sum::<usize>();
            n = &self.nodes[n.ptr[i] as usize];
        }
    }

    fn first_fit_from(
        &self,
        t: u32,
        min_key: u32,
        size: u32,
        mut base: usize,
    ) -> Option<(u32, usize)> {
        let n = &self.nodes[t as usize];
        let len = n.len();
        if n.leaf {
            let i = (0..len).find(|&i| n.key[i] >= min_key && n.max[i] >= size)?;
            return Some((n.ptr[i], base + i));
        }
        let j = n.route(min_key);
        base += n.cnt[..j].iter().map(|&c| c as usize).sum::<usize>();
        if n.max[j] >= size {
            if let Some(found) = self.first_fit_from(n.ptr[j], min_key, size, base) {
                return Some(found);
            }
        }
        base += n.cnt[j] as usize;
        for i in j + 1..len {
            if n.max[i] >= size {
                return self.leftmost_fit(n.ptr[i], size, base);
            }
            base += n.cnt[i] as usize;
        }
        None
    }

    /// Ids of all free blocks in address order. O(n).
    pub fn in_order(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len());
        if self.root != NIL {
            self.collect(self.root, &mut out);
        }
        if self.top != NIL {
            out.push(self.top);
        }
        out
    }

    fn collect(&self, t: u32, out: &mut Vec<u32>) {
        let n = &self.nodes[t as usize];
        if n.leaf {
            out.extend_from_slice(&n.ptr[..n.len()]);
        } else {
            for &c in &n.ptr[..n.len()] {
                self.collect(c, out);
            }
        }
    }

    /// Checks the key order, node fill, equal leaf depth, the parent entries
    /// and back links of every node, and the count. O(n).
    pub fn check(&self) -> Result<(), String> {
        // Every node is in the tree or spare, once.
        let mut seen = vec![false; self.nodes.len()];
        for &t in &self.spare {
            if std::mem::replace(&mut seen[t as usize], true) {
                return Err(format!("free tree: node {t} is spare twice"));
            }
        }
        let mut stack: Vec<u32> = self
            .nodes
            .get(self.root as usize)
            .map(|_| self.root)
            .into_iter()
            .collect();
        while let Some(t) = stack.pop() {
            let Some(s) = seen.get_mut(t as usize) else {
                return Err(format!("free tree: child {t} is not a node"));
            };
            if std::mem::replace(s, true) {
                return Err(format!(
                    "free tree: node {t} is reached twice or also spare"
                ));
            }
            let n = &self.nodes[t as usize];
            if !n.leaf {
                stack.extend_from_slice(&n.ptr[..n.len().min(B)]);
            }
        }
        if let Some(t) = seen.iter().position(|&s| !s) {
            return Err(format!(
                "free tree: node {t} is neither in the tree nor spare"
            ));
        }
        if self.root == NIL {
            return if self.n == 0 && self.tree_max == 0 {
                Ok(())
            } else {
                Err(format!("free tree: empty but counts {}", self.n))
            };
        }
        if self.top == NIL {
            return Err("free tree: blocks in the tree but no top".into());
        }
        if self.nodes[self.root as usize].parent != NIL {
            return Err("free tree: the root has a parent".into());
        }
        let hi = self.blocks[self.top as usize].key;
        let mut leaf_depth = None;
        let (_, _, count, last) = self.check_node(self.root, 0, &mut leaf_depth)?;
        if count != self.n {
            return Err(format!("free tree: counts {} but holds {count}", self.n));
        }
        if self.nodes[self.root as usize].max_size() != self.tree_max {
            return Err(format!(
                "free tree: largest size {} is stale",
                self.tree_max
            ));
        }
        if last >= hi {
            return Err(format!("free tree: key {last} not below the top's {hi}"));
        }
        Ok(())
    }

    /// `(first key, max, count, last key)` of subtree `t`, checked.
    fn check_node(
        &self,
        t: u32,
        depth: usize,
        leaf_depth: &mut Option<usize>,
    ) -> Result<(u32, u32, u32, u32), String> {
        let n = &self.nodes[t as usize];
        let len = n.len();
        if len == 0 || len > B {
            return Err(format!("free tree: a node holds {len} entries"));
        }
        if n.key[..len].windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!(
                "free tree: keys out of order in a node from key {}",
                n.key[0]
            ));
        }
        if n.leaf {
            if *leaf_depth.get_or_insert(depth) != depth {
                return Err("free tree: leaves at different depths".into());
            }
            for j in 0..len {
                let s = self.blocks[n.ptr[j] as usize];
                if s.leaf != t || s.pos as usize != j || s.key != n.key[j] || s.size != n.max[j] {
                    return Err(format!(
                        "free tree: stale record for the block at {}",
                        n.key[j]
                    ));
                }
            }
            return Ok((n.key[0], n.max_size(), n.len, n.key[len - 1]));
        }
        let mut last = 0;
        for j in 0..len {
            let c = &self.nodes[n.ptr[j] as usize];
            if c.parent != t || c.pidx as usize != j {
                return Err(format!("free tree: wrong back link under key {}", n.key[j]));
            }
            let (k0, m, cnt, l) = self.check_node(n.ptr[j], depth + 1, leaf_depth)?;
            if (k0, m, cnt) != (n.key[j], n.max[j], n.cnt[j]) {
                return Err(format!(
                    "free tree: stale entry at key {} (key {k0} vs {}, max {m} vs {}, count {cnt} vs {})",
                    n.key[j], n.key[j], n.max[j], n.cnt[j]
                ));
            }
            if j + 1 < len && l >= n.key[j + 1] {
                return Err(format!(
                    "free tree: key {l} not below the next entry's {}",
                    n.key[j + 1]
                ));
            }
            last = l;
        }
        Ok((n.key[0], n.max_size(), n.count(), last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A tiny deterministic generator (the crate's tests avoid a `rand` dependency here).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Every query of the tree against a sorted map `key -> (id, size)`.
    fn agree(t: &FreeTree, m: &BTreeMap<u32, (u32, u32)>, rng: &mut Rng) {
        t.check().unwrap();
        let order: Vec<u32> = m.values().map(|&(id, _)| id).collect();
        assert_eq!(t.in_order(), order);
        assert_eq!(t.len(), m.len());
        assert_eq!(
            t.max_size(),
            m.values().map(|&(_, s)| s as usize).max().unwrap_or(0)
        );
        for _ in 0..8 {
            let q = rng.below(1 << 20) as u32;
            let size = rng.below(300) as u32;
            let want = m
                .range(q..)
                .enumerate()
                .find(|(_, (_, &(_, s)))| s >= size)
                .map(|(i, (_, &(id, _)))| (id, m.range(..q).count() + i));
            assert_eq!(
                t.first_fit(q as usize, size as usize),
                want,
                "first_fit({q}, {size})"
            );
            let want0 = m
                .values()
                .enumerate()
                .find(|(_, &(_, s))| s >= size)
                .map(|(i, &(id, _))| (id, i));
            assert_eq!(t.first_fit(0, size as usize), want0, "first_fit(0, {size})");
            let floor = m.range(..=q).next_back().map(|(_, &(id, _))| id);
            assert_eq!(
                t.floor_rank(q as usize),
                (floor, m.range(..q).count()),
                "floor_rank({q})"
            );
        }
    }

    #[test]
    fn the_tree_agrees_with_a_sorted_map_through_growth_and_shrinking() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut t = FreeTree::default();
        let mut m: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        let mut next_id = 0u32;
        // Grow to thousands of blocks (several levels, cascading splits), then
        // shrink to none (merges, root collapses), twice.
        for round in 0..2 {
            for phase in [0u64, 1] {
                for step in 0..6000 {
                    let grow = if phase == 0 { 75 } else { 25 };
                    let k = rng.below(100);
                    if k < grow || m.is_empty() {
                        let key = (rng.below(1 << 20) as u32) & !7;
                        if m.contains_key(&key) {
                            continue;
                        }
                        let size = 8 + rng.below(256) as u32;
                        t.insert(next_id, key as usize, size as usize);
                        m.insert(key, (next_id, size));
                        next_id += 1;
                    } else {
                        let pick = rng.below(m.len() as u64) as usize;
                        let (&key, &(id, size)) = m.iter().nth(pick).unwrap();
                        if k % 2 == 0 {
                            t.remove(id);
                            m.remove(&key);
                        } else {
                            // Move the start up to just below the next key, and resize.
                            let next = m.range(key + 1..).next().map_or(1 << 21, |(&k, _)| k);
                            let new_key = key + rng.below(u64::from(next - key)) as u32;
                            let new_size = if k % 4 == 1 {
                                size / 2
                            } else {
                                size + rng.below(64) as u32
                            };
                            t.update(id, new_key as usize, new_size as usize);
                            m.remove(&key);
                            m.insert(new_key, (id, new_size));
                        }
                    }
                    if step % 97 == 0 {
                        agree(&t, &m, &mut rng);
                    }
                }
                agree(&t, &m, &mut rng);
            }
            while let Some((&key, &(id, _))) =
                m.iter().nth(rng.below(m.len().max(1) as u64) as usize)
            {
                t.remove(id);
                m.remove(&key);
                if m.len() % 50 == 0 {
                    agree(&t, &m, &mut rng);
                }
            }
            agree(&t, &m, &mut rng);
            assert_eq!(t.root, NIL, "round {round}: an emptied tree has no nodes");
        }
    }
}
