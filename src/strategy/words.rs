//! Word-at-a-time views of names and models, shared by [`Scan`](super::Scan) and
//! [`Hashed`](super::Hashed).
//!
//! A [`Packed`] name holds its first and last 8 bytes as little-endian words, so that a
//! candidate is tested with one or two word compares instead of a `memcmp` call; only names
//! longer than 16 bytes have their middle compared byte-wise, and only once both words matched.

use crate::{Alias, MatchKind};

/// The first up to 8 bytes of `bytes` as a little-endian word, zero-padded.
#[inline]
pub(super) fn head_word(bytes: &[u8]) -> u64 {
    if let Some(word) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*word);
    }
    let mut word = [0u8; 8];
    if let Some(dst) = word.get_mut(..bytes.len()) {
        dst.copy_from_slice(bytes);
    }
    u64::from_le_bytes(word)
}

/// The 8 bytes of `bytes` at `at`, if there are that many.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let word = bytes.get(at..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*word))
}

/// One alias name, packed for word compares.
#[derive(Debug, Clone)]
pub(super) struct Packed {
    /// The first `min(len, 8)` bytes, zero-padded.
    pub(super) head: u64,
    /// Selects the bytes of `head` that belong to the name.
    mask: u64,
    /// The last 8 bytes, when `len > 8`.
    tail: u64,
    pub(super) len: usize,
    /// The alias's position in the set.
    pub(super) index: usize,
    pub(super) exact: bool,
}

impl Packed {
    pub(super) fn new(index: usize, alias: &Alias) -> Packed {
        let name = alias.name().as_str().as_bytes();
        let len = name.len();
        let mask = match len {
            n @ 0..8 => (1u64 << (8 * n)) - 1,
            _ => u64::MAX,
        };
        Packed {
            head: head_word(name),
            mask,
            tail: len
                .checked_sub(8)
                .and_then(|at| word_at(name, at))
                .unwrap_or(0),
            len,
            index,
            exact: alias.kind() == MatchKind::Exact,
        }
    }

    /// Whether this alias wins for `model` if no longer name does: its name starts `model`
    /// (an exact alias's name must also end it). `head` is `head_word(model)`; `names` are the
    /// set's aliases, read only for the middle of names longer than 16 bytes.
    #[inline]
    pub(super) fn wins(&self, model: &[u8], head: u64, names: &[Alias]) -> bool {
        if self.len > model.len() || (self.exact && self.len != model.len()) {
            return false;
        }
        if head & self.mask != self.head {
            return false;
        }
        if self.len <= 8 {
            return true;
        }
        if word_at(model, self.len - 8) != Some(self.tail) {
            return false;
        }
        self.len <= 16 || {
            let name = names.get(self.index).map(|a| a.name().as_str().as_bytes());
            let middle = 8..self.len - 8;
            name.and_then(|n| n.get(middle.clone())) == model.get(middle)
        }
    }
}

/// Packed names bucketed by first byte, longest first within a bucket.
///
/// Invariant: `entries` is sorted by first byte, then by length, longest first; the names
/// starting with byte `b` are `entries[starts[b]..starts[b + 1]]`.
#[derive(Debug, Clone)]
pub(super) struct Buckets {
    entries: Box<[Packed]>,
    starts: Box<[usize]>,
}

impl Buckets {
    pub(super) fn new(mut entries: Vec<Packed>) -> Buckets {
        // The first byte is the low byte of the head word.
        let first = |e: &Packed| (e.head & 0xFF) as usize;
        entries.sort_by_key(|e| (first(e), std::cmp::Reverse(e.len)));
        let starts = (0..=256)
            .map(|b| entries.partition_point(|e| first(e) < b))
            .collect();
        Buckets {
            entries: entries.into_boxed_slice(),
            starts,
        }
    }

    /// The longest name in `model`'s bucket that wins for it (see [`Packed::wins`]).
    #[inline]
    pub(super) fn find(&self, model: &[u8], head: u64, names: &[Alias]) -> Option<usize> {
        let first = usize::from(*model.first()?);
        let (from, to) = (*self.starts.get(first)?, *self.starts.get(first + 1)?);
        let bucket = self.entries.get(from..to)?;
        bucket
            .iter()
            .find(|e| e.wins(model, head, names))
            .map(|e| e.index)
    }
}
