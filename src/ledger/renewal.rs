//! Billing periods: at each boundary a subscription charges its base price, bills the usage
//! beyond its balance, renews prepaid quantities and grants the next period's included units.
//! Periods are brought up to date lazily, whenever a customer's ledger is touched.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use super::charge::Charge;
use super::clock::{Instant, Period};
use super::controls::{grant_rollover, purchase_expiry, rollover_due};
use super::entities::{grant_to, holders};
use super::error::LedgerError;
use super::exact;
use super::ledger::{NewEntry, customer_clock_sql, entry, record_charge};
use super::lots::{
    NewLot, Source, decimal, expire_due, in_use, overdrafts, owed, settle_overdraft,
};
use crate::catalog::charge::cost_of;
use crate::catalog::{Currency, Included, ItemPrice, Plan, PlanItem};
use crate::store::{catalog_revision_sql, revision_of};

/// What renews at a boundary. At one instant they happen in the order of the variants (the
/// `ORDER BY` in `materialize`): usage is billed before the next period's units arrive, so
/// they never pay for last period's overage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Line items of a quantity change that go on the next invoice (`prorate_next_cycle`).
    Adjust,
    /// A downgrade scheduled at the end of the period: the old plan ends, the new one starts.
    Switch,
    Base,
    Usage,
    Prepaid,
    Included,
    /// The quantity of an item paid for until the period ends, when a change this period was
    /// not billed (`bill_next_cycle`, `on_decrease = "none"`); it lapses at the boundary.
    Paid,
}

impl Renewal {
    pub fn key(self, item: &str) -> String {
        match self {
            Renewal::Adjust => format!("adjust:{item}"),
            Renewal::Paid => format!("paid:{item}"),
            Renewal::Switch => format!("switch:{item}"),
            Renewal::Base => "base".to_string(),
            Renewal::Usage => format!("usage:{item}"),
            Renewal::Prepaid => format!("prepaid:{item}"),
            Renewal::Included => format!("included:{item}"),
        }
    }

    pub fn parse(key: &str) -> Option<(Renewal, &str)> {
        if key == "base" {
            return Some((Renewal::Base, ""));
        }
        let (kind, item) = key.split_once(':')?;
        let renewal = match kind {
            "adjust" => Renewal::Adjust,
            "paid" => Renewal::Paid,
            "switch" => Renewal::Switch,
            "usage" => Renewal::Usage,
            "prepaid" => Renewal::Prepaid,
            "included" => Renewal::Included,
            _ => return None,
        };
        Some((renewal, item))
    }
}

/// Line items a quantity change puts on the next invoice, as stored in an `adjust:` renewal.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Adjustment {
    /// The item changed, and when (two changes of one item are two adjustments).
    pub item: String,
    pub at: i64,
    pub sequence: i64,
    pub lines: Vec<AdjustmentLine>,
}

/// One line of an [`Adjustment`].
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct AdjustmentLine {
    pub description: String,
    /// Exact, rounded when it is charged.
    #[serde(with = "crate::catalog::decimal")]
    pub amount: Decimal,
}

impl Adjustment {
    pub fn parse(spec: &str) -> Result<Adjustment, LedgerError> {
        serde_json::from_str(spec)
            .map_err(|error| LedgerError::Corrupt(format!("adjustment `{spec}`: {error}")))
    }
}

/// The quantity of an item paid for until its period ends, as stored in a `paid:` renewal.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct PaidQuantity {
    pub item: String,
    #[serde(with = "crate::catalog::decimal")]
    pub quantity: Decimal,
}

/// A plan version by (plan id, version).
pub type Versions = crate::store::PlanVersions;

