//! JSON forms (feature `serde`, on by default).
//!
//! Written, always: the canonical list of rows in the user's order,
//! `[{"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"}]`, with
//! `match` left out for exact aliases and `"hidden": true` written only for hidden ones. Read:
//! that list (`match` defaults to `"exact"`, `hidden` to `false`, unknown fields are
//! rejected), or the object shorthand other gateways use,
//! `{"cross-model-basic": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}`,
//! where a trailing `*` marks a prefix alias and a repeated key is a duplicate name. The
//! shorthand has no place for `hidden`: a set with hidden aliases is written and read as a
//! list. So do presets (`"defaults"` and `"overrides"`, written only when non-empty): a set
//! with presets is written and read as a list.
//!
//! Invariants:
//! 1. Reading a set validates it through the same validation as [`AliasSet::new`], row by row
//!    as the rows are read: no list of the input's rows is ever built, so memory is bounded by
//!    the limit, however long the input.
//! 2. A set is read whole or not at all: a JSON error part-way reports the rows before it
//!    (their problems too) and builds nothing.
//! 3. What is written reads back as the same set.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{Problem, RowError, SetError};
use crate::text::excerpt;
use crate::{Alias, AliasName, AliasSet, AliasSetBuilder, MatchKind, ModelId, Row};

/// Serializes and deserializes a validated string newtype as a plain string.
macro_rules! string_serde {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                let s = String::deserialize(deserializer)?;
                $ty::try_from(s).map_err(de::Error::custom)
            }
        }
    };
}

string_serde!(AliasName);
string_serde!(ModelId);

/// The canonical row, as written: borrowed from whatever row is written.
#[derive(Serialize)]
struct CanonicalRow<'a> {
    name: &'a str,
    target: &'a str,
    #[serde(rename = "match", skip_serializing_if = "is_exact")]
    kind: MatchKind,
    #[serde(skip_serializing_if = "is_false")]
    hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    defaults: Option<Object<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<Object<'a>>,
}

/// A preset object, stored as compact JSON text, written as the object it is (its members in
/// order) to any serializer.
pub(crate) struct Object<'a>(&'a str);

impl<'a> Object<'a> {
    /// The object, or `None` for an empty one, which the JSON forms leave out.
    pub(crate) fn non_empty(text: &'a str) -> Option<Object<'a>> {
        (text != "{}").then_some(Object(text))
    }
}

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut reader = serde_json::Deserializer::from_str(self.0);
        serde_transcode::Transcoder::new(&mut reader).serialize(serializer)
    }
}

fn is_exact(kind: &MatchKind) -> bool {
    *kind == MatchKind::Exact
}

fn is_false(hidden: &bool) -> bool {
    !hidden
}

impl<'a> CanonicalRow<'a> {
    fn of(row: &'a impl Row) -> CanonicalRow<'a> {
        CanonicalRow {
            name: row.name(),
            target: row.target(),
            kind: row.kind(),
            hidden: row.hidden(),
            defaults: row.defaults().and_then(Object::non_empty),
            overrides: row.overrides().and_then(Object::non_empty),
        }
    }
}

/// The canonical row, as read: not yet validated.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    name: String,
    target: String,
    #[serde(rename = "match", default)]
    kind: MatchKind,
    #[serde(default, deserialize_with = "hidden_flag")]
    hidden: bool,
    #[serde(default, deserialize_with = "preset_text")]
    defaults: Option<String>,
    #[serde(default, deserialize_with = "preset_text")]
    overrides: Option<String>,
}

/// `"defaults"` or `"overrides"`: any JSON value, kept as compact JSON text for validation to
/// check (an object of request members); `null` is the same as leaving it out.
fn preset_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let mut text = Vec::new();
    let mut writer = serde_json::Serializer::new(&mut text);
    serde_transcode::transcode(deserializer, &mut writer).map_err(de::Error::custom)?;
    let text = String::from_utf8(text).map_err(de::Error::custom)?;
    Ok((text != "null").then_some(text))
}

