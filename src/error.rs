//! The errors of validation: one string ([`NameError`], [`TargetError`]) or a whole set
//! ([`SetError`], made of one [`RowError`] per problem).
//!
//! Every message says what is wrong and what to change. Messages quote at most 64 bytes of
//! the offending input (cut with `…`), so hostile input cannot inflate them. Messages are one
//! line each, fit for a dashboard or a log.

use std::fmt;

use crate::text::ShowChar;

/// Why a string is not a valid [`AliasName`](crate::AliasName).
///
/// ```
/// use model_alias::AliasName;
/// use model_alias::error::NameError;
///
/// match "Claude-opus".parse::<AliasName>() {
///     Err(NameError::Uppercase { ch, at, .. }) => assert_eq!((ch, at), ('C', 0)),
///     other => panic!("{other:?}"),
/// }
/// assert_eq!("*".parse::<AliasName>(), Err(NameError::CatchAll));
/// # Ok::<(), NameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is the empty string.
    #[error("alias name is empty: give it 1 to {max} bytes of a-z, 0-9 and . _ : / -")]
    Empty {
        /// The longest name allowed, in bytes.
        max: usize,
    },
    /// The name is longer than the limit.
    #[error(
        "alias name {name:?} is {len} bytes long: alias names are at most {max} bytes, shorten it"
    )]
    TooLong {
        /// The name, cut to 64 bytes.
        name: String,
        /// The name's length in bytes.
        len: usize,
        /// The longest name allowed, in bytes.
        max: usize,
    },
    /// The name has an uppercase ASCII letter.
    #[error("alias name {name:?} has {} at byte {at}: alias names are lowercase (a-z, 0-9, . _ : / -)", ShowChar(*.ch))]
    Uppercase {
        /// The name, cut to 64 bytes.
        name: String,
        /// The first offending character.
        ch: char,
        /// Its byte offset in the name.
        at: usize,
    },
    /// The name is `*` alone: a catch-all, which the rules do not have.
    #[error("a catch-all `*` is not supported: name the prefix it should match")]
    CatchAll,
    /// The name ends in `*`, as a wildcard would: names are matched as written, and a prefix
    /// alias is what matches every model that starts with a name (`MatchKind::Prefix`, the
    /// JSON forms' `"match": "prefix"`).
    #[error(
        "alias name {name:?} ends in '*': use \"match\": \"prefix\" instead of `*`, with the name {stem:?}"
    )]
    TrailingStar {
        /// The name, cut to 64 bytes.
        name: String,
        /// The name without its `*`, cut to 64 bytes: the prefix alias's name.
        stem: String,
    },
    /// The name has a character that is never allowed (space, `*`, `@`, control, non-ASCII, ...).
    #[error("alias name {name:?} has {} at byte {at}: alias names may use only a-z, 0-9 and . _ : / -", ShowChar(*.ch))]
    InvalidChar {
        /// The name, cut to 64 bytes.
        name: String,
        /// The first offending character.
        ch: char,
        /// Its byte offset in the name.
        at: usize,
    },
}

/// Why a string is not a valid [`ModelId`](crate::ModelId).
///
/// ```
/// use model_alias::ModelId;
/// use model_alias::error::TargetError;
///
/// let err = "deepseek chat".parse::<ModelId>().unwrap_err();
/// assert!(matches!(err, TargetError::InvalidChar { ch: ' ', at: 8, .. }));
/// assert_eq!(
///     err.to_string(),
///     r#"target model id "deepseek chat" has ' ' (U+0020) at byte 8: model ids are visible ASCII only (no spaces, control characters or non-ASCII)"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The target is the empty string.
    #[error("target model id is empty: give the real model id to route to (1 to {max} bytes)")]
    Empty {
        /// The longest target allowed, in bytes.
        max: usize,
    },
    /// The target is longer than the limit.
    #[error(
        "target model id {target:?} is {len} bytes long: model ids are at most {max} bytes, shorten it"
    )]
    TooLong {
        /// The target, cut to 64 bytes.
        target: String,
        /// The target's length in bytes.
        len: usize,
        /// The longest target allowed, in bytes.
        max: usize,
    },
    /// The target has a space, a control character or a non-ASCII character.
    #[error("target model id {target:?} has {} at byte {at}: model ids are visible ASCII only (no spaces, control characters or non-ASCII)", ShowChar(*.ch))]
    InvalidChar {
        /// The target, cut to 64 bytes.
        target: String,
        /// The first offending character.
        ch: char,
        /// Its byte offset in the target.
        at: usize,
    },
    /// The target has a `*` before its last byte.
    #[error(
        "target model id {target:?} has '*' at byte {at}: a '*' may only end a prefix alias's target, where it carries the rest of the model (\"openai/*\"); remove it"
    )]
    Star {
        /// The target, cut to 64 bytes.
        target: String,
        /// The byte offset of the first `*`.
        at: usize,
    },
    /// The target is `*` alone: the rest of the model would be sent with nothing before it.
    #[error(
        "a target of only '*' would send the rest of the model with nothing before it: write the provider part before the '*' (\"openai/*\") or a whole model id"
    )]
    OnlyStar,
}

