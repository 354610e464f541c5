//! Resolution speed: every strategy of the crate beside the peers a user would pick instead,
//! in the same criterion group for each (set size, query mix), so that ratios are taken
//! between numbers measured in the same run.
//!
//! Groups are `resolve_<size>`, functions are the resolvers, parameters the query mixes;
//! `build_<size>` times building each strategy; `fold_<size>` puts ASCII case folding beside
//! the case-sensitive path on the same queries, and also times the two in
//! alternating rounds for a paired ratio (`target/model-alias-fold.json`), which this
//! machine's noise moves far less than a ratio of two criterion medians taken seconds apart.
//! `scripts/benchmarks.py` turns the results into BENCHMARKS.md.
//!
//! ```text
//! cargo bench -p model-alias-benches --bench resolve                 # the whole comparison
//! cargo bench -p model-alias-benches --bench resolve -- resolve_20/  # one size
//! ```

mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, Anchored, Input, StartKind};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use model_alias::{AliasSet, Engine, MatchKind, Resolve};
use patricia_tree::PatriciaMap;
use support::ENGINES;

type FastMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// The set sizes: all of them under `cargo bench` (which passes `--bench`); under
/// `cargo test --benches`, which runs each benchmark once as a check, the small ones.
fn sizes() -> &'static [usize] {
    if std::env::args().any(|a| a == "--bench") {
        &[1, 20, 1_000, 100_000]
    } else {
        &[1, 20, 1_000]
    }
}

/// The peers, built once per set from the same rows.
struct Peers {
    sip: HashMap<String, String>,
    fast: FastMap<String>,
    /// (name, target, kind), longest name first.
    sorted: Vec<(String, String, MatchKind)>,
    exact: FastMap<String>,
    aho: AhoCorasick,
    aho_targets: Vec<String>,
    patricia: PatriciaMap<String>,
    fst: fst::Map<Vec<u8>>,
    fst_targets: Vec<(String, MatchKind)>,
    longest: usize,
}

impl Peers {
    fn new(set: &AliasSet) -> Peers {
        let rows: Vec<(String, String, MatchKind)> = set
            .iter()
            .map(|a| (a.name().to_string(), a.target().to_string(), a.kind()))
            .collect();
        let all = |map: &mut dyn FnMut(String, String)| {
            rows.iter().for_each(|(n, t, _)| map(n.clone(), t.clone()))
        };
        let mut sip = HashMap::new();
        all(&mut |n, t| drop(sip.insert(n, t)));
        let mut fast = FastMap::default();
        all(&mut |n, t| drop(fast.insert(n, t)));
        let mut sorted = rows.clone();
        sorted.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        let exact: FastMap<String> = rows
            .iter()
            .filter(|r| r.2 == MatchKind::Exact)
            .map(|r| (r.0.clone(), r.1.clone()))
            .collect();
        let prefixes: Vec<&(String, String, MatchKind)> =
            rows.iter().filter(|r| r.2 == MatchKind::Prefix).collect();
        let aho = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(prefixes.iter().map(|r| &r.0))
            .expect("prefix names build an automaton");
        let mut patricia = PatriciaMap::new();
        for r in &prefixes {
            patricia.insert(r.0.as_bytes(), r.1.clone());
        }
        let mut keyed: Vec<(&str, u64)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.0.as_str(), i as u64))
            .collect();
        keyed.sort_unstable();
        Peers {
            sip,
            fast,
            exact,
            aho_targets: prefixes.iter().map(|r| r.1.clone()).collect(),
            aho,
            patricia,
            fst: fst::Map::from_iter(keyed).expect("sorted unique keys"),
            fst_targets: rows.iter().map(|r| (r.1.clone(), r.2)).collect(),
            longest: rows.iter().map(|r| r.0.len()).max().unwrap_or(0),
            sorted,
        }
    }

    fn starts_with_scan<'a>(&'a self, q: &'a str) -> &'a str {
        let hit = self.sorted.iter().find(|(n, _, k)| match k {
            MatchKind::Exact => q == n,
            MatchKind::Prefix => q.starts_with(n.as_str()),
        });
        hit.map_or(q, |r| &r.1)
    }

    fn aho_corasick<'a>(&'a self, q: &'a str) -> &'a str {
        if let Some(t) = self.exact.get(q) {
            return t;
        }
        let m = self.aho.find(Input::new(q).anchored(Anchored::Yes));
        m.map_or(q, |m| &self.aho_targets[m.pattern().as_usize()])
    }

    fn patricia<'a>(&'a self, q: &'a str) -> &'a str {
        if let Some(t) = self.exact.get(q) {
            return t;
        }
        self.patricia
            .get_longest_common_prefix(q.as_bytes())
            .map_or(q, |(_, t)| t)
    }

    /// A raw `fst::Map` used the way its API invites: look the model up, then each of its
    /// prefixes, longest first.
    fn fst_map<'a>(&'a self, q: &'a str) -> &'a str {
        let bytes = q.as_bytes();
        let target = |key: &[u8], exact_ok: bool| {
            let (t, k) = &self.fst_targets[self.fst.get(key)? as usize];
            (exact_ok || *k == MatchKind::Prefix).then_some(t.as_str())
        };
        if let Some(t) = target(bytes, true) {
            return t;
        }
        (1..bytes.len().min(self.longest + 1))
            .rev()
            .find_map(|l| target(&bytes[..l], false))
            .unwrap_or(q)
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600))
        .sample_size(20)
        .without_plots()
}

