//! [`Hashed`]: a hash table over every name for the exact question, and, for the prefix
//! question, prefix names grouped by their whole 8-byte words, found by hashes of the model's
//! leading words computed in one pass.
//!
//! Invariants:
//! - `table` maps every name to its alias's position; `lens` has bit `l - 1` set for every
//!   name length `l` up to 64; `firsts` has bit `b` set for every byte `b` that starts a name.
//! - A prefix name of `l > 8` bytes is at level `k = (l - 1) / 8`; its key is
//!   `Keys::level(name, k)`, a seeded hash of its first `8k` bytes. `groups` maps each key to the
//!   range of `long_entries` holding every long prefix name with that key, longest first (keys
//!   that collide share a group; every entry is checked against the model in full, so a
//!   collision costs time, never a wrong answer). `levels` has bit `k` set when some group is
//!   at level `k` (bit 63 standing for all levels past 62).
//! - `short` holds the prefix names of at most 8 bytes.
//! - A name's level keys at build and a model's at lookup come from one function,
//!   [`Keys::leading`], so they agree; it yields every level's key in one pass, inline.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use super::Index;
use super::words::{Buckets, ByteSet, Packed, head_word};
use crate::{Alias, MatchKind};

type RandomState = foldhash::fast::RandomState;

/// Hash lookups, for large sets: the exact question in one probe, the prefix question in one
/// probe per 8 bytes of the model (at most) and a short scan.
///
/// Lookup ends at once when no name starts with the model's first byte (most foreign ids).
/// Otherwise it probes the table with the whole model, unless no name has the model's length:
/// a name equal to the model wins, whatever its kind. Then it hashes the model's leading 8-byte
/// words in one pass and looks for the longest prefix alias level by level, deepest first: a
/// prefix name of 9 to 16 bytes is in the group of names sharing the model's first 8 bytes, one
/// of 17 to 24 bytes in the group sharing its first 16, and so on; a group holds only names that
/// end within the same 8 bytes, so it is short, and the first match found is the longest.
/// Names of at most 8 bytes sit in the small bucket of the model's first byte.
///
/// The exact table hashes with `foldhash`'s fast hasher and the levels with [`Keys`], both
/// seeded per process, so clients cannot aim inputs at collisions.
///
/// - Lookup: one probe for the exact question, then at most `L / 8` probes (L being the
///   longest name, and only at levels that hold prefix names), hashing at most 2L bytes in
///   all, plus a scan of the group found at each level probed. A group holds the prefix names
///   that agree on all but their last 1 to 8 bytes, so it is short in any realistic set (a
///   set built to defeat this, with thousands of such names, makes the scan O(g) for a group
///   of g). No allocation.
/// - Build: O(n log n): an insert per name and a sort of the prefix names.
/// - Memory: the exact table (a boxed copy of each name, a 24-byte entry and a control byte
///   each, at a load factor of at most 7/8), 48 bytes per prefix alias and a 24-byte entry per
///   group (BENCHMARKS.md has the measured bytes an alias).
///
#[derive(Debug, Clone)]
pub(crate) struct Hashed {
    table: HashMap<Box<[u8]>, usize, RandomState>,
    lens: u64,
    longest: usize,
    firsts: ByteSet,
    keys: Keys,
    groups: HashMap<u64, Range, BuildHasherDefault<KeyHasher>>,
    levels: u64,
    long_entries: Box<[Packed]>,
    short: Buckets,
}

/// A range of `long_entries`.
type Range = (usize, usize);

