//! Helpers shared by the integration tests: every resolver the crate has, behind one interface,
//! and an oracle written independently of the crate.
#![allow(dead_code)]

pub mod counting;

use model_alias::{AliasSet, AliasTable, MatchKind, Resolution, Resolve, Rule, TableBuilder};

pub mod engines;
#[allow(unused_imports)] // Not every bench or test uses both.
pub use engines::{ENGINES, with_engine};

/// Every resolver built over `set`: the set itself (with the engine it picked), the set
/// forced onto each engine, and a table key.
pub fn resolvers(set: &AliasSet) -> Vec<(String, Box<dyn Resolve>)> {
    let mut all: Vec<(String, Box<dyn Resolve>)> = vec![("AliasSet".into(), Box::new(set.clone()))];
    for engine in ENGINES {
        all.push((format!("{engine:?}"), Box::new(with_engine(set, engine))));
    }
    all.push(("AliasTable".into(), Box::new(TableKey::new(set))));
    all
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
                let kind = if a.kind() == MatchKind::Exact {
                    MatchKind::Prefix
                } else {
                    MatchKind::Exact
                };
                (a.name(), a.target(), kind)
            })
            .collect();
        let mut builder = TableBuilder::with_limits(set.limits());
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

pub fn outcome(r: &dyn Resolve, model: &str) -> Outcome {
    let res = r.resolve(model);
    assert_eq!(res.requested(), model);
    (
        res.model().to_owned(),
        res.rule(),
        res.alias().map(|a| a.name().to_owned()),
    )
}

/// The rules as the spec states them, over plain tuples, sharing no code with the crate.
pub fn oracle(rows: &[(String, String, MatchKind)], model: &str) -> Outcome {
    if let Some((n, t, _)) = rows
        .iter()
        .find(|(n, _, k)| *k == MatchKind::Exact && n == model)
    {
        return (t.clone(), Rule::Exact, Some(n.clone()));
    }
    let mut best: Option<&(String, String, MatchKind)> = None;
    for row in rows {
        if row.2 == MatchKind::Prefix
            && model.starts_with(row.0.as_str())
            && best.is_none_or(|b| row.0.len() > b.0.len())
        {
            best = Some(row);
        }
    }
    match best {
        Some((n, t, _)) => (t.clone(), Rule::Prefix, Some(n.clone())),
        None => (model.to_owned(), Rule::Passthrough, None),
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
