//! JSON forms: the canonical list (written and read), the object shorthand (read), validation
//! on the way in, and round trips.
#![cfg(feature = "serde")]

use model_alias::error::Problem;
use model_alias::{Alias, AliasName, AliasSet, Limits, MatchKind, ModelId, Rule};
use proptest::prelude::*;

const CANONICAL: &str = r#"[{"name":"cross-model-basic","target":"deepseek/deepseek-chat"},{"name":"claude-opus","target":"anthropic/claude-opus-4-8","match":"prefix"}]"#;

fn spec_set() -> AliasSet {
    AliasSet::new([
        (
            "cross-model-basic",
            "deepseek/deepseek-chat",
            MatchKind::Exact,
        ),
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
    ])
    .unwrap()
}

#[test]
fn the_canonical_form_is_written_and_read() {
    assert_eq!(serde_json::to_string(&spec_set()).unwrap(), CANONICAL);
    let set: AliasSet = serde_json::from_str(CANONICAL).unwrap();
    assert_eq!(set, spec_set());
    let explicit = r#"[{"name":"cross-model-basic","target":"deepseek/deepseek-chat","match":"exact"},
                       {"match":"prefix","target":"anthropic/claude-opus-4-8","name":"claude-opus"}]"#;
    assert_eq!(
        serde_json::from_str::<AliasSet>(explicit).unwrap(),
        spec_set()
    );
}

#[test]
fn the_object_shorthand_is_read_in_order() {
    let json = r#"{"cross-model-basic": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}"#;
    let set: AliasSet = serde_json::from_str(json).unwrap();
    assert_eq!(set, spec_set());
    assert_eq!(set.resolve("claude-opus-4-9").rule(), Rule::Prefix);
    // Written back, it is the canonical list.
    assert_eq!(serde_json::to_string(&set).unwrap(), CANONICAL);
}

