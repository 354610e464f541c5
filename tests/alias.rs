//! `Alias` and `AliasRef` on their own: what each says about itself, how the two compare and
//! how they print. Mutation testing found these answers unchecked (a constant
//! `is_hidden`, `carries` or equality, an empty `Display` went unnoticed), since the
//! resolvers' tests read aliases through a resolution and never ask an `Alias` directly.

use model_alias::{Alias, AliasName, AliasRef, AliasSet, MatchKind, ModelId};

fn alias(name: &str, target: &str, kind: MatchKind) -> Alias {
    let name = AliasName::new(name).expect("a valid name");
    let target = ModelId::new(target).expect("a valid target");
    Alias::new(name, target, kind)
}

#[test]
fn an_alias_says_whether_it_is_hidden_and_whether_it_carries() {
    let plain = alias("fast", "openai/gpt-4o", MatchKind::Exact);
    let prefix = alias("oai/", "openai/gpt-4o", MatchKind::Prefix);
    let carrying = alias("oai/", "openai/*", MatchKind::Prefix);
    let hidden = plain.clone().with_hidden(true);

    for (what, a, is_hidden, carries) in [
        ("an exact alias", &plain, false, false),
        ("a prefix alias with a plain target", &prefix, false, false),
        (
            "a prefix alias whose target ends in *",
            &carrying,
            false,
            true,
        ),
        ("a hidden exact alias", &hidden, true, false),
    ] {
        assert_eq!(a.is_hidden(), is_hidden, "{what}: Alias::is_hidden");
        assert_eq!(a.carries(), carries, "{what}: Alias::carries");
        let r = AliasRef::from(a);
        assert_eq!(r.is_hidden(), is_hidden, "{what}: AliasRef::is_hidden");
        assert_eq!(r.carries(), carries, "{what}: AliasRef::carries");
    }
    // The same answers from the aliases a set lists.
    let set = AliasSet::new([plain.clone(), carrying.clone()]).expect("a valid set");
    let carried: Vec<bool> = set.iter().map(|a| a.carries()).collect();
    assert_eq!(carried, [false, true]);
}

#[test]
fn an_alias_and_its_borrowed_view_compare_equal_both_ways() {
    let a = alias("fast", "openai/gpt-4o", MatchKind::Exact);
    let r = AliasRef::from(&a);
    assert_eq!(r, a);
    assert_eq!(a, r);
    // Each part counts: another name, target, kind or hidden flag is a different alias.
    for other in [
        alias("quick", "openai/gpt-4o", MatchKind::Exact),
        alias("fast", "openai/gpt-4o-mini", MatchKind::Exact),
        alias("fast", "openai/gpt-4o", MatchKind::Prefix),
        a.clone().with_hidden(true),
    ] {
        let o = AliasRef::from(&other);
        assert_ne!(o, a);
        assert_ne!(a, o);
        assert_ne!(r, other);
        assert_ne!(other, r);
    }
}

#[test]
fn an_alias_prints_as_a_dashboard_lists_it() {
    let a = alias(
        "claude-opus",
        "anthropic/claude-opus-4-8",
        MatchKind::Prefix,
    );
    assert_eq!(
        a.to_string(),
        "claude-opus -> anthropic/claude-opus-4-8 (prefix)"
    );
    assert_eq!(AliasRef::from(&a).to_string(), a.to_string());
    assert_eq!(
        a.with_hidden(true).to_string(),
        "claude-opus -> anthropic/claude-opus-4-8 (prefix, hidden)"
    );
}

#[test]
fn every_row_type_brings_its_hidden_flag_into_a_set() {
    let shown = alias("fast", "openai/gpt-4o", MatchKind::Exact);
    let hidden = alias("canary", "openai/gpt-4o-mini", MatchKind::Exact).with_hidden(true);
    let flags =
        |set: &AliasSet| ["fast", "canary"].map(|name| set.get(name).map(|a| a.is_hidden()));
    let want = [Some(false), Some(true)];

    let owned = AliasSet::new([shown.clone(), hidden.clone()]).expect("a valid set");
    assert_eq!(flags(&owned), want, "rows of Alias");
    let borrowed = AliasSet::new([&shown, &hidden]).expect("a valid set");
    assert_eq!(flags(&borrowed), want, "rows of &Alias");
    let rebuilt = AliasSet::new(owned.iter()).expect("a valid set");
    assert_eq!(
        flags(&rebuilt),
        want,
        "rows of AliasRef (a set rebuilt from another)"
    );
    let rebuilt_again = AliasSet::new(owned.iter().collect::<Vec<_>>().iter()).expect("valid");
    assert_eq!(flags(&rebuilt_again), want, "rows of &AliasRef");

    // Tuples cannot say hidden: a pair is an exact alias, a triple has the kind it names.
    let pairs = AliasSet::new([("fast", "openai/gpt-4o"), ("canary", "openai/gpt-4o-mini")])
        .expect("a valid set");
    assert_eq!(flags(&pairs), [Some(false), Some(false)], "pairs");
    let triples = AliasSet::new([("fast", "openai/gpt-4o", MatchKind::Prefix)]).expect("valid");
    let fast = triples.get("fast").expect("the alias");
    assert_eq!(
        (fast.kind(), fast.is_hidden()),
        (MatchKind::Prefix, false),
        "triples"
    );
}
