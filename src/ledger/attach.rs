//! Attaching a plan: subscribing, buying prepaid quantities or an add-on, replacing the plan of
//! the same group, and starting a free trial. See docs/ledger.md, "Attach" and "Free trials".

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use super::catalog::LedgerCatalog;
use super::charge::Charge;
use super::clock::{Instant, Period};
use super::controls::purchase_expiry;
use super::entities::{grant_to, holders};
use super::error::LedgerError;
use super::exact;
use super::journal::{self, Performed};
use super::ledger::{active_subscriptions, record_charge};
use super::lots::{NewLot, Source, decimal, start_afresh, text};
use super::model::{AttachRequest, AttachResult, ChargeRecord};
use super::operation::Operation;
use super::quantity::{defer, set_paid};
use super::renewal::{Renewal, Versions, bill_usage_now, schedule};
use super::switch::{Direction, ScheduledSwitch, direction, period_end, schedule_switch, standing};
use crate::catalog::charge::cost_of;
use crate::catalog::{
    Billing, Included, ItemPrice, OnIncrease, Plan, PlanItem, PrepaidBounds, TrialLength,
    TrialOncePer,
};

/// Where a subscription's periods are counted from. Every boundary of a subscription (its base
/// price, prepaid renewals, usage billing and included resets) is `at + n periods`: after a
/// free trial `at` is the trial's end (boundary 0); without one it is the attach, or the anchor
/// of the plan it replaced when the billing interval stays (an upgrade keeps the cycle).
#[derive(Debug, Clone, Copy)]
pub(super) struct Anchor {
    pub at: Instant,
}

impl Anchor {
    /// The index `n` of the first boundary after `now`: 0 before a trial's end, 1 for a
    /// subscription starting now.
    pub(super) fn first(self, period: Period, now: Instant) -> i64 {
        if self.at > now {
            return 0;
        }
        let mut periods = self.at.periods_until(period, now).max(0);
        while self.at.add(period, periods) <= now {
            periods += 1;
        }
        periods
    }

    /// The boundary ending the period that contains `now`.
    pub(super) fn next(self, period: Period, now: Instant) -> Instant {
        self.at.add(period, self.first(period, now))
    }

    /// The share of the current period of `period` still to come at `now`: 1 for a period
    /// starting now, less when an upgrade joins a cycle already running.
    pub(super) fn remaining_share(self, period: Period, now: Instant) -> Decimal {
        let first = self.first(period, now);
        if first == 0 {
            return Decimal::ONE;
        }
        let (start, end) = (self.at.add(period, first - 1), self.at.add(period, first));
        Decimal::from(end.0 - now.0) / Decimal::from(end.0 - start.0)
    }
}

/// Attaches within a transaction (an attach, or a new customer's default plans), and
/// journals it (see `journal`).
pub(super) fn attach_within(
    transaction: &Connection,
    context: &LedgerCatalog,
    request: &AttachRequest,
    at: Instant,
) -> Result<AttachResult, LedgerError> {
    let entries_before = journal::last_entry(transaction)?;
    let result = attach_unjournaled(transaction, context, request, at)?;
    journal::record(
        transaction,
        &Performed {
            customer_id: &request.customer_id,
            at: at.0,
            entries_before,
            operation: Operation::Attach(AttachRequest {
                idempotency_key: None,
                ..request.clone()
            }),
            version: Some(result.version),
        },
    )?;
    Ok(result)
}

