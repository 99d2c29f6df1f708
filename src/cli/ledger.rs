//! The ledger commands: `customer`, `attach`, `track`, `check`, `grant`, `balance`, `history`.
//! Each opens the local store, performs one ledger operation at `--at` (default now), and
//! prints the result as text or JSON on stdout.

use std::fmt::Write as _;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use super::output::{print_stdout, report_error};
use super::{ExitStatus, LedgerArgs, LedgerCommand, OutputFormat};
use crate::ledger::{
    AttachRequest, BalanceView, GrantRequest, Instant, Ledger, LedgerError, TrackRequest,
};
use crate::reconcile::default_state_path;

/// Runs one ledger command.
pub fn ledger(args: &LedgerArgs, command: &LedgerCommand) -> ExitStatus {
    let at = match &args.at {
        Some(text) => match Instant::parse(text) {
            Ok(at) => at,
            Err(error) => {
                report_error(
                    &error,
                    Some("pass `--at 2026-01-31T12:00:00Z` (UTC) or a date such as `2026-01-31`"),
                );
                return ExitStatus::Usage;
            }
        },
        None => Instant::now(),
    };
    let state = args
        .state
        .clone()
        .unwrap_or_else(|| default_state_path(Path::new("pricing.toml")));
    let mut ledger = match Ledger::open(&state) {
        Ok(ledger) => ledger,
        Err(error) => {
            let help = matches!(error, LedgerError::NoCatalog)
                .then_some("run `pricectl apply` first, or pass `--state` to name the store that holds your catalog");
            report_error(&error, help);
            return ExitStatus::Failure;
        }
    };
    let json = args.format == OutputFormat::Json;
    let result = run(&mut ledger, command, at, json);
    match result {
        Ok(text) => {
            print_stdout(&text);
            ExitStatus::Success
        }
        Err(error) => {
            let help = help_for(&error);
            report_error(&error, help.as_deref());
            ExitStatus::Failure
        }
    }
}

fn run(
    ledger: &mut Ledger,
    command: &LedgerCommand,
    at: Instant,
    json: bool,
) -> Result<String, LedgerError> {
    match command {
        LedgerCommand::CustomerCreate { id, name, email } => {
            let customer = ledger.create_customer(id, name.as_deref(), email.as_deref(), at)?;
            Ok(output(json, &customer, || {
                format!("created customer {}\n", customer.id)
            }))
        }
        LedgerCommand::CustomerShow { id } => {
            let customer = ledger.customer(id, at)?;
            Ok(output(json, &customer, || {
                let mut text = format!("customer {}", customer.id);
                if let Some(name) = &customer.name {
                    let _ = write!(text, " ({name})");
                }
                text.push('\n');
                for subscription in &customer.subscriptions {
                    let state = subscription
                        .ended_at
                        .as_ref()
                        .map_or_else(|| "active".to_string(), |ended| format!("ended {ended}"));
                    let _ = writeln!(
                        text,
                        "  plan {} version {} since {} ({state})",
                        subscription.plan_id, subscription.version, subscription.started_at
                    );
                }
                text.push_str(&balances_text(&customer.balances));
                for charge in &customer.charges {
                    let _ = writeln!(
                        text,
                        "charged {} {} on {}",
                        charge.charge.currency, charge.charge.total, charge.at
                    );
                    let money = |amount: Decimal| {
                        crate::catalog::Currency::from_code(&charge.charge.currency).map_or_else(
                            || amount.to_string(),
                            |currency| currency.format_amount(amount),
                        )
                    };
                    for line in &charge.charge.line_items {
                        let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
                    }
                }
                text
            }))
        }
        LedgerCommand::Attach {
            customer,
            plan,
            quantities,
            idempotency_key,
        } => {
            let mut bought = std::collections::BTreeMap::new();
            for (item, quantity) in quantities {
                if let Some(first) = bought.insert(item.clone(), *quantity) {
                    return Err(LedgerError::Quantity {
                        plan: plan.clone(),
                        feature: item.clone(),
                        reason: format!(
                            "given twice ({} and {}): pass `--quantity {item}=N` once",
                            first.normalize(),
                            quantity.normalize()
                        ),
                    });
                }
            }
            let result = ledger.attach(
                &AttachRequest {
                    customer_id: customer.clone(),
                    plan_id: plan.clone(),
                    quantities: bought,
                    idempotency_key: idempotency_key.clone(),
                },
                at,
            )?;
            Ok(output(json, &result, || {
                let mut text = match &result.starts_at {
                    Some(starts_at) => format!(
                        "{} moves to plan {} version {} on {starts_at}: a downgrade, the current plan runs to the end of its period\n",
                        result.customer_id, result.plan_id, result.version
                    ),
                    None => format!(
                        "attached {} to plan {} version {}\n",
                        result.customer_id, result.plan_id, result.version
                    ),
                };
                for replaced in &result.replaced {
                    let _ = writeln!(text, "  replaced plan {replaced}");
                }
                let _ = writeln!(
                    text,
                    "charge: {} {}",
                    result.charge.currency, result.charge.total
                );
                for line in &result.charge.line_items {
                    let _ = writeln!(
                        text,
                        "  {}: {} {}",
                        line.description, result.charge.currency, line.amount
                    );
                }
                text
            }))
        }
        LedgerCommand::Track {
            customer,
            feature,
            value,
            idempotency_key,
        } => {
            let result = ledger.track(
                &TrackRequest {
                    customer_id: customer.clone(),
                    feature_id: feature.clone(),
                    value: *value,
                    idempotency_key: idempotency_key.clone(),
                },
                at,
            )?;
            Ok(output(json, &result, || {
                if result.value < Decimal::ZERO {
                    format!(
                        "released {} {}: balance {}\n",
                        (-result.value).normalize(),
                        result.feature_id,
                        result.balance.normalize()
                    )
                } else if result.unlimited {
                    format!(
                        "tracked {} {}: unlimited\n",
                        result.value, result.feature_id
                    )
                } else {
                    format!(
                        "tracked {} {}: {} deducted from {}, balance {}\n",
                        result.value.normalize(),
                        result.feature_id,
                        result.deducted.normalize(),
                        result.balance_key,
                        result.balance.normalize()
                    )
                }
            }))
        }
        LedgerCommand::Check {
            customer,
            feature,
            required,
        } => {
            let result = ledger.check(customer, feature, *required, at)?;
            Ok(output(json, &result, || {
                let verdict = if result.allowed {
                    "allowed"
                } else {
                    "not allowed"
                };
                match &result.balance {
                    None => format!(
                        "{verdict}: {}\n",
                        result.granted_by.as_ref().map_or_else(
                            || format!("no plan grants {}", result.feature_id),
                            |plan| format!("granted by plan {plan}")
                        )
                    ),
                    Some(balance) => format!(
                        "{verdict}: {} needs {} of {}, which has {}{}\n",
                        result.feature_id,
                        result.required.normalize(),
                        balance.balance_key,
                        balance.balance.normalize(),
                        if balance.unlimited {
                            " (unlimited)"
                        } else if balance.overage_allowed {
                            " (usage beyond it is billed)"
                        } else {
                            ""
                        }
                    ),
                }
            }))
        }
        LedgerCommand::Grant {
            customer,
            feature,
            amount,
            expires,
            reason,
        } => {
            let expires_at = expires
                .as_deref()
                .map(Instant::parse)
                .transpose()
                .map_err(|error| LedgerError::Amount(error.to_string()))?
                .map(|instant| instant.0);
            let result = ledger.grant(
                &GrantRequest {
                    customer_id: customer.clone(),
                    feature_id: feature.clone(),
                    amount: *amount,
                    expires_at,
                    reason: reason.clone(),
                },
                at,
            )?;
            Ok(output(json, &result, || {
                format!(
                    "granted {} {} to {}: balance {}\n",
                    result.amount.normalize(),
                    result.balance_key,
                    result.customer_id,
                    result.balance.normalize()
                )
            }))
        }
        LedgerCommand::Balance { customer } => {
            let balances = ledger.balances(customer, at)?;
            Ok(output(json, &balances, || balances_text(&balances)))
        }
        LedgerCommand::History { customer } => {
            let entries = ledger.history(customer)?;
            Ok(output(json, &entries, || {
                let mut text = String::new();
                for entry in &entries {
                    let _ = write!(
                        text,
                        "{:>5}  {}  {:<8} {:<20} {:>14}",
                        entry.id,
                        entry.at,
                        entry.kind,
                        entry.balance_key,
                        signed(entry.amount)
                    );
                    if let (Some(feature), Some(units)) = (&entry.feature_id, &entry.units) {
                        let _ = write!(text, "  ({units} {feature})");
                    }
                    if let Some(reason) = &entry.reason {
                        let _ = write!(text, "  {reason}");
                    }
                    text.push('\n');
                }
                text
            }))
        }
    }
}

