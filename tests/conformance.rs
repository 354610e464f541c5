//! The spec's rules and examples as one table, run against the set and every strategy, the
//! table, the cache and the request rewrite; then a section for each option:
//! ASCII case folding, prefixes that carry the rest of the name, hidden aliases.

mod common;

use model_alias::MatchKind::{Exact, Prefix};
use model_alias::{Alias, AliasSet, Limits, MatchKind, Rule};

type Rows = &'static [(&'static str, &'static str, MatchKind)];

/// The spec's own examples (also `examples/aliases.json`).
const SPEC: Rows = &[
    ("cross-model-basic", "deepseek/deepseek-chat", Exact),
    ("cross-model-pro", "anthropic/claude-opus-4-8", Exact),
    ("claude-opus", "anthropic/claude-opus-4-8", Prefix),
];

const NESTED: Rows = &[
    ("claude", "anthropic/claude-sonnet-4-5", Prefix),
    ("claude-opus", "anthropic/claude-opus-4-8", Prefix),
    ("claude-opus-4-1", "anthropic/claude-opus-4-1", Exact),
    ("claude-opus-4", "openai/gpt-5", Exact),
    ("c", "mistral/mistral-large", Prefix),
];

/// A hard-coded client name remapped: aliases win over real catalog ids.
const REMAP: Rows = &[
    (
        "claude-3-5-sonnet-20241022",
        "deepseek/deepseek-chat",
        Exact,
    ),
    ("gpt-4", "Qwen/Qwen2.5-72B-Instruct", Exact),
    ("gpt-4o", "openai/gpt-4o-mini", Prefix),
];

/// Resolution is one step: a target that is another alias's name is not resolved again.
const CHAIN: Rows = &[("a", "b", Exact), ("b", "c", Exact), ("p", "b", Prefix)];

const EMPTY: Rows = &[];

struct Case {
    why: &'static str,
    rows: Rows,
    model: &'static str,
    want: &'static str,
    rule: Rule,
    alias: Option<&'static str>,
}

const fn case(
    why: &'static str,
    rows: Rows,
    model: &'static str,
    want: &'static str,
    rule: Rule,
    alias: Option<&'static str>,
) -> Case {
    Case {
        why,
        rows,
        model,
        want,
        rule,
        alias,
    }
}

