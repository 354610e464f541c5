//! [`AliasTable`]: every API key's aliases in one immutable, compact byte string that is
//! resolved in place, and its [`TableBuilder`].
//!
//! Invariants:
//! 1. a table is only ever made by [`AliasTable::from_bytes`] (which [`TableBuilder::build`]
//!    ends with), which checks the header, the sections' bounds and the checksum before it
//!    returns;
//! 2. after that no read can go out of bounds (each is checked), no loop can run longer than
//!    a count the header bounds, and no string that is not a valid name or target is handed
//!    out (each is checked as it is read);
//! 3. lookups allocate nothing;
//! 4. the bytes are written and read only through the codec in `format/`, whose format is
//!    held by committed fixtures (`tests/fixtures/table-v4.bin`, `key-hash-v1.txt`).
//!
//! # Format
//!
//! A table's bytes are a 112-byte header (magic `MALIAS\r\n`, version 4, flags, an XXH3-64
//! checksum of the rest) followed by a bucket directory, the keys' blocks, and dictionaries
//! of the names and targets that more than one key uses and of the presets. The byte-level specification, and
//! the codec that is its only writer and reader, is `src/table/format/mod.rs` in the
//! repository; committed fixtures hold it. A reader of version 4 rejects any other version,
//! naming it ([`TableError::UnsupportedVersion`]); a table of another version is rebuilt from
//! its source.
//!
//! # Why not an FST
//!
//! An `fst` map of `key id ++ name` would be compact too, but its node decoder indexes slices
//! directly and panics on malformed bytes, and a table is meant to be loaded from files that
//! travel: a table forged with a matching checksum must be rejected or read safely, never
//! crash a gateway. Walking a key id through FST nodes also costs a dependent memory access
//! per byte, where the directory costs one. This format is read by a few dozen lines of
//! bounds-checked code instead, and keeps what made an FST attractive: each shared name and
//! each target is stored once.

mod build;
mod format;

use std::fmt;

use crate::error::TableError;
use crate::fold;
use crate::name::is_name_byte;
use crate::{AliasRef, MatchKind, Resolution, Resolve};

pub use self::build::TableBuilder;
use self::format::{Block, Entry, EntryByte, LONG_NAME, Layout, Names};

/// Every API key's aliases in one immutable byte string, resolved in place: the form to ship
/// one build to every gateway replica, or to hold millions of keys without a map per key.
///
/// Build it with [`AliasTable::new`] from `(key id, rows)` pairs or key by key with a
/// [`TableBuilder`]; ship its [`as_bytes`](AliasTable::as_bytes); load them anywhere with
/// [`from_bytes`](AliasTable::from_bytes), which reads in place from whatever holds the bytes:
/// a `Vec<u8>`, a `&[u8]`, a memory map. [`get`](AliasTable::get) finds a key's aliases, which
/// resolve like an [`AliasSet`](crate::AliasSet).
///
/// A **key id** is an opaque byte string chosen by the gateway: a database id
/// (`id.to_be_bytes()` for a `u64`), a UUID, a key's public prefix. Never the secret API key
/// itself: the table is meant to be copied to every replica and its key ids can be listed.
///
/// ```
/// use model_alias::{AliasSet, AliasTable, MatchKind, Resolve, Rule};
///
/// let team_a = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let team_b = AliasSet::new([("fast", "deepseek/deepseek-chat", MatchKind::Exact)])?;
/// let table = AliasTable::new([(7u64.to_be_bytes(), &team_a), (9u64.to_be_bytes(), &team_b)])?;
///
/// let team_7 = table.get(7u64.to_be_bytes());
/// let r = team_7.resolve("claude-opus-4-9");
/// assert_eq!(r.model(), "anthropic/claude-opus-4-8");
/// assert_eq!(r.rule(), Rule::Prefix);
/// // Aliases are per key: key 9 has no "claude-opus"; an unknown key has none at all.
/// assert_eq!(table.get(9u64.to_be_bytes()).resolve("claude-opus-4-9").rule(), Rule::Passthrough);
/// assert!(table.get(1u64.to_be_bytes()).is_none());
///
/// // Ship the bytes; load them in place on the other side.
/// let shipped: &[u8] = table.as_bytes();
/// let loaded = AliasTable::from_bytes(shipped)?;
/// assert_eq!(loaded.get(9u64.to_be_bytes()).resolve("fast").model(), "deepseek/deepseek-chat");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// - [`get`](AliasTable::get) then [`resolve`](KeyAliases::resolve): no allocation, never
///   panics (case folding included: a folding table folds each candidate's bytes as it
///   compares them). One hash of the key id, one directory read, the key's bucket header (a
///   few bytes a key, about four keys a bucket), then the key's block alone, and a scan of
///   its entries, each compared against the model by its name's length. O(key id + the key's
///   aliases × name length), whatever the model's length. At a million keys that is one wait
///   on memory for the bucket's lines, which are read together, plus the directory's: see
///   BENCHMARKS.md.
/// - Memory: the bytes: each distinct shared name and each target stored once, a key's own
///   names in its block, and about four bytes a key for the directory and bucket headers.
///   BENCHMARKS.md has the measured bytes an alias at a million keys.
/// - [`from_bytes`](AliasTable::from_bytes): O(length) for the checksum (XXH3, several GB/s)
///   plus O(distinct names and targets); no copy, no allocation.
#[derive(Clone)]
pub struct AliasTable<B = Vec<u8>> {
    bytes: B,
    layout: Layout,
}

