//! Changing plans within a group: which way a change goes, the credit for the unused part of
//! the old plan on an upgrade, and downgrades scheduled at the end of the old plan's period.
//! See docs/ledger.md, "Plan changes".

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use super::attach::subscription_quantities;
use super::clock::{Instant, Period};
use super::error::LedgerError;
use super::lots::decimal;
use super::renewal::{Adjustment, PaidQuantity, Renewal};
use crate::catalog::charge::cost_of;
use crate::catalog::{Billing, Plan, PriceInterval, Rate};

/// Which way a plan change goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Takes effect at once, with a credit for the unused part of the old plan.
    Upgrade,
    /// Takes effect at the end of the old plan's period.
    Downgrade,
}

/// One price of a plan, as the comparison reads it.
struct Price {
    amount: Decimal,
    interval: PriceInterval,
    /// Billed in arrears for usage (Autumn's consumable prices).
    usage: bool,
}

fn prices(plan: &Plan) -> Vec<Price> {
    let mut prices: Vec<Price> = plan
        .price
        .iter()
        .map(|price| Price {
            amount: price.amount,
            interval: price.interval,
            usage: false,
        })
        .collect();
    for item in plan.items.values() {
        if let Some(price) = &item.price {
            let amount = match &price.rate {
                Rate::Flat { amount } => *amount,
                Rate::Tiered { tiers, .. } => {
                    tiers.first().map_or(Decimal::ZERO, |tier| tier.amount)
                }
            };
            prices.push(Price {
                amount,
                interval: price.interval,
                usage: price.billing == Billing::Usage,
            });
        }
    }
    prices
}

/// Months in an interval, as Autumn normalises prices (`intervalToValue`: a week is a quarter
/// of a month, one-off is 0).
fn months(interval: PriceInterval) -> Decimal {
    match interval {
        PriceInterval::OneOff => Decimal::ZERO,
        PriceInterval::Week => Decimal::new(25, 2),
        PriceInterval::Month => Decimal::ONE,
        PriceInterval::Quarter => Decimal::from(3),
        PriceInterval::SemiAnnual => Decimal::from(6),
        PriceInterval::Year => Decimal::from(12),
    }
}

/// Autumn's `isProductUpgrade` (shared/utils/productUtils/isProductUpgrade.ts), in its order:
/// free to paid is an upgrade and paid to free a downgrade; a one-off plan on either side is an
/// upgrade; two plans priced only by usage are an upgrade; a longer largest billing interval is
/// an upgrade; otherwise the monthly sum of the prices that are not usage (first tier for tiered
/// ones) decides, the new plan costing as much or more being an upgrade.
pub fn direction(old: &Plan, new: &Plan) -> Direction {
    let (old_prices, new_prices) = (prices(old), prices(new));
    let free = |prices: &[Price]| prices.iter().all(|price| price.amount.is_zero());
    let one_off = |prices: &[Price]| {
        prices
            .iter()
            .all(|price| price.interval == PriceInterval::OneOff)
            && prices.iter().any(|price| price.amount > Decimal::ZERO)
    };
    let upgrade = match (free(&old_prices), free(&new_prices)) {
        (true, false) => true,
        (false, true) => false,
        _ if one_off(&old_prices) || one_off(&new_prices) => true,
        _ if old_prices.iter().all(|price| price.usage)
            && new_prices.iter().all(|price| price.usage) =>
        {
            true
        }
        _ => {
            let largest =
                |prices: &[Price]| prices.iter().map(|price| months(price.interval)).max();
            if let (Some(old_largest), Some(new_largest)) =
                (largest(&old_prices), largest(&new_prices))
                && new_largest > old_largest
            {
                true
            } else {
                let monthly = |prices: &[Price]| -> Decimal {
                    prices
                        .iter()
                        .filter(|price| !price.usage)
                        .map(|price| {
                            let months = months(price.interval);
                            if months.is_zero() {
                                price.amount
                            } else {
                                price.amount.checked_div(months).unwrap_or(Decimal::MAX)
                            }
                        })
                        .fold(Decimal::ZERO, |total, amount| {
                            total.checked_add(amount).unwrap_or(Decimal::MAX)
                        })
                };
                monthly(&old_prices) <= monthly(&new_prices)
            }
        }
    };
    if upgrade {
        Direction::Upgrade
    } else {
        Direction::Downgrade
    }
}

/// What an upgrade reads of the subscription it replaces.
pub struct Standing {
    /// Credits for the unused part of what was paid in advance (negative line items), and what
    /// quantity changes left for the next invoice.
    pub credits: Vec<Credit>,
    /// The anchor of its base price's periods, when it is paid and past any trial: a new plan
    /// with a recurring base price keeps the cycle.
    pub cycle: Option<Instant>,
}

/// One credit of an upgrade.
pub struct Credit {
    /// The prepaid item credited; `None` for the base price and left-over adjustments.
    pub item: Option<String>,
    /// What was paid for (`seats × 5`).
    pub what: String,
    /// The unused part (negative), and the line's description.
    pub description: String,
    pub amount: Decimal,
    /// The whole period's price (positive).
    pub full: Decimal,
}

