//! Billing systems pricectl reconciles with. One trait, one implementation per system.

pub mod local;

use crate::diff::Plan;
use crate::live::LiveState;

/// A billing system: fetch what it holds, apply a plan to it.
pub trait Backend {
    /// Where the live catalog is, for messages (`local store .pricectl/local.db`).
    fn describe(&self) -> String;

    /// The live catalog and the facts a diff needs about it.
    fn fetch(&mut self) -> Result<LiveState, BackendError>;

    /// Performs every change of the plan, in order. The local backend applies all of them or
    /// none (one transaction).
    fn apply(&mut self, plan: &Plan) -> Result<(), BackendError>;
}

/// A failure talking to a billing system.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the local store `{path}` could not be opened")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the local store `{path}` was written by a newer pricectl (schema version {found}, this build knows up to {known})"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the local store failed")]
    Store(#[from] rusqlite::Error),
    #[error("the local store holds an object pricectl cannot read: {detail}")]
    Corrupt { detail: String },
    #[error("the change to `{address}` cannot be applied: {reason}")]
    Rejected { address: String, reason: String },
    #[error("could not create the directory `{path}` for the local store")]
    CreateDirectory {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
