//! Presets: the request members an alias sets, `defaults` (added when the request lacks the
//! member) and `overrides` (always sent), and [`Presets`], the view of an alias's two objects.
//!
//! Invariants of what validation keeps (the stored form, which sets and tables hold):
//! 1. each object is one JSON object the crate's scanner accepts (so every value parses in
//!    serde_json), written compact: whitespace between tokens removed, every other byte as
//!    given;
//! 2. no member is `model`, `stream` or `stream_options`, none appears twice in an object or
//!    in both, escapes decoded (`"max\u005ftokens"` is `max_tokens`);
//! 3. within the limits: members of both objects together, bytes of both compact objects
//!    together;
//! 4. stored as the defaults object followed by the overrides object, `{}` for an empty one,
//!    or as the empty string when both are empty: an alias without presets carries nothing.

use std::fmt;

use crate::error::{PresetError, Problem};
use crate::json::{self, Invalid, Kind, compact, key_is, same_key};
use crate::text::excerpt;
use crate::{Limits, Row};

/// Members no preset may set: the model is the alias's target, and whether and how to stream
/// is the client's choice, which the gateway must answer in kind.
const FORBIDDEN: [&str; 3] = ["model", "stream", "stream_options"];

/// The most members a row's presets may have, whatever the limits say: a rewrite holds them
/// on the stack.
pub(crate) const MEMBERS_CEILING: usize = 64;

/// An alias's presets, borrowed from the set or table that holds it: the `defaults` and
/// `overrides` objects, as compact JSON text.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use model_alias::AliasSet;
///
/// let set = AliasSet::from_json(r#"[{"name": "pro", "target": "deepseek/deepseek-reasoner",
///     "defaults": {"reasoning_effort": "high"}, "overrides": {"max_tokens": 8192}}]"#).expect("valid");
/// let presets = set.resolve("pro").alias().and_then(|a| a.presets()).expect("presets");
/// assert_eq!(presets.defaults(), r#"{"reasoning_effort":"high"}"#);
/// assert_eq!(presets.overrides(), r#"{"max_tokens":8192}"#);
/// assert_eq!(presets.to_string(), r#"defaults {"reasoning_effort":"high"}, overrides {"max_tokens":8192}"#);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Presets<'a> {
    defaults: &'a str,
    overrides: &'a str,
}

impl<'a> Presets<'a> {
    /// The view of a stored form (see the module's invariant 4); `None` for an alias without
    /// presets.
    pub(crate) fn from_stored(stored: &'a str) -> Option<Presets<'a>> {
        if stored.is_empty() {
            return None;
        }
        let split = first_value_len(stored);
        let (defaults, overrides) = (stored.get(..split)?, stored.get(split..)?);
        Some(Presets {
            defaults,
            overrides,
        })
    }

    /// The members added when the request lacks them: a JSON object, `{}` when there are none.
    pub fn defaults(&self) -> &'a str {
        self.defaults
    }

    /// The members that replace the request's own, or are added: a JSON object, `{}` when
    /// there are none.
    pub fn overrides(&self) -> &'a str {
        self.overrides
    }

    /// Every member: its key as written inside the quotes, its value's JSON text, and whether
    /// it is an override; the defaults first, each object in its order.
    pub(crate) fn members(&self) -> impl Iterator<Item = (&'a str, &'a str, bool)> + 'a {
        let defaults = Members(self.defaults).map(|(k, v)| (k, v, false));
        defaults.chain(Members(self.overrides).map(|(k, v)| (k, v, true)))
    }
}

/// `defaults {...}, overrides {...}`, leaving out an empty object.
impl fmt::Display for Presets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for (what, object) in [("defaults", self.defaults), ("overrides", self.overrides)] {
            if object != "{}" {
                write!(f, "{sep}{what} {object}")?;
                sep = ", ";
            }
        }
        Ok(())
    }
}

