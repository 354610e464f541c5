//! JSON strings read and written in place: decoding, escaping, comparing two keys as the
//! text they stand for, and the compact form of a value (its whitespace outside strings
//! removed, every other byte kept).
//!
//! Every function here takes text the scanner has accepted (`super::scan`): escapes are well
//! formed and surrogates paired, so decoding cannot fail on it, and comparing allocates
//! nothing.

use std::borrow::Cow;

/// Decodes the inside of a JSON string (already checked to be well formed): borrowed when it
/// has no escape, `None` for a lone surrogate escape, which no Rust string can hold.
pub(crate) fn decode_string(raw: &[u8]) -> Option<Cow<'_, str>> {
    let text = std::str::from_utf8(raw).ok()?;
    if !text.contains('\\') {
        return Some(Cow::Borrowed(text));
    }
    Unescape(text.chars())
        .collect::<Option<String>>()
        .map(Cow::Owned)
}

/// The characters a JSON string's inside stands for, escapes decoded, one at a time; `None`
/// for an escape that is not well formed (never, on text the scanner accepted).
struct Unescape<'a>(std::str::Chars<'a>);

impl Iterator for Unescape<'_> {
    type Item = Option<char>;

    fn next(&mut self) -> Option<Option<char>> {
        let c = self.0.next()?;
        if c != '\\' {
            return Some(Some(c));
        }
        Some(unescape(&mut self.0))
    }
}

/// The character an escape stands for, its backslash already read.
fn unescape(chars: &mut std::str::Chars<'_>) -> Option<char> {
    Some(match chars.next()? {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'u' => {
            let hi = hex4(chars)?;
            if (0xD800..0xDC00).contains(&hi) {
                if chars.next()? != '\\' || chars.next()? != 'u' {
                    return None;
                }
                let lo = hex4(chars)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
            } else {
                char::from_u32(hi)?
            }
        }
        _ => return None,
    })
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Whether the inside of a JSON string, `raw` as written, stands for `text`: `max_tokens`
/// for `max\u005ftokens`. No allocation.
pub(crate) fn key_is(raw: &[u8], text: &str) -> bool {
    if !raw.contains(&b'\\') {
        return raw == text.as_bytes();
    }
    match std::str::from_utf8(raw) {
        Ok(raw) => Unescape(raw.chars()).eq(text.chars().map(Some)),
        Err(_) => false,
    }
}

/// Whether two JSON strings' insides, each as written, stand for the same text. No
/// allocation.
pub(crate) fn same_key(a: &[u8], b: &[u8]) -> bool {
    if !a.contains(&b'\\') {
        return std::str::from_utf8(a).is_ok_and(|a| key_is(b, a));
    }
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(a), Ok(b)) => Unescape(a.chars()).eq(Unescape(b.chars())),
        _ => false,
    }
}

/// Appends `s` as the inside of a JSON string: quotes, backslashes and control characters
/// escaped, everything else as it is.
#[cfg(feature = "openai")]
pub(crate) fn escape_into(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.extend(HEX.get(usize::from(b >> 4)));
                out.extend(HEX.get(usize::from(b & 0xf)));
            }
            _ => out.push(b),
        }
    }
}

/// Appends `text` (one JSON value the scanner accepted) without the whitespace between its
/// tokens: strings, numbers and literals are copied byte for byte.
pub(crate) fn compact(text: &str, out: &mut String) {
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
}
