//! The entry byte that starts every entry of a block.

use super::ints::le;

/// The byte that starts every entry: `min(name length, 63) << 2 | inline << 1 | prefix`.
/// It lets a lookup skip an entry without reading its name: an exact name must be as long as
/// the model, a prefix name no longer. 63 means "63 or more"; such names are never inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryByte {
    /// The name's length, or [`LONG_NAME`] for any longer.
    pub(crate) len: usize,
    pub(crate) prefix: bool,
    /// The name is in the block's tail, not in the dictionary.
    pub(crate) inline: bool,
}

/// The length an entry byte records for names of this length and longer.
pub(crate) const LONG_NAME: usize = 63;
/// The entry byte's bit for a prefix alias.
pub(super) const PREFIX_BIT: u8 = 0b01;
/// The entry byte's bit for a name stored in the block's tail.
pub(super) const INLINE_BIT: u8 = 0b10;
/// Where the length starts in the entry byte.
pub(super) const LEN_SHIFT: u32 = 2;

impl EntryByte {
    /// The byte for a name of `name_len` bytes.
    pub(crate) fn encode(name_len: usize, prefix: bool, inline: bool) -> u8 {
        (name_len.min(LONG_NAME) as u8) << LEN_SHIFT
            | if prefix { PREFIX_BIT } else { 0 }
            | if inline { INLINE_BIT } else { 0 }
    }

    #[inline(always)]
    pub(crate) fn decode(byte: u8) -> EntryByte {
        EntryByte {
            len: usize::from(byte >> LEN_SHIFT),
            prefix: byte & PREFIX_BIT != 0,
            inline: byte & INLINE_BIT != 0,
        }
    }

    /// Whether an entry with this byte can match a model of `model_len` bytes: an exact name
    /// must be as long as the model, a prefix name no longer. The definition that
    /// [`candidates`](EntryByte::candidates) computes eight entries at a time.
    #[cfg(test)]
    pub(crate) fn may_match(byte: u8, model_len: usize) -> bool {
        let len = usize::from(byte >> LEN_SHIFT);
        let prefix = byte & PREFIX_BIT != 0;
        (len <= model_len) & (prefix | (len == model_len) | (len >= LONG_NAME))
    }

    /// Which of up to 64 entry bytes `may_match` (the tests' definition) a model of
    /// `model_len` bytes, as a bit mask (bit `i` for `bytes[i]`): eight bytes at a time in a
    /// word, without a branch per entry, which would mispredict on every other one. With the
    /// length clamped to 63 like the entry byte's, the test is `len <= m` and either a prefix
    /// or `len == m`; each byte's length is under 64, so per-byte subtraction never borrows
    /// from its neighbour.
    #[inline(always)]
    pub(crate) fn candidates(bytes: &[u8], model_len: usize) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = ONES << 7;
        let m = ONES * model_len.min(LONG_NAME) as u64;
        let mut mask = 0u64;
        for (k, group) in bytes.chunks(8).take(8).enumerate() {
            let word = le(group);
            let lens = (word >> LEN_SHIFT) & (ONES * 0x3f);
            // Bit 7 of a byte: m >= len; then len == m (the xor is zero), or a prefix alias.
            let fits = ((m | HIGH) - lens) & HIGH;
            let differs = ((m ^ lens) | HIGH).wrapping_sub(ONES) & HIGH;
            let prefix = (word & (ONES * u64::from(PREFIX_BIT))) << 7;
            let hits = fits & (prefix | (differs ^ HIGH));
            // Bit 7 of byte i to bit i (each product term lands on its own bit: no carries).
            let packed = hits.wrapping_mul(0x0002_0408_1020_4081) >> 56;
            // Past a short last group, the zero padding would read as an empty exact name.
            let present = (1u64 << group.len()) - 1;
            mask |= (packed & present) << (8 * k);
        }
        mask
    }
}
