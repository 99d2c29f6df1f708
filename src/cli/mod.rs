//! The command line: argument parsing and one file per command. Commands only orchestrate
//! library calls; data goes to stdout, diagnostics and progress to stderr.

mod apply;
mod compile;
mod exit_status;
mod explain;
mod import;
mod output;
mod plan;
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
    /// Show what would change in the live catalog to match the pricing
    Plan(PlanArgs),
    /// Make the live catalog match the pricing, or apply a saved plan
    Apply(ApplyArgs),
    /// Write pricing-language TOML from the live catalog
    Import(ImportArgs),
}

/// Where the live catalog is.
#[derive(Debug, clap::Args)]
pub struct BackendArgs {
    /// The billing system to compare with and change
    #[arg(long, value_enum, default_value_t = BackendKind::Local)]
    pub backend: BackendKind,
    /// The local store (default: `.pricectl/local.db` beside the pricing)
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
}

/// The billing systems pricectl can reconcile with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// The embedded `SQLite` store
    Local,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// A pricing file, or a directory whose `*.toml` files form one catalog
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Save the plan, for `pricectl apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How to show the plan
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// How a plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Terraform-like text
    Text,
    /// The plan document (docs/plan-format.md)
    Json,
    /// A pull-request comment
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// A pricing file or directory, or a plan saved by `pricectl plan --out`
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Apply without asking for confirmation
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow deletes and archives
    #[arg(long)]
    pub allow_destroy: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Write to this file instead of stdout (refuses to overwrite without --force)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the output file
    #[arg(long)]
    pub force: bool,
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
        Command::Plan(args) => plan::plan(&args),
        Command::Apply(args) => apply::apply(&args),
        Command::Import(args) => import::import(&args),
    }
}
