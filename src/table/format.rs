//! The codec of an [`AliasTable`](super::AliasTable)'s bytes: every field is written and read by
//! a matched pair in this file, and the builder and the lookups call only these.
//!
//! | part | written by | read by |
//! |---|---|---|
//! | header | [`Header::write`], [`seal`] | [`Header::read`], [`Layout::parse`] |
//! | directory | [`push_uint`] of each bucket's start | [`Layout::bucket`] |
//! | bucket | [`push_bucket`] | [`Layout::bucket`], [`Bucket::spans`] |
//! | block | [`push_block`] | [`Layout::block_at`] |
//! | entry byte | [`EntryByte::encode`] | [`EntryByte::decode`] |
//! | dictionary | [`DictWriter::sections`] | [`Dict`] |
//! | integers | [`push_uint`], [`push_varint`] | [`uint`], [`le`], [`varint`] |
//!
//! Invariants:
//! 1. every read is bounds-checked and returns `None` past the end of its section, so no byte
//!    string can make a lookup panic;
//! 2. every loop is bounded by a count read from the header or by the input's length, so none
//!    can make it hang;
//! 3. [`key_hash`], [`place`] and every layout rule here are the format: the committed
//!    fixtures in `tests/fixtures/` fail if any changes, and a change bumps [`VERSION`];
//! 4. a lookup reads one bucket's header and then only the block whose fingerprint matches:
//!    the blocks before it are skipped by their lengths, never read.

use crate::MatchKind;
use crate::alias::carries_on_exact;
use crate::error::TableError;
use crate::name::is_name_byte;
use crate::target::{is_target_byte, misplaced_star};

/// The first 8 bytes of every table. The `\r\n` catches a file mangled by text-mode transfer.
pub(crate) const MAGIC: [u8; 8] = *b"MALIAS\r\n";
/// The format version this crate writes and reads.
pub(crate) const VERSION: u32 = 3;
/// The header flag for a table that matches models with ASCII case folded.
const FLAG_IGNORE_CASE: u32 = 1;
/// The header's length in bytes.
pub(crate) const HEADER_LEN: usize = 96;
/// Where the checksummed bytes start: everything after the checksum field.
const CHECKSUM_FROM: usize = 24;
/// The most buckets: 2^40. Keeps `1 << bucket_bits` far from overflow, and the bucket's bits
/// clear of the fingerprint's (the hash's top byte).
const MAX_BUCKET_BITS: u8 = 40;
/// Sections, in the order they follow the header: the bucket directory, blocks, name offsets,
/// names, target offsets, targets.
pub(crate) const SECTIONS: usize = 6;

/// Header fields, by offset.
mod at {
    pub(super) const VERSION: usize = 8;
    pub(super) const FLAGS: usize = 12;
    pub(super) const CHECKSUM: usize = 16;
    pub(super) const TOTAL_LEN: usize = 24;
    pub(super) const KEYS: usize = 32;
    pub(super) const BUCKET_BITS: usize = 40;
    pub(super) const OFFSET_WIDTH: usize = 41;
    pub(super) const NAME_WIDTH: usize = 42;
    pub(super) const TARGET_WIDTH: usize = 43;
    pub(super) const LENGTH_WIDTH: usize = 44;
    /// Three bytes that must be zero.
    pub(super) const RESERVED: usize = 45;
    pub(super) const SECTION_LENS: usize = 48;
}

/// The checksum of a table: XXH3-64 of every byte after the checksum field, seeded with the
/// version and flags (bytes 8 to 16, a little-endian `u64`), so that no header byte that
/// changes a table's meaning escapes it.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let seed = uint(bytes, at::VERSION, 8).unwrap_or(0);
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes.get(CHECKSUM_FROM..).unwrap_or_default(), seed)
}

/// Writes the checksum of a whole table into its header: the last step of writing one.
pub(crate) fn seal(table: &mut [u8]) {
    let sum = checksum(table).to_le_bytes();
    if let Some(field) = table.get_mut(at::CHECKSUM..at::CHECKSUM + 8) {
        field.copy_from_slice(&sum);
    }
}