use Rule::{Exact as E, Passthrough as P, Prefix as X};

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Spec: "Exact — cross-model-basic -> deepseek/deepseek-chat. Only a request for cross-model-basic matches."
    case("exact example", SPEC, "cross-model-basic", "deepseek/deepseek-chat", E, Some("cross-model-basic")),
    case("exact is not a prefix", SPEC, "cross-model-basic-2", "cross-model-basic-2", P, None),
    case("exact needs the whole name", SPEC, "cross-model-basi", "cross-model-basi", P, None),
    case("second exact", SPEC, "cross-model-pro", "anthropic/claude-opus-4-8", E, Some("cross-model-pro")),
    // Spec: "Prefix — claude-opus -> anthropic/claude-opus-4-8. Requests for claude-opus-4-8, claude-opus-4-9, … all match."
    case("prefix example 4-8", SPEC, "claude-opus-4-8", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("prefix example 4-9", SPEC, "claude-opus-4-9", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("a name is a prefix of itself", SPEC, "claude-opus", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("prefix needs the whole name", SPEC, "claude-opu", "claude-opu", P, None),
    case("prefix only at the start", SPEC, "x-claude-opus", "x-claude-opus", P, None),
    // Spec: "Passthrough — if nothing matches, the original name is used unchanged."
    case("passthrough", SPEC, "gpt-3.5-turbo", "gpt-3.5-turbo", P, None),
    case("empty model passes through", SPEC, "", "", P, None),
    case("case-sensitive exact", SPEC, "Cross-Model-Basic", "Cross-Model-Basic", P, None),
    case("case-sensitive prefix", SPEC, "CLAUDE-OPUS-4-8", "CLAUDE-OPUS-4-8", P, None),
    case("never trimmed: leading space", SPEC, " cross-model-basic", " cross-model-basic", P, None),
    case("never trimmed: trailing space", SPEC, "cross-model-basic ", "cross-model-basic ", P, None),
    case("never trimmed: trailing newline", SPEC, "cross-model-basic\n", "cross-model-basic\n", P, None),
    case("prefix alias takes any tail", SPEC, "claude-opus \u{0}\u{1F600}", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("NUL inside the name part", SPEC, "claude\u{0}opus-4", "claude\u{0}opus-4", P, None),
    case("fullwidth look-alike", SPEC, "\u{FF43}laude-opus-4-8", "\u{FF43}laude-opus-4-8", P, None),
    case("Cyrillic look-alike", SPEC, "cr\u{043E}ss-model-basic", "cr\u{043E}ss-model-basic", P, None),
    // Spec: "among prefix aliases whose name is a prefix of the requested model, the longest one wins."
    case("longest prefix wins", NESTED, "claude-opus-4-8", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("shorter prefix when longer misses", NESTED, "claude-sonnet-4", "anthropic/claude-sonnet-4-5", X, Some("claude")),
    case("one-byte prefix", NESTED, "codestral", "mistral/mistral-large", X, Some("c")),
    case("exact beats a prefix", NESTED, "claude-opus-4-1", "anthropic/claude-opus-4-1", E, Some("claude-opus-4-1")),
    case("exact alias is no prefix", NESTED, "claude-opus-4-1-x", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("exact shorter than longest prefix", NESTED, "claude-opus-4", "openai/gpt-5", E, Some("claude-opus-4")),
    case("exact alias skipped for longer model", NESTED, "claude-opus-4-2", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("prefix alias equal to model", NESTED, "claude", "anthropic/claude-sonnet-4-5", X, Some("claude")),
    case("no prefix matches", NESTED, "gpt-4o", "gpt-4o", P, None),
    // Spec: "Aliases take priority over real model names."
    case("alias shadows a real id", REMAP, "claude-3-5-sonnet-20241022", "deepseek/deepseek-chat", E, Some("claude-3-5-sonnet-20241022")),
    case("target keeps its case", REMAP, "gpt-4", "Qwen/Qwen2.5-72B-Instruct", E, Some("gpt-4")),
    case("exact gpt-4 is no prefix of gpt-4-turbo", REMAP, "gpt-4-turbo", "gpt-4-turbo", P, None),
    case("prefix gpt-4o", REMAP, "gpt-4o-2024-08-06", "openai/gpt-4o-mini", X, Some("gpt-4o")),
    // DESIGN: "Resolution is one step."
    case("one step: a -> b, not c", CHAIN, "a", "b", E, Some("a")),
    case("one step from a prefix", CHAIN, "px", "b", X, Some("p")),
    case("target name itself resolves", CHAIN, "b", "c", E, Some("b")),
    case("empty set passes through", EMPTY, "claude-opus-4-8", "claude-opus-4-8", P, None),
    case("empty set, empty model", EMPTY, "", "", P, None),
];

fn build(rows: Rows) -> AliasSet {
    AliasSet::new(rows.iter().copied()).expect("table sets are valid")
}

fn build_folding(rows: Rows) -> AliasSet {
    AliasSet::builder()
        .ignore_case(true)
        .build(rows.iter().copied())
        .expect("table sets are valid")
}

fn owned(rows: Rows) -> Vec<(String, String, MatchKind)> {
    rows.iter()
        .map(|&(n, t, k)| (n.into(), t.into(), k))
        .collect()
}

/// How a section builds its sets: byte-exact or folding.
type Make = fn(Rows) -> AliasSet;

/// Runs `cases` against every resolver of the set `make` builds, and checks the oracle
/// agrees with each case.
fn run(cases: &[Case], make: Make) {
    for c in cases {
        let set = make(c.rows);
        let want = (c.want.to_owned(), c.rule, c.alias.map(str::to_owned));
        let oracle = common::oracle_with(&owned(c.rows), c.model, set.ignores_case());
        assert_eq!(oracle, want, "oracle: {}", c.why);
        for (who, r) in common::resolvers(&set) {
            let got = common::outcome(r.as_ref(), c.model);
            assert_eq!(got, want, "{who}: {} ({:?})", c.why, c.model);
        }
    }
}

#[test]
fn every_resolver_passes_the_table() {
    run(CASES, build);
}

// ASCII case folding, opt-in.

const FOLD: Rows = &[
    ("gpt-4", "Qwen/Qwen2.5-72B-Instruct", Exact),
    ("claude-opus", "anthropic/claude-opus-4-8", Prefix),
    ("oai/", "openai/*", Prefix),
    ("kimi", "moonshot/kimi-k2", Exact),
    // Longer than 16 bytes: engines that compare words compare its head, tail and middle apart.
    (
        "qwen/qwen2.5-72b-instruct-turbo",
        "together/qwen-2.5-72b",
        Prefix,
    ),
];

#[rustfmt::skip]
const FOLD_CASES: &[Case] = &[
    case("folded exact", FOLD, "GPT-4", "Qwen/Qwen2.5-72B-Instruct", E, Some("gpt-4")),
    case("mixed case", FOLD, "gPt-4", "Qwen/Qwen2.5-72B-Instruct", E, Some("gpt-4")),
    case("lowercase still matches", FOLD, "gpt-4", "Qwen/Qwen2.5-72B-Instruct", E, Some("gpt-4")),
    case("folded prefix", FOLD, "CLAUDE-OPUS-4-9", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("folded name, any tail", FOLD, "Claude-Opus-4-9-THINKING", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("passthrough is the client's text", FOLD, "GPT-3.5-Turbo", "GPT-3.5-Turbo", P, None),
    case("a carried rest is the client's text", FOLD, "OAI/GPT-4o", "openai/GPT-4o", X, Some("oai/")),
    case("exact still needs the whole name", FOLD, "GPT-4-TURBO", "GPT-4-TURBO", P, None),
    case("Kelvin sign is not K", FOLD, "\u{212A}IMI", "\u{212A}IMI", P, None),
    case("fullwidth G is not G", FOLD, "\u{FF27}PT-4", "\u{FF27}PT-4", P, None),
    case("dotless i is not i", FOLD, "KIM\u{0131}", "KIM\u{0131}", P, None),
    case("non-ASCII after a folded name is carried as is", FOLD, "Oai/\u{00DC}n\u{00EF}", "openai/\u{00DC}n\u{00EF}", X, Some("oai/")),
    case("never trimmed", FOLD, " GPT-4", " GPT-4", P, None),
    case("uppercase in a long name's middle", FOLD, "qwen/qwen2.5-72B-Instruct-turbo-0725", "together/qwen-2.5-72b", X, Some("qwen/qwen2.5-72b-instruct-turbo")),
    case("uppercase in a long name's last word", FOLD, "qwen/qwen2.5-72b-instruct-TURBO", "together/qwen-2.5-72b", X, Some("qwen/qwen2.5-72b-instruct-turbo")),
    case("a long name all uppercase", FOLD, "QWEN/QWEN2.5-72B-INSTRUCT-TURBO", "together/qwen-2.5-72b", X, Some("qwen/qwen2.5-72b-instruct-turbo")),
    case("folding changes only A-Z", FOLD, "QWEN/QWEN2.5-72B_INSTRUCT-TURBO", "QWEN/QWEN2.5-72B_INSTRUCT-TURBO", P, None),
];

#[test]
fn every_resolver_folds_ascii_case_when_asked() {
    run(FOLD_CASES, build_folding);
}

/// The same models without the option: byte-exact.
#[test]
fn folding_is_off_by_default() {
    for c in FOLD_CASES {
        let set = build(c.rows);
        assert!(!set.ignores_case());
        let want = common::oracle_with(&owned(c.rows), c.model, false);
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), c.model),
                want,
                "{who}: {}",
                c.why
            );
        }
    }
}

/// Every case of the spec's table, folded: what the oracle says (the cases that differ are
/// the uppercase ones).
#[test]
fn the_spec_table_folded_agrees_with_the_oracle() {
    let mut changed = 0;
    for c in CASES {
        let set = build_folding(c.rows);
        let want = common::oracle_with(&owned(c.rows), c.model, true);
        changed += usize::from(want.0 != c.want);
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), c.model),
                want,
                "{who}: {}",
                c.why
            );
        }
    }
    assert_eq!(
        changed, 2,
        "the two case-sensitive cases resolve once folded"
    );
}

