//! [`TableBuilder`]: writes an [`AliasTable`] from each key's rows.
//!
//! Invariants of what it writes: every key is in the bucket its hash puts it in, with its
//! fingerprint, and a bucket's keys ascend (so none is there twice); there are about
//! [`KEYS_PER_BUCKET`] keys a bucket; every name and target id in a block is below its
//! dictionary's count; the bytes are the same for the same inserts in the same order
//! (the builder is deterministic, so two builds can be compared byte for byte). It writes only
//! through the codec in `format.rs`, and the table it returns is loaded from its own bytes by
//! [`AliasTable::from_bytes`], so a build that broke the format would fail, not ship.

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;

use foldhash::fast::RandomState as FoldState;

use super::AliasTable;
use super::format::{self, DictWriter, EntryByte, EntryOut, HEADER_LEN, Header, LONG_NAME, Widths};
use crate::error::TableError;
use crate::{Limits, MatchKind, Row};
use crate::{preset, validate};

/// About this many keys share a bucket (between 2 and 4 on average; the bucket count is a
/// power of two): the directory costs a byte or two a key, small enough to stay in cache at a
/// million keys, and a lookup reads a bucket header of a few fingerprints and lengths.
const KEYS_PER_BUCKET: usize = 4;

/// Builds an [`AliasTable`] key by key: each key's rows are validated as an
/// [`AliasSet`](crate::AliasSet)'s are, and stored without building any index.
///
/// ```
/// use model_alias::{MatchKind, Resolve};
/// use model_alias::table::TableBuilder;
///
/// let mut builder = TableBuilder::new();
/// builder.insert("team-a", [("fast", "deepseek/deepseek-chat")])?;
/// builder.insert("team-b", [("fast", "openai/gpt-4o-mini", MatchKind::Exact)])?;
/// let table = builder.build()?;
/// assert_eq!(table.get("team-b").resolve("fast").model(), "openai/gpt-4o-mini");
/// assert_eq!(table.distinct(), (1, 2)); // "fast" is stored once
///
/// // A key's rows are checked like a set's: nothing of that key is kept.
/// let err = builder.insert("team-c", [("Fast", "x")]).unwrap_err();
/// assert!(err.to_string().starts_with(r#"key "team-c": invalid alias set: row 1: alias name "Fast""#));
/// # Ok::<(), model_alias::TableError>(())
/// ```
///
/// # Costs
/// Inserting is O(the rows' bytes): validation, then each name and target looked up in a hash
/// map and stored the first time it is seen. Building is O(keys + aliases) plus the checksum
/// (twice: written, then checked by the load); it holds the inserted rows (a few words an
/// alias, each distinct string once) and the output at once.
#[derive(Debug, Clone, Default)]
pub struct TableBuilder {
    limits: Limits,
    ignore_case: bool,
    /// Every key id's bytes, concatenated; the `i`th ends at `keys[i].key_end`.
    key_bytes: Vec<u8>,
    keys: Vec<KeyRow>,
    /// Every alias, key after key; names and targets by their interned ids.
    entries: Vec<RawEntry>,
    names: Interner,
    targets: Interner,
    /// Each distinct presets' stored form.
    presets: Interner,
}

#[derive(Debug, Clone, Copy)]
struct KeyRow {
    key_end: usize,
    entries_end: usize,
}

#[derive(Debug, Clone, Copy)]
struct RawEntry {
    prefix: bool,
    hidden: bool,
    name: u64,
    target: u64,
    /// 0 for none, else the interned presets' id plus one.
    presets: u64,
}

/// Distinct strings, each stored once, numbered in order of first appearance.
#[derive(Debug, Clone, Default)]
struct Interner {
    ids: HashMap<Box<str>, u64, FoldState>,
    strings: DictWriter,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u64 {
        match self.ids.entry(s.into()) {
            MapEntry::Occupied(e) => *e.get(),
            MapEntry::Vacant(e) => *e.insert(self.strings.push(s.as_bytes())),
        }
    }
}

/// Where each interned name goes in the output: the dictionary (shared names, renumbered)
/// or the block of the one key that uses it.
struct NamePlan {
    shared: DictWriter,
    /// For each interned name, its id among the shared ones, or `None` to store it inline.
    ids: Vec<Option<u64>>,
}

impl TableBuilder {
    /// An empty builder that validates each key's rows against the default [`Limits`].
    pub fn new() -> TableBuilder {
        TableBuilder::default()
    }

    /// An empty builder that validates each key's rows against `limits`.
    pub fn with_limits(limits: Limits) -> TableBuilder {
        TableBuilder {
            limits,
            ..TableBuilder::default()
        }
    }

