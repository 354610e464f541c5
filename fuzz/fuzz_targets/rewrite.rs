//! `openai::rewrite_model` on any bytes: never a panic; a body it accepts is one serde_json
//! also reads (when serde_json can represent it), and what an upstream parses from the output
//! is the input with only the top-level model replaced by its resolution.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::openai::{RewriteError, rewrite_model};
use model_alias::{AliasSet, MatchKind};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let set = AliasSet::new([
        ("a", "target/a", MatchKind::Exact),
        ("b", "target/\"b\\", MatchKind::Prefix),
        ("m", "m2", MatchKind::Exact),
    ])
    .expect("valid");
    let parsed = serde_json::from_slice::<Value>(data);
    let rewrite = match rewrite_model(data, &set) {
        Ok(rewrite) => rewrite,
        Err(error) => {
            // Each refusal must agree with what serde_json reads.
            match (&error, &parsed) {
                (RewriteError::NotJson { .. }, Ok(_)) => panic!("{error} but serde_json reads it"),
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
    let output: Value = serde_json::from_slice(rewrite.body()).unwrap_or_else(|e| {
        // The rewrite keeps every other byte, so serde_json fails on the output only where it
        // fails on the input (numbers out of range, lone surrogates, nesting past its limit).
        assert!(
            parsed.is_err(),
            "output unreadable ({e}) for a readable input"
        );
        Value::Null
    });
    if let Ok(mut expected) = parsed {
        expected["model"] = Value::from(set.resolve(rewrite.resolution().requested()).model().to_string());
        assert_eq!(output, expected);
    }
});
