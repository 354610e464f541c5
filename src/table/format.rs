//! The byte format of an [`AliasTable`](super::AliasTable): the header, the checked reads that
//! every lookup goes through, the key hash and the varints.
//!
//! Invariants: every read is bounds-checked and returns `None` past the end of its section, so
//! no byte string can make a lookup panic; every loop is bounded by a count read from the
//! header or by the input's length, so none can make it hang. What loading checks is in
//! [`Layout::parse`]; the rest (the blocks) is checked as it is read.

use crate::error::TableError;
use crate::name::is_name_byte;
use crate::target::is_target_byte;

/// The first 8 bytes of every table. The `\r\n` catches a file mangled by text-mode transfer.
pub(crate) const MAGIC: [u8; 8] = *b"MALIAS\r\n";
/// The format version this crate writes and reads.
pub(crate) const VERSION: u32 = 1;
/// The header's length in bytes.
pub(crate) const HEADER_LEN: usize = 96;
/// Where the checksummed bytes start: everything after the checksum field.
pub(crate) const CHECKSUM_FROM: usize = 24;
/// The largest slot table: 2^40 slots. Keeps `1 << slot_bits` far from overflow.
const MAX_SLOT_BITS: u8 = 40;
/// Sections, in the order they follow the header.
pub(crate) const SECTIONS: usize = 6;

/// The checksum of a table: XXH3-64 (seed 0) of every byte after the checksum field.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes.get(CHECKSUM_FROM..).unwrap_or_default())
}

/// The hash that places a key id in the slot table. Part of the format: it must give the same
/// value on every machine and in every version that reads format 1, so it is defined here
/// rather than borrowed from a hasher whose output may change.
pub(crate) fn key_hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (key.len() as u64).wrapping_mul(K);
    for chunk in key.chunks(8) {
        let mut word = [0u8; 8];
        for (dst, src) in word.iter_mut().zip(chunk) {
            *dst = *src;
        }
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K);
        h ^= h >> 29;
    }
    // The SplitMix64 finaliser: the low bits (the slot) depend on every input bit.
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Reads a little-endian unsigned integer of `width` (1 to 8) bytes at `at`.
#[inline]
pub(crate) fn uint(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    let field = bytes.get(at..at.checked_add(width)?)?;
    let mut word = [0u8; 8];
    for (dst, src) in word.iter_mut().zip(field) {
        *dst = *src;
    }
    Some(u64::from_le_bytes(word))
}

/// Reads a whole little-endian field of 1 to 8 bytes: the lookup loop's read, specialised
/// for the widths the format uses so that it compiles to one load.
#[inline(always)]
pub(crate) fn le(field: &[u8]) -> u64 {
    if let Some(b) = field.first_chunk::<4>().filter(|_| field.len() == 4) {
        return u64::from(u32::from_le_bytes(*b));
    }
    if let Some(b) = field.first_chunk::<2>().filter(|_| field.len() == 2) {
        return u64::from(u16::from_le_bytes(*b));
    }
    let mut word = [0u8; 8];
    for (dst, src) in word.iter_mut().zip(field) {
        *dst = *src;
    }
    u64::from_le_bytes(word)
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

/// One dictionary (names or targets): `count + 1` little-endian `u32` offsets into the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dict {
    pub(crate) offsets: usize,
    pub(crate) bytes: usize,
    pub(crate) bytes_len: usize,
    pub(crate) count: usize,
}

impl Dict {
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

/// Where everything is in a table's bytes: the header, parsed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) keys: u64,
    pub(crate) slots: usize,
    pub(crate) slot_mask: u64,
    pub(crate) slot_width: usize,
    pub(crate) max_probe: u64,
    pub(crate) blocks: usize,
    pub(crate) blocks_len: usize,
    pub(crate) name_width: usize,
    pub(crate) target_width: usize,
    /// One length-and-kind byte, the name field and the target field.
    pub(crate) entry_width: usize,
    pub(crate) names: Dict,
    pub(crate) targets: Dict,
}

/// Header fields, by offset.
pub(crate) mod at {
    pub(crate) const VERSION: usize = 8;
    pub(crate) const FLAGS: usize = 12;
    pub(crate) const CHECKSUM: usize = 16;
    pub(crate) const TOTAL_LEN: usize = 24;
    pub(crate) const KEYS: usize = 32;
    pub(crate) const SLOT_BITS: usize = 40;
    pub(crate) const SLOT_WIDTH: usize = 41;
    pub(crate) const NAME_WIDTH: usize = 42;
    pub(crate) const TARGET_WIDTH: usize = 43;
    pub(crate) const MAX_PROBE: usize = 44;
    pub(crate) const SECTION_LENS: usize = 48;
}

