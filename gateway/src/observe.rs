//! One structured log line and the metrics of every request (`tracing`, `--log-format`):
//! request id (the span's), key id, requested model, resolved model, rule, status and
//! latency; never a secret or a body. Models and paths are a client's text: they are logged
//! cut to [`MAX_LOGGED`] bytes, control characters escaped, so that a line stays one line.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use model_alias::OwnedResolution;

use crate::access::KeyRecord;
use crate::app::App;

/// The longest model text a log line holds.
const MAX_LOGGED: usize = 256;

/// The key a request turned out to come with, once a handler or the alias layer knows it.
#[derive(Clone, Default)]
pub struct Seen(Arc<OnceLock<Arc<KeyRecord>>>);

impl Seen {
    pub fn key(&self, key: &Arc<KeyRecord>) {
        let _ = self.0.set(key.clone());
    }

    pub fn get(&self) -> Option<&Arc<KeyRecord>> {
        self.0.get()
    }
}

/// `text` cut to [`MAX_LOGGED`] bytes at a char boundary: how much of a client's text a log
/// line or an error message quotes.
pub fn cut(text: &str) -> &str {
    let mut end = text.len().min(MAX_LOGGED);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// A client's text for a log line: [`cut`], control characters escaped (`\n`, `\u{1b}`).
struct Clean<'a>(&'a str);

impl std::fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for ch in cut(self.0).chars() {
            match ch.is_control() {
                true => write!(f, "{}", ch.escape_debug())?,
                false => f.write_char(ch)?,
            }
        }
        Ok(())
    }
}

/// The middleware: runs the request, then logs and counts it.
pub async fn track(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let seen = Seen::default();
    request.extensions_mut().insert(seen.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let key = seen.get().map_or("-", |k| k.id.as_str());
    let resolution = response.extensions().get::<OwnedResolution>();
    let r = resolution.map(OwnedResolution::resolution);
    let rule = r.as_ref().map_or("none", |r| r.rule().as_str());
    let resolved = r.as_ref().map(|r| r.model().to_cow());
    app.metrics
        .request(rule, resolved.as_deref(), status, latency.as_secs_f64());
    let requested = r.as_ref().map_or("", |r| r.requested());
    tracing::info!(
        method = %method,
        path = %Clean(&path),
        key,
        model = %Clean(requested),
        resolved = %Clean(resolved.as_deref().unwrap_or_default()),
        rule,
        status,
        latency_ms = %format_args!("{:.3}", latency.as_secs_f64() * 1e3),
        "request"
    );
    response
}
