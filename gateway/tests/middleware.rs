//! The `tower` middleware (issue 14) in a real axum server on loopback, driven by a real HTTP
//! client: what the handler behind it receives, what the client gets back, and every request
//! the layer answers itself.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model_alias::middleware::{AliasLayer, Rejection};
use model_alias::{AliasSet, MatchKind, OwnedResolution, Rule};
use serde_json::{Value, json};

const MAX_BODY: usize = 64 << 10;

/// Secret key -> its aliases.
fn keys() -> Arc<HashMap<&'static str, Arc<AliasSet>>> {
    let set = AliasSet::new([
        ("fast", "deepseek/deepseek-chat", MatchKind::Exact),
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
        ("oai/", "openai/*", MatchKind::Prefix),
    ])
    .unwrap();
    Arc::new(HashMap::from([("sk-one", Arc::new(set))]))
}

/// The layer as a gateway would write it: the bearer token picks the key's aliases.
fn layer(
    restore: bool,
) -> AliasLayer<
    impl Fn(&axum::http::request::Parts) -> std::future::Ready<Result<Arc<AliasSet>, Rejection>>
    + Clone
    + Send
    + Sync
    + 'static,
> {
    let keys = keys();
    AliasLayer::new(move |parts: &axum::http::request::Parts| {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let found = match token.and_then(|t| keys.get(t)) {
            Some(aliases) => Ok(aliases.clone()),
            None => Err(Rejection::unauthorized("Incorrect API key provided.")),
        };
        std::future::ready(found)
    })
    .max_body(MAX_BODY)
    .restore_model(restore)
}

/// The handler behind the layer: says what it received (the body's model, its length and
/// `Content-Length`, the resolution in the extensions), in the shape its path asks for.
async fn upstream(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let resolution = parts.extensions.get::<OwnedResolution>().cloned();
    let declared = parts.headers.get(header::CONTENT_LENGTH).cloned();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let model = serde_json::from_slice::<Value>(&body).unwrap()["model"].clone();
    let seen = json!({
        "model": model,
        "length": body.len(),
        "content_length": declared.map(|v| v.to_str().unwrap().to_owned()),
        "resolution": resolution.map(|r| serde_json::to_value(r).unwrap()),
    });
    if parts.uri.path().ends_with("/stream") {
        // The model split across chunks, and an event with another model left alone.
        let m = model.as_str().unwrap().to_owned();
        let text = format!(
            "data: {{\"model\":\"{m}\",\"n\":1}}\n\ndata: {{\"model\":\"other\",\"n\":2}}\n\ndata: [DONE]\n\n"
        );
        let chunks: Vec<Result<Bytes, Infallible>> = text
            .as_bytes()
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        return (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(futures_util::stream::iter(chunks)),
        )
            .into_response();
    }
    axum::Json(seen).into_response()
}

