//! The codec of an [`AliasTable`](super::AliasTable)'s bytes, and the format it writes: every
//! field is written and read by a matched pair in this module, and the builder and the
//! lookups call only these.
//!
//! | part | written by | read by | file |
//! |---|---|---|---|
//! | header | [`Header::write`], [`seal`] | [`Header::read`], [`Layout::parse`] | `header.rs`, `layout.rs` |
//! | directory | [`push_uint`] of each bucket's start | [`Layout::bucket`] | `layout.rs` |
//! | bucket | [`push_bucket`] | [`Layout::bucket`], `Bucket::spans` | `block.rs` |
//! | block | [`push_block`] | [`Layout::block_at`] | `block.rs` |
//! | entry byte | [`EntryByte::encode`] | [`EntryByte::decode`] | `entry.rs` |
//! | dictionary | [`DictWriter::sections`] | `Dict` | `dict.rs` |
//! | presets field | [`push_block`] | [`Layout::presets`] | `block.rs`, `layout.rs` |
//! | integers | [`push_uint`], `push_varint` | `uint`, `le`, `varint` | `ints.rs` |
//!
//! Invariants:
//! 1. every read is bounds-checked and returns `None` past the end of its section, so no byte
//!    string can make a lookup panic;
//! 2. every loop is bounded by a count read from the header or by the input's length, so none
//!    can make it hang;
//! 3. [`key_hash`], [`place`] and every layout rule here are the format: the committed
//!    fixtures in `tests/fixtures/` fail if any changes, and a change bumps [`VERSION`];
//! 4. a lookup parses one bucket's header and then only the block whose fingerprint matches:
//!    the blocks before it are skipped by their lengths, never parsed (the bucket's first KiB
//!    is read ahead, a byte a cache line, so that its lines' misses overlap).
//!
//! # Format, version 4
//!
//! All integers are little-endian. A table is a 112-byte header followed by eight sections, in
//! this order and without gaps:
//!
//! | Offset | Size | Header field |
//! |---|---|---|
//! | 0 | 8 | magic `MALIAS\r\n` |
//! | 8 | 4 | format version, `4` |
//! | 12 | 4 | flags: bit 0, models are matched with ASCII case folded; a reader rejects any other bit |
//! | 16 | 8 | checksum: XXH3-64 of bytes 24 to the end, seeded with bytes 8 to 16 (version and flags) as a little-endian `u64` |
//! | 24 | 8 | the table's total length in bytes |
//! | 32 | 8 | the number of keys |
//! | 40 | 1 | `bucket_bits`: there are `2^bucket_bits` buckets (at most 2^40) |
//! | 41 | 1 | directory offset width in bytes: 4 or 8 |
//! | 42 | 1 | name field width in bytes: 1 to 4 |
//! | 43 | 1 | target field width in bytes: 1 to 4 |
//! | 44 | 1 | block length width in bytes: 1 to 4 |
//! | 45 | 1 | presets field width in bytes: 0 (no alias has presets) to 4 |
//! | 46 | 2 | reserved, zero |
//! | 48 | 8 × 8 | the length of each section, in order |
//!
//! 1. **Directory**: `2^bucket_bits + 1` offsets into the blocks section; bucket `b` is the
//!    bytes from the `b`th offset to the next. A key's bucket is the low `bucket_bits` bits
//!    of `key_hash(key)` (defined below), its fingerprint the hash's top byte. The
//!    builder makes about one bucket for every four keys, so the directory is about a byte a
//!    key and stays in cache where a slot a key would not.
//! 2. **Blocks**, bucket after bucket. A bucket with keys starts with a header: the number
//!    of keys (LEB128), one fingerprint byte a key, one block length a key; then the keys'
//!    blocks, in ascending order of key id. A lookup reads the header, skips the blocks
//!    whose fingerprint differs by their lengths, and reads only the block that matches.
//!    A block is the key id's length (LEB128), its bytes, `count << 1 | presets` (LEB128:
//!    the number of aliases, and bit 0 set when any of them has presets), then one entry an
//!    alias in the user's order, then the tail, up to the block's end. The entries are three
//!    arrays, or four when bit 0 is set: one byte an entry,
//!    `min(name length, 63) << 2 | inline << 1 | prefix` (bit 0: a prefix alias; bit 1: the
//!    name is inline; so that a lookup skips most entries without reading their names), then
//!    the name fields, then the target fields. A name field is the name's id in the
//!    dictionary, or, for an inline name, its offset in the tail: a name that only this key
//!    uses (and that is under 63 bytes) is stored in the block, where the lookup already is,
//!    rather than in the dictionary. A target field is `target id << 1 | hidden` (bit 0: the
//!    alias is left out of the `/v1/models` listing). A presets field is 0 for an alias
//!    without presets, else its presets' id in their dictionary plus one; a key whose aliases
//!    have none has no such array, so presets cost nothing to the keys that do not use them.
//! 3. and 4. **Names**: `n + 1` `u32` offsets into the names' bytes, then the bytes. Every
//!    name that more than one key uses, once.
//! 5. and 6. **Targets**: the same, for targets: a target shared by a million keys is stored
//!    once.
//! 7. and 8. **Presets**: the same, for each distinct pair of preset objects, as the defaults'
//!    compact JSON followed by the overrides' (`{}` for an empty one): the same presets on a
//!    thousand keys are stored once. Checked at load to be what validation accepts.
//!
//! A reader of version 4 rejects any other version, naming it
//! ([`TableError::UnsupportedVersion`](crate::TableError::UnsupportedVersion)); a change to the layout bumps it. A table of another
//! version is rebuilt from its source: tables are built from the gateway's own store in
//! seconds, so one reader is kept rather than one a version, each a surface for forged bytes.
//!

