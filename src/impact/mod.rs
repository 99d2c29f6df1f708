//! Revenue impact: recorded usage priced under two versions of the pricing, through the
//! ledger's exact rules, and compared (`pricectl impact`, and `plan`/`diff --usage FILE` or
//! `--from-ledger`). See docs/impact.md.

mod ledger_usage;
mod replay;
mod report;
pub mod sample;
#[cfg(test)]
mod tests;
mod usage;
mod versions;

pub use ledger_usage::{LedgerUsage, ledger_usage};
pub use replay::{CustomerRevenue, ReplayError, Revenue, Window, replay};
pub use report::{ItemMovement, MOVERS_KEPT, Mover, Problem, RevenueImpact, compare};
pub use usage::{UsageError, UsageFormat, UsageReader, UsageRecord, read_usage};
pub use versions::{LiveVersions, PricedCatalog};

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::catalog::Catalog;
use crate::store::{Access, Store};

/// Where recorded usage comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageSource {
    /// A usage file: JSON Lines, or CSV (`.csv`).
    File(PathBuf),
    /// The local ledger in the store at this path: its customers' subscriptions and tracked
    /// events.
    Ledger(PathBuf),
}

impl UsageSource {
    /// The records, one at a time (a ledger's up to `window.until`).
    pub fn records(
        &self,
        window: Window,
    ) -> Result<Box<dyn Iterator<Item = Result<UsageRecord, UsageError>> + Send>, UsageError> {
        Ok(match self {
            UsageSource::File(path) => Box::new(read_usage(path)?),
            UsageSource::Ledger(path) => {
                let store = Store::open(path, Access::Read).map_err(|error| UsageError {
                    path: path.display().to_string(),
                    line: 0,
                    message: error.to_string(),
                })?;
                Box::new(ledger_usage(store, window.until)?)
            }
        })
    }
}

/// How the usage is priced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImpactOptions {
    pub window: Window,
    /// Price customers the new pricing would grandfather on its new version, as if moved.
    pub move_customers: bool,
    /// Plans the plan changes in place although what they charge changes (no customer on
    /// their current version live): their customers get the change.
    pub in_place: BTreeSet<String>,
}

/// The revenue impact of going from `old` to `new` on `usage`. `live` names the versions the
/// live system holds (customers on an older one are priced on it). The usage is streamed
/// once per pricing, both at once.
pub fn revenue_impact(
    old: &Catalog,
    new: &Catalog,
    live: Option<&LiveVersions>,
    usage: &UsageSource,
    options: &ImpactOptions,
) -> Result<RevenueImpact, ReplayError> {
    let before_pricing = PricedCatalog::old(old, live);
    let after_pricing =
        PricedCatalog::new(old, live, new, options.move_customers, &options.in_place);
    let window = options.window;
    let (before, after) = std::thread::scope(|scope| {
        let before = scope.spawn(|| replay(&before_pricing, usage.records(window)?, window, true));
        let after = replay(&after_pricing, usage.records(window)?, window, true);
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
    let mut impact = compare(currency, &before, &after?);
    impact.customers_moved = options.move_customers;
    Ok(impact)
}
