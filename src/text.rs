//! Byte-level checks shared by [`AliasName`](crate::AliasName) and [`ModelId`](crate::ModelId),
//! and the bounded quotations their errors carry.
//!
//! Both kinds of string are ASCII by rule, so the first byte that breaks a rule is always
//! the start of a character: every byte before it is an allowed ASCII byte. Errors quote at
//! most [`EXCERPT_LEN`] bytes of the input, so a 1 MiB string cannot make a 1 MiB message.

use std::fmt;

/// How many bytes of an offending string an error message quotes.
pub(crate) const EXCERPT_LEN: usize = 64;

/// The first rule a string breaks, before it is given a name-specific or target-specific error.
pub(crate) enum Flaw {
    Empty,
    TooLong(usize),
    Char { ch: char, at: usize },
}

/// Checks `s` against a byte class and a length limit, reporting the first offending
/// character before the length (the character is the more specific fix).
///
/// Cost: one pass over `s`, no allocation. Generic over the byte class (not a `fn` pointer)
/// so that the class is inlined into the loop: validation is on the path of every table build.
#[inline]
pub(crate) fn check(s: &str, max_len: usize, allowed: impl Fn(u8) -> bool) -> Result<(), Flaw> {
    if s.is_empty() {
        return Err(Flaw::Empty);
    }
    if let Some(at) = s.bytes().position(|b| !allowed(b)) {
        // `at` is a char boundary (see the module docs); the fallback is unreachable.
        let ch = s
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or('\u{FFFD}');
        return Err(Flaw::Char { ch, at });
    }
    if s.len() > max_len {
        return Err(Flaw::TooLong(s.len()));
    }
    Ok(())
}

/// The first [`EXCERPT_LEN`] bytes of `s` (cut at a char boundary), with `…` when cut.
pub(crate) fn excerpt(s: &str) -> String {
    if s.len() <= EXCERPT_LEN {
        return s.to_owned();
    }
    let mut end = EXCERPT_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 3);
    out.push_str(s.get(..end).unwrap_or_default());
    out.push('…');
    out
}

/// Shows a character so that look-alikes and invisible ones can be told apart:
/// `'C'`, `' ' (U+0020)`, `'о' (U+043E)`, `'\0' (U+0000)`.
pub(crate) struct ShowChar(pub(crate) char);

impl fmt::Display for ShowChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ch = self.0;
        if ch.is_ascii_graphic() {
            write!(f, "'{ch}'")
        } else {
            write!(f, "{ch:?} (U+{:04X})", u32::from(ch))
        }
    }
}

/// Implements the string traits shared by the validated string newtypes
/// ([`AliasName`](crate::AliasName), [`ModelId`](crate::ModelId)), which differ only in
/// their rule: `FromStr`, `TryFrom<&str>`, `TryFrom<String>`, `Display`, `AsRef<str>`,
/// `Borrow<str>`, `PartialEq<str>`, `as_str` and `into_string`.
macro_rules! validated_str {
    ($ty:ident, $err:ty) => {
        impl $ty {
            /// Wraps a string that has already passed this type's checks (under some limits).
            pub(crate) fn from_valid(s: &str) -> $ty {
                $ty(s.into())
            }

            /// The validated string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated string, owned (one allocation: the boxed string becomes a `String`).
            pub fn into_string(self) -> String {
                self.0.into()
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<$ty, $err> {
                $ty::new(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<$ty, $err> {
                $ty::new(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $err;
            /// Validates without copying: the `String`'s buffer becomes the value's.
            fn try_from(s: String) -> Result<$ty, $err> {
                $ty::check(&s, $crate::Limits::DEFAULT)?;
                Ok($ty(s.into_boxed_str()))
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }
    };
}
pub(crate) use validated_str;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_a_char_boundary() {
        let s = format!("{}é{}", "a".repeat(63), "b".repeat(100));
        let e = excerpt(&s);
        assert_eq!(e, format!("{}…", "a".repeat(63)));
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"x".repeat(64)), "x".repeat(64));
        assert_eq!(excerpt(&"x".repeat(65)), format!("{}…", "x".repeat(64)));
    }

    #[test]
    fn show_char_marks_invisible_and_non_ascii() {
        assert_eq!(ShowChar('C').to_string(), "'C'");
        assert_eq!(ShowChar(' ').to_string(), "' ' (U+0020)");
        assert_eq!(ShowChar('\0').to_string(), "'\\0' (U+0000)");
        assert_eq!(ShowChar('о').to_string(), "'о' (U+043E)");
    }
}
