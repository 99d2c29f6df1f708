use crate::backend::{Backend, BackendError};
use crate::catalog::Catalog;
use crate::diff::{Plan, Refusal, diff};

/// What an apply may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Deletes and archives are performed only with this (`--allow-destroy`).
    pub allow_destroy: bool,
}

/// Why an apply did not happen, or did not take.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the plan touches protected objects")]
    Refused { refusals: Vec<Refusal> },
    #[error("the plan deletes or archives {count} object{}; nothing was applied", if *count == 1 { "" } else { "s" })]
    Destructive {
        count: usize,
        addresses: Vec<String>,
    },
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("the apply finished but the live catalog still differs from the pricing")]
    NotConverged { addresses: Vec<String> },
}

/// Applies `plan` (computed for `desired`), then fetches again: the apply succeeded only if a
/// new plan is empty.
pub fn apply(
    backend: &mut dyn Backend,
    plan: &Plan,
    desired: &Catalog,
    options: ApplyOptions,
) -> Result<(), ApplyError> {
    if !plan.refusals.is_empty() {
        return Err(ApplyError::Refused {
            refusals: plan.refusals.clone(),
        });
    }
    let destructive: Vec<String> = plan
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
    if plan.changes.is_empty() {
        return Ok(());
    }
    backend.apply(plan)?;
    let after = diff(desired, &backend.fetch()?);
    let left: Vec<String> = after
        .changes
        .iter()
        .map(|change| change.address.clone())
        .collect();
    if !left.is_empty() {
        return Err(ApplyError::NotConverged { addresses: left });
    }
    Ok(())
}