#[test]
fn from_json_reads_both_forms_and_skips_a_byte_order_mark() {
    assert_eq!(AliasSet::from_json(CANONICAL).unwrap(), spec_set());
    let shorthand = r#"{"cross-model-basic": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}"#;
    assert_eq!(AliasSet::from_json(shorthand).unwrap(), spec_set());
    // A file saved with a UTF-8 byte-order mark is read, not "expected value".
    assert_eq!(
        AliasSet::from_json(&format!("\u{feff}{CANONICAL}")).unwrap(),
        spec_set()
    );
    // The builder's limits apply.
    let raised = AliasSet::builder().limits(Limits::default().with_max_aliases(30));
    let many: Vec<String> = (0..25).map(|i| format!(r#""a{i}": "t""#)).collect();
    let json = format!("{{{}}}", many.join(","));
    assert_eq!(raised.from_json(&json).unwrap().len(), 25);
    assert_eq!(AliasSet::from_json(&json).unwrap_err().problems().len(), 1);
}

fn messages(json: &str) -> Vec<String> {
    let err = AliasSet::from_json(json).unwrap_err();
    err.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn from_json_reports_every_problem_with_its_row() {
    // Validation problems and the JSON error that stopped the read, in row order.
    assert_eq!(
        messages(
            r#"[{"name":"Claude-opus","target":"x"},{"name":"ok","target":"y"},{"name":"z","target":"t","weight":1}]"#
        ),
        [
            r#"row 1: alias name "Claude-opus" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"#,
            "row 3 (\"z\"): unknown field `weight`, expected one of `name`, `target`, `match`, `hidden`, `defaults`, `overrides` at line 1 column 97",
        ]
    );
    assert_eq!(
        messages(r#"{"a": "x", "b": "y""#),
        [r#"row 3: EOF while parsing an object at line 1 column 19"#]
    );
    assert_eq!(
        messages(r#"[] x"#),
        ["row 1: trailing characters at line 1 column 4"]
    );
    let err = AliasSet::from_json("[1]").unwrap_err();
    assert!(
        matches!(err.problems()[0].problem(), Problem::Json { .. }),
        "{err}"
    );
}

/// Targets other gateways nest (LiteLLM's `{"a": {"model": ..}}`) or list get their
/// row and the rule.
#[test]
fn a_shorthand_target_that_is_not_a_string_names_its_row() {
    assert_eq!(
        messages(r#"{"fast": "deepseek/deepseek-chat", "a": ["x"]}"#),
        [
            r#"row 2 ("a"): a target is one model id string, not a list: write "a": "provider/model" at line 1 column 41"#
        ]
    );
    assert_eq!(
        messages(r#"{"a": {"model": "openai/gpt-4o"}}"#),
        [
            r#"row 1 ("a"): a target is one model id string, not an object: write "a": "provider/model" at line 1 column 7"#
        ]
    );
    for (json, what) in [
        (r#"{"a": 5}"#, "a number"),
        (r#"{"a": -5}"#, "a number"),
        (r#"{"a": 0.5}"#, "a number"),
        (r#"{"a": null}"#, "null"),
        (r#"{"a": true}"#, "a boolean"),
    ] {
        let got = messages(json);
        assert!(got[0].contains(&format!("not {what}:")), "{got:?}");
    }
}

/// Stars, as other gateways write wildcards, get the fix, not a character error.
#[test]
fn stars_get_messages_that_lead_to_the_fix() {
    assert_eq!(
        messages(r#"{"*": "openai/gpt-4o-mini"}"#),
        ["row 1: a catch-all `*` is not supported: name the prefix it should match"]
    );
    assert_eq!(
        messages(r#"[{"name": "claude*", "target": "anthropic/claude-opus-4-8"}]"#),
        [
            r#"row 1: alias name "claude*" ends in '*': use "match": "prefix" instead of `*`, with the name "claude""#
        ]
    );
    // In the shorthand one trailing `*` marks a prefix alias; a second is the name's.
    assert_eq!(
        messages(r#"{"a**": "y", "b*c": "z"}"#),
        [
            r#"row 1: alias name "a*" ends in '*': use "match": "prefix" instead of `*`, with the name "a""#,
            r#"row 2: alias name "b*c" has '*' at byte 1: alias names may use only a-z, 0-9 and . _ : / -"#,
        ]
    );
}

#[test]
fn a_repeated_shorthand_key_is_a_duplicate_name() {
    let err = serde_json::from_str::<AliasSet>(r#"{"a": "x", "a*": "y"}"#).unwrap_err();
    let direct =
        AliasSet::new([("a", "x", MatchKind::Exact), ("a", "y", MatchKind::Prefix)]).unwrap_err();
    assert!(err.to_string().starts_with(&direct.to_string()), "{err}");
    assert_eq!(AliasSet::from_json(r#"{"a": "x", "a*": "y"}"#), Err(direct));
}

#[test]
fn deserializing_validates_with_the_same_messages_as_new() {
    let json = r#"[{"name":"Claude-opus","target":"x"},{"name":"ok","target":"bad target"},{"name":"ok","target":"y"}]"#;
    let err = serde_json::from_str::<AliasSet>(json)
        .unwrap_err()
        .to_string();
    let direct =
        AliasSet::new([("Claude-opus", "x"), ("ok", "bad target"), ("ok", "y")]).unwrap_err();
    assert_eq!(direct.problems().len(), 3);
    assert!(err.starts_with(&direct.to_string()), "{err}\n{direct}");
    assert_eq!(AliasSet::from_json(json), Err(direct));
    // Twenty-one rows break the default limit.
    let many: Vec<String> = (0..21)
        .map(|i| format!(r#"{{"name":"a{i}","target":"t"}}"#))
        .collect();
    let err = serde_json::from_str::<AliasSet>(&format!("[{}]", many.join(","))).unwrap_err();
    assert!(err.to_string().contains("at most 20 are allowed"), "{err}");
}

#[test]
fn malformed_json_is_rejected_with_a_reason() {
    let cases = [
        (
            r#"[{"name":"a","target":"x","extra":1}]"#,
            "unknown field `extra`",
        ),
        (
            r#"[{"name":"a","target":"x","match":"fuzzy"}]"#,
            "unknown variant `fuzzy`",
        ),
        (r#"[{"name":"a"}]"#, "missing field `target`"),
        (r#"[{"name":5,"target":"x"}]"#, "invalid type: integer `5`"),
        (
            r#"{"a": 5}"#,
            "a target is one model id string, not a number",
        ),
        (r#"[{"name":"a","target":"x"}"#, "EOF while parsing"),
        (r#""cross-model-basic""#, "expected a list of"),
        (r#"42"#, "expected a list of"),
        (r#"null"#, "expected a list of"),
    ];
    for (json, want) in cases {
        let err = serde_json::from_str::<AliasSet>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{json}: {err}");
    }
}

#[test]
fn an_empty_list_or_object_is_an_empty_set() {
    assert!(serde_json::from_str::<AliasSet>("[]").unwrap().is_empty());
    assert!(serde_json::from_str::<AliasSet>("{}").unwrap().is_empty());
}

#[test]
fn value_types_serialize_as_plain_values() {
    let name: AliasName = serde_json::from_str(r#""gpt-4o""#).unwrap();
    assert_eq!(serde_json::to_string(&name).unwrap(), r#""gpt-4o""#);
    assert!(
        serde_json::from_str::<AliasName>(r#""GPT-4o""#)
            .unwrap_err()
            .to_string()
            .contains("lowercase")
    );
    let id: ModelId = serde_json::from_str(r#""Qwen/Qwen2.5""#).unwrap();
    assert_eq!(serde_json::to_string(&id).unwrap(), r#""Qwen/Qwen2.5""#);
    assert!(serde_json::from_str::<ModelId>(r#""""#).is_err());
    assert_eq!(
        serde_json::to_string(&MatchKind::Prefix).unwrap(),
        r#""prefix""#
    );
    assert_eq!(
        serde_json::to_string(&Rule::Passthrough).unwrap(),
        r#""passthrough""#
    );
    let alias: Alias =
        serde_json::from_str(r#"{"name":"a","target":"b","match":"prefix"}"#).unwrap();
    assert_eq!(alias.kind(), MatchKind::Prefix);
    assert_eq!(
        serde_json::to_string(&alias).unwrap(),
        r#"{"name":"a","target":"b","match":"prefix"}"#
    );
    assert!(serde_json::from_str::<Alias>(r#"{"name":"A","target":"b"}"#).is_err());
}

#[test]
fn limits_serialize_with_defaults_for_missing_fields() {
    let limits: Limits = serde_json::from_str(r#"{"max_aliases": 100}"#).unwrap();
    assert_eq!(limits, Limits::default().with_max_aliases(100));
    assert_eq!(
        serde_json::to_string(&Limits::default()).unwrap(),
        r#"{"max_aliases":20,"max_name_len":64,"max_target_len":256,"max_preset_members":16,"max_preset_bytes":2048}"#
    );
    assert!(serde_json::from_str::<Limits>(r#"{"max_alias": 1}"#).is_err());
}

#[test]
fn a_resolution_serializes_as_the_test_box_line() {
    let set = spec_set();
    assert_eq!(
        serde_json::to_string(&set.resolve("claude-opus-4-9")).unwrap(),
        r#"{"model":"claude-opus-4-9","resolved":"anthropic/claude-opus-4-8","rule":"prefix","alias":"claude-opus"}"#
    );
    assert_eq!(
        serde_json::to_string(&set.resolve("gpt-3.5-turbo")).unwrap(),
        r#"{"model":"gpt-3.5-turbo","resolved":"gpt-3.5-turbo","rule":"passthrough","alias":null}"#
    );
}

/// Rows with any valid target: no `*` but at the end, and that only on prefix aliases (which
/// then carry the rest).
fn rows() -> impl Strategy<Value = Vec<(String, String, MatchKind)>> {
    let kind = prop_oneof![Just(MatchKind::Exact), Just(MatchKind::Prefix)];
    let row = ("[a-z0-9._:/-]{1,64}", "[!-)+-~]{1,40}", kind, any::<bool>()).prop_map(
        |(name, mut target, kind, carry)| {
            if carry && kind == MatchKind::Prefix {
                target.push('*');
            }
            (name, target, kind)
        },
    );
    prop::collection::vec(row, 0..=20).prop_map(|mut rows| {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|r| seen.insert(r.0.clone()));
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn json_round_trips(rows in rows()) {
        let set = AliasSet::new(&rows).unwrap();
        let json = serde_json::to_string(&set).unwrap();
        let back: AliasSet = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &set);
        prop_assert_eq!(&AliasSet::from_json(&json).unwrap(), &set);
        // The shorthand reads to the same set.
        let shorthand: serde_json::Map<String, serde_json::Value> = rows
            .iter()
            .map(|(n, t, k)| {
                let key = if *k == MatchKind::Prefix { format!("{n}*") } else { n.clone() };
                (key, serde_json::Value::String(t.clone()))
            })
            .collect();
        // serde_json's Map is sorted; compare as sets of aliases.
        let from_short: AliasSet = serde_json::from_value(serde_json::Value::Object(shorthand)).unwrap();
        let mut a: Vec<_> = from_short.iter().collect();
        let mut b: Vec<_> = set.iter().collect();
        a.sort_by(|x, y| x.name().cmp(y.name()));
        b.sort_by(|x, y| x.name().cmp(y.name()));
        prop_assert_eq!(a, b);
    }
}

/// `"hidden": true` is read and written only when true; a carried target reads in
/// both forms; the shorthand has no place for `hidden`.
#[test]
fn hidden_and_carried_rows_round_trip() {
    let json = r#"[{"name":"oai/","target":"openai/*","match":"prefix"},{"name":"batch","target":"deepseek/deepseek-chat","hidden":true},{"name":"fast","target":"deepseek/deepseek-chat","hidden":false}]"#;
    let set = AliasSet::from_json(json).unwrap();
    let hidden: Vec<bool> = set.iter().map(|a| a.is_hidden()).collect();
    assert_eq!(hidden, [false, true, false]);
    assert_eq!(
        serde_json::to_string(&set).unwrap(),
        r#"[{"name":"oai/","target":"openai/*","match":"prefix"},{"name":"batch","target":"deepseek/deepseek-chat","hidden":true},{"name":"fast","target":"deepseek/deepseek-chat"}]"#
    );
    let back: AliasSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
    assert_eq!(back, set);
    let alias: Alias = serde_json::from_str(r#"{"name":"b","target":"t","hidden":true}"#).unwrap();
    assert!(alias.is_hidden());
    assert_eq!(
        serde_json::to_string(&alias).unwrap(),
        r#"{"name":"b","target":"t","hidden":true}"#
    );
    let err = serde_json::from_str::<Alias>(r#"{"name":"b","target":"t*"}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("an exact alias has nothing to carry"),
        "{err}"
    );

    // The issue's shorthand example.
    let set = AliasSet::from_json(r#"{"claude-*": "anthropic/claude-*"}"#).unwrap();
    assert_eq!(
        set.resolve("claude-opus-4-9").model(),
        "anthropic/claude-opus-4-9"
    );
    assert_eq!(set.resolve("claude-").model(), "anthropic/claude-");
}

/// A resolution's `resolved` is the whole model, a carried rest included.
#[test]
fn a_carried_resolution_serializes_whole() {
    let set =
        AliasSet::from_json(r#"[{"name":"oai/","target":"openai/*","match":"prefix"}]"#).unwrap();
    assert_eq!(
        serde_json::to_string(&set.resolve("oai/gpt-\"4o")).unwrap(),
        r#"{"model":"oai/gpt-\"4o","resolved":"openai/gpt-\"4o","rule":"prefix","alias":"oai/"}"#
    );
}

/// Problems and warnings as JSON, for a dashboard to show each next to its row.
#[test]
fn problems_and_warnings_serialise_with_row_name_field_kind_and_message() {
    let err = AliasSet::from_json(
        r#"[{"name": "Pro", "target": "a/b"}, {"name": "fast", "target": ""},
            {"name": "fast", "target": "x/y"}, {"name": "all", "target": "openai/*"},
            {"name": "t", "target": "x/*", "match": "prefix"}]"#,
    )
    .unwrap_err();
    let json = serde_json::to_value(&err).unwrap();
    let problems = json["problems"].as_array().unwrap();
    let summary: Vec<(u64, &str, &serde_json::Value, &str)> = problems
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["name"].as_str().unwrap(),
                &p["field"],
                p["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "Pro", &serde_json::json!("name"), "name_uppercase"),
            (2, "fast", &serde_json::json!("target"), "target_empty"),
            (3, "fast", &serde_json::json!("name"), "duplicate_name"),
            (4, "all", &serde_json::json!("match"), "carry_on_exact"),
        ]
    );
    // The message is the problem's own, without the row it is shown next to.
    for (p, e) in problems.iter().zip(err.problems()) {
        assert_eq!(p["message"], e.problem().to_string());
        assert!(!p["message"].as_str().unwrap().starts_with("row "));
    }

    let too_many: Vec<(String, &str)> = (0..21).map(|i| (format!("a{i}"), "x/y")).collect();
    let err = AliasSet::new(&too_many).unwrap_err();
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["problems"][0]["kind"], "too_many");
    assert_eq!(json["problems"][0]["field"], serde_json::Value::Null);
    assert_eq!(json["problems"][0]["row"], 21);

    let set = AliasSet::new([
        ("fast", "pro"),
        ("pro", "deepseek/deepseek-chat"),
        ("tpl", "{model}"),
    ])
    .unwrap();
    let warnings = serde_json::to_value(set.warnings()).unwrap();
    assert_eq!(
        warnings,
        serde_json::json!([
            {"row": 1, "name": "fast", "kind": "target_is_alias_name", "message": set.warnings()[0].to_string().split_once(": ").unwrap().1},
            {"row": 3, "name": "tpl", "kind": "template_syntax", "message": set.warnings()[1].to_string().split_once(": ").unwrap().1},
        ])
    );
}

/// A format other than JSON can hand a target
/// over as bytes, which JSON has no way to write; the error still says what a target is.
#[test]
fn a_target_as_bytes_from_another_format_is_refused_saying_what_a_target_is() {
    use serde::Deserialize;
    use serde::de::value::{Error, MapDeserializer};
    let map =
        MapDeserializer::<_, Error>::new([("fast", &b"deepseek/deepseek-chat"[..])].into_iter());
    let err = AliasSet::deserialize(map).expect_err("bytes are not a target");
    assert!(
        err.to_string()
            .contains("expected a target model id string"),
        "{err}"
    );
}

/// `"hidden"` takes a boolean, and anything else is refused saying so.
#[test]
fn a_hidden_flag_that_is_not_a_boolean_says_what_it_takes() {
    for flag in [r#""yes""#, "1", "null"] {
        let json = format!(r#"[{{"name":"b","target":"t","hidden":{flag}}}]"#);
        let got = messages(&json);
        assert_eq!(got.len(), 1, "{json}: {got:?}");
        assert!(
            got[0].starts_with("row 1") && got[0].contains(r#"expected "hidden": true or false"#),
            "{json}: {got:?}"
        );
    }
}

#[test]
fn a_row_that_is_not_read_is_reported_with_its_name() {
    let err = AliasSet::from_json(
        r#"[{"name": "fast", "target": "deepseek/deepseek-chat"}, {"name": "pro", "target": 5}]"#,
    )
    .unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!((problem.row(), problem.name()), (2, "pro"));
    // A row whose name is not a string, or text that is not JSON, has no name to give.
    for json in [
        r#"[{"name": 7, "target": 5}]"#,
        r#"[{"name": "pro", "target": "#,
    ] {
        let err = AliasSet::from_json(json).unwrap_err();
        assert_eq!(err.problems()[0].name(), "", "{json}");
    }
}
