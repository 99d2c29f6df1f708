//! The canonical layout of pricing files, for `pricectl fmt`.
//!
//! Formatting changes how a file looks, never what it says: the text is read with `toml_edit`
//! (which keeps every comment and the order of every key and table) and written out again
//! under the rules below. Before a result is returned it is parsed again and compared with the
//! original, value by value and comment by comment; a difference is an error, not an output.
//!
//! The rules (docs/language.md, "Formatting", says the same for users):
//!
//! - The `#:schema` directive, when the file's leading comments have one, is the first line,
//!   followed by one blank line. Other leading comments stay at the top.
//! - `version`, then `currency`, are the first keys of the file; every other key and table
//!   keeps the order it was written in.
//! - Exactly one blank line before every table header (comments directly above a header stay
//!   with it), none at the start of a table, at most one anywhere else.
//! - `key = value` with one space around `=`, keys and table bodies not indented. A run of
//!   consecutive lines (no blank line between them) whose `=` were lined up by hand stays lined
//!   up: it is re-aligned to its longest key. Likewise a run's trailing comments, when they were
//!   lined up, are aligned two spaces after the longest line; otherwise a trailing comment is
//!   two spaces after its line.
//! - Inline tables as `{ a = 1, b = 2 }` (`{}` when empty), one-line arrays as `[1, 2]`.
//!   An array written over several lines stays that way: one element per line, indented two
//!   spaces, a trailing comma, `]` on its own line, comments kept where they were.
//! - Keys bare when they can be (`"pro" = …` becomes `pro = …`); single-quoted (literal)
//!   strings become double-quoted (basic) strings when that needs no escape. Numbers, dates and
//!   other strings keep their exact text: `1_000_000` stays `1_000_000`, `0.50` stays `0.50`.
//! - Comments are kept word for word, without trailing whitespace; lines have no trailing
//!   whitespace (except inside multi-line strings, which are kept as written); the file ends
//!   with exactly one newline.
//!
//! Nothing here is specific to a version of the pricing language beyond the two keys that go
//! first, so scenario files are formatted by the same rules.

use std::fmt::Write as _;

use toml_edit::{Array, Decor, DocumentMut, InlineTable, Item, Key, RawString, Table, Value};

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The text is not TOML. The compiler's `pricectl::syntax` diagnostic says where and why.
    #[error("the file is not valid TOML")]
    Syntax(#[source] toml_edit::TomlError),
    /// The formatted text would not mean what the original meant, or would lose a comment: a
    /// bug in the formatter, reported rather than written.
    #[error(
        "formatting would change what the file says, so it was left as it is (a bug in pricectl)"
    )]
    ChangedMeaning,
}

/// Lays out a pricing (or scenario) file canonically; see the module documentation.
pub fn format_pricing(text: &str) -> Result<String, FormatError> {
    let document: DocumentMut = text.parse().map_err(FormatError::Syntax)?;
    let formatted = layout(&document);
    let reread: DocumentMut = formatted.parse().map_err(|_| FormatError::ChangedMeaning)?;
    if !same_table(document.as_table(), reread.as_table())
        || comments(&document) != comments(&reread)
    {
        return Err(FormatError::ChangedMeaning);
    }
    Ok(formatted)
}

/// A line of a comment block: what may stand between two pieces of TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Blank,
    Comment(String),
}

/// Where an original `=` or `#` was, to tell whether the author lined it up with its
/// neighbours.
#[derive(Debug, Clone, Copy)]
struct Column {
    at: usize,
    /// More space before it than the canonical layout puts there.
    padded: bool,
}

/// One `key = value` line of a table body, before layout.
#[derive(Debug)]
struct Entry {
    /// The key path as written in the source, one string per dotted part.
    names: Vec<String>,
    /// Comment and blank lines above the line.
    comments: Vec<Line>,
    key: String,
    value: String,
    comment: Option<String>,
    equals: Column,
    comment_column: Option<Column>,
}

impl Entry {
    fn is_multiline(&self) -> bool {
        self.value.contains('\n')
    }
}

