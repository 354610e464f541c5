//! Deserialising an `AliasSet` from any bytes, in either JSON form: never a panic; what is
//! accepted is a valid set that serialises and reads back to the same aliases.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::AliasSet;

fuzz_target!(|data: &[u8]| {
    let Ok(set) = serde_json::from_slice::<AliasSet>(data) else {
        return;
    };
    assert!(set.len() <= set.limits().max_aliases());
    let json = serde_json::to_vec(&set).expect("a valid set serialises");
    let again: AliasSet = serde_json::from_slice(&json).expect("a serialised set reads back");
    assert!(set.iter().eq(again.iter()), "round trip changed {set:?}");
    // Resolving every name must answer with that name's own alias.
    for alias in set.iter() {
        let resolution = set.resolve(alias.name().as_str());
        assert_eq!(resolution.alias(), Some(alias.into()));
    }
});