/// The hash that places a key id in its bucket (see [`place`]). Part of the format: it must
/// give the same value on every machine and in every version that reads this format, so it is
/// defined here rather than borrowed from a hasher whose output may change (the `key_hash`
/// fixture holds it).
pub(crate) fn key_hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (key.len() as u64).wrapping_mul(K);
    let mix = |h: u64, word: u64| {
        let h = (h ^ word).wrapping_mul(K);
        h ^ h >> 29
    };
    // Whole words as one load each; the last partial word zero-padded.
    let mut words = key.chunks_exact(8);
    for word in &mut words {
        h = mix(h, le(word));
    }
    if !words.remainder().is_empty() {
        h = mix(h, le(words.remainder()));
    }
    // The SplitMix64 finaliser: the low bits (the bucket) and the top byte
    // (the fingerprint) depend on every input bit.
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Where a key with this [`key_hash`] goes, in a table of `bucket_mask + 1` buckets: its
/// bucket (the hash's low bits) and its fingerprint (the hash's top byte, which no bucket
/// index reaches, so that keys sharing a bucket still differ in it 255 times in 256).
#[inline]
pub(crate) fn place(hash: u64, bucket_mask: u64) -> (u64, u8) {
    (hash & bucket_mask, (hash >> 56) as u8)
}

/// Reads a little-endian unsigned integer of `width` (1 to 8) bytes at `at`.
#[inline]
pub(crate) fn uint(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    Some(le(bytes.get(at..at.checked_add(width)?)?))
}

/// Reads a whole little-endian field of 1 to 8 bytes: the lookup loop's read, specialised
/// for the widths the format uses so that each compiles to a load or two, never a call.
#[inline(always)]
pub(crate) fn le(field: &[u8]) -> u64 {
    match *field {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        [a, b, c] => u64::from(u16::from_le_bytes([a, b])) | u64::from(c) << 16,
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => {
            let mut word = [0u8; 8];
            for (dst, src) in word.iter_mut().zip(field) {
                *dst = *src;
            }
            u64::from_le_bytes(word)
        }
    }
}

/// Appends `value` as a little-endian integer of `width` bytes (the builder checked it fits).
pub(crate) fn push_uint(out: &mut Vec<u8>, value: u64, width: usize) {
    out.extend(value.to_le_bytes().iter().take(width));
}

/// Reads an unsigned LEB128 varint at `*at`, advancing `*at`. At most 10 bytes.
#[inline]
pub(crate) fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Appends `value` as an unsigned LEB128 varint.
pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The smallest number of bytes (at least 1) that holds `value`.
pub(crate) fn width_for(value: u64) -> usize {
    (8 - value.leading_zeros() as usize / 8).max(1)
}

/// The header's fields past the magic, version, flags and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// Models are matched with ASCII case folded (flag bit 0).
    pub(crate) ignore_case: bool,
    pub(crate) keys: u64,
    /// There are `2^bucket_bits` buckets.
    pub(crate) bucket_bits: u8,
    /// The directory's offsets: 4 or 8 bytes.
    pub(crate) offset_width: usize,
    /// 1 to 4.
    pub(crate) name_width: usize,
    /// 1 to 4.
    pub(crate) target_width: usize,
    /// A bucket's block lengths: 1 to 4 bytes.
    pub(crate) length_width: usize,
    /// Each section's length, in order.
    pub(crate) sections: [usize; SECTIONS],
}

impl Header {
    /// The table's total length: the header and every section.
    pub(crate) fn total_len(&self) -> usize {
        HEADER_LEN + self.sections.iter().sum::<usize>()
    }

