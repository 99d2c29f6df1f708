use super::{ApplyProgress, BackendError};
use crate::catalog::Address;
use crate::diff::{Action, Change, Plan};

/// What a backend did with each change of a plan, in plan order.
///
/// A remote billing system is not transactional: an apply can fail after some changes took.
/// The report says which did, which failed and why, and which were never tried. After any
/// apply the reconciler reads the live catalog again; the report is what happened, the fresh
/// read is what is true now.
#[derive(Debug)]
pub struct ApplyReport {
    /// One entry per top-level change of the plan, in the plan's order.
    pub changes: Vec<ChangeReport>,
    /// A failure that belongs to no single change: the apply could not begin (the store could
    /// not start a transaction, the catalog is in another currency), or an atomic backend
    /// could not commit. Every change is then `NotAttempted` or `RolledBack`.
    pub failure: Option<BackendError>,
}

/// What happened to one change.
#[derive(Debug)]
pub struct ChangeReport {
    pub address: Address,
    pub action: Action,
    pub status: ChangeStatus,
}

/// The fate of one change.
#[derive(Debug)]
pub enum ChangeStatus {
    /// The change is live.
    Applied,
    /// The backend refused or failed this change.
    Failed(BackendError),
    /// Not live, and not tried on its own: an earlier change failed, so the backend stopped
    /// (a change a bulk request carried but did not make is one, when a change before it
    /// failed).
    NotAttempted,
    /// Performed, then undone with the rest of an atomic apply that failed: not live.
    RolledBack,
}

impl ChangeStatus {
    pub fn is_applied(&self) -> bool {
        matches!(self, ChangeStatus::Applied)
    }
}

impl ApplyReport {
    /// The apply could not begin: nothing was tried.
    pub fn not_started(plan: &Plan, failure: BackendError) -> ApplyReport {
        ApplyReport {
            failure: Some(failure),
            ..ApplyReport::with_status(plan, || ChangeStatus::NotAttempted)
        }
    }

    /// Performs the plan's changes in order through `perform`, telling `progress`, and stops at
    /// the first failure: the changes after it are `NotAttempted`. Every backend applies through
    /// this one loop; what a failure then means (kept, or rolled back) is the backend's to say.
    pub fn in_order(
        plan: &Plan,
        progress: &mut dyn ApplyProgress,
        mut perform: impl FnMut(usize, &Change) -> Result<(), BackendError>,
    ) -> ApplyReport {
        let total = plan.changes.len();
        let mut changes = Vec::with_capacity(total);
        let mut failed = false;
        for (index, change) in plan.changes.iter().enumerate() {
            if failed {
                changes.push(ChangeReport::new(change, ChangeStatus::NotAttempted));
                continue;
            }
            progress.started(index, total, change);
            let status = match perform(index, change) {
                Ok(()) => ChangeStatus::Applied,
                Err(error) => {
                    failed = true;
                    ChangeStatus::Failed(error)
                }
            };
            progress.finished(index, total, change, &status);
            changes.push(ChangeReport::new(change, status));
        }
        ApplyReport {
            changes,
            failure: None,
        }
    }

    fn with_status(plan: &Plan, status: impl Fn() -> ChangeStatus) -> ApplyReport {
        ApplyReport {
            changes: plan
                .changes
                .iter()
                .map(|change| ChangeReport::new(change, status()))
                .collect(),
            failure: None,
        }
    }

    /// Every change applied and nothing failed.
    pub fn is_complete(&self) -> bool {
        self.failure.is_none() && self.changes.iter().all(|change| change.status.is_applied())
    }

    /// The failure that stopped the apply: the one outside any change, else the first failed
    /// change's.
    pub fn first_failure(&self) -> Option<&BackendError> {
        self.failure.as_ref().or_else(|| {
            self.changes.iter().find_map(|change| match &change.status {
                ChangeStatus::Failed(error) => Some(error),
                _ => None,
            })
        })
    }

    /// The addresses of the changes with the given fate, in plan order.
    pub fn addresses(&self, wanted: fn(&ChangeStatus) -> bool) -> Vec<&Address> {
        self.changes
            .iter()
            .filter(|change| wanted(&change.status))
            .map(|change| &change.address)
            .collect()
    }
}

impl ChangeReport {
    pub fn new(change: &Change, status: ChangeStatus) -> ChangeReport {
        ChangeReport {
            address: change.address.clone(),
            action: change.action,
            status,
        }
    }
}
