//! The engines an [`AliasSet`](crate::AliasSet) resolves through: interchangeable indexes over
//! one validated list of aliases, each giving the same answers.
//!
//! [`Engine`]'s docs say what each costs and when to pick it.
//!
//! Invariants every index keeps:
//! 1. It is built from aliases that passed validation: names unique and valid.
//! 2. It holds positions into that list, never copies of the aliases; [`Index::find`] is given
//!    the same list back.
//! 3. It reads at most `L + 1` bytes of the model beyond a length check, so a 1 MiB model costs
//!    what a 64-byte one does, and it allocates nothing while finding.
//! 4. It answers by the rules, which [`Reference`] spells out:
//!    an exact alias whose name equals the model, byte for byte; else the longest prefix alias
//!    whose name is a prefix of the model (a name is a prefix of itself); else nothing.
//!
//! Since names are unique, at most one alias has a name equal to the model, and it wins whatever
//! its kind: an exact alias by the first rule, a prefix alias by the second (no prefix is longer
//! than the model itself). The fast indexes rely on this: they look for the longest name that
//! matches, and accept an exact alias only at the model's full length.

use crate::{Alias, MatchKind, fold};

mod fst;
mod hashed;
mod scan;
mod trie;
mod words;

pub(crate) use self::fst::Fst;
pub(crate) use self::hashed::Hashed;
pub(crate) use self::scan::{SCAN_MAX, Scan};
pub(crate) use self::trie::Trie;

/// Which index an [`AliasSet`](crate::AliasSet) resolves through.
///
/// [`AliasSet::new`](crate::AliasSet::new) picks `Scan` up to 32 aliases and `Hashed` above,
/// the faster for each size in the `crossover` benchmark;
/// [`AliasSet::engine`](crate::AliasSet::engine) says which it picked, and
/// [`AliasSetBuilder::engine`](crate::AliasSetBuilder::engine) forces one, for benchmarking or
/// to trade speed for memory. Every engine gives the same answers (the conformance and
/// differential tests run them all).
///
/// ```
/// use model_alias::{AliasSet, Engine};
///
/// let rows = [("fast", "deepseek/deepseek-chat"), ("pro", "anthropic/claude-opus-4-8")];
/// assert_eq!(AliasSet::new(rows)?.engine(), Engine::Scan);
///
/// let compact = AliasSet::builder().engine(Engine::Fst).build(rows)?;
/// assert_eq!(compact.engine(), Engine::Fst);
/// assert_eq!(compact.resolve("pro").model(), "anthropic/claude-opus-4-8");
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// | engine | lookup | build | memory beyond the aliases | pick it for |
/// |---|---|---|---|---|
/// | `Reference` | O(n · L) | none | none | checking the others |
/// | `Scan` | O(b) word compares | O(n log n) | the names packed as words | small sets: the automatic choice up to 32 aliases |
/// | `Hashed` | 1 + L/8 hash probes | O(n log n) | hash tables of the names and their leading words | large sets: the automatic choice above 32 |
/// | `Trie` | O(L) edge searches | O(n · L) | a node per name byte, the most | reading the algorithm |
/// | `Fst` | O(L) FST transitions | O(n log n) | shared prefixes and suffixes, the least | very large sets in little memory |
///
/// `n` is the number of aliases, `L` the longest alias name (64 bytes by default), `b` the
/// number of names sharing the model's first byte. Measured bytes an alias and lookup times
/// from 20 to 100,000 aliases are in the repository's BENCHMARKS.md (`cargo bench -p
/// model-alias-benches --bench memory`, `--bench resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// The rules read straight off the spec: every alias tested, twice. For checking the
    /// others, and as executable documentation of the semantics.
    Reference,
    /// Names packed as 8-byte words, bucketed by first byte, scanned longest first. The
    /// fastest for small sets.
    Scan,
    /// A hash table for the exact question, and hashes of the model's leading 8-byte words
    /// for the prefix question. The fastest for large sets.
    Hashed,
    /// A byte trie in flat arrays, walked once along the model.
    Trie,
    /// A finite state transducer (the `fst` crate) sharing the names' prefixes and suffixes:
    /// the least memory.
    Fst,
}

impl Engine {
    /// The engine [`AliasSet::new`](crate::AliasSet::new) picks for `n` aliases.
    pub(crate) fn for_size(n: usize) -> Engine {
        if n <= SCAN_MAX {
            Engine::Scan
        } else {
            Engine::Hashed
        }
    }
}

/// What every index provides over a validated list of aliases.
pub(crate) trait Index {
    /// Indexes `aliases`, which passed validation (unique, valid names).
    fn build(aliases: &[Alias]) -> Self;
    /// The position in `aliases` (the list it was built from) of the alias that wins for
    /// `model`, if any.
    fn find(&self, aliases: &[Alias], model: &[u8]) -> Option<usize>;

    /// [`find`](Index::find) with `model`'s ASCII folded, `longest` being the longest name.
    ///
    /// [`AliasSet::resolve`](crate::AliasSet::resolve) calls it only for a model that may hold
    /// an uppercase letter where matching reads (any other resolves folded as it is), but it
    /// answers right for any model. By default, the part of the model that matching reads is
    /// folded into a buffer on the stack and found as it is (`fold.rs`); a set with a name too
    /// long for the window compares folded bytes alias by alias. An engine that reads the model
    /// a word at a time may fold those words instead, and override this (`Scan` does: it is
    /// called for every model). For `Hashed`, folding its words as it hashes and compares them
    /// was measured slower on uppercase models than this copy (BENCHMARKS.md).
    #[inline]
    fn find_folded(&self, aliases: &[Alias], model: &[u8], longest: usize) -> Option<usize> {
        let Some(part) = fold::part(model, longest) else {
            return Reference::find_by(aliases, model, <[u8]>::eq_ignore_ascii_case);
        };
        let mut buf = [0u8; fold::WINDOW];
        self.find(aliases, fold::fold_into(part, &mut buf))
    }
}

/// The naive, obviously correct resolver: the rules, read straight off the spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reference;

impl Index for Reference {
    fn build(_: &[Alias]) -> Reference {
        Reference
    }

    fn find(&self, aliases: &[Alias], model: &[u8]) -> Option<usize> {
        Reference::find_by(aliases, model, |part, name| part == name)
    }
}

impl Reference {
    /// The rules, with `same(part, name)` deciding whether a part of the model as long as a
    /// name is that name: byte equality, or equality once ASCII is folded.
    pub(crate) fn find_by(
        aliases: &[Alias],
        model: &[u8],
        same: impl Fn(&[u8], &[u8]) -> bool,
    ) -> Option<usize> {
        fn name(a: &Alias) -> &[u8] {
            a.name().as_str().as_bytes()
        }
        let exact = aliases.iter().position(|a| {
            a.kind() == MatchKind::Exact && name(a).len() == model.len() && same(model, name(a))
        });
        exact.or_else(|| {
            aliases
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    a.kind() == MatchKind::Prefix
                        && model
                            .get(..name(a).len())
                            .is_some_and(|part| same(part, name(a)))
                })
                .max_by_key(|(_, a)| name(a).len())
                .map(|(i, _)| i)
        })
    }
}
