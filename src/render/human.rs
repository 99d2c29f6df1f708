use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostics::{Diagnostic, FileId, Label, LineIndex, Severity};
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
    let handler = handler(options);
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(SHOWN_DIAGNOSTICS) {
        let severity = match diagnostic.severity() {
            Severity::Warning if !options.deny_warnings => miette::Severity::Warning,
            _ => miette::Severity::Error,
        };
        let problem = Problem {
            code: Some(diagnostic.code.name()),
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            labels: &diagnostic.labels,
        };
        // Writing to a String cannot fail; miette only fails on a broken writer.
        let _ = handler.render_report(&mut out, &Report::new(&problem, sources, severity));
        out.push('\n');
    }
    out.push_str(&not_shown(diagnostics, options.deny_warnings));
    out
}

/// A problem at a place in the pricing, shown as a diagnostic is: its code, what is wrong,
/// the labelled lines of the file, and help. Diagnostics are problems the compiler finds;
/// others are found later, such as a change the billing system refused, shown at the line
/// that declares the object.
#[derive(Debug)]
pub struct Problem<'a> {
    /// A diagnostic's stable code; none for a problem without one.
    pub code: Option<&'a str>,
    pub message: &'a str,
    pub help: Option<&'a str>,
    /// Its places; one is primary.
    pub labels: &'a [Label],
}

/// Renders one problem found after compiling as an error with its source snippets, the way
/// [`render_human`] shows a diagnostic.
/// A problem without labels has no place to show: nothing is rendered.
pub fn render_problem(problem: &Problem, sources: &SourceSet, options: HumanOptions) -> String {
    let mut out = String::new();
    if problem.labels.is_empty() {
        return out;
    }
    let _ = handler(options).render_report(
        &mut out,
        &Report::new(problem, sources, miette::Severity::Error),
    );
    out
}

fn handler(options: HumanOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
}

/// The most diagnostics a terminal report and GitHub annotations show: a file of garbage can
/// make one per token, and past a hundred a person fixes the first ones and runs again.
pub const SHOWN_DIAGNOSTICS: usize = 100;

/// The line that closes a report with diagnostics left out: how many, of which kinds, and
/// where to see them all; empty when every diagnostic was shown.
pub(crate) fn not_shown(diagnostics: &[Diagnostic], deny_warnings: bool) -> String {
    let Some(rest) = diagnostics
        .get(SHOWN_DIAGNOSTICS..)
        .filter(|rest| !rest.is_empty())
    else {
        return String::new();
    };
    let errors = rest
        .iter()
        .filter(|diagnostic| deny_warnings || diagnostic.is_error())
        .count();
    let plural =
        |count: usize, noun: &str| format!("{count} {noun}{}", if count == 1 { "" } else { "s" });
    format!(
        "{} not shown ({} and {}); `pricectl validate --format json` lists every one\n",
        plural(rest.len(), "more diagnostic"),
        plural(errors, "error"),
        plural(rest.len() - errors, "warning"),
    )
}

/// One problem as miette sees it: the labels in the primary label's file, and one related
/// report per other file involved.
struct Report<'a> {
    problem: &'a Problem<'a>,
    source: FileSource<'a>,
    labels: Vec<&'a Label>,
    related: Vec<Report<'a>>,
    severity: miette::Severity,
    /// Related reports show only their labels.
    is_related: bool,
}

impl<'a> Report<'a> {
    fn new(problem: &'a Problem<'a>, sources: &'a SourceSet, severity: miette::Severity) -> Self {
        // A diagnostic always has a primary label, and a problem is rendered only with one.
        let primary_file = problem
            .labels
            .iter()
            .find(|label| label.primary)
            .or(problem.labels.first())
            .map_or(FileId(0), |label| label.span.file);
        let mut other_files: Vec<FileId> = problem
            .labels
            .iter()
            .map(|label| label.span.file)
            .filter(|file| *file != primary_file)
            .collect();
        other_files.sort();
        other_files.dedup();
        let labels_in = |file: FileId| -> Vec<&'a Label> {
            problem
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
                    problem,
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
            problem,
            source: FileSource::new(sources, primary_file, &labels),
            labels,
            related,
            severity,
            is_related: false,
        }
    }
}

/// The lines of one file that a diagnostic's snippets show, cut out of the file: the lines of
/// its labels with one line of context each side, in groups of nearby lines (a group shows
/// every line between its labels, as miette does; labels farther apart get a snippet each).
/// Long lines are cut around the labels. Nothing else of the file is looked at, so rendering a
/// diagnostic costs the same in a 10-line file and a 10-million-line one.
///
/// Miette addresses the snippet text by offsets: the groups' texts laid end to end. A span
/// across two groups cannot be read, so miette never joins them into one snippet.
struct FileSource<'a> {
    name: String,
    text: &'a str,
    index: &'a LineIndex,
    groups: Vec<LineGroup<'a>>,
}

