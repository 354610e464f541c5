//! [`Scan`]: every name, packed into words, bucketed by first byte and scanned longest first.

use std::sync::Arc;

use super::words::{Buckets, Packed, head_word};
use super::{Index, strategy_api};
use crate::Alias;

/// Up to this many aliases, [`AliasSet`](crate::AliasSet) resolves through [`Scan`]; above,
/// through [`Hashed`](super::Hashed).
///
/// Chosen from the `crossover` group of the `resolve` benchmark (see BENCHMARKS.md): on its
/// mixed queries `Scan` is the faster up to 32 aliases, while by 48 `Hashed` is, as a scan grows
/// with the names sharing the model's first byte and a hash probe does not.
pub const SCAN_MAX: usize = 32;

/// The fastest strategy for small sets: a short scan of the names that share the model's
/// first byte, longest first.
///
/// Each alias is one 48-byte entry holding its name's first and last 8 bytes as machine
/// words. Lookup goes to the bucket of the model's first byte (a miss on a byte that starts no
/// name ends there), and tests its entries, longest first, with word compares; the first entry
/// whose name starts the model (and, for an exact alias, is all of it) is the longest match,
/// so it wins.
///
/// - Lookup: O(b) word compares, b being the number of names sharing the model's first byte;
///   no allocation; the model is read for at most the longest name's length.
/// - Build: O(n log n) (a sort of the entries).
/// - Memory: 48 bytes an alias, plus a 512-byte table of first bytes and a word per distinct
///   first byte (BENCHMARKS.md has the measured total per alias).
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Resolve, Rule, strategy::Scan};
///
/// let set = AliasSet::new([("gpt-4o", "openai/gpt-4o-2024-11-20", MatchKind::Exact)])?;
/// let scan = Scan::new(&set);
/// assert_eq!(scan.resolve("gpt-4o").rule(), Rule::Exact);
/// assert_eq!(scan.resolve("gpt-4o-mini").rule(), Rule::Passthrough);
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scan {
    aliases: Arc<[Alias]>,
    buckets: Buckets,
}

impl Index for Scan {
    fn build(aliases: Arc<[Alias]>) -> Scan {
        let entries = aliases.iter().enumerate().map(|(i, a)| Packed::new(i, a));
        Scan {
            buckets: Buckets::new(entries.collect()),
            aliases,
        }
    }

    fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    #[inline]
    fn find(&self, model: &[u8]) -> Option<usize> {
        self.buckets.find(model, head_word(model), &self.aliases)
    }
}

strategy_api!(Scan);
