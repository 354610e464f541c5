//! [`Alias`], [`AliasRef`] and [`MatchKind`], and the [`Row`] trait through which sets are built.
//!
//! Invariants: an `Alias`'s parts are validated types, and an `AliasRef`'s parts were checked
//! the same way (it is only made from an `Alias` or from bytes checked as they are read); a
//! [`Row`] is raw input that [`AliasSet::new`](crate::AliasSet::new) validates as a whole.
//! What only makes sense within a set (unique names, no `*` on an exact alias's target) is
//! checked there.

use std::fmt;

use crate::{AliasName, ModelId, Presets};

/// How an alias name is matched against a requested model.
///
/// ```
/// use model_alias::{AliasSet, MatchKind};
///
/// let set = AliasSet::new([
///     ("gpt-4o", "openai/gpt-4o-2024-11-20", MatchKind::Exact),
///     ("claude", "anthropic/claude-sonnet-4-5", MatchKind::Prefix),
/// ])?;
/// assert_eq!(set.resolve("gpt-4o-mini").model(), "gpt-4o-mini", "exact: the name only");
/// assert_eq!(set.resolve("claude-3-haiku").model(), "anthropic/claude-sonnet-4-5");
/// assert_eq!(MatchKind::Prefix.to_string(), "prefix");
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum MatchKind {
    /// Only a request for exactly the name matches.
    #[default]
    Exact,
    /// A request for any model that starts with the name matches (the name itself included).
    Prefix,
}

impl MatchKind {
    /// `"exact"` or `"prefix"`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
        }
    }
}

impl fmt::Display for MatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated alias: a name, the real model it points at, and how the name matches.
///
/// ```
/// use model_alias::{Alias, MatchKind};
///
/// let alias = Alias::prefix("claude-opus".parse()?, "anthropic/claude-opus-4-8".parse()?);
/// assert_eq!(alias.kind(), MatchKind::Prefix);
/// assert!(alias.matches("claude-opus-4-9"));
/// assert!(!alias.matches("claude-sonnet-4"));
/// assert_eq!(alias.to_string(), "claude-opus -> anthropic/claude-opus-4-8 (prefix)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias {
    name: AliasName,
    target: ModelId,
    kind: MatchKind,
    hidden: bool,
    /// The presets' stored form (see `preset.rs`): empty for none.
    presets: Box<str>,
}

impl Alias {
    /// An alias of the given kind.
    pub fn new(name: AliasName, target: ModelId, kind: MatchKind) -> Alias {
        Alias {
            name,
            target,
            kind,
            hidden: false,
            presets: Box::default(),
        }
    }

    /// This alias, hidden or not: a hidden alias resolves like any other but is left out of
    /// the `/v1/models` listing (`openai::Catalog::listing`).
    ///
    /// ```
    /// use model_alias::Alias;
    ///
    /// let internal = Alias::exact("batch".parse()?, "deepseek/deepseek-chat".parse()?).with_hidden(true);
    /// assert!(internal.is_hidden());
    /// assert_eq!(internal.to_string(), "batch -> deepseek/deepseek-chat (exact, hidden)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_hidden(self, hidden: bool) -> Alias {
        Alias { hidden, ..self }
    }

    /// This alias with presets in their stored form, already validated.
    pub(crate) fn with_stored_presets(self, presets: Box<str>) -> Alias {
        Alias { presets, ..self }
    }

    /// An exact alias: only `name` itself matches.
    pub fn exact(name: AliasName, target: ModelId) -> Alias {
        Alias::new(name, target, MatchKind::Exact)
    }

    /// A prefix alias: every model starting with `name` matches.
    pub fn prefix(name: AliasName, target: ModelId) -> Alias {
        Alias::new(name, target, MatchKind::Prefix)
    }

    /// The name a client sends.
    pub fn name(&self) -> &AliasName {
        &self.name
    }

    /// The real model id it resolves to.
    pub fn target(&self) -> &ModelId {
        &self.target
    }

    /// How the name matches.
    pub fn kind(&self) -> MatchKind {
        self.kind
    }

    /// Whether it is left out of the `/v1/models` listing (see [`with_hidden`](Alias::with_hidden)).
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    /// The request members it sets, if any: see [`AliasRef::presets`].
    pub fn presets(&self) -> Option<Presets<'_>> {
        Presets::from_stored(&self.presets)
    }

    /// Whether it carries the rest of the model: see [`AliasRef::carries`].
    pub fn carries(&self) -> bool {
        AliasRef::from(self).carries()
    }

    /// Whether this alias alone would match `model` (byte-exact, case-sensitive). Which alias
    /// wins among several that match is the set's business: see [`AliasSet::resolve`](crate::AliasSet::resolve).
    ///
    /// Cost: O(name length), whatever the length of `model`.
    pub fn matches(&self, model: &str) -> bool {
        AliasRef::from(self).matches(model)
    }
}

