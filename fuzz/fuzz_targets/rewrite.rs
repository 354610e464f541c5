//! `openai::rewrite_model` on any bytes: never a panic; it accepts a body only if serde_json
//! reads it, and refuses as not JSON (or too deep) only what serde_json refuses (the
//! two hold the same rule), but for the sliver at the end of a double's range that it
//! refuses on purpose; what an upstream parses from the output is the input with only the
//! top-level model replaced by its resolution and, for the alias with presets, its defaults
//! added where absent and its overrides set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::openai::{RewriteError, rewrite_model};
use model_alias::AliasSet;
use serde_json::Value;

// The one disagreement allowed, the same check as tests/openai.rs's.
#[path = "../../tests/common/number_limit.rs"]
mod number_limit;

fuzz_target!(|data: &[u8]| {
    let set = AliasSet::from_json(
        r#"[{"name": "a", "target": "target/a"},
            {"name": "b", "target": "target/\"b\\", "match": "prefix"},
            {"name": "m", "target": "m2"},
            {"name": "p", "target": "target/p", "match": "prefix",
             "defaults": {"temperature": 0.2, "a\"b": [1, {"c": null}]},
             "overrides": {"max_tokens": 8, "n": "x"}}]"#,
    )
    .expect("valid");
    let parsed = serde_json::from_slice::<Value>(data);
    let rewrite = match rewrite_model(data, &set) {
        Ok(rewrite) => rewrite,
        Err(error) => {
            // Each refusal must agree with what serde_json reads.
            match (&error, &parsed) {
                (RewriteError::NotJson { reason, .. }, Ok(_))
                    if reason.starts_with("a number beyond the range of a double") =>
                {
                    assert!(number_limit::holds_number_near_the_limit(data), "{error} but serde_json reads it")
                }
                (RewriteError::NotJson { .. } | RewriteError::TooDeep { .. }, Ok(_)) => {
                    panic!("{error} but serde_json reads it")
                }
                (RewriteError::NotAnObject { .. }, Ok(Value::Object(_))) => panic!("{error}"),
                (RewriteError::NoModel, Ok(Value::Object(map))) => {
                    assert!(!map.contains_key("model"), "{error}")
                }
                (RewriteError::ModelNotString { .. }, Ok(Value::Object(map))) => {
                    assert!(!map["model"].is_string(), "{error}")
                }
                _ => {}
            }
            return;
        }
    };
    let mut expected = parsed.unwrap_or_else(|e| panic!("accepted, but serde_json refuses it: {e}"));
    let output: Value = serde_json::from_slice(rewrite.body())
        .unwrap_or_else(|e| panic!("the output is unreadable ({e}) for a readable input"));
    let resolution = set.resolve(rewrite.resolution().requested());
    expected["model"] = Value::from(resolution.model().to_string());
    if let Some(presets) = resolution.alias().and_then(|a| a.presets()) {
        let object = |text: &str| -> serde_json::Map<String, Value> {
            serde_json::from_str(text).expect("stored presets are JSON objects")
        };
        let map = expected.as_object_mut().expect("an object");
        for (key, value) in object(presets.defaults()) {
            map.entry(key).or_insert(value);
        }
        map.extend(object(presets.overrides()));
    }
    assert_eq!(output, expected);
});