/// What the benchmark asks of every resolver: the model to route for `q`.
trait Model {
    fn model<'q>(&'q self, q: &'q str) -> &'q str;
}

impl<R: Resolve> Model for R {
    #[inline]
    fn model<'q>(&'q self, q: &'q str) -> &'q str {
        self.resolve(q).model().head()
    }
}

/// Gives one `Peers` method a type of its own, so every resolver is called statically.
macro_rules! peer {
    ($ty:ident, $method:ident) => {
        struct $ty<'p>(&'p Peers);

        impl Model for $ty<'_> {
            #[inline]
            fn model<'q>(&'q self, q: &'q str) -> &'q str {
                self.0.$method(q)
            }
        }
    };
}

peer!(StartsWithScan, starts_with_scan);
peer!(AhoCorasickHash, aho_corasick);
peer!(PatriciaHash, patricia);
peer!(FstMap, fst_map);
peer!(FloorFast, floor_fast);
peer!(FloorSip, floor_sip);

impl Peers {
    fn floor_fast<'a>(&'a self, q: &'a str) -> &'a str {
        self.fast.get(q).map_or(q, |t| t)
    }

    fn floor_sip<'a>(&'a self, q: &'a str) -> &'a str {
        self.sip.get(q).map_or(q, |t| t)
    }
}

/// One size's benchmark group, with the queries and the answers every resolver must give.
struct Run<'g, 'm> {
    group: criterion::BenchmarkGroup<'g, criterion::measurement::WallTime>,
    mixes: &'m [support::Mix],
    reference: AliasSet,
}

impl Run<'_, '_> {
    /// Benchmarks `m` on every mix; unless it answers the exact question only, first checks
    /// that it gives the reference's answer on every query, or its numbers would mean nothing.
    fn bench<M: Model>(&mut self, name: &str, m: &M, full: bool) {
        for mix in self.mixes {
            if full {
                for q in &mix.queries {
                    let want = self.reference.resolve(q).model();
                    assert_eq!(m.model(q), want, "{name} on {:.80}", q);
                }
            }
            self.group
                .throughput(Throughput::Elements(mix.queries.len() as u64));
            let id = BenchmarkId::new(name, mix.name);
            self.group.bench_with_input(id, &mix.queries, |b, qs| {
                b.iter(|| {
                    for q in qs {
                        black_box(m.model(black_box(q.as_str())));
                    }
                })
            });
        }
    }
}

fn resolve(c: &mut Criterion) {
    for &size in sizes() {
        let set = support::set(size);
        let peers = Peers::new(&set);
        let mixes = support::mixes(&set);
        let mut run = Run {
            group: c.benchmark_group(format!("resolve_{size}")),
            mixes: &mixes,
            reference: support::with_engine(&set, Engine::Reference),
        };
        run.bench("AliasSet", &set, true);
        // The set forced onto each engine, under the engine's name.
        for engine in ENGINES {
            let forced = support::with_engine(&set, engine);
            run.bench(&format!("{engine:?}"), &forced, true);
        }
        run.bench("peer: starts_with scan", &StartsWithScan(&peers), true);
        run.bench("peer: aho-corasick + hash", &AhoCorasickHash(&peers), true);
        run.bench("peer: patricia_tree + hash", &PatriciaHash(&peers), true);
        run.bench("peer: fst::Map", &FstMap(&peers), true);
        run.bench(
            "floor: HashMap foldhash (exact only)",
            &FloorFast(&peers),
            false,
        );
        run.bench(
            "floor: HashMap SipHash (exact only)",
            &FloorSip(&peers),
            false,
        );
        run.group.finish();
    }
}

fn build(c: &mut Criterion) {
    for &size in sizes() {
        let rows = support::rows(size);
        let limits = support::limits(size);
        let mut group = c.benchmark_group(format!("build_{size}"));
        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(
            BenchmarkId::new("AliasSet (validate + index)", "rows"),
            |b| b.iter(|| AliasSet::with_limits(black_box(&rows), limits).map(|s| s.len())),
        );
        // Each engine forced, from the same rows: validation plus that engine's index.
        for engine in [Engine::Scan, Engine::Hashed, Engine::Trie, Engine::Fst] {
            let builder = AliasSet::builder().limits(limits).engine(engine);
            group.bench_function(BenchmarkId::new(format!("{engine:?}"), "rows"), |b| {
                b.iter(|| builder.build(black_box(&rows)).map(|s| s.len()))
            });
        }
        group.finish();
    }
}