/// Why a list of entries is not a valid [`AllowList`](crate::access::AllowList). Entries are
/// numbered from 1; the message says what to change.
///
/// ```
/// use model_alias::access::AllowList;
///
/// let err = AllowList::new(["openai/*", "openai/*"]).unwrap_err();
/// assert_eq!(err.to_string(), r#"allow entry 2 "openai/*" repeats entry 1: remove one"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllowError {
    /// An entry is the empty string.
    #[error(
        "allow entry {entry} is empty: give a model id (\"deepseek/deepseek-chat\") or a prefix ending in '*' (\"openai/*\")"
    )]
    Empty {
        /// The entry's 1-based position.
        entry: usize,
    },
    /// An entry is longer than a model id may be.
    #[error(
        "allow entry {entry} is {len} bytes long: model ids are at most {max} bytes, shorten it"
    )]
    TooLong {
        /// The entry's 1-based position.
        entry: usize,
        /// Its length in bytes.
        len: usize,
        /// The longest entry allowed, in bytes.
        max: usize,
    },
    /// An entry has a space, a control character or a non-ASCII character.
    #[error("allow entry {entry} {text:?} has {} at byte {at}: model ids are visible ASCII only (no spaces, control characters or non-ASCII)", ShowChar(*.ch))]
    InvalidChar {
        /// The entry's 1-based position.
        entry: usize,
        /// The entry, cut to 64 bytes.
        text: String,
        /// The first offending character.
        ch: char,
        /// Its byte offset in the entry.
        at: usize,
    },
    /// An entry has a `*` before its last byte.
    #[error(
        "allow entry {entry} {text:?} has '*' at byte {at}: a '*' may only end an entry, which then allows every model that begins with the rest (\"openai/*\")"
    )]
    Star {
        /// The entry's 1-based position.
        entry: usize,
        /// The entry, cut to 64 bytes.
        text: String,
        /// The byte offset of the first `*`.
        at: usize,
    },
    /// An entry is `*` alone.
    #[error(
        "allow entry {entry} is only '*': to allow every model, remove the list (null) instead"
    )]
    OnlyStar {
        /// The entry's 1-based position.
        entry: usize,
    },
    /// An entry is written twice.
    #[error("allow entry {entry} {text:?} repeats entry {first}: remove one")]
    Repeated {
        /// The later entry's 1-based position.
        entry: usize,
        /// The earlier one's.
        first: usize,
        /// The entry, cut to 64 bytes.
        text: String,
    },
    /// The list has more entries than [`AllowList::MAX_ENTRIES`](crate::access::AllowList::MAX_ENTRIES).
    #[error(
        "the allow list has more than {max} entries: cover families of models with prefixes (\"openai/*\")"
    )]
    TooMany {
        /// The most entries a list may hold.
        max: usize,
    },
}

impl AllowError {
    /// The 1-based position of the entry at fault (`None` for a list that is too long).
    pub fn entry(&self) -> Option<usize> {
        match self {
            AllowError::Empty { entry }
            | AllowError::TooLong { entry, .. }
            | AllowError::InvalidChar { entry, .. }
            | AllowError::Star { entry, .. }
            | AllowError::OnlyStar { entry }
            | AllowError::Repeated { entry, .. } => Some(*entry),
            AllowError::TooMany { .. } => None,
        }
    }
}

