//! The command line: every flag, its default and its environment variable, parsed by clap.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Where keys and aliases live unless `--database` or `--keys` says otherwise: a SQLite file in
/// the directory the gateway is started from.
pub const DEFAULT_DATABASE: &str = "model-alias-gateway.db";

/// The shortest admin token accepted.
pub const MIN_ADMIN_TOKEN: usize = 16;

const ENVIRONMENT: &str = "Environment:\n  MODEL_ALIAS_ADMIN_TOKEN  the admin API's bearer token, at least 16 bytes; without it there is \
no\n                           admin API and no console (it is read from the environment only, so \
that\n                           it never shows in a process list)";

/// An OpenAI-compatible reverse proxy that resolves each request's model through its API key's
/// aliases, then forwards it to the upstream.
#[derive(Parser, Debug)]
#[command(name = "gateway", version, about, max_term_width = 100, after_help = ENVIRONMENT)]
pub struct Args {
    /// The address to listen on; port 0 picks a free one (the first line printed says which).
    #[arg(long, default_value = "127.0.0.1:8080", env = "MODEL_ALIAS_LISTEN")]
    pub listen: SocketAddr,

    /// The provider to forward requests to, e.g. https://api.openai.com. Without it, a
    /// built-in echo upstream on loopback answers.
    #[arg(long, value_name = "URL", env = "MODEL_ALIAS_UPSTREAM")]
    pub upstream: Option<String>,

    /// The environment variable holding the upstream's API key, sent as its bearer token.
    #[arg(long, value_name = "VAR")]
    pub upstream_key_env: Option<String>,

    /// Where keys and aliases live: a SQLite file path (created if missing, in a directory
    /// that must exist; by default in the directory the gateway starts in), `sqlite://PATH`,
    /// or `postgres://...` for replicas sharing one store.
    #[arg(long, value_name = "PATH|URL", env = "MODEL_ALIAS_DATABASE",
          default_value = DEFAULT_DATABASE, conflicts_with = "keys")]
    pub database: String,

    /// Read keys and aliases from this JSON file instead of a database (re-read every --ttl).
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,

    /// Seed the demo keys (`sk-demo`, id `team-demo`; `sk-plain`, id `team-plain`) into the
    /// database, for trying the gateway. Refused with --upstream: their secrets are public.
    #[arg(long, conflicts_with_all = ["upstream", "keys"])]
    pub demo: bool,

    /// The model catalog (a `/v1/models` response) for listings and target checks; a
    /// built-in one otherwise.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Seconds a replica serves a key's aliases before reading them again.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    pub ttl: Duration,

    /// Seconds a request body may stall before the request gets a 400.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    pub body_timeout: Duration,

    /// Seconds the upstream may take to start answering before the client gets a 504.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    pub upstream_timeout: Duration,

    /// Seconds a new connection has to send its first request head, and any connection the
    /// rest of a head it has started.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub header_timeout: Duration,

    /// Seconds a kept-alive connection may sit idle between requests before it is closed.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    pub idle_timeout: Duration,

    /// Connections served at once; further ones wait in the listen queue.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Bytes of request bodies held at once across all requests; past it a request gets a
    /// 503 before its body is read. A body without a declared length counts as 32 MiB.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_buffered_bytes: u64,

    /// Seconds a request waits on the database before a cached set is served or a 503 is
    /// answered.
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = seconds)]
    pub store_timeout: Duration,

    /// Seconds to finish requests in flight after SIGTERM or SIGINT, before exiting.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    pub shutdown_grace: Duration,

    /// How log lines on standard error are written.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Forward bodies untouched (no alias resolution): the baseline of the load check.
    #[arg(long)]
    pub no_aliases: bool,

    /// Match models with ASCII case folded (`GPT-4` finds the alias `gpt-4`).
    #[arg(long)]
    pub ignore_case: bool,

    /// Give the client back the model name it sent in the response's "model".
    #[arg(long)]
    pub restore_model: bool,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line an event.
    Text,
    /// One JSON object a line.
    Json,
}

/// The admin token from `MODEL_ALIAS_ADMIN_TOKEN`: `None` when unset or empty, an error
/// naming the variable when it is too short to resist guessing.
pub fn admin_token() -> Result<Option<String>, String> {
    let Some(token) = std::env::var("MODEL_ALIAS_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    if token.len() < MIN_ADMIN_TOKEN {
        return Err(format!(
            "MODEL_ALIAS_ADMIN_TOKEN is {} bytes: use at least {MIN_ADMIN_TOKEN} \
             (e.g. the output of `openssl rand -hex 24`)",
            token.len()
        ));
    }
    Ok(Some(token))
}

impl Args {
    /// The checks clap cannot express: what is wrong, with the flag to change.
    pub fn check(&self) -> Result<(), String> {
        let scheme = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        match &self.upstream {
            Some(url) if !scheme(url) => Err(format!(
                "--upstream {url:?}: give an http:// or https:// URL"
            )),
            _ => Ok(()),
        }
    }
}

/// A duration flag's value: seconds, a decimal fraction allowed.
fn seconds(value: &str) -> Result<Duration, String> {
    let secs: f64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{value:?}: {e}"))
}