/// Where `AliasSet` should switch from `Scan` to `Hashed`: both engines on the mixed queries of
/// sets around the 32 aliases where it does.
fn crossover(c: &mut Criterion) {
    let mut group = c.benchmark_group("crossover");
    for size in [8, 16, 32, 48, 64, 96, 128] {
        let set = support::set(size);
        let Some(mixed) = support::mixes(&set).into_iter().find(|m| m.name == "mixed") else {
            continue;
        };
        group.throughput(Throughput::Elements(mixed.queries.len() as u64));
        let mut one = |name: &str, m: &dyn Resolve| {
            group.bench_with_input(BenchmarkId::new(name, size), &mixed.queries, |b, qs| {
                b.iter(|| {
                    for q in qs {
                        black_box(m.resolve(black_box(q.as_str())).model());
                    }
                })
            });
        };
        one("Scan", &support::with_engine(&set, Engine::Scan));
        one("Hashed", &support::with_engine(&set, Engine::Hashed));
    }
    group.finish();
}

/// ASCII case folding beside the case-sensitive path, in one group per size: the `mixed`
/// queries as they are, and the same queries with half their ASCII letters uppercased (which
/// only the folding set still resolves).
fn fold(c: &mut Criterion) {
    let mut paired = Vec::new();
    for &size in sizes() {
        let set = support::set(size);
        let folding = AliasSet::builder()
            .limits(set.limits())
            .ignore_case(true)
            .build(&set)
            .expect("the same aliases");
        let reference = support::with_engine(&folding, Engine::Reference);
        let mixes = support::mixes(&set);
        // A one-alias set cannot make every kind of query, so it has no `mixed` mix.
        let Some(mixed) = mixes.iter().find(|m| m.name == "mixed") else {
            continue;
        };
        let mixed = &mixed.queries;
        let mut rng = support::Rng::new(13);
        let flipped: Vec<String> = mixed
            .iter()
            .map(|q| {
                q.chars()
                    .map(|c| match c.is_ascii_lowercase() && rng.chance(50) {
                        true => c.to_ascii_uppercase(),
                        false => c,
                    })
                    .collect()
            })
            .collect();
        // The folding set answers as the reference does, and the same for either case.
        for (q, f) in mixed.iter().zip(&flipped) {
            let want = reference.resolve(q).alias();
            assert_eq!(folding.resolve(q).alias(), want, "{q}");
            assert_eq!(folding.resolve(f).alias(), want, "{f}");
        }
        let mut group = c.benchmark_group(format!("fold_{size}"));
        for (param, queries) in [("mixed", mixed), ("mixed_flipped", &flipped)] {
            group.throughput(Throughput::Elements(queries.len() as u64));
            for (name, resolver) in [("case-sensitive", &set), ("ignore case", &folding)] {
                let id = BenchmarkId::new(name, param);
                group.bench_with_input(id, queries, |b, qs| {
                    b.iter(|| {
                        for q in qs {
                            black_box(resolver.resolve(black_box(q.as_str())).model().head());
                        }
                    })
                });
            }
        }
        group.finish();
        if wants_paired() {
            paired.push(format!(
                "{{\"aliases\": {size}, \"rounds\": {PAIRED_ROUNDS}, \"ratio\": {:.4}}}",
                paired_ratio(&set, &folding, mixed)
            ));
        }
    }
    if wants_paired() && std::env::args().any(|a| a == "--bench") {
        let json = format!("{{\"rows\": [{}]}}\n", paired.join(", "));
        support::write_result("model-alias-fold.json", &json);
    }
}

/// Rounds of [`paired_ratio`]: an odd number, for a median.
const PAIRED_ROUNDS: usize = 401;

/// Whether this run measures the fold groups: no name filter, or one that starts with their
/// name (`fold_1000`, `'^fold_'`). Not any filter that mentions "fold": the floor's name holds
/// `foldhash`, and a run filtered to it must not rewrite the paired figures.
fn wants_paired() -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .any(|f| f.trim_start_matches('^').starts_with("fold"))
}

/// The folding set's time over the case-sensitive set's on the same queries: the median,
/// over [`PAIRED_ROUNDS`] rounds, of the ratio of the two timed back to back (each 200 passes
/// over the queries, the order alternating between rounds), so that the machine's slow and
/// fast moments fall on both sides alike.
fn paired_ratio(case_sensitive: &AliasSet, folding: &AliasSet, queries: &[String]) -> f64 {
    let time = |set: &AliasSet| {
        let start = Instant::now();
        for _ in 0..200 {
            for q in queries {
                black_box(set.resolve(black_box(q.as_str())).model().head());
            }
        }
        start.elapsed().as_secs_f64()
    };
    time(case_sensitive);
    time(folding);
    let mut ratios: Vec<f64> = (0..PAIRED_ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let sensitive = time(case_sensitive);
                time(folding) / sensitive
            } else {
                let folded = time(folding);
                folded / time(case_sensitive)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

criterion_group! {
    name = benches;
    config = config();
    targets = resolve, build, crossover, fold
}
criterion_main!(benches);
