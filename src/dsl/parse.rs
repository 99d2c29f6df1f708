use toml::de::DeTable;

use super::document::PricingDocument;
use super::duplicate_items;
use super::pieces::{PIECE_BYTES, PIECEWISE_FROM_BYTES, pieces};
use super::piecewise::{ReadFile, read_in_pieces};
use super::reader::ReadContext;
use super::source::SourceSet;
use crate::diagnostics::{Code, Diagnostic, FileId, Span};

/// One file of the catalog, read into its document.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub document: PricingDocument,
    /// Keys present in the file but unreadable, by the span of their table (see
    /// [`ParsedFile::is_invalid`]).
    pub invalid_keys: Vec<(Span, &'static str)>,
}

impl ParsedFile {
    /// Whether `key` of the table at `table` was present but could not be read (and so was
    /// reported already): a rule must not report it again as missing.
    pub fn is_invalid(&self, table: &Span, key: &str) -> bool {
        self.invalid_keys
            .iter()
            .any(|(span, invalid)| span == table && *invalid == key)
    }
}

/// The documents of every file that parsed, and every problem met while reading.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub files: Vec<ParsedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether every file is valid TOML in a version this build reads. When not, semantic
    /// checks are skipped: a file that could not be read would make every reference into it
    /// look broken.
    pub complete: bool,
}

/// Parses and reads every file of a source set.
pub fn parse_sources(sources: &SourceSet) -> Parsed {
    parse_sources_cut(sources, PIECEWISE_FROM_BYTES, PIECE_BYTES)
}

/// [`parse_sources`], reading each file of at least `pieces_from` bytes in pieces of about
/// `piece_bytes` where it can be cut (`dsl::pieces`); the tests cut small files to check that
/// the pieces read as the whole does.
pub(crate) fn parse_sources_cut(
    sources: &SourceSet,
    pieces_from: usize,
    piece_bytes: usize,
) -> Parsed {
    let mut parsed = Parsed {
        complete: true,
        ..Parsed::default()
    };
    for (file, source) in sources.files() {
        let before = parsed.diagnostics.len();
        let in_pieces = (source.text.len() >= pieces_from)
            .then(|| pieces(&source.text, piece_bytes))
            .flatten()
            .and_then(|pieces| {
                read_in_pieces(file, &source.text, &pieces, &mut parsed.diagnostics)
            });
        if let Some(ReadFile {
            document,
            invalid_keys,
        }) = in_pieces
        {
            if parsed.diagnostics[before..]
                .iter()
                .any(|diagnostic| diagnostic.code == Code::Version)
            {
                parsed.complete = false;
            }
            parsed.files.push(ParsedFile {
                file,
                document,
                invalid_keys,
            });
            continue;
        }
        // A valid file is parsed once; only a file TOML refuses is parsed again, with every
        // second definition of a plan item blanked out (each round of that parses it again).
        let (root, errors) = DeTable::parse_recoverable(&source.text);
        let recovered;
        let (root, duplicates) = if errors.is_empty() {
            (root, Vec::new())
        } else {
            match recover_duplicate_items(&source.text, errors) {
                Ok((text, duplicates)) => {
                    recovered = text;
                    (DeTable::parse_recoverable(&recovered).0, duplicates)
                }
                Err(errors) => {
                    parsed.complete = false;
                    for error in errors {
                        let diagnostic = match duplicate_items::classify(&source.text, &error) {
                            Some(duplicate) => duplicate_items::diagnostic(file, &duplicate, None),
                            None => syntax_diagnostic(file, &source.text, &error),
                        };
                        parsed.diagnostics.push(diagnostic);
                    }
                    continue;
                }
            }
        };
        let before = parsed.diagnostics.len();
        let mut cx = ReadContext {
            file,
            diagnostics: &mut parsed.diagnostics,
            known_keys: None,
            invalid_keys: Vec::new(),
            offset: 0,
        };
        let root_value =
            toml::Spanned::new(root.span(), toml::de::DeValue::Table(root.into_inner()));
        let document = PricingDocument::read_root(&root_value, &mut cx);
        let invalid_keys = std::mem::take(&mut cx.invalid_keys);
        if parsed.diagnostics[before..]
            .iter()
            .any(|diagnostic| diagnostic.code == Code::Version)
        {
            parsed.complete = false;
        }
        for duplicate in &duplicates {
            parsed.diagnostics.push(duplicate_items::diagnostic(
                file,
                duplicate,
                Some(&document),
            ));
        }
        parsed.files.push(ParsedFile {
            file,
            document,
            invalid_keys,
        });
    }
    parsed
}

/// The text to read, with every second definition of a plan item blanked out, and those
/// definitions; or, when anything else keeps the text from parsing, the original errors.
/// `original`: the errors TOML gave for `text` as it is.
fn recover_duplicate_items(
    text: &str,
    original: Vec<toml::de::Error>,
) -> Result<(String, Vec<duplicate_items::DuplicateItem>), Vec<toml::de::Error>> {
    let mut duplicates = Vec::new();
    let mut errors = original.clone();
    let mut recovered = text.to_string();
    // Each round blanks the duplicates TOML reported; a third definition of one item shows
    // only once the second is gone. Every round blanks at least one region, so it ends.
    while !errors.is_empty() {
        let found: Option<Vec<_>> = errors
            .iter()
            .map(|error| duplicate_items::classify(&recovered, error))
            .collect();
        let Some(found) = found else {
            return Err(original);
        };
        let blanked = duplicate_items::blank(&recovered, &found);
        if blanked == recovered {
            return Err(original);
        }
        recovered = blanked;
        duplicates.extend(found);
        errors = DeTable::parse_recoverable(&recovered).1;
    }
    Ok((recovered, duplicates))
}

/// A TOML syntax error, at the toml crate's span, in our words.
fn syntax_diagnostic(file: FileId, text: &str, error: &toml::de::Error) -> Diagnostic {
    let range = error.span().unwrap_or(0..0);
    // Clamp to the text and to character boundaries: a report must never slice mid-character.
    let mut start = range.start.min(text.len());
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let detail = error.message().trim().trim_end_matches('.');
    let first_line = detail.lines().next().unwrap_or("invalid TOML");
    Diagnostic::new(
        Code::Syntax,
        format!("invalid TOML: {first_line}"),
        Span::new(file, start..end),
        "here",
    )
    .with_help("fix the TOML syntax here; the rest of the file is checked once it parses")
}
