use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::default_state_path;
use super::relative_path::{absolute, relative_to};
use crate::backend::BackendChoice;
use crate::catalog::Catalog;
use crate::diff::{PLAN_FORMAT_VERSION, Plan};
use crate::input::{LimitedReadError, SAVED_PLAN_BYTES, read_limited};
use crate::live::fingerprint;

/// The layout of a saved plan (this envelope; the plan inside has its own
/// [`PLAN_FORMAT_VERSION`]). 2: the backend is named as data and paths are relative to the
/// saved plan; a fingerprint covers the document.
pub const SAVED_PLAN_FORMAT_VERSION: u32 = 2;

/// A plan saved by `pricectl plan --out FILE`, to be applied later by `pricectl apply FILE`.
///
/// It records where the pricing is and which backend the plan was made against (as data,
/// never a secret), and (in the plan) the fingerprints of both, so an apply refuses when either
/// has moved since. Paths are relative to the saved plan's own directory, so `apply FILE` works
/// from any working directory and on another checkout of the same repository.
///
/// A saved plan is input: anyone can edit the file. `fingerprint` makes an edit show as one;
/// the pricing it names must be a pricing file, is never echoed, and the store it names is
/// opened only where one exists (or where `apply` would create it anyway).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub pricectl_version: String,
    /// The pricing file or directory the plan was made from, relative to the saved plan's
    /// directory (absolute only when no relative path leads there).
    pub pricing: PathBuf,
    /// The billing system the plan was made against, its location relative to the saved
    /// plan's directory.
    pub backend: BackendChoice,
    /// SHA-256 of `pricing`, `backend`, `desired` and `plan` as saved: an edited file is
    /// refused as edited, not mistaken for a world that moved.
    pub fingerprint: String,
    /// The catalog the plan makes live.
    pub desired: Catalog,
    /// The plan. Its file (`render::render_saved_plan`) holds it as the plan document, words
    /// included; reading it back takes the data and leaves the words.
    pub plan: Plan,
}

/// What a saved plan's fingerprint covers.
#[derive(Serialize)]
struct Sealed<'a> {
    pricing: &'a Path,
    backend: &'a BackendChoice,
    desired: &'a Catalog,
    plan: &'a Plan,
}

/// Why a saved plan cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("could not read the saved plan `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: LimitedReadError,
    },
    #[error("`{}` is not a pricectl plan: {detail}", path.display())]
    Malformed { path: PathBuf, detail: String },
    #[error("`{}` was made by pricectl {made_by} in {what} format {found}; this pricectl reads format {expected}", path.display())]
    Incompatible {
        path: PathBuf,
        made_by: String,
        /// `saved plan` (the envelope) or `plan` (the plan document inside it).
        what: &'static str,
        found: u64,
        expected: u32,
    },
    #[error("`{}` was edited after it was made: its content no longer matches its fingerprint", path.display())]
    Edited { path: PathBuf },
    #[error("the saved plan names `{}` as its pricing, which is not a pricing file (a `.toml` file or a directory of them)", pricing.display())]
    NotPricing { pricing: PathBuf },
    #[error("the saved plan names the local store `{}`, which does not exist", path.display())]
    MissingStore { path: PathBuf },
    #[error("the pricing changed since the plan was made")]
    PricingChanged,
    #[error("this plan was already applied: the live catalog matches the pricing it was made for")]
    AlreadyApplied,
    #[error("the live catalog changed since the plan was made")]
    LiveChanged,
    #[error("customers moved since the plan was made, and the plan would now be different")]
    DecisionsChanged,
}

impl SavedPlan {
    /// The plan made from `pricing` against `backend` (both as the command was given them),
    /// to be written to `out`.
    pub fn new(
        pricing: &Path,
        backend: &BackendChoice,
        out: &Path,
        desired: Catalog,
        plan: Plan,
    ) -> SavedPlan {
        let directory = directory_of(out);
        let base = if directory.as_os_str().is_empty() {
            absolute(Path::new("."))
        } else {
            absolute(&directory)
        };
        let pricing = relative_to(&absolute(pricing), &base);
        let backend = backend.relocated(|location| relative_to(&absolute(location), &base));
        let mut saved = SavedPlan {
            format_version: SAVED_PLAN_FORMAT_VERSION,
            pricectl_version: env!("CARGO_PKG_VERSION").to_string(),
            pricing,
            backend,
            fingerprint: String::new(),
            desired,
            plan,
        };
        saved.fingerprint = saved.content_fingerprint();
        saved
    }

    /// The fingerprint of the document's content, as `fingerprint` records it.
    pub fn content_fingerprint(&self) -> String {
        fingerprint(&Sealed {
            pricing: &self.pricing,
            backend: &self.backend,
            desired: &self.desired,
            plan: &self.plan,
        })
    }

