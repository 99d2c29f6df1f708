//! Writes one large, valid pricing file for benchmarks (docs/performance.md).
//!
//! ```text
//! generate OUTPUT [SCALE] [--schema PATH]
//! ```
//!
//! At SCALE 1.0 (the default) the catalog has 5,000 metered features, 50 credit systems of 100
//! costs each, and 2,000 plans of 10 items each. SCALE multiplies the number of credit systems
//! (so the number of features, 100 per credit system) and of plans: 0.5 is half, 2.0 double.
//!
//! The first line is `#:schema <path>`, the path of the JSON Schema relative to OUTPUT's folder
//! (as in `pricing-examples/`), so editors and `taplo check` find it. The schema defaults to
//! the repository's committed `schemas/pricing.v1.schema.json`; `--schema` names another file
//! (bench/run.sh passes a freshly generated one when the committed one is missing).
//!
//! The output is deterministic (no randomness) and must validate with no errors and no
//! warnings: every feature is drawn from by exactly one credit system, no plan prices a
//! feature directly while granting a credit system that draws from it, prepaid purchases start
//! at USD 0.50 or more, and prepaid amounts are whole cents.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

const BASE_CREDIT_SYSTEMS: f64 = 50.0;
const COSTS_PER_CREDIT_SYSTEM: usize = 100;
const BASE_PLANS: f64 = 2_000.0;
const ITEMS_PER_PLAN: usize = 10;
/// Four token features per model, so 25 models per credit system.
const TOKEN_KINDS: [(&str, &str); 4] = [
    ("input", "input"),
    ("output", "output"),
    ("cache-write", "cache write"),
    ("cache-read", "cache read"),
];

struct Args {
    output: PathBuf,
    scale: f64,
    schema: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: generate OUTPUT [SCALE] [--schema PATH]";
    let mut positional = Vec::new();
    let mut schema = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--schema" => schema = Some(PathBuf::from(args.next().ok_or(usage)?)),
            "-h" | "--help" => return Err(usage.into()),
            _ => positional.push(arg),
        }
    }
    let output = PathBuf::from(positional.first().ok_or(usage)?);
    let scale = match positional.get(1) {
        Some(text) => text
            .parse::<f64>()
            .ok()
            .filter(|scale| *scale > 0.0)
            .ok_or_else(|| format!("SCALE must be a positive number, found `{text}`"))?,
        None => 1.0,
    };
    if positional.len() > 2 {
        return Err(usage.into());
    }
    let schema = schema.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/pricing.v1.schema.json")
    });
    Ok(Args {
        output,
        scale,
        schema,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let systems = ((BASE_CREDIT_SYSTEMS * args.scale).round() as usize).max(2);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let plans = ((BASE_PLANS * args.scale).round() as usize).max(1);
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(error) = std::fs::create_dir_all(parent)
    {
        eprintln!("cannot create {}: {error}", parent.display());
        return ExitCode::FAILURE;
    }
    let directive = schema_directive(&args.output, &args.schema);
    let text = catalog(&directive, systems, plans);
    if let Err(error) = std::fs::write(&args.output, &text) {
        eprintln!("cannot write {}: {error}", args.output.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {} ({} bytes, {} lines): {} features, {} credit systems x {} costs, {} plans x {} items; #:schema {}",
        args.output.display(),
        text.len(),
        text.lines().count(),
        systems * COSTS_PER_CREDIT_SYSTEM,
        systems,
        COSTS_PER_CREDIT_SYSTEM,
        plans,
        ITEMS_PER_PLAN,
        directive,
    );
    ExitCode::SUCCESS
}

/// The schema path as the `#:schema` line gives it: relative to the output file's folder when
/// both can be resolved, else absolute.
fn schema_directive(output: &Path, schema: &Path) -> String {
    let output_dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let absolute_schema = absolute(schema);
    let relative = std::fs::canonicalize(output_dir)
        .ok()
        .and_then(|dir| relative_path(&dir, &absolute_schema));
    relative
        .unwrap_or(absolute_schema)
        .to_string_lossy()
        .into_owned()
}

/// `path` made absolute and free of `.`/`..`, resolving its folder when it exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(resolved) = std::fs::canonicalize(path) {
        return resolved;
    }
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return path.to_path_buf();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    std::fs::canonicalize(parent).map_or_else(|_| path.to_path_buf(), |dir| dir.join(name))
}

/// The path from folder `from` to `to`, both absolute.
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    if !from.is_absolute() || !to.is_absolute() {
        return None;
    }
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(left, right)| left == right)
        .count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for component in &to[common..] {
        relative.push(component.as_os_str());
    }
    Some(relative)
}

