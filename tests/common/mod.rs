//! Helpers shared by the integration tests: every resolver the crate has, behind one interface,
//! and an oracle written independently of the crate.
#![allow(dead_code)]

pub mod counting;

use model_alias::table::TableBuilder;
use model_alias::{AliasSet, AliasTable, MatchKind, Resolution, Resolve, Rule};

pub mod engines;
#[allow(unused_imports)] // Not every bench or test uses both.
pub use engines::{ENGINES, with_engine};

/// Every resolver built over `set`: the set itself (with the engine it picked), the set
/// forced onto each engine, a table key (in a table that matches case as `set` does) and,
/// with the `cache` feature, an `AliasCache` lookup of the set.
pub fn resolvers(set: &AliasSet) -> Vec<(String, Box<dyn Resolve>)> {
    resolvers_with(set, Costly::All)
}

/// Which of the resolvers that cost most to build [`resolvers_with`] adds: for the
/// `differential` fuzz target, which builds them for a share of its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Costly {
    /// Neither.
    None,
    /// The table (a build, a checksum, a load) and, with the `cache` feature, the cache.
    Table,
    /// Those and the `Fst` engine, whose builder sets up a registry of thousands of cells.
    All,
}

/// [`resolvers`], with the costly ones only as far as `costly` says.
pub fn resolvers_with(set: &AliasSet, costly: Costly) -> Vec<(String, Box<dyn Resolve>)> {
    let mut all: Vec<(String, Box<dyn Resolve>)> = vec![("AliasSet".into(), Box::new(set.clone()))];
    for engine in ENGINES {
        if costly == Costly::All || engine != model_alias::Engine::Fst {
            all.push((format!("{engine:?}"), Box::new(with_engine(set, engine))));
        }
    }
    if costly >= Costly::Table {
        all.push(("AliasTable".into(), Box::new(TableKey::new(set))));
        #[cfg(feature = "cache")]
        all.push(("AliasCache".into(), Box::new(cached(set))));
    }
    all
}

/// `set`, loaded through an [`AliasCache`](model_alias::cache::AliasCache) from a source that holds
/// it: the lookup a gateway resolves with.
#[cfg(feature = "cache")]
pub fn cached(set: &AliasSet) -> model_alias::cache::Lookup<std::convert::Infallible> {
    struct One(AliasSet);
    impl model_alias::cache::Source for One {
        type Error = std::convert::Infallible;
        async fn load(&self, _: &[u8]) -> Result<Option<AliasSet>, Self::Error> {
            Ok(Some(self.0.clone()))
        }
    }
    thread_local! {
        // One runtime a test thread: the property tests build thousands of sets.
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
    }
    let cache = model_alias::cache::AliasCache::new(One(set.clone()));
    let lookup = RUNTIME.with(|runtime| runtime.block_on(cache.get(b"the-key")));
    match lookup {
        Ok(lookup) => lookup,
        Err(never) => match *never {},
    }
}

/// An [`AliasTable`] that holds `set` under one key among decoys (the same names with other
/// targets, the same names with the other kind), resolved through that key.
pub struct TableKey {
    table: AliasTable,
}

impl TableKey {
    pub const KEY: &[u8] = b"the-key";

    pub fn new(set: &AliasSet) -> TableKey {
        let retargeted: Vec<_> = set
            .iter()
            .map(|a| (a.name(), "decoy/target", a.kind()))
            .collect();
        let flipped: Vec<_> = set
            .iter()
            .map(|a| {
                // An exact alias cannot carry: the flipped one sends the target as written.
                match a.kind() {
                    MatchKind::Exact => (a.name(), a.target(), MatchKind::Prefix),
                    MatchKind::Prefix => {
                        let target = a.target().strip_suffix('*').unwrap_or(a.target());
                        (a.name(), target, MatchKind::Exact)
                    }
                }
            })
            .collect();
        let mut builder = TableBuilder::with_limits(set.limits());
        builder.ignore_case(set.ignores_case());
        builder
            .insert(b"decoy-a", &retargeted)
            .expect("same names, valid target");
        builder.insert(Self::KEY, set).expect("a valid set");
        builder
            .insert(b"the-key\0", &flipped)
            .expect("same names and targets");
        builder
            .insert(b"the-ke", &retargeted)
            .expect("same names, valid target");
        let table = builder.build().expect("distinct keys");
        // Every resolution goes through bytes that were written out and loaded back.
        let table = AliasTable::from_bytes(table.as_bytes().to_vec()).expect("a valid table");
        TableKey { table }
    }
}

impl Resolve for TableKey {
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        match self.table.get(Self::KEY) {
            Some(key) => key.resolve(model),
            None => Resolution::new(model, None),
        }
    }
}

/// What a resolution comes to, in owned form: (model to route, rule, alias name).
pub type Outcome = (String, Rule, Option<String>);

/// Whether `r` resolves `model` to `want`, compared in place: [`outcome`] without its two
/// allocations, for the fuzz target that checks thousands of answers an input.
pub fn agrees(r: &dyn Resolve, model: &str, want: &Outcome) -> bool {
    let res = r.resolve(model);
    res.requested() == model
        && res.model() == want.0
        && res.rule() == want.1
        && res.alias().map(|a| a.name()) == want.2.as_deref()
}

pub fn outcome(r: &dyn Resolve, model: &str) -> Outcome {
    let res = r.resolve(model);
    assert_eq!(res.requested(), model);
    (
        res.model().to_string(),
        res.rule(),
        res.alias().map(|a| a.name().to_owned()),
    )
}

/// The rules as the spec states them, over plain tuples, sharing no code with the crate.
pub fn oracle(rows: &[(String, String, MatchKind)], model: &str) -> Outcome {
    oracle_with(rows, model, false)
}

/// [`oracle`], with ASCII case folding as the rule states it: lowercase the ASCII of the
/// model, resolve, and return the original on passthrough. A carried rest (a prefix alias
/// whose target ends in `*`) is the original's too: the target without its `*`, then what the
/// original model has beyond the name.
pub fn oracle_with(
    rows: &[(String, String, MatchKind)],
    model: &str,
    ignore_case: bool,
) -> Outcome {
    let looked_up = if ignore_case {
        model.to_ascii_lowercase()
    } else {
        model.to_owned()
    };
    let exact = rows
        .iter()
        .find(|(n, _, k)| *k == MatchKind::Exact && *n == looked_up);
    let mut best: Option<&(String, String, MatchKind)> = None;
    for row in rows {
        if row.2 == MatchKind::Prefix
            && looked_up.starts_with(row.0.as_str())
            && best.is_none_or(|b| row.0.len() > b.0.len())
        {
            best = Some(row);
        }
    }
    match (exact, best) {
        (Some((n, t, _)), _) => (t.clone(), Rule::Exact, Some(n.clone())),
        (None, Some((n, t, _))) => {
            let sent = match t.strip_suffix('*') {
                Some(stem) => format!("{stem}{}", &model[n.len()..]),
                None => t.clone(),
            };
            (sent, Rule::Prefix, Some(n.clone()))
        }
        (None, None) => (model.to_owned(), Rule::Passthrough, None),
    }
}

/// An example's binary: `cargo test` builds the examples next to the test binaries, in
/// target/<profile>/examples/.
pub fn example_binary(name: &str) -> std::path::PathBuf {
    let mut path = std::env::current_exe().expect("the test binary's path");
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
