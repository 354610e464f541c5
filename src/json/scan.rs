//! The validating scanner: checks that a text is exactly one JSON value and reports each
//! member of its top-level object, without building anything.
//!
//! Invariants:
//! 1. one loop walks every value at every depth, with an explicit stack (no recursion) that
//!    never holds more than [`MAX_DEPTH`] frames, so memory is bounded whatever the input;
//! 2. members of the top-level object are reported in order, each once its value has been
//!    scanned whole, and a body is accepted only once every byte has been checked, so a
//!    caller never acts on a body that turns out to be malformed;
//! 3. every string is checked: escapes well formed, no control characters, valid UTF-8;
//! 4. what it accepts is I-JSON (RFC 7493) as far as a parser can tell it apart: no string
//!    holds a lone surrogate escape, no number is beyond the range of a double, and nesting
//!    stops where serde_json's does, so that every body it accepts parses in serde_json, the
//!    parser most upstreams use, and a gateway never routes and bills a body its upstream
//!    then refuses (`tests/openai.rs` and `tests/presets.rs` check the two agree). At the very end of a
//!    double's range parsers differ in their last digit, so a sliver is refused there too
//!    ([`NUMBER_LIMIT`]).

use super::Invalid;

/// The deepest nesting of arrays and objects a body may have (the top-level object counts as
/// one). Real request bodies nest a few levels (messages, content parts, tool schemas); a body
/// past this is rejected rather than scanned, so that no body can make the stack grow without
/// bound. 127 is serde_json's limit (it refuses a 128th level), so that a body accepted here
/// is not refused upstream.
pub const MAX_DEPTH: usize = 127;

/// The magnitude from which a number is refused: the largest double, 1.7976931348623157e308,
/// cut to 15 significant digits (28 doubles below it). Numbers this close to the end of the
/// range round differently from parser to parser: serde_json's default parsing, which is not
/// correctly rounded, refuses some that round to the largest double and reads some that round
/// past it. Refusing the sliver where they may differ keeps every accepted number one that any
/// parser reads as a finite double; no real request carries a number within 10^-14 of 1.8e308.
pub(crate) const NUMBER_LIMIT: f64 = 1.797_693_134_862_31e308;

/// A range of the body's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What kind of value starts with a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
}

impl Kind {
    fn of(first: u8) -> Kind {
        match first {
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b'"' => Kind::String,
            b't' | b'f' => Kind::Boolean,
            b'n' => Kind::Null,
            _ => Kind::Number,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Null => "null",
        }
    }
}

/// One member of the top-level object: its key (inside the quotes, escapes as written) and its
/// value (inside the quotes for a string, whole otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) key: Span,
    pub(crate) value: Span,
    pub(crate) kind: Kind,
}

/// An open container.
#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: Kind,
    start: usize,
    /// The key of the member being read, in an object.
    key: Span,
}

/// The open containers: a fixed array of [`MAX_DEPTH`] frames on the call stack (4 KiB), so
/// scanning allocates nothing.
struct Stack {
    frames: [Frame; MAX_DEPTH],
    len: usize,
}

impl Stack {
    fn new() -> Stack {
        let empty = Frame {
            kind: Kind::Null,
            start: 0,
            key: Span { start: 0, end: 0 },
        };
        Stack {
            frames: [empty; MAX_DEPTH],
            len: 0,
        }
    }