/// `name -> target (kind)`, as a dashboard lists it: `claude-opus -> anthropic/claude-opus-4-8 (prefix)`.
impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        AliasRef::from(self).fmt(f)
    }
}

/// A borrowed view of an alias: what every resolver lists and what a
/// [`Resolution`](crate::Resolution) reports. Copy: two string slices and a tag.
///
/// It borrows from wherever the alias lives: an [`Alias`] in an [`AliasSet`](crate::AliasSet),
/// or the bytes of an [`AliasTable`](crate::AliasTable), which holds no `Alias` values. Its
/// parts were validated when that set or table was built or loaded.
///
/// ```
/// use model_alias::{AliasSet, MatchKind};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let alias = set.resolve("claude-opus-4-9").alias().expect("the prefix alias applies");
/// assert_eq!((alias.name(), alias.target(), alias.kind()),
///            ("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix));
/// assert_eq!(set.iter().next(), Some(alias));
/// let owned: model_alias::Alias = alias.to_alias();
/// assert_eq!(owned.to_string(), "claude-opus -> anthropic/claude-opus-4-8 (prefix)");
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AliasRef<'a> {
    name: &'a str,
    target: &'a str,
    kind: MatchKind,
    hidden: bool,
    /// The presets' stored form: empty for none.
    presets: &'a str,
}

/// Whether an alias of `kind` with `target` carries the rest of the model. On every
/// resolution's path, so it is a byte test, not a search.
#[inline]
fn carries(target: &str, kind: MatchKind) -> bool {
    kind == MatchKind::Prefix && target.as_bytes().last() == Some(&b'*')
}

/// Whether `target` would carry the rest of the model on an alias of `kind` that cannot: an
/// exact alias whose target ends in `*` (`Problem::CarryOnExact`). The one statement of the
/// rule, for validation, the JSON reader of a lone `Alias` and the table's verification.
pub(crate) fn carries_on_exact(target: &str, kind: MatchKind) -> bool {
    kind == MatchKind::Exact && target.ends_with('*')
}

