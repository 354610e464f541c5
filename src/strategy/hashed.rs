//! [`Hashed`]: one hash table over every name, plus, for each first byte, the lengths of the
//! prefix aliases that start with it.
//!
//! Invariants: `table` maps every name to `index << 1 | is_prefix`; `prefix_lens` holds, for
//! each first byte, the distinct lengths of prefix-alias names starting with that byte, longest
//! first, as the slice `lens[starts[b]..starts[b + 1]]`.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Index, strategy_api};
use crate::{Alias, MatchKind};

type Table = HashMap<Box<[u8]>, usize, foldhash::fast::RandomState>;

/// Hash lookups: the exact question in one probe, the prefix question in one probe per
/// candidate length.
///
/// Lookup hashes the whole model (when it is no longer than the longest name) and probes once:
/// an exact alias or a prefix alias with that very name wins. Otherwise it probes the model's
/// prefixes at the lengths where prefix aliases starting with the model's first byte exist,
/// longest first, and the first prefix alias found wins. A miss whose first byte starts no
/// prefix alias costs one probe.
///
/// The hasher is `foldhash`'s fast hasher, seeded per process, so clients cannot aim inputs at
/// collisions.
///
/// - Lookup: 1 + p probes, where p is the number of distinct prefix-alias lengths sharing the
///   model's first byte; each probe hashes at most the longest name's length. No allocation.
/// - Build: O(n) expected (one insert an alias) plus a sort of the prefix lengths.
/// - Memory: the hash table (a boxed copy of each name plus about 1.1 words of control and
///   24 bytes of entry an alias) and 8 bytes per distinct (first byte, length) pair.
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Resolve, strategy::Hashed};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let hashed = Hashed::new(&set);
/// assert_eq!(hashed.resolve("claude-opus-4-9").model(), "anthropic/claude-opus-4-8");
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Hashed {
    aliases: Arc<[Alias]>,
    table: Table,
    longest: usize,
    starts: Box<[usize]>,
    lens: Box<[usize]>,
}

impl Index for Hashed {
    fn build(aliases: Arc<[Alias]>) -> Hashed {
        let mut table = Table::with_capacity_and_hasher(aliases.len(), Default::default());
        let mut prefix_lens: Vec<(u8, usize)> = Vec::new();
        for (index, alias) in aliases.iter().enumerate() {
            let name = alias.name().as_str().as_bytes();
            let is_prefix = alias.kind() == MatchKind::Prefix;
            table.insert(name.into(), index << 1 | usize::from(is_prefix));
            if let (true, Some(&first)) = (is_prefix, name.first()) {
                prefix_lens.push((first, name.len()));
            }
        }
        prefix_lens.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        prefix_lens.dedup();
        let starts = (0..=256)
            .map(|b| prefix_lens.partition_point(|&(first, _)| usize::from(first) < b))
            .collect();
        let longest = aliases.iter().map(|a| a.name().as_str().len()).max();
        Hashed {
            aliases,
            table,
            longest: longest.unwrap_or(0),
            starts,
            lens: prefix_lens.into_iter().map(|(_, len)| len).collect(),
        }
    }

    fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    #[inline]
    fn find(&self, model: &[u8]) -> Option<usize> {
        if model.len() <= self.longest {
            if let Some(&slot) = self.table.get(model) {
                return Some(slot >> 1);
            }
        }
        let first = usize::from(*model.first()?);
        let (from, to) = (self.starts.get(first)?, self.starts.get(first + 1)?);
        self.lens
            .get(*from..*to)?
            .iter()
            .filter(|&&len| len < model.len())
            .find_map(|&len| {
                let slot = *self.table.get(model.get(..len)?)?;
                (slot & 1 == 1).then_some(slot >> 1)
            })
    }
}

strategy_api!(Hashed);
