//! An OpenAI-compatible reverse proxy that resolves each request's model through its API
//! key's aliases: the crate's pieces (`AliasTable`, `AliasStore`, `openai::rewrite_model`,
//! `openai::Catalog`, `middleware::AliasLayer`) wired into a real gateway.
//!
//! ```text
//! cargo run -p model-alias-gateway -- [--listen ADDR] [--upstream URL]
//!     [--upstream-key-env VAR] [--database URL | --keys FILE] [--catalog FILE] [--ttl SECS]
//!     [--no-aliases] [--ignore-case] [--restore-model]
//! ```
//!
//! - Keys and aliases live in a database (`--database`): by default the SQLite file
//!   `model-alias-gateway.db`, created, migrated (`gateway/migrations`) and seeded with the
//!   demo keys of `gateway/src/keys.json` (key `sk-demo`) on first run; `postgres://...` for
//!   replicas sharing one store. Secrets are stored as SHA-256 hashes. Each key's aliases load
//!   through an `AliasCache` (one load per key at a time, `--ttl` seconds, default 60; a key
//!   whose store read fails keeps its last set and the failure is logged; a key never loaded
//!   gets a 503). A change made through one replica's admin API is served by it at once and by
//!   every other replica within the TTL. `--keys FILE` reads keys from a JSON file instead,
//!   as an `AliasTable`, re-read every TTL.
//! - With `MODEL_ALIAS_ADMIN_TOKEN` set (and a database), the admin API (`admin.rs`): keys,
//!   their aliases (validated by the crate; an invalid set gets a 422 with every problem and
//!   nothing is stored), the catalog search, the test box and a key's `/v1/models` preview;
//!   and the console (`console.rs`) at `/console`, the page that drives them.
//! - `Authorization: Bearer <key>` picks the key's aliases. An unknown key gets a 401 with an
//!   OpenAI-style error body.
//! - `POST /v1/...` (chat/completions, completions, embeddings, responses, ...): the body's
//!   top-level `"model"` is resolved and replaced, every other byte forwarded as sent, to
//!   `--upstream` (with the key in the environment variable `--upstream-key-env` names, if
//!   any, as its bearer token); the response streams back chunk by chunk. Headers
//!   `x-model-alias-rule` (`exact`, `prefix`, `passthrough`), `x-model-alias` (the alias
//!   that applied) and `x-model-resolved` say what happened; each is sent only when its value
//!   is at most 256 bytes of visible ASCII (a longer model, or one with control bytes, spaces
//!   or non-ASCII, leaves its header out rather than break the response). A body that is not
//!   a JSON object with a string model gets a 400, a compressed one a 415, one over 32 MiB a
//!   413 (before it is read, when its `Content-Length` says so).
//! - `GET /v1/models`: the key's aliases (with `root`), then the catalog; every entry has
//!   `created` and `owned_by`. `GET /v1/models/{id}`: one entry, or a 404.
//! - `GET /v1/aliases/resolve?model=...`: the test box, as JSON.
//! - Every error is an OpenAI error object (`{"error": {"message", "type", "param", "code"}}`):
//!   a wrong key (401), an unknown route (404), a wrong method (405), a bad query (400).
//! - Without `--upstream`, a built-in echo upstream on loopback answers, so that one `curl`
//!   shows the whole flow. A keys file is re-read every `--ttl` seconds (default 60, the
//!   spec's "changes take effect within about a minute"); a file that fails to load keeps
//!   the last good keys serving.
//! - `--body-timeout SECS` (default 30): a request body that sends nothing for that long gets
//!   a 400 that says so, rather than holding its connection open.
//! - `--upstream-timeout SECS` (default 120): an upstream that has not started answering by
//!   then gets the client a 504; one that refuses the connection, a 502. A stream the upstream
//!   cuts short ends the client's (its transfer left incomplete) and is logged.
//! - `--no-aliases` forwards bodies untouched: the baseline of the load check.
//! - `--ignore-case` matches models with ASCII case folded (`GPT-4` finds the alias `gpt-4`).
//! - `--restore-model` gives the client back the model name it sent in the response's
//!   `"model"` (JSON bodies, and each event of a stream), where the upstream answered with the
//!   resolved one. Off by default: the spec reports the real model, and the
//!   `x-model-resolved` header says it either way.

