//! The semantic rules of the pricing language.
//!
//! Each rule is a file with one entry point, `check(model, diagnostics)`. Rules read the
//! merged [`Model`] of every file and report everything they find; none stops another.
//! Rules that need a resolved reference skip what an earlier rule reported broken, so one
//! mistake gives one diagnostic, not a cascade.

mod amounts;
mod charges;
mod controls;
mod credit_grants;
mod credit_targets;
mod currency;
mod defaults;
mod entities;
mod features;
mod ids;
mod items;
mod model;
mod prepaid;
mod references;
mod resets;
mod tiers;
mod trials;
mod usage;

pub use model::{Declaration, Model};

use crate::diagnostics::Diagnostic;
use crate::dsl::ParsedFile;

/// Runs every rule over the files of one catalog.
pub fn check(files: &[ParsedFile]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let model = Model::build(files, &mut diagnostics);
    currency::check(&model, &mut diagnostics);
    ids::check(&model, &mut diagnostics);
    references::check(&model, &mut diagnostics);
    entities::check(&model, &mut diagnostics);
    credit_targets::check(&model, &mut diagnostics);
    features::check(&model, &mut diagnostics);
    amounts::check(&model, &mut diagnostics);
    items::check(&model, &mut diagnostics);
    prepaid::check(&model, &mut diagnostics);
    tiers::check(&model, &mut diagnostics);
    defaults::check(&model, &mut diagnostics);
    usage::check(&model, &mut diagnostics);
    charges::check(&model, &mut diagnostics);
    trials::check(&model, &mut diagnostics);
    resets::check(&model, &mut diagnostics);
    credit_grants::check(&model, &mut diagnostics);
    controls::check(&model, &mut diagnostics);
    diagnostics
}
