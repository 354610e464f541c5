//! Hostile and malformed input, end to end: every case gets a correct resolution or a clear
//! error, never a panic, and nothing is half-built. The README's "What bad input gets" table is
//! a summary of these tables; a case added there belongs here first.
//!
//! Memory is checked with a counting allocator (peak bytes allocated by the test's own thread).
//! Time is not checked here (timed tests are flaky on shared machines): the bounds are the
//! complexities stated in the docs, and the `resolve` benchmark measures the 1 MiB case.

mod common;

use common::counting::{Counting, peak_bytes};
use model_alias::{AliasSet, MatchKind, Rule};

#[global_allocator]
static ALLOC: Counting = Counting;

const MIB: usize = 1 << 20;

fn set() -> AliasSet {
    AliasSet::new([
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
        ("gpt-4o", "openai/gpt-4o", MatchKind::Exact),
        (
            "cross-model-basic",
            "deepseek/deepseek-chat",
            MatchKind::Exact,
        ),
    ])
    .expect("a valid set")
}

/// Models a client may send, and the alias each must resolve through (`None`: passthrough).
fn models() -> Vec<(&'static str, String, Option<&'static str>)> {
    vec![
        ("empty model", String::new(), None),
        ("NUL alone", "\0".into(), None),
        (
            "NUL after a prefix alias is just a byte",
            "claude-opus\0".into(),
            Some("claude-opus"),
        ),
        ("NUL inside an exact name", "gpt-\u{0}4o".into(), None),
        ("trailing CR LF is not trimmed", "gpt-4o\r\n".into(), None),
        ("ANSI escape", "\x1b[31mgpt-4o".into(), None),
        ("leading space is not trimmed", " gpt-4o".into(), None),
        ("uppercase is a different name", "GPT-4o".into(), None),
        ("uppercase prefix", "Claude-opus-4-9".into(), None),
        ("fullwidth c look-alike", "ｃlaude-opus-4-9".into(), None),
        ("Cyrillic о look-alike", "claude-оpus-4-9".into(), None),
        (
            "look-alike after the prefix still matches",
            "claude-opusｘ".into(),
            Some("claude-opus"),
        ),
        (
            "exact name extended is no exact hit",
            "gpt-4o-mini".into(),
            None,
        ),
        (
            "1 MiB after a prefix alias",
            format!("claude-opus{}", "x".repeat(MIB)),
            Some("claude-opus"),
        ),
        ("1 MiB miss", "a".repeat(MIB), None),
        ("1 MiB of NULs", "\0".repeat(MIB), None),
        ("1 MiB of 4-byte characters", "😀".repeat(MIB / 4), None),
        (
            "name plus 1 MiB on an exact alias",
            format!("gpt-4o{}", " ".repeat(MIB)),
            None,
        ),
    ]
}

#[test]
fn any_model_resolves_correctly_on_every_resolver() {
    let set = set();
    for (name, resolver) in common::resolvers(&set) {
        for (what, model, want) in models() {
            let r = resolver.resolve(&model);
            let got = r.alias().map(|a| a.name());
            assert_eq!(got, want, "{name}: {what}");
            match want {
                Some(_) => assert_ne!(r.rule(), Rule::Passthrough, "{name}: {what}"),
                // Passthrough hands back the very string the client sent.
                None => assert!(
                    std::ptr::eq(r.model().head(), model.as_str()),
                    "{name}: {what}"
                ),
            }
        }
    }
}

