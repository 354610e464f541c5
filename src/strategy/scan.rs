//! [`Scan`]: a flat array of packed name heads, scanned longest name first.
//!
//! Invariants: `entries` is sorted by name length, longest first; `first_fit[l]` is the first
//! entry whose name is at most `l` bytes long, for every `l` up to the longest name. Each entry
//! holds the name's first 8 bytes as a little-endian word, so most candidates are rejected by a
//! single masked compare, without touching the name.

use std::sync::Arc;

use super::{Index, strategy_api};
use crate::{Alias, MatchKind};

/// Up to this many aliases, [`AliasSet`](crate::AliasSet) resolves through [`Scan`]; above, through
/// [`Hashed`](super::Hashed). Chosen from the `resolve` benchmark (see BENCHMARKS.md).
pub const SCAN_MAX: usize = 48;

#[derive(Debug, Clone)]
struct Entry {
    head: u64,
    mask: u64,
    len: usize,
    exact: bool,
    index: usize,
}

/// The fastest strategy for small sets: one pass over a compact array, longest name first.
///
/// Each alias is one 40-byte entry holding its name's first 8 bytes as a machine word.
/// Lookup skips the names longer than the model, then tests each remaining entry with a masked
/// word compare; only an entry whose head matches has the rest of its name compared. The first
/// entry that matches is the longest, so it wins.
///
/// - Lookup: O(n) word compares at worst (a miss), no allocation; the model is read for at
///   most the longest name's length.
/// - Build: O(n log n) (a sort of the entries).
/// - Memory: 40 bytes an alias plus 8 bytes per byte of the longest name.
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
    entries: Box<[Entry]>,
    first_fit: Box<[usize]>,
}

/// The first up to 8 bytes of `bytes` as a little-endian word, zero-padded.
fn head_word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (dst, src) in word.iter_mut().zip(bytes) {
        *dst = *src;
    }
    u64::from_le_bytes(word)
}

impl Index for Scan {
    fn build(aliases: Arc<[Alias]>) -> Scan {
        let mut entries: Vec<Entry> = aliases
            .iter()
            .enumerate()
            .map(|(index, alias)| {
                let name = alias.name().as_str().as_bytes();
                let mask = match name.len() {
                    n @ 0..8 => (1u64 << (8 * n)) - 1,
                    _ => u64::MAX,
                };
                Entry {
                    head: head_word(name),
                    mask,
                    len: name.len(),
                    exact: alias.kind() == MatchKind::Exact,
                    index,
                }
            })
            .collect();
        entries.sort_by_key(|e| std::cmp::Reverse(e.len));
        let longest = entries.first().map_or(0, |e| e.len);
        let first_fit = (0..=longest)
            .map(|l| entries.partition_point(|e| e.len > l))
            .collect();
        Scan {
            aliases,
            entries: entries.into_boxed_slice(),
            first_fit,
        }
    }

    fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    #[inline]
    fn find(&self, model: &[u8]) -> Option<usize> {
        let head = head_word(model);
        // A model longer than every name may match any of them: start at the first entry.
        let start = self.first_fit.get(model.len()).copied().unwrap_or(0);
        let candidates = self.entries.get(start..).unwrap_or_default();
        candidates
            .iter()
            .find(|e| {
                head & e.mask == e.head
                    && (!e.exact || e.len == model.len())
                    && self.tail_matches(e, model)
            })
            .map(|e| e.index)
    }
}

impl Scan {
    /// Whether the name's bytes past the head word are the model's bytes at the same offsets.
    #[inline]
    fn tail_matches(&self, e: &Entry, model: &[u8]) -> bool {
        if e.len <= 8 {
            return true;
        }
        let name = self
            .aliases
            .get(e.index)
            .map(|a| a.name().as_str().as_bytes());
        match (name.and_then(|n| n.get(8..)), model.get(8..e.len)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

strategy_api!(Scan);
