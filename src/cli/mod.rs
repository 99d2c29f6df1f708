//! The command line: argument parsing and one file per command. Commands only orchestrate
//! library calls; data goes to stdout, diagnostics and progress to stderr.

mod compile;
mod exit_status;
mod explain;
mod output;
mod schema;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use exit_status::ExitStatus;
pub use explain::explanation;

/// Pricing-as-code for usage-based billing.
#[derive(Debug, Parser)]
#[command(name = "pricectl", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check pricing files and report every problem
    Validate(ValidateArgs),
    /// Print the canonical catalog as JSON
    Compile(CompileArgs),
    /// Print the JSON Schema of the pricing language
    Schema,
    /// Explain a diagnostic code, with an example and its fix
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// A pricing file, or a directory whose `*.toml` files form one catalog
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    /// How to report diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// A pricing file, or a directory whose `*.toml` files form one catalog
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as `pricectl::unknown_key` or `unknown_key`
    pub code: String,
}

/// How diagnostics are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// A report with source snippets, for people
    Human,
    /// One JSON document, for tools
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` are not errors; everything else is a usage error,
            // which must not exit 2 (that is `plan`'s "changes").
            let status = if error.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
            let _ = error.print();
            return status.into();
        }
    };
    run(cli).into()
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> ExitStatus {
    match cli.command {
        Command::Validate(args) => validate::validate(&args),
        Command::Compile(args) => compile::compile(&args),
        Command::Schema => schema::schema(),
        Command::Explain(args) => explain::explain(&args),
    }
}
