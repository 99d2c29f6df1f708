//! The words of billing controls in a term change: "below 1,000 credits, buy 2,000 (at most 3
//! per day)", "$50.00 of overage per billing period".

use super::plan_text::money;
use std::fmt::Write as _;

use super::term_words::number;
use crate::catalog::{
    Alert, AutoTopUp, Duration, LimitAnchor, PurchaseLimitInterval, Rollover, SpendLimit,
    UsageLimit, UsageLimitInterval,
};
use crate::diff::{Term, TermChange, TermValue, Unit};

/// The subject of a control's term ("auto top-up"), `None` for other terms.
pub(super) fn control_subject(term: &Term) -> Option<String> {
    Some(match term {
        Term::AutoTopUp => "auto top-up".to_string(),
        Term::SpendLimit => "spend limit".to_string(),
        Term::UsageLimit { feature } => format!("usage limit of `{feature}`"),
        Term::Alerts => "alerts".to_string(),
        Term::Rollover => "rollover".to_string(),
        Term::PurchaseExpiry => "purchased units expire".to_string(),
        _ => return None,
    })
}

/// What a control is when it is not given.
pub(super) fn control_absent(term: &Term) -> Option<&'static str> {
    Some(match term {
        Term::SpendLimit | Term::UsageLimit { .. } => "no limit",
        Term::Rollover => "none (units left at a reset expire)",
        Term::PurchaseExpiry => "at the end of the price interval",
        Term::AutoTopUp | Term::Alerts => "none",
        _ => return None,
    })
}

/// A control's value as (what differs, the unit it is counted in).
pub(super) fn control_value_words(
    value: &TermValue,
    unit: &Unit,
    currency: &str,
) -> Option<(String, String)> {
    Some(match value {
        TermValue::AutoTopUp { top_up } => (top_up_words(top_up, unit), String::new()),
        TermValue::SpendLimit { limit } => (
            match limit {
                SpendLimit::Amount(amount) => money(*amount, 1, currency),
                SpendLimit::Percent(percent) => format!("{}% of the base price", number(*percent)),
            },
            "of overage per billing period".to_string(),
        ),
        TermValue::UsageLimit { limit } => (number(limit.limit), usage_limit_tail(limit, unit)),
        TermValue::Alerts { alerts } => (
            alerts
                .iter()
                .map(|alert| alert_words(*alert, unit))
                .collect::<Vec<_>>()
                .join(", "),
            String::new(),
        ),
        TermValue::Rollover { rollover } => (rollover_words(rollover, unit), String::new()),
        TermValue::Expiry { after } => (expiry_words(*after), String::new()),
        _ => return None,
    })
}

fn top_up_words(top_up: &AutoTopUp, unit: &Unit) -> String {
    let mut words = format!(
        "below {} {}, buy {}",
        number(top_up.threshold),
        unit.plural,
        number(top_up.quantity)
    );
    if let Some(limit) = &top_up.purchase_limit {
        let window = match limit.interval {
            PurchaseLimitInterval::Hour => "hour",
            PurchaseLimitInterval::Day => "day",
            PurchaseLimitInterval::Week => "week",
            PurchaseLimitInterval::Month => "month",
        };
        let _ = write!(words, " (at most {} per {window})", limit.limit);
    }
    if !top_up.enabled {
        words.push_str(", off unless a customer turns it on");
    }
    words
}

fn usage_limit_tail(limit: &UsageLimit, unit: &Unit) -> String {
    let window = match limit.interval {
        UsageLimitInterval::Day => "day",
        UsageLimitInterval::Week => "week",
        UsageLimitInterval::Month => "month",
        UsageLimitInterval::Year => "year",
    };
    let anchor = match limit.anchor {
        LimitAnchor::BillingCycle => "from the billing cycle",
        LimitAnchor::Calendar => "calendar, UTC",
    };
    let units = if limit.limit == rust_decimal::Decimal::ONE {
        &unit.singular
    } else {
        &unit.plural
    };
    format!("{units} per {window} ({anchor})")
}

fn alert_words(alert: Alert, unit: &Unit) -> String {
    match alert {
        Alert::Usage(value) => format!("{} {} used", number(value), unit.plural),
        Alert::UsagePercent(value) => format!("{}% used", number(value)),
        Alert::Remaining(value) => format!("{} {} left", number(value), unit.plural),
        Alert::RemainingPercent(value) => format!("{}% left", number(value)),
    }
}

fn rollover_words(rollover: &Rollover, unit: &Unit) -> String {
    let amount = rollover.max.map_or_else(
        || format!("all {} left", unit.plural),
        |max| format!("up to {} {}", number(max), unit.plural),
    );
    let kept = rollover.months.map_or_else(
        || "kept until used".to_string(),
        |months| format!("kept {}", Duration::Months(months)),
    );
    format!("{amount}, {kept}")
}

fn expiry_words(after: Duration) -> String {
    format!("{after} after purchase")
}

/// Whether a control change asks more of customers: a spend limit changed (a lower cap
/// refuses usage sooner, a higher or removed one bills more), a usage limit added or lowered,
/// an auto top-up that now charges, rolled-over units taken away, purchases that now expire.
pub(super) fn control_costs_more(change: &TermChange) -> Option<bool> {
    let percent = change.change_percent.unwrap_or_default();
    Some(match change.term {
        Term::SpendLimit => true,
        Term::UsageLimit { .. } => match (&change.before, &change.after) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(_), Some(_)) => change.change_percent.is_none() || percent.is_sign_negative(),
        },
        Term::AutoTopUp => matches!(
            &change.after,
            Some(TermValue::AutoTopUp { top_up }) if top_up.enabled
        ),
        Term::Rollover => match (&change.before, &change.after) {
            (Some(_), None) => true,
            (
                Some(TermValue::Rollover { rollover: old }),
                Some(TermValue::Rollover { rollover: new }),
            ) => {
                new.max.unwrap_or(rust_decimal::Decimal::MAX)
                    < old.max.unwrap_or(rust_decimal::Decimal::MAX)
                    || new.months.unwrap_or(u32::MAX) < old.months.unwrap_or(u32::MAX)
            }
            _ => false,
        },
        Term::PurchaseExpiry => change.after.is_some(),
        Term::Alerts => false,
        _ => return None,
    })
}
