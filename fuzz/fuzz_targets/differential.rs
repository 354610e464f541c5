//! Every strategy against an independent oracle, on sets and models the fuzzer chooses.
//!
//! The input is split on `\n`: the first line holds rows separated by `;`, each
//! `name=target`, a trailing `*` on the name making it a prefix alias (bytes are mapped onto a
//! small alphabet so that names are often prefixes of each other; a target ending in `*` on a
//! prefix alias carries the rest); every other line is a model, taken as it is. Every set is
//! checked byte-exact and with ASCII case folding.
//!
//! Speed: an input is cut to [`MAX_ROWS`] rows and [`MAX_MODELS`] models, since the
//! checks grow with their product and a 4 KiB input of short rows made a run of milliseconds;
//! and the resolvers that cost most to build are checked on a share of inputs: the table (a
//! build, a checksum, a load) on one in [`TABLE_EVERY`], the `Fst` engine on one in
//! [`FST_EVERY`] (its builder sets up a registry of thousands of cells, which under
//! AddressSanitizer's allocator took a third of a run even at one input in 8);
//! `tests/conformance.rs` and `tests/differential.rs` check both on every case.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use model_alias::{AliasSet, Limits, MatchKind};

/// The most rows an input makes: past the 32 at which a set switches from `Scan` to `Hashed`.
const MAX_ROWS: usize = 48;
/// The most model lines an input adds to the set's own names.
const MAX_MODELS: usize = 48;
/// The table is built for one input in this many.
const TABLE_EVERY: u8 = 8;
/// The `Fst` engine is built for one input in this many (a multiple of [`TABLE_EVERY`]).
const FST_EVERY: u8 = 32;

/// Maps any byte onto a name alphabet where collisions and shared prefixes are likely.
fn name_byte(b: u8) -> u8 {
    b"ab-/.c9"[usize::from(b % 7)]
}

fn rows(line: &[u8]) -> Vec<(String, String, MatchKind)> {
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for row in line.split(|&b| b == b';') {
        let (name, target) = match row.iter().position(|&b| b == b'=') {
            Some(at) => (&row[..at], &row[at + 1..]),
            None => (row, &b"t"[..]),
        };
        let (name, kind) = match name.strip_suffix(b"*") {
            Some(name) => (name, MatchKind::Prefix),
            None => (name, MatchKind::Exact),
        };
        let name: String = name.iter().map(|&b| char::from(name_byte(b))).collect();
        let target: String = target
            .iter()
            .filter(|b| b.is_ascii_graphic())
            .map(|&b| char::from(b))
            .collect();
        if !name.is_empty() && !target.is_empty() && seen.insert(name.clone()) {
            rows.push((name, target, kind));
        }
        if rows.len() == MAX_ROWS {
            break;
        }
    }
    rows
}

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let rows = rows(lines.next().unwrap_or_default());
    let limits = Limits::default()
        .with_max_aliases(rows.len().max(1))
        .with_max_name_len(256);
    let mut models: Vec<String> = lines
        .take(MAX_MODELS)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    let sum = data.iter().fold(0u8, |sum, &b| sum.wrapping_add(b));
    let costly = match (sum % FST_EVERY, sum % TABLE_EVERY) {
        (0, _) => common::Costly::All,
        (_, 0) => common::Costly::Table,
        _ => common::Costly::None,
    };
    // Each name, extended, and uppercased, so that hits are common whatever the fuzzer sends.
    models.extend(rows.iter().map(|r| r.0.clone()));
    models.extend(rows.iter().map(|r| format!("{}-x", r.0)));
    models.extend(rows.iter().map(|r| format!("{}-Y", r.0.to_ascii_uppercase())));
    for ignore_case in [false, true] {
        let built = AliasSet::builder()
            .limits(limits)
            .ignore_case(ignore_case)
            .build(&rows);
        let Ok(set) = built else {
            return;
        };
        let resolvers = common::resolvers_with(&set, costly);
        for model in &models {
            let want = common::oracle_with(&rows, model, ignore_case);
            for (who, resolver) in &resolvers {
                // Compared in place; the owned outcome is built only to report a difference.
                if !common::agrees(resolver.as_ref(), model, &want) {
                    assert_eq!(
                        common::outcome(resolver.as_ref(), model),
                        want,
                        "{who} on {model:?} (ignore case: {ignore_case})"
                    );
                }
            }
        }
    }
});