// A prefix alias whose target ends in `*` carries the rest of the name.

const CARRY: Rows = &[
    ("oai/", "openai/*", Prefix),
    ("claude-", "anthropic/claude-*", Prefix),
    ("claude-opus", "anthropic/claude-opus-4-8", Prefix),
    ("claude-opus-4-1", "anthropic/claude-opus-4-1", Exact),
    ("ds", "deepseek/*", Prefix),
    ("deepseek/x", "not/again", Exact),
];

#[rustfmt::skip]
const CARRY_CASES: &[Case] = &[
    case("the issue's example", CARRY, "oai/gpt-4o", "openai/gpt-4o", X, Some("oai/")),
    case("the shorthand example", CARRY, "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", X, Some("claude-")),
    case("a model equal to the name carries nothing", CARRY, "claude-", "anthropic/claude-", X, Some("claude-")),
    case("a longer plain prefix wins", CARRY, "claude-opus-4-9", "anthropic/claude-opus-4-8", X, Some("claude-opus")),
    case("an exact alias wins", CARRY, "claude-opus-4-1", "anthropic/claude-opus-4-1", E, Some("claude-opus-4-1")),
    case("one step: the carried result is not resolved again", CARRY, "dsx", "deepseek/x", X, Some("ds")),
    case("the rest is taken as sent", CARRY, "oai/ \u{0}\u{1F600}", "openai/ \u{0}\u{1F600}", X, Some("oai/")),
    case("passthrough", CARRY, "gpt-4o", "gpt-4o", P, None),
    case("prefix needs the whole name", CARRY, "oai", "oai", P, None),
];