/// Why a row's `defaults` or `overrides` is not a valid preset object (see
/// [`Presets`](crate::Presets)). The message follows the object's name: `"defaults" is a
/// string, not an object: ...`.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use model_alias::AliasSet;
/// use model_alias::error::{PresetError, Problem};
///
/// let err = AliasSet::from_json(r#"[{"name": "pro", "target": "deepseek/deepseek-chat",
///     "overrides": {"stream": false}}]"#).unwrap_err();
/// assert_eq!(err.problems()[0].problem(), &Problem::Overrides(PresetError::Forbidden { member: "stream".into() }));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PresetError {
    /// The text is not one well-formed JSON value, or holds what the upstream's parser would
    /// refuse (a lone surrogate escape, a number beyond a double's range).
    #[error(
        "is not valid JSON ({reason} at byte {at}): write an object of request members, such as {{\"temperature\": 0.2}}"
    )]
    NotJson {
        /// Byte offset of the problem in the object's text.
        at: usize,
        /// What was wrong there.
        reason: &'static str,
    },
    /// Arrays and objects nest deeper than a request body may.
    #[error("nests deeper than {max} levels: flatten it")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// The value is JSON but not an object.
    #[error(
        "is a JSON {found}, not an object: write an object of request members, such as {{\"temperature\": 0.2}}"
    )]
    NotAnObject {
        /// What it is instead.
        found: &'static str,
    },
    /// A member no alias may set: `model`, `stream` or `stream_options`.
    #[error(
        "sets {member:?}, which an alias cannot preset (the model is the alias's target; streaming is the client's choice): remove it"
    )]
    Forbidden {
        /// The member's name.
        member: String,
    },
    /// The object has a member more than once.
    #[error("has {member:?} more than once: keep one")]
    Repeated {
        /// The member's name, escapes decoded, cut to 64 bytes.
        member: String,
    },
    /// The overrides set a member that the defaults set too.
    #[error(
        "has {member:?}, which \"defaults\" has too: a member is a default or an override, remove one of the two"
    )]
    InBoth {
        /// The member's name, escapes decoded, cut to 64 bytes.
        member: String,
    },
    /// The row's two objects have more members together than the limit.
    #[error("brings the row's presets to {count} members, but at most {max} are allowed: remove {}", .count - .max)]
    TooManyMembers {
        /// Members of both objects so far.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// The row's two objects, as compact JSON, are longer together than the limit.
    #[error(
        "brings the row's presets to {len} bytes of compact JSON, but at most {max} are allowed: shorten them"
    )]
    TooLong {
        /// Bytes of both objects so far.
        len: usize,
        /// The most allowed.
        max: usize,
    },
}

#[cfg(feature = "serde")]
impl PresetError {
    fn code(&self) -> &'static str {
        match self {
            PresetError::NotJson { .. } => "preset_not_json",
            PresetError::TooDeep { .. } => "preset_too_deep",
            PresetError::NotAnObject { .. } => "preset_not_object",
            PresetError::Forbidden { .. } => "preset_forbidden_member",
            PresetError::Repeated { .. } => "preset_repeated_member",
            PresetError::InBoth { .. } => "preset_in_both",
            PresetError::TooManyMembers { .. } => "preset_too_many_members",
            PresetError::TooLong { .. } => "preset_too_long",
        }
    }
}

/// What is wrong with one row of a set.
///
/// ```
/// use model_alias::AliasSet;
/// use model_alias::error::Problem;
///
/// let err = AliasSet::new([("fast", "deepseek/deepseek-chat"), ("fast", "openai/gpt-4o")]).unwrap_err();
/// assert_eq!(err.problems()[0].problem(), &Problem::DuplicateName { first: 0 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The row's name is invalid.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The row's target is invalid.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// An earlier row already uses this name (names are unique across exact and prefix aliases).
    #[error("the name is already used by row {}: names are unique across exact and prefix aliases, rename or remove one of the two", .first + 1)]
    DuplicateName {
        /// The 0-based index of the first row with this name.
        first: usize,
    },
    /// An exact alias's target ends in `*`: only a prefix alias has a rest to carry.
    #[error(
        "an exact alias has nothing to carry: make it a prefix alias or remove the '*' from its target"
    )]
    CarryOnExact,
    /// The set has more rows than the limit; reported once, on the first row past the limit.
    ///
    /// The limit is the gateway's, not the user's: a user can only remove rows, so the message
    /// says that. A gateway that allows more builds its sets with
    /// [`Limits::with_max_aliases`](crate::Limits::with_max_aliases).
    #[error("the set has {count} aliases but at most {max} are allowed: remove {}", Rows(.count - .max))]
    TooMany {
        /// How many rows the set has.
        count: usize,
        /// The most rows allowed.
        max: usize,
    },
    /// The row's `defaults` are not a valid preset object.
    #[error("\"defaults\" {0}")]
    Defaults(PresetError),
    /// The row's `overrides` are not a valid preset object.
    #[error("\"overrides\" {0}")]
    Overrides(PresetError),
    /// The JSON could not be read at this row: a syntax error, a wrong type, or a target that
    /// is not one string. Rows after it were not read.
    #[error("{message}")]
    Json {
        /// What the JSON reader said, with its line and column.
        message: String,
    },
}