impl Index for Hashed {
    fn build(aliases: &[Alias]) -> Hashed {
        let (mut lens, mut longest, mut firsts) = (0u64, 0, ByteSet::default());
        let keys = Keys::new();
        let mut table = HashMap::with_capacity_and_hasher(aliases.len(), RandomState::default());
        // Long prefix names with their group key, hashed once here rather than per comparison.
        let (mut long_entries, mut short) = (Vec::new(), Vec::new());
        for (index, alias) in aliases.iter().enumerate() {
            let name = alias.name().as_str().as_bytes();
            table.insert(Box::from(name), index);
            if let Some(bit) = name.len().checked_sub(1).filter(|b| *b < 64) {
                lens |= 1 << bit;
            }
            longest = longest.max(name.len());
            if let Some(&b) = name.first() {
                firsts.insert(b);
            }
            if alias.kind() == MatchKind::Prefix {
                let packed = Packed::new(index, alias);
                if name.len() > 8 {
                    let level = (name.len() - 1) / 8;
                    long_entries.push((keys.level(name, level), level, packed));
                } else {
                    short.push(packed);
                }
            }
        }
        long_entries.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.len.cmp(&a.2.len)));
        let groups = ranges(long_entries.iter().map(|e| e.0));
        let levels = long_entries
            .iter()
            .fold(0, |levels, e| levels | level_bit(e.1));
        Hashed {
            table,
            lens,
            longest,
            firsts,
            keys,
            groups,
            levels,
            long_entries: long_entries.into_iter().map(|(_, _, e)| e).collect(),
            short: Buckets::new(short),
        }
    }

    #[inline]
    fn find(&self, aliases: &[Alias], model: &[u8]) -> Option<usize> {
        // A model whose first byte starts no name matches nothing: most foreign ids end here.
        if !self.firsts.contains(*model.first()?) {
            return None;
        }
        // The deepest level that can hold a prefix of the model; deeper names win, so search
        // from there up and stop at the first match.
        let top = model.len().min(self.longest).saturating_sub(1) / 8;
        if self.may_have_len(model.len()) {
            if let Some(&index) = self.table.get(model) {
                return Some(index);
            }
        }
        // The keys of the first levels, from one pass over the model.
        let mut near = [0u64; 8];
        self.keys.leading(model, top, &mut near);
        let head = head_word(model);
        for level in (1..=top).rev() {
            if self.levels & level_bit(level) == 0 {
                continue;
            }
            let key = match near.get(level - 1) {
                Some(&key) => key,
                None => self.keys.level(model, level),
            };
            let Some(&(from, to)) = self.groups.get(&key) else {
                continue;
            };
            let group = self.long_entries.get(from..to).unwrap_or_default();
            if let Some(e) = group.iter().find(|e| e.wins::<false>(model, head, aliases)) {
                return Some(e.index);
            }
        }
        self.short.find::<false>(model, head, aliases)
    }
}

/// The seeded hash of the prefix levels: a chain of folded multiplies over 8-byte words, so
/// that a model's keys for every level come from one pass of a few instructions a word,
/// inline. (foldhash's `Hasher` buffers each `write_u64` and folds it in `finish`, which is
/// what the levels need after every word: about 25% more instructions on prefix queries, by
/// callgrind, 464 against 373 a query at 1,000 aliases.) Seeded per set from foldhash's per-process random state, so clients cannot aim
/// models at one group.
#[derive(Debug, Clone, Copy)]
struct Keys {
    start: u64,
    mix: u64,
}

impl Keys {
    fn new() -> Keys {
        let state = RandomState::default();
        Keys {
            start: state.hash_one(0x6b65_7973_u64),
            // Odd, so that multiplying by it loses nothing.
            mix: state.hash_one(0x006d_6978_u64) | 1,
        }
    }

    /// Puts the keys of `bytes`' first `words` whole 8-byte words (all of them, at most) in
    /// `near`, as far as it goes: the `k`-th key stands for the first `8k` bytes. Returns the
    /// last key (the seed when there is no word), for [`Keys::level`].
    #[inline]
    fn leading(self, bytes: &[u8], words: usize, near: &mut [u64; 8]) -> u64 {
        let mut key = self.start;
        for (level, word) in bytes.chunks_exact(8).take(words).enumerate() {
            key = fold(key ^ head_word(word), self.mix);
            if let Some(slot) = near.get_mut(level) {
                *slot = key;
            }
        }
        key
    }

    /// The key of level `level >= 1` for `bytes` (see [`Keys::leading`]).
    fn level(self, bytes: &[u8], level: usize) -> u64 {
        self.leading(bytes, level, &mut [0; 8])
    }
}

/// `a * b` as 128 bits, its halves XORed: the mixing step of foldhash and wyhash.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product >> 64) as u64 ^ product as u64
}