fn signed(amount: Decimal) -> String {
    let amount = amount.normalize();
    if amount > Decimal::ZERO {
        format!("+{amount}")
    } else {
        amount.to_string()
    }
}

fn balances_text(balances: &[BalanceView]) -> String {
    let mut text = String::new();
    for balance in balances {
        let _ = write!(
            text,
            "{}: {}",
            balance.balance_key,
            balance.balance.normalize()
        );
        if balance.unlimited {
            text.push_str(" (unlimited)");
        }
        text.push('\n');
        for lot in &balance.lots {
            if lot.source == "in_use" {
                let _ = writeln!(text, "  in use {}", (-lot.remaining).normalize());
                continue;
            }
            let _ = write!(
                text,
                "  {} {} of {}",
                lot.source,
                lot.remaining.normalize(),
                lot.granted.normalize()
            );
            if let Some(expires) = &lot.expires_at {
                let _ = write!(text, ", expires {expires}");
            }
            if let Some(reason) = &lot.reason {
                let _ = write!(text, " ({reason})");
            }
            text.push('\n');
        }
    }
    text
}

fn output<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> String {
    if json {
        let mut text = serde_json::to_string_pretty(value).expect("results serialize");
        text.push('\n');
        text
    } else {
        text()
    }
}

fn help_for(error: &LedgerError) -> Option<String> {
    match error {
        LedgerError::UnknownCustomer(id) => {
            Some(format!("create it with `pricectl customer create {id}`"))
        }
        LedgerError::UnknownPlan(_) | LedgerError::UnknownFeature(_) => Some(
            "`pricectl import` shows the live catalog; `pricectl apply` puts the pricing there"
                .into(),
        ),
        LedgerError::QuantityRequired { feature, .. } => Some(format!(
            "pass `--quantity {feature}=N` (in a scenario: `quantities = {{ {feature} = N }}`)"
        )),
        LedgerError::IdempotencyConflict(_) => {
            Some("use a new idempotency key for a new request".into())
        }
        _ => None,
    }
}
