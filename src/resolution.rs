//! [`Resolution`], [`Rule`] and the [`Resolve`] trait that every resolver implements.
//!
//! A `Resolution` only borrows: from the resolver (the alias and its target) and from the
//! requested model string (on passthrough, and for a carried rest). Producing one never
//! allocates; its [`ResolvedModel`] is two borrowed pieces, joined only when the caller asks
//! for one owned string.

use std::borrow::Cow;
use std::fmt;

use crate::{AliasRef, MatchKind};

/// Which rule of resolution decided the model.
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Rule};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// assert_eq!(set.resolve("claude-opus-4-9").rule(), Rule::Prefix);
/// assert_eq!(set.resolve("gpt-4o").rule(), Rule::Passthrough);
/// assert_eq!(Rule::Passthrough.to_string(), "passthrough");
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Rule {
    /// An exact alias's name equals the requested model.
    Exact,
    /// The longest prefix alias whose name is a prefix of the requested model.
    Prefix,
    /// No alias matched: the requested model is used unchanged.
    Passthrough,
}

impl Rule {
    /// `"exact"`, `"prefix"` or `"passthrough"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Prefix => "prefix",
            Rule::Passthrough => "passthrough",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of resolving one requested model: what to route and bill, and why.
///
/// ```
/// use model_alias::{AliasSet, MatchKind, Rule};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let r = set.resolve("claude-opus-4-9");
/// assert_eq!(r.model(), "anthropic/claude-opus-4-8");
/// assert_eq!(r.rule(), Rule::Prefix);
/// assert_eq!(r.alias().map(|a| a.name()), Some("claude-opus"));
/// assert_eq!(
///     r.to_string(),
///     r#"claude-opus-4-9 -> anthropic/claude-opus-4-8 (prefix alias "claude-opus")"#,
/// );
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resolution<'a> {
    requested: &'a str,
    alias: Option<AliasRef<'a>>,
}

impl<'a> Resolution<'a> {
    /// The resolution of `requested` to `alias`, or a passthrough when `alias` is `None`.
    ///
    /// For implementers of [`Resolve`]; `alias` must be the one the rules pick.
    pub fn new(requested: &'a str, alias: Option<AliasRef<'a>>) -> Resolution<'a> {
        Resolution { requested, alias }
    }

    /// The model to route and bill: the alias's target, or the requested model unchanged;
    /// for an alias that [carries](AliasRef::carries) the rest, the target's text before its
    /// `*` followed by the part of the requested model beyond the alias's name.
    ///
    /// Two borrowed pieces, compared and printed as one string: see [`ResolvedModel`].
    #[inline]
    pub fn model(&self) -> ResolvedModel<'a> {
        let Some(alias) = self.alias else {
            return ResolvedModel::one(self.requested);
        };
        match alias.carried_stem() {
            Some(head) => ResolvedModel {
                head,
                // A match means the model's first `name.len()` bytes are the name's (ASCII
                // case folded at most), all ASCII: the cut is a char boundary.
                rest: self.requested.get(alias.name().len()..).unwrap_or_default(),
            },
            None => ResolvedModel::one(alias.target()),
        }
    }

    /// The model as the client requested it.
    pub fn requested(&self) -> &'a str {
        self.requested
    }

    /// The alias that applied, if any.
    pub fn alias(&self) -> Option<AliasRef<'a>> {
        self.alias
    }

    /// Which rule decided.
    pub fn rule(&self) -> Rule {
        match self.alias.map(|a| a.kind()) {
            Some(MatchKind::Exact) => Rule::Exact,
            Some(MatchKind::Prefix) => Rule::Prefix,
            None => Rule::Passthrough,
        }
    }
}

/// A [`Resolution`] that owns what it borrowed: the requested model and the alias that
/// applied. For keeping a resolution past the request body and the aliases it was resolved
/// against: in a request's extensions for routing and billing downstream (the
/// [`middleware`](crate::middleware) puts one there), or until the response comes back, to
/// restore the client's model in it.
///
/// ```
/// use model_alias::{AliasSet, OwnedResolution, Rule};
///
/// let kept: OwnedResolution = {
///     let set = AliasSet::new([("fast", "deepseek/deepseek-chat")])?;
///     let model = String::from("fast");
///     set.resolve(&model).into()
/// };
/// let r = kept.resolution();
/// assert_eq!((r.requested(), r.rule()), ("fast", Rule::Exact));
/// assert_eq!(r.model(), "deepseek/deepseek-chat");
/// assert_eq!(kept.to_string(), r#"fast -> deepseek/deepseek-chat (exact alias "fast")"#);
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// Costs: made from a resolution, the requested model, the alias's name and its target copied
/// into one shared buffer (two allocations, one of them freed at once); cloning it, as axum's
/// `Extension` extractor does, only counts a reference; reading it back through
/// [`resolution`](Self::resolution) borrows and allocates nothing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnedResolution {
    /// The requested model, then the alias's name and target when one applied.
    text: std::sync::Arc<str>,
    /// Where the requested model ends in `text`.
    requested: usize,
    /// Where the alias's name and target end in `text` (its presets' stored form follows),
    /// its kind and whether it is hidden.
    alias: Option<(usize, usize, MatchKind, bool)>,
}