    /// Opens a container; `false` when [`MAX_DEPTH`] are open already.
    fn push(&mut self, frame: Frame) -> bool {
        match self.frames.get_mut(self.len) {
            Some(slot) => {
                *slot = frame;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    fn last_mut(&mut self) -> Option<&mut Frame> {
        self.frames.get_mut(self.len.checked_sub(1)?)
    }
}

/// Scans `body` as one JSON value, calling `member` for each member of the top-level object
/// (if it is one) in order. Returns the top-level value's kind.
pub(crate) fn scan(body: &[u8], mut member: impl FnMut(Member)) -> Result<Kind, Invalid> {
    let mut s = Scanner { body, at: 0 };
    let mut stack = Stack::new();
    s.skip_ws();
    let top = Kind::of(s.peek().ok_or(s.err("empty body"))?);
    loop {
        // A value starts here.
        s.skip_ws();
        let start = s.at;
        let first = s.peek().ok_or(s.err("unexpected end"))?;
        let mut value = match first {
            b'{' | b'[' => {
                if stack.len >= MAX_DEPTH {
                    return Err(Invalid::TooDeep { max: MAX_DEPTH });
                }
                let kind = Kind::of(first);
                s.at += 1;
                let mut frame = Frame {
                    kind,
                    start,
                    key: Span { start, end: start },
                };
                s.skip_ws();
                if s.eat(close_of(kind)) {
                    (Span { start, end: s.at }, kind)
                } else {
                    if kind == Kind::Object {
                        frame.key = s.key()?;
                    }
                    if !stack.push(frame) {
                        return Err(Invalid::TooDeep { max: MAX_DEPTH });
                    }
                    continue;
                }
            }
            b'"' => (s.string()?, Kind::String),
            b't' => (s.literal(b"true")?, Kind::Boolean),
            b'f' => (s.literal(b"false")?, Kind::Boolean),
            b'n' => (s.literal(b"null")?, Kind::Null),
            b'-' | b'0'..=b'9' => (s.number()?, Kind::Number),
            _ => return Err(s.err("expected a value")),
        };
        // A value ended: report it if it is a top-level member, then close containers or
        // move on to the next element.
        loop {
            let in_top_object = stack.len == 1;
            let Some(frame) = stack.last_mut() else {
                s.skip_ws();
                if s.peek().is_some() {
                    return Err(s.err("trailing characters after the JSON value"));
                }
                return Ok(top);
            };
            if in_top_object && frame.kind == Kind::Object {
                member(Member {
                    key: frame.key,
                    value: value.0,
                    kind: value.1,
                });
            }
            s.skip_ws();
            if s.eat(b',') {
                if frame.kind == Kind::Object {
                    s.skip_ws();
                    frame.key = s.key()?;
                }
                break;
            }
            if s.eat(close_of(frame.kind)) {
                let kind = frame.kind;
                let start = frame.start;
                stack.pop();
                value = (Span { start, end: s.at }, kind);
                continue;
            }
            return Err(s.err(match frame.kind {
                Kind::Object => "expected ',' or '}'",
                _ => "expected ',' or ']'",
            }));
        }
    }
}

fn close_of(kind: Kind) -> u8 {
    if kind == Kind::Object { b'}' } else { b']' }
}

/// A cursor over the body.
struct Scanner<'b> {
    body: &'b [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    /// Steps over `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn err(&self, reason: &'static str) -> Invalid {
        Invalid::Syntax {
            at: self.at,
            reason,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `"key":` in an object; returns the key's span inside the quotes.
    fn key(&mut self) -> Result<Span, Invalid> {
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string key"));
        }
        let key = self.string()?;
        self.skip_ws();
        if !self.eat(b':') {
            return Err(self.err("expected ':'"));
        }
        Ok(key)
    }

    /// A string starting at the opening quote; returns the span inside the quotes. Checks
    /// escapes, rejects control characters and invalid UTF-8.
    fn string(&mut self) -> Result<Span, Invalid> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    let inside = self.body.get(start..self.at).unwrap_or_default();
                    if std::str::from_utf8(inside).is_err() {
                        return Err(Invalid::Syntax {
                            at: start,
                            reason: "invalid UTF-8 in a string",
                        });
                    }
                    let span = Span {
                        start,
                        end: self.at,
                    };
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
                            // Errors point at the escape's backslash.
                            let escape = self.at - 1;
                            let lone = move |reason| Invalid::Syntax { at: escape, reason };
                            let unit = self.hex_escape()?;
                            // A surrogate escape stands for a character only as a high one
                            // followed at once by a low one (I-JSON: valid Unicode only).
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(lone("a lone low surrogate escape"));
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                let low = match self.peek() {
                                    Some(b'\\') => {
                                        self.at += 1;
                                        match self.peek() {
                                            Some(b'u') => Some(self.hex_escape()?),
                                            _ => None,
                                        }
                                    }
                                    _ => None,
                                };
                                if !low.is_some_and(|low| (0xDC00..0xE000).contains(&low)) {
                                    return Err(lone("a lone high surrogate escape"));
                                }
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

    /// The four hex digits of a `\u` escape, the `u` at the current byte; leaves the scanner
    /// after them.
    fn hex_escape(&mut self) -> Result<u32, Invalid> {
        self.at += 1;
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            unit = unit << 4 | digit;
            self.at += 1;
        }
        Ok(unit)
    }

    fn literal(&mut self, word: &[u8]) -> Result<Span, Invalid> {
        let start = self.at;
        let end = start + word.len();
        if self.body.get(start..end) == Some(word) {
            self.at = end;
            Ok(Span { start, end })
        } else {
            Err(self.err("invalid literal"))
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Span, Invalid> {
        let start = self.at;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.eat(b'.') {
            self.required_digits()?;
        }
        let exponent = matches!(self.peek(), Some(b'e' | b'E'));
        if exponent {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.required_digits()?;
        }
        let span = Span {
            start,
            end: self.at,
        };
        // I-JSON: a number must fit a double, short of the sliver at its end (NUMBER_LIMIT).
        // Without an exponent, 15 characters cannot pass 10^15, so only longer numbers and
        // those with an exponent are parsed to find out (an underflow to zero is fine, as in
        // serde_json).
        if exponent || span.end - span.start > 15 {
            let text = self.body.get(span.start..span.end).unwrap_or_default();
            let fits = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(|x| x.abs() < NUMBER_LIMIT);
            if !fits {
                return Err(Invalid::Syntax {
                    at: span.start,
                    reason: "a number beyond the range of a double (1.79769313486231e308 or more)",
                });
            }
        }
        Ok(span)
    }

    fn required_digits(&mut self) -> Result<(), Invalid> {
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.err("invalid number"));
        }
        self.digits();
        Ok(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}