/// The length of the first JSON value of compact text the scanner accepted: up to where its
/// brackets close.
fn first_value_len(text: &str) -> usize {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (at, b) in text.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// The members of a compact object the scanner accepted: `(key inside its quotes, value)`.
struct Members<'a>(&'a str);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        // At `{` or `,` before a member, or at the closing `}`.
        let rest = self.0.get(1..)?;
        let rest = rest.strip_prefix('"')?;
        let key_len = string_len(rest);
        let key = rest.get(..key_len)?;
        let after = rest.get(key_len + 2..)?; // the closing quote and the colon
        let value_len = first_value_len_or_scalar(after);
        let value = after.get(..value_len)?;
        self.0 = after.get(value_len..)?;
        Some((key, value))
    }
}

/// The length of a string's inside, from just after its opening quote to its closing one.
fn string_len(text: &str) -> usize {
    let mut escaped = false;
    for (at, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return at,
            _ => {}
        }
    }
    text.len()
}

/// The length of the value at the start of compact text: a container or string whole, a
/// number or literal up to the `,` or `}` after it.
fn first_value_len_or_scalar(text: &str) -> usize {
    match text.bytes().next() {
        Some(b'{' | b'[') => first_value_len(text),
        Some(b'"') => text.get(1..).map_or(text.len(), |t| string_len(t) + 2),
        _ => text.find([',', '}']).unwrap_or(text.len()),
    }
}

/// Which of a row's two objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Defaults,
    Overrides,
}

impl Field {
    fn problem(self, error: PresetError) -> Problem {
        match self {
            Field::Defaults => Problem::Defaults(error),
            Field::Overrides => Problem::Overrides(error),
        }
    }
}

/// One object, checked alone: its compact text and its members' keys.
struct Checked<'a> {
    compact: String,
    keys: Vec<&'a [u8]>,
}

/// Checks one object's text: one JSON object, no forbidden or repeated member.
fn check_object(text: &str) -> Result<Checked<'_>, PresetError> {
    let bytes = text.as_bytes();
    let mut keys: Vec<&[u8]> = Vec::new();
    let mut problem = None;
    let top = json::scan(bytes, |member| {
        let key = bytes
            .get(member.key.start..member.key.end)
            .unwrap_or_default();
        if problem.is_some() {
            return;
        }
        if let Some(name) = FORBIDDEN.iter().find(|name| key_is(key, name)) {
            problem = Some(PresetError::Forbidden {
                member: (*name).to_owned(),
            });
        } else if keys.iter().any(|k| same_key(k, key)) {
            problem = Some(PresetError::Repeated { member: shown(key) });
        }
        keys.push(key);
    })
    .map_err(|invalid| match invalid {
        Invalid::Syntax { at, reason } => PresetError::NotJson { at, reason },
        Invalid::TooDeep { max } => PresetError::TooDeep { max },
    })?;
    if top != Kind::Object {
        return Err(PresetError::NotAnObject { found: top.name() });
    }
    if let Some(problem) = problem {
        return Err(problem);
    }
    let mut out = String::with_capacity(text.len());
    compact(text, &mut out);
    Ok(Checked { compact: out, keys })
}

/// A key for a message: decoded, cut to 64 bytes.
fn shown(key: &[u8]) -> String {
    json::decode_string(key).map_or_else(String::new, |k| excerpt(&k))
}