impl OwnedResolution {
    /// The resolution, borrowed from this one: everything [`Resolution`] says.
    pub fn resolution(&self) -> Resolution<'_> {
        // The offsets were taken from these very strings, on char boundaries: `get` cannot
        // miss (and would give a passthrough of an empty model rather than panic).
        let text = &*self.text;
        let requested = text.get(..self.requested).unwrap_or_default();
        let alias = self.alias.and_then(|(name_end, target_end, kind, hidden)| {
            let name = text.get(self.requested..name_end)?;
            let target = text.get(name_end..target_end)?;
            let presets = text.get(target_end..)?;
            Some(AliasRef::from_valid(name, target, kind, hidden, presets))
        });
        Resolution::new(requested, alias)
    }
}

impl From<Resolution<'_>> for OwnedResolution {
    fn from(resolution: Resolution<'_>) -> OwnedResolution {
        let requested = resolution.requested();
        let alias_len = resolution.alias().map_or(0, |a| {
            a.name().len() + a.target().len() + a.stored_presets().len()
        });
        let mut text = String::with_capacity(requested.len() + alias_len);
        text.push_str(requested);
        let alias = resolution.alias().map(|a| {
            text.push_str(a.name());
            let name_end = text.len();
            text.push_str(a.target());
            let target_end = text.len();
            text.push_str(a.stored_presets());
            (name_end, target_end, a.kind(), a.is_hidden())
        });
        OwnedResolution {
            text: text.into(),
            requested: requested.len(),
            alias,
        }
    }
}

impl From<&Resolution<'_>> for OwnedResolution {
    fn from(resolution: &Resolution<'_>) -> OwnedResolution {
        OwnedResolution::from(*resolution)
    }
}

/// As the [`Resolution`] it holds.
impl fmt::Debug for OwnedResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedResolution")
            .field(&self.resolution())
            .finish()
    }
}

/// As the [`Resolution`] it holds.
impl fmt::Display for OwnedResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.resolution().fmt(f)
    }
}

/// The model a [`Resolution`] routes to, as two borrowed pieces: [`head`](ResolvedModel::head)
/// then [`rest`](ResolvedModel::rest). The rest is empty unless the alias carries the rest of
/// the model (a prefix alias with a target such as `openai/*`), so that resolving never
/// allocates, even then.
///
/// It compares with strings and prints as the one string it stands for; ask for that string
/// with [`to_cow`](ResolvedModel::to_cow) (borrowed when there is one piece) or `to_string`.
///
/// ```
/// use model_alias::{AliasSet, MatchKind};
///
/// let set = AliasSet::new([
///     ("oai/", "openai/*", MatchKind::Prefix),
///     ("fast", "deepseek/deepseek-chat", MatchKind::Exact),
/// ])?;
/// let carried = set.resolve("oai/gpt-4o").model();
/// assert_eq!(carried, "openai/gpt-4o");
/// assert_eq!((carried.head(), carried.rest()), ("openai/", "gpt-4o"));
/// assert_eq!(carried.len(), 13);
/// assert_eq!(carried.to_string(), "openai/gpt-4o");
///
/// let plain = set.resolve("fast").model();
/// assert!(matches!(plain.to_cow(), std::borrow::Cow::Borrowed("deepseek/deepseek-chat")));
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// Costs: `Copy`, four words. Comparing and `Display` allocate nothing; `to_cow` allocates
/// only for a carried rest (one string of the exact length).
#[derive(Clone, Copy)]
pub struct ResolvedModel<'a> {
    head: &'a str,
    rest: &'a str,
}

impl<'a> ResolvedModel<'a> {
    #[inline]
    fn one(model: &'a str) -> ResolvedModel<'a> {
        ResolvedModel {
            head: model,
            rest: "",
        }
    }

    /// The first piece: the target (without its `*` when it carries), or the requested
    /// model on passthrough.
    #[inline]
    pub fn head(&self) -> &'a str {
        self.head
    }

    /// The second piece: the part of the requested model beyond a carrying alias's name, as
    /// the client sent it; empty otherwise.
    #[inline]
    pub fn rest(&self) -> &'a str {
        self.rest
    }

    /// The length of the whole model in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.head.len() + self.rest.len()
    }

    /// Whether the model is empty (only a passthrough of an empty request is).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model as one string: borrowed when it is one piece, joined (one allocation)
    /// when a rest was carried.
    pub fn to_cow(&self) -> Cow<'a, str> {
        if self.rest.is_empty() {
            return Cow::Borrowed(self.head);
        }
        let mut joined = String::with_capacity(self.len());
        joined.push_str(self.head);
        joined.push_str(self.rest);
        Cow::Owned(joined)
    }

    /// Whether the whole model equals `other`.
    fn equals(&self, other: &str) -> bool {
        other.len() == self.len() && other.starts_with(self.head) && other.ends_with(self.rest)
    }
}