fn attach_unjournaled(
    transaction: &Connection,
    context: &LedgerCatalog,
    request: &AttachRequest,
    at: Instant,
) -> Result<AttachResult, LedgerError> {
    let plan_id = request.plan_id.as_str();
    let plan = context
        .catalog
        .plans
        .get(plan_id)
        .ok_or_else(|| LedgerError::UnknownPlan(plan_id.to_string()))?;
    if plan.archived {
        return Err(LedgerError::ArchivedPlan(plan_id.to_string()));
    }
    let version: u32 = transaction
        .query_row(
            "SELECT current_version FROM plans WHERE id = ?1",
            [plan_id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| LedgerError::UnknownPlan(plan_id.to_string()))?;
    let (currency, versions) = (context.currency, &context.versions);
    let customer_id = request.customer_id.as_str();
    let to_buy = quantities_to_buy(plan, &request.quantities)?;

    let active = active_subscriptions(transaction, customer_id)?;
    // A one-off add-on bought again is added to the row of the first purchase: one active
    // subscription per plan, whatever the number of purchases.
    let rebought = (plan.add_on && !recurs(plan))
        .then(|| active.iter().find(|(_, other, _)| other == plan_id))
        .flatten()
        .map(|(subscription_id, _, _)| *subscription_id);
    let mut replacing = None;
    for (subscription_id, other_id, other_version) in &active {
        if other_id == plan_id && rebought.is_none() {
            return Err(LedgerError::AlreadyAttached {
                customer: customer_id.to_string(),
                plan: plan_id.to_string(),
            });
        }
        let Some(other) = versions.get(&(other_id.clone(), *other_version)) else {
            continue;
        };
        if !plan.add_on && !other.add_on && other.group == plan.group {
            replacing = Some((*subscription_id, other));
        }
    }

    let mut lines = Vec::new();
    let mut deferred = Vec::new();
    let mut kept_anchor = None;
    let mut replaced = Vec::new();
    if let Some((old_id, old)) = replacing {
        if direction(old, plan) == Direction::Downgrade
            && let Some(end) = period_end(transaction, old_id)?
        {
            // A downgrade waits for the end of what was paid for.
            schedule_switch(transaction, old_id, plan_id, version, &to_buy, end)?;
            return Ok(AttachResult {
                customer_id: customer_id.to_string(),
                plan_id: plan_id.to_string(),
                version,
                subscription_id: old_id,
                charge: ChargeRecord::from(Charge::new(currency, Vec::new())),
                replaced: Vec::new(),
                trial_ends_at: None,
                starts_at: Some(end.to_string()),
                balances: Vec::new(),
                replayed: false,
            });
        }
        let standing = standing(transaction, old, old_id, at)?;
        // An upgrade is an increase: a prepaid item's credit follows its `on_increase` (the
        // new plan's item, else the old one's).
        for credit in standing.credits {
            let policy = credit
                .item
                .as_deref()
                .and_then(|item| plan.items.get(item).or_else(|| old.items.get(item)))
                .and_then(|item| item.proration)
                .map_or(OnIncrease::ProrateImmediately, |policy| policy.on_increase);
            match policy {
                OnIncrease::ProrateImmediately => lines.push((credit.description, credit.amount)),
                OnIncrease::BillImmediately => {
                    lines.push((format!("{}: credited", credit.what), -credit.full));
                }
                OnIncrease::ProrateNextCycle => deferred.push((credit.description, credit.amount)),
                OnIncrease::BillNextCycle => {}
            }
        }
        // Paid to paid keeps the billing cycle, whatever the new interval (Autumn anchors an
        // annual plan that replaces a monthly one to the monthly plan's start).
        kept_anchor = standing.cycle.filter(|_| {
            plan.price
                .is_some_and(|price| Period::of_price(price.interval).is_some())
        });
        // What the replaced plan's usage owes is billed now, before its periods end.
        bill_usage_now(transaction, old, currency, customer_id, old_id, at.0)?;
        end_subscription(transaction, old_id, at.0)?;
        replaced.push(old.id.clone());
    }

    // One free trial per customer and plan (Autumn's rule: per plan id, whatever the version),
    // or per customer when the plan's trial says `once_per = "customer"`.
    let trial = match plan.free_trial.filter(|trial| !trial.length.is_empty()) {
        Some(trial)
            if rebought.is_none()
                && !had_trial(transaction, versions, customer_id, plan_id, trial.once_per)? =>
        {
            Some(trial)
        }
        _ => None,
    };
    let anchor = match (trial, kept_anchor) {
        (Some(trial), _) => Anchor {
            at: match trial.length {
                TrialLength::Days(days) => at.add(Period::Day, i64::from(days)),
                TrialLength::Months(months) => at.add(Period::Months(i64::from(months)), 1),
            },
        },
        (None, Some(kept)) => Anchor { at: kept },
        (None, None) => Anchor { at },
    };
    if let Some(trial) = trial {
        lines.push((
            format!(
                "{}: free trial of {}, until {}",
                plan.name, trial.length, anchor.at
            ),
            Decimal::ZERO,
        ));
    }
    let subscription_id = subscribe(
        transaction,
        &Subscription {
            customer_id,
            plan,
            version,
            quantities: &to_buy,
            at,
            anchor,
            in_trial: trial.is_some(),
            rebought,
            upgrade: !replaced.is_empty(),
        },
        &mut lines,
    )?;
    if !deferred.is_empty() {
        // Credits the policy puts on the next invoice: the new subscription's next boundary
        // (now, when nothing of it recurs).
        match period_end(transaction, subscription_id)? {
            Some(end) => defer(transaction, subscription_id, plan_id, at, end, &deferred)?,
            None => lines.extend(deferred),
        }
    }
    let charge = Charge::new(currency, lines);
    record_charge(
        transaction,
        customer_id,
        at.0,
        Some(subscription_id),
        &charge,
    )?;
    Ok(AttachResult {
        customer_id: customer_id.to_string(),
        plan_id: plan_id.to_string(),
        version,
        subscription_id,
        charge: ChargeRecord::from(charge),
        replaced,
        trial_ends_at: trial.map(|_| anchor.at.to_string()),
        starts_at: None,
        balances: Vec::new(),
        replayed: false,
    })
}

/// Performs a downgrade scheduled for `at` (the end of the old plan's period): the old plan's
/// usage is billed and it ends, the new plan starts with its periods counted from `at`.
pub(super) fn switch_at(
    transaction: &Connection,
    versions: &Versions,
    currency: &crate::catalog::Currency,
    old: (&Plan, i64),
    spec: &str,
    customer_id: &str,
    at: Instant,
) -> Result<(), LedgerError> {
    let scheduled = ScheduledSwitch::parse(spec)?;
    let plan = versions
        .get(&(scheduled.plan.clone(), scheduled.version))
        .ok_or_else(|| {
            LedgerError::Corrupt(format!(
                "plan `{}` version {} is missing",
                scheduled.plan, scheduled.version
            ))
        })?;
    let (old_plan, old_id) = old;
    bill_usage_now(transaction, old_plan, currency, customer_id, old_id, at.0)?;
    end_subscription(transaction, old_id, at.0)?;
    let mut lines = Vec::new();
    let subscription_id = subscribe(
        transaction,
        &Subscription {
            customer_id,
            plan,
            version: scheduled.version,
            quantities: &scheduled.quantities,
            at,
            anchor: Anchor { at },
            in_trial: false,
            rebought: None,
            upgrade: false,
        },
        &mut lines,
    )?;
    record_charge(
        transaction,
        customer_id,
        at.0,
        Some(subscription_id),
        &Charge::new(currency, lines),
    )
}

/// A subscription to start (or a one-off add-on bought again).
struct Subscription<'a> {
    customer_id: &'a str,
    plan: &'a Plan,
    version: u32,
    quantities: &'a BTreeMap<String, Decimal>,
    at: Instant,
    anchor: Anchor,
    in_trial: bool,
    rebought: Option<i64>,
    /// It replaces a plan at once (an upgrade): its items' proration policies decide when
    /// their prepaid prices are charged.
    upgrade: bool,
}

