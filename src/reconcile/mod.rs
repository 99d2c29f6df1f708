//! Reconciling: plan the changes that make a live catalog match the pricing, save a plan,
//! apply one, and verify that the live catalog now matches.

mod apply;
mod open_backend;
mod project_settings;
mod relative_path;
mod saved_plan;
mod state_path;

pub use apply::{ApplyError, ApplyOptions, ApplyOutcome, apply, apply_with_progress};
pub use open_backend::open_backend;
pub use project_settings::{
    BackendKindSetting, BackendSettings, DEFAULT_KEY_VARIABLE, ProjectSettings, SETTINGS_FILE,
    SettingsError,
};
pub use saved_plan::{SAVED_PLAN_FORMAT_VERSION, SavedPlan, SavedPlanError};
pub use state_path::default_state_path;

use crate::backend::{Backend, BackendError};
use crate::catalog::Catalog;
use crate::diff::{Plan, diff};

/// The plan that makes the backend's live catalog match `desired`.
///
/// A backend with a preview of its own (Autumn) is asked for it, and its verdict goes into the
/// plan beside pricectl's; it is told beforehand, so it may ask with the fetch's reads.
pub fn plan(backend: &mut dyn Backend, desired: &Catalog) -> Result<Plan, BackendError> {
    backend.will_preview(desired);
    let live = backend.fetch()?;
    let mut plan = diff(desired, &live);
    plan.verdict = backend.preview(desired, &live, &plan)?;
    Ok(plan)
}
