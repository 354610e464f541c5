//! Model access per key: a key's allow list, checked on the model every request resolves to
//! (after aliases), so that an alias can never reach a model the key may not use.
//!
//! - No list: every model is allowed. An empty list allows nothing.
//! - A request whose resolved model the list does not allow gets a 403 `model_not_allowed`
//!   and is not forwarded (`proxy.rs`).
//! - `/v1/models` lists only allowed catalog models and aliases whose target is allowed.
//! - An alias row whose target can never be allowed is refused, naming its row; a carried
//!   target (`openai/*`) the list allows only a part of is a warning.

use model_alias::AliasRef;
use model_alias::access::{AllowList, Coverage};
use model_alias::openai::ModelList;
use serde_json::{Value, json};

/// Who a request's key is: its id (for logs and usage) and its allow list.
#[derive(Debug)]
pub struct KeyRecord {
    pub id: String,
    pub allow: Option<AllowList>,
}

impl KeyRecord {
    /// Whether the key may use `model`, a resolved model.
    pub fn allows(&self, model: &str) -> bool {
        self.allow.as_ref().is_none_or(|list| list.allows(model))
    }

    /// Removes from `listing` what the key may not use: catalog models the list does not
    /// allow, aliases whose target it allows nothing of.
    pub fn filter(&self, listing: &mut ModelList) {
        let Some(list) = &self.allow else {
            return;
        };
        listing.data.retain(|entry| match &entry.root {
            Some(target) => list.coverage(target) != Coverage::None,
            None => list.allows(&entry.id),
        });
    }
}

/// What `allow` makes of `rows`: the rows whose target it can never allow (problems, field
/// `target`, kind `target_not_allowed`) and the carried targets it allows only a part of
/// (warnings, kind `target_partly_allowed`), each as JSON beside its row.
pub fn check<'a>(
    rows: impl IntoIterator<Item = AliasRef<'a>>,
    allow: Option<&AllowList>,
) -> (Vec<Value>, Vec<Value>) {
    let (mut refused, mut partial) = (Vec::new(), Vec::new());
    let Some(list) = allow else {
        return (refused, partial);
    };
    for (index, row) in rows.into_iter().enumerate() {
        let (row_number, name, target) = (index + 1, row.name(), row.target());
        match list.coverage(target) {
            Coverage::Full => {}
            Coverage::Partial => partial.push(json!({
                "row": row_number, "name": name, "kind": "target_partly_allowed",
                "message": format!("target {target:?} reaches some models the key's allow list \
                    refuses: requests for those get a 403"),
            })),
            Coverage::None => refused.push(json!({
                "row": row_number, "name": name, "field": "target", "kind": "target_not_allowed",
                "message": format!("target {target:?} is not allowed by the key's allow list, \
                    so every request through this alias would be refused: change the target \
                    or the list"),
            })),
        }
    }
    (refused, partial)
}
