//! [`AliasSet`]: one API key's validated aliases and the index it resolves them through, and
//! its [`AliasSetBuilder`].
//!
//! Invariants of a built set:
//! 1. its aliases are the output of validation (see `validate.rs`): at most
//!    `limits.max_aliases()`, valid under the limits, names unique, in the user's order;
//! 2. its index was built over exactly those aliases and is never rebuilt;
//! 3. it is immutable: a change is a new set, built whole or not at all;
//! 4. `longest` is the length of its longest name, and with `ignore_case` every model is
//!    matched folded: by `Scan` folding each word it compares that differs; by the other
//!    engines as it is when its first `longest` bytes hold no uppercase letter (names are
//!    lowercase, so folding would change nothing), else through a folded window of the model
//!    (`fold.rs`), or, for a set with a name too long for the window, by the reference rules
//!    over folded bytes.

use std::sync::Arc;

use crate::error::SetError;
use crate::preset;
use crate::strategy::{self, Engine, Index};
use crate::validate::validate;
use crate::warning::{Warning, WarningKind, looks_like_template};
use crate::{Alias, AliasRef, Limits, Resolution, Resolve, Row, fold};

/// One API key's aliases, validated, and the resolver for them.
///
/// Build it from any iterator of [`Row`]s: `(name, target)` pairs for exact aliases,
/// `(name, target, MatchKind)` triples, or [`Alias`]es; or read it from JSON with
/// [`from_json`](AliasSet::from_json). Every row is checked and every problem reported at
/// once in a [`SetError`]; nothing partial is built.
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
/// assert_eq!(r.model(), "anthropic/claude-opus-4-8");
/// assert_eq!(r.rule(), Rule::Prefix);
///
/// let r = set.resolve("gpt-3.5-turbo");
/// assert_eq!(r.model(), "gpt-3.5-turbo");
/// assert_eq!(r.rule(), Rule::Passthrough);
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// # Costs
/// - [`resolve`](AliasSet::resolve): no allocation, never panics. Up to 32 aliases it scans a
///   flat array of names packed as words ([`Engine::Scan`]), above that it probes a hash table
///   ([`Engine::Hashed`]): the faster for each size in the `resolve` benchmark (BENCHMARKS.md
///   has the times). Either way it reads at most the longest name's length of the model
///   (plus a length check), so a 1 MiB model costs what a 64-byte one does. With
///   [`ignore_case`](AliasSetBuilder::ignore_case), a small set folds the words it compares,
///   and a large one checks the bytes it reads for uppercase letters (one AND a word) and
///   folds only if they may hold one (BENCHMARKS.md, "ASCII case folding").
/// - Building: O(total bytes of the rows + n log n); two allocations an alias (its name and
///   target) plus the index.
/// - Memory: the aliases (two boxed strings and a tag each) plus the index (48 bytes an alias
///   for `Scan`; see [`Engine`] for the others). `clone` shares the aliases (an `Arc`) and
///   copies the index.
#[derive(Debug, Clone)]
pub struct AliasSet {
    aliases: Arc<[Alias]>,
    limits: Limits,
    index: AnyIndex,
    ignore_case: bool,
    longest: usize,
}

/// The index of a set, one variant an [`Engine`].
#[derive(Debug, Clone)]
enum AnyIndex {
    Reference(strategy::Reference),
    Scan(strategy::Scan),
    Hashed(strategy::Hashed),
    Trie(strategy::Trie),
    Fst(strategy::Fst),
}

impl AnyIndex {
    fn build(engine: Engine, aliases: &[Alias]) -> AnyIndex {
        match engine {
            Engine::Reference => AnyIndex::Reference(Index::build(aliases)),
            Engine::Scan => AnyIndex::Scan(Index::build(aliases)),
            Engine::Hashed => AnyIndex::Hashed(Index::build(aliases)),
            Engine::Trie => AnyIndex::Trie(Index::build(aliases)),
            Engine::Fst => AnyIndex::Fst(Index::build(aliases)),
        }
    }

    fn engine(&self) -> Engine {
        match self {
            AnyIndex::Reference(_) => Engine::Reference,
            AnyIndex::Scan(_) => Engine::Scan,
            AnyIndex::Hashed(_) => Engine::Hashed,
            AnyIndex::Trie(_) => Engine::Trie,
            AnyIndex::Fst(_) => Engine::Fst,
        }
    }

