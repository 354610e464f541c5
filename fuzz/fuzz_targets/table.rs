//! `AliasTable::from_bytes` on any bytes: never a panic, a hang or a huge allocation; what
//! loads can be read in every way without panicking, and what also verifies answers for
//! every alias it lists.
//!
//! The first input byte picks the mode: odd, the checksum is recomputed over the rest before
//! loading (as a forger would), so that the fuzzer explores the structure behind it; even,
//! the bytes are loaded as they are.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::{AliasTable, Rule};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode % 2 == 1 && bytes.len() >= 24 {
        let seed = u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default());
        let sum = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[24..], seed);
        bytes[16..24].copy_from_slice(&sum.to_le_bytes());
    }
    let Ok(table) = AliasTable::from_bytes(&bytes[..]) else {
        return;
    };
    let _ = format!("{table:?}");
    let verified = table.verify().is_ok();
    let mut keys = 0;
    for aliases in table.iter() {
        keys += 1;
        let _ = format!("{aliases:?}");
        let found = table.get(aliases.key()).map(|k| k.len());
        if verified {
            assert_eq!(found, Some(aliases.len()), "a listed key is found");
        }
        for alias in aliases.iter() {
            let model = alias.name();
            let r = aliases.resolve(model);
            let _ = (r.model(), r.alias().map(|a| a.to_alias()), alias.to_alias());
            if verified {
                assert_ne!(
                    r.rule(),
                    Rule::Passthrough,
                    "{model:?} listed but not resolved"
                );
            }
        }
        for model in ["", "a", "claude-opus-4-9", "gpt-4o"] {
            let _ = aliases.resolve(model).model();
        }
    }
    if verified {
        assert_eq!(keys, table.len());
    }
    if let Some(aliases) = table.get(b"") {
        let _ = aliases.resolve("a");
    }
});
