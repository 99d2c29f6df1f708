//! The ledger commands: `customer`, `attach`, `track`, `check`, `grant`, `balance`, `history`.
//! Each is one [`Operation`] (mapped from its arguments in `cli/mod.rs`), performed at `--at`
//! (default now) on the store, and printed as text or JSON on stdout. Commands that only read
//! open the store for reading: they never create or migrate it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use super::output::{print_stdout, report_error};
use super::{AttachArgs, ExitStatus, LedgerArgs, OutputFormat};
use crate::catalog::Choice as _;
use crate::ledger::{
    AttachRequest, AutoTopUpView, BalanceView, ControlSource, Instant, Ledger, LedgerError,
    Operation, Outcome, SetQuantityRequest,
};
use crate::reconcile::default_state_path;
use crate::store::Access;

/// Runs one ledger command.
pub fn ledger(args: &LedgerArgs, operation: &Operation) -> ExitStatus {
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
    let access = if operation.writes() {
        Access::Write
    } else {
        Access::Read
    };
    let outcome =
        Ledger::open_with(&state, access).and_then(|mut ledger| ledger.execute(operation, at));
    match outcome {
        Ok(outcome) => {
            let json = args.format == OutputFormat::Json;
            print_stdout(&if json {
                to_json(&outcome)
            } else {
                text(operation, &outcome)
            });
            ExitStatus::Success
        }
        Err(error) => {
            let help = help_for(&error);
            report_error(&error, help.as_deref());
            // As for `plan` and `apply`: a store that cannot be used is operational (exit 3).
            if matches!(error, LedgerError::Store(_)) {
                ExitStatus::Operational
            } else {
                ExitStatus::Failure
            }
        }
    }
}

/// `attach`: the command line's `--quantity ITEM=N` pairs become the operation's quantities.
pub fn attach(args: &AttachArgs) -> ExitStatus {
    let quantities = match quantities_once(&args.plan, &args.quantities) {
        Ok(quantities) => quantities,
        Err(status) => return status,
    };
    ledger(
        &args.ledger,
        &Operation::Attach(AttachRequest {
            customer_id: args.customer.clone(),
            plan_id: args.plan.clone(),
            quantities,
            idempotency_key: args.idempotency_key.clone(),
        }),
    )
}

/// `set-quantity`: the new quantities, as `attach` reads them.
pub fn set_quantity(args: &AttachArgs) -> ExitStatus {
    let quantities = match quantities_once(&args.plan, &args.quantities) {
        Ok(quantities) => quantities,
        Err(status) => return status,
    };
    if quantities.is_empty() {
        report_error(
            &LedgerError::Amount("no quantity to set".into()),
            Some("pass `--quantity ITEM=N` for each item whose quantity changes"),
        );
        return ExitStatus::Usage;
    }
    ledger(
        &args.ledger,
        &Operation::SetQuantity(SetQuantityRequest {
            customer_id: args.customer.clone(),
            plan_id: args.plan.clone(),
            quantities,
            idempotency_key: args.idempotency_key.clone(),
        }),
    )
}

/// The command line's `--quantity ITEM=N` pairs as a map; an item given twice is refused
/// rather than one value silently winning.
fn quantities_once(
    plan: &str,
    pairs: &[(String, Decimal)],
) -> Result<BTreeMap<String, Decimal>, ExitStatus> {
    let mut quantities = BTreeMap::new();
    for (item, quantity) in pairs {
        if let Some(first) = quantities.insert(item.clone(), *quantity) {
            let error = LedgerError::Quantity {
                plan: plan.to_string(),
                feature: item.clone(),
                reason: format!(
                    "given twice ({} and {}): pass `--quantity {item}=N` once",
                    first.normalize(),
                    quantity.normalize()
                ),
            };
            report_error(&error, None);
            return Err(ExitStatus::Failure);
        }
    }
    Ok(quantities)
}