/// A line of code before its trailing comment is placed: the comment lines above it, the code,
/// its comment, and where that comment was in the source.
struct Laid {
    comments: Vec<Line>,
    code: String,
    comment: Option<String>,
    column: Option<Column>,
}

/// A table with a header of its own, in the order the file has them.
struct Header<'d> {
    path: Vec<&'d Key>,
    table: &'d Table,
    array: bool,
}

/// Lines of output; blank lines are only added where they separate something.
#[derive(Default)]
struct Output {
    lines: Vec<String>,
}

impl Output {
    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// One blank line, unless at the start or after another blank line.
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|line| !line.is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn comments(&mut self, lines: &[Line], indent: usize) {
        for line in lines {
            match line {
                Line::Blank => self.blank(),
                Line::Comment(text) => self.push(format!("{:indent$}{text}", "")),
            }
        }
    }

    fn finish(mut self) -> String {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        if self.lines.is_empty() {
            return String::new();
        }
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

fn layout(document: &DocumentMut) -> String {
    let root = document.as_table();
    let mut root_entries = entries(root);
    let headers = headers(root);
    let mut header_comments: Vec<Vec<Line>> = headers
        .iter()
        .map(|header| own_lines(raw(header.table.decor().prefix())))
        .collect();
    let mut trailing = own_lines(document.trailing().as_str().unwrap_or_default());
    let mut out = Output::default();

    // The file's leading comments are above its first key, its first header, or alone.
    let leading = if let Some(first) = root_entries.first_mut() {
        &mut first.comments
    } else if let Some(first) = header_comments.first_mut() {
        first
    } else {
        &mut trailing
    };
    if let Some(directive) = take_directive(leading) {
        out.push(directive);
        out.blank();
    }

    if !root_entries.is_empty() {
        let (file_header, attached) =
            split_file_header(std::mem::take(&mut root_entries[0].comments));
        root_entries[0].comments = attached;
        let file_header = tidy(file_header, true, true);
        out.comments(&file_header, 0);
        out.blank();
        for (position, name) in ["version", "currency"].into_iter().enumerate() {
            if let Some(index) = root_entries
                .iter()
                .position(|entry| entry.names.len() == 1 && entry.names[0] == name)
                && index >= position
            {
                let entry = root_entries.remove(index);
                root_entries.insert(position, entry);
            }
        }
        body(&mut out, root_entries);
    }

    for (header, comments) in headers.iter().zip(header_comments) {
        let (glued, rest) = if out.is_empty() {
            (Vec::new(), comments)
        } else {
            split_glued(comments)
        };
        out.comments(&glued, 0);
        out.blank();
        out.comments(&tidy(rest, true, false), 0);
        let path = path_text(&header.path);
        let mut line = if header.array {
            format!("[[{path}]]")
        } else {
            format!("[{path}]")
        };
        if let Some(comment) = comment_of(raw(header.table.decor().suffix())) {
            line.push_str("  ");
            line.push_str(&comment);
        }
        out.push(line);
        body(&mut out, entries(header.table));
    }

    // Comments at the end of the file that follow the last line directly stay under it.
    let (glued, rest) = match trailing.iter().position(|line| *line == Line::Blank) {
        Some(first_blank) => {
            let rest = trailing.split_off(first_blank);
            (trailing, rest)
        }
        None => (trailing, Vec::new()),
    };
    out.comments(&glued, 0);
    let rest = tidy(rest, true, true);
    if !rest.is_empty() {
        out.blank();
        out.comments(&rest, 0);
    }
    out.finish()
}

/// Removes the `#:schema` directive from a comment block and returns it.
fn take_directive(lines: &mut Vec<Line>) -> Option<String> {
    let index = lines
        .iter()
        .position(|line| matches!(line, Line::Comment(text) if text.starts_with("#:schema")))?;
    match lines.remove(index) {
        Line::Comment(text) => Some(text),
        Line::Blank => None,
    }
}

/// Splits the comments above the first key into the file's header (every paragraph followed
/// by a blank line) and the comment attached to the key (the paragraph directly above it).
fn split_file_header(lines: Vec<Line>) -> (Vec<Line>, Vec<Line>) {
    match lines.iter().rposition(|line| *line == Line::Blank) {
        Some(last_blank) => {
            let mut header = lines;
            let attached = header.split_off(last_blank + 1);
            (header, attached)
        }
        None => (Vec::new(), lines),
    }
}

/// Splits the comments above a header into those that follow the previous line directly
/// (followed by a blank line: they belong to what is above) and the rest.
fn split_glued(lines: Vec<Line>) -> (Vec<Line>, Vec<Line>) {
    match lines.iter().position(|line| *line == Line::Blank) {
        Some(first_blank) if first_blank > 0 => {
            let mut glued = lines;
            let rest = glued.split_off(first_blank);
            (glued, rest)
        }
        _ => (Vec::new(), lines),
    }
}

/// At most one blank line in a row; none first or last when asked.
fn tidy(lines: Vec<Line>, strip_leading: bool, strip_trailing: bool) -> Vec<Line> {
    let mut tidied: Vec<Line> = Vec::new();
    for line in lines {
        let blank = line == Line::Blank;
        if blank && (tidied.last() == Some(&Line::Blank) || (strip_leading && tidied.is_empty())) {
            continue;
        }
        tidied.push(line);
    }
    if strip_trailing {
        while tidied.last() == Some(&Line::Blank) {
            tidied.pop();
        }
    }
    tidied
}

/// The lines of a decor that starts at the beginning of a line; its last piece, the
/// indentation of what follows, is not a line of its own unless it holds a comment (at the end
/// of the file).
fn own_lines(raw: &str) -> Vec<Line> {
    let pieces: Vec<&str> = raw.split('\n').collect();
    let (last, lines) = pieces.split_last().expect("split yields a piece");
    let mut result: Vec<Line> = lines.iter().map(|piece| to_line(piece)).collect();
    if !last.trim().is_empty() {
        result.push(to_line(last));
    }
    result
}

fn to_line(piece: &str) -> Line {
    let text = piece.trim();
    if text.is_empty() {
        Line::Blank
    } else {
        Line::Comment(text.to_string())
    }
}

/// The comment in a piece of decor on one line, without trailing whitespace.
fn comment_of(raw: &str) -> Option<String> {
    raw.find('#')
        .map(|index| raw[index..].trim_end().to_string())
}

/// What follows a value on its line, up to the first line break of a decor: a trailing
/// comment, and the comment and blank lines after it.
struct Gap {
    same_line: Option<String>,
    lines: Vec<Line>,
}

fn gap(raw: &str) -> Gap {
    match raw.split_once('\n') {
        None => Gap {
            same_line: comment_of(raw),
            lines: Vec::new(),
        },
        Some((first, rest)) => Gap {
            same_line: comment_of(first),
            lines: own_lines(rest),
        },
    }
}

fn raw(part: Option<&RawString>) -> &str {
    part.and_then(RawString::as_str).unwrap_or_default()
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn last_line_width(text: &str) -> usize {
    width(text.rsplit('\n').next().unwrap_or_default())
}

/// Whether the author lined up these columns: two or more at one column, one of them with
/// extra space before it, or all of them at one column.
fn aligned(columns: &[Column]) -> bool {
    if columns.len() < 2 {
        return false;
    }
    let all_equal = columns.iter().all(|column| column.at == columns[0].at);
    all_equal
        || columns.iter().any(|column| {
            column.padded && columns.iter().filter(|other| other.at == column.at).count() >= 2
        })
}

/// Every table with a header, in the order the file has them (as `toml_edit` prints them).
fn headers(root: &Table) -> Vec<Header<'_>> {
    fn visit<'d>(
        table: &'d Table,
        path: &mut Vec<&'d Key>,
        array: bool,
        last_position: &mut isize,
        found: &mut Vec<(isize, Header<'d>)>,
    ) {
        if !table.is_dotted() {
            if let Some(position) = table.position() {
                *last_position = position;
            }
            found.push((
                *last_position,
                Header {
                    path: path.clone(),
                    table,
                    array,
                },
            ));
        }
        for (name, item) in table {
            let Some(key) = table.key(name) else {
                continue;
            };
            match item {
                Item::Table(child) => {
                    path.push(key);
                    visit(child, path, false, last_position, found);
                    path.pop();
                }
                Item::ArrayOfTables(array) => {
                    for child in array {
                        path.push(key);
                        visit(child, path, true, last_position, found);
                        path.pop();
                    }
                }
                Item::None | Item::Value(_) => {}
            }
        }
    }
    let mut found = Vec::new();
    visit(root, &mut Vec::new(), false, &mut 0, &mut found);
    found.sort_by_key(|(position, header)| (!header.path.is_empty(), *position));
    found
        .into_iter()
        .map(|(_, header)| header)
        .filter(|header| {
            !header.path.is_empty()
                && (header.array
                    || !(header.table.is_implicit() && header.table.get_values().is_empty()))
        })
        .collect()
}

/// The `key = value` lines of a table, dotted keys included.
fn entries(table: &Table) -> Vec<Entry> {
    table
        .get_values()
        .into_iter()
        .map(|(path, value)| entry(&path, value))
        .collect()
}

fn entry(path: &[&Key], value: &Value) -> Entry {
    let leaf = path.last().expect("a key path has a key").leaf_decor();
    let prefix = raw(leaf.prefix());
    let indent = prefix.rsplit('\n').next().unwrap_or_default();
    let mut original_key = String::new();
    for (index, key) in path.iter().enumerate() {
        if index > 0 {
            original_key.push('.');
            original_key.push_str(raw(key.dotted_decor().prefix()));
        }
        original_key.push_str(&key.display_repr());
        let after = if index + 1 == path.len() {
            leaf.suffix()
        } else {
            key.dotted_decor().suffix()
        };
        original_key.push_str(raw(after));
    }
    let space_before_equals = width(&original_key) - width(original_key.trim_end());
    let equals_at = width(indent) + width(&original_key);
    let suffix = raw(value.decor().suffix());
    let comment_column = suffix.find('#').map(|hash| {
        let before = &suffix[..hash];
        let code = equals_at + 1 + width(raw(value.decor().prefix())) + width(&bare(value));
        Column {
            at: code + width(before),
            padded: width(before) > 2,
        }
    });
    Entry {
        names: path.iter().map(|key| key.get().to_string()).collect(),
        comments: own_lines(prefix),
        key: path_text(path),
        value: value_text(value, 0),
        comment: comment_of(suffix),
        equals: Column {
            at: equals_at,
            padded: space_before_equals > 1,
        },
        comment_column,
    }
}

/// Lays out the `key = value` lines of one table.
fn body(out: &mut Output, entries: Vec<Entry>) {
    let mut runs: Vec<Vec<Entry>> = Vec::new();
    for (index, mut entry) in entries.into_iter().enumerate() {
        entry.comments = tidy(entry.comments, index == 0, false);
        let continues = runs.last().is_some_and(|run| {
            !run.last().is_some_and(Entry::is_multiline)
                && !entry.is_multiline()
                && !entry.comments.contains(&Line::Blank)
        });
        match runs.last_mut() {
            Some(run) if continues => run.push(entry),
            _ => runs.push(vec![entry]),
        }
    }
    for run in runs {
        let equals: Vec<Column> = run.iter().map(|entry| entry.equals).collect();
        let key_width = if aligned(&equals) {
            run.iter().map(|entry| width(&entry.key)).max().unwrap_or(0)
        } else {
            0
        };
        let codes: Vec<String> = run
            .iter()
            .map(|entry| format!("{:<key_width$} = {}", entry.key, entry.value))
            .collect();
        let lines: Vec<Laid> = run
            .into_iter()
            .zip(codes)
            .map(|(entry, code)| Laid {
                comments: entry.comments,
                code,
                comment: entry.comment,
                column: entry.comment_column,
            })
            .collect();
        for (comments, line) in with_comments(lines) {
            out.comments(&comments, 0);
            out.push(line);
        }
    }
}

/// Puts each line's trailing comment after it: aligned when the author aligned them (see
/// [`aligned`]), else two spaces after the line.
fn with_comments(lines: Vec<Laid>) -> Vec<(Vec<Line>, String)> {
    let columns: Vec<Column> = lines.iter().filter_map(|line| line.column).collect();
    let comment_at = lines
        .iter()
        .filter(|line| line.comment.is_some())
        .map(|line| last_line_width(&line.code))
        .max()
        .unwrap_or(0)
        + 2;
    let align = aligned(&columns);
    lines
        .into_iter()
        .map(|line| {
            let Laid {
                comments,
                mut code,
                comment,
                ..
            } = line;
            if let Some(comment) = comment {
                let at = if align {
                    comment_at
                } else {
                    last_line_width(&code) + 2
                };
                let padding = at.saturating_sub(last_line_width(&code)).max(1);
                code.push_str(&" ".repeat(padding));
                code.push_str(&comment);
            }
            (comments, code)
        })
        .collect()
}

fn path_text(path: &[&Key]) -> String {
    path.iter()
        .map(|key| key_text(key))
        .collect::<Vec<_>>()
        .join(".")
}

fn key_text(key: &Key) -> String {
    let name = key.get();
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '_' | '-'));
    if bare {
        name.to_string()
    } else {
        string_text(&key.display_repr(), name)
    }
}