/// `"hidden"`: a boolean, and a message that says so for anything else (`"yes"`, `1`).
fn hidden_flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Flag;
    impl Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(r#""hidden": true or false"#)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
    }
    deserializer.deserialize_bool(Flag)
}

impl Row for RawRow {
    fn name(&self) -> &str {
        &self.name
    }
    fn target(&self) -> &str {
        &self.target
    }
    fn kind(&self) -> MatchKind {
        self.kind
    }
    fn hidden(&self) -> bool {
        self.hidden
    }
    fn defaults(&self) -> Option<&str> {
        self.defaults.as_deref()
    }
    fn overrides(&self) -> Option<&str> {
        self.overrides.as_deref()
    }
}

impl Serialize for Alias {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CanonicalRow::of(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Alias {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Alias, D::Error> {
        let row = RawRow::deserialize(deserializer)?;
        let name = AliasName::new(&row.name).map_err(de::Error::custom)?;
        let target = ModelId::new(&row.target).map_err(de::Error::custom)?;
        if crate::alias::carries_on_exact(target.as_str(), row.kind) {
            return Err(de::Error::custom(crate::error::Problem::CarryOnExact));
        }
        if let Some(problem) = crate::preset::problems(&row, crate::Limits::DEFAULT).first() {
            return Err(de::Error::custom(problem));
        }
        Ok(Alias::new(name, target, row.kind)
            .with_hidden(row.hidden)
            .with_stored_presets(crate::preset::stored(&row)))
    }
}

impl Serialize for AliasSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for alias in self.as_slice() {
            seq.serialize_element(&CanonicalRow::of(alias))?;
        }
        seq.end()
    }
}

/// Reads a set with the default limits, in either form; fails with the same messages as
/// [`AliasSet::new`] (as one serde error: use [`AliasSet::from_json`] for every problem with
/// its row).
impl<'de> Deserialize<'de> for AliasSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AliasSet, D::Error> {
        let mut progress = Progress::default();
        SetSeed {
            builder: AliasSetBuilder::default(),
            progress: &mut progress,
        }
        .deserialize(deserializer)
    }
}

/// How far reading a set got: what [`AliasSetBuilder::from_json`] needs to place a JSON error
/// at its row.
#[derive(Debug, Default)]
struct Progress {
    /// Rows read whole.
    rows: usize,
    /// The name of the row being read, once its key is read (shorthand only).
    name: Option<String>,
    /// The validation problems of the rows read, when there were any.
    invalid: Option<SetError>,
    /// Reading stopped at a JSON error (rather than at a validation failure).
    read_failed: bool,
}

/// Reads a set in either form, validating each row as it is read.
struct SetSeed<'p> {
    builder: AliasSetBuilder,
    progress: &'p mut Progress,
}

impl<'de> DeserializeSeed<'de> for SetSeed<'_> {
    type Value = AliasSet;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<AliasSet, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SetSeed<'_> {
    type Value = AliasSet;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a list of {"name", "target", "match"} rows or an object of "name": "target" (a trailing * on a name marks a prefix alias)"#,
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AliasSet, A::Error> {
        self.validate_as_read(|_| seq.next_element::<RawRow>())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AliasSet, A::Error> {
        self.validate_as_read(|progress| next_shorthand_row(&mut map, progress))
    }
}

impl SetSeed<'_> {
    /// Feeds rows to the builder as `next` reads them. A read error ends the rows and is
    /// returned in place of the set (the problems of the rows before it are kept in the
    /// progress): malformed input is reported as such, never as a shorter set.
    fn validate_as_read<E: de::Error>(
        self,
        mut next: impl FnMut(&mut Progress) -> Result<Option<RawRow>, E>,
    ) -> Result<AliasSet, E> {
        let progress = self.progress;
        let mut error = None;
        let rows = std::iter::from_fn(|| match next(progress) {
            Ok(row) => {
                progress.rows += usize::from(row.is_some());
                progress.name = None;
                row
            }
            Err(e) => {
                error = Some(e);
                None
            }
        });
        let set = self.builder.build(rows);
        match (error, set) {
            (None, Ok(set)) => Ok(set),
            (Some(error), set) => {
                progress.read_failed = true;
                progress.invalid = set.err();
                Err(error)
            }
            (None, Err(invalid)) => {
                let error = E::custom(&invalid);
                progress.invalid = Some(invalid);
                Err(error)
            }
        }
    }
}