#[test]
fn every_resolver_carries_the_rest() {
    run(CARRY_CASES, build);
}

#[test]
fn carrying_and_folding_together() {
    run(CARRY_CASES, build_folding);
    let set = build_folding(CARRY);
    for (who, r) in common::resolvers(&set) {
        let res = r.resolve("CLAUDE-Haiku");
        assert_eq!(res.model(), "anthropic/claude-Haiku", "{who}");
        assert_eq!(
            (res.model().head(), res.model().rest()),
            ("anthropic/claude-", "Haiku")
        );
    }
}

/// The rest is the client's text at any length, as with passthrough (a target's limit is on
/// the target as written).
#[test]
fn a_carried_rest_of_one_mib() {
    let set = build(CARRY);
    let rest = "r".repeat(1 << 20);
    let model = format!("oai/{rest}");
    for (who, r) in common::resolvers(&set) {
        let res = r.resolve(&model);
        assert_eq!(res.model().len(), "openai/".len() + rest.len(), "{who}");
        assert!(
            std::ptr::eq(res.model().rest(), &model[4..]),
            "{who}: borrowed, not copied"
        );
    }
}

// Hidden aliases resolve like any other.

#[test]
fn hidden_aliases_resolve_like_any_other() {
    for c in CASES.iter().chain(CARRY_CASES) {
        let hidden: Vec<Alias> = build(c.rows)
            .iter()
            .map(|a| a.to_alias().with_hidden(true))
            .collect();
        let set = AliasSet::new(&hidden).expect("valid");
        let want = (c.want.to_owned(), c.rule, c.alias.map(str::to_owned));
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), c.model),
                want,
                "{who}: {}",
                c.why
            );
            let res = r.resolve(c.model);
            assert!(
                res.alias().is_none_or(|a| a.is_hidden()),
                "{who}: the flag is kept"
            );
        }
    }
}

/// The request rewrite puts the resolved model, whole, into the body, on every resolver and
/// in every section; and the response restore gives the client back the name it
/// sent, for a JSON body and for a stream event.
#[cfg(feature = "openai")]
#[test]
fn the_rewrite_sends_what_every_resolver_resolves() {
    use model_alias::openai::{RestoreStream, restore_model, rewrite_model};
    let sections: [(&[Case], Make); 4] = [
        (CASES, build),
        (FOLD_CASES, build_folding),
        (CARRY_CASES, build),
        (CARRY_CASES, build_folding),
    ];
    for (cases, make) in sections {
        for c in cases {
            let set = make(c.rows);
            let body = serde_json::json!({"model": c.model, "stream": true}).to_string();
            for (who, r) in common::resolvers(&set) {
                let out = rewrite_model(body.as_bytes(), r.as_ref()).expect("a valid body");
                let sent: serde_json::Value = serde_json::from_slice(out.body()).unwrap();
                assert_eq!(sent["model"], c.want, "{who}: {}", c.why);
                assert_eq!(out.resolution().model(), c.want, "{who}: {}", c.why);
                assert_eq!(out.resolution().requested(), c.model);
                // The upstream answers with what it was sent; the client gets back what it sent.
                let answer = serde_json::json!({"model": c.want}).to_string();
                let restored = restore_model(answer.as_bytes(), &out.resolution());
                let restored: serde_json::Value = serde_json::from_slice(&restored).unwrap();
                assert_eq!(restored["model"], c.model, "{who}: {}", c.why);
                let mut stream = RestoreStream::new(&out.resolution());
                let event = format!("data: {answer}\n\n");
                let mut sent = stream.push(event.as_bytes()).into_owned();
                sent.extend(stream.finish());
                let line = std::str::from_utf8(&sent).unwrap().trim_end();
                let data: serde_json::Value =
                    serde_json::from_str(&line["data: ".len()..]).unwrap();
                assert_eq!(data["model"], c.model, "{who}: {}", c.why);
            }
        }
    }
}

