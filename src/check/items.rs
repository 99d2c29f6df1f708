use crate::catalog::{Billing, Choice, FeatureType, PriceInterval};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::document::{Included, ItemDocument};

use super::Model;

/// The shape of plan items: `pricectl::boolean_item` (a boolean feature's item carries
/// nothing), `pricectl::allocated_reset` (an allocated feature's item never resets),
/// `pricectl::reset_interval` (a usage-billed item resets when it is billed),
/// `pricectl::proration_unpriced` (a proration policy needs a price to apply to),
/// `pricectl::proration_not_prepaid` (a proration policy applies to a prepaid quantity), and the
/// `pricectl::invalid_value` cases of a price with nothing to charge.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (plan, item) in model.items() {
        let document = &item.value;
        if model.feature_type(&item.id.value) == Some(FeatureType::Boolean) {
            let feature = model.features[item.id.value.as_str()];
            let declared = feature.value.kind.as_ref().map(|kind| kind.span.clone());
            for (key, span) in priced_keys(document) {
                let mut diagnostic = Diagnostic::new(
                    Code::BooleanItem,
                    format!(
                        "boolean feature `{}` cannot have `{key}` in plan `{}`",
                        item.id.value, plan.id.value
                    ),
                    span,
                    "a boolean feature is on or off: it has no amount, reset or price",
                )
                .with_help(format!(
                    "remove `{key}`; the item alone grants `{}`, or make the feature metered",
                    item.id.value
                ));
                if let Some(declared) = &declared {
                    diagnostic = diagnostic.with_related(declared.clone(), "declared boolean here");
                }
                diagnostics.push(diagnostic);
            }
            continue;
        }
        if let (Some(allocated), Some(reset)) = (model.allocated(&item.id.value), &document.reset) {
            diagnostics.push(
                Diagnostic::new(
                    Code::AllocatedReset,
                    format!(
                        "`{}` in plan `{}` resets, but `{}` is allocated",
                        item.id.value, plan.id.value, item.id.value
                    ),
                    reset.span.clone(),
                    "allocated units are never reset",
                )
                .with_related(allocated.span.clone(), "allocated (not consumable) here")
                .with_help(format!(
                    "remove `reset`: `{}` counts what a customer holds (seats, projects), a level that goes up with use and down with a release and carries from period to period; a usage price bills the units held beyond `included` at each period's end. If its usage is used up and starts again each period, make the feature consumable",
                    item.id.value
                )),
            );
        }
        let Some(price) = &document.price else {
            if let Some(proration) = &document.proration {
                diagnostics.push(
                    Diagnostic::new(
                        Code::ProrationUnpriced,
                        format!(
                            "`{}` in plan `{}` has a proration policy but no price",
                            item.id.value, plan.id.value
                        ),
                        proration.span.clone(),
                        "nothing here is charged or credited",
                    )
                    .with_help(format!(
                        "a proration policy says what a change of a priced item charges or credits; give `{}` a `price` (a prepaid one, to sell quantities that change mid-term), or remove `proration`",
                        item.id.value
                    )),
                );
            }
            continue;
        };
        if let (Some(proration), Some(billing)) = (&document.proration, &price.value.billing)
            && billing.value == Billing::Usage
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::ProrationNotPrepaid,
                    format!(
                        "`{}` in plan `{}` has a proration policy but is billed on usage",
                        item.id.value, plan.id.value
                    ),
                    proration.span.clone(),
                    "no quantity is bought here to prorate",
                )
                .with_related(billing.span.clone(), "billed on usage here")
                .with_help(format!(
                    "a proration policy says what a change of a prepaid quantity (or an upgrade) charges or credits; usage is billed as it stands at the period's end, so remove `proration`, or sell `{}` with `billing = \"prepaid\"`",
                    item.id.value
                )),
            );
        }
        if price.value.amount.is_none()
            && document.tiers.is_none()
            && !model.is_invalid(&price.span, "amount")
            && !model.is_invalid(&item.span, "tiers")
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "the price of `{}` in plan `{}` has no `amount`",
                        item.id.value, plan.id.value
                    ),
                    price.span.clone(),
                    "no `amount` and no `tiers`",
                )
                .with_help("add `amount` (money for every `per` units), or give the item `tiers`"),
            );
        }
        if let Some(included) = &document.included
            && matches!(included.value, Included::Unlimited(_))
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "`{}` in plan `{}` is unlimited and priced",
                        item.id.value, plan.id.value
                    ),
                    price.span.clone(),
                    "nothing is left to sell",
                )
                .with_related(included.span.clone(), "unlimited here")
                .with_help(
                    "remove the price, or include a number of units instead of `\"unlimited\"`",
                ),
            );
        }
        if let (Some(billing), Some(interval)) = (&price.value.billing, &price.value.interval)
            && billing.value == Billing::Usage
            && interval.value == PriceInterval::OneOff
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{}` in plan `{}` is billed on usage once", item.id.value, plan.id.value),
                    interval.span.clone(),
                    "usage is billed in arrears, every period",
                )
                .with_related(billing.span.clone(), "billed on usage here")
                .with_help("give a usage-billed price a recurring `interval` such as `\"month\"`, or bill it `prepaid` to sell it once"),
            );
        }
        let (Some(billing), Some(interval), Some(reset)) =
            (&price.value.billing, &price.value.interval, &document.reset)
        else {
            continue;
        };
        if billing.value == Billing::Usage
            && model.allocated(&item.id.value).is_none()
            && reset.value.as_price_interval() != Some(interval.value)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::ResetInterval,
                    format!(
                        "`{}` in plan `{}` resets every `{}` but is billed every `{}`",
                        item.id.value,
                        plan.id.value,
                        reset.value.as_str(),
                        interval.value.as_str()
                    ),
                    reset.span.clone(),
                    "differs from the price interval",
                )
                .with_related(interval.span.clone(), "billed at this interval")
                .with_help(
                    "a usage-billed item resets when it is billed: remove `reset` or make it equal to the price `interval`; only prepaid items may reset on their own schedule",
                ),
            );
        }
    }
}

