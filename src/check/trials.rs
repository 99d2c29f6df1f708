use rust_decimal::Decimal;

use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::Entry;
use crate::dsl::document::PlanDocument;

use super::Model;
use super::model::is_archived;

/// `pricectl::trial_on_free_plan`: a free trial on a plan that charges nothing, so the trial
/// delays nothing (usually the plan's price was forgotten).
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for plan in model.plans.values() {
        let Some(trial) = &plan.value.free_trial else {
            continue;
        };
        if is_archived(&plan.value) || charges(model, plan) != Some(false) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::TrialOnFreePlan,
                format!(
                    "plan `{}` has a free trial but nothing to charge",
                    plan.id.value
                ),
                trial.span.clone(),
                "a trial of a plan that costs nothing",
            )
            .with_help(
                "give the plan the `price` (or the item prices) the trial is meant to delay, or remove `free_trial`: customers of a free plan pay nothing anyway",
            ),
        );
    }
}

/// Whether the plan charges anything: a base price or an item price (or tier) above zero.
/// `None` when a price could not be read (already reported), so no warning piles on an error.
fn charges(model: &Model<'_>, plan: &Entry<PlanDocument>) -> Option<bool> {
    let document = &plan.value;
    if model.is_invalid(&plan.span, "price") || model.is_invalid(&plan.span, "items") {
        return None;
    }
    let positive = |amount: Option<Decimal>| amount.is_some_and(|amount| amount > Decimal::ZERO);
    if let Some(price) = &document.price {
        if model.is_invalid(&price.span, "amount") {
            return None;
        }
        if positive(price.value.amount.as_ref().map(|amount| amount.value.0)) {
            return Some(true);
        }
    }
    for item in document.items.iter().flat_map(|items| items.value.iter()) {
        if model.is_invalid(&item.span, "price") || model.is_invalid(&item.span, "tiers") {
            return None;
        }
        let amounts = item
            .value
            .price
            .iter()
            .filter_map(|price| price.value.amount.as_ref())
            .chain(item.value.tiers.iter().flat_map(|tiers| {
                tiers
                    .value
                    .iter()
                    .filter_map(|tier| tier.value.amount.as_ref())
            }));
        if amounts.map(|amount| Some(amount.value.0)).any(positive) {
            return Some(true);
        }
    }
    Some(false)
}
