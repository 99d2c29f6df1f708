use rust_decimal::Decimal;

use crate::catalog::{Billing, FeatureType};
use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::document::{
    AlertDocument, CostDocument, Included, ItemDocument, ItemPriceDocument, PlanDocument,
};
use crate::dsl::{DecimalLiteral, Entry, Spanned};

use super::Model;
use super::model::Declaration;
use super::references::unknown;

/// Billing controls and the credit lifecycle: each control on an item that can have it
/// (`top_up_not_prepaid`, `top_up_quantity`, `top_up_threshold`, `spend_limit`,
/// `alert_threshold`, `rollover_without_reset`, `expiry_not_prepaid`), and usage limits on
/// metered features or credit systems the plan grants (`limit_on_boolean`,
/// `limit_not_granted`). Controls on a boolean item are `boolean_item`s.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (plan, item) in model.items() {
        if model.feature_type(&item.id.value) == Some(FeatureType::Boolean) {
            continue; // reported as a boolean item
        }
        let context = ItemContext { model, plan, item };
        context.auto_top_up(diagnostics);
        context.spend_limit(diagnostics);
        context.alerts(diagnostics);
        context.rollover(diagnostics);
        context.expiry(diagnostics);
    }
    for plan in model.plans.values() {
        usage_limits(model, plan, diagnostics);
    }
}

struct ItemContext<'m, 'a> {
    model: &'m Model<'a>,
    plan: &'a Entry<PlanDocument>,
    item: &'a Entry<ItemDocument>,
}

impl ItemContext<'_, '_> {
    fn document(&self) -> &ItemDocument {
        &self.item.value
    }

    fn name(&self) -> String {
        format!("`{}` in plan `{}`", self.item.id.value, self.plan.id.value)
    }

    fn price(&self) -> Option<&Spanned<ItemPriceDocument>> {
        self.document().price.as_ref()
    }

    fn billing(&self) -> Option<Billing> {
        self.price()
            .and_then(|price| price.value.billing.as_ref())
            .map(|billing| billing.value)
    }

