use crate::catalog::{Billing, FeatureType, TierMode};
use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::document::UpTo;

use super::Model;

/// `pricectl::tiers`: tiers replace `amount`, come with a price that says how they are billed,
/// ascend strictly and end with `"inf"`; volume tiers are for prepaid prices only.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (plan, item) in model.items() {
        let document = &item.value;
        if model.feature_type(&item.id.value) == Some(FeatureType::Boolean) {
            continue; // reported as a boolean item
        }
        let name = format!("`{}` in plan `{}`", item.id.value, plan.id.value);
        let Some(tiers) = &document.tiers else {
            if let Some(mode) = &document.tier_mode {
                diagnostics.push(
                    Diagnostic::new(
                        Code::Tiers,
                        format!("{name} has a `tier_mode` but no `tiers`"),
                        mode.span.clone(),
                        "nothing to apply it to",
                    )
                    .with_help("add `tiers`, or remove `tier_mode`"),
                );
            }
            continue;
        };
        let Some(price) = &document.price else {
            diagnostics.push(
                Diagnostic::new(Code::Tiers, format!("{name} has tiers but no price"), tiers.span.clone(), "tiers without a price")
                    .with_help("add `price = { billing = \"usage\", interval = \"month\" }` to say how the tiers are billed"),
            );
            continue;
        };
        if let Some(amount) = &price.value.amount {
            diagnostics.push(
                Diagnostic::new(Code::Tiers, format!("{name} has both `amount` and `tiers`"), amount.span.clone(), "`amount` here")
                    .with_related(tiers.span.clone(), "`tiers` here")
                    .with_help("keep one: `amount` for one price per unit, or `tiers` for prices that change with quantity"),
            );
        }
        if tiers.value.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::Tiers,
                    format!("{name} has an empty list of tiers"),
                    tiers.span.clone(),
                    "no tiers",
                )
                .with_help("add at least one tier: `[{ up_to = \"inf\", amount = … }]`"),
            );
            continue;
        }
        if let (Some(mode), Some(billing)) = (&document.tier_mode, &price.value.billing)
            && mode.value == TierMode::Volume
            && billing.value != Billing::Prepaid
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::Tiers,
                    format!("{name} uses volume tiers on a usage-billed price"),
                    mode.span.clone(),
                    "volume tiers need prepaid billing",
                )
                .with_related(billing.span.clone(), "billed on usage here")
                .with_help("use `tier_mode = \"graduated\"`, or bill the item `prepaid`"),
            );
        }
        let mut previous: Option<(&rust_decimal::Decimal, &crate::diagnostics::Span)> = None;
        let last_index = tiers.value.len() - 1;
        for (index, tier) in tiers.value.iter().enumerate() {
            let Some(up_to) = &tier.value.up_to else {
                continue;
            };
            match &up_to.value {
                UpTo::Infinite(_) if index != last_index => diagnostics.push(
                    Diagnostic::new(
                        Code::Tiers,
                        format!("{name} has an `\"inf\"` tier before its last tier"),
                        up_to.span.clone(),
                        "only the last tier is unbounded",
                    )
                    .with_help("move this tier to the end, or give it a number"),
                ),
                UpTo::Infinite(_) => {}
                UpTo::Units(bound) => {
                    if let Some((previous_bound, previous_span)) = previous
                        && bound.0 <= *previous_bound
                    {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::Tiers,
                                format!("{name} has tiers out of order: {} after {}", bound.0, previous_bound),
                                up_to.span.clone(),
                                "not above the previous tier",
                            )
                            .with_related(previous_span.clone(), "previous tier ends here")
                            .with_help("tiers ascend strictly: each `up_to` is greater than the one before"),
                        );
                    }
                    previous = Some((&bound.0, &up_to.span));
                    if index == last_index {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::Tiers,
                                format!("{name} has no unbounded last tier"),
                                up_to.span.clone(),
                                "usage above this has no price",
                            )
                            .with_help("end the tiers with `{ up_to = \"inf\", amount = … }`"),
                        );
                    }
                }
            }
        }
    }
}
