//! Seeded random workloads: the same seed gives the same ops on every
//! platform (native, wasm), so runs can be shared and compared.

use crate::script::Op;

/// The size distribution and shape of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Sizes uniform in `1..=max`; allocs with the given probability.
    Uniform,
    /// talc's benchmark distribution: a cap uniform in `16..max`, then a size
    /// uniform in `4..cap` (many small requests, a few large); below a max
    /// of 17, a cap uniform in `1..=max`, then a size uniform in `1..=cap`.
    SmallBiased,
    /// Phases of ramps (mostly allocs), plateaus (the given mix), peaks (a
    /// burst of allocs then of frees) and ramp-downs (mostly frees), with
    /// small-biased sizes.
    Phased,
}

/// How to generate a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadConfig {
    /// The distribution.
    pub shape: Shape,
    /// Seed of the generator.
    pub seed: u64,
    /// Number of ops.
    pub ops: usize,
    /// Percentage of allocs (0..=100) where the shape uses a fixed mix.
    pub alloc_percent: u8,
    /// Largest request size (≥ 1). Every shape stays within it.
    pub max_size: usize,
    /// Below this many live pointers every op is an alloc.
    pub min_live: usize,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            shape: Shape::Uniform,
            seed: 1,
            ops: 50,
            alloc_percent: 50,
            max_size: 64,
            min_live: 0,
        }
    }
}

impl WorkloadConfig {
    /// Checks the ranges: 1 to [`MAX_OPS`](crate::script::MAX_OPS) ops (an op
    /// list holds no more), an alloc percentage of at most 100, a largest size
    /// from 1 to [`MAX_SIZE`](crate::script::MAX_SIZE).
    ///
    /// # Errors
    /// What is out of range, in words.
    pub fn validate(&self) -> Result<(), String> {
        use crate::script::{MAX_OPS, MAX_SIZE};
        if !(1..=MAX_OPS).contains(&self.ops) {
            return Err(ops_error(self.ops));
        }
        if self.alloc_percent > 100 {
            return Err(percent_error(self.alloc_percent.into()));
        }
        if !(1..=MAX_SIZE).contains(&self.max_size) {
            return Err(max_size_error(self.max_size));
        }
        Ok(())
    }
}

/// The message for a number of ops out of range (a binding's non-integer too).
pub fn ops_error(got: impl std::fmt::Display) -> String {
    format!(
        "ops must be from 1 to {} (an op list holds no more), got {got}",
        crate::script::MAX_OPS
    )
}

/// The message for a largest size out of range (a binding's non-integer too).
pub fn max_size_error(got: impl std::fmt::Display) -> String {
    format!(
        "maxSize must be from 1 to {} bytes, got {got}",
        crate::script::MAX_SIZE
    )
}

/// The message for an alloc percentage above 100 (wider than a `u8` too).
pub fn percent_error(p: usize) -> String {
    format!("allocPercent must be from 0 to 100, got {p}")
}

/// SplitMix64: tiny, fast, and the same everywhere.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            return lo;
        }
        lo + ((self.next_u64() as u128 * (hi - lo) as u128) >> 64) as usize
    }

    /// True with probability `pct`%.
    pub fn percent(&mut self, pct: u8) -> bool {
        self.range(0, 100) < pct as usize
    }
}

/// The workload as op-list text: [`generate`], then
/// [`try_format`](crate::script::try_format), refused rather than aborted
/// when the host's memory cannot hold it (see [`headroom`](crate::headroom)).
///
/// # Errors
/// [`AllocError::BadConfig`](crate::AllocError::BadConfig) when
/// [`WorkloadConfig::validate`] fails;
/// [`AllocError::HostMemory`](crate::AllocError::HostMemory).
///
/// # Complexity
/// O(ops).
pub fn generate_text(cfg: &WorkloadConfig) -> Result<String, crate::AllocError> {
    cfg.validate().map_err(crate::AllocError::bad_config)?;
    // The ops, and the live pointers (one per op at most, doubling).
    let per_op = std::mem::size_of::<Op>() + 2 * std::mem::size_of::<usize>();
    crate::headroom::ensure(crate::headroom::bound(cfg.ops, per_op, 0))?;
    crate::script::try_format(&generate(cfg)?)
}

/// Generates the ops. Frees pick a live pointer uniformly; a free of a pointer
/// whose allocation failed is a no-op when replayed.
///
/// # Errors
/// [`AllocError::BadConfig`](crate::AllocError::BadConfig) when
/// [`WorkloadConfig::validate`] fails (more ops than an op list holds, …).
///
/// # Complexity
/// O(ops).
pub fn generate(cfg: &WorkloadConfig) -> Result<Vec<Op>, crate::AllocError> {
    cfg.validate().map_err(crate::AllocError::bad_config)?;
    let mut rng = Rng::new(cfg.seed);
    let mut live: Vec<usize> = Vec::new();
    let mut next_ptr = 0usize;
    let mut ops = Vec::with_capacity(cfg.ops);
    let max = cfg.max_size.max(1);
    let pct = cfg.alloc_percent.min(100);
    let small_biased = |rng: &mut Rng| {
        if max < 17 {
            // Too small for talc's caps of 16 and up: the same shape within `1..=max`.
            let cap = rng.range(1, max + 1);
            return rng.range(1, cap + 1);
        }
        let cap = rng.range(16, max);
        rng.range(4, cap.max(5))
    };
    // Phased: (length as a share of the ops, alloc percent) per phase kind.
    let phase_len = (cfg.ops / 8).max(1);
    let phases: [u8; 4] = [90, pct, 100, 10]; // ramp, plateau, peak, ramp down
    for i in 0..cfg.ops {
        let (alloc_pct, size) = match cfg.shape {
            Shape::Uniform => (pct, rng.range(1, max.saturating_add(1))),
            Shape::SmallBiased => (pct, small_biased(&mut rng)),
            Shape::Phased => {
                let phase = (i / phase_len) % 4;
                let p = if phase == 2 && (i % phase_len) * 2 >= phase_len {
                    0 // second half of a peak: the burst drains
                } else {
                    phases[phase]
                };
                (p, small_biased(&mut rng))
            }
        };
        let alloc = live.is_empty() || live.len() < cfg.min_live || rng.percent(alloc_pct);
        if alloc {
            ops.push(Op::Alloc { size });
            live.push(next_ptr);
            next_ptr += 1;
        } else {
            let k = rng.range(0, live.len());
            let ptr = live.swap_remove(k);
            ops.push(Op::Free { ptr });
        }
    }
    Ok(ops)
}
