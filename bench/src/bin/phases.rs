//! Times pricectl's front end phase by phase on one file, in process, against the toml
//! crate parsing the same text (docs/performance.md).
//!
//! ```text
//! phases PATH [--runs N]
//! ```
//!
//! Each phase runs twice to warm up, then N times (default 15); the table gives the median
//! and the fastest run, in milliseconds, and each median as a multiple of the bare
//! `DeTable::parse`. Results are dropped outside the timed region, except where a row says
//! "drop": `parse_recoverable, then drop` is the TOML work inside pricectl's parse (which drops
//! the TOML tree once it has read it), and the last row times dropping a whole `Compilation`. Exits 1 when the file has any diagnostic, so a benchmark
//! never runs on a catalog that stops early.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pricectl::check::check;
use pricectl::dsl::{SourceSet, parse_sources};
use pricectl::lower::lower;
use toml::de::DeTable;

struct Timing {
    name: &'static str,
    median: Duration,
    fastest: Duration,
}

/// Runs `setup` (untimed) then `timed` on its output, `runs` times after two warm-ups, and
/// drops whatever `timed` returns outside the clock.
fn measure<S, T>(
    name: &'static str,
    runs: usize,
    mut setup: impl FnMut() -> S,
    mut timed: impl FnMut(S) -> T,
) -> Timing {
    let mut samples = Vec::with_capacity(runs);
    for index in 0..runs + 2 {
        let input = setup();
        let start = Instant::now();
        let output = black_box(timed(black_box(input)));
        let elapsed = start.elapsed();
        drop(output);
        if index >= 2 {
            samples.push(elapsed);
        }
    }
    samples.sort();
    Timing {
        name,
        median: samples[samples.len() / 2],
        fastest: samples[0],
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

#[allow(clippy::too_many_lines)] // one linear script: setup, nine timings, one table
fn main() -> ExitCode {
    let mut path = None;
    let mut runs = 15_usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            match args.next().and_then(|text| text.parse().ok()) {
                Some(count) if count > 0 => runs = count,
                _ => {
                    eprintln!("--runs takes a positive number");
                    return ExitCode::from(2);
                }
            }
        } else {
            path = Some(PathBuf::from(arg));
        }
    }
    let Some(path) = path else {
        eprintln!("usage: phases PATH [--runs N]");
        return ExitCode::from(2);
    };

    let sources = match SourceSet::load(&path) {
        Ok(sources) => sources,
        Err(error) => {
            eprintln!("{}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let text: String = sources
        .files()
        .map(|(_, file)| file.text.as_str())
        .collect();
    if sources.len() != 1 {
        eprintln!(
            "note: {} files; the toml rows parse their concatenation",
            sources.len()
        );
    }

    // Refuse a catalog with diagnostics: its check and lower would not be the full work.
    let parsed = parse_sources(&sources);
    let check_diagnostics = if parsed.complete {
        check(&parsed.files)
    } else {
        Vec::new()
    };
    let compilation = pricectl::compile(sources.clone());
    if !parsed.diagnostics.is_empty()
        || !check_diagnostics.is_empty()
        || compilation.catalog.is_none()
    {
        eprintln!(
            "{}: {} read and {} check diagnostics ({} errors, {} warnings); a benchmark catalog must be clean",
            path.display(),
            parsed.diagnostics.len(),
            check_diagnostics.len(),
            compilation.error_count(),
            compilation.warning_count(),
        );
        for diagnostic in compilation.diagnostics.iter().take(5) {
            eprintln!("  {diagnostic:?}");
        }
        return ExitCode::FAILURE;
    }
    let catalog = compilation.catalog.as_ref().expect("checked above");
    let counts = format!(
        "{} features, {} credit systems, {} plans",
        catalog.features.len(),
        catalog.credit_systems.len(),
        catalog.plans.len()
    );
    drop(compilation);

    let timings = [
        measure(
            "read file (SourceSet::load)",
            runs,
            || (),
            |()| SourceSet::load(&path).expect("loaded once already"),
        ),
        measure(
            "toml: DeTable::parse (bare)",
            runs,
            || (),
            |()| DeTable::parse(&text).expect("valid TOML"),
        ),
        measure(
            "toml: DeTable::parse_recoverable, then drop",
            runs,
            || (),
            |()| drop(DeTable::parse_recoverable(&text)),
        ),
        measure(
            "toml: from_str::<toml::Table>",
            runs,
            || (),
            |()| toml::from_str::<toml::Table>(&text).expect("valid TOML"),
        ),
        measure(
            "pricectl parse (dsl::parse_sources)",
            runs,
            || (),
            |()| parse_sources(&sources),
        ),
        measure(
            "pricectl check (check::check)",
            runs,
            || (),
            |()| check(&parsed.files),
        ),
        measure(
            "pricectl lower (lower::lower)",
            runs,
            || parsed.files.clone(),
            lower,
        ),
        measure(
            "pricectl compile (all of the above)",
            runs,
            || sources.clone(),
            pricectl::compile,
        ),
        measure(
            "drop of the Compilation",
            runs,
            || pricectl::compile(sources.clone()),
            drop,
        ),
    ];

    let bare = timings[1].median;
    println!(
        "{}: {} bytes, {counts}; median and fastest of {runs} runs",
        path.display(),
        text.len()
    );
    println!();
    println!("| phase | median ms | fastest ms | x bare parse |");
    println!("| --- | ---: | ---: | ---: |");
    for timing in &timings {
        println!(
            "| {} | {:.1} | {:.1} | {:.2} |",
            timing.name,
            millis(timing.median),
            millis(timing.fastest),
            timing.median.as_secs_f64() / bare.as_secs_f64()
        );
    }
    // parse_sources parses with parse_recoverable, reads the documents, and drops the TOML
    // tree: what it adds to the toml crate is the reading.
    let read_documents = timings[4].median.saturating_sub(timings[2].median);
    println!(
        "| (derived) pricectl parse minus (parse_recoverable, then drop): reading into documents | {:.1} | | {:.2} |",
        millis(read_documents),
        read_documents.as_secs_f64() / bare.as_secs_f64()
    );
    ExitCode::SUCCESS
}
