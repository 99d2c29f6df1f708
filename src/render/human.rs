use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostics::{Diagnostic, FileId, Label, Severity};
use crate::dsl::SourceSet;

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
        let related = other_files
            .into_iter()
            .map(|file| Report {
                diagnostic,
                source: named_source(sources, file),
                labels: diagnostic
                    .labels
                    .iter()
                    .filter(|label| label.span.file == file)
                    .collect(),
                related: Vec::new(),
                severity: miette::Severity::Advice,
                is_related: true,
            })
            .collect();
        Report {
            diagnostic,
            source: named_source(sources, primary_file),
            labels: diagnostic
                .labels
                .iter()
                .filter(|label| label.span.file == primary_file)
                .collect(),
            related,
            severity,
            is_related: false,
        }
    }
}

fn named_source(sources: &SourceSet, file: FileId) -> FileSource<'_> {
    let source = sources.file(file);
    FileSource {
        name: source.path.display().to_string(),
        text: source.text.as_str(),
    }
}

/// A file's text, borrowed, with its name (miette's `NamedSource` wants to own it).
struct FileSource<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
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
            let span = (label.span.start, label.span.len());
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
