//! Parsing an `AliasName` and a `ModelId` from any bytes: never a panic, accepted exactly when
//! the rules say so, and every rejection explains itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::{AliasName, Limits, ModelId};

/// The name rule, written out independently of the crate.
fn valid_name(s: &str, max: usize) -> bool {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b".:_/-".contains(&b);
    !s.is_empty() && s.len() <= max && s.bytes().all(allowed)
}

/// The target rule: printable ASCII without spaces, case kept; a `*` only as the last byte,
/// after at least one other.
fn valid_target(s: &str, max: usize) -> bool {
    let stars = s.bytes().filter(|&b| b == b'*').count();
    let star_ok = stars == 0 || (stars == 1 && s.len() > 1 && s.ends_with('*'));
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic()) && star_ok
}

/// The crate and the rule agree on `s`; an accepted value is `s` itself, a rejection says why.
fn agree(s: &str, parsed: Result<&str, &impl std::fmt::Display>, valid: bool) {
    match parsed {
        Ok(kept) => assert!(valid && kept == s, "accepted {s:?} as {kept:?}"),
        Err(e) => assert!(!valid && !e.to_string().is_empty(), "rejected {s:?}: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let limits = Limits::default()
        .with_max_name_len(1 + usize::from(knob))
        .with_max_target_len(1 + 2 * usize::from(knob));
    let name = AliasName::with_limits(s, limits);
    agree(
        s,
        name.as_ref().map(AliasName::as_str),
        valid_name(s, limits.max_name_len()),
    );
    let target = ModelId::with_limits(s, limits);
    agree(
        s,
        target.as_ref().map(ModelId::as_str),
        valid_target(s, limits.max_target_len()),
    );
});
