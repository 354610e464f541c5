//! Resolution strategies: interchangeable index structures over one validated
//! [`AliasSet`], each implementing [`Resolve`] with the same answers.
//!
//! | strategy | lookup | build | memory | best for |
//! |---|---|---|---|---|
//! | [`Reference`] | O(n · L) | O(1) | none beyond the aliases | checking the others |
//! | [`Scan`] | O(b) word compares | O(n log n) | 48 bytes an alias | small sets (the default up to [`SCAN_MAX`]) |
//! | [`Hashed`] | 1 + L/8 hash probes | O(n log n) | 80 to 100 bytes an alias | large sets (the default above [`SCAN_MAX`]) |
//! | [`Trie`] | O(L) edge searches | O(n · L) | about 350 bytes an alias | reading the algorithm |
//! | [`Fst`] | O(L) FST transitions | O(n log n) | about 15 bytes an alias | very large sets, little memory |
//!
//! `n` is the number of aliases, `L` the longest alias name (64 bytes by default), `b` the
//! number of names sharing the model's first byte. Memory is beyond the aliases themselves
//! (which every strategy shares with its set), as measured by `cargo bench --bench memory`. No strategy reads
//! more of the requested model than `L + 1` bytes beyond a length check, so a 1 MiB model costs
//! what a 64-byte one does, and none allocates while resolving.
//!
//! Every strategy is built from an `&AliasSet`, so validation is done once and shared; the
//! aliases themselves are shared too (an `Arc`), so a strategy only adds its index.
//!
//! The semantics every strategy implements, and [`Reference`] spells out:
//! 1. an exact alias whose name equals the model, byte for byte;
//! 2. else the longest prefix alias whose name is a prefix of the model (a name is a prefix of
//!    itself);
//! 3. else passthrough.
//!
//! Since names are unique, at most one alias has a name equal to the model, and it wins whatever
//! its kind: an exact alias by rule 1, a prefix alias by rule 2 (no prefix is longer than the
//! model itself). The fast strategies rely on this: they look for the longest name that
//! matches, and accept an exact alias only at the model's full length.

use std::sync::Arc;

use crate::{Alias, MatchKind};
#[cfg(doc)]
use crate::{AliasSet, Resolve};

mod fst;
mod hashed;
mod scan;
mod trie;
mod words;

pub use self::fst::Fst;
pub use self::hashed::Hashed;
pub use self::scan::{SCAN_MAX, Scan};
pub use self::trie::Trie;

/// What each strategy provides; [`Resolve`] and the constructors are derived from it.
pub(crate) trait Index {
    /// Indexes `aliases`, which come from a validated set (unique, valid names).
    fn build(aliases: Arc<[Alias]>) -> Self;
    /// The aliases that `find` indexes into.
    fn aliases(&self) -> &[Alias];
    /// The position in `aliases()` of the alias that wins for `model`, if any.
    fn find(&self, model: &[u8]) -> Option<usize>;
}

/// Gives a strategy its public constructor and its [`Resolve`] implementation.
macro_rules! strategy_api {
    ($ty:ident) => {
        impl $ty {
            /// Builds the index over a validated set (the aliases are shared, not copied).
            pub fn new(set: &$crate::AliasSet) -> $ty {
                <$ty as $crate::strategy::Index>::build(set.shared())
            }

            /// The aliases this index resolves to, in the set's order.
            pub fn aliases(&self) -> &[$crate::Alias] {
                <$ty as $crate::strategy::Index>::aliases(self)
            }
        }

        impl From<&$crate::AliasSet> for $ty {
            fn from(set: &$crate::AliasSet) -> $ty {
                $ty::new(set)
            }
        }

        impl $crate::Resolve for $ty {
            fn resolve<'a>(&'a self, model: &'a str) -> $crate::Resolution<'a> {
                let hit = self.find(model.as_bytes());
                $crate::Resolution::new(
                    model,
                    hit.and_then(|i| <$ty as $crate::strategy::Index>::aliases(self).get(i))
                        .map($crate::AliasRef::from),
                )
            }
        }
    };
}
pub(crate) use strategy_api;

/// The naive, obviously correct resolver: the rules, read straight off the spec.
///
/// Lookup scans every alias twice (exact, then prefix): O(n · L). Build is free. It exists to
/// check the others against, and as executable documentation of the semantics.
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Resolve, strategy::Reference};
///
/// let set = AliasSet::new([
///     ("claude", "anthropic/claude-sonnet-4", MatchKind::Prefix),
///     ("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix),
/// ])?;
/// let reference = Reference::new(&set);
/// assert_eq!(reference.resolve("claude-opus-4-9").model(), "anthropic/claude-opus-4-8");
/// assert_eq!(reference.resolve("claude-3-haiku").model(), "anthropic/claude-sonnet-4");
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reference {
    aliases: Arc<[Alias]>,
}

impl Index for Reference {
    fn build(aliases: Arc<[Alias]>) -> Reference {
        Reference { aliases }
    }

    fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    fn find(&self, model: &[u8]) -> Option<usize> {
        fn name(a: &Alias) -> &[u8] {
            a.name().as_str().as_bytes()
        }
        let exact = self
            .aliases
            .iter()
            .position(|a| a.kind() == MatchKind::Exact && name(a) == model);
        exact.or_else(|| {
            self.aliases
                .iter()
                .enumerate()
                .filter(|(_, a)| a.kind() == MatchKind::Prefix && model.starts_with(name(a)))
                .max_by_key(|(_, a)| name(a).len())
                .map(|(i, _)| i)
        })
    }
}

strategy_api!(Reference);