impl fmt::Display for ResolvedModel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rest.is_empty() {
            // Padding and alignment apply to the whole model.
            return f.pad(self.head);
        }
        f.write_str(self.head)?;
        f.write_str(self.rest)
    }
}

/// Debug-prints as the one string it stands for, so that assertions read naturally.
impl fmt::Debug for ResolvedModel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.to_cow(), f)
    }
}

impl PartialEq for ResolvedModel<'_> {
    fn eq(&self, other: &ResolvedModel<'_>) -> bool {
        fn bytes<'m>(m: &ResolvedModel<'m>) -> impl Iterator<Item = u8> + 'm {
            m.head.bytes().chain(m.rest.bytes())
        }
        self.len() == other.len() && bytes(self).eq(bytes(other))
    }
}

impl Eq for ResolvedModel<'_> {}

impl PartialEq<str> for ResolvedModel<'_> {
    fn eq(&self, other: &str) -> bool {
        self.equals(other)
    }
}

impl PartialEq<&str> for ResolvedModel<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.equals(other)
    }
}

impl PartialEq<String> for ResolvedModel<'_> {
    fn eq(&self, other: &String) -> bool {
        self.equals(other)
    }
}

impl PartialEq<ResolvedModel<'_>> for str {
    fn eq(&self, other: &ResolvedModel<'_>) -> bool {
        other.equals(self)
    }
}

impl PartialEq<ResolvedModel<'_>> for &str {
    fn eq(&self, other: &ResolvedModel<'_>) -> bool {
        other.equals(self)
    }
}

impl<'a> From<ResolvedModel<'a>> for Cow<'a, str> {
    fn from(model: ResolvedModel<'a>) -> Cow<'a, str> {
        model.to_cow()
    }
}

impl From<ResolvedModel<'_>> for String {
    fn from(model: ResolvedModel<'_>) -> String {
        model.to_cow().into_owned()
    }
}

/// `requested -> model (rule alias "name")`, or `requested -> requested (passthrough)`: the
/// test box's line. The requested model is printed as given; quote or escape it yourself
/// before writing client input to a log that must stay one line.
impl fmt::Display for Resolution<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {} (", self.requested, self.model())?;
        match self.alias {
            Some(alias) => write!(f, "{} alias {:?})", alias.kind(), alias.name()),
            None => f.write_str("passthrough)"),
        }
    }
}

/// A resolver: maps a requested model to a [`Resolution`] by the rules of the crate
/// (exact, else longest prefix, else passthrough).
///
/// Implemented by [`AliasSet`](crate::AliasSet), by one key of an
/// [`AliasTable`](crate::AliasTable) ([`KeyAliases`](crate::table::KeyAliases)), by an
/// [`AliasCache`](crate::cache::AliasCache) lookup, and through references, `Box`, `Arc` and `Option`
/// (`None` resolves every model as passthrough: an unknown key). Code that resolves, such as
/// [`openai::rewrite_model`](crate::openai::rewrite_model), takes any of them.
///
/// Implementations must not allocate or panic, whatever `model` is, and must give the answer
/// the rules give; [`Resolution::new`] takes the alias they picked.
///
/// ```
/// use model_alias::{Alias, AliasRef, MatchKind, Resolution, Resolve, Rule};
///
/// /// The rules written out over a plain list: a resolver of the gateway's own.
/// struct Listed(Vec<Alias>);
///
/// impl Resolve for Listed {
///     fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
///         let exact = self.0.iter().find(|a| a.kind() == MatchKind::Exact && a.name() == model);
///         let longest_prefix = || {
///             self.0.iter()
///                 .filter(|a| a.kind() == MatchKind::Prefix && a.matches(model))
///                 .max_by_key(|a| a.name().as_str().len())
///         };
///         Resolution::new(model, exact.or_else(longest_prefix).map(AliasRef::from))
///     }
/// }
///
/// fn route(aliases: &impl Resolve, model: &str) -> String {
///     aliases.resolve(model).model().to_string()
/// }
///
/// let listed = Listed(vec![Alias::prefix("claude".parse()?, "anthropic/claude-sonnet-4-5".parse()?)]);
/// assert_eq!(route(&listed, "claude-3-haiku"), "anthropic/claude-sonnet-4-5");
/// assert_eq!(listed.resolve("gpt-4o").rule(), Rule::Passthrough);
/// assert_eq!(route(&None::<Listed>, "claude-3-haiku"), "claude-3-haiku", "no aliases");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Resolve {
    /// Resolves `model`.
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a>;
}

impl<R: Resolve + ?Sized> Resolve for &R {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        (**self).resolve(model)
    }
}

impl<R: Resolve + ?Sized> Resolve for Box<R> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        (**self).resolve(model)
    }
}

impl<R: Resolve + ?Sized> Resolve for std::sync::Arc<R> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        (**self).resolve(model)
    }
}

/// `None` has no alias: every model passes through (an unknown key, a key without aliases).
impl<R: Resolve> Resolve for Option<R> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        match self {
            Some(r) => r.resolve(model),
            None => Resolution::new(model, None),
        }
    }
}
