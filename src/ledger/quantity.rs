//! Changing a prepaid quantity mid-term (`set-quantity`, Autumn's `billing.update` with
//! feature quantities): the new quantity is checked as `attach` checks one, its units move,
//! and the change is charged or credited as the item's proration policy says (by default
//! prorated and now, both ways). See docs/ledger.md, "Changing a prepaid quantity".

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use super::attach::{
    Anchor, checked_quantity, prepaid_item, quantities_json, subscription_quantities,
};
use super::catalog::LedgerCatalog;
use super::charge::Charge;
use super::clock::{Instant, Period};
use super::error::LedgerError;
use super::exact;
use super::journal::{self, Performed};
use super::ledger::{NewEntry, active_subscriptions, entry, record_charge};
use super::lots::{NewLot, Source, add_lot, decimal, text, withdraw};
use super::model::{ChargeRecord, QuantityChange, QuantityResult, SetQuantityRequest};
use super::operation::Operation;
use super::proration::{Billed, Change, bill_change};
use super::renewal::{Adjustment, AdjustmentLine, PaidQuantity, Renewal, schedule};
use crate::catalog::Plan;

/// Changes the quantities within a transaction, and journals the change (see `journal`).
pub(super) fn set_quantity_within(
    transaction: &Connection,
    context: &LedgerCatalog,
    request: &SetQuantityRequest,
    at: Instant,
) -> Result<QuantityResult, LedgerError> {
    let entries_before = journal::last_entry(transaction)?;
    let result = set_quantity_unjournaled(transaction, context, request, at)?;
    journal::record(
        transaction,
        &Performed {
            customer_id: &request.customer_id,
            at: at.0,
            entries_before,
            operation: Operation::SetQuantity(SetQuantityRequest {
                idempotency_key: None,
                ..request.clone()
            }),
            version: None,
        },
    )?;
    Ok(result)
}

fn set_quantity_unjournaled(
    transaction: &Connection,
    context: &LedgerCatalog,
    request: &SetQuantityRequest,
    at: Instant,
) -> Result<QuantityResult, LedgerError> {
    let customer_id = request.customer_id.as_str();
    let (subscription_id, plan) = subscription_to(transaction, context, request)?;
    let mut quantities = subscription_quantities(transaction, subscription_id)?;
    let in_trial: bool = transaction
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM renewals WHERE subscription_id = ?1 AND periods = 0)",
        )?
        .query_row([subscription_id], |row| row.get(0))?;
    let mut now_lines = Vec::new();
    let mut next_cycle = Vec::new();
    let mut changes = Vec::new();
    for (item_id, requested) in &request.quantities {
        let (item, price) = prepaid_item(plan, item_id)?;
        let Some(period) = Period::of_price(price.interval) else {
            // Autumn refuses it too (`handleOneOffErrors`).
            return Err(LedgerError::Quantity {
                plan: plan.id.clone(),
                feature: item_id.clone(),
                reason: "a one-off purchase cannot change: attach the add-on again to buy more"
                    .into(),
            });
        };
        let to = checked_quantity(plan, item_id, Some(*requested))?.unwrap_or_default();
        let from = quantities
            .get(item_id)
            .map(|text| decimal(text))
            .transpose()?
            .unwrap_or_default();
        if to == from {
            continue;
        }
        let anchor = Anchor {
            at: Instant(anchor_of(transaction, subscription_id, item_id)?),
        };
        let until = anchor.next(period, at);
        let paid = paid_quantity(transaction, subscription_id, item_id)?.unwrap_or(from);
        let billing = if in_trial {
            // Nothing is paid during a trial: the renewal at its end charges the quantity then.
            now_lines.push((
                format!(
                    "{item_id} × {}: first charged when the trial ends, {}",
                    to.normalize(),
                    anchor.at
                ),
                Decimal::ZERO,
            ));
            None
        } else {
            Some(bill_change(
                item.proration,
                &Change {
                    item_id,
                    price,
                    from,
                    paid,
                    to,
                    share: anchor.remaining_share(period, at),
                    until,
                },
            )?)
        };
        let units_move_now = billing
            .as_ref()
            .is_none_or(|billing| billing.units_move_now);
        if units_move_now {
            move_units(
                transaction,
                &Move {
                    customer_id,
                    subscription_id,
                    item_id,
                    from,
                    to,
                    at,
                    until,
                },
            )?;
        }
        if let Some(billing) = billing {
            match billing.billed {
                Billed::Now => now_lines.extend(billing.lines),
                Billed::NextCycle => {
                    defer(
                        transaction,
                        subscription_id,
                        item_id,
                        at,
                        until,
                        &billing.lines,
                    )?;
                    next_cycle.extend(billing.lines);
                }
                Billed::Never => {}
            }
            set_paid(
                transaction,
                subscription_id,
                item_id,
                billing.paid,
                to,
                until,
            )?;
        }
        if to > Decimal::ZERO {
            // A quantity bought from none has no renewal yet.
            schedule(
                transaction,
                subscription_id,
                Renewal::Prepaid,
                item_id,
                anchor.at,
                anchor.first(period, at),
                period,
            )?;
        }
        quantities.insert(item_id.clone(), text(to));
        changes.push(QuantityChange {
            item: item_id.clone(),
            from,
            to,
            units_from: if units_move_now { at } else { until }.to_string(),
        });
    }
    transaction.execute(
        "UPDATE subscriptions SET quantities = ?2 WHERE id = ?1",
        params![subscription_id, quantities_json(&quantities)],
    )?;
    let charge = Charge::new(context.currency, now_lines);
    record_charge(
        transaction,
        customer_id,
        at.0,
        Some(subscription_id),
        &charge,
    )?;
    Ok(QuantityResult {
        customer_id: customer_id.to_string(),
        plan_id: plan.id.clone(),
        subscription_id,
        changes,
        charge: ChargeRecord::from(charge),
        next_cycle: Charge::new(context.currency, next_cycle).line_items,
        balances: Vec::new(),
        replayed: false,
    })
}

