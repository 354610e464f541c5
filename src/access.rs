//! Model access: [`AllowList`], the models an API key may use, checked on the model a request
//! resolves to, so that an alias can never reach a model its key may not use.
//!
//! An entry is an exact model id (`deepseek/deepseek-chat`) or a prefix ending in `*`
//! (`openai/*`), validated like an alias's target: visible ASCII, at most 256 bytes, a `*`
//! only as the last byte and never alone. Matching is byte for byte: a list that allows
//! `openai/gpt-4o` does not allow `OpenAI/GPT-4o`, whatever case folding the aliases use
//! (a refusal is the safe side of a provider's own spelling rules).
//!
//! Invariants:
//! 1. a model is allowed exactly when an exact entry equals it or a prefix entry's text before
//!    the `*` begins it (tested against that sentence, written as a loop over the entries);
//! 2. a list holds at most [`AllowList::MAX_ENTRIES`] entries, none repeated;
//! 3. [`AllowList::allows`] allocates nothing and hashes the model once per distinct prefix
//!    length, whatever the number of entries.
//!
//! ```
//! use model_alias::access::{AllowList, Coverage};
//!
//! let allow = AllowList::new(["openai/*", "deepseek/deepseek-chat"])?;
//! assert!(allow.allows("openai/gpt-4o"));
//! assert!(!allow.allows("anthropic/claude-opus-4-8"));
//! // What an alias's target can reach: all of it, part of it, or nothing.
//! assert_eq!(allow.coverage("deepseek/deepseek-chat"), Coverage::Full);
//! assert_eq!(allow.coverage("deepseek/*"), Coverage::Partial);
//! assert_eq!(allow.coverage("anthropic/*"), Coverage::None);
//! # Ok::<(), model_alias::error::AllowError>(())
//! ```
//!
//! Resource usage: the entries once each, in two hash sets, and the distinct prefix lengths.

use std::collections::HashSet;
use std::fmt;

use foldhash::fast::FixedState;

use crate::Limits;
use crate::error::AllowError;
use crate::target::{is_target_byte, misplaced_star};
use crate::text::{self, Flaw};

type Set = HashSet<Box<[u8]>, FixedState>;

/// The models an API key may use: exact ids and `prefix*` entries (see the [module](self)).
#[derive(Clone)]
pub struct AllowList {
    /// The entries as written, in order.
    entries: Vec<Box<str>>,
    exact: Set,
    /// Prefix entries without their `*`.
    prefixes: Set,
    /// The distinct lengths of `prefixes`, ascending.
    lengths: Vec<usize>,
}

/// How much of what an alias's target can resolve to an [`AllowList`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coverage {
    /// Every model the target can resolve to.
    Full,
    /// Some of them: a carried target (`openai/*`) of which the list allows a part.
    Partial,
    /// None of them: requests through the alias are always refused.
    None,
}

impl AllowList {
    /// The most entries a list may hold; prefixes (`openai/*`) cover families of models.
    pub const MAX_ENTRIES: usize = 1_024;

    /// Validates `entries` (see the [module](self)); the first problem is the error, naming the
    /// entry by its 1-based position.
    ///
    /// Cost: one pass over each entry and two allocations an entry.
    pub fn new<I>(entries: I) -> Result<AllowList, AllowError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut list = AllowList {
            entries: Vec::new(),
            exact: Set::default(),
            prefixes: Set::default(),
            lengths: Vec::new(),
        };
        for (index, entry) in entries.into_iter().enumerate() {
            let (entry, number) = (entry.as_ref(), index + 1);
            if number > AllowList::MAX_ENTRIES {
                return Err(AllowError::TooMany {
                    max: AllowList::MAX_ENTRIES,
                });
            }
            check(entry, number)?;
            let (set, key) = match entry.strip_suffix('*') {
                Some(stem) => (&mut list.prefixes, stem),
                None => (&mut list.exact, entry),
            };
            if !set.insert(key.as_bytes().into()) {
                let first = list.entries.iter().position(|e| **e == *entry);
                return Err(AllowError::Repeated {
                    entry: number,
                    first: first.map_or(0, |i| i + 1),
                    text: text::excerpt(entry),
                });
            }
            if key.len() != entry.len() {
                if let Err(at) = list.lengths.binary_search(&key.len()) {
                    list.lengths.insert(at, key.len());
                }
            }
            list.entries.push(entry.into());
        }
        Ok(list)
    }

    /// Whether `model` may be used (invariant 1).
    ///
    /// Cost: one hash lookup for the exact entries and one per distinct prefix length no
    /// longer than `model`; no allocation.
    pub fn allows(&self, model: &str) -> bool {
        let model = model.as_bytes();
        self.exact.contains(model) || self.has_prefix_of(model)
    }

    /// Whether a prefix entry begins `text`.
    fn has_prefix_of(&self, text: &[u8]) -> bool {
        self.lengths
            .iter()
            .map_while(|&len| text.get(..len))
            .any(|head| self.prefixes.contains(head))
    }

    /// How much of what `target` (an alias's target as written) can resolve to is allowed.
    /// A target without a `*` resolves to itself; a carried one (`openai/*`) to its text
    /// before the `*` followed by anything.
    ///
    /// Cost: for a carried target, a pass over the entries.
    pub fn coverage(&self, target: &str) -> Coverage {
        let Some(stem) = target.strip_suffix('*') else {
            return match self.allows(target) {
                true => Coverage::Full,
                false => Coverage::None,
            };
        };
        if self.has_prefix_of(stem.as_bytes()) {
            return Coverage::Full;
        }
        let reaches = self
            .entries
            .iter()
            .any(|e| e.strip_suffix('*').unwrap_or(e).starts_with(stem));
        match reaches {
            true => Coverage::Partial,
            false => Coverage::None,
        }
    }

    /// The entries as written, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|e| &**e)
    }

    /// How many entries the list has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty: it allows nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Entry `number`'s own rules.
fn check(entry: &str, number: usize) -> Result<(), AllowError> {
    let max = Limits::DEFAULT.max_target_len();
    if entry == "*" {
        return Err(AllowError::OnlyStar { entry: number });
    }
    text::check(entry, max, is_target_byte).map_err(|flaw| match flaw {
        Flaw::Empty => AllowError::Empty { entry: number },
        Flaw::TooLong(len) => AllowError::TooLong {
            entry: number,
            len,
            max,
        },
        Flaw::Char { ch, at } => AllowError::InvalidChar {
            entry: number,
            text: text::excerpt(entry),
            ch,
            at,
        },
    })?;
    match misplaced_star(entry) {
        Some(at) => Err(AllowError::Star {
            entry: number,
            text: text::excerpt(entry),
            at,
        }),
        None => Ok(()),
    }
}

impl fmt::Debug for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for AllowList {
    fn eq(&self, other: &AllowList) -> bool {
        self.entries == other.entries
    }
}

impl Eq for AllowList {}

impl<'a> IntoIterator for &'a AllowList {
    type Item = &'a str;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Box<str>>, fn(&Box<str>) -> &str>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|e| &**e)
    }
}

/// A list of strings, as written.
#[cfg(feature = "serde")]
impl serde::Serialize for AllowList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A list of strings, validated by [`AllowList::new`].
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for AllowList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<AllowList, D::Error> {
        let entries = <Vec<String> as serde::Deserialize>::deserialize(deserializer)?;
        AllowList::new(entries).map_err(serde::de::Error::custom)
    }
}
