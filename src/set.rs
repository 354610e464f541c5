//! [`AliasSet`]: a validated set of aliases, and resolution through the fastest strategy for
//! its size.
//!
//! Invariants of a built set: it holds at most `limits.max_aliases()` aliases, every name and
//! target is valid under its limits, names are unique across both kinds, and the user's order
//! is kept. A set is built whole or not at all: validation collects every problem and builds
//! nothing partial.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState as FoldState;

use crate::error::{Problem, RowError, SetError};
use crate::strategy::{self, Index, SCAN_MAX};
use crate::text::excerpt;
use crate::warning::{Warning, WarningKind};
use crate::{Alias, AliasName, AliasRef, Limits, ModelId, Resolution, Resolve, Row};

/// A validated set of aliases (one API key's), and the resolver for it.
///
/// Build it from any iterator of [`Row`]s: `(name, target)` pairs for exact aliases,
/// `(name, target, MatchKind)` triples, [`AliasRow`](crate::AliasRow)s or [`Alias`]es. Every
/// row is checked and every problem reported at once in a [`SetError`].
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Rule};
///
/// let set = AliasSet::new([
///     ("cross-model-basic", "deepseek/deepseek-chat", MatchKind::Exact),
///     ("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix),
/// ])?;
///
/// let r = set.resolve("claude-opus-4-9");
/// assert_eq!((r.model(), r.rule()), ("anthropic/claude-opus-4-8", Rule::Prefix));
///
/// let r = set.resolve("gpt-3.5-turbo");
/// assert_eq!((r.model(), r.rule()), ("gpt-3.5-turbo", Rule::Passthrough));
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// # Costs
/// - [`resolve`](AliasSet::resolve): no allocation, never panics; up to
///   [`SCAN_MAX`] aliases it scans a flat array ([`strategy::Scan`]), above that it probes a
///   hash table ([`strategy::Hashed`]), the faster for each size in the `resolve` benchmark.
///   Either way it reads at most the longest name's length of the model (plus a length check),
///   so a 1 MiB model costs what a 64-byte one does.
/// - Building: O(total bytes of the rows + n log n); two allocations an alias (its name and
///   target) plus the index.
/// - Memory: the aliases (two boxed strings and a tag each) plus the index; `clone` is cheap
///   for the aliases (shared through an `Arc`) and copies the index.
#[derive(Debug, Clone)]
pub struct AliasSet {
    aliases: Arc<[Alias]>,
    limits: Limits,
    engine: Engine,
}

/// The strategy the set resolves through, chosen by size at build time.
#[derive(Debug, Clone)]
enum Engine {
    Scan(strategy::Scan),
    Hashed(strategy::Hashed),
}

impl AliasSet {
    /// Validates `rows` against the default [`Limits`] (20 aliases, 64-byte names, 256-byte
    /// targets) and builds the set.
    pub fn new<R: Row>(rows: impl IntoIterator<Item = R>) -> Result<AliasSet, SetError> {
        AliasSet::with_limits(rows, Limits::DEFAULT)
    }

