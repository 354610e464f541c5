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
mod error;
mod limits;
mod name;
mod resolution;
#[cfg(feature = "serde")]
mod serde;
mod set;
pub mod strategy;
mod target;
mod text;
mod warning;

pub use crate::alias::{Alias, AliasRow, MatchKind, Row};
pub use crate::error::{NameError, Problem, RowError, SetError, TargetError};
pub use crate::limits::Limits;
pub use crate::name::AliasName;
pub use crate::resolution::{Resolution, Resolve, Rule};
#[cfg(feature = "serde")]
pub use crate::serde::AliasRows;
pub use crate::set::AliasSet;
pub use crate::target::ModelId;
pub use crate::warning::{Warning, WarningKind};