    fn auto_top_up(&self, diagnostics: &mut Vec<Diagnostic>) {
        let Some(top_up) = &self.document().auto_top_up else {
            return;
        };
        if self.billing() != Some(Billing::Prepaid) {
            let mut diagnostic = Diagnostic::new(
                Code::TopUpNotPrepaid,
                format!("{} has an auto top-up but is not sold prepaid", self.name()),
                top_up.span.clone(),
                "nothing to buy automatically",
            )
            .with_help(
                "an auto top-up buys more of a prepaid item: give the item `price = { amount = …, billing = \"prepaid\", interval = \"one_off\" }`, or remove `auto_top_up`",
            );
            if let Some(price) = self.price() {
                diagnostic = diagnostic.with_related(price.span.clone(), "billed on usage here");
            }
            diagnostics.push(diagnostic);
            return;
        }
        let threshold = top_up.value.threshold.as_ref().filter(|threshold| {
            not_negative(threshold, "an auto top-up's `threshold`", diagnostics)
        });
        let Some(quantity) = top_up.value.quantity.as_ref() else {
            return;
        };
        if !self.quantity_can_be_bought(quantity, diagnostics) {
            return;
        }
        if let Some(threshold) = threshold
            && threshold.value.0 >= quantity.value.0
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::TopUpThreshold,
                    format!(
                        "the auto top-up of {} buys {} but triggers below {}",
                        self.name(),
                        quantity.value.0,
                        threshold.value.0
                    ),
                    threshold.span.clone(),
                    "not below the quantity bought",
                )
                .with_related(quantity.span.clone(), "each purchase adds this much")
                .with_help(format!(
                    "one purchase must lift a nearly empty balance above the threshold, or it would buy again at once: give `threshold` less than {}, or buy a larger `quantity`",
                    quantity.value.0
                )),
            );
        }
    }

    /// Whether an automatic purchase of `quantity` is one a customer could make at checkout:
    /// positive, whole billing units, within the `prepaid` bounds.
    fn quantity_can_be_bought(
        &self,
        quantity: &Spanned<DecimalLiteral>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let value = quantity.value.0;
        let per = self
            .price()
            .and_then(|price| price.value.per.as_ref())
            .map_or(Decimal::ONE, |per| per.value.0);
        if per <= Decimal::ZERO {
            return false; // `per` itself is reported
        }
        let bounds = self
            .document()
            .prepaid
            .as_ref()
            .map(|prepaid| &prepaid.value);
        let min = bounds
            .and_then(|bounds| bounds.min.as_ref())
            .map_or(per, |min| min.value.0.max(per));
        let max = bounds
            .and_then(|bounds| bounds.max.as_ref())
            .map(|max| max.value.0);
        let problem = if value <= Decimal::ZERO {
            Some(format!("buys {value}: a purchase buys something"))
        } else if !value
            .checked_rem(per)
            .is_some_and(|remainder| remainder.is_zero())
        {
            Some(format!("is not a whole number of billing units of {per}"))
        } else if value < min {
            Some(format!("is below the smallest purchase, {min}"))
        } else if max.is_some_and(|max| value > max) {
            Some(format!(
                "is above the largest purchase, {}",
                max.unwrap_or_default()
            ))
        } else {
            None
        };
        let Some(problem) = problem else {
            return true;
        };
        let range = max.map_or_else(
            || format!("{min} or more"),
            |max| format!("from {min} to {max}"),
        );
        diagnostics.push(
            Diagnostic::new(
                Code::TopUpQuantity,
                format!(
                    "the auto top-up quantity {value} of {} {problem}",
                    self.name()
                ),
                quantity.span.clone(),
                "not a purchase a customer could make",
            )
            .with_help(format!(
                "an automatic purchase is an ordinary one: buy {range}, in steps of {per}"
            )),
        );
        false
    }

    fn spend_limit(&self, diagnostics: &mut Vec<Diagnostic>) {
        let Some(limit) = &self.document().spend_limit else {
            return;
        };
        if self.billing() != Some(Billing::Usage) {
            diagnostics.push(
                Diagnostic::new(
                    Code::SpendLimit,
                    format!("{} has a spend limit but no usage price", self.name()),
                    limit.span.clone(),
                    "no overage to cap",
                )
                .with_help(
                    "a spend limit caps what usage beyond the balance is billed: give the item `price = { …, billing = \"usage\" }`, or remove `spend_limit`",
                ),
            );
            return;
        }
        if let Some(amount) = &limit.value.amount {
            not_negative(amount, "a spend limit", diagnostics);
        }
        if let Some(percent) = &limit.value.percent
            && not_negative(percent, "a spend limit", diagnostics)
            && self.plan.value.price.is_none()
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::SpendLimit,
                    format!(
                        "the spend limit of {} is a percentage of a base price plan `{}` does not have",
                        self.name(),
                        self.plan.id.value
                    ),
                    percent.span.clone(),
                    "a percentage of nothing",
                )
                .with_help("give the limit in money, `spend_limit = { amount = … }`, or give the plan a base price"),
            );
        }
    }

    fn alerts(&self, diagnostics: &mut Vec<Diagnostic>) {
        let Some(alerts) = &self.document().alerts else {
            return;
        };
        let unlimited = matches!(
            self.document()
                .included
                .as_ref()
                .map(|included| &included.value),
            Some(Included::Unlimited(_))
        );
        for alert in &alerts.value {
            let (key, threshold) = threshold_of(&alert.value);
            let Some(threshold) = threshold else {
                continue; // reported while reading
            };
            if !not_negative(threshold, "an alert threshold", diagnostics) {
                continue;
            }
            let problem = if unlimited {
                Some((
                    "the balance is unlimited".to_string(),
                    "alerts watch a balance that can run out: remove them, or give `included` a number".to_string(),
                ))
            } else if key == "remaining_percent" && threshold.value.0 > Decimal::ONE_HUNDRED {
                Some((
                    format!("{}% of the grant can never be left", threshold.value.0),
                    "what is left is at most all of it: give `remaining_percent` from 0 to 100"
                        .to_string(),
                ))
            } else {
                None
            };
            if let Some((problem, help)) = problem {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AlertThreshold,
                        format!("an alert on {} can never fire: {problem}", self.name()),
                        threshold.span.clone(),
                        "never crossed",
                    )
                    .with_help(help),
                );
            }
        }
    }

    fn rollover(&self, diagnostics: &mut Vec<Diagnostic>) {
        let Some(rollover) = &self.document().rollover else {
            return;
        };
        if let Some(max) = &rollover.value.max {
            not_negative(max, "a rollover's `max`", diagnostics);
        }
        let included = self
            .document()
            .included
            .as_ref()
            .map(|included| &included.value);
        let problem = if self.model.allocated(&self.item.id.value).is_some() {
            Some("is allocated: nothing of it is left over at a reset")
        } else if !self.resets() {
            Some("never resets: nothing is left over at a reset")
        } else {
            match included {
                Some(Included::Unlimited(_)) => Some("is unlimited: there is nothing to count"),
                Some(Included::Units(units)) if units.0 > Decimal::ZERO => None,
                _ => Some("includes nothing to roll over"),
            }
        };
        if let Some(problem) = problem {
            diagnostics.push(
                Diagnostic::new(
                    Code::RolloverWithoutReset,
                    format!("{} has a rollover but {problem}", self.name()),
                    rollover.span.clone(),
                    "nothing to carry over",
                )
                .with_help(
                    "a rollover carries included units left at a reset into the next period: give the item `included = …` and a `reset`, or remove `rollover`",
                ),
            );
        }
    }

    /// Whether the item's included units reset: a `reset`, or a usage price (which resets at
    /// its interval unless the feature is allocated).
    fn resets(&self) -> bool {
        if self.document().reset.is_some() {
            return true;
        }
        self.price().is_some_and(|price| {
            price
                .value
                .billing
                .as_ref()
                .is_some_and(|billing| billing.value == Billing::Usage)
                && price
                    .value
                    .interval
                    .as_ref()
                    .is_some_and(|interval| interval.value.as_reset_interval().is_some())
        })
    }

    fn expiry(&self, diagnostics: &mut Vec<Diagnostic>) {
        let Some(expiry) = &self.document().expires_after else {
            return;
        };
        if self.billing() != Some(Billing::Prepaid) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ExpiryNotPrepaid,
                    format!(
                        "{} says when purchased units expire but sells none",
                        self.name()
                    ),
                    expiry.span.clone(),
                    "no purchase to expire",
                )
                .with_help(
                    "`expires_after` is for units bought upfront (a prepaid price); included units expire at their `reset`",
                ),
            );
        }
    }
}

