//! [`Scan`]: every name, packed into words, bucketed by first byte and scanned longest first.
//!
//! Each alias is one 48-byte entry holding its name's first and last 8 bytes as machine
//! words. Lookup goes to the bucket of the model's first byte (a miss on a byte that starts no
//! name ends there), and tests its entries, longest first, with word compares; the first entry
//! whose name starts the model (and, for an exact alias, is all of it) is the longest match,
//! so it wins.
//!
//! - Lookup: O(b) word compares, b being the number of names sharing the model's first byte.
//! - Build: O(n log n) (a sort of the entries).
//! - Memory: 48 bytes an alias, plus a 512-byte table of first bytes and a word per distinct
//!   first byte.

use super::Index;
use super::words::{Buckets, Packed, head_word};
use crate::Alias;

/// Up to this many aliases, [`AliasSet`](crate::AliasSet) picks [`Scan`]; above, `Hashed`.
///
/// Chosen from the `crossover` group of the `resolve` benchmark (see BENCHMARKS.md): on its
/// mixed queries `Scan` is the faster up to 32 aliases, while by 48 `Hashed` is, as a scan grows
/// with the names sharing the model's first byte and a hash probe does not.
pub(crate) const SCAN_MAX: usize = 32;

/// The fastest index for small sets (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    buckets: Buckets,
}

impl Index for Scan {
    fn build(aliases: &[Alias]) -> Scan {
        let entries = aliases.iter().enumerate().map(|(i, a)| Packed::new(i, a));
        Scan {
            buckets: Buckets::new(entries.collect()),
        }
    }

    #[inline]
    fn find(&self, aliases: &[Alias], model: &[u8]) -> Option<usize> {
        self.buckets.find::<false>(model, head_word(model), aliases)
    }

    /// Folds the words it compares, and only those that differ, rather than a copy of the
    /// model (see `Packed::wins`).
    #[inline]
    fn find_folded(&self, aliases: &[Alias], model: &[u8], _: usize) -> Option<usize> {
        self.buckets.find::<true>(model, head_word(model), aliases)
    }
}