#[cfg(feature = "serde")]
impl Problem {
    /// A stable machine-readable name of the problem, for the JSON form.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Problem::Name(NameError::Empty { .. }) => "name_empty",
            Problem::Name(NameError::TooLong { .. }) => "name_too_long",
            Problem::Name(NameError::Uppercase { .. }) => "name_uppercase",
            Problem::Name(NameError::CatchAll) => "name_catch_all",
            Problem::Name(NameError::TrailingStar { .. }) => "name_trailing_star",
            Problem::Name(NameError::InvalidChar { .. }) => "name_invalid_char",
            Problem::Target(TargetError::Empty { .. }) => "target_empty",
            Problem::Target(TargetError::TooLong { .. }) => "target_too_long",
            Problem::Target(TargetError::InvalidChar { .. }) => "target_invalid_char",
            Problem::Target(TargetError::Star { .. }) => "target_star",
            Problem::Target(TargetError::OnlyStar) => "target_only_star",
            Problem::DuplicateName { .. } => "duplicate_name",
            Problem::CarryOnExact => "carry_on_exact",
            Problem::TooMany { .. } => "too_many",
            Problem::Json { .. } => "json",
            Problem::Defaults(e) | Problem::Overrides(e) => e.code(),
        }
    }

    /// The field of the row to change: `name`, `target`, `match`, `defaults`, `overrides`, or none (the set as a
    /// whole, or JSON that could not be read).
    pub(crate) fn field(&self) -> Option<&'static str> {
        match self {
            Problem::Name(_) | Problem::DuplicateName { .. } => Some("name"),
            Problem::Target(_) => Some("target"),
            Problem::CarryOnExact => Some("match"),
            Problem::Defaults(_) => Some("defaults"),
            Problem::Overrides(_) => Some("overrides"),
            Problem::TooMany { .. } | Problem::Json { .. } => None,
        }
    }
}

/// `1 row`, `3 rows`.
struct Rows(usize);

impl fmt::Display for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 row"),
            n => write!(f, "{n} rows"),
        }
    }
}

/// One problem of a set: which row, which name, and what is wrong.
///
/// ```
/// use model_alias::AliasSet;
///
/// let err = AliasSet::new([("fast", "deepseek/deepseek-chat"), ("pro", "")]).unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!((problem.index(), problem.row(), problem.name()), (1, 2, "pro"));
/// assert_eq!(
///     problem.to_string(),
///     r#"row 2 ("pro"): target model id is empty: give the real model id to route to (1 to 256 bytes)"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    index: usize,
    name: String,
    problem: Problem,
}

impl RowError {
    pub(crate) fn new(index: usize, name: String, problem: Problem) -> RowError {
        RowError {
            index,
            name,
            problem,
        }
    }

    /// The 0-based position of the row in the input.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The 1-based row number that messages show (`index() + 1`).
    pub fn row(&self) -> usize {
        self.index + 1
    }

    /// The row's alias name as given (cut to 64 bytes), which may be the invalid part.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            // The name error quotes the name already; a row cut short may have no name yet.
            Problem::Name(_) => write!(f, "row {}: {}", self.row(), self.problem),
            _ if self.name.is_empty() => write!(f, "row {}: {}", self.row(), self.problem),
            _ => write!(f, "row {} ({:?}): {}", self.row(), self.name, self.problem),
        }
    }
}

