//! Word-at-a-time views of names and models, shared by [`Scan`](super::Scan) and
//! [`Hashed`](super::Hashed).
//!
//! A [`Packed`] name holds its first and last 8 bytes as little-endian words, so that a
//! candidate is tested with one or two word compares instead of a `memcmp` call; only names
//! longer than 16 bytes have their middle compared byte-wise, and only once both words matched.

use crate::{Alias, MatchKind, fold};

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
    ///
    /// With `FOLD`, a word of the model that differs from the name's is ASCII-folded and
    /// compared again (names are lowercase, so that is the folded comparison): no copy of the
    /// model is made, and a model sent in lowercase, as most are, folds only the words that
    /// would not have matched anyway.
    #[inline]
    pub(super) fn wins<const FOLD: bool>(&self, model: &[u8], head: u64, names: &[Alias]) -> bool {
        if self.len > model.len() || (self.exact && self.len != model.len()) {
            return false;
        }
        if !same::<FOLD>(head & self.mask, self.head) {
            return false;
        }
        if self.len <= 8 {
            return true;
        }
        if !word_at(model, self.len - 8).is_some_and(|w| same::<FOLD>(w, self.tail)) {
            return false;
        }
        self.len <= 16 || {
            let name = names.get(self.index).map(|a| a.name().as_str().as_bytes());
            let middle = 8..self.len - 8;
            if !FOLD {
                return name.and_then(|n| n.get(middle.clone())) == model.get(middle);
            }
            // The last word is already the same, so words from 8 up to it cover the middle
            // (the last one overlapping it): no byte-wise remainder, and no call to `memcmp`,
            // which costs more here than the few words a name of at most 64 bytes has.
            let name = name.unwrap_or_default();
            let mut at = middle.start;
            while at < middle.end {
                match (word_at(model, at), word_at(name, at)) {
                    (Some(m), Some(n)) if same::<FOLD>(m, n) => at += 8,
                    _ => return false,
                }
            }
            true
        }
    }
}

/// Whether the model's word `model` is the name's word `name`: equal, or, with `FOLD`, equal
/// once folded (folding a masked word folds its bytes, and leaves the zeros zero).
#[inline(always)]
fn same<const FOLD: bool>(model: u64, name: u64) -> bool {
    model == name || FOLD && fold::fold_word(model) == name
}

/// Packed names bucketed by first byte, longest first within a bucket.
///
/// Invariant: `entries` is sorted by first byte, then by length, longest first. `ranks[b]` is 0
/// when no name starts with byte `b`, else `r + 1` where that bucket is
/// `entries[starts[r]..starts[r + 1]]`. Only non-empty buckets have a start, so a set costs a
/// 512-byte rank table plus a word per distinct first byte, not a 257-word table. (A rank
/// table rather than a bit set with popcounts: without a `popcnt` target feature, counting
/// bits costs more than the rest of a lookup.)
#[derive(Debug, Clone)]
pub(super) struct Buckets {
    entries: Box<[Packed]>,
    ranks: Box<[u16; 256]>,
    starts: Box<[usize]>,
}

impl Buckets {
    pub(super) fn new(mut entries: Vec<Packed>) -> Buckets {
        entries.sort_by_key(|e| (first_byte(e), std::cmp::Reverse(e.len)));
        let mut ranks = Box::new([0u16; 256]);
        let mut starts = Vec::new();
        for (at, e) in entries.iter().enumerate() {
            // A u8 always indexes a 256-entry table (the lint cannot see it; the compiler can).
            #[allow(clippy::indexing_slicing)]
            let rank = &mut ranks[usize::from(first_byte(e))];
            if *rank == 0 {
                // At most 256 distinct first bytes, so the rank fits.
                *rank = u16::try_from(starts.len() + 1).unwrap_or(u16::MAX);
                starts.push(at);
            }
        }
        starts.push(entries.len());
        Buckets {
            entries: entries.into_boxed_slice(),
            ranks,
            starts: starts.into_boxed_slice(),
        }
    }

    /// The longest name in `model`'s bucket that wins for it (see [`Packed::wins`]), with
    /// the model's ASCII folded when `FOLD` is (`head` is `head_word(model)` either way).
    #[inline]
    pub(super) fn find<const FOLD: bool>(
        &self,
        model: &[u8],
        head: u64,
        names: &[Alias],
    ) -> Option<usize> {
        let first = *model.first()?;
        let first = if FOLD {
            first.to_ascii_lowercase()
        } else {
            first
        };
        // A u8 always indexes a 256-entry table: no bounds check is emitted, none can fail.
        #[allow(clippy::indexing_slicing)]
        let rank = usize::from(self.ranks[usize::from(first)]).checked_sub(1)?;
        let (from, to) = (*self.starts.get(rank)?, *self.starts.get(rank + 1)?);
        let bucket = self.entries.get(from..to)?;
        bucket
            .iter()
            .find(|e| e.wins::<FOLD>(model, head, names))
            .map(|e| e.index)
    }
}

/// The first byte of a packed name: the low byte of its head word.
fn first_byte(e: &Packed) -> u8 {
    e.head.to_le_bytes()[0]
}

/// A set of bytes, as 256 bits.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ByteSet([u64; 4]);

impl ByteSet {
    pub(super) fn insert(&mut self, b: u8) {
        if let Some(word) = self.0.get_mut(usize::from(b >> 6)) {
            *word |= 1 << (b & 63);
        }
    }

    #[inline]
    pub(super) fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|w| w >> (b & 63) & 1 == 1)
    }
}