/// `units / 10^scale` as exact decimal text: `decimal(3, 5)` is `0.00003`.
fn decimal(units: u64, scale: u32) -> String {
    let divisor = 10_u64.pow(scale);
    let whole = units / divisor;
    let fraction = units % divisor;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:0width$}", width = scale as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `1000000` as `1_000_000`, as people write big numbers in TOML.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('_');
        }
        out.push(digit);
    }
    out
}

fn feature_id(feature: usize) -> String {
    let model = feature / TOKEN_KINDS.len();
    let (kind, _) = TOKEN_KINDS[feature % TOKEN_KINDS.len()];
    format!("model-{model:04}-{kind}-tokens")
}

fn system_id(system: usize) -> String {
    format!("credits-{system:03}")
}

/// A model's input price in credits per million tokens (1 credit = 1 US cent): 40 to 1,500,
/// a multiple of 4 so the cache write price (1.25x) is whole credits too.
fn input_credits(model: usize) -> u64 {
    40 + ((model as u64 * 37) % 366) * 4
}

fn catalog(directive: &str, systems: usize, plans: usize) -> String {
    let features = systems * COSTS_PER_CREDIT_SYSTEM;
    let mut out = String::with_capacity(900 * features + 1_800 * plans);
    let _ = writeln!(out, "#:schema {directive}");
    out.push_str(
        "\n# Generated by bench/src/bin/generate.rs for docs/performance.md. Do not edit.\n\n\
         version = 1\ncurrency = \"USD\"\n",
    );

    out.push_str("\n# ---------------------------------------------------------------- features\n");
    for feature in 0..features {
        write_feature(&mut out, feature);
    }

    out.push_str("\n# ---------------------------------------------------------- credit systems\n");
    for system in 0..systems {
        write_credit_system(&mut out, system);
    }

    out.push_str("\n# ------------------------------------------------------------------- plans\n");
    for plan in 0..plans {
        write_plan(&mut out, plan, systems);
    }
    out
}

fn write_feature(out: &mut String, feature: usize) {
    let model = feature / TOKEN_KINDS.len();
    let (kind, kind_name) = TOKEN_KINDS[feature % TOKEN_KINDS.len()];
    let id = feature_id(feature);
    let _ = write!(
        out,
        "\n[features.{id}]\nname = \"Model {model:04} {kind_name} tokens\"\ntype = \"metered\"\n\
         display = {{ singular = \"token\", plural = \"tokens\" }}\n"
    );
    if feature.is_multiple_of(3) {
        let event = kind.replace('-', "_");
        let _ = writeln!(out, "event_names = [\"model_{model:04}_{event}\"]");
    }
    if feature % 50 == 7 {
        out.push_str("protect = true\n");
    }
}

fn write_credit_system(out: &mut String, system: usize) {
    let id = system_id(system);
    let _ = write!(
        out,
        "\n[credit_systems.{id}]\nname = \"Credits, region {system:03}\"\n\
         display = {{ singular = \"credit\", plural = \"credits\" }}\n\n\
         [credit_systems.{id}.costs]\n"
    );
    for offset in 0..COSTS_PER_CREDIT_SYSTEM {
        let feature = system * COSTS_PER_CREDIT_SYSTEM + offset;
        let model = feature / TOKEN_KINDS.len();
        let input = input_credits(model);
        let feature_id = feature_id(feature);
        // Credits per million tokens; cache reads as a bare per-token decimal (0.1x input).
        let cost = match feature % TOKEN_KINDS.len() {
            0 => format!("{{ credits = {}, per = 1_000_000 }}", grouped(input)),
            1 => format!("{{ credits = {}, per = 1_000_000 }}", grouped(input * 5)),
            2 => format!(
                "{{ credits = {}, per = 1_000_000 }}",
                grouped(input * 5 / 4)
            ),
            _ => decimal(input, 7),
        };
        let _ = writeln!(out, "{feature_id} = {cost}");
    }
}