/// Under ASCII case folding, only `A-Z` fold. Look-alikes stay different names,
/// and a carried rest of 1 MiB is the client's text, borrowed.
#[test]
fn folding_matches_only_ascii_case_on_every_resolver() {
    let set = AliasSet::builder()
        .ignore_case(true)
        .build([
            (
                "claude-opus",
                "anthropic/claude-opus-4-8",
                MatchKind::Prefix,
            ),
            ("kimi", "moonshot/kimi-k2", MatchKind::Exact),
            ("oai/", "openai/*", MatchKind::Prefix),
        ])
        .expect("a valid set");
    let rest = "X".repeat(MIB);
    let carried = format!("OAI/{rest}");
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        ("mixed case", "ClAuDe-OpUs-4-9".into(), Some("claude-opus")),
        ("Kelvin sign for K", "\u{212A}imi".into(), None),
        ("dotless i for i", "k\u{0131}mi".into(), None),
        ("fullwidth C", "\u{FF23}laude-opus".into(), None),
        ("Cyrillic o", "claude-\u{041E}pus".into(), None),
        ("long s for s", "\u{017F}".into(), None),
        (
            "uppercase then 1 MiB",
            format!("CLAUDE-OPUS{}", "\u{0}".repeat(MIB)),
            Some("claude-opus"),
        ),
        ("a carried rest of 1 MiB", carried.clone(), Some("oai/")),
    ];
    for (name, resolver) in common::resolvers(&set) {
        for (what, model, want) in &cases {
            let (r, peak) =
                peak_bytes(|| resolver.resolve(model).alias().map(|a| a.name().to_owned()));
            assert_eq!(r.as_deref(), *want, "{name}: {what}");
            assert!(
                peak < 1024,
                "{name}: {what}: resolving allocated {peak} bytes"
            );
        }
        let r = resolver.resolve(&carried);
        assert_eq!(r.model().head(), "openai/", "{name}");
        assert!(
            std::ptr::eq(r.model().rest(), &carried[4..]),
            "{name}: the rest is borrowed"
        );
    }
}

/// Alias rows a customer may save.
type Rows = Vec<(String, String, MatchKind)>;

fn exact(name: impl Into<String>, target: impl Into<String>) -> (String, String, MatchKind) {
    (name.into(), target.into(), MatchKind::Exact)
}

fn numbered(n: usize) -> Rows {
    (0..n).map(|i| exact(format!("alias-{i}"), "t")).collect()
}

/// The set's size, or the start of each problem's message in row order.
type Built = Result<usize, Vec<&'static str>>;

