//! Helpers shared by the integration tests: every resolver the crate has, behind one interface,
//! and an oracle written independently of the crate.
#![allow(dead_code)]

pub mod counting;

use model_alias::strategy::{Fst, Hashed, Reference, Scan, Trie};
use model_alias::{AliasSet, MatchKind, Resolve, Rule};

/// Every resolver built over `set`: the set itself and every strategy.
pub fn resolvers(set: &AliasSet) -> Vec<(&'static str, Box<dyn Resolve>)> {
    vec![
        ("AliasSet", Box::new(set.clone())),
        ("Reference", Box::new(Reference::new(set))),
        ("Scan", Box::new(Scan::new(set))),
        ("Hashed", Box::new(Hashed::new(set))),
        ("Trie", Box::new(Trie::new(set))),
        ("Fst", Box::new(Fst::new(set))),
    ]
}

/// What a resolution comes to, in owned form: (model to route, rule, alias name).
pub type Outcome = (String, Rule, Option<String>);

pub fn outcome(r: &dyn Resolve, model: &str) -> Outcome {
    let res = r.resolve(model);
    assert_eq!(res.requested(), model);
    (
        res.model().to_owned(),
        res.rule(),
        res.alias().map(|a| a.name().to_string()),
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
