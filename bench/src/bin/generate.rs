//! Writes one large, valid pricing file for benchmarks (docs/performance.md).
//!
//! ```text
//! generate OUTPUT [SCALE] [--schema PATH] [--autumn CONFIG_TS]
//! ```
//!
//! At SCALE 1.0 (the default) the catalog has 5,000 metered features, 50 credit systems of 100
//! costs each, and 2,000 plans of 10 items each. SCALE multiplies the number of credit systems
//! (so the number of features, 100 per credit system) and of plans: 0.5 is half, 2.0 double.
//! The catalog itself is `bench/src/catalog.rs`, which the fault tests share.
//!
//! The first line is `#:schema <path>`, the path of the JSON Schema relative to OUTPUT's folder
//! (as in `pricing-examples/`), so editors and `taplo check` find it. The schema defaults to
//! the repository's committed `schemas/pricing.v1.schema.json`; `--schema` names another file
//! (bench/run.sh passes a freshly generated one when the committed one is missing).
//!
//! `--autumn CONFIG_TS` writes a catalog for Autumn instead: no feature is protected (Autumn's
//! features have nowhere to record it), and CONFIG_TS is the same catalog as Autumn's own CLI
//! declares it (`autumn.config.ts`, for `atmn push`).
//!
//! The output is deterministic (no randomness) and must validate with no errors and no
//! warnings.

#[path = "../atmn_config.rs"]
mod atmn_config;
#[allow(dead_code, reason = "the tests use the rest of the shared generator")]
#[path = "../catalog.rs"]
mod catalog;

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use catalog::{ITEMS_PER_PLAN, Size};

struct Args {
    output: PathBuf,
    scale: f64,
    schema: PathBuf,
    autumn: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: generate OUTPUT [SCALE] [--schema PATH] [--autumn CONFIG_TS]";
    let mut positional = Vec::new();
    let mut schema = None;
    let mut autumn = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--schema" => schema = Some(PathBuf::from(args.next().ok_or(usage)?)),
            "--autumn" => autumn = Some(PathBuf::from(args.next().ok_or(usage)?)),
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
        autumn,
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
    let size = Size::at_scale(args.scale);
    for path in std::iter::once(&args.output).chain(&args.autumn) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Err(error) = std::fs::create_dir_all(parent)
        {
            eprintln!("cannot create {}: {error}", parent.display());
            return ExitCode::FAILURE;
        }
    }
    let directive = schema_directive(&args.output, &args.schema);
    let text = catalog::catalog(Some(&directive), size, args.autumn.is_none());
    if let Err(error) = std::fs::write(&args.output, &text) {
        eprintln!("cannot write {}: {error}", args.output.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {} ({} bytes, {} lines): {} features, {} credit systems x {} costs, {} plans x {} items; #:schema {}",
        args.output.display(),
        text.len(),
        text.lines().count(),
        size.features(),
        size.credit_systems,
        size.costs_per_system,
        size.plans,
        ITEMS_PER_PLAN,
        directive,
    );
    if let Some(config) = &args.autumn {
        if let Err(message) = write_atmn_config(&args.output, &text, config) {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {} (the same catalog for `atmn push`)", config.display());
    }
    ExitCode::SUCCESS
}

/// Compiles the generated pricing and writes it in atmn's syntax at `config`.
fn write_atmn_config(output: &Path, text: &str, config: &Path) -> Result<(), String> {
    let mut sources = pricectl::dsl::SourceSet::default();
    sources.add(output.to_path_buf(), text.to_string());
    let catalog = pricectl::compile(sources)
        .catalog
        .ok_or_else(|| format!("{} does not compile", output.display()))?;
    let written = atmn_config::atmn_config(&catalog).map_err(|error| error.to_string())?;
    std::fs::write(config, written).map_err(|error| format!("cannot write {}: {error}", config.display()))
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

