//! Validation of names, targets and whole sets: what is accepted, and what every error says.

use model_alias::error::{NameError, Problem, TargetError};
use model_alias::{Alias, AliasName, AliasSet, Limits, MatchKind, ModelId, SetError, WarningKind};
use proptest::prelude::*;

fn name_rule(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b':' | b'/' | b'-'))
}

/// Visible ASCII, and a `*` only as the last byte of a target with something before it
/// (a target that carries the rest of the model).
fn target_rule(s: &str, max: usize) -> bool {
    let star_ok = match s.find('*') {
        None => true,
        Some(at) => at > 0 && at + 1 == s.len(),
    };
    (1..=max).contains(&s.len()) && s.bytes().all(|b| (b'!'..=b'~').contains(&b)) && star_ok
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn a_name_is_accepted_exactly_when_the_rule_says(s in prop_oneof![
        "[a-z0-9._:/-]{0,70}",
        "[a-zA-Z0-9._:/ *@-]{0,70}",
        "\\PC{0,70}",
        ".{0,70}",
    ]) {
        prop_assert_eq!(AliasName::new(&s).is_ok(), name_rule(&s, 64), "{:?}", s);
        prop_assert_eq!(s.parse::<AliasName>().is_ok(), name_rule(&s, 64));
        prop_assert_eq!(AliasName::try_from(s.clone()).is_ok(), name_rule(&s, 64));
        let small = Limits::default().with_max_name_len(8);
        prop_assert_eq!(AliasName::with_limits(&s, small).is_ok(), name_rule(&s, 8));
        if let Ok(name) = AliasName::new(&s) {
            prop_assert_eq!(name.as_str(), s.as_str());
            prop_assert_eq!(name.to_string(), s);
        }
    }

    #[test]
    fn a_target_is_accepted_exactly_when_the_rule_says(s in prop_oneof![
        "[!-~]{0,260}",
        "[a-z*/]{0,8}",
        "[!-~]{0,20}\\*",
        "[a-zA-Z0-9/ \t._-]{0,40}",
        "\\PC{0,40}",
        ".{0,40}",
    ]) {
        prop_assert_eq!(ModelId::new(&s).is_ok(), target_rule(&s, 256), "{:?}", s);
        prop_assert_eq!(ModelId::try_from(s.clone()).is_ok(), target_rule(&s, 256));
        let small = Limits::default().with_max_target_len(10);
        prop_assert_eq!(ModelId::with_limits(&s, small).is_ok(), target_rule(&s, 10));
    }

    #[test]
    fn a_bad_char_error_points_at_the_first_offending_byte(s in "[a-z]{0,5}[A-Z ~*@\u{0}é\u{FF43}\u{043E}][a-zA-Z]{0,5}") {
        let err = AliasName::new(&s).unwrap_err();
        let (ch, at) = match err {
            NameError::Uppercase { ch, at, .. } | NameError::InvalidChar { ch, at, .. } => (ch, at),
            // A trailing `*` (or `*` alone) gets the fix for a wildcard instead.
            NameError::TrailingStar { .. } => ('*', s.len() - 1),
            NameError::CatchAll => ('*', 0),
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(s[at..].chars().next(), Some(ch));
        prop_assert!(s[..at].bytes().all(|b| b.is_ascii_lowercase()));
    }
}

#[test]
fn name_error_messages() {
    let msg = |s: &str| AliasName::new(s).unwrap_err().to_string();
    assert_eq!(
        msg("Claude-opus"),
        r#"alias name "Claude-opus" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"#
    );
    assert_eq!(
        msg("gpt 4"),
        r#"alias name "gpt 4" has ' ' (U+0020) at byte 3: alias names may use only a-z, 0-9 and . _ : / -"#
    );
    // A wildcard as other gateways write it gets the rule that replaces it.
    assert_eq!(
        msg("claude*"),
        r#"alias name "claude*" ends in '*': use "match": "prefix" instead of `*`, with the name "claude""#
    );
    assert_eq!(
        msg("*"),
        "a catch-all `*` is not supported: name the prefix it should match"
    );
    assert_eq!(
        msg("clau*de"),
        r#"alias name "clau*de" has '*' at byte 4: alias names may use only a-z, 0-9 and . _ : / -"#
    );
    assert_eq!(
        msg("\u{FF43}laude"),
        "alias name \"\u{FF43}laude\" has '\u{FF43}' (U+FF43) at byte 0: alias names may use only a-z, 0-9 and . _ : / -"
    );
    assert_eq!(
        msg("cr\u{043E}ss"),
        "alias name \"cr\u{043E}ss\" has '\u{043E}' (U+043E) at byte 2: alias names may use only a-z, 0-9 and . _ : / -"
    );
    assert_eq!(
        msg("a\0b"),
        r#"alias name "a\0b" has '\0' (U+0000) at byte 1: alias names may use only a-z, 0-9 and . _ : / -"#
    );
    assert_eq!(
        msg(""),
        "alias name is empty: give it 1 to 64 bytes of a-z, 0-9 and . _ : / -"
    );
    assert_eq!(
        msg(&"a".repeat(65)),
        format!(
            r#"alias name "{}…" is 65 bytes long: alias names are at most 64 bytes, shorten it"#,
            "a".repeat(64)
        )
    );
}

#[test]
fn name_limits_are_inclusive() {
    assert!(AliasName::new(&"a".repeat(64)).is_ok());
    assert!(AliasName::new("a").is_ok());
    assert_eq!(
        AliasName::new(&"a".repeat(65)),
        Err(NameError::TooLong {
            name: format!("{}…", "a".repeat(64)),
            len: 65,
            max: 64
        })
    );
    let raised = Limits::default().with_max_name_len(100);
    assert!(AliasName::with_limits(&"a".repeat(100), raised).is_ok());
    assert!(AliasName::with_limits(&"a".repeat(101), raised).is_err());
}

#[test]
fn a_huge_name_gets_a_short_message() {
    let huge = "A".repeat(1 << 20);
    let msg = AliasName::new(&huge).unwrap_err().to_string();
    assert!(msg.len() < 200, "{}", msg.len());
    let huge = "a".repeat(1 << 20);
    let err = AliasName::new(&huge).unwrap_err();
    assert!(matches!(err, NameError::TooLong { len, max: 64, .. } if len == 1 << 20));
    assert!(err.to_string().len() < 200);
}

#[test]
fn target_error_messages() {
    let msg = |s: &str| ModelId::new(s).unwrap_err().to_string();
    assert_eq!(
        msg(""),
        "target model id is empty: give the real model id to route to (1 to 256 bytes)"
    );
    assert_eq!(
        msg("deepseek chat"),
        r#"target model id "deepseek chat" has ' ' (U+0020) at byte 8: model ids are visible ASCII only (no spaces, control characters or non-ASCII)"#
    );
    assert_eq!(
        msg("qwen\tx"),
        r#"target model id "qwen\tx" has '\t' (U+0009) at byte 4: model ids are visible ASCII only (no spaces, control characters or non-ASCII)"#
    );
    assert_eq!(
        msg(&"x".repeat(257)),
        format!(
            r#"target model id "{}…" is 257 bytes long: model ids are at most 256 bytes, shorten it"#,
            "x".repeat(64)
        )
    );
    assert!(ModelId::new(&"x".repeat(256)).is_ok());
    assert!(matches!(
        ModelId::new("é"),
        Err(TargetError::InvalidChar {
            ch: 'é', at: 0, ..
        })
    ));
    assert_eq!(
        ModelId::new("Qwen/Qwen2.5-72B-Instruct").unwrap().as_str(),
        "Qwen/Qwen2.5-72B-Instruct"
    );
}

#[test]
fn a_set_reports_every_problem_with_its_row() {
    let err = AliasSet::new([
        (
            "Claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
        ("basic", "deepseek/deepseek-chat", MatchKind::Exact),
        ("basic", "", MatchKind::Prefix),
        ("ok", "fine", MatchKind::Exact),
        ("bad name", "bad target", MatchKind::Exact),
        ("basic", "x", MatchKind::Exact),
    ])
    .unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            r#"row 1: alias name "Claude-opus" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"#,
            r#"row 3 ("basic"): target model id is empty: give the real model id to route to (1 to 256 bytes)"#,
            r#"row 3 ("basic"): the name is already used by row 2: names are unique across exact and prefix aliases, rename or remove one of the two"#,
            r#"row 5: alias name "bad name" has ' ' (U+0020) at byte 3: alias names may use only a-z, 0-9 and . _ : / -"#,
            r#"row 5 ("bad name"): target model id "bad target" has ' ' (U+0020) at byte 3: model ids are visible ASCII only (no spaces, control characters or non-ASCII)"#,
            r#"row 6 ("basic"): the name is already used by row 2: names are unique across exact and prefix aliases, rename or remove one of the two"#,
        ]
    );
    let rows: Vec<(usize, usize)> = err
        .problems()
        .iter()
        .map(|p| (p.index(), p.row()))
        .collect();
    assert_eq!(rows, [(0, 1), (2, 3), (2, 3), (4, 5), (4, 5), (5, 6)]);
    assert_eq!(err.problems()[2].name(), "basic");
    assert_eq!(
        err.problems()[2].problem(),
        &Problem::DuplicateName { first: 1 }
    );
    assert!(
        err.to_string()
            .starts_with("invalid alias set, 6 problems: row 1: alias name")
    );
}

