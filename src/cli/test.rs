use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::{compile_pricing, print_stderr, print_stdout};
use super::{ExitStatus, OutputFormat, TestArgs};
use crate::scenario::{Outcome, ScenarioResult, find_scenarios, read_scenario, run_scenario};

/// For a scenario file (`*.scenario.toml`, or a `.toml` in a `scenarios/` folder), the pricing
/// it runs against: `pricing.toml` beside it (beside the `scenarios/` folder), else that
/// directory.
fn scenario_file(path: &Path) -> Option<PathBuf> {
    if !path.is_file() {
        return None;
    }
    let directory = path.parent().unwrap_or(Path::new(""));
    let directory = if path.to_string_lossy().ends_with(".scenario.toml") {
        directory
    } else if directory
        .file_name()
        .is_some_and(|name| name == "scenarios")
    {
        directory.parent().unwrap_or(Path::new(""))
    } else {
        return None;
    };
    let directory = if directory.as_os_str().is_empty() {
        Path::new(".")
    } else {
        directory
    };
    let beside = directory.join("pricing.toml");
    Some(if beside.is_file() {
        beside
    } else {
        directory.to_path_buf()
    })
}

/// `pricectl test`: runs the pricing's scenarios, each on a fresh in-memory store, and reports
/// like a test runner; exit 1 on any failure.
pub fn test(args: &TestArgs) -> ExitStatus {
    // One scenario file runs alone, against the pricing beside it.
    let (pricing, paths) = match scenario_file(&args.path) {
        Some(pricing) => (pricing, vec![args.path.clone()]),
        None => (args.path.clone(), find_scenarios(&args.path)),
    };
    let Some(catalog) = compile_pricing(&pricing) else {
        return ExitStatus::Failure;
    };
    if paths.is_empty() {
        print_stderr(&format!(
            "error: no scenarios found beside `{}`\n  help: write `*.scenario.toml` files next to the pricing, or `*.toml` files in a `scenarios/` folder (see docs/ledger.md)\n",
            args.path.display()
        ));
        return ExitStatus::Failure;
    }
    let mut results = Vec::new();
    for path in &paths {
        results.push(match read_scenario(path) {
            Ok(scenario) => run_scenario(&catalog, &scenario),
            Err(error) => ScenarioResult {
                name: path.display().to_string(),
                path: path.clone(),
                outcome: Outcome::Broken(error.to_string()),
            },
        });
    }
    let failed = results
        .iter()
        .filter(|result| result.outcome != Outcome::Passed)
        .count();
    let passed = results.len() - failed;
    match args.format {
        OutputFormat::Json => print_stdout(&json_report(&results, passed, failed)),
        OutputFormat::Text => print_stdout(&text_report(&results, passed, failed)),
    }
    if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

fn text_report(results: &[ScenarioResult], passed: usize, failed: usize) -> String {
    let mut text = format!(
        "running {} scenario{}\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" }
    );
    for result in results {
        let verdict = if result.outcome == Outcome::Passed {
            "ok"
        } else {
            "FAILED"
        };
        let _ = writeln!(
            text,
            "scenario {} ({}) ... {verdict}",
            result.name,
            result.path.display()
        );
    }
    if failed > 0 {
        text.push_str("\nfailures:\n");
        for result in results {
            match &result.outcome {
                Outcome::Passed => {}
                Outcome::Broken(message) => {
                    let _ = writeln!(text, "\n---- {} ----\n  {message}", result.name);
                }
                Outcome::Failed(failure) => {
                    let _ = writeln!(
                        text,
                        "\n---- {} ----\n  step {} ({}), {}:{}:",
                        result.name,
                        failure.step,
                        failure.description,
                        result.path.display(),
                        failure.line
                    );
                    for (what, expected, actual) in &failure.differences {
                        let _ = writeln!(
                            text,
                            "    {what}:\n      - expected {expected}\n      + actual   {actual}"
                        );
                    }
                }
            }
        }
    }
    let _ = writeln!(text, "\n{passed} passed, {failed} failed");
    text
}

#[derive(Serialize)]
struct Report<'a> {
    passed: usize,
    failed: usize,
    scenarios: Vec<ScenarioJson<'a>>,
}

#[derive(Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    file: String,
    passed: bool,
    /// Why a scenario could not run at all.
    error: Option<&'a str>,
    failed_step: Option<FailedStep<'a>>,
}

#[derive(Serialize)]
struct FailedStep<'a> {
    step: usize,
    line: usize,
    description: &'a str,
    differences: Vec<Difference<'a>>,
}

#[derive(Serialize)]
struct Difference<'a> {
    what: &'a str,
    expected: &'a str,
    actual: &'a str,
}

fn json_report(results: &[ScenarioResult], passed: usize, failed: usize) -> String {
    let report = Report {
        passed,
        failed,
        scenarios: results
            .iter()
            .map(|result| ScenarioJson {
                name: &result.name,
                file: result.path.display().to_string(),
                passed: result.outcome == Outcome::Passed,
                error: match &result.outcome {
                    Outcome::Broken(message) => Some(message),
                    _ => None,
                },
                failed_step: match &result.outcome {
                    Outcome::Failed(failure) => Some(FailedStep {
                        step: failure.step,
                        line: failure.line,
                        description: &failure.description,
                        differences: failure
                            .differences
                            .iter()
                            .map(|(what, expected, actual)| Difference {
                                what,
                                expected,
                                actual,
                            })
                            .collect(),
                    }),
                    _ => None,
                },
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("a report serializes");
    text.push('\n');
    text
}
