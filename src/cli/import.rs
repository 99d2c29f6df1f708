use std::path::Path;

use super::output::{
    open_backend, print_note, print_stderr, print_stdout, report_backend_error, report_error,
};
use super::write_file::write_atomically;
use super::{ExitStatus, ImportArgs};
use crate::dsl::write::write_pricing;
use crate::render::unmanaged_comment;
use crate::store::Access;

/// `pricectl import`: the live catalog as pricing-language TOML.
pub fn import(args: &ImportArgs) -> ExitStatus {
    let beside = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("pricing.toml").to_path_buf());
    let mut backend = match open_backend(&args.backend, &beside, Access::Read) {
        Ok(backend) => backend,
        Err(status) => return status,
    };
    let live = match backend.fetch() {
        Ok(live) => live,
        Err(error) => return report_backend_error(&error),
    };
    if live.catalog.currency.is_empty() {
        print_stderr(&format!(
            "error: the {} holds no catalog: nothing to import\n  help: pass `--state` to name the store, or write pricing and `pricectl apply` it\n",
            backend.describe()
        ));
        return ExitStatus::Failure;
    }
    // What the language cannot express is named above the pricing, never dropped silently.
    let text = format!(
        "{}{}",
        unmanaged_comment(&live.unmanaged),
        write_pricing(&live.catalog, None)
    );
    if !live.unmanaged.is_empty() {
        print_note(&format!(
            "note: the {} holds {} thing{} pricectl does not manage; listed at the top of the pricing, kept as they are\n",
            backend.describe(),
            live.unmanaged.len(),
            if live.unmanaged.len() == 1 { "" } else { "s" }
        ));
    }
    let Some(output) = &args.output else {
        print_stdout(&text);
        return ExitStatus::Success;
    };
    if output.exists() && !args.force {
        print_stderr(&format!(
            "error: `{}` already exists\n  help: choose another file with `-o`, or pass `--force` to overwrite it\n",
            output.display()
        ));
        return ExitStatus::Failure;
    }
    if let Err(error) = write_atomically(output, &text) {
        report_error(&error, None);
        return ExitStatus::Failure;
    }
    print_note(&format!("Wrote the live catalog to {}\n", output.display()));
    ExitStatus::Success
}
