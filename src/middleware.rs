//! Aliases as a [tower](https://docs.rs/tower) middleware: one [`AliasLayer`] in front of a
//! proxy's routes, and each request's model is resolved, rewritten in its body and recorded
//! for what runs after it.
//!
//! The layer acts on the requests that carry a body to rewrite: `POST`, `PUT` and `PATCH`.
//! Any other method (`GET /v1/models`, `HEAD`, `DELETE`, `OPTIONS`) passes through to the
//! inner service as it came, its body (if any) read up to the bound, with no lookup and no
//! resolution in the extensions.
//!
//! For every `POST`, `PUT` and `PATCH` request, [`AliasService`]:
//! 1. refuses a body it could not rewrite before reading it: a `Content-Encoding` other than
//!    `identity` (415), a `Content-Length` over the bound (413);
//! 2. asks the gateway's lookup for the request's aliases, from the request's head (its API
//!    key, usually): anything that implements [`Resolve`], or a [`Rejection`] to answer with;
//! 3. reads the body, up to [`AliasLayer::max_body`] bytes (413 past it);
//! 4. rewrites its top-level `"model"` ([`openai::rewrite_model`]), or answers 400 with what to
//!    fix when the body is not a JSON object with a string model;
//! 5. puts the [`OwnedResolution`] in the request's extensions (for routing and billing) and
//!    in the response's (for logging), and calls the inner service with the new body;
//! 6. optionally ([`AliasLayer::restore_model`]) gives the client back the model it sent in
//!    the response: a JSON body ([`openai::restore_model`]) or a stream of server-sent events
//!    ([`openai::RestoreStream`]), chunk by chunk.
//!
//! Every answer the layer gives itself is an OpenAI-shaped error ([`Rejection`]):
//! `{"error": {"message", "type", "param", "code"}}`, which the official SDKs raise as their
//! typed errors.
//!
//! Invariants:
//! 1. the inner service sees a request it acts on either as rewritten, with its
//!    `Content-Length` set to the new body's, or not at all: a request the layer refuses
//!    never reaches it;
//! 2. the body is read at most once, and never past the bound;
//! 3. with restoring off, the response passes through untouched, frame by frame;
//! 4. nothing input can reach panics: bad bodies, encodings and lengths are refused.
//!
//! Resource usage: per request, one copy of the body (collected from its frames; none beyond
//! that when the model is unchanged, one more when it changes), the owned resolution (its
//! strings copied once into one shared buffer, then put in both extensions by reference), and
//! the boxed future. What that adds beside a handler that only reads the body is in
//! BENCHMARKS.md ("Middleware").
//!
//! # A complete proxy
//!
//! With axum (and reqwest for the upstream): the layer in front of one forwarding handler, the
//! whole of `gateway/examples/proxy.rs` in the repository (a test keeps the two the same).
//!
//! ```ignore
//! use std::collections::HashMap;
//! use std::sync::Arc;
//!
//! use axum::body::{Body, Bytes};
//! use axum::extract::{Path, State};
//! use axum::http::{StatusCode, header, request::Parts};
//! use axum::response::Response;
//! use axum::{Extension, Router, routing::post};
//! use model_alias::middleware::{AliasLayer, Rejection};
//! use model_alias::{AliasSet, OwnedResolution};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Each API key's aliases, as a gateway would load them from its store.
//!     let json = r#"{"fast": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}"#;
//!     let keys = Arc::new(HashMap::from([(
//!         "sk-demo".to_owned(),
//!         Arc::new(AliasSet::from_json(json)?),
//!     )]));
//!
//!     // The layer asks for the request's aliases; its future owns what it took from the head.
//!     let aliases = AliasLayer::new(move |parts: &Parts| {
//!         let token = parts
//!             .headers
//!             .get(header::AUTHORIZATION)
//!             .and_then(|v| v.to_str().ok());
//!         let found = token
//!             .and_then(|t| keys.get(t.strip_prefix("Bearer ")?))
//!             .cloned();
//!         async move { found.ok_or_else(|| Rejection::unauthorized("Incorrect API key provided.")) }
//!     });
//!
//!     let _ = rustls::crypto::ring::default_provider().install_default();
//!     let upstream = std::env::var("UPSTREAM").unwrap_or_else(|_| "http://127.0.0.1:9000".into());
//!     let app = Router::new()
//!         .route("/v1/{*path}", post(forward))
//!         .route_layer(aliases)
//!         .with_state(Arc::new((reqwest::Client::new(), upstream)));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//!
//! /// The body arrives rewritten, and the resolution says what to route and bill.
//! async fn forward(
//!     State(upstream): State<Arc<(reqwest::Client, String)>>,
//!     Path(path): Path<String>,
//!     Extension(resolution): Extension<OwnedResolution>,
//!     body: Bytes,
//! ) -> Response {
//!     eprintln!("{}", resolution.resolution());
//!     let (client, url) = &*upstream;
//!     let request = client
//!         .post(format!("{url}/v1/{path}"))
//!         .header(header::CONTENT_TYPE, "application/json");
//!     match request.body(body).send().await {
//!         // Streamed back as it comes: server-sent events are not buffered.
//!         Ok(answer) => Response::builder()
//!             .status(answer.status().as_u16())
//!             .header(
//!                 header::CONTENT_TYPE,
//!                 answer
//!                     .headers()
//!                     .get(header::CONTENT_TYPE)
//!                     .map_or(&b"application/json"[..], |v| v.as_bytes()),
//!             )
//!             .body(Body::from_stream(answer.bytes_stream()))
//!             .unwrap_or_default(),
//!         Err(e) => Rejection::new(
//!             StatusCode::BAD_GATEWAY,
//!             "upstream_unavailable",
//!             e.to_string(),
//!         )
//!         .into_response()
//!         .map(Body::new),
//!     }
//! }
//! ```