impl<B: AsRef<[u8]>> AliasTable<B> {
    /// Loads a table from bytes written by [`as_bytes`](AliasTable::as_bytes), in place.
    ///
    /// Checks the magic, the version, the length, the sections' bounds and the checksum,
    /// which catches any truncation or corruption, and the shared name and target
    /// dictionaries; no byte string, however made, can make this or a later lookup panic,
    /// hang or allocate, and each is rejected with a [`TableError`] that says what is wrong.
    ///
    /// Cost: one pass over the bytes for the checksum (memory-bound, see BENCHMARKS.md) and
    /// one over the dictionaries; no copy, no allocation, no per-key work.
    ///
    /// The structure inside the checksum is checked as lookups read it: a table made by hand
    /// with a matching checksum but impossible contents (an id out of range, a bad byte in a
    /// name) cannot crash a lookup, which treats such an entry as absent; call
    /// [`verify`](AliasTable::verify) to reject such a table up front.
    pub fn from_bytes(bytes: B) -> Result<AliasTable<B>, TableError> {
        let layout = Layout::parse(bytes.as_ref())?;
        Ok(AliasTable { bytes, layout })
    }

    /// Checks every structure the checksum covers: both dictionaries, the directory, every
    /// bucket, block and id. A table written by [`TableBuilder`] always passes; one that passes resolves every
    /// key exactly as its bytes say. O(length); for tables from an untrusted writer.
    ///
    /// ```
    /// use model_alias::AliasTable;
    ///
    /// let table = AliasTable::new([("team-a", [("fast", "deepseek/deepseek-chat")])])?;
    /// let loaded = AliasTable::from_bytes(table.as_bytes())?;
    /// loaded.verify()?;
    /// # Ok::<(), model_alias::TableError>(())
    /// ```
    pub fn verify(&self) -> Result<(), TableError> {
        let table = self.bytes.as_ref();
        self.layout.names.verify(table, is_name_byte, "names")?;
        let is_target_byte = crate::target::is_target_byte;
        self.layout
            .targets
            .verify(table, is_target_byte, "targets")?;
        self.layout.verify(table)
    }

    /// The table's bytes: what [`from_bytes`](AliasTable::from_bytes) loads.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    /// The storage the table reads from (for a built table, the `Vec<u8>` of its bytes).
    pub fn into_inner(self) -> B {
        self.bytes
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        usize::try_from(self.layout.keys).unwrap_or(usize::MAX)
    }

    /// Whether every key matches models with ASCII case folded (see
    /// [`TableBuilder::ignore_case`]).
    pub fn ignores_case(&self) -> bool {
        self.layout.ignore_case
    }

    /// Whether the table has no key.
    pub fn is_empty(&self) -> bool {
        self.layout.keys == 0
    }

    /// The number of names in the shared dictionary (those more than one key uses; the
    /// others are stored with their key) and of distinct targets.
    pub fn distinct(&self) -> (usize, usize) {
        (self.layout.names.count, self.layout.targets.count)
    }