    /// Appends the header, with a zero checksum for [`seal`] to fill in.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        push_uint(out, u64::from(VERSION), 4);
        let flags = if self.ignore_case {
            FLAG_IGNORE_CASE
        } else {
            0
        };
        push_uint(out, u64::from(flags), 4);
        push_uint(out, 0, 8); // checksum
        push_uint(out, self.total_len() as u64, 8);
        push_uint(out, self.keys, 8);
        out.push(self.bucket_bits);
        push_uint(out, self.offset_width as u64, 1);
        push_uint(out, self.name_width as u64, 1);
        push_uint(out, self.target_width as u64, 1);
        push_uint(out, self.length_width as u64, 1);
        push_uint(out, 0, 3); // reserved
        for len in self.sections {
            push_uint(out, len as u64, 8);
        }
    }

    /// Reads and checks the header of `table`, whose magic, version, length and checksum
    /// [`Layout::parse`] has checked: flags, widths, bucket count and the sections' lengths.
    fn read(table: &[u8]) -> Result<Header, TableError> {
        let field = |at: usize, width: usize| uint(table, at, width).ok_or(malformed("too short"));
        let flags = field(at::FLAGS, 4)?;
        if flags & !u64::from(FLAG_IGNORE_CASE) != 0 {
            return Err(malformed("unknown flags are set"));
        }
        let width = |at: usize, allowed: &[u64]| -> Result<usize, TableError> {
            let w = field(at, 1)?;
            allowed
                .contains(&w)
                .then_some(w as usize)
                .ok_or(malformed("a field width is out of range"))
        };
        let bucket_bits = field(at::BUCKET_BITS, 1)? as u8;
        if bucket_bits > MAX_BUCKET_BITS {
            return Err(malformed("there are more than 2^40 buckets"));
        }
        if field(at::RESERVED, 3)? != 0 {
            return Err(malformed("a reserved byte is not zero"));
        }
        let mut sections = [0usize; SECTIONS];
        for (i, len) in sections.iter_mut().enumerate() {
            *len = usize::try_from(field(at::SECTION_LENS + 8 * i, 8)?)
                .map_err(|_| malformed("a section is larger than memory"))?;
        }
        Ok(Header {
            ignore_case: flags & u64::from(FLAG_IGNORE_CASE) != 0,
            keys: field(at::KEYS, 8)?,
            bucket_bits,
            offset_width: width(at::OFFSET_WIDTH, &[4, 8])?,
            name_width: width(at::NAME_WIDTH, &[1, 2, 3, 4])?,
            target_width: width(at::TARGET_WIDTH, &[1, 2, 3, 4])?,
            length_width: width(at::LENGTH_WIDTH, &[1, 2, 3, 4])?,
            sections,
        })
    }
}

fn malformed(why: &'static str) -> TableError {
    TableError::Malformed {
        section: "header",
        why,
    }
}

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
const PREFIX_BIT: u8 = 0b01;
/// The entry byte's bit for a name stored in the block's tail.
const INLINE_BIT: u8 = 0b10;
/// Where the length starts in the entry byte.
const LEN_SHIFT: u32 = 2;

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

/// Strings laid end to end, as a dictionary is written; the `i`th ends at `ends[i]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct DictWriter {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// The largest offset or id a 4-byte field holds.
const MAX_FIELD: u64 = u32::MAX as u64;

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
    fn new(offsets: Section, bytes: Section) -> Result<Dict, TableError> {
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

/// Appends one bucket: nothing for an empty one, else the number of its keys (LEB128), each
/// key's fingerprint (one byte), each key's block length (`length_width` bytes), then the
/// blocks, which `blocks` holds back to back. `keys` is `(fingerprint, block length)` for
/// each, in the bucket's order: ascending key ids.
pub(crate) fn push_bucket(
    out: &mut Vec<u8>,
    keys: &[(u8, usize)],
    blocks: &[u8],
    length_width: usize,
) {
    if keys.is_empty() {
        return;
    }
    push_varint(out, keys.len() as u64);
    out.extend(keys.iter().map(|&(fingerprint, _)| fingerprint));
    for &(_, len) in keys {
        push_uint(out, len as u64, length_width);
    }
    out.extend_from_slice(blocks);
}

/// One entry as the builder writes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryOut {
    pub(crate) byte: u8,
    /// The name's id in the dictionary, or its offset in the block's tail.
    pub(crate) name: u64,
    pub(crate) target: u64,
    pub(crate) hidden: bool,
}