mod admin;
mod console;
mod db;
mod echo;

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::TryStreamExt;
use model_alias::middleware::{AliasLayer, Rejection};
use model_alias::openai::{Catalog, ModelList};
use model_alias::{
    AliasCache, AliasRef, AliasSet, AliasStore, AliasTable, Lookup, OwnedResolution, Resolution,
    Resolve, TableBuilder,
};
use serde::Deserialize;
use tower_http::timeout::RequestBodyTimeoutLayer;

const BUILT_IN_KEYS: &str = include_str!("keys.json");
const BUILT_IN_CATALOG: &str = include_str!("catalog.json");
const USAGE: &str = "usage: gateway [--listen ADDR] [--upstream URL] [--upstream-key-env VAR] \
                     [--database URL | --keys FILE] [--catalog FILE] [--ttl SECS] \
                     [--body-timeout SECS] [--upstream-timeout SECS] [--no-aliases] \
                     [--ignore-case] [--restore-model]";
/// Where keys and aliases live unless `--database` or `--keys` says otherwise.
const DEFAULT_DATABASE: &str = "sqlite://model-alias-gateway.db";
/// Request bodies larger than this get a 413 (a gateway must bound what it buffers).
const MAX_BODY: usize = 32 << 20;
/// The longest `x-model-*` header value sent; a longer one is left out.
const MAX_HEADER: usize = 256;

struct Args {
    listen: SocketAddr,
    upstream: Option<String>,
    upstream_key_env: Option<String>,
    keys: Option<PathBuf>,
    database: Option<String>,
    catalog: Option<PathBuf>,
    ttl: Duration,
    body_timeout: Duration,
    upstream_timeout: Duration,
    aliases: bool,
    ignore_case: bool,
    restore: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        upstream: None,
        upstream_key_env: None,
        keys: None,
        database: None,
        catalog: None,
        ttl: Duration::from_secs(60),
        body_timeout: Duration::from_secs(30),
        upstream_timeout: Duration::from_secs(120),
        aliases: true,
        ignore_case: false,
        restore: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => args.listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--upstream" => args.upstream = Some(value()?.trim_end_matches('/').to_owned()),
            "--upstream-key-env" => args.upstream_key_env = Some(value()?),
            "--keys" => args.keys = Some(value()?.into()),
            "--database" => args.database = Some(value()?),
            "--catalog" => args.catalog = Some(value()?.into()),
            "--ttl" => args.ttl = seconds(&flag, &value()?)?,
            "--body-timeout" => args.body_timeout = seconds(&flag, &value()?)?,
            "--upstream-timeout" => args.upstream_timeout = seconds(&flag, &value()?)?,
            "--no-aliases" => args.aliases = false,
            "--ignore-case" => args.ignore_case = true,
            "--restore-model" => args.restore = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if args.keys.is_some() && args.database.is_some() {
        return Err(format!(
            "--keys and --database are alternatives: give one\n{USAGE}"
        ));
    }
    Ok(args)
}

/// A flag's value in seconds (fractions allowed), or what is wrong with it.
fn seconds(flag: &str, value: &str) -> Result<Duration, String> {
    let secs: f64 = value.parse().map_err(|e| format!("{flag}: {e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{flag}: {e}"))
}

/// One API key in the keys file: its id (what the alias table is keyed by; the secret never
/// goes in the table) and its aliases, in either JSON form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    key_id: String,
    aliases: AliasSet,
}

/// Everything a request needs to know about keys, replaced whole on reload.
struct Keys {
    /// Secret API key -> key id.
    ids: HashMap<String, String>,
    table: AliasTable,
}