    /// Validates `rows` against `limits` and builds the set, or reports every problem.
    ///
    /// Problems, each tied to its row: an invalid name, an invalid target, a name already used
    /// by an earlier row (across both kinds), and, once, on the first row past the limit, too
    /// many rows. Rows past the limit are counted but neither kept nor checked, so whatever
    /// the input's length, at most `2 · max_aliases + 1` problems are reported.
    ///
    /// Cost: O(n) time in the rows' count plus the bytes of the first `max_aliases` rows (the
    /// duplicate check hashes each name once); memory O(max_aliases), never the input's size.
    pub fn with_limits<R: Row>(
        rows: impl IntoIterator<Item = R>,
        limits: Limits,
    ) -> Result<AliasSet, SetError> {
        let rows = rows.into_iter();
        let expected = rows.size_hint().0.min(limits.max_aliases());
        let mut aliases: Vec<Alias> = Vec::with_capacity(expected);
        // Rows kept for the duplicate check only: a valid name whose target is invalid.
        let mut names_only: Vec<(usize, AliasName)> = Vec::new();
        let mut problems: Vec<RowError> = Vec::new();
        let mut alias_rows: Vec<usize> = Vec::with_capacity(expected);
        let mut count = 0;
        let mut first_extra = None;
        for (index, row) in rows.enumerate() {
            count += 1;
            let (name, target) = (row.name(), row.target());
            // Past the limit a row is only counted: the fix for it is to remove rows, and
            // keeping or checking it would make memory grow with the input, not the limit.
            if index >= limits.max_aliases() {
                if index == limits.max_aliases() {
                    first_extra = Some(excerpt(name));
                }
                continue;
            }
            let mut report = |problem: Problem| {
                problems.push(RowError::new(index, excerpt(name), problem));
            };
            let name = AliasName::with_limits(name, limits).map_err(|e| report(e.into()));
            let target = ModelId::with_limits(target, limits).map_err(|e| report(e.into()));
            match (name, target) {
                (Ok(name), Ok(target)) => {
                    aliases.push(Alias::new(name, target, row.kind()));
                    alias_rows.push(index);
                }
                (Ok(name), Err(())) => names_only.push((index, name)),
                (Err(()), _) => {}
            }
        }
        if let Some(name) = first_extra {
            let max = limits.max_aliases();
            problems.push(RowError::new(max, name, Problem::TooMany { count, max }));
        }
        let mut by_row: Vec<(&str, usize)> = aliases
            .iter()
            .zip(&alias_rows)
            .map(|(a, &index)| (a.name().as_str(), index))
            .chain(names_only.iter().map(|(index, n)| (n.as_str(), *index)))
            .collect();
        by_row.sort_unstable_by_key(|&(_, index)| index);
        // A hash set rather than a sort of the names: building a 20-alias set is on the path
        // of every configuration change, and string compares dominated it.
        let mut first_row = HashMap::with_capacity_and_hasher(by_row.len(), FoldState::default());
        for (name, index) in by_row {
            if let Some(&first) = first_row.get(name) {
                let problem = Problem::DuplicateName { first };
                problems.push(RowError::new(index, excerpt(name), problem));
            } else {
                first_row.insert(name, index);
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(RowError::index);
            return Err(SetError::new(problems));
        }
        Ok(AliasSet::from_valid(aliases.into(), limits))
    }

    /// Builds the index over aliases that are already known to be valid under `limits`.
    fn from_valid(aliases: Arc<[Alias]>, limits: Limits) -> AliasSet {
        let engine = if aliases.len() <= SCAN_MAX {
            Engine::Scan(strategy::Scan::build(aliases.clone()))
        } else {
            Engine::Hashed(strategy::Hashed::build(aliases.clone()))
        };
        AliasSet {
            aliases,
            limits,
            engine,
        }
    }

    /// Resolves `model`: an exact alias with that name, else the longest prefix alias whose
    /// name starts `model`, else `model` itself. Byte-exact and case-sensitive; `model` is
    /// never trimmed or normalised.
    ///
    /// No allocation, no panic, whatever `model` is; see the type's docs for the cost.
    #[inline]
    pub fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        let index = self.find(model.as_bytes());
        let alias = index.and_then(|i| self.aliases.get(i));
        Resolution::new(model, alias.map(AliasRef::from))
    }

    #[inline]
    fn find(&self, model: &[u8]) -> Option<usize> {
        match &self.engine {
            Engine::Scan(scan) => scan.find(model),
            Engine::Hashed(hashed) => hashed.find(model),
        }
    }

    /// The alias named `name` (of either kind), if any. Same cost as [`resolve`](AliasSet::resolve).
    pub fn get(&self, name: &str) -> Option<&Alias> {
        let alias = self.aliases.get(self.find(name.as_bytes())?)?;
        (alias.name() == name).then_some(alias)
    }

    /// The aliases, in the user's order.
    pub fn iter(&self) -> std::slice::Iter<'_, Alias> {
        self.aliases.iter()
    }

    /// The aliases, in the user's order.
    pub fn as_slice(&self) -> &[Alias] {
        &self.aliases
    }

    /// The number of aliases.
    pub fn len(&self) -> usize {
        self.aliases.len()
    }

    /// Whether the set has no alias (every model passes through).
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }

    /// The limits the set was validated against.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Rows that are valid but likely mistakes, in row order (see [`WarningKind`]).
    ///
    /// Computed on each call: O(n) resolutions of the targets (each bounded as `resolve` is),
    /// the list and a copy of each warned alias.
    pub fn warnings(&self) -> Vec<Warning> {
        self.aliases
            .iter()
            .enumerate()
            .filter_map(|(index, alias)| {
                let target = alias.target().as_str();
                let kind = if alias.name() == target {
                    WarningKind::TargetIsOwnName
                } else {
                    let other = self.find(target.as_bytes())?;
                    let named = self.aliases.get(other)?;
                    if named.name() != target {
                        return None;
                    }
                    WarningKind::TargetIsAliasName { other }
                };
                Some(Warning::new(index, alias.clone(), kind))
            })
            .collect()
    }

    /// The aliases, shared with the strategies built from this set.
    pub(crate) fn shared(&self) -> Arc<[Alias]> {
        self.aliases.clone()
    }
}

impl Default for AliasSet {
    /// The empty set with the default limits: every model passes through.
    fn default() -> AliasSet {
        AliasSet::from_valid(Arc::new([]), Limits::DEFAULT)
    }
}

/// Two sets are equal when they hold the same aliases in the same order under the same limits.
impl PartialEq for AliasSet {
    fn eq(&self, other: &AliasSet) -> bool {
        self.aliases == other.aliases && self.limits == other.limits
    }
}

impl Eq for AliasSet {}

impl Resolve for AliasSet {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        AliasSet::resolve(self, model)
    }
}

impl<'a> IntoIterator for &'a AliasSet {
    type Item = &'a Alias;
    type IntoIter = std::slice::Iter<'a, Alias>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
