//! [`Catalog`]: the gateway's real models, read from an OpenAI-compatible `/v1/models`
//! response; [`ModelList`]: the `/v1/models` response a key sees, its aliases first.
//!
//! Invariants: model ids in a catalog are unique (the first of a repeated id is kept, and the
//! repeat reported); fields this crate does not know are kept as they were read and written
//! back unchanged, so a listing loses nothing the catalog had.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::AliasRef;

/// One model as `/v1/models` lists it: the fields the spec names, and any others kept as read.
///
/// ```
/// use model_alias::openai::Model;
///
/// let model: Model = serde_json::from_str(r#"{"id": "deepseek/deepseek-chat", "context_length": 65536, "pricing": {"prompt": "0.27"}}"#)?;
/// assert_eq!((model.object.as_str(), model.context_length), ("model", Some(65536)));
/// assert!(model.extra.contains_key("pricing"), "unknown fields are kept");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The id a client sends: a real model id, or an alias's name in a listing.
    pub id: String,
    /// Always `"model"`.
    #[serde(default = "model_object")]
    pub object: String,
    /// In a listing, on an alias: the real model id it resolves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Unix time the model was added, if the catalog says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    /// Who serves the model, if the catalog says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// The context window in tokens, if the catalog says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// Input and output modalities, if the catalog says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    /// Every other field, kept as read (pricing, description, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn model_object() -> String {
    "model".to_owned()
}

/// What a model takes and produces.
///
/// ```
/// use model_alias::openai::Architecture;
///
/// let arch: Architecture = serde_json::from_str(r#"{"input_modalities": ["text", "image"], "output_modalities": ["text"]}"#)?;
/// assert_eq!(arch.input_modalities, ["text", "image"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// `"text"`, `"image"`, `"audio"`, ...
    #[serde(default)]
    pub input_modalities: Vec<String>,
    /// `"text"`, `"image"`, `"embeddings"`, ...
    #[serde(default)]
    pub output_modalities: Vec<String>,
    /// Every other field, kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `{"object": "list", "data": [...]}` body of `GET /v1/models`: what
/// [`Catalog::listing`] returns.
///
/// ```
/// use model_alias::openai::{Catalog, ModelList};
///
/// let list: ModelList = serde_json::from_str(r#"{"data": [{"id": "deepseek/deepseek-chat"}]}"#)?;
/// assert_eq!((list.object.as_str(), list.data.len()), ("list", 1));
/// assert_eq!(Catalog::new(list.data).len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// Always `"list"`.
    #[serde(default = "list_object")]
    pub object: String,
    /// The models, in order.
    pub data: Vec<Model>,
}

fn list_object() -> String {
    "list".to_owned()
}

/// The gateway's catalog of real models, looked up by id.
///
/// ```
/// use model_alias::openai::Catalog;
/// use model_alias::{AliasSet, MatchKind};
///
/// let catalog = Catalog::from_json(br#"{"object": "list", "data": [
///     {"id": "deepseek/deepseek-chat", "object": "model", "context_length": 65536,
///      "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}}
/// ]}"#)?;
/// let set = AliasSet::new([
///     ("cross-model-basic", "deepseek/deepseek-chat", MatchKind::Exact),
///     ("typo", "deepseek/deepseek-chta", MatchKind::Exact),
/// ])?;
/// let warnings = catalog.check(&set);
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(
///     warnings[0].to_string(),
///     r#"row 2: alias "typo" points at "deepseek/deepseek-chta", which is not in the catalog: pick a model id the catalog lists"#,
/// );
/// assert_eq!((warnings[0].index(), warnings[0].row()), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// Reading: one pass over the JSON, one hash map entry a model. `get` and `check`: one hash
/// lookup a model id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    models: Vec<Model>,
    by_id: HashMap<String, usize>,
}

/// An alias whose target is not in the catalog: requests for it would fail upstream. Made by
/// [`Catalog::check`].
///
/// ```
/// use model_alias::AliasSet;
/// use model_alias::openai::Catalog;
///
/// let catalog = Catalog::from_json(br#"[{"id": "deepseek/deepseek-chat"}]"#)?;
/// let set = AliasSet::new([("fast", "deepseek/deepseek-chat"), ("typo", "deepseek/chat")])?;
/// let unknown = &catalog.check(&set)[0];
/// assert_eq!((unknown.row(), unknown.name(), unknown.target()), (2, "typo", "deepseek/chat"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "row {}: alias {name:?} points at {target:?}, which is not in the catalog: pick a model id the catalog lists",
    .index + 1
)]
pub struct UnknownTarget {
    index: usize,
    name: String,
    target: String,
}

impl UnknownTarget {
    /// The 0-based position of the alias in its set.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The 1-based row number that messages show (`index() + 1`).
    pub fn row(&self) -> usize {
        self.index + 1
    }

