//! Billing controls in the ledger: usage and spend limits that refuse usage, the auto top-up
//! that `track` buys in its own transaction, and alerts recorded as entries.
//!
//! Which controls apply is read from the customer's active plan versions, which the ledger
//! already holds: a customer whose plans have no control costs `track` no query more.

use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use super::charge::Charge;
use super::clock::{Instant, Period};
use super::entitlement::ActivePlan;
use super::error::LedgerError;
use super::exact;
use super::ledger::{NewEntry, entry, record_charge};
use super::lots::{NewLot, PERIOD_ENDED, ROLLOVER, Source, add_lot, decimal, owed};
use super::model::ChargeRecord;
use super::renewal::{cost_beyond_included, last_boundary};
use crate::catalog::charge::cost_of;
use crate::catalog::{
    Alert, AutoTopUp, Billing, Choice, Currency, Duration, Included, LimitAnchor, Plan, PlanItem,
    PurchaseLimitInterval, UsageLimit, UsageLimitInterval,
};

/// The controls on one usage: of the balance it draws and of the feature it names.
pub struct Controls<'a> {
    /// The first active item of the balance with an auto top-up, on or off, and its
    /// subscription: whether it buys is the customer's switch, else the plan's `enabled`
    /// ([`super::customer_controls::top_up_in_force`]).
    pub top_up: Option<(i64, &'a PlanItem, AutoTopUp)>,
    /// Usage-priced items of the balance with a spend limit, with their plan.
    pub spend_limits: Vec<(&'a Plan, &'a PlanItem)>,
    /// Usage limits on the feature or on the balance, with what they count and the
    /// subscription whose cycle anchors them.
    pub usage_limits: Vec<LimitOn<'a>>,
    /// The alerts of the balance's items, with the item (for percentages of its grant).
    pub alerts: Vec<(&'a PlanItem, Alert)>,
}

/// One usage limit and what it counts.
pub struct LimitOn<'a> {
    /// The feature or credit system limited.
    pub key: &'a str,
    /// Whether it counts credits drawn from a balance (a credit system) or units of a feature.
    pub counts_balance: bool,
    pub limit: UsageLimit,
    pub subscription_id: i64,
}

