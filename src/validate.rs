//! Validation: raw [`Row`]s in, rows known to be valid out, or every problem at once.
//!
//! This is the one place rows are checked: [`AliasSet`](crate::AliasSet) (and through it the
//! JSON readers) turns checked rows into [`Alias`]es, the table builder stores them without
//! building anything else, and the indexes only ever see the output.
//!
//! Invariants of the output:
//! 1. every name and target is valid under the limits;
//! 2. names are unique across both kinds;
//! 3. only prefix aliases have a target that carries the rest (ends in `*`);
//! 4. the rows' order is kept;
//! 5. there are at most `limits.max_aliases()` rows.
//!
//! Problems come out in row order (within a row: name, target, a carried target on an exact
//! alias, then a duplicate name; at most two a row). Rows past the limit are counted, not
//! checked or kept, so memory is bounded by the limit whatever the input's length, and at
//! most `4 · max_aliases + 1` problems are reported. Checking
//! allocates nothing but the kept rows' list, a hash map of their names and the problems.

use std::collections::HashMap;

use foldhash::fast::RandomState as FoldState;

use crate::alias::{Token, carries_on_exact};
use crate::error::{Problem, RowError, SetError};
use crate::preset;
use crate::text::excerpt;
use crate::{Alias, AliasName, Limits, ModelId, Row};

/// Rows allocated for up front: a set's whole list in one allocation for the default limit,
/// without trusting a huge limit.
const PREALLOCATED_ROWS: usize = 64;

/// Checks `rows` against `limits`: the rows themselves when all are valid, or every problem
/// in row order.
///
/// Cost: O(n) in the rows' count plus the bytes of the first `max_aliases` rows (the duplicate
/// check hashes each name once); memory O(max_aliases), never the input's size.
pub(crate) fn check<R: Row>(
    rows: impl IntoIterator<Item = R>,
    limits: Limits,
) -> Result<Vec<R>, SetError> {
    let mut kept = Vec::with_capacity(limits.max_aliases().min(PREALLOCATED_ROWS));
    let mut count = 0;
    let mut first_extra = None;
    for row in rows {
        // Past the limit a row is only counted: the fix for it is to remove rows, and
        // keeping or checking it would make memory grow with the input, not the limit.
        if count < limits.max_aliases() {
            kept.push(row);
        } else if count == limits.max_aliases() {
            first_extra = Some(excerpt(row.name()));
        }
        count += 1;
    }
    let mut problems = problems_of(&kept, limits);
    if let Some(name) = first_extra {
        let max = limits.max_aliases();
        problems.push(RowError::new(max, name, Problem::TooMany { count, max }));
    }
    if problems.is_empty() {
        Ok(kept)
    } else {
        Err(SetError::new(problems))
    }
}

/// [`check`], then the rows as validated aliases (two allocations an alias: name and target).
pub(crate) fn validate<R: Row>(
    rows: impl IntoIterator<Item = R>,
    limits: Limits,
) -> Result<Vec<Alias>, SetError> {
    let rows = check(rows, limits)?;
    Ok(rows
        .iter()
        .map(|row| {
            let name = AliasName::from_valid(row.name());
            Alias::new(name, ModelId::from_valid(row.target()), row.kind())
                .with_hidden(row.hidden())
                .with_stored_presets(preset::stored(row))
        })
        .collect())
}

/// Up to this many rows, names are checked for duplicates against the earlier ones, by a
/// fingerprint first (no allocation, one word compare for most pairs); above, through a hash map.
const PAIRWISE_MAX: usize = 32;

/// Every problem of `rows` (all within the limit), in row order.
fn problems_of<R: Row>(rows: &[R], limits: Limits) -> Vec<RowError> {
    let mut problems = Vec::new();
    // Checking a 20-alias set is on the path of every configuration change and of every key
    // of a table build, so the duplicate check allocates nothing for sets of that size.
    let mut names = Names::new(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let (name, target) = (row.name(), row.target());
        let mut report =
            |problem: Problem| problems.push(RowError::new(index, excerpt(name), problem));
        // An `Alias` or `AliasRef` was checked byte by byte when it was made: only the lengths
        // depend on these limits.
        let known = row.valid_bytes(Token(()))
            && name.len() <= limits.max_name_len()
            && target.len() <= limits.max_target_len();
        let name_ok = known
            || AliasName::check(name, limits)
                .map_err(|e| report(e.into()))
                .is_ok();
        let target_ok = known
            || ModelId::check(target, limits)
                .map_err(|e| report(e.into()))
                .is_ok();
        if target_ok && carries_on_exact(target, row.kind()) {
            report(Problem::CarryOnExact);
        }
        if name_ok {
            if let Some(first) = names.first_row(rows, index) {
                report(Problem::DuplicateName { first });
            }
        }
        if row.defaults().is_some() || row.overrides().is_some() {
            preset::problems(row, limits)
                .into_iter()
                .for_each(&mut report);
        }
    }
    problems
}

/// The valid names seen so far, to find the first row that used a name.
// One lives on the stack for one call: boxing the large variant would be the allocation it
// exists to avoid.
#[allow(clippy::large_enum_variant)]
enum Names<'r> {
    /// For small sets: each row's fingerprint, `None` for rows with an invalid name.
    Pairwise([Option<u64>; PAIRWISE_MAX]),
    Hashed(HashMap<&'r str, usize, FoldState>),
}

impl<'r> Names<'r> {
    fn new(rows: usize) -> Names<'r> {
        if rows <= PAIRWISE_MAX {
            Names::Pairwise([None; PAIRWISE_MAX])
        } else {
            Names::Hashed(HashMap::with_capacity_and_hasher(
                rows,
                FoldState::default(),
            ))
        }
    }

    /// Records row `index`'s name (a valid one); returns the earlier row with the same name,
    /// if any.
    fn first_row<R: Row>(&mut self, rows: &'r [R], index: usize) -> Option<usize> {
        let name = rows.get(index)?.name();
        match self {
            Names::Hashed(map) => Some(*map.entry(name).or_insert(index)).filter(|&f| f != index),
            Names::Pairwise(seen) => {
                let print = Some(fingerprint(name));
                if let Some(slot) = seen.get_mut(index) {
                    *slot = print;
                }
                let mut earlier = seen.iter().zip(rows).take(index);
                earlier.position(|(p, row)| *p == print && row.name() == name)
            }
        }
    }
}

/// A word that differs for almost every pair of different names: their length and their
/// first and last 8 bytes.
fn fingerprint(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        for (dst, src) in w.iter_mut().zip(b) {
            *dst = *src;
        }
        u64::from_le_bytes(w)
    };
    let tail = bytes
        .get(bytes.len().saturating_sub(8)..)
        .unwrap_or_default();
    let len = (bytes.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    word(bytes) ^ word(tail).rotate_left(31) ^ len
}
