//! A customer's own switch of its plans' auto top-ups: a plan declares a top-up on or off by
//! default for its customers (`enabled`), and each customer may turn it on or off for itself,
//! or go back to the plan's default, as Autumn keeps a customer's `billing_controls.auto_topups`
//! over the plan's (`customers.update`; a customer's entry shadows the plan's for its feature,
//! `resolveBillingControlWithProduct`).
//!
//! The switch is one row per customer and balance (`customer_top_ups`), read by `track` only
//! for a balance whose plans declare a top-up: other customers pay no query for it.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::clock::Instant;
use super::controls::top_up_if_due;
use super::entitlement::ActivePlan;
use super::error::LedgerError;
use super::journal::{self, Performed};
use super::ledger::{Ledger, NewEntry, active_plans, catch_up_customer, entry, nothing_first};
use super::lots::balance;
use super::model::ChargeRecord;
use super::operation::Operation;
use crate::catalog::{AutoTopUp, PlanItem, PurchaseLimit};

/// How a customer sets a plan's auto top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopUpSwitch {
    /// On for this customer, whatever the plan's default.
    On,
    /// Off for this customer, whatever the plan's default.
    Off,
    /// As the plan says (`enabled`): the customer's own setting is removed.
    Plan,
}

impl TopUpSwitch {
    /// The word the CLI and scenarios use.
    pub fn as_str(self) -> &'static str {
        match self {
            TopUpSwitch::On => "on",
            TopUpSwitch::Off => "off",
            TopUpSwitch::Plan => "plan",
        }
    }

    /// Reads `on`, `off` or `plan`.
    pub fn parse(word: &str) -> Option<TopUpSwitch> {
        match word {
            "on" => Some(TopUpSwitch::On),
            "off" => Some(TopUpSwitch::Off),
            "plan" => Some(TopUpSwitch::Plan),
            _ => None,
        }
    }
}

/// `set_auto_top_up`: turn the auto top-up of some of a customer's balances on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAutoTopUpRequest {
    pub customer_id: String,
    /// Balance (the item's feature or credit system id) → the switch.
    pub switches: BTreeMap<String, TopUpSwitch>,
}

/// Whose setting an auto top-up is on or off by (Autumn's response `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlSource {
    /// The plan's default.
    Plan,
    /// The customer's own setting.
    Customer,
}

/// An auto top-up of a customer's balance: what its plan declares, and whether it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTopUpView {
    /// The balance it buys (the item's feature or credit system).
    pub feature_id: String,
    /// The plan whose item is bought, at that item's price.
    pub plan_id: String,
    #[serde(with = "crate::catalog::decimal")]
    pub threshold: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub quantity: Decimal,
    pub purchase_limit: Option<PurchaseLimit>,
    /// Whether a `track` that leaves the balance below the threshold buys.
    pub enabled: bool,
    /// The plan's default (`enabled`), whatever the customer set.
    pub plan_enabled: bool,
    /// Whether `enabled` is the plan's default or the customer's own setting.
    pub source: ControlSource,
}

/// What `set_auto_top_up` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTopUpResult {
    pub customer_id: String,
    /// Every auto top-up of the customer's plans, after the change.
    pub auto_top_ups: Vec<AutoTopUpView>,
    /// Purchases made because a top-up was turned on while its balance was below the
    /// threshold (Autumn tops up at once when a customer turns it on,
    /// `triggerAutoTopUpsOnEnabled`).
    pub top_ups: Vec<ChargeRecord>,
}

/// One declared top-up: the subscription it is charged to, its item and its terms.
pub type DeclaredTopUp<'a> = (i64, &'a PlanItem, AutoTopUp);

/// The top-ups the customer's active plans declare, by balance: the first by subscription of
/// each (the one bought), on or off.
pub fn declared_top_ups<'a>(
    active: &[ActivePlan<'a>],
) -> BTreeMap<&'a str, (&'a str, DeclaredTopUp<'a>)> {
    let mut declared = BTreeMap::new();
    for active_plan in active {
        for (key, item) in &active_plan.plan.items {
            if let Some(top_up) = item.controls.auto_top_up {
                declared.entry(key.as_str()).or_insert((
                    active_plan.plan.id.as_str(),
                    (active_plan.subscription_id, item, top_up),
                ));
            }
        }
    }
    declared
}

/// The customer's own setting of a balance's top-up: `None` when it follows the plan.
pub fn customer_switch(
    connection: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Option<bool>, LedgerError> {
    Ok(connection
        .prepare_cached(
            "SELECT enabled FROM customer_top_ups WHERE customer_id = ?1 AND balance_key = ?2",
        )?
        .query_row(params![customer_id, balance_key], |row| row.get(0))
        .optional()?)
}

/// The top-up a `track` of the balance may buy: the declared one, when the customer's setting
/// (else the plan's default) has it on.
pub fn top_up_in_force<'a>(
    connection: &Connection,
    customer_id: &str,
    balance_key: &str,
    declared: Option<DeclaredTopUp<'a>>,
) -> Result<Option<DeclaredTopUp<'a>>, LedgerError> {
    let Some(declared) = declared else {
        return Ok(None);
    };
    let on = customer_switch(connection, customer_id, balance_key)?.unwrap_or(declared.2.enabled);
    Ok(on.then_some(declared))
}