/// The unused part of a subscription's in-advance prices at `now`: the base price and recurring
/// prepaid quantities, each its share of the period still to come (nothing during a free trial,
/// which was not paid for; nothing for one-off prices).
pub fn standing(
    transaction: &Connection,
    plan: &Plan,
    subscription_id: i64,
    now: Instant,
) -> Result<Standing, LedgerError> {
    let quantities = subscription_quantities(transaction, subscription_id)?;
    let mut statement = transaction.prepare_cached(
        "SELECT item, next_at, anchor_at, periods FROM renewals WHERE subscription_id = ?1",
    )?;
    let renewals: Vec<(String, i64, i64, i64)> = statement
        .query_map([subscription_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut standing = Standing {
        credits: Vec::new(),
        cycle: None,
    };
    // What quantity changes left for the next invoice is billed now (the upgrade is that
    // invoice); a quantity changed without being billed is credited as what was paid for.
    let mut paid = BTreeMap::new();
    for (key, ..) in &renewals {
        match Renewal::parse(key) {
            Some((Renewal::Adjust, spec)) => {
                for line in Adjustment::parse(spec)?.lines {
                    standing.credits.push(Credit {
                        item: None,
                        what: line.description.clone(),
                        description: line.description,
                        amount: line.amount,
                        full: line.amount,
                    });
                }
            }
            Some((Renewal::Paid, spec)) => {
                let row: PaidQuantity = serde_json::from_str(spec)
                    .map_err(|error| LedgerError::Corrupt(format!("`{key}`: {error}")))?;
                paid.insert(row.item, row.quantity);
            }
            _ => {}
        }
    }
    for (key, next_at, anchor_at, periods) in renewals {
        // Boundary 0 is a trial's end: nothing of this period was paid.
        if periods < 1 {
            continue;
        }
        let (amount, interval, description, item) = if key == Renewal::Base.key("") {
            let Some(price) = plan.price else { continue };
            standing.cycle = Some(Instant(anchor_at));
            (
                price.amount,
                price.interval,
                format!("{}: base price", plan.name),
                None,
            )
        } else if let Some(item_id) = key.strip_prefix("prepaid:") {
            let (Some(price), Some(quantity)) = (
                plan.items.get(item_id).and_then(|item| item.price.as_ref()),
                quantities.get(item_id),
            ) else {
                continue;
            };
            let quantity = match paid.get(item_id) {
                Some(paid) => *paid,
                None => decimal(quantity)?,
            };
            if quantity.is_zero() {
                continue;
            }
            let cost = cost_of(&price.rate, price.per, quantity)
                .ok_or_else(|| LedgerError::Amount("the credit overflows".into()))?;
            (
                cost,
                price.interval,
                format!("{item_id} × {}", quantity.normalize()),
                Some(item_id.to_string()),
            )
        } else {
            continue;
        };
        let Some(period) = Period::of_price(interval) else {
            continue;
        };
        let start = Instant(anchor_at).add(period, periods - 1);
        let unused = Decimal::from(next_at - now.0) / Decimal::from((next_at - start.0).max(1));
        let credit = amount
            .checked_mul(unused)
            .ok_or_else(|| LedgerError::Amount("the credit overflows".into()))?;
        if !credit.is_zero() {
            standing.credits.push(Credit {
                item,
                description: format!("{description}: unused time until {}", Instant(next_at)),
                what: description,
                amount: -credit,
                full: amount,
            });
        }
    }
    Ok(standing)
}

/// When a subscription's current period ends: its next in-advance or usage boundary (a base
/// price, a prepaid renewal, a usage bill), else its next boundary of any kind; `None` when
/// nothing of it recurs.
pub fn period_end(
    transaction: &Connection,
    subscription_id: i64,
) -> Result<Option<Instant>, LedgerError> {
    let ends: (Option<i64>, Option<i64>) = transaction.query_row(
        "SELECT MIN(CASE WHEN item = 'base' OR item LIKE 'prepaid:%' OR item LIKE 'usage:%' THEN next_at END),
                MIN(CASE WHEN item NOT LIKE 'switch:%' THEN next_at END)
         FROM renewals WHERE subscription_id = ?1",
        [subscription_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(ends.0.or(ends.1).map(Instant))
}

/// A downgrade waiting for the end of the old plan's period, as stored in the old
/// subscription's renewals (`switch:` and this as JSON).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ScheduledSwitch {
    pub plan: String,
    pub version: u32,
    #[serde(with = "crate::catalog::decimal::map")]
    pub quantities: BTreeMap<String, Decimal>,
}

impl ScheduledSwitch {
    pub fn parse(spec: &str) -> Result<ScheduledSwitch, LedgerError> {
        serde_json::from_str(spec)
            .map_err(|error| LedgerError::Corrupt(format!("switch `{spec}`: {error}")))
    }
}

/// Schedules a downgrade at `at`, replacing any switch already scheduled.
pub fn schedule_switch(
    transaction: &Connection,
    subscription_id: i64,
    plan_id: &str,
    version: u32,
    quantities: &BTreeMap<String, Decimal>,
    at: Instant,
) -> Result<(), LedgerError> {
    transaction.execute(
        "DELETE FROM renewals WHERE subscription_id = ?1 AND item LIKE 'switch:%'",
        [subscription_id],
    )?;
    let spec = serde_json::to_string(&ScheduledSwitch {
        plan: plan_id.to_string(),
        version,
        quantities: quantities.clone(),
    })
    .map_err(|error| LedgerError::Corrupt(error.to_string()))?;
    transaction.execute(
        "INSERT INTO renewals (subscription_id, item, next_at, customer_id, anchor_at, periods)
         SELECT ?1, ?2, ?3, customer_id, ?3, 1 FROM subscriptions WHERE id = ?1",
        params![subscription_id, Renewal::Switch.key(&spec), at.0],
    )?;
    Ok(())
}
