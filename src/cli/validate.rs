use super::output::{
    count_summary, display_path, print_note, print_stderr, print_stdout, report_diagnostics,
    report_load_error,
};
use super::{DiagnosticFormat, ExitStatus, ValidateArgs};
use crate::compile::compile_path;
use crate::render::{render_github, render_json};

/// `pricectl validate`: every diagnostic of a catalog; exit 1 when there are errors.
pub fn validate(args: &ValidateArgs) -> ExitStatus {
    let compilation = match compile_path(&args.path) {
        Ok(compilation) => compilation,
        Err(error) => {
            report_load_error(&error);
            return ExitStatus::Failure;
        }
    };
    let warnings = compilation.warning_count();
    let mut errors = compilation.error_count();
    if args.deny_warnings {
        errors += warnings;
    }
    let warnings = if args.deny_warnings { 0 } else { warnings };
    match args.format {
        DiagnosticFormat::Human => {
            report_diagnostics(&compilation, args.deny_warnings);
            let path = display_path(&args.path);
            if errors == 0 {
                print_note(&format!(
                    "{path}: valid ({})\n",
                    count_summary(errors, warnings)
                ));
            } else {
                print_stderr(&format!(
                    "{path}: invalid ({})\n",
                    count_summary(errors, warnings)
                ));
            }
        }
        DiagnosticFormat::Json => print_stdout(&render_json(
            &compilation.diagnostics,
            &compilation.sources,
            errors,
            warnings,
        )),
        DiagnosticFormat::Github => print_stdout(&render_github(
            &compilation.diagnostics,
            &compilation.sources,
            args.deny_warnings,
        )),
    }
    if errors == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}
