//! The arena: a fixed run of real bytes, allocated once.

use crate::{AllocError, Result};

/// The largest arena the crate builds: 1 GiB.
pub const MAX_ARENA: usize = 1 << 30;

/// A fixed buffer of bytes. It never grows, never moves its contents, and is
/// only written by the user (`write`), by `calloc` (zeros), and by `realloc`
/// (copying a block it moves).
#[derive(Clone)]
pub struct Arena {
    /// The bytes. Its length is the arena size and never changes.
    bytes: Box<[u8]>,
}

impl std::fmt::Debug for Arena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Arena({} bytes)", self.bytes.len())
    }
}

impl Arena {
    /// Allocates `size` bytes (1 ..= [`MAX_ARENA`]).
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] for a size out of range;
    /// [`AllocError::HostMemory`] when the host cannot give the bytes.
    pub fn new(size: usize) -> Result<Self> {
        if size == 0 || size > MAX_ARENA {
            return Err(crate::free_list::arena_size_out_of_range(size));
        }
        let mut v = Vec::new();
        v.try_reserve_exact(size)
            .map_err(|_| AllocError::HostMemory { bytes: size })?;
        v.resize(size, 0);
        Ok(Arena {
            bytes: v.into_boxed_slice(),
        })
    }

    /// The same bytes, zeroed again (an arena as [`new`](Self::new) makes
    /// one), taken out of `self`, which is left without bytes and must not be
    /// used again: how a heap starts over without allocating a second arena.
    /// Only `..dirty` is cleared: every byte from `dirty` on must still be 0.
    ///
    /// # Complexity
    /// O(dirty).
    pub(crate) fn take_zeroed(&mut self, dirty: usize) -> Arena {
        let mut bytes = std::mem::take(&mut self.bytes);
        let dirty = dirty.min(bytes.len());
        bytes[..dirty].fill(0);
        Arena { bytes }
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: an arena has at least one byte.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// All bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// `len` bytes from `offset`.
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] when the range leaves the arena.
    pub fn read(&self, offset: usize, len: usize) -> Result<&[u8]> {
        match offset.checked_add(len) {
            Some(end) if end <= self.bytes.len() => Ok(&self.bytes[offset..end]),
            _ => Err(AllocError::OutOfBounds { offset, len }),
        }
    }
}