use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::openai::{self, RestoreStream};
use crate::{OwnedResolution, Resolve};

/// The error type `http-body-util` boxes body errors into.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body bound by default: 32 MiB, the largest request body OpenAI's API takes.
pub const DEFAULT_MAX_BODY: usize = 32 << 20;

/// A [`Layer`] that resolves each request's model through aliases the gateway looks up: see
/// the [module docs](self) for what it does to a request.
///
/// `lookup` is called once per request with the request's head and returns a future of the
/// request's aliases (anything that implements [`Resolve`]: an `Arc<AliasSet>`, an
/// [`AliasCache`](crate::AliasCache) lookup, a table snapshot with its key) or of the
/// [`Rejection`] to answer instead (an unknown key, a store that is down). The future must
/// own what it needs from the head: copy the header out before the `async` block.
///
/// ```
/// use std::sync::Arc;
/// use model_alias::AliasSet;
/// use model_alias::middleware::{AliasLayer, Rejection};
///
/// let aliases = Arc::new(AliasSet::new([("fast", "deepseek/deepseek-chat")])?);
/// let layer = AliasLayer::new(move |parts: &http::request::Parts| {
///     let known = parts.headers.get("authorization").is_some();
///     let aliases = aliases.clone();
///     async move {
///         match known {
///             true => Ok(aliases),
///             false => Err(Rejection::unauthorized("Missing API key: send Authorization: Bearer <key>.")),
///         }
///     }
/// })
/// .max_body(4 << 20)
/// .restore_model(true);
/// assert_eq!(layer.max_body_limit(), 4 << 20);
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// With axum, `Router::route_layer(layer)` on the routes whose bodies name a model (the README
/// has a complete proxy). Costs: cloning the layer clones `lookup`; see the module docs for a
/// request's.
#[derive(Debug, Clone)]
pub struct AliasLayer<F> {
    lookup: F,
    max_body: usize,
    restore: bool,
}

