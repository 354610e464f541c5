//! What a `ResolvedModel` says about itself: emptiness, equality with other models and with
//! strings however its pieces are split, and how it prints.

use model_alias::{AliasSet, MatchKind, ResolvedModel};

fn set() -> AliasSet {
    AliasSet::new([
        ("oai/", "openai/*", MatchKind::Prefix),
        ("o/", "openai/gp*", MatchKind::Prefix),
        ("fast", "deepseek/deepseek-chat", MatchKind::Exact),
    ])
    .unwrap()
}

#[test]
fn only_an_empty_passthrough_is_empty() {
    let set = set();
    let empty = set.resolve("").model();
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    for model in ["fast", "oai/gpt-4o", "x"] {
        let m = set.resolve(model).model();
        assert!(!m.is_empty(), "{model}");
        assert_eq!(m.len(), m.to_string().len(), "{model}");
    }
}

#[test]
fn models_are_equal_by_their_whole_text_however_split() {
    let set = set();
    let one: ResolvedModel<'_> = set.resolve("oai/gpt-4o").model();
    let other = set.resolve("o/t-4o").model();
    assert_eq!((one.head(), one.rest()), ("openai/", "gpt-4o"));
    assert_eq!((other.head(), other.rest()), ("openai/gp", "t-4o"));
    assert_eq!(one, other, "the same text, split differently");
    let same_length = set.resolve("oai/gpt-4x").model();
    assert_eq!(same_length.len(), one.len());
    assert_ne!(one, same_length, "the same length, another byte");
    assert_ne!(one, set.resolve("oai/gpt-4").model(), "a prefix of it");
    assert_ne!(one, set.resolve("fast").model());
}

#[test]
fn a_model_equals_a_string_of_its_whole_text_only() {
    let set = set();
    let carried = set.resolve("oai/gpt-4o").model();
    let text = "openai/gpt-4o";
    let owned: String = text.to_owned();
    assert!(carried == *text && carried == text && carried == owned);
    assert!(*text == carried && text == carried);
    for other in [
        "openai/gpt-4",
        "openai/gpt-4x",
        "gpt-4o",
        "",
        "openai/gpt-4oo",
    ] {
        let owned: String = other.to_owned();
        assert!(
            carried != *other && carried != other && carried != owned,
            "{other}"
        );
        assert!(*other != carried && other != carried, "{other}");
    }
}

#[test]
fn a_model_prints_as_one_string() {
    let set = set();
    let carried = set.resolve("oai/gpt-4o").model();
    assert_eq!(format!("{carried:?}"), "\"openai/gpt-4o\"");
    assert_eq!(format!("{carried}"), "openai/gpt-4o");
    let plain = set.resolve("fast").model();
    assert_eq!(format!("{plain:?}"), "\"deepseek/deepseek-chat\"");
    assert_eq!(format!("[{:>6}]", set.resolve("x").model()), "[     x]");
    assert_eq!(String::from(carried), "openai/gpt-4o");
}

#[test]
fn a_model_becomes_a_cow_borrowed_when_it_is_one_piece() {
    use std::borrow::Cow;
    let set = set();
    let carried = Cow::from(set.resolve("oai/gpt-4o").model());
    assert!(
        matches!(&carried, Cow::Owned(s) if s == "openai/gpt-4o"),
        "{carried:?}"
    );
    let plain = Cow::from(set.resolve("fast").model());
    assert!(
        matches!(plain, Cow::Borrowed("deepseek/deepseek-chat")),
        "{plain:?}"
    );
    let passthrough = Cow::from(set.resolve("x").model());
    assert!(matches!(passthrough, Cow::Borrowed("x")), "{passthrough:?}");
}
