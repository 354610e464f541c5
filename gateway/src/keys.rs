//! API keys: who a request's bearer token is, and that key's aliases, from the database
//! (through the alias cache) or from a keys file (as an alias table, re-read every TTL).
//!
//! A keys file is one JSON object from secret to `{"key_id", "aliases", "allow"}` (`allow`,
//! the key's allow list, optional):
//!
//! ```json
//! {"sk-...": {"key_id": "team-a", "aliases": [{"name": "fast", "target": "openai/gpt-4o-mini"}],
//!             "allow": ["openai/*"]}}
//! ```
//!
//! A secret given twice, a key id given twice, a key's invalid aliases or allow list, or an
//! alias whose target the list never allows refuse the whole file, naming the key (never the
//! secret).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use model_alias::access::AllowList;
use model_alias::cache::{AliasCache, Lookup};
use model_alias::table::TableBuilder;
use model_alias::{AliasRef, AliasSet, AliasStore, AliasTable, Resolution, Resolve};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::access::{self, KeyRecord};
use crate::db::{self, Db, DbError};
use crate::error::ApiError;

/// One entry of a keys file, its aliases still as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    key_id: String,
    aliases: Box<RawValue>,
    #[serde(default)]
    allow: Option<AllowList>,
}

/// A keys file's entries in order; a secret given twice is an error.
struct Entries(Vec<(String, Entry)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entries, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object from each key's secret to its key_id and aliases")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut seen: HashMap<String, String> = HashMap::new();
                let mut entries = Vec::new();
                while let Some((secret, entry)) = map.next_entry::<String, Entry>()? {
                    if let Some(first) = seen.get(&secret) {
                        return Err(serde::de::Error::custom(format!(
                            "key {:?} has the same secret as key {first:?}: give each key its own",
                            entry.key_id
                        )));
                    }
                    seen.insert(secret.clone(), entry.key_id.clone());
                    entries.push((secret, entry));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Each)
    }
}

/// The keys of a keys file, replaced whole on reload.
pub struct FileKeys {
    /// Secret -> the key's id and allow list.
    ids: HashMap<String, Arc<KeyRecord>>,
    table: AliasTable,
}

/// One key of a keys file.
pub struct FileKey {
    pub secret: String,
    pub id: String,
    pub aliases: AliasSet,
    pub allow: Option<AllowList>,
}

/// A keys file's entries, in order. Every error names the key it is about, never its secret.
pub fn entries(text: &str) -> Result<Vec<FileKey>, String> {
    let Entries(entries) = serde_json::from_str(text).map_err(|e| format!("keys file: {e}"))?;
    entries
        .into_iter()
        .map(|(secret, entry)| {
            let id = entry.key_id;
            let aliases = AliasSet::from_json(entry.aliases.get())
                .map_err(|e| format!("keys file: key {id:?}: {e}"))?;
            let (refused, _) = access::check(aliases.iter(), entry.allow.as_ref());
            if let Some(problem) = refused.first() {
                return Err(format!(
                    "keys file: key {id:?}: row {}: {}",
                    problem["row"],
                    problem["message"].as_str().unwrap_or_default()
                ));
            }
            Ok(FileKey {
                secret,
                id,
                aliases,
                allow: entry.allow,
            })
        })
        .collect()
}

impl FileKeys {
    /// Reads a keys file's text; every error names the key it is about.
    pub fn parse(text: &str, ignore_case: bool) -> Result<FileKeys, String> {
        let entries = entries(text)?;
        let mut builder = TableBuilder::new();
        builder.ignore_case(ignore_case);
        let mut ids = HashMap::with_capacity(entries.len());
        for key in entries {
            builder
                .insert(key.id.as_bytes(), &key.aliases)
                .map_err(|e| format!("keys file: key {:?}: {e}", key.id))?;
            let record = KeyRecord {
                id: key.id,
                allow: key.allow,
            };
            ids.insert(key.secret, Arc::new(record));
        }
        let table = builder.build().map_err(|e| format!("keys file: {e}"))?;
        Ok(FileKeys { ids, table })
    }

    /// Every key id with its aliases.
    pub fn keys(&self) -> impl Iterator<Item = (&str, Vec<AliasRef<'_>>)> {
        self.ids
            .values()
            .map(|key| (key.id.as_str(), self.aliases(&key.id)))
    }

    /// Key `id`'s aliases, in order (none for an id the table does not have).
    fn aliases(&self, id: &str) -> Vec<AliasRef<'_>> {
        let key = self.table.get(id.as_bytes());
        key.iter().flat_map(|k| k.iter()).collect()
    }
}

