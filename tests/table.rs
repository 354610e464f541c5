//! `AliasTable`: many keys resolve as their own sets do, the bytes round-trip and are
//! deterministic, and no byte string (truncated, bit-flipped, or forged with a matching
//! checksum) is loaded as something it is not or makes a lookup panic.

use model_alias::table::TableBuilder;
use model_alias::{Alias, AliasSet, AliasTable, Limits, MatchKind, Resolution, Rule, TableError};

/// `key`'s resolution of `model` (passthrough for an unknown key).
fn resolve<'a, B: AsRef<[u8]>>(
    table: &'a AliasTable<B>,
    key: impl AsRef<[u8]>,
    model: &'a str,
) -> Resolution<'a> {
    match table.get(key) {
        Some(aliases) => aliases.resolve(model),
        None => Resolution::new(model, None),
    }
}
use proptest::prelude::*;

/// Byte 16 holds the checksum of bytes 24 onwards, seeded with bytes 8 to 16 (the format's
/// documented rule).
fn fix_checksum(bytes: &mut [u8]) {
    let seed = header_field(bytes, 8);
    let sum = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[24..], seed);
    bytes[16..24].copy_from_slice(&sum.to_le_bytes());
}

/// The little-endian `u64` at byte `at` of a table's header: the version and flags at 8, the
/// total length at 24, the section lengths from 48 (directory, blocks, name offsets, names,
/// target offsets, targets).
fn header_field(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

fn set(rows: &[(&str, &str, MatchKind)]) -> AliasSet {
    AliasSet::new(rows.iter().copied()).expect("valid rows")
}

/// A small table with prefix and exact aliases, binary and text key ids, shared targets and
/// an empty set.
fn sample() -> AliasTable {
    let a = set(&[
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
        ("claude", "anthropic/claude-sonnet-4", MatchKind::Prefix),
        (
            "cross-model-basic",
            "deepseek/deepseek-chat",
            MatchKind::Exact,
        ),
    ]);
    let b = set(&[
        (
            "cross-model-basic",
            "Qwen/Qwen2.5-72B-Instruct",
            MatchKind::Exact,
        ),
        ("gpt", "deepseek/deepseek-chat", MatchKind::Prefix),
    ]);
    AliasTable::new([
        (&b"team-a"[..], &a),
        (&7u64.to_be_bytes()[..], &b),
        (&b""[..], &AliasSet::default()),
    ])
    .expect("distinct keys")
}

#[test]
fn keys_resolve_with_their_own_aliases() {
    let table = sample();
    let cases: &[(&[u8], &str, &str, Rule)] = &[
        (
            b"team-a",
            "claude-opus-4-9",
            "anthropic/claude-opus-4-8",
            Rule::Prefix,
        ),
        (
            b"team-a",
            "claude-3",
            "anthropic/claude-sonnet-4",
            Rule::Prefix,
        ),
        (
            b"team-a",
            "cross-model-basic",
            "deepseek/deepseek-chat",
            Rule::Exact,
        ),
        (
            b"team-a",
            "cross-model-basic-2",
            "cross-model-basic-2",
            Rule::Passthrough,
        ),
        (b"team-a", "gpt-4o", "gpt-4o", Rule::Passthrough),
        (
            &7u64.to_be_bytes(),
            "cross-model-basic",
            "Qwen/Qwen2.5-72B-Instruct",
            Rule::Exact,
        ),
        (
            &7u64.to_be_bytes(),
            "gpt-4o",
            "deepseek/deepseek-chat",
            Rule::Prefix,
        ),
        (
            &7u64.to_be_bytes(),
            "claude-opus",
            "claude-opus",
            Rule::Passthrough,
        ),
        (b"", "claude-opus", "claude-opus", Rule::Passthrough),
        (b"team-b", "claude-opus", "claude-opus", Rule::Passthrough),
        (b"team-", "claude-opus", "claude-opus", Rule::Passthrough),
        (&8u64.to_be_bytes(), "gpt-4o", "gpt-4o", Rule::Passthrough),
    ];
    for &(key, model, want, rule) in cases {
        let r = resolve(&table, key, model);
        assert_eq!(r.model(), want, "{key:?} {model:?}");
        assert_eq!(r.rule(), rule, "{key:?} {model:?}");
        assert_eq!(r.requested(), model);
    }
    assert_eq!(table.len(), 3);
    assert!(table.get(b"").is_some());
    assert!(table.get(b"team-b").is_none());
    // Only "cross-model-basic" is used by two keys: it goes to the shared dictionary, the
    // other names into their key's block. "deepseek/deepseek-chat" is stored once for two.
    assert_eq!(table.distinct(), (1, 4));
}

#[test]
fn aliases_lists_a_key_in_the_users_order() {
    let table = sample();
    let listed: Vec<(String, String, MatchKind)> = table
        .get(b"team-a")
        .expect("known key")
        .iter()
        .map(|a| (a.name().into(), a.target().into(), a.kind()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "claude-opus".into(),
                "anthropic/claude-opus-4-8".into(),
                MatchKind::Prefix
            ),
            (
                "claude".into(),
                "anthropic/claude-sonnet-4".into(),
                MatchKind::Prefix
            ),
            (
                "cross-model-basic".into(),
                "deepseek/deepseek-chat".into(),
                MatchKind::Exact
            ),
        ]
    );
    let empty = table.get(b"").expect("known key");
    assert_eq!(
        (empty.iter().count(), empty.len(), empty.is_empty()),
        (0, 0, true)
    );
    assert_eq!(table.get(b"team-a").expect("known key").len(), 3);
    assert!(table.get(b"nobody").is_none());
    let mut keys: Vec<Vec<u8>> = table.iter().map(|k| k.key().to_vec()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            b"".to_vec(),
            7u64.to_be_bytes().to_vec(),
            b"team-a".to_vec()
        ]
    );
}

