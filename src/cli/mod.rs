//! The command line: argument parsing and one file per command. Commands only orchestrate
//! library calls; data goes to stdout, diagnostics and progress to stderr.

mod apply;
mod apply_progress;
mod compile;
mod completions;
mod diff;
mod exit_status;
mod explain;
mod fmt;
mod impact;
mod import;
mod init;
mod ledger;
mod man;
mod output;
mod plan;
mod schema;
#[cfg(feature = "serve")]
mod serve;
mod test;
mod validate;
mod write_file;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::backend::ApplyMode;
use crate::ledger::{
    CheckRequest, CreateEntityRequest, GrantRequest, Operation, Overage, TrackRequest,
};

pub use exit_status::ExitStatus;
pub use explain::explanation;
pub use init::WORKFLOW_SETTINGS;

/// Pricing-as-code for usage-based billing.
#[derive(Debug, Parser)]
#[command(name = "pricectl", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Leave out notes and progress on stderr (errors and stdout are never left out)
    #[arg(short, long, global = true)]
    pub quiet: bool,
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
    /// Show what changes between two versions of the pricing (files, directories, `git:REV`)
    Diff(DiffArgs),
    /// Make the live catalog match the pricing, or apply a saved plan
    Apply(ApplyArgs),
    /// Write pricing-language TOML from the live catalog
    Import(ImportArgs),
    /// Lay out pricing files canonically, keeping comments and order
    Fmt(FmtArgs),
    /// Start a pricing project: pricing, its schema, a scenario and a CI workflow
    Init(InitArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the manual page (roff), of pricectl or of one command
    Man(ManArgs),
    /// Create or show a customer of the local store
    Customer(CustomerArgs),
    /// Create, show or delete an entity of a customer (a seat, a workspace)
    Entity(EntityArgs),
    /// Subscribe a customer to a plan, or buy an add-on, and charge for it
    Attach(AttachArgs),
    /// Change the prepaid quantity a customer holds of a plan's items, mid-term, and charge or
    /// credit the change
    SetQuantity(AttachArgs),
    /// Record usage of a metered feature
    Track(TrackArgs),
    /// Ask whether a customer may use a feature now
    Check(CheckArgs),
    /// Gift a customer units of a feature or credits of a credit system
    Grant(GrantArgs),
    /// Show a customer's balances
    Balance(CustomerSelector),
    /// Show a customer's ledger entries
    History(CustomerSelector),
    /// Run the pricing's scenarios against a fresh in-memory store
    Test(TestArgs),
    /// Price recorded usage under two versions of the pricing and compare the revenue
    Impact(ImpactArgs),
    /// Serve the local store over Autumn's HTTP API, for Autumn's CLI and SDK
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

/// `pricectl serve`.
#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen (only there: the default is loopback)
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// The local store (default: `.pricectl/local.db` beside ./pricing.toml)
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// A secret key clients may use (`Authorization: Bearer KEY`); repeatable, or
    /// comma-separated in `PRICECTL_SERVE_KEYS`. With none, one is generated and printed once
    #[arg(
        long = "api-key",
        value_name = "KEY",
        env = "PRICECTL_SERVE_KEYS",
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,
}

/// Where the live catalog is.
#[derive(Debug, clap::Args)]
pub struct BackendArgs {
    /// The billing system to compare with and change (default: `[backend]` of `pricectl.toml`
    /// beside the pricing, else `local`)
    #[arg(long, value_enum)]
    pub backend: Option<BackendKind>,
    /// The local store (default: `.pricectl/local.db` beside the pricing)
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Autumn's API, for `--backend autumn` (https, or http to this machine only); the
    /// secret key is read from `AUTUMN_SECRET_KEY`
    #[arg(long, value_name = "URL", env = "AUTUMN_API_URL")]
    pub api_url: Option<String>,
}