/// A run of consecutive lines of the file.
struct LineGroup<'a> {
    /// The line (from 0) it starts at in the file.
    first_line: usize,
    /// The byte offset in the file where it starts.
    original_start: usize,
    /// Its length in the file.
    original_len: usize,
    /// Where its text starts in the snippet text.
    snippet_start: usize,
    /// Its lines, long lines cut around the labels.
    windowed: WindowedText<'a>,
}

impl LineGroup<'_> {
    fn snippet_end(&self) -> usize {
        self.snippet_start + self.windowed.text.len()
    }
}

/// Lines between two labels' context lines shown within one snippet rather than as two.
const LINES_BRIDGED: usize = 24;

impl<'a> FileSource<'a> {
    fn new(sources: &'a SourceSet, file: FileId, labels: &[&Label]) -> Self {
        let source = sources.file(file);
        let text = source.text.as_str();
        let index = source.lines();
        let last_line = index.line_count() - 1;
        let mut ranges: Vec<(usize, usize)> = labels
            .iter()
            .map(|label| {
                let first = index.line_of(label.span.start());
                let last =
                    index.line_of(label.span.end().saturating_sub(1).max(label.span.start()));
                (first.saturating_sub(1), (last + 1).min(last_line))
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, last) in ranges {
            match merged.last_mut() {
                Some((_, end)) if first <= *end + 1 + LINES_BRIDGED => *end = (*end).max(last),
                _ => merged.push((first, last)),
            }
        }
        let mut groups = Vec::with_capacity(merged.len());
        let mut snippet_start = 0;
        for (first, last) in merged {
            let original_start = index.line_start(first, text);
            let original_end = index.line_start(last + 1, text);
            let spans: Vec<_> = labels
                .iter()
                .filter(|label| {
                    label.span.start() >= original_start && label.span.start() <= original_end
                })
                .map(|label| {
                    label.span.start() - original_start
                        ..label.span.end().min(original_end) - original_start
                })
                .collect();
            let windowed = WindowedText::new(&text[original_start..original_end], &spans);
            let group = LineGroup {
                first_line: first,
                original_start,
                original_len: original_end - original_start,
                snippet_start,
                windowed,
            };
            snippet_start = group.snippet_end();
            groups.push(group);
        }
        FileSource {
            name: source.path.display().to_string(),
            text,
            index,
            groups,
        }
    }

    /// Where a label shows in the snippet text.
    fn span_of(&self, label: &Label) -> (usize, usize) {
        let Some(group) = self.groups.iter().find(|group| {
            label.span.start() >= group.original_start
                && label.span.start() <= group.original_start + group.original_len
        }) else {
            return (0, 0);
        };
        let start = label.span.start() - group.original_start;
        let end = label
            .span
            .end()
            .min(group.original_start + group.original_len)
            - group.original_start;
        let shown = group.windowed.to_window(start..end);
        (group.snippet_start + shown.start, shown.len())
    }

    /// The group holding the snippet offset `offset`.
    fn group_at(&self, offset: usize) -> Option<&LineGroup<'a>> {
        self.groups
            .iter()
            .find(|group| offset >= group.snippet_start && offset <= group.snippet_end())
    }
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let group = self
            .group_at(span.offset())
            .ok_or(MietteError::OutOfBounds)?;
        if span.offset() + span.len() > group.snippet_end() {
            return Err(MietteError::OutOfBounds);
        }
        let text: &'b str = &group.windowed.text;
        let local = SourceSpan::new((span.offset() - group.snippet_start).into(), span.len());
        let contents = text.read_span(&local, context_lines_before, context_lines_after)?;
        // The header names the column in the file (in bytes), not in the cut line.
        let original = group.original_start
            + group
                .windowed
                .to_original(local.offset())
                .min(group.original_len);
        let column = original
            - self
                .index
                .line_start(self.index.line_of(original), self.text);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + group.snippet_start).into(),
                contents.span().len(),
            ),
            contents.line() + group.first_line,
            column,
            contents.line_count() + group.first_line,
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Report")
            .field("problem", self.problem)
            .finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_related {
            formatter.write_str("in another file")
        } else {
            formatter.write_str(self.problem.message)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem
            .code
            .filter(|_| !self.is_related)
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.is_related {
            return None;
        }
        self.problem
            .help
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