fn load_keys(text: &str, ignore_case: bool) -> Result<Keys, String> {
    let entries: HashMap<String, KeyEntry> =
        serde_json::from_str(text).map_err(|e| format!("keys file: {e}"))?;
    let mut builder = TableBuilder::new();
    builder.ignore_case(ignore_case);
    for entry in entries.values() {
        builder
            .insert(entry.key_id.as_bytes(), &entry.aliases)
            .map_err(|e| format!("keys file: key {:?}: {e}", entry.key_id))?;
    }
    let table = builder.build().map_err(|e| format!("keys file: {e}"))?;
    let ids = entries
        .into_iter()
        .map(|(secret, e)| (secret, e.key_id))
        .collect();
    Ok(Keys { ids, table })
}

/// Where the gateway's keys live.
enum KeySource {
    /// A keys file, as an alias table, re-read every TTL.
    File(AliasStore<Keys>),
    /// The database, each key's aliases loaded through the alias cache, keyed by the hash of
    /// the key's secret.
    Database {
        db: db::Db,
        cache: AliasCache<db::Db>,
    },
}

struct App {
    keys: KeySource,
    /// The admin API's bearer token (`MODEL_ALIAS_ADMIN_TOKEN`); without it, no admin API.
    admin_token: Option<String>,
    catalog: Catalog,
    upstream: String,
    upstream_key: Option<String>,
    /// How long the upstream may take to start answering before the client gets a 504.
    upstream_timeout: Duration,
    client: reqwest::Client,
    ignore_case: bool,
    /// How long a replica may serve a key's aliases before reading them again (`--ttl`).
    ttl: Duration,
    /// Unix time the gateway started: `created` for listed models the catalog gives none.
    started: u64,
}

impl App {
    fn database(&self) -> Option<&db::Db> {
        match &self.keys {
            KeySource::Database { db, .. } => Some(db),
            KeySource::File(_) => None,
        }
    }

    fn cache(&self) -> Option<&AliasCache<db::Db>> {
        match &self.keys {
            KeySource::Database { cache, .. } => Some(cache),
            KeySource::File(_) => None,
        }
    }
}

type Shared = State<Arc<App>>;

/// An OpenAI-style error response (the middleware's own shape, for every error the gateway
/// sends).
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    reject(Rejection::new(status, code.to_owned(), message))
}

/// The request's bearer token.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(value.strip_prefix("Bearer ")?.trim())
}

/// A request key's aliases: a key of the keys file's table (in the version the request
/// started with), or a key's set from the database, through the cache.
enum KeyAliases {
    Table { keys: Arc<Keys>, id: String },
    Stored(Lookup<db::DbError>),
}

impl Resolve for KeyAliases {
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        match self {
            KeyAliases::Table { keys, id } => match keys.table.get(id.as_bytes()) {
                Some(aliases) => aliases.resolve(model),
                None => Resolution::new(model, None),
            },
            KeyAliases::Stored(lookup) => lookup.resolve(model),
        }
    }
}

impl KeyAliases {
    fn aliases(&self) -> Vec<AliasRef<'_>> {
        match self {
            KeyAliases::Table { keys, id } => keys
                .table
                .get(id.as_bytes())
                .iter()
                .flat_map(|k| k.iter())
                .collect(),
            KeyAliases::Stored(lookup) => lookup.iter().collect(),
        }
    }
}

