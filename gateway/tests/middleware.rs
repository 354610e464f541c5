//! The `tower` middleware in a real axum server on loopback, driven by a real HTTP
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

#[path = "../../tests/common/cases.rs"]
mod cases;
mod common;

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
    let body = collected(body).await;
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
    common::serve(app).await
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

/// The conformance table (`tests/conformance.json`) through the layer, every section with
/// its case folding: the handler gets the resolved model and the resolution, and a restoring
/// layer gives the client back the model it sent.
#[tokio::test]
async fn the_layer_passes_the_conformance_table() {
    use tower::{Layer, ServiceExt};
    for section in cases::sections() {
        for case in &section.cases {
            let set = Arc::new(case.set(section.ignore_case));
            for restore in [false, true] {
                let set = set.clone();
                let layer = AliasLayer::new(move |_: &axum::http::request::Parts| {
                    std::future::ready(Ok::<_, Rejection>(set.clone()))
                })
                .restore_model(restore);
                let handler = tower::service_fn(|request: Request<http_body_util::Full<Bytes>>| {
                    futures_util::FutureExt::map(
                        upstream(request.map(Body::new)),
                        Ok::<_, Infallible>,
                    )
                });
                let body = json!({"model": case.model, "messages": []}).to_string();
                let response = layer.layer(handler).oneshot(request(&[], body)).await;
                let answer = collected(response.unwrap().into_body()).await;
                let seen: Value = serde_json::from_slice(&answer).unwrap();
                let why = format!("{}: {} (restore {restore})", section.name, case.why);
                assert_eq!(seen["resolution"], case.want_json(), "{why}");
                let client_sees = if restore { &case.model } else { &case.resolved };
                assert_eq!(seen["model"], **client_sees, "{why}");
            }
        }
    }
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
    let response = service
        .oneshot(request(&[], r#"{"model": "fast"}"#))
        .await
        .unwrap();
    assert_eq!(response.headers()["x-seen"], "exact");
    let resolution = response
        .extensions()
        .get::<OwnedResolution>()
        .unwrap()
        .clone();
    assert_eq!(resolution.resolution().rule(), Rule::Exact);
    assert_eq!(resolution.resolution().model(), "deepseek/deepseek-chat");
    assert_eq!(collected(response.into_body()).await, "as made");
}

// What follows drives the service directly (`tower::ServiceExt::oneshot`), with bodies made
// frame by frame, to reach what a server on loopback cannot show: trailers, body errors,
// size hints and the readiness contract. Mutation testing of `src/middleware.rs`
// found each of these unchecked.

/// One frame of a handler's body, as the tests script it.
type FrameResult = Result<http_body::Frame<Bytes>, std::io::Error>;
type Frames = Vec<FrameResult>;
type FrameBody =
    http_body_util::StreamBody<futures_util::stream::Iter<std::vec::IntoIter<FrameResult>>>;

fn frames(frames: Frames) -> FrameBody {
    http_body_util::StreamBody::new(futures_util::stream::iter(frames))
}

fn data(text: &str) -> FrameResult {
    Ok(http_body::Frame::data(Bytes::copy_from_slice(
        text.as_bytes(),
    )))
}

fn trailers() -> FrameResult {
    let mut map = HeaderMap::new();
    map.insert("x-checksum", "7".parse().unwrap());
    Ok(http_body::Frame::trailers(map))
}

fn broken() -> FrameResult {
    Err(std::io::Error::other("upstream cut"))
}

/// What a body gave, frame by frame: `data:<text>`, `trailers:<x-checksum>` or `error:<it>`.
async fn read_frames<B>(mut body: B) -> Vec<String>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    use http_body_util::BodyExt;
    let mut seen = Vec::new();
    while let Some(frame) = body.frame().await {
        seen.push(match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => format!("data:{}", String::from_utf8_lossy(&data)),
                Err(frame) => {
                    let map = frame.into_trailers().unwrap();
                    format!("trailers:{}", map["x-checksum"].to_str().unwrap())
                }
            },
            Err(e) => format!("error:{e}"),
        });
    }
    seen
}

