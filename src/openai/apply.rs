//! Presets applied to a request body: the alias's `defaults` added where the top-level object
//! lacks them, its `overrides` written over the body's own values or added, in the same
//! writing pass as the model's replacement.
//!
//! Invariants:
//! 1. the output differs from the body only inside the model string, in the value of each
//!    member an override names, and in the members added before the top-level object's
//!    closing brace (the defaults first, then the overrides, each in its object's order);
//! 2. one allocation, the output, sized up front for every byte it can receive;
//! 3. a body with an overridden member more than once is refused: which copy an upstream
//!    reads is not defined, so an override could be silently lost.

use std::borrow::Cow;

use super::RewriteError;
use crate::Presets;
use crate::json::{self, Kind, Span, escape_into, same_key};
use crate::preset::MEMBERS_CEILING;

/// One preset member, and whether the body has it.
#[derive(Debug, Clone, Copy, Default)]
struct Slot<'p> {
    key: &'p str,
    value: &'p str,
    overrides: bool,
    seen: bool,
}

/// `body` (a JSON object the scanner accepted, its model at `model.0`) with the model replaced
/// by `model.1` (unless `None`: the model is kept) and `presets` applied. Borrowed when nothing
/// changed (every default present, no override, the model kept).
pub(crate) fn apply<'b>(
    body: &'b [u8],
    model: Option<(Span, [&str; 2])>,
    presets: Presets<'_>,
) -> Result<Cow<'b, [u8]>, RewriteError> {
    let mut slots = [Slot::default(); MEMBERS_CEILING];
    let mut count = 0;
    let mut extra = 0;
    for ((key, value, overrides), slot) in presets.members().zip(slots.iter_mut()) {
        *slot = Slot {
            key,
            value,
            overrides,
            seen: false,
        };
        count += 1;
        extra += key.len() + value.len() + 4; // ,"key":value
    }
    let slots = slots.get_mut(..count).unwrap_or_default();
    let model_len = model.map_or(0, |(_, [head, rest])| head.len() + rest.len());
    // Escaping a model can take six bytes a byte (`\u001f`); room for all of it up front.
    let mut out = Vec::with_capacity(body.len() + 6 * model_len + extra);
    let mut copied = 0;
    let mut repeated = None;
    json::scan(body, |member| {
        if let Some((span, pieces)) = model.filter(|(span, _)| *span == member.value) {
            out.extend_from_slice(body.get(copied..span.start).unwrap_or_default());
            for piece in pieces {
                escape_into(piece, &mut out);
            }
            copied = span.end;
            return;
        }
        let key = body
            .get(member.key.start..member.key.end)
            .unwrap_or_default();
        let Some(slot) = slots.iter_mut().find(|s| same_key(key, s.key.as_bytes())) else {
            return;
        };
        if slot.overrides && slot.seen {
            repeated.get_or_insert(member.key);
        } else if slot.overrides {
            let whole = whole_value(member.value, member.kind);
            out.extend_from_slice(body.get(copied..whole.start).unwrap_or_default());
            out.extend_from_slice(slot.value.as_bytes());
            copied = whole.end;
        }
        slot.seen = true;
    })?;
    if let Some(key) = repeated {
        let raw = body.get(key.start..key.end).unwrap_or_default();
        let member = json::decode_string(raw).map(|k| crate::text::excerpt(&k));
        return Err(RewriteError::RepeatedOverride {
            member: member.unwrap_or_default(),
        });
    }
    // The top-level object's closing brace: the last one, as only whitespace may follow it.
    let close = body.iter().rposition(|&b| b == b'}').unwrap_or(body.len());
    out.extend_from_slice(body.get(copied..close).unwrap_or_default());
    // The object has at least its model, so each added member follows another.
    for slot in slots.iter().filter(|s| !s.seen) {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(slot.key.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(slot.value.as_bytes());
    }
    out.extend_from_slice(body.get(close..).unwrap_or_default());
    Ok(if out == body {
        Cow::Borrowed(body)
    } else {
        Cow::Owned(out)
    })
}

/// A value's whole span: a string's with its quotes (the scanner gives a string's inside).
fn whole_value(value: Span, kind: Kind) -> Span {
    if kind == Kind::String {
        Span {
            start: value.start.saturating_sub(1),
            end: value.end + 1,
        }
    } else {
        value
    }
}
