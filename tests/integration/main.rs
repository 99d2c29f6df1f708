//! The integration tests: one binary, one module per area.

mod cli;
mod docs;
mod examples;
mod fixtures;
mod reconcile;
mod robustness;
mod schema;
mod support;
