//! [`RewriteError`]: why a request body could not be rewritten.

/// Why a request body could not be rewritten. Each message says what to send instead; they
/// are written to be returned to the client as a 400 error.
///
/// ```
/// use model_alias::AliasSet;
/// use model_alias::openai::{RewriteError, rewrite_model};
///
/// let set = AliasSet::default();
/// assert_eq!(rewrite_model(br#"{"messages": []}"#, &set).err(), Some(RewriteError::NoModel));
/// let err = rewrite_model(br#"{"model": 4}"#, &set).unwrap_err();
/// assert_eq!(err.to_string(), r#"the request body's "model" is a number, not a string: send the model id as a string"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RewriteError {
    /// The body is not one well-formed JSON value.
    #[error("the request body is not valid JSON ({reason} at byte {at}): send a JSON object")]
    NotJson {
        /// Byte offset of the problem.
        at: usize,
        /// What was wrong there.
        reason: &'static str,
    },
    /// The body is JSON but not an object.
    #[error("the request body is a JSON {found}, not an object: send {{\"model\": ..., ...}}")]
    NotAnObject {
        /// What it is instead.
        found: &'static str,
    },
    /// The object has no top-level `"model"`.
    #[error("the request body has no \"model\" field: add \"model\": \"<model id or alias>\"")]
    NoModel,
    /// The top-level `"model"` is not a string.
    #[error(
        "the request body's \"model\" is a {found}, not a string: send the model id as a string"
    )]
    ModelNotString {
        /// What it is instead.
        found: &'static str,
    },
    /// The object has `"model"` more than once; which one an upstream would read is not
    /// defined, so none is guessed.
    #[error("the request body has \"model\" more than once: send it once")]
    DuplicateModel,
    /// The object has more than once a member that the alias's presets override; which copy
    /// an upstream would read is not defined, so the override could be lost.
    #[error("the request body has {member:?} more than once, and the alias sets it: send it once")]
    RepeatedOverride {
        /// The member's name, escapes decoded, cut to 64 bytes.
        member: String,
    },
    /// The body nests arrays and objects deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    #[error("the request body nests deeper than {max} levels: flatten it")]
    TooDeep {
        /// The limit.
        max: usize,
    },
}

impl From<crate::json::Invalid> for RewriteError {
    fn from(invalid: crate::json::Invalid) -> RewriteError {
        match invalid {
            crate::json::Invalid::Syntax { at, reason } => RewriteError::NotJson { at, reason },
            crate::json::Invalid::TooDeep { max } => RewriteError::TooDeep { max },
        }
    }
}