/// Where the gateway's keys live.
pub enum KeySource {
    /// A keys file, as an alias table, re-read every TTL.
    File(AliasStore<FileKeys>),
    /// The database, each key's aliases loaded through the alias cache, keyed by the hash of
    /// the key's secret.
    Database { db: Db, cache: Box<AliasCache<Db>> },
}

/// The key a request came with: who it is, and its aliases.
pub struct Caller {
    pub key: Arc<KeyRecord>,
    pub aliases: CallerAliases,
}

impl Resolve for Caller {
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        self.aliases.resolve(model)
    }
}

/// The aliases of the key a request came with: a key of the keys file's table (in the
/// version the request started with), or a key's set from the database, through the cache.
pub enum CallerAliases {
    Table { keys: Arc<FileKeys>, id: String },
    Stored(Lookup<DbError>),
}

impl Resolve for CallerAliases {
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        match self {
            CallerAliases::Table { keys, id } => match keys.table.get(id.as_bytes()) {
                Some(aliases) => aliases.resolve(model),
                None => Resolution::new(model, None),
            },
            CallerAliases::Stored(lookup) => lookup.resolve(model),
        }
    }
}

impl CallerAliases {
    pub fn aliases(&self) -> Vec<AliasRef<'_>> {
        match self {
            CallerAliases::Table { keys, id } => keys.aliases(id),
            CallerAliases::Stored(lookup) => lookup.iter().collect(),
        }
    }
}

/// The request's bearer token; the scheme is matched without regard to case (RFC 9110).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl KeySource {
    /// The aliases of the key `token` names: a 401 when there is no token or no such key, a
    /// 503 when the key's aliases have never loaded and the store fails (a key loaded before
    /// keeps serving its last set, and the failure is logged).
    pub async fn caller(&self, token: Option<&str>) -> Result<Caller, ApiError> {
        let token = token.ok_or(ApiError::MissingKey)?;
        match self {
            KeySource::File(store) => {
                let keys = store.load_full();
                let key = keys.ids.get(token).cloned().ok_or(ApiError::WrongKey)?;
                let id = key.id.clone();
                let aliases = CallerAliases::Table { keys, id };
                Ok(Caller { key, aliases })
            }
            KeySource::Database { db, cache } => {
                let hash = db::secret_hash(token);
                let lookup = cache.get(hash.as_bytes()).await.map_err(ApiError::Store)?;
                if let Some(e) = lookup.stale_error() {
                    tracing::warn!(error = %e, "serving a key's last aliases");
                }
                if lookup.set().is_none() {
                    return Err(ApiError::WrongKey);
                }
                let key = db.record(&hash).await?.ok_or(ApiError::WrongKey)?;
                let aliases = CallerAliases::Stored(lookup);
                Ok(Caller { key, aliases })
            }
        }
    }

    pub fn database(&self) -> Option<&Db> {
        match self {
            KeySource::Database { db, .. } => Some(db),
            KeySource::File(_) => None,
        }
    }

    /// Makes this gateway forget a key's cached aliases, so that a change, a revocation or a
    /// rotation takes effect here at once (other replicas: within their TTL).
    pub async fn forget(&self, secret_hash: &str) {
        if let KeySource::Database { db, cache } = self {
            db.forget(secret_hash);
            cache.invalidate(secret_hash.as_bytes()).await;
        }
    }
}

/// Re-reads the keys file every `ttl`, starting from `last`, the text the published keys came
/// from; publishes it when it changed and loads, keeps the last good keys when it does not,
/// and says why once for each version of the file (and once while it is missing or
/// unreadable).
pub async fn reload(
    store: Arc<KeySource>,
    path: PathBuf,
    ttl: Duration,
    ignore_case: bool,
    mut last: String,
) {
    let KeySource::File(keys) = &*store else {
        return;
    };
    let mut unreadable = false;
    loop {
        tokio::time::sleep(ttl).await;
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(text) => text,
            Err(e) => {
                if !unreadable {
                    tracing::warn!(file = %path.display(), error = %e, "keeping the last keys");
                }
                unreadable = true;
                continue;
            }
        };
        unreadable = false;
        if last == text {
            continue;
        }
        match FileKeys::parse(&text, ignore_case) {
            Ok(parsed) => {
                keys.publish(parsed);
                tracing::info!(file = %path.display(), "reloaded");
            }
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "keeping the last keys"),
        }
        // A bad version is refused once, not again every `ttl` while it stays in place.
        last = text;
    }
}

/// Reads the keys file at `path`: its keys, and the text they came from.
pub fn read_file(path: &Path, ignore_case: bool) -> Result<(FileKeys, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let keys =
        FileKeys::parse(&text, ignore_case).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((keys, text))
}
