//! The benchmarks' generated set of N aliases and its query mixes, as JSON on standard output,
//! for benchmarks outside Rust (`python/bench/litellm.py`) to run the same workload:
//!
//! ```text
//! cargo run --release -p model-alias-benches --example workload -- 1000
//! ```
//!
//! `{"size": N, "rows": [...], "mixes": [{"name": ..., "queries": [...]}, ...]}`: the rows in
//! the crate's JSON list form, the mixes those of the `resolve` bench.

#[path = "support/mod.rs"]
mod support;

fn main() {
    let size = match std::env::args()
        .nth(1)
        .map(|n| n.replace('_', "").parse::<usize>())
    {
        Some(Ok(size)) if size > 0 => size,
        _ => {
            eprintln!("usage: workload N (the number of aliases, 1 or more)");
            std::process::exit(2);
        }
    };
    let set = support::set(size);
    let mixes: Vec<_> = support::mixes(&set)
        .into_iter()
        .map(|mix| serde_json::json!({"name": mix.name, "queries": mix.queries}))
        .collect();
    let out = serde_json::json!({"size": size, "rows": set, "mixes": mixes});
    println!("{out}");
}
