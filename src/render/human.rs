use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostics::{Diagnostic, FileId, Label, Severity};
use crate::dsl::SourceSet;
use crate::render::windowed_text::WindowedText;

/// How the terminal report looks.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// ANSI colours (only on a terminal, never with `NO_COLOR`; the CLI decides).
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
    /// Report warnings as errors (`--deny-warnings`).
    pub deny_warnings: bool,
}

/// Renders diagnostics as miette's graphical report, with source snippets.
pub fn render_human(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    options: HumanOptions,
) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources, options.deny_warnings);
        // Writing to a String cannot fail; miette only fails on a broken writer.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}

/// One diagnostic as miette sees it: the labels in the primary label's file, and one related
/// report per other file involved.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: FileSource<'a>,
    labels: Vec<&'a Label>,
    related: Vec<Report<'a>>,
    severity: miette::Severity,
    /// Related reports show only their labels.
    is_related: bool,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic, sources: &'a SourceSet, deny_warnings: bool) -> Self {
        let primary_file = diagnostic.primary().span.file;
        let severity = match diagnostic.severity() {
            Severity::Warning if !deny_warnings => miette::Severity::Warning,
            _ => miette::Severity::Error,
        };
        let mut other_files: Vec<FileId> = diagnostic
            .labels
            .iter()
            .map(|label| label.span.file)
            .filter(|file| *file != primary_file)
            .collect();
        other_files.sort();
        other_files.dedup();
        let labels_in = |file: FileId| -> Vec<&'a Label> {
            diagnostic
                .labels
                .iter()
                .filter(|label| label.span.file == file)
                .collect()
        };
        let related = other_files
            .into_iter()
            .map(|file| {
                let labels = labels_in(file);
                Report {
                    diagnostic,
                    source: FileSource::new(sources, file, &labels),
                    labels,
                    related: Vec::new(),
                    severity: miette::Severity::Advice,
                    is_related: true,
                }
            })
            .collect();
        let labels = labels_in(primary_file);
        Report {
            diagnostic,
            source: FileSource::new(sources, primary_file, &labels),
            labels,
            related,
            severity,
            is_related: false,
        }
    }
}

/// A file's text as its snippets show it (long lines cut around the labels), with its name
/// (miette's `NamedSource` wants to own the text).
struct FileSource<'a> {
    name: String,
    original: &'a str,
    windowed: WindowedText<'a>,
}

impl<'a> FileSource<'a> {
    fn new(sources: &'a SourceSet, file: FileId, labels: &[&Label]) -> Self {
        let source = sources.file(file);
        let spans: Vec<_> = labels
            .iter()
            .map(|label| label.span.start..label.span.end)
            .collect();
        FileSource {
            name: source.path.display().to_string(),
            original: source.text.as_str(),
            windowed: WindowedText::new(source.text.as_str(), &spans),
        }
    }

    /// Where a label shows in the snippet text.
    fn span_of(&self, label: &Label) -> (usize, usize) {
        let shown = self.windowed.to_window(label.span.start..label.span.end);
        (shown.start, shown.len())
    }

    /// The column (in bytes, from 0) of a snippet offset in the original line, which the
    /// snippet may show cut.
    fn original_column(&self, offset: usize) -> usize {
        let original = self.windowed.to_original(offset).min(self.original.len());
        let line_start = self.original[..original]
            .rfind('\n')
            .map_or(0, |newline| newline + 1);
        original - line_start
    }
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &'b str = &self.windowed.text;
        let contents = text.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            // The header names the column in the file, not in the cut line.
            self.original_column(span.offset()),
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Report")
            .field("diagnostic", self.diagnostic)
            .finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_related {
            formatter.write_str("in another file")
        } else {
            formatter.write_str(&self.diagnostic.message)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.is_related).then(|| Box::new(self.diagnostic.code.name()) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.is_related {
            return None;
        }
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().map(|label| {
            let span = self.source.span_of(label);
            if label.primary {
                LabeledSpan::new_primary_with_span(Some(label.message.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(label.message.clone()), span)
            }
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|report| report as &dyn miette::Diagnostic),
        ))
    }
}