impl<F> AliasLayer<F> {
    /// A layer that looks each request's aliases up with `lookup`, reads bodies of up to
    /// [`DEFAULT_MAX_BODY`] bytes and leaves responses as they are.
    pub fn new(lookup: F) -> AliasLayer<F> {
        AliasLayer {
            lookup,
            max_body: DEFAULT_MAX_BODY,
            restore: false,
        }
    }

    /// Sets the largest request body read, in bytes; a larger one gets a 413 (before it is
    /// read, when its `Content-Length` says so). With restoring on, it also bounds the JSON
    /// response body held to restore it: a larger one is passed on unrestored.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> AliasLayer<F> {
        self.max_body = bytes;
        self
    }

    /// The largest request body read, in bytes.
    pub fn max_body_limit(&self) -> usize {
        self.max_body
    }

    /// Whether to give the client back the model it sent, in place of the resolved one, in
    /// the response's top-level `"model"` (default: no; the spec reports the real model). Only
    /// when an alias changed the model; JSON bodies and server-sent event streams.
    #[must_use]
    pub fn restore_model(mut self, restore: bool) -> AliasLayer<F> {
        self.restore = restore;
        self
    }
}

impl<S, F: Clone> Layer<S> for AliasLayer<F> {
    type Service = AliasService<S, F>;

    fn layer(&self, inner: S) -> AliasService<S, F> {
        AliasService {
            inner,
            settings: self.clone(),
        }
    }
}

/// The [`Service`] an [`AliasLayer`] wraps around a proxy: see the [module docs](self).
///
/// It calls the inner service with a `Request<Full<Bytes>>` (the rewritten body) and answers
/// with a `Response<AliasBody<B>>`, `B` being the inner service's response body.
#[derive(Debug, Clone)]
pub struct AliasService<S, F> {
    inner: S,
    /// The layer it came from: the lookup and the settings.
    settings: AliasLayer<F>,
}

/// The future an [`AliasService`] returns (boxed: it holds the lookup's future, the body read
/// and the inner service's future in turn).
pub type ResponseFuture<B, E> =
    Pin<Box<dyn Future<Output = Result<Response<AliasBody<B>>, E>> + Send>>;

impl<S, F, Fut, R, ReqB, ResB> Service<Request<ReqB>> for AliasService<S, F>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send,
    F: Fn(&Parts) -> Fut,
    Fut: Future<Output = Result<R, Rejection>> + Send + 'static,
    R: Resolve + Send,
    ReqB: Body + Send + 'static,
    ReqB::Data: Send,
    ReqB::Error: Into<BoxError>,
    ResB: Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<AliasBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<ResB, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        // The service that was polled ready goes into the future; this one keeps a fresh clone
        // (tower's rule for services that are called from a future).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let AliasLayer {
            ref lookup,
            max_body,
            restore,
        } = self.settings;
        let (mut parts, body) = request.into_parts();
        if !carries_model(&parts.method) {
            return Box::pin(async move {
                let body = match read(body, max_body).await {
                    Ok(body) => body,
                    Err(rejection) => return Ok(rejection.respond(AliasBody::full)),
                };
                let response = inner
                    .call(Request::from_parts(parts, Full::new(body)))
                    .await?;
                Ok(response.map(AliasBody::inner))
            });
        }
        // Steps 1 and 2 read only the head: they run here, so the future owns what it needs.
        let aliases = match refuse(&parts.headers, max_body) {
            Some(rejection) => Err(rejection),
            None => Ok(lookup(&parts)),
        };
        Box::pin(async move {
            let prepared = match aliases {
                Ok(aliases) => prepare(aliases, body, max_body).await,
                Err(rejection) => Err(rejection),
            };
            let (body, resolution, changed) = match prepared {
                Ok(prepared) => prepared,
                Err(rejection) => return Ok(rejection.respond(AliasBody::full)),
            };
            parts.headers.remove(TRANSFER_ENCODING);
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
            parts.extensions.insert(resolution.clone());
            let response = inner
                .call(Request::from_parts(parts, Full::new(body)))
                .await?;
            let (mut parts, body) = response.into_parts();
            let body = match restore && changed {
                true => restored(&mut parts.headers, body, &resolution, max_body).await,
                false => AliasBody::inner(body),
            };
            parts.extensions.insert(resolution);
            Ok(Response::from_parts(parts, body))
        })
    }
}