/// Records a subscription, grants what it includes and buys, schedules its renewals, and adds
/// the line items charged for it now to `lines`. Returns the subscription's id.
fn subscribe(
    transaction: &Connection,
    subscription: &Subscription<'_>,
    lines: &mut Vec<(String, Decimal)>,
) -> Result<i64, LedgerError> {
    let Subscription {
        customer_id,
        plan,
        version,
        quantities,
        at,
        anchor,
        in_trial,
        rebought,
        upgrade,
    } = *subscription;
    let subscription_id = if let Some(subscription_id) = rebought {
        add_quantities(transaction, subscription_id, quantities)?;
        subscription_id
    } else {
        let stored: BTreeMap<String, String> = quantities
            .iter()
            .map(|(item, quantity)| (item.clone(), text(*quantity)))
            .collect();
        transaction.execute(
            "INSERT INTO subscriptions (customer_id, plan_id, version, started_at, quantities) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![customer_id, plan.id, version, at.0, quantities_json(&stored)],
        )?;
        transaction.last_insert_rowid()
    };
    let start = Start {
        customer_id,
        subscription_id,
        at,
        anchor,
        in_trial,
        upgrade,
    };
    if let Some(price) = &plan.price {
        match Period::of_price(price.interval) {
            Some(period) => {
                if !in_trial {
                    lines.push(start.prorated(
                        format!("{}: base price", plan.name),
                        price.amount,
                        period,
                    )?);
                }
                start.schedule(transaction, Renewal::Base, "", period)?;
            }
            None => lines.push((format!("{}: base price", plan.name), price.amount)),
        }
    }
    for (item_id, item) in &plan.items {
        if item.reset_on_attach {
            start_afresh(transaction, customer_id, item_id, at.0, subscription_id)?;
        }
        lines.extend(start.item(transaction, item_id, item, quantities.get(item_id).copied())?);
    }
    Ok(subscription_id)
}

