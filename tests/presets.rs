//! Presets: validation of `defaults` and `overrides` (every bad input the issue lists, through
//! a row type of the caller's and through the JSON form), their JSON forms, warnings, the
//! table, and the request rewrite that applies them, checked against serde_json.

#![cfg(feature = "openai")]

mod common;

use common::counting::{self, Counting};
use model_alias::error::{PresetError, Problem};
use model_alias::openai::{MAX_DEPTH, RewriteError, restore_model, rewrite_model};
use model_alias::table::TableBuilder;
use model_alias::{AliasSet, AliasTable, Limits, MatchKind, Row, WarningKind};
use proptest::prelude::*;
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: Counting = Counting;

/// A row as a caller's own type gives it: presets as JSON text, not yet checked.
#[derive(Debug, Clone, Default)]
struct Text {
    name: &'static str,
    defaults: Option<String>,
    overrides: Option<String>,
}

impl Row for Text {
    fn name(&self) -> &str {
        self.name
    }
    fn target(&self) -> &str {
        "deepseek/deepseek-chat"
    }
    fn kind(&self) -> MatchKind {
        MatchKind::Exact
    }
    fn defaults(&self) -> Option<&str> {
        self.defaults.as_deref()
    }
    fn overrides(&self) -> Option<&str> {
        self.overrides.as_deref()
    }
}

fn row(defaults: Option<&str>, overrides: Option<&str>) -> Text {
    Text {
        name: "pro",
        defaults: defaults.map(str::to_owned),
        overrides: overrides.map(str::to_owned),
    }
}

