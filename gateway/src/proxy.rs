//! The forwarded routes: each request's model resolved and rewritten by the crate's
//! middleware, checked against the key's allow list (`access.rs`), then sent to the upstream
//! at the matched route's own path (never the client's raw path, never its query string), and
//! the answer streamed back as it comes, its usage counted under the resolved model
//! (`meter.rs`, `usage.rs`).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use futures_util::{Stream, StreamExt};
use model_alias::middleware::AliasLayer;
use model_alias::{AliasSet, OwnedResolution};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::app::App;
use crate::error::ApiError;
use crate::keys::bearer;
use crate::meter::Meter;
use crate::observe::Seen;

/// The routes forwarded to the upstream, all `POST`.
pub const FORWARDED: [&str; 7] = [
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/responses",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/audio/speech",
];

/// Request bodies larger than this get a 413 (a gateway must bound what it buffers).
pub const MAX_BODY: usize = 32 << 20;

/// The longest `x-model-*` header value sent; a longer one is left out.
const MAX_HEADER: usize = 256;

/// The forwarded routes; with `aliases`, behind the alias middleware (`restore`: give the
/// client back the model it sent).
pub fn routes(app: &Arc<App>, aliases: bool, restore: bool) -> Router<Arc<App>> {
    let mut router = Router::new();
    for path in FORWARDED {
        router = router.route(path, post(forward));
    }
    if aliases {
        let app = app.clone();
        let layer = AliasLayer::new(move |parts: &Parts| {
            let (app, token) = (app.clone(), bearer(&parts.headers).map(str::to_owned));
            let seen = parts.extensions.get::<Seen>().cloned().unwrap_or_default();
            async move {
                let caller = app.keys.caller(token.as_deref()).await;
                let caller = caller.map_err(ApiError::into_rejection)?;
                seen.key(&caller.key);
                Ok(caller)
            }
        });
        router = router.route_layer(layer.max_body(MAX_BODY).restore_model(restore));
    }
    router
}

/// A value for an `x-model-*` header: short, visible ASCII only, so that a client's 1 MiB
/// model or one with control bytes or non-ASCII never reaches a header (it is left out).
fn header_value(value: &str) -> Option<HeaderValue> {
    let safe = value.len() <= MAX_HEADER && value.bytes().all(|b| b.is_ascii_graphic());
    safe.then(|| HeaderValue::from_str(value).ok()).flatten()
}

/// Forwards the body (rewritten by the middleware, unless `--no-aliases`) upstream when the
/// key may use the resolved model, and streams the answer back, with headers that say how the
/// model resolved.
async fn forward(
    State(app): State<Arc<App>>,
    route: MatchedPath,
    headers: HeaderMap,
    Extension(seen): Extension<Seen>,
    resolution: Option<Extension<OwnedResolution>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let key = match seen.get() {
        Some(key) => key.clone(),
        // Without the middleware, the key is still checked.
        None => crate::routes::caller(&app, &headers, &seen).await?.key,
    };
    let body = body.map_err(|e| ApiError::invalid(e.status(), "invalid_body", e.body_text()))?;
    let resolution = match resolution {
        Some(Extension(resolution)) => Some(resolution),
        None => passthrough(&body),
    };
    let model = resolution
        .as_ref()
        .map(|r| r.resolution().model().to_string());
    match model {
        Some(ref model) if !key.allows(model) => {
            return Err(ApiError::ModelNotAllowed(model.clone()));
        }
        None if key.allow.is_some() => {
            return Err(ApiError::Invalid {
                status: axum::http::StatusCode::FORBIDDEN,
                code: "model_not_allowed",
                message: "This API key may use only the models its allow list names, and the \
                          request names none: send \"model\"."
                    .to_owned(),
                param: Some("model"),
            });
        }
        _ => {}
    }
    let (body, asked) = match route.as_str() {
        "/v1/chat/completions" | "/v1/completions" => ask_for_usage(body),
        _ => (body, false),
    };
    let mut request = app
        .client
        .post(format!("{}{}", app.upstream, route.as_str()))
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
    let upstream = tokio::time::timeout(app.upstream_timeout, request.send())
        .await
        .map_err(|_| ApiError::UpstreamTimeout(app.upstream_timeout.as_secs()))?
        .map_err(ApiError::Upstream)?;
    let status = upstream.status();
    if status.is_redirection() {
        let location = upstream.headers().get(header::LOCATION);
        let location = location.map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
        return Err(ApiError::UpstreamRedirect(crate::error::Redirect {
            status: status.as_u16(),
            location: crate::observe::cut(&location.unwrap_or_default()).to_string(),
        }));
    }
    let mut copied = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::CACHE_CONTROL] {
        if let Some(value) = upstream.headers().get(name.as_str()) {
            copied.insert(name, value.clone());
        }
    }
    if let Some(resolution) = &resolution {
        let r = resolution.resolution();
        let alias = r.alias().map(|a| a.name().to_owned());
        let values = [
            ("x-model-alias-rule", Some(r.rule().to_string())),
            ("x-model-alias", alias),
            ("x-model-resolved", Some(r.model().to_string())),
        ];
        for (name, value) in values {
            if let Some(value) = value.as_deref().and_then(header_value) {
                copied.insert(name, value);
            }
        }
    }
    let content_type = copied
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let meter = Meter::new(content_type, asked);
    let billed = Billed {
        app: app.clone(),
        key: key.id.clone(),
        model: model.unwrap_or_default(),
    };
    let mut response = Response::new(Body::from_stream(metered(upstream, meter, billed)));
    *response.status_mut() = status;
    *response.headers_mut() = copied;
    if let Some(resolution) = resolution.filter(|_| !app.aliases) {
        // For the request's log line, as the alias layer gives it otherwise.
        response.extensions_mut().insert(resolution);
    }
    Ok(response)
}