/// The aliases of the key `token` names: a 401 when there is no token or no such key, a 503
/// when the key's aliases have never loaded and the database fails (a key loaded before keeps
/// serving its last set, and the failure is logged).
async fn key_aliases(app: &App, token: Option<&str>) -> Result<KeyAliases, Rejection> {
    let token = token.ok_or_else(|| {
        Rejection::unauthorized("Missing API key: send Authorization: Bearer <key>.")
    })?;
    let wrong = || Rejection::unauthorized("Incorrect API key provided.");
    match &app.keys {
        KeySource::File(store) => {
            let keys = store.load_full();
            let id = keys.ids.get(token).cloned().ok_or_else(wrong)?;
            Ok(KeyAliases::Table { keys, id })
        }
        KeySource::Database { cache, .. } => {
            let lookup = cache
                .get(db::secret_hash(token).as_bytes())
                .await
                .map_err(|e| {
                    Rejection::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "aliases_unavailable",
                        format!("this key's aliases could not be loaded; try again shortly ({e})"),
                    )
                })?;
            if let Some(e) = lookup.stale_error() {
                eprintln!("gateway: serving a key's last aliases: {e}");
            }
            match lookup.set() {
                Some(_) => Ok(KeyAliases::Stored(lookup)),
                None => Err(wrong()),
            }
        }
    }
}

/// The response for `rejection`, as axum sends it.
fn reject(rejection: Rejection) -> Response {
    rejection.into_response().into_response()
}

/// The key's `/v1/models` listing, every entry with the `created` and `owned_by` that OpenAI's
/// SDKs require (from the catalog, else the gateway's start and the id's provider prefix).
fn listing<'a>(app: &App, aliases: impl IntoIterator<Item = AliasRef<'a>>) -> ModelList {
    let mut listing = app.catalog.listing(aliases);
    for entry in &mut listing.data {
        entry.created.get_or_insert(app.started);
        if entry.owned_by.is_none() {
            let real = entry.root.as_deref().unwrap_or(&entry.id);
            let provider = real.split_once('/').map_or("model-alias", |(p, _)| p);
            entry.owned_by = Some(provider.to_owned());
        }
    }
    listing
}

async fn models(State(app): Shared, headers: HeaderMap) -> Response {
    match key_aliases(&app, bearer(&headers)).await {
        Ok(aliases) => axum::Json(listing(&app, aliases.aliases())).into_response(),
        Err(rejection) => reject(rejection),
    }
}

/// `GET /v1/models/{id}`: the listing's entry for `id` (an alias, with its `root`, or a
/// catalog model), or an OpenAI-shaped 404.
async fn model(State(app): Shared, Path(model): Path<String>, headers: HeaderMap) -> Response {
    let aliases = match key_aliases(&app, bearer(&headers)).await {
        Ok(aliases) => aliases,
        Err(rejection) => return reject(rejection),
    };
    let listing = listing(&app, aliases.aliases());
    match listing.data.into_iter().find(|entry| entry.id == model) {
        Some(entry) => axum::Json(entry).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            &format!("The model '{model}' does not exist or you do not have access to it."),
        ),
    }
}

#[derive(Deserialize)]
struct ResolveQuery {
    model: String,
}

async fn resolve(
    State(app): Shared,
    headers: HeaderMap,
    query: Result<Query<ResolveQuery>, QueryRejection>,
) -> Response {
    let aliases = match key_aliases(&app, bearer(&headers)).await {
        Ok(aliases) => aliases,
        Err(rejection) => return reject(rejection),
    };
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => {
            let message = format!("{}: send ?model=<model id or alias>", e.body_text());
            return reject(
                Rejection::new(StatusCode::BAD_REQUEST, "invalid_query", message)
                    .with_param("model"),
            );
        }
    };
    axum::Json(aliases.resolve(&q.model)).into_response()
}

/// Any path the gateway does not serve: an OpenAI-shaped 404.
async fn unknown_route(method: Method, uri: Uri) -> Response {
    let message = format!("Unknown request URL: {method} {}.", uri.path());
    error(StatusCode::NOT_FOUND, "unknown_url", &message)
}

/// A path served for other methods: an OpenAI-shaped 405.
async fn wrong_method(method: Method, uri: Uri) -> Response {
    let message = format!("{method} is not allowed on {}.", uri.path());
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &message,
    )
}