/// What starts one item of a new subscription with.
struct Start<'a> {
    customer_id: &'a str,
    subscription_id: i64,
    at: Instant,
    anchor: Anchor,
    in_trial: bool,
    /// An upgrade: prepaid prices are charged as their items' `on_increase` says.
    upgrade: bool,
}

impl Start<'_> {
    /// A line for a recurring price paid in advance: in full for a period starting now, its
    /// remaining share when the subscription joins a cycle already running.
    fn prorated(
        &self,
        description: String,
        amount: Decimal,
        period: Period,
    ) -> Result<(String, Decimal), LedgerError> {
        let share = self.anchor.remaining_share(period, self.at);
        if share == Decimal::ONE {
            return Ok((description, amount));
        }
        let end = self.anchor.next(period, self.at);
        let prorated = amount
            .checked_mul(share)
            .ok_or_else(|| LedgerError::Amount("the charge overflows".into()))?;
        Ok((format!("{description}, prorated until {end}"), prorated))
    }

    /// Grants an item's included units and bought quantity, schedules its renewals, and returns
    /// the line items charged for it now.
    fn item(
        &self,
        transaction: &Connection,
        item_id: &str,
        item: &PlanItem,
        quantity: Option<Decimal>,
    ) -> Result<Vec<(String, Decimal)>, LedgerError> {
        // Each entity of an item held per entity is granted what the item grants (Autumn gives
        // every entity the item's starting balance, `initCustomerEntitlementEntities`).
        let holders = holders(transaction, self.customer_id, item)?;
        let grant = |source, kind, amount, expires_at: Option<Instant>| {
            grant_to(
                transaction,
                &holders,
                &NewLot {
                    customer_id: self.customer_id,
                    balance_key: item_id,
                    entity_id: None,
                    source,
                    amount,
                    starts_at: self.at.0,
                    expires_at: expires_at.map(|instant| instant.0),
                    subscription_id: Some(self.subscription_id),
                    reason: None,
                },
                kind,
                None,
            )
        };
        let mut lines = Vec::new();
        if let Included::Units(units) = item.included
            && units > Decimal::ZERO
        {
            let reset = item.reset.map(Period::from);
            let expires_at = reset.map(|period| self.anchor.next(period, self.at));
            grant(Source::Included, "included", units, expires_at)?;
            if let Some(period) = reset {
                self.schedule(transaction, Renewal::Included, item_id, period)?;
            }
        }
        let Some(price) = &item.price else {
            return Ok(lines);
        };
        let period = Period::of_price(price.interval);
        match price.billing {
            Billing::Prepaid => {
                let Some(quantity) = quantity.filter(|quantity| *quantity > Decimal::ZERO) else {
                    return Ok(lines);
                };
                let shown = quantity.normalize();
                if self.in_trial && period.is_some() {
                    // Usable at once; the first charge falls at the trial's end.
                    lines.push((
                        format!(
                            "{item_id} × {shown}: first charged when the trial ends, {}",
                            self.anchor.at
                        ),
                        Decimal::ZERO,
                    ));
                } else {
                    let exact = cost_of(&price.rate, price.per, quantity)
                        .ok_or_else(|| LedgerError::Amount("the charge overflows".into()))?;
                    let description = format!("{item_id} × {shown}");
                    match period {
                        Some(period) => {
                            self.charge_prepaid(
                                transaction,
                                (item_id, item),
                                (description, exact),
                                quantity,
                                period,
                                &mut lines,
                            )?;
                        }
                        None => lines.push((description, exact)),
                    }
                }
                let period_end = period.map(|period| self.anchor.next(period, self.at));
                let expires_at = purchase_expiry(item, self.at, period_end).map(Instant);
                grant(Source::Purchased, "purchase", quantity, expires_at)?;
                if let Some(period) = period {
                    self.schedule(transaction, Renewal::Prepaid, item_id, period)?;
                }
            }
            Billing::Usage => {
                if let Some(period) = period {
                    self.schedule(transaction, Renewal::Usage, item_id, period)?;
                }
            }
        }
        Ok(lines)
    }

    /// Charges a recurring prepaid price: its share of the period still to come, now, unless
    /// an upgrade's item says otherwise (`on_increase`): in full now, the share on the next
    /// invoice, or nothing until the next period (which leaves the period paid at none).
    fn charge_prepaid(
        &self,
        transaction: &Connection,
        (item_id, item): (&str, &PlanItem),
        (description, exact): (String, Decimal),
        quantity: Decimal,
        period: Period,
        lines: &mut Vec<(String, Decimal)>,
    ) -> Result<(), LedgerError> {
        let policy = item
            .proration
            .filter(|_| self.upgrade)
            .map_or(OnIncrease::ProrateImmediately, |policy| policy.on_increase);
        let end = self.anchor.next(period, self.at);
        match policy {
            OnIncrease::ProrateImmediately => {
                lines.push(self.prorated(description, exact, period)?);
            }
            OnIncrease::BillImmediately => lines.push((description, exact)),
            OnIncrease::ProrateNextCycle => {
                let line = self.prorated(description, exact, period)?;
                defer(
                    transaction,
                    self.subscription_id,
                    item_id,
                    self.at,
                    end,
                    &[line],
                )?;
            }
            OnIncrease::BillNextCycle => {
                set_paid(
                    transaction,
                    self.subscription_id,
                    item_id,
                    Decimal::ZERO,
                    quantity,
                    end,
                )?;
            }
        }
        Ok(())
    }

    fn schedule(
        &self,
        transaction: &Connection,
        renewal: Renewal,
        item_id: &str,
        period: Period,
    ) -> Result<(), LedgerError> {
        schedule(
            transaction,
            self.subscription_id,
            renewal,
            item_id,
            self.anchor.at,
            self.anchor.first(period, self.at),
            period,
        )
    }
}