    // Always inlined: the dispatch is a jump table, and a call around it costs the small
    // sets a third of their time.
    #[inline(always)]
    fn find(&self, aliases: &[Alias], model: &[u8]) -> Option<usize> {
        match self {
            AnyIndex::Scan(i) => i.find(aliases, model),
            AnyIndex::Hashed(i) => i.find(aliases, model),
            AnyIndex::Reference(i) => i.find(aliases, model),
            AnyIndex::Trie(i) => i.find(aliases, model),
            AnyIndex::Fst(i) => i.find(aliases, model),
        }
    }

    fn find_folded(&self, aliases: &[Alias], model: &[u8], longest: usize) -> Option<usize> {
        match self {
            AnyIndex::Scan(i) => i.find_folded(aliases, model, longest),
            AnyIndex::Hashed(i) => i.find_folded(aliases, model, longest),
            AnyIndex::Reference(i) => i.find_folded(aliases, model, longest),
            AnyIndex::Trie(i) => i.find_folded(aliases, model, longest),
            AnyIndex::Fst(i) => i.find_folded(aliases, model, longest),
        }
    }
}

impl AliasSet {
    /// Validates `rows` against the default [`Limits`] (20 aliases, 64-byte names, 256-byte
    /// targets) and builds the set, or reports every problem.
    ///
    /// Problems, each tied to its row: an invalid name, an invalid target, a name already used
    /// by an earlier row (across both kinds), and, once, on the first row past the limit, too
    /// many rows. Rows past the limit are counted but neither kept nor checked, so memory is
    /// bounded by the limit whatever the input's length.
    pub fn new<R: Row>(rows: impl IntoIterator<Item = R>) -> Result<AliasSet, SetError> {
        AliasSet::builder().build(rows)
    }

    /// [`new`](AliasSet::new) with other limits: shorthand for
    /// `AliasSet::builder().limits(limits).build(rows)`.
    ///
    /// ```
    /// use model_alias::{AliasSet, Limits};
    ///
    /// let rows: Vec<(String, &str)> = (0..500).map(|i| (format!("team-{i}"), "openai/gpt-4o")).collect();
    /// assert!(AliasSet::new(&rows).is_err());
    /// let set = AliasSet::with_limits(&rows, Limits::default().with_max_aliases(1_000))?;
    /// assert_eq!(set.len(), 500);
    /// # Ok::<(), model_alias::SetError>(())
    /// ```
    pub fn with_limits<R: Row>(
        rows: impl IntoIterator<Item = R>,
        limits: Limits,
    ) -> Result<AliasSet, SetError> {
        AliasSet::builder().limits(limits).build(rows)
    }

    /// A builder, to set the limits and to force an [`Engine`].
    pub fn builder() -> AliasSetBuilder {
        AliasSetBuilder::default()
    }

