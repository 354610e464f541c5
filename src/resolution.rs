//! [`Resolution`], [`Rule`] and the [`Resolve`] trait that every resolver implements.
//!
//! A `Resolution` only borrows: from the resolver (the alias and its target) and from the
//! requested model string (on passthrough). Producing one never allocates.

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

    /// The model to route and bill: the alias's target, or the requested model unchanged.
    pub fn model(&self) -> &'a str {
        match self.alias {
            Some(alias) => alias.target(),
            None => self.requested,
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
/// [`AliasTable`](crate::AliasTable) ([`KeyAliases`](crate::KeyAliases)), by an
/// [`AliasCache`](crate::AliasCache) lookup, and through references, `Box`, `Arc` and `Option`
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
///     aliases.resolve(model).model().to_owned()
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
