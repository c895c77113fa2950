#![cfg(not(target_arch = "wasm32"))]
//! Property tests: random op sequences for every strategy × coalesce × align,
//! checked after every op against a shadow model simple enough to be
//! obviously right (a list of intervals searched linearly, plus a copy of the
//! arena bytes) and against `check_invariants()`.

use alloc_playground::{AllocError, Config, FreeListAllocator, Strategy};
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

/// One interval of the model.
#[derive(Clone, Debug, PartialEq)]
struct MBlock {
    off: usize,
    size: usize,
    free: bool,
    req: usize,
    padding: bool,
}

/// The reference model: the definitions of the issue, written out literally.
#[derive(Clone, Debug)]
struct Model {
    align: usize,
    /// Bytes added to every request after rounding (`Config::header`).
    header: usize,
    coalesce: bool,
    strategy: Strategy,
    blocks: Vec<MBlock>,
    bytes: Vec<u8>,
    rover: usize,
    searched: usize,
    /// Whether the heap grows with sbrk: it is the arena below `hw`.
    sbrk: bool,
    /// The highest end any block has had while used.
    hw: usize,
}

impl Model {
    fn new(c: Config, sbrk: bool) -> Self {
        Model {
            sbrk,
            hw: 0,
            align: c.align,
            header: c.header,
            coalesce: c.coalesce,
            strategy: c.strategy,
            blocks: vec![MBlock {
                off: 0,
                size: c.arena_size,
                free: true,
                req: 0,
                padding: false,
            }],
            bytes: vec![0; c.arena_size],
            rover: 0,
            searched: 0,
        }
    }

    /// A block's bytes in the heap: all of them, or with sbrk those below
    /// the high-water mark.
    fn in_heap(&self, b: &MBlock) -> usize {
        if self.sbrk {
            b.size.min(self.hw.saturating_sub(b.off))
        } else {
            b.size
        }
    }

