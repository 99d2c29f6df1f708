use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::output::{print_note, print_stderr, report_error};
use super::{ExitStatus, InitArgs, Template};
use crate::dsl::schema::pricing_schema_text;

/// The directive the bundled examples start with; `init` points it at the schema it writes.
const EXAMPLE_DIRECTIVE: &str = "#:schema ../../schemas/pricing.v1.schema.json";
const DIRECTIVE: &str = "#:schema ./pricing.schema.json";

/// The CI workflow, the same file docs/ci.md shows.
const WORKFLOW: &str = include_str!("../../docs/ci/pricing.yml");

/// What a repository sets once for the workflow, as the next steps list it: (kind, name,
/// value). The workflow reads exactly these (`secrets.NAME`, `vars.NAME`), and nothing in it
/// needs editing.
pub const WORKFLOW_SETTINGS: [(&str, &str, &str); 3] = [
    (
        "secret",
        "AUTUMN_SANDBOX_KEY",
        "Autumn's sandbox secret key (am_sk_test_…)",
    ),
    (
        "secret",
        "AUTUMN_LIVE_KEY",
        "Autumn's live secret key (am_sk_live_…)",
    ),
    (
        "variable",
        "PRICECTL_GIT",
        "the git repository pricectl is built from",
    ),
];

/// The bundled example and scenario of a template.
fn template_files(template: Template) -> (&'static str, &'static str) {
    match template {
        Template::OpenaiCredits => (
            include_str!("../../pricing-examples/openai-credits/pricing.toml"),
            include_str!("../../pricing-examples/openai-credits/pricing.scenario.toml"),
        ),
        Template::SaasSeatsCredits => (
            include_str!("../../pricing-examples/saas-seats-credits/pricing.toml"),
            include_str!("../../pricing-examples/saas-seats-credits/pricing.scenario.toml"),
        ),
        Template::ApiTiered => (
            include_str!("../../pricing-examples/api-tiered/pricing.toml"),
            include_str!("../../pricing-examples/api-tiered/pricing.scenario.toml"),
        ),
    }
}

/// The files `init` writes, by path relative to the directory, with their text.
pub fn project_files(template: Template) -> Vec<(&'static str, String)> {
    let (pricing, scenario) = template_files(template);
    let pricing = match pricing.strip_prefix(EXAMPLE_DIRECTIVE) {
        Some(rest) => format!("{DIRECTIVE}{rest}"),
        None => pricing.to_string(),
    };
    vec![
        ("pricing.toml", pricing),
        ("pricing.schema.json", pricing_schema_text()),
        ("pricing.scenario.toml", scenario.to_string()),
        (".github/workflows/pricing.yml", WORKFLOW.to_string()),
    ]
}

/// `pricectl init`: a pricing project from a template, never over an existing file.
pub fn init(args: &InitArgs) -> ExitStatus {
    let files = project_files(args.template);
    let existing: Vec<&str> = files
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| args.dir.join(name).symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        let mut message = String::from("error: these files exist already; nothing was written\n");
        for name in &existing {
            let _ = writeln!(message, "  {}", shown(&args.dir, name));
        }
        message.push_str(
            "  help: run `pricectl init` in an empty directory, or pass one: `pricectl init DIR`\n",
        );
        print_stderr(&message);
        return ExitStatus::Failure;
    }
    for (name, text) in &files {
        let path = args.dir.join(name);
        if let Err(error) = create(&path, text) {
            report_error(
                &InitError {
                    path: path.clone(),
                    source: error,
                },
                None,
            );
            return ExitStatus::Failure;
        }
    }
    print_note(&next_steps(&args.dir, args.template));
    ExitStatus::Success
}

#[derive(Debug, thiserror::Error)]
#[error("could not write `{}`", path.display())]
struct InitError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Writes a new file, creating its directory; fails rather than replace a file.
fn create(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(directory) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(directory)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// A file of the project as the user should see it: `pricing.toml`, or `DIR/pricing.toml`.
fn shown(dir: &Path, name: &str) -> String {
    if dir == Path::new(".") {
        name.to_string()
    } else {
        dir.join(name).display().to_string()
    }
}

fn next_steps(dir: &Path, template: Template) -> String {
    let here = dir == Path::new(".");
    let name = match template {
        Template::OpenaiCredits => "openai-credits",
        Template::SaasSeatsCredits => "saas-seats-credits",
        Template::ApiTiered => "api-tiered",
    };
    let mut text = format!(
        "Created a pricing project from the `{name}` template{}:\n",
        if here {
            String::new()
        } else {
            format!(" in {}", dir.display())
        }
    );
    for (file, what) in [
        (
            "pricing.toml",
            "the pricing; your editor checks it against the schema",
        ),
        (
            "pricing.schema.json",
            "the JSON Schema of the language, for Taplo and Tombi",
        ),
        (
            "pricing.scenario.toml",
            "a scenario: what a customer is charged and granted",
        ),
        (
            ".github/workflows/pricing.yml",
            "review on pull requests, apply from main, daily drift check",
        ),
    ] {
        let _ = writeln!(text, "  {file:<31} {what}");
    }
    let pricing = shown(dir, "pricing.toml");
    text.push_str("\nNext steps:\n");
    let _ = writeln!(text, "  pricectl validate {pricing}   check the pricing");
    let _ = writeln!(text, "  pricectl test {pricing}       run its scenarios");
    let _ = writeln!(
        text,
        "  pricectl plan {pricing}       see what applying it would create"
    );
    text.push_str(
        "\nThe workflow plans pull requests against Autumn's sandbox, applies main to the sandbox\nthen live, and checks live for drift daily. Set in the GitHub repository (Settings →\nSecrets and variables → Actions):\n",
    );
    for (kind, name, value) in WORKFLOW_SETTINGS {
        let _ = writeln!(text, "  {kind:<8} {name:<18}  {value}");
    }
    if !here {
        text.push_str(
            "\nGitHub reads workflows from `.github/workflows/` at the root of the repository: move\nthe workflow there and set its `PRICING` to the pricing's path.\n",
        );
    }
    text
}
