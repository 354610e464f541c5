//! What every handler shares: the keys, the catalog, the upstream and the limits.

use std::sync::Arc;
use std::time::Duration;

use model_alias::AliasRef;
use model_alias::openai::{Catalog, ModelList};

use crate::access::KeyRecord;
use crate::auth::Guard;
use crate::budget::Budget;
use crate::keys::KeySource;
use crate::metrics::Metrics;
use crate::usage::UsageLog;

pub struct App {
    pub keys: Arc<KeySource>,
    /// The admin API's bearer token (`MODEL_ALIAS_ADMIN_TOKEN`); without it, no admin API.
    pub admin_token: Option<String>,
    /// Failed admin authentications per client address.
    pub guard: Guard,
    /// Request bodies held at once (`--max-buffered-bytes`).
    pub budget: Budget,
    pub catalog: Catalog,
    pub upstream: String,
    pub upstream_key: Option<String>,
    /// How long the upstream may take to start answering before the client gets a 504.
    pub upstream_timeout: Duration,
    pub client: reqwest::Client,
    /// How long a replica may serve a key's aliases before reading them again (`--ttl`).
    pub ttl: Duration,
    /// Unix time the gateway started: `created` for listed models the catalog gives none.
    pub started: u64,
    /// Whether forwarded routes resolve aliases (off under `--no-aliases`).
    pub aliases: bool,
    pub metrics: Metrics,
    /// Where usage is written: the database's writer (none with a keys file).
    pub usage: Option<UsageLog>,
}

impl App {
    /// Key `key`'s `/v1/models` listing: what its allow list lets it use, every entry with the
    /// `created` and `owned_by` that OpenAI's SDKs require (from the catalog, else the
    /// gateway's start and the id's provider prefix).
    pub fn listing<'a>(
        &self,
        aliases: impl IntoIterator<Item = AliasRef<'a>>,
        key: &KeyRecord,
    ) -> ModelList {
        let mut listing = self.catalog.listing(aliases);
        key.filter(&mut listing);
        for entry in &mut listing.data {
            entry.created.get_or_insert(self.started);
            if entry.owned_by.is_none() {
                let real = entry.root.as_deref().unwrap_or(&entry.id);
                let provider = real.split_once('/').map_or("model-alias", |(p, _)| p);
                entry.owned_by = Some(provider.to_owned());
            }
        }
        listing
    }
}