impl<'a> Controls<'a> {
    /// The controls of the active plans on `feature_id`, which draws `balance_key`.
    pub fn of(active: &[ActivePlan<'a>], feature_id: &str, balance_key: &str) -> Controls<'a> {
        let mut controls = Controls {
            top_up: None,
            spend_limits: Vec::new(),
            usage_limits: Vec::new(),
            alerts: Vec::new(),
        };
        for active_plan in active {
            let plan = active_plan.plan;
            for (key, limit) in &plan.usage_limits {
                if key == feature_id || key == balance_key {
                    controls.usage_limits.push(LimitOn {
                        key,
                        counts_balance: key == balance_key && key != feature_id,
                        limit: *limit,
                        subscription_id: active_plan.subscription_id,
                    });
                }
            }
            let Some(item) = plan.items.get(balance_key) else {
                continue;
            };
            let item_controls = &item.controls;
            if controls.top_up.is_none()
                && let Some(top_up) = item_controls.auto_top_up
            {
                controls.top_up = Some((active_plan.subscription_id, item, top_up));
            }
            if item_controls.spend_limit.is_some()
                && item
                    .price
                    .as_ref()
                    .is_some_and(|price| price.billing == Billing::Usage)
            {
                controls.spend_limits.push((plan, item));
            }
            controls
                .alerts
                .extend(item_controls.alerts.iter().map(|alert| (item, *alert)));
        }
        controls
    }

    pub fn is_empty(&self) -> bool {
        self.top_up.is_none()
            && self.spend_limits.is_empty()
            && self.usage_limits.is_empty()
            && self.alerts.is_empty()
    }

    /// Refuses usage of `units` of the feature (`amount` of the balance) that a usage limit
    /// does not leave room for; the tightest limit decides.
    pub fn within_usage_limits(
        &self,
        connection: &Connection,
        customer_id: &str,
        units: Decimal,
        amount: Decimal,
        at: Instant,
    ) -> Result<(), LedgerError> {
        for limit in &self.usage_limits {
            let start = window_start(connection, limit, at)?;
            let used = used_since(connection, customer_id, limit, start.0)?;
            let adding = if limit.counts_balance { amount } else { units };
            let total = exact::add(used, adding)?;
            if total > limit.limit.limit {
                return Err(LedgerError::Limited(format!(
                    "the usage limit of `{}` is {} per {} (from {start}): {} used, {} more would pass it",
                    limit.key,
                    limit.limit.limit.normalize(),
                    limit.limit.interval.as_str(),
                    used.normalize(),
                    adding.normalize()
                )));
            }
        }
        Ok(())
    }

    /// Refuses usage that would add `extra_overage` units beyond the balance when the
    /// period's overage would then cost more than a spend limit allows.
    pub fn within_spend_limits(
        &self,
        connection: &Connection,
        customer_id: &str,
        balance_key: &str,
        extra_overage: Decimal,
    ) -> Result<(), LedgerError> {
        if self.spend_limits.is_empty() {
            return Ok(());
        }
        let overage = exact::add(owed(connection, customer_id, balance_key)?, extra_overage)?;
        for (plan, item) in &self.spend_limits {
            let (Some(limit), Some(price)) = (item.controls.spend_limit, &item.price) else {
                continue;
            };
            let cap = limit.cap(plan.price.map(|price| price.amount));
            let included = match item.included {
                Included::Units(units) => units,
                Included::Unlimited => Decimal::ZERO,
            };
            let cost = if overage > Decimal::ZERO {
                cost_beyond_included(price, included, overage)?
            } else {
                Decimal::ZERO
            };
            if cost > cap {
                return Err(LedgerError::Limited(format!(
                    "the spend limit of `{balance_key}` in plan `{}` is {} of overage per billing period: {} units beyond the balance would cost {}",
                    plan.id,
                    cap.normalize(),
                    overage.normalize(),
                    cost.normalize()
                )));
            }
        }
        Ok(())
    }
}

/// The start of the window a usage limit counts in at `at`.
fn window_start(
    connection: &Connection,
    limit: &LimitOn<'_>,
    at: Instant,
) -> Result<Instant, LedgerError> {
    let period = match limit.limit.interval {
        UsageLimitInterval::Day => Period::Day,
        UsageLimitInterval::Week => Period::Week,
        UsageLimitInterval::Month => Period::Months(1),
        UsageLimitInterval::Year => Period::Months(12),
    };
    let anchor = match limit.limit.anchor {
        LimitAnchor::Calendar => at.calendar_start(period),
        LimitAnchor::BillingCycle => subscription_anchor(connection, limit.subscription_id)?,
    };
    Ok(anchor.add(period, last_boundary(anchor, period, at)))
}

/// Where a subscription's periods are counted from: its renewals' anchor, or its start.
fn subscription_anchor(
    connection: &Connection,
    subscription_id: i64,
) -> Result<Instant, LedgerError> {
    let anchor: i64 = connection
        .prepare_cached(
            "SELECT COALESCE((SELECT MIN(anchor_at) FROM renewals WHERE subscription_id = ?1),
                             (SELECT started_at FROM subscriptions WHERE id = ?1))",
        )?
        .query_row([subscription_id], |row| row.get(0))?;
    Ok(Instant(anchor))
}

/// What a limit counted since `since`: units of its feature, or what was drawn from its
/// balance (credits).
fn used_since(
    connection: &Connection,
    customer_id: &str,
    limit: &LimitOn<'_>,
    since: i64,
) -> Result<Decimal, LedgerError> {
    let mut statement = connection.prepare_cached(
        "SELECT amount, units FROM entries
         WHERE customer_id = ?1 AND kind = 'usage' AND at >= ?2
           AND ((?3 AND balance_key = ?4) OR (NOT ?3 AND feature_id = ?4))",
    )?;
    let rows = statement.query_map(
        params![customer_id, since, limit.counts_balance, limit.key],
        |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)),
    )?;
    let mut used = Decimal::ZERO;
    for row in rows {
        let (amount, units) = row?;
        let counted = if limit.counts_balance {
            -decimal(&amount)?
        } else {
            units
                .as_deref()
                .map(decimal)
                .transpose()?
                .unwrap_or_default()
        };
        used = exact::add(used, counted)?;
    }
    Ok(used)
}

