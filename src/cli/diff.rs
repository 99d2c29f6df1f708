use std::collections::BTreeSet;

use super::output::{CompiledPricing, checked_catalog, report_error, report_load_error};
use super::plan::{View, report_refusals};
use super::{DiffArgs, ExitStatus};
use crate::dsl::revision::{LoadedPricing, PricingSource, RevisionError};
use crate::live::LiveState;
use crate::render::Comparison;

/// `pricectl diff OLD NEW`: the plan from one version of the pricing to another, OLD standing
/// in for the live catalog (without customers). No backend, no credentials.
pub fn diff(args: &DiffArgs) -> ExitStatus {
    // Both sides are read and compiled before either stops the command: every problem at once.
    let old = load_and_compile(&args.old);
    let new = load_and_compile(&args.new);
    let (Some((old, _)), Some((new, new_loaded))) = (old, new) else {
        return ExitStatus::Failure;
    };
    let store = args
        .usage
        .from_ledger
        .then(|| super::impact::ledger_store(args.state.as_deref()));
    let Ok(revenue) = super::impact::revenue(
        &old.catalog,
        &new.catalog,
        &args.usage,
        store.as_deref(),
        BTreeSet::new(),
    ) else {
        return ExitStatus::Failure;
    };
    let live = LiveState::of_pricing(old.catalog);
    let plan = crate::diff::diff(&new.catalog, &live);
    let view = View {
        comparison: Comparison::Versions {
            old: args.old.to_string(),
            new: args.new.to_string(),
        },
        sources: &new.sources,
        declarations: &new.declarations,
        annotation_paths: &new_loaded.annotation_paths,
    };
    view.show(&plan, args.format, revenue.as_ref());
    if !plan.refusals.is_empty() {
        report_refusals(&plan);
        return ExitStatus::Failure;
    }
    if args.detailed_exitcode && plan.summary.total() > 0 {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// Reads one side and compiles it, reporting what is wrong on stderr.
pub(super) fn load_and_compile(source: &PricingSource) -> Option<(CompiledPricing, LoadedPricing)> {
    let loaded = match source.load() {
        Ok(loaded) => loaded,
        Err(RevisionError::Load(error)) => {
            report_load_error(&error);
            return None;
        }
        Err(error) => {
            let help = match &error {
                RevisionError::GitMissing { .. } => Some("install git, or compare files on disk"),
                RevisionError::NotARepository { .. } => {
                    Some("run pricectl inside the repository, or compare files on disk")
                }
                RevisionError::UnknownRevision { .. } => Some(
                    "name a commit, branch or tag that exists here (a shallow clone may lack it: fetch it first)",
                ),
                RevisionError::NotAtRevision { .. } | RevisionError::EmptyDirectory { .. } => {
                    Some("name the pricing file or directory with `git:REV:PATH`")
                }
                _ => None,
            };
            report_error(&error, help);
            return None;
        }
    };
    let compilation = crate::compile::compile(loaded.sources.clone());
    let pricing = checked_catalog(compilation, &source.to_string())?;
    Some((pricing, loaded))
}
