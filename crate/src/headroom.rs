//! Room in the host's memory for an operation, checked before it starts.
//!
//! In wasm, an allocation Rust cannot get aborts the module: the JS API would
//! see `RuntimeError: unreachable`, with the operation half done. So an
//! operation whose memory grows with its input or with the session (a replay,
//! a parse, a workload, a comparison, an op on a large session) first asks
//! [`ensure`] for an upper bound of what it may take, and is refused with
//! [`AllocError::HostMemory`] before anything changes when that does not fit.
//!
//! The check costs one instruction while wasm memory can still grow by the
//! bound (a wasm32 memory reaches 4 GiB). Past that, the bound is allocated
//! and given back: the allocator keeps it, so the operation finds it. A bound
//! is generous (a factor of two or more over what usually happens), so near
//! the limit an operation may be refused that would just have fit.
//!
//! Every check asks for [`SLACK`] more than its bound: the memory is never
//! filled by checked operations past the last 64 KiB, which the small
//! allocations no check precedes (reading a call's arguments, a refusal's
//! own message and JS error) always find.
//!
//! The check trusts the memory to grow to 4 GiB, as it does in desktop
//! browsers and node. A host that stops it short (a phone's browser, say) is
//! not detected: there an operation can still abort the module. (Probing
//! every large bound would find out, but would grow the memory by the bound,
//! for good, where the operation needs a fraction of it.)
//!
//! Natively the operating system decides (it overcommits), and [`ensure`]
//! always succeeds.

use crate::{AllocError, Result};

/// Bytes one wasm page holds.
#[cfg(target_arch = "wasm32")]
const PAGE: u64 = 1 << 16;
/// Pages a wasm32 memory can have.
#[cfg(target_arch = "wasm32")]
const MAX_PAGES: u64 = 1 << 16;

/// Bytes the memory can still grow by without anything else giving way.
#[cfg(target_arch = "wasm32")]
fn growable() -> u64 {
    let pages = core::arch::wasm32::memory_size(0) as u64;
    MAX_PAGES.saturating_sub(pages) * PAGE
}

#[cfg(not(target_arch = "wasm32"))]
fn growable() -> u64 {
    u64::MAX
}

/// What every check asks for beyond its bound (see the module's notes).
pub const SLACK: usize = 64 << 10;

/// Checks that `bytes` more can be allocated.
///
/// # Errors
/// [`AllocError::HostMemory`] when the memory cannot grow by `bytes` and the
/// allocator cannot hand out `bytes` at once either.
///
/// # Complexity
/// O(1).
pub fn ensure(bytes: usize) -> Result<()> {
    check(bytes, growable())
}

/// Whether the memory can grow by twice what it holds and `extra` more: then
/// an op that at most doubles some vectors (their new buffers hold twice the
/// old ones) fits whatever it is, and its bound need not be computed.
///
/// # Complexity
/// O(1).
pub fn doubling_fits(extra: usize) -> bool {
    held()
        .saturating_mul(2)
        .saturating_add(extra.saturating_add(SLACK) as u64)
        <= growable()
}

/// Checks that a copy of anything in the memory fits (a clone of a
/// session, whose buffers take at most the bytes the memory holds).
///
/// # Errors
/// [`AllocError::HostMemory`] when it may not.
///
/// # Complexity
/// O(1).
pub fn ensure_copy() -> Result<()> {
    ensure(usize::try_from(held()).unwrap_or(usize::MAX))
}

/// Bytes the memory holds now (natively, nothing is known: 0).
#[cfg(target_arch = "wasm32")]
fn held() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * PAGE
}

#[cfg(not(target_arch = "wasm32"))]
fn held() -> u64 {
    0
}

/// [`ensure`] with the growable bytes given.
fn check(bytes: usize, growable: u64) -> Result<()> {
    let want = bytes.saturating_add(SLACK);
    if want as u64 <= growable || Vec::<u8>::new().try_reserve_exact(want).is_ok() {
        return Ok(());
    }
    Err(AllocError::HostMemory { bytes })
}

/// The bytes `v` would take anew to hold `k` more elements: 0 while it has
/// the room, else the buffer it would grow to (doubling, as `Vec` does when
/// pushed to; the old buffer is already counted as taken).
pub(crate) fn vec_growth<T>(v: &Vec<T>, k: usize) -> usize {
    vec_growth_to(v, v.len().saturating_add(k))
}

/// The bytes `v` would take anew to hold `len` elements (see [`vec_growth`]).
pub(crate) fn vec_growth_to<T>(v: &Vec<T>, len: usize) -> usize {
    let mut cap = v.capacity();
    if len <= cap {
        return 0;
    }
    cap = cap.max(4);
    while cap < len {
        cap = cap.saturating_mul(2);
    }
    cap.saturating_mul(std::mem::size_of::<T>())
}

/// `a × b + c`, saturating: bounds add up without overflowing on hostile sizes.
pub(crate) fn bound(a: usize, b: usize, c: usize) -> usize {
    a.saturating_mul(b).saturating_add(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_the_memory_can_grow_by_is_not_probed() {
        assert_eq!(check(usize::MAX, u64::MAX), Ok(()));
    }

    #[test]
    fn without_growth_the_bound_must_be_allocatable() {
        assert_eq!(check(64, 0), Ok(()));
        // More than any allocation may be (isize::MAX): refused, typed.
        assert_eq!(
            check(usize::MAX, 0),
            Err(AllocError::HostMemory { bytes: usize::MAX })
        );
    }

    #[test]
    fn a_vector_with_room_grows_by_nothing_else_by_doubling() {
        let mut v: Vec<u64> = Vec::with_capacity(8);
        v.extend([1, 2, 3]);
        assert_eq!(vec_growth(&v, 5), 0);
        assert_eq!(vec_growth(&v, 6), 16 * 8);
        assert_eq!(vec_growth(&v, 30), 64 * 8);
        // What the bound says is what pushing takes.
        let before = v.capacity();
        assert_eq!(before, 8);
        let bound = vec_growth(&v, 30);
        v.extend(0..30);
        assert!(v.capacity() * 8 <= bound, "{} > {bound}", v.capacity() * 8);
    }

    #[test]
    fn bounds_saturate() {
        assert_eq!(bound(3, 4, 5), 17);
        assert_eq!(bound(usize::MAX, 2, 1), usize::MAX);
    }
}
