//! Many keys: `AliasTable` against the obvious alternative, `HashMap<u64, AliasSet>`, for
//! 1,000 to 1,000,000 keys of 20 aliases each, on three generators written independently:
//! - `shared` (groups `table_resolve_<keys>`, `table_load`): names drawn 9 times in 10 from a
//!   shared vocabulary of a few thousand (every family, version and provider prefix), else the
//!   key's own; 400 generated targets; a third prefix aliases;
//! - `popular` (groups `popular_resolve_<keys>`, `popular_load`): 30% of each
//!   key's names are its own (`t123456-bot-17`), the rest from a few hundred popular client
//!   names; 300 targets; a third prefix aliases; queries a third exact hits, a third prefix
//!   hits and a third misses, each checked to be of its kind.
//! - `owned` (groups `owned_resolve_<keys>`, `owned_load`): 30% of each key's names are its own
//!   and start like common ones (`gpt-4o-k123456-3`, so that they pass any filter on first
//!   bytes), the rest drawn from about two thousand dated and provider-prefixed names,
//!   the first of them far more often than the last; 300 targets; queries as for `popular`.
//!
//! Measured, in the same run on the same keys and queries:
//! - resolve latency (criterion), beside a floor that only looks the key up in a
//!   `HashMap<u64, u32>`: a pool of 2^18 queries for random keys, walked 1,024 at a time so
//!   that successive batches touch different keys (a fixed small batch would stay in cache and
//!   flatter both sides); both sides are checked to give the same answer to every query before
//!   timing;
//! - load time (criterion): `AliasTable::from_bytes` on the bytes, checksum included;
//! - build time and memory (median of three timed builds; a counting allocator for the
//!   map), written to `target/model-alias-table.json` for `scripts/benchmarks.py`.
//!
//! ```text
//! cargo bench -p model-alias-benches --bench table      # all sizes and generators, up to 20 million aliases
//! cargo test --bench table       # 1,000 keys only, as a check that it runs
//! TABLE_SIZES=1000000 TABLE_GENERATORS=popular cargo bench -p model-alias-benches --bench table   # one case
//! ```

#[allow(dead_code)] // The per-thread count is for tests/alloc.rs.
#[path = "../tests/common/counting.rs"]
mod counting;
mod support;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

use counting::Counting;
use criterion::{BenchmarkId, Criterion, Throughput};
use model_alias::table::TableBuilder;
use model_alias::{AliasSet, AliasTable, MatchKind, Resolve, Rule};
use support::Rng;

#[global_allocator]
static ALLOC: Counting = Counting;

const ALIASES_PER_KEY: usize = 20;
const POOL: usize = 1 << 18;
const BATCH: usize = 1024;

