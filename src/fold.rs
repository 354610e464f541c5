//! ASCII case folding, the opt-in way to match a model sent as `GPT-4` against the alias
//! `gpt-4`: the model's `A-Z` compare as `a-z`; every other byte, non-ASCII included, compares
//! as it is. Names are lowercase by rule, so folding the model alone is enough.
//!
//! Invariants:
//! 1. the folded model is only ever compared, never handed out: a resolution keeps the
//!    client's original string (for passthrough and for a carried rest);
//! 2. folding allocates nothing, and only a model that may hold an uppercase letter where
//!    matching reads is folded at all ([`may_matter`]; any other resolves folded as
//!    it is). A small set (`Scan`) and a table fold the words they compare ([`fold_word`],
//!    [`starts_with`]); the other engines take the few bytes matching can read ([`part`])
//!    folded into a [`WINDOW`]-byte buffer on the stack ([`fold_into`]);
//! 3. folding maps ASCII to ASCII and leaves every other byte alone, so a byte offset in the
//!    folded model is one in the original, and a char boundary there is one here.

/// The bytes of the model a set folds on the stack. A set whose longest name is shorter
/// resolves folded through its own engine; one with a longer name (possible only with raised
/// limits) falls back to comparing folded bytes alias by alias.
pub(crate) const WINDOW: usize = 128;

/// The part of `model` resolution reads when the longest name is `longest` bytes: at most
/// `longest + 1` bytes. `None` when that may not fit in [`WINDOW`] bytes.
///
/// The cut does not change any answer: a model longer than the part is longer than every
/// name, so no name equals it or the part, and a name that starts it lies within the part.
#[inline]
pub(crate) fn part(model: &[u8], longest: usize) -> Option<&[u8]> {
    if longest >= WINDOW {
        return None;
    }
    model.get(..model.len().min(longest + 1))
}

/// Whether resolving `model` folded can differ from resolving it as it is, the longest name
/// being `longest` bytes: whether the bytes matching reads beyond the length check (the first
/// `longest`; a longer model can only match a prefix alias, whose name is within them) may
/// hold an uppercase letter. Names are lowercase, so folding a model without one changes
/// nothing it is compared with.
#[inline(always)]
pub(crate) fn may_matter(model: &[u8], longest: usize) -> bool {
    may_have_uppercase(model.get(..longest).unwrap_or(model))
}

/// `word` with its ASCII `A-Z` bytes made `a-z`, every other byte kept: the one fold that
/// the stack copy, `Scan`'s compares and the table's compares all use.
#[inline]
pub(crate) fn fold_word(word: u64) -> u64 {
    // `0x80 >> 2` is `0x20`, the bit that makes `A-Z` into `a-z`.
    word | uppercase_bits(word) >> 2
}

/// Each byte of `word` that is ASCII `A-Z` as `0x80`, every other byte as 0: eight bytes
/// tested at once, without a branch.
#[inline]
fn uppercase_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const FROM_A: u64 = 0x3f3f_3f3f_3f3f_3f3f; // 0x80 - b'A': the high bit set from `A` up
    const PAST_Z: u64 = 0x2525_2525_2525_2525; // 0x80 - (b'Z' + 1): the high bit set past `Z`
    let low = word & LOW7;
    (low + FROM_A) & !(low + PAST_Z) & !word & HIGH
}

/// Whether `bytes` may have an ASCII uppercase letter: never `false` when it has one. `true`
/// exactly when some byte lacks bit `0x20`, which every `A-Z` lacks and which lowercase
/// letters, digits and `-./:` have: model names rarely hold the other such bytes (`@[\]^_`,
/// control bytes, `0x80-0x9F` and `0xC0-0xDF`), and a `true` only costs a fold that changes
/// nothing. One AND a word, the last word read where it ends, overlapping the one before it:
/// about a third of the instructions of an exact `A-Z` test, on the path every lowercase
/// model of a folding set takes.
#[inline(always)]
pub(crate) fn may_have_uppercase(bytes: &[u8]) -> bool {
    const BIT5: u64 = 0x2020_2020_2020_2020;
    let Some(last) = bytes.last_chunk::<8>() else {
        return bytes.iter().any(|b| b & 0x20 == 0);
    };
    let mut all = u64::from_le_bytes(*last);
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        all &= u64::from_le_bytes(*word);
        rest = tail;
    }
    all & BIT5 != BIT5
}

