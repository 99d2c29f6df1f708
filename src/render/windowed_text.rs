//! A file's text as a snippet shows it: lines longer than [`LONGEST_LINE`] characters are cut
//! to a window around the labels on them, so a label far to the right of a long line neither
//! crashes the renderer (miette pads with `format!` widths, which stop at 65,535) nor echoes a
//! line of many kilobytes whole.
//!
//! Every line is kept (only shortened), so line numbers stay true; offsets move between the
//! file and its window through [`WindowedText::to_window`] and [`WindowedText::to_original`].

use std::borrow::Cow;
use std::ops::Range;

/// The longest line, in characters, that a snippet shows whole.
pub const LONGEST_LINE: usize = 160;

/// Characters kept on each side of the labels of a line that is cut.
const MARGIN: usize = 60;

/// What stands for the cut part of a line.
const ELLIPSIS: &str = "…";

/// A text with its long lines cut, and the map back to the original.
#[derive(Debug)]
pub struct WindowedText<'a> {
    /// The text a snippet shows.
    pub text: Cow<'a, str>,
    /// The parts of the original kept, in order; empty when nothing was cut (the text is the
    /// original).
    pieces: Vec<Piece>,
}

/// A run of the original text kept in the window.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Where it starts in the original.
    original: usize,
    /// Where it starts in the window.
    window: usize,
    /// Its length in bytes.
    len: usize,
}

impl<'a> WindowedText<'a> {
    /// `original` with each line longer than [`LONGEST_LINE`] cut around the `labels` (byte
    /// ranges of the original) that touch it; a long line without labels keeps its start.
    pub fn new(original: &'a str, labels: &[Range<usize>]) -> Self {
        let too_long = original
            .split('\n')
            .any(|line| line.chars().nth(LONGEST_LINE).is_some());
        if !too_long {
            return WindowedText {
                text: Cow::Borrowed(original),
                pieces: Vec::new(),
            };
        }
        let mut text = String::new();
        let mut pieces = Vec::new();
        let mut keep = |text: &mut String, range: Range<usize>| {
            if !range.is_empty() {
                pieces.push(Piece {
                    original: range.start,
                    window: text.len(),
                    len: range.len(),
                });
                text.push_str(&original[range]);
            }
        };
        let mut line_start = 0;
        for line in original.split_inclusive('\n') {
            let content_end = line_start + line.trim_end_matches(['\n', '\r']).len();
            let line_end = line_start + line.len();
            let content = &original[line_start..content_end];
            if content.chars().nth(LONGEST_LINE).is_none() {
                keep(&mut text, line_start..line_end);
            } else {
                let window = window_of(original, line_start..content_end, labels);
                if window.start > line_start {
                    text.push_str(ELLIPSIS);
                }
                keep(&mut text, window.clone());
                if window.end < content_end {
                    text.push_str(ELLIPSIS);
                }
                keep(&mut text, content_end..line_end);
            }
            line_start = line_end;
        }
        WindowedText {
            text: Cow::Owned(text),
            pieces,
        }
    }

    /// Where the original `range` shows in the window; a part that was cut shrinks to the
    /// nearest edge of what was kept.
    pub fn to_window(&self, range: Range<usize>) -> Range<usize> {
        if self.pieces.is_empty() {
            return range;
        }
        let start = match self
            .pieces
            .iter()
            .find(|piece| piece.original + piece.len > range.start)
        {
            Some(piece) if range.start >= piece.original => {
                piece.window + (range.start - piece.original)
            }
            Some(piece) => piece.window,
            None => self.text.len(),
        };
        let end = match self
            .pieces
            .iter()
            .rev()
            .find(|piece| piece.original < range.end)
        {
            Some(piece) if range.end <= piece.original + piece.len => {
                piece.window + (range.end - piece.original)
            }
            Some(piece) => piece.window + piece.len,
            None => 0,
        };
        start..end.max(start)
    }

    /// Where a window offset comes from in the original; an offset in an ellipsis belongs to
    /// what follows it.
    pub fn to_original(&self, offset: usize) -> usize {
        if self.pieces.is_empty() {
            return offset;
        }
        match self
            .pieces
            .iter()
            .find(|piece| piece.window + piece.len > offset)
        {
            Some(piece) if offset >= piece.window => piece.original + (offset - piece.window),
            Some(piece) => piece.original,
            None => self
                .pieces
                .last()
                .map_or(0, |piece| piece.original + piece.len),
        }
    }
}