/// The customer's active subscription to the plan, and the plan version it is on.
fn subscription_to<'a>(
    transaction: &Connection,
    context: &'a LedgerCatalog,
    request: &SetQuantityRequest,
) -> Result<(i64, &'a Plan), LedgerError> {
    if !context.catalog.plans.contains_key(&request.plan_id) {
        return Err(LedgerError::UnknownPlan(request.plan_id.clone()));
    }
    let (subscription_id, plan_id, version) =
        active_subscriptions(transaction, &request.customer_id)?
            .into_iter()
            .find(|(_, plan_id, _)| *plan_id == request.plan_id)
            .ok_or_else(|| LedgerError::NotSubscribed {
                customer: request.customer_id.clone(),
                plan: request.plan_id.clone(),
            })?;
    let plan = context
        .versions
        .get(&(plan_id.clone(), version))
        .ok_or_else(|| {
            LedgerError::Corrupt(format!("plan `{plan_id}` version {version} is missing"))
        })?;
    Ok((subscription_id, plan))
}

/// Where the item's periods are counted from: its prepaid renewal's anchor, else the
/// subscription's (every renewal of a subscription shares it), else its start.
fn anchor_of(
    transaction: &Connection,
    subscription_id: i64,
    item_id: &str,
) -> Result<i64, LedgerError> {
    let anchor: Option<i64> = transaction
        .query_row(
            "SELECT COALESCE(
                 (SELECT anchor_at FROM renewals WHERE subscription_id = ?1 AND item = ?2),
                 (SELECT MIN(anchor_at) FROM renewals WHERE subscription_id = ?1
                    AND item NOT LIKE 'switch:%' AND item NOT LIKE 'adjust:%' AND item NOT LIKE 'paid:%'),
                 (SELECT started_at FROM subscriptions WHERE id = ?1))",
            params![subscription_id, Renewal::Prepaid.key(item_id)],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    anchor.ok_or_else(|| LedgerError::Corrupt(format!("subscription {subscription_id} is missing")))
}

/// The quantity of an item paid for until its period ends, when it differs from the one in
/// force (a change this period was not billed).
pub(super) fn paid_quantity(
    transaction: &Connection,
    subscription_id: i64,
    item_id: &str,
) -> Result<Option<Decimal>, LedgerError> {
    for spec in paid_rows(transaction, subscription_id)? {
        let paid: PaidQuantity = serde_json::from_str(&spec)
            .map_err(|error| LedgerError::Corrupt(format!("`paid:{spec}`: {error}")))?;
        if paid.item == item_id {
            return Ok(Some(paid.quantity));
        }
    }
    Ok(None)
}