/// Schedules the renewals of something: its boundaries are `anchor + n periods` (calendar
/// months clamped to the month's end, but always counted from the anchor, so a subscription
/// started on January 31 renews on February 28, March 31, April 30), the first at `n = periods`.
pub fn schedule(
    transaction: &Connection,
    subscription_id: i64,
    renewal: Renewal,
    item: &str,
    anchor: Instant,
    periods: i64,
    period: Period,
) -> Result<(), LedgerError> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO renewals (subscription_id, item, next_at, customer_id, anchor_at, periods)
             SELECT ?1, ?2, ?3, customer_id, ?4, ?5 FROM subscriptions WHERE id = ?1",
        )?
        .execute(params![subscription_id, renewal.key(item), anchor.add(period, periods).0, anchor.0, periods])?;
    Ok(())
}

/// What the first query of an operation on a hot path finds (`track`).
pub struct Probe {
    /// The customer's clock (its latest write, or its creation); `None` when there is no such
    /// customer.
    pub clock: Option<i64>,
    /// Something of theirs is due (a renewal, or a lot to expire). When nothing is, a read
    /// needs no write transaction.
    pub due: bool,
    /// The store's catalog revision, to know whether the catalog read earlier is current.
    pub catalog_revision: i64,
}

/// [`Probe`]: one query, as the first step of every operation on a hot path.
pub fn customer_and_due(
    connection: &rusqlite::Connection,
    customer_id: &str,
    at: i64,
) -> Result<Probe, LedgerError> {
    let probe = connection
        .prepare_cached(concat!(
            // Renewals of ended subscriptions are deleted when they end, so one probe of the
            // renewals' own customer index is enough (a join with `subscriptions` was slower,
            // and SQLite re-prepared it on every transaction).
            "SELECT ",
            customer_clock_sql!(),
            ",
                    EXISTS (SELECT 1 FROM renewals WHERE customer_id = ?1 AND next_at <= ?2)
                    OR EXISTS (SELECT 1 FROM lots WHERE customer_id = ?1 AND expires_at IS NOT NULL AND expires_at <= ?2
                               AND source != 'overdraft' AND empty = 0 AND remaining != '0'),
                    ",
            catalog_revision_sql!()
        ))?
        .query_row(params![customer_id, at], |row| {
            Ok(Probe {
                clock: row.get(0)?,
                due: row.get(1)?,
                catalog_revision: revision_of(row.get::<_, Option<String>>(2)?.as_deref()),
            })
        })?;
    Ok(probe)
}

/// Whether anything of the customer's is due at `at`.
pub fn anything_due(
    connection: &rusqlite::Connection,
    customer_id: &str,
    at: i64,
) -> Result<bool, LedgerError> {
    customer_and_due(connection, customer_id, at).map(|probe| probe.due)
}

/// Brings a customer's periods up to `at`, after one cheap query finds something due (the
/// common case on a hot path, `track`, is that nothing is).
pub fn materialize_if_due(
    transaction: &Connection,
    versions: &Versions,
    currency: &Currency,
    customer_id: &str,
    at: i64,
) -> Result<(), LedgerError> {
    if anything_due(transaction, customer_id, at)? {
        materialize(transaction, versions, currency, customer_id, at)?;
    }
    Ok(())
}

