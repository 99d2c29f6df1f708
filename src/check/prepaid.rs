use rust_decimal::Decimal;

use crate::catalog::{Billing, FeatureType};
use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::{DecimalLiteral, Spanned};

use super::Model;

/// `pricectl::prepaid`: purchase bounds belong to prepaid prices, are not negative, are in
/// order, and are whole billing units; a `max` between whole units is rounded down, with the
/// warning `pricectl::prepaid_max_rounded`.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (plan, item) in model.items() {
        let document = &item.value;
        let Some(prepaid) = &document.prepaid else {
            continue;
        };
        if model.feature_type(&item.id.value) == Some(FeatureType::Boolean) {
            continue; // reported as a boolean item
        }
        let Some(price) = &document.price else {
            diagnostics.push(
                Diagnostic::new(
                    Code::Prepaid,
                    format!("`{}` in plan `{}` has purchase bounds but no price", item.id.value, plan.id.value),
                    prepaid.span.clone(),
                    "nothing to buy",
                )
                .with_help("add `price = { amount = …, billing = \"prepaid\", interval = … }`, or remove `prepaid`"),
            );
            continue;
        };
        if let Some(billing) = &price.value.billing
            && billing.value != Billing::Prepaid
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::Prepaid,
                    format!(
                        "`{}` in plan `{}` has purchase bounds but is billed on usage",
                        item.id.value, plan.id.value
                    ),
                    prepaid.span.clone(),
                    "`prepaid` bounds apply to prepaid prices only",
                )
                .with_related(billing.span.clone(), "billed on usage here")
                .with_help("set `billing = \"prepaid\"`, or remove `prepaid`"),
            );
            continue;
        }
        let per = price
            .value
            .per
            .as_ref()
            .map_or(Decimal::ONE, |per| per.value.0);
        let min = prepaid
            .value
            .min
            .as_ref()
            .filter(|min| bound_is_valid(min, "min", per, diagnostics));
        let max = prepaid
            .value
            .max
            .as_ref()
            .filter(|max| bound_is_valid(max, "max", per, diagnostics));
        if let (Some(min), Some(max)) = (min, max)
            && min.value.0 > max.value.0
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::Prepaid,
                    format!(
                        "prepaid `min` {} is above `max` {}",
                        min.value.0, max.value.0
                    ),
                    min.span.clone(),
                    "greater than `max`",
                )
                .with_related(max.span.clone(), "`max` is here")
                .with_help("swap them, or raise `max`"),
            );
        }
    }
}

/// Reports a bound below one billing unit or one that is not a whole number of them.
fn bound_is_valid(
    bound: &Spanned<DecimalLiteral>,
    name: &str,
    per: Decimal,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let value = bound.value.0;
    if per <= Decimal::ZERO {
        return false; // `per` itself is reported
    }
    if value < per {
        diagnostics.push(
            Diagnostic::new(
                Code::Prepaid,
                format!("prepaid `{name}` {value} is less than one billing unit ({per})"),
                bound.span.clone(),
                "below one billing unit",
            )
            .with_help(format!(
                "a purchase is at least one billing unit: give `{name}` a multiple of `per`, {per} or more"
            )),
        );
        return false;
    }
    let remainder = value.checked_rem(per);
    if remainder.is_some_and(|remainder| remainder.is_zero()) {
        return true;
    }
    if name == "max"
        && let Some(remainder) = remainder
    {
        // A purchase limit between two whole numbers of units means the lower one (Autumn's
        // `max_purchase` need not be a multiple of `billing_units`): said, not refused.
        let lower = (value - remainder).normalize();
        diagnostics.push(
            Diagnostic::new(
                Code::PrepaidMaxRounded,
                format!(
                    "prepaid `max` {value} is not a whole number of billing units ({per}): customers can buy at most {lower}"
                ),
                bound.span.clone(),
                format!("rounded down to {lower}"),
            )
            .with_help(format!(
                "customers buy whole billing units of {per}; write `max = {lower}` to say so, or `{}` to allow one more unit",
                (lower + per).normalize()
            )),
        );
        return true;
    }
    let help = value
        .checked_div(per)
        .map(|packages| packages.floor())
        .and_then(|packages| {
            let lower = packages.checked_mul(per)?;
            Some((lower, lower.checked_add(per)?))
        })
        .map_or_else(
            || format!("customers buy whole billing units; use a multiple of {per}"),
            |(lower, upper)| {
                format!(
                    "customers buy whole billing units; use {} or {}",
                    lower.normalize(),
                    upper.normalize()
                )
            },
        );
    diagnostics.push(
        Diagnostic::new(
            Code::Prepaid,
            format!("prepaid `{name}` {value} is not a multiple of `per` {per}"),
            bound.span.clone(),
            format!("not a whole number of {per}-unit packages"),
        )
        .with_help(help),
    );
    false
}
