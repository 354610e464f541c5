//! JSON forms (feature `serde`, on by default).
//!
//! Written, always: the canonical list of rows in the user's order,
//! `[{"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"}]`, with
//! `match` left out for exact aliases. Read: that list (`match` defaults to `"exact"`, unknown
//! fields are rejected), or the object shorthand other gateways use,
//! `{"cross-model-basic": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}`,
//! where a trailing `*` marks a prefix alias and a repeated key is a duplicate name.
//!
//! Deserializing validates: an [`AliasSet`] with the default limits and the same messages as
//! [`AliasSet::new`]; an [`AliasName`], [`ModelId`] or [`Alias`] with the default limits.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::{Alias, AliasName, AliasRow, AliasSet, MatchKind, ModelId, Row};

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

/// The canonical row, borrowed from whatever row is written.
#[derive(Serialize)]
struct CanonicalRow<'a> {
    name: &'a str,
    target: &'a str,
    #[serde(rename = "match", skip_serializing_if = "MatchKind::is_exact")]
    kind: MatchKind,
}

impl<'a> CanonicalRow<'a> {
    fn of(row: &'a impl Row) -> CanonicalRow<'a> {
        CanonicalRow {
            name: row.name(),
            target: row.target(),
            kind: row.kind(),
        }
    }
}

fn serialize_rows<'a, S, R>(serializer: S, rows: &'a [R]) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    R: Row + 'a,
{
    let mut seq = serializer.serialize_seq(Some(rows.len()))?;
    for row in rows {
        seq.serialize_element(&CanonicalRow::of(row))?;
    }
    seq.end()
}

impl Serialize for AliasRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CanonicalRow::of(self).serialize(serializer)
    }
}

impl Serialize for Alias {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CanonicalRow::of(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Alias {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Alias, D::Error> {
        let row = AliasRow::deserialize(deserializer)?;
        let name = AliasName::new(&row.name).map_err(de::Error::custom)?;
        let target = ModelId::new(&row.target).map_err(de::Error::custom)?;
        Ok(Alias::new(name, target, row.kind))
    }
}

/// Unvalidated rows read from JSON in either form, for callers that want the structured
/// [`SetError`](crate::SetError) (every problem with its row) rather than one serde message.
///
/// ```
/// use model_alias::{AliasRows, AliasSet};
///
/// let json = r#"{"cross-model-basic": "deepseek/deepseek-chat", "Claude*": "x", "a b": ""}"#;
/// let rows: AliasRows = serde_json::from_str(json)?;
/// let err = AliasSet::new(rows).unwrap_err();
/// assert_eq!(err.problems().len(), 3); // "Claude": uppercase; "a b": space; and an empty target
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Cost: one pass over the input; the rows own their strings, so memory grows with the input.
/// To read an untrusted file with memory bounded by the limits, deserialize an [`AliasSet`]
/// directly: it validates each row as it is read and keeps none past the limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AliasRows(Vec<AliasRow>);

impl AliasRows {
    /// The rows, in input order.
    pub fn as_slice(&self) -> &[AliasRow] {
        &self.0
    }

    /// The rows, owned.
    pub fn into_vec(self) -> Vec<AliasRow> {
        self.0
    }
}

impl From<Vec<AliasRow>> for AliasRows {
    fn from(rows: Vec<AliasRow>) -> AliasRows {
        AliasRows(rows)
    }
}

impl IntoIterator for AliasRows {
    type Item = AliasRow;
    type IntoIter = std::vec::IntoIter<AliasRow>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a AliasRows {
    type Item = &'a AliasRow;
    type IntoIter = std::slice::Iter<'a, AliasRow>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for AliasRows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rows(serializer, &self.0)
    }
}

/// Reads a list of rows or the object shorthand, in input order.
struct RowsVisitor;

/// Preallocation cap: a size hint is the input's claim, not a promise.
const MAX_PREALLOCATED_ROWS: usize = 256;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = AliasRows;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a list of {"name", "target", "match"} rows or an object of "name": "target" (a trailing * on a name marks a prefix alias)"#,
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AliasRows, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED_ROWS));
        while let Some(row) = seq.next_element::<AliasRow>()? {
            rows.push(row);
        }
        Ok(AliasRows(rows))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AliasRows, A::Error> {
        let mut rows = Vec::with_capacity(map.size_hint().unwrap_or(0).min(MAX_PREALLOCATED_ROWS));
        while let Some(row) = next_shorthand_row(&mut map)? {
            rows.push(row);
        }
        Ok(AliasRows(rows))
    }
}

/// Reads the next `"name": "target"` entry of the object shorthand, where a trailing `*` on
/// the name marks a prefix alias.
fn next_shorthand_row<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<AliasRow>, A::Error> {
    let Some((mut name, target)) = map.next_entry::<String, String>()? else {
        return Ok(None);
    };
    let kind = match name.strip_suffix('*') {
        Some(stem) => {
            name.truncate(stem.len());
            MatchKind::Prefix
        }
        None => MatchKind::Exact,
    };
    Ok(Some(AliasRow { name, target, kind }))
}

impl<'de> Deserialize<'de> for AliasRows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AliasRows, D::Error> {
        deserializer.deserialize_any(RowsVisitor)
    }
}

impl Serialize for AliasSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rows(serializer, self.as_slice())
    }
}

/// Reads a set in either form, validating each row as it is read: no list of the input's rows
/// is ever built, so memory stays bounded by the limit however long the input is.
struct SetVisitor;

impl<'de> Visitor<'de> for SetVisitor {
    type Value = AliasSet;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RowsVisitor.expecting(f)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AliasSet, A::Error> {
        validate_as_read(|| seq.next_element::<AliasRow>())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AliasSet, A::Error> {
        validate_as_read(|| next_shorthand_row(&mut map))
    }
}

/// Feeds rows to [`AliasSet::new`] as `next` reads them. A read error ends the rows and is
/// returned in place of the set: malformed input is reported as such, not as a short set.
fn validate_as_read<E: de::Error>(
    mut next: impl FnMut() -> Result<Option<AliasRow>, E>,
) -> Result<AliasSet, E> {
    let mut error = None;
    let rows = std::iter::from_fn(|| {
        next().unwrap_or_else(|e| {
            error = Some(e);
            None
        })
    });
    let set = AliasSet::new(rows);
    match error {
        Some(e) => Err(e),
        None => set.map_err(de::Error::custom),
    }
}

impl<'de> Deserialize<'de> for AliasSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AliasSet, D::Error> {
        deserializer.deserialize_any(SetVisitor)
    }
}

/// A resolution as the test box's `--json` line and a gateway's resolve endpoint show it:
/// `{"model": requested, "resolved": model, "rule": "exact" | "prefix" | "passthrough",
/// "alias": name or null}`, in that order.
impl Serialize for crate::Resolution<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Resolution", 4)?;
        s.serialize_field("model", self.requested())?;
        s.serialize_field("resolved", self.model())?;
        s.serialize_field("rule", &self.rule())?;
        s.serialize_field("alias", &self.alias().map(|a| a.name()))?;
        s.end()
    }
}