/// The billing systems pricectl can reconcile with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// The embedded `SQLite` store
    Local,
    /// An Autumn organization, through Autumn's API (`--api-url`, key in `AUTUMN_SECRET_KEY`)
    Autumn,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// A pricing file, or a directory whose `*.toml` files form one catalog
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Save the plan, for `pricectl apply FILE` (writes over a saved plan, anything else only
    /// with --force)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Let --out write over a file that is not a saved plan
    #[arg(long, requires = "out")]
    pub force: bool,
    /// How to show the plan
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there are no changes, 2 when there are (naming each on stderr: a drift
    /// check), 1 on error, 3 when the billing system could not be used
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub usage: UsageArgs,
}

/// Recorded usage to price under both pricings (docs/impact.md).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct UsageArgs {
    /// Also show the revenue impact of the change on this usage (JSON Lines or CSV)
    #[arg(long, value_name = "FILE", group = "usage_source")]
    pub usage: Option<PathBuf>,
    /// Also show the revenue impact on the usage the local ledger recorded (its customers'
    /// subscriptions and tracked events)
    #[arg(long, group = "usage_source")]
    pub from_ledger: bool,
    /// Count charges from this time (default: the first record's)
    #[arg(long, value_name = "TIME", value_parser = parse_instant, requires = "usage_source")]
    pub since: Option<crate::ledger::Instant>,
    /// Count charges up to this time (default: the last record's)
    #[arg(long, value_name = "TIME", value_parser = parse_instant, requires = "usage_source")]
    pub until: Option<crate::ledger::Instant>,
    /// Price customers on the new version of their plan, as if moved to it (by default a
    /// customer stays on its version where the change makes a new one: grandfathered)
    #[arg(long, requires = "usage_source")]
    pub move_customers: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// The pricing before: a file, a directory, or `git:REV[:PATH]`
    #[arg(value_name = "OLD")]
    pub old: crate::dsl::revision::PricingSource,
    /// The pricing after: a file, a directory, or `git:REV[:PATH]`
    #[arg(value_name = "NEW")]
    pub new: crate::dsl::revision::PricingSource,
    #[command(flatten)]
    pub usage: UsageArgs,
    /// The local store --from-ledger reads (default: `.pricectl/local.db` beside ./pricing.toml)
    #[arg(long, value_name = "PATH", requires = "from_ledger")]
    pub state: Option<PathBuf>,
    /// How to show the report
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,
}

/// How a revenue impact is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    Text,
    Json,
    /// A pull-request comment section
    Markdown,
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
    /// GitHub Actions annotations on the pricing, then the text view
    Github,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The pricing before: a file, a directory, or `git:REV[:PATH]` (PATH defaults to
    /// `pricing.toml`)
    #[arg(value_name = "OLD")]
    pub old: crate::dsl::revision::PricingSource,
    /// The pricing after: a file, a directory, or `git:REV[:PATH]`
    #[arg(value_name = "NEW")]
    pub new: crate::dsl::revision::PricingSource,
    /// How to show the plan
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub usage: UsageArgs,
    /// The local store --from-ledger reads (default: `.pricectl/local.db` beside ./pricing.toml)
    #[arg(long, value_name = "PATH", requires = "from_ledger")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command, for its own page (`pricectl-plan(1)`); none for `pricectl(1)`
    pub command: Option<String>,
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
    /// Apply even where the billing system's own preview (Autumn's) disagrees with the plan
    #[arg(long)]
    pub override_preview: bool,
    /// How Autumn gets the changes: `bulk` sends runs of creates and updates in one
    /// `catalog.update` each (deletes and archives alone); `per-object` sends every change
    /// through its own endpoint
    #[arg(long, value_name = "MODE", default_value = "bulk", value_parser = parse_apply_mode)]
    pub apply_mode: ApplyMode,
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
pub struct FmtArgs {
    /// A pricing file, or a directory: every `*.toml` file in it, scenario files included
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    /// Write nothing; list the files that would change and exit 1 if any would
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The pricing to start from
    #[arg(long, value_enum, default_value_t = Template::OpenaiCredits)]
    pub template: Template,
    /// Where to write the files (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// The starting points of `pricectl init`, each a bundled example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// Token features drawing on one prepaid credit balance (OpenAI-style)
    OpenaiCredits,
    /// Free and Pro plans with monthly credits, seats and SSO
    SaasSeatsCredits,
    /// A usage-billed API with graduated per-request tiers
    ApiTiered,
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

/// Where the ledger is, and when an operation happens.
#[derive(Debug, Clone, clap::Args)]
pub struct LedgerArgs {
    /// The local store (default: `.pricectl/local.db` beside ./pricing.toml)
    #[arg(long, value_name = "PATH", global = true)]
    pub state: Option<PathBuf>,
    /// When the operation happens (RFC 3339, UTC by default: `2026-01-31T12:00:00Z`); default now
    #[arg(long, value_name = "TIMESTAMP", global = true)]
    pub at: Option<String>,
    /// How to print the result
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, global = true)]
    pub format: OutputFormat,
}