fn write_plan(out: &mut String, plan: usize, systems: usize) {
    // Plans come in product lines of four: free (the line's default), starter, pro, and a
    // top-up add-on outside the line's group.
    let line = plan / 4;
    let role = plan % 4;
    let system = plan % systems;
    // The features this plan prices directly come from another credit system's block, so no
    // feature is both priced directly and drawn from the credits the plan grants.
    let block = (system + 1 + plan / systems % (systems - 1)) % systems;
    let (suffix, name) = match role {
        0 => ("free", "Free"),
        1 => ("starter", "Starter"),
        2 => ("pro", "Pro"),
        _ => ("top-up", "Top-up"),
    };
    let id = format!("line-{line:04}-{suffix}");
    let _ = write!(
        out,
        "\n[plans.{id}]\nname = \"Line {line:04} {name}\"\n\
         description = \"{name} plan of product line {line:04}: credits and metered model access.\"\n"
    );
    match role {
        0 => {
            let _ = write!(out, "group = \"line-{line:04}\"\ndefault = true\n");
        }
        1 => {
            let dollars = 9 + line % 40;
            let _ = write!(
                out,
                "group = \"line-{line:04}\"\nprice = {{ amount = {dollars}, interval = \"month\" }}\n\
                 free_trial = {{ days = 14, card_required = false }}\n"
            );
        }
        2 => {
            let cents = 9_900 + (line % 50) as u64 * 500 + 99;
            let interval = if line.is_multiple_of(3) {
                "year"
            } else {
                "month"
            };
            let _ = write!(
                out,
                "group = \"line-{line:04}\"\nprice = {{ amount = {}, interval = \"{interval}\" }}\n",
                decimal(cents, 2)
            );
        }
        _ => out.push_str("add_on = true\n"),
    }

    // Item 0: the credit system.
    let _ = writeln!(out, "\n[plans.{id}.items.{}]", system_id(system));
    match role {
        0 => out.push_str("included = 500\nreset = \"month\"\n"),
        1 => out.push_str("included = 2_500\nreset = \"month\"\n"),
        2 => out.push_str(
            "included = 20_000\nreset = \"month\"\n\
             price = { amount = 10, per = 1_000, billing = \"prepaid\", interval = \"month\" }\n\
             prepaid = { min = 1_000, max = 100_000 }\n",
        ),
        _ => out.push_str(
            "price = { amount = 0.01, billing = \"prepaid\", interval = \"one_off\" }\n\
             prepaid = { min = 500, max = 1_000_000 }\n",
        ),
    }

    // Items 1 to 9: features of another block, distinct within the plan.
    for slot in 0..ITEMS_PER_PLAN - 1 {
        let offset = (plan * 7 + slot * 11) % COSTS_PER_CREDIT_SYSTEM;
        let feature = block * COSTS_PER_CREDIT_SYSTEM + offset;
        let _ = writeln!(out, "\n[plans.{id}.items.{}]", feature_id(feature));
        write_feature_item(out, plan, role, slot);
    }
}

fn write_feature_item(out: &mut String, plan: usize, role: usize, slot: usize) {
    let variant = (slot + plan) % 5;
    if role == 0 {
        // Free plans only include usage.
        if variant == 4 {
            out.push_str("included = \"unlimited\"\n");
        } else {
            let _ = write!(
                out,
                "included = {}\nreset = \"{}\"\n",
                grouped(100_000 * (1 + variant as u64)),
                ["day", "week", "month", "month"][variant]
            );
        }
        return;
    }
    // Usage prices may be fractions of a cent per unit; prepaid amounts are whole cents.
    let cents = 25 + ((plan * 31 + slot * 17) % 400) as u64;
    match variant {
        0 => {
            let _ = write!(
                out,
                "included = 1_000_000\nreset = \"month\"\n\
                 price = {{ amount = {}, per = 1_000_000, billing = \"usage\", interval = \"month\" }}\n",
                decimal(cents, 2)
            );
        }
        1 => {
            let _ = write!(
                out,
                "included = 2_000_000\nreset = \"month\"\n\
                 price = {{ per = 1_000_000, billing = \"usage\", interval = \"month\" }}\n\
                 tier_mode = \"graduated\"\n\
                 tiers = [\n  {{ up_to = 100_000_000, amount = {} }},\n  {{ up_to = 1_000_000_000, amount = {} }},\n  {{ up_to = \"inf\", amount = {} }},\n]\n",
                decimal(cents, 2),
                decimal(cents * 8, 3),
                decimal(cents * 6, 3),
            );
        }
        2 => {
            let _ = write!(
                out,
                "included = 500_000\nreset = \"week\"\n\
                 price = {{ amount = {}, per = 1_000_000, billing = \"prepaid\", interval = \"month\" }}\n\
                 prepaid = {{ min = 5_000_000, max = 500_000_000 }}\n",
                decimal(cents, 2)
            );
        }
        3 => {
            let _ = write!(
                out,
                "price = {{ per = 1_000_000, billing = \"prepaid\", interval = \"one_off\" }}\n\
                 tier_mode = \"volume\"\n\
                 tiers = [{{ up_to = 10_000_000, amount = {} }}, {{ up_to = \"inf\", amount = {} }}]\n\
                 prepaid = {{ min = 2_000_000 }}\n",
                decimal(cents, 2),
                decimal(cents * 9 / 10, 2),
            );
        }
        _ => {
            let _ = write!(
                out,
                "included = {}\nreset = \"day\"\n",
                grouped(250_000 * (1 + (plan % 8) as u64))
            );
        }
    }
}