/// The response to a request for `claude-opus-4-9` (resolved to `anthropic/claude-opus-4-8`)
/// through the layer, restoring on, when the handler answers with `content_type` and `body`.
async fn answered(
    content_type: Option<&'static str>,
    body: Frames,
) -> Response<model_alias::middleware::AliasBody<FrameBody>> {
    use tower::{Layer, ServiceExt};
    let body = Arc::new(std::sync::Mutex::new(Some(body)));
    let handler = tower::service_fn(move |_: Request<http_body_util::Full<Bytes>>| {
        let mut response = Response::new(frames(body.lock().unwrap().take().unwrap()));
        if let Some(content_type) = content_type {
            let value = content_type.parse().unwrap();
            response.headers_mut().insert(header::CONTENT_TYPE, value);
            // A length the handler set for the body as it made it.
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, "999".parse().unwrap());
        }
        std::future::ready(Ok::<_, Infallible>(response))
    });
    let request = request(&[], r#"{"model": "claude-opus-4-9"}"#);
    layer(true).layer(handler).oneshot(request).await.unwrap()
}

/// What the client gets, frame by frame (see [`read_frames`]), when the handler answers as
/// [`answered`] is told.
async fn answered_frames(content_type: Option<&'static str>, body: Frames) -> Vec<String> {
    read_frames(answered(content_type, body).await.into_body()).await
}

const RESOLVED: &str = r#"{"model":"anthropic/claude-opus-4-8","n":1}"#;
const RESTORED: &str = r#"{"model":"claude-opus-4-9","n":1}"#;

