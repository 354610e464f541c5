//! [`AliasService`]: what the layer does to each request and its response.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use tower_service::Service;

#[cfg(doc)]
use super::AliasLayer;
use super::body::Tail;
use super::{AliasBody, BoxError, Rejection};
use crate::openai::{self, RestoreStream};
use crate::{OwnedResolution, Resolve};

/// The [`Service`] an [`AliasLayer`] wraps around a proxy: see the [module docs](crate::middleware).
///
/// It calls the inner service with a `Request<Full<Bytes>>` (the rewritten body) and answers
/// with a `Response<AliasBody<B>>`, `B` being the inner service's response body.
#[derive(Debug, Clone)]
pub struct AliasService<S, F> {
    inner: S,
    lookup: F,
    max_body: usize,
    restore: bool,
}

impl<S, F> AliasService<S, F> {
    pub(super) fn new(inner: S, lookup: F, max_body: usize, restore: bool) -> AliasService<S, F> {
        AliasService {
            inner,
            lookup,
            max_body,
            restore,
        }
    }
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
        let (lookup, max_body, restore) = (&self.lookup, self.max_body, self.restore);
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
