//! Feature `openai`: the request body rewrite changes only the top-level model string, and
//! rejects what is not a JSON object with a string model; the catalog check and the
//! `/v1/models` listing have the spec's shape.
#![cfg(feature = "openai")]

mod common;
#[path = "common/number_limit.rs"]
mod number_limit;

use common::counting::{self, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

use model_alias::openai::{Catalog, MAX_DEPTH, RewriteError, rewrite_model};
use model_alias::{AliasSet, AliasTable, MatchKind, Rule};
use proptest::prelude::*;
use serde_json::{Value, json};

fn set() -> AliasSet {
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
        ("quote", r#"odd/"quoted"\name"#, MatchKind::Exact),
    ])
    .expect("valid")
}

#[test]
fn only_the_model_string_changes() {
    let set = set();
    // (body in, body out): every endpoint's shape, odd spacing, escapes and numbers elsewhere.
    let cases: &[(&str, &str)] = &[
        (
            r#"{"model":"cross-model-basic","messages":[{"role":"user","content":"Hello"}]}"#,
            r#"{"model":"deepseek/deepseek-chat","messages":[{"role":"user","content":"Hello"}]}"#,
        ),
        (
            "{\n  \"prompt\" : \"a\\u00e9\\n\",\n  \"model\" :\t\"claude-opus-4-9\" ,\"max_tokens\":1E+2}\n",
            "{\n  \"prompt\" : \"a\\u00e9\\n\",\n  \"model\" :\t\"anthropic/claude-opus-4-8\" ,\"max_tokens\":1E+2}\n",
        ),
        (
            r#"{"input":["a","b"],"model":"claude-opus","encoding_format":"float","dimensions":-0.0}"#,
            r#"{"input":["a","b"],"model":"anthropic/claude-opus-4-8","encoding_format":"float","dimensions":-0.0}"#,
        ),
        (
            // /v1/responses: nested "model" keys are not the request's model.
            r#"{"tools":[{"model":"claude-opus"}],"model":"cross-model-basic","input":{"model":"x"}}"#,
            r#"{"tools":[{"model":"claude-opus"}],"model":"deepseek/deepseek-chat","input":{"model":"x"}}"#,
        ),
        (
            // Escapes in the model are decoded before resolving; in the key too.
            r#"{"mod\u0065l":"claude\u002dopus-4\/x"}"#,
            r#"{"mod\u0065l":"anthropic/claude-opus-4-8"}"#,
        ),
        (
            // A target with a quote and a backslash is escaped.
            r#"{"model":"quote"}"#,
            r#"{"model":"odd/\"quoted\"\\name"}"#,
        ),
    ];
    for &(input, want) in cases {
        let out = rewrite_model(input.as_bytes(), &set).expect(input);
        assert_eq!(std::str::from_utf8(out.body()).unwrap(), want);
        assert!(out.is_changed());
        // What an upstream parses is the input with the model replaced.
        let mut expected: Value = serde_json::from_str(input).unwrap();
        expected["model"] = Value::from(out.resolution().model().to_string());
        assert_eq!(
            serde_json::from_slice::<Value>(out.body()).unwrap(),
            expected
        );
    }
}