    /// Resolves `model`: an exact alias with that name, else the longest prefix alias whose
    /// name starts `model`, else `model` itself. Byte-exact and case-sensitive, unless the
    /// set was built with [`ignore_case`](AliasSetBuilder::ignore_case); `model` is never
    /// trimmed or normalised, and a passthrough returns it as it is.
    ///
    /// No allocation, no panic, whatever `model` is; see the type's docs for the cost.
    #[inline(always)]
    pub fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        let found = match (self.ignore_case, &self.index) {
            // Small sets fold as they compare, inlined like the case-sensitive path: a call
            // would cost them a third of their time.
            (true, AnyIndex::Scan(scan)) => {
                scan.find_folded(&self.aliases, model.as_bytes(), self.longest)
            }
            // Names are lowercase, so a model without an uppercase letter in the part that
            // matching reads resolves folded as it is, by the case-sensitive path: only one
            // that may hold one takes the folding path, out of line.
            (true, _) if fold::may_matter(model.as_bytes(), self.longest) => {
                self.find_folded(model.as_bytes())
            }
            (_, index) => index.find(&self.aliases, model.as_bytes()),
        };
        Resolution::new(
            model,
            found.and_then(|i| self.aliases.get(i)).map(AliasRef::from),
        )
    }

    /// The position of the alias that wins for `model` with its ASCII folded (see
    /// `Index::find_folded`). Out of line: only models that may hold an uppercase letter come
    /// here, and `resolve` stays small enough to be inlined where it is called.
    #[inline(never)]
    fn find_folded(&self, model: &[u8]) -> Option<usize> {
        self.index.find_folded(&self.aliases, model, self.longest)
    }

    #[inline]
    fn find(&self, model: &str) -> Option<&Alias> {
        let i = self.index.find(&self.aliases, model.as_bytes())?;
        self.aliases.get(i)
    }

    /// The alias named `name` (of either kind), if any. Same cost as [`resolve`](AliasSet::resolve).
    ///
    /// ```
    /// use model_alias::{AliasSet, MatchKind};
    ///
    /// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
    /// assert_eq!(set.get("claude-opus").map(|a| a.target()), Some("anthropic/claude-opus-4-8"));
    /// assert!(set.get("claude-opus-4-9").is_none(), "a name, not a model to resolve");
    /// # Ok::<(), model_alias::SetError>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<AliasRef<'_>> {
        self.find(name)
            .filter(|alias| alias.name() == name)
            .map(AliasRef::from)
    }

    /// The aliases, in the user's order.
    pub fn iter(&self) -> Iter<'_> {
        self.aliases.iter().map(AliasRef::from)
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

    /// The index the set resolves through: the one [`new`](AliasSet::new) picked for its
    /// size, or the one the builder forced.
    pub fn engine(&self) -> Engine {
        self.index.engine()
    }

    /// Whether models are matched with ASCII case folded (see
    /// [`AliasSetBuilder::ignore_case`]).
    pub fn ignores_case(&self) -> bool {
        self.ignore_case
    }

    /// Rows that are valid but likely mistakes, in row order (see [`WarningKind`]).
    ///
    /// Computed on each call: O(n) resolutions of the targets (each bounded as `resolve` is),
    /// the list and a copy of each warned alias.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (index, alias) in self.aliases.iter().enumerate() {
            if let Some(kind) = self.target_warning(alias) {
                warnings.push(Warning::new(index, alias.clone(), kind));
            }
            for (member, _, overrides) in alias.presets().iter().flat_map(|p| p.members()) {
                if let Some(known) = preset::near_miss(member) {
                    let kind = WarningKind::PresetNearMiss { known, overrides };
                    warnings.push(Warning::new(index, alias.clone(), kind));
                }
            }
        }
        warnings
    }

    /// What is likely wrong with `alias`'s target, if anything.
    fn target_warning(&self, alias: &Alias) -> Option<WarningKind> {
        let target = alias.target().as_str();
        if alias.name() == target {
            Some(WarningKind::TargetIsOwnName)
        } else if looks_like_template(target) {
            Some(WarningKind::TemplateSyntax)
        } else {
            let other = self.index.find(&self.aliases, target.as_bytes())?;
            let named = self.aliases.get(other)?;
            (named.name() == target).then_some(WarningKind::TargetIsAliasName { other })
        }
    }

    /// The aliases, for the serializer.
    #[cfg(feature = "serde")]
    pub(crate) fn as_slice(&self) -> &[Alias] {
        &self.aliases
    }
}

/// The aliases of an [`AliasSet`] in the user's order: what [`AliasSet::iter`] returns.
pub(crate) type Iter<'a> =
    std::iter::Map<std::slice::Iter<'a, Alias>, fn(&'a Alias) -> AliasRef<'a>>;

impl Default for AliasSet {
    /// The empty set with the default limits: every model passes through.
    fn default() -> AliasSet {
        AliasSet {
            aliases: Arc::new([]),
            limits: Limits::DEFAULT,
            index: AnyIndex::build(Engine::for_size(0), &[]),
            ignore_case: false,
            longest: 0,
        }
    }
}

/// Two sets are equal when they hold the same aliases in the same order under the same limits
/// and match case the same way, whatever their engines.
impl PartialEq for AliasSet {
    fn eq(&self, other: &AliasSet) -> bool {
        self.aliases == other.aliases
            && self.limits == other.limits
            && self.ignore_case == other.ignore_case
    }
}

impl Eq for AliasSet {}

