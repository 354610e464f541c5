//! Helpers shared by the integration tests: every resolver the crate has, behind one interface,
//! and an oracle written independently of the crate.
#![allow(dead_code)]

pub mod counting;

use model_alias::strategy::{Fst, Hashed, Reference, Scan, Trie};
use model_alias::{AliasSet, AliasTable, MatchKind, Resolution, Resolve, Rule};

/// Every resolver built over `set`: the set itself and every strategy.
pub fn resolvers(set: &AliasSet) -> Vec<(&'static str, Box<dyn Resolve>)> {
    vec![
        ("AliasSet", Box::new(set.clone())),
        ("Reference", Box::new(Reference::new(set))),
        ("Scan", Box::new(Scan::new(set))),
        ("Hashed", Box::new(Hashed::new(set))),
        ("Trie", Box::new(Trie::new(set))),
        ("Fst", Box::new(Fst::new(set))),
        ("AliasTable", Box::new(TableKey::new(set))),
    ]
}

/// An [`AliasTable`] that holds `set` under one key among decoys (the same names with other
/// targets, the same names with the other kind), resolved through that key.
pub struct TableKey {
    table: AliasTable,
}

impl TableKey {
    pub const KEY: &[u8] = b"the-key";

    pub fn new(set: &AliasSet) -> TableKey {
        let retargeted = AliasSet::with_limits(
            set.iter()
                .map(|a| (a.name().as_str(), "decoy/target", a.kind())),
            set.limits(),
        )
        .expect("same names, valid target");
        let flipped = AliasSet::with_limits(
            set.iter().map(|a| {
                let kind = if a.kind() == MatchKind::Exact {
                    MatchKind::Prefix
                } else {
                    MatchKind::Exact
                };
                (a.name().as_str(), a.target().as_str(), kind)
            }),
            set.limits(),
        )
        .expect("same names and targets");
        let table = AliasTable::from_sets([
            (&b"decoy-a"[..], &retargeted),
            (Self::KEY, set),
            (&b"the-key\0"[..], &flipped),
            (&b"the-ke"[..], &retargeted),
        ])
        .expect("distinct keys");
        // Every resolution goes through bytes that were written out and loaded back.
        let table = AliasTable::from_bytes(table.as_bytes().to_vec()).expect("a valid table");
        TableKey { table }
    }
}

impl Resolve for TableKey {
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        self.table.resolve(Self::KEY, model)
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
