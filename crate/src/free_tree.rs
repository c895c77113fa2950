//! The free-block index: an address-ordered treap of free blocks, augmented
//! with the largest size and the node count in every subtree.
//!
//! It answers every question the placement strategies ask in O(log n)
//! expected time: the lowest-addressed free block at or after an address that
//! fits a size (first and next fit), the rank of a block in address order
//! (the "searched" counts), and the free block at or before an address.
//! Nodes live in a vector and refer to each other by index; a node's index is
//! the id of the block it describes.

/// The "no node" index.
pub(crate) const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// Start offset of the free block; the tree is a binary search tree on it.
    key: usize,
    /// Size of the free block in bytes.
    size: usize,
    /// The largest `size` in this node's subtree.
    max: usize,
    /// Number of nodes in this node's subtree.
    count: u32,
    /// Heap priority: a parent's is never below its children's.
    prio: u32,
    left: u32,
    right: u32,
}

const EMPTY: Node = Node {
    key: 0,
    size: 0,
    max: 0,
    count: 0,
    prio: 0,
    left: NIL,
    right: NIL,
};

/// Address-ordered index of the free blocks.
#[derive(Clone, Debug)]
pub(crate) struct FreeTree {
    /// Node storage, indexed by block id; only ids in the tree are meaningful.
    nodes: Vec<Node>,
    /// Root node, or [`NIL`] when no block is free.
    root: u32,
    /// State of the xorshift generator that draws priorities (deterministic).
    rng: u64,
}

impl Default for FreeTree {
    fn default() -> Self {
        FreeTree {
            nodes: Vec::new(),
            root: NIL,
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
    fn max(&self, t: u32) -> usize {
        if t == NIL {
            0
        } else {
            self.nodes[t as usize].max
        }
    }

    #[inline]
    fn pull(&mut self, t: u32) {
        let n = self.nodes[t as usize];
        let count = 1 + self.count(n.left) + self.count(n.right);
        let max = n.size.max(self.max(n.left)).max(self.max(n.right));
        let node = &mut self.nodes[t as usize];
        node.count = count;
        node.max = max;
    }

    /// Splits `t` into keys `< key` and keys `>= key`.
    fn split(&mut self, t: u32, key: usize) -> (u32, u32) {
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

    /// Number of free blocks. O(1).
    pub fn len(&self) -> usize {
        self.count(self.root) as usize
    }

    /// Size of the largest free block (0 when none). O(1).
    pub fn max_size(&self) -> usize {
        self.max(self.root)
    }

    /// Start offset of the free block `id`.
    pub fn key(&self, id: u32) -> usize {
        self.nodes[id as usize].key
    }

    /// Size of the free block `id`.
    pub fn size(&self, id: u32) -> usize {
        self.nodes[id as usize].size
    }

    /// Adds block `id` (free, at `key`, of `size` bytes). The key must not be in
    /// the tree. O(log n).
    pub fn insert(&mut self, id: u32, key: usize, size: usize) {
        if self.nodes.len() <= id as usize {
            self.nodes.resize(id as usize + 1, EMPTY);
        }
        let prio = self.next_prio();
        self.nodes[id as usize] = Node {
            key,
            size,
            max: size,
            count: 1,
            prio,
            left: NIL,
            right: NIL,
        };
        let (l, r) = self.split(self.root, key);
        let m = self.merge(l, id);
        self.root = self.merge(m, r);
    }

    /// Removes the node at `key`, which must be in the tree. O(log n).
    pub fn remove(&mut self, key: usize) {
        let (l, r) = self.split(self.root, key);
        let (m, r) = self.split(r, key + 1);
        debug_assert!(m != NIL && self.count(m) == 1, "key {key} not in tree");
        self.root = self.merge(l, r);
    }

    /// Changes the key and size of the node at `old_key`. The new key must keep
    /// the node's place in address order. O(log n).
    pub fn update(&mut self, old_key: usize, new_key: usize, new_size: usize) {
        let root = self.root;
        self.update_rec(root, old_key, new_key, new_size);
    }

    fn update_rec(&mut self, t: u32, old_key: usize, new_key: usize, new_size: usize) {
        debug_assert!(t != NIL, "key {old_key} not in tree");
        let n = self.nodes[t as usize];
        if old_key < n.key {
            self.update_rec(n.left, old_key, new_key, new_size);
        } else if old_key > n.key {
            self.update_rec(n.right, old_key, new_key, new_size);
        } else {
            let node = &mut self.nodes[t as usize];
            node.key = new_key;
            node.size = new_size;
        }
        self.pull(t);
    }

    /// Number of free blocks whose key is below `key`. O(log n).
    pub fn rank(&self, key: usize) -> usize {
        let mut t = self.root;
        let mut r = 0usize;
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.key < key {
                r += self.count(n.left) as usize + 1;
                t = n.right;
            } else {
                t = n.left;
            }
        }
        r
    }

    /// The free block with the greatest key `<= key`. O(log n).
    pub fn floor(&self, key: usize) -> Option<u32> {
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

    /// The lowest-keyed free block with key `>= min_key` and size `>= size`.
    /// O(log n) expected.
    pub fn first_fit(&self, min_key: usize, size: usize) -> Option<u32> {
        let r = self.first_fit_rec(self.root, min_key, size);
        (r != NIL).then_some(r)
    }

    fn first_fit_rec(&self, t: u32, min_key: usize, size: usize) -> u32 {
        if t == NIL || self.max(t) < size {
            return NIL;
        }
        let n = &self.nodes[t as usize];
        if n.key < min_key {
            return self.first_fit_rec(n.right, min_key, size);
        }
        let l = self.first_fit_rec(n.left, min_key, size);
        if l != NIL {
            return l;
        }
        if n.size >= size {
            return t;
        }
        self.first_fit_rec(n.right, min_key, size)
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
        out
    }

    /// Checks the search-tree order, the heap order of priorities and the
    /// augmented fields of every node. O(n).
    pub fn check(&self) -> Result<(), String> {
        self.check_rec(self.root, None, None).map(|_| ())
    }

    fn check_rec(
        &self,
        t: u32,
        lo: Option<usize>,
        hi: Option<usize>,
    ) -> Result<(u32, usize), String> {
        if t == NIL {
            return Ok((0, 0));
        }
        let n = &self.nodes[t as usize];
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