/// The text a command prints for what its operation answered.
fn text(operation: &Operation, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Customer(customer) => {
            if matches!(operation, Operation::CreateCustomer { .. }) {
                return format!("created customer {}\n", customer.id);
            }
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
            for entity in &customer.entities {
                let _ = writeln!(
                    text,
                    "  entity {} of {}{} since {}",
                    entity.id,
                    entity.feature_id,
                    entity
                        .name
                        .as_ref()
                        .map_or_else(String::new, |name| format!(" ({name})")),
                    entity.created_at
                );
            }
            text.push_str(&balances_text(&customer.balances));
            text.push_str(&auto_top_ups_text(&customer.auto_top_ups, ""));
            for charge in &customer.charges {
                let money = money_in(&charge.charge.currency);
                let _ = writeln!(
                    text,
                    "charged {} on {}",
                    money(charge.charge.total),
                    charge.at
                );
                for line in &charge.charge.line_items {
                    let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
                }
            }
            text
        }
        Outcome::Attached(result) => {
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
            let money = money_in(&result.charge.currency);
            let _ = writeln!(text, "charge: {}", money(result.charge.total));
            for line in &result.charge.line_items {
                let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
            }
            text.push_str(&balances_block(&result.balances));
            if result.replayed {
                text.push_str(REPLAYED);
            }
            text
        }
        Outcome::QuantitySet(result) => {
            let mut text = String::new();
            for change in &result.changes {
                let _ = writeln!(
                    text,
                    "{} on plan {}: {} {} → {}, units from {}",
                    result.customer_id,
                    result.plan_id,
                    change.item,
                    change.from.normalize(),
                    change.to.normalize(),
                    change.units_from
                );
            }
            if result.changes.is_empty() {
                let _ = writeln!(
                    text,
                    "{} on plan {}: the quantities are already these",
                    result.customer_id, result.plan_id
                );
            }
            let money = money_in(&result.charge.currency);
            let _ = writeln!(text, "charge: {}", money(result.charge.total));
            for line in &result.charge.line_items {
                let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
            }
            if !result.next_cycle.is_empty() {
                text.push_str("on the next invoice:\n");
                for line in &result.next_cycle {
                    let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
                }
            }
            text.push_str(&balances_block(&result.balances));
            if result.replayed {
                text.push_str(REPLAYED);
            }
            text
        }
        Outcome::Tracked(result) => {
            let replayed = if result.replayed { REPLAYED } else { "" };
            let of = for_entity(result.entity_id.as_deref());
            let line = if result.value < Decimal::ZERO {
                format!(
                    "released {} {}{of}: balance {}\n",
                    (-result.value).normalize(),
                    result.feature_id,
                    result.balance.normalize()
                )
            } else if result.unlimited {
                format!(
                    "tracked {} {}{of}: unlimited\n",
                    result.value.normalize(),
                    result.feature_id
                )
            } else {
                format!(
                    "tracked {} {}{of}: {} deducted from {}, balance {}\n",
                    result.value.normalize(),
                    result.feature_id,
                    result.deducted.normalize(),
                    result.balance_key,
                    result.balance.normalize()
                )
            };
            let top_up = result.top_up.as_ref().map_or_else(String::new, |charge| {
                let money = money_in(&charge.currency);
                let mut text = format!("auto top-up: {}\n", money(charge.total));
                for line in &charge.line_items {
                    let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
                }
                text
            });
            format!("{line}{top_up}{replayed}")
        }
        Outcome::Checked(result) => {
            let verdict = if result.allowed {
                "allowed"
            } else {
                "not allowed"
            };
            let refused = result
                .refused_by
                .as_ref()
                .map_or_else(String::new, |reason| format!("  {reason}\n"));
            let of = for_entity(result.entity_id.as_deref());
            let decided = match &result.balance {
                None => format!(
                    "{verdict}: {}\n",
                    result.granted_by.as_ref().map_or_else(
                        || format!("no plan grants {}", result.feature_id),
                        |plan| format!("granted by plan {plan}")
                    )
                ),
                Some(balance) if balance.unlimited => format!(
                    "{verdict}: {}{of} draws from {}, which is unlimited\n",
                    result.feature_id, balance.balance_key
                ),
                Some(balance) => format!(
                    "{verdict}: {}{of} needs {} of {}, which has {}{}\n",
                    result.feature_id,
                    result.required.unwrap_or_default().normalize(),
                    balance.balance_key,
                    balance.balance.normalize(),
                    if balance.overage_allowed {
                        " (usage beyond it is billed)"
                    } else {
                        ""
                    }
                ),
            };
            format!("{decided}{refused}")
        }
        Outcome::Granted(result) => format!(
            "granted {} {} to {}: balance {}\n",
            result.amount.normalize(),
            result.balance_key,
            result.customer_id,
            result.balance.normalize()
        ),
        Outcome::Balances(balances) => balances_text(balances),
        Outcome::History(entries) => {
            let mut text = String::new();
            for entry in entries {
                let _ = write!(
                    text,
                    "{:>5}  {}  {:<8} {:<20} {:>14}",
                    entry.id,
                    entry.at,
                    entry.kind,
                    entry.balance_key,
                    signed(entry.amount)
                );
                if let Some(entity) = &entry.entity_id {
                    let _ = write!(text, "  entity {entity}");
                }
                if let (Some(feature), Some(units)) = (&entry.feature_id, &entry.units) {
                    let _ = write!(text, "  ({units} {feature})");
                }
                if let Some(reason) = &entry.reason {
                    let _ = write!(text, "  {reason}");
                }
                text.push('\n');
            }
            text
        }
        Outcome::Entity(entity) => {
            let mut text = match operation {
                Operation::CreateEntity(_) => format!(
                    "created entity {} of {} for {}\n",
                    entity.id, entity.feature_id, entity.customer_id
                ),
                Operation::DeleteEntity { .. } => format!(
                    "deleted entity {} of {} for {}: its unit of {} is released\n",
                    entity.id, entity.feature_id, entity.customer_id, entity.feature_id
                ),
                _ => format!(
                    "entity {} of {} for {}{} since {}\n",
                    entity.id,
                    entity.feature_id,
                    entity.customer_id,
                    entity
                        .name
                        .as_ref()
                        .map_or_else(String::new, |name| format!(" ({name})")),
                    entity.created_at
                ),
            };
            if !entity.balances.is_empty() {
                text.push_str(&balances_text(&entity.balances));
            }
            text
        }
        Outcome::AutoTopUpSet(result) => {
            let mut text = format!("auto top-ups of {}:\n", result.customer_id);
            text.push_str(&auto_top_ups_text(&result.auto_top_ups, "  "));
            for charge in &result.top_ups {
                let money = money_in(&charge.currency);
                let _ = writeln!(
                    text,
                    "auto top-up (turned on below its threshold): {}",
                    money(charge.total)
                );
                for line in &charge.line_items {
                    let _ = writeln!(text, "  {}: {}", line.description, money(line.amount));
                }
            }
            text
        }
        Outcome::Advanced(charges) => {
            let mut text = String::new();
            for billed in charges {
                let _ = writeln!(
                    text,
                    "charged {} {} {} on {}",
                    billed.customer_id,
                    billed.charge.charge.currency,
                    billed.charge.charge.total,
                    billed.charge.at
                );
            }
            text
        }
    }
}