/// The problems of one row, as `(field, kind)` of their JSON form.
fn problems(row: Text) -> Vec<(String, String)> {
    match AliasSet::new([row]) {
        Ok(_) => Vec::new(),
        Err(err) => err
            .problems()
            .iter()
            .map(|p| {
                let v = serde_json::to_value(p).unwrap();
                (
                    v["field"].to_string(),
                    v["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
    }
}

fn one(field: &str, kind: &str) -> Vec<(String, String)> {
    vec![(format!("\"{field}\""), kind.to_owned())]
}

#[test]
fn presets_that_are_not_objects_are_refused_at_their_field() {
    for text in ["\"high\"", "[1]", "3", "null", "true"] {
        assert_eq!(
            problems(row(Some(text), None)),
            one("defaults", "preset_not_object"),
            "{text}"
        );
        assert_eq!(
            problems(row(None, Some(text))),
            one("overrides", "preset_not_object"),
            "{text}"
        );
    }
    for text in ["", "{", "{\"a\":}", "{\"a\":1,}", "{} {}", "{'a':1}"] {
        assert_eq!(
            problems(row(Some(text), None)),
            one("defaults", "preset_not_json"),
            "{text:?}"
        );
    }
    let err = AliasSet::new([row(Some("[1]"), None)]).unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        r#"row 1 ("pro"): "defaults" is a JSON array, not an object: write an object of request members, such as {"temperature": 0.2}"#,
    );
}

#[test]
fn forbidden_members_are_refused_escaped_or_not() {
    for (text, member) in [
        (r#"{"model": "x"}"#, "model"),
        (r#"{"stream": true}"#, "stream"),
        (
            r#"{"stream_options": {"include_usage": true}}"#,
            "stream_options",
        ),
        (r#"{"str\u0065am": false}"#, "stream"),
    ] {
        let err = AliasSet::new([row(None, Some(text))]).unwrap_err();
        assert_eq!(
            err.problems()[0].problem(),
            &Problem::Overrides(PresetError::Forbidden {
                member: member.into()
            }),
            "{text}"
        );
    }
    // `models` or `Model` are other members: not forbidden.
    assert!(problems(row(Some(r#"{"models": 1, "Model": 2}"#), None)).is_empty());
}

#[test]
fn too_many_members_or_bytes_are_refused_on_the_object_that_passes_the_limit() {
    let members = |n: usize| {
        let inner: Vec<String> = (0..n).map(|i| format!("\"m{i}\":{i}")).collect();
        format!("{{{}}}", inner.join(","))
    };
    assert!(problems(row(Some(&members(16)), None)).is_empty());
    assert_eq!(
        problems(row(Some(&members(17)), None)),
        one("defaults", "preset_too_many_members")
    );
    assert_eq!(
        problems(row(
            Some(&members(10)),
            Some(r#"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}"#)
        )),
        one("overrides", "preset_too_many_members")
    );
    // 2,048 bytes of compact JSON, braces included; whitespace is not counted.
    let sized = |len: usize| format!("{{\"v\": \"{}\"}}", "x".repeat(len - 8));
    assert_eq!(sized(2048).len(), 2049, "one space, not counted");
    assert!(problems(row(Some(&sized(2048)), None)).is_empty());
    assert_eq!(
        problems(row(Some(&sized(2049)), None)),
        one("defaults", "preset_too_long")
    );
    assert_eq!(
        problems(row(
            Some(&sized(1200)),
            Some(&sized(1200).replace("\"v\"", "\"w\""))
        )),
        one("overrides", "preset_too_long")
    );
    // The limits are the set's: raised, the same rows pass.
    let raised = Limits::default()
        .with_max_preset_members(17)
        .with_max_preset_bytes(4096);
    let rows = [
        row(Some(&members(17)), None),
        Text {
            name: "b",
            ..row(Some(&sized(4000)), None)
        },
    ];
    assert!(AliasSet::with_limits(rows, raised).is_ok());
    assert_eq!(
        Limits::default()
            .with_max_preset_members(1_000)
            .max_preset_members(),
        64
    );
}

#[test]
fn a_member_in_both_objects_or_twice_in_one_is_refused() {
    assert_eq!(
        problems(row(
            Some(r#"{"temperature": 1}"#),
            Some(r#"{"temperature": 2}"#)
        )),
        one("overrides", "preset_in_both")
    );
    // Escapes are decoded: `max\u005ftokens` is `max_tokens`.
    assert_eq!(
        problems(row(
            Some(r#"{"max_tokens": 1}"#),
            Some(r#"{"max\u005ftokens": 2}"#)
        )),
        one("overrides", "preset_in_both")
    );
    assert_eq!(
        problems(row(
            Some(r#"{"max_tokens": 1, "max\u005ftokens": 2}"#),
            None
        )),
        one("defaults", "preset_repeated_member")
    );
}

#[test]
fn values_are_judged_as_serde_json_judges_them() {
    let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
    // The object is the first level, as a body's top-level object is.
    assert!(
        problems(row(
            Some(&format!("{{\"a\":{}}}", deep(MAX_DEPTH - 1))),
            None
        ))
        .is_empty()
    );
    assert_eq!(
        problems(row(Some(&format!("{{\"a\":{}}}", deep(MAX_DEPTH))), None)),
        one("defaults", "preset_too_deep")
    );
    for value in [
        r#""\ud800""#,
        r#""\udc00x""#,
        "1e400",
        "-1.8e308",
        "1.7976931348623157e308",
    ] {
        let text = format!("{{\"a\":{value}}}");
        let ours = problems(row(Some(&text), None));
        assert_eq!(ours, one("defaults", "preset_not_json"), "{text}");
        // 1.7976931348623157e308 is in the sliver the rewrite refuses on purpose (json.rs).
        if value != "1.7976931348623157e308" {
            assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
        }
    }
    for value in [r#""\ud83d\ude00""#, "1e308", "-0", "1E-400", r#""é\u00e9""#] {
        let text = format!("{{\"a\":{value}}}");
        assert!(problems(row(Some(&text), None)).is_empty(), "{text}");
        assert!(serde_json::from_str::<Value>(&text).is_ok(), "{text}");
    }
}

#[test]
fn the_json_form_reads_and_writes_presets_and_refuses_what_validation_refuses() {
    let json = r#"[{"name": "pro", "target": "deepseek/deepseek-reasoner",
        "defaults": {"reasoning_effort": "high", "temperature": 0.2},
        "overrides": {"max_tokens": 8192, "response_format": {"type": "json_object", "a": [1, 2]}}},
        {"name": "plain", "target": "openai/gpt-4o", "defaults": {}, "overrides": null}]"#;
    let set = AliasSet::from_json(json).unwrap();
    let written = serde_json::to_string(&set).unwrap();
    assert_eq!(
        written,
        r#"[{"name":"pro","target":"deepseek/deepseek-reasoner","defaults":{"reasoning_effort":"high","temperature":0.2},"overrides":{"max_tokens":8192,"response_format":{"type":"json_object","a":[1,2]}}},{"name":"plain","target":"openai/gpt-4o"}]"#,
        "members in their order, nested ones too; empty objects left out"
    );
    assert_eq!(AliasSet::from_json(&written).unwrap(), set);
    assert!(set.iter().nth(1).unwrap().presets().is_none());

    let bad = r#"[{"name": "a", "target": "x/y", "defaults": {"stream": true}},
        {"name": "b", "target": "x/y", "overrides": "high"},
        {"name": "c", "target": "x/y", "defaults": {"n": 1}, "overrides": {"n": 2}}]"#;
    let err = AliasSet::from_json(bad).unwrap_err();
    let got: Vec<(usize, &str, String)> = err
        .problems()
        .iter()
        .map(|p| {
            (
                p.row(),
                p.name(),
                serde_json::to_value(p).unwrap()["field"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "a", "\"defaults\"".to_owned()),
            (2, "b", "\"overrides\"".to_owned()),
            (3, "c", "\"overrides\"".to_owned())
        ]
    );
    // What serde_json refuses inside a preset is a JSON problem at its row.
    let err = AliasSet::from_json(r#"[{"name": "a", "target": "x/y", "defaults": {"t": 1e400}}]"#)
        .unwrap_err();
    assert_eq!(err.problems()[0].row(), 1);
    assert!(
        err.problems()[0]
            .to_string()
            .contains("number out of range"),
        "{err}"
    );
    // A lone alias reads them too, and refuses the same things.
    let alias: model_alias::Alias =
        serde_json::from_str(r#"{"name":"a","target":"x/y","overrides":{"seed":7}}"#).unwrap();
    assert_eq!(alias.presets().unwrap().overrides(), r#"{"seed":7}"#);
    assert!(
        serde_json::from_str::<model_alias::Alias>(
            r#"{"name":"a","target":"x/y","overrides":{"model":7}}"#
        )
        .is_err()
    );
}

/// Strings holding the characters that delimit values (`}`, `{`, `,`, `"`) do not cut a
/// member or an object short, in the stored form and in the rewrite; an empty object is left
/// out of what an alias prints.
#[test]
fn strings_with_delimiters_stay_whole() {
    let set = AliasSet::new([row(
        Some(r#"{"stop": ["}{", "a,b"], "user": "x\"}{,"}"#),
        Some(r#"{"seed": 1}"#),
    )])
    .unwrap();
    let presets = set.iter().next().unwrap().presets().unwrap();
    assert_eq!(
        presets.defaults(),
        r#"{"stop":["}{","a,b"],"user":"x\"}{,"}"#
    );
    assert_eq!(presets.overrides(), r#"{"seed":1}"#);
    let out = rewrite_model(br#"{"model":"pro"}"#, &set).unwrap();
    assert_eq!(
        out.body(),
        br#"{"model":"deepseek/deepseek-chat","stop":["}{","a,b"],"user":"x\"}{,","seed":1}"#
    );
    let only_overrides = AliasSet::new([row(None, Some(r#"{"seed": 1}"#))]).unwrap();
    assert_eq!(
        only_overrides.iter().next().unwrap().to_string(),
        r#"pro -> deepseek/deepseek-chat (exact) overrides {"seed":1}"#
    );
    let only_defaults = AliasSet::new([row(Some(r#"{"n": 2}"#), Some("{}"))]).unwrap();
    assert_eq!(
        only_defaults
            .iter()
            .next()
            .unwrap()
            .presets()
            .unwrap()
            .to_string(),
        r#"defaults {"n":2}"#
    );
}

/// The messages name the member, decoded, as the user would write it.
#[test]
fn messages_name_the_member() {
    let message = |d: Option<&str>, o: Option<&str>| {
        AliasSet::new([row(d, o)]).unwrap_err().problems()[0].to_string()
    };
    assert_eq!(
        message(Some(r#"{"t\u0065mp": 1, "temp": 2}"#), None),
        r#"row 1 ("pro"): "defaults" has "temp" more than once: keep one"#
    );
    assert_eq!(
        message(Some(r#"{"top_p": 1}"#), Some(r#"{"top\u005fp": 2}"#)),
        r#"row 1 ("pro"): "overrides" has "top_p", which "defaults" has too: a member is a default or an override, remove one of the two"#
    );
    assert_eq!(
        message(None, Some(r#"{"stream_options": {}}"#)),
        r#"row 1 ("pro"): "overrides" sets "stream_options", which an alias cannot preset (the model is the alias's target; streaming is the client's choice): remove it"#
    );
}

/// Presets survive every way a resolution or a row is passed on: rows by reference, an owned
/// resolution, and a rewrite whose model is written with escapes (resolved through an owned
/// copy).
#[test]
fn presets_survive_references_owned_resolutions_and_escaped_models() {
    let rows = vec![row(Some(r#"{"n": 2}"#), Some(r#"{"seed": 1}"#))];
    let set = AliasSet::new(&rows).unwrap();
    let presets = set.iter().next().unwrap().presets().unwrap();
    assert_eq!(
        (presets.defaults(), presets.overrides()),
        (r#"{"n":2}"#, r#"{"seed":1}"#)
    );
    let owned = model_alias::OwnedResolution::from(set.resolve("pro"));
    let kept = owned.resolution().alias().and_then(|a| a.presets());
    assert_eq!(kept, Some(presets));
    let out = rewrite_model(br#"{"model":"pr\u006f"}"#, &set).unwrap();
    assert_eq!(out.resolution().requested(), "pro");
    assert_eq!(
        out.body(),
        br#"{"model":"deepseek/deepseek-chat","n":2,"seed":1}"#
    );
    // Presets longer than the name and target together are owned whole too.
    let long = format!(r#"{{"user": "{}"}}"#, "u".repeat(200));
    let set = AliasSet::new([row(Some(&long), None)]).unwrap();
    let owned = model_alias::OwnedResolution::from(set.resolve("pro"));
    let kept = owned.resolution().alias().and_then(|a| a.presets());
    assert_eq!(kept.map(|p| p.defaults().len()), Some(211));
}

#[test]
fn the_shorthand_has_no_place_for_presets() {
    let err =
        AliasSet::from_json(r#"{"pro": {"target": "x/y", "defaults": {"n": 1}}}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("a target is one model id string, not an object"),
        "{err}"
    );
}

#[test]
fn near_miss_member_names_are_warned_about() {
    let set = AliasSet::new([row(
        Some(r#"{"max-tokens": 5, "temperature": 1}"#),
        Some(r#"{"Top_P": 0.5, "my_flag": 1}"#),
    )])
    .unwrap();
    let warnings = set.warnings();
    let kinds: Vec<WarningKind> = warnings.iter().map(|w| w.kind()).collect();
    assert_eq!(
        kinds,
        [
            WarningKind::PresetNearMiss {
                known: "max_tokens",
                overrides: false
            },
            WarningKind::PresetNearMiss {
                known: "top_p",
                overrides: true
            },
        ]
    );
    assert_eq!(
        warnings[0].to_string(),
        r#"row 1 ("pro"): "defaults" member "max-tokens" is sent as written, but the OpenAI request member is "max_tokens": rename it if that is what you meant"#
    );
    assert_eq!(
        serde_json::to_value(&warnings[1]).unwrap()["kind"],
        "preset_near_miss"
    );
    // The message quotes the member it is about, wherever it stands.
    let set = AliasSet::new([row(
        Some(r#"{"seed": 1, "Temperature": 1}"#),
        Some(r#"{"user": "u", "top-p": 1}"#),
    )])
    .unwrap();
    let messages: Vec<String> = set.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        messages[0].contains(r#""defaults" member "Temperature" is sent as written"#),
        "{messages:?}"
    );
    assert!(
        messages[1].contains(r#""overrides" member "top-p" is sent as written"#),
        "{messages:?}"
    );
}

/// The set the rewrite tests use: one alias of each shape.
fn set() -> AliasSet {
    AliasSet::new([
        row(
            Some(r#"{"temperature": 0.2, "reasoning_effort": "high"}"#),
            Some(r#"{"max_tokens": 8192}"#),
        ),
        Text {
            name: "draft",
            ..row(Some(r#"{ "temperature" : 1.2 }"#), None)
        },
        Text {
            name: "fixed",
            ..row(None, Some(r#"{"seed": 7, "user": "team"}"#))
        },
    ])
    .unwrap()
}

fn rewritten(body: &str) -> Result<String, RewriteError> {
    let set = set();
    let out = rewrite_model(body.as_bytes(), &set)?;
    Ok(String::from_utf8(out.body().to_vec()).unwrap())
}

#[test]
fn defaults_are_added_only_where_the_body_lacks_them() {
    assert_eq!(
        rewritten(r#"{"model": "pro", "messages": []}"#).unwrap(),
        r#"{"model": "deepseek/deepseek-chat", "messages": [],"temperature":0.2,"reasoning_effort":"high","max_tokens":8192}"#
    );
    // Present, even as null, even escaped: kept as the client sent it.
    assert_eq!(
        rewritten(r#"{"temperature" : null, "model":"pro", "reasoning\u005feffort":"low", "max_tokens": 5 }"#).unwrap(),
        r#"{"temperature" : null, "model":"deepseek/deepseek-chat", "reasoning\u005feffort":"low", "max_tokens": 8192 }"#
    );
}

#[test]
fn overrides_replace_values_in_place_whatever_their_type() {
    assert_eq!(
        rewritten("{\n  \"seed\": \"one\",\n  \"model\": \"fixed\",\n  \"user\": {\"id\": [1]}\n}")
            .unwrap(),
        "{\n  \"seed\": 7,\n  \"model\": \"deepseek/deepseek-chat\",\n  \"user\": \"team\"\n}"
    );
    assert_eq!(
        rewritten(r#"{"model":"fixed","user":"me"}"#).unwrap(),
        r#"{"model":"deepseek/deepseek-chat","user":"team","seed":7}"#
    );
}

#[test]
fn a_body_with_an_overridden_member_twice_is_refused() {
    let err = rewritten(r#"{"model":"fixed","seed":1,"seed":2}"#).unwrap_err();
    assert_eq!(
        err,
        RewriteError::RepeatedOverride {
            member: "seed".into()
        }
    );
    assert_eq!(
        err.to_string(),
        r#"the request body has "seed" more than once, and the alias sets it: send it once"#
    );
    // A member a default names may repeat: the body has it, so the default is not added.
    assert_eq!(
        rewritten(r#"{"model":"draft","temperature":1,"temperature":2}"#).unwrap(),
        r#"{"model":"deepseek/deepseek-chat","temperature":1,"temperature":2}"#
    );
}

#[test]
fn passthrough_applies_nothing_and_the_response_is_restored_as_before() {
    let body = r#"{"model":"gpt-4o","seed":1}"#;
    let set = set();
    let out = rewrite_model(body.as_bytes(), &set).unwrap();
    assert!(!out.is_changed());
    let out = rewrite_model(br#"{"model":"pro"}"#, &set).unwrap();
    let answer = br#"{"model":"deepseek/deepseek-chat","choices":[]}"#;
    assert_eq!(
        &*restore_model(answer, &out.resolution()),
        br#"{"model":"pro","choices":[]}"#
    );
}

/// A rewrite with presets allocates one buffer, the body it sends, on a set and a table key,
/// escaped keys in the body included; a passthrough still allocates nothing.
#[test]
fn a_rewrite_with_presets_allocates_one_buffer() {
    let set = set();
    let table = AliasTable::new([("k", &set)]).unwrap();
    let key = table.get("k");
    let body =
        br#"{"model": "pro", "temperatur\u0065": 1, "max_tokens": 3, "messages": [{"role": "user"}]}"#;
    for (who, resolver) in [
        ("set", &set as &dyn model_alias::Resolve),
        ("table key", &key),
    ] {
        let before = counting::allocations();
        let out = rewrite_model(body, resolver).unwrap();
        std::hint::black_box((out.body(), out.resolution().alias()));
        assert_eq!(counting::allocations() - before, 1, "{who}");
        let before = counting::allocations();
        let out = rewrite_model(br#"{"model":"gpt-4o","seed":1}"#, resolver).unwrap();
        std::hint::black_box(out.body());
        assert_eq!(counting::allocations() - before, 0, "{who}: passthrough");
    }
    // The buffer is sized for everything added up front: a model that stays (sized exactly),
    // and a carried rest longer than the target's head.
    let set = AliasSet::from_json(
        r#"[{"name": "x/y", "target": "x/y", "defaults": {"temperature": 0.2, "n": 1, "user": "u"}},
            {"name": "claude", "target": "anthropic/*", "match": "prefix", "overrides": {"seed": 7}}]"#,
    )
    .unwrap();
    for (body, want) in [
        (
            &br#"{"model":"x/y"}"#[..],
            &br#"{"model":"x/y","temperature":0.2,"n":1,"user":"u"}"#[..],
        ),
        (
            br#"{"model":"claude-opus-4-20250514-with-a-long-rest"}"#,
            br#"{"model":"anthropic/-opus-4-20250514-with-a-long-rest","seed":7}"#,
        ),
    ] {
        let before = counting::allocations();
        let out = rewrite_model(body, &set).unwrap();
        assert_eq!(
            counting::allocations() - before,
            1,
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(out.body(), want);
    }
}

#[test]
fn the_table_stores_presets_once_and_keys_without_them_pay_nothing() {
    let set = set();
    let plain = AliasSet::new([("fast", "deepseek/deepseek-chat")]).unwrap();
    let mut builder = TableBuilder::new();
    for k in 0..50u32 {
        builder.insert(k.to_be_bytes(), &set).unwrap();
    }
    builder.insert("plain", &plain).unwrap();
    let table = builder.build().unwrap();
    table.verify().unwrap();
    for k in 0..50u32 {
        let key = table.get(k.to_be_bytes()).unwrap();
        let got: Vec<_> = key.iter().map(|a| a.presets()).collect();
        let want: Vec<_> = set.iter().map(|a| a.presets()).collect();
        assert_eq!(got, want);
    }
    // Three distinct presets, each stored once: 50 keys cost about what one does.
    let one_key = AliasTable::new([(0u32.to_be_bytes(), &set)]).unwrap();
    let presets_bytes: usize = set
        .iter()
        .filter_map(|a| a.presets())
        .map(|p| p.defaults().len() + p.overrides().len())
        .sum();
    assert!(
        table.as_bytes().len() < one_key.as_bytes().len() + 50 * 60,
        "{}",
        table.as_bytes().len()
    );
    assert!(presets_bytes > 100);
    // A key without presets is written as if no key had any: same block, same bytes.
    let alone = AliasTable::new([("plain", &plain)]).unwrap();
    let block = |t: &AliasTable| {
        let bytes = t.as_bytes();
        let at = bytes.windows(5).position(|w| w == b"plain").unwrap();
        bytes[at - 1..at + 9].to_vec()
    };
    assert_eq!(block(&table), block(&alone));
}

#[test]
fn a_table_with_forged_presets_is_refused_at_load() {
    let table = AliasTable::new([("k", &set())]).unwrap();
    let mut bytes = table.as_bytes().to_vec();
    let at = bytes.windows(8).position(|w| w == b"\"seed\":7").unwrap();
    bytes[at + 1] = b'm';
    bytes[at + 2..at + 6].copy_from_slice(b"odel");
    fix_checksum(&mut bytes);
    assert_eq!(
        AliasTable::from_bytes(&bytes[..]).err(),
        Some(model_alias::TableError::Malformed {
            section: "presets",
            why: "presets that validation rejects"
        })
    );
}

/// Past 255 distinct presets a presets field is two bytes wide: each entry still finds its
/// own, the first and the last of a block alike.
#[test]
fn presets_fields_wider_than_a_byte_find_their_own() {
    let mut builder = TableBuilder::new();
    let rows = |k: u32| {
        (0..3)
            .map(|j| Text {
                name: ["a", "b", "c"][j as usize],
                defaults: Some(format!(r#"{{"seed": {}}}"#, k * 3 + j)),
                overrides: None,
            })
            .collect::<Vec<_>>()
    };
    for k in 0..100u32 {
        builder.insert(k.to_be_bytes(), rows(k)).unwrap();
    }
    let table = builder.build().unwrap();
    table.verify().unwrap();
    for k in [0u32, 57, 99] {
        let key = table.get(k.to_be_bytes()).unwrap();
        for (j, name) in ["a", "b", "c"].into_iter().enumerate() {
            let presets = key.resolve(name).alias().and_then(|a| a.presets()).unwrap();
            assert_eq!(
                presets.defaults(),
                format!(r#"{{"seed":{}}}"#, k * 3 + j as u32)
            );
        }
    }
}

/// A presets field past the dictionary (a forged block) is named by `verify`, and lookups
/// treat that alias as absent rather than panic.
#[test]
fn a_forged_presets_field_is_named_by_verify() {
    let table = AliasTable::new([("k", &set())]).unwrap();
    let mut bytes = table.as_bytes().to_vec();
    // The block: the key's length and byte, 3 << 1 | 1 (presets), three entry bytes, three
    // name fields and three target fields of one byte each, then the presets fields 1, 2, 3.
    let block = bytes.windows(3).position(|w| w == b"k").unwrap() + 1;
    let field = block + 2 + 3 + 3 + 3;
    assert_eq!(&bytes[field..field + 3], &[1, 2, 3]);
    bytes[field + 1] = 9;
    fix_checksum(&mut bytes);
    let forged = AliasTable::from_bytes(&bytes[..]).unwrap();
    assert_eq!(
        forged.verify(),
        Err(model_alias::TableError::Malformed {
            section: "blocks",
            why: "an entry's presets id is out of range"
        })
    );
    let key = forged.get("k").unwrap();
    assert_eq!(key.resolve("draft").rule(), model_alias::Rule::Passthrough);
    assert_eq!(key.resolve("pro").model(), "deepseek/deepseek-chat");
}

fn fix_checksum(bytes: &mut [u8]) {
    let seed = u64::from_le_bytes(bytes[8..16].try_into().unwrap());
    let sum = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[24..], seed);
    bytes[16..24].copy_from_slice(&sum.to_le_bytes());
}

/// Members the generated bodies and presets draw on: some shared, so that defaults meet
/// present members and overrides meet values to replace.
const NAMES: [&str; 6] = [
    "temperature",
    "max_tokens",
    "seed",
    "user",
    "tools",
    "top_p",
];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z\"\\\\é ]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A set of members, each name once.
fn members() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec((prop::sample::select(&NAMES[..]), value()), 0..5).prop_map(|m| {
        let mut seen = std::collections::HashSet::new();
        m.into_iter()
            .filter(|(k, _)| seen.insert(*k))
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    })
}

fn object(members: &[(String, Value)]) -> String {
    let inner: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}: {}", json!(k), v))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The rewrite with presets is "parse with serde_json, apply, compare as values": the
    /// model replaced, each missing default added, each override set, nothing else changed;
    /// and what it adds is at the end, defaults then overrides, in order.
    #[test]
    fn the_rewrite_applies_presets_as_a_parse_would(
        body in members(),
        defaults in members(),
        overrides in members(),
        model_at in 0usize..6,
        pretty in any::<bool>(),
    ) {
        let overrides: Vec<_> = overrides.into_iter().filter(|(k, _)| !defaults.iter().any(|(d, _)| d == k)).collect();
        let set = AliasSet::new([Text {
            name: "pro",
            defaults: Some(object(&defaults)),
            overrides: Some(object(&overrides)),
        }]).unwrap();
        let mut input: Vec<(String, Value)> = body;
        input.insert(model_at.min(input.len()), ("model".into(), Value::from("pro")));
        let text = if pretty {
            serde_json::to_string_pretty(&Value::Object(input.iter().cloned().collect())).unwrap()
        } else {
            object(&input)
        };
        let out = rewrite_model(text.as_bytes(), &set).unwrap();
        let mut want: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        want.insert("model".into(), Value::from("deepseek/deepseek-chat"));
        // The values as serde_json reads the presets' text (its float parsing is not correctly
        // rounded, so not the `Value`s they were written from).
        let read = |members: &[(String, Value)]| -> Vec<(String, Value)> {
            let map: serde_json::Map<String, Value> = serde_json::from_str(&object(members)).unwrap();
            members.iter().map(|(k, _)| (k.clone(), map[k].clone())).collect()
        };
        let (defaults, overrides) = (read(&defaults), read(&overrides));
        let mut added = Vec::new();
        for (k, v) in &defaults {
            if !want.contains_key(k) {
                want.insert(k.clone(), v.clone());
                added.push(k.clone());
            }
        }
        for (k, v) in &overrides {
            if !want.contains_key(k) {
                added.push(k.clone());
            }
            want.insert(k.clone(), v.clone());
        }
        let got: serde_json::Map<String, Value> = serde_json::from_slice(out.body()).unwrap();
        prop_assert_eq!(&got, &want);
        // The added members close the body, in order: the text ends with them.
        let tail: Vec<String> = added.iter().map(|k| json!(k).to_string()).collect();
        let body = String::from_utf8(out.body().to_vec()).unwrap();
        let mut at = 0;
        for key in &tail {
            let found = body[at..].find(&format!("{key}:"));
            prop_assert!(found.is_some(), "{} after byte {} in {}", key, at, body);
            at += found.unwrap() + key.len();
        }
        prop_assert!(at == 0 || !body[at..].contains("\n  \""), "added members are last: {}", body);
    }
}