/// Whether requests with `method` carry a body whose model the layer rewrites.
fn carries_model(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// Step 1: the error for a body the layer must not read (compressed, or declared too large).
fn refuse(headers: &HeaderMap, max_body: usize) -> Option<Rejection> {
    let encoding = headers.get(CONTENT_ENCODING);
    if encoding.is_some_and(|e| !e.as_bytes().eq_ignore_ascii_case(b"identity")) {
        return Some(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_encoding",
            "the request body is compressed (Content-Encoding), so its model cannot be \
             rewritten: send it uncompressed",
        ));
    }
    let length = headers.get(CONTENT_LENGTH);
    let length = length.and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let too_large = length.is_some_and(|n| n > u64::try_from(max_body).unwrap_or(u64::MAX));
    too_large.then(|| Rejection::too_large(max_body))
}

/// Steps 2 to 4 of the module docs: the rewritten body, its resolution, and whether the body
/// changed; or the error to answer with.
async fn prepare<R, B>(
    aliases: impl Future<Output = Result<R, Rejection>>,
    body: B,
    max_body: usize,
) -> Result<(Bytes, OwnedResolution, bool), Rejection>
where
    R: Resolve,
    B: Body,
    B::Error: Into<BoxError>,
{
    let aliases = aliases.await?;
    let body = read(body, max_body).await?;
    let rewrite = openai::rewrite_model(&body, &aliases).map_err(|e| {
        Rejection::new(StatusCode::BAD_REQUEST, "invalid_body", e.to_string()).with_param("model")
    })?;
    let resolution = OwnedResolution::from(rewrite.resolution());
    let changed = rewrite.is_changed();
    let body = kept_or_changed(&body, rewrite.into_body());
    Ok((body, resolution, changed))
}

/// Step 3: the whole body, read up to `max_body` bytes.
async fn read<B>(body: B, max_body: usize) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, max_body).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Rejection::too_large(max_body)),
        Err(e) => Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("the request body could not be read: {e}"),
        )),
    }
}

/// `original`, shared without a copy, when `result` (what a rewrite or restore of it gave) is
/// borrowed, that is unchanged; else the changed bytes.
fn kept_or_changed(original: &Bytes, result: Cow<'_, [u8]>) -> Bytes {
    match result {
        Cow::Borrowed(_) => original.clone(),
        Cow::Owned(changed) => Bytes::from(changed),
    }
}

/// The inner response's body with the client's model restored (step 6): a stream of events
/// restored frame by frame, a JSON body read whole (up to `max_body`) and restored, anything
/// else as it is.
async fn restored<B>(
    headers: &mut HeaderMap,
    body: B,
    resolution: &OwnedResolution,
    max_body: usize,
) -> AliasBody<B>
where
    B: Body<Data = Bytes> + Send + 'static,
{
    let content_type = headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes);
    let is = |prefix: &[u8]| content_type.is_some_and(|t| t.starts_with(prefix));
    if is(b"text/event-stream") {
        headers.remove(CONTENT_LENGTH);
        return AliasBody::restoring(body, RestoreStream::new(&resolution.resolution()));
    }
    if !is(b"application/json") {
        return AliasBody::inner(body);
    }
    // Read whole, frame by frame, so that a body over the bound or one that fails is passed
    // on as it came: what was read, then the rest (or the error).
    let mut body = Box::pin(body);
    let mut read = BytesMut::new();
    loop {
        match body.frame().await {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) if read.len() + data.len() <= max_body => read.extend_from_slice(&data),
                Ok(data) => {
                    read.extend_from_slice(&data);
                    return AliasBody::after(read.freeze(), Tail::Body(body));
                }
                // Trailers end a JSON body: whatever was read, unrestored, then the trailers.
                Err(trailers) => {
                    return AliasBody::after(read.freeze(), Tail::Frame(Some(trailers)));
                }
            },
            Some(Err(e)) => return AliasBody::after(read.freeze(), Tail::Error(Some(e))),
            None => break,
        }
    }
    let read = read.freeze();
    let restored = kept_or_changed(
        &read,
        openai::restore_model(&read, &resolution.resolution()),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(restored.len()));
    AliasBody::full(restored)
}

