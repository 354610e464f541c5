//! [`Limits`]: the bounds an [`AliasSet`](crate::AliasSet) is validated against.

/// The bounds a set of aliases is validated against.
///
/// `Limits::default()` holds the spec's numbers: at most **20** aliases a key, names of at most
/// **64** bytes and targets of at most **256** bytes, and presets of at most **16** members
/// and **2,048** bytes a row (both objects together, as compact JSON). Raise them for larger deployments:
///
/// ```
/// use model_alias::{AliasSet, Limits};
///
/// let limits = Limits::default().with_max_aliases(1_000);
/// let rows: Vec<(String, &str)> = (0..500).map(|i| (format!("team-{i}"), "openai/gpt-4o")).collect();
/// let set = AliasSet::with_limits(rows, limits)?;
/// assert_eq!(set.len(), 500);
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Limits {
    max_aliases: usize,
    max_name_len: usize,
    max_target_len: usize,
    max_preset_members: usize,
    max_preset_bytes: usize,
}

impl Limits {
    /// The spec's limits: 20 aliases, 64-byte names, 256-byte targets; presets of 16 members
    /// and 2,048 bytes a row.
    pub const DEFAULT: Limits = Limits {
        max_aliases: 20,
        max_name_len: 64,
        max_target_len: 256,
        max_preset_members: 16,
        max_preset_bytes: 2048,
    };

    /// The most aliases a set may hold.
    pub const fn max_aliases(&self) -> usize {
        self.max_aliases
    }

    /// The longest alias name, in bytes.
    pub const fn max_name_len(&self) -> usize {
        self.max_name_len
    }

    /// The longest target model id, in bytes.
    pub const fn max_target_len(&self) -> usize {
        self.max_target_len
    }

    /// The most members a row's `defaults` and `overrides` may have together (at most 64).
    pub const fn max_preset_members(&self) -> usize {
        let ceiling = crate::preset::MEMBERS_CEILING;
        if self.max_preset_members > ceiling {
            ceiling
        } else {
            self.max_preset_members
        }
    }

    /// The most bytes a row's `defaults` and `overrides` may have together, each counted as
    /// its compact JSON text (an empty or absent object counts 0).
    pub const fn max_preset_bytes(&self) -> usize {
        self.max_preset_bytes
    }

    /// These limits with a different preset member count, at most 64 (a larger value is
    /// taken as 64: a rewrite keeps a row's members on the stack).
    #[must_use]
    pub const fn with_max_preset_members(self, max_preset_members: usize) -> Limits {
        Limits {
            max_preset_members,
            ..self
        }
    }

    /// These limits with a different preset size, in bytes of compact JSON.
    #[must_use]
    pub const fn with_max_preset_bytes(self, max_preset_bytes: usize) -> Limits {
        Limits {
            max_preset_bytes,
            ..self
        }
    }

    /// These limits with a different alias count.
    #[must_use]
    pub const fn with_max_aliases(self, max_aliases: usize) -> Limits {
        Limits {
            max_aliases,
            ..self
        }
    }

    /// These limits with a different name length, in bytes.
    #[must_use]
    pub const fn with_max_name_len(self, max_name_len: usize) -> Limits {
        Limits {
            max_name_len,
            ..self
        }
    }

    /// These limits with a different target length, in bytes.
    #[must_use]
    pub const fn with_max_target_len(self, max_target_len: usize) -> Limits {
        Limits {
            max_target_len,
            ..self
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