/// A purchase the auto top-up made.
pub struct TopUpPurchase {
    pub quantity: Decimal,
    pub charge: ChargeRecord,
}

/// Buys the auto top-up of a balance that `balance_after` left below its threshold, within its
/// purchase limit: at most one purchase per `track`, charged in its transaction.
pub fn top_up_if_due(
    transaction: &Connection,
    currency: &Currency,
    customer_id: &str,
    balance_key: &str,
    top_up: (i64, &PlanItem, AutoTopUp),
    balance_after: Decimal,
    at: Instant,
) -> Result<Option<TopUpPurchase>, LedgerError> {
    let (subscription_id, item, top_up) = top_up;
    if balance_after >= top_up.threshold {
        return Ok(None);
    }
    let Some(price) = item
        .price
        .as_ref()
        .filter(|price| price.billing == Billing::Prepaid)
    else {
        return Ok(None);
    };
    if let Some(limit) = top_up.purchase_limit {
        let period = match limit.interval {
            PurchaseLimitInterval::Hour => Period::Hour,
            PurchaseLimitInterval::Day => Period::Day,
            PurchaseLimitInterval::Week => Period::Week,
            PurchaseLimitInterval::Month => Period::Months(1),
        };
        let since = at.add(period, -1);
        let made: u32 = transaction
            .prepare_cached(
                "SELECT COUNT(*) FROM entries WHERE customer_id = ?1 AND kind = 'top_up' AND balance_key = ?2 AND at > ?3",
            )?
            .query_row(params![customer_id, balance_key, since.0], |row| row.get(0))?;
        if made >= limit.limit {
            return Ok(None);
        }
    }
    let quantity = top_up.quantity;
    let exact_cost = cost_of(&price.rate, price.per, quantity)
        .ok_or_else(|| LedgerError::Amount("an auto top-up charge overflows".into()))?;
    let charge = Charge::new(
        currency,
        vec![(
            format!(
                "{balance_key} × {}: auto top-up below {}",
                quantity.normalize(),
                top_up.threshold.normalize()
            ),
            exact_cost,
        )],
    );
    record_charge(
        transaction,
        customer_id,
        at.0,
        Some(subscription_id),
        &charge,
    )?;
    add_lot(
        transaction,
        &NewLot {
            customer_id,
            balance_key,
            // The customer's, whoever drew: billing controls are the customer's (Autumn keeps
            // them on the customer, `billing_controls`), so what they buy is too.
            entity_id: None,
            source: Source::Purchased,
            amount: quantity,
            starts_at: at.0,
            expires_at: purchase_expiry(item, at, None),
            subscription_id: Some(subscription_id),
            reason: Some("auto top-up"),
        },
    )?;
    entry(
        transaction,
        &NewEntry {
            customer_id,
            at: at.0,
            kind: "top_up",
            balance_key,
            amount: quantity,
            feature_id: None,
            units: None,
            reason: Some("the balance fell below the auto top-up threshold"),
            subscription_id: Some(subscription_id),
            idempotency_key: None,
            entity_id: None,
        },
    )?;
    Ok(Some(TopUpPurchase {
        quantity,
        charge: ChargeRecord::from(charge),
    }))
}

/// When units of `item` bought at `at` expire: after the item's `expires_after`, or at the end
/// of the price period (`period_end`), whichever comes first; never for a one-off purchase
/// without `expires_after`.
pub fn purchase_expiry(item: &PlanItem, at: Instant, period_end: Option<Instant>) -> Option<i64> {
    let after = item.controls.expires_after.map(|duration| match duration {
        Duration::Days(days) => at.add(Period::Day, i64::from(days)),
        Duration::Months(months) => at.add(Period::Months(i64::from(months)), 1),
    });
    match (after, period_end) {
        (Some(after), Some(end)) => Some(after.0.min(end.0)),
        (Some(only), None) | (None, Some(only)) => Some(only.0),
        (None, None) => None,
    }
}