mod block;
mod dict;
mod entry;
mod header;
mod ints;
mod layout;

pub(crate) use self::block::{
    Block, Entry, EntryOut, Widths, push_block, push_bucket, target_field,
};
pub(crate) use self::dict::{DictWriter, fits_dictionaries, valid_text};
pub(crate) use self::entry::{EntryByte, LONG_NAME};
pub(crate) use self::header::Header;
use self::ints::{le, uint};
pub(crate) use self::ints::{push_uint, width_for};
pub(crate) use self::layout::{Layout, Names};

/// The first 8 bytes of every table. The `\r\n` catches a file mangled by text-mode transfer.
pub(crate) const MAGIC: [u8; 8] = *b"MALIAS\r\n";
/// The format version this crate writes and reads.
pub(crate) const VERSION: u32 = 4;
/// The header flag for a table that matches models with ASCII case folded.
const FLAG_IGNORE_CASE: u32 = 1;
/// The header's length in bytes.
pub(crate) const HEADER_LEN: usize = 112;
/// Where the checksummed bytes start: everything after the checksum field.
const CHECKSUM_FROM: usize = 24;
/// The most buckets: 2^40. Keeps `1 << bucket_bits` far from overflow, and the bucket's bits
/// clear of the fingerprint's (the hash's top byte).
const MAX_BUCKET_BITS: u8 = 40;
/// Sections, in the order they follow the header: the bucket directory, blocks, name offsets,
/// names, target offsets, targets, preset offsets, presets.
pub(crate) const SECTIONS: usize = 8;

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
    pub(super) const PRESETS_WIDTH: usize = 45;
    /// Two bytes that must be zero.
    pub(super) const RESERVED: usize = 46;
    pub(super) const SECTION_LENS: usize = 48;
}

/// A section's place in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Section {
    start: usize,
    len: usize,
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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::indexing_slicing)] // Tests fail by panicking.
mod tests {
    use super::dict::{fits_field, fits_targets};
    use super::layout::check_envelope;
    use super::*;

    /// The format's limits on ids and dictionary sizes are at their documented
    /// bounds (tables that large cannot be built in a test, so the rule is checked alone).
    #[test]
    fn fields_hold_what_the_format_documents() {
        assert!(fits_field(0) && fits_field(u64::from(u32::MAX)) && !fits_field(1 << 32));
        assert!(fits_targets((1 << 31) - 1) && !fits_targets(1 << 31) && !fits_targets(u64::MAX));
        let max = u64::from(u32::MAX);
        assert!(fits_dictionaries([max, (1 << 31) - 1, max - 1]));
        for over in [[max + 1, 0, 0], [0, 1 << 31, 0], [0, 0, max]] {
            assert!(!fits_dictionaries(over), "{over:?}");
        }
    }

    /// The committed `key_hash` vectors: the hash is part of the format, so a change to it
    /// must fail here (and bump the version), not silently misplace every key.
    #[test]
    fn key_hash_matches_the_committed_vectors() {
        let vectors = include_str!("../../../tests/fixtures/key-hash-v1.txt");
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
            presets_width: 1,
            sections: [36, 10, 8, 3, 4, 0, 8, 4],
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
