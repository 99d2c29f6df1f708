use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::diff::{PLAN_FORMAT_VERSION, Plan};
use crate::live::fingerprint;

/// A plan saved by `pricectl plan --out FILE`, to be applied later by `pricectl apply FILE`.
///
/// It records where the pricing and the store were, and (in the plan) the fingerprints of
/// both, so an apply refuses when either has moved since. It holds no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub pricectl_version: String,
    /// The pricing file or directory the plan was made from, as given to `plan`.
    pub pricing: PathBuf,
    /// The local store the plan was made against.
    pub state: PathBuf,
    /// The catalog the plan makes live.
    pub desired: Catalog,
    pub plan: Plan,
}

/// Why a saved plan cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("could not read the saved plan `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not a pricectl plan: {detail}", path.display())]
    Malformed { path: PathBuf, detail: String },
    #[error("`{}` was made by pricectl {made_by} in plan format {found}; this pricectl reads format {PLAN_FORMAT_VERSION}", path.display())]
    Incompatible {
        path: PathBuf,
        made_by: String,
        found: u32,
    },
    #[error("the pricing changed since the plan was made")]
    PricingChanged,
    #[error("the live catalog changed since the plan was made")]
    LiveChanged,
    #[error("customers moved since the plan was made, and the plan would now be different")]
    DecisionsChanged,
}

impl SavedPlan {
    pub fn new(pricing: PathBuf, state: PathBuf, desired: Catalog, plan: Plan) -> SavedPlan {
        SavedPlan {
            format_version: PLAN_FORMAT_VERSION,
            pricectl_version: env!("CARGO_PKG_VERSION").to_string(),
            pricing,
            state,
            desired,
            plan,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a plan always serializes");
        text.push('\n');
        text
    }

    /// Reads a saved plan, refusing one of another format.
    pub fn read(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| SavedPlanError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|error| SavedPlanError::Malformed {
                path: path.to_path_buf(),
                detail: error.to_string(),
            })?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .and_then(|version| u32::try_from(version).ok());
        let Some(found) = found else {
            return Err(SavedPlanError::Malformed {
                path: path.to_path_buf(),
                detail: "it has no `format_version`".into(),
            });
        };
        if found != PLAN_FORMAT_VERSION {
            let made_by = value
                .get("pricectl_version")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("(unknown)")
                .to_string();
            return Err(SavedPlanError::Incompatible {
                path: path.to_path_buf(),
                made_by,
                found,
            });
        }
        serde_json::from_value(value).map_err(|error| SavedPlanError::Malformed {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })
    }

    /// Refuses when the pricing compiles to another catalog than the one planned.
    pub fn check_pricing(&self, current: &Catalog) -> Result<(), SavedPlanError> {
        if fingerprint(current) != self.plan.fingerprints.pricing || *current != self.desired {
            return Err(SavedPlanError::PricingChanged);
        }
        Ok(())
    }

    /// Refuses when the live catalog is not the one planned against, or when what customers
    /// did since would change the plan (a plan that gained customers versions instead of
    /// changing in place).
    pub fn check_live(&self, live: &crate::live::LiveState) -> Result<(), SavedPlanError> {
        if live.catalog_fingerprint() != self.plan.fingerprints.live {
            return Err(SavedPlanError::LiveChanged);
        }
        let now = crate::diff::diff(&self.desired, live);
        if decisions(&now.changes) != decisions(&self.plan.changes)
            || now.refusals != self.plan.refusals
        {
            return Err(SavedPlanError::DecisionsChanged);
        }
        Ok(())
    }
}

/// What a plan does, without the words and counts that only explain it.
fn decisions(changes: &[crate::diff::Change]) -> Vec<crate::diff::Change> {
    changes
        .iter()
        .map(|change| crate::diff::Change {
            reason: String::new(),
            customers_staying: 0,
            items: decisions(&change.items),
            ..change.clone()
        })
        .collect()
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a file and a failure leaves the old file as it was.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|directory| !directory.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(
        || "output".into(),
        |name| name.to_string_lossy().to_string(),
    );
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
