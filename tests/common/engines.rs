//! Every engine, and a set forced onto one: shared by the tests (`tests/common`) and the
//! benches (`benches/support`), which include this file.

use model_alias::{AliasSet, Engine};

/// Every engine a set can resolve through.
pub const ENGINES: [Engine; 5] = [
    Engine::Scan,
    Engine::Hashed,
    Engine::Trie,
    Engine::Fst,
    Engine::Reference,
];

/// `set`'s aliases in a set that resolves through `engine`, matching case as `set` does.
pub fn with_engine(set: &AliasSet, engine: Engine) -> AliasSet {
    AliasSet::builder()
        .limits(set.limits())
        .ignore_case(set.ignores_case())
        .engine(engine)
        .build(set)
        .expect("a valid set's aliases are valid")
}
