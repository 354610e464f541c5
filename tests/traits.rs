//! Every public type is `Send + Sync` (a gateway shares them across request threads), and the
//! value types have the standard traits a user expects.

use model_alias::strategy::{Fst, Hashed, Reference, Scan, Trie};
use model_alias::*;

fn send_sync<T: Send + Sync>() {}
fn value<T: Clone + std::fmt::Debug + PartialEq + Eq + std::hash::Hash>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<AliasName>();
    send_sync::<ModelId>();
    send_sync::<MatchKind>();
    send_sync::<Alias>();
    send_sync::<AliasRow>();
    send_sync::<Limits>();
    send_sync::<AliasSet>();
    send_sync::<Resolution<'static>>();
    send_sync::<Rule>();
    send_sync::<Warning>();
    send_sync::<WarningKind>();
    send_sync::<NameError>();
    send_sync::<TargetError>();
    send_sync::<SetError>();
    send_sync::<RowError>();
    send_sync::<Problem>();
    send_sync::<Reference>();
    send_sync::<Scan>();
    send_sync::<Hashed>();
    send_sync::<Trie>();
    send_sync::<Fst>();
    #[cfg(feature = "serde")]
    send_sync::<AliasRows>();
}

#[test]
fn value_types_have_the_standard_traits() {
    value::<AliasName>();
    value::<ModelId>();
    value::<MatchKind>();
    value::<Alias>();
    value::<AliasRow>();
    value::<Limits>();
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
fn strategies_debug_as_their_aliases_and_the_fst_reports_its_size() {
    let small = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8")]).unwrap();
    let rows: Vec<_> = (0..20).map(|i| (format!("model-{i}"), "t")).collect();
    let large = AliasSet::new(&rows).unwrap();
    let debug = format!("{:?}", Fst::new(&small));
    assert!(
        debug.starts_with("Fst {") && debug.contains("claude-opus"),
        "{debug}"
    );
    assert!(
        debug.contains(&format!("fst_bytes: {}", Fst::new(&small).size())),
        "{debug}"
    );
    // An FST over one 11-byte name holds at least its bytes; twenty names need more.
    assert!(Fst::new(&small).size() >= 11);
    assert!(Fst::new(&large).size() > Fst::new(&small).size());
}
