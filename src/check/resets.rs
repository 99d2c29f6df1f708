use crate::catalog::{Billing, Choice as _, FeatureType, PriceInterval};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::document::{Included, ItemDocument, PlanDocument};
use crate::dsl::{Entry, Spanned};

use super::model::{is_archived, is_set};
use super::{Declaration, Model};

/// `pricectl::included_without_reset`: an item that includes units of something used up
/// (a consumable feature or credits) and never resets, on a plan that renews: the units are
/// granted once and the renewals grant nothing more.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for plan in model.plans.values() {
        if is_archived(&plan.value) {
            continue;
        }
        let Some((interval, renewal)) = renewal_of(&plan.value) else {
            continue;
        };
        for item in plan.value.items.iter().flat_map(|items| items.value.iter()) {
            let Some(included) = granted_once(model, item) else {
                continue;
            };
            let id = &item.id.value;
            let every = interval.as_str();
            diagnostics.push(
                Diagnostic::new(
                    Code::IncludedWithoutReset,
                    format!(
                        "`{id}` in plan `{}` is included once and never again, though the plan renews every {}",
                        plan.id.value,
                        every.replace('_', "-")
                    ),
                    included.span.clone(),
                    "granted once: nothing resets it",
                )
                .with_related(renewal.clone(), "the plan renews here")
                .with_help(format!(
                    "add `reset = \"{every}\"` to grant it every period; to grant it once, give or sell it with a one-off add-on plan instead"
                )),
            );
        }
    }
}

/// How often the plan renews, with the price that makes it renew: its base price, else its
/// first item price with a recurring interval. `None` for a plan that never renews.
fn renewal_of(plan: &PlanDocument) -> Option<(PriceInterval, &Span)> {
    fn recurring(interval: Option<&Spanned<PriceInterval>>) -> Option<&Spanned<PriceInterval>> {
        interval.filter(|interval| interval.value != PriceInterval::OneOff)
    }
    let base = plan
        .price
        .as_ref()
        .and_then(|price| recurring(price.value.interval.as_ref()));
    let items = plan
        .items
        .iter()
        .flat_map(|items| items.value.iter())
        .filter_map(|item| item.value.price.as_ref())
        .filter_map(|price| recurring(price.value.interval.as_ref()));
    base.into_iter()
        .chain(items)
        .next()
        .map(|interval| (interval.value, &interval.span))
}

/// The item's `included`, when it includes units of something used up and has no reset,
/// given or implied (a usage-billed item resets when it is billed).
fn granted_once<'a>(
    model: &Model<'_>,
    item: &'a Entry<ItemDocument>,
) -> Option<&'a Spanned<Included>> {
    let document = &item.value;
    let included = document.included.as_ref()?;
    let Included::Units(units) = &included.value else {
        return None; // unlimited use has nothing to reset
    };
    if units.0.is_zero() || document.reset.is_some() || model.is_invalid(&item.span, "reset") {
        return None;
    }
    let billed_by_usage = document.price.as_ref().is_some_and(|price| {
        price.value.billing.as_ref().map(|billing| billing.value) == Some(Billing::Usage)
            && price
                .value
                .interval
                .as_ref()
                .is_some_and(|interval| interval.value != PriceInterval::OneOff)
    });
    if billed_by_usage {
        return None;
    }
    let used_up = match model.resolve(&item.id.value)? {
        Declaration::CreditSystem(_) => true,
        Declaration::Feature(feature) => {
            // Allocated features (seats) are a level, never reset; boolean items include nothing.
            feature.value.kind.as_ref().map(|kind| kind.value) == Some(FeatureType::Metered)
                && feature
                    .value
                    .consumable
                    .as_ref()
                    .is_none_or(|consumable| is_set(Some(consumable)))
        }
    };
    used_up.then_some(included)
}