/// Reads the next `"name": "target"` entry of the object shorthand, where a trailing `*` on
/// the name marks a prefix alias (`*` alone is kept, for validation to name it a catch-all).
fn next_shorthand_row<'de, A: MapAccess<'de>>(
    map: &mut A,
    progress: &mut Progress,
) -> Result<Option<RawRow>, A::Error> {
    let Some(mut name) = map.next_key::<String>()? else {
        return Ok(None);
    };
    progress.name = Some(excerpt(&name));
    let target = map.next_value_seed(TargetSeed { name: &name })?;
    let kind = match name.strip_suffix('*').filter(|stem| !stem.is_empty()) {
        Some(stem) => {
            name.truncate(stem.len());
            MatchKind::Prefix
        }
        None if name == "*" => MatchKind::Prefix,
        None => MatchKind::Exact,
    };
    Ok(Some(RawRow {
        name,
        target,
        kind,
        hidden: false,
        defaults: None,
        overrides: None,
    }))
}

/// A shorthand target: one string, and a message that says so for anything else (other
/// gateways nest settings there).
struct TargetSeed<'n> {
    name: &'n str,
}

impl TargetSeed<'_> {
    fn not_a_string<E: de::Error>(&self, what: &str) -> E {
        E::custom(format_args!(
            "a target is one model id string, not {what}: write {:?}: \"provider/model\"",
            excerpt(self.name)
        ))
    }
}

