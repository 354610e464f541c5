//! [`AliasName`]: the validated name of an alias.
//!
//! Invariant: an `AliasName` holds 1 to `max_name_len` bytes (64 by default), each one of
//! `a-z`, `0-9`, `.`, `_`, `:`, `/`, `-`. It is therefore ASCII: every byte offset is a char
//! boundary, and byte-wise prefix tests on it are exact.

use crate::Limits;
use crate::error::NameError;
use crate::text::{self, Flaw, validated_str};

/// The validated name of an alias: what a client sends as `model`.
///
/// 1 to 64 bytes (see [`Limits`]) of lowercase `a-z`, digits and `. _ : / -`; nothing else, so
/// no uppercase, no space, no `*`, no non-ASCII look-alikes.
///
/// ```
/// use model_alias::AliasName;
///
/// let name: AliasName = "cross-model-basic".parse()?;
/// assert_eq!(name.as_str(), "cross-model-basic");
///
/// let err = "Claude-opus".parse::<AliasName>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"alias name "Claude-opus" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"#,
/// );
/// # Ok::<(), model_alias::error::NameError>(())
/// ```
///
/// Cost: validation is one pass over the input and one allocation; an `AliasName` is a boxed
/// `str` (two words).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AliasName(Box<str>);

/// Whether `b` may appear in an alias name: one load from a table, since every set and every
/// table key checks each byte of each name.
#[inline]
pub(crate) fn is_name_byte(b: u8) -> bool {
    NAME_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// The rule, one entry a byte: `a-z`, `0-9`, `.`, `_`, `:`, `/`, `-`.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        // Evaluated at compile time: an index out of range would fail the build, not a call.
        #[allow(clippy::indexing_slicing)]
        {
            table[b] =
                matches!(b as u8, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b':' | b'/' | b'-');
        }
        b += 1;
    }
    table
};

impl AliasName {
    /// Validates `name` against the default limits (at most 64 bytes).
    pub fn new(name: &str) -> Result<AliasName, NameError> {
        AliasName::with_limits(name, Limits::DEFAULT)
    }

    /// Validates `name` against `limits.max_name_len()`.
    ///
    /// Cost: one pass over `name` up to its first bad byte; one allocation (the name) when it
    /// is valid, one for the error's 64-byte excerpt when it is not.
    pub fn with_limits(name: &str, limits: Limits) -> Result<AliasName, NameError> {
        AliasName::check(name, limits)?;
        Ok(AliasName(name.into()))
    }

    pub(crate) fn check(name: &str, limits: Limits) -> Result<(), NameError> {
        let max = limits.max_name_len();
        // Other gateways write prefixes as wildcards; say what the rules use instead.
        if name == "*" {
            return Err(NameError::CatchAll);
        }
        text::check(name, max, is_name_byte).map_err(|flaw| match flaw {
            Flaw::Empty => NameError::Empty { max },
            Flaw::TooLong(len) => NameError::TooLong {
                name: text::excerpt(name),
                len,
                max,
            },
            Flaw::Char { ch: '*', at } if at + 1 == name.len() => NameError::TrailingStar {
                name: text::excerpt(name),
                stem: text::excerpt(name.get(..at).unwrap_or_default()),
            },
            Flaw::Char { ch, at } if ch.is_ascii_uppercase() => NameError::Uppercase {
                name: text::excerpt(name),
                ch,
                at,
            },
            Flaw::Char { ch, at } => NameError::InvalidChar {
                name: text::excerpt(name),
                ch,
                at,
            },
        })
    }
}

validated_str!(AliasName, NameError);
