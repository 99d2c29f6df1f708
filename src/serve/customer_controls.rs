//! A customer's `billing_controls`, both ways: answered as Autumn answers a customer (from API
//! 2.3.0 the plan's defaults merged in, each entry tagged with its `source`; before, the
//! customer's own entries alone, untagged: `V2_2_PlanInheritedBillingControls`,
//! `shared/api/customers/changes/`), and read from a `customers.update` into the switches of
//! the customer's auto top-ups.
//!
//! A customer's own control in pricectl is the switch of a plan's auto top-up
//! ([`crate::ledger::TopUpSwitch`]): Autumn's customer `auto_topups` entry, which shadows the
//! plan's for its feature (`mergePlanBillingControlsForResponse`,
//! `shared/utils/fullSubjectUtils/`), is read as turning the plan's top-up on or off, and must
//! otherwise say what the plan says (threshold, quantity, purchase limit). A customer's own
//! spend limits, usage limits, alerts and overage settings are refused, naming the field.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::autumn::mapping::{MappingError, auto_topup, controls_to_wire};
use crate::autumn::wire::ApiVersion;
use crate::autumn::wire::billing_controls::BillingControls;
use crate::catalog::{self, AutoTopUp};
use crate::ledger::{AutoTopUpView, ControlSource, TopUpSwitch};

/// The first API version whose customer answer merges the plan's default controls.
const MERGED_FROM: ApiVersion = ApiVersion::V2_3;

/// A customer's `billing_controls` as Autumn answers them: its auto top-ups (on or off, by
/// the plan's default or its own setting), and from 2.3.0 the plans' other controls, each
/// entry with its `source`. `plans` are the plan versions of the customer's active
/// subscriptions, oldest first.
pub fn customer_controls_to_wire(
    top_ups: &[AutoTopUpView],
    plans: &[&catalog::Plan],
    version: ApiVersion,
) -> Map<String, Value> {
    let merged = version >= MERGED_FROM;
    let tagged = |entry: Value, source: &str| -> Value {
        match entry {
            Value::Object(mut object) if merged => {
                object.insert("source".into(), Value::String(source.into()));
                Value::Object(object)
            }
            other => other,
        }
    };
    let mut lanes = Map::new();
    let auto_topups: Vec<Value> = top_ups
        .iter()
        .filter(|view| merged || view.source == ControlSource::Customer)
        .map(|view| {
            let entry = auto_topup(
                &view.feature_id,
                AutoTopUp {
                    threshold: view.threshold,
                    quantity: view.quantity,
                    enabled: view.enabled,
                    purchase_limit: view.purchase_limit,
                },
            );
            let source = match view.source {
                ControlSource::Customer => "customer",
                ControlSource::Plan => "plan",
            };
            tagged(json(&entry), source)
        })
        .collect();
    if !auto_topups.is_empty() {
        lanes.insert("auto_topups".into(), Value::Array(auto_topups));
    }
    if !merged {
        return lanes;
    }
    // The plans' defaults, one entry per feature as Autumn resolves them across plans: the
    // strictest spend limit and usage limit (`pickStricterSpendLimit`,
    // `pickStricterUsageLimit`), and a feature's alerts from the first plan that has any.
    let mut spend_limits: BTreeMap<String, Value> = BTreeMap::new();
    let mut usage_limits: BTreeMap<String, Value> = BTreeMap::new();
    let mut alerts: Vec<Value> = Vec::new();
    let mut alerted: BTreeSet<String> = BTreeSet::new();
    for plan in plans {
        let controls = controls_to_wire(plan);
        for limit in controls.spend_limits.unwrap_or_default() {
            let feature = limit.feature_id.clone().unwrap_or_default();
            let stricter = spend_limits.get(&feature).is_none_or(|kept| {
                number(&kept["overage_limit"]) > limit.overage_limit.unwrap_or_default()
            });
            if stricter {
                spend_limits.insert(feature, tagged(json(&limit), "plan"));
            }
        }
        for limit in controls.usage_limits.unwrap_or_default() {
            let stricter = usage_limits
                .get(&limit.feature_id)
                .is_none_or(|kept| number(&kept["limit"]) > limit.limit);
            if stricter {
                usage_limits.insert(limit.feature_id.clone(), tagged(json(&limit), "plan"));
            }
        }
        let mut owned_here = BTreeSet::new();
        for alert in controls.usage_alerts.unwrap_or_default() {
            let feature = alert.feature_id.clone().unwrap_or_default();
            if alerted.contains(&feature) && !owned_here.contains(&feature) {
                continue;
            }
            owned_here.insert(feature.clone());
            alerted.insert(feature);
            alerts.push(tagged(json(&alert), "plan"));
        }
    }
    for (lane, entries) in [
        (
            "spend_limits",
            spend_limits.into_values().collect::<Vec<_>>(),
        ),
        ("usage_limits", usage_limits.into_values().collect()),
        ("usage_alerts", alerts),
    ] {
        if !entries.is_empty() {
            lanes.insert(lane.into(), Value::Array(entries));
        }
    }
    lanes
}

