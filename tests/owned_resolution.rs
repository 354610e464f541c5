//! What an `OwnedResolution` says and prints: the same as the `Resolution` it was made from,
//! through an alias and through passthrough.

use model_alias::{AliasSet, MatchKind, OwnedResolution};

#[test]
fn an_owned_resolution_says_and_prints_what_its_resolution_does() {
    let set = AliasSet::new([
        ("oai/", "openai/*", MatchKind::Prefix),
        ("fast", "deepseek/deepseek-chat", MatchKind::Exact),
    ])
    .expect("a valid set");
    for model in ["oai/gpt-4o", "fast", "anthropic/claude-opus-4-8", ""] {
        let borrowed = set.resolve(model);
        let owned = OwnedResolution::from(borrowed);
        assert_eq!(owned.resolution(), borrowed, "{model:?}");
        assert_eq!(
            owned.to_string(),
            borrowed.to_string(),
            "{model:?}: Display"
        );
        assert_eq!(
            format!("{owned:?}"),
            format!("OwnedResolution({borrowed:?})"),
            "{model:?}: Debug"
        );
        assert_eq!(
            OwnedResolution::from(&borrowed),
            owned,
            "{model:?}: from a reference"
        );
    }
    // Both print the requested model, the model routed to, and why.
    let printed = |model| OwnedResolution::from(set.resolve(model)).to_string();
    assert_eq!(
        printed("oai/gpt-4o"),
        r#"oai/gpt-4o -> openai/gpt-4o (prefix alias "oai/")"#
    );
    assert_eq!(printed("mistral"), "mistral -> mistral (passthrough)");
}