/// Brings a customer's periods up to `at`.
pub fn materialize(
    transaction: &Connection,
    versions: &Versions,
    currency: &Currency,
    customer_id: &str,
    at: i64,
) -> Result<(), LedgerError> {
    let mut rounds = 0;
    loop {
        let next: Option<Due> = transaction
            .prepare_cached(
                "SELECT renewals.subscription_id, renewals.item, renewals.next_at, subscriptions.plan_id,
                        subscriptions.version, subscriptions.quantities, renewals.anchor_at, renewals.periods
                 FROM renewals JOIN subscriptions ON subscriptions.id = renewals.subscription_id
                 WHERE subscriptions.customer_id = ?1 AND subscriptions.ended_at IS NULL AND renewals.next_at <= ?2
                 ORDER BY renewals.next_at,
                          CASE WHEN renewals.item LIKE 'adjust:%' THEN -2
                               WHEN renewals.item LIKE 'switch:%' THEN -1
                               WHEN renewals.item = 'base' THEN 0
                               WHEN renewals.item LIKE 'usage:%' THEN 1
                               WHEN renewals.item LIKE 'prepaid:%' THEN 2
                               ELSE 3 END,
                          renewals.item
                 LIMIT 1",
            )?
            .query_row(params![customer_id, at], |row| {
                Ok(Due {
                    subscription_id: row.get(0)?,
                    key: row.get(1)?,
                    boundary: row.get(2)?,
                    plan_id: row.get(3)?,
                    version: row.get(4)?,
                    quantities: row.get(5)?,
                    anchor: row.get(6)?,
                    periods: row.get(7)?,
                })
            })
            .optional()?;
        let Some(Due {
            subscription_id,
            key,
            boundary,
            plan_id,
            version,
            quantities,
            anchor,
            periods,
        }) = next
        else {
            break;
        };
        let plan = versions.get(&(plan_id.clone(), version)).ok_or_else(|| {
            LedgerError::Corrupt(format!("plan `{plan_id}` version {version} is missing"))
        })?;
        let quantities: BTreeMap<String, String> = serde_json::from_str(&quantities)
            .map_err(|error| LedgerError::Corrupt(error.to_string()))?;
        let (renewal, item_id) =
            Renewal::parse(&key).ok_or_else(|| LedgerError::Corrupt(format!("renewal `{key}`")))?;
        // Lots that end at or before this boundary end first.
        expire_due(transaction, customer_id, boundary)?;
        // What they left of an item that rolls over is carried into the new period.
        let rolling = plan
            .items
            .get(item_id)
            .filter(|item| renewal == Renewal::Included && item.controls.rollover.is_some());
        let carried = match rolling {
            Some(item) => rollover_due(
                transaction,
                customer_id,
                subscription_id,
                item_id,
                item,
                boundary,
            )?,
            None => Vec::new(),
        };
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Err(LedgerError::TooFar {
                customer: customer_id.to_string(),
                at: Instant(at).to_string(),
                rounds: MAX_ROUNDS,
            });
        }
        // Included units of periods in which nothing can happen (every event so far came before
        // this boundary, and nothing is owed for them to pay) are granted and expire unused.
        // A few such periods are written out (the history shows each month's grant); many are
        // passed at once, so an idle customer on a minute-reset plan is brought up to date in a
        // few rounds, not one round per minute.
        if renewal == Renewal::Included
            && let Some(period) = plan
                .items
                .get(item_id)
                .and_then(|item| item.reset)
                .map(Period::from)
        {
            let anchor = Instant(anchor);
            let last = last_boundary(anchor, period, Instant(at));
            // Rolled-over units are carried boundary by boundary: never passed at once.
            if rolling.is_none()
                && last - periods > WRITTEN_OUT
                && owed(transaction, customer_id, item_id)?.is_zero()
            {
                transaction
                    .prepare_cached(
                        "UPDATE renewals SET next_at = ?3, periods = ?4 WHERE subscription_id = ?1 AND item = ?2",
                    )?
                    .execute(params![subscription_id, key, anchor.add(period, last).0, last])?;
                continue;
            }
        }
        // Several boundaries may be due at once: the same-kind boundaries of other items at this
        // time come next round, in order.
        let renewed = renew(
            transaction,
            &Boundary {
                plan,
                versions,
                currency,
                customer_id,
                subscription_id,
                at: boundary,
                anchor: Instant(anchor),
                periods,
                // Boundary 0 exists only after a free trial: it is the trial's end.
                trial_ends: periods == 0,
            },
            renewal,
            item_id,
            &quantities,
        )?;
        if let Some(item) = rolling {
            for (holder, units) in &carried {
                grant_rollover(
                    transaction,
                    (customer_id, subscription_id),
                    (item_id, item),
                    holder.as_deref(),
                    *units,
                    Instant(boundary),
                )?;
            }
        }
        match renewed {
            Some(next_at) => {
                transaction
                    .prepare_cached(
                        "UPDATE renewals SET next_at = ?3, periods = periods + 1 WHERE subscription_id = ?1 AND item = ?2",
                    )?
                    .execute(params![subscription_id, key, next_at])?;
            }
            None => {
                transaction
                    .prepare_cached(
                        "DELETE FROM renewals WHERE subscription_id = ?1 AND item = ?2",
                    )?
                    .execute(params![subscription_id, key])?;
            }
        }
    }
    expire_due(transaction, customer_id, at)
}

