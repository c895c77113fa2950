//! Placement strategies of the free-list allocator.

use std::fmt;
use std::str::FromStr;

/// How the free-list allocator picks a free block for a request.
///
/// All four break ties by the lowest address, as OSTEP's `malloc.py` does with
/// an address-sorted free list (`-l ADDRSORT`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// The free block with the lowest address that fits.
    #[default]
    FirstFit,
    /// Like first fit, but the search starts at the free block that contains, or
    /// is the first after, the end of the previous allocation, and wraps once.
    NextFit,
    /// The smallest free block that fits; the lowest address among equal sizes.
    BestFit,
    /// The largest free block; the lowest address among equal sizes.
    WorstFit,
}

impl Strategy {
    /// All strategies, in the order the playground lists them.
    pub const ALL: [Strategy; 4] = [
        Strategy::FirstFit,
        Strategy::NextFit,
        Strategy::BestFit,
        Strategy::WorstFit,
    ];

    /// The kebab-case name (`"first-fit"`, …) used by the JS API and the URL.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::FirstFit => "first-fit",
            Strategy::NextFit => "next-fit",
            Strategy::BestFit => "best-fit",
            Strategy::WorstFit => "worst-fit",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = crate::AllocError;

    /// Parses `first-fit`, `next-fit`, `best-fit`, `worst-fit` (also `first`,
    /// `FIRST`, … as OSTEP's `-p` spells them).
    ///
    /// # Errors
    /// [`crate::AllocError::BadConfig`] for any other name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let t = t
            .strip_suffix("-fit")
            .or_else(|| t.strip_suffix("fit"))
            .unwrap_or(&t);
        match t.trim_end_matches(['-', '_', ' ']) {
            "first" => Ok(Strategy::FirstFit),
            "next" => Ok(Strategy::NextFit),
            "best" => Ok(Strategy::BestFit),
            "worst" => Ok(Strategy::WorstFit),
            _ => Err(crate::AllocError::bad_config(format!(
                "unknown strategy {s:?} (expected first-fit, next-fit, best-fit or worst-fit)"
            ))),
        }
    }
}

/// The order the free list is kept in: OSTEP `malloc.py`'s `-l`. The fit
/// searches walk the list front to back, so the order decides which block
/// first fit finds first, how ties between equal sizes fall, and (with
/// coalescing on) which neighbours merge: a free merges, as `malloc.py`'s
/// pass does, only entries that are next to each other in the list and in
/// the arena.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ListOrder {
    /// By address (`ADDRSORT`, the default): a free merges with both
    /// neighbours in the arena.
    #[default]
    Address,
    /// By size, smallest first (`SIZESORT+`), resorted on each free; a
    /// split's remainder keeps its place until then.
    SizeAscending,
    /// By size, largest first (`SIZESORT-`), likewise.
    SizeDescending,
    /// A freed block goes to the front (`INSERT-FRONT`, a LIFO list).
    InsertFront,
    /// A freed block goes to the back (`INSERT-BACK`, a FIFO list).
    InsertBack,
}

impl ListOrder {
    /// All orders, in the order the playground lists them.
    pub const ALL: [ListOrder; 5] = [
        ListOrder::Address,
        ListOrder::SizeAscending,
        ListOrder::SizeDescending,
        ListOrder::InsertFront,
        ListOrder::InsertBack,
    ];

    /// The kebab-case name (`"address"`, …) used by the JS API and the URL.
    pub fn name(self) -> &'static str {
        match self {
            ListOrder::Address => "address",
            ListOrder::SizeAscending => "size-ascending",
            ListOrder::SizeDescending => "size-descending",
            ListOrder::InsertFront => "insert-front",
            ListOrder::InsertBack => "insert-back",
        }
    }

    /// `malloc.py`'s name (`ADDRSORT`, `SIZESORT+`, …).
    pub fn malloc_py(self) -> &'static str {
        match self {
            ListOrder::Address => "ADDRSORT",
            ListOrder::SizeAscending => "SIZESORT+",
            ListOrder::SizeDescending => "SIZESORT-",
            ListOrder::InsertFront => "INSERT-FRONT",
            ListOrder::InsertBack => "INSERT-BACK",
        }
    }
}

impl fmt::Display for ListOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ListOrder {
    type Err = crate::AllocError;

    /// Parses the kebab-case names and `malloc.py`'s (`ADDRSORT`,
    /// `SIZESORT+`, `SIZESORT-`, `INSERT-FRONT`, `INSERT-BACK`, any case).
    ///
    /// # Errors
    /// [`crate::AllocError::BadConfig`] for any other name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ListOrder::ALL
            .into_iter()
            .find(|o| t == o.name() || t.eq_ignore_ascii_case(o.malloc_py()))
            .ok_or_else(|| {
                crate::AllocError::bad_config(format!(
                    "unknown list order {s:?} (expected address, size-ascending, size-descending, insert-front or insert-back)"
                ))
            })
    }
}