/// A JSON number written by the wire types, as a decimal (0 when it is not one).
fn number(value: &Value) -> rust_decimal::Decimal {
    value
        .as_number()
        .and_then(|number| number.to_string().parse().ok())
        .unwrap_or_default()
}

/// A wire value as JSON.
fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Reads the `billing_controls` of a `customers.update` (at `path`, for errors) into the
/// switches of the customer's auto top-ups (`top_ups`, as the ledger shows them). The
/// `auto_topups` lane, when given, is the customer's whole list (Autumn replaces the lane):
/// each entry turns the plan's top-up of its feature on or off for the customer (Autumn's
/// `enabled` defaults to `false`), and a top-up the customer had set that the list leaves out
/// goes back to the plan's default. Every other lane must be empty.
pub fn switches_from_wire(
    controls: &BillingControls,
    top_ups: &[AutoTopUpView],
    path: &str,
) -> Result<BTreeMap<String, TopUpSwitch>, MappingError> {
    let at = |field: String, message: String| MappingError {
        path: if path.is_empty() {
            field
        } else {
            format!("{path}.{field}")
        },
        message,
    };
    let own = "a customer's own";
    let plans_only = "pricectl's billing controls are the plan's: a customer can only turn a plan's auto top-up on or off";
    if let Some(lane) = controls
        .lanes_with_entries()
        .into_iter()
        .find(|lane| *lane != "auto_topups")
    {
        return Err(at(
            format!("billing_controls.{lane}"),
            format!("{own} {}: {plans_only}", lane.replace('_', " ")),
        ));
    }
    let Some(entries) = &controls.auto_topups else {
        return Ok(BTreeMap::new());
    };
    let mut switches = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let field = |name: &str| format!("billing_controls.auto_topups[{index}]{name}");
        let Some(view) = top_ups
            .iter()
            .find(|view| view.feature_id == entry.feature_id)
        else {
            let declared: Vec<String> = top_ups
                .iter()
                .map(|view| format!("`{}`", view.feature_id))
                .collect();
            return Err(at(
                field(".feature_id"),
                format!(
                    "the customer's plans have no auto top-up of `{}` to turn on or off (they have: {}): pricectl's top-ups are a plan item's",
                    entry.feature_id,
                    if declared.is_empty() {
                        "none".to_string()
                    } else {
                        declared.join(", ")
                    }
                ),
            ));
        };
        if switches.contains_key(&entry.feature_id) {
            return Err(at(
                field(".feature_id"),
                "only one auto top-up entry is allowed per feature_id".into(),
            ));
        }
        let the_plans = |what: &str, plan: String| {
            format!(
                "the plan's auto top-up {what} is {plan}: a customer turns the plan's top-up on or off, its terms are the plan's (plan `{}`)",
                view.plan_id
            )
        };
        if entry.threshold.normalize() != view.threshold.normalize() {
            return Err(at(
                field(".threshold"),
                the_plans("threshold", view.threshold.normalize().to_string()),
            ));
        }
        if entry.quantity.normalize() != view.quantity.normalize() {
            return Err(at(
                field(".quantity"),
                the_plans("quantity", view.quantity.normalize().to_string()),
            ));
        }
        if entry.invoice_mode == Some(true) {
            return Err(at(
                field(".invoice_mode"),
                "an auto top-up that sends an invoice: pricectl's top-ups charge".into(),
            ));
        }
        let plan_limit = auto_topup(
            &view.feature_id,
            AutoTopUp {
                threshold: view.threshold,
                quantity: view.quantity,
                enabled: view.plan_enabled,
                purchase_limit: view.purchase_limit,
            },
        )
        .purchase_limit;
        let sent_limit = entry.purchase_limit.clone().map(|mut limit| {
            if limit.interval_count.is_none() {
                limit.interval_count = Some(1);
            }
            limit
        });
        if sent_limit
            .as_ref()
            .is_some_and(|limit| limit.count.is_some())
        {
            return Err(at(
                field(".purchase_limit.count"),
                "a count of purchases made: pricectl counts the top-ups the ledger made".into(),
            ));
        }
        if sent_limit != plan_limit {
            let plan = view.purchase_limit.map_or_else(
                || "none".to_string(),
                |limit| {
                    format!(
                        "{} a {}",
                        limit.limit,
                        catalog::Choice::as_str(limit.interval)
                    )
                },
            );
            return Err(at(
                field(".purchase_limit"),
                the_plans("purchase limit", plan),
            ));
        }
        let on = entry.enabled.unwrap_or(false);
        switches.insert(
            entry.feature_id.clone(),
            if on {
                TopUpSwitch::On
            } else {
                TopUpSwitch::Off
            },
        );
    }
    // What the customer had set and the list leaves out goes back to the plan's default.
    for view in top_ups {
        if view.source == ControlSource::Customer && !switches.contains_key(&view.feature_id) {
            switches.insert(view.feature_id.clone(), TopUpSwitch::Plan);
        }
    }
    Ok(switches)
}
