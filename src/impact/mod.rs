//! Revenue impact: recorded usage priced under two versions of the pricing, through the
//! ledger's exact rules, and compared (`pricectl impact`, and `plan`/`diff --usage FILE`).
//! See docs/impact.md.

mod replay;
mod report;
pub mod sample;
#[cfg(test)]
mod tests;
mod usage;

pub use replay::{CustomerRevenue, ReplayError, Revenue, replay};
pub use report::{ItemMovement, MOVERS_KEPT, Mover, Problem, RevenueImpact, compare};
pub use usage::{UsageError, UsageReader, UsageRecord, read_usage};

use std::path::Path;

use crate::catalog::Catalog;
use crate::ledger::Instant;

/// The revenue impact of going from `old` to `new` on the usage in `usage`, charges counted
/// up to `until` (the last record's time when `None`). The file is streamed once per
/// pricing, both at once.
pub fn revenue_impact(
    old: &Catalog,
    new: &Catalog,
    usage: &Path,
    until: Option<Instant>,
) -> Result<RevenueImpact, ReplayError> {
    let (before, after) = std::thread::scope(|scope| {
        let before = scope.spawn(|| replay(old, read_usage(usage)?, until, true));
        let after = replay(new, read_usage(usage)?, until, true);
        let before = before.join().unwrap_or_else(|_| {
            Err(ReplayError::Ledger(
                "the replay of the old pricing failed".into(),
            ))
        });
        Ok::<_, ReplayError>((before?, after))
    })?;
    let currency = if new.currency.is_empty() {
        &old.currency
    } else {
        &new.currency
    };
    Ok(compare(currency, &before, &after?))
}