impl Resolve for AliasSet {
    #[inline(always)]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        AliasSet::resolve(self, model)
    }
}

impl<'a> IntoIterator for &'a AliasSet {
    type Item = AliasRef<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Settings for building an [`AliasSet`]: the [`Limits`] to validate against and the
/// [`Engine`] to resolve through. Made by [`AliasSet::builder`].
///
/// ```
/// use model_alias::{AliasSet, Engine, Limits};
///
/// let set = AliasSet::builder()
///     .limits(Limits::default().with_max_aliases(100_000))
///     .engine(Engine::Fst)
///     .build([("fast", "deepseek/deepseek-chat")])?;
/// assert_eq!((set.engine(), set.limits().max_aliases()), (Engine::Fst, 100_000));
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AliasSetBuilder {
    limits: Limits,
    engine: Option<Engine>,
    ignore_case: bool,
}

impl AliasSetBuilder {
    /// The limits to validate against (default: [`Limits::default`], the spec's).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> AliasSetBuilder {
        self.limits = limits;
        self
    }

    /// The engine to resolve through, whatever the set's size (default: picked by size, see
    /// [`Engine`]).
    #[must_use]
    pub fn engine(mut self, engine: Engine) -> AliasSetBuilder {
        self.engine = Some(engine);
        self
    }

    /// Match models with ASCII case folded (default: no, byte-exact): a client's `GPT-4` or
    /// `Claude-Opus-4-9` then matches the alias `gpt-4` or `claude-opus`. Only `A-Z` fold;
    /// every other byte, non-ASCII included, compares as it is. Names stay lowercase-only, and
    /// a passthrough or a carried rest is the client's text as sent, never the folded one.
    ///
    /// ```
    /// use model_alias::{AliasSet, MatchKind};
    ///
    /// let rows = [("gpt-4", "Qwen/Qwen2.5-72B-Instruct", MatchKind::Exact), ("oai/", "openai/*", MatchKind::Prefix)];
    /// let set = AliasSet::builder().ignore_case(true).build(rows)?;
    /// assert_eq!(set.resolve("GPT-4").model(), "Qwen/Qwen2.5-72B-Instruct");
    /// assert_eq!(set.resolve("OAI/GPT-4o").model(), "openai/GPT-4o", "the rest as sent");
    /// assert_eq!(set.resolve("GPT-3.5").model(), "GPT-3.5", "passthrough as sent");
    /// assert_eq!(AliasSet::new(rows)?.resolve("GPT-4").model(), "GPT-4", "off by default");
    /// # Ok::<(), model_alias::SetError>(())
    /// ```
    ///
    /// Cost, with no allocation either way: a [`Engine::Scan`] set (up to 32 aliases) compares
    /// as usual, and folds only a word of the model that differs from a name's before it
    /// compares it again, so a lowercase model costs about what it does case-sensitively. The
    /// other engines first check the model's first `longest name` bytes (at most) for
    /// uppercase letters, a word at a time, with one AND a word; a model with none resolves as
    /// it would case-sensitively. One with some is resolved folded, out of line: those bytes
    /// are folded into a 128-byte buffer on the stack and resolved as usual, or, for a set
    /// with a name of 128 bytes or more (raised limits only), compared folded alias by alias,
    /// as [`Engine::Reference`] does. A few nanoseconds (BENCHMARKS.md).
    #[must_use]
    pub fn ignore_case(mut self, ignore_case: bool) -> AliasSetBuilder {
        self.ignore_case = ignore_case;
        self
    }

    /// Validates `rows` and builds the set with its index, or reports every problem (see
    /// [`AliasSet::new`]).
    pub fn build<R: Row>(&self, rows: impl IntoIterator<Item = R>) -> Result<AliasSet, SetError> {
        let aliases: Arc<[Alias]> = validate(rows, self.limits)?.into();
        let engine = self
            .engine
            .unwrap_or_else(|| Engine::for_size(aliases.len()));
        let longest = aliases.iter().map(|a| a.name().as_str().len()).max();
        Ok(AliasSet {
            index: AnyIndex::build(engine, &aliases),
            limits: self.limits,
            ignore_case: self.ignore_case,
            longest: longest.unwrap_or(0),
            aliases,
        })
    }
}