    /// The free blocks in the heap, in address order.
    fn heap_free_idx(&self) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| self.blocks[i].free && self.in_heap(&self.blocks[i]) > 0)
            .collect()
    }

    /// The chosen free block and the padding in front of the allocation,
    /// whose data (after the header) starts at a multiple of `align`.
    fn choose(&mut self, r: usize, align: usize) -> Option<(usize, usize)> {
        // The heap's free blocks: with sbrk, not one all above the mark.
        let fl = self.heap_free_idx();
        let n = fl.len();
        let h = self.header;
        let fit_in = |b: &MBlock, size: usize| {
            let pad = (b.off + h).next_multiple_of(align) - (b.off + h);
            (pad + r <= size).then_some(pad)
        };
        // With sbrk, a block's bytes at or above the high-water mark are not
        // yet part of the heap.
        let (sbrk, hw) = (self.sbrk, self.hw);
        // (As `Model::in_heap`, without borrowing the model.)
        let in_heap = |b: &MBlock| {
            if sbrk {
                b.size.min(hw.saturating_sub(b.off))
            } else {
                b.size
            }
        };
        let fit = |b: &MBlock| fit_in(b, in_heap(b));
        let found = match self.strategy {
            Strategy::FirstFit => {
                for (k, &i) in fl.iter().enumerate() {
                    if let Some(p) = fit(&self.blocks[i]) {
                        self.searched = k + 1;
                        return Some((i, p));
                    }
                }
                self.searched = n;
                None
            }
            Strategy::NextFit => {
                let s = fl
                    .iter()
                    .position(|&i| self.blocks[i].off + self.blocks[i].size > self.rover)
                    .unwrap_or(0);
                for j in 0..n {
                    let i = fl[(s + j) % n];
                    if let Some(p) = fit(&self.blocks[i]) {
                        self.searched = j + 1;
                        return Some((i, p));
                    }
                }
                self.searched = n;
                None
            }
            Strategy::BestFit | Strategy::WorstFit => {
                self.searched = n;
                let mut best: Option<(usize, usize)> = None;
                for &i in &fl {
                    if let Some(p) = fit(&self.blocks[i]) {
                        let s = in_heap(&self.blocks[i]);
                        let better = match best {
                            None => true,
                            Some((b, _)) if self.strategy == Strategy::BestFit => {
                                s < in_heap(&self.blocks[b])
                            }
                            Some((b, _)) => s > in_heap(&self.blocks[b]),
                        };
                        if better {
                            best = Some((i, p));
                        }
                    }
                }
                best
            }
        };
        // Nothing in the heap fits: with sbrk it grows into the last block.
        let last = self.blocks.len() - 1;
        match found {
            None if sbrk && self.blocks[last].free => {
                let p = fit_in(&self.blocks[last], self.blocks[last].size)?;
                Some((last, p))
            }
            found => found,
        }
    }

    fn place(&mut self, i: usize, pad: usize, r: usize, req: usize) -> usize {
        let b = self.blocks[i].clone();
        let mut new = Vec::new();
        if pad > 0 {
            new.push(MBlock {
                off: b.off,
                size: pad,
                free: true,
                req: 0,
                padding: true,
            });
        }
        new.push(MBlock {
            off: b.off + pad,
            size: r,
            free: false,
            req,
            padding: false,
        });
        let rest = b.size - pad - r;
        if rest > 0 {
            new.push(MBlock {
                off: b.off + pad + r,
                size: rest,
                free: true,
                req: 0,
                padding: false,
            });
        }
        self.blocks.splice(i..=i, new);
        self.rover = b.off + pad + r;
        self.hw = self.hw.max(b.off + pad + r);
        b.off + pad
    }

    fn alloc_aligned(&mut self, size: usize, align: usize) -> Result<usize, &'static str> {
        if size == 0 {
            return Err("zero-size");
        }
        let r = size.next_multiple_of(self.align) + self.header;
        match self.choose(r, align.max(1)) {
            Some((i, pad)) => Ok(self.place(i, pad, r, size)),
            None => Err("out-of-memory"),
        }
    }

    fn live(&self, off: usize) -> Result<usize, &'static str> {
        if let Some(i) = self.blocks.iter().position(|b| b.off == off && !b.free) {
            return Ok(i);
        }
        if self
            .blocks
            .iter()
            .any(|b| b.free && b.off <= off && off < b.off + b.size)
        {
            Err("double-free")
        } else {
            Err("invalid-free")
        }
    }

    fn merge_around(&mut self, i: usize) {
        let mut i = i;
        if i + 1 < self.blocks.len() && self.blocks[i + 1].free {
            self.blocks[i].size += self.blocks[i + 1].size;
            self.blocks.remove(i + 1);
        }
        if i > 0 && self.blocks[i - 1].free {
            self.blocks[i - 1].size += self.blocks[i].size;
            self.blocks.remove(i);
            i -= 1;
        }
        self.blocks[i].padding = false;
    }

    fn free(&mut self, off: usize) -> Result<(), &'static str> {
        let i = self.live(off)?;
        let b = &mut self.blocks[i];
        b.free = true;
        b.req = 0;
        if self.coalesce {
            self.merge_around(i);
        }
        Ok(())
    }

    fn realloc(&mut self, off: usize, size: usize) -> Result<usize, &'static str> {
        let i = self.live(off)?;
        if size == 0 {
            return Err("zero-size");
        }
        let r = size.next_multiple_of(self.align) + self.header;
        let cur = self.blocks[i].size;
        if r <= cur {
            self.searched = 0;
            self.blocks[i].size = r;
            self.blocks[i].req = size;
            if r < cur {
                self.blocks.insert(
                    i + 1,
                    MBlock {
                        off: off + r,
                        size: cur - r,
                        free: true,
                        req: 0,
                        padding: false,
                    },
                );
                if self.coalesce && i + 2 < self.blocks.len() && self.blocks[i + 2].free {
                    self.blocks[i + 1].size += self.blocks[i + 2].size;
                    self.blocks.remove(i + 2);
                }
            }
            return Ok(off);
        }
        if i + 1 < self.blocks.len()
            && self.blocks[i + 1].free
            && cur + self.blocks[i + 1].size >= r
        {
            self.searched = 0;
            let need = r - cur;
            self.blocks[i].size = r;
            self.blocks[i].req = size;
            self.hw = self.hw.max(off + r);
            if self.blocks[i + 1].size == need {
                self.blocks.remove(i + 1);
            } else {
                self.blocks[i + 1].off += need;
                self.blocks[i + 1].size -= need;
                self.blocks[i + 1].padding = false;
            }
            return Ok(off);
        }
        let Some((j, _)) = self.choose(r, 1) else {
            return Err("out-of-memory");
        };
        let new = self.place(j, 0, r, size);
        self.bytes.copy_within(off..off + cur, new);
        let k = self.blocks.iter().position(|b| b.off == off).unwrap();
        self.blocks[k].free = true;
        self.blocks[k].req = 0;
        if self.coalesce {
            self.merge_around(k);
        }
        Ok(new)
    }

    fn coalesce_all(&mut self) {
        let mut i = 0;
        while i + 1 < self.blocks.len() {
            if self.blocks[i].free && self.blocks[i + 1].free {
                self.blocks[i].size += self.blocks[i + 1].size;
                self.blocks[i].padding = false;
                self.blocks.remove(i + 1);
            } else {
                i += 1;
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Alloc(usize),
    AllocAligned(usize, u32),
    Calloc(usize),
    Free(usize),
    FreeRaw(usize),
    Realloc(usize, usize),
    Write(usize, u8),
    Strategy(Strategy),
    CoalesceAll,
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    prop_oneof![
        30 => (1usize..120).prop_map(Op::Alloc),
        4 => (1usize..60, 0u32..8).prop_map(|(s, a)| Op::AllocAligned(s, a)),
        3 => (1usize..60).prop_map(Op::Calloc),
        25 => any::<usize>().prop_map(Op::Free),
        3 => (0usize..520).prop_map(Op::FreeRaw),
        8 => (any::<usize>(), 1usize..160).prop_map(|(k, s)| Op::Realloc(k, s)),
        5 => (any::<usize>(), any::<u8>()).prop_map(|(k, b)| Op::Write(k, b)),
        2 => prop::sample::select(Strategy::ALL.to_vec()).prop_map(Op::Strategy),
        1 => Just(Op::CoalesceAll),
    ]
}

fn code<T>(r: Result<T, AllocError>) -> Result<T, &'static str> {
    r.map_err(|e| e.code())
}

fn run(config: Config, sbrk: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    run_checking_every(config, sbrk, ops, 1)
}

/// [`run`], comparing every op's result but the whole state (invariants, blocks,
/// bytes, statistics) only every `every` steps and after the last.
/// `sbrk`: the heap grows with sbrk ([`FreeListAllocator::set_sbrk`]).
fn run_checking_every(
    config: Config,
    sbrk: bool,
    ops: &[Op],
    every: usize,
) -> Result<(), TestCaseError> {
    let mut a = FreeListAllocator::new(config).unwrap();
    a.set_sbrk(sbrk);
    let mut m = Model::new(config, sbrk);
    let mut live: Vec<usize> = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let pick = |k: usize, live: &Vec<usize>| (!live.is_empty()).then(|| k % live.len());
        match *op {
            Op::Alloc(s) => {
                let got = code(a.alloc(s));
                prop_assert_eq!(got, m.alloc_aligned(s, 1), "step {}: {:?}", step, op);
                prop_assert_eq!(a.last_searched(), m.searched, "searched at step {}", step);
                live.extend(got.ok());
            }
            Op::AllocAligned(s, p) => {
                let al = 1usize << p;
                let got = code(a.alloc_aligned(s, al));
                prop_assert_eq!(got, m.alloc_aligned(s, al), "step {}: {:?}", step, op);
                prop_assert_eq!(a.last_searched(), m.searched);
                if let Ok(o) = got {
                    // The data, after the header, is aligned.
                    prop_assert_eq!((o + config.header) % al, 0);
                    live.push(o);
                }
            }
            Op::Calloc(s) => {
                let got = code(a.alloc_zeroed(s));
                prop_assert_eq!(got, m.alloc_aligned(s, 1));
                if let Ok(o) = got {
                    let len = s.next_multiple_of(config.align) + config.header;
                    m.bytes[o..o + len].fill(0);
                    live.push(o);
                }
            }
            Op::Free(k) => {
                if let Some(i) = pick(k, &live) {
                    let off = live.swap_remove(i);
                    prop_assert_eq!(code(a.free(off)), m.free(off));
                }
            }
            Op::FreeRaw(off) => {
                let got = code(a.free(off));
                prop_assert_eq!(got, m.free(off), "free({})", off);
                if got.is_ok() {
                    live.retain(|&o| o != off);
                }
            }
            Op::Realloc(k, s) => {
                if let Some(i) = pick(k, &live) {
                    let got = code(a.realloc(live[i], s));
                    prop_assert_eq!(
                        got,
                        m.realloc(live[i], s),
                        "step {}: realloc({}, {})",
                        step,
                        live[i],
                        s
                    );
                    prop_assert_eq!(a.last_searched(), m.searched);
                    if let Ok(o) = got {
                        live[i] = o;
                    }
                }
            }
            Op::Write(k, byte) => {
                if let Some(i) = pick(k, &live) {
                    let off = live[i];
                    let len = m.blocks.iter().find(|b| b.off == off).unwrap().size;
                    a.write(off, &vec![byte; len]).unwrap();
                    m.bytes[off..off + len].fill(byte);
                    // One byte past the block is out of bounds and writes nothing.
                    prop_assert!(a.write(off, &vec![byte; len + 1]).is_err());
                }
            }
            Op::Strategy(s) => {
                a.set_strategy(s);
                m.strategy = s;
            }
            Op::CoalesceAll => {
                a.coalesce_all();
                m.coalesce_all();
            }
        }
        if step % every != 0 && step + 1 != ops.len() {
            continue;
        }
        if let Err(e) = a.check_invariants() {
            return Err(TestCaseError::fail(format!("step {step} ({op:?}): {e}")));
        }
        let got: Vec<MBlock> = a
            .blocks()
            .map(|b| MBlock {
                off: b.offset,
                size: b.size,
                free: b.free,
                req: b.requested,
                padding: b.padding,
            })
            .collect();
        prop_assert_eq!(&got, &m.blocks, "blocks after step {}: {:?}", step, op);
        prop_assert!(
            a.arena().bytes() == &m.bytes[..],
            "arena bytes differ after step {}",
            step
        );
        // The statistics count the heap's free bytes (with sbrk, those below the mark).
        let s = a.stats();
        let free: usize = m
            .blocks
            .iter()
            .filter(|b| b.free)
            .map(|b| m.in_heap(b))
            .sum();
        let largest = m
            .blocks
            .iter()
            .filter(|b| b.free)
            .map(|b| m.in_heap(b))
            .max()
            .unwrap_or(0);
        let sq: u64 = m
            .blocks
            .iter()
            .filter(|b| b.free)
            .map(|b| (m.in_heap(b) as u64).pow(2))
            .sum();
        prop_assert_eq!(s.free_bytes, free);
        prop_assert_eq!(s.largest_free, largest);
        prop_assert_eq!(s.free_blocks, m.heap_free_idx().len());
        let l2 = if free == 0 {
            0.0
        } else {
            1.0 - (sq as f64).sqrt() / free as f64
        };
        prop_assert!(
            (s.l2_fragmentation - l2).abs() < 1e-9,
            "L2 after step {}",
            step
        );
        prop_assert_eq!(s.high_water, m.hw, "high water after step {}", step);
    }
    for off in live {
        a.free(off).unwrap();
    }
    a.check_invariants().map_err(TestCaseError::fail)?;
    if config.coalesce {
        let all: Vec<_> = a.blocks().map(|b| (b.offset, b.size, b.free)).collect();
        prop_assert_eq!(
            all,
            vec![(0, config.arena_size, true)],
            "freeing everything leaves one free block"
        );
    }
    Ok(())
}