    /// Validates `rows` and adds them as `key`'s aliases, in their order. Rows of any
    /// [`Row`] type: tuples, [`Alias`](crate::Alias)es, or an [`AliasSet`](crate::AliasSet)'s
    /// or another table key's aliases.
    ///
    /// Fails with [`TableError::InvalidSet`] (every problem of the rows) and adds nothing of
    /// that key. A key inserted twice makes [`build`](TableBuilder::build) fail.
    pub fn insert<R: Row>(
        &mut self,
        key: impl AsRef<[u8]>,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<&mut TableBuilder, TableError> {
        let key = key.as_ref();
        // Checked, not made into aliases: the rows' strings go straight to the interners.
        let rows = validate::check(rows, self.limits).map_err(|error| TableError::InvalidSet {
            key: show_key(key),
            error,
        })?;
        self.key_bytes.extend_from_slice(key);
        for row in &rows {
            // Empty, without an allocation, for a row without presets.
            let presets = Some(preset::stored(row)).filter(|p| !p.is_empty());
            self.entries.push(RawEntry {
                prefix: row.kind() == MatchKind::Prefix,
                hidden: row.hidden(),
                name: self.names.intern(row.name()),
                target: self.targets.intern(row.target()),
                presets: presets.map_or(0, |p| self.presets.intern(&p) + 1),
            });
        }
        self.keys.push(KeyRow {
            key_end: self.key_bytes.len(),
            entries_end: self.entries.len(),
        });
        Ok(self)
    }

    /// Match models with ASCII case folded in every key of the table (default: no). The
    /// choice is the table's, not each key's: folding is a gateway's policy on what clients
    /// send, not part of any user's aliases (whose names are lowercase either way), so it is
    /// one flag in the header rather than a byte in every block. A set that needs its own
    /// choice is an [`AliasSet`](crate::AliasSet) built with
    /// [`ignore_case`](crate::AliasSetBuilder::ignore_case).
    ///
    /// ```
    /// use model_alias::Resolve;
    /// use model_alias::table::TableBuilder;
    ///
    /// let mut builder = TableBuilder::new();
    /// builder.ignore_case(true).insert("team-a", [("gpt-4", "Qwen/Qwen2.5-72B-Instruct")])?;
    /// let table = builder.build()?;
    /// assert!(table.ignores_case());
    /// assert_eq!(table.get("team-a").resolve("GPT-4").model(), "Qwen/Qwen2.5-72B-Instruct");
    /// # Ok::<(), model_alias::TableError>(())
    /// ```
    pub fn ignore_case(&mut self, ignore_case: bool) -> &mut TableBuilder {
        self.ignore_case = ignore_case;
        self
    }

    /// The number of keys inserted so far.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key was inserted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Writes the table.
    ///
    /// Fails on a key id inserted twice ([`TableError::DuplicateKey`]) and on a table past
    /// the format's limits ([`TableError::TooLarge`]: 2^32 distinct names, 2^31 targets,
    /// 4 GiB of either's text).
    pub fn build(&self) -> Result<AliasTable, TableError> {
        let plan = self.plan_names();
        let counts = [
            plan.shared.len() as u64,
            self.targets.strings.len() as u64,
            self.presets.strings.len() as u64,
        ];
        if !format::fits_dictionaries(counts) {
            return Err(TableError::TooLarge {
                what: "distinct names, targets or presets",
                max: "2^32 names, 2^31 targets and 2^32 - 1 presets",
            });
        }
        let widths = self.field_widths(&plan);
        let buckets = self.buckets(&plan, widths)?;
        let (name_offsets, names) = plan.shared.sections("alias names")?;
        let (target_offsets, targets) = self.targets.strings.sections("targets")?;
        let (preset_offsets, presets) = self.presets.strings.sections("presets")?;
        let sections: [&[u8]; format::SECTIONS] = [
            &buckets.directory,
            &buckets.blocks,
            &name_offsets,
            names,
            &target_offsets,
            targets,
            &preset_offsets,
            presets,
        ];
        let header = Header {
            ignore_case: self.ignore_case,
            keys: self.keys.len() as u64,
            bucket_bits: buckets.bits,
            offset_width: buckets.offset_width,
            name_width: widths.name,
            target_width: widths.target,
            length_width: buckets.length_width,
            presets_width: widths.presets,
            sections: sections.map(<[u8]>::len),
        };
        let mut out = Vec::with_capacity(header.total_len());
        header.write(&mut out);
        debug_assert_eq!(out.len(), HEADER_LEN);
        for section in sections {
            out.extend_from_slice(section);
        }
        format::seal(&mut out);
        AliasTable::from_bytes(out)
    }

    /// Key `i`'s id and entries.
    fn key(&self, i: usize) -> (&[u8], &[RawEntry]) {
        let (key_start, entries_start) = i
            .checked_sub(1)
            .and_then(|p| self.keys.get(p))
            .map_or((0, 0), |r| (r.key_end, r.entries_end));
        let Some(row) = self.keys.get(i) else {
            return (&[], &[]);
        };
        (
            self.key_bytes
                .get(key_start..row.key_end)
                .unwrap_or_default(),
            self.entries
                .get(entries_start..row.entries_end)
                .unwrap_or_default(),
        )
    }

    /// Splits the names: those used by more than one key (or too long to be inline) go to
    /// the dictionary, each once; the rest are stored in their key's block.
    fn plan_names(&self) -> NamePlan {
        let mut uses = vec![0u8; self.names.strings.len()];
        for entry in &self.entries {
            if let Some(n) = uses.get_mut(entry.name as usize) {
                *n = n.saturating_add(1);
            }
        }
        let mut shared = DictWriter::default();
        let ids = uses
            .iter()
            .enumerate()
            .map(|(id, &n)| {
                let name = self.names.strings.get(id as u64);
                (n > 1 || name.len() >= LONG_NAME).then(|| shared.push(name))
            })
            .collect();
        NamePlan { shared, ids }
    }

    /// Whether `entry`'s name is stored in its key's block.
    fn is_inline(plan: &NamePlan, entry: &RawEntry) -> bool {
        plan.ids
            .get(entry.name as usize)
            .is_some_and(Option::is_none)
    }

    /// The field widths: enough for every shared name id and inline name offset, for every
    /// target id, and for every presets id plus one (none when no alias has presets).
    fn field_widths(&self, plan: &NamePlan) -> Widths {
        let longest_tail = (0..self.keys.len())
            .map(|i| {
                let (_, entries) = self.key(i);
                entries
                    .iter()
                    .filter(|e| TableBuilder::is_inline(plan, e))
                    .map(|e| self.names.strings.get(e.name).len())
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(0);
        let names = (plan.shared.len() as u64).max(longest_tail as u64);
        let targets = self.targets.strings.len() as u64;
        let last_target = format::target_field(targets.saturating_sub(1), true);
        let presets = self.presets.strings.len() as u64;
        Widths {
            name: format::width_for(names.saturating_sub(1)),
            target: format::width_for(last_target),
            presets: if presets == 0 {
                0
            } else {
                format::width_for(presets)
            },
        }
    }

    /// Appends key `i`'s block to `out`; `tail` and `entries` are scratch space.
    fn push_block(
        &self,
        plan: &NamePlan,
        widths: Widths,
        i: usize,
        out: &mut Vec<u8>,
        (tail, entries): (&mut Vec<u8>, &mut Vec<EntryOut>),
    ) {
        let (key, raw) = self.key(i);
        tail.clear();
        entries.clear();
        for e in raw {
            let name = self.names.strings.get(e.name);
            let inline = TableBuilder::is_inline(plan, e);
            let field = match plan.ids.get(e.name as usize).copied().flatten() {
                Some(id) => id,
                None => tail.len() as u64,
            };
            if inline {
                tail.extend_from_slice(name);
            }
            entries.push(EntryOut {
                byte: EntryByte::encode(name.len(), e.prefix, inline),
                name: field,
                target: e.target,
                hidden: e.hidden,
                presets: e.presets,
            });
        }
        format::push_block(out, key, entries, tail, widths);
    }

    /// The directory and blocks sections: each key in the bucket its hash puts it in,
    /// ascending by key id within a bucket, each bucket's header before its blocks. Finds
    /// keys inserted twice (they sort side by side).
    fn buckets(&self, plan: &NamePlan, widths: Widths) -> Result<Buckets, TableError> {
        let count = self
            .keys
            .len()
            .div_ceil(KEYS_PER_BUCKET)
            .max(1)
            .next_power_of_two();
        let mask = count as u64 - 1;
        let mut order: Vec<(u64, u8, usize)> = (0..self.keys.len())
            .map(|i| {
                let (bucket, fingerprint) = format::place(format::key_hash(self.key(i).0), mask);
                (bucket, fingerprint, i)
            })
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.key(a.2).0.cmp(self.key(b.2).0))
        });
        for pair in order.windows(2) {
            if let [(a, _, i), (b, _, j)] = *pair {
                if a == b && self.key(i).0 == self.key(j).0 {
                    return Err(TableError::DuplicateKey {
                        key: show_key(self.key(i).0),
                    });
                }
            }
        }
        // The blocks first, in bucket order, to learn the longest (the length fields' width).
        let mut written = Vec::with_capacity(self.key_bytes.len() + self.entries.len() * 5);
        let mut heads: Vec<(u8, usize)> = Vec::with_capacity(order.len());
        let mut scratch = (Vec::new(), Vec::new());
        for &(_, fingerprint, i) in &order {
            let start = written.len();
            self.push_block(
                plan,
                widths,
                i,
                &mut written,
                (&mut scratch.0, &mut scratch.1),
            );
            heads.push((fingerprint, written.len() - start));
        }
        let longest = heads.iter().map(|&(_, len)| len).max().unwrap_or(0);
        let length_width = format::width_for(longest as u64);
        if length_width > 4 {
            return Err(TableError::TooLarge {
                what: "one key's aliases",
                max: "4 GiB a key",
            });
        }
        // Then each bucket: its header, then its blocks, copied.
        let mut blocks = Vec::with_capacity(written.len() + heads.len() * (2 + length_width));
        let mut starts = Vec::with_capacity(count + 1);
        let (mut key, mut byte) = (0, 0);
        for bucket in 0..count as u64 {
            starts.push(blocks.len() as u64);
            let n = order
                .get(key..)
                .unwrap_or_default()
                .iter()
                .take_while(|k| k.0 == bucket)
                .count();
            let bucket_heads = heads.get(key..key + n).unwrap_or_default();
            let len: usize = bucket_heads.iter().map(|&(_, len)| len).sum();
            let bucket_blocks = written.get(byte..byte + len).unwrap_or_default();
            format::push_bucket(&mut blocks, bucket_heads, bucket_blocks, length_width);
            key += n;
            byte += len;
        }
        starts.push(blocks.len() as u64);
        let offset_width = if blocks.len() <= u32::MAX as usize {
            4
        } else {
            8
        };
        let mut directory = Vec::with_capacity(starts.len() * offset_width);
        for start in starts {
            format::push_uint(&mut directory, start, offset_width);
        }
        Ok(Buckets {
            directory,
            blocks,
            bits: count.trailing_zeros() as u8,
            offset_width,
            length_width,
        })
    }
}

