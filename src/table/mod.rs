//! [`AliasTable`]: every API key's aliases in one immutable, compact byte string that is
//! resolved in place, and its [`TableBuilder`].
//!
//! Invariants: a table is only ever made by [`TableBuilder::build`] or by
//! [`AliasTable::from_bytes`], which checks the header, the sections' bounds and the checksum
//! before it returns; after that no read can go out of bounds (each is checked), no loop can
//! run longer than a count the header bounds, and no string that is not a valid name or
//! target is handed out (each is checked as it is read). Lookups allocate nothing.
//!
//! # Format, version 1
//!
//! All integers are little-endian. A table is a 96-byte header followed by six sections, in
//! this order and without gaps:
//!
//! | Offset | Size | Header field |
//! |---|---|---|
//! | 0 | 8 | magic `MALIAS\r\n` |
//! | 8 | 4 | format version, `1` |
//! | 12 | 4 | flags, `0` (a reader rejects any other value) |
//! | 16 | 8 | checksum: XXH3-64, seed 0, of bytes 24 to the end |
//! | 24 | 8 | the table's total length in bytes |
//! | 32 | 8 | the number of keys |
//! | 40 | 1 | `slot_bits`: the slot table has `2^slot_bits` slots (at most 2^40) |
//! | 41 | 1 | slot width in bytes: 4 or 8 |
//! | 42 | 1 | name field width in bytes: 1 to 4 |
//! | 43 | 1 | target field width in bytes: 1 to 4 |
//! | 44 | 4 | `max_probe`: the longest probe sequence any key needs |
//! | 48 | 6 × 8 | the length of each section, in order |
//!
//! 1. **Slots**: an open-addressing table, `slot width` bytes a slot: 0 for empty, else one
//!    more than the offset of a key's block in the blocks section. A key's home slot is
//!    `key_hash(key) mod 2^slot_bits` (the hash is defined in `format.rs`); linear probing.
//! 2. **Blocks**, one a key: the key id's length (LEB128), its bytes, the number of aliases
//!    (LEB128), the length of the block's tail (LEB128), then one entry an alias in the
//!    user's order, then the tail. An entry is a byte `min(name length, 63) << 2 | inline << 1
//!    | 1 for prefix` (so that a lookup skips most entries without reading their names), the
//!    name field and the target id. The name field is the name's id in the dictionary, or,
//!    for an inline name, its offset in the tail: a name that only this key uses (and that is
//!    under 63 bytes) is stored in the block, where the lookup already is, rather than in the
//!    dictionary.
//! 3. and 4. **Names**: `n + 1` `u32` offsets into the names' bytes, then the bytes. Every
//!    name that more than one key uses, once.
//! 5. and 6. **Targets**: the same, for targets: a target shared by a million keys is stored
//!    once.
//!
//! A reader of version 1 rejects any other version; a change to the layout bumps it.
//!
//! # Why not an FST
//!
//! An `fst` map of `key id ++ name` would be compact too, but its node decoder indexes slices
//! directly and panics on malformed bytes, and a table is meant to be loaded from files that
//! travel: a table forged with a matching checksum must be rejected or read safely, never
//! crash a gateway. Walking a key id through FST nodes also costs a dependent memory access
//! per byte, where the slot table costs one. This format is read by a few dozen lines of
//! bounds-checked code instead, and keeps what made an FST attractive: each shared name and
//! each target is stored once.

mod build;
mod format;

use std::fmt;

use crate::error::TableError;
use crate::{AliasRef, MatchKind, Resolution, Resolve};

pub use self::build::TableBuilder;
use self::format::{Block, LONG_NAME, Layout, Names};
use crate::name::is_name_byte;