impl Layout {
    /// Checks the header, the checksum and the two dictionaries of `table`, and finds its
    /// sections. O(len) for the checksum, O(dictionaries) for the rest; the blocks are checked
    /// as lookups read them (or all at once by [`Layout::verify`]).
    pub(crate) fn parse(table: &[u8]) -> Result<Layout, TableError> {
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
        let layout = Layout::parse_checked(table)?;
        // The dictionaries are small (names shared by several keys, and targets), and every
        // lookup hands out their strings: checked once here rather than on every lookup.
        layout.names.verify(table, is_name_byte, "names")?;
        layout.targets.verify(table, is_target_byte, "targets")?;
        Ok(layout)
    }

    /// The checks after the checksum, O(1): the header's fields and the sections' bounds.
    pub(crate) fn parse_checked(table: &[u8]) -> Result<Layout, TableError> {
        let bad = |why: &'static str| TableError::Malformed {
            section: "header",
            why,
        };
        let field = |at: usize, width: usize| uint(table, at, width).ok_or(bad("too short"));
        if field(at::FLAGS, 4)? != 0 {
            return Err(bad("unknown flags are set"));
        }
        let width = |at: usize, allowed: &[u64]| -> Result<usize, TableError> {
            let w = field(at, 1)?;
            if allowed.contains(&w) {
                Ok(w as usize)
            } else {
                Err(bad("a field width is out of range"))
            }
        };
        let slot_width = width(at::SLOT_WIDTH, &[4, 8])?;
        let name_width = width(at::NAME_WIDTH, &[1, 2, 3, 4])?;
        let target_width = width(at::TARGET_WIDTH, &[1, 2, 3, 4])?;
        let slot_bits = field(at::SLOT_BITS, 1)? as u8;
        if slot_bits > MAX_SLOT_BITS {
            return Err(bad("the slot table is larger than 2^40 slots"));
        }
        let mut lens = [0usize; SECTIONS];
        let mut end = HEADER_LEN;
        let mut starts = [0usize; SECTIONS];
        for (i, (len, start)) in lens.iter_mut().zip(&mut starts).enumerate() {
            let l = usize::try_from(field(at::SECTION_LENS + 8 * i, 8)?)
                .map_err(|_| bad("a section is larger than memory"))?;
            *start = end;
            *len = l;
            end = end.checked_add(l).ok_or(bad("the sections overflow"))?;
        }
        if end != table.len() {
            return Err(bad("the sections do not add up to the table's length"));
        }
        let [
            slots_len,
            blocks_len,
            name_offsets_len,
            names_len,
            target_offsets_len,
            targets_len,
        ] = lens;
        let [slots, blocks, name_offsets, names, target_offsets, targets] = starts;
        let slot_count = 1u64 << slot_bits;
        if slots_len as u64 != slot_count * slot_width as u64 {
            return Err(bad("the slot table's length is not 2^slot_bits slots"));
        }
        let keys = field(at::KEYS, 8)?;
        if keys > slot_count {
            return Err(bad("more keys than slots"));
        }
        let dict = |offsets: usize, offsets_len: usize, bytes: usize, bytes_len: usize| {
            if offsets_len % 4 != 0 || offsets_len < 4 {
                return Err(bad("a dictionary's offsets are not whole u32s"));
            }
            Ok(Dict {
                offsets,
                bytes,
                bytes_len,
                count: offsets_len / 4 - 1,
            })
        };
        let layout = Layout {
            keys,
            slots,
            slot_mask: slot_count - 1,
            slot_width,
            max_probe: field(at::MAX_PROBE, 4)?.min(slot_count),
            blocks,
            blocks_len,
            name_width,
            target_width,
            entry_width: 1 + name_width + target_width,
            names: dict(name_offsets, name_offsets_len, names, names_len)?,
            targets: dict(target_offsets, target_offsets_len, targets, targets_len)?,
        };
        Ok(layout)
    }

    /// The offset in the blocks section of the block for `key`, if the table has one.
    /// At most `max_probe + 1` slots are read.
    #[inline]
    pub(crate) fn find_block(&self, table: &[u8], key: &[u8]) -> Option<Block> {
        let home = key_hash(key);
        for probe in 0..=self.max_probe {
            let slot = home.wrapping_add(probe) & self.slot_mask;
            let at = self.slots + usize::try_from(slot).ok()? * self.slot_width;
            let value = le(table.get(at..at + self.slot_width)?);
            let start = usize::try_from(value.checked_sub(1)?).ok()?;
            let block = self.block_at(table, start)?;
            if block.key(table) == Some(key) {
                return Some(block);
            }
        }
        None
    }

    /// The block that starts `start` bytes into the blocks section.
    #[inline]
    pub(crate) fn block_at(&self, table: &[u8], start: usize) -> Option<Block> {
        if start >= self.blocks_len {
            return None;
        }
        let mut at = self.blocks.checked_add(start)?;
        let key_len = usize::try_from(varint(table, &mut at)?).ok()?;
        let key = at;
        at = at.checked_add(key_len)?;
        let count = varint(table, &mut at)?;
        let tail_len = usize::try_from(varint(table, &mut at)?).ok()?;
        let entries_len = usize::try_from(count).ok()?.checked_mul(self.entry_width)?;
        let blocks_end = self.blocks + self.blocks_len;
        if at.checked_add(entries_len)?.checked_add(tail_len)? > blocks_end {
            return None;
        }
        Some(Block {
            key,
            key_len,
            entries: at,
            entries_len,
            tail_len,
            count: count as usize,
        })
    }
}

