use rust_decimal::Decimal;

use super::file::{AdvanceTo, Expectation, Scenario, Step, StepAction};
use crate::backend::local::LocalStore;
use crate::catalog::Catalog;
use crate::ledger::{
    AttachRequest, GrantRequest, Instant, Ledger, LedgerError, Period, TrackRequest,
};
use crate::reconcile::{ApplyOptions, apply, plan};

/// How a scenario went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    pub name: String,
    pub path: std::path::PathBuf,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// The first step that did not meet its expectations (later steps depend on it).
    Failed(StepFailure),
    /// The pricing could not be put in a store (an error of pricectl, not of the scenario).
    Broken(String),
}

/// A step whose result differs from what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// 1-based.
    pub step: usize,
    pub line: usize,
    pub description: String,
    /// `(what, expected, actual)` for every expectation that failed.
    pub differences: Vec<(String, String, String)>,
}

/// Runs a scenario against a fresh in-memory store holding `catalog`.
pub fn run_scenario(catalog: &Catalog, scenario: &Scenario) -> ScenarioResult {
    let result = |outcome| ScenarioResult {
        name: scenario.name.clone(),
        path: scenario.path.clone(),
        outcome,
    };
    let mut ledger = match fresh_ledger(catalog) {
        Ok(ledger) => ledger,
        Err(error) => return result(Outcome::Broken(error)),
    };
    let mut now = scenario.start;
    for (index, step) in scenario.steps.iter().enumerate() {
        let differences = run_step(&mut ledger, &mut now, step);
        if !differences.is_empty() {
            return result(Outcome::Failed(StepFailure {
                step: index + 1,
                line: step.line,
                description: describe(&step.action),
                differences,
            }));
        }
    }
    result(Outcome::Passed)
}

fn fresh_ledger(catalog: &Catalog) -> Result<Ledger, String> {
    let mut store = LocalStore::open_in_memory().map_err(|error| error.to_string())?;
    let planned = plan(&mut store, catalog).map_err(|error| error.to_string())?;
    apply(
        &mut store,
        &planned,
        catalog,
        ApplyOptions {
            allow_destroy: true,
        },
    )
    .map_err(|error| error.to_string())?;
    Ledger::over(store).map_err(|error| error.to_string())
}

/// What a step produced, to compare with its expectations.
#[derive(Default)]
struct Observed {
    allowed: Option<bool>,
    balance: Option<Decimal>,
    charge: Option<Decimal>,
    line_items: Option<Vec<(String, Decimal)>>,
}

fn run_step(ledger: &mut Ledger, now: &mut Instant, step: &Step) -> Vec<(String, String, String)> {
    let at = *now;
    let outcome: Result<Observed, LedgerError> = (|| match &step.action {
        StepAction::Customer {
            customer,
            name,
            email,
        } => {
            ledger.create_customer(customer, name.as_deref(), email.as_deref(), at)?;
            Ok(Observed::default())
        }
        StepAction::Attach {
            customer,
            plan,
            quantities,
            idempotency_key,
        } => {
            ledger.ensure_customer(customer, at)?;
            let attached = ledger.attach(
                &AttachRequest {
                    customer_id: customer.clone(),
                    plan_id: plan.clone(),
                    quantities: quantities.clone(),
                    idempotency_key: idempotency_key.clone(),
                },
                at,
            )?;
            let key = quantities.keys().next().cloned().or_else(|| {
                ledger.catalog().plans.get(plan).and_then(|plan| {
                    plan.items
                        .keys()
                        .find(|key| !is_boolean(ledger.catalog(), key))
                        .cloned()
                })
            });
            let balance = match key {
                Some(key) => Some(
                    ledger
                        .check(customer, &key, None, at)?
                        .balance
                        .map_or(Decimal::ZERO, |view| view.balance),
                ),
                None => None,
            };
            Ok(Observed {
                allowed: None,
                balance,
                charge: Some(attached.charge.total),
                line_items: Some(
                    attached
                        .charge
                        .line_items
                        .iter()
                        .map(|line| (line.description.clone(), line.amount))
                        .collect(),
                ),
            })
        }
        StepAction::Track {
            customer,
            feature,
            value,
            idempotency_key,
        } => {
            ledger.ensure_customer(customer, at)?;
            let tracked = ledger.track(
                &TrackRequest {
                    customer_id: customer.clone(),
                    feature_id: feature.clone(),
                    value: *value,
                    idempotency_key: idempotency_key.clone(),
                },
                at,
            )?;
            Ok(Observed {
                balance: Some(tracked.balance),
                ..Observed::default()
            })
        }
        StepAction::Check {
            customer,
            feature,
            required,
        } => {
            ledger.ensure_customer(customer, at)?;
            let checked = ledger.check(customer, feature, *required, at)?;
            Ok(Observed {
                allowed: Some(checked.allowed),
                balance: checked.balance.map(|view| view.balance),
                ..Observed::default()
            })
        }
        StepAction::Grant {
            customer,
            feature,
            amount,
            reason,
            expires,
        } => {
            ledger.ensure_customer(customer, at)?;
            let granted = ledger.grant(
                &GrantRequest {
                    customer_id: customer.clone(),
                    feature_id: feature.clone(),
                    amount: *amount,
                    expires_at: expires.map(|instant| instant.0),
                    reason: reason.clone(),
                },
                at,
            )?;
            Ok(Observed {
                balance: Some(granted.balance),
                ..Observed::default()
            })
        }
        StepAction::Advance { to } => {
            *now = match to {
                AdvanceTo::Until(instant) => *instant,
                AdvanceTo::By {
                    days,
                    hours,
                    minutes,
                } => at
                    .add(Period::Day, *days)
                    .add(Period::Hour, *hours)
                    .add(Period::Minute, *minutes),
            };
            Ok(Observed::default())
        }
    })();
    compare(&step.expect, outcome)
}

