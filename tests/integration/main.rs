//! The integration tests: one binary, one module per area.

#[cfg(all(feature = "serve", feature = "autumn"))]
mod apply_faults;
#[cfg(all(feature = "serve", feature = "autumn"))]
mod autumn_backend;
mod autumn_corpus;
mod cli;
mod conformance;
mod diff;
mod docs;
mod editor;
mod entities;
mod examples;
#[cfg(all(feature = "serve", feature = "autumn"))]
mod fault_proxy;
mod faults;
mod fixtures;
mod format;
#[cfg(feature = "serve")]
mod fuzz_regressions;
/// The benchmarks' catalog generator, shared (`bench/src/catalog.rs`).
#[cfg(all(feature = "serve", feature = "autumn"))]
#[allow(dead_code)]
#[path = "../../bench/src/catalog.rs"]
mod generated_catalog;
mod hostile_input;
mod impact;
mod init;
#[cfg(feature = "serve")]
mod interop;
mod layering;
mod ledger;
mod ledger_controls;
mod ledger_group_commit;
mod ledger_output;
mod ledger_rules;
mod operational;
mod output;
#[cfg(all(feature = "serve", feature = "autumn"))]
mod pacing;
mod properties;
mod reconcile;
#[cfg(all(feature = "serve", feature = "autumn"))]
mod request_bodies;
mod robustness;
#[cfg(all(feature = "serve", feature = "autumn"))]
mod round_trips;
mod saved_plan;
mod schema;
#[cfg(feature = "serve")]
mod serve;
mod shell;
mod snapshot_hygiene;
mod store;
mod support;
mod workflow;