/// A `--no-aliases` request's model, as a passthrough resolution; `None` when the body has no
/// string model.
fn passthrough(body: &[u8]) -> Option<OwnedResolution> {
    let none = AliasSet::default();
    let rewrite = model_alias::openai::rewrite_model(body, &none).ok()?;
    Some(OwnedResolution::from(rewrite.resolution()))
}

/// Who an answer's usage is counted for.
struct Billed {
    app: Arc<App>,
    key: String,
    model: String,
}

/// The upstream's answer chunk by chunk as it comes (server-sent events are not buffered),
/// read by `meter` on the way; when it ends or the client goes away, its usage is counted. A
/// stream the upstream cuts short ends the client's too (its transfer is not completed), and
/// the log says why.
fn metered(
    upstream: reqwest::Response,
    meter: Meter,
    billed: Billed,
) -> impl Stream<Item = Result<Bytes, reqwest::Error>> + Send {
    struct Counting {
        meter: Meter,
        billed: Option<Billed>,
    }
    impl Counting {
        /// Counts the answer, once; returns what the meter still held back.
        fn finish(&mut self) -> Bytes {
            let Some(billed) = self.billed.take() else {
                return Bytes::new();
            };
            let (tokens, rest) = self.meter.finish();
            let app = &billed.app;
            let (input, output) = (tokens.input.unwrap_or(0), tokens.output.unwrap_or(0));
            app.metrics.tokens(&billed.model, input, output);
            if let Some(usage) = &app.usage {
                usage.record(&billed.key, &billed.model, tokens);
            }
            rest
        }
    }
    impl Drop for Counting {
        fn drop(&mut self) {
            self.finish();
        }
    }
    let counting = Counting {
        meter,
        billed: Some(billed),
    };
    let chunks = upstream
        .bytes_stream()
        .map(Some)
        .chain(futures_util::stream::once(async { None }));
    chunks.scan(counting, |counting, chunk| {
        let out = match chunk {
            Some(Ok(chunk)) => Some(Ok(counting.meter.feed(chunk))),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "the upstream's answer ended early");
                Some(Err(e))
            }
            None => Some(Ok(counting.finish())),
        };
        std::future::ready(out)
    })
}

/// A chat or completion stream's body with `stream_options.include_usage` added when the
/// client did not set `stream_options`, so that its usage can be counted; whether it was.
/// Any other body is sent as it came.
fn ask_for_usage(body: Bytes) -> (Bytes, bool) {
    #[derive(Deserialize)]
    struct Flags {
        #[serde(default)]
        stream: Option<bool>,
        #[serde(default, deserialize_with = "present")]
        stream_options: bool,
    }
    fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        IgnoredAny::deserialize(d).map(|_| true)
    }
    if !body.windows(8).any(|w| w == b"\"stream\"") {
        return (body, false);
    }
    let ask = matches!(
        serde_json::from_slice::<Flags>(&body),
        Ok(Flags {
            stream: Some(true),
            stream_options: false
        })
    );
    let close = body.iter().rposition(|b| !b.is_ascii_whitespace());
    match close {
        Some(at) if ask && body.get(at) == Some(&b'}') => {
            let mut out = Vec::with_capacity(body.len() + 40);
            out.extend_from_slice(body.get(..at).unwrap_or_default());
            out.extend_from_slice(br#","stream_options":{"include_usage":true}}"#);
            (Bytes::from(out), true)
        }
        _ => (body, false),
    }
}