/// One key's block: its key id, its entries in the user's order, then the names only this
/// key uses (the tail). Bounds were checked when it was found: all of it is inside the
/// blocks section. The default is the empty block, with no entries.
#[derive(Debug, Clone, Copy, Default)]
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

    /// The entries, `entry_width` bytes each.
    #[inline]
    pub(crate) fn entries<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        table
            .get(self.entries..self.entries + self.entries_len)
            .unwrap_or_default()
    }

    /// The names stored in the block.
    #[inline]
    pub(crate) fn tail<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        let start = self.entries + self.entries_len;
        table.get(start..start + self.tail_len).unwrap_or_default()
    }
}

/// Where an entry's name is, given the table's name dictionary and the block's tail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names<'a> {
    pub(crate) offsets: &'a [u8],
    pub(crate) bytes: &'a [u8],
    pub(crate) tail: &'a [u8],
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

/// The byte that starts every entry: `min(name length, 63) << 2 | inline << 1 | prefix`.
/// It lets a lookup skip an entry without reading its name: an exact name must be as long as
/// the model, a prefix name no longer. 63 means "63 or more"; such names are never inline.
pub(crate) const LONG_NAME: usize = 63;

/// One entry, decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The name's length, or at least [`LONG_NAME`] when it equals that.
    pub(crate) len: usize,
    pub(crate) prefix: bool,
    /// The name is in the block's tail (at offset `name`), not in the dictionary.
    pub(crate) inline: bool,
    pub(crate) name: u64,
    pub(crate) target: u64,
}

impl Layout {
    /// Decodes one entry of `entry_width` bytes.
    #[inline(always)]
    pub(crate) fn entry(&self, entry: &[u8]) -> Option<Entry> {
        let (&len_kind, rest) = entry.split_first()?;
        let (name, target) = rest.split_at_checked(self.name_width)?;
        Some(Entry {
            len: usize::from(len_kind >> 2),
            prefix: len_kind & 1 == 1,
            inline: len_kind & 2 == 2,
            name: le(name),
            target: le(target),
        })
    }

    /// Checks everything [`parse`](Layout::parse) leaves to the lookups: both dictionaries,
    /// every slot and block, every id. O(length).
    pub(crate) fn verify(&self, table: &[u8]) -> Result<(), TableError> {
        self.names.verify(table, is_name_byte, "names")?;
        self.targets.verify(table, is_target_byte, "targets")?;
        let bad = |why: &'static str| TableError::Malformed {
            section: "blocks",
            why,
        };
        let slots = table
            .get(self.slots..self.blocks)
            .ok_or(bad("the slots are past the end"))?;
        let mut keys = 0u64;
        for slot in slots.chunks_exact(self.slot_width).map(le) {
            let Some(start) = slot.checked_sub(1) else {
                continue;
            };
            keys += 1;
            let start = usize::try_from(start).map_err(|_| bad("a slot is out of range"))?;
            let block = self
                .block_at(table, start)
                .ok_or(bad("a block runs past the end"))?;
            if self
                .find_block(table, block.key(table).unwrap_or_default())
                .map(|b| b.entries)
                != Some(block.entries)
            {
                return Err(bad(
                    "a key is not where its hash puts it, or is there twice",
                ));
            }
            let names = Names::new(self, table, &block).ok_or(bad("no names"))?;
            for entry in block.entries(table).chunks_exact(self.entry_width) {
                let entry = self.entry(entry).ok_or(bad("an entry is cut short"))?;
                let name = names
                    .of(&entry)
                    .ok_or(bad("an entry's name is out of range"))?;
                if entry.len != name.len().min(LONG_NAME)
                    || (entry.inline && name.len() >= LONG_NAME)
                {
                    return Err(bad("an entry's length byte does not match its name"));
                }
                if !name.iter().all(|&b| is_name_byte(b)) {
                    return Err(bad("a name in a block has a byte that is not allowed"));
                }
                if entry.target >= self.targets.count as u64 {
                    return Err(bad("an entry's target id is out of range"));
                }
            }
        }
        if keys != self.keys {
            return Err(bad("the key count does not match the slots"));
        }
        Ok(())
    }
}