/// A config, and whether the heap grows with sbrk.
fn config() -> impl proptest::strategy::Strategy<Value = (Config, bool)> {
    (
        prop::sample::select(Strategy::ALL.to_vec()),
        any::<bool>(),
        prop::sample::select(vec![1usize, 2, 8, 16]),
        // A header (malloc.py's -H) in one config of three.
        prop::sample::select(vec![0usize, 0, 1, 4]),
        any::<bool>(),
    )
        .prop_map(|(strategy, coalesce, align, header, sbrk)| {
            (small(strategy, coalesce, align, header), sbrk)
        })
}

/// The 512-byte arena the random runs use.
fn small(strategy: Strategy, coalesce: bool, align: usize, header: usize) -> Config {
    Config {
        header,
        arena_size: 512,
        strategy,
        align,
        coalesce,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_ops_match_the_model((config, sbrk) in config(), ops in prop::collection::vec(op(), 1..150)) {
        run(config, sbrk, &ops)?;
    }
}

/// Every strategy × coalesce × align × sbrk combination gets its own long run too.
#[test]
fn every_combination_matches_the_model_on_long_runs() {
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    for strategy in Strategy::ALL {
        for coalesce in [true, false] {
            for (align, header, sbrk) in [
                (1, 0, false),
                (8, 0, false),
                (8, 3, false),
                (1, 0, true),
                (8, 3, true),
            ] {
                let config = small(strategy, coalesce, align, header);
                let mut runner = TestRunner::new(RunnerConfig {
                    cases: 24,
                    ..RunnerConfig::default()
                });
                runner
                    .run(&prop::collection::vec(op(), 300..600), |ops| {
                        run(config, sbrk, &ops)
                    })
                    .unwrap_or_else(|e| {
                        panic!("{strategy} coalesce={coalesce} align={align} header={header} sbrk={sbrk}: {e}")
                    });
            }
        }
    }
}

/// Thousands of free blocks: the free index grows several levels of nodes
/// (32 entries each), splits and empties them, and must still answer every
/// strategy exactly as the model does.
#[test]
fn thousands_of_free_blocks_match_the_model() {
    use alloc_playground::workload::Rng;
    for strategy in Strategy::ALL {
        for (coalesce, sbrk) in [(false, false), (true, false), (false, true), (true, true)] {
            let config = Config {
                header: 0,
                arena_size: 1 << 14,
                strategy,
                align: 1,
                coalesce,
            };
            let mut rng = Rng::new(7 + strategy as u64);
            let mut ops: Vec<Op> = (0..4500).map(|_| Op::Alloc(rng.range(1, 5))).collect();
            ops.extend((0..2500).map(|_| Op::Free(rng.next_u64() as usize)));
            for _ in 0..1500 {
                ops.push(match rng.range(0, 10) {
                    0..=4 => Op::Alloc(rng.range(1, 40)),
                    5..=8 => Op::Free(rng.next_u64() as usize),
                    _ => Op::Realloc(rng.next_u64() as usize, rng.range(1, 60)),
                });
            }
            run_checking_every(config, sbrk, &ops, 61)
                .unwrap_or_else(|e| panic!("{strategy} coalesce={coalesce} sbrk={sbrk}: {e}"));
        }
    }
}