fn row_cases() -> Vec<(&'static str, Rows, Built)> {
    let name_64 = "n".repeat(64);
    let target_256 = "T".repeat(256);
    vec![
        (
            "empty name",
            vec![exact("", "t")],
            Err(vec!["row 1: alias name is empty"]),
        ),
        (
            "empty target",
            vec![exact("a", "")],
            Err(vec!["row 1 (\"a\"): target model id is empty"]),
        ),
        (
            "1 MiB name",
            vec![exact("a".repeat(MIB), "t")],
            Err(vec!["row 1: alias name \"aaaa"]),
        ),
        (
            "1 MiB target",
            vec![exact("a", "t".repeat(MIB))],
            Err(vec!["row 1 (\"a\"): target model id \"tttt"]),
        ),
        (
            "NUL in a name",
            vec![exact("a\0b", "t")],
            Err(vec![
                "row 1: alias name \"a\\0b\" has '\\0' (U+0000) at byte 1",
            ]),
        ),
        (
            "tab in a target",
            vec![exact("a", "x\ty")],
            Err(vec![
                "row 1 (\"a\"): target model id \"x\\ty\" has '\\t' (U+0009) at byte 1",
            ]),
        ),
        (
            "fullwidth look-alike",
            vec![exact("ｃlaude", "t")],
            Err(vec![
                "row 1: alias name \"ｃlaude\" has 'ｃ' (U+FF43) at byte 0",
            ]),
        ),
        (
            "Cyrillic look-alike",
            vec![exact("claude-оpus", "t")],
            Err(vec![
                "row 1: alias name \"claude-оpus\" has 'о' (U+043E) at byte 7",
            ]),
        ),
        (
            "uppercase name",
            vec![exact("Claude-opus", "t")],
            Err(vec![
                "row 1: alias name \"Claude-opus\" has 'C' at byte 0: alias names are lowercase",
            ]),
        ),
        (
            "uppercase target is kept",
            vec![exact("a", "Org/Model-X")],
            Ok(1),
        ),
        (
            "name at the limit",
            vec![exact(name_64.clone(), "t")],
            Ok(1),
        ),
        (
            "name one past the limit",
            vec![exact(format!("{name_64}n"), "t")],
            Err(vec!["row 1: alias name \"nnnn"]),
        ),
        (
            "target at the limit",
            vec![exact("a", target_256.clone())],
            Ok(1),
        ),
        (
            "target one past the limit",
            vec![exact("a", format!("{target_256}T"))],
            Err(vec!["row 1 (\"a\"): target model id \"TTTT"]),
        ),
        ("20 aliases", numbered(20), Ok(20)),
        (
            "21 aliases",
            numbered(21),
            Err(vec![
                "row 21 (\"alias-20\"): the set has 21 aliases but at most 20 are allowed: remove 1 row",
            ]),
        ),
        (
            "a million aliases",
            numbered(1_000_000),
            Err(vec!["row 21 (\"alias-20\"): the set has 1000000 aliases"]),
        ),
        (
            "duplicate across kinds",
            vec![exact("a", "t"), ("a".into(), "u".into(), MatchKind::Prefix)],
            Err(vec!["row 2 (\"a\"): the name is already used by row 1"]),
        ),
        (
            "'*' inside a target",
            vec![("a".into(), "open*ai/gpt".into(), MatchKind::Prefix)],
            Err(vec![
                "row 1 (\"a\"): target model id \"open*ai/gpt\" has '*' at byte 4",
            ]),
        ),
        (
            "'*' twice at the end",
            vec![("a".into(), "openai/**".into(), MatchKind::Prefix)],
            Err(vec![
                "row 1 (\"a\"): target model id \"openai/**\" has '*' at byte 7",
            ]),
        ),
        (
            "'*' alone as a target",
            vec![("a".into(), "*".into(), MatchKind::Prefix)],
            Err(vec!["row 1 (\"a\"): a target of only '*'"]),
        ),
        (
            "'*' ending an exact alias's target",
            vec![exact("a", "openai/*")],
            Err(vec!["row 1 (\"a\"): an exact alias has nothing to carry"]),
        ),
        (
            "'*' ending a prefix alias's target carries",
            vec![("a".into(), "openai/*".into(), MatchKind::Prefix)],
            Ok(1),
        ),
        (
            "'*' in a name",
            vec![exact("a*b", "t")],
            Err(vec!["row 1: alias name \"a*b\" has '*' at byte 1"]),
        ),
        (
            "a carried target at the limit, '*' included",
            vec![(
                "a".into(),
                format!("{}*", "T".repeat(255)),
                MatchKind::Prefix,
            )],
            Ok(1),
        ),
        (
            "a carried target one past the limit",
            vec![(
                "a".into(),
                format!("{}*", "T".repeat(256)),
                MatchKind::Prefix,
            )],
            Err(vec!["row 1 (\"a\"): target model id \"TTTT"]),
        ),
        (
            "every problem at once",
            vec![exact("A", ""), exact("ok", "t"), exact("ok", "t")],
            Err(vec![
                "row 1: alias name",
                "row 1 (\"A\"): target model id is empty",
                "row 3 (\"ok\"): the name is already used",
            ]),
        ),
    ]
}

