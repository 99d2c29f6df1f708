//! The words of a term change (what a customer pays or gets), as every view says it:
//! "`plan.pro` base price: $20.00 → $25.00 per month (+25.0%)". Addresses are in backticks,
//! which the Markdown view keeps as code.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::control_words::{
    control_absent, control_costs_more, control_subject, control_value_words,
};
use super::plan_text::{group_thousands, money, show_percent};
use crate::catalog::{
    Billing, Choice, Included, PriceInterval, Rate, ResetInterval, TierBound, TrialOncePer,
};
use crate::diff::{Holders, Term, TermChange, TermValue, Unit};

/// One term change in words, with its percentage where it has one. When both sides are
/// counted in the same unit it is said once: "500 → 400 messages per month".
pub fn term_words(change: &TermChange, currency: &str) -> String {
    let unit = change.unit.clone().unwrap_or_else(|| Unit {
        name: String::new(),
        singular: "unit".into(),
        plural: "units".into(),
    });
    let value = |side: Option<&TermValue>| match side {
        Some(value) => value_words(value, &unit, currency),
        None => (absent(&change.term).to_string(), String::new()),
    };
    let subject = match &change.term {
        Term::BasePrice => "base price".to_string(),
        Term::FreeTrial => "free trial".to_string(),
        Term::Granted => "granted".to_string(),
        Term::Included => "included".to_string(),
        Term::Reset => "included units reset".to_string(),
        Term::Price => "price".to_string(),
        Term::PrepaidBounds => "prepaid quantity".to_string(),
        Term::CreditCost { .. } => format!("cost of {}", unit.name),
        control => control_subject(control).unwrap_or_default(),
    };
    let (before, before_tail) = value(change.before.as_ref());
    let (after, after_tail) = value(change.after.as_ref());
    let sides = if before_tail == after_tail {
        join(&format!("{before} → {after}"), &after_tail)
    } else {
        format!(
            "{} → {}",
            join(&before, &before_tail),
            join(&after, &after_tail)
        )
    };
    let mut words = format!("`{}` {subject}: {sides}", change.address);
    if let Some(percent) = change.change_percent {
        let _ = write!(words, " ({})", show_percent(percent));
    }
    if let Some(holders) = &change.holders {
        let _ = write!(words, "; {}", holders_words(holders, &unit));
    }
    words
}

fn join(head: &str, tail: &str) -> String {
    if tail.is_empty() {
        head.to_string()
    } else {
        format!("{head} {tail}")
    }
}

/// "3 customers already hold 12,000 prepaid credits, worth 60,000,000 o3 input tokens
/// before and 12,000,000 now".
fn holders_words(holders: &Holders, unit: &Unit) -> String {
    let mut words = format!(
        "{} customer{} already hold{} {} prepaid credits",
        holders.customers,
        if holders.customers == 1 { "" } else { "s" },
        if holders.customers == 1 { "s" } else { "" },
        number(holders.credits)
    );
    if let (Some(before), Some(after)) = (holders.units_before, holders.units_after) {
        let _ = write!(
            words,
            ", worth {} {} before and {} now",
            number(before),
            unit.plural,
            number(after)
        );
    }
    words
}

/// What a term is when it does not exist on one side.
fn absent(term: &Term) -> &'static str {
    match term {
        Term::Granted => "not granted",
        Term::Price => "no price",
        Term::CreditCost { .. } => "not drawn",
        Term::PrepaidBounds => "not prepaid",
        control => control_absent(control).unwrap_or("none"),
    }
}

/// A value as (what differs, the unit it is counted in): ("$20.00", "per month").
fn value_words(value: &TermValue, unit: &Unit, currency: &str) -> (String, String) {
    match value {
        TermValue::Money { amount, interval } => (
            money(*amount, 1, currency),
            price_interval(*interval).to_string(),
        ),
        TermValue::Trial {
            length,
            card_required,
            once_per,
        } => (
            format!(
                "{length}{}{}",
                if *card_required {
                    " (card required)"
                } else {
                    ""
                },
                if *once_per == TrialOncePer::Customer {
                    ", once per customer"
                } else {
                    ""
                }
            ),
            String::new(),
        ),
        TermValue::Granted {
            included,
            reset,
            price,
        } => {
            let (amount, tail) = included_words(*included, *reset, unit);
            let mut words = join(&amount, &tail);
            if let Some(price) = price {
                let (amount, tail) = rate_words(
                    price.billing,
                    price.interval,
                    price.per,
                    &price.rate,
                    unit,
                    currency,
                );
                let _ = write!(words, ", then {}", join(&amount, &tail));
            }
            (words, String::new())
        }
        TermValue::Included { included, reset } => included_words(*included, *reset, unit),
        TermValue::Reset { reset } => (
            reset.map_or_else(
                || "never".to_string(),
                |reset| reset_interval(reset).to_string(),
            ),
            String::new(),
        ),
        TermValue::Rate {
            billing,
            interval,
            per,
            rate,
        } => rate_words(*billing, *interval, *per, rate, unit, currency),
        TermValue::Bounds { min, max } => match max {
            Some(max) => (
                format!("{} to {}", number(*min), number(*max)),
                unit.plural.clone(),
            ),
            None => (format!("at least {}", number(*min)), unit.plural.clone()),
        },
        TermValue::Credits { credits } => {
            (number(*credits), format!("credits per {}", unit.singular))
        }
        control => control_value_words(control, unit, currency).unwrap_or_default(),
    }
}

