//! Memory per alias, measured: a counting global allocator records the bytes live after
//! building each structure minus the bytes live before, over the deterministic sets of the
//! `resolve` bench.
//!
//! `AliasSet` counts the aliases themselves (names, targets) and its index; each engine's
//! column counts only its index: a set forced onto that engine, minus the same set on the
//! `Reference` engine (which has no index). `HashMap<String, String>` is the peer a gateway
//! would otherwise keep per key.
//!
//! ```text
//! cargo bench -p model-alias-benches --bench memory     # all sizes; writes target/model-alias-memory.json
//! cargo test --bench memory      # small sizes only, as a check that it runs
//! ```

#[allow(dead_code)] // The per-thread count is for tests/alloc.rs.
#[path = "../tests/common/counting.rs"]
mod counting;
mod support;

use std::collections::HashMap;
use std::hint::black_box;

use counting::Counting;
use model_alias::{AliasSet, Engine};

#[global_allocator]
static ALLOC: Counting = Counting;

const COLUMNS: &[&str] = &[
    "AliasSet (aliases + index)",
    "Scan",
    "Hashed",
    "Trie",
    "Fst",
    "peer: HashMap<String, String>",
];

/// The bytes `make` leaves allocated, its result still alive.
fn retained<T>(make: impl FnOnce() -> T) -> isize {
    let before = counting::live_bytes();
    let kept = black_box(make());
    let after = counting::live_bytes();
    drop(kept);
    after - before
}

fn measure(size: usize) -> Vec<f64> {
    let rows = support::rows(size);
    let limits = support::limits(size);
    let engine = |engine| {
        let builder = AliasSet::builder().limits(limits).engine(engine);
        retained(|| builder.build(&rows))
    };
    let aliases_only = engine(Engine::Reference);
    let bytes = [
        retained(|| AliasSet::with_limits(&rows, limits)),
        engine(Engine::Scan) - aliases_only,
        engine(Engine::Hashed) - aliases_only,
        engine(Engine::Trie) - aliases_only,
        engine(Engine::Fst) - aliases_only,
        retained(|| {
            let map: HashMap<String, String> =
                rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
            map
        }),
    ];
    bytes.iter().map(|&b| b as f64 / size as f64).collect()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and gets a quick check.
    let full = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if full {
        &[1, 20, 1_000, 100_000]
    } else {
        &[1, 20, 1_000]
    };
    let mut rows = Vec::new();
    println!("bytes per alias\n{:>8}  {}", "aliases", COLUMNS.join(" | "));
    for &size in sizes {
        let per = measure(size);
        for (column, bytes) in COLUMNS.iter().zip(&per) {
            // An index that costs nothing would mean the allocator counted nothing.
            assert!(
                *bytes > 0.0,
                "{column} at {size} aliases measured {bytes} bytes"
            );
        }
        let cells: Vec<String> = per.iter().map(|b| format!("{b:.1}")).collect();
        println!("{size:>8}  {}", cells.join(" | "));
        let fields: Vec<String> = COLUMNS
            .iter()
            .zip(&per)
            .map(|(c, b)| format!("{c:?}: {b:.2}"))
            .collect();
        rows.push(format!("{{\"aliases\": {size}, {}}}", fields.join(", ")));
    }
    if full {
        let columns: Vec<String> = COLUMNS.iter().map(|c| format!("{c:?}")).collect();
        let json = format!(
            "{{\"columns\": [{}], \"rows\": [{}]}}\n",
            columns.join(", "),
            rows.join(", ")
        );
        support::write_result("model-alias-memory.json", &json);
    }
}
