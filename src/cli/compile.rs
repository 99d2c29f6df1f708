use super::output::{
    count_summary, display_path, print_stderr, print_stdout, report_diagnostics, report_load_error,
};
use super::{CompileArgs, ExitStatus};
use crate::compile::compile_path;

/// `pricectl compile`: the canonical catalog as JSON on stdout.
pub fn compile(args: &CompileArgs) -> ExitStatus {
    let compilation = match compile_path(&args.path) {
        Ok(compilation) => compilation,
        Err(error) => {
            report_load_error(&error);
            return ExitStatus::Failure;
        }
    };
    report_diagnostics(&compilation, false);
    let Some(catalog) = &compilation.catalog else {
        print_stderr(&format!(
            "{}: invalid ({}); no catalog written\n",
            display_path(&args.path),
            count_summary(compilation.error_count(), compilation.warning_count())
        ));
        return ExitStatus::Failure;
    };
    print_stdout(&catalog.to_canonical_json());
    ExitStatus::Success
}
