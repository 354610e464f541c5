//! The response's model restored to the name the client sent, in a JSON body
//! and in a server-sent-event stream split any way at all.
#![cfg(feature = "openai")]

use std::borrow::Cow;

use model_alias::openai::{RestoreStream, restore_model};
use model_alias::{AliasSet, MatchKind};
use proptest::prelude::*;

fn set() -> AliasSet {
    AliasSet::new([
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
        ("oai/", "openai/*", MatchKind::Prefix),
        ("same", "same", MatchKind::Exact),
    ])
    .unwrap()
}

#[test]
fn a_json_body_gets_the_requested_name_back() {
    let set = set();
    let r = set.resolve("claude-opus-4-9");
    let cases: &[(&str, &str)] = &[
        (
            r#"{"id":"x","model":"anthropic/claude-opus-4-8","usage":{"model":"anthropic/claude-opus-4-8"}}"#,
            r#"{"id":"x","model":"claude-opus-4-9","usage":{"model":"anthropic/claude-opus-4-8"}}"#,
        ),
        // Escapes in the upstream's model are decoded before comparing.
        (
            r#"{ "model" : "anthropic\/claude-opus-4-8" , "n": 1.0e0 }"#,
            r#"{ "model" : "claude-opus-4-9" , "n": 1.0e0 }"#,
        ),
    ];
    for (upstream, want) in cases {
        let got = restore_model(upstream.as_bytes(), &r);
        assert_eq!(std::str::from_utf8(&got).unwrap(), *want);
    }
    let unchanged: &[&str] = &[
        r#"{"model":"anthropic/claude-opus-4-8-20260101"}"#,
        r#"{"model":"ANTHROPIC/claude-opus-4-8"}"#,
        r#"{"model":"anthropic/claude-opus-4-8","model":"anthropic/claude-opus-4-8"}"#,
        r#"{"model":["anthropic/claude-opus-4-8"]}"#,
        r#"["anthropic/claude-opus-4-8"]"#,
        r#"{"model":"anthropic/claude-opus-4-8""#,
        "not json",
        "",
    ];
    for body in unchanged {
        let got = restore_model(body.as_bytes(), &r);
        assert!(
            matches!(got, Cow::Borrowed(b) if std::ptr::eq(b, body.as_bytes())),
            "{body}"
        );
    }
    // No alias applied, or an alias that changed nothing: nothing to restore.
    let body = br#"{"model":"gpt-4o"}"#;
    assert!(matches!(
        restore_model(body, &set.resolve("gpt-4o")),
        Cow::Borrowed(_)
    ));
    let body = br#"{"model":"same"}"#;
    assert!(matches!(
        restore_model(body, &set.resolve("same")),
        Cow::Borrowed(_)
    ));
    // A carried resolution: the whole resolved model is what the upstream answers with.
    let carried = set.resolve("oai/gpt-4o");
    let got = restore_model(br#"{"model":"openai/gpt-4o"}"#, &carried);
    assert_eq!(&*got, br#"{"model":"oai/gpt-4o"}"#);
}

/// A stream as OpenAI-compatible upstreams send it, with everything that must pass untouched.
const STREAM: &str = concat!(
    ": keep-alive\n\n",
    "event: message\r\nid: 1\r\n",
    "data: {\"id\":\"c1\",\"model\":\"anthropic/claude-opus-4-8\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n",
    "data:{\"model\":\"anthropic/claude-opus-4-8\"}\n\n",
    "data: {\"model\":\"other/model\"}\n\n",
    "data: not json {\"model\":\"anthropic/claude-opus-4-8\"}\n\n",
    "data: {\"model\":\"anthropic/claude-opus-4-8\"}\r",
    "\r",
    "data: [DONE]\n\n",
);

const RESTORED: &str = concat!(
    ": keep-alive\n\n",
    "event: message\r\nid: 1\r\n",
    "data: {\"id\":\"c1\",\"model\":\"claude-opus-4-9\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n",
    "data:{\"model\":\"claude-opus-4-9\"}\n\n",
    "data: {\"model\":\"other/model\"}\n\n",
    "data: not json {\"model\":\"anthropic/claude-opus-4-8\"}\n\n",
    "data: {\"model\":\"claude-opus-4-9\"}\r",
    "\r",
    "data: [DONE]\n\n",
);

/// Pushes `stream` in chunks cut at `cuts` and returns everything sent on.
fn restore_in_chunks(stream: &[u8], cuts: &[usize], restorer: RestoreStream) -> Vec<u8> {
    let mut restorer = restorer;
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain([&stream.len()]) {
        let cut = cut.clamp(from, stream.len());
        out.extend_from_slice(&restorer.push(&stream[from..cut]));
        from = cut;
    }
    out.extend(restorer.finish());
    out
}

#[test]
fn a_stream_is_restored_whatever_its_split() {
    let set = set();
    let r = set.resolve("claude-opus-4-9");
    let stream = STREAM.as_bytes();
    assert_eq!(
        restore_in_chunks(stream, &[], RestoreStream::new(&r)),
        RESTORED.as_bytes()
    );
    // Every split into two chunks, and every split into one-byte chunks.
    for cut in 0..=stream.len() {
        let got = restore_in_chunks(stream, &[cut], RestoreStream::new(&r));
        assert_eq!(String::from_utf8_lossy(&got), RESTORED, "cut at {cut}");
    }
    let every: Vec<usize> = (0..stream.len()).collect();
    assert_eq!(
        restore_in_chunks(stream, &every, RestoreStream::new(&r)),
        RESTORED.as_bytes()
    );
}

#[test]
fn chunks_that_need_no_change_are_not_copied() {
    let set = set();
    let mut restorer = RestoreStream::new(&set.resolve("claude-opus-4-9"));
    let chunk = b": ping\n\ndata: {\"model\":\"other\"}\n\n";
    let out = restorer.push(chunk);
    assert!(matches!(out, Cow::Borrowed(b) if std::ptr::eq(b, &chunk[..])));
    // A chunk that ends inside a line: its whole lines, borrowed; the rest held.
    let chunk = b"data: [DONE]\n\ndata: {\"mo";
    let out = restorer.push(chunk);
    assert!(matches!(out, Cow::Borrowed(b"data: [DONE]\n\n")));
    // Nothing to restore at all: every chunk passes as it is.
    let mut idle = RestoreStream::new(&set.resolve("gpt-4o"));
    let chunk = b"data: {\"model\":\"gpt-4o\"";
    assert!(matches!(idle.push(chunk), Cow::Borrowed(b) if std::ptr::eq(b, &chunk[..])));
}

/// Memory per stream is bounded: a line longer than `max_line` is sent on as it arrives,
/// unchanged, instead of being held.
#[test]
fn a_line_past_the_limit_passes_through_unchanged() {
    let set = set();
    let r = set.resolve("claude-opus-4-9");
    let big = format!(
        "data: {{\"model\":\"anthropic/claude-opus-4-8\",\"pad\":\"{}\"}}\n\ndata: {{\"model\":\"anthropic/claude-opus-4-8\"}}\n\n",
        "x".repeat(3000)
    );
    let restorer = RestoreStream::new(&r).with_max_line(1024);
    assert_eq!(restorer.max_line(), 1024);
    let mut restorer = restorer;
    let mut out = Vec::new();
    for piece in big.as_bytes().chunks(100) {
        let sent = restorer.push(piece);
        out.extend_from_slice(&sent);
    }
    out.extend(restorer.finish());
    let want = big.replacen(
        "data: {\"model\":\"anthropic/claude-opus-4-8\"}",
        "data: {\"model\":\"claude-opus-4-9\"}",
        1,
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        want,
        "the long line unchanged, the next restored"
    );
    // A 1 MiB rest in a carried resolution is restored like any other model.
    let rest = "r".repeat(1 << 20);
    let requested = format!("oai/{rest}");
    let carried = set.resolve(&requested);
    let upstream = format!("{{\"model\":\"openai/{rest}\"}}");
    let got = restore_model(upstream.as_bytes(), &carried);
    assert_eq!(got.len(), upstream.len() - "openai/".len() + "oai/".len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Any split into any number of chunks gives the same bytes as one push.
    #[test]
    fn any_split_gives_the_same_output(
        cuts in prop::collection::vec(0usize..400, 0..12),
        max_line in prop_oneof![Just(RestoreStream::DEFAULT_MAX_LINE), 1usize..200],
    ) {
        let set = set();
        let r = set.resolve("claude-opus-4-9");
        let stream = STREAM.as_bytes();
        let mut cuts = cuts;
        cuts.sort_unstable();
        let whole = restore_in_chunks(stream, &[], RestoreStream::new(&r).with_max_line(max_line));
        let split = restore_in_chunks(stream, &cuts, RestoreStream::new(&r).with_max_line(max_line));
        prop_assert_eq!(&split, &whole);
        if max_line == RestoreStream::DEFAULT_MAX_LINE {
            prop_assert_eq!(&whole, RESTORED.as_bytes());
        }
        // No byte is lost or added beyond the restored models.
        let undo = String::from_utf8(split).unwrap().replace("claude-opus-4-9", "anthropic/claude-opus-4-8");
        prop_assert_eq!(undo, STREAM);
    }
}

/// A line of exactly `max_line` bytes is still restored; one byte more passes unchanged.
#[test]
fn a_line_of_exactly_max_line_bytes_is_restored() {
    let set = set();
    let resolution = set.resolve("claude-opus-4-9");
    let line = b"data: {\"model\":\"anthropic/claude-opus-4-8\"}\n";
    let mut stream = RestoreStream::new(&resolution).with_max_line(line.len());
    assert_eq!(
        &*stream.push(line),
        &b"data: {\"model\":\"claude-opus-4-9\"}\n"[..]
    );
    let mut stream = RestoreStream::new(&resolution).with_max_line(line.len() - 1);
    assert_eq!(&*stream.push(line), &line[..]);
}

/// What `finish` returns is the last line, held because it never ended, as it came.
#[test]
fn finish_returns_the_line_that_never_ended() {
    let set = set();
    let resolution = set.resolve("claude-opus-4-9");
    let mut stream = RestoreStream::new(&resolution);
    assert_eq!(
        &*stream.push(b"data: [DONE]\n\ndata: {\"mod"),
        &b"data: [DONE]\n\n"[..]
    );
    assert_eq!(stream.finish(), b"data: {\"mod");
}
