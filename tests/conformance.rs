//! The spec's rules and examples as one table, run against the set and every strategy, the
//! table, the cache and the request rewrite; then a section for each option:
//! ASCII case folding, prefixes that carry the rest of the name, hidden aliases.
//!
//! The cases live in `tests/conformance.json`, which the middleware's tests and the Python
//! package's read too.

#[path = "common/cases.rs"]
mod cases;
mod common;

use cases::Case;
use model_alias::MatchKind::{Exact, Prefix};
use model_alias::{Alias, AliasSet, Limits, MatchKind, Rule};

/// The cases of the section named `name`.
fn section(name: &str) -> &'static [Case] {
    &cases::section(name).cases
}

fn build(rows: &[cases::Row]) -> AliasSet {
    AliasSet::new(rows).expect("table sets are valid")
}

fn build_folding(rows: &[cases::Row]) -> AliasSet {
    AliasSet::builder()
        .ignore_case(true)
        .build(rows)
        .expect("table sets are valid")
}

/// Runs `cases` against every resolver of their sets (folding ASCII case if `ignore_case`),
/// and checks the oracle agrees with each case.
fn run(cases: &[Case], ignore_case: bool) {
    for c in cases {
        let set = c.set(ignore_case);
        let oracle = common::oracle_with(c.rows(), &c.model, set.ignores_case());
        assert_eq!(oracle, c.want(), "oracle: {}", c.why);
        for (who, r) in common::resolvers(&set) {
            let got = common::outcome(r.as_ref(), &c.model);
            assert_eq!(got, c.want(), "{who}: {} ({:?})", c.why, c.model);
        }
    }
}

/// Every section of the file, each with the case folding it names.
#[test]
fn every_resolver_passes_every_section() {
    let sections = cases::sections();
    assert_eq!(
        sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["rules", "ascii case folding", "carried rest"],
    );
    for s in sections {
        assert!(!s.cases.is_empty(), "{}", s.name);
        run(&s.cases, s.ignore_case);
    }
}

// ASCII case folding, opt-in.

/// The same models without the option: byte-exact.
#[test]
fn folding_is_off_by_default() {
    for c in section("ascii case folding") {
        let set = build(c.rows());
        assert!(!set.ignores_case());
        let want = common::oracle_with(c.rows(), &c.model, false);
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), &c.model),
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
    for c in section("rules") {
        let set = build_folding(c.rows());
        let want = common::oracle_with(c.rows(), &c.model, true);
        changed += usize::from(want.0 != c.resolved);
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), &c.model),
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

#[test]
fn carrying_and_folding_together() {
    run(section("carried rest"), true);
    let set = build_folding(cases::rows("carry"));
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
    let set = build(cases::rows("carry"));
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
    for c in section("rules").iter().chain(section("carried rest")) {
        let hidden: Vec<Alias> = build(c.rows())
            .iter()
            .map(|a| a.to_alias().with_hidden(true))
            .collect();
        let set = AliasSet::new(&hidden).expect("valid");
        for (who, r) in common::resolvers(&set) {
            assert_eq!(
                common::outcome(r.as_ref(), &c.model),
                c.want(),
                "{who}: {}",
                c.why
            );
            let res = r.resolve(&c.model);
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
    let folded_carry = (section("carried rest"), true);
    let sections = cases::sections()
        .iter()
        .map(|s| (&s.cases[..], s.ignore_case));
    for (cases, ignore_case) in sections.chain([folded_carry]) {
        for c in cases {
            let set = c.set(ignore_case);
            let body = serde_json::json!({"model": c.model, "stream": true}).to_string();
            for (who, r) in common::resolvers(&set) {
                let out = rewrite_model(body.as_bytes(), r.as_ref()).expect("a valid body");
                let sent: serde_json::Value = serde_json::from_slice(out.body()).unwrap();
                assert_eq!(sent["model"], *c.resolved, "{who}: {}", c.why);
                assert_eq!(out.resolution().model(), *c.resolved, "{who}: {}", c.why);
                assert_eq!(out.resolution().requested(), c.model);
                // The upstream answers with what it was sent; the client gets back what it sent.
                let answer = serde_json::json!({"model": c.resolved}).to_string();
                let restored = restore_model(answer.as_bytes(), &out.resolution());
                let restored: serde_json::Value = serde_json::from_slice(&restored).unwrap();
                assert_eq!(restored["model"], *c.model, "{who}: {}", c.why);
                let mut stream = RestoreStream::new(&out.resolution());
                let event = format!("data: {answer}\n\n");
                let mut sent = stream.push(event.as_bytes()).into_owned();
                sent.extend(stream.finish());
                let line = std::str::from_utf8(&sent).unwrap().trim_end();
                let data: serde_json::Value =
                    serde_json::from_str(&line["data: ".len()..]).unwrap();
                assert_eq!(data["model"], *c.model, "{who}: {}", c.why);
            }
        }
    }
}

/// `Alias::matches` is the per-alias half of the rules: the winner is the exact alias that
/// matches, else the longest matching prefix alias, and nothing matches a passthrough.
#[test]
fn the_winner_is_the_best_alias_that_matches() {
    for c in section("rules") {
        let model = c.model.as_str();
        let set = build(c.rows());
        let matching: Vec<_> = set.iter().filter(|a| a.matches(model)).collect();
        let best = matching
            .iter()
            .find(|a| a.kind() == Exact)
            .or_else(|| matching.iter().max_by_key(|a| a.name().len()));
        let best = best.map(|a| a.name());
        assert_eq!(best, c.alias.as_deref(), "{} ({model:?})", c.why);
        for alias in set.iter() {
            let name = alias.name();
            assert_eq!(alias.to_alias().matches(model), alias.matches(model));
            let want = match alias.kind() {
                Exact => model == name,
                Prefix => model.starts_with(name),
            };
            assert_eq!(alias.matches(model), want, "{name} on {model:?}");
        }
    }
}

#[test]
fn huge_models_resolve_like_short_ones() {
    let set = build(cases::rows("nested"));
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