/// A JSON answer is restored whole, with its length, up to the bound; one past it, or
/// one that ends in trailers or an error, passes on as it came, split where it was read.
#[tokio::test]
async fn a_json_answer_is_restored_within_the_bound_and_passed_on_otherwise() {
    use http_body::Body as _;
    let json = Some("application/json");
    // Exactly the bound, in two frames: restored, as one frame of known length.
    let pad = MAX_BODY - RESOLVED.len();
    let fits = format!("{}{}", RESOLVED, " ".repeat(pad));
    let (head, tail) = fits.split_at(20);
    let response = answered(json, vec![data(head), data(tail)]).await;
    let want = format!("{}{}", RESTORED, " ".repeat(pad));
    assert_eq!(
        response.headers()[header::CONTENT_LENGTH],
        want.len().to_string()
    );
    let mut body = response.into_body();
    assert_eq!(body.size_hint().exact(), Some(want.len() as u64));
    assert!(!body.is_end_stream());
    assert_eq!(format!("{body:?}"), r#"AliasBody { kind: "full" }"#);
    let frame = http_body_util::BodyExt::frame(&mut body)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frame.into_data().unwrap(), want);
    assert!(
        body.is_end_stream(),
        "a full body has ended once its frame is read"
    );
    assert_eq!(body.size_hint().exact(), Some(0));

    // Past it: passed on unrestored, what was read first (up to the frame that crossed the
    // bound), then the rest.
    let over = format!("{fits}{}", " ".repeat(20));
    let (head, tail) = over.split_at(MAX_BODY - 10);
    let (middle, tail) = tail.split_at(15);
    let response = answered(json, vec![data(head), data(middle), data(tail)]).await;
    assert_eq!(
        response.headers()[header::CONTENT_LENGTH],
        "999",
        "the handler's, untouched"
    );
    let body = response.into_body();
    assert_eq!(body.size_hint().exact(), None);
    assert!(!body.is_end_stream());
    assert_eq!(format!("{body:?}"), r#"AliasBody { kind: "after" }"#);
    let seen = read_frames(body).await;
    assert_eq!(
        seen,
        [format!("data:{head}{middle}"), format!("data:{tail}")]
    );

    // Trailers end it: what was read, unrestored, then the trailers; an error likewise; and
    // with nothing read before them, no empty frame first.
    let whole = format!("data:{RESOLVED}");
    let cases = [
        (
            vec![data(RESOLVED), trailers()],
            vec![&*whole, "trailers:7"],
        ),
        (
            vec![data(RESOLVED), broken()],
            vec![&whole, "error:upstream cut"],
        ),
        (vec![trailers()], vec!["trailers:7"]),
        (vec![broken()], vec!["error:upstream cut"]),
    ];
    for (frames, want) in cases {
        assert_eq!(answered_frames(json, frames).await, want);
    }
}

/// A stream is restored line by line, its length dropped; the line it holds back goes out
/// before trailers or at the end; an error passes through.
#[tokio::test]
async fn a_stream_is_restored_frame_by_frame_to_its_end() {
    use http_body::Body as _;
    let sse = Some("text/event-stream");
    let first = format!("data: {RESOLVED}\n");
    let response = answered(sse, vec![data(&first), data("\ndata: {\"mo"), trailers()]).await;
    assert!(!response.headers().contains_key(header::CONTENT_LENGTH));
    let body = response.into_body();
    assert_eq!(body.size_hint().exact(), None);
    assert!(!body.is_end_stream());
    assert_eq!(format!("{body:?}"), r#"AliasBody { kind: "restoring" }"#);
    let seen = read_frames(body).await;
    let want = [
        format!("data:data: {RESTORED}\n"),
        "data:\n".to_owned(),
        "data:data: {\"mo".to_owned(),
        "trailers:7".to_owned(),
    ];
    assert_eq!(seen, want);

    // Nothing held: the trailers come straight after; at the end, what is held goes out (after
    // the empty prefix of the chunk that started it); an error passes through.
    let restored = format!("data:data: {RESTORED}\n");
    let cases = [
        (
            vec![data(&first), trailers()],
            vec![&*restored, "trailers:7"],
        ),
        (
            vec![data(&first), data("data: [DO")],
            vec![&restored, "data:", "data:data: [DO"],
        ),
        (
            vec![data(&first), broken()],
            vec![&restored, "error:upstream cut"],
        ),
    ];
    for (frames, want) in cases {
        assert_eq!(answered_frames(sse, frames).await, want);
    }
}

/// With restoring on, a body neither JSON nor a stream passes through as the handler made it.
#[tokio::test]
async fn other_answers_pass_through_when_restoring() {
    use http_body::Body as _;
    for content_type in [Some("text/plain"), None] {
        let response = answered(content_type, vec![data(RESOLVED), trailers()]).await;
        let body = response.into_body();
        assert_eq!(format!("{body:?}"), r#"AliasBody { kind: "inner" }"#);
        assert!(!body.is_end_stream());
        assert_eq!(body.size_hint().exact(), None);
        let seen = read_frames(body).await;
        assert_eq!(seen, [format!("data:{RESOLVED}"), "trailers:7".to_owned()]);
    }
}

/// The request the handler gets through `layer`, or the layer's own answer: `Ok` with the
/// handler's view (its headers, the body's model), `Err` with the rejection's status and body.
async fn sent<F, Fut>(
    layer: AliasLayer<F>,
    request: Request<Body>,
) -> Result<(HeaderMap, Value), (StatusCode, Value)>
where
    F: Fn(&axum::http::request::Parts) -> Fut + Clone,
    Fut: std::future::Future<Output = Result<Arc<AliasSet>, Rejection>> + Send + 'static,
{
    use tower::{Layer, ServiceExt};
    let handler = tower::service_fn(|request: Request<http_body_util::Full<Bytes>>| async move {
        let (parts, body) = request.into_parts();
        let body = collected(body).await;
        let model = serde_json::from_slice::<Value>(&body).unwrap()["model"].clone();
        let mut response = Response::new(Body::from(model.to_string()));
        *response.headers_mut() = parts.headers;
        Ok::<_, Infallible>(response)
    });
    let response = layer.layer(handler).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body: Value = serde_json::from_slice(&collected(body).await).unwrap();
    match parts.status {
        StatusCode::OK => Ok((parts.headers, body)),
        status => Err((status, body)),
    }
}

/// A body's bytes, whole.
async fn collected<B>(body: B) -> Bytes
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    axum::body::to_bytes(Body::new(body), usize::MAX)
        .await
        .unwrap()
}

/// A request for the layer with the known key, `headers` added.
fn request(headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post("/v1/chat/completions")
        .header(header::AUTHORIZATION, "Bearer sk-one")
        .body(body.into())
        .unwrap();
    for (name, value) in headers {
        let name = header::HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    request
}

/// The headers that say how the body is framed are the layer's to decide: the handler sees
/// the rewritten body's `Content-Length` and no `Transfer-Encoding`; an encoding named
/// `identity` in any case is no encoding; the bound on a declared length is inclusive, and a
/// length that is not a number is left to the body read to check.
#[tokio::test]
async fn the_layer_reads_the_framing_headers_as_http_says() {
    let body = r#"{"model": "fast"}"#;
    let chunked = request(&[("transfer-encoding", "chunked")], body);
    let (headers, model) = sent(layer(false), chunked).await.unwrap();
    assert_eq!(model, "deepseek/deepseek-chat");
    assert!(!headers.contains_key(header::TRANSFER_ENCODING));
    let length = body.len() - "fast".len() + "deepseek/deepseek-chat".len();
    assert_eq!(headers[header::CONTENT_LENGTH], length.to_string());

    let upper = request(&[("content-encoding", "IDENTITY")], body);
    assert!(sent(layer(false), upper).await.is_ok());

    let exact = format!(
        r#"{{"model": "fast", "pad": "{}"}}"#,
        "x".repeat(MAX_BODY - 28)
    );
    assert_eq!(exact.len(), MAX_BODY);
    let declared = request(&[("content-length", &MAX_BODY.to_string())], exact.clone());
    assert!(
        sent(layer(false), declared).await.is_ok(),
        "the bound itself is read"
    );
    let over = (MAX_BODY + 1).to_string();
    let (status, error) = sent(layer(false), request(&[("content-length", &over)], body))
        .await
        .unwrap_err();
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "refused from the header: {error}"
    );
    let garbled = request(&[("content-length", "seventeen")], body);
    assert!(sent(layer(false), garbled).await.is_ok());
}

/// A body that fails while it is read is a 400 that says so; the handler never sees it.
#[tokio::test]
async fn a_body_that_cannot_be_read_is_refused() {
    let body = Body::new(frames(vec![data(r#"{"model": "fa"#), broken()]));
    let (status, error) = sent(layer(false), request(&[], body)).await.unwrap_err();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "invalid_body");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("could not be read: upstream cut"),
        "{message}"
    );
}

/// The default bound is OpenAI's 32 MiB, and a layer says what bound it has.
#[tokio::test]
async fn the_default_bound_is_32_mib() {
    let open = AliasLayer::new(|_: &axum::http::request::Parts| {
        std::future::ready(Ok::<_, Rejection>(Arc::new(AliasSet::default())))
    });
    use model_alias::middleware::DEFAULT_MAX_BODY;
    assert_eq!(DEFAULT_MAX_BODY, 32 << 20);
    assert_eq!(open.max_body_limit(), DEFAULT_MAX_BODY);
    assert_eq!(layer(false).max_body_limit(), MAX_BODY);
    let declared = DEFAULT_MAX_BODY.to_string();
    let fits = request(&[("content-length", &declared)], r#"{"model": "fast"}"#);
    assert!(sent(open.clone(), fits).await.is_ok());
    let over = (DEFAULT_MAX_BODY + 1).to_string();
    let (status, error) = sent(open, request(&[("content-length", &over)], "{}"))
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("larger than 33554432 bytes"), "{message}");
}

/// tower's contract: the service that was polled ready is the one called. A concurrency
/// limit of one hands its permit only to the service it was polled on, and refuses (panics,
/// in tower) a call without one.
#[tokio::test]
async fn the_service_polled_ready_is_the_one_called() {
    use tower::{Layer, Service, ServiceExt};
    let handler = tower::service_fn(|_: Request<http_body_util::Full<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Body::from("ok")))
    });
    let mut service = layer(false).layer(tower::limit::ConcurrencyLimit::new(handler, 1));
    for _ in 0..3 {
        let ready = ServiceExt::<Request<Body>>::ready(&mut service)
            .await
            .unwrap();
        let response = ready
            .call(request(&[], r#"{"model": "fast"}"#))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    // While one call holds the only permit, the service is not ready.
    let ready = ServiceExt::<Request<Body>>::ready(&mut service)
        .await
        .unwrap();
    let held = ready.call(request(&[], r#"{"model": "fast"}"#));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut poll = || Service::<Request<Body>>::poll_ready(&mut service, &mut cx);
    assert!(poll().is_pending());
    drop(held);
    assert!(poll().is_ready());
}

/// A rejection reads as its status, code and message, and answers as OpenAI's errors do.
#[test]
fn a_rejection_says_what_it_is() {
    let r = Rejection::new(StatusCode::SERVICE_UNAVAILABLE, "store_down", "try again")
        .with_param("key");
    assert_eq!(r.to_string(), "503 store_down: try again");
    assert_eq!(
        (r.status(), r.code(), r.message()),
        (StatusCode::SERVICE_UNAVAILABLE, "store_down", "try again")
    );
    let body: Value = serde_json::from_str(&r.to_json()).unwrap();
    let want = json!({"error": {"message": "try again", "type": "api_error", "param": "key", "code": "store_down"}});
    assert_eq!(body, want);
    let response = r.into_http_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
}

/// A router with GET and POST routes all under the layer (`Router::layer`): the layer rewrites
/// the POST and leaves the GET, HEAD and DELETE requests alone: no lookup, no 400 for their
/// empty bodies, no resolution in the extensions, the handler's answer as it is.
#[tokio::test]
async fn requests_without_a_body_to_rewrite_pass_through() {
    async fn listed(request: Request) -> Response {
        let resolved = request.extensions().get::<OwnedResolution>().is_some();
        let body = collected(request.into_body()).await;
        axum::Json(json!({"object": "list", "resolved": resolved, "body": body.len()}))
            .into_response()
    }
    let app = Router::new()
        .route("/v1/models", get(listed).head(listed).delete(listed))
        .route("/v1/chat/completions", post(upstream))
        .layer(layer(false));
    let url = common::serve(app).await;

    // No key at all: the layer does not look one up for a request it does not act on.
    let c = client();
    let listing = c.get(format!("{url}/v1/models")).send().await.unwrap();
    assert_eq!(listing.status(), StatusCode::OK);
    let listing: Value = listing.json().await.unwrap();
    assert_eq!(
        listing,
        json!({"object": "list", "resolved": false, "body": 0})
    );
    let head = c.head(format!("{url}/v1/models")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let delete = c
        .delete(format!("{url}/v1/models"))
        .body("not json")
        .send()
        .await
        .unwrap();
    let delete: Value = delete.json().await.unwrap();
    assert_eq!(delete["body"], 8, "the body is passed on as it came");

    // The POST beside them is still rewritten, and still needs its key.
    let body = r#"{"model": "fast"}"#;
    let chat = post_json(&format!("{url}/v1/chat/completions"), Some("sk-one"), body).await;
    let seen: Value = chat.json().await.unwrap();
    assert_eq!(seen["model"], "deepseek/deepseek-chat");
    let refused = post_json(&format!("{url}/v1/chat/completions"), None, body).await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
}