/// A plan's usage limits name metered features or credit systems the plan grants.
fn usage_limits(model: &Model<'_>, plan: &Entry<PlanDocument>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(limits) = &plan.value.usage_limits else {
        return;
    };
    for limit in limits.value.iter() {
        if let Some(value) = &limit.value.limit {
            not_negative(value, "a usage limit", diagnostics);
        }
        let id = &limit.id;
        match model.resolve(&id.value) {
            None => diagnostics.push(unknown(
                model,
                id,
                "feature or credit system",
                "a usage limit is keyed by the feature or credit system it caps",
            )),
            Some(Declaration::Feature(feature))
                if feature.value.kind.as_ref().map(|kind| kind.value)
                    == Some(FeatureType::Boolean) =>
            {
                diagnostics.push(
                    Diagnostic::new(
                        Code::LimitOnBoolean,
                        format!(
                            "plan `{}` limits the usage of `{}`, a boolean feature",
                            plan.id.value, id.value
                        ),
                        id.span.clone(),
                        "has no usage to count",
                    )
                    .with_related(feature.id.span.clone(), "declared boolean here")
                    .with_help(
                        "a boolean feature is had or not, never used up: remove the limit, or make the feature `type = \"metered\"`",
                    ),
                );
            }
            Some(_) if !grants(model, &plan.value, &id.value) => diagnostics.push(
                Diagnostic::new(
                    Code::LimitNotGranted,
                    format!(
                        "plan `{}` limits `{}`, which it does not grant",
                        plan.id.value, id.value
                    ),
                    id.span.clone(),
                    "not in this plan",
                )
                .with_help(format!(
                    "a usage limit caps what a plan grants: add `[plans.{}.items.{}]` (or an item of a credit system that draws from it), or remove the limit",
                    plan.id.value, id.value
                )),
            ),
            Some(_) => {}
        }
    }
}

/// Whether a plan grants `id` itself, or a credit system that draws from it.
fn grants(model: &Model<'_>, plan: &PlanDocument, id: &str) -> bool {
    plan.items
        .iter()
        .flat_map(|items| items.value.iter())
        .any(|item| {
            item.id.value == id
                || model
                    .credit_systems
                    .get(item.id.value.as_str())
                    .is_some_and(|system| {
                        system
                            .value
                            .costs
                            .iter()
                            .flat_map(|costs| costs.value.iter())
                            .any(|cost: &Entry<CostDocument>| cost.id.value == id)
                    })
        })
}

/// The kind and threshold an alert gives (the first one, when several were reported).
fn threshold_of(alert: &AlertDocument) -> (&'static str, Option<&Spanned<DecimalLiteral>>) {
    [
        ("usage", alert.usage.as_ref()),
        ("usage_percent", alert.usage_percent.as_ref()),
        ("remaining", alert.remaining.as_ref()),
        ("remaining_percent", alert.remaining_percent.as_ref()),
    ]
    .into_iter()
    .find(|(_, threshold)| threshold.is_some())
    .unwrap_or(("usage", None))
}

/// Reports a negative value; true when the value is fine.
fn not_negative(
    value: &Spanned<DecimalLiteral>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    if value.value.0 >= Decimal::ZERO {
        return true;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidAmount,
            format!("{what} is negative ({})", value.value.0),
            value.span.clone(),
            "must be zero or more",
        )
        .with_help("give it zero or more"),
    );
    false
}
