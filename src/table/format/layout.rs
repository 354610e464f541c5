//! Where everything is in a table's bytes: the header parsed and checked, and the reads
//! that find a key's bucket and block.

use super::block::{Block, Bucket, Entry};
use super::dict::Dict;
use super::entry::{EntryByte, LONG_NAME};
use super::header::{Header, malformed};
use super::ints::{le, uint, varint};
use super::{HEADER_LEN, MAGIC, SECTIONS, Section, VERSION, at, checksum, key_hash, place};
use crate::alias::carries_on_exact;
use crate::error::TableError;
use crate::name::is_name_byte;
use crate::preset;
use crate::target::is_target_byte;
use crate::target::misplaced_star;
use crate::{Limits, MatchKind};

/// The limits presets in a table are checked against at load: any the crate can validate (a
/// table's builder may have raised the limits; the stack a rewrite uses bounds the members).
const PRESET_LIMITS: Limits = Limits::DEFAULT
    .with_max_preset_members(usize::MAX)
    .with_max_preset_bytes(usize::MAX);

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
    /// A presets field: 0 when no alias has presets.
    presets_width: usize,
    pub(crate) names: Dict,
    pub(crate) targets: Dict,
    pub(crate) presets: Dict,
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
        layout.presets.verify(table, |_| true, "presets")?;
        let bad = TableError::Malformed {
            section: "presets",
            why: "presets that validation rejects",
        };
        let (offsets, bytes) = layout.presets.slices(table).ok_or(bad.clone())?;
        for id in 0..layout.presets.count as u64 {
            let text = Dict::get(offsets, bytes, id).and_then(|b| std::str::from_utf8(b).ok());
            if !text.is_some_and(|t| !t.is_empty() && preset::is_stored(t, PRESET_LIMITS)) {
                return Err(bad);
            }
        }
        Ok(layout)
    }

    /// The sections a checked header describes, for a table of `len` bytes.
    pub(super) fn new(header: Header, len: usize) -> Result<Layout, TableError> {
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
            preset_offsets,
            presets,
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
            presets_width: header.presets_width,
            names: Dict::new(name_offsets, names)?,
            targets: Dict::new(target_offsets, targets)?,
            presets: Dict::new(preset_offsets, presets)?,
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
    /// and only the blocks whose fingerprint matches (one, 255 times in 256). The bucket's
    /// first [`READ_AHEAD`] bytes are read ahead, so that its lines arrive together.
    #[inline]
    pub(crate) fn find_block(&self, table: &[u8], key: &[u8]) -> Option<Block> {
        let (b, fingerprint) = place(key_hash(key), self.bucket_mask);
        let bucket = self.bucket(table, b)?;
        let ahead = bucket
            .end
            .min(bucket.fingerprints.saturating_add(READ_AHEAD));
        read_ahead(table.get(bucket.fingerprints..ahead).unwrap_or_default());
        bucket
            .spans(table)
            .filter(|&(f, _, _)| f == fingerprint)
            .filter_map(|(_, start, end)| self.block_at(table, start, end))
            .find(|block| block.key(table) == Some(key))
    }

    /// The block in `table[start..end]` (see [`push_block`](super::push_block)): its tail runs to `end`.
    #[inline]
    fn block_at(&self, table: &[u8], start: usize, end: usize) -> Option<Block> {
        let mut at = start;
        let key_len = usize::try_from(varint(table, &mut at)?).ok()?;
        let key = at;
        at = at.checked_add(key_len)?;
        let field = varint(table, &mut at)?;
        let (count, presets) = (usize::try_from(field >> 1).ok()?, field & 1 == 1);
        if presets && self.presets_width == 0 {
            return None;
        }
        let width = self.entry_width + if presets { self.presets_width } else { 0 };
        let entries_len = count.checked_mul(width)?;
        let tail = at.checked_add(entries_len)?;
        let tail_len = end.checked_sub(tail)?;
        Some(Block {
            key,
            key_len,
            entries: at,
            entries_len,
            tail_len,
            count,
            presets,
        })
    }

    /// Decodes the `i`th of a block's `count` entries, laid out as three arrays: the entry
    /// bytes, then the name fields, then the target fields (see [`push_block`](super::push_block)).
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
            index: i,
        })
    }

    /// The stored presets of a block's entry, `""` for none. `None` for an id out of range
    /// (only in a forged table).
    #[inline]
    pub(crate) fn presets<'a>(&self, table: &'a [u8], block: &Block, i: usize) -> Option<&'a str> {
        if !block.presets {
            return Some("");
        }
        let at = block.count * self.entry_width + i * self.presets_width;
        let entries = block.entries(table);
        match le(entries.get(at..at + self.presets_width)?) {
            0 => Some(""),
            id => self.presets.text(table, id - 1),
        }
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
            self.presets(table, block, i)
                .ok_or(bad("an entry's presets id is out of range"))?;
        }
        Ok(())
    }
}

/// How much of a bucket, from its header on, a lookup reads ahead: 16 cache lines, a bucket of
/// four keys of 20 aliases each.
const READ_AHEAD: usize = 1024;

/// Reads one byte of each 64-byte line of `bytes`, all at once: their cache misses overlap,
/// instead of following one another as the lookup reaches each line (the bucket's header, then
/// the block it points to, then the block's entries, then its names). Safe code's prefetch.
#[inline(always)]
fn read_ahead(bytes: &[u8]) {
    let mut any = 0u8;
    for &b in bytes.iter().step_by(64) {
        any |= b;
    }
    std::hint::black_box(any);
}

/// Checks what comes before the header's fields can be trusted: the magic, the version, the
/// length and the checksum.
pub(super) fn check_envelope(table: &[u8]) -> Result<(), TableError> {
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