/// The shared vocabulary: every combination of the generator's families, versions and
/// provider prefixes (a few thousand names, nested as real ones are).
fn vocabulary() -> Vec<String> {
    let mut names: Vec<String> = support::FAMILIES
        .iter()
        .flat_map(|f| support::VERSIONS.iter().map(move |v| format!("{f}{v}")))
        .flat_map(|n| {
            ["", "openai/", "anthropic/", "team/", "prod-", "dev-"]
                .iter()
                .map(move |p| format!("{p}{n}"))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Key `k`'s rows for the `shared` generator: 18 names in 20 from the vocabulary, the rest
/// the key's own.
fn key_rows<'v>(k: u64, vocab: &'v [String], targets: &'v [String]) -> Rows<'v> {
    rows_of(Rng::new(k), targets, |rng, i| {
        if rng.chance(90) {
            rng.pick(vocab).as_str().into()
        } else {
            format!("app-{k}-{i}").into()
        }
    })
}

/// The `popular` generator's names: every family and version, without provider prefixes
/// (a few hundred names, the kind clients hard-code).
fn popular_names() -> Vec<String> {
    let mut names: Vec<String> = support::FAMILIES
        .iter()
        .flat_map(|f| support::VERSIONS.iter().map(move |v| format!("{f}{v}")))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Key `k`'s rows for the `popular` generator: each name 3 times in 10 the key's own, as a
/// team names its bots (`t123456-bot-17`), else a popular name.
fn popular_rows<'v>(k: u64, popular: &'v [String], targets: &'v [String]) -> Rows<'v> {
    rows_of(Rng::new(k ^ 0x0090_91A4), targets, |rng, i| {
        if rng.chance(30) {
            format!("t{k}-bot-{i}").into()
        } else {
            rng.pick(popular).as_str().into()
        }
    })
}

/// The `owned` generator's common names: every family, version and provider prefix, with
/// and without a date, in a fixed shuffled order (the first are drawn most often).
fn owned_names() -> Vec<String> {
    let mut names: Vec<String> = support::FAMILIES
        .iter()
        .flat_map(|f| support::VERSIONS.iter().map(move |v| format!("{f}{v}")))
        .flat_map(|n| [format!("{n}-2025-06-01"), format!("openrouter/{n}"), n])
        .collect();
    names.sort();
    names.dedup();
    let mut rng = Rng::new(0x0C0_FFEE);
    for i in (1..names.len()).rev() {
        names.swap(i, rng.below(i + 1));
    }
    names
}

/// Key `k`'s rows for the `owned` generator: 3 names in 10 the key's own, starting with a
/// model family as common names do (`gpt-4o-k123456-3`), else a common name drawn with a skew
/// towards the first ones (the smaller of two uniform draws).
fn owned_rows<'v>(k: u64, common: &'v [String], targets: &'v [String]) -> Rows<'v> {
    rows_of(Rng::new(k ^ 0x0_0DED), targets, |rng, i| {
        if rng.chance(30) {
            format!("{}-k{k}-{i}", rng.pick(support::FAMILIES)).into()
        } else {
            let first = rng.below(common.len()).min(rng.below(common.len()));
            common[first].as_str().into()
        }
    })
}

/// A key's [`ALIASES_PER_KEY`] rows: `draw(rng, rows so far)` gives each name (a name the key
/// has already is drawn again).
fn rows_of<'v>(
    mut rng: Rng,
    targets: &'v [String],
    mut draw: impl FnMut(&mut Rng, usize) -> Cow<'v, str>,
) -> Rows<'v> {
    let mut rows: Rows<'v> = Vec::new();
    while rows.len() < ALIASES_PER_KEY {
        let name = draw(&mut rng, rows.len());
        push_row(&mut rows, name, &mut rng, targets);
    }
    rows
}

/// Adds `name` unless the key has it already: a third of the time as a prefix alias, to a
/// random target.
fn push_row<'v>(rows: &mut Rows<'v>, name: Cow<'v, str>, rng: &mut Rng, targets: &'v [String]) {
    if rows.iter().any(|r| r.0 == name) {
        return;
    }
    let kind = if rng.chance(33) {
        MatchKind::Prefix
    } else {
        MatchKind::Exact
    };
    rows.push((name, rng.pick(targets).as_str(), kind));
}

type Rows<'v> = Vec<(Cow<'v, str>, &'v str, MatchKind)>;

/// The generators every size is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generator {
    Shared,
    Popular,
    Owned,
}

impl Generator {
    fn name(self) -> &'static str {
        match self {
            Generator::Shared => "shared",
            Generator::Popular => "popular",
            Generator::Owned => "owned",
        }
    }

    /// The prefix of its criterion groups (`table_` keeps the names of earlier runs).
    fn group(self) -> &'static str {
        match self {
            Generator::Shared => "table",
            Generator::Popular => "popular",
            Generator::Owned => "owned",
        }
    }
}

struct Fixture {
    sets: Vec<(u64, AliasSet)>,
    /// `(key, model)` queries for random keys.
    queries: Vec<(u64, String)>,
}

