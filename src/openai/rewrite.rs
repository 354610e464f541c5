//! [`rewrite_model`]: resolve the top-level `"model"` of an OpenAI-style request body and
//! replace only that string, leaving every other byte as the client sent it.
//!
//! Invariants: the whole body is checked to be one JSON value (an object) before anything is
//! returned, by an iterative scanner whose memory is bounded by [`MAX_DEPTH`], never by the
//! input; the output differs from the input only inside the `"model"` string's quotes; a body
//! whose model is unchanged is returned as it is, without a copy, and a changed one is copied
//! once.

use std::borrow::Cow;

use crate::{Resolve, Rule};

/// The deepest nesting of arrays and objects a body may have. Real request bodies nest a few
/// levels (messages, content parts, tool schemas); a body past this is rejected rather than
/// scanned, so that no body can make the scanner's stack grow without bound.
pub const MAX_DEPTH: usize = 128;

/// Why a request body could not be rewritten. Each message says what to send instead; they
/// are written to be returned to the client as a 400 error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RewriteError {
    /// The body is not one well-formed JSON value.
    #[error("the request body is not valid JSON ({reason} at byte {at}): send a JSON object")]
    NotJson {
        /// Byte offset of the problem.
        at: usize,
        /// What was wrong there.
        reason: &'static str,
    },
    /// The body is JSON but not an object.
    #[error("the request body is a JSON {found}, not an object: send {{\"model\": ..., ...}}")]
    NotAnObject {
        /// What it is instead.
        found: &'static str,
    },
    /// The object has no top-level `"model"`.
    #[error("the request body has no \"model\" field: add \"model\": \"<model id or alias>\"")]
    NoModel,
    /// The top-level `"model"` is not a string.
    #[error(
        "the request body's \"model\" is a {found}, not a string: send the model id as a string"
    )]
    ModelNotString {
        /// What it is instead.
        found: &'static str,
    },
    /// The object has `"model"` more than once; which one an upstream would read is not
    /// defined, so none is guessed.
    #[error("the request body has \"model\" more than once: send it once")]
    DuplicateModel,
    /// The body nests arrays and objects deeper than [`MAX_DEPTH`].
    #[error("the request body nests deeper than {max} levels: flatten it")]
    TooDeep {
        /// The limit.
        max: usize,
    },
}

/// A rewritten body and what the model resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite<'b> {
    body: Cow<'b, [u8]>,
    requested: String,
    model: String,
    rule: Rule,
    alias: Option<String>,
}

impl<'b> Rewrite<'b> {
    /// The body to forward: the input itself when the model is unchanged.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body to forward, owned or borrowed.
    pub fn into_body(self) -> Cow<'b, [u8]> {
        self.body
    }

    /// The model as the client sent it (JSON escapes decoded).
    pub fn requested(&self) -> &str {
        &self.requested
    }

    /// The model the body now names: what to route and bill.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Which rule decided.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The alias that applied, if any.
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
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
/// assert_eq!((rewritten.rule(), rewritten.alias()), (Rule::Prefix, Some("claude-opus")));
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
/// [`MAX_DEPTH`] and the model's length; one copy of the body when the model changes, none
/// otherwise.
pub fn rewrite_model<'b, R: Resolve + ?Sized>(
    body: &'b [u8],
    aliases: &R,
) -> Result<Rewrite<'b>, RewriteError> {
    let span = find_model(body)?;
    let raw = body.get(span.start..span.end).unwrap_or_default();
    let requested = decode_string(raw).ok_or(RewriteError::NotJson {
        at: span.start,
        reason: "invalid escape in \"model\"",
    })?;
    let resolution = aliases.resolve(&requested);
    let model = resolution.model().to_owned();
    let rule = resolution.rule();
    let alias = resolution.alias().map(|a| a.name().to_owned());
    let body = if rule == Rule::Passthrough || model == requested {
        Cow::Borrowed(body)
    } else {
        let head = body.get(..span.start).unwrap_or_default();
        let tail = body.get(span.end..).unwrap_or_default();
        let mut out = Vec::with_capacity(head.len() + model.len() + 8 + tail.len());
        out.extend_from_slice(head);
        escape_into(&model, &mut out);
        out.extend_from_slice(tail);
        Cow::Owned(out)
    };
    Ok(Rewrite {
        body,
        requested,
        model,
        rule,
        alias,
    })
}

/// Appends `s` as the inside of a JSON string.
fn escape_into(s: &str, out: &mut Vec<u8>) {
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
}

/// The bytes between the quotes of the top-level `"model"` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// Decodes the inside of a JSON string (already checked to be well formed), or `None` for a
/// lone surrogate escape, which no Rust string can hold.
fn decode_string(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    if !text.contains('\\') {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&hi) {
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let lo = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    char::from_u32(hi)?
                }
            }
            _ => return None,
        };
        out.push(decoded);
    }
    Some(out)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// What the scanner is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Object,
    Array,
}