#[test]
fn bytes_round_trip_and_builds_are_deterministic() {
    let table = sample();
    let loaded = AliasTable::from_bytes(table.as_bytes()).expect("valid");
    assert_eq!(loaded, table);
    assert_eq!(
        resolve(&loaded, b"team-a", "claude-x").model(),
        "anthropic/claude-sonnet-4"
    );
    assert_eq!(sample().as_bytes(), table.as_bytes());
    let empty = TableBuilder::new().build().expect("empty builds");
    assert!(empty.is_empty());
    let empty = AliasTable::from_bytes(empty.into_inner()).expect("valid");
    assert_eq!(resolve(&empty, b"x", "m").rule(), Rule::Passthrough);
}

#[test]
fn a_key_inserted_twice_is_an_error() {
    let mut b = TableBuilder::new();
    b.insert(b"team-a", &AliasSet::default()).unwrap();
    b.insert([0xff, 0x00], &AliasSet::default()).unwrap();
    b.insert([0xff, 0x00], &AliasSet::default()).unwrap();
    let err = b.build().expect_err("duplicate");
    assert_eq!(
        err,
        TableError::DuplicateKey {
            key: "0xff00".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "key id 0xff00 was inserted twice: insert each key once, with all its aliases"
    );
    let err = AliasTable::new([("k", &AliasSet::default()), ("k", &AliasSet::default())]);
    assert_eq!(
        err,
        Err(TableError::DuplicateKey {
            key: "\"k\"".into()
        })
    );
}

#[test]
fn many_keys_share_buckets_and_all_resolve() {
    let sets: Vec<AliasSet> = (0..10)
        .map(|i| set(&[("m", &format!("target-{i}"), MatchKind::Exact)]))
        .collect();
    let table = AliasTable::new((0..20_000u64).map(|k| (k.to_le_bytes(), &sets[k as usize % 10])))
        .expect("distinct");
    for k in 0..20_000u64 {
        assert_eq!(
            resolve(&table, k.to_le_bytes(), "m").model(),
            format!("target-{}", k % 10)
        );
    }
    assert_eq!(
        resolve(&table, 20_000u64.to_le_bytes(), "m").rule(),
        Rule::Passthrough
    );
    assert_eq!(table.distinct(), (1, 10));
}

#[test]
fn load_errors_say_what_is_wrong() {
    let good = sample().as_bytes().to_vec();
    assert_eq!(
        AliasTable::from_bytes(&b""[..]).err(),
        Some(TableError::NotATable)
    );
    assert_eq!(
        AliasTable::from_bytes(&b"[{\"name\":1}]"[..]).err(),
        Some(TableError::NotATable)
    );
    assert_eq!(
        AliasTable::from_bytes(&good[..40]).err(),
        Some(TableError::Truncated {
            len: 40,
            expected: 112
        })
    );
    let cut = &good[..good.len() - 1];
    assert_eq!(
        AliasTable::from_bytes(cut).err(),
        Some(TableError::Truncated {
            len: good.len() - 1,
            expected: good.len()
        })
    );
    let mut newer = good.clone();
    newer[8] = 5;
    let err = AliasTable::from_bytes(&newer[..]).expect_err("version 5");
    assert_eq!(
        err,
        TableError::UnsupportedVersion {
            found: 5,
            supported: 4
        }
    );
    assert!(
        err.to_string()
            .contains("rebuild the table with this version"),
        "{err}"
    );
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let err = AliasTable::from_bytes(&flipped[..]).expect_err("corrupt");
    assert!(matches!(err, TableError::Checksum { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("the alias table is corrupt"),
        "{err}"
    );
    // A forged table: right checksum, impossible structure.
    let mut forged = good.clone();
    forged[41] = 3; // the directory's offset width
    fix_checksum(&mut forged);
    let err = AliasTable::from_bytes(&forged[..]).expect_err("bad width");
    assert_eq!(
        err.to_string(),
        "the alias table's header section is malformed (a field width is out of range): rebuild it with TableBuilder"
    );
    // 2^40 buckets is the most the header allows: 40 passes that check (and fails
    // on the directory it would need), 41 does not.
    let bucket_bits = |bits: u8| {
        let mut forged = good.clone();
        forged[40] = bits;
        fix_checksum(&mut forged);
        AliasTable::from_bytes(&forged[..])
            .expect_err("no such directory")
            .to_string()
    };
    let too_many = "there are more than 2^40 buckets";
    assert!(!bucket_bits(40).contains(too_many), "{}", bucket_bits(40));
    assert!(bucket_bits(41).contains(too_many), "{}", bucket_bits(41));
}

#[test]
fn verify_rejects_what_lookups_would_skip() {
    let table = sample();
    assert_eq!(table.verify(), Ok(()));
    // Make "claude" (stored in team-a's block) "Claude": the checksum is right, the name is
    // not; and the same for "cross-model-basic", stored in the shared dictionary.
    let forge = |name: &[u8]| {
        let mut bytes = table.as_bytes().to_vec();
        let at = bytes
            .windows(name.len())
            .position(|w| w == name)
            .expect("stored once");
        bytes[at] = bytes[at].to_ascii_uppercase();
        fix_checksum(&mut bytes);
        bytes
    };
    let (in_block, shared) = (forge(b"claude"), forge(b"cross-model-basic"));
    let forged = AliasTable::from_bytes(&in_block[..]).expect("header and checksum are fine");
    assert_eq!(
        forged.verify(),
        Err(TableError::Malformed {
            section: "blocks",
            why: "a name in a block has a byte that is not allowed"
        })
    );
    // Lookups never hand out the bad name.
    assert_eq!(
        resolve(&forged, b"team-a", "Claude-x").rule(),
        Rule::Passthrough
    );
    assert!(
        forged
            .get(b"team-a")
            .expect("key")
            .iter()
            .all(|a| a.name() != "Claude")
    );
    // The shared dictionary is checked when the table is loaded.
    assert_eq!(
        AliasTable::from_bytes(&shared[..]).err(),
        Some(TableError::Malformed {
            section: "names",
            why: "a string has a byte that is not allowed"
        })
    );
}

#[test]
fn every_truncation_and_every_bit_flip_is_rejected() {
    let good = sample().as_bytes().to_vec();
    for len in 0..good.len() {
        assert!(
            AliasTable::from_bytes(&good[..len]).is_err(),
            "cut to {len}"
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(AliasTable::from_bytes(&longer[..]).is_err());
    let mut bytes = good.clone();
    for i in 0..good.len() {
        for bit in 0..8 {
            bytes[i] ^= 1 << bit;
            assert!(
                AliasTable::from_bytes(&bytes[..]).is_err(),
                "byte {i} bit {bit}"
            );
            bytes[i] ^= 1 << bit;
        }
    }
}

/// Reads everything a gateway could read from a table: must not panic, whatever it holds.
fn exercise(table: &AliasTable<&[u8]>) {
    let keys: Vec<Vec<u8>> = table
        .iter()
        .map(|k| (k.key().to_vec(), k.iter().count()).0)
        .collect();
    for key in keys
        .iter()
        .map(Vec::as_slice)
        .chain([&b"team-a"[..], b"", b"zz"])
    {
        for model in ["claude-opus-4-9", "cross-model-basic", "gpt", "", "c"] {
            let r = resolve(table, key, model);
            let _ = (r.model(), r.rule(), r.alias());
        }
        if let Some(aliases) = table.get(key) {
            let _ = format!("{aliases:?}");
            for a in aliases.iter() {
                let _ = (a.name(), a.target(), a.to_alias());
            }
        }
    }
    let _ = format!("{table:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// Bytes changed and the checksum recomputed over them, as someone forging a table would:
    /// loading either fails with an error or gives a table that reads without panicking.
    #[test]
    fn forged_tables_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = sample().as_bytes().to_vec();
        for (at, value) in edits {
            let i = at.index(bytes.len() - 24) + 24;
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()) + 1);
        }
        if bytes.len() >= 32 {
            fix_checksum(&mut bytes);
        }
        if let Ok(table) = AliasTable::from_bytes(&bytes[..]) {
            exercise(&table);
            if table.verify().is_ok() {
                // A table that verifies answers for every alias it lists.
                for aliases in table.iter() {
                    for alias in aliases.iter() {
                        prop_assert_ne!(aliases.resolve(alias.name()).rule(), Rule::Passthrough);
                    }
                }
            }
        }
    }
}

type Rows = Vec<(String, String, MatchKind)>;

fn rows() -> impl Strategy<Value = Rows> {
    let name = prop::collection::vec(
        prop::sample::select(vec!["a", "b", "-", "ab", "bbbbbbbb"]),
        1..5,
    )
    .prop_map(|t| t.concat());
    let kind = prop_oneof![Just(MatchKind::Exact), Just(MatchKind::Prefix)];
    prop::collection::vec((name, "[a-c]{1,3}", kind), 0..8).prop_map(|mut rows| {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|(name, _, _)| seen.insert(name.clone()));
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Many keys at once, each with its own generated set: the table answers for every key
    /// exactly as that key's set does, and lists its rows in order.
    #[test]
    fn every_key_resolves_as_its_set(
        sets in prop::collection::vec(rows(), 0..12),
        models in prop::collection::vec("[ab-]{0,12}", 1..12),
    ) {
        let sets: Vec<AliasSet> = sets.iter().map(|r| AliasSet::new(r).expect("valid")).collect();
        let table = AliasTable::new(sets.iter().enumerate().map(|(i, s)| (format!("k{i}"), s)))
            .expect("distinct keys");
        let table = AliasTable::from_bytes(table.as_bytes()).expect("round trip");
        for (i, set) in sets.iter().enumerate() {
            let key = format!("k{i}");
            for model in &models {
                let (want, got) = (set.resolve(model), resolve(&table, &key, model));
                prop_assert_eq!(want.model(), got.model());
                prop_assert_eq!(want.rule(), got.rule());
                prop_assert_eq!(want.alias(), got.alias());
            }
            let listed: Vec<_> = table.get(&key).expect("present").iter().collect();
            prop_assert_eq!(listed, set.iter().collect::<Vec<_>>());
        }
        prop_assert_eq!(resolve(&table, "unknown", "a").rule(), Rule::Passthrough);
    }
}

/// The sample of the committed fixtures of formats 2 and 3: `sample()`'s keys plus a key with
/// what format 2 added, a hidden alias and a carried target, in a table that ignores case.
fn sample_fixture() -> AliasTable {
    let mut builder = TableBuilder::new();
    builder.ignore_case(true);
    for key in sample().iter() {
        builder.insert(key.key(), key.iter()).expect("valid rows");
    }
    let batch = Alias::exact(
        "batch".parse().unwrap(),
        "deepseek/deepseek-chat".parse().unwrap(),
    );
    /// An alias with presets, as a row of the caller's (the crate builds it without serde).
    struct Pro;
    impl model_alias::Row for Pro {
        fn name(&self) -> &str {
            "pro"
        }
        fn target(&self) -> &str {
            "deepseek/deepseek-reasoner"
        }
        fn kind(&self) -> MatchKind {
            MatchKind::Exact
        }
        fn defaults(&self) -> Option<&str> {
            Some(r#"{"reasoning_effort": "high"}"#)
        }
        fn overrides(&self) -> Option<&str> {
            Some(r#"{"max_tokens": 8192}"#)
        }
    }
    let pro = AliasSet::new([Pro]).expect("valid presets");
    let mut team_c = vec![
        Alias::prefix("oai/".parse().unwrap(), "openai/*".parse().unwrap()),
        batch.with_hidden(true),
    ];
    team_c.extend(pro.iter().map(|a| a.to_alias()));
    builder.insert("team-c", team_c).expect("valid rows");
    builder.build().expect("distinct keys")
}

/// A format is a tested promise. The committed fixture holds `sample_fixture()` as format 4
/// writes it: the builder must still write exactly those bytes, and they must still load and
/// resolve. A failure here means the format changed: bump its version and add a fixture.
/// (`MODEL_ALIAS_WRITE_FIXTURES=1` writes a new one.)
#[test]
fn format_4_is_the_committed_fixture() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/table-v4.bin");
    if std::env::var_os("MODEL_ALIAS_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, sample_fixture().as_bytes()).expect("write the fixture");
    }
    let fixture = std::fs::read(&path).expect("tests/fixtures/table-v4.bin");
    assert!(
        sample_fixture().as_bytes() == &fixture[..],
        "the builder no longer writes format 4's bytes"
    );
    let loaded = AliasTable::from_bytes(&fixture[..]).expect("format 4 loads");
    loaded.verify().expect("and verifies");
    assert_eq!(loaded.len(), 4);
    assert!(loaded.ignores_case());
    let r = resolve(&loaded, b"team-a", "Claude-Opus-4-9");
    assert_eq!(r.model(), "anthropic/claude-opus-4-8");
    assert_eq!(r.rule(), Rule::Prefix);
    let r = resolve(&loaded, 7u64.to_be_bytes(), "cross-model-basic");
    assert_eq!(r.model(), "Qwen/Qwen2.5-72B-Instruct");
    let r = resolve(&loaded, b"team-c", "OAI/GPT-4o");
    assert_eq!(r.model(), "openai/GPT-4o");
    let hidden: Vec<bool> = loaded
        .get("team-c")
        .unwrap()
        .iter()
        .map(|a| a.is_hidden())
        .collect();
    assert_eq!(hidden, [false, true, false]);
    let r = resolve(&loaded, b"team-c", "pro");
    let presets = r.alias().and_then(|a| a.presets()).expect("presets");
    assert_eq!(
        (presets.defaults(), presets.overrides()),
        (r#"{"reasoning_effort":"high"}"#, r#"{"max_tokens":8192}"#)
    );
}

/// Formats 1 (model-alias 0.1.0, no hidden bit in its target fields), 2 (a slot table where
/// later formats have buckets) and 3 (no presets) are refused by name, not misread.
#[test]
fn formats_1_to_3_are_rejected_with_their_version() {
    for found in [1, 2, 3] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/table-v{found}.bin"));
        let fixture = std::fs::read(&path).expect("a committed fixture");
        let err = AliasTable::from_bytes(&fixture[..]).unwrap_err();
        assert_eq!(
            err,
            TableError::UnsupportedVersion {
                found,
                supported: 4
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "the alias table is format version {found}, this crate reads version 4: rebuild the table with this version of model-alias"
            )
        );
    }
}

/// The directory is read as lookups need it, not checked when a table loads (that
/// would cost a pass over it): a forged offset makes its bucket empty to lookups, never a
/// panic, and `verify` names it.
#[test]
fn a_forged_directory_is_skipped_by_lookups_and_named_by_verify() {
    let table = sample();
    let header_len = 112;
    // The sample's three keys share one bucket: the directory is two offsets, 0 and the end.
    for (at, value) in [(0usize, 1u32), (1, u32::MAX), (1, 0)] {
        let mut bytes = table.as_bytes().to_vec();
        let field = header_len + 4 * at;
        bytes[field..field + 4].copy_from_slice(&value.to_le_bytes());
        fix_checksum(&mut bytes);
        let forged = AliasTable::from_bytes(&bytes[..]).expect("the header is fine");
        let err = forged.verify().expect_err("a bad directory");
        assert!(
            matches!(
                err,
                TableError::Malformed {
                    section: "directory",
                    ..
                }
            ),
            "{err:?}"
        );
        for key in table.iter() {
            let _ = resolve(&forged, key.key(), "claude-opus-4-9").model();
        }
        let listed = forged.iter().count();
        assert!(listed <= table.len(), "{listed}");
        if at == 1 {
            // The bucket's end is forged (to 0, or past the blocks section, into the
            // dictionaries and beyond): its keys are gone, not read from other sections
            // (mutation testing found this unchecked).
            assert_eq!(listed, 0);
            for key in table.iter() {
                assert!(forged.get(key.key()).is_none(), "{:?}", key.key());
            }
        }
    }
}

/// A key's rows are validated as a set's (a set's own aliases only for their
/// lengths under the builder's limits), and a key with a bad row adds nothing.
#[test]
fn a_key_is_inserted_whole_or_not_at_all() {
    let mut builder = TableBuilder::new();
    builder
        .insert("team-a", [("fast", "deepseek/deepseek-chat")])
        .unwrap();
    let err = builder
        .insert("team-b", [("ok", "t"), ("Bad", ""), ("ok", "u")])
        .unwrap_err();
    let TableError::InvalidSet { key, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((key.as_str(), error.problems().len()), ("\"team-b\"", 3));
    assert!(
        err.to_string()
            .starts_with(r#"key "team-b": invalid alias set, 3 problems: row 2: alias name "Bad""#),
        "{err}"
    );
    assert_eq!(builder.len(), 1);
    let alone = AliasTable::new([("team-a", [("fast", "deepseek/deepseek-chat")])]).unwrap();
    assert_eq!(
        builder.build().unwrap(),
        alone,
        "nothing of team-b was kept"
    );

    // A set valid under raised limits is checked against the builder's.
    let long_name = "n".repeat(70);
    let raised = Limits::default().with_max_name_len(100);
    let set = AliasSet::with_limits([(long_name.as_str(), "t")], raised).unwrap();
    let err = TableBuilder::new().insert("k", &set).unwrap_err();
    assert!(err.to_string().contains("is 70 bytes long"), "{err}");
    assert!(TableBuilder::with_limits(raised).insert("k", &set).is_ok());
    // And a target, likewise (a mutant that skipped this length check survived once).
    let long_target = "t".repeat(300);
    let raised_targets = Limits::default().with_max_target_len(400);
    let set = AliasSet::with_limits([("k", long_target.as_str())], raised_targets).unwrap();
    let err = TableBuilder::new().insert("k", &set).unwrap_err();
    assert!(err.to_string().contains("is 300 bytes long"), "{err}");
    let err = AliasSet::new(&set).unwrap_err();
    assert!(err.to_string().contains("is 300 bytes long"), "{err}");
    // Its names are still checked for uniqueness against other rows.
    let twice = set.iter().chain(set.iter());
    let err = TableBuilder::with_limits(raised)
        .insert("k", twice)
        .unwrap_err();
    assert!(err.to_string().contains("already used by row 1"), "{err}");
}

/// What a table and a key's view say about
/// themselves (case, emptiness, `Debug`, equality) each follow what was built.
#[test]
fn a_table_and_its_keys_describe_what_they_hold() {
    let table = sample();
    let folded = sample_fixture();
    assert!(!table.ignores_case());
    assert!(folded.ignores_case());

    assert!(!table.is_empty());
    assert_eq!(table.len(), 3);
    let empty = TableBuilder::new().build().expect("no key");
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);

    let team_a = table.get("team-a").expect("a known key");
    assert!(!team_a.is_empty());
    assert_eq!(team_a.len(), 3);
    let no_aliases = table.get("").expect("the key with an empty set");
    assert!(no_aliases.is_empty());
    assert_eq!(no_aliases.len(), 0);

    let (names, targets) = table.distinct();
    assert_eq!(
        format!("{table:?}"),
        format!(
            "AliasTable {{ keys: 3, names: {names}, targets: {targets}, bytes: {} }}",
            table.as_bytes().len()
        )
    );
    let debug = format!("{team_a:?}");
    assert!(
        debug.starts_with("KeyAliases { key: [116, 101, 97, 109, 45, 97], aliases: ["),
        "{debug}"
    );
    assert!(debug.contains("claude-opus"), "{debug}");

    // Equal exactly when the bytes are, whatever holds them.
    assert_eq!(
        table,
        AliasTable::from_bytes(table.as_bytes()).expect("its own bytes")
    );
    assert_ne!(table, folded);
    assert_ne!(table, empty);
}

/// A builder counts what was inserted, and
/// a duplicate key's error shows at most its first 64 bytes, marking the cut.
#[test]
fn a_builder_counts_its_keys_and_shortens_a_long_duplicate() {
    let mut b = TableBuilder::new();
    assert!(b.is_empty());
    assert_eq!(b.len(), 0);
    let long = "k".repeat(100);
    for key in ["a", "b", long.as_str(), long.as_str()] {
        b.insert(key, &AliasSet::default()).expect("valid rows");
    }
    assert!(!b.is_empty());
    assert_eq!(b.len(), 4);
    let shown = format!("{:?}…", "k".repeat(64));
    assert_eq!(b.build(), Err(TableError::DuplicateKey { key: shown }));

    let mut b = TableBuilder::new();
    let binary = [0xffu8; 65];
    b.insert(binary, &AliasSet::default()).unwrap();
    b.insert(binary, &AliasSet::default()).unwrap();
    let shown = format!("0x{}…", "ff".repeat(64));
    assert_eq!(b.build(), Err(TableError::DuplicateKey { key: shown }));
}

/// A key whose aliases take more than 16 MiB (4-byte block lengths) is not too
/// large; only past 4 GiB is a key's block refused. Its name fields (offsets into the block)
/// and target fields (ids of 1,000 targets) are wider than a byte, and each alias is read back
/// through them.
#[test]
fn a_key_with_megabytes_of_aliases_builds() {
    let count = 300_000;
    // 62-byte names, each used once: stored in the key's block, about 66 bytes each.
    let rows: Vec<(String, String)> = (0..count)
        .map(|i| (format!("{i:062}"), format!("m{}", i % 1000)))
        .collect();
    let mut b = TableBuilder::with_limits(Limits::DEFAULT.with_max_aliases(count));
    b.insert(
        "big",
        rows.iter()
            .map(|(n, t)| (n.as_str(), t.as_str(), MatchKind::Exact)),
    )
    .expect("valid rows");
    b.insert("small", [("a", "b", MatchKind::Exact)])
        .expect("valid rows");
    let table = b.build().expect("a big key is not too large");
    assert!(
        table.as_bytes().len() > 1 << 24,
        "{} bytes",
        table.as_bytes().len()
    );
    let big = table.get("big").expect("a known key");
    assert_eq!(big.len(), count);
    for i in [0, 1, 999, 1000, 123_457, count - 1] {
        let (name, target) = &rows[i];
        assert_eq!(big.resolve(name).model(), target.as_str());
    }
    assert_eq!(resolve(&table, "small", "a").model(), "b");
}

/// A dictionary's offsets start at 0 and
/// rise strictly, or the table is refused, naming the dictionary.
#[test]
fn verify_names_a_forged_dictionary() {
    let table = sample();
    let good = table.as_bytes().to_vec();
    // The header's section lengths (bytes 48 to 112): directory, blocks, name offsets, names,
    // target offsets, targets, preset offsets, presets.
    let len = |i: usize| header_field(&good, 48 + 8 * i) as usize;
    let name_offsets = 112 + len(0) + len(1);
    let target_offsets = name_offsets + len(2) + len(3);
    assert!(
        len(2) >= 8 && len(4) >= 12,
        "a name and two targets: {} {}",
        len(2),
        len(4)
    );
    let forge = |at: usize, value: u32| {
        let mut bytes = good.clone();
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        fix_checksum(&mut bytes);
        // The names are checked as the table loads, the targets by `verify`.
        AliasTable::from_bytes(bytes).and_then(|table| table.verify())
    };
    assert_eq!(
        forge(name_offsets, 1),
        Err(TableError::Malformed {
            section: "names",
            why: "the first offset is not 0"
        })
    );
    assert_eq!(
        forge(target_offsets + 4, 0),
        Err(TableError::Malformed {
            section: "targets",
            why: "offsets do not rise (an empty or overlapping string)"
        })
    );
}

/// `verify` finds each forgery of a block
/// that lookups would read past: an entry's length byte that is not its name's, a target with a
/// misplaced `*`, and a byte after a bucket's last block.
#[test]
fn verify_names_a_forged_block() {
    let good = sample().as_bytes().to_vec();
    let verify = |bytes: &mut Vec<u8>| {
        fix_checksum(bytes);
        AliasTable::from_bytes(&bytes[..]).and_then(|table| table.verify())
    };
    let blocks = |why| {
        Err(TableError::Malformed {
            section: "blocks",
            why,
        })
    };
    // team-a's block: the key's length and bytes, the entry count (3 << 1: no presets), then
    // the entry bytes:
    // "claude-opus" and "claude" (prefix aliases stored in the block: length << 2 | 3), then
    // "cross-model-basic" (an exact alias in the shared dictionary: 17 << 2). A name in the
    // block takes its length from the entry byte; one in the dictionary must match it.
    let entry = good
        .windows(10)
        .position(|w| w == b"team-a\x06\x2f\x1b\x44")
        .expect("team-a's block")
        + 9;
    let mut bytes = good.clone();
    bytes[entry] = 18 << 2;
    assert_eq!(
        verify(&mut bytes),
        blocks("an entry's length byte does not match its name")
    );

    let mut bytes = good.clone();
    let target = bytes
        .windows(22)
        .position(|w| w == b"deepseek/deepseek-chat")
        .expect("a target");
    bytes[target + 13] = b'*';
    assert_eq!(
        verify(&mut bytes),
        blocks("a target has a '*' that validation rejects")
    );

    // One byte more in the blocks section, after the sample's one bucket: the header's blocks
    // length (bytes 56..64), the total length (24..32) and the directory's end offset (116..120)
    // grow by one, so the table still loads.
    let mut bytes = good.clone();
    let end = 112 + header_field(&bytes, 48) + header_field(&bytes, 56);
    bytes.insert(end as usize, 0);
    for at in [24, 56] {
        let grown = header_field(&bytes, at) + 1;
        bytes[at..at + 8].copy_from_slice(&grown.to_le_bytes());
    }
    let directory_end = u32::from_le_bytes(bytes[116..120].try_into().unwrap()) + 1;
    bytes[116..120].copy_from_slice(&directory_end.to_le_bytes());
    assert_eq!(
        verify(&mut bytes),
        blocks("a bucket's blocks do not fill it")
    );

    // A table exactly as long as a header is not cut short at the header: its stated length
    // is what it lacks.
    assert_eq!(
        AliasTable::from_bytes(&good[..112]).err(),
        Some(TableError::Truncated {
            len: 112,
            expected: good.len()
        })
    );
}

/// Names of 63 bytes or more share one length in the entry byte, so a lookup cannot tell from
/// it which of two such prefix names is longer: it must read both.
#[test]
fn long_prefix_names_one_inside_another_pick_the_longest() {
    let limits = Limits::default().with_max_name_len(200);
    let names: Vec<String> = [62, 63, 64, 65, 100, 200].map(|n| "a".repeat(n)).into();
    let rows: Vec<(String, String, MatchKind)> = names
        .iter()
        .map(|n| (n.clone(), format!("t/{}", n.len()), MatchKind::Prefix))
        .collect();
    let mut reversed = rows.clone();
    reversed.reverse();
    let mut builder = TableBuilder::with_limits(limits);
    builder.insert("up", &rows).expect("valid rows");
    builder.insert("down", &reversed).expect("valid rows");
    let table = builder.build().expect("a table");
    for name in &names {
        let model = format!("{name}-x");
        let want = format!("t/{}", name.len());
        for key in ["up", "down"] {
            let got = resolve(&table, key, &model);
            assert_eq!(
                got.model(),
                want.as_str(),
                "key {key}, model of {} bytes",
                model.len()
            );
        }
    }
}