/// A value for an `x-model-*` header: short, visible ASCII only, so that a client's 1 MiB
/// model or one with control bytes or non-ASCII never reaches a header (it is left out).
fn header_value(value: &str) -> Option<HeaderValue> {
    let safe = value.len() <= MAX_HEADER && value.bytes().all(|b| b.is_ascii_graphic());
    safe.then(|| HeaderValue::from_str(value).ok()).flatten()
}

/// Forwards the body (rewritten by the middleware, unless `--no-aliases`) upstream and streams
/// the answer back, with headers that say how the model resolved.
async fn proxy(
    State(app): Shared,
    Path(path): Path<String>,
    headers: HeaderMap,
    resolution: Option<Extension<OwnedResolution>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if resolution.is_none() {
        // Without the middleware, the key is still checked.
        if let Err(rejection) = key_aliases(&app, bearer(&headers)).await {
            return reject(rejection);
        }
    }
    let body = match body {
        Ok(body) => body,
        Err(e) => return error(e.status(), "invalid_body", &e.body_text()),
    };
    let mut request = app
        .client
        .post(format!("{}/v1/{path}", app.upstream))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(accept) = headers.get(header::ACCEPT) {
        request = request.header(header::ACCEPT, accept);
    }
    if let Some(key) = &app.upstream_key {
        request = request.bearer_auth(key);
    }
    // The wait for the upstream's answer to start is bounded; a stream, once started, is not
    // (a long completion may take minutes).
    let upstream = match tokio::time::timeout(app.upstream_timeout, request.send()).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            let message = format!("upstream: {e}");
            return error(StatusCode::BAD_GATEWAY, "upstream_unavailable", &message);
        }
        Err(_) => {
            let message = format!(
                "upstream: no answer within {:?} (--upstream-timeout)",
                app.upstream_timeout
            );
            return error(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", &message);
        }
    };
    let mut response = Response::builder().status(upstream.status().as_u16());
    for name in [header::CONTENT_TYPE, header::CACHE_CONTROL] {
        if let Some(value) = upstream.headers().get(name.as_str()) {
            response = response.header(name, value.as_bytes());
        }
    }
    if let Some(Extension(resolution)) = &resolution {
        let r = resolution.resolution();
        let alias = r.alias().map(|a| a.name().to_owned());
        let values = [
            ("x-model-alias-rule", Some(r.rule().to_string())),
            ("x-model-alias", alias),
            ("x-model-resolved", Some(r.model().to_string())),
        ];
        for (name, value) in values {
            if let Some(value) = value.as_deref().and_then(header_value) {
                response = response.header(name, value);
            }
        }
    }
    // Chunk by chunk as the upstream sends them: server-sent events are not buffered.
    // A stream the upstream cuts short ends the client's too (its transfer is not completed),
    // and the log says why.
    let body = Body::from_stream(upstream.bytes_stream().inspect_err(|e| {
        eprintln!("gateway: the upstream's answer ended early: {e}");
    }));
    response.body(body).unwrap_or_else(|e| {
        error(
            StatusCode::BAD_GATEWAY,
            "bad_upstream_response",
            &e.to_string(),
        )
    })
}