/// One line per auto top-up, after `indent`: its terms, and whether it is on by the plan's
/// say or the customer's.
fn auto_top_ups_text(top_ups: &[AutoTopUpView], indent: &str) -> String {
    let mut text = String::new();
    for top_up in top_ups {
        let on = |enabled: bool| if enabled { "on" } else { "off" };
        let whose = match top_up.source {
            ControlSource::Plan => "the plan's default".to_string(),
            ControlSource::Customer => format!(
                "the customer's setting; the plan's default is {}",
                on(top_up.plan_enabled)
            ),
        };
        let limit = top_up.purchase_limit.map_or_else(String::new, |limit| {
            format!(", at most {} a {}", limit.limit, limit.interval.as_str())
        });
        let _ = writeln!(
            text,
            "{indent}auto top-up of {} (plan {}): {} ({whose}); below {}, buys {}{limit}",
            top_up.feature_id,
            top_up.plan_id,
            on(top_up.enabled),
            top_up.threshold.normalize(),
            top_up.quantity.normalize()
        );
    }
    text
}

/// `balances:` and the balances an operation left, indented (nothing when there are none).
fn balances_block(balances: &[BalanceView]) -> String {
    if balances.is_empty() {
        return String::new();
    }
    let mut text = "balances:\n".to_string();
    for line in balances_text(balances).lines() {
        let _ = writeln!(text, "  {line}");
    }
    text
}