/// ("400", "messages per month"), ("unlimited", "messages"), ("500", "credits, never reset").
fn included_words(
    included: Included,
    reset: Option<ResetInterval>,
    unit: &Unit,
) -> (String, String) {
    let (amount, units) = match included {
        Included::Units(units) => (
            number(units),
            if units == Decimal::ONE {
                &unit.singular
            } else {
                &unit.plural
            },
        ),
        Included::Unlimited => ("unlimited".to_string(), &unit.plural),
    };
    let tail = match reset {
        Some(reset) => format!("{units} {}", reset_interval(reset)),
        None => format!("{units}, never reset"),
    };
    (amount, tail)
}

/// ("$0.05", "per message per month"), ("$10.00", "per 1,000 tokens, prepaid once"),
/// ("graduated tiers ($0.01 up to 1,000, then $0.005 beyond)", "per message per month").
fn rate_words(
    billing: Billing,
    interval: PriceInterval,
    per: Decimal,
    rate: &Rate,
    unit: &Unit,
    currency: &str,
) -> (String, String) {
    let per_unit = if per == Decimal::ONE {
        format!("per {}", unit.singular)
    } else {
        format!("per {} {}", number(per), unit.plural)
    };
    let amount = match rate {
        Rate::Flat { amount } => money(*amount, 1, currency),
        Rate::Tiered { tier_mode, tiers } => {
            let steps: Vec<String> = tiers
                .iter()
                .map(|tier| match tier.up_to {
                    TierBound::Units(up_to) => {
                        format!(
                            "{} up to {}",
                            money(tier.amount, 1, currency),
                            number(up_to)
                        )
                    }
                    TierBound::Infinite => format!("{} beyond", money(tier.amount, 1, currency)),
                })
                .collect();
            format!("{} tiers ({})", tier_mode.as_str(), steps.join(", "))
        }
    };
    let when = match (billing, interval) {
        (Billing::Prepaid, PriceInterval::OneOff) => ", prepaid once".to_string(),
        (Billing::Prepaid, interval) => format!(", prepaid {}", price_interval(interval)),
        (Billing::Usage, interval) => format!(" {}", price_interval(interval)),
    };
    (amount, format!("{per_unit}{when}"))
}

/// "per month"; "once" for a one-off price.
pub(super) fn price_interval(interval: PriceInterval) -> &'static str {
    match interval {
        PriceInterval::OneOff => "once",
        PriceInterval::Week => "per week",
        PriceInterval::Month => "per month",
        PriceInterval::Quarter => "per quarter",
        PriceInterval::SemiAnnual => "per half-year",
        PriceInterval::Year => "per year",
    }
}

fn reset_interval(reset: ResetInterval) -> &'static str {
    match reset {
        ResetInterval::Minute => "per minute",
        ResetInterval::Hour => "per hour",
        ResetInterval::Day => "per day",
        ResetInterval::Week => "per week",
        ResetInterval::Month => "per month",
        ResetInterval::Quarter => "per quarter",
        ResetInterval::SemiAnnual => "per half-year",
        ResetInterval::Year => "per year",
    }
}

/// A decimal as a reviewer reads it: normalized, thousands grouped ("12,000", "0.0002").
pub(super) fn number(value: Decimal) -> String {
    let text = value.normalize().abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{}", group_thousands(whole))
    } else {
        format!("{sign}{}.{fraction}", group_thousands(whole))
    }
}

/// Whether the change asks more of customers: a dearer price or credit cost, fewer units
/// included, a shorter trial, something no longer granted.
pub fn costs_customers_more(change: &TermChange) -> bool {
    if let Some(more) = control_costs_more(change) {
        return more;
    }
    let percent = change.change_percent.unwrap_or_default();
    match change.term {
        Term::BasePrice | Term::Price | Term::CreditCost { .. } => percent > Decimal::ZERO,
        Term::Included => percent < Decimal::ZERO,
        Term::Granted => change.after.is_none(),
        Term::FreeTrial => match (&change.before, &change.after) {
            (
                Some(TermValue::Trial { length: old, .. }),
                Some(TermValue::Trial { length: new, .. }),
            ) => new.nominal_days() < old.nominal_days(),
            (Some(_), None) => true,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{costs_customers_more, term_words};
    use crate::render::plan_fixtures;

    #[test]
    fn every_material_change_in_words() {
        let plan = plan_fixtures::pro_repriced();
        let words: Vec<String> = plan
            .terms
            .iter()
            .map(|term| {
                let flag = if costs_customers_more(term) { "!" } else { " " };
                format!("{flag} {}", term_words(term, &plan.currency))
            })
            .collect();
        insta::assert_snapshot!(words.join("\n"));
    }

    #[test]
    fn credit_cost_rise_with_holders() {
        let plan = plan_fixtures::credit_cost_increase_with_holders();
        let words: Vec<String> = plan
            .terms
            .iter()
            .map(|term| term_words(term, &plan.currency))
            .collect();
        insta::assert_snapshot!(words.join("\n"));
    }
}