/// A string as written, except a one-line literal string that needs no escape as a basic
/// string.
fn string_text(repr: &str, value: &str) -> String {
    let literal = repr.starts_with('\'') && !repr.starts_with("'''");
    let safe = !value
        .chars()
        .any(|character| matches!(character, '"' | '\\') || character.is_control());
    if literal && safe {
        format!("\"{value}\"")
    } else {
        repr.to_string()
    }
}

/// A value as written, without the space and comment around it.
fn bare(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

/// A value in canonical layout; `indent` is the indentation of the line it starts on.
fn value_text(value: &Value, indent: usize) -> String {
    match value {
        Value::String(string) => string_text(&string.display_repr(), string.value()),
        Value::Integer(number) => number.display_repr().into_owned(),
        Value::Float(number) => number.display_repr().into_owned(),
        Value::Boolean(boolean) => boolean.display_repr().into_owned(),
        Value::Datetime(datetime) => datetime.display_repr().into_owned(),
        Value::Array(array) => array_text(array, indent),
        Value::InlineTable(table) => inline_table_text(table, value, indent),
    }
}

/// Whether a decor inside this value holds a line break or a comment.
fn spans_lines(value: &Value) -> bool {
    let breaks = |raw: &str| raw.contains('\n') || raw.contains('#');
    let decor = |decor: &Decor| breaks(raw(decor.prefix())) || breaks(raw(decor.suffix()));
    match value {
        Value::Array(array) => {
            breaks(array.trailing().as_str().unwrap_or_default())
                || array
                    .iter()
                    .any(|element| decor(element.decor()) || spans_lines(element))
        }
        Value::InlineTable(table) => {
            breaks(table.trailing().as_str().unwrap_or_default())
                || table.iter().any(|(name, element)| {
                    table
                        .key(name)
                        .is_some_and(|key| decor(key.leaf_decor()) || decor(key.dotted_decor()))
                        || decor(element.decor())
                        || spans_lines(element)
                })
        }
        _ => false,
    }
}

fn inline_table_text(table: &InlineTable, value: &Value, indent: usize) -> String {
    if spans_lines(value) {
        // A multi-line inline table (TOML 1.1) or one with comments: kept as written.
        return bare(value);
    }
    let pairs: Vec<String> = table
        .get_values()
        .into_iter()
        .map(|(path, element)| format!("{} = {}", path_text(&path), value_text(element, indent)))
        .collect();
    if pairs.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", pairs.join(", "))
    }
}

