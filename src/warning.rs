//! [`Warning`]: rows that are valid but probably not what the user meant.

use std::fmt;

use crate::{Alias, MatchKind};

/// Why a valid row looks like a mistake.
///
/// ```
/// use model_alias::{AliasSet, WarningKind};
///
/// let set = AliasSet::new([("gpt-4o", "gpt-4o")])?;
/// assert_eq!(set.warnings()[0].kind(), WarningKind::TargetIsOwnName);
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// The target equals the name of another alias in the set. Resolution is one step, so the
    /// target is sent upstream as a real model id, not resolved again.
    TargetIsAliasName {
        /// The 0-based index of the alias whose name the target equals.
        other: usize,
    },
    /// The target equals the alias's own name.
    TargetIsOwnName,
    /// The target looks like another gateway's template (`{model}`, `{{model}}`, `$1`), but
    /// targets are sent as written: a real config once sent `{model}` upstream and got a 404.
    /// A prefix alias carries the rest of the model with a trailing `*` instead.
    TemplateSyntax,
    /// A preset member's name differs from a well-known OpenAI request member only by ASCII
    /// case or by `-` for `_` (`max-tokens`): members are sent as written, and an upstream
    /// ignores or refuses a name it does not know.
    PresetNearMiss {
        /// The well-known member it resembles.
        known: &'static str,
        /// Whether the member is in the overrides (else in the defaults).
        overrides: bool,
    },
}

/// Whether `target` holds another gateway's template syntax: a `{` closed by a later `}`
/// (`{model}`, `{{model}}`), or a `$` before a digit or a `{` (`$1`, `${model}`).
pub(crate) fn looks_like_template(target: &str) -> bool {
    let braces = target
        .find('{')
        .is_some_and(|open| target.get(open..).is_some_and(|t| t.contains('}')));
    let dollar = target
        .as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'$', b'0'..=b'9' | b'{']));
    braces || dollar
}

/// A row that is valid but likely a mistake, with a message a dashboard can show.
///
/// ```
/// use model_alias::{AliasSet, WarningKind};
///
/// let set = AliasSet::new([
///     ("cross-model-basic", "cross-model-pro"),
///     ("cross-model-pro", "anthropic/claude-opus-4-8"),
/// ])?;
/// let warnings = set.warnings();
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(warnings[0].kind(), WarningKind::TargetIsAliasName { other: 1 });
/// println!("{}", warnings[0]);
/// // row 1 ("cross-model-basic"): target "cross-model-pro" is also the name of the alias in row 2,
/// // but resolution is one step: "cross-model-pro" is sent upstream as a real model id, not
/// // resolved again; point this row at the real model instead
/// # Ok::<(), model_alias::SetError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning {
    index: usize,
    alias: Alias,
    kind: WarningKind,
}

impl Warning {
    pub(crate) fn new(index: usize, alias: Alias, kind: WarningKind) -> Warning {
        Warning { index, alias, kind }
    }

    /// The 0-based position of the row in the set.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The 1-based row number that messages show (`index() + 1`).
    pub fn row(&self) -> usize {
        self.index + 1
    }

    /// The alias of that row.
    pub fn alias(&self) -> &Alias {
        &self.alias
    }

    /// Why it looks like a mistake.
    pub fn kind(&self) -> WarningKind {
        self.kind
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} ({:?}): ", self.row(), self.alias.name().as_str())?;
        self.message().fmt(f)
    }
}

impl Warning {
    /// What the warning says, without its row: the `message` of its JSON form.
    pub(crate) fn message(&self) -> WarningMessage<'_> {
        WarningMessage(self)
    }

    /// A stable machine-readable name of the kind, for the JSON form.
    #[cfg(feature = "serde")]
    pub(crate) fn code(&self) -> &'static str {
        match self.kind {
            WarningKind::TargetIsAliasName { .. } => "target_is_alias_name",
            WarningKind::TargetIsOwnName => "target_is_own_name",
            WarningKind::TemplateSyntax => "template_syntax",
            WarningKind::PresetNearMiss { .. } => "preset_near_miss",
        }
    }
}

/// A warning's text after its row (see [`Warning::message`]).
pub(crate) struct WarningMessage<'w>(&'w Warning);

impl fmt::Display for WarningMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = self.0;
        let (name, target) = (this.alias.name().as_str(), this.alias.target().as_str());
        match (this.kind, this.alias.kind()) {
            (WarningKind::TargetIsAliasName { other }, _) => write!(
                f,
                "target {target:?} is also the name of the alias in row {}, but resolution is one \
                 step: {target:?} is sent upstream as a real model id, not resolved again; point \
                 this row at the real model instead",
                other + 1
            ),
            (WarningKind::TargetIsOwnName, MatchKind::Exact) => f.write_str(
                "the target is the alias's own name, so this alias changes nothing; remove it",
            ),
            (WarningKind::TemplateSyntax, _) => write!(
                f,
                "target {target:?} looks like another gateway's template ({{model}}, $1), but \
                 targets are sent as written; write the real model id, or end a prefix alias's \
                 target with * to carry the rest of the model (\"openai/*\")"
            ),
            (WarningKind::PresetNearMiss { known, overrides }, _) => {
                let object = if overrides { "overrides" } else { "defaults" };
                let written = this
                    .alias
                    .presets()
                    .iter()
                    .flat_map(|p| p.members())
                    .find(|&(key, _, o)| {
                        o == overrides && crate::preset::near_miss(key) == Some(known)
                    })
                    .map_or(known, |(key, _, _)| key);
                write!(
                    f,
                    "{object:?} member \"{written}\" is sent as written, but the OpenAI request \
                     member is {known:?}: rename it if that is what you meant"
                )
            }
            (WarningKind::TargetIsOwnName, MatchKind::Prefix) => write!(
                f,
                "the target is the alias's own name, so every model starting with {name:?} is \
                 sent as {name:?} itself; make it an exact alias to change nothing, or point it \
                 at a real model"
            ),
        }
    }
}
