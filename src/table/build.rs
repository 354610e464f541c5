//! [`TableBuilder`]: collects `(key id, AliasSet)` pairs and writes an [`AliasTable`].
//!
//! Invariants of the output: every key is in exactly one block, reachable from its home slot
//! within `max_probe` probes; at most half the slots are used; every name and target id in a
//! block is below its dictionary's count; the bytes are the same for the same inserts in the
//! same order (the builder is deterministic, so two builds can be compared byte for byte).

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;

use foldhash::fast::RandomState as FoldState;

use super::AliasTable;
use super::format::{self, HEADER_LEN, LONG_NAME, Layout, MAGIC, SECTIONS, VERSION, at};
use crate::error::TableError;
use crate::{AliasSet, MatchKind};

/// The largest name or target id a 4-byte field holds.
const MAX_FIELD: u64 = u32::MAX as u64;

/// Builds an [`AliasTable`] from `(key id, AliasSet)` pairs.
///
/// ```
/// use model_alias::{AliasSet, TableBuilder};
///
/// let mut builder = TableBuilder::new();
/// builder.insert("team-a", &AliasSet::new([("fast", "deepseek/deepseek-chat")])?);
/// builder.insert("team-b", &AliasSet::new([("fast", "openai/gpt-4o-mini")])?);
/// let table = builder.build()?;
/// assert_eq!(table.resolve("team-b", "fast").model(), "openai/gpt-4o-mini");
/// assert_eq!(table.distinct(), (1, 2)); // "fast" is stored once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// Inserting is O(the set's bytes): each name and target is looked up in a hash map and
/// stored the first time it is seen. Building is O(keys + aliases) plus the checksum; it holds
/// the inserted pairs (a few words an alias) and the output at once.
#[derive(Debug, Clone, Default)]
pub struct TableBuilder {
    /// Every key id's bytes, concatenated; `keys[i]` ends at `key_ends[i]`.
    key_bytes: Vec<u8>,
    keys: Vec<KeyRow>,
    /// `(length-and-kind byte, name_id, target_id)` for every alias, key after key (the
    /// inline bit is set when the table is written).
    entries: Vec<(u8, u64, u64)>,
    names: Dictionary,
    targets: Dictionary,
}

#[derive(Debug, Clone, Copy)]
struct KeyRow {
    key_end: usize,
    entries_end: usize,
}

/// Strings laid end to end; the `i`th ends at `ends[i]`.
#[derive(Debug, Clone, Default)]
struct Strings {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, s: &[u8]) -> u64 {
        self.bytes.extend_from_slice(s);
        self.ends.push(self.bytes.len());
        self.ends.len() as u64 - 1
    }

    fn get(&self, id: usize) -> &[u8] {
        let start = id.checked_sub(1).and_then(|p| self.ends.get(p)).copied();
        let end = self.ends.get(id).copied().unwrap_or_default();
        self.bytes.get(start.unwrap_or(0)..end).unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The offsets section (`count + 1` u32s) and the bytes section.
    fn sections(&self, what: &'static str) -> Result<(Vec<u8>, &[u8]), TableError> {
        if self.bytes.len() as u64 > MAX_FIELD {
            return Err(TableError::TooLarge {
                what,
                max: "4 GiB of distinct strings",
            });
        }
        let mut offsets = Vec::with_capacity(4 * (self.ends.len() + 1));
        for end in std::iter::once(0).chain(self.ends.iter().copied()) {
            format::push_uint(&mut offsets, end as u64, 4);
        }
        Ok((offsets, &self.bytes))
    }
}

/// Distinct strings, each stored once, numbered in order of first appearance.
#[derive(Debug, Clone, Default)]
struct Dictionary {
    ids: HashMap<Box<str>, u64, FoldState>,
    strings: Strings,
}

impl Dictionary {
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
    shared: Strings,
    /// For each interned name, its id among the shared ones, or `None` to store it inline.
    ids: Vec<Option<u64>>,
}

impl TableBuilder {
    /// An empty builder.
    pub fn new() -> TableBuilder {
        TableBuilder::default()
    }

