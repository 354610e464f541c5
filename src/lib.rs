#![doc = include_str!("../README.md")]
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

mod alias;
#[cfg(feature = "cache")]
mod cache;
mod error;
mod limits;
mod name;
#[cfg(feature = "openai")]
pub mod openai;
mod resolution;
#[cfg(feature = "serde")]
mod serde;
mod set;
mod store;
pub mod strategy;
mod table;
mod target;
mod text;
mod warning;

pub use crate::alias::{Alias, AliasRef, AliasRow, MatchKind, Row};
#[cfg(feature = "cache")]
pub use crate::cache::{AliasCache, AliasCacheBuilder, Lookup, Source};
pub use crate::error::{NameError, Problem, RowError, SetError, TableError, TargetError};
pub use crate::limits::Limits;
pub use crate::name::AliasName;
pub use crate::resolution::{Resolution, Resolve, Rule};
#[cfg(feature = "serde")]
pub use crate::serde::AliasRows;
pub use crate::set::AliasSet;
pub use crate::store::{AliasStore, Snapshot};
pub use crate::table::{AliasTable, Aliases, KeyAliases, TableBuilder};
pub use crate::target::ModelId;
pub use crate::warning::{Warning, WarningKind};
