use std::fmt::Write as _;

use super::human::{SHOWN_DIAGNOSTICS, not_shown};
use super::location::Location;
use crate::diagnostics::{Diagnostic, Severity};
use crate::dsl::SourceSet;

/// GitHub Actions workflow commands, one line per diagnostic:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`.
pub fn render_github(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    deny_warnings: bool,
) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(SHOWN_DIAGNOSTICS) {
        let label = diagnostic.primary();
        let source = sources.file(label.span.file);
        let start = Location::in_file(source, label.span.start());
        let end = Location::last_in_file(source, label.span.start(), label.span.end());
        let command = match diagnostic.severity() {
            Severity::Warning if !deny_warnings => "warning",
            _ => "error",
        };
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&source.path.display().to_string()),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(diagnostic.code.name()),
            escape_data(&message),
        );
    }
    let rest = not_shown(diagnostics, deny_warnings);
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "::warning title=pricectl::{}",
            escape_data(rest.trim_end())
        );
    }
    out
}

/// Escapes a command's message: `%`, CR and LF.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value: as data, plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn escapes_as_github_does() {
        assert_eq!(escape_data("50% off\r\nnow"), "50%25 off%0D%0Anow");
        assert_eq!(escape_property("pricectl::a,b"), "pricectl%3A%3Aa%2Cb");
        assert_eq!(escape_property("100%"), "100%25");
    }
}