/// Whether the customer ever had a free trial that keeps this one from starting: of the plan
/// (`once_per = "plan"`), or of any plan (`"customer"`). A subscription had a trial when its
/// plan version offers one. (The first such subscription had its trial; later ones were
/// refused theirs because of it, so "any version with a trial" is "had a trial".)
fn had_trial(
    transaction: &Connection,
    versions: &Versions,
    customer_id: &str,
    plan_id: &str,
    once_per: TrialOncePer,
) -> Result<bool, LedgerError> {
    let mut statement = transaction.prepare_cached(
        "SELECT plan_id, version FROM subscriptions WHERE customer_id = ?1
         AND (plan_id = ?2 OR ?3)",
    )?;
    let earlier: Vec<(String, u32)> = statement
        .query_map(
            params![customer_id, plan_id, once_per == TrialOncePer::Customer],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(earlier.into_iter().any(|key| {
        versions
            .get(&key)
            .and_then(|plan| plan.free_trial)
            .is_some_and(|trial| !trial.length.is_empty())
    }))
}

/// Adds a repeated purchase's quantities to those the subscription row records.
fn add_quantities(
    transaction: &Connection,
    subscription_id: i64,
    bought: &BTreeMap<String, Decimal>,
) -> Result<(), LedgerError> {
    let mut quantities = subscription_quantities(transaction, subscription_id)?;
    for (item, quantity) in bought {
        let before = quantities
            .get(item)
            .map(|text| decimal(text))
            .transpose()?
            .unwrap_or_default();
        let total = exact::add(before, *quantity)?;
        quantities.insert(item.clone(), text(total));
    }
    transaction.execute(
        "UPDATE subscriptions SET quantities = ?2 WHERE id = ?1",
        params![subscription_id, quantities_json(&quantities)],
    )?;
    Ok(())
}

/// The prepaid quantities a subscription holds, by item (as stored: exact decimal text).
pub(super) fn subscription_quantities(
    transaction: &Connection,
    subscription_id: i64,
) -> Result<BTreeMap<String, String>, LedgerError> {
    let stored: String = transaction
        .prepare_cached("SELECT quantities FROM subscriptions WHERE id = ?1")?
        .query_row([subscription_id], |row| row.get(0))?;
    serde_json::from_str(&stored).map_err(|error| LedgerError::Corrupt(error.to_string()))
}

pub(super) fn quantities_json(quantities: &BTreeMap<String, String>) -> String {
    serde_json::to_string(quantities).unwrap_or_else(|_| "{}".to_string())
}

/// Ends a subscription (replaced in its group): its period-bound lots end now; one-off
/// purchases stay, they were paid for.
pub(super) fn end_subscription(
    transaction: &Connection,
    subscription_id: i64,
    at: i64,
) -> Result<(), LedgerError> {
    transaction.execute(
        "UPDATE subscriptions SET ended_at = ?2 WHERE id = ?1",
        params![subscription_id, at],
    )?;
    transaction.execute(
        "UPDATE lots SET expires_at = ?2 WHERE subscription_id = ?1 AND expires_at IS NOT NULL AND expires_at > ?2",
        params![subscription_id, at],
    )?;
    transaction.execute("UPDATE lots SET expires_at = ?2 WHERE subscription_id = ?1 AND source = 'included' AND expires_at IS NULL", params![subscription_id, at])?;
    transaction.execute(
        "DELETE FROM renewals WHERE subscription_id = ?1",
        [subscription_id],
    )?;
    Ok(())
}

/// Whether a plan charges or grants anything again after its first period (a subscription,
/// as opposed to a one-off purchase).
pub(super) fn recurs(plan: &Plan) -> bool {
    let price_recurs =
        |interval: crate::catalog::PriceInterval| Period::of_price(interval).is_some();
    plan.price.is_some_and(|price| price_recurs(price.interval))
        || plan.items.values().any(|item| {
            item.reset.is_some()
                || item
                    .price
                    .as_ref()
                    .is_some_and(|price| price_recurs(price.interval))
        })
}

/// An item's prepaid price, if it has one.
fn prepaid_price(item: &PlanItem) -> Option<&ItemPrice> {
    item.price
        .as_ref()
        .filter(|price| price.billing == Billing::Prepaid)
}

/// The prepaid quantity to buy of each item of a plan: what the request names, checked against
/// the item's bounds. A prepaid item that includes no units needs a quantity (the plan would
/// grant nothing of it otherwise); one that includes units is an optional extra, bought only
/// when a quantity is given.
fn quantities_to_buy(
    plan: &Plan,
    requested: &BTreeMap<String, Decimal>,
) -> Result<BTreeMap<String, Decimal>, LedgerError> {
    for item_id in requested.keys() {
        prepaid_item(plan, item_id)?;
    }
    let mut to_buy = BTreeMap::new();
    for (item_id, item) in &plan.items {
        if prepaid_price(item).is_none() {
            continue;
        }
        if let Some(quantity) = checked_quantity(plan, item_id, requested.get(item_id).copied())? {
            to_buy.insert(item_id.clone(), quantity);
        }
    }
    Ok(to_buy)
}

/// A plan's prepaid item and its price, or why a quantity cannot be bought of `item_id`.
pub(super) fn prepaid_item<'a>(
    plan: &'a Plan,
    item_id: &str,
) -> Result<(&'a PlanItem, &'a ItemPrice), LedgerError> {
    let error = |reason: String| LedgerError::Quantity {
        plan: plan.id.clone(),
        feature: item_id.to_string(),
        reason,
    };
    let item = plan
        .items
        .get(item_id)
        .ok_or_else(|| error(format!("the plan has no such item{}", prepaid_items(plan))))?;
    let price = prepaid_price(item).ok_or_else(|| {
        error(format!(
            "only prepaid items are bought in quantities{}",
            prepaid_items(plan)
        ))
    })?;
    Ok((item, price))
}