/// At most this many boundaries are brought up to date at once (a base price billed weekly
/// for 38 years): a far-future time is an error, not a long hold of the write lock.
const MAX_ROUNDS: usize = 2_000;

/// Idle periods of included units up to this many are written out one by one; more are
/// passed in one step.
const WRITTEN_OUT: i64 = 100;

/// The index of the last boundary `anchor + n periods` at or before `at`.
pub(super) fn last_boundary(anchor: Instant, period: Period, at: Instant) -> i64 {
    let mut last = anchor.periods_until(period, at).max(0);
    while anchor.add(period, last + 1) <= at {
        last += 1;
    }
    while last > 0 && anchor.add(period, last) > at {
        last -= 1;
    }
    last
}

/// Bills a subscription's usage beyond its balances now (it is being replaced mid-period).
pub fn bill_usage_now(
    transaction: &Connection,
    plan: &Plan,
    currency: &Currency,
    customer_id: &str,
    subscription_id: i64,
    at: i64,
) -> Result<(), LedgerError> {
    // A subscription still in its free trial has a boundary 0 to come (its trial's end).
    let in_trial: bool = transaction
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM renewals WHERE subscription_id = ?1 AND periods = 0)",
        )?
        .query_row([subscription_id], |row| row.get(0))?;
    let boundary = Boundary {
        plan,
        versions: &Versions::new(),
        currency,
        customer_id,
        subscription_id,
        at,
        anchor: Instant(at),
        periods: 0,
        trial_ends: in_trial,
    };
    for (item_id, item) in &plan.items {
        let usage_billed = item
            .price
            .as_ref()
            .is_some_and(|price| price.billing == crate::catalog::Billing::Usage);
        if usage_billed {
            renew(
                transaction,
                &boundary,
                Renewal::Usage,
                item_id,
                &BTreeMap::new(),
            )?;
        }
    }
    Ok(())
}

/// A renewal that is due, as `materialize` reads it.
struct Due {
    subscription_id: i64,
    key: String,
    boundary: i64,
    plan_id: String,
    version: u32,
    quantities: String,
    anchor: i64,
    periods: i64,
}

struct Boundary<'a> {
    plan: &'a Plan,
    versions: &'a Versions,
    currency: &'a Currency,
    customer_id: &'a str,
    subscription_id: i64,
    at: i64,
    anchor: Instant,
    /// This boundary is `anchor + periods × period`.
    periods: i64,
    /// The boundary ends a free trial: usage beyond the balance during it is not billed.
    trial_ends: bool,
}

impl Boundary<'_> {
    /// The boundary after this one.
    fn next(&self, period: Period) -> i64 {
        self.anchor.add(period, self.periods + 1).0
    }

    /// Charges one line item at this boundary.
    fn charge(
        &self,
        transaction: &Connection,
        description: String,
        exact: Decimal,
    ) -> Result<(), LedgerError> {
        let charge = Charge::new(self.currency, vec![(description, exact)]);
        record_charge(
            transaction,
            self.customer_id,
            self.at,
            Some(self.subscription_id),
            &charge,
        )
    }
}

