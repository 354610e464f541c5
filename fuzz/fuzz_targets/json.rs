//! Deserialising an `AliasSet` from any bytes, in either JSON form: never a panic; what is
//! accepted is a valid set that serialises and reads back to the same aliases.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::AliasSet;

fuzz_target!(|data: &[u8]| {
    let read = serde_json::from_slice::<AliasSet>(data);
    // The one-call reader agrees with serde, and names a row in every problem.
    if let Ok(text) = std::str::from_utf8(data) {
        match (AliasSet::from_json(text), &read) {
            (Ok(a), Ok(b)) => assert_eq!(&a, b),
            (Err(e), Err(_)) => assert!(
                e.problems()
                    .iter()
                    .all(|p| p.to_string().starts_with("row "))
            ),
            // from_json skips a byte-order mark that serde_json refuses.
            (Ok(_), Err(_)) if text.starts_with('\u{feff}') => {}
            (a, b) => panic!("from_json {a:?} but serde {b:?}"),
        }
    }
    let Ok(set) = read else {
        return;
    };
    assert!(set.len() <= set.limits().max_aliases());
    let json = serde_json::to_vec(&set).expect("a valid set serialises");
    let again: AliasSet = serde_json::from_slice(&json).expect("a serialised set reads back");
    assert!(set.iter().eq(again.iter()), "round trip changed {set:?}");
    // Resolving every name must answer with that name's own alias.
    for alias in set.iter() {
        let resolution = set.resolve(alias.name());
        assert_eq!(resolution.alias(), Some(alias));
    }
});