/// `bytes` (at most [`WINDOW`] of them) ASCII-folded into `buf`, a word at a time; the last
/// word is folded where it ends, overlapping bytes already folded (folding twice changes
/// nothing).
#[inline]
pub(crate) fn fold_into<'b>(bytes: &[u8], buf: &'b mut [u8; WINDOW]) -> &'b [u8] {
    let bytes = bytes.get(..WINDOW).unwrap_or(bytes);
    let len = bytes.len();
    let Some(last) = len.checked_sub(8) else {
        for (slot, b) in buf.iter_mut().zip(bytes) {
            *slot = b.to_ascii_lowercase();
        }
        return buf.get(..len).unwrap_or_default();
    };
    let mut at = 0;
    loop {
        let from = at.min(last);
        if let Some(slot) = buf.get_mut(from..from + 8) {
            slot.copy_from_slice(&fold_word(word_at(bytes, from)).to_le_bytes());
        }
        if from == last {
            break;
        }
        at += 8;
    }
    buf.get(..len).unwrap_or_default()
}

/// The eight bytes of `bytes` at `at` as a little-endian word (0 past the end, which the
/// callers never reach).
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..)
        .and_then(<[u8]>::first_chunk::<8>)
        .map_or(0, |w| u64::from_le_bytes(*w))
}

/// Whether `model` starts with `name` once its ASCII is folded (`name` being lowercase),
/// compared a word at a time.
#[inline]
pub(crate) fn starts_with(model: &[u8], name: &[u8]) -> bool {
    let Some(head) = model.get(..name.len()) else {
        return false;
    };
    let (mut head_words, mut name_words) = (head.chunks_exact(8), name.chunks_exact(8));
    for (h, n) in head_words.by_ref().zip(name_words.by_ref()) {
        if fold_word(word_at(h, 0)) != word_at(n, 0) {
            return false;
        }
    }
    let rest = head_words.remainder().iter().zip(name_words.remainder());
    rest.into_iter().all(|(h, n)| h.to_ascii_lowercase() == *n)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // Tests fail by panicking.
mod tests {
    use super::*;

    #[test]
    fn the_part_stops_past_the_longest_name() {
        let model = "GPT-4O-Ünïcode".as_bytes();
        assert_eq!(part(model, 64), Some(model));
        assert_eq!(part(model, 3), Some(&b"GPT-"[..]));
        assert_eq!(part(b"", 3), Some(&b""[..]));
        assert_eq!(part(model, WINDOW - 1), Some(model));
        assert_eq!(part(model, WINDOW), None);
    }

    #[test]
    fn folding_matches_the_bytewise_rule_for_every_byte() {
        // Every byte value at every position of a word, beside every other: the word-at-a-time
        // code must agree with `u8::to_ascii_lowercase` byte for byte.
        let mut buf = [0u8; WINDOW];
        for b in 0..=255u8 {
            for at in 0..20 {
                let mut bytes: Vec<u8> = (0..20).map(|i| b"aZ@[`{\x80\xff"[i % 8]).collect();
                bytes[at] = b;
                let want: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
                assert_eq!(
                    fold_into(&bytes, &mut buf),
                    &want[..],
                    "byte {b:#x} at {at}"
                );
                // The uppercase test, over bytes that all pass it but this one.
                let mut bytes: Vec<u8> = (0..20).map(|i| b"az-.`{\xa0\xff"[i % 8]).collect();
                bytes[at] = b;
                let lacks_bit5 = |bytes: &[u8]| bytes.iter().any(|b| b & 0x20 == 0);
                assert_eq!(
                    may_have_uppercase(&bytes),
                    lacks_bit5(&bytes),
                    "byte {b:#x} at {at}"
                );
                let head = &bytes[..at + 1];
                assert_eq!(may_have_uppercase(head), lacks_bit5(head), "{b:#x} at {at}");
                assert_eq!(may_have_uppercase(&[b]), b & 0x20 == 0);
                if b.is_ascii_uppercase() {
                    assert!(may_have_uppercase(&bytes));
                }
            }
        }
        let long = [b'Q'; WINDOW + 10];
        assert_eq!(fold_into(&long, &mut buf), &[b'q'; WINDOW][..]);
    }

    #[test]
    fn starts_with_folds_the_model_not_the_name() {
        assert!(starts_with(b"Claude-Opus-4", b"claude-opus"));
        assert!(starts_with(b"CLAUDE", b"claude"));
        assert!(starts_with(b"anything", b""));
        assert!(!starts_with(b"Claude", b"claude-opus"));
        assert!(!starts_with(b"Blaude-opus", b"claude"));
        assert!(!starts_with(b"claudE", b"claudf"));
        assert!(starts_with(
            b"TEAM-7/ANTHROPIC/CLAUDE-x",
            b"team-7/anthropic/claude-"
        ));
        assert!(!starts_with(
            b"TEAM-7/ANTHROPIC/CLAUDE-x",
            b"team-7/anthropic/claudf-"
        ));
        assert!(!starts_with(
            b"TEAM-7/ANTHROPIC/CLAUDE",
            b"team-7/anthropic/claude-"
        ));
        // Only ASCII folds: the Kelvin sign and a fullwidth C are not `k` and `c`.
        assert!(!starts_with("\u{212A}imi".as_bytes(), b"kimi"));
        assert!(!starts_with("\u{FF23}laude".as_bytes(), b"claude"));
    }
}