/// Every API key's aliases in one immutable byte string, resolved in place: the form to ship
/// one build to every gateway replica, or to hold millions of keys without a map per key.
///
/// Build it with [`TableBuilder`] or [`from_sets`](AliasTable::from_sets) from
/// `(key_id, AliasSet)` pairs, write it out with [`as_bytes`](AliasTable::as_bytes), and load it anywhere with
/// [`from_bytes`](AliasTable::from_bytes), which reads in place from whatever holds the
/// bytes: a `Vec<u8>`, a `&[u8]`, a memory map.
///
/// A **key id** is an opaque byte string chosen by the gateway: a database id
/// (`id.to_be_bytes()` for a `u64`), a UUID, a key's public prefix. Never the secret API key
/// itself: the table is meant to be copied to every replica and its key ids can be listed.
///
/// ```
/// use model_alias::{AliasSet, AliasTable, MatchKind, Rule};
///
/// let team_a = AliasSet::new([("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix)])?;
/// let team_b = AliasSet::new([("fast", "deepseek/deepseek-chat", MatchKind::Exact)])?;
/// let table = AliasTable::from_sets([(7u64.to_be_bytes(), team_a), (9u64.to_be_bytes(), team_b)])?;
///
/// let r = table.resolve(7u64.to_be_bytes(), "claude-opus-4-9");
/// assert_eq!((r.model(), r.rule()), ("anthropic/claude-opus-4-8", Rule::Prefix));
/// // Aliases are per key: key 9 has no "claude-opus", an unknown key has nothing.
/// assert_eq!(table.resolve(9u64.to_be_bytes(), "claude-opus-4-9").rule(), Rule::Passthrough);
/// assert_eq!(table.resolve(1u64.to_be_bytes(), "fast").rule(), Rule::Passthrough);
///
/// // Ship the bytes; load them in place on the other side.
/// let shipped: Vec<u8> = table.to_bytes();
/// let loaded = AliasTable::from_bytes(&shipped[..])?;
/// assert_eq!(loaded.resolve(9u64.to_be_bytes(), "fast").model(), "deepseek/deepseek-chat");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// - [`resolve`](AliasTable::resolve): no allocation, never panics. One hash of the key id,
///   one slot read per probe (the builder keeps probes short: at most half the slots are
///   used), then a scan of that key's entries, each compared against the model by its name's
///   length. O(key id + the key's aliases × name length), whatever the model's length. At a
///   million keys that is a few cache misses: see BENCHMARKS.md.
/// - Memory: the bytes, about 5 to 8 bytes an alias when names come from a shared
///   vocabulary (each distinct name and target is stored once), plus 8 to 16 bytes a key.
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

    /// Checks every structure the checksum covers: both dictionaries, every slot, block and
    /// id. A table written by [`TableBuilder`] always passes; one that passes resolves every
    /// key exactly as its bytes say. O(length); for tables from an untrusted writer.
    pub fn verify(&self) -> Result<(), TableError> {
        self.layout.verify(self.bytes.as_ref())
    }

    /// The table's bytes: what [`from_bytes`](AliasTable::from_bytes) loads.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    /// The table's bytes, copied: what to write to a file or send to replicas (one
    /// allocation of the table's size; [`as_bytes`](AliasTable::as_bytes) borrows them).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// The storage the table reads from.
    pub fn into_inner(self) -> B {
        self.bytes
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        usize::try_from(self.layout.keys).unwrap_or(usize::MAX)
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

    /// Whether the table has an entry for `key` (possibly with no alias).
    pub fn contains_key(&self, key: impl AsRef<[u8]>) -> bool {
        self.block(key.as_ref()).is_some()
    }

    /// Resolves `model` with `key`'s aliases, by the same rules as
    /// [`AliasSet::resolve`](crate::AliasSet::resolve). An unknown key has no alias: every
    /// model passes through.
    ///
    /// No allocation, no panic, whatever `key` and `model` are; see the type's docs for the
    /// cost.
    #[inline]
    pub fn resolve<'a>(&'a self, key: impl AsRef<[u8]>, model: &'a str) -> Resolution<'a> {
        let alias = self
            .block(key.as_ref())
            .and_then(|block| self.find(&block, model));
        Resolution::new(model, alias)
    }

    /// `key`'s aliases in the user's order, or `None` if the table has no such key.
    ///
    /// ```
    /// use model_alias::{AliasSet, AliasTable, MatchKind};
    ///
    /// let set = AliasSet::new([("b", "model-b"), ("a", "model-a")])?;
    /// let table = AliasTable::from_sets([("team-a", set)])?;
    /// let names: Vec<&str> = table.aliases("team-a").into_iter().flatten().map(|a| a.name()).collect();
    /// assert_eq!(names, ["b", "a"]);
    /// assert!(table.aliases("team-z").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aliases(&self, key: impl AsRef<[u8]>) -> Option<Aliases<'_>> {
        let block = self.block(key.as_ref())?;
        Some(Aliases {
            table: self.bytes.as_ref(),
            layout: &self.layout,
            block,
            next: 0,
        })
    }

    /// `key`'s aliases, found once, as a [`Resolve`]r: for code that takes one, such as
    /// [`openai::rewrite_model`](crate::openai::rewrite_model) (feature `openai`), or to
    /// resolve several models for one key.
    ///
    /// ```
    /// use model_alias::{AliasSet, AliasTable, Resolve};
    ///
    /// let table = AliasTable::from_sets([("team-a", AliasSet::new([("fast", "deepseek/deepseek-chat")])?)])?;
    /// let aliases = table.key(b"team-a");
    /// assert_eq!(aliases.resolve("fast").model(), "deepseek/deepseek-chat");
    /// assert!(table.key(b"team-z").is_unknown());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self, key: impl AsRef<[u8]>) -> KeyAliases<'_, B> {
        KeyAliases {
            table: self,
            block: self.block(key.as_ref()),
        }
    }

    /// Every key id, in the table's (hash) order, with its aliases.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Aliases<'_>)> + '_ {
        let table = self.bytes.as_ref();
        let layout = &self.layout;
        let slots = (layout.slot_mask as usize).saturating_add(1);
        (0..slots).filter_map(move |slot| {
            let at = layout.slots + slot * layout.slot_width;
            let value = format::le(table.get(at..at + layout.slot_width)?);
            let block = layout.block_at(table, usize::try_from(value.checked_sub(1)?).ok()?)?;
            let aliases = Aliases {
                table,
                layout,
                block,
                next: 0,
            };
            Some((block.key(table)?, aliases))
        })
    }

    #[inline]
    fn block(&self, key: &[u8]) -> Option<Block> {
        self.layout.find_block(self.bytes.as_ref(), key)
    }

    /// The alias that resolves `model` among `block`'s entries: the first exact alias whose
    /// name equals it, else the longest prefix alias whose name starts it (the first of
    /// that length, should a forged table hold two).
    #[inline]
    fn find<'a>(&'a self, block: &Block, model: &'a str) -> Option<AliasRef<'a>> {
        let table = self.bytes.as_ref();
        let layout = &self.layout;
        let names = Names::new(layout, table, block)?;
        let wanted = model.as_bytes();
        let width = layout.entry_width;
        let mut best: Option<(usize, u64)> = None;
        for chunk in block.entries(table).chunks(64 * width) {
            // First, without a branch per entry (which would mispredict on every other
            // one): the entries whose length byte allows a match. An exact name must be as
            // long as the model, a prefix name no longer; 63 means "63 or more".
            let mut candidates = 0u64;
            for (i, entry) in chunk.chunks_exact(width).enumerate() {
                let len_kind = entry.first().copied().unwrap_or(u8::MAX);
                let len = usize::from(len_kind >> 2);
                let prefix = len_kind & 1 == 1;
                let possible =
                    (len <= wanted.len()) & (prefix | (len == wanted.len()) | (len >= LONG_NAME));
                candidates |= u64::from(possible) << i;
            }
            // Then the few candidates' names.
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let Some(entry) = chunk
                    .get(i * width..(i + 1) * width)
                    .and_then(|e| layout.entry(e))
                else {
                    continue;
                };
                if entry.prefix
                    && entry.len < LONG_NAME
                    && best.is_some_and(|(len, _)| entry.len <= len)
                {
                    continue;
                }
                let Some(name) = names.of(&entry) else {
                    continue;
                };
                // Most candidates differ in their first byte: skip them without a memcmp call.
                if name.first() != wanted.first() || !wanted.starts_with(name) {
                    continue;
                }
                if !entry.prefix {
                    if name.len() == wanted.len() {
                        return self.alias_ref(model, name.len(), entry.target, MatchKind::Exact);
                    }
                } else if best.is_none_or(|(len, _)| name.len() > len) {
                    best = Some((name.len(), entry.target));
                }
            }
        }
        let (len, target) = best?;
        self.alias_ref(model, len, target, MatchKind::Prefix)
    }

    /// The view of a matched alias: its name is the first `len` bytes of `model` (which it
    /// equals), its target comes from the dictionary. `None` if either is not valid text of
    /// its kind, which only a forged table can hold.
    #[inline]
    fn alias_ref<'a>(
        &'a self,
        model: &'a str,
        len: usize,
        target: u64,
        kind: MatchKind,
    ) -> Option<AliasRef<'a>> {
        let table = self.bytes.as_ref();
        let target = self.layout.targets.text(table, target)?;
        let name = format::valid_text(model.as_bytes().get(..len)?, is_name_byte)?;
        Some(AliasRef::from_valid(name, target, kind))
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
/// keys and sets inserted in the same order give the same bytes.
impl<B: AsRef<[u8]>, C: AsRef<[u8]>> PartialEq<AliasTable<C>> for AliasTable<B> {
    fn eq(&self, other: &AliasTable<C>) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<B: AsRef<[u8]>> Eq for AliasTable<B> {}

/// One key's aliases in a table, found once: made by [`AliasTable::key`]. Resolves like
/// [`AliasTable::resolve`] for that key; an unknown key resolves every model as passthrough.
pub struct KeyAliases<'t, B> {
    table: &'t AliasTable<B>,
    block: Option<Block>,
}