/// Records, as `alert` entries, the alerts whose threshold the balance crossed going from
/// `before` to `after` (once per crossing: a balance that stays past a threshold crosses it
/// no more).
pub fn record_alerts(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    alerts: &[(&PlanItem, Alert)],
    before: Decimal,
    after: Decimal,
    at: Instant,
) -> Result<(), LedgerError> {
    for (item, alert) in alerts {
        let granted = granted(transaction, customer_id, balance_key, item, at)?;
        let crossed = match *alert {
            Alert::Remaining(threshold) => before > threshold && after <= threshold,
            Alert::RemainingPercent(percent) => {
                let threshold = percent_of(granted, percent)?;
                before > threshold && after <= threshold
            }
            Alert::Usage(threshold) => {
                let (used_before, used_after) = (granted - before, granted - after);
                used_before < threshold && used_after >= threshold
            }
            Alert::UsagePercent(percent) => {
                let threshold = percent_of(granted, percent)?;
                let (used_before, used_after) = (granted - before, granted - after);
                used_before < threshold && used_after >= threshold
            }
        };
        if crossed {
            let reason = format!(
                "alert: {} {} crossed ({} left)",
                alert.kind(),
                alert.threshold().normalize(),
                after.normalize()
            );
            entry(
                transaction,
                &NewEntry {
                    customer_id,
                    at: at.0,
                    kind: "alert",
                    balance_key,
                    amount: Decimal::ZERO,
                    feature_id: None,
                    units: None,
                    reason: Some(&reason),
                    subscription_id: None,
                    idempotency_key: None,
                    entity_id: None,
                },
            )?;
        }
    }
    Ok(())
}

fn percent_of(value: Decimal, percent: Decimal) -> Result<Decimal, LedgerError> {
    exact::mul(value, percent)?
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or_else(|| LedgerError::Amount("an alert threshold overflows".into()))
}

/// What the balance was granted and still holds in force: the `granted` of its lots in force
/// (the grant usage is counted against), at least the item's included units.
fn granted(
    connection: &Connection,
    customer_id: &str,
    balance_key: &str,
    item: &PlanItem,
    at: Instant,
) -> Result<Decimal, LedgerError> {
    let mut statement = connection.prepare_cached(
        "SELECT granted FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND starts_at <= ?3
           AND (expires_at IS NULL OR expires_at > ?3) AND source NOT IN ('overdraft', 'in_use')
           AND (remaining != '0' OR expires_at IS NOT NULL)",
    )?;
    let rows = statement.query_map(params![customer_id, balance_key, at.0], |row| {
        row.get::<_, String>(0)
    })?;
    let mut total = Decimal::ZERO;
    for row in rows {
        total = exact::add(total, decimal(&row?)?)?;
    }
    let included = match item.included {
        Included::Units(units) => units,
        Included::Unlimited => Decimal::ZERO,
    };
    Ok(total.max(included))
}

/// Why `check` says no to `units` of a feature (`amount` of a balance holding `balance`)
/// that its limits would refuse, if they would.
#[expect(
    clippy::too_many_arguments,
    reason = "the facts of one check, each needed once"
)]
pub fn refused_by_limits(
    connection: &Connection,
    controls: &Controls<'_>,
    customer_id: &str,
    balance_key: &str,
    units: Decimal,
    amount: Decimal,
    balance: Decimal,
    at: Instant,
) -> Result<Option<String>, LedgerError> {
    match controls.within_usage_limits(connection, customer_id, units, amount, at) {
        Err(LedgerError::Limited(reason)) => return Ok(Some(reason)),
        Err(other) => return Err(other),
        Ok(()) => {}
    }
    // What the usage would add to the overage: the part the balance does not cover.
    let extra = exact::sub(amount, balance.max(Decimal::ZERO))?.max(Decimal::ZERO);
    match controls.within_spend_limits(connection, customer_id, balance_key, extra) {
        Err(LedgerError::Limited(reason)) => Ok(Some(reason)),
        Err(other) => Err(other),
        Ok(()) => Ok(None),
    }
}

