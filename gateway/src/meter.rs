//! Reads the upstream's `usage` from an answer as it streams to the client: a JSON answer's
//! top-level `usage`, or the last `usage` a stream of server-sent events carries (a chat or
//! completion chunk's `usage`, a Responses event's `response.usage`).
//!
//! Counts are `prompt_tokens`/`input_tokens` and `completion_tokens`/`output_tokens`, whole
//! numbers up to [`MAX_TOKENS`]; anything else (missing, negative, fractional, enormous, not
//! a number) is unknown and counts no tokens. Nothing an upstream sends can panic here.
//!
//! Memory is bounded per answer: a JSON answer is kept whole up to [`MAX_JSON`] bytes; past
//! that only its last [`TAIL`] bytes are, where OpenAI-shaped answers put `usage`, and the
//! last `"usage"` object found there is read. An event is kept until it is complete, up to
//! [`MAX_EVENT`] bytes, and each byte is looked at once for the end of an event.
//!
//! When the gateway asked a stream for its usage on the client's behalf ([`Meter::strip`]),
//! the client gets the events it asked for: the usage chunk is taken out, and the
//! `"usage": null` member the upstream then adds to every other chunk is removed.

use std::fmt;

use axum::body::Bytes;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::usage::Tokens;

/// The largest count believed: more tokens than any model takes in one request.
pub const MAX_TOKENS: u64 = 1 << 40;
/// The most bytes of a JSON answer kept whole for its usage.
const MAX_JSON: usize = 256 << 10;
/// The bytes kept of the end of a larger JSON answer.
const TAIL: usize = 64 << 10;
/// The longest server-sent event read; a longer one is passed on unread.
const MAX_EVENT: usize = 1 << 20;

/// What one answer's body is read for.
pub struct Meter {
    kind: Kind,
    tokens: Tokens,
}

enum Kind {
    /// A JSON answer: its bytes, or its last [`TAIL`] once it is longer than [`MAX_JSON`].
    Json { bytes: Vec<u8>, cut: bool },
    /// Server-sent events: the bytes of the event not yet complete (of which the first
    /// `scanned` hold no event's end), and whether to strip the usage the gateway asked for.
    Events {
        partial: Vec<u8>,
        scanned: usize,
        strip: bool,
    },
    /// Anything else: audio, images.
    Other,
}

impl Meter {
    /// A meter for an answer of `content_type`.
    pub fn new(content_type: Option<&str>, strip: bool) -> Meter {
        let essence = content_type
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase());
        let kind = match essence.as_deref() {
            Some("text/event-stream") => Kind::Events {
                partial: Vec::new(),
                scanned: 0,
                strip,
            },
            Some("application/json") => Kind::Json {
                bytes: Vec::new(),
                cut: false,
            },
            _ => Kind::Other,
        };
        Meter {
            kind,
            tokens: Tokens::default(),
        }
    }

    /// Reads `chunk`; returns the bytes to send on (the chunk itself unless stripping).
    pub fn feed(&mut self, chunk: Bytes) -> Bytes {
        match &mut self.kind {
            Kind::Other => chunk,
            Kind::Json { bytes, cut } => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_JSON || (*cut && bytes.len() > TAIL) {
                    let excess = bytes.len().saturating_sub(TAIL);
                    bytes.drain(..excess);
                    *cut = true;
                }
                chunk
            }
            Kind::Events {
                partial,
                scanned,
                strip,
            } => {
                let strip = *strip;
                partial.extend_from_slice(&chunk);
                let mut out = Vec::new();
                while let Some(end) = event_end(partial, *scanned) {
                    let event: Vec<u8> = partial.drain(..end).collect();
                    *scanned = 0;
                    if let Some(tokens) = event_usage(&event) {
                        self.tokens = tokens;
                    }
                    if strip {
                        out.extend(stripped(&event));
                    }
                }
                // An end may begin in the last three bytes and finish in the next chunk.
                *scanned = partial.len().saturating_sub(3);
                if partial.len() > MAX_EVENT {
                    // Too long to be read: sent on as it is.
                    if strip {
                        out.append(partial);
                    } else {
                        partial.clear();
                    }
                    *scanned = 0;
                }
                match strip {
                    true => Bytes::from(out),
                    false => chunk,
                }
            }
        }
    }

    /// The answer's tokens, once its body has ended (or was cut short); what is left of an
    /// unfinished event when stripping. Called once.
    pub fn finish(&mut self) -> (Tokens, Bytes) {
        match &mut self.kind {
            Kind::Json { bytes, cut } => {
                let bytes = std::mem::take(bytes);
                self.tokens = match cut {
                    false => json_usage(&bytes),
                    true => tail_usage(&bytes),
                };
                (self.tokens, Bytes::new())
            }
            Kind::Events {
                partial,
                strip: true,
                ..
            } => (self.tokens, Bytes::from(std::mem::take(partial))),
            _ => (self.tokens, Bytes::new()),
        }
    }
}