/// The target field of an entry: the target's id, shifted left, and the hidden bit.
pub(crate) fn target_field(target: u64, hidden: bool) -> u64 {
    target << 1 | u64::from(hidden)
}

/// Appends one key's block: the key id's length and bytes, the entry count (LEB128 varints),
/// the entries as three arrays (entry bytes, name fields, target fields), then the tail, which
/// runs to the block's end (its length is in the bucket's header).
pub(crate) fn push_block(
    out: &mut Vec<u8>,
    key: &[u8],
    entries: &[EntryOut],
    tail: &[u8],
    (name_width, target_width): (usize, usize),
) {
    push_varint(out, key.len() as u64);
    out.extend_from_slice(key);
    push_varint(out, entries.len() as u64);
    out.extend(entries.iter().map(|e| e.byte));
    for e in entries {
        push_uint(out, e.name, name_width);
    }
    for e in entries {
        push_uint(out, target_field(e.target, e.hidden), target_width);
    }
    out.extend_from_slice(tail);
}

/// A section's place in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Section {
    start: usize,
    len: usize,
}

/// Where everything is in a table's bytes: the header, parsed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) ignore_case: bool,
    pub(crate) keys: u64,
    directory: Section,
    bucket_mask: u64,
    offset_width: usize,
    blocks: Section,
    name_width: usize,
    target_width: usize,
    length_width: usize,
    /// One entry byte, the name field and the target field.
    entry_width: usize,
    pub(crate) names: Dict,
    pub(crate) targets: Dict,
}

impl Layout {
    /// Checks the magic, version, length and checksum of `table`, then its header and the
    /// two dictionaries, and finds its sections. O(len) for the checksum, O(dictionaries) for
    /// the rest; the blocks are checked as lookups read them (or all at once by
    /// [`Layout::verify`]).
    pub(crate) fn parse(table: &[u8]) -> Result<Layout, TableError> {
        check_envelope(table)?;
        let layout = Layout::new(Header::read(table)?, table.len())?;
        // The dictionaries are small (names shared by several keys, and targets), and every
        // lookup hands out their strings: checked once here rather than on every lookup.
        layout.names.verify(table, is_name_byte, "names")?;
        layout.targets.verify(table, is_target_byte, "targets")?;
        Ok(layout)
    }

    /// The sections a checked header describes, for a table of `len` bytes.
    fn new(header: Header, len: usize) -> Result<Layout, TableError> {
        let mut sections = [Section { start: 0, len: 0 }; SECTIONS];
        let mut end = HEADER_LEN;
        for (section, &len) in sections.iter_mut().zip(&header.sections) {
            *section = Section { start: end, len };
            end = end
                .checked_add(len)
                .ok_or(malformed("the sections overflow"))?;
        }
        if end != len {
            return Err(malformed(
                "the sections do not add up to the table's length",
            ));
        }
        let [
            directory,
            blocks,
            name_offsets,
            names,
            target_offsets,
            targets,
        ] = sections;
        let buckets = 1u64 << header.bucket_bits;
        if directory.len as u64 != (buckets + 1) * header.offset_width as u64 {
            return Err(malformed(
                "the directory's length is not 2^bucket_bits + 1 offsets",
            ));
        }
        Ok(Layout {
            ignore_case: header.ignore_case,
            keys: header.keys,
            directory,
            bucket_mask: buckets - 1,
            offset_width: header.offset_width,
            blocks,
            name_width: header.name_width,
            target_width: header.target_width,
            length_width: header.length_width,
            entry_width: 1 + header.name_width + header.target_width,
            names: Dict::new(name_offsets, names)?,
            targets: Dict::new(target_offsets, targets)?,
        })
    }

    /// The number of buckets.
    pub(crate) fn bucket_count(&self) -> u64 {
        self.bucket_mask.saturating_add(1)
    }