#[test]
fn the_table_agrees_with_the_oracle() {
    for c in CASES {
        let rows: Vec<_> = c
            .rows
            .iter()
            .map(|&(n, t, k)| (n.into(), t.into(), k))
            .collect();
        let want = (c.want.to_owned(), c.rule, c.alias.map(str::to_owned));
        assert_eq!(common::oracle(&rows, c.model), want, "oracle: {}", c.why);
    }
}

/// `Alias::matches` is the per-alias half of the rules: the winner is the exact alias that
/// matches, else the longest matching prefix alias, and nothing matches a passthrough.
#[test]
fn the_winner_is_the_best_alias_that_matches() {
    for c in CASES {
        let set = build(c.rows);
        let matching: Vec<_> = set.iter().filter(|a| a.matches(c.model)).collect();
        let best = matching
            .iter()
            .find(|a| a.kind() == Exact)
            .or_else(|| matching.iter().max_by_key(|a| a.name().len()));
        assert_eq!(best.map(|a| a.name()), c.alias, "{} ({:?})", c.why, c.model);
        for alias in set.iter() {
            let name = alias.name();
            assert_eq!(alias.to_alias().matches(c.model), alias.matches(c.model));
            let want = match alias.kind() {
                Exact => c.model == name,
                Prefix => c.model.starts_with(name),
            };
            assert_eq!(alias.matches(c.model), want, "{name} on {:?}", c.model);
        }
    }
}

#[test]
fn huge_models_resolve_like_short_ones() {
    let set = build(NESTED);
    let mib = 1 << 20;
    let opus = format!("claude-opus{}", "9".repeat(mib));
    let miss = "z".repeat(mib);
    let exact_then_junk = format!("claude-opus-4-1{}", "\u{0}".repeat(mib));
    for (who, r) in common::resolvers(&set) {
        assert_eq!(
            r.resolve(&opus).model(),
            "anthropic/claude-opus-4-8",
            "{who}"
        );
        assert_eq!(r.resolve(&miss).rule(), Rule::Passthrough, "{who}");
        assert_eq!(r.resolve(&miss).model().len(), mib, "{who}");
        assert_eq!(
            r.resolve(&exact_then_junk).alias().map(|a| a.name()),
            Some("claude-opus"),
            "{who}"
        );
    }
}

#[test]
fn the_set_switches_strategy_by_size_without_changing_answers() {
    // Above the scan threshold the set resolves through a hash table; the answers stay the same.
    // 32 aliases is the documented crossover: test well past it.
    let many: Vec<(String, String, MatchKind)> = (0..96)
        .map(|i| {
            let kind = if i % 3 == 0 { Prefix } else { Exact };
            (format!("m{}-{}", i % 7, i), format!("t/{i}"), kind)
        })
        .chain([("m1".to_owned(), "t/short".to_owned(), Prefix)])
        .collect();
    let set = AliasSet::with_limits(&many, Limits::default().with_max_aliases(1000)).unwrap();
    assert_eq!(set.engine(), model_alias::Engine::Hashed);
    let small = AliasSet::new(&many[..20]).unwrap();
    assert_eq!(small.engine(), model_alias::Engine::Scan);
    let models = [
        "m0-0",
        "m0-0x",
        "m1-1",
        "m1-15",
        "m1-15-more",
        "m1",
        "m1zzz",
        "m9",
        "",
    ];
    for model in models {
        let want = common::oracle(&many, model);
        for (who, r) in common::resolvers(&set) {
            assert_eq!(common::outcome(r.as_ref(), model), want, "{who}: {model:?}");
        }
    }
}