fn paid_rows(transaction: &Connection, subscription_id: i64) -> Result<Vec<String>, LedgerError> {
    let rows: Vec<String> = transaction
        .prepare_cached(
            "SELECT substr(item, 6) FROM renewals WHERE subscription_id = ?1 AND item LIKE 'paid:%'",
        )?
        .query_map([subscription_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Records what is paid for the rest of the period (nothing when it is the quantity in force).
pub(super) fn set_paid(
    transaction: &Connection,
    subscription_id: i64,
    item_id: &str,
    paid: Decimal,
    in_force: Decimal,
    until: Instant,
) -> Result<(), LedgerError> {
    for spec in paid_rows(transaction, subscription_id)? {
        let row: PaidQuantity = serde_json::from_str(&spec)
            .map_err(|error| LedgerError::Corrupt(format!("`paid:{spec}`: {error}")))?;
        if row.item == item_id {
            transaction.execute(
                "DELETE FROM renewals WHERE subscription_id = ?1 AND item = ?2",
                params![subscription_id, Renewal::Paid.key(&spec)],
            )?;
        }
    }
    if paid == in_force {
        return Ok(());
    }
    let spec = serde_json::to_string(&PaidQuantity {
        item: item_id.to_string(),
        quantity: paid,
    })
    .map_err(|error| LedgerError::Corrupt(error.to_string()))?;
    insert_marker(
        transaction,
        subscription_id,
        &Renewal::Paid.key(&spec),
        until,
    )
}

/// Puts a change's line items on the next invoice (the item's next boundary).
pub(super) fn defer(
    transaction: &Connection,
    subscription_id: i64,
    item_id: &str,
    at: Instant,
    until: Instant,
    lines: &[(String, Decimal)],
) -> Result<(), LedgerError> {
    let sequence: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM renewals WHERE subscription_id = ?1 AND item LIKE 'adjust:%'",
        [subscription_id],
        |row| row.get(0),
    )?;
    let spec = serde_json::to_string(&Adjustment {
        item: item_id.to_string(),
        at: at.0,
        sequence,
        lines: lines
            .iter()
            .map(|(description, amount)| AdjustmentLine {
                description: format!("{description} (changed {at})"),
                amount: *amount,
            })
            .collect(),
    })
    .map_err(|error| LedgerError::Corrupt(error.to_string()))?;
    insert_marker(
        transaction,
        subscription_id,
        &Renewal::Adjust.key(&spec),
        until,
    )
}

/// A renewal that happens once, at `at` (its `periods` is 1: boundary 0 would read as a
/// trial's end).
fn insert_marker(
    transaction: &Connection,
    subscription_id: i64,
    key: &str,
    at: Instant,
) -> Result<(), LedgerError> {
    transaction.execute(
        "INSERT INTO renewals (subscription_id, item, next_at, customer_id, anchor_at, periods)
         SELECT ?1, ?2, ?3, customer_id, ?3, 1 FROM subscriptions WHERE id = ?1",
        params![subscription_id, key, at.0],
    )?;
    Ok(())
}

/// A quantity change's units.
struct Move<'a> {
    customer_id: &'a str,
    subscription_id: i64,
    item_id: &'a str,
    from: Decimal,
    to: Decimal,
    at: Instant,
    /// The end of the period: added units are a lot that ends then, as the purchase did.
    until: Instant,
}

/// Grants the added units now, or takes the removed ones back (units already used stay used:
/// the balance moves by the change), with an entry either way.
fn move_units(transaction: &Connection, change: &Move<'_>) -> Result<(), LedgerError> {
    let delta = exact::sub(change.to, change.from)?;
    if delta > Decimal::ZERO {
        add_lot(
            transaction,
            &NewLot {
                customer_id: change.customer_id,
                balance_key: change.item_id,
                entity_id: None,
                source: Source::Purchased,
                amount: delta,
                starts_at: change.at.0,
                expires_at: Some(change.until.0),
                subscription_id: Some(change.subscription_id),
                reason: None,
            },
        )?;
    } else {
        withdraw(
            transaction,
            change.customer_id,
            change.item_id,
            change.subscription_id,
            -delta,
            change.at.0,
        )?;
    }
    let reason = format!(
        "the quantity changed from {} to {}",
        change.from.normalize(),
        change.to.normalize()
    );
    entry(
        transaction,
        &NewEntry {
            customer_id: change.customer_id,
            at: change.at.0,
            kind: "purchase",
            balance_key: change.item_id,
            amount: delta,
            feature_id: None,
            units: None,
            reason: Some(&reason),
            subscription_id: Some(change.subscription_id),
            idempotency_key: None,
            entity_id: None,
        },
    )
}
