//! [`ModelId`]: the validated target of an alias, a real catalog model id.
//!
//! Invariants: a `ModelId` holds 1 to `max_target_len` bytes (256 by default) of visible ASCII,
//! `!` to `~`. Case is kept: `Qwen/Qwen2.5-72B-Instruct` is a valid target. A `*` may only be
//! its last byte, after at least one other: on a prefix alias it marks a target that carries
//! the rest of the model (`openai/*`), so a resolution is never empty and never has a `*`
//! the user did not write at the end.

use crate::Limits;
use crate::error::TargetError;
use crate::text::{self, Flaw, validated_str};

/// The validated target of an alias: the real model id that is routed and billed.
///
/// 1 to 256 bytes (see [`Limits`]) of visible ASCII (`!` to `~`): no spaces, no control
/// characters, no non-ASCII. Case is kept. A trailing `*` (`openai/*`) makes a prefix
/// alias carry the rest of the model ([`AliasRef::carries`](crate::AliasRef::carries)); a `*`
/// anywhere else is an error. The limit applies to the target as written, `*` included.
///
/// ```
/// use model_alias::ModelId;
///
/// let id: ModelId = "Qwen/Qwen2.5-72B-Instruct".parse()?;
/// assert_eq!(id.as_str(), "Qwen/Qwen2.5-72B-Instruct");
/// assert!("deepseek chat".parse::<ModelId>().is_err());
/// # Ok::<(), model_alias::error::TargetError>(())
/// ```
///
/// Cost: validation is one pass over the input and one allocation; a `ModelId` is a boxed
/// `str` (two words).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelId(Box<str>);

pub(crate) fn is_target_byte(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// The offset of a `*` in `id` that is not its last byte: the star rule, for [`ModelId`] and
/// for a table's verification. (A target of `*` alone is refused before this is asked.)
pub(crate) fn misplaced_star(id: &str) -> Option<usize> {
    id.find('*').filter(|&at| at + 1 < id.len())
}

impl ModelId {
    /// Validates `id` against the default limits (at most 256 bytes).
    pub fn new(id: &str) -> Result<ModelId, TargetError> {
        ModelId::with_limits(id, Limits::DEFAULT)
    }

    /// Validates `id` against `limits.max_target_len()`.
    ///
    /// Cost: one pass over `id` up to its first bad byte; one allocation (the id) when it is
    /// valid, one for the error's 64-byte excerpt when it is not.
    pub fn with_limits(id: &str, limits: Limits) -> Result<ModelId, TargetError> {
        ModelId::check(id, limits)?;
        Ok(ModelId(id.into()))
    }

    pub(crate) fn check(id: &str, limits: Limits) -> Result<(), TargetError> {
        let max = limits.max_target_len();
        if id == "*" {
            return Err(TargetError::OnlyStar);
        }
        text::check(id, max, is_target_byte).map_err(|flaw| match flaw {
            Flaw::Empty => TargetError::Empty { max },
            Flaw::TooLong(len) => TargetError::TooLong {
                target: text::excerpt(id),
                len,
                max,
            },
            Flaw::Char { ch, at } => TargetError::InvalidChar {
                target: text::excerpt(id),
                ch,
                at,
            },
        })?;
        match misplaced_star(id) {
            Some(at) => Err(TargetError::Star {
                target: text::excerpt(id),
                at,
            }),
            None => Ok(()),
        }
    }
}

validated_str!(ModelId, TargetError);
