//! Billing systems pricectl reconciles with. One trait, one implementation per system.

mod apply_mode;
mod apply_report;
#[cfg(feature = "autumn")]
pub mod autumn;
pub mod change_shape;
mod choice;
mod error;
pub mod local;
mod progress;

pub use apply_mode::{ApplyMode, UnknownApplyMode};
pub use apply_report::{ApplyReport, ChangeReport, ChangeStatus};
pub use choice::{BackendChoice, DEFAULT_AUTUMN_API_URL};
pub use error::{BackendError, ErrorKind};
pub use progress::{ApplyProgress, NoProgress};

use crate::catalog::Catalog;
use crate::diff::{Plan, Verdict};
use crate::live::LiveState;

/// A billing system: fetch what it holds, apply a plan to it.
///
/// A backend need not be transactional: `apply` reports each change (applied, failed, not
/// attempted) and the reconciler reads the live catalog again afterwards, whatever happened.
pub trait Backend {
    /// Where the live catalog is, for messages (`local store .pricectl/local.db`).
    fn describe(&self) -> String;

    /// What callers may count on: whether an apply is whole, whether it is quick.
    fn capabilities(&self) -> Capabilities;

    /// The live catalog and the facts a diff needs about it.
    fn fetch(&mut self) -> Result<LiveState, BackendError>;

    /// The system's own preview of making `desired` its catalog (from `live`), compared with
    /// `plan`; `None` for a system without one.
    fn preview(
        &mut self,
        _desired: &Catalog,
        _live: &LiveState,
        _plan: &Plan,
    ) -> Result<Option<Verdict>, BackendError> {
        Ok(None)
    }

    /// Told that a fetch will follow, once the pricing is compiled: a system reached over a
    /// network may send its reads now, so they travel while the pricing compiles, and the
    /// next [`Backend::fetch`] waits for them. Nothing is changed; a caller that stops before
    /// the fetch (the pricing does not compile) only drops the backend.
    fn read_ahead(&mut self) {}

    /// Told that a plan of `desired` is about to be made: a fetch, then [`Backend::preview`].
    /// A system whose preview needs only `desired` (unless the live catalog holds what the
    /// preview must be told of) may send it with the fetch's reads, one round trip instead of
    /// two; [`Backend::preview`] still decides what the verdict is of. Nothing is changed.
    fn will_preview(&mut self, _desired: &Catalog) {}

    /// Told that the next apply is of a plan made from the last fetch, or checked against it,
    /// moments ago in this process, with nothing waited for in between (such as a person's
    /// confirmation): a system that reads its live catalog before the first change, to check
    /// each change against it, may check them against that fetch instead. A caller that
    /// cannot say so leaves it unsaid, and the apply reads again.
    fn apply_against_last_fetch(&mut self) {}

    /// Performs the changes of the plan in order, telling `progress` as it goes, and says what
    /// became of each. A backend checks that each object is still what the plan saw (a
    /// `Conflict` otherwise) and stops at the first failure: the changes after it are not
    /// attempted.
    fn apply(&mut self, plan: &Plan, progress: &mut dyn ApplyProgress) -> ApplyReport;

    /// How later applies send their changes, for a system with a request that changes many
    /// objects at once; a backend without one (whose apply is one transaction anyway) ignores
    /// it.
    fn set_apply_mode(&mut self, _mode: ApplyMode) {}
}

/// What a backend guarantees about its applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// An apply takes whole or not at all: after a failure nothing was changed.
    pub atomic: bool,
    /// An apply takes no noticeable time (no network): progress is not worth showing.
    pub instant: bool,
}