    /// Adds `key`'s aliases. A key inserted twice makes [`build`](TableBuilder::build) fail.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, set: &AliasSet) -> &mut TableBuilder {
        self.key_bytes.extend_from_slice(key.as_ref());
        for alias in set {
            let name = alias.name().as_str();
            let len_kind = (name.len().min(LONG_NAME) as u8) << 2
                | u8::from(alias.kind() == MatchKind::Prefix);
            let name = self.names.intern(name);
            let target = self.targets.intern(alias.target().as_str());
            self.entries.push((len_kind, name, target));
        }
        self.keys.push(KeyRow {
            key_end: self.key_bytes.len(),
            entries_end: self.entries.len(),
        });
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
    /// the format's limits ([`TableError::TooLarge`]: 2^32 distinct names or targets,
    /// 4 GiB of either's text).
    pub fn build(&self) -> Result<AliasTable, TableError> {
        let plan = self.plan_names();
        let name_ids = plan.shared.len() as u64;
        let target_ids = self.targets.strings.len() as u64;
        if name_ids > MAX_FIELD || target_ids > MAX_FIELD {
            return Err(TableError::TooLarge {
                what: "distinct names or targets",
                max: "2^32 of each",
            });
        }
        let (blocks, starts, name_width, target_width) = self.blocks(&plan, target_ids);
        let slot_width = if blocks.len() < u32::MAX as usize {
            4
        } else {
            8
        };
        let (slots, slot_bits, max_probe) = self.slots(&starts, slot_width)?;
        let (name_offsets, names) = plan.shared.sections("alias names")?;
        let (target_offsets, targets) = self.targets.strings.sections("targets")?;
        let sections: [&[u8]; SECTIONS] = [
            &slots,
            &blocks,
            &name_offsets,
            names,
            &target_offsets,
            targets,
        ];
        let total = HEADER_LEN + sections.iter().map(|s| s.len()).sum::<usize>();

        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&MAGIC);
        format::push_uint(&mut out, u64::from(VERSION), 4);
        format::push_uint(&mut out, 0, 4); // flags
        format::push_uint(&mut out, 0, 8); // checksum, filled in below
        format::push_uint(&mut out, total as u64, 8);
        format::push_uint(&mut out, self.keys.len() as u64, 8);
        out.extend([
            slot_bits,
            slot_width as u8,
            name_width as u8,
            target_width as u8,
        ]);
        format::push_uint(&mut out, max_probe, 4);
        for section in sections {
            format::push_uint(&mut out, section.len() as u64, 8);
        }
        debug_assert_eq!(out.len(), HEADER_LEN);
        for section in sections {
            out.extend_from_slice(section);
        }
        let sum = format::checksum(&out).to_le_bytes();
        if let Some(field) = out.get_mut(at::CHECKSUM..at::CHECKSUM + 8) {
            field.copy_from_slice(&sum);
        }
        let layout = Layout::parse_checked(&out)?;
        Ok(AliasTable { bytes: out, layout })
    }

    /// Splits the names: those used by more than one key (or too long to be inline) go to
    /// the dictionary, each once; the rest are stored in their key's block.
    fn plan_names(&self) -> NamePlan {
        let mut uses = vec![0u8; self.names.strings.len()];
        for &(_, name, _) in &self.entries {
            if let Some(n) = uses.get_mut(name as usize) {
                *n = n.saturating_add(1);
            }
        }
        let mut shared = Strings::default();
        let ids = uses
            .iter()
            .enumerate()
            .map(|(id, &n)| {
                let name = self.names.strings.get(id);
                (n > 1 || name.len() >= LONG_NAME).then(|| shared.push(name))
            })
            .collect();
        NamePlan { shared, ids }
    }

    /// The blocks section, where each key's block starts in it, and the two field widths.
    fn blocks(&self, plan: &NamePlan, target_ids: u64) -> (Vec<u8>, Vec<usize>, usize, usize) {
        let keys = || {
            let mut start = (0, 0);
            self.keys.iter().map(move |row| {
                let key = self.key_bytes.get(start.0..row.key_end).unwrap_or_default();
                let entries = self
                    .entries
                    .get(start.1..row.entries_end)
                    .unwrap_or_default();
                start = (row.key_end, row.entries_end);
                (key, entries)
            })
        };
        let inline_len = |entries: &[(u8, u64, u64)]| -> usize {
            entries
                .iter()
                .filter(|e| plan.ids.get(e.1 as usize).is_some_and(Option::is_none))
                .map(|e| self.names.strings.get(e.1 as usize).len())
                .sum()
        };
        let longest_tail = keys().map(|(_, e)| inline_len(e)).max().unwrap_or(0);
        let name_width = format::width_for(
            (plan.shared.len() as u64)
                .max(longest_tail as u64)
                .saturating_sub(1),
        );
        let target_width = format::width_for(target_ids.saturating_sub(1));

        let mut out = Vec::with_capacity(
            self.key_bytes.len()
                + self.keys.len() * 4
                + self.entries.len() * (1 + name_width + target_width),
        );
        let mut starts = Vec::with_capacity(self.keys.len());
        let mut tail = Vec::new();
        for (key, entries) in keys() {
            starts.push(out.len());
            format::push_varint(&mut out, key.len() as u64);
            out.extend_from_slice(key);
            format::push_varint(&mut out, entries.len() as u64);
            format::push_varint(&mut out, inline_len(entries) as u64);
            tail.clear();
            for &(len_kind, name, target) in entries {
                let (inline, field) = match plan.ids.get(name as usize).copied().flatten() {
                    Some(id) => (0, id),
                    None => {
                        let offset = tail.len() as u64;
                        tail.extend_from_slice(self.names.strings.get(name as usize));
                        (2, offset)
                    }
                };
                out.push(len_kind | inline);
                format::push_uint(&mut out, field, name_width);
                format::push_uint(&mut out, target, target_width);
            }
            out.extend_from_slice(&tail);
        }
        (out, starts, name_width, target_width)
    }

    /// The slot table (twice as many slots as keys, rounded up to a power of two), its
    /// `log2` size and the longest probe sequence. Finds keys inserted twice.
    fn slots(&self, starts: &[usize], width: usize) -> Result<(Vec<u8>, u8, u64), TableError> {
        let count = (self.keys.len() * 2).max(1).next_power_of_two();
        let mask = count as u64 - 1;
        // Which key sits in each slot, while placing them; written out as block offsets.
        let mut placed: Vec<Option<usize>> = vec![None; count];
        let mut max_probe = 0u64;
        let key = |i: usize| {
            let start = i
                .checked_sub(1)
                .and_then(|p| self.keys.get(p))
                .map_or(0, |r| r.key_end);
            let end = self.keys.get(i).map_or(start, |r| r.key_end);
            self.key_bytes.get(start..end).unwrap_or_default()
        };
        for i in 0..self.keys.len() {
            let home = format::key_hash(key(i));
            for probe in 0.. {
                let slot = (home.wrapping_add(probe) & mask) as usize;
                let Some(cell) = placed.get_mut(slot) else {
                    break;
                };
                match *cell {
                    None => {
                        *cell = Some(i);
                        max_probe = max_probe.max(probe);
                        break;
                    }
                    Some(other) if key(other) == key(i) => {
                        return Err(TableError::DuplicateKey {
                            key: show_key(key(i)),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        let mut out = Vec::with_capacity(count * width);
        for cell in placed {
            let value = cell
                .and_then(|i| starts.get(i))
                .map_or(0, |&start| start as u64 + 1);
            format::push_uint(&mut out, value, width);
        }
        Ok((out, count.trailing_zeros() as u8, max_probe))
    }
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

impl<K: AsRef<[u8]>, S: std::borrow::Borrow<AliasSet>> Extend<(K, S)> for TableBuilder {
    fn extend<I: IntoIterator<Item = (K, S)>>(&mut self, pairs: I) {
        for (key, set) in pairs {
            self.insert(key, set.borrow());
        }
    }
}

impl<K: AsRef<[u8]>, S: std::borrow::Borrow<AliasSet>> FromIterator<(K, S)> for TableBuilder {
    fn from_iter<I: IntoIterator<Item = (K, S)>>(pairs: I) -> TableBuilder {
        let mut builder = TableBuilder::new();
        builder.extend(pairs);
        builder
    }
}

impl AliasTable {
    /// Builds a table from `(key id, set)` pairs: shorthand for collecting them into a
    /// [`TableBuilder`] and building it.
    pub fn from_sets<K, S>(
        pairs: impl IntoIterator<Item = (K, S)>,
    ) -> Result<AliasTable, TableError>
    where
        K: AsRef<[u8]>,
        S: std::borrow::Borrow<AliasSet>,
    {
        pairs.into_iter().collect::<TableBuilder>().build()
    }
}
