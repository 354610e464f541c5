//! Dictionaries: the names and targets that more than one key uses, each stored once.

use super::Section;
use super::header::malformed;
use super::ints::{le, push_uint};
use crate::error::TableError;

/// Strings laid end to end, as a dictionary is written; the `i`th ends at `ends[i]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct DictWriter {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// The largest offset or id a 4-byte field holds.
pub(super) const MAX_FIELD: u64 = u32::MAX as u64;

/// Whether `value` fits a 4-byte field: the limit on a dictionary's ids and bytes (2^32 names,
/// 4 GiB of text).
pub(crate) fn fits_field(value: u64) -> bool {
    value <= MAX_FIELD
}

/// Whether `count` distinct targets can be written: a target field holds an id and the hidden
/// bit, so one bit fewer is left for ids (2^31 targets).
pub(crate) fn fits_targets(count: u64) -> bool {
    fits_field(count.saturating_mul(2))
}

impl DictWriter {
    /// Appends `s`; returns its id.
    pub(crate) fn push(&mut self, s: &[u8]) -> u64 {
        self.bytes.extend_from_slice(s);
        self.ends.push(self.bytes.len());
        self.ends.len() as u64 - 1
    }

    /// The `id`th string.
    pub(crate) fn get(&self, id: u64) -> &[u8] {
        let id = usize::try_from(id).unwrap_or(usize::MAX);
        let start = id.checked_sub(1).and_then(|p| self.ends.get(p)).copied();
        let end = self.ends.get(id).copied().unwrap_or_default();
        self.bytes.get(start.unwrap_or(0)..end).unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The two sections [`Dict`] reads: `count + 1` u32 offsets, then the bytes.
    pub(crate) fn sections(&self, what: &'static str) -> Result<(Vec<u8>, &[u8]), TableError> {
        if !fits_field(self.bytes.len() as u64) {
            return Err(TableError::TooLarge {
                what,
                max: "4 GiB of distinct strings",
            });
        }
        let mut offsets = Vec::with_capacity(4 * (self.ends.len() + 1));
        for end in std::iter::once(0).chain(self.ends.iter().copied()) {
            push_uint(&mut offsets, end as u64, 4);
        }
        Ok((offsets, &self.bytes))
    }
}

/// One dictionary (names or targets) as [`DictWriter::sections`] wrote it: `count + 1`
/// little-endian `u32` offsets into the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dict {
    offsets: usize,
    bytes: usize,
    bytes_len: usize,
    pub(crate) count: usize,
}

impl Dict {
    /// The dictionary in the sections at `offsets` and `bytes`.
    pub(super) fn new(offsets: Section, bytes: Section) -> Result<Dict, TableError> {
        if offsets.len % 4 != 0 || offsets.len < 4 {
            return Err(malformed("a dictionary's offsets are not whole u32s"));
        }
        Ok(Dict {
            offsets: offsets.start,
            bytes: bytes.start,
            bytes_len: bytes.len,
            count: offsets.len / 4 - 1,
        })
    }

    /// The offsets and the bytes, as slices of `table` (bounds checked when parsed).
    #[inline]
    pub(crate) fn slices<'a>(&self, table: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        let offsets = table.get(self.offsets..self.offsets + 4 * (self.count + 1))?;
        let bytes = table.get(self.bytes..self.bytes + self.bytes_len)?;
        Some((offsets, bytes))
    }

    /// The `id`th string's bytes, given [`slices`](Dict::slices). `None` for an id out of
    /// range or offsets that do not rise: only a forged table has either.
    #[inline]
    pub(crate) fn get<'a>(offsets: &[u8], bytes: &'a [u8], id: u64) -> Option<&'a [u8]> {
        let at = usize::try_from(id).ok()?.checked_mul(4)?;
        let pair = offsets.get(at..at.checked_add(8)?)?;
        let (start, end) = pair.split_at(4);
        let (start, end) = (le(start) as usize, le(end) as usize);
        bytes.get(start..end).filter(|s| !s.is_empty())
    }

    /// The `id`th string as text. Its bytes were checked when the table was loaded.
    #[inline]
    pub(crate) fn text<'a>(&self, table: &'a [u8], id: u64) -> Option<&'a str> {
        let (offsets, bytes) = self.slices(table)?;
        std::str::from_utf8(Dict::get(offsets, bytes, id)?).ok()
    }

    /// Checks that the offsets rise strictly from 0 to the end of the bytes and that every
    /// string is made of `allowed` bytes. O(bytes + count).
    pub(crate) fn verify(
        &self,
        table: &[u8],
        allowed: fn(u8) -> bool,
        what: &'static str,
    ) -> Result<(), TableError> {
        let bad = |why: &'static str| TableError::Malformed { section: what, why };
        let (offsets, bytes) = self.slices(table).ok_or(bad("past the end"))?;
        let mut last = None;
        for offset in offsets.chunks_exact(4).map(le) {
            match last {
                None if offset != 0 => return Err(bad("the first offset is not 0")),
                Some(last) if offset <= last => {
                    return Err(bad("offsets do not rise (an empty or overlapping string)"));
                }
                _ => last = Some(offset),
            }
        }
        if last != Some(bytes.len() as u64) {
            return Err(bad("the last offset is not the end of the strings"));
        }
        if !bytes.iter().all(|&b| allowed(b)) {
            return Err(bad("a string has a byte that is not allowed"));
        }
        Ok(())
    }
}

/// `bytes` as text, if every byte is `allowed` (all allowed bytes are ASCII).
#[inline]
pub(crate) fn valid_text(bytes: &[u8], allowed: fn(u8) -> bool) -> Option<&str> {
    if bytes.iter().all(|&b| allowed(b)) {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// Whether dictionaries of `[names, targets, presets]` distinct strings can be written: each
/// id fits its field (a presets field holds the id plus one).
pub(crate) fn fits_dictionaries([names, targets, presets]: [u64; 3]) -> bool {
    fits_field(names) && fits_targets(targets) && fits_field(presets.saturating_add(1))
}