impl<'de> DeserializeSeed<'de> for TargetSeed<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TargetSeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a target model id string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.not_a_string("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.not_a_string("an object"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<String, E> {
        Err(self.not_a_string("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<String, E> {
        Err(self.not_a_string("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<String, E> {
        Err(self.not_a_string("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<String, E> {
        Err(self.not_a_string("a number"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(self.not_a_string("null"))
    }
}

impl AliasSetBuilder {
    /// Reads a set from JSON text in either form (the canonical list or the object shorthand)
    /// and validates it under these settings, reporting every problem with its row, a JSON
    /// error included (at the row where reading stopped, with its line and column).
    ///
    /// A leading UTF-8 byte-order mark is skipped. Rows are validated as they are read and
    /// none is kept past the limit, so memory is bounded by the limit, not by `json`'s length.
    pub fn from_json(&self, json: &str) -> Result<AliasSet, SetError> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let mut progress = Progress::default();
        let mut reader = serde_json::Deserializer::from_str(json);
        let seed = SetSeed {
            builder: *self,
            progress: &mut progress,
        };
        let read = seed.deserialize(&mut reader);
        let error = match read.and_then(|set| reader.end().map(|()| set)) {
            Ok(set) => return Ok(set),
            Err(error) => error,
        };
        let invalid = progress.invalid.take();
        // A validation failure alone was reported through serde: its problems are the whole
        // story. Otherwise the JSON error goes at the row where reading stopped.
        let json_failed = progress.read_failed || invalid.is_none();
        let mut problems = invalid.map(SetError::into_problems).unwrap_or_default();
        if json_failed {
            let problem = Problem::Json {
                message: error.to_string(),
            };
            let name = progress.name.or_else(|| list_row_name(json, progress.rows));
            problems.push(RowError::new(
                progress.rows,
                name.unwrap_or_default(),
                problem,
            ));
            problems.sort_by_key(RowError::index);
        }
        Err(SetError::new(problems))
    }
}

/// The `"name"` of row `index` of a list-form set whose rows are well-formed JSON objects
/// but not valid rows (a target that is a number, say): the name a JSON error is reported
/// with. `None` when the text cannot be read that far or the row has no string name.
fn list_row_name(json: &str, index: usize) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(default)]
        name: serde_json::Value,
    }
    let rows: Vec<Named> = serde_json::from_str(json).ok()?;
    rows.get(index)?.name.as_str().map(excerpt)
}

impl AliasSet {
    /// Reads a set from JSON text with the default limits: shorthand for
    /// `AliasSet::builder().from_json(json)`. Both forms are read (see the crate docs);
    /// every problem is reported with its row, a JSON error included.
    ///
    /// ```
    /// use model_alias::AliasSet;
    ///
    /// let set = AliasSet::from_json(r#"{"cross-model-basic": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}"#)?;
    /// assert_eq!(set.resolve("claude-opus-4-9").model(), "anthropic/claude-opus-4-8");
    ///
    /// let err = AliasSet::from_json(r#"{"Claude*": "x", "ok": ["deepseek/deepseek-chat"]}"#).unwrap_err();
    /// let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    /// assert_eq!(messages, [
    ///     r#"row 1: alias name "Claude" has 'C' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"#,
    ///     r#"row 2 ("ok"): a target is one model id string, not a list: write "ok": "provider/model" at line 1 column 24"#,
    /// ]);
    /// # Ok::<(), model_alias::SetError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<AliasSet, SetError> {
        AliasSet::builder().from_json(json)
    }
}

/// The whole model as one JSON string, written piece by piece (no joined copy).
impl Serialize for crate::ResolvedModel<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A resolution as the test box's `--json` line and a gateway's resolve endpoint show it:
/// `{"model": requested, "resolved": model, "rule": "exact" | "prefix" | "passthrough",
/// "alias": name or null}`, in that order, then `"defaults"` and `"overrides"` (the objects as
/// stored) when the alias that applied has them.
impl Serialize for crate::Resolution<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let presets = self.alias().and_then(|a| a.presets());
        let defaults = presets.and_then(|p| Object::non_empty(p.defaults()));
        let overrides = presets.and_then(|p| Object::non_empty(p.overrides()));
        let mut s = serializer.serialize_map(None)?;
        s.serialize_entry("model", self.requested())?;
        s.serialize_entry("resolved", &self.model())?;
        s.serialize_entry("rule", &self.rule())?;
        s.serialize_entry("alias", &self.alias().map(|a| a.name()))?;
        if let Some(defaults) = defaults {
            s.serialize_entry("defaults", &defaults)?;
        }
        if let Some(overrides) = overrides {
            s.serialize_entry("overrides", &overrides)?;
        }
        s.end()
    }
}

/// As the [`Resolution`](crate::Resolution) it holds.
impl Serialize for crate::OwnedResolution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.resolution().serialize(serializer)
    }
}

/// A problem as a dashboard shows it next to its row: `{"row": 2, "name": "pro", "field":
/// "target", "kind": "target_empty", "message": "target model id is empty: ..."}`. `row` is
/// 1-based, `name` the row's name as given (cut to 64 bytes; `""` when the row had none),
/// `field` the part to change (`name`, `target`, `match`, `defaults`, `overrides`, or null for the whole set or JSON
/// that could not be read), `kind` a stable code, `message` what to change, without the row.
impl Serialize for crate::error::RowError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let problem = self.problem();
        let mut s = serializer.serialize_struct("RowError", 5)?;
        s.serialize_field("row", &self.row())?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("field", &problem.field())?;
        s.serialize_field("kind", problem.code())?;
        s.serialize_field("message", &problem.to_string())?;
        s.end()
    }
}

/// Every problem, in row order: `{"problems": [...]}` (see [`RowError`]'s
/// form).
impl Serialize for crate::SetError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("SetError", 1)?;
        s.serialize_field("problems", self.problems())?;
        s.end()
    }
}

/// A warning as a dashboard shows it next to its row: `{"row": 1, "name": "fast", "kind":
/// "target_is_alias_name", "message": "target \"pro\" is also the name of ..."}`.
impl Serialize for crate::Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Warning", 4)?;
        s.serialize_field("row", &self.row())?;
        s.serialize_field("name", self.alias().name().as_str())?;
        s.serialize_field("kind", self.code())?;
        s.serialize_field("message", &self.message().to_string())?;
        s.end()
    }
}
