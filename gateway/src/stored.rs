//! One alias row as the store holds it and the admin API shows it: the crate's list form.

use model_alias::{AliasRef, MatchKind, Row};

/// One alias row as stored, and as the admin API shows it: the crate's list form.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredAlias {
    pub name: String,
    pub target: String,
    #[serde(rename = "match")]
    pub kind: MatchKind,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// The presets' objects as compact JSON text, shown as the objects they are.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "raw_json")]
    pub defaults: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "raw_json")]
    pub overrides: Option<String>,
}

/// JSON text written as the value it is. Text that is not JSON (a row edited by hand) is
/// written as a string rather than breaking the answer.
fn raw_json<S: serde::Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    let text = text.as_deref().unwrap_or("null");
    match serde_json::value::RawValue::from_string(text.to_owned()) {
        Ok(raw) => raw.serialize(s),
        Err(_) => text.serialize(s),
    }
}

/// An alias row as the table has it.
#[derive(sqlx::FromRow)]
pub struct AliasRow {
    name: String,
    target: String,
    match_kind: String,
    hidden: i64,
    defaults: Option<String>,
    overrides: Option<String>,
}

impl From<AliasRow> for StoredAlias {
    fn from(row: AliasRow) -> StoredAlias {
        // The table's CHECK constraints keep `match_kind` to these two and `hidden` to 0 or 1.
        let kind = match row.match_kind == MatchKind::Prefix.as_str() {
            true => MatchKind::Prefix,
            false => MatchKind::Exact,
        };
        StoredAlias {
            name: row.name,
            target: row.target,
            kind,
            hidden: row.hidden == 1,
            defaults: row.defaults,
            overrides: row.overrides,
        }
    }
}

impl From<AliasRef<'_>> for StoredAlias {
    fn from(alias: AliasRef<'_>) -> StoredAlias {
        let presets = alias.presets();
        StoredAlias {
            name: alias.name().to_owned(),
            target: alias.target().to_owned(),
            kind: alias.kind(),
            hidden: alias.is_hidden(),
            defaults: presets
                .map(|p| p.defaults())
                .filter(|d| *d != "{}")
                .map(str::to_owned),
            overrides: presets
                .map(|p| p.overrides())
                .filter(|o| *o != "{}")
                .map(str::to_owned),
        }
    }
}

impl Row for StoredAlias {
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