/// The line that tells a replayed answer from the first (its output is otherwise the same).
const REPLAYED: &str =
    "replayed: an earlier request had this idempotency key; nothing was applied again\n";

/// Money as the currency writes it (`USD 20.00`), whatever scale the amount was stored with:
/// an answer read back from the store (a replay) prints as the first one did.
fn money_in(code: &str) -> impl Fn(Decimal) -> String + '_ {
    move |amount: Decimal| {
        crate::catalog::Currency::from_code(code).map_or_else(
            || format!("{code} {}", amount.normalize()),
            |currency| currency.format_amount(amount),
        )
    }
}

/// ` for seat-1`, or nothing.
fn for_entity(entity_id: Option<&str>) -> String {
    entity_id.map_or_else(String::new, |entity| format!(" for {entity}"))
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
    if balances.is_empty() {
        return "no balances: no plan, purchase or gift has granted anything yet\n".to_string();
    }
    let mut text = String::new();
    for balance in balances {
        if balance.unlimited {
            let _ = writeln!(text, "{}: unlimited", balance.balance_key);
        } else {
            let _ = write!(
                text,
                "{}: {}",
                balance.balance_key,
                balance.balance.normalize()
            );
            let held: Vec<String> = balance
                .entities
                .iter()
                .map(|held| format!("{} {}", held.entity_id, held.balance.normalize()))
                .collect();
            if !held.is_empty() {
                let _ = write!(text, " (entities: {})", held.join(", "));
            }
            text.push('\n');
        }
        for lot in &balance.lots {
            let holder = lot
                .entity_id
                .as_ref()
                .map_or_else(String::new, |entity| format!("{entity}: "));
            if lot.source == "in_use" {
                let _ = writeln!(text, "  {holder}in use {}", (-lot.remaining).normalize());
                continue;
            }
            let _ = write!(
                text,
                "  {holder}{} {} of {}",
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

fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("results serialize");
    text.push('\n');
    text
}

fn help_for(error: &LedgerError) -> Option<String> {
    match error {
        LedgerError::NoCatalog => Some(
            "run `pricectl apply` first, or pass `--state` to name the store that holds your catalog"
                .into(),
        ),
        LedgerError::Store(error) => error.help().map(str::to_string),
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
        LedgerError::NotSubscribed { customer, plan } => Some(format!(
            "attach it first: `pricectl attach --customer {customer} --plan {plan}`"
        )),
        LedgerError::IdempotencyConflict(_) => {
            Some("use a new idempotency key for a new request".into())
        }
        LedgerError::UnknownEntity { customer, entity } => Some(format!(
            "create it with `pricectl entity create {entity} --customer {customer} --feature FEATURE`; `pricectl customer show {customer}` lists its entities"
        )),
        LedgerError::NotPerEntity { .. } => {
            Some("leave out `--entity`: the customer's own balance is used".into())
        }
        LedgerError::EntityRequired { per, .. } | LedgerError::WrongEntity { per, .. } => {
            Some(format!(
                "pass `--entity ID` naming one of the customer's `{per}` (`pricectl entity create ID --customer CUSTOMER --feature {per}` creates one)"
            ))
        }
        _ => None,
    }
}
