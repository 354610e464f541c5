//! Differential property test: on generated sets and inputs, every resolver gives the answer of
//! an independent oracle. Names come from a three-letter alphabet so that they are often
//! prefixes of each other; inputs are derived from the names (equal, extended, truncated,
//! case-flipped) or arbitrary. Some prefix aliases carry the rest (targets ending in `*`), and
//! each set is checked byte-exact and with ASCII case folding.

mod common;

use model_alias::{AliasSet, Limits, MatchKind};
use proptest::prelude::*;

type Rows = Vec<(String, String, MatchKind)>;

fn kind() -> impl Strategy<Value = MatchKind> {
    prop_oneof![Just(MatchKind::Exact), Just(MatchKind::Prefix)]
}

/// A name made of a few tokens over `a`, `b`, `-`: short ones make names prefixes of each
/// other, long ones carry names across the 8- and 16-byte word boundaries of the fast
/// strategies.
fn name() -> impl Strategy<Value = String> {
    let tokens = vec!["a", "b", "-", "ab", "a-b", "aaaa", "bbbbbbbb", "ab-ab-ab-"];
    prop::collection::vec(prop::sample::select(tokens), 1..7).prop_map(|t| t.concat())
}

/// Fewer than `max` aliases with unique names; about half the prefix aliases carry the rest.
fn rows(max: usize) -> impl Strategy<Value = Rows> {
    let row = (name(), "[A-Za-z0-9/._-]{1,12}", kind(), any::<bool>()).prop_map(
        |(name, mut target, kind, carry)| {
            if carry && kind == MatchKind::Prefix {
                target.push('*');
            }
            (name, target, kind)
        },
    );
    prop::collection::vec(row, 0..max).prop_map(|mut rows| {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|(name, _, _)| seen.insert(name.clone()));
        rows
    })
}

/// Flips the case of the ASCII letters where `mask` has a bit set.
fn flip_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 && c.is_ascii_alphabetic() {
                (c as u8 ^ 0x20) as char
            } else {
                c
            }
        })
        .collect()
}

/// An input derived from one of the names, or an arbitrary string.
fn input(rows: &Rows) -> impl Strategy<Value = String> + use<> {
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let pick = if names.is_empty() {
        Just(String::new()).boxed()
    } else {
        prop::sample::select(names).boxed()
    };
    prop_oneof![
        pick.clone(),
        (pick.clone(), "[ab-]{0,4}").prop_map(|(n, tail)| n + &tail),
        (pick.clone(), name()).prop_map(|(n, tail)| n + &tail),
        (pick.clone(), "\\PC{0,8}").prop_map(|(n, tail)| n + &tail),
        (pick.clone(), 0usize..8).prop_map(|(n, cut)| n[..n.len().saturating_sub(cut)].to_owned()),
        pick.clone().prop_map(|n| n.to_uppercase()),
        (pick.clone(), any::<u64>(), "[ab-]{0,4}")
            .prop_map(|(n, m, tail)| flip_case(&(n + &tail), m)),
        pick.prop_map(|n| n.replace('a', "\u{212A}")),
        "[ab-]{0,20}",
        "\\PC{0,12}",
        ".{0,12}",
    ]
}

fn check(rows: &Rows, models: &[String], limits: Limits) -> Result<(), TestCaseError> {
    check_with(rows, models, limits, false)?;
    check_with(rows, models, limits, true)
}

fn check_with(
    rows: &Rows,
    models: &[String],
    limits: Limits,
    ignore_case: bool,
) -> Result<(), TestCaseError> {
    let set = AliasSet::builder()
        .limits(limits)
        .ignore_case(ignore_case)
        .build(rows)
        .expect("generated sets are valid");
    let resolvers = common::resolvers(&set);
    for model in models {
        let want = common::oracle_with(rows, model, ignore_case);
        for (who, r) in &resolvers {
            prop_assert_eq!(
                &common::outcome(r.as_ref(), model),
                &want,
                "{} on {:?}",
                who,
                model
            );
        }
    }
    Ok(())
}

/// A set of fewer than `max_rows` aliases and up to `max_models` inputs for it.
fn case(max_rows: usize, max_models: usize) -> impl Strategy<Value = (Rows, Vec<String>)> {
    rows(max_rows).prop_flat_map(move |rows| {
        let models = prop::collection::vec(input(&rows), 1..max_models);
        (Just(rows), models)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn every_resolver_matches_the_oracle((rows, models) in case(21, 8)) {
        check(&rows, &models, Limits::default().with_max_aliases(usize::MAX))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Sets past the scan threshold, so that the set's own hashed path is covered too.
    #[test]
    fn big_sets((rows, models) in case(200, 16)) {
        check(&rows, &models, Limits::default().with_max_aliases(usize::MAX))?;
    }
}
