//! How much pricectl reads from a file, in one place: every file it reads whole (pricing,
//! scenarios, saved plans) is read through [`read_limited`], and a usage file, which is
//! streamed, line by line through [`read_line_limited`]. A file past its limit (`/dev/zero`
//! given as pricing, a wrong file, a generated file gone wrong) is refused with the limit named,
//! before pricectl holds more than the limit in memory.
//!
//! The limits are far above what real files need (the 10,000-feature catalog of
//! docs/performance.md is 10 MB) and low enough that what pricectl builds from a file fits in
//! memory (docs/reliability.md measures it).

use std::fmt;
use std::io::{BufRead, Read};
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// The largest pricing file (each file of a directory): 32 MiB.
pub const PRICING_BYTES: u64 = 32 * MIB;

/// The largest scenario file: 16 MiB.
pub const SCENARIO_BYTES: u64 = 16 * MIB;

/// The largest saved plan: 256 MiB (a plan from an empty catalog to the 10 MB benchmark catalog
/// holds that catalog twice, as the desired catalog and as the plan's changes).
pub const SAVED_PLAN_BYTES: u64 = 256 * MIB;

/// The longest line of a usage file: 1 MiB (a record is about 100 bytes; the file itself is
/// streamed, so its length is not limited).
pub const USAGE_LINE_BYTES: u64 = MIB;

/// A size as the limits above are written: `32 MiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= MIB && self.0.is_multiple_of(MIB) {
            write!(formatter, "{} MiB", self.0 / MIB)
        } else {
            write!(formatter, "{} bytes", self.0)
        }
    }
}

/// Why a file could not be read within its limit.
#[derive(Debug, thiserror::Error)]
pub enum LimitedReadError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("it is larger than {limit}, the most pricectl reads")]
    TooLarge { limit: Size },
}

/// The bytes of the file at `path`, or [`LimitedReadError::TooLarge`] after reading at most
/// `limit + 1` bytes (so a device or pipe that never ends is refused too).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, LimitedReadError> {
    let file = std::fs::File::open(path)?;
    let expected = file.metadata().map_or(0, |metadata| metadata.len());
    let capacity = usize::try_from(expected.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(LimitedReadError::TooLarge { limit: Size(limit) });
    }
    Ok(bytes)
}

/// Appends the next line of `reader` (with its newline) to `line`, as `BufRead::read_line`
/// does; 0 at the end. A line longer than `limit` bytes is [`LimitedReadError::TooLarge`],
/// after reading at most `limit + 1` bytes of it.
pub fn read_line_limited(
    reader: &mut impl BufRead,
    line: &mut String,
    limit: u64,
) -> Result<usize, LimitedReadError> {
    let read = reader.take(limit.saturating_add(1)).read_line(line)?;
    if read as u64 > limit && !line.ends_with('\n') {
        return Err(LimitedReadError::TooLarge { limit: Size(limit) });
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::{LimitedReadError, Size, read_limited, read_line_limited};

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"0123456789").unwrap();
        assert_eq!(read_limited(file.path(), 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_limited(file.path(), 9),
            Err(LimitedReadError::TooLarge { limit: Size(9) })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_that_never_ends_is_refused_at_the_limit() {
        let error = read_limited(std::path::Path::new("/dev/zero"), 1024 * 1024).unwrap_err();
        assert_eq!(
            error.to_string(),
            "it is larger than 1 MiB, the most pricectl reads"
        );
    }

    #[test]
    fn lines_are_read_up_to_the_limit() {
        let mut reader = std::io::Cursor::new(b"short\n0123456789\nrest".to_vec());
        let mut line = String::new();
        assert_eq!(read_line_limited(&mut reader, &mut line, 8).unwrap(), 6);
        assert_eq!(line, "short\n");
        line.clear();
        assert!(matches!(
            read_line_limited(&mut reader, &mut line, 8),
            Err(LimitedReadError::TooLarge { limit: Size(8) })
        ));
        // A last line without a newline, within the limit, is a line.
        let mut reader = std::io::Cursor::new(b"12345678".to_vec());
        line.clear();
        assert_eq!(read_line_limited(&mut reader, &mut line, 8).unwrap(), 8);
        assert_eq!(Size(8).to_string(), "8 bytes");
        assert_eq!(Size(super::PRICING_BYTES).to_string(), "32 MiB");
    }
}
