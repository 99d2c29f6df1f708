//! Shared helpers: running the real binary, rendering reports as a user sees them.

use std::path::{Path, PathBuf};
use std::process::Command;

use pricectl::Compilation;
use pricectl::render::{HumanOptions, render_human, render_json};

/// The crate root; tests run with it as the working directory, so paths in reports are
/// relative and the same on every machine.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `pricectl` binary built for this test run, with a clean environment for output.
pub fn pricectl() -> Command {
    let mut command = Command::new(insta_cmd::get_cargo_bin("pricectl"));
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        // On GitHub Actions, `plan` and `diff` would append to the job's real summary.
        .env_remove("GITHUB_STEP_SUMMARY");
    command
}

/// The human report exactly as `validate` prints it when not on a terminal.
pub fn human_report(compilation: &Compilation) -> String {
    let options = HumanOptions {
        color: false,
        width: 100,
        deny_warnings: false,
    };
    render_human(&compilation.diagnostics, &compilation.sources, options)
}

/// The `--format json` report.
pub fn json_report(compilation: &Compilation) -> String {
    render_json(
        &compilation.diagnostics,
        &compilation.sources,
        compilation.error_count(),
        compilation.warning_count(),
    )
}

/// Every pricing example directory.
pub fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("pricing-examples"))
        .expect("pricing-examples exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    paths.sort();
    paths
}

/// A path relative to the crate root, as tests pass it to the compiler.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// The codes a compilation reported, sorted and de-duplicated.
pub fn codes(compilation: &Compilation) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = compilation
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.name())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
