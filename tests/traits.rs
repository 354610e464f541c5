//! Every public type is `Send + Sync` (a gateway shares them across request threads), and the
//! value types have the standard traits a user expects.

use model_alias::error::{NameError, Problem, RowError, TargetError};
use model_alias::store::Snapshot;
use model_alias::table::{KeyAliases, TableBuilder};
use model_alias::*;

fn send_sync<T: Send + Sync>() {}
fn value<T: Clone + std::fmt::Debug + PartialEq + Eq + std::hash::Hash>() {}

/// Every public type, each feature's included: a gateway shares them across request threads.
#[test]
fn public_types_are_send_and_sync() {
    send_sync::<AliasName>();
    send_sync::<ModelId>();
    send_sync::<MatchKind>();
    send_sync::<Alias>();
    send_sync::<AliasRef<'static>>();
    send_sync::<Limits>();
    send_sync::<AliasSet>();
    send_sync::<AliasSetBuilder>();
    send_sync::<Engine>();
    send_sync::<Resolution<'static>>();
    send_sync::<Rule>();
    send_sync::<Warning>();
    send_sync::<WarningKind>();
    send_sync::<NameError>();
    send_sync::<TargetError>();
    send_sync::<SetError>();
    send_sync::<RowError>();
    send_sync::<Problem>();
    send_sync::<TableError>();
    send_sync::<AliasTable>();
    send_sync::<AliasTable<&'static [u8]>>();
    send_sync::<KeyAliases<'static>>();
    send_sync::<TableBuilder>();
    send_sync::<AliasStore>();
    send_sync::<AliasStore<AliasSet>>();
    send_sync::<Snapshot<AliasTable>>();
    #[cfg(feature = "cache")]
    {
        use model_alias::cache::{AliasCache, AliasCacheBuilder, Lookup, Source};
        struct Db;
        impl Source for Db {
            type Error = std::io::Error;
            async fn load(&self, _: &[u8]) -> Result<Option<AliasSet>, std::io::Error> {
                Ok(None)
            }
        }
        send_sync::<AliasCache<Db>>();
        send_sync::<AliasCacheBuilder<Db>>();
        send_sync::<Lookup<std::io::Error>>();
    }
    #[cfg(feature = "openai")]
    {
        use model_alias::openai::*;
        send_sync::<Catalog>();
        send_sync::<Model>();
        send_sync::<ModelList>();
        send_sync::<Architecture>();
        send_sync::<UnknownTarget>();
        send_sync::<Rewrite<'static>>();
        send_sync::<RewriteError>();
    }
}

#[test]
fn value_types_have_the_standard_traits() {
    value::<AliasName>();
    value::<ModelId>();
    value::<MatchKind>();
    value::<Alias>();
    value::<AliasRef<'static>>();
    value::<Limits>();
    value::<Engine>();
    value::<Resolution<'static>>();
    value::<Rule>();
    value::<Warning>();
    assert_eq!(MatchKind::default(), MatchKind::Exact);
    assert_eq!(Rule::Passthrough.to_string(), "passthrough");
    assert_eq!(MatchKind::Prefix.to_string(), "prefix");
}

#[test]
fn names_borrow_as_str() {
    use std::collections::HashMap;
    let mut by_name: HashMap<AliasName, u32> = HashMap::new();
    by_name.insert("gpt-4o".parse().unwrap(), 1);
    assert_eq!(by_name.get("gpt-4o"), Some(&1));
    let name = AliasName::try_from("gpt-4o").unwrap();
    assert_eq!(name, "gpt-4o");
    assert_eq!(name.as_ref(), "gpt-4o");
    assert_eq!(name.into_string(), "gpt-4o");
    let id = ModelId::try_from(String::from("Qwen/Qwen2.5")).unwrap();
    assert_eq!(id.to_string(), "Qwen/Qwen2.5");
}

#[test]
fn sets_are_equal_when_aliases_order_and_limits_are() {
    let rows = [("a", "x"), ("b", "y")];
    let raised = Limits::default().with_max_aliases(30);
    let set = AliasSet::new(rows).unwrap();
    assert_eq!(set.limits(), Limits::default());
    assert_eq!(
        AliasSet::with_limits(rows, raised).unwrap().limits(),
        raised
    );
    assert_eq!(set, AliasSet::new(rows).unwrap());
    assert_ne!(
        set,
        AliasSet::with_limits(rows, raised).unwrap(),
        "limits differ"
    );
    assert_ne!(
        set,
        AliasSet::new([("b", "y"), ("a", "x")]).unwrap(),
        "order differs"
    );
    assert_ne!(
        set,
        AliasSet::new([("a", "x"), ("b", "z")]).unwrap(),
        "a target differs"
    );
}

#[test]
fn a_set_debugs_as_its_aliases_and_engine() {
    let set = AliasSet::builder()
        .engine(Engine::Fst)
        .build([("claude-opus", "anthropic/claude-opus-4-8")])
        .unwrap();
    let debug = format!("{set:?}");
    // The index says its engine and size (a `Debug` printing nothing went unseen).
    assert!(
        debug.contains("claude-opus") && debug.contains("Fst { bytes: "),
        "{debug}"
    );
    assert_eq!(set.engine(), Engine::Fst);
    assert_eq!(AliasSet::default().engine(), Engine::Scan);
}
