use toml::de::DeTable;

use super::document::PricingDocument;
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
    let mut parsed = Parsed {
        complete: true,
        ..Parsed::default()
    };
    for (file, source) in sources.files() {
        let (root, errors) = DeTable::parse_recoverable(&source.text);
        if !errors.is_empty() {
            parsed.complete = false;
            for error in errors {
                parsed
                    .diagnostics
                    .push(syntax_diagnostic(file, &source.text, &error));
            }
            continue;
        }
        let before = parsed.diagnostics.len();
        let mut cx = ReadContext {
            file,
            diagnostics: &mut parsed.diagnostics,
            known_keys: None,
            invalid_keys: Vec::new(),
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
        parsed.files.push(ParsedFile {
            file,
            document,
            invalid_keys,
        });
    }
    parsed
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