/// Performs one renewal at a boundary; returns the next boundary, if it recurs.
fn renew(
    transaction: &Connection,
    boundary: &Boundary<'_>,
    renewal: Renewal,
    item_id: &str,
    quantities: &BTreeMap<String, String>,
) -> Result<Option<i64>, LedgerError> {
    let plan = boundary.plan;
    let when = Instant(boundary.at);
    match renewal {
        Renewal::Adjust => {
            let adjustment = Adjustment::parse(item_id)?;
            let lines = adjustment
                .lines
                .into_iter()
                .map(|line| (line.description, line.amount))
                .collect();
            let charge = Charge::new(boundary.currency, lines);
            record_charge(
                transaction,
                boundary.customer_id,
                boundary.at,
                Some(boundary.subscription_id),
                &charge,
            )?;
            Ok(None)
        }
        Renewal::Paid => Ok(None),
        Renewal::Switch => {
            super::attach::switch_at(
                transaction,
                boundary.versions,
                boundary.currency,
                (plan, boundary.subscription_id),
                item_id,
                boundary.customer_id,
                when,
            )?;
            Ok(None)
        }
        Renewal::Base => {
            let Some(price) = &plan.price else {
                return Ok(None);
            };
            let Some(period) = Period::of_price(price.interval) else {
                return Ok(None);
            };
            boundary.charge(
                transaction,
                format!("{}: base price from {when}", plan.name),
                price.amount,
            )?;
            Ok(Some(boundary.next(period)))
        }
        Renewal::Usage => {
            let item = item(plan, item_id)?;
            let Some(price) = &item.price else {
                return Ok(None);
            };
            let Some(period) = Period::of_price(price.interval) else {
                return Ok(None);
            };
            let levels = in_use(transaction, boundary.customer_id, item_id)?;
            if !levels.is_empty() {
                bill_holdings(transaction, boundary, item_id, item, &levels, quantities)?;
                return Ok(Some(boundary.next(period)));
            }
            // Every holder's overdraft (the customer's, or each entity's for an item held per
            // entity: Autumn bills the sum of the entities' overage, `cusEntToInvoiceOverage`).
            let overdrafts = overdrafts(transaction, boundary.customer_id, item_id)?;
            let units = exact::sum(overdrafts.iter().map(|(_, units)| *units))?;
            let (kind, reason) = if boundary.trial_ends {
                (
                    "waived",
                    "usage beyond the balance during the free trial is not billed",
                )
            } else {
                (
                    "billed",
                    "usage beyond the balance, billed at the end of the period",
                )
            };
            if units > Decimal::ZERO && !boundary.trial_ends {
                let included = match item.included {
                    Included::Units(units) => units,
                    Included::Unlimited => Decimal::ZERO,
                };
                let exact = cost_beyond_included(price, included, units)?;
                boundary.charge(
                    transaction,
                    format!(
                        "{item_id}: {} units of usage beyond the balance",
                        units.normalize()
                    ),
                    exact,
                )?;
            }
            for (holder, owed_units) in &overdrafts {
                settle_overdraft(
                    transaction,
                    boundary.customer_id,
                    item_id,
                    holder.as_deref(),
                    *owed_units,
                )?;
                entry(
                    transaction,
                    &NewEntry {
                        customer_id: boundary.customer_id,
                        at: boundary.at,
                        kind,
                        balance_key: item_id,
                        amount: *owed_units,
                        feature_id: None,
                        units: None,
                        reason: Some(reason),
                        subscription_id: Some(boundary.subscription_id),
                        idempotency_key: None,
                        entity_id: holder.as_deref(),
                    },
                )?;
            }
            Ok(Some(boundary.next(period)))
        }
        Renewal::Prepaid => {
            let item = item(plan, item_id)?;
            let Some(price) = &item.price else {
                return Ok(None);
            };
            let Some(period) = Period::of_price(price.interval) else {
                return Ok(None);
            };
            let quantity = quantities
                .get(item_id)
                .map(|text| decimal(text))
                .transpose()?
                .unwrap_or_default();
            if quantity > Decimal::ZERO {
                let exact = cost_of(&price.rate, price.per, quantity)
                    .ok_or_else(|| LedgerError::Amount("a renewal charge overflows".into()))?;
                boundary.charge(
                    transaction,
                    format!("{item_id} × {}: renewal from {when}", quantity.normalize()),
                    exact,
                )?;
                grant_lot(
                    transaction,
                    boundary,
                    (item_id, item),
                    Source::Purchased,
                    quantity,
                    purchase_expiry(item, when, Some(Instant(boundary.next(period)))),
                    "purchase",
                )?;
            }
            Ok(Some(boundary.next(period)))
        }
        Renewal::Included => {
            let item = item(plan, item_id)?;
            let (Included::Units(units), Some(reset)) = (item.included, item.reset) else {
                return Ok(None);
            };
            let next = boundary.next(Period::from(reset));
            grant_lot(
                transaction,
                boundary,
                (item_id, item),
                Source::Included,
                units,
                Some(next),
                "included",
            )?;
            Ok(Some(next))
        }
    }
}