/// Text for people, JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CustomerArgs {
    #[command(subcommand)]
    pub action: CustomerAction,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Subcommand)]
pub enum CustomerAction {
    /// Create a customer
    Create {
        /// The customer's id
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// Show a customer's plans and balances
    Show {
        /// The customer's id
        id: String,
    },
    /// Turn the auto top-up of a customer's balance on or off for that customer, or back to
    /// the plan's default (`enabled`)
    Set {
        /// The customer's id
        id: String,
        /// A balance with an auto top-up in the customer's plans, and `on`, `off` or `plan`
        #[arg(long = "auto-top-up", value_name = "FEATURE=on|off|plan", value_parser = parse_top_up_switch, required = true)]
        auto_top_up: Vec<(String, crate::ledger::TopUpSwitch)>,
    },
}

#[derive(Debug, clap::Args)]
pub struct EntityArgs {
    #[command(subcommand)]
    pub action: EntityAction,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Subcommand)]
pub enum EntityAction {
    /// Create an entity: one unit of an allocated feature in use, holding its own balance of
    /// every item held per entity of that feature
    Create {
        /// The entity's id
        id: String,
        #[arg(long)]
        customer: String,
        /// The allocated feature the entity is one unit of (seats, workspaces)
        #[arg(long)]
        feature: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Show an entity and the balances it may use
    Show {
        /// The entity's id
        id: String,
        #[arg(long)]
        customer: String,
    },
    /// Delete an entity: its unit is released and its own balances end
    Delete {
        /// The entity's id
        id: String,
        #[arg(long)]
        customer: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AttachArgs {
    #[arg(long)]
    pub customer: String,
    #[arg(long)]
    pub plan: String,
    /// A prepaid quantity on top of what the plan includes: `credits=500` (repeatable); for
    /// `set-quantity`, the new quantity
    #[arg(long = "quantity", value_name = "FEATURE=N", value_parser = parse_quantity)]
    pub quantities: Vec<(String, rust_decimal::Decimal)>,
    /// The same key applies the request once, however often it is sent
    #[arg(long)]
    pub idempotency_key: Option<String>,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, clap::Args)]
pub struct TrackArgs {
    #[arg(long)]
    pub customer: String,
    #[arg(long)]
    pub feature: String,
    /// Units used (`1_000`, `1e3`); for an allocated feature such as seats, a negative value
    /// releases units
    #[arg(long, value_parser = parse_decimal, default_value = "1", allow_negative_numbers = true)]
    pub value: rust_decimal::Decimal,
    /// The same key records the usage once, however often it is sent
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// The entity (seat, workspace) the usage is for, for a balance held per entity
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub customer: String,
    #[arg(long)]
    pub feature: String,
    /// Units the customer wants to use (default 1)
    #[arg(long, value_parser = parse_decimal)]
    pub required: Option<rust_decimal::Decimal>,
    /// The entity (seat, workspace) asking, for a balance held per entity; without it such a
    /// balance is the sum over the customer's entities
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    #[arg(long)]
    pub customer: String,
    /// The feature or credit system
    #[arg(long)]
    pub feature: String,
    #[arg(long, value_parser = parse_decimal)]
    pub amount: rust_decimal::Decimal,
    /// When the gift expires (RFC 3339); default never
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_instant)]
    pub expires: Option<crate::ledger::Instant>,
    /// Why (kept in the ledger)
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, clap::Args)]
pub struct CustomerSelector {
    #[arg(long)]
    pub customer: String,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// A pricing file or directory (scenarios are `*.scenario.toml` beside it and
    /// `scenarios/*.toml`), or one scenario file, run against the pricing beside it
    #[arg(default_value = "pricing.toml")]
    pub path: PathBuf,
    /// How to report
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// An exact decimal from the command line (`_` separators allowed).
/// A decimal as the pricing language writes one (`1_000`, `0.5`, `1e3`), read exactly.
fn parse_decimal(text: &str) -> Result<rust_decimal::Decimal, String> {
    text.parse::<crate::dsl::DecimalLiteral>()
        .map(|literal| literal.0)
        .map_err(|problem| problem.to_string())
}

/// A date or an RFC 3339 date-time.
fn parse_apply_mode(text: &str) -> Result<ApplyMode, String> {
    text.parse()
        .map_err(|error: crate::backend::UnknownApplyMode| error.to_string())
}

fn parse_instant(text: &str) -> Result<crate::ledger::Instant, String> {
    crate::ledger::Instant::parse(text).map_err(|error| error.to_string())
}

/// `FEATURE=N`.
fn parse_top_up_switch(text: &str) -> Result<(String, crate::ledger::TopUpSwitch), String> {
    let (feature, word) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not `FEATURE=on`, `FEATURE=off` or `FEATURE=plan`"))?;
    let switch = crate::ledger::TopUpSwitch::parse(word)
        .ok_or_else(|| format!("`{word}` is not `on`, `off` or `plan` (the plan's default)"))?;
    Ok((feature.to_string(), switch))
}

fn parse_quantity(text: &str) -> Result<(String, rust_decimal::Decimal), String> {
    let (feature, quantity) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not `FEATURE=N`"))?;
    Ok((feature.to_string(), parse_decimal(quantity)?))
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
    output::set_quiet(cli.quiet);
    match cli.command {
        Command::Validate(args) => validate::validate(&args),
        Command::Compile(args) => compile::compile(&args),
        Command::Schema => schema::schema(),
        Command::Explain(args) => explain::explain(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Apply(args) => apply::apply(&args),
        Command::Import(args) => import::import(&args),
        Command::Fmt(args) => fmt::fmt(&args),
        Command::Init(args) => init::init(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => man::man(&args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::serve(&args),
        Command::Customer(args) => ledger::ledger(
            &args.ledger,
            &match args.action {
                CustomerAction::Create { id, name, email } => Operation::CreateCustomer {
                    customer_id: id,
                    name,
                    email,
                },
                CustomerAction::Show { id } => Operation::GetCustomer { customer_id: id },
                CustomerAction::Set { id, auto_top_up } => {
                    Operation::SetAutoTopUp(crate::ledger::SetAutoTopUpRequest {
                        customer_id: id,
                        switches: auto_top_up.into_iter().collect(),
                    })
                }
            },
        ),
        Command::Entity(args) => ledger::ledger(
            &args.ledger,
            &match args.action {
                EntityAction::Create {
                    id,
                    customer,
                    feature,
                    name,
                } => Operation::CreateEntity(CreateEntityRequest {
                    customer_id: customer,
                    entity_id: id,
                    feature_id: feature,
                    name,
                }),
                EntityAction::Show { id, customer } => Operation::GetEntity {
                    customer_id: customer,
                    entity_id: id,
                },
                EntityAction::Delete { id, customer } => Operation::DeleteEntity {
                    customer_id: customer,
                    entity_id: id,
                },
            },
        ),
        Command::Attach(args) => ledger::attach(&args),
        Command::SetQuantity(args) => ledger::set_quantity(&args),
        Command::Track(args) => ledger::ledger(
            &args.ledger,
            &Operation::Track(TrackRequest {
                customer_id: args.customer,
                feature_id: args.feature,
                value: args.value,
                idempotency_key: args.idempotency_key,
                overage: Overage::Overflow,
                entity_id: args.entity,
            }),
        ),
        Command::Check(args) => ledger::ledger(
            &args.ledger,
            &Operation::Check(CheckRequest {
                customer_id: args.customer,
                feature_id: args.feature,
                required: args.required,
                entity_id: args.entity,
            }),
        ),
        Command::Grant(args) => ledger::ledger(
            &args.ledger,
            &Operation::Grant(GrantRequest {
                customer_id: args.customer,
                feature_id: args.feature,
                amount: args.amount,
                expires_at: args.expires.map(|instant| instant.0),
                reason: args.reason,
            }),
        ),
        Command::Balance(args) => ledger::ledger(
            &args.ledger,
            &Operation::Balance {
                customer_id: args.customer,
            },
        ),
        Command::History(args) => ledger::ledger(
            &args.ledger,
            &Operation::History {
                customer_id: args.customer,
            },
        ),
        Command::Test(args) => test::test(&args),
        Command::Impact(args) => impact::impact(&args),
    }
}
