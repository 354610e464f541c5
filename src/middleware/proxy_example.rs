//! The smallest alias-resolving OpenAI proxy: `AliasLayer` in front of one forwarding handler.
//! The `middleware` module's docs show this file as it is; the gateway package builds it as
//! its example `proxy`:
//!
//! ```text
//! UPSTREAM=https://api.openai.com cargo run -p model-alias-gateway --example proxy
//! ```
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::Response;
use axum::{Extension, Router, routing::post};
use model_alias::middleware::{AliasLayer, Rejection};
use model_alias::{AliasSet, OwnedResolution};

/// The routes forwarded, each to the same path on the upstream. Never build the upstream's
/// URL from the client's path: `/v1/%2e%2e/...` would reach other paths with your key.
const ROUTES: [&str; 3] = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Each API key's aliases, as a gateway would load them from its store.
    let json = r#"{"fast": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}"#;
    let keys = Arc::new(HashMap::from([(
        "sk-example".to_owned(),
        Arc::new(AliasSet::from_json(json)?),
    )]));

    // The layer asks for the request's aliases; its future owns what it took from the head.
    let aliases = AliasLayer::new(move |parts: &Parts| {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let found = token
            .and_then(|t| keys.get(t.strip_prefix("Bearer ")?))
            .cloned();
        async move { found.ok_or_else(|| Rejection::unauthorized("Incorrect API key provided.")) }
    });

    let _ = rustls::crypto::ring::default_provider().install_default();
    let upstream = std::env::var("UPSTREAM").unwrap_or_else(|_| "http://127.0.0.1:9000".into());
    let mut app = Router::new();
    for route in ROUTES {
        app = app.route(route, post(forward));
    }
    let app = app
        .route_layer(aliases)
        .with_state(Arc::new((reqwest::Client::new(), upstream)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// The body arrives rewritten, and the resolution says what to route and bill.
async fn forward(
    State(upstream): State<Arc<(reqwest::Client, String)>>,
    route: MatchedPath,
    Extension(resolution): Extension<OwnedResolution>,
    body: Bytes,
) -> Response {
    eprintln!("{}", resolution.resolution());
    let (client, url) = &*upstream;
    let request = client
        .post(format!("{url}{}", route.as_str()))
        .header(header::CONTENT_TYPE, "application/json");
    match request.body(body).send().await {
        // Streamed back as it comes: server-sent events are not buffered.
        Ok(answer) => Response::builder()
            .status(answer.status().as_u16())
            .header(
                header::CONTENT_TYPE,
                answer
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .map_or(&b"application/json"[..], |v| v.as_bytes()),
            )
            .body(Body::from_stream(answer.bytes_stream()))
            .unwrap_or_default(),
        Err(e) => {
            // The detail (it names the upstream's address) is for the log, not the client.
            eprintln!("upstream: {e}");
            let message = "the upstream could not be reached; try again shortly";
            Rejection::new(StatusCode::BAD_GATEWAY, "upstream_unavailable", message)
                .into_http_response()
                .map(Body::new)
        }
    }
}