async fn serve(restore: bool) -> String {
    let app = Router::new()
        .route("/v1/{*path}", post(upstream))
        .route_layer(layer(restore))
        .route("/health", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn post_json(
    url: &str,
    key: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut request = client()
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

/// An OpenAI-shaped error: the status, and the error object's code and param.
async fn assert_error(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    assert_eq!(content_type.unwrap(), "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let kind = if status.is_server_error() {
        "api_error"
    } else {
        "invalid_request_error"
    };
    assert_eq!(body["error"]["type"], kind);
    body
}

#[tokio::test]
async fn the_layer_rewrites_the_model_and_hands_the_resolution_on() {
    let url = serve(false).await;
    let chat = format!("{url}/v1/chat/completions");
    for (model, sent, rule, alias) in [
        ("fast", "deepseek/deepseek-chat", "exact", json!("fast")),
        (
            "claude-opus-4-9",
            "anthropic/claude-opus-4-8",
            "prefix",
            json!("claude-opus"),
        ),
        ("oai/gpt-4o", "openai/gpt-4o", "prefix", json!("oai/")),
        ("gpt-4o", "gpt-4o", "passthrough", Value::Null),
    ] {
        let body = format!(r#"{{"model": "{model}", "messages": []}}"#);
        let response = post_json(&chat, Some("sk-one"), body.clone()).await;
        assert_eq!(response.status(), StatusCode::OK, "{model}");
        let seen: Value = response.json().await.unwrap();
        assert_eq!(seen["model"], sent, "{model}");
        let length = body.len() - model.len() + sent.len();
        assert_eq!(seen["length"], length, "{model}: every other byte kept");
        assert_eq!(seen["content_length"], length.to_string(), "{model}");
        let want = json!({"model": model, "resolved": sent, "rule": rule, "alias": alias});
        assert_eq!(seen["resolution"], want, "{model}");
    }
    // Routes without the layer are untouched.
    let health = client().get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn the_layer_answers_bad_requests_itself_in_openai_shape() {
    let url = serve(false).await;
    let chat = format!("{url}/v1/chat/completions");
    let no_key = post_json(&chat, None, r#"{"model": "fast"}"#).await;
    assert_error(no_key, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    let wrong_key = post_json(&chat, Some("sk-two"), r#"{"model": "fast"}"#).await;
    assert_error(wrong_key, StatusCode::UNAUTHORIZED, "invalid_api_key").await;

    for (body, says) in [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not an object"),
        (r#"{"messages": []}"#, "no \"model\" field"),
        (r#"{"model": 4}"#, "is a number, not a string"),
        (r#"{"model": "a", "model": "b"}"#, "more than once"),
        ("", "not valid JSON"),
    ] {
        let response = post_json(&chat, Some("sk-one"), body).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_body").await;
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body:?}: {message}");
        assert_eq!(error["error"]["param"], "model");
    }

    // Declared too large: refused from the header, before the body is read.
    let big = format!(r#"{{"model": "fast", "pad": "{}"}}"#, "x".repeat(MAX_BODY));
    let declared = post_json(&chat, Some("sk-one"), big.clone()).await;
    assert_error(declared, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large").await;
    // Chunked, so with no length to refuse it by: refused once the bound is passed.
    let chunks: Vec<Result<Vec<u8>, Infallible>> = big
        .as_bytes()
        .chunks(4096)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let chunked = post_json(&chat, Some("sk-one"), stream).await;
    assert_error(chunked, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large").await;
    // Just under the bound is read.
    let fits = format!(
        r#"{{"model": "fast", "pad": "{}"}}"#,
        "x".repeat(MAX_BODY - 40)
    );
    assert_eq!(
        post_json(&chat, Some("sk-one"), fits).await.status(),
        StatusCode::OK
    );

    // A compressed body cannot be rewritten.
    let gzip = client()
        .post(&chat)
        .bearer_auth("sk-one")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(vec![0x1f, 0x8b, 0x08, 0x00])
        .send()
        .await
        .unwrap();
    assert_error(
        gzip,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_content_encoding",
    )
    .await;
    let identity = client()
        .post(&chat)
        .bearer_auth("sk-one")
        .header(header::CONTENT_ENCODING, "identity")
        .body(r#"{"model": "fast"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(identity.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_layer_restores_the_client_model_when_asked() {
    let url = serve(true).await;
    // A JSON answer: the handler echoes the resolved model; the client gets its own back,
    // with a Content-Length that fits the restored body.
    let response = post_json(
        &format!("{url}/v1/chat/completions"),
        Some("sk-one"),
        r#"{"model": "claude-opus-4-9"}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let length: usize = header_str(response.headers(), header::CONTENT_LENGTH)
        .parse()
        .unwrap();
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), length);
    let seen: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(seen["model"], "claude-opus-4-9");
    assert_eq!(
        seen["resolution"]["resolved"], "anthropic/claude-opus-4-8",
        "the handler saw the target"
    );

    // A stream, split every 7 bytes: each event with the resolved model restored, others kept.
    let response = post_json(
        &format!("{url}/v1/chat/stream"),
        Some("sk-one"),
        r#"{"model": "oai/gpt-4o"}"#,
    )
    .await;
    assert_eq!(
        header_str(response.headers(), header::CONTENT_TYPE),
        "text/event-stream"
    );
    assert_eq!(
        response.text().await.unwrap(),
        "data: {\"model\":\"oai/gpt-4o\",\"n\":1}\n\ndata: {\"model\":\"other\",\"n\":2}\n\ndata: [DONE]\n\n"
    );

    // A passthrough has nothing to restore.
    let response = post_json(
        &format!("{url}/v1/chat/completions"),
        Some("sk-one"),
        r#"{"model": "gpt-4o"}"#,
    )
    .await;
    let seen: Value = response.json().await.unwrap();
    assert_eq!(seen["model"], "gpt-4o");
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers.get(name).unwrap().to_str().unwrap().to_owned()
}

/// Without restoring, the response passes through as the handler made it, and the
/// resolution is in its extensions for layers further out (logging, billing).
#[tokio::test]
async fn the_response_carries_the_resolution_and_is_otherwise_untouched() {
    use tower::{Layer, ServiceExt};
    let handler = tower::service_fn(|request: Request<http_body_util::Full<Bytes>>| async move {
        let seen = request.extensions().get::<OwnedResolution>().cloned();
        let mut response = Response::new(Body::from("as made"));
        response.headers_mut().insert(
            "x-seen",
            seen.unwrap().resolution().rule().as_str().parse().unwrap(),
        );
        Ok::<_, Infallible>(response)
    });
    let service = layer(false).layer(handler);
    let request = Request::post("/v1/chat/completions")
        .header(header::AUTHORIZATION, "Bearer sk-one")
        .body(Body::from(r#"{"model": "fast"}"#))
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.headers()["x-seen"], "exact");
    let resolution = response
        .extensions()
        .get::<OwnedResolution>()
        .unwrap()
        .clone();
    assert_eq!(resolution.resolution().rule(), Rule::Exact);
    assert_eq!(resolution.resolution().model(), "deepseek/deepseek-chat");
    let body = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, "as made");
}
