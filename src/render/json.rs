use serde::Serialize;

use super::location::Location;
use crate::diagnostics::Diagnostic;
use crate::dsl::SourceSet;

/// The `--format json` report of `validate`: one document, stable for tools.
#[derive(Debug, Serialize)]
pub struct DiagnosticsReport<'a> {
    pub valid: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct DiagnosticJson<'a> {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    /// The file of the primary label.
    pub file: String,
    pub labels: Vec<LabelJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct LabelJson<'a> {
    pub file: String,
    pub message: &'a str,
    pub primary: bool,
    /// Byte offset of the span's start in the file.
    pub offset: usize,
    /// Length of the span in bytes.
    pub length: usize,
    pub start: Location,
    /// The span's last character (equal to `start` for an empty span).
    pub end: Location,
}

/// The JSON values of diagnostics, for embedding in other documents.
pub fn diagnostics_json<'a>(
    diagnostics: &'a [Diagnostic],
    sources: &SourceSet,
) -> Vec<DiagnosticJson<'a>> {
    diagnostics
        .iter()
        .map(|diagnostic| DiagnosticJson {
            code: diagnostic.code.name(),
            severity: diagnostic.severity().as_str(),
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            file: sources
                .file(diagnostic.primary().span.file)
                .path
                .display()
                .to_string(),
            labels: diagnostic
                .labels
                .iter()
                .map(|label| {
                    let source = sources.file(label.span.file);
                    LabelJson {
                        file: source.path.display().to_string(),
                        message: &label.message,
                        primary: label.primary,
                        offset: label.span.start(),
                        length: label.span.len(),
                        start: Location::in_file(source, label.span.start()),
                        end: Location::last_in_file(source, label.span.start(), label.span.end()),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The whole `--format json` report, as text ending in a newline.
pub fn render_json(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    error_count: usize,
    warning_count: usize,
) -> String {
    let report = DiagnosticsReport {
        valid: error_count == 0,
        error_count,
        warning_count,
        diagnostics: diagnostics_json(diagnostics, sources),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("a report always serializes");
    text.push('\n');
    text
}