    /// The `b`th bucket's header: where its fingerprints, lengths and blocks are. `None` if
    /// its directory offsets or header do not fit the blocks section (only in a forged table).
    #[inline]
    pub(crate) fn bucket(&self, table: &[u8], b: u64) -> Option<Bucket> {
        let (start, end) = self.offsets(table, b)?;
        if start > end || end > self.blocks.len {
            return None;
        }
        let (mut at, end) = (self.blocks.start + start, self.blocks.start + end);
        let count = if at == end {
            0
        } else {
            usize::try_from(varint(table, &mut at)?).ok()?
        };
        let lengths = at.checked_add(count)?;
        let blocks = lengths.checked_add(count.checked_mul(self.length_width)?)?;
        (blocks <= end).then_some(Bucket {
            count,
            fingerprints: at,
            lengths,
            length_width: self.length_width,
            blocks,
            end,
        })
    }

    /// Bucket `b`'s directory offsets: where it starts and where the next one does, as
    /// written (not yet checked against each other or the blocks section).
    #[inline]
    fn offsets(&self, table: &[u8], b: u64) -> Option<(usize, usize)> {
        let w = self.offset_width;
        let at = usize::try_from(b)
            .ok()?
            .checked_mul(w)?
            .checked_add(self.directory.start)?;
        let start = usize::try_from(le(table.get(at..at.checked_add(w)?)?)).ok()?;
        let end = usize::try_from(le(table.get(at + w..at.checked_add(2 * w)?)?)).ok()?;
        Some((start, end))
    }

    /// Every block, bucket by bucket.
    pub(crate) fn all_blocks<'a>(&'a self, table: &'a [u8]) -> impl Iterator<Item = Block> + 'a {
        (0..self.bucket_count()).flat_map(move |b| {
            self.bucket(table, b)
                .into_iter()
                .flat_map(move |bucket| bucket.spans(table))
                .filter_map(move |(_, start, end)| self.block_at(table, start, end))
        })
    }

    /// The block for `key`, if the table has one: one directory read, the bucket's header,
    /// and only the blocks whose fingerprint matches (one, 255 times in 256).
    #[inline]
    pub(crate) fn find_block(&self, table: &[u8], key: &[u8]) -> Option<Block> {
        let (b, fingerprint) = place(key_hash(key), self.bucket_mask);
        self.bucket(table, b)?
            .spans(table)
            .filter(|&(f, _, _)| f == fingerprint)
            .filter_map(|(_, start, end)| self.block_at(table, start, end))
            .find(|block| block.key(table) == Some(key))
    }

    /// The block in `table[start..end]` (see [`push_block`]): its tail runs to `end`.
    #[inline]
    fn block_at(&self, table: &[u8], start: usize, end: usize) -> Option<Block> {
        let mut at = start;
        let key_len = usize::try_from(varint(table, &mut at)?).ok()?;
        let key = at;
        at = at.checked_add(key_len)?;
        let count = usize::try_from(varint(table, &mut at)?).ok()?;
        let entries_len = count.checked_mul(self.entry_width)?;
        let tail = at.checked_add(entries_len)?;
        let tail_len = end.checked_sub(tail)?;
        Some(Block {
            key,
            key_len,
            entries: at,
            entries_len,
            tail_len,
            count,
        })
    }

    /// Decodes the `i`th of a block's `count` entries, laid out as three arrays: the entry
    /// bytes, then the name fields, then the target fields (see [`push_block`]).
    #[inline(always)]
    pub(crate) fn entry(&self, entries: &[u8], count: usize, i: usize) -> Option<Entry> {
        let byte = EntryByte::decode(*entries.get(i)?);
        let name_at = count + i * self.name_width;
        let target_at = count + count * self.name_width + i * self.target_width;
        let target = le(entries.get(target_at..target_at + self.target_width)?);
        Some(Entry {
            len: byte.len,
            prefix: byte.prefix,
            inline: byte.inline,
            name: le(entries.get(name_at..name_at + self.name_width)?),
            target: target >> 1,
            hidden: target & 1 == 1,
        })
    }