#[test]
fn any_rows_build_whole_or_report_every_problem() {
    for (what, rows, want) in row_cases() {
        let got = AliasSet::new(&rows);
        match (got, want) {
            (Ok(set), Ok(len)) => assert_eq!(set.len(), len, "{what}"),
            (Err(err), Err(starts)) => {
                let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
                assert_eq!(messages.len(), starts.len(), "{what}: {messages:#?}");
                for (message, start) in messages.iter().zip(starts) {
                    assert!(
                        message.starts_with(start),
                        "{what}: {message:?} should start {start:?}"
                    );
                    // A 1 MiB input never makes a 1 MiB message.
                    assert!(message.len() < 400, "{what}: {} bytes", message.len());
                }
            }
            (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn rows_past_the_limit_cost_no_memory() {
    let rows = numbered(1_000_000);
    let (err, peak) = peak_bytes(|| AliasSet::new(&rows).unwrap_err());
    assert_eq!(err.problems().len(), 1);
    // The 20 kept aliases and the error: a few KiB, not the million rows.
    assert!(peak < 64 * 1024, "validation held {peak} bytes at its peak");
}

/// JSON uploads (feature `serde`).
#[cfg(feature = "serde")]
mod json {
    use std::io::{self, BufReader, Read};

    use super::*;

    /// JSON a customer may upload, and what it gets: the set's size or a piece of the error.
    fn json_cases() -> Vec<(&'static str, Vec<u8>, Result<usize, &'static str>)> {
        let twenty_one: Vec<String> = (0..21).map(|i| format!(r#""a{i}": "t""#)).collect();
        vec![
            (
                "empty input",
                b"".to_vec(),
                Err("EOF while parsing a value at line 1 column 0"),
            ),
            ("empty list", b"[]".to_vec(), Ok(0)),
            ("empty object", b"{}".to_vec(), Ok(0)),
            (
                "both forms",
                br#"[{"name": "a", "target": "t", "match": "prefix"}]"#.to_vec(),
                Ok(1),
            ),
            (
                "truncated list",
                br#"[{"name": "a", "target": "t"}, {"name": "b", "tar"#.to_vec(),
                Err("EOF while parsing a string"),
            ),
            (
                "truncated object",
                br#"{"a": "t", "b""#.to_vec(),
                Err("EOF while parsing an object"),
            ),
            (
                "10,000 nested lists",
                "[".repeat(10_000).into_bytes(),
                Err("invalid type: sequence, expected a string"),
            ),
            (
                "10,000 nested objects",
                r#"{"a":"#.repeat(10_000).into_bytes(),
                Err("a target is one model id string, not an object"),
            ),
            (
                "10,000 nested lists in a row",
                format!(r#"[{{"name": {}"#, "[".repeat(10_000)).into_bytes(),
                Err("invalid type: sequence, expected a string"),
            ),
            (
                "duplicate keys in the shorthand",
                br#"{"a": "t", "a*": "u"}"#.to_vec(),
                Err("row 2 (\"a\"): the name is already used by row 1"),
            ),
            (
                "duplicate field in a row",
                br#"[{"name": "a", "name": "b", "target": "t"}]"#.to_vec(),
                Err("duplicate field `name`"),
            ),
            (
                "number for a name",
                br#"[{"name": 1, "target": "t"}]"#.to_vec(),
                Err("invalid type: integer `1`, expected a string"),
            ),
            (
                "null target",
                br#"{"a": null}"#.to_vec(),
                Err("a target is one model id string, not null"),
            ),
            (
                "a bare string",
                br#""claude""#.to_vec(),
                Err("invalid type: string \"claude\", expected a list of"),
            ),
            (
                "unknown match kind",
                br#"[{"name": "a", "target": "t", "match": "regex"}]"#.to_vec(),
                Err("unknown variant `regex`, expected `exact` or `prefix`"),
            ),
            (
                "huge number",
                br#"[{"name": "a", "target": 1e999999}]"#.to_vec(),
                Err("number out of range"),
            ),
            (
                "huge integer",
                br#"{"a": 123456789012345678901234567890}"#.to_vec(),
                Err("a target is one model id string, not a number"),
            ),
            (
                "unknown field",
                br#"[{"name": "a", "target": "t", "weight": 2}]"#.to_vec(),
                Err("unknown field `weight`"),
            ),
            (
                "non-UTF-8 bytes",
                b"{\"a\xff\": \"t\"}".to_vec(),
                Err("invalid unicode code point"),
            ),
            (
                "lone surrogate escape",
                br#"{"\ud800": "t"}"#.to_vec(),
                Err("unexpected end of hex escape"),
            ),
            (
                "escaped uppercase",
                br#"{"\u0041": "t"}"#.to_vec(),
                Err("alias name \"A\" has 'A' at byte 0"),
            ),
            (
                "21 aliases",
                format!("{{{}}}", twenty_one.join(",")).into_bytes(),
                Err("the set has 21 aliases but at most 20"),
            ),
            (
                "1 MiB name",
                format!(r#"{{"{}": "t"}}"#, "a".repeat(MIB)).into_bytes(),
                Err("is 1048576 bytes long"),
            ),
            (
                "hidden as a string",
                br#"[{"name": "a", "target": "t", "hidden": "true"}]"#.to_vec(),
                Err("invalid type: string \"true\", expected \"hidden\": true or false"),
            ),
            (
                "hidden as a number",
                br#"[{"name": "a", "target": "t", "hidden": 1}]"#.to_vec(),
                Err("invalid type: integer `1`, expected \"hidden\": true or false"),
            ),
            (
                "hidden as null",
                br#"[{"name": "a", "target": "t", "hidden": null}]"#.to_vec(),
                Err("expected \"hidden\": true or false"),
            ),
            (
                "hidden in the shorthand is a target",
                br#"{"a": "t", "hidden": true}"#.to_vec(),
                Err("a target is one model id string, not a boolean"),
            ),
            (
                "a hidden carrying alias",
                br#"[{"name": "oai/", "target": "openai/*", "match": "prefix", "hidden": true}]"#
                    .to_vec(),
                Ok(1),
            ),
            (
                "'*' in the middle of a shorthand target",
                br#"{"claude-*": "anthropic/*/claude"}"#.to_vec(),
                Err("has '*' at byte 10"),
            ),
            (
                "'*' ending an exact shorthand alias's target",
                br#"{"claude": "anthropic/claude-*"}"#.to_vec(),
                Err("an exact alias has nothing to carry"),
            ),
        ]
    }

    #[test]
    fn any_json_reads_as_a_valid_set_or_a_clear_error() {
        for (what, json, want) in json_cases() {
            // The one-call reader agrees: a set, or every problem with its row.
            if let Ok(text) = std::str::from_utf8(&json) {
                let read = AliasSet::from_json(text);
                assert_eq!(read.is_ok(), want.is_ok(), "{what}: {read:?}");
                if let (Err(err), Err(piece)) = (&read, &want) {
                    let all = err.to_string();
                    assert!(
                        all.contains(piece),
                        "{what}: {all:?} should contain {piece:?}"
                    );
                    assert!(
                        err.problems()
                            .iter()
                            .all(|p| p.to_string().starts_with("row "))
                    );
                }
            }
            let got = serde_json::from_slice::<AliasSet>(&json);
            match (got, want) {
                (Ok(set), Ok(len)) => assert_eq!(set.len(), len, "{what}"),
                (Err(err), Err(piece)) => {
                    let message = err.to_string();
                    assert!(
                        message.contains(piece),
                        "{what}: {message:?} should contain {piece:?}"
                    );
                    assert!(message.len() < 400, "{what}: {} bytes", message.len());
                }
                (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
            }
        }
    }

    /// A JSON alias file of `rows` rows, produced as it is read: the test never holds the file.
    struct HugeFile {
        rows: usize,
        written: usize,
        pending: Vec<u8>,
        /// Bytes handed to the reader so far.
        produced: usize,
    }

    impl HugeFile {
        fn new(rows: usize) -> HugeFile {
            HugeFile {
                rows,
                written: 0,
                pending: b"[".to_vec(),
                produced: 0,
            }
        }
    }

    impl Read for HugeFile {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            while self.pending.len() < buf.len() && self.written <= self.rows {
                if self.written == self.rows {
                    self.pending.push(b']');
                } else {
                    let comma = if self.written == 0 { "" } else { "," };
                    let row = format!(
                        r#"{comma}{{"name": "team-{}/claude-opus-{:08}", "target": "anthropic/claude-opus-4-8", "match": "prefix"}}"#,
                        self.written % 97,
                        self.written,
                    );
                    self.pending.extend_from_slice(row.as_bytes());
                }
                self.written += 1;
            }
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            self.produced += n;
            Ok(n)
        }
    }

    #[test]
    fn a_huge_alias_file_is_rejected_in_bounded_memory() {
        // About 300 MB of rows, streamed through serde_json as a gateway would read an upload.
        let rows = 3_000_000;
        let mut file = HugeFile::new(rows);
        let (got, peak) = peak_bytes(|| {
            serde_json::from_reader::<_, AliasSet>(BufReader::with_capacity(64 * 1024, &mut file))
        });
        let message = got.expect_err("far too many rows").to_string();
        assert!(
            message.contains(&format!("the set has {rows} aliases but at most 20")),
            "{message}"
        );
        // The reader's buffers, one row at a time and the 20 kept aliases: not the file.
        assert!(peak < 512 * 1024, "reading held {peak} bytes at its peak");
        assert!(
            file.produced > 250_000_000,
            "only {} bytes read",
            file.produced
        );
    }
}
