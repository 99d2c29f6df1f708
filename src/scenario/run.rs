use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::file::{AdvanceTo, Expectation, ExpectedBalance, Scenario, Step, StepAction};
use crate::backend::local::LocalStore;
use crate::catalog::Catalog;
use crate::ledger::Outcome as Answer;
use crate::ledger::{Instant, Ledger, LedgerError, Operation, Period};
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
    let mut progress = Progress {
        now: scenario.start,
        customers: Vec::new(),
    };
    for (index, step) in scenario.steps.iter().enumerate() {
        let differences = run_step(&mut ledger, &mut progress, step);
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

/// A ledger over a fresh in-memory store holding `catalog` (scenarios and revenue impact run
/// on one).
pub fn fresh_ledger(catalog: &Catalog) -> Result<Ledger, String> {
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
    Ledger::over(store.into_store()).map_err(|error| error.to_string())
}

/// What a step produced, to compare with its expectations.
#[derive(Default)]
struct Observed {
    allowed: Option<bool>,
    /// The balance the step's result reports, and whose it is (a feature or credit system).
    balance: Option<(String, Decimal)>,
    /// What the step charged, and to whom.
    charge: Option<(String, Decimal)>,
    line_items: Option<Vec<(String, Decimal)>>,
    /// The customer whose balances `balance = { … }` reads after the step.
    customer: Option<String>,
}

/// The clock and the customers a scenario has named so far.
struct Progress {
    now: Instant,
    customers: Vec<String>,
}

impl Progress {
    fn meet(&mut self, customer: &str) {
        if !self.customers.iter().any(|known| known == customer) {
            self.customers.push(customer.to_string());
        }
    }
}

fn run_step(
    ledger: &mut Ledger,
    progress: &mut Progress,
    step: &Step,
) -> Vec<(String, String, String)> {
    let at = progress.now;
    if let Some(customer) = step.action.customer() {
        progress.meet(customer);
    }
    // The alerts the customer had before the step, when the step's are expected.
    let alerts_before = step
        .expect
        .alerts
        .as_ref()
        .and(step.action.customer())
        .map(|customer| alerts_of(ledger, customer).len());
    let outcome = match &step.action {
        StepAction::Operation(operation) => perform(ledger, operation, at),
        StepAction::Advance { to, customer } => {
            let until = match to {
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
            progress.now = until;
            advance(ledger, customer.as_ref(), &progress.customers, until)
        }
    };
    let named = match (&step.expect.balance, &outcome) {
        (Some(ExpectedBalance::Named(expected)), Ok(observed)) => {
            Some(named_balances(ledger, observed, expected, progress.now))
        }
        _ => None,
    };
    let alerts = alerts_before.and_then(|before| {
        step.action
            .customer()
            .map(|customer| alerts_of(ledger, customer).split_off(before))
    });
    let mut differences = compare(&step.expect, outcome, named);
    if let Some(expected) = &step.expect.alerts
        && step.expect.error.is_none()
        && alerts.as_ref() != Some(expected)
    {
        differences.push((
            "alerts".into(),
            format!("[{}]", expected.join(", ")),
            alerts.map_or_else(
                || "(the step names no customer: name one with `customer = …`)".into(),
                |alerts| format!("[{}]", alerts.join(", ")),
            ),
        ));
    }
    differences
}

/// The customer's alerts so far, oldest first, as `KIND THRESHOLD` (none when it does not
/// exist yet).
fn alerts_of(ledger: &mut Ledger, customer: &str) -> Vec<String> {
    ledger
        .history(customer)
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry.kind == "alert")
        .filter_map(|entry| {
            let reason = entry.reason?;
            let alert = reason.strip_prefix("alert: ")?;
            Some(alert.split(" crossed").next().unwrap_or(alert).to_string())
        })
        .collect()
}

/// Performs a step's operation (creating its customer first, unless the step creates it)
/// and reads what its expectations compare.
fn perform(
    ledger: &mut Ledger,
    operation: &Operation,
    at: Instant,
) -> Result<Observed, LedgerError> {
    let customer = operation.customer_id().map(str::to_string);
    if let Some(customer_id) = &customer
        && !matches!(operation, Operation::CreateCustomer { .. })
    {
        ledger.execute(
            &Operation::GetOrCreateCustomer {
                customer_id: customer_id.clone(),
                name: None,
                email: None,
            },
            at,
        )?;
    }
    let observed = match (operation, ledger.execute(operation, at)?) {
        (Operation::Attach(request), Answer::Attached(attached)) => {
            // The balance of the first item bought, else of the plan's first metered item.
            let key = request.quantities.keys().next().cloned().or_else(|| {
                ledger
                    .catalog()
                    .plans
                    .get(&request.plan_id)
                    .and_then(|plan| {
                        plan.items
                            .keys()
                            .find(|key| !is_boolean(ledger.catalog(), key))
                            .cloned()
                    })
            });
            let balance = match key {
                Some(key) => Some(reported_balance(ledger, &request.customer_id, &key, at)?),
                None => None,
            };
            Observed {
                balance,
                charge: Some((request.customer_id.clone(), attached.charge.total)),
                line_items: Some(lines(&attached.charge.line_items)),
                ..Observed::default()
            }
        }
        (Operation::SetQuantity(request), Answer::QuantitySet(changed)) => {
            // The balance of the first item changed.
            let balance = match request.quantities.keys().next() {
                Some(key) => Some(reported_balance(ledger, &request.customer_id, key, at)?),
                None => None,
            };
            Observed {
                balance,
                charge: Some((request.customer_id.clone(), changed.charge.total)),
                line_items: Some(lines(&changed.charge.line_items)),
                ..Observed::default()
            }
        }
        // A track charges what its auto top-up bought in the same transaction, if anything.
        (_, Answer::Tracked(tracked)) => Observed {
            charge: Some((
                tracked.customer_id.clone(),
                tracked
                    .top_up
                    .as_ref()
                    .map_or(Decimal::ZERO, |charge| charge.total),
            )),
            line_items: Some(
                tracked
                    .top_up
                    .as_ref()
                    .map(|charge| lines(&charge.line_items))
                    .unwrap_or_default(),
            ),
            balance: Some((tracked.balance_key, tracked.balance)),
            ..Observed::default()
        },
        // Turning a top-up on below its threshold buys at once: the step's charge.
        (Operation::SetAutoTopUp(request), Answer::AutoTopUpSet(set)) => {
            let balance = match request.switches.keys().next() {
                Some(key) => Some(reported_balance(ledger, &request.customer_id, key, at)?),
                None => None,
            };
            Observed {
                balance,
                charge: Some((
                    request.customer_id.clone(),
                    set.top_ups.iter().map(|charge| charge.total).sum(),
                )),
                line_items: Some(
                    set.top_ups
                        .iter()
                        .flat_map(|charge| lines(&charge.line_items))
                        .collect(),
                ),
                ..Observed::default()
            }
        }
        (_, Answer::Checked(checked)) => Observed {
            allowed: Some(checked.allowed),
            balance: checked.balance.map(|view| (view.balance_key, view.balance)),
            ..Observed::default()
        },
        (_, Answer::Granted(granted)) => Observed {
            balance: Some((granted.balance_key, granted.balance)),
            ..Observed::default()
        },
        _ => Observed::default(),
    };
    Ok(Observed {
        customer,
        ..observed
    })
}

/// Moves the clock to `until` for `customer`, or for every customer met so far: what that
/// bills (every renewal, trial end and usage bill on the way) is the step's charge.
fn advance(
    ledger: &mut Ledger,
    customer: Option<&String>,
    met: &[String],
    until: Instant,
) -> Result<Observed, LedgerError> {
    let billed: Vec<String> = match customer {
        Some(customer) => vec![customer.clone()],
        None => met.to_vec(),
    };
    let mut total = Decimal::ZERO;
    let mut line_items = Vec::new();
    for customer in &billed {
        let operation = Operation::Advance {
            customer_id: Some(customer.clone()),
        };
        if let Answer::Advanced(charges) = ledger.execute(&operation, until)? {
            for billed in charges {
                total += billed.charge.charge.total;
                line_items.extend(lines(&billed.charge.charge.line_items));
            }
        }
    }
    let whose = customer
        .cloned()
        .unwrap_or_else(|| "every customer".to_string());
    Ok(Observed {
        charge: Some((whose, total)),
        line_items: Some(line_items),
        customer: customer
            .cloned()
            .or_else(|| (billed.len() == 1).then(|| billed[0].clone())),
        ..Observed::default()
    })
}

/// The balance of `key` (a feature's, or the credit system's it draws from) as `check` sees it.
fn reported_balance(
    ledger: &mut Ledger,
    customer: &str,
    key: &str,
    at: Instant,
) -> Result<(String, Decimal), LedgerError> {
    let checked = ledger.check(customer, key, None, at)?;
    Ok(checked.balance.map_or_else(
        || (key.to_string(), Decimal::ZERO),
        |view| (view.balance_key, view.balance),
    ))
}

/// Each named balance after the step, or why it could not be read.
fn named_balances(
    ledger: &mut Ledger,
    observed: &Observed,
    expected: &BTreeMap<String, Decimal>,
    at: Instant,
) -> Result<BTreeMap<String, Decimal>, String> {
    let customer = observed.customer.as_deref().ok_or_else(|| {
        "`balance = { … }` on a step with no customer: name one with `customer = …`".to_string()
    })?;
    expected
        .keys()
        .map(|key| {
            reported_balance(ledger, customer, key, at)
                .map(|(_, balance)| (key.clone(), balance))
                .map_err(|error| error.to_string())
        })
        .collect()
}

fn lines(line_items: &[crate::ledger::LineItem]) -> Vec<(String, Decimal)> {
    line_items
        .iter()
        .map(|line| (line.description.clone(), line.amount))
        .collect()
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
    named: Option<Result<BTreeMap<String, Decimal>, String>>,
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
    match (&expect.balance, named) {
        (Some(ExpectedBalance::Reported(balance)), _) => match &observed.balance {
            Some((key, actual)) if actual == balance => {}
            Some((key, actual)) => differences.push((
                format!("balance of {key}"),
                balance.normalize().to_string(),
                actual.normalize().to_string(),
            )),
            None => differences.push((
                "balance".into(),
                balance.normalize().to_string(),
                "(the step reports no balance; name one: `balance = { credits = … }`)".into(),
            )),
        },
        (Some(ExpectedBalance::Named(expected)), Some(Ok(actual))) => {
            for (key, balance) in expected {
                let actual = actual.get(key).copied().unwrap_or_default();
                if actual != *balance {
                    differences.push((
                        format!("balance of {key}"),
                        balance.normalize().to_string(),
                        actual.normalize().to_string(),
                    ));
                }
            }
        }
        (Some(ExpectedBalance::Named(_)), Some(Err(problem))) => {
            differences.push(("balance".into(), "a balance".into(), problem));
        }
        _ => {}
    }
    if let Some(charge) = expect.charge {
        // Money as written: `5.00`, not `5`.
        match &observed.charge {
            Some((_, actual)) if *actual == charge => {}
            Some((whose, actual)) => differences.push((
                format!("charge to {whose}"),
                charge.to_string(),
                actual.to_string(),
            )),
            None => differences.push((
                "charge".into(),
                charge.to_string(),
                "(the step charges nothing: charges come from `attach`, `set-quantity`, `advance`, and a `track` or `set-auto-top-up` that buys an auto top-up)"
                    .into(),
            )),
        }
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
        StepAction::Operation(operation) => operation.describe(),
        StepAction::Advance {
            to: AdvanceTo::Until(instant),
            ..
        } => format!("advance to {instant}"),
        StepAction::Advance {
            to:
                AdvanceTo::By {
                    days,
                    hours,
                    minutes,
                },
            ..
        } => format!("advance {days} days {hours} hours {minutes} minutes"),
    }
}