/// The body of an [`AliasService`]'s response: the inner service's, as it is or with the
/// client's model restored, or the layer's own (an error, a restored JSON body).
///
/// Its error is the inner body's; its data is [`Bytes`].
pub struct AliasBody<B: Body> {
    kind: Kind<B>,
}

enum Kind<B: Body> {
    /// One buffer, then the end.
    Full(Option<Bytes>),
    /// The inner body, frame by frame.
    Inner(Pin<Box<B>>),
    /// The inner body, each data frame restored, and at its end what the restorer held.
    Restoring {
        body: Pin<Box<B>>,
        restorer: Option<RestoreStream>,
        /// A frame that came after the held bytes were flushed (trailers).
        next: Option<Frame<Bytes>>,
    },
    /// What was read of the inner body, then the rest of it.
    After { read: Option<Bytes>, tail: Tail<B> },
}

/// The rest of a body after what was read of it.
enum Tail<B: Body> {
    Body(Pin<Box<B>>),
    Frame(Option<Frame<Bytes>>),
    Error(Option<B::Error>),
}

impl<B: Body> AliasBody<B> {
    fn full(bytes: Bytes) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Full(Some(bytes)),
        }
    }

    fn inner(body: B) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Inner(Box::pin(body)),
        }
    }

    fn restoring(body: B, restorer: RestoreStream) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Restoring {
                body: Box::pin(body),
                restorer: Some(restorer),
                next: None,
            },
        }
    }

    fn after(read: Bytes, tail: Tail<B>) -> AliasBody<B> {
        AliasBody {
            kind: Kind::After {
                read: Some(read),
                tail,
            },
        }
    }
}

// Nothing in the body is ever pinned in place: the inner bodies are boxed, and the rest
// (bytes, a restorer, a held frame or error) is only moved out by value.
impl<B: Body> Unpin for AliasBody<B> {}

impl<B: Body> std::fmt::Debug for AliasBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::Full(_) => "full",
            Kind::Inner(_) => "inner",
            Kind::Restoring { .. } => "restoring",
            Kind::After { .. } => "after",
        };
        f.debug_struct("AliasBody").field("kind", &kind).finish()
    }
}

