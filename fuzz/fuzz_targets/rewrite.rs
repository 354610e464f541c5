//! `openai::rewrite_model` on any bytes: never a panic; it accepts a body only if serde_json
//! reads it, and refuses as not JSON (or too deep) only what serde_json refuses (the
//! two hold the same rule), but for the sliver at the end of a double's range that it
//! refuses on purpose; what an upstream parses from the output is the input with only the
//! top-level model replaced by its resolution.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::openai::{RewriteError, rewrite_model};
use model_alias::{AliasSet, MatchKind};
use serde_json::Value;

// The one disagreement allowed, the same check as tests/openai.rs's.
#[path = "../../tests/common/number_limit.rs"]
mod number_limit;

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
    expected["model"] = Value::from(set.resolve(rewrite.resolution().requested()).model().to_string());
    assert_eq!(output, expected);
});
