//! Allocator benchmark (issue 3).
//!
//! In one process and on identical pre-generated op sequences it runs the four
//! strategies of `FreeListAllocator`, the `SlabAllocator` (small sizes only),
//! `talc` (5.x, `Talc<Manual, DefaultBinning>` over a pre-faulted buffer) and
//! `linked_list_allocator::Heap`, and prints median ns/op and the ratio to talc
//! as Markdown tables:
//!
//! 1. random actions: talc's size distribution (a cap uniform in `16..max`,
//!    then a size uniform in `4..cap`), 50/50 alloc/free, never fewer than 300
//!    live blocks, for max = 64 (slab included), 200, 1 000, 10 000, 30 000;
//! 2. holes: N = 16, 4 096, 32 768 free 32-byte holes that a 512-byte request
//!    does not fit, then alloc+free pairs of 512 bytes, served (a) from the
//!    arena's free tail, (b) from a free block just above the holes;
//! 3. small alloc+free pairs (sizes ≤ 64) over 300 live blocks (the slab target);
//! 4. trace replay: CS:APP `.rep` files named on the command line (plus a
//!    synthetic in-memory trace, always), with ns/op and peak utilization.
//!
//! ```text
//! cargo bench --bench alloc                                   # everything
//! cargo bench --bench alloc -- crate/benches/traces/*.rep     # plus traces
//! ALLOC_BENCH_SCALE=4 cargo bench --bench alloc               # 4x the work per cell
//! ALLOC_BENCH_RUNS=11 cargo bench --bench alloc               # runs per cell (median, default 9)
//! ALLOC_BENCH_SECTIONS=holes,traces cargo bench --bench alloc # some of random,holes,small,traces
//! ```
//!
//! Timing: `Instant` around whole batches (one run of an op list, or a batch
//! of thousands of pairs), never per op; the median of the runs is reported.
//! Setup (the warm-up allocations, building holes, creating an allocator,
//! freeing what is left) is outside the timed region. Without `--bench` on the
//! command line (e.g. `cargo test --benches`) it runs a tiny smoke version.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::alloc::Layout;
    use std::hint::black_box;
    use std::ptr::NonNull;
    use std::time::{Duration, Instant};

    use alloc_playground::script::Op as ScriptOp;
    use alloc_playground::workload::Rng;
    use alloc_playground::{rep, Config, FreeListAllocator, SlabAllocator, SlabConfig, Strategy};
    use talc::base::Talc;
    use talc::source::Manual;
    use talc::DefaultBinning;

    /// A slot that holds no pointer (a failed allocation).
    const NONE: usize = usize::MAX;
    /// Granularity / alignment everywhere (CS:APP's 8).
    const ALIGN: usize = 8;
    const MIB: usize = 1 << 20;
    /// Arena for the synthetic workloads.
    const ARENA: usize = 64 * MIB;
    const MIN_LIVE: usize = 300;
    const SEED: u64 = 0x5EED_A110C;

    // ----- settings ------------------------------------------------------------

    struct Settings {
        /// Multiplies every op / pair count and batch time.
        scale: f64,
        /// Runs per cell; the median is reported.
        runs: usize,
        /// `.rep` files from the command line.
        traces: Vec<String>,
        /// Sections to run (ALLOC_BENCH_SECTIONS, comma-separated; all when unset).
        sections: Option<Vec<String>>,
        quick: bool,
    }

    impl Settings {
        fn from_env() -> Settings {
            let args: Vec<String> = std::env::args().skip(1).collect();
            let quick = !args.iter().any(|a| a == "--bench");
            let traces = args.into_iter().filter(|a| !a.starts_with('-')).collect();
            let env_f = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok());
            let mut scale = env_f("ALLOC_BENCH_SCALE").unwrap_or(1.0).max(0.001);
            let mut runs = env_f("ALLOC_BENCH_RUNS").map_or(9, |r| r as usize).max(1);
            let sections = std::env::var("ALLOC_BENCH_SECTIONS")
                .ok()
                .map(|v| v.split(',').map(|x| x.trim().to_lowercase()).collect());
            if quick {
                scale *= 0.02;
                runs = 1;
            }
            Settings {
                scale,
                runs,
                traces,
                sections,
                quick,
            }
        }

        fn wants(&self, section: &str) -> bool {
            self.sections
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == section))
        }

        fn n(&self, base: usize) -> usize {
            ((base as f64 * self.scale) as usize).max(16)
        }

        fn batch_time(&self) -> Duration {
            Duration::from_secs_f64((0.02 * self.scale).clamp(0.0005, 2.0))
        }
    }

    // ----- op lists ------------------------------------------------------------

    /// One pre-generated operation. Sizes travel with frees and reallocs because
    /// talc and linked_list_allocator need the layout back.
    #[derive(Clone, Copy, Debug)]
    enum Op {
        Alloc { slot: u32, size: u32 },
        Free { slot: u32, size: u32 },
        Realloc { slot: u32, old: u32, size: u32 },
    }

    /// A workload: `prefix` (untimed warm-up), `ops` (timed), `tail` (untimed
    /// frees of whatever is still live).
    struct Workload {
        prefix: Vec<Op>,
        ops: Vec<Op>,
        tail: Vec<Op>,
        slots: usize,
        /// Most requested bytes live at once, and most live blocks.
        peak_bytes: usize,
        peak_live: usize,
    }

    /// Keeps track of live slots while generating, recycling slot numbers so the
    /// slot table stays small (and cache-resident) for every allocator alike.
    #[derive(Default)]
    struct Gen {
        live: Vec<(u32, u32)>,
        spare: Vec<u32>,
        slots: u32,
        bytes: usize,
        peak_bytes: usize,
        peak_live: usize,
    }

    impl Gen {
        fn alloc(&mut self, size: usize) -> Op {
            let slot = self.spare.pop().unwrap_or_else(|| {
                self.slots += 1;
                self.slots - 1
            });
            let size = size as u32;
            self.live.push((slot, size));
            self.bytes += size as usize;
            self.peak_bytes = self.peak_bytes.max(self.bytes);
            self.peak_live = self.peak_live.max(self.live.len());
            Op::Alloc { slot, size }
        }

        fn free_at(&mut self, k: usize) -> Op {
            let (slot, size) = self.live.swap_remove(k);
            self.spare.push(slot);
            self.bytes -= size as usize;
            Op::Free { slot, size }
        }

        fn finish(mut self, prefix: Vec<Op>, ops: Vec<Op>) -> Workload {
            let tail = (0..self.live.len())
                .rev()
                .map(|k| self.free_at(k))
                .collect();
            Workload {
                prefix,
                ops,
                tail,
                slots: self.slots as usize,
                peak_bytes: self.peak_bytes,
                peak_live: self.peak_live,
            }
        }
    }

    /// talc's benchmark distribution: a cap uniform in `16..max`, then a size
    /// uniform in `4..cap`.
    fn talc_size(rng: &mut Rng, max: usize) -> usize {
        let cap = rng.range(16, max.max(17));
        rng.range(4, cap.max(5))
    }

    /// 300 warm-up allocations, then `n` ops, each an alloc or a free of a
    /// uniformly chosen live block with probability 1/2 (an alloc when exactly
    /// `MIN_LIVE` blocks are live).
    fn random_actions(max: usize, n: usize, seed: u64) -> Workload {
        let mut rng = Rng::new(seed);
        let mut g = Gen::default();
        let prefix = (0..MIN_LIVE)
            .map(|_| {
                let s = talc_size(&mut rng, max);
                g.alloc(s)
            })
            .collect();
        let mut ops = Vec::with_capacity(n);
        for _ in 0..n {
            let alloc = rng.next_u64() & 1 == 0 || g.live.len() <= MIN_LIVE;
            if alloc {
                let s = talc_size(&mut rng, max);
                ops.push(g.alloc(s));
            } else {
                let k = rng.range(0, g.live.len());
                ops.push(g.free_at(k));
            }
        }
        g.finish(prefix, ops)
    }

    /// Converts a parsed `.rep` trace into an op list (all of it timed).
    fn trace_workload(ops: &[ScriptOp]) -> Workload {
        let mut sizes: Vec<u32> = Vec::new();
        let mut live: Vec<bool> = Vec::new();
        let (mut bytes, mut peak_bytes, mut n_live, mut peak_live) = (0usize, 0, 0usize, 0);
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            match *op {
                ScriptOp::Alloc { size } => {
                    let slot = sizes.len() as u32;
                    sizes.push(size as u32);
                    live.push(true);
                    bytes += size;
                    n_live += 1;
                    out.push(Op::Alloc {
                        slot,
                        size: size as u32,
                    });
                }
                ScriptOp::Free { ptr } => {
                    let size = sizes[ptr];
                    live[ptr] = false;
                    bytes -= size as usize;
                    n_live -= 1;
                    out.push(Op::Free {
                        slot: ptr as u32,
                        size,
                    });
                }
                ScriptOp::Realloc { ptr, size } => {
                    let old = sizes[ptr];
                    sizes[ptr] = size as u32;
                    bytes = bytes - old as usize + size;
                    out.push(Op::Realloc {
                        slot: ptr as u32,
                        old,
                        size: size as u32,
                    });
                }
                ref other => panic!("a .rep trace does not produce {other:?}"),
            }
            peak_bytes = peak_bytes.max(bytes);
            peak_live = peak_live.max(n_live);
        }
        let tail = (0..sizes.len())
            .filter(|&i| live[i])
            .map(|i| Op::Free {
                slot: i as u32,
                size: sizes[i],
            })
            .collect();
        Workload {
            prefix: Vec::new(),
            ops: out,
            tail,
            slots: sizes.len(),
            peak_bytes,
            peak_live,
        }
    }

    /// A synthetic CS:APP-style trace as `.rep` text (so the parser is
    /// exercised too): mostly small-biased sizes, some medium and a few large,
    /// reallocs that grow and shrink, everything freed at the end.
    fn synthetic_rep(n_ops: usize, seed: u64) -> String {
        let mut rng = Rng::new(seed);
        let mut lines: Vec<String> = Vec::with_capacity(n_ops + 8);
        let mut live: Vec<(usize, usize)> = Vec::new(); // (id, size)
        let mut next_id = 0usize;
        let size = |rng: &mut Rng| match rng.range(0, 100) {
            0..=69 => talc_size(rng, 200),
            70..=94 => talc_size(rng, 4096),
            _ => talc_size(rng, 65536),
        };
        let body = n_ops.saturating_sub(n_ops / 4).max(1);
        while lines.len() < body {
            let roll = rng.range(0, 100);
            if live.len() < 50 || roll < 45 {
                let s = size(&mut rng);
                lines.push(format!("a {next_id} {s}"));
                live.push((next_id, s));
                next_id += 1;
            } else if roll < 60 {
                let k = rng.range(0, live.len());
                let old = live[k].1;
                let s = if rng.percent(70) {
                    old + rng.range(1, old.max(2))
                } else {
                    rng.range(1, old.max(2))
                };
                live[k].1 = s;
                lines.push(format!("r {} {s}", live[k].0));
            } else {
                let k = rng.range(0, live.len());
                let (id, _) = live.swap_remove(k);
                lines.push(format!("f {id}"));
            }
        }
        for (id, _) in live {
            lines.push(format!("f {id}"));
        }
        format!(
            "1000000\n{next_id}\n{}\n1\n{}\n",
            lines.len(),
            lines.join("\n")
        )
    }

    // ----- allocators ----------------------------------------------------------

    /// What the benchmark loops drive. Pointers travel as `usize`: an arena
    /// offset for the playground, an exposed address for talc and
    /// linked_list_allocator.
    trait Backend {
        /// A new block of `size` bytes, or `NONE`.
        fn alloc(&mut self, size: usize) -> usize;
        /// Frees a live block of `size` bytes.
        fn free(&mut self, p: usize, size: usize);
        /// Resizes; `NONE` on failure, the old block then still live.
        fn realloc(&mut self, p: usize, old: usize, new: usize) -> usize;
        /// (peak requested bytes, high-water mark) when the allocator knows it.
        fn peaks(&self) -> Option<(usize, usize)> {
            None
        }
        /// Where offsets are counted from, for the high-water tracking.
        fn base(&self) -> usize {
            0
        }
    }

    struct Fl(FreeListAllocator);

    impl Backend for Fl {
        #[inline]
        fn alloc(&mut self, size: usize) -> usize {
            self.0.alloc(size).unwrap_or(NONE)
        }
        #[inline]
        fn free(&mut self, p: usize, _size: usize) {
            if self.0.free(p).is_err() {
                panic!("free-list free of {p} failed");
            }
        }
        #[inline]
        fn realloc(&mut self, p: usize, _old: usize, new: usize) -> usize {
            self.0.realloc(p, new).unwrap_or(NONE)
        }
        fn peaks(&self) -> Option<(usize, usize)> {
            let s = self.0.stats();
            Some((s.peak_requested, s.high_water))
        }
    }

    struct Slab(SlabAllocator);

    impl Backend for Slab {
        #[inline]
        fn alloc(&mut self, size: usize) -> usize {
            self.0.alloc(size).unwrap_or(NONE)
        }
        #[inline]
        fn free(&mut self, p: usize, _size: usize) {
            if self.0.free(p).is_err() {
                panic!("slab free of {p} failed");
            }
        }
        fn realloc(&mut self, _p: usize, _old: usize, _new: usize) -> usize {
            unreachable!("the slab allocator only runs alloc/free workloads")
        }
        fn peaks(&self) -> Option<(usize, usize)> {
            let s = self.0.stats();
            Some((s.peak_requested, s.high_water))
        }
    }

    #[inline]
    fn layout(size: usize) -> Layout {
        // SAFETY: ALIGN is a power of two and sizes are far below isize::MAX.
        unsafe { Layout::from_size_align_unchecked(size, ALIGN) }
    }

    #[inline]
    fn to_ptr(p: usize) -> *mut u8 {
        std::ptr::with_exposed_provenance_mut(p)
    }

    /// A pre-faulted, 16-byte-aligned buffer that talc and linked_list_allocator
    /// manage (reused run after run, so no run pays page faults).
    struct Buf {
        mem: Vec<u128>,
    }

    impl Buf {
        fn new(bytes: usize) -> Buf {
            let mut mem = vec![0u128; bytes.div_ceil(16)];
            for page in mem.chunks_mut(4096 / 16) {
                page[0] = 1;
            }
            black_box(&mut mem);
            Buf { mem }
        }
        fn len(&self) -> usize {
            self.mem.len() * 16
        }
        fn ptr(&mut self) -> *mut u8 {
            self.mem.as_mut_ptr().cast()
        }
        fn ensure(&mut self, bytes: usize) {
            if self.len() < bytes {
                *self = Buf::new(bytes);
            }
        }
    }

    struct TalcB {
        t: Talc<Manual, DefaultBinning>,
        base: usize,
    }

    impl TalcB {
        /// # Safety
        /// `buf` must outlive the allocator and not be touched meanwhile.
        unsafe fn new(buf: &mut Buf, size: usize) -> TalcB {
            let size = size + talc::min_first_heap_size::<DefaultBinning>() + 256;
            buf.ensure(size);
            let mut t = Talc::new(Manual);
            let base = buf.ptr();
            t.claim(base, size).expect("talc claims the buffer");
            TalcB {
                t,
                base: base.expose_provenance(),
            }
        }
    }

    impl Backend for TalcB {
        #[inline]
        fn alloc(&mut self, size: usize) -> usize {
            // SAFETY: size > 0.
            unsafe { self.t.allocate(layout(size)) }
                .map_or(NONE, |p| p.as_ptr().expose_provenance())
        }
        #[inline]
        fn free(&mut self, p: usize, size: usize) {
            // SAFETY: p came from this allocator with this size.
            unsafe { self.t.deallocate(to_ptr(p), layout(size)) }
        }
        #[inline]
        fn realloc(&mut self, p: usize, old: usize, new: usize) -> usize {
            let ptr = to_ptr(p);
            // SAFETY: as for free; the copy stays inside both blocks.
            unsafe {
                if new <= old {
                    self.t.shrink(ptr, layout(old), new);
                    return p;
                }
                if self.t.try_grow_in_place(ptr, layout(old), new) {
                    return p;
                }
                match self.t.allocate(layout(new)) {
                    Some(q) => {
                        std::ptr::copy_nonoverlapping(ptr, q.as_ptr(), old);
                        self.t.deallocate(ptr, layout(old));
                        q.as_ptr().expose_provenance()
                    }
                    None => NONE,
                }
            }
        }
        fn base(&self) -> usize {
            self.base
        }
    }

    struct Lla {
        h: linked_list_allocator::Heap,
        base: usize,
    }

    impl Lla {
        /// # Safety
        /// As [`TalcB::new`].
        unsafe fn new(buf: &mut Buf, size: usize) -> Lla {
            buf.ensure(size + 256);
            let mut h = linked_list_allocator::Heap::empty();
            let base = buf.ptr();
            h.init(base, size + 256);
            Lla {
                h,
                base: base.expose_provenance(),
            }
        }
    }

    impl Backend for Lla {
        #[inline]
        fn alloc(&mut self, size: usize) -> usize {
            self.h
                .allocate_first_fit(layout(size))
                .map_or(NONE, |p| p.as_ptr().expose_provenance())
        }
        #[inline]
        fn free(&mut self, p: usize, size: usize) {
            // SAFETY: p came from this heap with this size.
            unsafe {
                self.h
                    .deallocate(NonNull::new_unchecked(to_ptr(p)), layout(size))
            }
        }
        #[inline]
        fn realloc(&mut self, p: usize, old: usize, new: usize) -> usize {
            // No realloc in the crate: what GlobalAlloc's default realloc does.
            let q = self.alloc(new);
            if q != NONE {
                // SAFETY: distinct live blocks of at least min(old, new) bytes.
                unsafe { std::ptr::copy_nonoverlapping(to_ptr(p), to_ptr(q), old.min(new)) };
                self.free(p, old);
            }
            q
        }
        fn base(&self) -> usize {
            self.base
        }
    }

    /// Which allocator.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Kind {
        Fl(Strategy),
        Slab,
        Talc,
        Lla,
    }

    impl Kind {
        fn name(self) -> &'static str {
            match self {
                Kind::Fl(Strategy::FirstFit) => "first-fit",
                Kind::Fl(Strategy::NextFit) => "next-fit",
                Kind::Fl(Strategy::BestFit) => "best-fit",
                Kind::Fl(Strategy::WorstFit) => "worst-fit",
                Kind::Slab => "slab",
                Kind::Talc => "talc",
                Kind::Lla => "linked_list_allocator",
            }
        }
    }

    const STRATEGIES: [Strategy; 4] = [
        Strategy::FirstFit,
        Strategy::NextFit,
        Strategy::BestFit,
        Strategy::WorstFit,
    ];

    fn general_kinds() -> Vec<Kind> {
        let mut v: Vec<Kind> = STRATEGIES.iter().map(|&s| Kind::Fl(s)).collect();
        v.extend([Kind::Talc, Kind::Lla]);
        v
    }

    fn small_kinds() -> Vec<Kind> {
        let mut v = general_kinds();
        v.insert(4, Kind::Slab);
        v
    }

    /// Something to do with a freshly built allocator (statically dispatched).
    trait Job {
        type Out;
        fn run<B: Backend>(&mut self, b: &mut B) -> Self::Out;
    }

    /// Builds a fresh allocator of `kind` over an arena of `arena` bytes (talc
    /// and linked_list_allocator over `buf`) and runs `job` on it. Building is
    /// never timed.
    /// The playground's free-list allocator as every section builds it.
    fn free_list(strategy: Strategy, arena: usize) -> FreeListAllocator {
        FreeListAllocator::new(Config {
            header: 0,
            arena_size: arena,
            strategy,
            align: ALIGN,
            coalesce: true,
        })
        .expect("valid free-list config")
    }

    fn with_backend<J: Job>(kind: Kind, arena: usize, buf: &mut Buf, job: &mut J) -> J::Out {
        match kind {
            Kind::Fl(strategy) => job.run(&mut Fl(free_list(strategy, arena))),
            Kind::Slab => {
                let a = SlabAllocator::new(SlabConfig {
                    arena_size: arena,
                    ..SlabConfig::default()
                })
                .expect("valid slab config");
                job.run(&mut Slab(a))
            }
            // SAFETY: `buf` outlives the allocator, which is dropped here.
            Kind::Talc => job.run(&mut unsafe { TalcB::new(buf, arena) }),
            Kind::Lla => job.run(&mut unsafe { Lla::new(buf, arena) }),
        }
    }

    // ----- the timed loops -------------------------------------------------------

    /// Replays `ops`; returns the number of failed requests.
    #[inline(never)]
    fn replay<B: Backend>(b: &mut B, ops: &[Op], slots: &mut [usize]) -> usize {
        let mut fails = 0;
        for &op in ops {
            match op {
                Op::Alloc { slot, size } => {
                    let p = b.alloc(size as usize);
                    fails += (p == NONE) as usize;
                    slots[slot as usize] = p;
                }
                Op::Free { slot, size } => {
                    let p = slots[slot as usize];
                    if p != NONE {
                        b.free(p, size as usize);
                    }
                }
                Op::Realloc { slot, old, size } => {
                    let p = slots[slot as usize];
                    let q = if p == NONE {
                        b.alloc(size as usize)
                    } else {
                        let q = b.realloc(p, old as usize, size as usize);
                        if q == NONE {
                            // Keep the sizes the op list carries consistent.
                            b.free(p, old as usize);
                        }
                        q
                    };
                    fails += (q == NONE) as usize;
                    slots[slot as usize] = q;
                }
            }
        }
        black_box(&mut *slots);
        fails
    }

    /// `n` alloc+free pairs cycling through `sizes`; returns a checksum.
    #[inline(never)]
    fn pairs<B: Backend>(b: &mut B, sizes: &[usize], n: usize) -> usize {
        let mut acc = 0usize;
        let mut i = 0;
        for _ in 0..n {
            let s = black_box(sizes[i]);
            i += 1;
            if i == sizes.len() {
                i = 0;
            }
            let p = b.alloc(s);
            assert!(p != NONE, "pair allocation of {s} bytes failed");
            acc = acc.wrapping_add(p);
            b.free(p, s);
        }
        acc
    }

    /// Runs a workload once: prefix, timed ops, tail.
    struct ReplayJob<'a> {
        w: &'a Workload,
        slots: Vec<usize>,
    }

    impl Job for ReplayJob<'_> {
        type Out = (Duration, usize);
        fn run<B: Backend>(&mut self, b: &mut B) -> (Duration, usize) {
            self.slots.clear();
            self.slots.resize(self.w.slots, NONE);
            let mut fails = replay(b, &self.w.prefix, &mut self.slots);
            let t = Instant::now();
            fails += replay(b, &self.w.ops, &mut self.slots);
            let d = t.elapsed();
            fails += replay(b, &self.w.tail, &mut self.slots);
            (d, fails)
        }
    }

    /// Replays a trace once, untimed, wrapped to track the high-water mark;
    /// returns (peak utilization, failures).
    struct PeakJob<'a> {
        w: &'a Workload,
    }

    struct Track<'b, B> {
        b: &'b mut B,
        base: usize,
        hw: usize,
    }

    impl<B: Backend> Backend for Track<'_, B> {
        fn alloc(&mut self, size: usize) -> usize {
            let p = self.b.alloc(size);
            if p != NONE {
                self.hw = self.hw.max(p - self.base + size);
            }
            p
        }
        fn free(&mut self, p: usize, size: usize) {
            self.b.free(p, size)
        }
        fn realloc(&mut self, p: usize, old: usize, new: usize) -> usize {
            let q = self.b.realloc(p, old, new);
            if q != NONE {
                self.hw = self.hw.max(q - self.base + new);
            }
            q
        }
    }

    impl Job for PeakJob<'_> {
        type Out = (f64, usize);
        fn run<B: Backend>(&mut self, b: &mut B) -> (f64, usize) {
            let base = b.base();
            let mut slots = vec![NONE; self.w.slots];
            let mut t = Track { b, base, hw: 0 };
            let fails = replay(&mut t, &self.w.ops, &mut slots);
            let hw = t.hw;
            let util = match b.peaks() {
                // The playground's own stats (requested bytes, rounded high water).
                Some((peak, high)) => peak as f64 / high.max(1) as f64,
                // Peak live requested bytes of the trace over the highest end
                // address handed out, counted from the start of the buffer
                // (so talc's ~1.5 KiB of bin heads count against it).
                None => self.w.peak_bytes as f64 / hw.max(1) as f64,
            };
            replay(b, &self.w.tail, &mut slots);
            (util, fails)
        }
    }

    /// Builds holes (or a live background), then times one batch of pairs
    /// (after a warm-up and a calibration that sizes the batch).
    struct PairsJob<'a> {
        setup: &'a [Op],
        setup_slots: usize,
        sizes: &'a [usize],
        batch_time: Duration,
        max_batch: usize,
    }

    impl Job for PairsJob<'_> {
        /// (ns per pair, pairs in the batch)
        type Out = (f64, usize);
        fn run<B: Backend>(&mut self, b: &mut B) -> (f64, usize) {
            let mut slots = vec![NONE; self.setup_slots];
            let fails = replay(b, self.setup, &mut slots);
            assert_eq!(fails, 0, "setup allocations failed");
            // Warm up, then size the batch to about `batch_time`.
            black_box(pairs(b, self.sizes, 64));
            let t = Instant::now();
            black_box(pairs(b, self.sizes, 256));
            let per = t.elapsed().as_secs_f64() / 256.0;
            let n = ((self.batch_time.as_secs_f64() / per.max(1e-10)) as usize)
                .clamp(256, self.max_batch.max(256));
            let t = Instant::now();
            black_box(pairs(b, self.sizes, n));
            (t.elapsed().as_secs_f64() * 1e9 / n as f64, n)
        }
    }

    /// Median ns per pair over `runs` fresh instances of each allocator (the
    /// allocators interleaved in every round), and the last batch size.
    fn time_pairs(
        kinds: &[Kind],
        job: &mut PairsJob<'_>,
        runs: usize,
        buf: &mut Buf,
    ) -> Vec<(f64, usize)> {
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
        let mut batch = vec![0usize; kinds.len()];
        for _ in 0..runs {
            for (k, &kind) in kinds.iter().enumerate() {
                let (ns, n) = with_backend(kind, ARENA, buf, job);
                samples[k].push(ns);
                batch[k] = n;
            }
        }
        samples
            .iter_mut()
            .zip(batch)
            .map(|(v, n)| (median(v), n))
            .collect()
    }

    // ----- measurement helpers -----------------------------------------------

    fn median(v: &mut [f64]) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    /// Median ns/op (and min, max) of `runs` replays per allocator, the
    /// allocators interleaved within each run round. Failures are summed.
    struct Cell {
        ns: f64,
        min: f64,
        max: f64,
        fails: usize,
    }

    fn time_workload(
        kinds: &[Kind],
        w: &Workload,
        arena: usize,
        runs: usize,
        reps: usize,
        buf: &mut Buf,
    ) -> Vec<Cell> {
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
        let mut fails = vec![0usize; kinds.len()];
        let mut job = ReplayJob {
            w,
            slots: Vec::new(),
        };
        for _ in 0..runs {
            for (k, &kind) in kinds.iter().enumerate() {
                let mut total = Duration::ZERO;
                for _ in 0..reps {
                    let (d, f) = with_backend(kind, arena, buf, &mut job);
                    total += d;
                    fails[k] += f;
                }
                samples[k].push(total.as_secs_f64() * 1e9 / (w.ops.len() * reps) as f64);
            }
        }
        samples
            .into_iter()
            .zip(fails)
            .map(|(mut s, fails)| {
                let ns = median(&mut s);
                Cell {
                    ns,
                    min: s[0],
                    max: s[s.len() - 1],
                    fails,
                }
            })
            .collect()
    }

    fn fmt_ns(ns: f64) -> String {
        if ns >= 100.0 {
            format!("{:.0}", ns)
        } else {
            format!("{:.1}", ns)
        }
    }

    fn fmt_ratio(r: f64) -> String {
        if r >= 100.0 {
            format!("{:.0}×", r)
        } else if r >= 10.0 {
            format!("{:.1}×", r)
        } else {
            format!("{:.2}×", r)
        }
    }

    fn fmt_bytes(b: usize) -> String {
        if b >= MIB {
            format!("{:.1} MiB", b as f64 / MIB as f64)
        } else if b >= 1024 {
            format!("{:.1} KiB", b as f64 / 1024.0)
        } else {
            format!("{b} B")
        }
    }

    fn talc_index(kinds: &[Kind]) -> usize {
        kinds
            .iter()
            .position(|&k| k == Kind::Talc)
            .expect("talc runs")
    }

    // ----- sections ------------------------------------------------------------

    fn section_random(s: &Settings, buf: &mut Buf) {
        let maxes = [64usize, 200, 1_000, 10_000, 30_000];
        let kinds = small_kinds();
        let n = s.n(200_000);
        println!(
            "## 1. Random actions (ns/op, median of {} runs; ratio to talc)\n",
            s.runs
        );
        println!(
            "{n} timed ops per run after {MIN_LIVE} warm-up allocations; 50/50 alloc/free, \
             never fewer than {MIN_LIVE} live blocks; sizes: cap uniform in 16..max, size uniform \
             in 4..cap (talc's distribution); arena {} MiB; align {ALIGN}. \
             The slab allocator only takes sizes <= 64.\n",
            ARENA / MIB
        );
        let mut cols: Vec<(usize, Workload, Vec<Option<Cell>>)> = Vec::new();
        for (i, &max) in maxes.iter().enumerate() {
            let w = random_actions(max, n, SEED + i as u64);
            let ks: Vec<Kind> = if max <= 64 {
                kinds.clone()
            } else {
                kinds.iter().copied().filter(|&k| k != Kind::Slab).collect()
            };
            let cells = time_workload(&ks, &w, ARENA, s.runs, 1, buf);
            let mut it = cells.into_iter();
            let row: Vec<Option<Cell>> = kinds
                .iter()
                .map(|k| if ks.contains(k) { it.next() } else { None })
                .collect();
            cols.push((max, w, row));
        }
        print!("| allocator |");
        for (max, _, _) in &cols {
            print!(" max={max} |");
        }
        println!();
        print!("|---|");
        for _ in &cols {
            print!("---:|");
        }
        println!();
        let ti = talc_index(&kinds);
        for (k, kind) in kinds.iter().enumerate() {
            print!("| {} |", kind.name());
            for (_, _, row) in &cols {
                match (&row[k], &row[ti]) {
                    (Some(c), Some(t)) => {
                        print!(" {} ({})", fmt_ns(c.ns), fmt_ratio(c.ns / t.ns));
                        if c.fails > 0 {
                            print!(" **{} OOM**", c.fails);
                        }
                        print!(" |");
                    }
                    _ => print!(" n/a |"),
                }
            }
            println!();
        }
        println!("\nSpread (min–max ns/op over the runs) and workload shape:\n");
        print!("| allocator |");
        for (max, _, _) in &cols {
            print!(" max={max} |");
        }
        println!();
        print!("|---|");
        for _ in &cols {
            print!("---:|");
        }
        println!();
        for (k, kind) in kinds.iter().enumerate() {
            print!("| {} |", kind.name());
            for (_, _, row) in &cols {
                match &row[k] {
                    Some(c) => print!(" {}–{} |", fmt_ns(c.min), fmt_ns(c.max)),
                    None => print!(" n/a |"),
                }
            }
            println!();
        }
        print!("| peak live blocks / bytes |");
        for (_, w, _) in &cols {
            print!(" {} / {} |", w.peak_live, fmt_bytes(w.peak_bytes));
        }
        println!("\n");
    }

    fn section_holes(s: &Settings, buf: &mut Buf) {
        const HOLE: u32 = 32;
        const REQ: usize = 512;
        println!(
            "## 2. Holes (ns per alloc+free pair of {REQ} B, median of {} fresh instances)\n",
            s.runs
        );
        println!(
            "N free {HOLE}-byte holes, each between two live {HOLE}-byte blocks, that the \
             {REQ}-byte request does not fit, in a {} MiB arena. Each instance is built, \
             warmed up, and timed over one batch sized to about {:.0} ms.\n",
            ARENA / MIB,
            s.batch_time().as_secs_f64() * 1e3
        );
        println!(
            "### a. Served from the free tail of the arena\n\nThe request is carved from the \
             untouched end of the arena and freed again (the playground keeps that block, \
             its top, out of its free-block index).\n"
        );
        holes_table(s, buf, HOLE, REQ, false);
        println!(
            "### b. Served from a hole above the N holes\n\nAs (a), plus one free {}-byte \
             block after the holes and before a live guard block: first and best fit must \
             find it among the N + 2 free blocks (worst fit still takes the tail).\n",
            2 * REQ
        );
        holes_table(s, buf, HOLE, REQ, true);
    }

    /// One holes table; `inner` adds the fitting free block below the tail.
    fn holes_table(s: &Settings, buf: &mut Buf, hole: u32, req: usize, inner: bool) {
        let ns = [16usize, 4_096, 32_768];
        let kinds = general_kinds();
        let sizes = [req];
        let mut table: Vec<Vec<(f64, usize)>> = vec![Vec::new(); kinds.len()];
        for &n in &ns {
            // Allocate 2N blocks, then free every other one, highest first (so
            // linked_list_allocator's sorted insert stays O(1) in the setup).
            let mut setup: Vec<Op> = (0..2 * n as u32)
                .map(|slot| Op::Alloc { slot, size: hole })
                .collect();
            let big = 2 * n as u32;
            if inner {
                setup.push(Op::Alloc {
                    slot: big,
                    size: 2 * req as u32,
                });
                setup.push(Op::Alloc {
                    slot: big + 1,
                    size: hole,
                });
                setup.push(Op::Free {
                    slot: big,
                    size: 2 * req as u32,
                });
            }
            setup.extend((0..n as u32).rev().map(|i| Op::Free {
                slot: 2 * i,
                size: hole,
            }));
            let mut job = PairsJob {
                setup: &setup,
                setup_slots: 2 * n + 2,
                sizes: &sizes,
                batch_time: s.batch_time(),
                max_batch: s.n(2_000_000),
            };
            for (k, cell) in time_pairs(&kinds, &mut job, s.runs, buf)
                .into_iter()
                .enumerate()
            {
                table[k].push(cell);
            }
        }
        print!("| allocator |");
        for n in &ns {
            print!(" N={n} |");
        }
        println!(" growth {}→{} |", ns[0], ns[ns.len() - 1]);
        println!("|---|{}---:|", "---:|".repeat(ns.len()));
        let ti = talc_index(&kinds);
        for (k, kind) in kinds.iter().enumerate() {
            print!("| {} |", kind.name());
            for (j, &(ns_pair, _)) in table[k].iter().enumerate() {
                print!(
                    " {} ({}) |",
                    fmt_ns(ns_pair),
                    fmt_ratio(ns_pair / table[ti][j].0)
                );
            }
            let g = table[k][ns.len() - 1].0 / table[k][0].0;
            println!(" {} |", fmt_ratio(g));
        }
        print!("\nPairs per batch:");
        for (k, kind) in kinds.iter().enumerate() {
            let v: Vec<String> = table[k].iter().map(|x| x.1.to_string()).collect();
            print!(" {} {};", kind.name(), v.join("/"));
        }
        println!("\n");
    }

    fn section_small_pairs(s: &Settings, buf: &mut Buf) {
        let kinds = small_kinds();
        println!(
            "## 3. Small alloc+free pairs (sizes <= 64, over {MIN_LIVE} live blocks; median of {} fresh instances)\n",
            s.runs
        );
        let mut rng = Rng::new(SEED ^ 0xF00D);
        let mut g = Gen::default();
        let setup: Vec<Op> = (0..MIN_LIVE)
            .map(|_| {
                let sz = talc_size(&mut rng, 64);
                g.alloc(sz)
            })
            .collect();
        let sizes: Vec<usize> = (0..1024).map(|_| talc_size(&mut rng, 64)).collect();
        let single = [24usize];
        println!(
            "Background: {MIN_LIVE} live blocks of talc-distributed sizes <= 64. \
             'mixed' cycles through 1024 pre-drawn sizes (4..63); 'fixed 24' repeats one size. \
             ns per pair (an alloc and a free).\n"
        );
        println!("| allocator | mixed ns/pair | ×talc | fixed 24 ns/pair | ×talc |");
        println!("|---|---:|---:|---:|---:|");
        let mut rows: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
        for sz in [&sizes[..], &single[..]] {
            let mut job = PairsJob {
                setup: &setup,
                setup_slots: g.slots as usize,
                sizes: sz,
                batch_time: s.batch_time(),
                max_batch: s.n(20_000_000),
            };
            for (k, (ns, _)) in time_pairs(&kinds, &mut job, s.runs, buf)
                .into_iter()
                .enumerate()
            {
                rows[k].push(ns);
            }
        }
        let ti = talc_index(&kinds);
        for (k, kind) in kinds.iter().enumerate() {
            println!(
                "| {} | {} | {} | {} | {} |",
                kind.name(),
                fmt_ns(rows[k][0]),
                fmt_ratio(rows[k][0] / rows[ti][0]),
                fmt_ns(rows[k][1]),
                fmt_ratio(rows[k][1] / rows[ti][1])
            );
        }
        println!();
    }

    fn section_traces(s: &Settings, buf: &mut Buf) {
        println!(
            "## 4. Trace replay (ns/op, median of {} runs; peak utilization)\n",
            s.runs
        );
        println!(
            "Peak utilization = peak live requested bytes / high-water mark. For the \
             playground it is stats().peak_requested / stats().high_water (block metadata \
             lives outside the arena, requests rounded to {ALIGN}); for talc and \
             linked_list_allocator it is the trace's peak requested bytes over the highest \
             end address handed out, counted from the start of the buffer (in-band headers \
             and talc's bin table count against them). Reallocs: the playground's realloc; \
             talc shrink / grow in place / move; linked_list_allocator alloc+copy+free. \
             Short traces are replayed several times per run, each time on a fresh allocator.\n"
        );
        let mut traces: Vec<(String, String)> = Vec::new();
        traces.push((
            "synthetic (generated in memory)".to_string(),
            synthetic_rep(s.n(50_000), SEED ^ 0xBEEF),
        ));
        for path in &s.traces {
            match read_trace(path) {
                Ok(t) => traces.push((path.clone(), t)),
                Err(e) => println!("**cannot read {path}: {e}**\n"),
            }
        }
        let kinds = general_kinds();
        let ti = talc_index(&kinds);
        for (name, text) in &traces {
            let trace = match rep::parse(text) {
                Ok(t) => t,
                Err(e) => {
                    println!("**{name}: parse error: {e:?}**\n");
                    continue;
                }
            };
            let w = trace_workload(&trace.script.ops);
            if w.ops.is_empty() {
                println!("**{name}: no ops**\n");
                continue;
            }
            // Arena: 4x the peak live bytes (at least 1 MiB), doubled until no
            // allocator runs out (or 1 GiB).
            let mut arena = (4 * w.peak_bytes + 64 * w.peak_live)
                .max(MIB)
                .next_power_of_two()
                .min(alloc_playground::MAX_ARENA);
            let peaks = loop {
                let mut job = PeakJob { w: &w };
                let r: Vec<(f64, usize)> = kinds
                    .iter()
                    .map(|&k| with_backend(k, arena, buf, &mut job))
                    .collect();
                if r.iter().all(|x| x.1 == 0) || arena >= alloc_playground::MAX_ARENA {
                    break r;
                }
                arena = (arena * 2).min(alloc_playground::MAX_ARENA);
            };
            let reps = s.n(200_000).div_ceil(w.ops.len()).max(1);
            let cells = time_workload(&kinds, &w, arena, s.runs, reps, buf);
            let n_realloc = w
                .ops
                .iter()
                .filter(|o| matches!(o, Op::Realloc { .. }))
                .count();
            println!(
                "### {name}\n\n{} ops ({} reallocs), {} ids, peak {} live blocks / {} requested; \
                 arena {}; {} replay(s) per run.\n",
                w.ops.len(),
                n_realloc,
                trace.num_ids,
                w.peak_live,
                fmt_bytes(w.peak_bytes),
                fmt_bytes(arena),
                reps
            );
            // The playground's strategies once more with the heap growing
            // with sbrk: the high-water mark is then the heap each needs,
            // not the arena's size (as mdriver measures a heap).
            let grown: Vec<Option<(f64, usize)>> = kinds
                .iter()
                .map(|&k| match k {
                    Kind::Fl(strategy) => {
                        let mut a = free_list(strategy, arena);
                        a.set_sbrk(true);
                        Some(PeakJob { w: &w }.run(&mut Fl(a)))
                    }
                    _ => None,
                })
                .collect();
            println!(
                "| allocator | ns/op | ×talc | peak util | failed | peak util, heap grows (sbrk) |"
            );
            println!("|---|---:|---:|---:|---:|---:|");
            for (k, kind) in kinds.iter().enumerate() {
                println!(
                    "| {} | {} | {} | {:.1}% | {} | {} |",
                    kind.name(),
                    fmt_ns(cells[k].ns),
                    fmt_ratio(cells[k].ns / cells[ti].ns),
                    peaks[k].0 * 100.0,
                    peaks[k].1,
                    grown[k].map_or("—".to_string(), |(u, fails)| if fails > 0 {
                        format!("{:.1}% ({fails} failed)", u * 100.0)
                    } else {
                        format!("{:.1}%", u * 100.0)
                    })
                );
            }
            println!();
        }
    }

    /// Reads a trace named on the command line. `cargo bench` runs the binary
    /// in the package directory, so a relative path is also tried against the
    /// shell's `$PWD`, the package and the workspace root.
    fn read_trace(path: &str) -> std::io::Result<String> {
        let manifest = env!("CARGO_MANIFEST_DIR");
        let mut candidates = vec![std::path::PathBuf::from(path)];
        if let Ok(pwd) = std::env::var("PWD") {
            candidates.push(std::path::Path::new(&pwd).join(path));
        }
        candidates.push(std::path::Path::new(manifest).join(path));
        candidates.push(std::path::Path::new(manifest).join("..").join(path));
        let mut first_err = None;
        for c in candidates {
            match std::fs::read_to_string(&c) {
                Ok(t) => return Ok(t),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.expect("at least one candidate"))
    }

    /// CPU ticks (all CPUs busy, this process) from /proc, where there is one.
    fn cpu_ticks() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let f: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...
        let busy = f.iter().sum::<u64>() - f.get(3)? - f.get(4)?;
        let me = std::fs::read_to_string("/proc/self/stat").ok()?;
        // After the command name: field 3 (state) is index 0, so utime (14)
        // and stime (15) are indices 11 and 12.
        let g: Vec<&str> = me[me.rfind(')')? + 1..].split_whitespace().collect();
        let own = g.get(11)?.parse::<u64>().ok()? + g.get(12)?.parse::<u64>().ok()?;
        Some((busy, own))
    }

    pub fn main() {
        let s = Settings::from_env();
        let start = Instant::now();
        let ticks0 = cpu_ticks();
        println!("# alloc-playground allocator benchmark\n");
        println!(
            "scale {} (ALLOC_BENCH_SCALE), {} runs per cell (ALLOC_BENCH_RUNS){}\n",
            s.scale,
            s.runs,
            if s.quick {
                "; smoke mode: no --bench argument, so tiny counts"
            } else {
                ""
            }
        );
        let mut buf = Buf::new(ARENA + MIB);
        if s.wants("random") {
            section_random(&s, &mut buf);
        }
        if s.wants("holes") {
            section_holes(&s, &mut buf);
        }
        if s.wants("small") {
            section_small_pairs(&s, &mut buf);
        }
        if s.wants("traces") {
            section_traces(&s, &mut buf);
        }
        let secs = start.elapsed().as_secs_f64();
        println!("total bench time: {secs:.1} s");
        if let (Some((b0, o0)), Some((b1, o1))) = (ticks0, cpu_ticks()) {
            // USER_HZ is 100 on every Linux this runs on.
            let others = (b1 - b0).saturating_sub(o1 - o0) as f64 / 100.0 / secs;
            println!(
                "CPU used by other processes during the run: {others:.2} cores on average{}",
                if others > 0.2 {
                    " (numbers may be disturbed: rerun on a quiet machine)"
                } else {
                    ""
                }
            );
        }
    }
}
