//! [`rewrite_model`]: the rewrite rule. Resolve the top-level `"model"` of an OpenAI-style
//! request body and replace only that string, leaving every other byte as the client sent it.
//!
//! Invariants:
//! 1. the whole body is checked to be one JSON object (by the scanner in `json.rs`) before
//!    anything is returned;
//! 2. the output differs from the input only inside the `"model"` string's quotes, and, when
//!    the alias that applied has presets, where `apply.rs` applies them;
//! 3. a body whose model is unchanged (and that no preset changes) is returned as it is,
//!    without a copy, and a changed one is copied once; the resolution borrows from the body and the resolver, so a rewrite of a
//!    model written without escapes allocates nothing but that copy.

use std::borrow::Cow;

use super::RewriteError;
use super::apply::apply;
use super::json::{find_model, replace_string};
use crate::json;
use crate::{OwnedResolution, Resolution, Resolve};

/// A rewritten body and the resolution of its model.
///
/// ```
/// use model_alias::openai::rewrite_model;
/// use model_alias::{AliasSet, Rule};
///
/// let set = AliasSet::new([("fast", "deepseek/deepseek-chat")])?;
/// let rewrite = rewrite_model(br#"{"model": "fast", "input": "hi"}"#, &set)?;
/// assert!(rewrite.is_changed());
/// assert_eq!(rewrite.body(), br#"{"model": "deepseek/deepseek-chat", "input": "hi"}"#);
/// let r = rewrite.resolution();
/// assert_eq!((r.requested(), r.rule()), ("fast", Rule::Exact));
/// assert_eq!(r.model(), "deepseek/deepseek-chat");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Costs: the body is borrowed unless it changed (one copy); the resolution borrows the body
/// and the resolver, except for a model written with JSON escapes (`"gpt\u002d4o"`), which is
/// decoded into a string of its own (and the alias that applied copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite<'a> {
    body: Cow<'a, [u8]>,
    outcome: Outcome<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome<'a> {
    Borrowed(Resolution<'a>),
    /// The model had escapes: decoded, so what it resolved to is held owned.
    Decoded(OwnedResolution),
}

impl<'a> Rewrite<'a> {
    /// The body to forward: the input itself when the model is unchanged.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body to forward, owned or borrowed.
    pub fn into_body(self) -> Cow<'a, [u8]> {
        self.body
    }

    /// What the body's model resolved to: [`requested`](Resolution::requested) is the model
    /// as the client sent it (JSON escapes decoded), [`model`](Resolution::model) what the
    /// body now names, the one to route and bill.
    pub fn resolution(&self) -> Resolution<'_> {
        match &self.outcome {
            Outcome::Borrowed(resolution) => *resolution,
            Outcome::Decoded(owned) => owned.resolution(),
        }
    }

    /// Whether the body was changed (an alias applied and its target differs from the
    /// requested text).
    pub fn is_changed(&self) -> bool {
        matches!(self.body, Cow::Owned(_))
    }
}

/// Resolves the top-level `"model"` of `body` with `aliases` and returns the body with only
/// that string replaced by the resolved model.
///
/// Works on any OpenAI-style request (`/v1/chat/completions`, `/v1/completions`,
/// `/v1/embeddings`, `/v1/responses`): only the top-level `"model"` is read; `"model"` keys
/// nested inside messages or tools are left alone. Escapes in the model (`"gpt\u002d4o"`) are
/// decoded before resolving; every other byte (field order, whitespace, number formatting,
/// escapes elsewhere) is kept.
///
/// ```
/// use model_alias::openai::rewrite_model;
/// use model_alias::{AliasSet, MatchKind, Rule};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let body = br#"{"model":"claude-opus-4-9", "messages":[{"role":"user","content":"Hi \u00e9"}], "temperature":1.0e0}"#;
/// let rewritten = rewrite_model(body, &set)?;
/// assert_eq!(
///     rewritten.body(),
///     br#"{"model":"anthropic/claude-opus-4-8", "messages":[{"role":"user","content":"Hi \u00e9"}], "temperature":1.0e0}"#,
/// );
/// let r = rewritten.resolution();
/// assert_eq!((r.rule(), r.alias().map(|a| a.name())), (Rule::Prefix, Some("claude-opus")));
///
/// // No alias applies: the same bytes come back, not a copy.
/// let body = br#"{"model": "gpt-4o", "input": "x"}"#;
/// assert!(!rewrite_model(body, &set)?.is_changed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// One pass over the body (it is checked to be valid JSON, so that a malformed body is
/// rejected here rather than by the upstream after routing and billing), memory bounded by
/// [`MAX_DEPTH`](super::MAX_DEPTH); one copy of the body when the model changes, no allocation otherwise (for a
/// model written without escapes).
pub fn rewrite_model<'a, R: Resolve + ?Sized>(
    body: &'a [u8],
    aliases: &'a R,
) -> Result<Rewrite<'a>, RewriteError> {
    let span = find_model(body)?;
    let raw = body.get(span.start..span.end).unwrap_or_default();
    let requested = json::decode_string(raw).ok_or(RewriteError::NotJson {
        at: span.start,
        reason: "invalid escape in \"model\"",
    })?;
    let outcome = match requested {
        Cow::Borrowed(requested) => Outcome::Borrowed(aliases.resolve(requested)),
        Cow::Owned(requested) => {
            Outcome::Decoded(OwnedResolution::from(aliases.resolve(&requested)))
        }
    };
    let mut rewrite = Rewrite {
        body: Cow::Borrowed(body),
        outcome,
    };
    let resolution = rewrite.resolution();
    let model = resolution.model();
    let changed = resolution.alias().is_some() && model != resolution.requested();
    let pieces = [model.head(), model.rest()];
    match resolution.alias().and_then(|a| a.presets()) {
        Some(presets) => {
            let model = changed.then_some((span, pieces));
            rewrite.body = apply(body, model, presets)?;
        }
        None if changed => rewrite.body = Cow::Owned(replace_string(body, span, pieces)),
        None => {}
    }
    Ok(rewrite)
}
