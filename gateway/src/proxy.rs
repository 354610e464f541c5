//! The forwarded routes: each request's model resolved and rewritten by the crate's
//! middleware, then sent to the upstream at the matched route's own path (never the client's
//! raw path, never its query string), and the answer streamed back as it comes.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use futures_util::TryStreamExt;
use model_alias::OwnedResolution;
use model_alias::middleware::AliasLayer;

use crate::app::App;
use crate::error::ApiError;
use crate::keys::bearer;

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
            async move {
                app.keys
                    .caller(token.as_deref())
                    .await
                    .map_err(ApiError::into_rejection)
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

/// Forwards the body (rewritten by the middleware, unless `--no-aliases`) upstream and streams
/// the answer back, with headers that say how the model resolved.
async fn forward(
    State(app): State<Arc<App>>,
    route: MatchedPath,
    headers: HeaderMap,
    resolution: Option<Extension<OwnedResolution>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if resolution.is_none() {
        // Without the middleware, the key is still checked.
        app.keys.caller(bearer(&headers)).await?;
    }
    let body = body.map_err(|e| ApiError::invalid(e.status(), "invalid_body", e.body_text()))?;
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
    let mut copied = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::CACHE_CONTROL] {
        if let Some(value) = upstream.headers().get(name.as_str()) {
            copied.insert(name, value.clone());
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
                copied.insert(name, value);
            }
        }
    }
    // Chunk by chunk as the upstream sends them: server-sent events are not buffered.
    // A stream the upstream cuts short ends the client's too (its transfer is not completed),
    // and the log says why.
    let body = Body::from_stream(upstream.bytes_stream().inspect_err(|e| {
        tracing::warn!(error = %e, "the upstream's answer ended early");
    }));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = copied;
    Ok(response)
}
