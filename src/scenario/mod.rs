//! Pricing scenarios: scripted customers (attach, track, check, grant, advance the clock) with
//! expectations, run against a fresh in-memory store holding the compiled pricing, so a
//! pricing change that breaks what a customer experiences fails in the pull request.

mod file;
mod run;

pub use file::{
    Expectation, ExpectedBalance, Scenario, ScenarioError, Step, StepAction, find_scenarios,
    parse_scenario, read_scenario,
};
pub use run::{Outcome, ScenarioResult, StepFailure, fresh_ledger, run_scenario};