impl<'t, B: AsRef<[u8]>> KeyAliases<'t, B> {
    /// Whether the table has no such key.
    pub fn is_unknown(&self) -> bool {
        self.block.is_none()
    }

    /// The key's aliases in the user's order (none for an unknown key).
    pub fn aliases(&self) -> Aliases<'t> {
        Aliases {
            table: self.table.bytes.as_ref(),
            layout: &self.table.layout,
            block: self.block.unwrap_or_default(),
            next: 0,
        }
    }
}

impl<B: AsRef<[u8]>> Resolve for KeyAliases<'_, B> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        let alias = self.block.as_ref().and_then(|b| self.table.find(b, model));
        Resolution::new(model, alias)
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for KeyAliases<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.aliases()).finish()
    }
}

/// One key's aliases in a table, in the user's order, as [`AliasRef`]s borrowed from it.
///
/// Made by [`AliasTable::aliases`]. Allocates nothing.
#[derive(Debug, Clone)]
pub struct Aliases<'a> {
    table: &'a [u8],
    layout: &'a Layout,
    block: Block,
    next: usize,
}

impl<'a> Iterator for Aliases<'a> {
    type Item = AliasRef<'a>;

    fn next(&mut self) -> Option<AliasRef<'a>> {
        let width = self.layout.entry_width;
        let at = self.next.checked_mul(width)?;
        let field = self
            .block
            .entries(self.table)
            .get(at..at.checked_add(width)?)?;
        self.next += 1;
        let entry = self.layout.entry(field)?;
        let names = Names::new(self.layout, self.table, &self.block)?;
        let name = format::valid_text(names.of(&entry)?, is_name_byte)?;
        let target = self.layout.targets.text(self.table, entry.target)?;
        let kind = if entry.prefix {
            MatchKind::Prefix
        } else {
            MatchKind::Exact
        };
        Some(AliasRef::from_valid(name, target, kind))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.block.count.saturating_sub(self.next)))
    }
}
