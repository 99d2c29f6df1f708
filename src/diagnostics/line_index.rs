//! Where each line of a text starts, built once per file, so that placing a span (its line and
//! column, the lines around it) costs a binary search instead of a scan from the start of the
//! file. Placing every diagnostic by scanning made a report quadratic in the size of the file
//! (200,000 unused features took minutes).

/// Bytes per block of the character-count checkpoints.
const BLOCK: usize = 4096;

/// The lines of a text (split at `\n`) and, for a text that is not ASCII, how many characters
/// come before each [`BLOCK`] of bytes.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    /// Characters before byte `i * BLOCK`; empty for an ASCII text, where characters are bytes.
    characters_before_block: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(index, _)| index + 1),
        );
        let characters_before_block = if text.is_ascii() {
            Vec::new()
        } else {
            let mut before = Vec::with_capacity(bytes.len() / BLOCK + 1);
            let mut count = 0;
            for block in bytes.chunks(BLOCK) {
                before.push(count);
                count += characters_in(block);
            }
            before.push(count);
            before
        };
        LineIndex {
            starts,
            characters_before_block,
        }
    }

    /// How many lines the text has (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The line (from 0) of byte `offset`; an offset past the end is on the last line.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset) - 1
    }

    /// Where line `line` (from 0) starts; the end of the text past the last line.
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`, the text this
    /// index was built from; the offset is clamped to the text and to a character's start.
    pub fn locate(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = self.characters_before(text, offset) - self.characters_before(text, start);
        (line + 1, column + 1)
    }

    /// How many characters come before byte `offset` (a character's start).
    fn characters_before(&self, text: &str, offset: usize) -> usize {
        if self.characters_before_block.is_empty() {
            return offset;
        }
        let block = offset / BLOCK;
        self.characters_before_block[block] + characters_in(&text.as_bytes()[block * BLOCK..offset])
    }
}

/// The characters that start in `bytes` (every byte but UTF-8 continuation bytes).
fn characters_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|byte| (**byte & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// The line and column by scanning from the start, as the index must agree with.
    fn scanned(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        (
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    }

    #[test]
    fn agrees_with_a_scan_on_ascii_and_on_wide_characters() {
        let long_line = "ab€".repeat(1000);
        for text in ["", "a", "ab\ncd\n", "ab\nc€d\n\n€", long_line.as_str()] {
            let index = LineIndex::new(text);
            for offset in (0..=text.len()).filter(|offset| text.is_char_boundary(*offset)) {
                assert_eq!(
                    index.locate(text, offset),
                    scanned(text, offset),
                    "{offset}"
                );
            }
        }
    }

    #[test]
    fn finds_lines_and_their_starts() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_of(0), 0);
        assert_eq!(index.line_of(2), 0);
        assert_eq!(index.line_of(3), 1);
        assert_eq!(index.line_of(6), 2);
        assert_eq!(index.line_of(99), 2);
        assert_eq!(index.line_start(1, text), 3);
        assert_eq!(index.line_start(7, text), 6);
        // An offset inside a character is placed at its start.
        let wide = "€x";
        assert_eq!(LineIndex::new(wide).locate(wide, 1), (1, 1));
    }
}