/// The range of each run of equal keys in `keys` (sorted), by key.
fn ranges(keys: impl Iterator<Item = u64>) -> HashMap<u64, Range, BuildHasherDefault<KeyHasher>> {
    let mut ranges: HashMap<u64, Range, _> = HashMap::default();
    for (at, key) in keys.enumerate() {
        ranges.entry(key).or_insert((at, at)).1 = at + 1;
    }
    ranges
}

/// The bit of `levels` that stands for `level`.
#[inline(always)]
fn level_bit(level: usize) -> u64 {
    1 << level.min(63)
}

/// Passes a `u64` key through: `groups`' keys are already seeded hashes.
#[derive(Debug, Clone, Copy, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for `u64` keys; this keeps any other use well-defined.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Hashed {
    /// Whether some name is `len` bytes long (conservatively true past 64 bytes).
    #[inline]
    fn may_have_len(&self, len: usize) -> bool {
        match len {
            0 => false,
            1..=64 => self.lens >> (len - 1) & 1 == 1,
            _ => len <= self.longest,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)] // Tests fail by panicking.
mod tests {
    use super::*;
    use crate::{AliasName, ModelId};

    /// Groups stay as small as the module docs promise: names that differ before their last
    /// 8-byte word never share a group. Answers do not depend on it (every entry is compared in
    /// full), so this is the only test that notices a hash that collides everything (a
    /// `fold` or `Keys::leading` that only made lookups slower).
    #[test]
    fn prefix_names_that_differ_early_get_groups_of_their_own() {
        let aliases: Vec<Alias> = (0..300)
            .map(|i| {
                // 9 to 40 bytes, each name's first 8 bytes its own.
                let name = format!("{i:08}{}", "-tail".repeat(1 + i % 6));
                Alias::prefix(
                    AliasName::new(&name).unwrap(),
                    ModelId::new("real/model").unwrap(),
                )
            })
            .collect();
        let index = Hashed::build(&aliases);
        assert_eq!(index.groups.len(), aliases.len(), "one group per name");
        let keys = Keys::new();
        let leading: Vec<u64> = (0..4)
            .map(|words| keys.leading(b"0123456789abcdef01234567", words, &mut [0; 8]))
            .collect();
        for (i, a) in leading.iter().enumerate() {
            for b in &leading[i + 1..] {
                assert_ne!(a, b, "each word changes the key");
            }
        }
    }

    /// The group map's hasher passes a key through as its hash, and each level has a bit of
    /// its own in `levels`: were either to collapse, lookups would still answer right, only
    /// slower (mutants of `KeyHasher` and `level_bit`), so only this notices.
    #[test]
    fn keys_pass_through_and_levels_have_bits_of_their_own() {
        let hash = |key: u64| {
            let mut hasher = KeyHasher::default();
            hasher.write_u64(key);
            hasher.finish()
        };
        assert_eq!((hash(7), hash(u64::MAX)), (7, u64::MAX));
        let bytes = |b: &[u8]| {
            let mut hasher = KeyHasher::default();
            hasher.write(b);
            hasher.finish()
        };
        assert_eq!(bytes(&[1, 2]), 0x0102);
        // The ninth byte lands on the first, rotated all the way round: they cancel.
        assert_eq!(bytes(&[1, 0, 0, 0, 0, 0, 0, 0, 1]), 0);
        let bits: Vec<u64> = (1..=8).map(level_bit).collect();
        assert_eq!(bits.iter().fold(0, |all, bit| all | bit).count_ones(), 8);
    }

    /// The exact-match table is looked in only for a model as long as some name (up to 64
    /// bytes, exactly; past that, up to the longest name): another speed-only rule.
    #[test]
    fn the_exact_table_is_skipped_for_lengths_no_name_has() {
        let aliases: Vec<Alias> = ["abc", "abcdefghij"]
            .iter()
            .map(|name| Alias::exact(AliasName::new(name).unwrap(), ModelId::new("m").unwrap()))
            .collect();
        let index = Hashed::build(&aliases);
        let lens: Vec<usize> = (0..=70).filter(|&len| index.may_have_len(len)).collect();
        assert_eq!(lens, [3, 10]);
    }
}
