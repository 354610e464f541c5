//! [`Resolution`], [`Rule`] and the [`Resolve`] trait that every resolver implements.
//!
//! A `Resolution` only borrows: from the resolver (the alias and its target) and from the
//! requested model string (on passthrough). Producing one never allocates.

use std::fmt;

use crate::{AliasRef, MatchKind};

/// Which rule of resolution decided the model.
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
/// Implemented by [`AliasSet`](crate::AliasSet) and by every strategy in
/// [`strategy`](crate::strategy); all of them give the same answer for the same set.
/// Implementations must not allocate or panic, whatever `model` is.
pub trait Resolve {
    /// Resolves `model`.
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a>;
}