    /// Checks everything [`parse`](Layout::parse) leaves to the lookups: the directory, every
    /// bucket, block, entry and id. O(length).
    pub(crate) fn verify(&self, table: &[u8]) -> Result<(), TableError> {
        let bad = |why: &'static str| TableError::Malformed {
            section: "blocks",
            why,
        };
        let last = self.bucket_count() - 1;
        let covers = self.offsets(table, 0).is_some_and(|(start, _)| start == 0)
            && self
                .offsets(table, last)
                .is_some_and(|(_, end)| end == self.blocks.len);
        if !covers {
            return Err(TableError::Malformed {
                section: "directory",
                why: "the buckets do not cover the blocks section",
            });
        }
        let mut keys = 0u64;
        for b in 0..self.bucket_count() {
            let bucket = self.bucket(table, b).ok_or(TableError::Malformed {
                section: "directory",
                why: "a bucket's offsets fall or its header runs past its end",
            })?;
            let mut last: Option<&[u8]> = None;
            let (mut filled, mut spans) = (bucket.blocks, 0);
            for (fingerprint, start, end) in bucket.spans(table) {
                let block = self
                    .block_at(table, start, end)
                    .ok_or(bad("a block runs past its length"))?;
                let key = block
                    .key(table)
                    .ok_or(bad("a block runs past its length"))?;
                if place(key_hash(key), self.bucket_mask) != (b, fingerprint) {
                    return Err(bad("a key is not in the bucket its hash puts it in"));
                }
                if last.is_some_and(|last| last >= key) {
                    return Err(bad("a bucket's keys do not ascend (or one is there twice)"));
                }
                last = Some(key);
                self.verify_entries(table, &block)?;
                filled = end;
                spans += 1;
                keys += 1;
            }
            if filled != bucket.end || spans != bucket.count {
                return Err(bad("a bucket's blocks do not fill it"));
            }
        }
        if keys != self.keys {
            return Err(bad("the key count does not match the buckets"));
        }
        Ok(())
    }

    /// Checks one block's entries: names in range, of valid bytes and of the length their
    /// entry byte says; targets in range.
    fn verify_entries(&self, table: &[u8], block: &Block) -> Result<(), TableError> {
        let bad = |why: &'static str| TableError::Malformed {
            section: "blocks",
            why,
        };
        let names = Names::new(self, table, block).ok_or(bad("no names"))?;
        let entries = block.entries(table);
        for i in 0..block.count {
            let entry = self
                .entry(entries, block.count, i)
                .ok_or(bad("an entry is cut short"))?;
            let name = names
                .of(&entry)
                .ok_or(bad("an entry's name is out of range"))?;
            if entry.len != name.len().min(LONG_NAME) || (entry.inline && name.len() >= LONG_NAME) {
                return Err(bad("an entry's length byte does not match its name"));
            }
            if !name.iter().all(|&b| is_name_byte(b)) {
                return Err(bad("a name in a block has a byte that is not allowed"));
            }
            let target = self
                .targets
                .text(table, entry.target)
                .ok_or(bad("an entry's target id is out of range"))?;
            // What validation rejects in a set: `*` alone, a `*` before a target's end, or one
            // on an exact alias's target (only a prefix alias carries a rest).
            let kind = if entry.prefix {
                MatchKind::Prefix
            } else {
                MatchKind::Exact
            };
            if target == "*" || misplaced_star(target).is_some() || carries_on_exact(target, kind) {
                return Err(bad("a target has a '*' that validation rejects"));
            }
        }
        Ok(())
    }
}