#[test]
fn an_unchanged_model_returns_the_same_bytes() {
    let set = set();
    for body in [
        &br#"{"model":"gpt-4o","stream":true}"#[..],
        br#"{"model":"Claude-opus-4"}"#,
        br#"{"model":""}"#,
    ] {
        let out = rewrite_model(body, &set).unwrap();
        assert!(!out.is_changed());
        assert_eq!(out.resolution().rule(), Rule::Passthrough);
        assert!(std::ptr::eq(out.body(), body), "no copy");
    }
    let out = rewrite_model(br#"{"model":"claude-opus-4-9"}"#, &set).unwrap();
    assert_eq!(
        {
            let r = out.resolution();
            (
                r.requested(),
                r.model().to_string(),
                r.rule(),
                r.alias().map(|a| a.name()),
            )
        },
        (
            "claude-opus-4-9",
            "anthropic/claude-opus-4-8".to_owned(),
            Rule::Prefix,
            Some("claude-opus")
        )
    );
}

/// A rewrite borrows its resolution, so a passthrough (or a model that resolves to
/// itself) allocates nothing, and a changed body allocates once, for the copy.
#[test]
fn a_passthrough_rewrite_allocates_nothing() {
    let set = set();
    let table = AliasTable::new([("k", &set)]).unwrap();
    let key = table.get("k");
    let unchanged = br#"{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}"#;
    let changed = br#"{"model": "cross-model-basic", "messages": []}"#;
    for (who, resolver) in [
        ("set", &set as &dyn model_alias::Resolve),
        ("table key", &key),
    ] {
        let before = counting::allocations();
        let out = rewrite_model(unchanged, resolver).unwrap();
        std::hint::black_box((out.body(), out.resolution().model()));
        assert_eq!(counting::allocations() - before, 0, "{who}: passthrough");
        let before = counting::allocations();
        let out = rewrite_model(changed, resolver).unwrap();
        std::hint::black_box((out.body(), out.resolution().alias()));
        assert_eq!(
            counting::allocations() - before,
            1,
            "{who}: one copy of the body"
        );
    }
}

/// Every JSON escape in a model is decoded before resolving (surviving mutants in json.rs).
#[test]
fn escapes_in_the_model_are_decoded() {
    let set = set();
    let body = br#"{"model": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00y"}"#;
    let out = rewrite_model(body, &set).unwrap();
    assert_eq!(
        out.resolution().requested(),
        "x\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1F600}y"
    );
    assert!(!out.is_changed());
}

/// An alias whose
/// target is the model it was asked for changes nothing, so the body goes out as sent, its
/// escapes included, without a copy.
#[test]
fn an_alias_to_the_same_model_leaves_the_body_as_sent() {
    let set = AliasSet::new([("gpt-4o", "gpt-4o")]).unwrap();
    for body in [&br#"{"model":"gpt-4o"}"#[..], br#"{"model":"gpt\u002d4o"}"#] {
        let out = rewrite_model(body, &set).unwrap();
        assert_eq!(out.resolution().rule(), Rule::Exact);
        assert_eq!(out.resolution().requested(), "gpt-4o");
        assert!(!out.is_changed());
        assert!(std::ptr::eq(out.body(), body), "no copy");
    }
}

#[test]
fn a_table_key_rewrites_like_its_set() {
    let table = AliasTable::new([("k", &set())]).unwrap();
    let key = table.get("k");
    let out = rewrite_model(br#"{"model":"cross-model-basic"}"#, &key).unwrap();
    assert_eq!(out.body(), br#"{"model":"deepseek/deepseek-chat"}"#);
    let unknown = table.get("other");
    let out = rewrite_model(br#"{"model":"cross-model-basic"}"#, &unknown).unwrap();
    assert!(!out.is_changed());
}

#[test]
fn bad_bodies_get_clear_errors() {
    let set = set();
    let deep = format!(
        "{{\"model\":\"m\",\"x\":{}{}}}",
        "[".repeat(MAX_DEPTH),
        "]".repeat(MAX_DEPTH)
    );
    let ok_deep = format!(
        "{{\"model\":\"m\",\"x\":{}{}}}",
        "[".repeat(MAX_DEPTH - 1),
        "]".repeat(MAX_DEPTH - 1)
    );
    assert!(rewrite_model(ok_deep.as_bytes(), &set).is_ok());
    let not_json = |at, reason| RewriteError::NotJson { at, reason };
    let cases: Vec<(&[u8], RewriteError)> = vec![
        (b"", not_json(0, "empty body")),
        (b"model=gpt-4o", not_json(0, "expected a value")),
        (br#"{"model":"gpt-4o""#, not_json(17, "expected ',' or '}'")),
        (
            br#"{"model":"gpt-4o"} x"#,
            not_json(19, "trailing characters after the JSON value"),
        ),
        (
            br#"{"model":"gpt-4o",}"#,
            not_json(18, "expected a string key"),
        ),
        (
            br#"{"model":"a","n":01}"#,
            not_json(18, "expected ',' or '}'"),
        ),
        (
            br#"{"model":"a","n":[1,]}"#,
            not_json(20, "expected a value"),
        ),
        (br#"{"model":"a\x"}"#, not_json(12, "invalid escape")),
        (
            b"{\"model\":\"a\x01\"}",
            not_json(11, "control character in a string"),
        ),
        (
            b"{\"model\":\"\xff\"}",
            not_json(10, "invalid UTF-8 in a string"),
        ),
        (
            br#"{"model":"\ud800"}"#,
            not_json(10, "a lone high surrogate escape"),
        ),
        // What serde_json refuses is refused here too, anywhere in the body.
        (
            br#"{"model":"fast","a":"\ud800"}"#,
            not_json(21, "a lone high surrogate escape"),
        ),
        (
            br#"{"model":"fast","a":"x\udc00"}"#,
            not_json(22, "a lone low surrogate escape"),
        ),
        (
            br#"{"model":"fast","a":"\ud800\u0041"}"#,
            not_json(21, "a lone high surrogate escape"),
        ),
        (
            br#"{"model":"fast","t":1e999999}"#,
            not_json(20, RANGE),
        ),
        // Rounds to the largest double, yet serde_json's default parsing refuses it;
        // the sliver at the end of the range is refused whatever a parser makes of it.
        (
            br#"{"model":"fast","t":[0,-1.7976931348623158e308]}"#,
            not_json(23, RANGE),
        ),
        (
            br#"{"model":"fast","t":179769313486231000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}"#,
            not_json(20, RANGE),
        ),
        (
            br#"[{"model":"gpt-4o"}]"#,
            RewriteError::NotAnObject { found: "array" },
        ),
        (
            br#""gpt-4o""#,
            RewriteError::NotAnObject { found: "string" },
        ),
        // Every kind of top-level value is named (two surviving mutants in json.rs).
        (b" true", RewriteError::NotAnObject { found: "boolean" }),
        (b"false", RewriteError::NotAnObject { found: "boolean" }),
        (b"null ", RewriteError::NotAnObject { found: "null" }),
        (b"-1.5e3", RewriteError::NotAnObject { found: "number" }),
        (br#"{"messages":[]}"#, RewriteError::NoModel),
        (
            br#"{"model":4}"#,
            RewriteError::ModelNotString { found: "number" },
        ),
        (
            br#"{"model":null}"#,
            RewriteError::ModelNotString { found: "null" },
        ),
        (
            br#"{"model":"a","model":"b"}"#,
            RewriteError::DuplicateModel,
        ),
        (
            br#"{"model":"a","mod\u0065l":"b"}"#,
            RewriteError::DuplicateModel,
        ),
        (deep.as_bytes(), RewriteError::TooDeep { max: MAX_DEPTH }),
    ];
    for (body, want) in cases {
        let got = rewrite_model(body, &set).expect_err(&String::from_utf8_lossy(body));
        assert_eq!(got, want, "{}", String::from_utf8_lossy(body));
    }
    assert_eq!(
        RewriteError::NoModel.to_string(),
        r#"the request body has no "model" field: add "model": "<model id or alias>""#
    );
    assert_eq!(
        not_json(3, "invalid escape").to_string(),
        "the request body is not valid JSON (invalid escape at byte 3): send a JSON object"
    );
    // A million levels: rejected at the limit, no recursion.
    let hostile = format!("{{\"model\":\"m\",\"x\":{}", "[".repeat(1 << 20));
    assert_eq!(
        rewrite_model(hostile.as_bytes(), &set).err(),
        Some(RewriteError::TooDeep { max: MAX_DEPTH })
    );
}

#[test]
fn a_huge_body_is_copied_once() {
    let set = set();
    let padding = "x".repeat(16 << 20);
    let body = format!(r#"{{"model":"cross-model-basic","messages":[{{"content":"{padding}"}}]}}"#);
    let (out, peak) = counting::peak_bytes(|| rewrite_model(body.as_bytes(), &set).unwrap());
    assert!(out.is_changed());
    assert!(
        peak < body.len() + (64 << 10),
        "peak {peak} for a {} byte body",
        body.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// For random request bodies, formatted compactly or pretty, with the model anywhere
    /// among the fields: what an upstream parses from the output is the input with only the
    /// model replaced.
    #[test]
    fn parsing_the_output_is_parsing_the_input_with_the_model_replaced(
        fields in prop::collection::vec(("[a-z_]{1,8}", json_value()), 0..6),
        model in prop_oneof![Just("cross-model-basic".to_owned()), "claude-opus[-0-9a-z]{0,6}", "[a-zA-Z0-9/._-]{0,12}"],
        at in any::<prop::sample::Index>(),
        pretty in any::<bool>(),
    ) {
        let set = set();
        let mut map = serde_json::Map::new();
        for (k, v) in fields {
            if k != "model" {
                map.insert(k, v);
            }
        }
        let mut entries: Vec<(String, Value)> = map.into_iter().collect();
        entries.insert(at.index(entries.len() + 1), ("model".to_owned(), Value::from(model.clone())));
        let input = Value::Object(entries.into_iter().collect());
        let text = if pretty { serde_json::to_vec_pretty(&input)? } else { serde_json::to_vec(&input)? };
        let out = rewrite_model(&text, &set).expect("a valid body");
        // The input as serde_json reads its text (not the Value it was written from: serde_json
        // does not round-trip every float exactly), with the model replaced.
        let mut expected: Value = serde_json::from_slice(&text)?;
        expected["model"] = Value::from(set.resolve(&model).model().to_string());
        prop_assert_eq!(serde_json::from_slice::<Value>(out.body())?, expected);
        prop_assert_eq!(out.resolution().requested(), model.as_str());
    }

    /// Any bytes: a rewrite or an error, never a panic; an accepted body is JSON serde reads.
    #[test]
    fn any_bytes_rewrite_or_fail_cleanly(body in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(out) = rewrite_model(&body, &set()) {
            prop_assert!(serde_json::from_slice::<Value>(out.body()).is_ok());
        }
    }
}

/// The property test below failed on this body while mutation testing ran it: the
/// number the rewrite refuses sits under the first of two equal names, which a
/// `serde_json::Value` drops, so the check that allows the refusal must read the text.
#[test]
fn a_refused_number_under_a_repeated_name_is_seen() {
    let body = br#"{"model":"fast","a":{"j":[1.7976931348623157e308],"j":[]}}"#;
    assert!(serde_json::from_slice::<Value>(body).is_ok());
    assert!(matches!(
        rewrite_model(body, &set()),
        Err(RewriteError::NotJson { reason: RANGE, .. })
    ));
    assert!(number_limit::holds_number_near_the_limit(body));
    assert!(!number_limit::holds_number_near_the_limit(
        br#"{"model":"fast","a":{"j":[1.7976931348623e308],"j":[]}}"#
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    /// The rewrite accepts a body exactly when serde_json (the parser most upstreams
    /// use) parses it, so that a gateway never routes and bills a body its upstream refuses.
    /// Bodies hold JSON text built from what the two could disagree on (surrogate escapes,
    /// numbers at and past a double's range, nesting around the depth limit), some with one
    /// byte changed.
    #[test]
    fn the_rewrite_accepts_what_serde_json_parses(
        text in prop_oneof![3 => hazardous_json(), 1 => deep_json()],
        edit in proptest::option::of((any::<prop::sample::Index>(), prop::sample::select(&b"\\\"u{}[]e-+.0189dDcC, "[..]))),
    ) {
        let mut text = text.into_bytes();
        if let Some((at, byte)) = edit {
            let at = at.index(text.len().max(1));
            if let Some(b) = text.get_mut(at) {
                *b = byte;
            }
        }
        let mut body = br#"{"model":"fast","a":"#.to_vec();
        body.extend_from_slice(&text);
        body.push(b'}');
        // A changed byte can make a second top-level member; only bodies whose one model is
        // the string "fast" are compared (the rewrite refuses a second model on purpose).
        let parsed = serde_json::from_slice::<Value>(&body);
        if let Ok(value) = &parsed {
            prop_assume!(value.get("model") == Some(&Value::from("fast")));
            prop_assume!(body.windows(7).filter(|w| *w == b"\"model\"").count() == 1);
        }
        let set = set();
        let rewritten = rewrite_model(&body, &set);
        // The one disagreement allowed: a number serde_json reads, in the sliver at the end of
        // a double's range that the rewrite refuses on purpose (json.rs, NUMBER_LIMIT).
        if let (Ok(_), Err(RewriteError::NotJson { reason: RANGE, .. })) = (&parsed, &rewritten) {
            prop_assert!(number_limit::holds_number_near_the_limit(&body), "{}", String::from_utf8_lossy(&body));
            return Ok(());
        }
        prop_assert_eq!(
            parsed.is_ok(),
            rewritten.is_ok(),
            "{}: serde_json {:?}, rewrite {:?}",
            String::from_utf8_lossy(&body),
            parsed.err().map(|e| e.to_string()),
            rewritten.err()
        );
    }
}

/// The reason `rewrite_model` gives for a number it refuses as beyond a double's range.
const RANGE: &str = "a number beyond the range of a double (1.79769313486231e308 or more)";

/// JSON text made of the values a validator and serde_json could judge differently.
fn hazardous_json() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        prop::sample::select(vec![
            "1e999999",
            "-1e999999",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1.79769313486231e308",
            "1.7976931348623099e308",
            "1.8e308",
            "1e-999999",
            "-0",
            "0.0e0",
            "2.2250738585072014e-308",
            "4.9e-324",
            "1E400",
        ])
        .prop_map(str::to_owned),
        "-?[1-9][0-9]{0,400}",
        // Around the end of a double's range, where parsers round their last digit differently.
        "-?1\\.797693134862(2|3|31)[0-9]{0,6}[eE]\\+?308",
        "-?17976931348623[0-9]{3,6}[eE]29[0-9]",
        "-?[0-9]{1,3}\\.[0-9]{1,20}[eE][+-]?[0-9]{1,4}",
    ];
    let string = "\"(\\\\u[dD][89abAB][0-9a-fA-F]{2}|\\\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\\\u00[4-7][0-9a-f]|[a-z ]|\\\\n){0,4}\"";
    let leaf = prop_oneof![
        number,
        string,
        Just("null".to_owned()),
        Just("true".to_owned())
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3).prop_map(|kv| {
                let members: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Arrays nested around the depth limit (the body's object adds one level).
fn deep_json() -> impl Strategy<Value = String> {
    (MAX_DEPTH - 3..=MAX_DEPTH + 2).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n)))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn catalog() -> Catalog {
    Catalog::from_json(
        json!({
            "object": "list",
            "data": [
                {"id": "deepseek/deepseek-chat", "object": "model", "created": 1, "owned_by": "deepseek",
                 "context_length": 65536,
                 "architecture": {"input_modalities": ["text"], "output_modalities": ["text"], "tokenizer": "x"},
                 "pricing": {"prompt": "0.00000027"}},
                {"id": "anthropic/claude-opus-4-8", "object": "model", "context_length": 200000,
                 "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]}},
                {"id": "deepseek/deepseek-chat", "object": "model", "owned_by": "a repeat"}
            ]
        })
        .to_string()
        .as_bytes(),
    )
    .expect("a valid catalog")
}

#[test]
fn the_listing_puts_aliases_first_with_root_then_the_catalog() {
    let catalog = catalog();
    assert_eq!(catalog.len(), 2, "a repeated id keeps its first entry");
    let listing = catalog.listing(&set());
    let value = serde_json::to_value(&listing).unwrap();
    assert_eq!(value["object"], "list");
    let data = value["data"].as_array().unwrap();
    let ids: Vec<&str> = data.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "cross-model-basic",
            "claude-opus",
            "quote",
            "deepseek/deepseek-chat",
            "anthropic/claude-opus-4-8"
        ]
    );
    assert_eq!(
        data[0],
        json!({
            "id": "cross-model-basic", "object": "model", "root": "deepseek/deepseek-chat",
            "created": 1, "owned_by": "deepseek", "context_length": 65536,
            "architecture": {"input_modalities": ["text"], "output_modalities": ["text"], "tokenizer": "x"},
            "pricing": {"prompt": "0.00000027"}
        })
    );
    assert_eq!(data[1]["root"], "anthropic/claude-opus-4-8");
    assert_eq!(
        data[1]["architecture"]["input_modalities"],
        json!(["text", "image"])
    );
    // A target the catalog does not list: id, object and root only.
    assert_eq!(
        data[2],
        json!({"id": "quote", "object": "model", "root": "odd/\"quoted\"\\name"})
    );
    // Real models carry no root.
    assert!(data[3].get("root").is_none());
    // The listing reads back as a catalog: nothing is lost.
    let again = Catalog::from_json(serde_json::to_string(&listing).unwrap().as_bytes()).unwrap();
    assert_eq!(
        again.get("deepseek/deepseek-chat"),
        catalog.get("deepseek/deepseek-chat")
    );
}

#[test]
fn check_reports_targets_missing_from_the_catalog() {
    let warnings = catalog().check(&set());
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert_eq!((w.index(), w.row(), w.name()), (2, 3, "quote"));
    // Rows are 1-based in every message, as in RowError and Warning.
    assert!(w.to_string().starts_with(r#"row 3: alias "quote""#), "{w}");
    assert_eq!(w.target(), "odd/\"quoted\"\\name");
    assert!(Catalog::from_json(b"[]").unwrap().is_empty());
    let err = Catalog::from_json(br#"{"data": [{"object": "model"}]}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `id`"), "{err}");
}

/// The catalog keeps
/// its models in the order read, a repeated id once, and says that it has some.
#[test]
fn the_catalog_keeps_its_models_in_order() {
    let catalog = catalog();
    let ids: Vec<&str> = catalog.models().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["deepseek/deepseek-chat", "anthropic/claude-opus-4-8"]);
    assert_eq!(
        catalog.models()[0].owned_by.as_deref(),
        Some("deepseek"),
        "the first entry"
    );
    assert!(!catalog.is_empty());
    assert!(Catalog::new([]).is_empty());
}

/// The listing leaves hidden aliases out and lists a carrying alias under its name
/// with its target as written; `check` accepts a carried target some catalog id starts with.
#[test]
fn hidden_and_carried_aliases_in_the_catalog() {
    let catalog = Catalog::from_json(
        br#"[{"id": "openai/gpt-4o", "owned_by": "openai"}, {"id": "deepseek/deepseek-chat"}]"#,
    )
    .unwrap();
    let set = AliasSet::from_json(
        r#"[{"name":"oai/","target":"openai/*","match":"prefix"},
            {"name":"batch","target":"deepseek/deepseek-chat","hidden":true},
            {"name":"nowhere/","target":"anthropic/*","match":"prefix"},
            {"name":"fast","target":"deepseek/deepseek-chat"}]"#,
    )
    .unwrap();
    let listing = serde_json::to_value(catalog.listing(&set)).unwrap();
    let ids: Vec<&str> = listing["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "oai/",
            "nowhere/",
            "fast",
            "openai/gpt-4o",
            "deepseek/deepseek-chat"
        ]
    );
    assert_eq!(
        listing["data"][0],
        json!({"id": "oai/", "object": "model", "root": "openai/*"})
    );
    // The hidden alias still resolves.
    assert_eq!(set.resolve("batch").model(), "deepseek/deepseek-chat");
    let unknown = catalog.check(&set);
    let rows: Vec<(usize, &str)> = unknown.iter().map(|u| (u.row(), u.name())).collect();
    assert_eq!(
        rows,
        [(3, "nowhere/")],
        "openai/* is known, anthropic/* is not"
    );
}

/// A carried rest holds what the client sent, control characters included: written back
/// into the body, each is escaped as `\u00XX` again.
#[test]
fn control_characters_in_a_carried_rest_are_escaped_again() {
    let set = AliasSet::new([("oai/", "openai/*", MatchKind::Prefix)]).unwrap();
    let body = br#"{"model":"oai/a\u0001b\u001f\n\u0010"}"#;
    let out = rewrite_model(body, &set).unwrap();
    assert!(out.is_changed());
    assert_eq!(
        std::str::from_utf8(out.body()).unwrap(),
        r#"{"model":"openai/a\u0001b\u001f\u000a\u0010"}"#
    );
    let sent: Value = serde_json::from_slice(out.body()).unwrap();
    assert_eq!(sent["model"], "openai/a\u{1}b\u{1f}\n\u{10}");
}

/// Only a key that decodes to `model` is the model: another key written with escapes is a
/// member like any other.
#[test]
fn an_escaped_key_is_the_model_only_when_it_decodes_to_model() {
    let set = set();
    let body = br#"{"a\nb":1,"mod\u0065l":"cross-model-basic","\u006dodels":[]}"#;
    let out = rewrite_model(body, &set).unwrap();
    assert_eq!(out.resolution().rule(), Rule::Exact);
    assert_eq!(
        std::str::from_utf8(out.body()).unwrap(),
        r#"{"a\nb":1,"mod\u0065l":"deepseek/deepseek-chat","\u006dodels":[]}"#
    );
}

/// `into_body` hands over what `body` shows: the input itself when nothing changed, the
/// rewritten copy otherwise.
#[test]
fn into_body_is_the_body_to_forward() {
    let set = set();
    let unchanged = br#"{"model":"gpt-4o"}"#;
    let out = rewrite_model(unchanged, &set).unwrap();
    assert!(matches!(out.into_body(), std::borrow::Cow::Borrowed(b) if b == unchanged));
    let out = rewrite_model(br#"{"model":"cross-model-basic"}"#, &set).unwrap();
    let shown = out.body().to_vec();
    let owned = out.into_body();
    assert!(matches!(&owned, std::borrow::Cow::Owned(_)));
    assert_eq!(&*owned, &shown[..]);
    assert_eq!(&*owned, br#"{"model":"deepseek/deepseek-chat"}"#);
}