/// The length of the first complete event in `bytes` (its blank line included), looking from
/// `from` on.
fn event_end(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let lf = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|at| from + at + 2);
    let crlf = rest
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| from + at + 4);
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The JSON of an event's `data:` lines, joined.
fn event_data(event: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(event).ok()?;
    let mut data: Option<String> = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("data:") {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match &mut data {
                Some(joined) => {
                    joined.push('\n');
                    joined.push_str(value);
                }
                None => data = Some(value.to_owned()),
            }
        }
    }
    data
}

/// The tokens an event carries, if it carries a usage object.
fn event_usage(event: &[u8]) -> Option<Tokens> {
    if !event.windows(7).any(|w| w == b"\"usage\"") {
        return None;
    }
    let value: Value = serde_json::from_str(&event_data(event)?).ok()?;
    let usage = match value.get("usage") {
        Some(usage) if usage.is_object() => usage,
        _ => value.get("response")?.get("usage")?,
    };
    usage.is_object().then(|| tokens(usage))
}

/// A JSON answer's tokens.
fn json_usage(bytes: &[u8]) -> Tokens {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        usage: Value,
    }
    match serde_json::from_slice::<Answer>(bytes) {
        Ok(answer) => tokens(&answer.usage),
        Err(_) => Tokens::default(),
    }
}

/// The tokens of the last `"usage": {...}` in the end of a large JSON answer.
fn tail_usage(tail: &[u8]) -> Tokens {
    let key = b"\"usage\"";
    let Some(at) = tail.windows(key.len()).rposition(|w| w == key) else {
        return Tokens::default();
    };
    let after = tail.get(at + key.len()..).unwrap_or_default();
    let value = after
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b':')
        .and_then(|start| after.get(start..));
    let Some(value) = value else {
        return Tokens::default();
    };
    let mut values = serde_json::Deserializer::from_slice(value).into_iter::<Value>();
    match values.next() {
        Some(Ok(usage)) if usage.is_object() => tokens(&usage),
        _ => Tokens::default(),
    }
}

/// The counts of a usage object.
pub fn tokens(usage: &Value) -> Tokens {
    let count = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|name| usage.get(name))
            .and_then(Value::as_u64)
            .filter(|n| *n <= MAX_TOKENS)
    };
    Tokens {
        input: count(["prompt_tokens", "input_tokens"]),
        output: count(["completion_tokens", "output_tokens"]),
    }
}

/// An event as the client asked for it: the usage chunk (empty `choices`, a `usage` object)
/// removed, a `"usage": null` member taken out of the others; any other event as it came.
fn stripped(event: &[u8]) -> Vec<u8> {
    let Some(data) = event_data(event) else {
        return event.to_vec();
    };
    let Ok(Members(members)) = serde_json::from_str::<Members>(&data) else {
        return event.to_vec();
    };
    let usage = members.iter().find(|(name, _)| name == "usage");
    let Some((_, usage)) = usage else {
        return event.to_vec();
    };
    if usage.get() != "null" {
        let choices = members.iter().find(|(name, _)| name == "choices");
        let empty = choices.is_some_and(|(_, c)| {
            serde_json::from_str::<Vec<IgnoredAny>>(c.get()).is_ok_and(|c| c.is_empty())
        });
        return match empty {
            true => Vec::new(),
            false => event.to_vec(),
        };
    }
    let mut json = String::from("{");
    for (name, value) in members.iter().filter(|(name, _)| name != "usage") {
        if json.len() > 1 {
            json.push(',');
        }
        json.push_str(&serde_json::to_string(name).unwrap_or_default());
        json.push(':');
        json.push_str(value.get());
    }
    json.push('}');
    format!("data: {json}\n\n").into_bytes()
}

