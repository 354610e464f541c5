//! [`Fst`]: one finite state transducer over every name, from the `fst` crate, walked byte by
//! byte along the model.
//!
//! Invariant: the FST maps each name to `index << 1 | is_prefix`; names are unique, so the map
//! is well defined, and non-empty, so the root is never final.

use fst::raw::Output;

use super::Index;
use crate::{Alias, MatchKind};

/// The most compact strategy: a minimal acyclic transducer that shares both the prefixes and
/// the suffixes of the names.
///
/// Lookup walks the FST along the model (`find_input`, `transition`), summing outputs, and
/// remembers the last final state of a prefix alias it passed; it stops at the first byte with
/// no transition or at the end of the model, where a final state (exact or prefix) wins.
///
/// - Lookup: at most L + 1 transitions (L: the longest name), no allocation.
/// - Build: O(n log n) for the sort, then linear in the name bytes.
/// - Memory: the least of all strategies beyond the aliases themselves, for sets of 1,000 and
///   more with a shared vocabulary (BENCHMARKS.md has the measured bytes an alias).
///
#[derive(Clone)]
pub(crate) struct Fst {
    fst: fst::raw::Fst<Vec<u8>>,
}

impl Index for Fst {
    fn build(aliases: &[Alias]) -> Fst {
        let mut keys: Vec<(&[u8], u64)> = aliases
            .iter()
            .enumerate()
            .map(|(index, a)| {
                let is_prefix = u64::from(a.kind() == MatchKind::Prefix);
                (
                    a.name().as_str().as_bytes(),
                    (index as u64) << 1 | is_prefix,
                )
            })
            .collect();
        keys.sort_unstable();
        // Unreachable failures: keys are sorted, unique (validated) and written to memory.
        #[allow(clippy::expect_used)]
        let map = fst::Map::from_iter(keys)
            .expect("validated names are unique and sorted before insertion");
        // The builder's buffer keeps its growth slack; give it back, it is most of a small FST.
        let mut bytes = map.into_fst().into_inner();
        bytes.shrink_to_fit();
        #[allow(clippy::expect_used)]
        let fst = fst::raw::Fst::new(bytes).expect("bytes just written by the builder are an FST");
        Fst { fst }
    }

    #[inline]
    fn find(&self, _: &[Alias], model: &[u8]) -> Option<usize> {
        let to_index = |out: Output| usize::try_from(out.value() >> 1).ok();
        let mut node = self.fst.root();
        let mut out = Output::zero();
        let mut best = None;
        for &b in model {
            // `node` spells a proper prefix of the model here.
            if node.is_final() {
                let value = out.cat(node.final_output());
                if value.value() & 1 == 1 {
                    best = to_index(value);
                }
            }
            let Some(i) = node.find_input(b) else {
                return best;
            };
            let t = node.transition(i);
            out = out.cat(t.out);
            node = self.fst.node(t.addr);
        }
        // `node` spells the whole model: a name equal to it wins, whatever its kind.
        if node.is_final() {
            return to_index(out.cat(node.final_output()));
        }
        best
    }
}

impl std::fmt::Debug for Fst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fst")
            .field("bytes", &self.fst.size())
            .finish()
    }
}
