use rust_decimal::Decimal;

use crate::catalog::charge::cost_of;
use crate::catalog::{Billing, Currency, Rate, Tier, TierBound, TierMode};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::document::{ItemDocument, UpTo};
use crate::dsl::{DecimalLiteral, Spanned};

use super::Model;

/// Warnings about what a card charge would be: `pricectl::below_minimum_charge` (a purchase
/// smaller than the currency's smallest card charge) and `pricectl::fractional_charge` (a
/// price that is not a whole number of minor units, so charges would be rounded).
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(currency) = model.currency else {
        return;
    };
    for plan in model.plans.values() {
        let Some(amount) = plan
            .value
            .price
            .as_ref()
            .and_then(|price| price.value.amount.as_ref())
        else {
            continue;
        };
        fractional(
            currency,
            amount,
            &format!("the base price of plan `{}`", plan.id.value),
            None,
            diagnostics,
        );
        if amount.value.0 > Decimal::ZERO {
            below_minimum(
                currency,
                amount.value.0,
                &amount.span,
                &format!("plan `{}`'s base price", plan.id.value),
                None,
                diagnostics,
            );
        }
    }
    for (plan, item) in model.items() {
        let document = &item.value;
        let Some(price) = &document.price else {
            continue;
        };
        let prepaid =
            price.value.billing.as_ref().map(|billing| billing.value) == Some(Billing::Prepaid);
        if !prepaid {
            continue; // usage is summed before it is charged; a fraction of a cent per unit is normal
        }
        let per = price
            .value
            .per
            .as_ref()
            .map_or(Decimal::ONE, |per| per.value.0);
        if per <= Decimal::ZERO {
            continue;
        }
        let name = format!("`{}` in plan `{}`", item.id.value, plan.id.value);
        let amounts: Vec<&Spanned<DecimalLiteral>> = price
            .value
            .amount
            .iter()
            .chain(document.tiers.iter().flat_map(|tiers| {
                tiers
                    .value
                    .iter()
                    .filter_map(|tier| tier.value.amount.as_ref())
            }))
            .collect();
        for amount in amounts {
            fractional(currency, amount, &name, Some(per), diagnostics);
        }
        let Some(rate) = rate_of(document) else {
            continue;
        };
        let min = document
            .prepaid
            .as_ref()
            .and_then(|prepaid| prepaid.value.min.as_ref());
        let quantity = min.map_or(per, |min| min.value.0).max(per);
        let span = min.map_or_else(|| price.span.clone(), |min| min.span.clone());
        if let Some(cost) = cost_of(&rate, per, quantity)
            && cost > Decimal::ZERO
        {
            let smallest = match &rate {
                Rate::Flat { amount } => smallest_purchase(currency, *amount, per),
                Rate::Tiered { .. } => None,
            };
            below_minimum(
                currency,
                cost,
                &span,
                &format!("the smallest purchase of {name}"),
                smallest,
                diagnostics,
            );
        }
    }
}

/// The item's rate, when it is complete enough to price a quantity.
fn rate_of(document: &ItemDocument) -> Option<Rate> {
    let price = &document.price.as_ref()?.value;
    if let Some(amount) = &price.amount {
        return Some(Rate::Flat {
            amount: amount.value.0,
        });
    }
    let tiers = document
        .tiers
        .as_ref()?
        .value
        .iter()
        .map(|tier| {
            let up_to = match &tier.value.up_to.as_ref()?.value {
                UpTo::Units(bound) => TierBound::Units(bound.0),
                UpTo::Infinite(_) => TierBound::Infinite,
            };
            Some(Tier {
                up_to,
                amount: tier.value.amount.as_ref()?.value.0,
            })
        })
        .collect::<Option<Vec<Tier>>>()?;
    let tier_mode = document
        .tier_mode
        .as_ref()
        .map_or(TierMode::Graduated, |mode| mode.value);
    Some(Rate::Tiered { tier_mode, tiers })
}

/// The smallest quantity, in whole billing units, whose flat cost reaches the minimum charge.
fn smallest_purchase(currency: &Currency, amount: Decimal, per: Decimal) -> Option<Decimal> {
    let minimum = currency.minimum_charge()?;
    if amount <= Decimal::ZERO {
        return None;
    }
    let packages = minimum.checked_div(amount)?.ceil();
    packages
        .checked_mul(per)
        .map(|quantity| quantity.normalize())
}

fn below_minimum(
    currency: &Currency,
    cost: Decimal,
    span: &Span,
    what: &str,
    smallest: Option<Decimal>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(minimum) = currency.minimum_charge() else {
        return;
    };
    if cost >= minimum {
        return;
    }
    let (cost, minimum) = (
        currency.format_amount(cost),
        currency.format_amount(minimum),
    );
    let help = match smallest {
        Some(quantity) => {
            format!("raise `prepaid.min` to at least {quantity}, which costs {minimum} or more")
        }
        None => format!("card payments start at {minimum}; charge at least that much at once"),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::BelowMinimumCharge,
            format!("{what} costs {cost}, below the smallest card charge of {minimum}"),
            span.clone(),
            format!("costs {cost}"),
        )
        .with_help(help),
    );
}

fn fractional(
    currency: &Currency,
    amount: &Spanned<DecimalLiteral>,
    what: &str,
    per: Option<Decimal>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let value = amount.value.0;
    if value < Decimal::ZERO || currency.is_whole_minor_units(value) {
        return;
    }
    let minor = currency.format_amount(currency.minor_unit());
    // The power of ten that makes the amount whole minor units: sell that many billing units
    // at once. Its exponent is how many digits the amount has beyond the minor unit.
    let extra_digits = value
        .normalize()
        .scale()
        .saturating_sub(currency.minor_units);
    let package = per.and_then(|per| {
        let factor = Decimal::from_i128_with_scale(10_i128.checked_pow(extra_digits)?, 0);
        Some((
            (value.checked_mul(factor)?).normalize(),
            per.checked_mul(factor)?.normalize(),
        ))
    });
    let help = match package {
        Some((amount, per)) => format!(
            "charges would be rounded to multiples of {minor}; sell larger packages, such as `amount = {amount}, per = {per}`"
        ),
        None => format!(
            "charges would be rounded to multiples of {minor}; use an amount in whole multiples of {minor}"
        ),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::FractionalCharge,
            format!(
                "{what} is priced at {}, not a whole multiple of {minor}",
                currency.format_amount(value)
            ),
            amount.span.clone(),
            "not a whole minor unit",
        )
        .with_help(help),
    );
}