#[test]
fn every_byte_of_a_name_is_compared() {
    // The fast strategies compare names a word at a time; a difference at any byte, on either
    // side of the 8- and 16-byte word boundaries, must still be seen.
    for len in 1..=40 {
        let name: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        for kind in [Exact, Prefix] {
            let set = AliasSet::new([(name.as_str(), "t/t", kind)]).unwrap();
            for (who, r) in common::resolvers(&set) {
                let rule = if kind == Exact {
                    Rule::Exact
                } else {
                    Rule::Prefix
                };
                assert_eq!(r.resolve(&name).rule(), rule, "{who}: {name}");
                let longer = format!("{name}-");
                let want = if kind == Exact {
                    Rule::Passthrough
                } else {
                    Rule::Prefix
                };
                assert_eq!(r.resolve(&longer).rule(), want, "{who}: {longer}");
                assert_eq!(
                    r.resolve(&name[..len - 1]).rule(),
                    Rule::Passthrough,
                    "{who}"
                );
                for at in 0..len {
                    let mut changed = name.clone().into_bytes();
                    changed[at] = b'0';
                    changed.extend_from_slice(b"-x");
                    let changed = String::from_utf8(changed).unwrap();
                    assert_eq!(
                        r.resolve(&changed).rule(),
                        Rule::Passthrough,
                        "{who}: {changed}"
                    );
                    assert_eq!(
                        r.resolve(&changed[..len]).rule(),
                        Rule::Passthrough,
                        "{who}"
                    );
                }
            }
        }
    }
}

#[test]
fn names_longer_than_64_bytes_resolve_under_raised_limits() {
    // Past 64 bytes the fast strategies lose their per-length bitmap and use deeper levels;
    // nested long names, exact and prefix, around the 64-byte edge and far past it.
    let stem = "provider/".repeat(7); // 63 bytes
    let lens = [63, 64, 65, 72, 80, 100, 130, 200];
    let mut rows = Vec::new();
    for (i, &len) in lens.iter().enumerate() {
        let name: String = format!("{stem}{}", "x".repeat(200))
            .chars()
            .take(len)
            .collect();
        let kind = if i % 2 == 0 { Prefix } else { Exact };
        rows.push((name, format!("target/{len}"), kind));
    }
    rows.push((
        format!("{stem}y{}", "z".repeat(70)),
        "target/y".into(),
        Exact,
    ));
    let limits = Limits::default().with_max_name_len(256);
    let set = AliasSet::with_limits(&rows, limits).unwrap();
    let mut models: Vec<String> = Vec::new();
    for (name, _, _) in &rows {
        models.push(name.clone());
        models.push(format!("{name}-more"));
        models.push(name[..name.len() - 1].to_owned());
    }
    models.push("x".repeat(300));
    models.push(format!("{stem}{}", "x".repeat(500)));
    for (who, r) in common::resolvers(&set) {
        for model in &models {
            let want = common::oracle(&rows, model);
            assert_eq!(
                common::outcome(r.as_ref(), model),
                want,
                "{who} on {model:?}"
            );
        }
    }
}

/// Presets travel with the alias that applied, on every resolver: the same objects from the
/// set, each engine, the table and the cache; passthrough has none; and the rewrite through
/// each applies them alike.
#[cfg(feature = "openai")]
#[test]
fn every_resolver_carries_the_presets_of_the_alias_that_applied() {
    use model_alias::openai::rewrite_model;
    let set = AliasSet::from_json(
        r#"[{"name": "pro", "target": "deepseek/deepseek-reasoner",
             "defaults": {"reasoning_effort": "high"}, "overrides": {"max_tokens": 8192}},
            {"name": "claude", "target": "anthropic/*", "match": "prefix", "defaults": {"temperature": 0.2}},
            {"name": "plain", "target": "openai/gpt-4o"}]"#,
    )
    .expect("valid");
    let cases = [
        (
            "pro",
            Some((r#"{"reasoning_effort":"high"}"#, r#"{"max_tokens":8192}"#)),
        ),
        ("claude-opus-4", Some((r#"{"temperature":0.2}"#, "{}"))),
        ("plain", None),
        ("gpt-4o", None),
    ];
    for (who, r) in common::resolvers(&set) {
        for (model, want) in cases {
            let got = r.resolve(model).alias().and_then(|a| a.presets());
            assert_eq!(
                got.map(|p| (p.defaults(), p.overrides())),
                want,
                "{who}: {model}"
            );
        }
        let out = rewrite_model(br#"{"model":"pro","max_tokens":1}"#, r.as_ref()).expect("valid");
        assert_eq!(
            out.body(),
            br#"{"model":"deepseek/deepseek-reasoner","max_tokens":8192,"reasoning_effort":"high"}"#,
            "{who}"
        );
    }
}