impl<B> Body for AliasBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Inner(body) => body.as_mut().poll_frame(cx),
            Kind::Restoring {
                body,
                restorer,
                next,
            } => {
                if let Some(frame) = next.take() {
                    return Poll::Ready(Some(Ok(frame)));
                }
                let Some(r) = restorer.as_mut() else {
                    return body.as_mut().poll_frame(cx);
                };
                match body.as_mut().poll_frame(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                        Ok(data) => Poll::Ready(Some(Ok(Frame::data(match r.push(&data) {
                            // A borrowed result is a prefix of the chunk: no copy.
                            Cow::Borrowed(sent) => data.slice(..sent.len()),
                            Cow::Owned(changed) => Bytes::from(changed),
                        })))),
                        // Trailers: what the restorer held goes first.
                        Err(frame) => {
                            let held = restorer.take().map(RestoreStream::finish);
                            match held.filter(|h| !h.is_empty()) {
                                Some(held) => {
                                    *next = Some(frame);
                                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(held)))))
                                }
                                None => Poll::Ready(Some(Ok(frame))),
                            }
                        }
                    },
                    Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                    Poll::Ready(None) => {
                        let held = restorer.take().map(RestoreStream::finish);
                        let held = held.filter(|h| !h.is_empty());
                        Poll::Ready(held.map(|h| Ok(Frame::data(Bytes::from(h)))))
                    }
                }
            }
            Kind::After { read, tail } => {
                if let Some(read) = read.take().filter(|r| !r.is_empty()) {
                    return Poll::Ready(Some(Ok(Frame::data(read))));
                }
                match tail {
                    Tail::Body(body) => body.as_mut().poll_frame(cx),
                    Tail::Frame(frame) => Poll::Ready(frame.take().map(Ok)),
                    Tail::Error(error) => Poll::Ready(error.take().map(Err)),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Inner(body) => body.is_end_stream(),
            Kind::Restoring { .. } | Kind::After { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Full(None) => SizeHint::with_exact(0),
            Kind::Inner(body) => body.size_hint(),
            Kind::Restoring { .. } | Kind::After { .. } => SizeHint::default(),
        }
    }
}

/// An error the layer (or the gateway's lookup) answers with, in OpenAI's shape:
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
///
/// `type` follows the status: `invalid_request_error` for a 4xx, `api_error` for a 5xx, as
/// OpenAI's API sends them, so the official SDKs raise their matching typed errors
/// (`AuthenticationError` for a 401, `BadRequestError` for a 400, ...).
///
/// ```
/// use model_alias::middleware::Rejection;
///
/// let r = Rejection::unauthorized("Incorrect API key provided.");
/// assert_eq!(r.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(
///     r.to_json(),
///     r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: StatusCode,
    code: Cow<'static, str>,
    message: String,
    param: Option<&'static str>,
}

impl Rejection {
    /// A rejection with this status, machine-readable `code` and human `message` (say what to
    /// change).
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: message.into(),
            param: None,
        }
    }

    /// A 401 with the code `invalid_api_key`: no key, or one the gateway does not know.
    pub fn unauthorized(message: impl Into<String>) -> Rejection {
        Rejection::new(StatusCode::UNAUTHORIZED, "invalid_api_key", message)
    }

    /// Names the request parameter at fault (`"model"` for a body without a string model).
    #[must_use]
    pub fn with_param(mut self, param: &'static str) -> Rejection {
        self.param = Some(param);
        self
    }

    fn too_large(max_body: usize) -> Rejection {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            format!("the request body is larger than {max_body} bytes: send a smaller one"),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error body, as JSON.
    pub fn to_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            error: Error<'a>,
        }
        #[derive(serde::Serialize)]
        struct Error<'a> {
            message: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            param: Option<&'a str>,
            code: &'a str,
        }
        let kind = match self.status.is_server_error() {
            true => "api_error",
            false => "invalid_request_error",
        };
        let error = Error {
            message: &self.message,
            kind,
            param: self.param,
            code: &self.code,
        };
        // Strings and an option: serialising cannot fail.
        serde_json::to_string(&Body { error }).unwrap_or_default()
    }

    /// The response: the status, `content-type: application/json` and the error body. A
    /// handler of any `http`-based framework can return it (axum takes it as it is).
    pub fn into_response(self) -> Response<Full<Bytes>> {
        self.respond(Full::new)
    }

    /// The response, with the JSON body wrapped by `body`.
    fn respond<T>(self, body: impl FnOnce(Bytes) -> T) -> Response<T> {
        let mut response = Response::new(body(Bytes::from(self.to_json())));
        *response.status_mut() = self.status;
        let json = HeaderValue::from_static("application/json");
        response.headers_mut().insert(CONTENT_TYPE, json);
        response
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for Rejection {}

/// For a lookup that cannot fail.
impl From<Infallible> for Rejection {
    fn from(never: Infallible) -> Rejection {
        match never {}
    }
}
