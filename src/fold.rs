//! ASCII case folding, the opt-in way to match a model sent as `GPT-4` against the alias
//! `gpt-4`: the model's `A-Z` compare as `a-z`; every other byte, non-ASCII included, compares
//! as it is. Names are lowercase by rule, so folding the model alone is enough.
//!
//! Invariants:
//! 1. the folded model is only ever compared, never handed out: a resolution keeps the
//!    client's original string (for passthrough and for a carried rest);
//! 2. folding allocates nothing: a set folds the few bytes matching can read into a
//!    [`WINDOW`]-byte buffer on the stack ([`window`]), a table folds as it compares
//!    ([`starts_with`]);
//! 3. folding maps ASCII to ASCII and leaves every other byte alone, so a byte offset in the
//!    folded model is one in the original, and a char boundary there is one here.

/// The bytes of the model a set folds on the stack. A set whose longest name is shorter
/// resolves folded through its own engine; one with a longer name (possible only with raised
/// limits) falls back to comparing folded bytes alias by alias.
pub(crate) const WINDOW: usize = 128;

/// `model`, ASCII-folded, cut to what resolution can read when the longest name is
/// `longest` bytes: at most `longest + 1` bytes, in `buf`. `None` when that does not fit in
/// [`WINDOW`] bytes.
///
/// The cut does not change any answer: a model longer than the window is longer than every
/// name, so no name equals it or the window, and a name that starts it lies within the window.
#[inline]
pub(crate) fn window<'b>(
    model: &[u8],
    longest: usize,
    buf: &'b mut [u8; WINDOW],
) -> Option<&'b [u8]> {
    if longest >= WINDOW {
        return None;
    }
    let len = model.len().min(longest + 1);
    let folded = buf.get_mut(..len)?;
    for (dst, src) in folded.iter_mut().zip(model) {
        *dst = src.to_ascii_lowercase();
    }
    Some(folded)
}

/// Whether `model` starts with `name` once its ASCII is folded (`name` being lowercase).
/// Tests the first byte before the rest: most candidates differ there.
#[inline]
pub(crate) fn starts_with(model: &[u8], name: &[u8]) -> bool {
    match (model.get(..name.len()), name.first()) {
        (Some(head), Some(first)) => {
            head.first().map(u8::to_ascii_lowercase) == Some(*first)
                && head.eq_ignore_ascii_case(name)
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_folds_ascii_only_and_stops_past_the_longest_name() {
        let mut buf = [0u8; WINDOW];
        let model = "GPT-4O-Ünïcode".as_bytes();
        assert_eq!(
            window(model, 64, &mut buf),
            Some("gpt-4o-Ünïcode".as_bytes())
        );
        assert_eq!(window(model, 3, &mut buf), Some(&b"gpt-"[..]));
        assert_eq!(window(b"", 3, &mut buf), Some(&b""[..]));
        assert_eq!(
            window(model, WINDOW - 1, &mut buf).map(<[u8]>::len),
            Some(model.len())
        );
        assert_eq!(window(model, WINDOW, &mut buf), None);
    }

    #[test]
    fn starts_with_folds_the_model_not_the_name() {
        assert!(starts_with(b"Claude-Opus-4", b"claude-opus"));
        assert!(starts_with(b"CLAUDE", b"claude"));
        assert!(starts_with(b"anything", b""));
        assert!(!starts_with(b"Claude", b"claude-opus"));
        assert!(!starts_with(b"Blaude-opus", b"claude"));
        assert!(!starts_with(b"claudE", b"claudf"));
        // Only ASCII folds: the Kelvin sign and a fullwidth C are not `k` and `c`.
        assert!(!starts_with("\u{212A}imi".as_bytes(), b"kimi"));
        assert!(!starts_with("\u{FF23}laude".as_bytes(), b"claude"));
    }
}