/// The keys of an item that only a metered item may have, as written.
fn priced_keys(document: &ItemDocument) -> Vec<(&'static str, Span)> {
    let mut keys = Vec::new();
    // `included = 0` grants nothing beyond the feature itself: a no-op, and what Autumn's CLI
    // writes for every boolean item, so it is accepted.
    if let Some(included) = &document.included
        && !matches!(&included.value, Included::Units(units) if units.0.is_zero())
    {
        keys.push(("included", included.span.clone()));
    }
    if let Some(reset) = &document.reset {
        keys.push(("reset", reset.span.clone()));
    }
    if let Some(price) = &document.price {
        keys.push(("price", price.span.clone()));
    }
    if let Some(tiers) = &document.tiers {
        keys.push(("tiers", tiers.span.clone()));
    }
    if let Some(mode) = &document.tier_mode {
        keys.push(("tier_mode", mode.span.clone()));
    }
    if let Some(prepaid) = &document.prepaid {
        keys.push(("prepaid", prepaid.span.clone()));
    }
    if let Some(reset) = &document.reset_on_attach {
        keys.push(("reset_on_attach", reset.span.clone()));
    }
    if let Some(proration) = &document.proration {
        keys.push(("proration", proration.span.clone()));
    }
    let controls = [
        (
            "auto_top_up",
            document.auto_top_up.as_ref().map(|key| key.span.clone()),
        ),
        (
            "spend_limit",
            document.spend_limit.as_ref().map(|key| key.span.clone()),
        ),
        (
            "alerts",
            document.alerts.as_ref().map(|key| key.span.clone()),
        ),
        (
            "rollover",
            document.rollover.as_ref().map(|key| key.span.clone()),
        ),
        (
            "expires_after",
            document.expires_after.as_ref().map(|key| key.span.clone()),
        ),
    ];
    keys.extend(
        controls
            .into_iter()
            .filter_map(|(key, span)| Some((key, span?))),
    );
    keys
}
