use rust_decimal::Decimal;

use crate::catalog::decimal::exact_div;
use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::document::{CostDocument, Included, UpTo};
use crate::dsl::{DecimalLiteral, Spanned};

use super::Model;

/// `pricectl::invalid_amount`: money is never negative; `per`, credit costs and tier bounds
/// are positive; a rate divides into an exact per-unit cost.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (_, cost) in model.costs() {
        match &cost.value {
            CostDocument::PerUnit(credits) => {
                // The value's span is the entry's span for a bare decimal.
                positive(
                    &Spanned::new(*credits, cost.span.clone()),
                    "credit cost",
                    diagnostics,
                );
            }
            CostDocument::Rate(rate) => {
                let credits = rate
                    .credits
                    .as_ref()
                    .filter(|credits| positive(credits, "`credits`", diagnostics));
                let per = rate
                    .per
                    .as_ref()
                    .filter(|per| positive(per, "`per`", diagnostics));
                if let (Some(credits), Some(per)) = (credits, per)
                    && exact_div(credits.value.0, per.value.0).is_none()
                {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidAmount,
                            format!(
                                "a rate of {} credit{} per {} unit{} is not an exact number of credits per unit",
                                credits.value.0,
                                if credits.value.0 == Decimal::ONE { "" } else { "s" },
                                per.value.0,
                                if per.value.0 == Decimal::ONE { "" } else { "s" },
                            ),
                            cost.span.clone(),
                            "this rate would have to be rounded",
                        )
                        .with_help("choose `credits` and `per` whose quotient is a terminating decimal, such as a `per` that is a power of ten"),
                    );
                }
            }
        }
    }
    for plan in model.plans.values() {
        if let Some(price) = &plan.value.price
            && let Some(amount) = &price.value.amount
        {
            not_negative(amount, "base price", diagnostics);
        }
        let lengths = plan
            .value
            .free_trial
            .iter()
            .flat_map(|trial| [(&trial.value.days, "days"), (&trial.value.months, "months")]);
        for (length, unit) in lengths {
            if let Some(length) = length
                && length.value == 0
            {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("a free trial of 0 {unit}"),
                        length.span.clone(),
                        "must be at least 1",
                    )
                    .with_help(format!(
                        "remove `free_trial` for no trial, or give it at least one {}",
                        unit.trim_end_matches('s')
                    )),
                );
            }
        }
    }
    for (_, item) in model.items() {
        let document = &item.value;
        if let Some(included) = &document.included
            && let Included::Units(units) = &included.value
            && units.0 < Decimal::ZERO
        {
            diagnostics.push(negative_included(units.0, included.span.clone()));
        }
        if let Some(price) = &document.price {
            if let Some(amount) = &price.value.amount {
                not_negative(amount, "price", diagnostics);
            }
            if let Some(per) = &price.value.per {
                positive(per, "`per`", diagnostics);
            }
        }
        for tier in document.tiers.iter().flat_map(|tiers| tiers.value.iter()) {
            if let Some(amount) = &tier.value.amount {
                not_negative(amount, "tier amount", diagnostics);
            }
            if let Some(up_to) = &tier.value.up_to
                && let UpTo::Units(bound) = &up_to.value
            {
                positive(
                    &Spanned::new(*bound, up_to.span.clone()),
                    "tier bound `up_to`",
                    diagnostics,
                );
            }
        }
    }
}

/// A negative `included`. Autumn once wrote unlimited as `-1`, so that value is named.
fn negative_included(units: Decimal, span: crate::diagnostics::Span) -> Diagnostic {
    let (message, help) = if units == Decimal::NEGATIVE_ONE {
        (
            "`included = -1` is not a number of units".to_string(),
            "for unlimited use write `included = \"unlimited\"` (Autumn's old `-1`); otherwise give the units included, zero or more",
        )
    } else {
        (
            format!("`included` is negative ({units})"),
            "give the units included, zero or more, or `included = \"unlimited\"` for unlimited use",
        )
    };
    Diagnostic::new(
        Code::InvalidAmount,
        message,
        span,
        "must be zero or more, or \"unlimited\"",
    )
    .with_help(help)
}

/// Reports a negative amount; true when the amount is fine.
fn not_negative(
    amount: &Spanned<DecimalLiteral>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    if amount.value.0 >= Decimal::ZERO {
        return true;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidAmount,
            format!("{what} is negative ({})", amount.value.0),
            amount.span.clone(),
            "must be zero or more",
        )
        .with_help("amounts are never negative; a discount is a lower price or a separate plan"),
    );
    false
}

/// Reports a zero or negative value; true when the value is fine.
fn positive(
    value: &Spanned<DecimalLiteral>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    if value.value.0 > Decimal::ZERO {
        return true;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidAmount,
            format!(
                "{what} must be greater than zero, found `{}`",
                value.value.0
            ),
            value.span.clone(),
            "must be greater than zero",
        )
        .with_help(format!("give {what} a positive value")),
    );
    false
}