impl std::error::Error for RowError {}

/// Why a set of aliases was rejected: every problem found, in row order. Nothing was built.
///
/// ```
/// use model_alias::{AliasSet, MatchKind};
///
/// let err = AliasSet::new([
///     ("Claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix),
///     ("basic", "deepseek/deepseek-chat", MatchKind::Exact),
///     ("basic", "", MatchKind::Exact),
/// ])
/// .unwrap_err();
/// assert_eq!(err.problems().len(), 3);
/// for problem in err.problems() {
///     println!("{problem}");
/// }
/// // row 1: alias name "Claude-opus" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)
/// // row 3 ("basic"): target model id is empty: give the real model id to route to (1 to 256 bytes)
/// // row 3 ("basic"): the name is already used by row 2: names are unique across exact and prefix aliases, rename or remove one of the two
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError {
    problems: Vec<RowError>,
}

impl SetError {
    /// `problems` must be non-empty and in row order.
    pub(crate) fn new(problems: Vec<RowError>) -> SetError {
        SetError { problems }
    }

    /// Every problem, in row order (a row may have several).
    pub fn problems(&self) -> &[RowError] {
        &self.problems
    }

    /// The problems, owned.
    pub fn into_problems(self) -> Vec<RowError> {
        self.problems
    }
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "invalid alias set: {one}"),
            all => {
                write!(f, "invalid alias set, {} problems:", all.len())?;
                for (i, p) in all.iter().enumerate() {
                    let sep = if i == 0 { " " } else { "; " };
                    write!(f, "{sep}{p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SetError {}

/// Why bytes are not an [`AliasTable`](crate::AliasTable), or why one could not be built.
///
/// ```
/// use model_alias::{AliasTable, TableError};
///
/// assert_eq!(AliasTable::from_bytes(&b"not a table"[..]).err(), Some(TableError::NotATable));
/// let table = AliasTable::new([("team-a", [("fast", "deepseek/deepseek-chat")])])?;
/// let cut = &table.as_bytes()[..table.as_bytes().len() - 1];
/// assert!(matches!(AliasTable::from_bytes(cut), Err(TableError::Truncated { .. })));
/// # Ok::<(), TableError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The bytes do not start with the table magic.
    #[error(
        "these bytes are not an alias table (no MALIAS magic): load the output of AliasTable::as_bytes"
    )]
    NotATable,
    /// The bytes are shorter (or longer) than the header says.
    #[error(
        "the alias table is {len} bytes but its header says {expected}: the file was cut short or appended to, copy it again"
    )]
    Truncated {
        /// The length of the bytes given.
        len: usize,
        /// The length the header records.
        expected: usize,
    },
    /// The table was written in a format version this crate does not read.
    #[error(
        "the alias table is format version {found}, this crate reads version {supported}: rebuild the table with this version of model-alias"
    )]
    UnsupportedVersion {
        /// The version in the header.
        found: u64,
        /// The version this crate reads.
        supported: u32,
    },
    /// The checksum does not match: the bytes were changed after the table was written.
    #[error(
        "the alias table is corrupt (checksum {computed:#018x}, header says {stored:#018x}): copy it again or rebuild it"
    )]
    Checksum {
        /// The checksum in the header.
        stored: u64,
        /// The checksum of the bytes.
        computed: u64,
    },
    /// The checksum matches but the structure is impossible: the table was not written by
    /// this crate.
    #[error(
        "the alias table's {section} section is malformed ({why}): rebuild it with TableBuilder"
    )]
    Malformed {
        /// The section that is wrong.
        section: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The same key id was inserted twice into a builder.
    #[error("key id {key} was inserted twice: insert each key once, with all its aliases")]
    DuplicateKey {
        /// The key id, as text or hex, cut to 64 bytes.
        key: String,
    },
    /// The aliases given for a key are not a valid set.
    #[error("key {key}: {error}")]
    InvalidSet {
        /// The key id, as text or hex, cut to 64 bytes.
        key: String,
        /// Every problem of the key's rows.
        error: SetError,
    },
    /// The table would exceed what the format can address.
    #[error("the alias table has too many {what} (the format holds at most {max}): split it")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// The format's limit.
        max: &'static str,
    },
}