#[test]
fn a_single_problem_reads_as_one_sentence() {
    let err = AliasSet::new([("a", "x"), ("a", "y")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid alias set: row 2 ("a"): the name is already used by row 1: names are unique across exact and prefix aliases, rename or remove one of the two"#
    );
}

#[test]
fn duplicate_names_are_caught_across_kinds() {
    let err = AliasSet::new([
        ("gpt-4o", "x", MatchKind::Exact),
        ("gpt-4o", "y", MatchKind::Prefix),
        ("gpt-4o", "z", MatchKind::Prefix),
    ])
    .unwrap_err();
    let dups: Vec<_> = err
        .problems()
        .iter()
        .map(|p| (p.index(), p.problem().clone()))
        .collect();
    assert_eq!(
        dups,
        [
            (1, Problem::DuplicateName { first: 0 }),
            (2, Problem::DuplicateName { first: 0 }),
        ]
    );
}

#[test]
fn a_duplicate_of_a_row_with_a_bad_target_is_still_reported() {
    let err = AliasSet::new([("a", ""), ("a", "x")]).unwrap_err();
    assert_eq!(err.problems().len(), 2);
    assert_eq!(
        err.problems()[1].problem(),
        &Problem::DuplicateName { first: 0 }
    );
}

#[test]
fn twenty_aliases_pass_and_twenty_one_do_not() {
    let rows = |n: usize| {
        (0..n)
            .map(|i| (format!("alias-{i}"), "t"))
            .collect::<Vec<_>>()
    };
    assert_eq!(AliasSet::new(rows(20)).unwrap().len(), 20);
    let err = AliasSet::new(rows(23)).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    let p = &err.problems()[0];
    assert_eq!((p.index(), p.name()), (20, "alias-20"));
    assert_eq!(p.problem(), &Problem::TooMany { count: 23, max: 20 });
    assert_eq!(
        p.to_string(),
        r#"row 21 ("alias-20"): the set has 23 aliases but at most 20 are allowed: remove 3 rows"#
    );
    let raised = Limits::default().with_max_aliases(23);
    assert_eq!(AliasSet::with_limits(rows(23), raised).unwrap().len(), 23);
    // Owned, the problems are the same list.
    let listed = err.problems().to_vec();
    assert_eq!(err.into_problems(), listed);
}

#[test]
fn limits_apply_to_every_row() {
    let limits = Limits::default()
        .with_max_name_len(4)
        .with_max_target_len(3);
    let err = AliasSet::with_limits([("abcde", "abcd"), ("abcd", "abc")], limits).unwrap_err();
    let kinds: Vec<_> = err.problems().iter().map(|p| p.problem().clone()).collect();
    assert_eq!(
        kinds,
        [
            Problem::Name(NameError::TooLong {
                name: "abcde".into(),
                len: 5,
                max: 4
            }),
            Problem::Target(TargetError::TooLong {
                target: "abcd".into(),
                len: 4,
                max: 3
            }),
        ]
    );
    // An already-validated Alias is checked again against the set's own limits.
    let long = Alias::exact(
        AliasName::new("abcdefgh").unwrap(),
        ModelId::new("t").unwrap(),
    );
    assert!(AliasSet::with_limits([&long], limits).is_err());
    assert!(AliasSet::new([&long]).is_ok());
}

#[test]
fn default_limits_are_the_specs() {
    let d = Limits::default();
    assert_eq!(
        (d.max_aliases(), d.max_name_len(), d.max_target_len()),
        (20, 64, 256)
    );
    assert_eq!(AliasSet::default().limits(), d);
    assert!(AliasSet::default().is_empty());
}

#[test]
fn a_set_keeps_order_and_answers_queries() {
    let set = AliasSet::new([
        ("zeta", "z/z", MatchKind::Exact),
        ("alpha", "a/a", MatchKind::Prefix),
        ("mid", "m/m", MatchKind::Exact),
    ])
    .unwrap();
    let names: Vec<&str> = set.iter().map(|a| a.name()).collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    assert_eq!(set.len(), 3);
    assert!(!set.is_empty());
    assert_eq!(set.get("alpha").map(|a| a.target()), Some("a/a"));
    assert_eq!(set.get("alphabet"), None, "get is by name, not by prefix");
    assert_eq!(set.get("mi"), None);
    assert_eq!(set.get("mid").map(|a| a.kind()), Some(MatchKind::Exact));
    assert_eq!(set.iter().len(), 3);
    assert_eq!((&set).into_iter().count(), 3);
}

#[test]
fn warnings_flag_one_step_and_self_targets() {
    let set = AliasSet::new([
        ("cross-model-basic", "cross-model-pro", MatchKind::Exact),
        (
            "cross-model-pro",
            "anthropic/claude-opus-4-8",
            MatchKind::Exact,
        ),
        ("gpt-4o", "gpt-4o", MatchKind::Exact),
        ("claude", "claude", MatchKind::Prefix),
        ("p", "claude-x", MatchKind::Exact),
        ("fine", "deepseek/deepseek-chat", MatchKind::Prefix),
    ])
    .unwrap();
    let warnings = set.warnings();
    let got: Vec<(usize, WarningKind)> = warnings.iter().map(|w| (w.index(), w.kind())).collect();
    assert_eq!(
        got,
        [
            (0, WarningKind::TargetIsAliasName { other: 1 }),
            (2, WarningKind::TargetIsOwnName),
            (3, WarningKind::TargetIsOwnName),
        ],
        "a target matched by a prefix alias (row 5) is not a name of another alias"
    );
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            r#"row 1 ("cross-model-basic"): target "cross-model-pro" is also the name of the alias in row 2, but resolution is one step: "cross-model-pro" is sent upstream as a real model id, not resolved again; point this row at the real model instead"#,
            r#"row 3 ("gpt-4o"): the target is the alias's own name, so this alias changes nothing; remove it"#,
            r#"row 4 ("claude"): the target is the alias's own name, so every model starting with "claude" is sent as "claude" itself; make it an exact alias to change nothing, or point it at a real model"#,
        ]
    );
    assert_eq!(warnings[0].row(), 1);
    assert_eq!(warnings[0].alias().name().as_str(), "cross-model-basic");
    // Targets are case-sensitive: "GPT-4O" is not the alias "gpt-4o".
    let set = AliasSet::new([("gpt-4o", "GPT-4O"), ("b", "Gpt-4o")]).unwrap();
    assert!(set.warnings().is_empty());
}