fn array_text(array: &Array, indent: usize) -> String {
    let values: Vec<&Value> = array.iter().collect();
    let multiline = breaks_array(array);
    if !multiline {
        let elements: Vec<String> = values
            .iter()
            .map(|element| value_text(element, indent))
            .collect();
        return format!("[{}]", elements.join(", "));
    }
    let inner = indent + 2;
    let prefix = |value: &Value| raw(value.decor().prefix()).to_string();
    let suffix = |value: &Value| raw(value.decor().suffix()).to_string();
    let trailing = array.trailing().as_str().unwrap_or_default();
    // The decor between two elements, with the comma left out, and after the last one.
    let mut gaps: Vec<String> = Vec::new();
    for (index, element) in values.iter().enumerate() {
        if index == 0 {
            gaps.push(prefix(element));
        } else {
            gaps.push(format!("{}{}", suffix(values[index - 1]), prefix(element)));
        }
    }
    gaps.push(match values.last() {
        Some(last) => format!("{}{trailing}", suffix(last)),
        None => trailing.to_string(),
    });
    let parsed: Vec<Gap> = gaps.iter().map(|text| gap(text)).collect();

    let mut text = String::from("[");
    if let Some(comment) = &parsed[0].same_line {
        text.push_str("  ");
        text.push_str(comment);
    }
    let mut lines = Vec::new();
    for (index, element) in values.iter().enumerate() {
        let comments = tidy(parsed[index].lines.clone(), index == 0, false);
        let code = format!("{:inner$}{},", "", value_text(element, inner));
        let comment = parsed[index + 1].same_line.clone();
        let original = original_comment_column(array, &values, &gaps, index);
        lines.push(Laid {
            comments,
            code,
            comment,
            column: original,
        });
    }
    // Comments are aligned within groups of one-line elements not parted by a blank line.
    let mut groups: Vec<Vec<Laid>> = Vec::new();
    for line in lines {
        let continues = groups.last().is_some_and(|group| {
            !group.last().is_some_and(|last| last.code.contains('\n'))
                && !line.code.contains('\n')
                && !line.comments.contains(&Line::Blank)
        });
        match groups.last_mut() {
            Some(group) if continues => group.push(line),
            _ => groups.push(vec![line]),
        }
    }
    for group in groups {
        for (comments, code) in with_comments(group) {
            for line in comments {
                text.push('\n');
                if let Line::Comment(comment) = line {
                    let _ = write!(text, "{:inner$}{comment}", "");
                }
            }
            text.push('\n');
            text.push_str(&code);
        }
    }
    let closing = tidy(
        parsed
            .last()
            .expect("one gap more than elements")
            .lines
            .clone(),
        values.is_empty(),
        true,
    );
    for line in closing {
        text.push('\n');
        if let Line::Comment(comment) = line {
            let _ = write!(text, "{:inner$}{comment}", "");
        }
    }
    if values.is_empty() && text == "[" {
        return "[]".to_string();
    }
    text.push('\n');
    let _ = write!(text, "{:indent$}]", "");
    text
}