/// Every auto top-up of the customer's active plans, with whether it is on and by whose say.
pub fn auto_top_up_views(
    connection: &Connection,
    active: &[ActivePlan<'_>],
    customer_id: &str,
) -> Result<Vec<AutoTopUpView>, LedgerError> {
    let mut views = Vec::new();
    for (key, (plan_id, (_, _, top_up))) in declared_top_ups(active) {
        let own = customer_switch(connection, customer_id, key)?;
        views.push(AutoTopUpView {
            feature_id: key.to_string(),
            plan_id: plan_id.to_string(),
            threshold: top_up.threshold,
            quantity: top_up.quantity,
            purchase_limit: top_up.purchase_limit,
            enabled: own.unwrap_or(top_up.enabled),
            plan_enabled: top_up.enabled,
            source: if own.is_some() {
                ControlSource::Customer
            } else {
                ControlSource::Plan
            },
        });
    }
    Ok(views)
}

impl Ledger {
    /// Turns the auto top-up of some of a customer's balances on or off for that customer, or
    /// back to the plan's default, in one transaction. A top-up turned on while its balance is
    /// below the threshold buys at once (within its purchase limit), as Autumn does. Each
    /// change is a `setting` entry of `history` (amount 0).
    pub fn set_auto_top_up(
        &mut self,
        request: &SetAutoTopUpRequest,
        at: Instant,
    ) -> Result<AutoTopUpResult, LedgerError> {
        let customer_id = request.customer_id.as_str();
        let (transaction, context) = self.begin_write_transaction()?;
        catch_up_customer(&transaction, context, customer_id, at, nothing_first)?;
        let active = active_plans(&transaction, &context.versions, customer_id)?;
        let declared = declared_top_ups(&active);
        if request.switches.is_empty() {
            return Err(LedgerError::Amount(
                "no auto top-up to set: name a balance and `on`, `off` or `plan`".into(),
            ));
        }
        let entries_before = journal::last_entry(&transaction)?;
        let mut top_ups = Vec::new();
        for (key, switch) in &request.switches {
            let Some((_, due)) = declared.get(key.as_str()) else {
                return Err(LedgerError::NoTopUp {
                    customer: customer_id.to_string(),
                    feature: key.clone(),
                    declared: if declared.is_empty() {
                        "none".to_string()
                    } else {
                        declared
                            .keys()
                            .map(|key| format!("`{key}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                });
            };
            let was_on = customer_switch(&transaction, customer_id, key)?.unwrap_or(due.2.enabled);
            let now_on = match switch {
                TopUpSwitch::On => true,
                TopUpSwitch::Off => false,
                TopUpSwitch::Plan => due.2.enabled,
            };
            match switch {
                TopUpSwitch::Plan => {
                    transaction
                        .prepare_cached(
                            "DELETE FROM customer_top_ups WHERE customer_id = ?1 AND balance_key = ?2",
                        )?
                        .execute(params![customer_id, key])?;
                }
                TopUpSwitch::On | TopUpSwitch::Off => {
                    transaction
                        .prepare_cached(
                            "INSERT INTO customer_top_ups (customer_id, balance_key, enabled, set_at) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT (customer_id, balance_key) DO UPDATE SET enabled = ?3, set_at = ?4",
                        )?
                        .execute(params![customer_id, key, now_on, at.0])?;
                }
            }
            let reason = match switch {
                TopUpSwitch::On => "auto top-up turned on by the customer".to_string(),
                TopUpSwitch::Off => "auto top-up turned off by the customer".to_string(),
                TopUpSwitch::Plan => format!(
                    "auto top-up back to the plan's default ({})",
                    if now_on { "on" } else { "off" }
                ),
            };
            entry(
                &transaction,
                &NewEntry {
                    customer_id,
                    at: at.0,
                    kind: "setting",
                    balance_key: key,
                    amount: Decimal::ZERO,
                    feature_id: None,
                    units: None,
                    reason: Some(&reason),
                    subscription_id: None,
                    idempotency_key: None,
                    entity_id: None,
                },
            )?;
            if now_on && !was_on {
                // The customer's whole balance, every entity's lots with its own, as `track`
                // watches it.
                let (held, _) = balance(&transaction, customer_id, key, None, at.0)?;
                if let Some(bought) = top_up_if_due(
                    &transaction,
                    context.currency,
                    customer_id,
                    key,
                    *due,
                    held,
                    at,
                )? {
                    top_ups.push(bought.charge);
                }
            }
        }
        journal::record(
            &transaction,
            &Performed {
                customer_id,
                at: at.0,
                entries_before,
                operation: Operation::SetAutoTopUp(request.clone()),
                version: None,
            },
        )?;
        let auto_top_ups = auto_top_up_views(&transaction, &active, customer_id)?;
        transaction.commit()?;
        Ok(AutoTopUpResult {
            customer_id: customer_id.to_string(),
            auto_top_ups,
            top_ups,
        })
    }
}