    /// `key`'s aliases, or `None` if the table has no such key (resolve `None` and every model
    /// passes through: [`Resolve`] is implemented for `Option`).
    ///
    /// No allocation, no panic, whatever `key` is: one hash, one directory read and a bucket's
    /// header.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<KeyAliases<'_>> {
        let table = self.bytes.as_ref();
        let block = self.layout.find_block(table, key.as_ref())?;
        Some(KeyAliases {
            table,
            layout: &self.layout,
            block,
        })
    }

    /// Every key's aliases, in the table's order (by bucket, then key id).
    pub fn iter(&self) -> impl Iterator<Item = KeyAliases<'_>> + '_ {
        let table = self.bytes.as_ref();
        let layout = &self.layout;
        layout.all_blocks(table).map(move |block| KeyAliases {
            table,
            layout,
            block,
        })
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for AliasTable<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (names, targets) = self.distinct();
        f.debug_struct("AliasTable")
            .field("keys", &self.len())
            .field("names", &names)
            .field("targets", &targets)
            .field("bytes", &self.as_bytes().len())
            .finish()
    }
}

/// Two tables are equal when their bytes are: the builder is deterministic, so the same
/// keys and rows inserted in the same order give the same bytes.
impl<B: AsRef<[u8]>, C: AsRef<[u8]>> PartialEq<AliasTable<C>> for AliasTable<B> {
    fn eq(&self, other: &AliasTable<C>) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<B: AsRef<[u8]>> Eq for AliasTable<B> {}

/// One key's aliases in an [`AliasTable`], found once by [`AliasTable::get`]: resolves like an
/// [`AliasSet`](crate::AliasSet) and lists its aliases, borrowed from the table's bytes.
///
/// ```
/// use model_alias::{AliasTable, MatchKind};
///
/// let table = AliasTable::new([("team-a", [("b", "model-b", MatchKind::Exact), ("a", "model-a", MatchKind::Prefix)])])?;
/// let aliases = table.get("team-a").expect("a known key");
/// assert_eq!(aliases.key(), b"team-a");
/// assert_eq!(aliases.resolve("a-1").model(), "model-a");
/// let names: Vec<&str> = aliases.iter().map(|a| a.name()).collect();
/// assert_eq!(names, ["b", "a"], "the user's order");
/// # Ok::<(), model_alias::TableError>(())
/// ```
///
/// Costs: `Copy`, three words; [`resolve`](KeyAliases::resolve) as the table's docs say;
/// [`iter`](KeyAliases::iter) allocates nothing.
#[derive(Clone, Copy)]
pub struct KeyAliases<'t> {
    table: &'t [u8],
    layout: &'t Layout,
    block: Block,
}

