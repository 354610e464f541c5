//! Resolution allocates nothing: every resolver, on every kind of input, from the one-alias set
//! to one large enough that `AliasSet` switches to `Hashed`, including a 1 MiB model; with ASCII
//! case folding and with targets that carry the rest too.

mod common;

use std::hint::black_box;

use common::counting::{self, Counting};
use model_alias::{AliasSet, Limits, MatchKind};

#[global_allocator]
static ALLOC: Counting = Counting;

/// A set of `n` aliases with nested prefix names, long names and both kinds.
fn set(n: usize) -> AliasSet {
    let families = [
        "claude",
        "claude-opus",
        "gpt-4o",
        "team-7/anthropic/claude-opus-4",
    ];
    let rows: Vec<(String, String, MatchKind)> = (0..n)
        .map(|i| {
            let family = families[i % families.len()];
            let name = if i < families.len() {
                family.to_owned()
            } else {
                format!("{family}-{i}")
            };
            let kind = if i % 3 == 0 {
                MatchKind::Exact
            } else {
                MatchKind::Prefix
            };
            // Every fifth prefix alias carries the rest of the model.
            let star = if kind == MatchKind::Prefix && i % 5 == 1 {
                "/*"
            } else {
                ""
            };
            (name, format!("provider/Model-{i}{star}"), kind)
        })
        .collect();
    AliasSet::with_limits(rows, Limits::default().with_max_aliases(n.max(20))).expect("valid")
}

/// [`set`], matching with ASCII case folded.
fn folding(n: usize) -> AliasSet {
    let set = set(n);
    AliasSet::builder()
        .limits(set.limits())
        .ignore_case(true)
        .build(&set)
        .expect("valid")
}

fn inputs(set: &AliasSet) -> Vec<String> {
    let mut inputs: Vec<String> = set.iter().map(|a| a.name().to_string()).collect();
    inputs.extend(set.iter().map(|a| format!("{}-4-9", a.name())));
    inputs.extend(set.iter().map(|a| a.name().to_uppercase()));
    inputs.extend(
        set.iter()
            .map(|a| format!("{}-Rest", a.name().to_uppercase())),
    );
    let odd = [
        "",
        "x",
        "\0",
        "ｃlaude",
        "clаude",
        "claude\u{301}",
        "team-7/anthropic/claude-opus",
    ];
    inputs.extend(odd.iter().map(|s| s.to_string()));
    inputs.push(format!("claude-opus{}", "-".repeat(1 << 20)));
    inputs.push("z".repeat(1 << 20));
    inputs
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would make the test below pass whatever resolve does.
    let before = counting::allocations();
    black_box(vec![0u8; 16]);
    assert!(counting::allocations() > before);
}

#[test]
fn resolve_allocates_nothing() {
    // 33: one past the documented 32-alias crossover to `Hashed`.
    for (n, set) in [1, 20, 33, 1_000]
        .into_iter()
        .flat_map(|n| [(n, set(n)), (n, folding(n))])
    {
        let inputs = inputs(&set);
        for (who, resolver) in common::resolvers(&set) {
            let before = counting::allocations();
            for model in &inputs {
                let resolution = black_box(resolver.resolve(black_box(model)));
                black_box((resolution.model(), resolution.rule(), resolution.alias()));
                black_box(resolution.model().len());
            }
            let made = counting::allocations() - before;
            assert_eq!(
                made, 0,
                "{who} over {n} aliases allocated {made} times while resolving"
            );
        }
    }
}