    /// The alias's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its target.
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl Catalog {
    /// A catalog of `models`; a repeated id keeps its first entry.
    pub fn new(models: impl IntoIterator<Item = Model>) -> Catalog {
        let mut catalog = Catalog::default();
        for model in models {
            if !catalog.by_id.contains_key(&model.id) {
                catalog.by_id.insert(model.id.clone(), catalog.models.len());
                catalog.models.push(model);
            }
        }
        catalog
    }

    /// Reads an OpenAI-compatible `/v1/models` response (`{"data": [...]}`), or a bare array
    /// of models.
    pub fn from_json(json: &[u8]) -> Result<Catalog, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            List(ModelList),
            Bare(Vec<Model>),
        }
        let models = match serde_json::from_slice::<Form>(json) {
            Ok(Form::List(list)) => list.data,
            Ok(Form::Bare(models)) => models,
            // Report the error of the documented form rather than serde's "did not match".
            Err(_) => serde_json::from_slice::<ModelList>(json)?.data,
        };
        Ok(Catalog::new(models))
    }

    /// The model with this id.
    pub fn get(&self, id: &str) -> Option<&Model> {
        self.by_id.get(id).and_then(|&i| self.models.get(i))
    }

    /// Whether the catalog lists `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The models, in the catalog's order.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The number of models.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// One warning for every alias whose target the catalog does not list, in row order:
    /// what the spec's target picker prevents, for sets that come from elsewhere (an API, a
    /// file). `aliases` is a set's or a table key's aliases in order.
    ///
    /// A target that [carries](AliasRef::carries) the rest of the model (`openai/*`) is
    /// accepted when some catalog id starts with its text before the `*`: which model a
    /// request reaches depends on what the client sends.
    ///
    /// Cost: one hash lookup an alias; a scan of the catalog's ids for a carrying alias.
    pub fn check<'a>(&self, aliases: impl IntoIterator<Item = AliasRef<'a>>) -> Vec<UnknownTarget> {
        let known = |a: &AliasRef<'_>| match a.target().strip_suffix('*') {
            Some(stem) if a.carries() => self.models.iter().any(|m| m.id.starts_with(stem)),
            _ => self.contains(a.target()),
        };
        aliases
            .into_iter()
            .enumerate()
            .filter(|(_, a)| !known(a))
            .map(|(index, a)| UnknownTarget {
                index,
                name: a.name().to_owned(),
                target: a.target().to_owned(),
            })
            .collect()
    }

    /// The `GET /v1/models` response for a key with `aliases`: the aliases first, in the
    /// user's order, each listed under its name with `"root"` set to its target and the
    /// target's fields copied from the catalog (`context_length`, `architecture`,
    /// `owned_by`, ...), **followed by** the whole catalog, so that real ids stay callable.
    ///
    /// A prefix alias is listed under its name, like an exact one: a client that reads the
    /// list should take it as "this name, and any model id that starts with it, runs
    /// `root`". An alias whose target is not in the catalog is listed with `id`, `object` and
    /// `root` only; so is one that [carries](AliasRef::carries) the rest of the model, whose
    /// `root` is its target as written (`"oai/"` with `"root": "openai/*"`: the `*` stands for
    /// what the client writes after the name). A [hidden](AliasRef::is_hidden) alias is left
    /// out: it resolves, but is not offered.
    ///
    /// ```
    /// use model_alias::openai::Catalog;
    /// use model_alias::{AliasSet, MatchKind};
    ///
    /// let catalog = Catalog::from_json(br#"{"data": [
    ///     {"id": "deepseek/deepseek-chat", "object": "model", "context_length": 65536,
    ///      "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}}
    /// ]}"#)?;
    /// let set = AliasSet::new([("cross-model-basic", "deepseek/deepseek-chat", MatchKind::Exact)])?;
    /// let listing = catalog.listing(&set);
    /// assert_eq!(
    ///     serde_json::to_value(&listing.data[0])?,
    ///     serde_json::json!({
    ///         "id": "cross-model-basic",
    ///         "object": "model",
    ///         "root": "deepseek/deepseek-chat",
    ///         "context_length": 65536,
    ///         "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}
    ///     }),
    /// );
    /// assert_eq!(listing.data[1].id, "deepseek/deepseek-chat");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn listing<'a>(&self, aliases: impl IntoIterator<Item = AliasRef<'a>>) -> ModelList {
        let mut data: Vec<Model> = aliases
            .into_iter()
            .filter(|alias| !alias.is_hidden())
            .map(|alias| {
                let mut entry = self.get(alias.target()).cloned().unwrap_or_else(|| Model {
                    id: String::new(),
                    object: model_object(),
                    root: None,
                    created: None,
                    owned_by: None,
                    context_length: None,
                    architecture: None,
                    extra: Map::new(),
                });
                entry.id = alias.name().to_owned();
                entry.object = model_object();
                entry.root = Some(alias.target().to_owned());
                entry
            })
            .collect();
        data.extend(self.models.iter().cloned());
        ModelList {
            object: list_object(),
            data,
        }
    }
}
