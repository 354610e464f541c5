//! Buckets and blocks: one key's aliases, as written and as read.

use super::ints::{le, push_uint, push_varint};

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
    /// 0 for none, else the presets' id plus one.
    pub(crate) presets: u64,
}

/// The target field of an entry: the target's id, shifted left, and the hidden bit.
pub(crate) fn target_field(target: u64, hidden: bool) -> u64 {
    target << 1 | u64::from(hidden)
}

/// The width of each of an entry's fields: name, target and presets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Widths {
    pub(crate) name: usize,
    pub(crate) target: usize,
    pub(crate) presets: usize,
}

/// Appends one key's block: the key id's length and bytes, `count << 1 | presets` (LEB128
/// varints), the entries as three arrays (entry bytes, name fields, target fields) and a
/// fourth (presets fields) when any entry has presets, then the tail, which runs to the
/// block's end (its length is in the bucket's header).
pub(crate) fn push_block(
    out: &mut Vec<u8>,
    key: &[u8],
    entries: &[EntryOut],
    tail: &[u8],
    widths: Widths,
) {
    let presets = entries.iter().any(|e| e.presets != 0);
    push_varint(out, key.len() as u64);
    out.extend_from_slice(key);
    push_varint(out, (entries.len() as u64) << 1 | u64::from(presets));
    out.extend(entries.iter().map(|e| e.byte));
    for e in entries {
        push_uint(out, e.name, widths.name);
    }
    for e in entries {
        push_uint(out, target_field(e.target, e.hidden), widths.target);
    }
    if presets {
        for e in entries {
            push_uint(out, e.presets, widths.presets);
        }
    }
    out.extend_from_slice(tail);
}

/// One bucket's header, read by [`Layout::bucket`](super::Layout::bucket): `count` fingerprints, then `count` block
/// lengths, then the blocks, up to `end`. Every position is inside the blocks section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    pub(crate) count: usize,
    pub(super) fingerprints: usize,
    pub(super) lengths: usize,
    pub(super) length_width: usize,
    pub(super) blocks: usize,
    pub(super) end: usize,
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
    pub(super) key: usize,
    pub(super) key_len: usize,
    pub(super) entries: usize,
    pub(super) entries_len: usize,
    pub(super) tail_len: usize,
    pub(crate) count: usize,
    /// The entries have a presets array.
    pub(super) presets: bool,
}

impl Block {
    /// The key id's bytes.
    pub(crate) fn key<'a>(&self, table: &'a [u8]) -> Option<&'a [u8]> {
        table.get(self.key..self.key.checked_add(self.key_len)?)
    }

    /// The entries, `entry_width` bytes each, as three arrays (see [`Layout::entry`](super::Layout::entry)).
    #[inline]
    pub(crate) fn entries<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        table
            .get(self.entries..self.entries + self.entries_len)
            .unwrap_or_default()
    }

    /// The names stored in the block.
    #[inline]
    pub(super) fn tail<'a>(&self, table: &'a [u8]) -> &'a [u8] {
        let start = self.entries + self.entries_len;
        table.get(start..start + self.tail_len).unwrap_or_default()
    }
}

/// One entry, decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The name's length, or [`LONG_NAME`](super::LONG_NAME) for any longer.
    pub(crate) len: usize,
    pub(crate) prefix: bool,
    /// The name is in the block's tail (at offset `name`), not in the dictionary.
    pub(crate) inline: bool,
    pub(crate) name: u64,
    pub(crate) target: u64,
    /// Left out of the `/v1/models` listing.
    pub(crate) hidden: bool,
    /// Its position in the block, where its presets field is.
    pub(crate) index: usize,
}