/// The units of `item_id` left at `boundary` that roll over, by holder (the customer, `None`,
/// or each entity of an item held per entity, whose balance rolls over into its own lot): what
/// the subscription's lots of the ending period held when they expired there, at most the
/// rollover's `max` less what the holder's earlier rollovers still hold.
pub fn rollover_due(
    connection: &Connection,
    customer_id: &str,
    subscription_id: i64,
    item_id: &str,
    item: &PlanItem,
    boundary: i64,
) -> Result<Vec<(Option<String>, Decimal)>, LedgerError> {
    let Some(rollover) = item.controls.rollover else {
        return Ok(Vec::new());
    };
    let by_holder =
        |sql: &str, reason: &str| -> Result<Vec<(Option<String>, Decimal)>, LedgerError> {
            let mut statement = connection.prepare_cached(sql)?;
            let rows = statement.query_map(
                params![customer_id, item_id, subscription_id, boundary, reason],
                |row| Ok((row.get::<_, Option<String>>(0)?, row.get::<_, String>(1)?)),
            )?;
            let mut totals: Vec<(Option<String>, Decimal)> = Vec::new();
            for row in rows {
                let (holder, amount) = row?;
                let amount = decimal(&amount)?;
                match totals.iter_mut().find(|(known, _)| *known == holder) {
                    Some((_, total)) => *total = exact::add(*total, amount)?,
                    None => totals.push((holder, amount)),
                }
            }
            totals.sort();
            Ok(totals)
        };
    // What the period's lots held when they expired at this boundary (their expiry may have
    // been written by another renewal of the same boundary already), rolled-over units aside.
    let left = by_holder(
        "SELECT entity_id, amount FROM entries WHERE customer_id = ?1 AND balance_key = ?2 AND subscription_id = ?3
           AND kind = 'expire' AND at = ?4 AND reason = ?5",
        PERIOD_ENDED,
    )?;
    let held = match rollover.max {
        Some(_) => by_holder(
            "SELECT entity_id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND subscription_id = ?3
               AND reason = ?5 AND (expires_at IS NULL OR expires_at > ?4) AND remaining != '0'",
            ROLLOVER,
        )?,
        None => Vec::new(),
    };
    let mut due = Vec::new();
    for (holder, expired) in left {
        let mut carried = -expired;
        if let Some(max) = rollover.max {
            let still_held = held
                .iter()
                .find(|(known, _)| *known == holder)
                .map_or(Decimal::ZERO, |(_, units)| *units);
            carried = carried.min(exact::sub(max, still_held)?.max(Decimal::ZERO));
        }
        if carried > Decimal::ZERO {
            due.push((holder, carried));
        }
    }
    Ok(due)
}

/// Grants `carried` units rolled over at `boundary` to `holder` (the customer for `None`),
/// expiring the rollover's `months` later.
pub fn grant_rollover(
    transaction: &Connection,
    (customer_id, subscription_id): (&str, i64),
    (item_id, item): (&str, &PlanItem),
    holder: Option<&str>,
    carried: Decimal,
    boundary: Instant,
) -> Result<(), LedgerError> {
    let months = item.controls.rollover.and_then(|rollover| rollover.months);
    add_lot(
        transaction,
        &NewLot {
            customer_id,
            balance_key: item_id,
            entity_id: holder,
            source: Source::Included,
            amount: carried,
            starts_at: boundary.0,
            expires_at: months.map(|months| boundary.add(Period::Months(i64::from(months)), 1).0),
            subscription_id: Some(subscription_id),
            reason: Some(ROLLOVER),
        },
    )?;
    entry(
        transaction,
        &NewEntry {
            customer_id,
            at: boundary.0,
            kind: "rollover",
            balance_key: item_id,
            amount: carried,
            feature_id: None,
            units: None,
            reason: Some("included units left at the end of the period, rolled over"),
            subscription_id: Some(subscription_id),
            idempotency_key: None,
            entity_id: holder,
        },
    )
}
