//! JSON text without a parse tree: the validating scanner that request bodies and presets go
//! through, and the string helpers that read and write JSON strings in place.
//!
//! Always compiled (no feature): presets are JSON objects that the core validates and the
//! many-key table verifies, and the `openai` layer rewrites bodies with the same scanner, so a
//! preset the core accepts is one the rewrite can insert.

mod scan;
mod text;

#[cfg(feature = "openai")]
pub use self::scan::MAX_DEPTH;
pub(crate) use self::scan::{Kind, scan};
#[cfg(feature = "openai")]
pub(crate) use self::scan::{Member, Span};
#[cfg(feature = "openai")]
pub(crate) use self::text::escape_into;
pub(crate) use self::text::{compact, decode_string, key_is, same_key};

/// Why a text is not one acceptable JSON value: the scanner's two verdicts, which each user
/// turns into its own error (a request body's, a preset's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Not well-formed I-JSON: what was wrong, at which byte.
    Syntax {
        /// Byte offset of the problem.
        at: usize,
        /// What was wrong there.
        reason: &'static str,
    },
    /// Arrays and objects nest deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The limit.
        max: usize,
    },
}
