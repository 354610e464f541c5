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
//!
//! # A complete proxy
//!
//! With axum (and reqwest for the upstream): the layer in front of the forwarded routes. This
//! is `src/middleware/proxy_example.rs` as it is; the gateway package builds it as its example
//! `proxy`, so it compiles.
#![doc = concat!("```ignore\n", include_str!("proxy_example.rs"), "```")]

#[cfg(doc)]
use crate::{OwnedResolution, Resolve, openai};

mod body;
mod layer;
mod rejection;
mod service;

pub use body::AliasBody;
pub use layer::AliasLayer;
pub use rejection::Rejection;
pub use service::{AliasService, ResponseFuture};

/// The error type `http-body-util` boxes body errors into.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body bound by default: 32 MiB, the largest request body OpenAI's API takes.
pub const DEFAULT_MAX_BODY: usize = 32 << 20;