/// A JSON object's members in order, each value as its text.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(meter: &mut Meter, chunks: &[&str]) -> String {
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend_from_slice(&meter.feed(Bytes::copy_from_slice(chunk.as_bytes())));
        }
        out.extend_from_slice(&meter.finish().1);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_json_answer_split_anywhere_gives_its_usage() {
        let body = r#"{"id": "x", "usage": {"prompt_tokens": 12, "completion_tokens": 3}}"#;
        for cut in 0..body.len() {
            let mut meter = Meter::new(Some("application/json; charset=utf-8"), false);
            let out = run(&mut meter, &[&body[..cut], &body[cut..]]);
            assert_eq!(out, body);
            let tokens = meter.tokens;
            assert_eq!((tokens.input, tokens.output), (Some(12), Some(3)));
        }
    }

    #[test]
    fn a_large_json_answer_gives_the_usage_at_its_end() {
        let filler = "0.125,".repeat(100_000);
        let body = format!(
            r#"{{"data": [{filler}1], "usage": {{"prompt_tokens": 9, "total_tokens": 9}}}}"#
        );
        assert!(body.len() > MAX_JSON);
        let mut meter = Meter::new(Some("application/json"), false);
        let chunks: Vec<&str> = body
            .as_bytes()
            .chunks(4096)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        assert_eq!(run(&mut meter, &chunks), body);
        assert_eq!(meter.tokens.input, Some(9));
        assert!(matches!(&meter.kind, Kind::Json { bytes, .. } if bytes.is_empty()));
    }

    #[test]
    fn an_event_in_one_byte_chunks_is_found_once() {
        let event = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\r\n\r\n";
        let mut meter = Meter::new(Some("text/event-stream"), true);
        let chunks: Vec<String> = event.chars().map(String::from).collect();
        let chunks: Vec<&str> = chunks.iter().map(String::as_str).collect();
        assert_eq!(run(&mut meter, &chunks), "", "the usage chunk is taken out");
        assert_eq!(meter.tokens.input, Some(3));
    }

    #[test]
    fn unusable_counts_are_unknown() {
        for usage in [
            r#"{"prompt_tokens": -1, "completion_tokens": 2.5}"#,
            r#"{"prompt_tokens": "12", "completion_tokens": null}"#,
            r#"{"prompt_tokens": 1e300, "completion_tokens": 18446744073709551616}"#,
            r#"{"prompt_tokens": 1099511627777}"#,
            r#"[1, 2]"#,
            r#""lots""#,
        ] {
            let body = format!(r#"{{"usage": {usage}}}"#);
            let mut meter = Meter::new(Some("application/json"), false);
            run(&mut meter, &[&body]);
            assert_eq!(meter.tokens, Tokens::default(), "{usage}");
        }
        let mut meter = Meter::new(Some("application/json"), false);
        run(&mut meter, &[r#"{"usage": {"prompt_tokens": 5"#]);
        assert_eq!(meter.tokens, Tokens::default());
    }

    #[test]
    fn a_stream_gives_its_last_usage_and_passes_unchanged_unless_stripping() {
        let events = "data: {\"choices\":[{\"delta\":{}}],\"usage\":null}\n\n\
                      data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4}}\n\n\
                      data: [DONE]\n\n";
        for cut in 0..events.len() {
            let mut meter = Meter::new(Some("text/event-stream"), false);
            assert_eq!(run(&mut meter, &[&events[..cut], &events[cut..]]), events);
            assert_eq!(meter.tokens.input, Some(7));
            let mut meter = Meter::new(Some("text/event-stream"), true);
            let out = run(&mut meter, &[&events[..cut], &events[cut..]]);
            assert_eq!(
                out,
                "data: {\"choices\":[{\"delta\":{}}]}\n\ndata: [DONE]\n\n"
            );
            assert_eq!(meter.tokens.output, Some(4));
        }
    }

    #[test]
    fn a_responses_stream_gives_the_completed_events_usage() {
        let events = "event: response.completed\ndata: {\"type\":\"response.completed\",\
                      \"response\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":2}}}\n\n";
        let mut meter = Meter::new(Some("text/event-stream"), false);
        run(&mut meter, &[events]);
        let tokens = meter.tokens;
        assert_eq!((tokens.input, tokens.output), (Some(9), Some(2)));
    }
}
