//! [`AliasLayer`]: the settings, and the [`Layer`] that wraps a service in an
//! [`AliasService`].

use tower_layer::Layer;

#[cfg(doc)]
use super::Rejection;
use super::{AliasService, DEFAULT_MAX_BODY};
#[cfg(doc)]
use crate::Resolve;

/// A [`Layer`] that resolves each request's model through aliases the gateway looks up: see
/// the [module docs](crate::middleware) for what it does to a request.
///
/// `lookup` is called once per request with the request's head and returns a future of the
/// request's aliases (anything that implements [`Resolve`]: an `Arc<AliasSet>`, an
/// [`AliasCache`](crate::cache::AliasCache) lookup, a table snapshot with its key) or of the
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
/// With axum, `Router::route_layer(layer)` on the routes whose bodies name a model, or
/// `Router::layer` on a whole router (other methods pass through); the [module docs](crate::middleware)
/// have a complete proxy. Costs: cloning the layer clones `lookup`; see the module docs for a
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
        AliasService::new(inner, self.lookup.clone(), self.max_body, self.restore)
    }
}
