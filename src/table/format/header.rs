//! The header: the table's shape, its sections' places and their checks.

use super::ints::{push_uint, uint};
use super::{FLAG_IGNORE_CASE, HEADER_LEN, MAGIC, MAX_BUCKET_BITS, SECTIONS, VERSION, at};
use crate::error::TableError;

/// The header's fields past the magic, version, flags and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// Models are matched with ASCII case folded (flag bit 0).
    pub(crate) ignore_case: bool,
    pub(crate) keys: u64,
    /// There are `2^bucket_bits` buckets.
    pub(crate) bucket_bits: u8,
    /// The directory's offsets: 4 or 8 bytes.
    pub(crate) offset_width: usize,
    /// 1 to 4.
    pub(crate) name_width: usize,
    /// 1 to 4.
    pub(crate) target_width: usize,
    /// A bucket's block lengths: 1 to 4 bytes.
    pub(crate) length_width: usize,
    /// 0 (no presets) to 4.
    pub(crate) presets_width: usize,
    /// Each section's length, in order.
    pub(crate) sections: [usize; SECTIONS],
}

impl Header {
    /// The table's total length: the header and every section.
    pub(crate) fn total_len(&self) -> usize {
        HEADER_LEN + self.sections.iter().sum::<usize>()
    }

    /// Appends the header, with a zero checksum for [`seal`](super::seal) to fill in.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        push_uint(out, u64::from(VERSION), 4);
        let flags = if self.ignore_case {
            FLAG_IGNORE_CASE
        } else {
            0
        };
        push_uint(out, u64::from(flags), 4);
        push_uint(out, 0, 8); // checksum
        push_uint(out, self.total_len() as u64, 8);
        push_uint(out, self.keys, 8);
        out.push(self.bucket_bits);
        push_uint(out, self.offset_width as u64, 1);
        push_uint(out, self.name_width as u64, 1);
        push_uint(out, self.target_width as u64, 1);
        push_uint(out, self.length_width as u64, 1);
        push_uint(out, self.presets_width as u64, 1);
        push_uint(out, 0, 2); // reserved
        for len in self.sections {
            push_uint(out, len as u64, 8);
        }
    }

    /// Reads and checks the header of `table`, whose magic, version, length and checksum
    /// [`Layout::parse`](super::Layout::parse) has checked: flags, widths, bucket count and the sections' lengths.
    pub(super) fn read(table: &[u8]) -> Result<Header, TableError> {
        let field = |at: usize, width: usize| uint(table, at, width).ok_or(malformed("too short"));
        let flags = field(at::FLAGS, 4)?;
        if flags & !u64::from(FLAG_IGNORE_CASE) != 0 {
            return Err(malformed("unknown flags are set"));
        }
        let width = |at: usize, allowed: &[u64]| -> Result<usize, TableError> {
            let w = field(at, 1)?;
            allowed
                .contains(&w)
                .then_some(w as usize)
                .ok_or(malformed("a field width is out of range"))
        };
        let bucket_bits = field(at::BUCKET_BITS, 1)? as u8;
        if bucket_bits > MAX_BUCKET_BITS {
            return Err(malformed("there are more than 2^40 buckets"));
        }
        if field(at::RESERVED, 2)? != 0 {
            return Err(malformed("a reserved byte is not zero"));
        }
        let mut sections = [0usize; SECTIONS];
        for (i, len) in sections.iter_mut().enumerate() {
            *len = usize::try_from(field(at::SECTION_LENS + 8 * i, 8)?)
                .map_err(|_| malformed("a section is larger than memory"))?;
        }
        Ok(Header {
            ignore_case: flags & u64::from(FLAG_IGNORE_CASE) != 0,
            keys: field(at::KEYS, 8)?,
            bucket_bits,
            offset_width: width(at::OFFSET_WIDTH, &[4, 8])?,
            name_width: width(at::NAME_WIDTH, &[1, 2, 3, 4])?,
            target_width: width(at::TARGET_WIDTH, &[1, 2, 3, 4])?,
            length_width: width(at::LENGTH_WIDTH, &[1, 2, 3, 4])?,
            presets_width: width(at::PRESETS_WIDTH, &[0, 1, 2, 3, 4])?,
            sections,
        })
    }
}

pub(super) fn malformed(why: &'static str) -> TableError {
    TableError::Malformed {
        section: "header",
        why,
    }
}
