use std::ops::Range;

/// Identifies one source file of a catalog (an index into its `SourceSet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// The offsets are `u32`: a pricing file is read up to [`crate::input::PRICING_BYTES`]
/// (32 MiB), far below 4 GiB, and a document holds a dozen spans for each feature or item, so
/// a span of 12 bytes instead of 24 takes a third off a document of a million features.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Span {
    /// The span of `range` in `file`. An offset past `u32::MAX` (which no file read within
    /// the limits has) is held as `u32::MAX`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Self {
            file,
            start: offset(range.start),
            end: offset(range.end),
        }
    }

    /// The offset of the first byte.
    pub fn start(&self) -> usize {
        widen(self.start)
    }

    /// The offset just past the last byte.
    pub fn end(&self) -> usize {
        widen(self.end)
    }

    pub fn len(&self) -> usize {
        self.end() - self.start()
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn range(&self) -> Range<usize> {
        self.start()..self.end()
    }
}

/// A `u32` offset as a `usize` (on any target of 32 bits or more, every `u32` fits).
fn widen(offset: u32) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}