impl<'t> KeyAliases<'t> {
    /// The key id.
    pub fn key(&self) -> &'t [u8] {
        self.block.key(self.table).unwrap_or_default()
    }

    /// The number of aliases.
    pub fn len(&self) -> usize {
        self.block.count
    }

    /// Whether the key has no alias.
    pub fn is_empty(&self) -> bool {
        self.block.count == 0
    }

    /// The aliases, in the user's order.
    pub fn iter(&self) -> impl Iterator<Item = AliasRef<'t>> + Clone + 't {
        let this = *self;
        (0..self.block.count).filter_map(move |i| this.alias(i))
    }

    /// Resolves `model` with this key's aliases, by the same rules as
    /// [`AliasSet::resolve`](crate::AliasSet::resolve): byte-exact, or with the model's ASCII
    /// case folded if the table was built with [`TableBuilder::ignore_case`].
    ///
    /// No allocation, no panic, whatever `model` is; see [`AliasTable`] for the cost.
    ///
    /// The resolution borrows the table, not this view, so it outlives a temporary view:
    /// `table.get(key)?.resolve(model)` can be kept.
    #[inline]
    pub fn resolve<'a>(&self, model: &'a str) -> Resolution<'a>
    where
        't: 'a,
    {
        Resolution::new(model, self.find(model))
    }

    /// The `i`th alias, its strings checked as they are read (see [`matched`](Self::matched)).
    fn alias(&self, i: usize) -> Option<AliasRef<'t>> {
        let entry = self
            .layout
            .entry(self.block.entries(self.table), self.block.count, i)?;
        let names = Names::new(self.layout, self.table, &self.block)?;
        self.matched(names.of(&entry)?, entry)
    }

    /// The alias that resolves `model`: the first exact alias whose name equals it, else the
    /// longest prefix alias whose name starts it (the first of that length, should a forged
    /// table hold two). Byte for byte, or with the model's ASCII folded if the table says so.
    #[inline]
    fn find<'a>(&self, model: &'a str) -> Option<AliasRef<'a>>
    where
        't: 'a,
    {
        if self.layout.ignore_case {
            let (name, entry) = self.find_by(model.as_bytes(), fold::starts_with)?;
            self.matched(name, entry)
        } else {
            // Most candidates differ in their first byte: skip them without a memcmp call.
            let (name, entry) = self.find_by(model.as_bytes(), |model, name| {
                name.first() == model.first() && model.starts_with(name)
            })?;
            // The name's bytes are the model's first bytes: take them from the model, which is
            // text already, rather than checking them as UTF-8 again. Those of a name stored in
            // a block are checked to be name bytes (the dictionary's were, at load).
            if entry.inline && !name.iter().all(|&b| is_name_byte(b)) {
                return None;
            }
            self.alias_ref(model.get(..name.len())?, entry)
        }
    }

    /// [`find`](KeyAliases::find), with `starts(model, name)` saying whether a name starts
    /// the model. Inlined into each caller, so each comparison compiles into its own loop.
    #[inline(always)]
    fn find_by(
        &self,
        wanted: &[u8],
        starts: impl Fn(&[u8], &[u8]) -> bool,
    ) -> Option<(&'t [u8], Entry)> {
        let names = Names::new(self.layout, self.table, &self.block)?;
        let entries = self.block.entries(self.table);
        let bytes = entries.get(..self.block.count).unwrap_or_default();
        let mut best: Option<(&'t [u8], Entry)> = None;
        for (chunk_index, chunk) in bytes.chunks(64).enumerate() {
            let mut candidates = EntryByte::candidates(chunk, wanted.len());
            // Then the few candidates' names.
            while candidates != 0 {
                let i = chunk_index * 64 + candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let Some(entry) = self.layout.entry(entries, self.block.count, i) else {
                    continue;
                };
                let shorter = best.is_some_and(|(name, _)| entry.len <= name.len());
                if entry.prefix && entry.len < LONG_NAME && shorter {
                    continue;
                }
                let Some(name) = names.of(&entry) else {
                    continue;
                };
                if !starts(wanted, name) {
                    continue;
                }
                if !entry.prefix {
                    if name.len() == wanted.len() {
                        return Some((name, entry));
                    }
                } else if best.is_none_or(|(longest, _)| name.len() > longest.len()) {
                    best = Some((name, entry));
                }
            }
        }
        best
    }

    /// The view of an entry whose name is `name`, its name and target read from the table:
    /// the listed alias or the matched one. `None` if either is not valid text of its kind,
    /// which only a forged table can hold.
    #[inline]
    fn matched(&self, name: &'t [u8], entry: Entry) -> Option<AliasRef<'t>> {
        self.alias_ref(format::valid_text(name, is_name_byte)?, entry)
    }

    /// The view of an entry whose name, checked, is `name`: its target read from the table.
    #[inline]
    fn alias_ref<'a>(&self, name: &'a str, entry: Entry) -> Option<AliasRef<'a>>
    where
        't: 'a,
    {
        let target = self.layout.targets.text(self.table, entry.target)?;
        let presets = self.layout.presets(self.table, &self.block, entry.index)?;
        Some(AliasRef::from_valid(
            name,
            target,
            kind(entry.prefix),
            entry.hidden,
            presets,
        ))
    }
}

fn kind(prefix: bool) -> MatchKind {
    if prefix {
        MatchKind::Prefix
    } else {
        MatchKind::Exact
    }
}

impl Resolve for KeyAliases<'_> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        KeyAliases::resolve(self, model)
    }
}

impl fmt::Debug for KeyAliases<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyAliases")
            .field("key", &self.key())
            .field("aliases", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}
