//! The revenue impact of a pricing change: two replays of the same usage compared, in total,
//! per customer and per item.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::replay::Revenue;
use crate::diff::percent::change_percent;

/// How many movers a report keeps (largest first); the counts cover every customer.
pub const MOVERS_KEPT: usize = 100;

/// What the new pricing would have charged for the recorded usage, against the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueImpact {
    pub currency: String,
    /// The window replayed: the first record and the time charges were counted up to (RFC
    /// 3339).
    pub from: Option<String>,
    pub until: Option<String>,
    /// Records read (usage and subscriptions).
    pub records: u64,
    pub customers: u64,
    #[serde(with = "crate::catalog::decimal")]
    pub total_before: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub total_after: Decimal,
    /// The change in percent, one decimal; `null` when the old total is zero.
    #[serde(with = "crate::diff::percent::one_decimal")]
    pub change_percent: Option<Decimal>,
    pub paying_more: u64,
    pub paying_less: u64,
    pub paying_same: u64,
    /// Customers paying more than 10%, 25%, 50% more (one who paid nothing and now pays
    /// counts in each).
    pub more_than_10_percent: u64,
    pub more_than_25_percent: u64,
    pub more_than_50_percent: u64,
    /// Customers the new pricing prices on the version of their plan they stay on: the
    /// change makes a new version, and they are grandfathered.
    pub grandfathered: u64,
    /// Whether customers were priced on the new version of their plan, as if moved to it
    /// (`--move-customers`), rather than as the reconciler leaves them.
    pub customers_moved: bool,
    /// The customers whose bill moves most, largest change first (at most [`MOVERS_KEPT`]).
    pub movers: Vec<Mover>,
    /// Where the money moved: per item (a feature or credit system, or `base price`), the
    /// largest change first.
    pub items: Vec<ItemMovement>,
    /// Customers some usage of whom a pricing could not price (a plan or feature it lacks),
    /// first few; `problem_count` counts them all.
    pub problems: Vec<Problem>,
    pub problem_count: u64,
}

/// One customer's bill, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mover {
    pub customer: String,
    pub plan: Option<String>,
    #[serde(with = "crate::catalog::decimal")]
    pub before: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub after: Decimal,
    #[serde(with = "crate::diff::percent::one_decimal")]
    pub change_percent: Option<Decimal>,
}

/// The money of one item, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemMovement {
    pub item: String,
    #[serde(with = "crate::catalog::decimal")]
    pub before: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub after: Decimal,
}

/// What one pricing could not price for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub customer: String,
    /// `old` or `new`.
    pub pricing: String,
    pub message: String,
}

const PROBLEMS_KEPT: usize = 20;

/// Compares the two replays of one usage stream.
pub fn compare(currency: &str, old: &Revenue, new: &Revenue) -> RevenueImpact {
    let mut impact = RevenueImpact {
        currency: currency.to_string(),
        from: old.from.or(new.from).map(|at| at.to_string()),
        until: old.until.or(new.until).map(|at| at.to_string()),
        records: old.events.max(new.events),
        customers: 0,
        total_before: Decimal::ZERO,
        total_after: Decimal::ZERO,
        change_percent: None,
        paying_more: 0,
        paying_less: 0,
        paying_same: 0,
        more_than_10_percent: 0,
        more_than_25_percent: 0,
        more_than_50_percent: 0,
        grandfathered: 0,
        customers_moved: false,
        movers: Vec::new(),
        items: Vec::new(),
        problems: Vec::new(),
        problem_count: 0,
    };
    let empty = super::replay::CustomerRevenue::default();
    let ids: std::collections::BTreeSet<&String> =
        old.customers.keys().chain(new.customers.keys()).collect();
    let mut items: std::collections::BTreeMap<String, (Decimal, Decimal)> =
        std::collections::BTreeMap::new();
    let mut movers = Vec::new();
    for id in ids {
        let before = old.customers.get(id).unwrap_or(&empty);
        let after = new.customers.get(id).unwrap_or(&empty);
        impact.customers += 1;
        impact.grandfathered += u64::from(after.grandfathered);
        impact.total_before += before.total;
        impact.total_after += after.total;
        match after.total.cmp(&before.total) {
            std::cmp::Ordering::Greater => impact.paying_more += 1,
            std::cmp::Ordering::Less => impact.paying_less += 1,
            std::cmp::Ordering::Equal => impact.paying_same += 1,
        }
        let rise = after.total - before.total;
        for (threshold, count) in [
            (10, &mut impact.more_than_10_percent),
            (25, &mut impact.more_than_25_percent),
            (50, &mut impact.more_than_50_percent),
        ] {
            if rise > Decimal::ZERO
                && rise * Decimal::ONE_HUNDRED > before.total * Decimal::from(threshold)
            {
                *count += 1;
            }
        }
        for (item, amount) in &before.by_item {
            items.entry(item.clone()).or_default().0 += amount;
        }
        for (item, amount) in &after.by_item {
            items.entry(item.clone()).or_default().1 += amount;
        }
        for (pricing, side) in [("old", before), ("new", after)] {
            if let Some(message) = &side.problem {
                impact.problem_count += 1;
                if impact.problems.len() < PROBLEMS_KEPT {
                    impact.problems.push(Problem {
                        customer: id.clone(),
                        pricing: pricing.into(),
                        message: message.clone(),
                    });
                }
            }
        }
        if !rise.is_zero() {
            movers.push(Mover {
                customer: id.clone(),
                plan: after.plan.clone().or_else(|| before.plan.clone()),
                before: before.total,
                after: after.total,
                change_percent: change_percent(before.total, after.total),
            });
        }
    }
    movers.sort_by(|left, right| {
        (right.after - right.before)
            .abs()
            .cmp(&(left.after - left.before).abs())
            .then_with(|| left.customer.cmp(&right.customer))
    });
    movers.truncate(MOVERS_KEPT);
    impact.movers = movers;
    let mut items: Vec<ItemMovement> = items
        .into_iter()
        .filter(|(_, (before, after))| !before.is_zero() || !after.is_zero())
        .map(|(item, (before, after))| ItemMovement {
            item,
            before,
            after,
        })
        .collect();
    items.sort_by(|left, right| {
        (right.after - right.before)
            .abs()
            .cmp(&(left.after - left.before).abs())
            .then_with(|| left.item.cmp(&right.item))
    });
    impact.items = items;
    impact.change_percent = change_percent(impact.total_before, impact.total_after);
    impact
}