/// Re-reads the keys file every `ttl`; publishes it when it changed and loads, keeps the last
/// good keys (and says why, once for each version of the file) when it does not.
async fn reload(app: Arc<App>, path: PathBuf, ttl: Duration, mut last: String) {
    let KeySource::File(store) = &app.keys else {
        return;
    };
    loop {
        tokio::time::sleep(ttl).await;
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(text) => text,
            Err(e) => {
                eprintln!("gateway: keeping the last keys: {}: {e}", path.display());
                continue;
            }
        };
        if text == last {
            continue;
        }
        match load_keys(&text, app.ignore_case) {
            Ok(keys) => {
                store.publish(keys);
                eprintln!("gateway: reloaded {}", path.display());
            }
            Err(e) => eprintln!("gateway: keeping the last keys: {e}"),
        }
        // A bad version is refused once, not again every `ttl` while it stays in place.
        last = text;
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let catalog_text = match &args.catalog {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => BUILT_IN_CATALOG.as_bytes().to_vec(),
    };
    let catalog = Catalog::from_json(&catalog_text).map_err(|e| format!("catalog: {e}"))?;
    let (keys, keys_text) = match &args.keys {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let keys = load_keys(&text, args.ignore_case)?;
            for entry in keys.ids.values() {
                let aliases = keys.table.get(entry.as_bytes());
                for warning in catalog.check(aliases.iter().flat_map(|key| key.iter())) {
                    eprintln!("gateway: key {entry}: {warning}");
                }
            }
            (KeySource::File(AliasStore::new(keys)), text)
        }
        None => {
            let url = args.database.as_deref().unwrap_or(DEFAULT_DATABASE);
            // First run: the built-in demo keys, stored as the hashes of their secrets.
            let seed: Vec<(String, String, AliasSet)> =
                serde_json::from_str::<HashMap<String, KeyEntry>>(BUILT_IN_KEYS)
                    .map_err(|e| format!("built-in keys: {e}"))?
                    .into_iter()
                    .map(|(secret, entry)| (secret, entry.key_id, entry.aliases))
                    .collect();
            let db = db::Db::open(url, &seed).await.map_err(|e| e.to_string())?;
            let db = db.ignore_case(args.ignore_case);
            let cache = AliasCache::builder(db.clone()).ttl(args.ttl).build();
            (KeySource::Database { db, cache }, String::new())
        }
    };
    let upstream = match &args.upstream {
        Some(url) => url.clone(),
        None => echo::start()
            .await
            .map_err(|e| format!("echo upstream: {e}"))?,
    };
    let upstream_key = match &args.upstream_key_env {
        Some(var) => Some(std::env::var(var).map_err(|e| format!("{var}: {e}"))?),
        None => None,
    };
    let app = Arc::new(App {
        keys,
        admin_token: std::env::var("MODEL_ALIAS_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        catalog,
        upstream: upstream.clone(),
        upstream_key,
        upstream_timeout: args.upstream_timeout,
        client: reqwest::Client::builder()
            .build()
            .map_err(|e| format!("http client: {e}"))?,
        ignore_case: args.ignore_case,
        ttl: args.ttl,
        started: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    });
    if let Some(path) = args.keys.clone() {
        tokio::spawn(reload(app.clone(), path, args.ttl, keys_text));
    }
    let mut proxied = Router::new().route("/v1/{*path}", post(proxy));
    if args.aliases {
        let shared = app.clone();
        let aliases = AliasLayer::new(move |parts: &Parts| {
            let (app, token) = (shared.clone(), bearer(&parts.headers).map(str::to_owned));
            async move { key_aliases(&app, token.as_deref()).await }
        });
        proxied = proxied.route_layer(aliases.max_body(MAX_BODY).restore_model(args.restore));
    }
    let admin = app.admin_token.is_some() && app.database().is_some();
    let mut router = Router::new()
        .route("/v1/models", get(models))
        .route("/v1/models/{*id}", get(model))
        .route("/v1/aliases/resolve", get(resolve))
        .merge(proxied);
    if admin {
        router = router.merge(admin::routes()).merge(console::routes());
    }
    let router = router
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        // A body that stalls for this long fails its read: the request gets an error rather
        // than holding a connection and its buffer open.
        .layer(RequestBodyTimeoutLayer::new(args.body_timeout))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("{}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Written, not println!ed: whoever started the gateway may stop reading after the address.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "model-alias gateway listening on http://{addr} (upstream {upstream})"
    );
    let _ = writeln!(
        out,
        "try: curl -s http://{addr}/v1/chat/completions -H 'Authorization: Bearer sk-demo' \
         -d '{{\"model\": \"claude-opus-4-9\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello\"}}]}}'"
    );
    if admin {
        let _ = writeln!(
            out,
            "console: http://{addr}/console (sign in with MODEL_ALIAS_ADMIN_TOKEN)"
        );
    }
    let _ = out.flush();
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