fn fixture(keys: usize, generator: Generator) -> Fixture {
    let mut rng = Rng::new(0x7AB1E);
    let mut targets: Vec<String> = support::targets(&mut rng);
    if generator != Generator::Shared {
        let mut seen = HashSet::new();
        targets.retain(|t| seen.insert(t.clone()));
        targets.truncate(300);
    }
    let vocab = match generator {
        Generator::Shared => vocabulary(),
        Generator::Popular => popular_names(),
        Generator::Owned => owned_names(),
    };
    // Key ids are scattered the way database ids hashed into u64s would be.
    let sets: Vec<(u64, AliasSet)> = (0..keys as u64)
        .map(|i| {
            let id = Rng::new(i ^ 0x1D).next();
            let rows = match generator {
                Generator::Shared => key_rows(i, &vocab, &targets),
                Generator::Popular => popular_rows(i, &vocab, &targets),
                Generator::Owned => owned_rows(i, &vocab, &targets),
            };
            (id, AliasSet::new(rows).expect("generated set"))
        })
        .collect();
    let queries = (0..POOL)
        .map(|q| {
            loop {
                let (id, set) = &sets[rng.below(sets.len())];
                let model = match generator {
                    Generator::Shared => {
                        let alias = set
                            .iter()
                            .nth(rng.below(set.len()))
                            .expect("within the set");
                        Some(match q % 3 {
                            0 => alias.name().to_string(),
                            1 => format!("{}-x", alias.name()),
                            _ => format!("{}#", alias.name().to_uppercase()),
                        })
                    }
                    // A key without an alias of the kind wanted: another key.
                    Generator::Popular | Generator::Owned => {
                        query_of_kind(set, &vocab, q % 3, &mut rng)
                    }
                };
                if let Some(model) = model {
                    break (*id, model);
                }
            }
        })
        .collect();
    Fixture { sets, queries }
}

/// A `popular` or `owned` query for `set`: an exact hit (`kind` 0), a prefix hit (1) or a miss
/// (2, a `common` name it does not resolve), checked to be one; `None` if the set has no alias
/// of the kind.
fn query_of_kind(set: &AliasSet, common: &[String], kind: usize, rng: &mut Rng) -> Option<String> {
    // One of the set's names of `kind`, at random.
    let mut of_kind = |kind: MatchKind| {
        let names: Vec<&str> = set
            .iter()
            .filter(|a| a.kind() == kind)
            .map(|a| a.name())
            .collect();
        names
            .get(rng.below(names.len().max(1)))
            .map(|n| n.to_string())
    };
    let (model, rule) = match kind {
        0 => (of_kind(MatchKind::Exact)?, Rule::Exact),
        1 => (
            format!("{}-2025", of_kind(MatchKind::Prefix)?),
            Rule::Prefix,
        ),
        _ => (
            (0..64)
                .map(|_| rng.pick(common))
                .find(|name| set.resolve(name).rule() == Rule::Passthrough)?
                .clone(),
            Rule::Passthrough,
        ),
    };
    assert_eq!(set.resolve(&model).rule(), rule, "{model}");
    Some(model)
}

/// The bytes `make` leaves allocated, its result still alive.
fn retained<T>(make: impl FnOnce() -> T) -> (isize, T) {
    let before = counting::live_bytes();
    let kept = black_box(make());
    (counting::live_bytes() - before, kept)
}

fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Every size under `cargo bench`, 1,000 keys under `cargo test`, or the comma-separated
/// list in `TABLE_SIZES` (to look at one size while tuning).
fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("TABLE_SIZES") {
        return list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
    }
    if std::env::args().any(|a| a == "--bench") {
        vec![1_000, 10_000, 100_000, 1_000_000]
    } else {
        vec![1_000]
    }
}

/// Every generator, or those `TABLE_GENERATORS` names (`shared`, `popular`, `owned`).
fn generators() -> Vec<Generator> {
    let wanted = std::env::var("TABLE_GENERATORS").unwrap_or_default();
    [Generator::Shared, Generator::Popular, Generator::Owned]
        .into_iter()
        .filter(|g| wanted.is_empty() || wanted.split(',').any(|w| w.trim() == g.name()))
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench")
        && std::env::var_os("TABLE_SIZES").is_none()
        && std::env::var_os("TABLE_GENERATORS").is_none();
    if !full {
        // The latency walk is one cycle through every place, or it would measure a small loop.
        let next = random_cycle(1 << 12);
        let cycle = std::iter::successors(Some(next[0]), |&at| Some(next[at as usize]));
        assert_eq!(cycle.take_while(|&at| at != 0).count() + 1, next.len());
        assert!(miss_latency(&next) > 0.0);
    }
    let mut c = Criterion::default().configure_from_args();
    let mut rows = Vec::new();
    for generator in generators() {
        for keys in sizes() {
            rows.push(measure(&mut c, generator, keys, full));
        }
    }
    if full {
        let miss_ns = miss_latency(&random_cycle(1 << 26));
        println!("a dependent load from a random place in 256 MiB: {miss_ns:.1} ns");
        let json = format!(
            "{{\"miss_ns\": {miss_ns:.1}, \"rows\": [{}]}}\n",
            rows.join(", ")
        );
        support::write_result("model-alias-table.json", &json);
    }
    c.final_summary();
}

