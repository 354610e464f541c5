//! An OpenAI-compatible reverse proxy that resolves each request's model through its API
//! key's aliases: the crate's pieces (`AliasTable`, `AliasStore`, `AliasCache`,
//! `openai::rewrite_model`, `openai::Catalog`, `middleware::AliasLayer`) wired into a gateway
//! that is safe to put in front of a real provider. `gateway --help` lists every flag.
//!
//! - Keys and aliases live in a database (`--database`: a SQLite file, by default
//!   `model-alias-gateway.db` in the directory the gateway starts in, or `postgres://...` for
//!   replicas sharing one store; `db.rs`), or in a keys file (`--keys`, `keys.rs`).
//! - `Authorization: Bearer <key>` picks the key's aliases; the forwarded routes (`proxy.rs`)
//!   resolve and rewrite the body's model, check it against the key's allow list
//!   (`access.rs`) and send it to `--upstream` at the route's own path.
//! - Each answer's usage is counted under the resolved model (`meter.rs`, `usage.rs`); every
//!   request is logged and counted (`observe.rs`, `metrics.rs`: `GET /metrics`).
//! - With `MODEL_ALIAS_ADMIN_TOKEN` (and a database): the admin API (`admin.rs`, `auth.rs`)
//!   and the console (`console.rs`).
//! - Every error answer is OpenAI-shaped and says nothing internal (`error.rs`); every answer
//!   carries `x-request-id`, the id its log lines carry (`serve.rs`).
//! - Connections, request heads, idle time and buffered bodies are bounded (`serve.rs`,
//!   `budget.rs`); SIGTERM and SIGINT drain requests in flight.

mod access;
mod admin;
mod app;
mod args;
mod auth;
mod budget;
mod console;
mod db;
mod echo;
mod echo_stream;
mod error;
mod keys;
mod meter;
mod metrics;
mod observe;
mod proxy;
mod routes;
mod serve;
mod stored;
mod usage;

use std::io::Write;
use std::sync::Arc;

use clap::Parser;
use model_alias::AliasStore;
use model_alias::cache::AliasCache;
use model_alias::openai::Catalog;

use crate::app::App;
use crate::args::{Args, LogFormat};
use crate::keys::KeySource;

const BUILT_IN_CATALOG: &str = include_str!("catalog.json");
/// The demo keys `--demo` seeds; their secrets are public, so never with a real upstream.
const DEMO_KEYS: &str = include_str!("keys.json");

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // Lines are written by a thread of their own, so a request never waits on standard error;
    // the guard flushes what is queued when `main` returns.
    let (writer, _flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(tracing::Level::INFO)
        .with_target(false);
    match args.log_format {
        LogFormat::Text => logs.with_ansi(false).init(),
        LogFormat::Json => logs.json().init(),
    }
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The keys, from the keys file (re-read every `--ttl` from then on) or the database (seeded
/// with the demo keys under `--demo`).
async fn key_source(args: &Args, catalog: &Catalog) -> Result<Arc<KeySource>, String> {
    if let Some(path) = &args.keys {
        let (keys, text) = keys::read_file(path, args.ignore_case)?;
        for (id, aliases) in keys.keys() {
            for warning in catalog.check(aliases) {
                tracing::warn!(key = %id, "{warning}");
            }
        }
        let source = Arc::new(KeySource::File(AliasStore::new(keys)));
        let (path, ttl, ignore_case) = (path.clone(), args.ttl, args.ignore_case);
        tokio::spawn(keys::reload(source.clone(), path, ttl, ignore_case, text));
        return Ok(source);
    }
    let db = db::Db::open(&args.database, args.store_timeout)
        .await
        .map_err(|e| e.to_string())?
        .ignore_case(args.ignore_case);
    tracing::info!(database = %args.database, "keys and aliases are stored here");
    if args.demo {
        for key in keys::entries(DEMO_KEYS)? {
            db.seed(&key.id, &key.secret, &key.aliases)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let cache = Box::new(AliasCache::builder(db.clone()).ttl(args.ttl).build());
    Ok(Arc::new(KeySource::Database { db, cache }))
}

async fn run(args: Args) -> Result<(), String> {
    args.check()?;
    let admin_token = args::admin_token()?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let catalog_text = match &args.catalog {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => BUILT_IN_CATALOG.as_bytes().to_vec(),
    };
    let catalog = Catalog::from_json(&catalog_text).map_err(|e| format!("catalog: {e}"))?;
    let keys = key_source(&args, &catalog).await?;
    let upstream = match &args.upstream {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => echo::start()
            .await
            .map_err(|e| format!("echo upstream: {e}"))?,
    };
    let upstream_key = match &args.upstream_key_env {
        Some(var) => Some(std::env::var(var).map_err(|e| format!("{var}: {e}"))?),
        None => None,
    };
    let usage = keys.database().cloned().map(usage::UsageLog::start);
    let app = Arc::new(App {
        keys,
        admin_token,
        guard: auth::Guard::default(),
        budget: budget::Budget::new(args.max_buffered_bytes),
        upstream: upstream.clone(),
        upstream_key,
        upstream_timeout: args.upstream_timeout,
        client: reqwest::Client::builder()
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("http client: {e}"))?,
        ttl: args.ttl,
        started: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        aliases: !args.no_aliases,
        metrics: metrics::Metrics::new(&catalog),
        catalog,
        usage: usage.clone(),
    });
    let admin = app.admin_token.is_some() && app.keys.database().is_some();
    let options = routes::Options {
        aliases: !args.no_aliases,
        restore: args.restore_model,
        body_timeout: args.body_timeout,
    };
    let router = routes::router(app, &options);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("--listen {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Written, not println!ed: whoever started the gateway may stop reading after the address.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "model-alias gateway listening on http://{addr} (upstream {upstream})"
    );
    if args.demo {
        let _ = writeln!(
            out,
            "try: curl -s http://{addr}/v1/chat/completions -H 'Authorization: Bearer sk-demo' \
             -d '{{\"model\": \"claude-opus-4-9\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello\"}}]}}'"
        );
    }
    if admin {
        let _ = writeln!(
            out,
            "console: http://{addr}/console (sign in with MODEL_ALIAS_ADMIN_TOKEN)"
        );
    }
    let _ = out.flush();
    let limits = serve::Limits {
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
        shutdown_grace: args.shutdown_grace,
    };
    serve::serve(listener, router, limits, serve::signal()).await;
    if let Some(usage) = usage {
        usage.flush().await;
    }
    Ok(())
}