/// Bills an allocated item's units in use beyond what the plan grants (included units and the
/// bought quantity) as they stand at the period's end (Autumn's allocated usage: not the peak,
/// and nothing resets: the units stay in use). For an item held per entity each entity's units
/// are compared with its own grant.
fn bill_holdings(
    transaction: &Connection,
    boundary: &Boundary<'_>,
    item_id: &str,
    item: &PlanItem,
    levels: &[(Option<String>, Decimal)],
    quantities: &BTreeMap<String, String>,
) -> Result<(), LedgerError> {
    let (Some(price), false) = (&item.price, boundary.trial_ends) else {
        return Ok(());
    };
    let included = match item.included {
        Included::Units(units) => units,
        Included::Unlimited => return Ok(()),
    };
    let bought = quantities
        .get(item_id)
        .map(|text| decimal(text))
        .transpose()?
        .unwrap_or_default();
    let granted = exact::add(included, bought)?;
    let mut beyond = Decimal::ZERO;
    for (_, level) in levels {
        let over = exact::sub(*level, granted)?;
        if over > Decimal::ZERO {
            beyond = exact::add(beyond, over)?;
        }
    }
    if beyond <= Decimal::ZERO {
        return Ok(());
    }
    let exact = cost_beyond_included(price, included, beyond)?;
    boundary.charge(
        transaction,
        format!(
            "{item_id}: {} in use beyond the {} granted",
            beyond.normalize(),
            granted.normalize()
        ),
        exact,
    )
}

fn item<'a>(plan: &'a Plan, item_id: &str) -> Result<&'a PlanItem, LedgerError> {
    plan.items
        .get(item_id)
        .ok_or_else(|| LedgerError::Corrupt(format!("plan `{}` has no item `{item_id}`", plan.id)))
}

fn grant_lot(
    transaction: &Connection,
    boundary: &Boundary<'_>,
    item: (&str, &PlanItem),
    source: Source,
    amount: Decimal,
    expires_at: Option<i64>,
    kind: &str,
) -> Result<(), LedgerError> {
    let (item_id, item) = item;
    grant_to(
        transaction,
        &holders(transaction, boundary.customer_id, item)?,
        &NewLot {
            customer_id: boundary.customer_id,
            balance_key: item_id,
            entity_id: None,
            source,
            amount,
            starts_at: boundary.at,
            expires_at,
            subscription_id: Some(boundary.subscription_id),
            reason: None,
        },
        kind,
        Some("a new period"),
    )
}

/// The exact cost of `units` used beyond an item's `included` units. Tier bounds count the
/// included units too (as Autumn's API does), so the units are priced from where the included
/// ones end: the cost through both, less the cost through the included ones.
pub(super) fn cost_beyond_included(
    price: &ItemPrice,
    included: Decimal,
    units: Decimal,
) -> Result<Decimal, LedgerError> {
    let through_beyond = exact::add(included, units)?;
    cost_of(&price.rate, price.per, through_beyond)
        .zip(cost_of(&price.rate, price.per, included))
        .and_then(|(through_beyond, through_included)| through_beyond.checked_sub(through_included))
        .ok_or_else(|| LedgerError::Amount("a usage charge overflows".into()))
}