/// What [`TableBuilder::buckets`] writes.
struct Buckets {
    directory: Vec<u8>,
    blocks: Vec<u8>,
    bits: u8,
    offset_width: usize,
    length_width: usize,
}

/// A key id for an error message: as text when it is printable ASCII, else in hex; at most
/// 64 bytes of it either way.
fn show_key(key: &[u8]) -> String {
    let shown = key.get(..64).unwrap_or(key);
    let more = if shown.len() < key.len() { "…" } else { "" };
    if shown.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?}{more}", String::from_utf8_lossy(shown))
    } else {
        let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{hex}{more}")
    }
}

impl AliasTable {
    /// Builds a table from `(key id, rows)` pairs: shorthand for inserting each into a
    /// [`TableBuilder`] with the default limits and building it. The rows may be an
    /// [`AliasSet`](crate::AliasSet) (by reference) or any iterator of [`Row`]s.
    pub fn new<K, I, R>(pairs: impl IntoIterator<Item = (K, I)>) -> Result<AliasTable, TableError>
    where
        K: AsRef<[u8]>,
        I: IntoIterator<Item = R>,
        R: Row,
    {
        let mut builder = TableBuilder::new();
        for (key, rows) in pairs {
            builder.insert(key, rows)?;
        }
        builder.build()
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::indexing_slicing)] // Tests fail by panicking.
mod tests {
    use super::*;

    /// Keys that share a bucket, and even a fingerprint, are told apart by their key
    /// ids: each resolves to its own target, and an absent key finds nothing.
    #[test]
    fn keys_sharing_a_bucket_and_a_fingerprint_all_resolve() {
        let mut builder = TableBuilder::new();
        for k in 0..5_000u32 {
            let target = format!("t-{k}");
            builder
                .insert(k.to_le_bytes(), [("m", target.as_str())])
                .expect("valid rows");
        }
        let table = builder.build().expect("distinct keys");
        let mask = table.layout.bucket_count() - 1;
        let mut places: Vec<(u64, u8)> = (0..5_000u32)
            .map(|k| format::place(format::key_hash(&k.to_le_bytes()), mask))
            .collect();
        places.sort_unstable();
        let shared = places.windows(2).filter(|w| w[0] == w[1]).count();
        assert!(shared > 0, "no two keys share a bucket and a fingerprint");
        for k in 0..5_000u32 {
            let aliases = table.get(k.to_le_bytes()).expect("present");
            assert_eq!(aliases.resolve("m").model(), format!("t-{k}"));
        }
        assert!(table.get(5_000u32.to_le_bytes()).is_none());
        table.verify().expect("a built table verifies");
    }
}
