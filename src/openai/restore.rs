//! [`restore_model`] and [`RestoreStream`]: the inverse of the request rewrite, for responses.
//! An upstream answers with the model it ran (`"model": "anthropic/claude-opus-4-8"`); a
//! client that sent `claude-opus-4-9` may check that the two match, or show it. Restoring
//! replaces that top-level `"model"` string with the name the client sent, when it equals
//! the resolved model, and keeps every other byte.
//!
//! Invariants:
//! 1. only the top-level `"model"` string of a JSON object is changed, and only when it
//!    equals the resolved model (escapes decoded); anything else (not JSON, another model, a
//!    repeated `"model"`) passes through as it is;
//! 2. a stream is restored line by line, each `data:` line on its own: the output is the same
//!    for any split of the input into chunks, and memory per stream is bounded by the longest
//!    line it holds back ([`RestoreStream::max_line`]), past which a line passes unchanged;
//! 3. a body or chunk that needs no change is returned as it is, not copied.
//!
//! Restoring is the operator's choice: the spec bills and reports the real model, and a
//! gateway that restores should still log and bill [`Resolution::model`](crate::Resolution::model).

use std::borrow::Cow;

use super::json::{find_model, replace_into, replace_string};
use crate::Resolution;
use crate::json::{self, Span};

/// `body` (a JSON response) with its top-level `"model"` set back to the name the client
/// sent, when it is the model `resolution` resolved to; otherwise `body` itself.
///
/// ```
/// use model_alias::openai::restore_model;
/// use model_alias::{AliasSet, MatchKind};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let resolution = set.resolve("claude-opus-4-9");
/// let upstream = br#"{"id":"chatcmpl-1","model":"anthropic/claude-opus-4-8","choices":[]}"#;
/// assert_eq!(&*restore_model(upstream, &resolution), br#"{"id":"chatcmpl-1","model":"claude-opus-4-9","choices":[]}"#);
///
/// // Another model, or no alias applied: the same bytes, not a copy.
/// let other = br#"{"model":"anthropic/claude-opus-4-8-20260101"}"#;
/// assert!(matches!(restore_model(other, &resolution), std::borrow::Cow::Borrowed(_)));
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// Cost: one pass over the body (it is checked to be one JSON object, as a request is), then
/// one copy if the model changes; no allocation otherwise.
pub fn restore_model<'b>(body: &'b [u8], resolution: &Resolution<'_>) -> Cow<'b, [u8]> {
    let model = resolution.model();
    if resolution.alias().is_none() || model == resolution.requested() {
        return Cow::Borrowed(body);
    }
    match restorable(body, |found| model == found) {
        Some(span) => Cow::Owned(replace_string(body, span, [resolution.requested(), ""])),
        None => Cow::Borrowed(body),
    }
}

/// The span of `body`'s top-level `"model"` string if `body` is a JSON object whose model,
/// decoded, passes `is_resolved`.
fn restorable(body: &[u8], is_resolved: impl Fn(&str) -> bool) -> Option<Span> {
    let span = find_model(body).ok()?;
    let raw = body.get(span.start..span.end)?;
    let found = json::decode_string(raw)?;
    is_resolved(&found).then_some(span)
}

/// Restores the model in a server-sent-event stream (`stream: true`), chunk by chunk as the
/// upstream sends it: each `data:` line that holds a JSON object whose top-level `"model"`
/// is the resolved model gets the requested name back. `[DONE]`, comments, `event:` and `id:`
/// lines, blank lines and data that is not JSON pass through untouched.
///
/// ```
/// use model_alias::openai::RestoreStream;
/// use model_alias::{AliasSet, MatchKind};
///
/// let set = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let mut stream = RestoreStream::new(&set.resolve("claude-opus-4-9"));
/// // An event split across two reads: the first part is held until its line ends.
/// let first = stream.push(br#"data: {"model":"anthropic/claude-"#);
/// assert!(first.is_empty());
/// let second = stream.push(b"opus-4-8\",\"choices\":[]}\n\ndata: [DONE]\n\n");
/// assert_eq!(&*second, b"data: {\"model\":\"claude-opus-4-9\",\"choices\":[]}\n\ndata: [DONE]\n\n");
/// assert!(stream.finish().is_empty());
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// # Costs
/// Each line is scanned once. A chunk made of whole lines none of which changes is returned
/// as it is (borrowed); a chunk that ends inside a line returns the whole lines before it,
/// borrowed, and holds the rest (copied once) until its line ends. Memory: two strings (the
/// requested and the resolved model) and the line held back, at most
/// [`max_line`](RestoreStream::max_line) bytes (1 MiB by default): a longer line is passed on
/// as it arrives, unchanged.
#[derive(Debug, Clone)]
pub struct RestoreStream {
    /// `None` when nothing can change: no alias applied, or it left the model as it was.
    models: Option<(Box<str>, Box<str>)>,
    /// The start of the current line, held back until it ends.
    held: Vec<u8>,
    /// The current line is longer than `max_line`: it passes through as it arrives.
    passing: bool,
    max_line: usize,
}

impl RestoreStream {
    /// The longest line a stream holds back by default: 1 MiB.
    pub const DEFAULT_MAX_LINE: usize = 1 << 20;

    /// A stream restorer for the response to a request that resolved as `resolution`.
    /// Copies the requested and resolved models (two allocations, none when no alias applied).
    pub fn new(resolution: &Resolution<'_>) -> RestoreStream {
        let model = resolution.model();
        let changed = resolution.alias().is_some() && model != resolution.requested();
        RestoreStream {
            models: changed.then(|| (resolution.requested().into(), model.to_cow().into())),
            held: Vec::new(),
            passing: false,
            max_line: RestoreStream::DEFAULT_MAX_LINE,
        }
    }