/// Whether an array was written over several lines (or holds comments, which need them).
fn breaks_array(array: &Array) -> bool {
    let mut value = Value::Array(array.clone());
    value.decor_mut().clear();
    spans_lines(&value)
}

/// Where the trailing comment of element `index` was in the source, when its line is known.
fn original_comment_column(
    array: &Array,
    values: &[&Value],
    gaps: &[String],
    index: usize,
) -> Option<Column> {
    let (_, indentation) = gaps[index].rsplit_once('\n')?;
    let element = values[index];
    let code = width(indentation) + width(&bare(element));
    let comma = index + 1 < values.len() || array.trailing_comma();
    let next = match values.get(index + 1) {
        Some(next) => raw(next.decor().prefix()),
        None => array.trailing().as_str().unwrap_or_default(),
    };
    let tail = format!(
        "{}{}{next}",
        raw(element.decor().suffix()),
        if comma { "," } else { "" }
    );
    let first_line = tail.split('\n').next().unwrap_or_default();
    let hash = first_line.find('#')?;
    let before = &first_line[..hash];
    let space = width(before) - width(before.trim_end());
    Some(Column {
        at: code + width(before),
        padded: space > 2,
    })
}

/// Whether two tables hold the same keys with the same values, whatever their layout.
fn same_table(left: &Table, right: &Table) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .all(|(name, item)| right.get(name).is_some_and(|other| same_item(item, other)))
}

