//! Integers as the format writes them: little-endian fields of a fixed width, and LEB128
//! varints.

/// Reads a little-endian unsigned integer of `width` (1 to 8) bytes at `at`.
#[inline]
pub(crate) fn uint(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    Some(le(bytes.get(at..at.checked_add(width)?)?))
}

/// Reads a whole little-endian field of 1 to 8 bytes: the lookup loop's read, specialised
/// for the widths the format uses so that each compiles to a load or two, never a call.
#[inline(always)]
pub(crate) fn le(field: &[u8]) -> u64 {
    match *field {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        [a, b, c] => u64::from(u16::from_le_bytes([a, b])) | u64::from(c) << 16,
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => {
            let mut word = [0u8; 8];
            for (dst, src) in word.iter_mut().zip(field) {
                *dst = *src;
            }
            u64::from_le_bytes(word)
        }
    }
}

/// Appends `value` as a little-endian integer of `width` bytes (the builder checked it fits).
pub(crate) fn push_uint(out: &mut Vec<u8>, value: u64, width: usize) {
    out.extend(value.to_le_bytes().iter().take(width));
}

/// Reads an unsigned LEB128 varint at `*at`, advancing `*at`. At most 10 bytes.
#[inline]
pub(crate) fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Appends `value` as an unsigned LEB128 varint.
pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The smallest number of bytes (at least 1) that holds `value`.
pub(crate) fn width_for(value: u64) -> usize {
    (8 - value.leading_zeros() as usize / 8).max(1)
}