/// The quantity of a prepaid item to hold, checked against its bounds and billing unit:
/// `None` when nothing is bought (no quantity, or 0, of an item that includes units). An item
/// that includes no units needs one.
pub(super) fn checked_quantity(
    plan: &Plan,
    item_id: &str,
    requested: Option<Decimal>,
) -> Result<Option<Decimal>, LedgerError> {
    let (item, price) = prepaid_item(plan, item_id)?;
    let bounds = bounds(price);
    let optional = match item.included {
        Included::Units(units) => units > Decimal::ZERO,
        Included::Unlimited => true,
    };
    let quantity = match requested {
        Some(quantity) if !(quantity.is_zero() && optional) => quantity,
        Some(_) => return Ok(None),
        None if optional => return Ok(None),
        None => {
            return Err(LedgerError::QuantityRequired {
                plan: plan.id.clone(),
                feature: item_id.to_string(),
                range: range(&bounds, price.per),
            });
        }
    };
    let shown = quantity.normalize();
    let out_of_range = |what: String| LedgerError::Quantity {
        plan: plan.id.clone(),
        feature: item_id.to_string(),
        reason: format!("{what}; buy {}", range(&bounds, price.per)),
    };
    if quantity < Decimal::ZERO {
        return Err(out_of_range(format!("{shown} is negative")));
    }
    if quantity < bounds.min {
        return Err(out_of_range(format!(
            "{shown} is below the minimum purchase of {}",
            bounds.min.normalize()
        )));
    }
    if let Some(max) = bounds.max
        && quantity > max
    {
        return Err(out_of_range(format!(
            "{shown} is above the maximum purchase of {}",
            max.normalize()
        )));
    }
    if !(quantity % price.per).is_zero() {
        return Err(out_of_range(format!(
            "{shown} is not a multiple of the billing unit {}",
            price.per.normalize()
        )));
    }
    Ok(Some(quantity))
}

/// A prepaid price's bounds (the catalog always has them; one billing unit and up otherwise).
fn bounds(price: &ItemPrice) -> PrepaidBounds {
    price.prepaid.unwrap_or(PrepaidBounds {
        min: price.per,
        max: None,
    })
}

/// The quantities a customer may buy, in words: `from 1000 to 100000 in steps of 1000`.
fn range(bounds: &PrepaidBounds, per: Decimal) -> String {
    let min = bounds.min.max(per).normalize();
    match bounds.max {
        Some(max) => format!(
            "from {min} to {} in steps of {}",
            max.normalize(),
            per.normalize()
        ),
        None => format!("{min} or more in steps of {}", per.normalize()),
    }
}

/// `; its prepaid items: a, b` (or nothing, for a plan without any).
fn prepaid_items(plan: &Plan) -> String {
    let items: Vec<&str> = plan
        .items
        .iter()
        .filter(|(_, item)| prepaid_price(item).is_some())
        .map(|(id, _)| id.as_str())
        .collect();
    if items.is_empty() {
        "; the plan has no prepaid items".to_string()
    } else {
        format!("; its prepaid items: {}", items.join(", "))
    }
}