    /// Sets the longest line held back (default [`DEFAULT_MAX_LINE`](Self::DEFAULT_MAX_LINE)).
    #[must_use]
    pub fn with_max_line(mut self, max_line: usize) -> RestoreStream {
        self.max_line = max_line;
        self
    }

    /// The longest line, its end included, that is held back and restored: a longer line
    /// passes through unchanged, as it arrives.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// The bytes to send on for `chunk`: its lines, restored, after the held start of the
    /// first of them; the start of a line that has not ended yet is held back (or, past
    /// [`max_line`](RestoreStream::max_line), passed on unchanged).
    ///
    /// A borrowed result is always a prefix of `chunk`, so a caller holding the chunk as a
    /// shared buffer (`bytes::Bytes`) can send that prefix without a copy.
    pub fn push<'c>(&mut self, chunk: &'c [u8]) -> Cow<'c, [u8]> {
        let Some((requested, resolved)) = &self.models else {
            return Cow::Borrowed(chunk);
        };
        let mut out = Output::new(chunk);
        let mut at = 0;
        while let Some(rest) = chunk.get(at..).filter(|r| !r.is_empty()) {
            let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
                // The start of a line that ends in a later chunk.
                self.hold(at, &mut out);
                break;
            };
            let end = at + end + 1;
            if self.passing {
                self.passing = false;
                out.keep(at, end);
            } else if self.held.is_empty() {
                let line = chunk.get(at..end).unwrap_or_default();
                match self.restorable_line(line, resolved) {
                    Some(span) => out.replace(line, span, requested),
                    None => out.keep(at, end),
                }
            } else {
                self.held
                    .extend_from_slice(chunk.get(at..end).unwrap_or_default());
                let line = std::mem::take(&mut self.held);
                match self.restorable_line(&line, resolved) {
                    Some(span) => out.replace(&line, span, requested),
                    None => out.write(&line),
                }
            }
            at = end;
        }
        out.finish()
    }

    /// Holds `out`'s chunk from `at` on, the start of a line, or passes it on unchanged when
    /// the line is already longer than `max_line`.
    fn hold(&mut self, at: usize, out: &mut Output<'_>) {
        let part = out.chunk.get(at..).unwrap_or_default();
        if self.passing {
            out.keep(at, out.chunk.len());
        } else if self.held.len() + part.len() >= self.max_line {
            self.passing = true;
            let held = std::mem::take(&mut self.held);
            out.write(&held);
            out.keep(at, out.chunk.len());
        } else {
            self.held.extend_from_slice(part);
        }
    }

    /// The span of the model to restore in `line` (with its end), unless the line is longer
    /// than `max_line`: such a line passes unchanged however it was split, so the output
    /// never depends on how the stream arrived.
    fn restorable_line(&self, line: &[u8], resolved: &str) -> Option<Span> {
        if line.len() > self.max_line {
            return None;
        }
        restorable_line(line, resolved)
    }

    /// What is held at the end of the stream: the last line, if it never ended, as it came
    /// (a client discards an event that does not end).
    pub fn finish(self) -> Vec<u8> {
        self.held
    }
}

/// If `line` (with its end) is a `data:` line holding a JSON object whose top-level model is
/// `resolved`, the span of that model's string in `line`.
fn restorable_line(line: &[u8], resolved: &str) -> Option<Span> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    let value = text.strip_prefix(b"data:")?;
    let value = value.strip_prefix(b" ").unwrap_or(value);
    let start = text.len() - value.len();
    let span = restorable(value, |found| found == resolved)?;
    Some(Span {
        start: start + span.start,
        end: start + span.end,
    })
}

/// A chunk's output, borrowed from the chunk for as long as it is a run of the chunk's own
/// bytes from its start, copied once anything else is written.
struct Output<'c> {
    chunk: &'c [u8],
    /// The output so far is `chunk[..borrowed]`, while `owned` is `None`.
    borrowed: usize,
    owned: Option<Vec<u8>>,
}

impl<'c> Output<'c> {
    fn new(chunk: &'c [u8]) -> Output<'c> {
        Output {
            chunk,
            borrowed: 0,
            owned: None,
        }
    }

    /// Appends `chunk[from..to]`.
    fn keep(&mut self, from: usize, to: usize) {
        let part = self.chunk.get(from..to).unwrap_or_default();
        match &mut self.owned {
            None if from == self.borrowed => self.borrowed = to,
            _ => self.owned().extend_from_slice(part),
        }
    }

    /// Appends bytes that are not the chunk's next ones.
    fn write(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.owned().extend_from_slice(bytes);
        }
    }

    /// Appends `line` with the string in `span` replaced by `requested`.
    fn replace(&mut self, line: &[u8], span: Span, requested: &str) {
        replace_into(self.owned(), line, span, [requested, ""]);
    }

    fn owned(&mut self) -> &mut Vec<u8> {
        let (chunk, borrowed) = (self.chunk, self.borrowed);
        self.owned.get_or_insert_with(|| {
            let mut out = Vec::with_capacity(chunk.len() + 64);
            out.extend_from_slice(chunk.get(..borrowed).unwrap_or_default());
            out
        })
    }

    fn finish(self) -> Cow<'c, [u8]> {
        match self.owned {
            Some(out) => Cow::Owned(out),
            None => Cow::Borrowed(self.chunk.get(..self.borrowed).unwrap_or_default()),
        }
    }
}