/// Every problem of a row's presets, in the order fields are reported: at most one an object.
pub(crate) fn problems(row: &impl Row, limits: Limits) -> Vec<Problem> {
    let mut problems = Vec::new();
    let defaults = row.defaults().map(check_object);
    let overrides = row.overrides().map(check_object);
    let (mut members, mut bytes) = (0, 0);
    let mut over = |field: Field, checked: &Checked<'_>, problems: &mut Vec<Problem>| {
        members += checked.keys.len();
        bytes += if checked.keys.is_empty() {
            0
        } else {
            checked.compact.len()
        };
        let max = limits.max_preset_members();
        if members > max {
            problems.push(field.problem(PresetError::TooManyMembers {
                count: members,
                max,
            }));
            return true;
        }
        let max = limits.max_preset_bytes();
        if bytes > max {
            problems.push(field.problem(PresetError::TooLong { len: bytes, max }));
            return true;
        }
        false
    };
    let mut stopped = false;
    match &defaults {
        Some(Err(e)) => problems.push(Problem::Defaults(e.clone())),
        Some(Ok(d)) => stopped = over(Field::Defaults, d, &mut problems),
        None => {}
    }
    match &overrides {
        Some(Err(e)) => problems.push(Problem::Overrides(e.clone())),
        Some(Ok(o)) => {
            let in_both = match &defaults {
                Some(Ok(d)) => o
                    .keys
                    .iter()
                    .find(|k| d.keys.iter().any(|dk| same_key(dk, k))),
                _ => None,
            };
            if let Some(key) = in_both {
                problems.push(Problem::Overrides(PresetError::InBoth {
                    member: shown(key),
                }));
            } else if !stopped {
                over(Field::Overrides, o, &mut problems);
            }
        }
        None => {}
    }
    problems
}

/// The stored form of a row whose presets are valid (see the module's invariant 4): empty,
/// without an allocation, for a row without presets.
pub(crate) fn stored(row: &impl Row) -> Box<str> {
    let (d, o) = (row.defaults(), row.overrides());
    if d.is_none() && o.is_none() {
        return Box::default();
    }
    let mut out = String::with_capacity(d.map_or(2, str::len) + o.map_or(2, str::len));
    let mut object = |text: Option<&str>| {
        let start = out.len();
        compact(text.unwrap_or_default(), &mut out);
        if out.len() == start {
            out.push_str("{}");
        }
    };
    object(d);
    object(o);
    if out == "{}{}" {
        out.clear();
    }
    out.into_boxed_str()
}

/// Whether `stored` is a stored form: two compact objects that pass validation under `limits`
/// (for the table's verification), or the empty string.
pub(crate) fn is_stored(stored: &str, limits: Limits) -> bool {
    if stored.is_empty() {
        return true;
    }
    let split = first_value_len(stored);
    let (Some(d), Some(o)) = (stored.get(..split), stored.get(split..)) else {
        return false;
    };
    let row = StoredRow(d, o);
    problems(&row, limits).is_empty() && *self::stored(&row) == *stored
}

/// A stored form's two objects as a row, to validate them.
struct StoredRow<'a>(&'a str, &'a str);

impl Row for StoredRow<'_> {
    fn name(&self) -> &str {
        ""
    }
    fn target(&self) -> &str {
        ""
    }
    fn kind(&self) -> crate::MatchKind {
        crate::MatchKind::Exact
    }
    fn defaults(&self) -> Option<&str> {
        Some(self.0)
    }
    fn overrides(&self) -> Option<&str> {
        Some(self.1)
    }
}

/// Well-known OpenAI request members, for the near-miss warning.
const KNOWN: [&str; 34] = [
    "audio",
    "dimensions",
    "encoding_format",
    "frequency_penalty",
    "include",
    "instructions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_output_tokens",
    "max_tokens",
    "metadata",
    "modalities",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "previous_response_id",
    "prompt_cache_key",
    "reasoning",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "verbosity",
];

/// The well-known member that `key` (as written, escapes allowed) differs from only by ASCII
/// case or by `-` for `_`: `max-tokens`, `Temperature`. `None` for a known member itself or
/// anything else.
pub(crate) fn near_miss(key: &str) -> Option<&'static str> {
    let decoded = json::decode_string(key.as_bytes())?;
    let normal: String = decoded
        .chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    KNOWN
        .iter()
        .find(|&&known| known == normal && known != decoded.as_ref())
        .copied()
}
