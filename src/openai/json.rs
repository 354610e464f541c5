//! What the request rewrite and the response restore share, on top of the crate's JSON
//! scanner: finding the top-level `"model"` string ([`find_model`]) and writing a body with
//! that string replaced ([`replace_into`]).

use super::RewriteError;
use crate::json::{Kind, Member, Span, escape_into, key_is, scan};

/// `body` with the string inside `span`'s quotes replaced by `pieces`, escaped, written piece
/// by piece (a carried rest is never joined first). One allocation, of the output's size.
pub(crate) fn replace_string(body: &[u8], span: Span, pieces: [&str; 2]) -> Vec<u8> {
    let len: usize = pieces.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(body.len() + len + 8);
    replace_into(&mut out, body, span, pieces);
    out
}

/// Appends `body` to `out` with the string inside `span`'s quotes replaced by `pieces`, each
/// escaped: the one write that both the request rewrite and the response restore use.
pub(crate) fn replace_into(out: &mut Vec<u8>, body: &[u8], span: Span, pieces: [&str; 2]) {
    out.extend_from_slice(body.get(..span.start).unwrap_or_default());
    for piece in pieces {
        escape_into(piece, out);
    }
    out.extend_from_slice(body.get(span.end..).unwrap_or_default());
}

/// The span of the top-level object's `"model"` string, once the whole body is known to be
/// well-formed JSON: a malformed body is reported as such before any other problem.
pub(crate) fn find_model(body: &[u8]) -> Result<Span, RewriteError> {
    let mut model: Option<Member> = None;
    let mut repeated = false;
    let top = scan(body, |member| {
        if is_model_key(body, member.key) {
            repeated |= model.is_some();
            model.get_or_insert(member);
        }
    })?;
    if top != Kind::Object {
        return Err(RewriteError::NotAnObject { found: top.name() });
    }
    match model {
        _ if repeated => Err(RewriteError::DuplicateModel),
        None => Err(RewriteError::NoModel),
        Some(m) if m.kind != Kind::String => Err(RewriteError::ModelNotString {
            found: m.kind.name(),
        }),
        Some(m) => Ok(m.value),
    }
}

/// Whether a key (inside its quotes, as written) is `model`, escapes decoded.
fn is_model_key(body: &[u8], key: Span) -> bool {
    key_is(body.get(key.start..key.end).unwrap_or_default(), "model")
}