    /// Whether `text` looks like a plan `pricectl plan --out` saved, in any format version:
    /// a JSON object with `format_version` and `plan`. `plan --out` writes over such a file
    /// and nothing else, so it never replaces pricing or other data with a plan.
    pub fn is_saved_plan(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|value| value.get("format_version").is_some() && value.get("plan").is_some())
    }

    /// Reads a saved plan, refusing one of another format (the saved plan's or the plan's
    /// inside it) or one edited since it was made.
    pub fn read(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let bytes =
            read_limited(path, SAVED_PLAN_BYTES).map_err(|source| SavedPlanError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        SavedPlan::parse(path, bytes)
    }

    /// Reads a saved plan from its bytes, as [`SavedPlan::read`] does from a file (`path` is
    /// for messages).
    pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<SavedPlan, SavedPlanError> {
        let malformed = |detail: String| SavedPlanError::Malformed {
            path: path.to_path_buf(),
            detail,
        };
        let text =
            String::from_utf8(bytes).map_err(|_| malformed("it is not UTF-8 text".into()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|error| malformed(error.to_string()))?;
        let made_by = value
            .get("pricectl_version")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("(unknown)");
        let versions = [
            ("saved plan", Some(&value), SAVED_PLAN_FORMAT_VERSION),
            ("plan", value.get("plan"), PLAN_FORMAT_VERSION),
        ];
        for (what, document, expected) in versions {
            let Some(found) = document
                .and_then(|document| document.get("format_version"))
                .and_then(serde_json::Value::as_u64)
            else {
                return Err(malformed(format!("its {what} has no `format_version`")));
            };
            if found != u64::from(expected) {
                return Err(SavedPlanError::Incompatible {
                    path: path.to_path_buf(),
                    made_by: made_by.to_string(),
                    what,
                    found,
                    expected,
                });
            }
        }
        let saved: SavedPlan =
            serde_json::from_value(value).map_err(|error| malformed(error.to_string()))?;
        if saved.fingerprint != saved.content_fingerprint() {
            return Err(SavedPlanError::Edited {
                path: path.to_path_buf(),
            });
        }
        Ok(saved)
    }

    /// The pricing the plan was made from, found from the saved plan at `plan_file`; refused
    /// unless it is a pricing file (`.toml`) or directory, so a plan cannot make pricectl read
    /// (and show) any other file.
    pub fn pricing_path(&self, plan_file: &Path) -> Result<PathBuf, SavedPlanError> {
        let pricing = directory_of(plan_file).join(&self.pricing);
        let is_pricing = pricing.is_dir()
            || (pricing.is_file()
                && pricing
                    .extension()
                    .is_some_and(|extension| extension == "toml"));
        if is_pricing {
            Ok(pricing)
        } else {
            Err(SavedPlanError::NotPricing { pricing })
        }
    }

    /// The backend to apply to: `state` when the user names a store, else the one the plan
    /// was made against, found from the saved plan at `plan_file`. A plan never chooses where
    /// a store is created: the store it names must exist, unless it is the default store
    /// beside the pricing (where `apply` of the pricing would create it).
    pub fn backend_choice(
        &self,
        plan_file: &Path,
        state: Option<&Path>,
    ) -> Result<BackendChoice, SavedPlanError> {
        if let Some(state) = state {
            return Ok(BackendChoice::Local {
                path: state.to_path_buf(),
            });
        }
        let base = directory_of(plan_file);
        let choice = self.backend.relocated(|location| base.join(location));
        match &choice {
            BackendChoice::Local { path } => {
                let default = default_state_path(&self.pricing_path(plan_file)?);
                if !path.exists() && absolute(path) != absolute(&default) {
                    return Err(SavedPlanError::MissingStore { path: path.clone() });
                }
            }
            BackendChoice::Autumn { .. } => {}
        }
        Ok(choice)
    }

    /// Refuses when the pricing no longer compiles (`None`) or compiles to another catalog
    /// than the one planned.
    pub fn check_pricing(&self, current: Option<&Catalog>) -> Result<(), SavedPlanError> {
        match current {
            Some(current)
                if fingerprint(current) == self.plan.fingerprints.pricing
                    && *current == self.desired =>
            {
                Ok(())
            }
            _ => Err(SavedPlanError::PricingChanged),
        }
    }

    /// Refuses when the plan was already applied (the live catalog is what it makes), when the
    /// live catalog is not the one planned against, or when what customers
    /// did since would change the plan (a plan that gained customers versions instead of
    /// changing in place).
    pub fn check_live(&self, live: &crate::live::LiveState) -> Result<(), SavedPlanError> {
        if live.catalog_fingerprint() != self.plan.fingerprints.live {
            // The live catalog moved to exactly what the plan makes: this plan (or one that
            // does the same) was applied.
            let now = crate::diff::diff(&self.desired, live);
            if now.changes.is_empty() && !self.plan.changes.is_empty() {
                return Err(SavedPlanError::AlreadyApplied);
            }
            return Err(SavedPlanError::LiveChanged);
        }
        let now = crate::diff::diff(&self.desired, live);
        if now.decisions() != self.plan.decisions() || now.refusals != self.plan.refusals {
            return Err(SavedPlanError::DecisionsChanged);
        }
        Ok(())
    }
}

/// The directory a file is in, as a prefix to join paths to (empty for a bare name, so
/// `plan.json`'s pricing reads `pricing.toml`, not `./pricing.toml`).
fn directory_of(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}