fn is_boolean(catalog: &Catalog, id: &str) -> bool {
    catalog
        .features
        .get(id)
        .is_some_and(|feature| feature.kind == crate::catalog::FeatureType::Boolean)
}

fn compare(
    expect: &Expectation,
    outcome: Result<Observed, LedgerError>,
) -> Vec<(String, String, String)> {
    let mut differences = Vec::new();
    let observed = match (outcome, &expect.error) {
        (Err(error), Some(expected)) if error.to_string().contains(expected.as_str()) => {
            return differences;
        }
        (Err(error), expected) => {
            differences.push((
                "error".into(),
                expected.clone().map_or_else(
                    || "no error".into(),
                    |text| format!("an error containing `{text}`"),
                ),
                error.to_string(),
            ));
            return differences;
        }
        (Ok(_), Some(expected)) => {
            differences.push((
                "error".into(),
                format!("an error containing `{expected}`"),
                "no error".into(),
            ));
            return differences;
        }
        (Ok(observed), None) => observed,
    };
    if let Some(allowed) = expect.allowed
        && observed.allowed != Some(allowed)
    {
        differences.push((
            "allowed".into(),
            allowed.to_string(),
            observed
                .allowed
                .map_or_else(|| "(not a check)".into(), |value| value.to_string()),
        ));
    }
    let decimal = |value: Option<Decimal>| {
        value.map_or_else(
            || "(none)".to_string(),
            |value| value.normalize().to_string(),
        )
    };
    if let Some(balance) = expect.balance
        && observed.balance != Some(balance)
    {
        differences.push((
            "balance".into(),
            decimal(Some(balance)),
            decimal(observed.balance),
        ));
    }
    if let Some(charge) = expect.charge
        && observed.charge != Some(charge)
    {
        // Money as written: `5.00`, not `5`.
        let money = |value: Option<Decimal>| {
            value.map_or_else(|| "(none)".to_string(), |value| value.to_string())
        };
        differences.push(("charge".into(), money(Some(charge)), money(observed.charge)));
    }
    if let Some(expected_lines) = &expect.line_items {
        let actual = observed.line_items.unwrap_or_default();
        let matches = expected_lines.len() == actual.len()
            && expected_lines.iter().zip(&actual).all(
                |((description, amount), (actual_description, actual_amount))| {
                    amount == actual_amount
                        && description
                            .as_ref()
                            .is_none_or(|description| description == actual_description)
                },
            );
        if !matches {
            let show = |lines: Vec<String>| format!("[{}]", lines.join("; "));
            differences.push((
                "line_items".into(),
                show(
                    expected_lines
                        .iter()
                        .map(|(description, amount)| {
                            format!(
                                "{} {}",
                                description.as_deref().unwrap_or("*"),
                                amount.normalize()
                            )
                        })
                        .collect(),
                ),
                show(
                    actual
                        .iter()
                        .map(|(description, amount)| format!("{description} {amount}"))
                        .collect(),
                ),
            ));
        }
    }
    differences
}

fn describe(action: &StepAction) -> String {
    match action {
        StepAction::Customer { customer, .. } => format!("customer {customer}"),
        StepAction::Attach {
            customer,
            plan,
            quantities,
            ..
        } => {
            let bought: Vec<String> = quantities
                .iter()
                .map(|(item, quantity)| format!("{item}={quantity}"))
                .collect();
            format!(
                "attach {customer} to {plan}{}",
                if bought.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", bought.join(", "))
                }
            )
        }
        StepAction::Track {
            customer,
            feature,
            value,
            ..
        } => format!("track {value} {feature} for {customer}"),
        StepAction::Check {
            customer,
            feature,
            required,
        } => format!(
            "check {feature} for {customer}{}",
            required.map_or_else(String::new, |required| format!(" (required {required})"))
        ),
        StepAction::Grant {
            customer,
            feature,
            amount,
            ..
        } => format!("grant {amount} {feature} to {customer}"),
        StepAction::Advance {
            to: AdvanceTo::Until(instant),
        } => format!("advance to {instant}"),
        StepAction::Advance {
            to:
                AdvanceTo::By {
                    days,
                    hours,
                    minutes,
                },
        } => format!("advance {days} days {hours} hours {minutes} minutes"),
    }
}