/// Scans `body` as one JSON value; returns the span of the top-level object's `"model"`
/// string. Iterative: the stack holds one byte a level, at most [`MAX_DEPTH`].
fn find_model(body: &[u8]) -> Result<Span, RewriteError> {
    let mut s = Scanner { body, at: 0 };
    s.skip_ws();
    match s.peek() {
        Some(b'{') => {}
        None => return Err(s.err("empty body")),
        Some(b) => {
            s.value()?;
            s.end()?;
            return Err(RewriteError::NotAnObject { found: kind_of(b) });
        }
    }
    // The top-level object, key by key; nested values are scanned by `value`.
    s.at += 1;
    let mut model: Option<Span> = None;
    let mut found_other: Option<&'static str> = None;
    s.skip_ws();
    if s.peek() == Some(b'}') {
        s.at += 1;
    } else {
        loop {
            let key = s.key()?;
            let is_model = {
                let raw = body.get(key.start..key.end).unwrap_or_default();
                raw == b"model"
                    || (raw.contains(&b'\\') && decode_string(raw).as_deref() == Some("model"))
            };
            s.skip_ws();
            if is_model {
                if model.is_some() || found_other.is_some() {
                    // Keep scanning: a malformed body is reported as such first.
                    s.value()?;
                    s.rest_of_object()?;
                    s.end()?;
                    return Err(RewriteError::DuplicateModel);
                }
                match s.peek() {
                    Some(b'"') => model = Some(s.string()?),
                    Some(b) => {
                        found_other = Some(kind_of(b));
                        s.value()?;
                    }
                    None => return Err(s.err("unexpected end")),
                }
            } else {
                s.value()?;
            }
            s.skip_ws();
            match s.peek() {
                Some(b',') => s.at += 1,
                Some(b'}') => {
                    s.at += 1;
                    break;
                }
                _ => return Err(s.err("expected ',' or '}'")),
            }
        }
    }
    s.end()?;
    if let Some(found) = found_other {
        return Err(RewriteError::ModelNotString { found });
    }
    model.ok_or(RewriteError::NoModel)
}

fn kind_of(first: u8) -> &'static str {
    match first {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => "number",
    }
}

struct Scanner<'b> {
    body: &'b [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    fn err(&self, reason: &'static str) -> RewriteError {
        RewriteError::NotJson {
            at: self.at,
            reason,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Only whitespace may follow the value.
    fn end(&mut self) -> Result<(), RewriteError> {
        self.skip_ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.err("trailing characters after the JSON value")),
        }
    }

    /// After a top-level member: the remaining members and the closing brace.
    fn rest_of_object(&mut self) -> Result<(), RewriteError> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.key()?;
                    self.skip_ws();
                    self.value()?;
                }
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    /// A string starting at the opening quote; returns the span inside the quotes. Checks
    /// escapes, rejects control characters and invalid UTF-8.
    fn string(&mut self) -> Result<Span, RewriteError> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    let span = Span {
                        start,
                        end: self.at,
                    };
                    let inside = self.body.get(start..self.at).unwrap_or_default();
                    if std::str::from_utf8(inside).is_err() {
                        return Err(RewriteError::NotJson {
                            at: start,
                            reason: "invalid UTF-8 in a string",
                        });
                    }
                    self.at += 1;
                    return Ok(span);
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1
                        }
                        Some(b'u') => {
                            self.at += 1;
                            for _ in 0..4 {
                                if !self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                                    return Err(self.err("invalid \\u escape"));
                                }
                                self.at += 1;
                            }
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(0..=0x1f) => return Err(self.err("control character in a string")),
                Some(_) => self.at += 1,
            }
        }
    }

    /// One value of any kind. Containers are walked with an explicit stack, not recursion.
    fn value(&mut self) -> Result<(), RewriteError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // A value.
            self.skip_ws();
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    let frame = if self.peek() == Some(b'{') {
                        Frame::Object
                    } else {
                        Frame::Array
                    };
                    // The top-level object is one level already.
                    if stack.len() + 2 > MAX_DEPTH {
                        return Err(RewriteError::TooDeep { max: MAX_DEPTH });
                    }
                    self.at += 1;
                    self.skip_ws();
                    let close = if frame == Frame::Object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.at += 1;
                    } else {
                        stack.push(frame);
                        if frame == Frame::Object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(_) => return Err(self.err("expected a value")),
                None => return Err(self.err("unexpected end")),
            }
            // After a value: close containers or move to the next element.
            loop {
                let Some(&frame) = stack.last() else {
                    return Ok(());
                };
                self.skip_ws();
                let close = if frame == Frame::Object { b'}' } else { b']' };
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if frame == Frame::Object {
                            self.skip_ws();
                            self.key()?;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.at += 1;
                        stack.pop();
                    }
                    _ => return Err(self.err("expected ',' or a closing bracket")),
                }
            }
        }
    }

    /// `"key":` in an object; returns the key's span.
    fn key(&mut self) -> Result<Span, RewriteError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string key"));
        }
        let key = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.err("expected ':'"));
        }
        self.at += 1;
        Ok(key)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), RewriteError> {
        let end = self.at + word.len();
        if self.body.get(self.at..end) == Some(word) {
            self.at = end;
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), RewriteError> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}