/// One random cycle through `slots` places (Sattolo's shuffle): `next[i]` is the place after
/// `i`, and from any place every other is reached before it comes round again.
fn random_cycle(slots: usize) -> Vec<u32> {
    let mut next: Vec<u32> = (0..slots as u32).collect();
    let mut rng = Rng::new(0x1A7E);
    for i in (1..slots).rev() {
        next.swap(i, rng.below(i));
    }
    next
}

/// This machine's latency of a load that misses every cache, in ns: a walk of a
/// [`random_cycle`], each load's address the previous load's value, so that no two overlap.
/// What each of a table lookup's dependent misses costs.
fn miss_latency(next: &[u32]) -> f64 {
    let steps = 4 * next.len().min(1 << 22);
    let mut at = 0u32;
    let start = Instant::now();
    for _ in 0..steps {
        at = next[at as usize];
    }
    black_box(at);
    start.elapsed().as_secs_f64() * 1e9 / steps as f64
}

/// Builds, checks and times one generator at one size; returns its JSON row.
fn measure(c: &mut Criterion, generator: Generator, keys: usize, full: bool) -> String {
    let fx = fixture(keys, generator);
    let aliases = (keys * ALIASES_PER_KEY) as f64;
    let build = || AliasTable::new(fx.sets.iter().map(|(id, s)| (id.to_be_bytes(), s)));
    let (table_heap, table) = retained(|| build().expect("distinct keys"));
    let build_time = median_time(if full { 3 } else { 1 }, || {
        black_box(build().expect("distinct keys"));
    });
    // Fresh sets, so that the map owns its aliases and the count includes them.
    let (map_bytes, map) = retained(|| {
        fx.sets
            .iter()
            .map(|(id, s)| (*id, AliasSet::new(s.iter()).expect("valid")))
            .collect::<HashMap<u64, AliasSet>>()
    });
    let bytes = table.as_bytes().to_vec();
    assert!(table_heap as usize >= bytes.len());

    // Both sides must give the same answer to every query, or there is nothing to compare.
    let empty = AliasSet::default();
    for (id, model) in &fx.queries {
        let want = map.get(id).unwrap_or(&empty).resolve(model);
        let key = table.get(id.to_be_bytes());
        let got = key.resolve(model);
        assert_eq!(
            (want.model(), want.rule()),
            (got.model(), got.rule()),
            "{model}"
        );
    }

    // The same table with ASCII case folding, beside it in the same group, up to
    // 100,000 keys (a second million-key table would double the bench's build time). A third
    // of the queries are uppercased names, which only the folding table resolves.
    let folding = (keys <= 100_000 && generator == Generator::Shared).then(|| {
        let mut builder = TableBuilder::new();
        builder.ignore_case(true);
        for (id, s) in &fx.sets {
            builder.insert(id.to_be_bytes(), s).expect("valid rows");
        }
        builder.build().expect("distinct keys")
    });
    if let Some(folding) = &folding {
        for (id, model) in fx.queries.iter().take(2_000) {
            let set = map.get(id).unwrap_or(&empty);
            let folded = AliasSet::builder()
                .ignore_case(true)
                .build(set)
                .expect("valid");
            let want = folded.resolve(model);
            let key = folding.get(id.to_be_bytes());
            let got = key.resolve(model);
            assert_eq!(
                (want.model(), want.rule()),
                (got.model(), got.rule()),
                "{model}"
            );
        }
    }

    let mut group = c.benchmark_group(format!("{}_resolve_{keys}", generator.group()));
    group.throughput(Throughput::Elements(BATCH as u64));
    bench_table(&mut group, "AliasTable", &table, &fx.queries);
    // Finding the key's block alone: what a resolve costs before its entries are read.
    let mut at = 0;
    group.bench_function("AliasTable::get only", |b| {
        b.iter(|| {
            at = (at + BATCH) % POOL;
            for (id, _) in &fx.queries[at..at + BATCH] {
                black_box(
                    table
                        .get(black_box(id.to_be_bytes()))
                        .map_or(0, |k| k.len()),
                );
            }
        })
    });
    // The same bytes in an anonymous memory map backed by transparent huge pages, to tell TLB
    // misses on 4 KiB pages from cache misses (memmap2's safe `advise`, on Linux).
    if let Some(mapped) = huge_page_copy(table.as_bytes()) {
        let mapped = AliasTable::from_bytes(mapped).expect("same bytes");
        bench_table(&mut group, "AliasTable (huge pages)", &mapped, &fx.queries);
    }
    if let Some(folding) = &folding {
        bench_table(&mut group, "AliasTable (ignore case)", folding, &fx.queries);
    }
    let mut at = 0;
    group.bench_function("HashMap<u64, AliasSet>", |b| {
        b.iter(|| {
            at = (at + BATCH) % POOL;
            for (id, model) in &fx.queries[at..at + BATCH] {
                let set = map.get(black_box(id)).unwrap_or(&empty);
                black_box(set.resolve(model).model());
            }
        })
    });
    // What finding a random key costs before any alias work: a map from key to a small
    // number. Neither structure can beat it.
    let ids: HashMap<u64, u32> = fx
        .sets
        .iter()
        .map(|(id, s)| (*id, s.len() as u32))
        .collect();
    let mut at = 0;
    group.bench_function("floor: HashMap<u64, u32> (key lookup only)", |b| {
        b.iter(|| {
            at = (at + BATCH) % POOL;
            for (id, _) in &fx.queries[at..at + BATCH] {
                black_box(ids.get(black_box(id)));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{}_load", generator.group()));
    group.bench_with_input(BenchmarkId::from_parameter(keys), &bytes, |b, bytes| {
        b.iter(|| AliasTable::from_bytes(black_box(&bytes[..])).map(|t| t.len()))
    });
    group.finish();

    let per_alias = |b: f64| b / aliases;
    println!(
        "{} {keys} keys: table {:.2} B/alias ({} bytes, {:?} distinct names/targets), \
         HashMap<u64, AliasSet> {:.1} B/alias; build {build_time:?}",
        generator.name(),
        per_alias(bytes.len() as f64),
        bytes.len(),
        table.distinct(),
        per_alias(map_bytes as f64),
    );
    // The text of names only one key uses: what no dictionary can share.
    let mut uses: HashMap<&str, u32> = HashMap::new();
    for (_, set) in &fx.sets {
        for alias in set.iter() {
            *uses.entry(alias.name()).or_default() += 1;
        }
    }
    let own_name_bytes: usize = uses
        .iter()
        .filter(|&(_, &n)| n == 1)
        .map(|(name, _)| name.len())
        .sum();
    format!(
        "{{\"generator\": \"{}\", \"keys\": {keys}, \"aliases\": {aliases}, \"table_bytes\": {}, \
         \"map_bytes\": {map_bytes}, \"build_ms\": {:.1}, \"distinct_names\": {}, \
         \"distinct_targets\": {}, \"own_name_bytes\": {own_name_bytes}}}",
        generator.name(),
        bytes.len(),
        build_time.as_secs_f64() * 1e3,
        table.distinct().0,
        table.distinct().1,
    )
}

/// `bytes` copied into an anonymous read-only memory map advised to use huge pages, where
/// the platform has them.
#[cfg(target_os = "linux")]
fn huge_page_copy(bytes: &[u8]) -> Option<memmap2::Mmap> {
    let mut map = memmap2::MmapMut::map_anon(bytes.len()).ok()?;
    map.advise(memmap2::Advice::HugePage).ok()?;
    map.copy_from_slice(bytes);
    map.make_read_only().ok()
}

#[cfg(not(target_os = "linux"))]
fn huge_page_copy(_: &[u8]) -> Option<memmap2::Mmap> {
    None
}

/// Times `table` on the query pool, [`BATCH`] queries an iteration, walking the pool so that
/// batches do not stay in cache.
fn bench_table<B: AsRef<[u8]>>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    table: &AliasTable<B>,
    queries: &[(u64, String)],
) {
    let mut at = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            at = (at + BATCH) % POOL;
            for (id, model) in &queries[at..at + BATCH] {
                black_box(
                    table
                        .get(black_box(id.to_be_bytes()))
                        .resolve(model)
                        .model(),
                );
            }
        })
    });
}