/// Checks what comes before the header's fields can be trusted: the magic, the version, the
/// length and the checksum.
fn check_envelope(table: &[u8]) -> Result<(), TableError> {
    if table.len() < HEADER_LEN {
        let magic_matches = !table.is_empty() && table.iter().zip(&MAGIC).all(|(a, b)| a == b);
        return Err(if magic_matches {
            TableError::Truncated {
                len: table.len(),
                expected: HEADER_LEN,
            }
        } else {
            TableError::NotATable
        });
    }
    if table.get(..8) != Some(&MAGIC[..]) {
        return Err(TableError::NotATable);
    }
    let field = |at: usize, width: usize| uint(table, at, width).unwrap_or(u64::MAX);
    let version = field(at::VERSION, 4);
    if version != u64::from(VERSION) {
        return Err(TableError::UnsupportedVersion {
            found: version,
            supported: VERSION,
        });
    }
    let total = field(at::TOTAL_LEN, 8);
    if total != table.len() as u64 {
        return Err(TableError::Truncated {
            len: table.len(),
            expected: usize::try_from(total).unwrap_or(usize::MAX),
        });
    }
    let stored = field(at::CHECKSUM, 8);
    let computed = checksum(table);
    if stored != computed {
        return Err(TableError::Checksum { stored, computed });
    }
    Ok(())
}

/// One bucket's header, read by [`Layout::bucket`]: `count` fingerprints, then `count` block
/// lengths, then the blocks, up to `end`. Every position is inside the blocks section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    pub(crate) count: usize,
    fingerprints: usize,
    lengths: usize,
    length_width: usize,
    blocks: usize,
    end: usize,
}

impl Bucket {
    /// Each block's fingerprint, start and end, in order, from the header alone: a block is
    /// skipped by its length without being read. Stops at a length that runs past the
    /// bucket's end (only in a forged table).
    #[inline]
    pub(crate) fn spans(self, table: &[u8]) -> impl Iterator<Item = (u8, usize, usize)> + '_ {
        let fingerprints = table
            .get(self.fingerprints..self.lengths)
            .unwrap_or_default();
        let lengths = table.get(self.lengths..self.blocks).unwrap_or_default();
        let mut start = self.blocks;
        fingerprints
            .iter()
            .zip(lengths.chunks_exact(self.length_width.max(1)))
            .map_while(move |(&fingerprint, len)| {
                let end = start
                    .checked_add(usize::try_from(le(len)).ok()?)
                    .filter(|&end| end <= self.end)?;
                let span = (fingerprint, start, end);
                start = end;
                Some(span)
            })
    }
}

/// One key's block: its key id, its entries in the user's order, then the names only this
/// key uses (the tail). Its end was checked against its bucket's when it was found: all of it
/// is inside the blocks section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    key: usize,
    key_len: usize,
    entries: usize,
    entries_len: usize,
    tail_len: usize,
    pub(crate) count: usize,
}

impl Block {
    /// The key id's bytes.
    pub(crate) fn key<'a>(&self, table: &'a [u8]) -> Option<&'a [u8]> {
        table.get(self.key..self.key.checked_add(self.key_len)?)
    }

    /// The entries, `entry_width` bytes each, as three arrays (see [`Layout::entry`]).
    #[inline]
    pub(crate) fn entries<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        table
            .get(self.entries..self.entries + self.entries_len)
            .unwrap_or_default()
    }

    /// The names stored in the block.
    #[inline]
    fn tail<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        let start = self.entries + self.entries_len;
        table.get(start..start + self.tail_len).unwrap_or_default()
    }
}

/// Where an entry's name is, given the table's name dictionary and the block's tail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names<'a> {
    offsets: &'a [u8],
    bytes: &'a [u8],
    tail: &'a [u8],
}

impl<'a> Names<'a> {
    #[inline]
    pub(crate) fn new(layout: &Layout, table: &'a [u8], block: &Block) -> Option<Names<'a>> {
        let (offsets, bytes) = layout.names.slices(table)?;
        Some(Names {
            offsets,
            bytes,
            tail: block.tail(table),
        })
    }

    /// The entry's name: `len` bytes of the tail at its offset, or its dictionary string.
    #[inline]
    pub(crate) fn of(&self, entry: &Entry) -> Option<&'a [u8]> {
        if entry.inline {
            let start = usize::try_from(entry.name).ok()?;
            self.tail.get(start..start.checked_add(entry.len)?)
        } else {
            Dict::get(self.offsets, self.bytes, entry.name)
        }
    }
}

