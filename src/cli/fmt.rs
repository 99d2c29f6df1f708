use std::path::{Path, PathBuf};

use super::output::{
    print_note, print_stderr, print_stdout, report_diagnostics, report_error, report_load_error,
};
use super::write_file::write_atomically;
use super::{ExitStatus, FmtArgs};
use crate::compile::compile;
use crate::dsl::format::{FormatError, format_pricing};
use crate::dsl::{LoadError, SourceSet, read_text, toml_files};

/// `pricectl fmt`: the canonical layout of pricing files, written in place (or, with
/// `--check`, only reported). A file that is not TOML is reported and left as it is.
pub fn fmt(args: &FmtArgs) -> ExitStatus {
    let files = match files(&args.path) {
        Ok(files) => files,
        Err(error) => {
            report_load_error(&error);
            return ExitStatus::Failure;
        }
    };
    let mut changed = 0;
    let mut unchanged = 0;
    let mut failed = 0;
    for path in files {
        let text = match read_text(&path) {
            Ok(text) => text,
            Err(error) => {
                report_load_error(&error);
                failed += 1;
                continue;
            }
        };
        let formatted = match format_pricing(&text) {
            Ok(formatted) => formatted,
            Err(error) => {
                report_format_error(&path, text, &error);
                failed += 1;
                continue;
            }
        };
        if formatted == text {
            unchanged += 1;
            continue;
        }
        if args.check {
            print_stdout(&unified_diff(&path, &text, &formatted));
            print_stderr(&format!("would reformat {}\n", path.display()));
        } else if let Err(error) = write_atomically(&path, &formatted) {
            report_error(&error, None);
            failed += 1;
            continue;
        } else {
            print_note(&format!("reformatted {}\n", path.display()));
        }
        changed += 1;
    }
    print_note(&summary(args.check, changed, unchanged, failed));
    if failed > 0 || (args.check && changed > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// What `fmt` would change in `path`, as a unified diff (as `rustfmt --check` and `terraform
/// fmt -diff` print it): `--- path` the file now, `+++ path` formatted.
fn unified_diff(path: &Path, text: &str, formatted: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(text, formatted)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// The file, or every `*.toml` file directly inside the directory (scenario files too).
fn files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    toml_files(path, true)
}

/// A file that is not TOML gets the compiler's syntax diagnostic, as `validate` shows it.
fn report_format_error(path: &Path, text: String, error: &FormatError) {
    if let FormatError::Syntax(syntax) = error {
        let mut sources = SourceSet::default();
        sources.add(path.to_path_buf(), text);
        let compilation = compile(sources);
        if compilation.error_count() > 0 {
            report_diagnostics(&compilation, false);
        } else {
            // The compiler's reader accepted what the formatter's did not: say what it saw.
            report_error(error, Some(&syntax.to_string()));
        }
        print_stderr(&format!(
            "{}: not formatted, fix the TOML first\n",
            path.display()
        ));
    } else {
        report_error(error, None);
        print_stderr(&format!("{}: not formatted\n", path.display()));
    }
}

/// "1 file reformatted, 2 files already formatted".
fn summary(check: bool, changed: usize, unchanged: usize, failed: usize) -> String {
    let files = |count: usize| format!("{count} file{}", if count == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if changed > 0 || (unchanged == 0 && failed == 0) {
        let verb = if check {
            "would be reformatted"
        } else {
            "reformatted"
        };
        parts.push(format!("{} {verb}", files(changed)));
    }
    if unchanged > 0 {
        parts.push(format!("{} already formatted", files(unchanged)));
    }
    if failed > 0 {
        parts.push(format!("{} could not be formatted", files(failed)));
    }
    format!("{}\n", parts.join(", "))
}
