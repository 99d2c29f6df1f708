use serde::Serialize;

use crate::dsl::SourceFile;

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `file` (clamped to the text), found through the file's
    /// line index: what every view that places many spans uses.
    pub fn in_file(file: &SourceFile, offset: usize) -> Location {
        let (line, column) = file.lines().locate(&file.text, offset);
        Location { line, column }
    }

    /// [`Location::last_of`] through the file's line index.
    pub fn last_in_file(file: &SourceFile, start: usize, end: usize) -> Location {
        Location::in_file(file, last_character(&file.text, start, end))
    }

    /// The location of byte `offset` in `text` (clamped to the text), scanning from the start:
    /// for one place in a text, never for every diagnostic of a file.
    pub fn of(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// The location of the last character of the span `start..end` (the start itself for an
    /// empty span), so that an editor highlights exactly the span.
    pub fn last_of(text: &str, start: usize, end: usize) -> Location {
        Location::of(text, last_character(text, start, end))
    }
}

/// Where the last character of `start..end` starts (`start` for an empty span).
fn last_character(text: &str, start: usize, end: usize) -> usize {
    if end <= start {
        return start;
    }
    let mut last = end.min(text.len()).saturating_sub(1);
    while last > 0 && !text.is_char_boundary(last) {
        last -= 1;
    }
    last.max(start)
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn counts_lines_and_characters() {
        let text = "ab\nc€d\n";
        assert_eq!(Location::of(text, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::of(text, 3), Location { line: 2, column: 1 });
        // `d` comes after the three-byte euro sign: byte 7, character column 3.
        assert_eq!(Location::of(text, 7), Location { line: 2, column: 3 });
        assert_eq!(
            Location::last_of(text, 3, 8),
            Location { line: 2, column: 3 }
        );
        assert_eq!(
            Location::last_of(text, 3, 3),
            Location { line: 2, column: 1 }
        );
        assert_eq!(Location::of(text, 99), Location { line: 3, column: 1 });
    }
}
