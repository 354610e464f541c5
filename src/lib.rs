//! Resolve the model name an LLM API client sends into the real model to run.
//!
//! Each API key has a small set of **aliases**, names its owner chose that point at real
//! catalog models, **exact** or **prefix**. A requested model resolves to the exact alias with
//! its name, else the **longest** prefix alias it starts with, else passes through unchanged:
//! one step, byte for byte, never chained. Beyond the spec, each free when unused: ASCII case
//! folding on request, prefix aliases whose target (`openai/*`) carries the rest of the model,
//! hidden aliases that resolve but are not listed, and presets: request members an alias
//! adds or overrides.
//!
//! ```
//! use model_alias::{AliasSet, MatchKind, Rule};
//!
//! let set = AliasSet::new([
//!     ("cross-model-basic", "deepseek/deepseek-chat", MatchKind::Exact),
//!     ("claude-opus", "anthropic/claude-opus-4-8", MatchKind::Prefix),
//! ])?;
//! assert_eq!(set.resolve("cross-model-basic").model(), "deepseek/deepseek-chat");
//! let r = set.resolve("claude-opus-4-9");
//! assert_eq!(r.model(), "anthropic/claude-opus-4-8");
//! assert_eq!(r.rule(), Rule::Prefix);
//! assert_eq!(set.resolve("gpt-3.5-turbo").model(), "gpt-3.5-turbo");
//! # Ok::<(), model_alias::SetError>(())
//! ```
//!
//! # The API by task
//!
//! **Validate** what a user configured:
//! - [`AliasSet::new`] validates rows (`(name, target)` pairs, `(name, target, MatchKind)`
//!   triples, any [`Row`]) and reports every problem with its row in a [`SetError`];
//!   [`AliasSet::from_json`] reads either JSON form (feature `serde`). [`Limits`] bounds a
//!   set (20 aliases, 64-byte names, 256-byte targets by default).
//! - [`AliasName`] and [`ModelId`] are a validated name and target; an [`Alias`] is one of
//!   each and a [`MatchKind`]. The [`error`] module has the detail of each problem
//!   ([`error::RowError`], [`error::Problem`], [`error::NameError`], [`error::TargetError`]).
//! - [`AliasSet::warnings`] lists valid rows that are likely mistakes ([`Warning`]).
//! - A target ending in `*` on a prefix alias carries the rest of the model
//!   ([`AliasRef::carries`]); [`Alias::with_hidden`] (`"hidden": true` in JSON) keeps an
//!   alias out of the `/v1/models` listing.
//! - A row's `"defaults"` and `"overrides"` ([`Row::defaults`], [`Row::overrides`]) are
//!   [`Presets`]: request members that `openai::rewrite_model` adds where a request lacks
//!   them, or sets whatever the request says ([`AliasRef::presets`]).
//!
//! **Resolve** a requested model:
//! - [`AliasSet::resolve`] (and every resolver, through the [`Resolve`] trait) gives a
//!   [`Resolution`]: the [`model`](Resolution::model) to route and bill, the [`Rule`] that
//!   decided and the alias that applied ([`AliasRef`]). No allocation, no panic. The model is
//!   a [`ResolvedModel`]: one string, or two borrowed pieces when a rest is carried.
//! - [`AliasSet::builder`] ([`AliasSetBuilder`]) sets the limits, turns on ASCII case folding
//!   ([`AliasSetBuilder::ignore_case`]) and forces an [`Engine`], the index a set resolves
//!   through; [`AliasSet::engine`] says which it picked.
//!
//! **Many keys** in one immutable byte string:
//! - [`AliasTable::new`] or a [`table::TableBuilder`] builds a table of every key's aliases
//!   (folding case for every key with [`table::TableBuilder::ignore_case`]);
//!   [`AliasTable::from_bytes`] loads one in place; [`AliasTable::get`] gives a key's
//!   [`table::KeyAliases`], a resolver. Failures are [`TableError`]s.
//!
//! **Live updates** without a lock on the request path:
//! - [`AliasStore`] holds the current table (or set, or map) and swaps in new ones; a
//!   [`store::Snapshot`] is one version, for one request.
//! - `cache::AliasCache` (feature `cache`) loads each key's set from a `cache::Source` of the
//!   gateway's own, with a TTL; a `cache::Lookup` is one key's result, a resolver.
//!
//! **Gateways** speaking the OpenAI API (feature `openai`):
//! - `openai::rewrite_model` replaces the model of a request body, every other byte kept;
//!   `openai::restore_model` and `openai::RestoreStream` give a response (or a stream of
//!   events) back the name the client sent; `openai::Catalog` checks targets and builds the
//!   `/v1/models` listing.
//! - `middleware::AliasLayer` (feature `tower`) does all of that for a tower/axum proxy in one
//!   line: it reads the body up to a bound, looks the request's aliases up through the
//!   gateway's callback, rewrites the model, puts an [`OwnedResolution`] in the request's
//!   extensions and answers bad bodies itself with OpenAI-shaped errors
//!   (`middleware::Rejection`).
//!
//! # Features
//!
//! - `serde` (default): `Serialize`/`Deserialize` for the value types and sets, in the JSON
//!   forms of the README, and [`AliasSet::from_json`] (adds `serde` and `serde_json`).
//! - `openai`: the `openai` module (implies `serde`).
//! - `cache`: the `cache` module: `AliasCache`, its builder, `Source` and `Lookup` (adds
//!   `moka` and `async-lock`).
//! - `tower`: the `middleware` module (implies `openai`; adds `tower-layer`, `tower-service`,
//!   `http`, `http-body`, `http-body-util` and `bytes`).
//!
//! Without default features the crate depends on `thiserror`, `fst`, `foldhash`, `arc-swap`
//! and `xxhash-rust` only.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Input must never reach a panic: every unwrap, expect or index in the library is either
// replaced by a checked form or allowed where it stands, with the reason it cannot fail.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod access;
mod alias;
#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub mod cache;
pub mod error;
mod fold;
mod json;
mod limits;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod middleware;
mod name;
#[cfg(feature = "openai")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai")))]
pub mod openai;
mod preset;
mod resolution;
#[cfg(feature = "serde")]
mod serde;
mod set;
pub mod store;
mod strategy;
pub mod table;
mod target;
mod text;
mod validate;
mod warning;

pub use crate::alias::{Alias, AliasRef, MatchKind, Row};
pub use crate::error::{SetError, TableError};
pub use crate::limits::Limits;
pub use crate::name::AliasName;
pub use crate::preset::Presets;
pub use crate::resolution::{OwnedResolution, Resolution, Resolve, ResolvedModel, Rule};
pub use crate::set::{AliasSet, AliasSetBuilder};
pub use crate::store::AliasStore;
pub use crate::strategy::Engine;
pub use crate::table::AliasTable;
pub use crate::target::ModelId;
pub use crate::warning::{Warning, WarningKind};

// The README's examples run as doc-tests, as written (no hidden lines), when every feature
// they use is on: `cargo test --workspace --all-features`.
#[cfg(all(doctest, feature = "openai", feature = "cache"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