/// One entry, decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The name's length, or [`LONG_NAME`] for any longer.
    pub(crate) len: usize,
    pub(crate) prefix: bool,
    /// The name is in the block's tail (at offset `name`), not in the dictionary.
    pub(crate) inline: bool,
    pub(crate) name: u64,
    pub(crate) target: u64,
    /// Left out of the `/v1/models` listing.
    pub(crate) hidden: bool,
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::indexing_slicing)] // Tests fail by panicking.
mod tests {
    use super::*;

    /// The format's limits on ids and dictionary sizes are at their documented
    /// bounds (tables that large cannot be built in a test, so the rule is checked alone).
    #[test]
    fn fields_hold_what_the_format_documents() {
        assert!(fits_field(0) && fits_field(u64::from(u32::MAX)) && !fits_field(1 << 32));
        assert!(fits_targets((1 << 31) - 1) && !fits_targets(1 << 31) && !fits_targets(u64::MAX));
    }

    /// The committed `key_hash` vectors: the hash is part of the format, so a change to it
    /// must fail here (and bump the version), not silently misplace every key.
    #[test]
    fn key_hash_matches_the_committed_vectors() {
        let vectors = include_str!("../../tests/fixtures/key-hash-v1.txt");
        let mut checked = 0;
        for line in vectors
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (key, hash) = line.split_once(' ').expect("`hex-key hash` lines");
            let key: Vec<u8> = match key {
                "-" => Vec::new(),
                hex => (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                    .collect(),
            };
            let want = u64::from_str_radix(hash, 16).expect("hex hash");
            assert_eq!(key_hash(&key), want, "key {key:?}");
            checked += 1;
        }
        assert!(checked >= 10, "{checked} vectors");
    }

    /// The word-at-a-time candidate mask is the per-byte definition, for every entry
    /// byte at every position of a group, every model length around the clamp, and groups cut
    /// short (whose padding must not read as entries).
    #[test]
    fn candidates_are_may_match_eight_at_a_time() {
        for model_len in (0..=70).chain([255, 4096]) {
            for byte in 0..=255u8 {
                for at in 0..12 {
                    for len in at + 1..=at + 9 {
                        let mut bytes = vec![0xffu8; len.min(64)];
                        for (i, b) in bytes.iter_mut().enumerate() {
                            *b = (i as u8).wrapping_mul(37) ^ byte.rotate_left(i as u32);
                        }
                        bytes[at] = byte;
                        let want = bytes.iter().enumerate().fold(0u64, |m, (i, &b)| {
                            m | u64::from(EntryByte::may_match(b, model_len)) << i
                        });
                        assert_eq!(
                            EntryByte::candidates(&bytes, model_len),
                            want,
                            "{bytes:?} for a model of {model_len} bytes"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn entry_bytes_round_trip() {
        for len in 1..=70 {
            for (prefix, inline) in [(false, false), (true, false), (false, true), (true, true)] {
                let byte = EntryByte::decode(EntryByte::encode(len, prefix, inline));
                assert_eq!(
                    byte,
                    EntryByte {
                        len: len.min(LONG_NAME),
                        prefix,
                        inline
                    }
                );
            }
        }
        assert_eq!(EntryByte::encode(5, true, false), 5 << 2 | 1);
        assert_eq!(EntryByte::encode(5, false, true), 5 << 2 | 2);
    }

    #[test]
    fn the_header_reads_what_it_writes() {
        let header = Header {
            ignore_case: true,
            keys: 3,
            bucket_bits: 3,
            offset_width: 4,
            name_width: 1,
            target_width: 2,
            length_width: 1,
            sections: [36, 10, 8, 3, 4, 0],
        };
        let mut table = Vec::new();
        header.write(&mut table);
        assert_eq!(table.len(), HEADER_LEN);
        table.resize(header.total_len(), 0);
        seal(&mut table);
        check_envelope(&table).expect("a sealed table's envelope");
        assert_eq!(Header::read(&table), Ok(header));
    }
}