impl<'a> AliasRef<'a> {
    /// A view of parts that the caller has already validated as a name and a target.
    pub(crate) fn from_valid(
        name: &'a str,
        target: &'a str,
        kind: MatchKind,
        hidden: bool,
        presets: &'a str,
    ) -> AliasRef<'a> {
        AliasRef {
            name,
            target,
            kind,
            hidden,
            presets,
        }
    }

    /// The name a client sends.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The real model id it resolves to, as written: for an alias that
    /// [`carries`](AliasRef::carries) the rest of the model, with its trailing `*`.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// How the name matches.
    pub fn kind(&self) -> MatchKind {
        self.kind
    }

    /// Whether it is left out of the `/v1/models` listing (see [`Alias::with_hidden`]).
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    /// The request members it sets, if any: `defaults` added to a request that lacks them,
    /// `overrides` replacing the request's own (`openai::rewrite_model` applies both).
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use model_alias::AliasSet;
    ///
    /// let set = AliasSet::from_json(r#"[{"name": "cheap-draft", "target": "deepseek/deepseek-chat",
    ///     "defaults": {"temperature": 1.2, "max_tokens": 512}}]"#).expect("valid");
    /// let alias = set.iter().next().expect("one alias");
    /// let presets = alias.presets().expect("it has presets");
    /// assert_eq!((presets.defaults(), presets.overrides()), (r#"{"temperature":1.2,"max_tokens":512}"#, "{}"));
    /// # }
    /// ```
    pub fn presets(&self) -> Option<Presets<'a>> {
        Presets::from_stored(self.presets)
    }

    /// The presets' stored form (empty for none), to copy or store as it is.
    pub(crate) fn stored_presets(&self) -> &'a str {
        self.presets
    }

    /// Whether it carries the rest of the model: a prefix alias whose target ends in `*`
    /// resolves to the target without the `*` followed by what the model has beyond the
    /// alias's name (`oai/` → `openai/*` sends `oai/gpt-4o` as `openai/gpt-4o`).
    ///
    /// ```
    /// use model_alias::{AliasSet, MatchKind};
    ///
    /// let set = AliasSet::new([("oai/", "openai/*", MatchKind::Prefix)])?;
    /// let r = set.resolve("oai/gpt-4o");
    /// assert!(r.alias().is_some_and(|a| a.carries()));
    /// assert_eq!(r.model(), "openai/gpt-4o");
    /// assert_eq!((r.model().head(), r.model().rest()), ("openai/", "gpt-4o"));
    /// # Ok::<(), model_alias::SetError>(())
    /// ```
    #[inline]
    pub fn carries(&self) -> bool {
        self.carried_stem().is_some()
    }

    /// For an alias that carries the rest, the text its target puts before the rest (the
    /// target without its `*`).
    #[inline]
    pub(crate) fn carried_stem(&self) -> Option<&'a str> {
        if carries(self.target, self.kind) {
            // The `*` is one ASCII byte: cutting it leaves a char boundary.
            self.target.get(..self.target.len() - 1)
        } else {
            None
        }
    }

    /// Whether this alias alone would match `model`: see [`Alias::matches`].
    pub fn matches(&self, model: &str) -> bool {
        match self.kind {
            MatchKind::Exact => self.name == model,
            MatchKind::Prefix => model.as_bytes().starts_with(self.name.as_bytes()),
        }
    }

    /// An owned copy (two allocations: the name and the target).
    pub fn to_alias(&self) -> Alias {
        Alias::new(
            AliasName::from_valid(self.name),
            ModelId::from_valid(self.target),
            self.kind,
        )
        .with_hidden(self.hidden)
        .with_stored_presets(self.presets.into())
    }
}

/// `name -> target (kind)`, with `, hidden` for a hidden alias and the presets after it:
/// `pro -> deepseek/deepseek-reasoner (exact) defaults {"reasoning_effort":"high"}`.
impl fmt::Display for AliasRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {} ({}", self.name, self.target, self.kind)?;
        f.write_str(if self.hidden { ", hidden)" } else { ")" })?;
        match self.presets() {
            Some(presets) => write!(f, " {presets}"),
            None => Ok(()),
        }
    }
}

impl<'a> From<&'a Alias> for AliasRef<'a> {
    #[inline]
    fn from(alias: &'a Alias) -> AliasRef<'a> {
        AliasRef {
            name: alias.name.as_str(),
            target: alias.target.as_str(),
            kind: alias.kind,
            hidden: alias.hidden,
            presets: &alias.presets,
        }
    }
}

impl PartialEq<Alias> for AliasRef<'_> {
    fn eq(&self, other: &Alias) -> bool {
        *self == AliasRef::from(other)
    }
}

impl PartialEq<AliasRef<'_>> for Alias {
    fn eq(&self, other: &AliasRef<'_>) -> bool {
        AliasRef::from(self) == *other
    }
}

impl Row for AliasRef<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn target(&self) -> &str {
        self.target
    }
    fn kind(&self) -> MatchKind {
        self.kind
    }
    fn hidden(&self) -> bool {
        self.hidden
    }
    fn defaults(&self) -> Option<&str> {
        self.presets().map(|p| p.defaults())
    }
    fn overrides(&self) -> Option<&str> {
        self.presets().map(|p| p.overrides())
    }
    fn valid_bytes(&self, _: Token) -> bool {
        true
    }
}