/// The byte range of the long line `line` to keep: its labels with [`MARGIN`] characters each
/// side, at most [`LONGEST_LINE`] characters; the start of the line when no label is on it.
fn window_of(original: &str, line: Range<usize>, labels: &[Range<usize>]) -> Range<usize> {
    let on_line = labels
        .iter()
        .filter(|label| label.start <= line.end && label.end >= line.start);
    let first = on_line
        .clone()
        .map(|label| label.start.max(line.start))
        .min();
    let last = on_line.map(|label| label.end.min(line.end)).max();
    let content = &original[line.clone()];
    let (Some(first), Some(last)) = (first, last) else {
        return line.start..line.start + chars_forward(content, 0, LONGEST_LINE);
    };
    let start = line.start + chars_back(content, first - line.start, MARGIN);
    let wanted_end = line.start + chars_forward(content, last - line.start, MARGIN);
    let longest_end = start + chars_forward(&original[start..line.end], 0, LONGEST_LINE);
    start..wanted_end.min(longest_end)
}

/// The byte offset `count` characters after `from` in `text` (at most its end).
fn chars_forward(text: &str, from: usize, count: usize) -> usize {
    let from = floor_boundary(text, from);
    text[from..]
        .char_indices()
        .nth(count)
        .map_or(text.len(), |(index, _)| from + index)
}

/// The byte offset `count` characters before `from` in `text` (at least 0).
fn chars_back(text: &str, from: usize, count: usize) -> usize {
    let from = floor_boundary(text, from);
    if count == 0 {
        return from;
    }
    text[..from]
        .char_indices()
        .rev()
        .nth(count - 1)
        .map_or(0, |(index, _)| index)
}

/// `offset`, moved back to the start of the character it falls in.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_the_original() {
        let windowed = WindowedText::new("a = 1\nb = 2\n", std::slice::from_ref(&(4..5)));
        assert!(matches!(windowed.text, Cow::Borrowed(_)));
        assert_eq!(windowed.to_window(4..5), 4..5);
        assert_eq!(windowed.to_original(4), 4);
    }

    #[test]
    fn a_label_far_right_is_shown_in_a_window_around_it() {
        let original = format!("x = 1\n{}= oops\nz = 2\n", " ".repeat(65_534));
        let label = 6 + 65_534..6 + 65_534 + 1;
        let windowed = WindowedText::new(&original, std::slice::from_ref(&label));
        let lines: Vec<&str> = windowed.text.lines().collect();
        assert_eq!(lines.len(), 3, "every line is kept");
        assert_eq!(lines[0], "x = 1");
        assert_eq!(lines[1], format!("…{}= oops", " ".repeat(MARGIN)));
        assert_eq!(lines[2], "z = 2");
        let shown = windowed.to_window(label.clone());
        assert_eq!(&windowed.text[shown.clone()], "=");
        assert_eq!(windowed.to_original(shown.start), label.start);
        // After the window, offsets move by what was cut.
        let z = original.rfind('z').expect("z");
        let shown_z = windowed.to_window(z..z + 1);
        assert_eq!(&windowed.text[shown_z.clone()], "z");
        assert_eq!(windowed.to_original(shown_z.start), z);
    }

    #[test]
    fn a_long_line_is_cut_on_both_sides_and_a_long_label_to_the_longest_line() {
        let original = format!(
            "{}key = \"{}\"{}\n",
            "a".repeat(500),
            "é".repeat(400),
            "b".repeat(500)
        );
        let value = original.find('"').expect("quote")..original.rfind('"').expect("quote") + 1;
        let windowed = WindowedText::new(&original, std::slice::from_ref(&value));
        let line = windowed.text.lines().next().expect("a line");
        assert!(line.starts_with('…') && line.ends_with('…'), "{line}");
        assert_eq!(line.chars().count(), LONGEST_LINE + 2);
        let shown = windowed.to_window(value.clone());
        assert!(windowed.text[shown.clone()].starts_with("\"éé"));
        assert_eq!(
            shown.end,
            windowed.text.len() - "…\n".len(),
            "cut at the window"
        );
    }

    #[test]
    fn a_long_line_without_labels_keeps_its_start() {
        let original = format!("{}\nkey = 1\n", "#".repeat(1_000));
        let key = original.find("key").expect("key")..original.find("key").expect("key") + 3;
        let windowed = WindowedText::new(&original, std::slice::from_ref(&key));
        assert_eq!(
            windowed.text,
            format!("{}…\nkey = 1\n", "#".repeat(LONGEST_LINE))
        );
        let shown = windowed.to_window(key);
        assert_eq!(&windowed.text[shown], "key");
    }

    #[test]
    fn offsets_at_the_end_stay_at_the_end() {
        let original = format!("{}\n", "x".repeat(1_000));
        let end = original.len()..original.len();
        let windowed = WindowedText::new(&original, std::slice::from_ref(&end));
        let shown = windowed.to_window(end);
        assert_eq!(shown, windowed.text.len()..windowed.text.len());
        assert_eq!(windowed.to_original(shown.start), original.len());
    }
}