#[test]
fn errors_are_std_errors() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<NameError>();
    is_error::<TargetError>();
    is_error::<SetError>();
    is_error::<model_alias::error::RowError>();
    is_error::<Problem>();
}

/// Targets written in another gateway's template syntax get a warning that says
/// how to write them here; look-alikes that are not templates do not.
#[test]
fn template_targets_are_warned_about() {
    let templated = [
        "openai/{model}",
        "{{model}}",
        "provider/$1",
        "x/${model}",
        "a{b}",
    ];
    let plain = [
        "a{b",
        "b}a",
        "cost$",
        "$x",
        "openai/*",
        "Qwen/Qwen2.5-72B-Instruct",
    ];
    for (target, want) in templated
        .iter()
        .map(|t| (t, true))
        .chain(plain.iter().map(|t| (t, false)))
    {
        let kind = if target.ends_with('*') {
            MatchKind::Prefix
        } else {
            MatchKind::Exact
        };
        let set = AliasSet::new([("alias", *target, kind)]).unwrap();
        let warnings = set.warnings();
        assert_eq!(
            warnings
                .iter()
                .any(|w| w.kind() == WarningKind::TemplateSyntax),
            want,
            "{target}: {warnings:?}"
        );
    }
    let set = AliasSet::new([("gpt", "openai/{model}")]).unwrap();
    assert_eq!(
        set.warnings()[0].to_string(),
        "row 1 (\"gpt\"): target \"openai/{model}\" looks like another gateway's template ({model}, $1), but targets are sent as written; write the real model id, or end a prefix alias's target with * to carry the rest of the model (\"openai/*\")"
    );
}

/// The `*` rules, each error on its row with its fix.
#[test]
fn star_errors_name_the_row_and_the_fix() {
    let err = AliasSet::new([
        ("a", "x*y", MatchKind::Prefix),
        ("b", "openai/*", MatchKind::Exact),
        ("c", "*", MatchKind::Prefix),
        ("d", "ok/*", MatchKind::Prefix),
    ])
    .unwrap_err();
    let problems: Vec<&Problem> = err.problems().iter().map(|p| p.problem()).collect();
    assert_eq!(
        problems,
        [
            &Problem::Target(TargetError::Star {
                target: "x*y".into(),
                at: 1
            }),
            &Problem::CarryOnExact,
            &Problem::Target(TargetError::OnlyStar),
        ]
    );
    assert_eq!(
        err.problems()[1].to_string(),
        "row 2 (\"b\"): an exact alias has nothing to carry: make it a prefix alias or remove the '*' from its target"
    );
    assert_eq!(
        err.problems()[0].to_string(),
        "row 1 (\"a\"): target model id \"x*y\" has '*' at byte 1: a '*' may only end a prefix alias's target, where it carries the rest of the model (\"openai/*\"); remove it"
    );
}