/// Anything that can be read as one row of a set: a name, a target and a kind, not yet
/// validated. [`AliasSet::new`](crate::AliasSet::new) takes any iterator of rows.
///
/// Implemented for [`Alias`], [`AliasRef`] (so a set or a table key's aliases can be rebuilt),
/// `(name, target)` pairs (exact aliases) and `(name, target, MatchKind)` triples of anything
/// that is `AsRef<str>`. Implement it for your own row type to validate it without a copy.
///
/// ```
/// use model_alias::{AliasSet, MatchKind};
///
/// let from_db: Vec<(String, String, bool)> = vec![
///     ("claude-opus".into(), "anthropic/claude-opus-4-8".into(), true),
/// ];
/// let set = AliasSet::new(from_db.iter().map(|(name, target, is_prefix)| {
///     let kind = if *is_prefix { MatchKind::Prefix } else { MatchKind::Exact };
///     (name, target, kind)
/// }))?;
/// assert_eq!(set.resolve("claude-opus-4-9").model(), "anthropic/claude-opus-4-8");
/// # Ok::<(), model_alias::SetError>(())
/// ```
pub trait Row {
    /// The alias name as given.
    fn name(&self) -> &str;
    /// The target model id as given.
    fn target(&self) -> &str;
    /// How the name matches.
    fn kind(&self) -> MatchKind;

    /// Whether the alias is hidden from the `/v1/models` listing (default: no; tuples cannot
    /// say yes, an [`Alias`] or a row type of your own can).
    fn hidden(&self) -> bool {
        false
    }

    /// The JSON text of the row's `defaults` object, as given: request members added when a
    /// request lacks them (default: none). See [`Presets`].
    fn defaults(&self) -> Option<&str> {
        None
    }

    /// The JSON text of the row's `overrides` object, as given: request members that replace
    /// the request's own (default: none). See [`Presets`].
    fn overrides(&self) -> Option<&str> {
        None
    }

    /// Whether the name and target are already known to be made of valid bytes (they come
    /// from an [`Alias`] or an [`AliasRef`]), so that validation checks only their lengths
    /// and uniqueness: a set rebuilt from another, or put into a table, is not checked byte by
    /// byte again. Only this crate's types can say yes: the argument cannot be named outside.
    #[doc(hidden)]
    fn valid_bytes(&self, _: sealed::Token) -> bool {
        false
    }
}

/// What lets only this crate's rows claim [`Row::valid_bytes`].
mod sealed {
    /// Unnameable outside the crate, so no other implementation can override the method.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(crate) ());
}

pub(crate) use sealed::Token;

impl Row for Alias {
    fn name(&self) -> &str {
        self.name.as_str()
    }
    fn target(&self) -> &str {
        self.target.as_str()
    }
    fn kind(&self) -> MatchKind {
        self.kind
    }
    fn hidden(&self) -> bool {
        self.hidden
    }
    fn defaults(&self) -> Option<&str> {
        self.presets().map(|p| p.defaults())
    }
    fn overrides(&self) -> Option<&str> {
        self.presets().map(|p| p.overrides())
    }
    fn valid_bytes(&self, _: Token) -> bool {
        true
    }
}

impl<R: Row + ?Sized> Row for &R {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn target(&self) -> &str {
        (**self).target()
    }
    fn kind(&self) -> MatchKind {
        (**self).kind()
    }
    fn hidden(&self) -> bool {
        (**self).hidden()
    }
    fn defaults(&self) -> Option<&str> {
        (**self).defaults()
    }
    fn overrides(&self) -> Option<&str> {
        (**self).overrides()
    }
    fn valid_bytes(&self, token: Token) -> bool {
        (**self).valid_bytes(token)
    }
}

impl<N: AsRef<str>, T: AsRef<str>> Row for (N, T) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn target(&self) -> &str {
        self.1.as_ref()
    }
    fn kind(&self) -> MatchKind {
        MatchKind::Exact
    }
}

impl<N: AsRef<str>, T: AsRef<str>> Row for (N, T, MatchKind) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn target(&self) -> &str {
        self.1.as_ref()
    }
    fn kind(&self) -> MatchKind {
        self.2
    }
}
