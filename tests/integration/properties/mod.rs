//! Properties checked with proptest: over generated catalogs (`catalogs.rs`) and generated
//! sequences of ledger operations. A failing case is shrunk to a small one and saved beside the
//! test file (`*.proptest-regressions`, committed), and every saved case runs first on the next
//! run.
//!
//! Each property runs a modest number of cases so CI stays quick; `PROPTEST_CASES=N` runs N
//! (docs/reliability.md records longer runs).

mod catalogs;
mod language;
mod ledger;
mod ledger_replay;
mod reconcile;
mod track_answer;

use proptest::test_runner::{Config, FileFailurePersistence};

/// The configuration of every property: `cases` cases unless `PROPTEST_CASES` says otherwise,
/// failures saved beside the test's source file.
fn config(cases: u32) -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // A choice sequence is hundreds of numbers: shrinking it takes more steps than the
        // default 1,024, spent only when a case fails.
        max_shrink_iters: 20_000,
        ..Config::default()
    }
}