fn same_item(left: &Item, right: &Item) -> bool {
    match (left, right) {
        (Item::None, Item::None) => true,
        (Item::Value(left), Item::Value(right)) => same_value(left, right),
        (Item::Table(left), Item::Table(right)) => same_table(left, right),
        (Item::ArrayOfTables(left), Item::ArrayOfTables(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right.iter())
                    .all(|(left, right)| same_table(left, right))
        }
        _ => false,
    }
}

fn same_value(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(left), Value::String(right)) => left.value() == right.value(),
        (Value::Integer(left), Value::Integer(right)) => left.value() == right.value(),
        (Value::Float(left), Value::Float(right)) => {
            left.value().to_bits() == right.value().to_bits()
        }
        (Value::Boolean(left), Value::Boolean(right)) => left.value() == right.value(),
        (Value::Datetime(left), Value::Datetime(right)) => left.value() == right.value(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right.iter())
                    .all(|(left, right)| same_value(left, right))
        }
        (Value::InlineTable(left), Value::InlineTable(right)) => {
            left.len() == right.len()
                && left.iter().all(|(name, value)| {
                    right
                        .get(name)
                        .is_some_and(|other| same_value(value, other))
                })
        }
        _ => false,
    }
}

/// Every comment of a document, sorted: formatting may move a comment, never lose one.
fn comments(document: &DocumentMut) -> Vec<String> {
    fn text(raw: &str, found: &mut Vec<String>) {
        found.extend(raw.split('\n').filter_map(comment_of));
    }
    fn decor(decor: &Decor, found: &mut Vec<String>) {
        text(raw(decor.prefix()), found);
        text(raw(decor.suffix()), found);
    }
    fn key(key: &Key, found: &mut Vec<String>) {
        decor(key.leaf_decor(), found);
        decor(key.dotted_decor(), found);
    }
    fn collect_value(value: &Value, found: &mut Vec<String>) {
        decor(value.decor(), found);
        match value {
            Value::Array(array) => {
                text(array.trailing().as_str().unwrap_or_default(), found);
                for element in array {
                    collect_value(element, found);
                }
            }
            Value::InlineTable(table) => {
                text(table.trailing().as_str().unwrap_or_default(), found);
                for (name, element) in table {
                    if let Some(found_key) = table.key(name) {
                        key(found_key, found);
                    }
                    collect_value(element, found);
                }
            }
            _ => {}
        }
    }
    fn collect_table(table: &Table, found: &mut Vec<String>) {
        decor(table.decor(), found);
        for (name, item) in table {
            if let Some(found_key) = table.key(name) {
                key(found_key, found);
            }
            match item {
                Item::Value(element) => collect_value(element, found),
                Item::Table(child) => collect_table(child, found),
                Item::ArrayOfTables(array) => {
                    for child in array {
                        collect_table(child, found);
                    }
                }
                Item::None => {}
            }
        }
    }
    let mut found = Vec::new();
    collect_table(document.as_table(), &mut found);
    text(document.trailing().as_str().unwrap_or_default(), &mut found);
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::format_pricing;

    fn format(text: &str) -> String {
        let formatted = format_pricing(text).expect("formats");
        assert_eq!(
            format_pricing(&formatted).expect("formats again"),
            formatted,
            "formatting is idempotent"
        );
        formatted
    }

    #[test]
    fn layout_rules() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "spaces around equals and no trailing whitespace",
                "version=1   \ncurrency   =   \"USD\"\t\n",
                "version = 1\ncurrency = \"USD\"\n",
            ),
            (
                "directive first, then one blank line",
                "\n\n#:schema ./pricing.schema.json\nversion = 1\n",
                "#:schema ./pricing.schema.json\n\nversion = 1\n",
            ),
            (
                "version then currency at the top, comments move with their key",
                "#:schema s.json\n\n# the currency\ncurrency = \"USD\"\nversion = 1\n",
                "#:schema s.json\n\nversion = 1\n# the currency\ncurrency = \"USD\"\n",
            ),
            (
                "the file header stays on top",
                "# Acme pricing\n\ncurrency = \"USD\"\nversion = 1\n",
                "# Acme pricing\n\nversion = 1\ncurrency = \"USD\"\n",
            ),
            (
                "one blank line between tables, none at the start of a table",
                "version = 1\n[features.a]\n\n\ntype = \"metered\"\n\n\n\n[features.b]\ntype = \"boolean\"\n",
                "version = 1\n\n[features.a]\ntype = \"metered\"\n\n[features.b]\ntype = \"boolean\"\n",
            ),
            (
                "comments above a header stay with it; glued comments stay above",
                "[a]\nx = 1\n# about x\n\n\n# section\n\n# about b\n[b]\n",
                "[a]\nx = 1\n# about x\n\n# section\n\n# about b\n[b]\n",
            ),
            (
                "inline tables and one-line arrays",
                "a = {x=1,y=  2 }\nb = [ 1,2 ,3 ]\nc = {   }\nd = [ ]\ne = { p.q = 1 }\n",
                "a = { x = 1, y = 2 }\nb = [1, 2, 3]\nc = {}\nd = []\ne = { p.q = 1 }\n",
            ),
            (
                "literal strings become basic strings where no escape is needed",
                "a = 'USD'\nb = 'C:\\path'\nc = 'say \"hi\"'\n'd' = 1\n\"e f\" = 2\n",
                "a = \"USD\"\nb = 'C:\\path'\nc = 'say \"hi\"'\nd = 1\n\"e f\" = 2\n",
            ),
            (
                "numbers keep their exact text",
                "a = 1_000_000\nb = 0.50\nc = 1e-3\nd = 0x10\n",
                "a = 1_000_000\nb = 0.50\nc = 1e-3\nd = 0x10\n",
            ),
            (
                "dotted keys lose their spaces",
                "[plans.pro]\nprice . amount = 20\nprice.interval = \"month\"\n",
                "[plans.pro]\nprice.amount = 20\nprice.interval = \"month\"\n",
            ),
            (
                "trailing comments two spaces after the line",
                "[a]   # header\nx = 1 # one\nyy = 2        # two\n",
                "[a]  # header\nx = 1  # one\nyy = 2  # two\n",
            ),
            (
                "a hand-aligned run stays aligned, to its longest key",
                "[c]\nab   = 1   # x\nabcd = 22  # y\nabcdefg = 3 # z\n\nlonger = 4\n",
                "[c]\nab      = 1   # x\nabcd    = 22  # y\nabcdefg = 3   # z\n\nlonger = 4\n",
            ),
            (
                "an unaligned run is not aligned",
                "[c]\nab = 1\nabcd = 2\n",
                "[c]\nab = 1\nabcd = 2\n",
            ),
            (
                "multi-line arrays: one element per line, comments kept",
                "tiers = [ { up_to = 1, amount = 2 },   # first\n    # own line\n { up_to = \"inf\", amount = 1 }  # last\n  ]  # after\n",
                "tiers = [\n  { up_to = 1, amount = 2 },  # first\n  # own line\n  { up_to = \"inf\", amount = 1 },  # last\n]  # after\n",
            ),
            (
                "comments of a multi-line array that were aligned stay aligned",
                "t = [\n  { up_to = 1,     amount = 2 },  # first\n  { up_to = \"inf\", amount = 1 }   # last\n]\n",
                "t = [\n  { up_to = 1, amount = 2 },      # first\n  { up_to = \"inf\", amount = 1 },  # last\n]\n",
            ),
            (
                "arrays of tables, one blank line apart",
                "name = \"s\"\n[[steps]]\ndo = \"check\"\n[[steps]]\ndo = \"advance\"\n",
                "name = \"s\"\n\n[[steps]]\ndo = \"check\"\n\n[[steps]]\ndo = \"advance\"\n",
            ),
            (
                "trailing comments of the file and exactly one newline at the end",
                "version = 1\n\n\n# the end\n\n\n",
                "version = 1\n\n# the end\n",
            ),
            ("an empty file stays empty", "\n\n", ""),
        ];
        for (name, input, expected) in cases {
            assert_eq!(format(input), *expected, "{name}");
        }
    }

    #[test]
    fn invalid_toml_is_an_error() {
        assert!(matches!(
            format_pricing("version = \n"),
            Err(super::FormatError::Syntax(_))
        ));
    }
}
