//! `AllowList` against a naive reference of its rules, and its refusals.

use model_alias::access::{AllowList, Coverage};
use model_alias::error::AllowError;
use proptest::prelude::*;

/// The rule as written: an exact entry equals the model, or a prefix entry's text before the
/// `*` begins it.
fn naive_allows(entries: &[String], model: &str) -> bool {
    entries.iter().any(|e| match e.strip_suffix('*') {
        Some(stem) => model.starts_with(stem),
        None => e == model,
    })
}

/// Every string over `alphabet` of at most `len` characters.
fn strings(alphabet: &[char], len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..len {
        last = last
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        all.extend(last.iter().cloned());
    }
    all
}

/// Distinct entries over `a`, `b`, `/`, some of them prefixes.
fn entries() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(("[ab/]{1,3}", any::<bool>()), 0..8).prop_map(|set| {
        let mut out: Vec<String> = set
            .into_iter()
            .map(|(e, prefix)| if prefix { format!("{e}*") } else { e })
            .collect();
        out.dedup();
        out
    })
}

proptest! {
    #[test]
    fn allows_agrees_with_the_rule(entries in entries(), model in "[ab/z]{0,5}") {
        let allow = AllowList::new(&entries).unwrap();
        prop_assert_eq!(allow.allows(&model), naive_allows(&entries, &model));
    }

    /// A carried target `S*` reaches `S` followed by anything; the ends of every entry are
    /// within four characters of `S`, and `z` is in no entry.
    #[test]
    fn coverage_agrees_with_every_reachable_model(entries in entries(), stem in "[ab/]{1,2}") {
        let allow = AllowList::new(&entries).unwrap();
        let reached: Vec<bool> = strings(&['a', 'b', '/', 'z'], 4)
            .iter()
            .map(|rest| naive_allows(&entries, &format!("{stem}{rest}")))
            .collect();
        let expected = match (reached.iter().all(|r| *r), reached.iter().any(|r| *r)) {
            (true, _) => Coverage::Full,
            (false, true) => Coverage::Partial,
            (false, false) => Coverage::None,
        };
        prop_assert_eq!(allow.coverage(&format!("{stem}*")), expected);
        let plain = match naive_allows(&entries, &stem) {
            true => Coverage::Full,
            false => Coverage::None,
        };
        prop_assert_eq!(allow.coverage(&stem), plain);
    }

    #[test]
    fn any_text_is_refused_or_kept_in_order(entries in prop::collection::vec(".{0,12}", 0..6)) {
        if let Ok(allow) = AllowList::new(&entries) {
            prop_assert!(allow.iter().eq(entries.iter().map(String::as_str)));
        }
    }
}

#[test]
fn a_prefix_entry_covers_a_longer_carried_target() {
    let allow = AllowList::new(["openai/*"]).unwrap();
    assert_eq!(allow.coverage("openai/gpt-*"), Coverage::Full);
    assert_eq!(allow.coverage("openai*"), Coverage::Partial);
    assert_eq!(allow.coverage("open*"), Coverage::Partial);
    assert_eq!(allow.coverage("anthropic/*"), Coverage::None);
}

#[test]
fn an_exact_entry_makes_a_carried_target_partial() {
    let allow = AllowList::new(["openai/gpt-4o"]).unwrap();
    assert_eq!(allow.coverage("openai/*"), Coverage::Partial);
    assert_eq!(allow.coverage("openai/gpt-4o"), Coverage::Full);
    assert_eq!(allow.coverage("openai/gpt-4o-mini"), Coverage::None);
}

#[test]
fn an_empty_list_allows_nothing() {
    let allow = AllowList::new(Vec::<String>::new()).unwrap();
    assert!(allow.is_empty());
    assert!(!allow.allows("openai/gpt-4o"));
    assert!(!allow.allows(""));
    assert_eq!(allow.coverage("openai/*"), Coverage::None);
}

#[test]
fn matching_is_byte_for_byte() {
    let allow = AllowList::new(["openai/gpt-4o", "deepseek/*"]).unwrap();
    assert!(!allow.allows("OpenAI/GPT-4o"));
    assert!(!allow.allows("DeepSeek/deepseek-chat"));
    assert!(!allow.allows("openai/gpt-4o "));
    assert!(allow.allows("deepseek/"));
}

#[test]
fn each_bad_entry_is_named_by_its_position() {
    let cases: [(&[&str], AllowError); 6] = [
        (&["openai/*", ""], AllowError::Empty { entry: 2 }),
        (&["*"], AllowError::OnlyStar { entry: 1 }),
        (
            &["open*ai"],
            AllowError::Star {
                entry: 1,
                text: "open*ai".into(),
                at: 4,
            },
        ),
        (
            &["a", "gpt 4"],
            AllowError::InvalidChar {
                entry: 2,
                text: "gpt 4".into(),
                ch: ' ',
                at: 3,
            },
        ),
        (
            &["a", "b", "a"],
            AllowError::Repeated {
                entry: 3,
                first: 1,
                text: "a".into(),
            },
        ),
        (
            &["x", "x*", "x*"],
            AllowError::Repeated {
                entry: 3,
                first: 2,
                text: "x*".into(),
            },
        ),
    ];
    for (entries, expected) in cases {
        assert_eq!(
            AllowList::new(entries).unwrap_err(),
            expected,
            "{entries:?}"
        );
    }
    let long = "m".repeat(257);
    let err = AllowList::new([long.as_str()]).unwrap_err();
    assert_eq!(err.entry(), Some(1));
    assert_eq!(
        err.to_string(),
        "allow entry 1 is 257 bytes long: model ids are at most 256 bytes, shorten it"
    );
}

#[test]
fn a_list_past_the_ceiling_is_refused_without_reading_the_rest() {
    let many = (0..).map(|i| format!("provider/model-{i}"));
    let at_ceiling = AllowList::new(many.clone().take(AllowList::MAX_ENTRIES)).unwrap();
    assert_eq!(at_ceiling.len(), AllowList::MAX_ENTRIES);
    assert!(at_ceiling.allows("provider/model-1023"));
    // An endless iterator ends at the first entry past the ceiling.
    let err = AllowList::new(many).unwrap_err();
    assert_eq!(err, AllowError::TooMany { max: 1_024 });
    assert_eq!(err.entry(), None);
}

#[cfg(feature = "serde")]
#[test]
fn the_json_form_is_the_list_of_entries() {
    let allow: AllowList =
        serde_json::from_str(r#"["openai/*", "deepseek/deepseek-chat"]"#).unwrap();
    assert_eq!(
        serde_json::to_string(&allow).unwrap(),
        r#"["openai/*","deepseek/deepseek-chat"]"#
    );
    let err = serde_json::from_str::<AllowList>(r#"["openai/*", "*"]"#).unwrap_err();
    assert!(
        err.to_string().starts_with("allow entry 2 is only '*'"),
        "{err}"
    );
}

#[test]
fn lists_compare_and_print_as_their_entries() {
    let a = AllowList::new(["openai/*", "deepseek/deepseek-chat"]).unwrap();
    let same = AllowList::new(["openai/*", "deepseek/deepseek-chat"]).unwrap();
    let reordered = AllowList::new(["deepseek/deepseek-chat", "openai/*"]).unwrap();
    assert_eq!(a, same);
    assert_ne!(a, reordered);
    assert!(!a.is_empty());
    assert_eq!(
        format!("{a:?}"),
        r#"["openai/*", "deepseek/deepseek-chat"]"#
    );
    assert_eq!(
        (&a).into_iter().collect::<Vec<_>>(),
        ["openai/*", "deepseek/deepseek-chat"]
    );
}
