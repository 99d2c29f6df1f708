use crate::backend::{ApplyProgress, ApplyReport, Backend, BackendError, NoProgress};
use crate::catalog::{Address, Catalog};
use crate::diff::{Plan, Refusal, changed_addresses};

/// What an apply may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Deletes and archives are performed only with this (`--allow-destroy`).
    pub allow_destroy: bool,
}

/// What an apply did, and what the live catalog holds afterwards.
#[derive(Debug)]
pub struct ApplyOutcome {
    /// Each change: applied, failed, not attempted (or rolled back, for an atomic backend).
    pub report: ApplyReport,
    /// Whether the backend applies whole or not at all (then a failure changed nothing).
    pub atomic: bool,
    /// From a fresh read after the apply: the addresses that still differ from the pricing,
    /// or why the live catalog could not be read.
    pub remaining: Result<Vec<Address>, BackendError>,
}

impl ApplyOutcome {
    /// Every change took and the live catalog now matches the pricing.
    pub fn is_complete(&self) -> bool {
        self.report.is_complete() && self.remaining.as_ref().is_ok_and(Vec::is_empty)
    }

    /// The failure that matters most to the caller: the one that stopped the apply, else the
    /// one that kept it from being verified.
    pub fn failure(&self) -> Option<&BackendError> {
        self.report
            .first_failure()
            .or(self.remaining.as_ref().err())
    }
}

/// Why an apply did not happen, or did not take.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the plan touches protected objects")]
    Refused { refusals: Vec<Refusal> },
    #[error("the plan deletes or archives {count} object{}; nothing was applied", if *count == 1 { "" } else { "s" })]
    Destructive {
        count: usize,
        addresses: Vec<Address>,
    },
    /// Some change failed or did not take: the outcome says which, and what is left.
    #[error("{}", incomplete_message(.0))]
    Incomplete(Box<ApplyOutcome>),
}

fn incomplete_message(outcome: &ApplyOutcome) -> String {
    match (outcome.report.first_failure(), &outcome.remaining) {
        (Some(error), _) => format!("the apply failed: {error}"),
        (None, Err(error)) => {
            format!("the apply finished but the live catalog could not be read again: {error}")
        }
        (None, Ok(_)) => {
            "the apply finished but the live catalog still differs from the pricing".into()
        }
    }
}

/// Applies `plan` (computed for `desired`), then fetches again, whatever happened: the apply
/// succeeded only if every change took and a new plan is empty.
pub fn apply(
    backend: &mut dyn Backend,
    plan: &Plan,
    desired: &Catalog,
    options: ApplyOptions,
) -> Result<ApplyOutcome, ApplyError> {
    apply_with_progress(backend, plan, desired, options, &mut NoProgress)
}

/// [`apply`], telling `progress` as the backend starts and finishes each change.
pub fn apply_with_progress(
    backend: &mut dyn Backend,
    plan: &Plan,
    desired: &Catalog,
    options: ApplyOptions,
    progress: &mut dyn ApplyProgress,
) -> Result<ApplyOutcome, ApplyError> {
    if !plan.refusals.is_empty() {
        return Err(ApplyError::Refused {
            refusals: plan.refusals.clone(),
        });
    }
    let destructive: Vec<Address> = plan
        .changes
        .iter()
        .filter(|change| change.action.is_destructive())
        .map(|change| change.address.clone())
        .collect();
    if !destructive.is_empty() && !options.allow_destroy {
        return Err(ApplyError::Destructive {
            count: destructive.len(),
            addresses: destructive,
        });
    }
    // A plan without changes still goes to the backend: an empty store takes the plan's
    // currency from it (a catalog of no objects in EUR, applied, is a store in EUR).
    let report = backend.apply(plan, progress);
    let remaining = backend
        .fetch()
        .map(|live| changed_addresses(desired, &live));
    let outcome = ApplyOutcome {
        report,
        atomic: backend.capabilities().atomic,
        remaining,
    };
    if outcome.is_complete() {
        Ok(outcome)
    } else {
        Err(ApplyError::Incomplete(Box::new(outcome)))
    }
}
