//! What an OpenAI-compatible gateway writes around alias resolution (feature `openai`): the
//! model catalog and its `/v1/models` listing with the key's aliases first, the request body
//! rewrite that swaps in the resolved model without re-serialising the body, and its inverse
//! for responses ([`restore_model`], [`RestoreStream`]), which gives the client back the name
//! it sent.
//!
//! ```
//! use model_alias::openai::{Catalog, rewrite_model};
//! use model_alias::{AliasSet, MatchKind};
//!
//! let catalog = Catalog::from_json(br#"{"data": [{"id": "deepseek/deepseek-chat", "object": "model"}]}"#)?;
//! let set = AliasSet::new([("cross-model-basic", "deepseek/deepseek-chat", MatchKind::Exact)])?;
//! assert!(catalog.check(&set).is_empty());
//!
//! // GET /v1/models
//! let listing = serde_json::to_string(&catalog.listing(&set))?;
//! assert!(listing.starts_with(r#"{"object":"list","data":[{"id":"cross-model-basic","object":"model","root":"deepseek/deepseek-chat"}"#));
//!
//! // POST /v1/chat/completions
//! let body = br#"{"model": "cross-model-basic", "messages": [{"role": "user", "content": "Hello"}]}"#;
//! let forwarded = rewrite_model(body, &set)?;
//! assert_eq!(forwarded.body(), br#"{"model": "deepseek/deepseek-chat", "messages": [{"role": "user", "content": "Hello"}]}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod catalog;
mod error;
mod json;
mod restore;
mod rewrite;

pub use self::catalog::{Architecture, Catalog, Model, ModelList, UnknownTarget};
pub use self::error::RewriteError;
pub use self::restore::{RestoreStream, restore_model};
pub use self::rewrite::{Rewrite, rewrite_model};
pub use crate::json::MAX_DEPTH;
